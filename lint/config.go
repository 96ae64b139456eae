package lint

import (
	"errors"
	"fmt"
	"github.com/pyimg/pyimg/internal/safefile"
	"github.com/pyimg/pyimg/internal/tomlguard"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/pyimg/pyimg/report"
)

// Config is the lint configuration: the [lint] table of .pyimg.toml or the
// [tool.pyimg.lint] table of pyproject.toml.
//
//	ignore = ["PY104"]
//	severity = {PY402 = "warning"}
//	fail-on = "error"
//	trusted-registries = ["registry.example.com"]
type Config struct {
	// Path is the file the configuration was read from ("" for defaults).
	Path string
	// Ignore lists rule IDs that are not reported.
	Ignore []string
	// Severity overrides the default severity of rules.
	Severity map[string]report.Severity
	// FailOn is the lowest severity that should fail a run
	// (SeverityUnknown: never). The Linter does not use it; callers do.
	FailOn report.Severity
	// TrustedRegistries are registries that mirror Docker Hub's official
	// images: "registry.example.com/python" and
	// "registry.example.com/library/python" count as the official python
	// image.
	TrustedRegistries []string
}

// DefaultConfig returns the configuration used when no file sets one:
// nothing ignored, default severities, fail on errors.
func DefaultConfig() Config {
	return Config{FailOn: report.SeverityError}
}

// maxConfigBytes bounds a configuration file.
const maxConfigBytes = 10 << 20

// configFiles are the files LoadConfig reads, in order of precedence.
var configFiles = []string{".pyimg.toml", "pyproject.toml"}

// LoadConfig reads the configuration from .pyimg.toml in dir, else from
// pyproject.toml in dir, else returns DefaultConfig.
func LoadConfig(dir string) (Config, error) {
	for _, name := range configFiles {
		p := filepath.Join(dir, name)
		data, err := safefile.Read(p, maxConfigBytes)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Config{}, fmt.Errorf("reading lint configuration: %w", err)
		}
		cfg, found, err := ParseConfig(p, data)
		if err != nil {
			return Config{}, err
		}
		if found {
			return cfg, nil
		}
	}
	return DefaultConfig(), nil
}

type lintTable struct {
	Ignore            []string          `toml:"ignore"`
	Severity          map[string]string `toml:"severity"`
	FailOn            *string           `toml:"fail-on"`
	TrustedRegistries []string          `toml:"trusted-registries"`
}

var reID = regexp.MustCompile(`^PY[0-9]{3}$`)

// ParseConfig parses a configuration file. pyproject.toml (by base name)
// is read from [tool.pyimg.lint], any other file from [lint]. found is
// false when the file has no such table. Unknown keys and malformed rule
// IDs are errors naming path.
func ParseConfig(path string, data []byte) (cfg Config, found bool, err error) {
	if err := tomlguard.Check(path, data); err != nil {
		return Config{}, false, err
	}
	cfg = DefaultConfig()
	var (
		t      *lintTable
		prefix string
		md     toml.MetaData
	)
	if filepath.Base(path) == "pyproject.toml" {
		var doc struct {
			Tool struct {
				Pyimg struct {
					Lint *lintTable `toml:"lint"`
				} `toml:"pyimg"`
			} `toml:"tool"`
		}
		md, err = toml.Decode(string(data), &doc)
		t, prefix = doc.Tool.Pyimg.Lint, "tool.pyimg."
	} else {
		var doc struct {
			Lint *lintTable `toml:"lint"`
		}
		md, err = toml.Decode(string(data), &doc)
		t = doc.Lint
	}
	if err != nil {
		return Config{}, false, fmt.Errorf("%s: %w", path, err)
	}
	for _, k := range md.Undecoded() {
		if s := k.String(); strings.HasPrefix(s, prefix+"lint") {
			return Config{}, false, fmt.Errorf("%s: unknown key %q (want ignore, severity, fail-on or trusted-registries)", path, s)
		}
	}
	if t == nil {
		return cfg, false, nil
	}
	cfg.Path = path
	for _, id := range t.Ignore {
		id = strings.ToUpper(strings.TrimSpace(id))
		if !reID.MatchString(id) {
			return Config{}, false, fmt.Errorf("%s: ignore: %q is not a rule ID like PY104", path, id)
		}
		if !slices.Contains(cfg.Ignore, id) {
			cfg.Ignore = append(cfg.Ignore, id)
		}
	}
	if len(t.Severity) > 0 {
		cfg.Severity = make(map[string]report.Severity, len(t.Severity))
	}
	for id, v := range t.Severity {
		uid := strings.ToUpper(strings.TrimSpace(id))
		if !reID.MatchString(uid) {
			return Config{}, false, fmt.Errorf("%s: severity: %q is not a rule ID like PY402", path, id)
		}
		s, err := report.ParseSeverity(v)
		if err != nil || s == report.SeverityUnknown {
			return Config{}, false, fmt.Errorf("%s: severity.%s: %q is not info, warning or error", path, id, v)
		}
		cfg.Severity[uid] = s
	}
	if t.FailOn != nil {
		s, err := report.ParseSeverity(*t.FailOn)
		if err != nil {
			return Config{}, false, fmt.Errorf("%s: fail-on: %w", path, err)
		}
		cfg.FailOn = s
	}
	for _, r := range t.TrustedRegistries {
		r = strings.TrimSuffix(strings.TrimSpace(r), "/")
		if r == "" || strings.ContainsAny(r, " /") {
			return Config{}, false, fmt.Errorf("%s: trusted-registries: %q is not a registry host", path, r)
		}
		cfg.TrustedRegistries = append(cfg.TrustedRegistries, r)
	}
	return cfg, true, nil
}
