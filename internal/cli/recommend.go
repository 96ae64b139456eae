package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/baseimage/registry"
	"github.com/pyimg/pyimg/pin"
	"github.com/pyimg/pyimg/project"
	"github.com/pyimg/pyimg/report"
)

type recommendFlags struct {
	registryFlags
	stage   string
	libc    string
	repo    string
	offline bool
	format  string
	now     string
}

func newRecommendCmd(a *app) *cobra.Command {
	var fl recommendFlags
	cmd := &cobra.Command{
		Use:   "recommend [DIR]",
		Short: "Recommend build and runtime python base images for a project, with reasons",
		Long: `Recommend the python base images to build and run a project on, from what the
project says (requires-python in pyproject.toml, Poetry or setup.cfg;
.python-version; the Dockerfiles present), the stage, the C library and the
organisation's policy in pyproject.toml:

  [tool.pyimg.base]
  allowed-registries = ["docker.io", "registry.example.com/mirror"]
  min-support-days = 365      # Python series and OS must have a year of support left
  preferred-os = "bookworm"
  repo = "registry.example.com/mirror/python"

Stages: dev (newest series, full image), ci (build on full, test on slim),
prod (a series out for 6 months, slim for both), ai (a series out for a year,
glibc, build on full, run on slim).

The recommendation never names an end-of-life series or OS, nor a tag the
registry lacks. When the registry is unreachable (or with --offline) the tags
follow pyimg's embedded data and the output says digests were not resolved.
Unsatisfiable constraints exit 2.`,
		Example: `  pyimg recommend
  pyimg recommend --stage ai services/trainer
  pyimg recommend --libc musl --format json | jq -r .runtime.image
  pyimg recommend --insecure --repo 127.0.0.1:5000/library/python`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			return a.runRecommend(cmd, fl, dir)
		},
	}
	fl.registryFlags.register(cmd)
	f := cmd.Flags()
	f.StringVar(&fl.stage, "stage", baseimage.StageProd, "what the image is for: dev, ci, prod or ai")
	f.StringVar(&fl.libc, "libc", baseimage.LibcAny, "C library: glibc, musl or any (any picks glibc)")
	f.StringVar(&fl.repo, "repo", "", "python image repository to recommend from (default: policy repo, else "+baseimage.DefaultRepo+")")
	f.BoolVar(&fl.offline, "offline", false, "do not contact the registry; tags follow the embedded data, digests are not resolved")
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text or json")
	f.StringVar(&fl.now, "now", "", "date for support windows, YYYY-MM-DD or RFC 3339 (default: now)")
	return cmd
}

type imageJSON struct {
	Image   string `json:"image"`
	Repo    string `json:"repo"`
	Tag     string `json:"tag"`
	Digest  string `json:"digest,omitempty"`
	Variant string `json:"variant"`
}

type currentJSON struct {
	File   string      `json:"file"`
	Line   int         `json:"line"`
	Image  string      `json:"image"`
	Python *statusJSON `json:"python_status,omitempty"`
}

type recommendJSON struct {
	Dir     string `json:"dir"`
	Stage   string `json:"stage"`
	Libc    string `json:"libc"`
	Project struct {
		Name               string   `json:"name,omitempty"`
		RequiresPython     string   `json:"requires_python,omitempty"`
		RequiresPythonFrom string   `json:"requires_python_from,omitempty"`
		PythonVersion      string   `json:"python_version,omitempty"`
		Dockerfiles        []string `json:"dockerfiles"`
	} `json:"project"`
	Python struct {
		Series  string      `json:"series"`
		Version string      `json:"version"`
		Status  *statusJSON `json:"status"`
	} `json:"python"`
	OS struct {
		Distro   string      `json:"distro"`
		Version  string      `json:"version"`
		Codename string      `json:"codename,omitempty"`
		Tag      string      `json:"tag"`
		Libc     string      `json:"libc"`
		LibcVer  string      `json:"libc_version,omitempty"`
		Status   *statusJSON `json:"status"`
	} `json:"os"`
	Build           imageJSON     `json:"build"`
	Runtime         imageJSON     `json:"runtime"`
	DigestsResolved bool          `json:"digests_resolved"`
	Registry        registryJSON  `json:"registry"`
	Current         []currentJSON `json:"current"`
	Reasons         []string      `json:"reasons"`
	Warnings        []string      `json:"warnings"`
}

type registryJSON struct {
	Repo      string `json:"repo"`
	Consulted bool   `json:"consulted"`
	Error     string `json:"error,omitempty"`
}

func (a *app) runRecommend(cmd *cobra.Command, fl recommendFlags, dir string) error {
	if err := checkFormat(fl.format, "text", "json"); err != nil {
		return err
	}
	switch fl.stage {
	case baseimage.StageDev, baseimage.StageCI, baseimage.StageProd, baseimage.StageAI:
	default:
		return usageError(fmt.Errorf("--stage %q: want dev, ci, prod or ai", fl.stage))
	}
	switch fl.libc {
	case baseimage.LibcGlibc, baseimage.LibcMusl, baseimage.LibcAny:
	default:
		return usageError(fmt.Errorf("--libc %q: want glibc, musl or any", fl.libc))
	}
	now, err := a.parseNow(fl.now)
	if err != nil {
		return err
	}
	proj, err := project.Detect(dir)
	if err != nil {
		return inputError(fmt.Errorf("reading project %s: %w", dir, err))
	}
	if proj.Base.MinSupportDays < 0 {
		return inputError(fmt.Errorf("[tool.pyimg.base] min-support-days = %d: want a number of days ≥ 0", proj.Base.MinSupportDays))
	}
	policy := baseimage.Policy{
		AllowedRegistries: proj.Base.AllowedRegistries,
		MinSupport:        baseimage.SupportDays(proj.Base.MinSupportDays),
		PreferredOS:       proj.Base.PreferredOS,
	}
	repo := fl.repo
	if repo == "" {
		repo = proj.Base.Repo
	}
	if repo == "" {
		repo = baseimage.DefaultRepo
	}
	if !policy.AllowsRepo(repo) {
		return inputError(fmt.Errorf("policy ([tool.pyimg.base] allowed-registries) allows only %s, not %s; point --repo at an allowed copy", strings.Join(policy.AllowedRegistries, ", "), repo))
	}
	k := a.knowledge()
	stale := a.warnStaleData(k, now)
	in := baseimage.RecommendInput{
		Stage: fl.stage, Libc: fl.libc, Policy: policy, Repo: repo, Now: now,
		RequiresPython: proj.RequiresPython,
	}
	if !proj.Requires.Empty() {
		in.Allows = proj.Requires.AllowsSeries
	}
	warnings := stale
	if proj.PythonVersion != "" {
		if s := proj.PythonVersionSeries(); s != "" {
			in.Series = s
			if in.Allows != nil && !in.Allows(s) {
				warnings = append(warnings, fmt.Sprintf(".python-version names %s, which requires-python %s excludes", s, proj.RequiresPython))
			}
		} else {
			warnings = append(warnings, fmt.Sprintf(".python-version %q names no CPython series; ignored", proj.PythonVersion))
		}
	}
	regInfo := registryJSON{Repo: repo}
	var reg *registry.Client
	if !fl.offline {
		reg = a.registry(fl.registryFlags)
		tags, err := reg.Tags(cmd.Context(), repo)
		if err != nil {
			regInfo.Error = err.Error()
			warnings = append(warnings, fmt.Sprintf("registry unreachable (%v): tags follow pyimg's data and digests were not resolved", err))
			reg = nil
		} else {
			in.Tags = tags
			regInfo.Consulted = true
		}
	}
	rec, err := k.Recommend(in)
	if err != nil {
		return inputError(err)
	}
	resolved := false
	if reg != nil {
		resolved = true
		for _, c := range []*baseimage.ImageChoice{&rec.Build, &rec.Runtime} {
			r, err := reg.Resolve(cmd.Context(), repo, c.Tag)
			if err != nil {
				warnings = append(warnings, fmt.Sprintf("resolving %s: %v; digest not resolved", c.Tag, err))
				resolved = false
				continue
			}
			c.Digest = r.Digest
		}
	} else {
		warnings = append(warnings, "digests were not resolved (registry not consulted)")
	}
	js := recommendJSON{Dir: dir, Stage: rec.Stage, Libc: rec.Libc, Build: choiceJSON(rec.Build), Runtime: choiceJSON(rec.Runtime), DigestsResolved: resolved, Registry: regInfo, Reasons: rec.Reasons}
	js.Project.Name, js.Project.RequiresPython, js.Project.RequiresPythonFrom = proj.Name, proj.RequiresPython, proj.RequiresPythonFrom
	js.Project.PythonVersion, js.Project.Dockerfiles = proj.PythonVersion, nonNil(proj.Dockerfiles)
	js.Python.Series, js.Python.Version, js.Python.Status = rec.Series.Version, versionOf(rec.Build.Tag), newStatusJSON(rec.Python, true)
	js.OS.Distro, js.OS.Version, js.OS.Codename, js.OS.Tag = rec.OS.Distro, rec.OS.Version, rec.OS.Codename, rec.OSTag
	js.OS.Libc, js.OS.LibcVer, js.OS.Status = rec.OS.Libc, rec.OS.LibcVersion, newStatusJSON(rec.OSState, true)
	js.Current = a.currentImages(k, proj, now, &js.Reasons)
	js.Warnings = nonNil(warnings)
	out := a.output(cmd.OutOrStdout(), fl.format != "json")
	defer report.Flush(out)
	if fl.format == "json" {
		if err := report.EncodeJSON(out, js); err != nil {
			return runtimeError(fmt.Errorf("writing report: %w", err))
		}
		return nil
	}
	writeRecommendation(out, js)
	for _, w := range warnings[len(stale):] { // the stale-data warnings are printed already
		fmt.Fprintf(a.env.Stderr, "warning: %s\n", w)
	}
	return nil
}

func choiceJSON(c baseimage.ImageChoice) imageJSON {
	return imageJSON{Image: c.Ref(), Repo: c.Repo, Tag: c.Tag, Digest: c.Digest, Variant: variantName(c.Variant)}
}

// versionOf returns the version part of a tag ("3.13.1" of "3.13.1-slim-trixie").
func versionOf(tag string) string {
	v, _, _ := strings.Cut(tag, "-")
	return v
}

// currentImages lists the python images the project's Dockerfiles use now,
// adding a reason for each that is at or near end of life.
func (a *app) currentImages(k *baseimage.Knowledge, proj *project.Project, now time.Time, reasons *[]string) []currentJSON {
	out := []currentJSON{}
	for _, name := range proj.Dockerfiles {
		p := filepath.Join(proj.Dir, name)
		src, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		refs, err := pin.Find(p, src)
		if err != nil {
			a.log.Debug("skipping unparsable Dockerfile", "file", p, "err", err)
			continue
		}
		for _, r := range refs {
			c := currentJSON{File: name, Line: r.Line, Image: r.Image}
			if t, err := baseimage.ParseTag(r.Tag); err == nil && t.Series() != "" {
				if s, ok := k.Python(t.Series()); ok {
					st := s.StatusAt(now)
					c.Python = newStatusJSON(st, true)
					if !st.Supported() || st.Support == baseimage.EOLSoon {
						*reasons = append(*reasons, fmt.Sprintf("%s:%d uses %s: Python %s is %s", name, r.Line, r.Image, t.Series(), st))
					}
				}
			}
			out = append(out, c)
		}
	}
	return out
}

func writeRecommendation(w io.Writer, js recommendJSON) {
	fmt.Fprintf(w, "build:   %s\n", js.Build.Image)
	fmt.Fprintf(w, "runtime: %s\n", js.Runtime.Image)
	osName := "Alpine " + js.OS.Version
	if js.OS.Distro == "debian" {
		osName = fmt.Sprintf("Debian %s (%s)", js.OS.Version, js.OS.Codename)
	}
	fmt.Fprintf(w, "python:  %s (%s, security fixes until %s)\n", js.Python.Version, js.Python.Status.Phase, js.Python.Status.EOL)
	fmt.Fprintf(w, "os:      %s, %s %s\n", osName, js.OS.Libc, js.OS.LibcVer)
	if !js.DigestsResolved {
		fmt.Fprintln(w, "digests: not resolved")
	}
	fmt.Fprintln(w, "\nreasons:")
	for _, r := range js.Reasons {
		fmt.Fprintf(w, "  - %s\n", r)
	}
}

// staleAfter is the age at which the embedded lifecycle data earns a warning.
const staleAfter = 90 * 24 * time.Hour

// warnStaleData warns on stderr when the lifecycle data is older than
// staleAfter at now, and for each release scheduled between the data's date
// and now. It returns the release warnings for JSON reports.
func (a *app) warnStaleData(k *baseimage.Knowledge, now time.Time) []string {
	if age := now.Sub(k.AsOf); age > staleAfter {
		fmt.Fprintf(a.env.Stderr, "warning: pyimg's lifecycle data is from %s (%d days before %s); newer releases and end-of-life dates may be missing (run 'pyimg data update')\n",
			k.AsOf.Format(time.DateOnly), int(age/(24*time.Hour)), now.Format(time.DateOnly))
	}
	var out []string
	for _, s := range k.StaleReleases(now) {
		fmt.Fprintf(a.env.Stderr, "warning: %s\n", s)
		out = append(out, s.String())
	}
	return out
}
