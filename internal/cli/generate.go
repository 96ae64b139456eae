package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/check"
	"github.com/pyimg/pyimg/generate"
	"github.com/pyimg/pyimg/project"
	"github.com/pyimg/pyimg/pypi"
	"github.com/pyimg/pyimg/report"
)

type generateFlags struct {
	registryFlags
	variant  string
	stdout   bool
	force    bool
	pin      bool
	repo     string
	libsFrom string
	indexURL string
	format   string
	now      string
}

func newGenerateCmd(a *app) *cobra.Command {
	var fl generateFlags
	cmd := &cobra.Command{
		Use:   "generate [DIR]",
		Short: "Write a multi-stage Dockerfile and .dockerignore for a Python project",
		Long: `Write the Dockerfile and .dockerignore a Python project should be built with:
multi-stage, a virtualenv at /opt/venv built from the lock (uv.lock,
poetry.lock, requirements.txt with --require-hashes, else pyproject.toml) and
copied as is, a numeric non-root user, dependencies installed before the code
is copied, BuildKit cache mounts, apt upgrade and cleanup in one layer,
PYTHONUNBUFFERED, exec-form CMD, EXPOSE and a HEALTHCHECK without curl when
the port is known. The result lints clean with 'pyimg lint'.

Variants:
  slim        python:X.Y-slim for build and runtime (default)
  slim-tools  slim, keeping the build packages, curl and procps in the runtime
  alpine      python:X.Y-alpine; refused when dependencies would compile on musl
  distroless  built on debian:<release>-slim, run on gcr.io/distroless/python3

The bases come from 'pyimg recommend' (offline, embedded data) and are written
as ARG BUILD_IMAGE / ARG RUNTIME_IMAGE defaults, so a build can substitute
them (--build-arg BUILD_IMAGE=...). --pin resolves their digests in the
registry. The builder declares ARG PIP_INDEX_URL (UV_DEFAULT_INDEX for uv) for
a private index; credentials go in a netrc secret (--secret id=netrc,...).

System packages come from pyproject.toml (or .pyimg.toml [generate]):

  [tool.pyimg.generate]
  build-packages = ["build-essential", "libpq-dev"]
  runtime-packages = ["libpq5"]     # default: derived from build-packages
  command = ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
  port = 8000
  health-path = "/healthz"

--libs-from IMAGE|DIR adds the runtime packages 'pyimg libs' finds missing
in an earlier build of the project (the extension modules' shared libraries).

Existing files are not replaced without --force. Input problems exit 2.`,
		Example: `  pyimg generate
  pyimg generate --variant distroless --stdout services/api
  pyimg generate --pin --force
  pyimg generate --format json --stdout | jq -r .dockerfile`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return a.runGenerate(cmd, fl, dir)
		},
	}
	fl.registryFlags.register(cmd)
	f := cmd.Flags()
	f.StringVar(&fl.variant, "variant", string(generate.VariantSlim), "image variant: slim, slim-tools, alpine or distroless")
	f.BoolVar(&fl.stdout, "stdout", false, "print the Dockerfile instead of writing files")
	f.BoolVar(&fl.force, "force", false, "replace an existing Dockerfile and .dockerignore")
	f.BoolVar(&fl.pin, "pin", false, "resolve the base images' digests in the registry and pin them")
	f.StringVar(&fl.repo, "repo", "", "python image repository to build from (default: policy repo, else "+baseimage.DefaultRepo+")")
	f.StringVar(&fl.indexURL, "index-url", "", "with --variant alpine, ask this PEP 691/503 index for the files of locked packages the lock lists none for (default: offline, the index cache only)")
	f.StringVar(&fl.libsFrom, "libs-from", "", "add the runtime packages that 'pyimg libs' finds missing in this image or directory (an earlier build of the project)")
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text or json")
	f.StringVar(&fl.now, "now", "", "date for support windows, YYYY-MM-DD or RFC 3339 (default: now)")
	return cmd
}

// generateJSON is the --format json document.
type generateJSON struct {
	Dir          string   `json:"dir"`
	Variant      string   `json:"variant"`
	Python       string   `json:"python"`
	BuildImage   string   `json:"build_image"`
	RuntimeImage string   `json:"runtime_image"`
	Pinned       bool     `json:"pinned"`
	Install      string   `json:"install"`
	Command      []string `json:"command"`
	Port         int      `json:"port,omitempty"`
	User         int      `json:"user"`
	BuildPkgs    []string `json:"build_packages"`
	RuntimePkgs  []string `json:"runtime_packages"`
	Written      []string `json:"written"`
	Dockerfile   string   `json:"dockerfile,omitempty"`
	Dockerignore string   `json:"dockerignore,omitempty"`
	Reasons      []string `json:"reasons"`
	Notes        []string `json:"notes"`
	Warnings     []string `json:"warnings"`
}

func (a *app) runGenerate(cmd *cobra.Command, fl generateFlags, dir string) error {
	if err := checkFormat(fl.format, "text", "json"); err != nil {
		return err
	}
	variant, err := generate.ParseVariant(fl.variant)
	if err != nil {
		return usageError(fmt.Errorf("--variant: %w", err))
	}
	now, err := a.parseNow(fl.now)
	if err != nil {
		return err
	}
	k := a.knowledge()
	a.warnStaleData(k, now)
	opts := []generate.Option{generate.WithKnowledge(k), generate.WithNow(now), generate.WithRepo(fl.repo),
		generate.WithMuslCheck(a.muslCheck(k, now, fl.indexURL))}
	if fl.pin {
		reg := a.registry(fl.registryFlags)
		opts = append(opts, generate.WithResolver(func(ctx context.Context, repo, tag string) (string, error) {
			r, err := reg.Resolve(ctx, repo, tag)
			if err != nil {
				return "", err
			}
			return r.Digest, nil
		}), generate.WithTagLister(reg.Tags))
	}
	if fl.libsFrom != "" {
		libs, err := a.libsOf(cmd.Context(), fl.libsFrom, imageFlags{platform: "linux/amd64", insecure: fl.insecure})
		if err != nil {
			return err
		}
		manager := "apt"
		if variant.Alpine() {
			manager = "apk"
		}
		pkgs, unknown := libs.Packages(manager)
		opts = append(opts, generate.WithRuntimeLibs(fl.libsFrom, pkgs, unknown))
	}
	res, err := generate.Run(cmd.Context(), dir, variant, opts...)
	if err != nil {
		return generateErr(err)
	}
	js := generateJSON{
		Dir: dir, Variant: string(variant), Python: res.Spec.Python,
		BuildImage: res.Spec.BuildImage, RuntimeImage: res.Spec.RuntimeImage, Pinned: res.Spec.Pinned,
		Install: string(res.Spec.Install), Command: res.Spec.Command, Port: res.Spec.Port, User: res.Spec.UID,
		BuildPkgs: nonNil(res.Spec.BuildPackages), RuntimePkgs: nonNil(res.Spec.RuntimePackages),
		Written: []string{}, Reasons: nonNil(res.Bases.Reasons), Notes: nonNil(res.Notes), Warnings: nonNil(res.Warnings),
	}
	if fl.stdout {
		js.Dockerfile, js.Dockerignore = string(res.Files.Dockerfile), string(res.Files.Dockerignore)
	} else {
		written, err := generate.Write(dir, res.Files, fl.force)
		if err != nil {
			return generateErr(err)
		}
		js.Written = written
	}
	out := cmd.OutOrStdout()
	if fl.format == "json" {
		if err := report.EncodeJSON(out, js); err != nil {
			return runtimeError(fmt.Errorf("writing report: %w", err))
		}
		return nil
	}
	if fl.stdout {
		if _, err := out.Write(res.Files.Dockerfile); err != nil {
			return runtimeError(fmt.Errorf("writing Dockerfile: %w", err))
		}
		writeGenerateNotes(a.env.Stderr, js)
		return nil
	}
	for _, p := range js.Written {
		fmt.Fprintf(out, "wrote %s\n", p)
	}
	writeGenerateNotes(out, js)
	return nil
}

func writeGenerateNotes(w io.Writer, js generateJSON) {
	fmt.Fprintf(w, "variant: %s, Python %s, user %d\n", js.Variant, js.Python, js.User)
	fmt.Fprintf(w, "build:   %s\nruntime: %s\n", js.BuildImage, js.RuntimeImage)
	for _, n := range js.Notes {
		fmt.Fprintf(w, "  - %s\n", n)
	}
	for _, warn := range js.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// generateErr maps generate's errors to exit codes: the project's problems
// exit 2, the rest 3.
func generateErr(err error) error {
	for _, target := range []error{generate.ErrProject, generate.ErrNotFeasible, generate.ErrNoEntryPoint,
		generate.ErrInvalidSpec, generate.ErrExists, baseimage.ErrNoCandidate} {
		if errors.Is(err, target) {
			return inputError(err)
		}
	}
	return runtimeError(err)
}

// muslCheck is the alpine feasibility check: pyimg check's musl verdict
// (package pypi's compatible tags for the series on the default Alpine
// release, from the lock's file names and the index cache, or the index
// at indexURL). Only pure-Python and musllinux wheels pass: the alpine
// variant installs no compilers.
func (a *app) muslCheck(k *baseimage.Knowledge, now time.Time, indexURL string) generate.MuslCheck {
	return func(ctx context.Context, p *project.Project, _ string) (bool, []string, error) {
		copts := []check.Option{check.WithNow(now), check.WithKnowledge(k), check.WithGetenv(a.env.Getenv)}
		popts := []pypi.ClientOption{pypi.WithOffline(indexURL == ""), pypi.WithUserAgent("pyimg/" + a.env.Version)}
		if indexURL != "" {
			popts = append(popts, pypi.WithIndexURL(indexURL))
		}
		if index, err := pypi.NewClient(popts...); err == nil {
			copts = append(copts, check.WithIndex(index))
		}
		r, err := check.Run(ctx, p.Dir, copts...)
		if err != nil {
			return false, nil, err
		}
		v := r.Musl
		if v.Verdict == check.MuslFeasible {
			return true, nil, nil
		}
		var evidence []string
		for _, pkg := range v.Packages {
			if pkg.Status == check.StatusPure || pkg.Status == check.StatusMuslWheel {
				continue
			}
			e := fmt.Sprintf("%s %s: %s", pkg.Name, pkg.Version, pkg.Status)
			if len(pkg.Evidence) > 0 {
				e += " (" + strings.Join(pkg.Evidence, ", ") + ")"
			}
			evidence = append(evidence, e)
		}
		if len(evidence) == 0 {
			evidence = append(evidence, fmt.Sprintf("musl verdict %s: %s", v.Verdict, v.Source))
		}
		return false, evidence, nil
	}
}
