package cli

import (
	"bytes"
	"fmt"
	"github.com/pyimg/pyimg/internal/safefile"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/vuln"
)

type scanFlags struct {
	format        string
	db            string
	severity      string
	failOn        string
	ignoreUnfixed bool
	ignoreFile    string
	platform      string
	insecure      bool
	concurrency   int
	limits        imageLimitFlags
}

func newScanCmd(a *app) *cobra.Command {
	var fl scanFlags
	cmd := &cobra.Command{
		Use:   "scan IMAGE|SBOM-FILE",
		Short: "Find known vulnerabilities in an image's packages, offline",
		Long: `Scan lists the packages of an image (dpkg, apk and Python distributions, in
one streaming pass over its layers) or of a CycloneDX or SPDX JSON SBOM, and
matches them against the local OSV database ('pyimg db update' fills it).

Matching follows each ecosystem's rules: Debian packages by source package and
Debian release with dpkg version ordering, Alpine by origin and branch with apk
ordering, Python distributions by PEP 503 name with PEP 440 ordering. Python
files installed by dpkg or apk (python3-* packages) are covered by the OS
package's advisories and never matched as PyPI. Advisories naming the same
vulnerability (DSA, DEBIAN-CVE, PYSEC, GHSA, CVE) are reported once per package.

Ignores: .pyimg-ignore.yaml, [scan] in .pyimg.toml or [tool.pyimg.scan] in
pyproject.toml in the current directory (or --ignore-file), each entry with an
id, a reason and an optional expiry date after which it stops applying:
  ignore:
    - id: CVE-2024-5535
      package: openssl        # optional
      reason: not reachable: no TLS server in this image
      expires: 2026-12-31

IMAGE uses skopeo's transport names (see 'pyimg analyze --help').`,
		Example: `  pyimg db update && pyimg scan oci-archive:app.tar
  pyimg scan --fail-on high --ignore-unfixed registry.example.com/app:1.0
  pyimg scan --format sarif oci:build/layout > scan.sarif
  pyimg scan --format json sbom.cdx.json | jq '.matches[].id'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runScan(cmd, fl, args[0]) },
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", "table", "output format: table, json or sarif")
	f.StringVar(&fl.db, "db", "", "vulnerability database (default $PYIMG_DB, else $XDG_CACHE_HOME/pyimg/osv.db)")
	f.StringVar(&fl.severity, "severity", "unknown", "show vulnerabilities at or above this severity: unknown, low, medium, high or critical")
	f.StringVar(&fl.failOn, "fail-on", "none", "exit 1 when a shown vulnerability is at or above this severity (unknown, low, medium, high, critical) or none")
	f.BoolVar(&fl.ignoreUnfixed, "ignore-unfixed", false, "hide vulnerabilities with no fixed version")
	f.StringVar(&fl.ignoreFile, "ignore-file", "", "ignore list (.pyimg-ignore.yaml, .pyimg.toml or pyproject.toml; default: look in the current directory)")
	f.StringVar(&fl.platform, "platform", "linux/amd64", "platform to pick from a multi-arch index, os/arch[/variant]")
	f.BoolVar(&fl.insecure, "insecure", false, "allow plain HTTP and unverified TLS to the registry (for loopback registries)")
	f.IntVar(&fl.concurrency, "concurrency", 0, "layers read in parallel (default: min(CPUs, 4))")
	fl.limits.register(f)
	return cmd
}

// scanJSON is the --format json document.
type scanJSON struct {
	Target   string           `json:"target"`
	Digest   string           `json:"digest,omitempty"`
	Distro   inventory.Distro `json:"distro"`
	Database scanDB           `json:"database"`
	Packages int              `json:"packages"`
	Matches  []vuln.Match     `json:"matches"`
	Ignored  []vuln.Ignored   `json:"ignored"`
	Expired  []vuln.Ignore    `json:"expired_ignores"`
	Skipped  []string         `json:"skipped,omitempty"`
	Warnings []string         `json:"warnings,omitempty"`
	Summary  map[string]int   `json:"summary"`
}

type scanDB struct {
	Path     string         `json:"path"`
	Built    time.Time      `json:"built"`
	AgeHours float64        `json:"age_hours"`
	Stale    bool           `json:"stale"`
	Counts   map[string]int `json:"counts"`
}

func (a *app) runScan(cmd *cobra.Command, fl scanFlags, target string) error {
	if err := checkFormat(fl.format, "table", "json", "sarif"); err != nil {
		return err
	}
	minSev, err := vuln.ParseSeverity(fl.severity)
	if err != nil {
		return usageError(fmt.Errorf("--severity: %w", err))
	}
	failOn, failSet := vuln.SeverityUnknown, false
	if s := strings.ToLower(strings.TrimSpace(fl.failOn)); s != "none" && s != "never" && s != "" {
		if failOn, err = vuln.ParseSeverity(s); err != nil {
			return usageError(fmt.Errorf("--fail-on: %w (or none)", err))
		}
		failSet = true
	}
	var ignores vuln.Ignores
	if fl.ignoreFile != "" {
		data, err := safefile.Read(fl.ignoreFile, maxUserFile)
		if err != nil {
			return inputError(err)
		}
		if ignores, _, err = vuln.ParseIgnores(fl.ignoreFile, data); err != nil {
			return inputError(err)
		}
	} else if ignores, err = vuln.LoadIgnores("."); err != nil {
		return inputError(err)
	}
	path, err := a.dbPath(fl.db)
	if err != nil {
		return err
	}
	db, err := openDB(path)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Status()
	if err != nil {
		return dbError(err)
	}
	now := a.env.Now()
	age := now.Sub(st.Built)
	fmt.Fprintf(a.env.Stderr, "vulnerability database %s: built %s (%s), %s\n", st.Path, st.Built.UTC().Format("2006-01-02 15:04 UTC"), humanAge(age), countsLine(st.Counts))
	if age > maxDBAge {
		fmt.Fprintf(a.env.Stderr, "warning: the vulnerability database is %s (more than 7 days); run 'pyimg db update'\n", humanAge(age))
	}

	inv, digest, err := a.scanInventory(cmd, fl, target)
	if err != nil {
		return err
	}
	if len(inv.Packages) == 0 {
		fmt.Fprintf(a.env.Stderr, "warning: no packages found in %s (no dpkg or apk database, no Python metadata): nothing to match\n", target)
	}
	warnMissingEcosystems(a.env.Stderr, inv, st.Counts)
	res, err := vuln.MatchInventory(cmd.Context(), inv, db)
	if err != nil {
		return dbError(fmt.Errorf("matching %s: %w", target, err))
	}
	for _, s := range res.Skipped {
		a.log.Debug("not matched", "package", s)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.env.Stderr, "warning: %s\n", w)
	}
	if n := len(res.Skipped); n > 0 {
		fmt.Fprintf(a.env.Stderr, "warning: %d packages could not be matched, e.g. %s (-v lists them)\n", n, res.Skipped[0])
	}
	shown := res.Matches[:0:0]
	for _, m := range res.Matches {
		if m.Severity < minSev || (fl.ignoreUnfixed && m.FixedVersion == "") {
			continue
		}
		shown = append(shown, m)
	}
	kept, ignored, expired := ignores.Apply(shown, now)
	for _, e := range expired {
		fmt.Fprintf(a.env.Stderr, "warning: ignore of %s (%q) in %s expired on %s and no longer applies\n", e.ID, e.Reason, ignores.Path, e.Expires.Format("2006-01-02"))
	}
	out := cmd.OutOrStdout()
	switch fl.format {
	case "json":
		doc := scanJSON{
			Target: target, Digest: digest, Distro: inv.Distro, Packages: len(inv.Packages),
			Database: scanDB{Path: st.Path, Built: st.Built, AgeHours: age.Hours(), Stale: age > maxDBAge, Counts: st.Counts},
			Matches:  orEmpty(kept), Ignored: orEmpty(ignored), Expired: orEmpty(expired), Skipped: res.Skipped, Warnings: res.Warnings,
			Summary: summarize(kept),
		}
		err = report.EncodeJSON(out, doc)
	case "sarif":
		rules, findings := scanFindings(kept, target)
		tool := a.tool()
		tool.RulesURI = ""
		err = report.WriteSARIF(out, tool, rules, findings)
	default:
		sw := a.output(out, true)
		err = writeScanTable(sw, kept, len(inv.Packages), len(ignored))
		if err == nil {
			err = report.Flush(sw)
		}
	}
	if err != nil {
		return runtimeError(fmt.Errorf("writing report: %w", err))
	}
	if failSet {
		for _, m := range kept {
			if m.Severity >= failOn {
				return errFindings
			}
		}
	}
	return nil
}

// scanInventory lists the packages of an SBOM file or an image.
func (a *app) scanInventory(cmd *cobra.Command, fl scanFlags, target string) (*inventory.Inventory, string, error) {
	if isJSONFile(target) {
		f, err := os.Open(target)
		if err != nil {
			return nil, "", inputError(err)
		}
		defer f.Close()
		inv, err := vuln.ReadSBOM(f)
		if err != nil {
			return nil, "", inputError(fmt.Errorf("reading SBOM %s: %w", target, err))
		}
		return inv, "", nil
	}
	ctx := cmd.Context()
	ifl := imageFlags{platform: fl.platform, insecure: fl.insecure, concurrency: fl.concurrency, limits: fl.limits}
	img, err := a.openImage(ctx, target, ifl)
	if err != nil {
		return nil, "", err
	}
	inv, err := a.imageInventory(ctx, img, ifl)
	if err != nil {
		return nil, "", err
	}
	return inv, img.Digest.String(), nil
}

// warnMissingEcosystems says when the image has packages of an ecosystem
// the database holds no records for (an Alpine image scanned after
// 'db import PyPI-all.zip'): no match there means nothing.
func warnMissingEcosystems(w io.Writer, inv *inventory.Inventory, counts map[string]int) {
	seen := map[string]bool{}
	for _, p := range inv.Packages {
		eco := p.Ecosystem
		if eco == inventory.EcosystemGeneric || p.OSOwned || seen[eco] {
			continue
		}
		seen[eco] = true
		if counts[eco] == 0 {
			fmt.Fprintf(w, "warning: the database has no %s records; %s packages cannot match (run 'pyimg db update')\n", eco, eco)
		}
	}
}

// isJSONFile reports whether target is an existing file starting with '{'
// (an SBOM), as opposed to an image reference.
func isJSONFile(target string) bool {
	f, err := os.Open(target)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	buf := make([]byte, 512)
	n, _ := io.ReadFull(f, buf)
	b := bytes.TrimLeft(buf[:n], " \t\r\n\ufeff")
	return len(b) > 0 && b[0] == '{'
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func summarize(ms []vuln.Match) map[string]int {
	out := map[string]int{}
	for s := vuln.SeverityUnknown; s <= vuln.SeverityCritical; s++ {
		out[s.String()] = 0
	}
	for _, m := range ms {
		out[m.Severity.String()]++
	}
	return out
}

func writeScanTable(w io.Writer, ms []vuln.Match, packages, ignored int) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(ms) > 0 {
		fmt.Fprintln(tw, "PACKAGE\tINSTALLED\tFIXED\tSEVERITY\tID\tALSO KNOWN AS")
	}
	affected := map[string]bool{}
	for _, m := range ms {
		name := m.Package.Name
		if m.Package.SourceName != "" {
			name += " (" + m.Package.SourceName + ")"
		}
		affected[m.Package.Ecosystem+"/"+m.Package.Name+"/"+m.Package.Location] = true
		aka := strings.Join(m.Aliases, ", ")
		if len(aka) > 60 {
			aka = aka[:57] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, m.InstalledVersion, cmp(m.FixedVersion, "-"), m.Severity, m.ID, aka)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	sum := summarize(ms)
	var parts []string
	for s := vuln.SeverityCritical; s >= vuln.SeverityUnknown; s-- {
		if n := sum[s.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	line := fmt.Sprintf("%d vulnerabilities in %d of %d packages", len(ms), len(affected), packages)
	if len(parts) > 0 {
		line += " (" + strings.Join(parts, ", ") + ")"
	}
	if ignored > 0 {
		line += fmt.Sprintf("; %d ignored", ignored)
	}
	_, err := fmt.Fprintln(w, line)
	return err
}

// scanFindings converts matches to the shared finding vocabulary for SARIF:
// one rule per vulnerability id.
func scanFindings(ms []vuln.Match, target string) ([]report.Rule, []report.Finding) {
	var rules []report.Rule
	seen := map[string]bool{}
	var fs []report.Finding
	for _, m := range ms {
		if !seen[m.ID] {
			seen[m.ID] = true
			fix := "No fixed version is known yet."
			if m.FixedVersion != "" {
				fix = "Upgrade " + m.Package.Name + " to " + m.FixedVersion + " or later."
			}
			rules = append(rules, report.Rule{
				ID: m.ID, Name: "vulnerability", Severity: m.Severity.Report(),
				Summary: cmp(m.Summary, m.ID),
				Why:     fmt.Sprintf("%s (%s severity; also known as %s).", cmp(m.Summary, m.ID), m.Severity, cmp(strings.Join(m.Aliases, ", "), "-")),
				Fix:     fix,
			})
		}
		layer := m.Package.Layer
		f := report.Finding{
			Rule: m.ID, Name: "vulnerability", Severity: m.Severity.Report(), Image: target,
			Path:    m.Package.Location,
			Message: fmt.Sprintf("%s %s (%s) is affected by %s, %s severity", m.Package.Name, m.InstalledVersion, m.Ecosystem, m.ID, m.Severity),
		}
		if m.Package.Location != "sbom" {
			f.Layer = &layer
		} else {
			f.Path = ""
		}
		if m.FixedVersion != "" {
			f.Fix = "upgrade to " + m.FixedVersion
		}
		fs = append(fs, f)
	}
	return rules, fs
}
