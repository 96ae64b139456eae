package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/analyze"
	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/layers"
	"github.com/pyimg/pyimg/native"
	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/report/imagereport"
)

type analyzeFlags struct {
	format           string
	platform         string
	insecure         bool
	failOn           string
	minEfficiency    float64
	maxWastedBytes   string
	maxWastedPercent string
	top              int
	concurrency      int
	limits           imageLimitFlags
}

func newAnalyzeCmd(a *app) *cobra.Command {
	var fl analyzeFlags
	cmd := &cobra.Command{
		Use:   "analyze IMAGE",
		Short: "Explain an image's bytes: layers, waste, Python packages, secrets, root",
		Long: `Analyze a built image in one streaming pass over its layers: sizes, wasted
bytes and efficiency (computed as dive computes them), the biggest files and
directories, Python interpreters and every installed distribution with its
size, build leftovers (pip caches, apt lists, compilers, headers), and
security facts (user, shells, setuid and world-writable files, secrets in
files and in the config env).

IMAGE uses skopeo's transport names:
  REGISTRY/REPO:TAG[@DIGEST] or docker://...   a registry (docker config credentials)
  oci:DIR[:REF]                                an OCI image layout directory
  oci-archive:FILE[:REF]                       a tar of an OCI layout
  docker-archive:FILE[:REF]                    a 'docker save' tar

Gates work as in dive's CI mode and exit 1 when violated.`,
		Example: `  pyimg analyze oci-archive:app.tar
  pyimg analyze --format json docker-archive:app.tar | jq .python_packages
  pyimg analyze --insecure 127.0.0.1:5000/app:1.0
  pyimg analyze --min-efficiency 0.95 --max-wasted-bytes 20MB --max-wasted-percent 10% oci:build/layout
  pyimg analyze --format html registry.example.com/app:1.0 > report.html`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runAnalyze(cmd, fl, args[0]) },
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text, json or html")
	f.StringVar(&fl.platform, "platform", "linux/amd64", "platform to pick from a multi-arch index, os/arch[/variant]")
	f.BoolVar(&fl.insecure, "insecure", false, "allow plain HTTP and unverified TLS to the registry (for loopback registries)")
	f.StringVar(&fl.failOn, "fail-on", "error", "exit 1 when a finding is at or above this severity: error, warning, info or none")
	f.Float64Var(&fl.minEfficiency, "min-efficiency", 0, "gate: fail when efficiency is below this ratio (0-1), as dive's lowestEfficiency")
	f.StringVar(&fl.maxWastedBytes, "max-wasted-bytes", "", "gate: fail when wasted bytes exceed this (e.g. 20MB, 1GiB, 5000000), as dive's highestWastedBytes")
	f.StringVar(&fl.maxWastedPercent, "max-wasted-percent", "", "gate: fail when wasted bytes over the bytes added after the first layer exceed this (e.g. 10% or 0.1), as dive's highestUserWastedPercent")
	f.IntVar(&fl.top, "top", 20, "how many biggest files, directories and packages to show")
	f.IntVar(&fl.concurrency, "concurrency", 0, "layers read in parallel (default: min(CPUs, 4))")
	fl.limits.register(f)
	return cmd
}

func (a *app) runAnalyze(cmd *cobra.Command, fl analyzeFlags, ref string) error {
	if err := checkFormat(fl.format, "text", "json", "html"); err != nil {
		return err
	}
	failOn, err := parseFailOn(fl.failOn)
	if err != nil {
		return err
	}
	gate := analyze.GateOptions{MinEfficiency: fl.minEfficiency}
	if fl.minEfficiency < 0 || fl.minEfficiency > 1 {
		return usageError(fmt.Errorf("--min-efficiency %v: want a ratio between 0 and 1", fl.minEfficiency))
	}
	if fl.maxWastedBytes != "" {
		if gate.MaxWastedBytes, err = parseBytes(fl.maxWastedBytes); err != nil {
			return usageError(fmt.Errorf("--max-wasted-bytes: %w", err))
		}
	}
	if fl.maxWastedPercent != "" {
		if gate.MaxWastedPercent, err = parseRatio(fl.maxWastedPercent); err != nil {
			return usageError(fmt.Errorf("--max-wasted-percent: %w", err))
		}
	}
	ctx := cmd.Context()
	ifl := imageFlags{platform: fl.platform, insecure: fl.insecure, concurrency: fl.concurrency, limits: fl.limits}
	img, err := a.openImage(ctx, ref, ifl)
	if err != nil {
		return err
	}
	an := analyze.New(img.Config, analyze.WithTop(fl.top))
	libs := native.New(img.Config, native.WithLabel(ref))
	if err := a.walkImage(ctx, img, ifl, an, libs); err != nil {
		return err
	}
	res, err := an.Result()
	if err != nil {
		return runtimeError(fmt.Errorf("analyzing %s: %w", ref, err))
	}
	lres, err := libs.Result()
	if err != nil {
		return runtimeError(fmt.Errorf("resolving libraries of %s: %w", ref, err))
	}
	res.Findings = append(res.Findings, analyze.NativeFindings(lres)...)
	for i := range res.Findings {
		res.Findings[i].Image = ref
	}
	violations := res.Gate(gate)
	meta := imagereport.Meta{Ref: ref, Name: img.Name, Digest: img.Digest.String(), Platform: platformName(img), Version: a.env.Version, Gates: violations, RulesURL: a.tool().RulesURI}
	out := cmd.OutOrStdout()
	switch fl.format {
	case "json":
		err = report.EncodeJSON(out, imagereport.JSON(res, meta))
	case "html":
		err = imagereport.WriteHTML(out, res, meta)
	default:
		// WriteText escapes control characters itself.
		err = imagereport.WriteText(out, res, meta, imagereport.TextOptions{Color: a.color(out), Top: fl.top})
	}
	if err != nil {
		return runtimeError(fmt.Errorf("writing report: %w", err))
	}
	if len(violations) > 0 {
		for _, v := range violations {
			fmt.Fprintf(a.env.Stderr, "gate failed: %s\n", v)
		}
		return errFindings
	}
	if report.AtOrAbove(res.Findings, failOn) {
		return errFindings
	}
	return nil
}

// imageError classifies errors from opening or reading an image: bad
// references, missing or malformed images and hostile layers are input
// errors (2); the rest (network, registry, I/O) are runtime failures (3).
func imageError(err error) error {
	for _, target := range []error{fs.ErrNotExist, image.ErrReference, image.ErrNotFound, image.ErrInvalidImage, layers.ErrLimit, layers.ErrCorrupt, layers.ErrDigestMismatch} {
		if errors.Is(err, target) {
			return inputError(err)
		}
	}
	return runtimeError(err)
}

func platformName(img *image.Image) string {
	if img.Platform == nil {
		return ""
	}
	return img.Platform.String()
}

// parseBytes parses "5000000", "20MB", "20MiB", "1.5GB", "512k".
func parseBytes(s string) (int64, error) {
	t := strings.TrimSpace(strings.ToUpper(s))
	units := []struct {
		suffix string
		mult   float64
	}{
		{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"TIB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"B", 1},
	}
	mult := 1.0
	for _, u := range units {
		if v, ok := strings.CutSuffix(t, u.suffix); ok {
			t, mult = strings.TrimSpace(v), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a size (e.g. 5000000, 20MB, 1GiB)", s)
	}
	return int64(v * mult), nil
}

// parseRatio parses "10%" as 0.1 and "0.1" as 0.1.
func parseRatio(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	v, err := strconv.ParseFloat(strings.TrimSuffix(t, "%"), 64)
	if err != nil || v < 0 {
		return 0, fmt.Errorf("%q is not a ratio (e.g. 10%% or 0.1)", s)
	}
	if pct {
		v /= 100
	}
	if v > 1 && !pct {
		return 0, fmt.Errorf("%q is above 1; write a percentage as %v%%", s, v)
	}
	return v, nil
}
