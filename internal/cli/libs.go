package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/native"
	"github.com/pyimg/pyimg/report"
)

type libsFlags struct {
	format      string
	emit        string
	distroless  bool
	stage       string
	from        string
	failOn      string
	all         bool
	platform    string
	insecure    bool
	concurrency int
	limits      imageLimitFlags
}

func newLibsCmd(a *app) *cobra.Command {
	var fl libsFlags
	cmd := &cobra.Command{
		Use:   "libs IMAGE|DIR",
		Short: "The shared-library closure of the Python app: what is missing, glibc, musl",
		Long: `List every ELF object Python loads in an image or a directory (extension
modules in every site-packages, vendored *.libs, the interpreter, libpython,
lib-dynload), resolve each DT_NEEDED as the dynamic loader would (RPATH,
LD_LIBRARY_PATH from the image config, RUNPATH with $ORIGIN, ld.so.conf,
default and multiarch directories, musl's ld-musl-*.path, symlinks across
layers), and report the missing libraries with the Python distribution that
needs them and the OS package that provides them, the glibc version
required against the one available, and glibc/musl mismatches.

The input is an image (skopeo transport names, as for analyze) or a local
directory: a root filesystem, or a venv or prefix (then sonames not found
inside it are listed as expected from the base image, not as missing).

Providers of missing sonames come from --from IMAGE (e.g. the build stage,
which has the -dev packages installed: the package owning the file there)
and from an embedded index of common libraries for Debian bookworm, trixie
and Alpine.

--emit dockerfile prints only the lines that fix the image: the apt-get (or
apk) line for a slim runtime, or with --distroless the COPY --from=STAGE
lines (the missing libraries, the libraries they need that the runtime
lacks, and the real files behind the symlinks; needs --from).

Exit codes: 0 nothing missing; 1 a library is missing, a symbol version is
not found, glibc is too old or a glibc/musl mismatch (--fail-on none to
report only); 2 bad input; 3 runtime failure.`,
		Example: `  pyimg libs oci-archive:app.tar
  pyimg libs --from oci-archive:build.tar --format json oci-archive:app.tar | jq .missing
  pyimg libs --emit dockerfile docker-archive:app.tar
  pyimg libs --from oci:build --emit dockerfile --distroless --stage build oci:app
  pyimg libs .venv`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runLibs(cmd, fl, args[0]) },
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text or json")
	f.StringVar(&fl.emit, "emit", "", "print only Dockerfile lines that supply the missing libraries: dockerfile")
	f.BoolVar(&fl.distroless, "distroless", false, "with --emit dockerfile: COPY --from lines for a runtime without a package manager (needs --from)")
	f.StringVar(&fl.stage, "stage", "build", "the build stage the COPY lines copy from")
	f.StringVar(&fl.from, "from", "", "image (or directory) to look missing libraries up in, such as the build stage")
	f.StringVar(&fl.failOn, "fail-on", "any", "exit 1 on a missing library, version gap, old glibc or libc mismatch (any), or never (none)")
	f.BoolVar(&fl.all, "all", false, "text: also show the interpreter and standard-library objects that resolve completely")
	f.StringVar(&fl.platform, "platform", "linux/amd64", "platform to pick from a multi-arch index, os/arch[/variant]")
	f.BoolVar(&fl.insecure, "insecure", false, "allow plain HTTP and unverified TLS to the registry (for loopback registries)")
	f.IntVar(&fl.concurrency, "concurrency", 0, "layers read in parallel (default: min(CPUs, 4))")
	fl.limits.register(f)
	return cmd
}

func (a *app) runLibs(cmd *cobra.Command, fl libsFlags, ref string) error {
	if err := checkFormat(fl.format, "text", "json"); err != nil {
		return err
	}
	if fl.emit != "" && fl.emit != "dockerfile" {
		return usageError(fmt.Errorf("unknown --emit %q (want dockerfile)", fl.emit))
	}
	if fl.distroless && fl.emit == "" {
		return usageError(errors.New("--distroless needs --emit dockerfile"))
	}
	if fl.failOn != "any" && fl.failOn != "none" {
		return usageError(fmt.Errorf("--fail-on %q: want any or none", fl.failOn))
	}
	ctx := cmd.Context()
	ifl := imageFlags{platform: fl.platform, insecure: fl.insecure, concurrency: fl.concurrency, limits: fl.limits}
	res, err := a.libsOf(ctx, ref, ifl)
	if err != nil {
		return err
	}
	if fl.from != "" {
		from, err := a.libsOf(ctx, fl.from, ifl)
		if err != nil {
			return err
		}
		res.AddProvidersFrom(from)
	}
	out := cmd.OutOrStdout()
	switch {
	case fl.emit != "":
		_, err = fmt.Fprint(out, res.Dockerfile(native.EmitOptions{Distroless: fl.distroless, Stage: fl.stage}))
	case fl.format == "json":
		err = report.EncodeJSON(out, res)
	default:
		err = res.WriteText(out, native.TextOptions{Color: a.color(out), Stage: fl.stage, All: fl.all})
	}
	if err != nil {
		return runtimeError(fmt.Errorf("writing report: %w", err))
	}
	if fl.failOn == "any" && res.Failed() {
		return errFindings
	}
	return nil
}

// libsOf computes the native-library report of an image reference or a
// local directory ("dir:PATH", or a path that is a directory).
func (a *app) libsOf(ctx context.Context, ref string, ifl imageFlags) (*native.Result, error) {
	dir, isDir := strings.CutPrefix(ref, "dir:")
	if !isDir {
		if st, err := os.Stat(ref); err == nil && st.IsDir() {
			dir, isDir = ref, true
		}
	}
	if isDir {
		res, err := native.Dir(ctx, dir)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, native.ErrNotDir) {
				return nil, inputError(err)
			}
			return nil, runtimeError(err)
		}
		return res, nil
	}
	img, err := a.openImage(ctx, ref, ifl)
	if err != nil {
		return nil, err
	}
	v := native.New(img.Config, native.WithLabel(ref))
	if err := a.walkImage(ctx, img, ifl, v); err != nil {
		return nil, err
	}
	res, err := v.Result()
	if err != nil {
		return nil, runtimeError(fmt.Errorf("resolving libraries of %s: %w", ref, err))
	}
	return res, nil
}
