package cli

import (
	"errors"
	"fmt"
	"github.com/pyimg/pyimg/internal/httptimeout"
	"github.com/pyimg/pyimg/internal/safefile"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/baseimage/registry"
	"github.com/pyimg/pyimg/pin"
	"github.com/pyimg/pyimg/report"
)

// registryFlags are the flags every registry-facing command shares.
type registryFlags struct {
	insecure bool
	mirror   string
	cacheTTL time.Duration
	timeout  time.Duration
}

func (fl *registryFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&fl.insecure, "insecure", false, "allow plain HTTP to the registry (loopback registries use HTTP anyway)")
	f.StringVar(&fl.mirror, "registry-mirror", "", "send Docker Hub requests to this mirror host (references written keep naming Docker Hub)")
	f.DurationVar(&fl.timeout, "timeout", httptimeout.Default, "registry deadline for each phase of a request: connecting, waiting for response headers, waiting for more body bytes")
	f.DurationVar(&fl.cacheTTL, "cache-ttl", time.Hour, "how long cached tag lists and digests stay fresh under $XDG_CACHE_HOME/pyimg (0 disables)")
}

// registry builds the registry client for fl: docker config credentials,
// a disk cache measured by the wall clock (not --now).
func (a *app) registry(fl registryFlags) *registry.Client {
	opts := []registry.Option{
		registry.WithInsecure(fl.insecure),
		registry.WithUserAgent("pyimg/" + a.env.Version),
		registry.WithTimeout(fl.timeout),
	}
	if fl.mirror != "" {
		opts = append(opts, registry.WithMirror(fl.mirror))
	}
	if dir := registry.DefaultCacheDir(a.env.Getenv); dir != "" && fl.cacheTTL > 0 {
		opts = append(opts, registry.WithCache(registry.NewCache(dir, fl.cacheTTL, a.env.Now)))
	}
	return registry.New(opts...)
}

// registryErr maps registry failures to exit 3 and the rest to exit 2.
func registryErr(err error) error {
	if errors.Is(err, registry.ErrRegistry) {
		return runtimeError(err)
	}
	return inputError(err)
}

type pinFlags struct {
	registryFlags
	repo          string
	update        bool
	allowOSChange bool
	minAge        string
	check         bool
	dryRun        bool
	platform      string
	format        string
	now           string
}

func newPinCmd(a *app) *cobra.Command {
	var fl pinFlags
	cmd := &cobra.Command{
		Use:   "pin [DOCKERFILE...]",
		Short: "Pin FROM images to an exact tag and digest, and keep them current",
		Long: `Rewrite every FROM image (and the global ARG defaults a FROM uses) to
REPO:EXACT_TAG@sha256:DIGEST. A python tag keeps its variant and OS:
python:3.12-slim becomes the exact tag with the same digest, such as
python:3.12.6-slim-trixie@sha256:…. Other images keep their tag and gain the
digest. Every other byte of the file is preserved; the file is replaced
atomically, and only after every reference was resolved: on any error it is
left byte-identical.

Already pinned references are left alone unless --update is given, which
moves each python tag to the newest patch of the same series, variant and OS
(never -slim to full, Debian to Alpine, or bookworm to trixie unless
--allow-os-change) and refreshes the digest. --min-age skips patches whose
image was created more recently than the window (read from the image config).

--check changes nothing and exits 1 when a reference is unpinned or out of
date (a newer eligible patch or a moved digest), listing them.

DOCKERFILE is a file or a directory holding a Dockerfile (default:
./Dockerfile). Registry failures exit 3.`,
		Example: `  pyimg pin
  pyimg pin --dry-run services/*/Dockerfile
  pyimg pin --update --min-age 30d Dockerfile
  pyimg pin --check Dockerfile                      # in CI
  pyimg pin --repo registry.example.com/mirror/python Dockerfile`,
		RunE: func(cmd *cobra.Command, args []string) error { return a.runPin(cmd, fl, args) },
	}
	fl.registryFlags.register(cmd)
	f := cmd.Flags()
	f.StringVar(&fl.repo, "repo", "", "resolve official python images in this repository (a mirror or private copy) and write it into FROM")
	f.BoolVar(&fl.update, "update", false, "move to the newest patch of the same series, variant and OS, and refresh digests")
	f.BoolVar(&fl.allowOSChange, "allow-os-change", false, "with --update, allow moving to a newer OS release of the same variant")
	f.StringVar(&fl.minAge, "min-age", "", "with --update or --check, skip patches whose image is younger than this (e.g. 30d, 2w, 72h)")
	f.BoolVar(&fl.check, "check", false, "change nothing; exit 1 when anything is unpinned or out of date")
	f.BoolVar(&fl.dryRun, "dry-run", false, "print a unified diff instead of writing")
	f.StringVar(&fl.platform, "platform", "", "pin this platform's image digest (os/arch[/variant]) instead of the multi-platform index")
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text or json")
	f.StringVar(&fl.now, "now", "", "date --min-age is measured from, YYYY-MM-DD or RFC 3339 (default: now)")
	return cmd
}

// pinItem is the outcome for one FROM, as printed and encoded.
type pinItem struct {
	File   string   `json:"file"`
	Line   int      `json:"line"`
	Stage  string   `json:"stage,omitempty"`
	Image  string   `json:"image"`
	Status string   `json:"status"` // pinned, updated, ok, skipped, unpinned, outdated
	New    string   `json:"new,omitempty"`
	Notes  []string `json:"notes,omitempty"`
}

// pinFile is one Dockerfile being pinned.
type pinFile struct {
	path    string
	src     []byte
	refs    []pin.Ref
	changes []pin.Change
	out     []byte
}

func (a *app) runPin(cmd *cobra.Command, fl pinFlags, args []string) error {
	if err := checkFormat(fl.format, "text", "json"); err != nil {
		return err
	}
	now, err := a.parseNow(fl.now)
	if err != nil {
		return err
	}
	var minAge time.Duration
	if fl.minAge != "" {
		if minAge, err = baseimage.ParseAge(fl.minAge); err != nil {
			return usageError(fmt.Errorf("--min-age: %w", err))
		}
		if !fl.update && !fl.check {
			return usageError(errors.New("--min-age needs --update or --check"))
		}
	}
	if fl.allowOSChange && !fl.update && !fl.check {
		return usageError(errors.New("--allow-os-change needs --update or --check"))
	}
	if fl.check && fl.dryRun {
		return usageError(errors.New("--check and --dry-run cannot be combined"))
	}
	if fl.platform != "" {
		if strings.Count(fl.platform, "/") < 1 {
			return usageError(fmt.Errorf("--platform %q: want os/arch[/variant]", fl.platform))
		}
	}
	if fl.repo != "" {
		if _, err := name.NewRepository(fl.repo); err != nil {
			return usageError(fmt.Errorf("--repo: %w", err))
		}
	}
	if len(args) == 0 {
		args = []string{"Dockerfile"}
	}
	var files []*pinFile
	seen := map[string]bool{}
	for _, p := range args {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			p = filepath.Join(p, "Dockerfile")
		}
		// The same file named twice is pinned once.
		id := p
		if real, err := filepath.EvalSymlinks(p); err == nil {
			if abs, err := filepath.Abs(real); err == nil {
				id = abs
			}
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		src, err := safefile.Read(p, maxUserFile)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, safefile.ErrNotRegular) || errors.Is(err, safefile.ErrTooLarge) {
				return inputError(err)
			}
			return runtimeError(err)
		}
		refs, err := pin.Find(p, src)
		if err != nil {
			return inputError(err)
		}
		files = append(files, &pinFile{path: p, src: src, refs: refs})
	}

	reg := a.registry(fl.registryFlags)
	ctx := cmd.Context()
	type key struct{ repo, tag string }
	results := map[key]registry.PinResult{}
	var items []pinItem
	problems := 0
	for _, f := range files {
		for _, r := range f.refs {
			it := pinItem{File: f.path, Line: r.Line, Stage: r.StageName, Image: r.Image}
			repo, python, target := a.pinRepo(r, fl.repo)
			switch {
			case r.Skip != "":
				it.Image = r.Written
				it.Status, it.Notes = "skipped", []string{r.Skip}
				if r.Digest == "" {
					problems++
					if fl.check {
						it.Status = "unpinned"
					}
				}
				items = append(items, it)
				continue
			case r.Tag == "" && r.Digest != "":
				it.Status, it.Notes = "ok", []string{"pinned by digest without a tag; left alone"}
				items = append(items, it)
				continue
			case r.Digest != "" && !fl.update && !fl.check:
				it.Status = "ok"
				items = append(items, it)
				continue
			}
			tag := r.Tag
			if tag == "" {
				tag = "latest"
			}
			k := key{repo, tag}
			res, ok := results[k]
			if !ok {
				req := registry.PinRequest{
					Repo: repo, Tag: tag, Now: now, Platform: fl.platform,
					Update:        (fl.update || fl.check) && python,
					AllowOSChange: fl.allowOSChange, MinAge: minAge,
					DigestOnly: !python,
				}
				a.log.Debug("resolving", "repo", repo, "tag", tag)
				if res, err = registry.Pin(ctx, reg, req); err != nil {
					return registryErr(fmt.Errorf("%s:%d: %w", f.path, r.Line, err))
				}
				results[k] = res
			}
			t := pin.Target{Tag: res.Tag, Digest: res.Digest}
			if target != "" {
				t.Repo = target
			}
			newImage := t.Image(r.Repo)
			it.Notes = res.Notes
			switch {
			case newImage == r.Image:
				it.Status = "ok"
			case r.Digest != "" && r.Digest == res.Digest && (target == "" || target == r.Repo):
				// Pinned to the right image, if under a shared tag: leave it.
				it.Status = "ok"
			case fl.check && r.Digest == "":
				it.Status, it.New = "unpinned", newImage
				problems++
			case fl.check:
				it.Status, it.New = "outdated", newImage
				problems++
			case r.Digest == "":
				it.Status, it.New = "pinned", newImage
			default:
				it.Status, it.New = "updated", newImage
			}
			if it.New != "" && !fl.check {
				f.changes = append(f.changes, pin.Change{Ref: r, Target: t})
			}
			items = append(items, it)
		}
	}
	if !fl.check {
		for _, f := range files {
			if len(f.changes) == 0 {
				continue
			}
			if f.out, err = pin.Apply(f.src, f.refs, f.changes); err != nil {
				return inputError(fmt.Errorf("%s: %w", f.path, err))
			}
		}
	}
	out := a.output(cmd.OutOrStdout(), fl.format != "json")
	defer report.Flush(out)
	if fl.dryRun {
		diffs := map[string]string{}
		for _, f := range files {
			if f.out != nil {
				diffs[f.path] = pin.Diff(filepath.ToSlash(f.path), f.src, f.out)
			}
		}
		if fl.format == "json" {
			if err := report.EncodeJSON(out, struct {
				DryRun bool              `json:"dry_run"`
				Items  []pinItem         `json:"items"`
				Diffs  map[string]string `json:"diffs"`
			}{true, nonNil(items), diffs}); err != nil {
				return runtimeError(fmt.Errorf("writing report: %w", err))
			}
			return nil
		}
		for _, f := range files {
			fmt.Fprint(out, diffs[f.path])
		}
		a.printPinItems(a.env.Stderr, items, fl)
		return nil
	}
	if !fl.check {
		for _, f := range files {
			if f.out == nil {
				continue
			}
			if err := pin.WriteFile(f.path, f.out); err != nil {
				return runtimeError(err)
			}
		}
	}
	if fl.format == "json" {
		if err := report.EncodeJSON(out, struct {
			Check bool      `json:"check"`
			Items []pinItem `json:"items"`
		}{fl.check, nonNil(items)}); err != nil {
			return runtimeError(fmt.Errorf("writing report: %w", err))
		}
	} else {
		a.printPinItems(out, items, fl)
	}
	if fl.check && problems > 0 {
		return errFindings
	}
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (a *app) printPinItems(w io.Writer, items []pinItem, fl pinFlags) {
	if len(items) == 0 {
		fmt.Fprintln(w, "no FROM images found")
		return
	}
	for _, it := range items {
		loc := fmt.Sprintf("%s:%d", it.File, it.Line)
		switch it.Status {
		case "ok":
			fmt.Fprintf(w, "%s: %s: up to date\n", loc, it.Image)
		case "skipped":
			fmt.Fprintf(w, "%s: %s: skipped\n", loc, it.Image)
		case "unpinned", "outdated":
			if it.New != "" {
				fmt.Fprintf(w, "%s: %s: %s, want %s\n", loc, it.Image, it.Status, it.New)
			} else {
				fmt.Fprintf(w, "%s: %s: %s\n", loc, it.Image, it.Status)
			}
		default:
			verb := it.Status
			if fl.dryRun {
				verb = "would be " + verb
			}
			fmt.Fprintf(w, "%s: %s: %s as %s\n", loc, it.Image, verb, it.New)
		}
		for _, n := range it.Notes {
			fmt.Fprintf(w, "  note: %s\n", n)
		}
	}
}

// pinRepo returns where to resolve r, whether it is a python image (tags
// follow the official grammar), and the repository to write ("" keeps the
// one written).
func (a *app) pinRepo(r pin.Ref, repoFlag string) (repo string, python bool, target string) {
	official := baseimage.IsOfficialPython(r.Repo)
	switch {
	case repoFlag != "" && official:
		return repoFlag, true, repoFlag
	case official:
		return baseimage.DefaultRepo, true, ""
	}
	repo = r.Repo
	if rp, err := name.NewRepository(r.Repo); err == nil {
		repo = rp.Name()
		if repoFlag != "" {
			if rf, err := name.NewRepository(repoFlag); err == nil && rf.Name() == rp.Name() {
				return repo, true, ""
			}
		}
	}
	return repo, path.Base(r.Repo) == "python", ""
}
