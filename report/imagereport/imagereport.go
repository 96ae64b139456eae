// Package imagereport renders an image analysis for people (text and a
// self-contained HTML page) and for machines (JSON with the image's identity).
package imagereport

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/pyimg/pyimg/analyze"
	"github.com/pyimg/pyimg/report"
)

// Meta identifies the analyzed image and the run.
type Meta struct {
	Ref      string `json:"ref"`
	Name     string `json:"name,omitempty"`
	Digest   string `json:"digest,omitempty"`
	Platform string `json:"platform,omitempty"`
	// Version is pyimg's version.
	Version string `json:"-"`
	// Gates are the violated CI gates (dive semantics), empty when all pass.
	Gates []string `json:"-"`
	// RulesURL is the page documenting the rules; findings link to
	// RulesURL#<lower-case rule id>. Empty: no links.
	RulesURL string `json:"-"`
}

// Document is the JSON output of `pyimg analyze`: the image identity, every
// field of analyze.Result at the top level, and the gate failures.
type Document struct {
	Image Meta `json:"image"`
	*analyze.Result
	GateFailures []string `json:"gate_failures"`
}

// JSON returns the JSON document for res.
func JSON(res *analyze.Result, m Meta) Document {
	g := m.Gates
	if g == nil {
		g = []string{}
	}
	return Document{Image: m, Result: res, GateFailures: g}
}

// TextOptions controls the text rendering.
type TextOptions struct {
	Color bool
	// Top limits the rows of each table (0 means 10).
	Top int
}

// HumanBytes formats n as "1.2 MB" (SI units, as dive prints sizes).
func HumanBytes(n int64) string {
	const unit = 1000
	if n < unit && n > -unit {
		return fmt.Sprintf("%d B", n)
	}
	f := float64(n)
	for _, u := range []string{"kB", "MB", "GB", "TB"} {
		f /= unit
		if f < unit && f > -unit {
			return fmt.Sprintf("%.1f %s", f, u)
		}
	}
	return fmt.Sprintf("%.1f PB", f/unit)
}

func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

func shortDigest(d string) string {
	if _, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return hex[:12]
	}
	return d
}

// WriteText renders the analysis for a terminal: identity and totals, layers,
// Python packages, biggest files, leftovers, security facts, findings and
// gate results.
func WriteText(out io.Writer, res *analyze.Result, m Meta, o TextOptions) error {
	// The report quotes file names, users and history from the image:
	// escape their control characters; only our styles reach the terminal.
	w := report.NewSafeWriter(out, o.Color)
	defer report.Flush(w)
	top := o.Top
	if top <= 0 {
		top = 10
	}
	bold := func(s string) string {
		if o.Color {
			return report.StyleMark + "[1m" + s + report.StyleMark + "[0m"
		}
		return s
	}
	var b strings.Builder
	tw := func() *tabwriter.Writer { return tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0) }

	fmt.Fprintf(&b, "%s %s\n", bold("Image"), m.Ref)
	if m.Digest != "" {
		fmt.Fprintf(&b, "  digest    %s\n", m.Digest)
	}
	if m.Platform != "" {
		fmt.Fprintf(&b, "  platform  %s\n", m.Platform)
	}
	user := res.User
	if user == "" {
		user = "(unset: root)"
	}
	fmt.Fprintf(&b, "  user      %s\n\n", user)

	fmt.Fprintf(&b, "%s\n", bold("Totals"))
	t := tw()
	fmt.Fprintf(t, "  size (all layers)\t%s\t(%d bytes)\n", HumanBytes(res.SizeBytes), res.SizeBytes)
	fmt.Fprintf(t, "  final filesystem\t%s\t%d files\n", HumanBytes(res.FinalBytes), res.Files)
	fmt.Fprintf(t, "  compressed\t%s\t%d layers\n", HumanBytes(res.CompressedBytes), len(res.Layers))
	fmt.Fprintf(t, "  wasted\t%s\t%.1f%% of the bytes added after the base layer\n", HumanBytes(res.WastedBytes), 100*res.WastedUserPercent)
	fmt.Fprintf(t, "  efficiency\t%.2f%%\t\n", 100*res.Efficiency)
	t.Flush()

	fmt.Fprintf(&b, "\n%s\n", bold("Layers"))
	t = tw()
	fmt.Fprintf(t, "  #\tsize\tcompressed\tfiles\tdigest\tcreated by\n")
	for _, l := range res.Layers {
		fmt.Fprintf(t, "  %d\t%s\t%s\t%d\t%s\t%s\n", l.Index, HumanBytes(l.SizeBytes), HumanBytes(l.CompressedBytes), l.Files, shortDigest(l.Digest), shorten(l.CreatedBy, 70))
	}
	t.Flush()

	if len(res.Interpreters) > 0 || len(res.PythonPackages) > 0 {
		fmt.Fprintf(&b, "\n%s\n", bold("Python"))
		for _, in := range res.Interpreters {
			v := in.Version
			if v == "" {
				v = "unknown version"
			}
			extra := ""
			if in.Venv != "" {
				extra = " (venv " + in.Venv + ")"
			}
			fmt.Fprintf(&b, "  interpreter %s %s%s\n", in.Path, v, extra)
		}
		pkgs := append([]analyze.PythonPackage(nil), res.PythonPackages...)
		sortPackages(pkgs)
		if len(pkgs) > 0 {
			var total int64
			for _, p := range pkgs {
				total += p.SizeBytes
			}
			fmt.Fprintf(&b, "  %d distributions, %s\n", len(pkgs), HumanBytes(total))
			t = tw()
			fmt.Fprintf(t, "  package\tversion\tsize\tlayer\tlocation\n")
			for i, p := range pkgs {
				if i == top {
					fmt.Fprintf(t, "  … %d more\t\t\t\t\n", len(pkgs)-top)
					break
				}
				fmt.Fprintf(t, "  %s\t%s\t%s\t%d\t%s\n", p.Name, p.Version, HumanBytes(p.SizeBytes), p.Layer, p.Location)
			}
			t.Flush()
		}
	}

	if len(res.BiggestFiles) > 0 {
		fmt.Fprintf(&b, "\n%s\n", bold("Biggest files"))
		t = tw()
		for i, f := range res.BiggestFiles {
			if i == top {
				break
			}
			fmt.Fprintf(t, "  %s\t%s\n", HumanBytes(f.SizeBytes), f.Path)
		}
		t.Flush()
	}
	if len(res.WastedFiles) > 0 {
		fmt.Fprintf(&b, "\n%s\n", bold("Wasted (paths in more than one layer)"))
		t = tw()
		for i, f := range res.WastedFiles {
			if i == top {
				fmt.Fprintf(t, "  … %d more\t\t\n", len(res.WastedFiles)-top)
				break
			}
			fmt.Fprintf(t, "  %s\t×%d\t%s\n", HumanBytes(f.SizeBytes), f.Count, f.Path)
		}
		t.Flush()
	}
	if len(res.Leftovers) > 0 {
		fmt.Fprintf(&b, "\n%s\n", bold("Build leftovers"))
		t = tw()
		for _, l := range res.Leftovers {
			fmt.Fprintf(t, "  %s\t%s\t%d files\tlayer %d\t%s\n", l.Kind, HumanBytes(l.SizeBytes), l.Files, l.Layer, l.Path)
		}
		t.Flush()
	}

	sec := res.Security
	fmt.Fprintf(&b, "\n%s\n", bold("Security"))
	fmt.Fprintf(&b, "  runs as root      %v\n", sec.RunsAsRoot)
	fmt.Fprintf(&b, "  shells            %s\n", listOrNone(sec.Shells))
	fmt.Fprintf(&b, "  package managers  %s\n", listOrNone(sec.PackageManagers))
	fmt.Fprintf(&b, "  setuid/setgid     %d files\n", len(sec.Setuid))
	fmt.Fprintf(&b, "  world-writable    %d paths\n", len(sec.WorldWritable))
	fmt.Fprintf(&b, "  secrets           %d\n\n", len(sec.Secrets))

	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	fs := make([]report.Finding, len(res.Findings))
	copy(fs, res.Findings)
	for i := range fs {
		fs[i].Image = ""
	}
	if err := report.Flush(w); err != nil {
		return err
	}
	if err := report.WriteText(out, fs, report.TextOptions{Color: o.Color}); err != nil {
		return err
	}
	for _, g := range m.Gates {
		if _, err := fmt.Fprintf(w, "gate failed: %s\n", g); err != nil {
			return err
		}
	}
	return nil
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}
