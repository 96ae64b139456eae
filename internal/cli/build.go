package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/build"
	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/project"
)

type buildFlags struct {
	base          string
	wheelhouses   []string
	indexURL      string
	allowLinuxTag bool
	projectWheel  string
	entrypoint    string
	push          string
	insecure      bool
	outputs       []string
	format        string
	sbom          string
	dryRun        bool
	platform      string
	cacheDir      string
}

func newBuildCmd(a *app) *cobra.Command {
	var fl buildFlags
	cmd := &cobra.Command{
		Use:   "build [DIR]",
		Short: "Build a reproducible image from the locked wheels, without Docker",
		Long: `Build an application image ko-style: the project's locked wheels are installed
in Go (no Python, no container runtime) into a virtual environment at /opt/venv
on top of the base image, in deterministic layers:

  1. the dependencies (cached by lock, wheels and target: a code change keeps its digest)
  2. the project (its wheel with --project-wheel, else its src/ or flat package
     with a dist-info written from pyproject.toml)
  3. the [tool.pyimg.build] include files, in the working directory

The target (interpreter, ABI, glibc or musl, architecture) is read from the base
image itself. Every wheel is checked against the lock's sha256 hashes and its own
RECORD. The image runs as user 65532 with the venv first on PATH; its entrypoint
is --entrypoint or the project's single console script. Layers and config use
SOURCE_DATE_EPOCH (else 1980-01-01) so the same inputs give the same digest.

The lock is requirements.txt (or requirements.lock) with == pins and --hash
options, as 'pip-compile --generate-hashes' and 'uv export' write it, else
uv.lock, pylock.toml, poetry.lock, pdm.lock or Pipfile.lock with sha256 hashes.
Environment markers are evaluated for the base's interpreter; uv.lock and
poetry.lock packages are installed without their dependency markers, so
prefer 'uv export --no-dev' for projects with platform-specific packages.

Wheels tagged linux_<arch> (built on one machine for itself) are refused unless
--allow-linux-tag: use it for a wheelhouse built against the same base.

Outputs use skopeo's transport names; nothing is half-written on failure and
--push happens only after every other output succeeded. Prints the manifest
digest (--format json: digest, reference, layers, packages).

[tool.pyimg.build] in pyproject.toml: base, include, entrypoint, ports,
workdir, user, env.`,
		Example: `  pyimg build --base oci-archive:base.tar --wheelhouse wheels/ --output oci-archive:app.tar
  pyimg build --base python:3.12-slim@sha256:... --index-url http://127.0.0.1:8080/simple --push registry.local/app:1 --insecure
  pyimg build --dry-run --wheelhouse wheels/ .`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return a.runBuild(cmd, fl, dir)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.base, "base", "", "base image (skopeo transport names; overrides [tool.pyimg.build] base; default: pyimg recommend's runtime image)")
	f.StringArrayVar(&fl.wheelhouses, "wheelhouse", nil, "directory of wheels to install from (repeatable; searched before the index)")
	f.StringVar(&fl.indexURL, "index-url", "", "package index (PEP 691 JSON or PEP 503 HTML simple API)")
	f.BoolVar(&fl.allowLinuxTag, "allow-linux-tag", false, "accept linux_<arch> wheels (built for one machine; only for wheels built against this base)")
	f.StringVar(&fl.projectWheel, "project-wheel", "", "install the project from this wheel instead of its sources")
	f.StringVar(&fl.entrypoint, "entrypoint", "", `entrypoint: a console script name, a command line, or a JSON array ('["gunicorn","app:app"]')`)
	f.StringVar(&fl.push, "push", "", "push the image to this registry reference once everything else succeeded")
	f.BoolVar(&fl.insecure, "insecure", false, "allow plain HTTP to registries (--push and a registry --base)")
	f.StringArrayVar(&fl.outputs, "output", nil, "write the image: oci:DIR, oci-archive:FILE or docker-archive:FILE (repeatable)")
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text or json")
	f.StringVar(&fl.sbom, "sbom", "", "write the CycloneDX SBOM of the image to FILE")
	f.BoolVar(&fl.dryRun, "dry-run", false, "print the plan (wheel per requirement, layers) without writing anything")
	f.StringVar(&fl.platform, "platform", "linux/amd64", "platform to pick from a multi-arch base, os/arch[/variant]")
	f.StringVar(&fl.cacheDir, "cache-dir", "", "build cache (default $XDG_CACHE_HOME/pyimg/build)")
	return cmd
}

func (a *app) runBuild(cmd *cobra.Command, fl buildFlags, dir string) error {
	if err := checkFormat(fl.format, "text", "json"); err != nil {
		return err
	}
	plat, err := image.ParsePlatform(fl.platform)
	if err != nil {
		return usageError(fmt.Errorf("--platform: %w", err))
	}
	opts := []build.Option{
		build.WithBase(fl.base),
		build.WithProjectWheel(fl.projectWheel),
		build.WithPush(fl.push, fl.insecure),
		build.WithSBOM(fl.sbom),
		build.WithDryRun(fl.dryRun),
		build.WithCacheDir(fl.cacheDir),
		build.WithAllowLinuxTag(fl.allowLinuxTag),
		build.WithToolVersion(a.env.Version),
		build.WithImageOptions(image.WithPlatform(plat), image.WithInsecure(fl.insecure), image.WithUserAgent("pyimg/"+a.env.Version)),
		build.WithDefaultBase(func(dir string) (string, error) { return a.recommendedRuntime(dir) }),
		build.WithResolver(build.NewResolverFactory(build.Sources{
			Wheelhouses: fl.wheelhouses, IndexURL: fl.indexURL, AllowLinuxTag: fl.allowLinuxTag,
			CacheDir: fl.cacheDir, Insecure: fl.insecure, UserAgent: "pyimg/" + a.env.Version,
		})),
	}
	if fl.push == "" && len(fl.outputs) == 0 && !fl.dryRun {
		return usageError(errors.New("nothing to write: give --output, --push or --dry-run"))
	}
	for _, s := range fl.outputs {
		out, err := build.ParseOutput(s)
		if err != nil {
			return usageError(fmt.Errorf("--output: %w", err))
		}
		opts = append(opts, build.WithOutput(out))
	}
	if fl.entrypoint != "" {
		ep, err := parseEntrypoint(fl.entrypoint)
		if err != nil {
			return usageError(fmt.Errorf("--entrypoint: %w", err))
		}
		opts = append(opts, build.WithEntrypoint(ep))
	}
	if s := a.env.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		t, err := build.ParseSourceDateEpoch(s)
		if err != nil {
			return inputError(err)
		}
		opts = append(opts, build.WithSourceDateEpoch(t))
	}
	if a.env.IsTerminal(a.env.Stderr) && a.env.Getenv("CI") == "" {
		var mu sync.Mutex
		opts = append(opts, build.WithProgress(func(e build.Event) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprintf(a.env.Stderr, "%-8s %s\n", e.Stage, e.Message)
		}))
	} else if a.flags.verbose {
		opts = append(opts, build.WithProgress(func(e build.Event) { a.log.Debug("build", "stage", e.Stage, "msg", e.Message) }))
	}
	res, err := build.Run(cmd.Context(), dir, opts...)
	if err != nil {
		return buildError(err)
	}
	w := cmd.OutOrStdout()
	if fl.dryRun {
		return writePlan(w, fl.format, res.Plan)
	}
	if fl.format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintln(w, res.Digest)
	return nil
}

// recommendedRuntime is the runtime image `pyimg recommend --offline`
// gives for the project in dir, for a build without a base.
func (a *app) recommendedRuntime(dir string) (string, error) {
	proj, err := project.Detect(dir)
	if err != nil {
		return "", inputError(fmt.Errorf("reading project %s: %w", dir, err))
	}
	repo := proj.Base.Repo
	if repo == "" {
		repo = baseimage.DefaultRepo
	}
	in := baseimage.RecommendInput{
		Stage: baseimage.StageProd, Libc: baseimage.LibcGlibc, Repo: repo, Now: a.env.Now(), RequiresPython: proj.RequiresPython,
		Policy: baseimage.Policy{AllowedRegistries: proj.Base.AllowedRegistries, MinSupport: baseimage.SupportDays(proj.Base.MinSupportDays), PreferredOS: proj.Base.PreferredOS},
	}
	if !proj.Requires.Empty() {
		in.Allows = proj.Requires.AllowsSeries
	}
	if s := proj.PythonVersionSeries(); s != "" {
		in.Series = s
	}
	rec, err := a.knowledge().Recommend(in)
	if err != nil {
		return "", inputError(err)
	}
	fmt.Fprintf(a.env.Stderr, "no --base and no [tool.pyimg.build] base: using the recommended runtime image %s\n", rec.Runtime.Ref())
	return rec.Runtime.Ref(), nil
}

// buildError classifies a build failure for the exit code.
func buildError(err error) error {
	if build.IsInputError(err) {
		return inputError(err)
	}
	return imageError(err)
}

// parseEntrypoint reads a JSON array or splits a command line on spaces.
func parseEntrypoint(s string) ([]string, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		var argv []string
		if err := json.Unmarshal([]byte(s), &argv); err != nil || len(argv) == 0 {
			return nil, fmt.Errorf("%q: want a non-empty JSON array of strings", s)
		}
		return argv, nil
	}
	argv := strings.Fields(s)
	if len(argv) == 0 {
		return nil, errors.New("empty")
	}
	return argv, nil
}

func writePlan(w io.Writer, format string, p *build.Plan) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	fmt.Fprintf(w, "base       %s@%s\n", p.Base, p.BaseDigest)
	fmt.Fprintf(w, "target     %s\n", p.Target)
	fmt.Fprintf(w, "lock       %s\n", p.Lock)
	fmt.Fprintf(w, "layer 1    dependencies: %d wheels\n", len(p.Wheels))
	for _, wh := range p.Wheels {
		fmt.Fprintf(w, "             %s==%s  %s  (%s)\n", wh.Name, wh.Version, wh.File, wh.URL)
	}
	for _, s := range p.Skipped {
		fmt.Fprintf(w, "             skipped: %s\n", s)
	}
	fmt.Fprintf(w, "layer 2    project: %s\n", p.Project)
	if len(p.Include) > 0 {
		fmt.Fprintf(w, "layer 3    include: %s\n", strings.Join(p.Include, ", "))
	}
	for _, o := range p.Outputs {
		fmt.Fprintf(w, "output     %s\n", o)
	}
	if p.Push != "" {
		fmt.Fprintf(w, "push       %s\n", p.Push)
	}
	return nil
}
