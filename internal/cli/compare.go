package cli

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/pyimg/pyimg/compare"
	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/layers"
	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/vuln/store"
)

type compareFlags struct {
	format      string
	baseline    string
	packages    bool
	platform    string
	insecure    bool
	db          string
	concurrency int
	limits      imageLimitFlags
}

func newCompareCmd(a *app) *cobra.Command {
	var fl compareFlags
	cmd := &cobra.Command{
		Use:   "compare IMAGE IMAGE...",
		Short: "Put images side by side: sizes, packages, CVEs, shells, compilers, user",
		Long: `Compare images in one pass over their layers (a layer several images share
is read once): compressed and uncompressed size, layers, OS and libc, Python,
OS and Python package counts, known vulnerabilities by severity (from the
local OSV database when there is one), shell, package manager, compilers,
curl/wget, user, wasted bytes. Facts that differ are highlighted; numbers
carry their change against the baseline (the first image, or --baseline).

IMAGE uses skopeo's transport names, as for analyze.`,
		Example: `  pyimg compare oci-archive:slim.tar oci-archive:full.tar oci-archive:distroless.tar
  pyimg compare --baseline 2 --packages app:full app:slim
  pyimg compare --format markdown app:slim app:distroless >> $GITHUB_STEP_SUMMARY
  pyimg compare --format html app:slim app:alpine app:distroless > compare.html`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runCompare(cmd, fl, args) },
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text, json, markdown or html")
	f.StringVar(&fl.baseline, "baseline", "", "image the deltas are computed against: its position (1 = first) or its reference as given (default: the first)")
	f.BoolVar(&fl.packages, "packages", false, "also list packages added, removed and changed against the baseline")
	f.StringVar(&fl.platform, "platform", "linux/amd64", "platform to pick from a multi-arch index, os/arch[/variant]")
	f.BoolVar(&fl.insecure, "insecure", false, "allow plain HTTP and unverified TLS to the registry (for loopback registries)")
	f.StringVar(&fl.db, "db", "", "OSV database (default $PYIMG_DB, else $XDG_CACHE_HOME/pyimg/osv.db); without one, CVE counts are not shown")
	f.IntVar(&fl.concurrency, "concurrency", 0, "layers read in parallel over all images (default: min(CPUs, 4))")
	fl.limits.register(f)
	return cmd
}

func (a *app) runCompare(cmd *cobra.Command, fl compareFlags, refs []string) error {
	if err := checkFormat(fl.format, "text", "json", "markdown", "html"); err != nil {
		return err
	}
	baseline, err := baselineIndex(fl.baseline, refs)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	ifl := imageFlags{platform: fl.platform, insecure: fl.insecure, concurrency: fl.concurrency, limits: fl.limits}

	// Open every image (manifests and configs only) in parallel.
	imgs := make([]*image.Image, len(refs))
	g, gctx := errgroup.WithContext(ctx)
	for i, ref := range refs {
		g.Go(func() error {
			img, err := a.openImage(gctx, ref, ifl)
			imgs[i] = img
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}

	opts := []compare.Option{compare.WithBaseline(baseline), compare.WithPackageDiff(fl.packages)}
	path, err := a.dbPath(fl.db)
	if err != nil {
		return err
	}
	db, err := store.Open(path)
	switch {
	case err == nil:
		defer db.Close()
		opts = append(opts, compare.WithVulnerabilities(db))
	case errors.Is(err, store.ErrNoDatabase) && fl.db == "":
		fmt.Fprintf(a.env.Stderr, "no vulnerability database at %s: CVE counts not shown (run 'pyimg db update')\n", path)
	default:
		return inputError(err)
	}
	walkOpts, err := fl.limits.walkOptions()
	if err != nil {
		return err
	}
	if fl.concurrency > 0 {
		walkOpts = append(walkOpts, layers.WithConcurrency(fl.concurrency))
	}
	bar := a.newProgress(fmt.Sprintf("%d images", len(refs)))
	if bar != nil {
		walkOpts = append(walkOpts, layers.WithProgress(bar.update))
	}
	opts = append(opts, compare.WithWalkOptions(walkOpts...))
	inputs := make([]compare.Input, len(refs))
	for i, img := range imgs {
		inputs[i] = compare.Input{Reference: refs[i], Image: img.Image, Config: img.Config, Digest: img.Digest.String()}
	}
	res, err := compare.Run(ctx, inputs, opts...)
	if bar != nil {
		bar.finish(err == nil)
	}
	if err != nil {
		return imageError(err)
	}
	out := a.output(cmd.OutOrStdout(), fl.format == "text")
	defer report.Flush(out)
	switch fl.format {
	case "json":
		err = report.EncodeJSON(out, res)
	case "markdown":
		err = compare.WriteMarkdown(out, res)
	case "html":
		err = compare.WriteHTML(out, res, compare.HTMLMeta{Version: a.env.Version})
	default:
		err = compare.WriteText(out, res, compare.TextOptions{Color: a.color(cmd.OutOrStdout())})
	}
	if err != nil {
		return runtimeError(fmt.Errorf("writing report: %w", err))
	}
	return nil
}

// baselineIndex reads --baseline: a 1-based position or one of the refs.
func baselineIndex(s string, refs []string) (int, error) {
	if s == "" {
		return 0, nil
	}
	for i, r := range refs {
		if r == s {
			return i, nil
		}
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= len(refs) {
		return n - 1, nil
	}
	return 0, usageError(fmt.Errorf("--baseline %q: neither one of the images compared nor a position from 1 to %d", s, len(refs)))
}
