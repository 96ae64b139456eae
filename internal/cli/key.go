package cli

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/pyimg/pyimg/sign"
)

// Password environment variables, in the order they are read.
var passwordEnv = []string{"PYIMG_KEY_PASSWORD", "COSIGN_PASSWORD"}

func newKeyCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "key",
		Short: "Make signing keys (cosign's format)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError(errors.New("key needs a subcommand: generate"))
		},
	}
	var output string
	var force bool
	gen := &cobra.Command{
		Use:   "generate",
		Short: "Write a new ECDSA P-256 key pair: PREFIX.key (encrypted) and PREFIX.pub",
		Long: `Generate writes a new ECDSA P-256 key pair as cosign generate-key-pair does:
PREFIX.key holds the private key encrypted with a password (scrypt and NaCl
secretbox, PEM "ENCRYPTED SIGSTORE PRIVATE KEY"), PREFIX.pub the public key.
cosign reads both, and pyimg reads keys cosign made.

The password comes from PYIMG_KEY_PASSWORD or COSIGN_PASSWORD, else it is
asked for on the terminal. Existing files are kept unless --force.`,
		Example: `  COSIGN_PASSWORD=… pyimg key generate
  pyimg key generate --output keys/release`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pw, ok, err := a.keyPassword(true)
			if err != nil {
				return err
			}
			if !ok {
				return usageError(errors.New("no password for the new key: set PYIMG_KEY_PASSWORD or COSIGN_PASSWORD, or run on a terminal"))
			}
			kp, err := sign.GenerateKeyPair(pw)
			if err != nil {
				return runtimeError(err)
			}
			keyPath, pubPath, err := kp.WriteFiles(output, force)
			if errors.Is(err, fs.ErrExist) {
				return inputError(fmt.Errorf("%w (use --force to replace it)", err))
			} else if err != nil {
				return runtimeError(err)
			}
			pub, _ := sign.LoadPublicKey(kp.PublicPEM)
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s (private, encrypted) and %s (public), key id %s\n", keyPath, pubPath, sign.KeyID(pub))
			return nil
		},
	}
	gen.Flags().StringVarP(&output, "output", "o", "cosign", "path prefix of the key files")
	gen.Flags().BoolVar(&force, "force", false, "replace existing key files")
	cmd.AddCommand(gen)
	return cmd
}

// keyPassword returns the key password from the environment or, on a
// terminal, a prompt (confirmed twice when confirm is set). ok is false
// when there is neither.
func (a *app) keyPassword(confirm bool) (pw []byte, ok bool, err error) {
	for _, v := range passwordEnv {
		if p := a.env.Getenv(v); p != "" {
			return []byte(p), true, nil
		}
	}
	f, isFile := a.env.Stdin.(*os.File)
	if !isFile || !term.IsTerminal(int(f.Fd())) {
		return nil, false, nil
	}
	fmt.Fprint(a.env.Stderr, "Enter password for private key: ")
	pw, err = term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(a.env.Stderr)
	if err != nil {
		return nil, false, runtimeError(fmt.Errorf("reading password: %w", err))
	}
	if confirm {
		fmt.Fprint(a.env.Stderr, "Enter password for private key again: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.env.Stderr)
		if err != nil {
			return nil, false, runtimeError(fmt.Errorf("reading password: %w", err))
		}
		if !bytes.Equal(pw, again) {
			return nil, false, usageError(errors.New("the passwords do not match"))
		}
	}
	return pw, true, nil
}

// loadPrivateKey reads and decrypts the private key at path. Without a
// password it tries the empty one (cosign keys may have one) and then
// says which variables to set.
func (a *app) loadPrivateKey(path string) (*ecdsa.PrivateKey, error) {
	if path == "" {
		return nil, usageError(errors.New("--key is required (a private key from 'pyimg key generate' or cosign generate-key-pair)"))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputError(fmt.Errorf("reading key: %w", err))
	}
	pw, ok, err := a.keyPassword(false)
	if err != nil {
		return nil, err
	}
	key, err := sign.LoadPrivateKey(data, pw)
	switch {
	case err == nil:
		return key, nil
	case errors.Is(err, sign.ErrWrongPassword) && !ok:
		return nil, inputError(fmt.Errorf("key %s is encrypted: set PYIMG_KEY_PASSWORD or COSIGN_PASSWORD", path))
	default:
		return nil, inputError(fmt.Errorf("key %s: %w", path, err))
	}
}

// loadPublicKey reads the public key at path.
func loadPublicKey(path string) (*ecdsa.PublicKey, error) {
	if path == "" {
		return nil, usageError(errors.New("--key is required (a public key, cosign.pub)"))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, inputError(fmt.Errorf("reading key: %w", err))
	}
	pub, err := sign.LoadPublicKey(data)
	if err != nil {
		return nil, inputError(fmt.Errorf("key %s: %w", path, err))
	}
	return pub, nil
}
