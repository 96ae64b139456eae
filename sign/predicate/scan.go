package predicate

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/pyimg/pyimg/vuln"
)

// ScanPredicate is cosign's vulnerability scan predicate (TypeVuln), the
// shape `cosign attest --type vuln` expects, with pyimg's scan result as
// scanner.result.
type ScanPredicate struct {
	Invocation ScanInvocation `json:"invocation"`
	Scanner    Scanner        `json:"scanner"`
	Metadata   ScanMetadata   `json:"metadata"`
}

// ScanInvocation says how the scan was run.
type ScanInvocation struct {
	Parameters any    `json:"parameters"`
	URI        string `json:"uri"`
	EventID    string `json:"event_id"`
	BuilderID  string `json:"builder.id"`
}

// Scanner names the scanner, its database and the result.
type Scanner struct {
	URI     string     `json:"uri"`
	Version string     `json:"version"`
	DB      ScannerDB  `json:"db"`
	Result  ScanResult `json:"result"`
}

// ScannerDB names the vulnerability database; Version is the time it was
// built (RFC 3339), which bounds what the scan can know.
type ScannerDB struct {
	URI     string `json:"uri"`
	Version string `json:"version"`
}

// ScanMetadata holds when the scan ran.
type ScanMetadata struct {
	ScanStartedOn  time.Time `json:"scanStartedOn"`
	ScanFinishedOn time.Time `json:"scanFinishedOn"`
}

// ScanResult is pyimg's scan result, as `pyimg scan --format json` names
// its fields.
type ScanResult struct {
	Packages int            `json:"packages"`
	Database ScanDatabase   `json:"database"`
	Matches  []vuln.Match   `json:"matches"`
	Summary  map[string]int `json:"summary"`
}

// ScanDatabase is the vulnerability database the scan used.
type ScanDatabase struct {
	Built  time.Time      `json:"built"`
	Counts map[string]int `json:"counts,omitempty"`
}

// ScanInput is what Scan records.
type ScanInput struct {
	// ToolVersion is pyimg's version.
	ToolVersion string
	// DBBuilt is when the vulnerability database was built.
	DBBuilt time.Time
	// DBCounts is the number of records per ecosystem.
	DBCounts map[string]int
	// DBURI names the database's source (optional).
	DBURI string
	// Packages is the number of packages matched.
	Packages int
	// Matches are the vulnerabilities found.
	Matches []vuln.Match
	// Started and Finished are when the scan ran.
	Started, Finished time.Time
}

// Scan returns the TypeVuln predicate of a scan.
func Scan(in ScanInput) (json.RawMessage, error) {
	ms := in.Matches
	if ms == nil {
		ms = []vuln.Match{}
	}
	sum := map[string]int{}
	for s := vuln.SeverityUnknown; s <= vuln.SeverityCritical; s++ {
		sum[s.String()] = 0
	}
	for _, m := range ms {
		sum[m.Severity.String()]++
	}
	p := ScanPredicate{
		Invocation: ScanInvocation{URI: "https://github.com/pyimg/pyimg", BuilderID: "pyimg"},
		Scanner: Scanner{
			URI:     "pkg:golang/github.com/pyimg/pyimg",
			Version: in.ToolVersion,
			DB:      ScannerDB{URI: in.DBURI, Version: in.DBBuilt.UTC().Format(time.RFC3339)},
			Result: ScanResult{
				Packages: in.Packages,
				Database: ScanDatabase{Built: in.DBBuilt.UTC(), Counts: in.DBCounts},
				Matches:  ms,
				Summary:  sum,
			},
		},
		Metadata: ScanMetadata{ScanStartedOn: in.Started.UTC(), ScanFinishedOn: in.Finished.UTC()},
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encoding scan predicate: %w", err)
	}
	return b, nil
}

// ScanFacts is what verification reads from a scan predicate.
type ScanFacts struct {
	// Finished is when the scan ran.
	Finished time.Time
	// DBBuilt is the database's date (zero when the predicate omits it).
	DBBuilt time.Time
	// Findings are the vulnerabilities found, with their severities.
	Findings []Finding
}

// Finding is one vulnerability of a scan predicate.
type Finding struct {
	ID       string
	Package  string
	Version  string
	Severity vuln.Severity
}

// ParseScan reads a TypeVuln predicate. It accepts other scanners'
// results too; then Findings is empty and only the dates count.
func ParseScan(pred json.RawMessage) (*ScanFacts, error) {
	var p struct {
		Scanner struct {
			DB     ScannerDB `json:"db"`
			Result struct {
				Database struct {
					Built time.Time `json:"built"`
				} `json:"database"`
				Matches []struct {
					ID      string `json:"id"`
					Package struct {
						Name string `json:"name"`
					} `json:"package"`
					Installed string `json:"installed_version"`
					Severity  string `json:"severity"`
				} `json:"matches"`
			} `json:"result"`
		} `json:"scanner"`
		Metadata ScanMetadata `json:"metadata"`
	}
	if err := json.Unmarshal(pred, &p); err != nil {
		return nil, fmt.Errorf("reading scan predicate: %w", err)
	}
	if p.Metadata.ScanFinishedOn.IsZero() {
		return nil, fmt.Errorf("reading scan predicate: no metadata.scanFinishedOn")
	}
	f := &ScanFacts{Finished: p.Metadata.ScanFinishedOn, DBBuilt: p.Scanner.Result.Database.Built}
	if f.DBBuilt.IsZero() && p.Scanner.DB.Version != "" {
		if t, err := time.Parse(time.RFC3339, p.Scanner.DB.Version); err == nil {
			f.DBBuilt = t
		}
	}
	for _, m := range p.Scanner.Result.Matches {
		sev, err := vuln.ParseSeverity(m.Severity)
		if err != nil {
			return nil, fmt.Errorf("reading scan predicate: %s: %w", m.ID, err)
		}
		f.Findings = append(f.Findings, Finding{ID: m.ID, Package: m.Package.Name, Version: m.Installed, Severity: sev})
	}
	return f, nil
}
