package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/sbom"
	"github.com/pyimg/pyimg/sign"
	"github.com/pyimg/pyimg/sign/predicate"
	"github.com/pyimg/pyimg/vuln"
	"github.com/pyimg/pyimg/vuln/store"
)

// signFlags are the key and registry flags of sign, attest and verify.
type signFlags struct {
	key       string
	insecure  bool
	referrers bool
}

func (f *signFlags) add(cmd *cobra.Command, keyHelp string) {
	fl := cmd.Flags()
	fl.StringVar(&f.key, "key", "", keyHelp)
	fl.BoolVar(&f.insecure, "insecure", false, "allow plain HTTP and unverified TLS to the registry (for loopback registries)")
	fl.BoolVar(&f.referrers, "referrers", false, "always use OCI 1.1 referrers too, through the referrers tag schema where the registry lacks the referrers API (default: when it has it); cosign's tags are always used")
}

func (a *app) signOptions(f signFlags) []sign.Option {
	opts := []sign.Option{sign.WithInsecure(f.insecure), sign.WithUserAgent("pyimg/" + a.env.Version)}
	if f.referrers {
		opts = append(opts, sign.WithReferrers(true))
	}
	return opts
}

// signError classifies an error of the sign package for the exit code.
func signError(err error) error {
	switch {
	case errors.Is(err, sign.ErrRegistry):
		return runtimeError(err)
	case errors.Is(err, image.ErrReference), errors.Is(err, image.ErrNotFound), errors.Is(err, sign.ErrStatement):
		return inputError(err)
	}
	return runtimeError(err)
}

func newSignCmd(a *app) *cobra.Command {
	var fl signFlags
	var annotations []string
	cmd := &cobra.Command{
		Use:   "sign IMAGE",
		Short: "Sign an image in a registry, as cosign sign --key does",
		Long: `Sign signs the manifest digest IMAGE names (a tag is resolved once, and the
digest is what is signed) with a simple-signing payload, and stores the
signature as cosign does: a layer of the manifest tagged sha256-<hex>.sig in
the image's repository, the signature in its dev.cosignproject.cosign/signature
annotation. Signatures already there are kept. 'cosign verify --key' accepts
it. When the registry has the OCI 1.1 referrers API (or with --referrers) the
signature is also attached as a referrer of the image.

The key is an encrypted private key from 'pyimg key generate' or cosign
generate-key-pair; its password comes from PYIMG_KEY_PASSWORD or
COSIGN_PASSWORD, or a prompt on a terminal. Registry credentials come from the
docker config (docker login).`,
		Example: `  pyimg sign --key cosign.key registry.example.com/app:1.0
  pyimg sign --key cosign.key -a git-sha=0a1b2c3 registry.example.com/app@sha256:…`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			key, err := a.loadPrivateKey(fl.key)
			if err != nil {
				return err
			}
			opts := a.signOptions(fl)
			if len(annotations) > 0 {
				anns := map[string]any{}
				for _, kv := range annotations {
					k, v, ok := strings.Cut(kv, "=")
					if !ok || k == "" {
						return usageError(fmt.Errorf("--annotation %q: want KEY=VALUE", kv))
					}
					anns[k] = v
				}
				opts = append(opts, sign.WithAnnotations(anns))
			}
			res, err := sign.SignImage(cmd.Context(), args[0], key, opts...)
			if err != nil {
				return signError(err)
			}
			a.printResult(cmd.OutOrStdout(), "signed", res)
			return nil
		},
	}
	fl.add(cmd, "private key (cosign.key)")
	cmd.Flags().StringArrayVarP(&annotations, "annotation", "a", nil, "extra KEY=VALUE claim in the signed payload's \"optional\" section, as cosign sign -a (repeatable)")
	return cmd
}

func (a *app) printResult(w io.Writer, verb string, res *sign.Result) {
	fmt.Fprintf(w, "%s %s@%s: stored in %s", verb, res.Target.Repo, res.Target.Digest, res.Tag)
	if res.Referrer != nil {
		fmt.Fprintf(w, " and referrer %s", res.Referrer)
	}
	fmt.Fprintln(w)
}

type attestFlags struct {
	signFlags
	kind        string
	predicate   string
	db          string
	platform    string
	concurrency int
	timestamp   string
	baseImage   string
	lock        string
	wheels      []string
}

func newAttestCmd(a *app) *cobra.Command {
	var fl attestFlags
	cmd := &cobra.Command{
		Use:   "attest IMAGE --type cyclonedx|spdx|scan|provenance",
		Short: "Attach a signed SBOM, scan result or provenance to an image, as cosign attest does",
		Long: `Attest makes an in-toto statement whose subject is the manifest digest IMAGE
names, signs it in a DSSE envelope and stores it as cosign attest does (a
layer of sha256-<hex>.att with a predicateType annotation; also as an OCI 1.1
referrer where the registry has the referrers API, or with --referrers). 'cosign verify-attestation --key --type …'
accepts it. The predicate:

  cyclonedx   the CycloneDX 1.6 SBOM 'pyimg sbom' computes   (https://cyclonedx.org/bom)
  spdx        the SPDX 2.3 SBOM 'pyimg sbom' computes        (https://spdx.dev/Document)
  scan        the vulnerability scan of the local database, with the database's
              date (cosign's vuln predicate, https://cosign.sigstore.dev/attestation/vuln/v1)
  provenance  SLSA provenance v1 of the build inputs given with --base-image,
              --lock and --wheel                              (https://slsa.dev/provenance/v1)

--predicate FILE attests a predicate document given as is instead.`,
		Example: `  pyimg attest --key cosign.key --type cyclonedx registry.example.com/app:1.0
  pyimg db update && pyimg attest --key cosign.key --type scan registry.example.com/app:1.0
  pyimg attest --key cosign.key --type provenance --base-image python:3.12-slim@sha256:… --lock uv.lock --wheel dist/app-1.0-py3-none-any.whl registry.example.com/app:1.0`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runAttest(cmd, fl, args[0]) },
	}
	fl.add(cmd, "private key (cosign.key)")
	f := cmd.Flags()
	f.StringVar(&fl.kind, "type", "", "what to attest: "+strings.Join(predicate.Kinds, ", "))
	f.StringVar(&fl.predicate, "predicate", "", "attest this predicate JSON file instead of computing it")
	f.StringVar(&fl.db, "db", "", "vulnerability database for --type scan (default $PYIMG_DB, else $XDG_CACHE_HOME/pyimg/osv.db)")
	f.StringVar(&fl.platform, "platform", "linux/amd64", "platform to pick from a multi-arch index, os/arch[/variant]")
	f.IntVar(&fl.concurrency, "concurrency", 0, "layers read in parallel (default: min(CPUs, 4))")
	f.StringVar(&fl.timestamp, "timestamp", "", "SBOM creation time, RFC 3339 or Unix seconds (default: SOURCE_DATE_EPOCH, else now)")
	f.StringVar(&fl.baseImage, "base-image", "", "provenance: base image reference pinned by digest (REF@sha256:…)")
	f.StringVar(&fl.lock, "lock", "", "provenance: lock file the build installed from")
	f.StringArrayVar(&fl.wheels, "wheel", nil, "provenance: a wheel the build installed (repeatable)")
	return cmd
}

func (a *app) runAttest(cmd *cobra.Command, fl attestFlags, ref string) error {
	if fl.kind == "" {
		return usageError(fmt.Errorf("--type is required: %s", strings.Join(predicate.Kinds, ", ")))
	}
	ptype, err := predicate.TypeOf(fl.kind)
	if err != nil {
		return usageError(fmt.Errorf("--type: %w", err))
	}
	key, err := a.loadPrivateKey(fl.key)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	// Pin the digest first so the predicate is computed from the image
	// the statement names.
	t, err := sign.Resolve(ctx, ref, a.signOptions(fl.signFlags)...)
	if err != nil {
		return signError(err)
	}
	pinned := t.Repo.Digest(t.Digest.String()).String()
	var pred json.RawMessage
	switch {
	case fl.predicate != "":
		data, err := os.ReadFile(fl.predicate)
		if err != nil {
			return inputError(fmt.Errorf("reading predicate: %w", err))
		}
		if !json.Valid(data) {
			return inputError(fmt.Errorf("predicate %s is not valid JSON", fl.predicate))
		}
		pred = data
	case ptype == predicate.TypeSLSAProvenance1:
		if pred, err = a.provenancePredicate(fl); err != nil {
			return err
		}
	default:
		if pred, err = a.imagePredicate(cmd, fl, ptype, ref, pinned); err != nil {
			return err
		}
	}
	res, err := sign.Attest(ctx, pinned, key, ptype, pred, a.signOptions(fl.signFlags)...)
	if err != nil {
		return signError(err)
	}
	a.printResult(cmd.OutOrStdout(), "attested "+fl.kind+" for", res)
	return nil
}

// imagePredicate computes an SBOM or scan predicate from the image's
// packages.
func (a *app) imagePredicate(cmd *cobra.Command, fl attestFlags, ptype, ref, pinned string) (json.RawMessage, error) {
	ctx := cmd.Context()
	ifl := imageFlags{platform: fl.platform, insecure: fl.insecure, concurrency: fl.concurrency}
	started := a.env.Now()
	img, err := a.openImage(ctx, pinned, ifl)
	if err != nil {
		return nil, err
	}
	inv, err := a.imageInventory(ctx, img, ifl)
	if err != nil {
		return nil, err
	}
	if ptype != predicate.TypeVuln {
		created, err := a.sbomCreated(fl.timestamp)
		if err != nil {
			return nil, err
		}
		src := sbom.Source{Name: ref, Digest: img.Digest.String(), Platform: platformName(img)}
		pred, err := predicate.SBOM(ptype, inv, src, sbom.WithCreated(created), sbom.WithToolVersion(a.env.Version))
		if err != nil {
			return nil, runtimeError(err)
		}
		return pred, nil
	}
	db, st, err := a.openScanDB(fl.db)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return a.scanPredicate(ctx, db, st, inv, ref, started)
}

// openScanDB opens the vulnerability database --db (or the default) names
// and reads its status.
func (a *app) openScanDB(flag string) (*store.DB, store.Status, error) {
	path, err := a.dbPath(flag)
	if err != nil {
		return nil, store.Status{}, err
	}
	db, err := openDB(path)
	if err != nil {
		return nil, store.Status{}, err
	}
	st, err := db.Status()
	if err != nil {
		db.Close()
		return nil, store.Status{}, runtimeError(err)
	}
	return db, st, nil
}

// scanPredicate matches inv, the packages of the image ref, against db and
// returns the scan predicate, warning when the database is old.
func (a *app) scanPredicate(ctx context.Context, db *store.DB, st store.Status, inv *inventory.Inventory, ref string, started time.Time) (json.RawMessage, error) {
	res, err := vuln.MatchInventory(ctx, inv, db)
	if err != nil {
		return nil, runtimeError(fmt.Errorf("matching %s: %w", ref, err))
	}
	fmt.Fprintf(a.env.Stderr, "scanned %d packages with the database built %s: %d vulnerabilities\n", len(inv.Packages), st.Built.UTC().Format("2006-01-02 15:04 UTC"), len(res.Matches))
	if age := a.env.Now().Sub(st.Built); age > maxDBAge {
		fmt.Fprintf(a.env.Stderr, "warning: the vulnerability database is %s (more than 7 days); 'pyimg verify' rejects scans older than --max-scan-age (default 7d); run 'pyimg db update'\n", humanAge(age))
	}
	pred, err := predicate.Scan(predicate.ScanInput{
		ToolVersion: a.env.Version, DBBuilt: st.Built, DBCounts: st.Counts,
		Packages: len(inv.Packages), Matches: res.Matches, Started: started, Finished: a.env.Now(),
	})
	if err != nil {
		return nil, runtimeError(err)
	}
	return pred, nil
}

// provenancePredicate builds SLSA v1 provenance from the flags' files.
func (a *app) provenancePredicate(fl attestFlags) (json.RawMessage, error) {
	in := predicate.ProvenanceInput{ToolVersion: a.env.Version}
	if fl.baseImage != "" {
		ref, dg, ok := strings.Cut(fl.baseImage, "@")
		if !ok {
			return nil, usageError(fmt.Errorf("--base-image %q: pin it by digest (REF@sha256:…)", fl.baseImage))
		}
		in.BaseImage, in.BaseDigest = ref, dg
	}
	if fl.lock != "" {
		sum, err := fileSHA256(fl.lock)
		if err != nil {
			return nil, err
		}
		in.LockFile, in.LockSHA256 = filepath.Base(fl.lock), sum
	}
	for _, w := range fl.wheels {
		sum, err := fileSHA256(w)
		if err != nil {
			return nil, err
		}
		in.Wheels = append(in.Wheels, predicate.Wheel{Name: filepath.Base(w), SHA256: sum})
	}
	if in.BaseDigest == "" && in.LockFile == "" && len(in.Wheels) == 0 {
		return nil, usageError(errors.New("--type provenance needs --base-image, --lock or --wheel (or --predicate FILE)"))
	}
	pred, err := predicate.NewProvenance(in)
	if err != nil {
		return nil, usageError(err)
	}
	return pred, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", inputError(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", runtimeError(fmt.Errorf("reading %s: %w", path, err))
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
