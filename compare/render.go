package compare

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/report/imagereport"
)

// TextOptions shape the text table.
type TextOptions struct {
	// Color marks the facts that differ between images in bold yellow
	// (report.StyleMark sequences, for a report.NewSafeWriter with
	// styles); without it they are marked with "*".
	Color bool
}

// cell is one fact of one image as shown to people, with its delta
// against the baseline when there is one.
func cell(r *Result, i int, fact string) string {
	img := &r.Images[i]
	d := img.Delta
	switch fact {
	case "size_bytes":
		return withDelta(fmtBytes(img.SizeBytes), d, func(d *Delta) string { return signedBytes(d.SizeBytes) })
	case "compressed_bytes":
		return withDelta(fmtBytes(img.CompressedBytes), d, func(d *Delta) string { return signedBytes(d.CompressedBytes) })
	case "layers":
		return withDelta(strconv.Itoa(img.Layers), d, func(d *Delta) string { return signed(int64(d.Layers)) })
	case "os":
		return orDash(img.OS)
	case "libc":
		return orDash(strings.TrimSpace(img.Libc + " " + img.LibcVersion))
	case "python":
		return orDash(img.Python)
	case "os_packages":
		return withDelta(strconv.Itoa(img.OSPackages), d, func(d *Delta) string { return signed(int64(d.OSPackages)) })
	case "python_packages":
		return withDelta(strconv.Itoa(img.PythonPackages), d, func(d *Delta) string { return signed(int64(d.PythonPackages)) })
	case "cves":
		if img.CVEs == nil {
			return "no database"
		}
		return withDelta(cveString(img.CVEs), d, func(d *Delta) string {
			if d.CVEs == nil {
				return ""
			}
			return signed(int64(d.CVEs.Total))
		})
	case "shell":
		return yesNoList(img.Shell, baseNames(img.Shells))
	case "package_manager":
		return yesNoList(img.PackageManager, img.PackageManagers)
	case "compilers":
		return yesNoList(len(img.Compilers) > 0, img.Compilers)
	case "network_tools":
		return yesNoList(len(img.NetworkTools) > 0, baseNames(img.NetworkTools))
	case "user":
		if img.RunsAsRoot {
			if img.User == "" {
				return "root (unset)"
			}
			return img.User + " (root)"
		}
		return img.User
	case "wasted_bytes":
		return withDelta(fmtBytes(img.WastedBytes), d, func(d *Delta) string { return signedBytes(d.WastedBytes) })
	case "missing_libraries":
		return missingString(img.MissingLibraries)
	}
	return ""
}

// labels are the people's names of the facts, in table order.
var labels = map[string]string{
	"size_bytes":        "size",
	"compressed_bytes":  "compressed",
	"layers":            "layers",
	"os":                "OS",
	"libc":              "libc",
	"python":            "Python",
	"os_packages":       "OS packages",
	"python_packages":   "Python packages",
	"cves":              "CVEs (C/H/M/L/?)",
	"shell":             "shell",
	"package_manager":   "package manager",
	"compilers":         "compilers",
	"network_tools":     "curl/wget",
	"user":              "user",
	"wasted_bytes":      "wasted",
	"missing_libraries": "missing libraries",
}

// WriteText writes the comparison for a terminal: one line per fact, one
// column per image (images side by side read better than very long rows),
// facts that differ marked, deltas against the baseline in parentheses.
func WriteText(w io.Writer, r *Result, o TextOptions) error {
	// Long references (archive paths) would make every column as wide as
	// the path: number the images and list them above the table instead.
	long := false
	for _, img := range r.Images {
		long = long || len([]rune(img.Reference)) > 28
	}
	names := make([]string, len(r.Images))
	for i, img := range r.Images {
		names[i] = Sanitize(img.Reference)
		if long {
			names[i] = fmt.Sprintf("[%d]", i+1)
		}
		if i == r.Baseline && len(r.Images) > 1 {
			names[i] += " (baseline)"
		}
		if long {
			fmt.Fprintf(w, "%s %s\n", names[i], Sanitize(img.Reference))
		}
	}
	if long {
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "\t")
	for _, n := range names {
		fmt.Fprintf(tw, "%s\t", n)
	}
	fmt.Fprintln(tw)
	for _, f := range facts {
		label := labels[f.name]
		if r.differs(f.name) {
			if o.Color {
				label = report.StyleMark + "[1;33m" + label + report.StyleMark + "[0m"
			} else {
				label = "* " + label
			}
		} else if !o.Color {
			label = "  " + label
		}
		fmt.Fprintf(tw, "%s\t", label)
		for i := range r.Images {
			fmt.Fprintf(tw, "%s\t", Sanitize(cell(r, i, f.name)))
		}
		fmt.Fprintln(tw)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Images) > 1 && !o.Color {
		fmt.Fprintln(w, "\n* differs between the images; (±n) is the change against the baseline")
	}
	return writePackageDiffsText(w, r)
}

func writePackageDiffsText(w io.Writer, r *Result) error {
	for _, pd := range r.PackageDiffs {
		fmt.Fprintf(w, "\npackages of %s against %s: %d added, %d removed, %d changed\n",
			Sanitize(pd.Reference), Sanitize(pd.Baseline), len(pd.Added), len(pd.Removed), len(pd.Changed))
		for _, c := range pd.Added {
			fmt.Fprintf(w, "  + %s %s %s\n", c.Ecosystem, Sanitize(c.Name), Sanitize(c.To))
		}
		for _, c := range pd.Removed {
			fmt.Fprintf(w, "  - %s %s %s\n", c.Ecosystem, Sanitize(c.Name), Sanitize(c.From))
		}
		for _, c := range pd.Changed {
			fmt.Fprintf(w, "  ~ %s %s %s -> %s\n", c.Ecosystem, Sanitize(c.Name), Sanitize(c.From), Sanitize(c.To))
		}
	}
	_, err := fmt.Fprint(w)
	return err
}

// WriteMarkdown writes a GitHub-flavoured table that fits a pull-request
// comment: one row per image, one column per fact, differing facts in bold.
func WriteMarkdown(w io.Writer, r *Result) error {
	var b strings.Builder
	b.WriteString("| image |")
	for _, f := range facts {
		b.WriteString(" " + labels[f.name] + " |")
	}
	b.WriteString("\n|---|")
	for range facts {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for i, img := range r.Images {
		name := "`" + mdEscape(img.Reference) + "`"
		if i == r.Baseline && len(r.Images) > 1 {
			name += " (baseline)"
		}
		b.WriteString("| " + name + " |")
		for _, f := range facts {
			v := mdEscape(cell(r, i, f.name))
			if r.differs(f.name) {
				v = "**" + v + "**"
			}
			b.WriteString(" " + v + " |")
		}
		b.WriteString("\n")
	}
	for _, pd := range r.PackageDiffs {
		fmt.Fprintf(&b, "\n<details><summary>packages of <code>%s</code> against <code>%s</code>: %d added, %d removed, %d changed</summary>\n\n",
			htmlEscape(pd.Reference), htmlEscape(pd.Baseline), len(pd.Added), len(pd.Removed), len(pd.Changed))
		b.WriteString("| change | ecosystem | package | from | to |\n|---|---|---|---|---|\n")
		for _, c := range pd.Added {
			fmt.Fprintf(&b, "| added | %s | %s | | %s |\n", c.Ecosystem, mdEscape(c.Name), mdEscape(c.To))
		}
		for _, c := range pd.Removed {
			fmt.Fprintf(&b, "| removed | %s | %s | %s | |\n", c.Ecosystem, mdEscape(c.Name), mdEscape(c.From))
		}
		for _, c := range pd.Changed {
			fmt.Fprintf(&b, "| changed | %s | %s | %s | %s |\n", c.Ecosystem, mdEscape(c.Name), mdEscape(c.From), mdEscape(c.To))
		}
		b.WriteString("\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func withDelta(v string, d *Delta, f func(*Delta) string) string {
	if d == nil {
		return v
	}
	if s := f(d); s != "" {
		return v + " (" + s + ")"
	}
	return v
}

func cveString(c *CVECounts) string {
	if c == nil {
		return "no database"
	}
	return fmt.Sprintf("%d (%d/%d/%d/%d/%d)", c.Total, c.Critical, c.High, c.Medium, c.Low, c.Unknown)
}

func missingString(m []string) string {
	switch {
	case m == nil:
		return "not checked"
	case len(m) == 0:
		return "none"
	case len(m) > 3:
		return fmt.Sprintf("%d: %s +%d", len(m), strings.Join(m[:3], ", "), len(m)-3)
	}
	return strings.Join(m, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func yesNoList(b bool, items []string) string {
	if !b {
		return "no"
	}
	const show = 3
	if len(items) > show {
		return fmt.Sprintf("yes (%s +%d)", strings.Join(items[:show], ", "), len(items)-show)
	}
	return "yes (" + strings.Join(items, ", ") + ")"
}

func baseNames(ps []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		n := p[strings.LastIndexByte(p, '/')+1:]
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func fmtInt(n int64) string { return strconv.FormatInt(n, 10) }

func signed(n int64) string {
	switch {
	case n > 0:
		return "+" + strconv.FormatInt(n, 10)
	case n < 0:
		return "\u2212" + strconv.FormatInt(-n, 10)
	}
	return "±0"
}

func signedBytes(n int64) string {
	switch {
	case n > 0:
		return "+" + fmtBytes(n)
	case n < 0:
		return "\u2212" + fmtBytes(-n)
	}
	return "±0"
}

// fmtBytes formats n in decimal units as docker and dive do ("754.0 MB").
func fmtBytes(n int64) string { return imagereport.HumanBytes(n) }

func mdEscape(s string) string {
	s = Sanitize(s)
	r := strings.NewReplacer("|", `\|`, "`", "'", "\n", " ", "<", "&lt;", ">", "&gt;")
	return r.Replace(s)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(Sanitize(s))
}

// Sanitize escapes control characters (terminal escapes, NUL) and invalid
// UTF-8 in text that came from an image or a command line, as every
// human-readable output of pyimg does (report.NewSafeWriter), for
// renderings that do not go through such a writer (HTML, markdown).
func Sanitize(s string) string {
	var b strings.Builder
	w := report.NewSafeWriter(&b, false)
	io.WriteString(w, s)
	report.Flush(w)
	return b.String()
}
