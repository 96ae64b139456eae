package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

func intp(i int) *int { return &i }

var sample = []Finding{
	{Rule: "PY301", Name: "apt-no-install-recommends", Severity: SeverityWarning, File: "Dockerfile", Line: 7, Message: "apt-get install without --no-install-recommends", Fix: "add --no-install-recommends"},
	{Rule: "PY101", Name: "base-latest", Severity: SeverityError, File: "Dockerfile", Line: 1, Message: "python:latest drifts", Fix: "pin a tag"},
	{Rule: "PY602", Name: "secret-file", Severity: SeverityError, Image: "oci-archive:app.tar", Layer: intp(3), Path: "/app/.env", Message: "secret file"},
}

var sampleRules = []Rule{
	{ID: "PY101", Name: "base-latest", Severity: SeverityError, Summary: "s", Why: "w", Fix: "f", Bad: "FROM python", Good: "FROM python:3.12.5-slim-bookworm"},
	{ID: "PY301", Name: "apt-no-install-recommends", Severity: SeverityWarning, Summary: "s", Why: "w", Fix: "f"},
}

func TestParseSeverity(t *testing.T) {
	for in, want := range map[string]Severity{"error": SeverityError, "WARNING": SeverityWarning, "info": SeverityInfo, "none": SeverityUnknown} {
		got, err := ParseSeverity(in)
		if err != nil || got != want {
			t.Errorf("ParseSeverity(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseSeverity("critical!"); err == nil {
		t.Error("ParseSeverity(\"critical!\") = nil error, want error")
	}
}

func TestAtOrAbove(t *testing.T) {
	if !AtOrAbove(sample, SeverityError) {
		t.Error("AtOrAbove(sample, error) = false, want true")
	}
	if AtOrAbove(sample[:1], SeverityError) {
		t.Error("AtOrAbove(warning only, error) = true, want false")
	}
	if AtOrAbove(sample, SeverityUnknown) {
		t.Error("AtOrAbove(sample, none) = true, want false")
	}
}

func TestWriteJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, sample); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Findings []map[string]any `json:"findings"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, buf.String())
	}
	if len(got.Findings) != 3 {
		t.Fatalf("got %d findings, want 3", len(got.Findings))
	}
	// Sorted: image finding (no file) first, then Dockerfile:1, Dockerfile:7.
	if got.Findings[1]["rule"] != "PY101" || got.Findings[1]["severity"] != "error" || got.Findings[1]["line"] != 1.0 {
		t.Errorf("findings[1] = %v, want PY101 error at line 1", got.Findings[1])
	}
	if got.Findings[0]["layer"] != 3.0 || got.Findings[0]["path"] != "/app/.env" {
		t.Errorf("findings[0] = %v, want layer 3 path /app/.env", got.Findings[0])
	}
	buf.Reset()
	if err := WriteJSON(&buf, nil); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(buf.String()) != "{\n  \"findings\": []\n}" {
		t.Errorf("WriteJSON(nil) = %q, want empty findings array", buf.String())
	}
}

func TestSARIFValidates(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSARIF(&buf, Tool{Name: "pyimg", Version: "1.0", InformationURI: "https://example.com", RulesURI: "https://example.com/rules"}, sampleRules, sample); err != nil {
		t.Fatal(err)
	}
	rep, err := sarif.FromBytes(buf.Bytes())
	if err != nil {
		t.Fatalf("parsing our SARIF: %v", err)
	}
	if err := rep.Validate(); err != nil {
		t.Fatalf("SARIF does not validate against the 2.1.0 schema: %v", err)
	}
	run := rep.Runs[0]
	if n := len(run.Results); n != 3 {
		t.Fatalf("got %d results, want 3", n)
	}
	r := run.Tool.Driver.Rules[run.GetRuleIndex("PY101")]
	if r.Help == nil || r.Help.Markdown == nil || !strings.Contains(*r.Help.Markdown, "FROM python:3.12.5-slim-bookworm") {
		t.Errorf("PY101 help = %+v, want markdown with the good example", r.Help)
	}
	for _, res := range run.Results {
		if *res.RuleID == "PY101" {
			if got := *res.Locations[0].PhysicalLocation.Region.StartLine; got != 1 {
				t.Errorf("PY101 start line = %d, want 1", got)
			}
			if res.Level != "error" {
				t.Errorf("PY101 level = %s, want error", res.Level)
			}
		}
	}
}

func TestWriteText(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteText(&buf, sample, TextOptions{}); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"Dockerfile\n", "  1 error PY101 python:latest drifts", "fix: add --no-install-recommends", "layer 3: /app/.env", "3 findings: 2 errors, 1 warning"} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Errorf("text output without Color has ANSI escapes:\n%q", out)
	}
	buf.Reset()
	_ = WriteText(&buf, sample, TextOptions{Color: true})
	if !strings.Contains(buf.String(), "\x1b[31m") {
		t.Errorf("coloured output lacks red for errors: %q", buf.String())
	}
}
