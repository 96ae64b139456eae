package generate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is the [tool.pyimg.generate] table of pyproject.toml, or the
// [generate] table of .pyimg.toml (which wins when both exist).
//
//	[tool.pyimg.generate]
//	build-packages = ["build-essential", "libpq-dev"]
//	runtime-packages = ["libpq5"]      # default: derived from build-packages
//	command = ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]
//	port = 8000
//	health-path = "/healthz"
//	uid = 10001
//	env = {DJANGO_SETTINGS_MODULE = "mysite.settings"}
//	install-project = true
type Config struct {
	// Path is the file the table was read from ("" when none).
	Path string `toml:"-"`
	// BuildPackages are installed in the builder (apt or apk names).
	BuildPackages []string `toml:"build-packages"`
	// RuntimePackages are installed in the runtime; nil derives them from
	// BuildPackages.
	RuntimePackages []string `toml:"runtime-packages"`
	// Command is the exec-form command (overrides the detected entry point).
	Command []string `toml:"command"`
	// Port the app listens on (0: unknown).
	Port int `toml:"port"`
	// HealthPath is the path the HEALTHCHECK requests.
	HealthPath string `toml:"health-path"`
	// UID is the runtime user (default 10001; 65532 on distroless).
	UID int `toml:"uid"`
	// Env are extra runtime environment variables.
	Env map[string]string `toml:"env"`
	// InstallProject, when set, overrides whether the project is installed
	// into the virtualenv (default: when it declares console scripts).
	InstallProject *bool `toml:"install-project"`
}

// LoadConfig reads the generate configuration of the project in dir:
// .pyimg.toml [generate], else pyproject.toml [tool.pyimg.generate].
// Missing files and tables give the zero Config; malformed ones an error
// naming the file (and line, when the TOML does not parse).
func LoadConfig(dir string) (Config, error) {
	for _, f := range []struct {
		name string
		path []string
	}{
		{".pyimg.toml", []string{"generate"}},
		{"pyproject.toml", []string{"tool", "pyimg", "generate"}},
	} {
		p := filepath.Join(dir, f.name)
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return Config{}, fmt.Errorf("reading generate configuration: %w", err)
		}
		cfg, found, err := ParseConfig(p, data, f.path...)
		if err != nil || found {
			return cfg, err
		}
	}
	return Config{}, nil
}

// ParseConfig reads the table at path (e.g. "tool", "pyimg", "generate")
// of the TOML document data, named file in errors. found is false when
// the table is absent.
func ParseConfig(file string, data []byte, path ...string) (cfg Config, found bool, err error) {
	var doc map[string]any
	_, err = toml.Decode(string(data), &doc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Config{}, false, fmt.Errorf("%s:%d: %s", file, pe.Position.Line, pe.Message)
		}
		return Config{}, false, fmt.Errorf("parsing %s: %w", file, err)
	}
	var table any = doc
	for _, k := range path {
		m, ok := table.(map[string]any)
		if !ok {
			return Config{}, false, nil
		}
		if table, ok = m[k]; !ok {
			return Config{}, false, nil
		}
	}
	where := fmt.Sprintf("%s [%s]", file, strings.Join(path, "."))
	if _, ok := table.(map[string]any); !ok {
		return Config{}, false, fmt.Errorf("%s: not a table", where)
	}
	// Decode the sub-table strictly through its own primitive.
	var wrapper struct {
		Tool struct {
			Pyimg struct {
				Generate toml.Primitive `toml:"generate"`
			} `toml:"pyimg"`
		} `toml:"tool"`
		Generate toml.Primitive `toml:"generate"`
	}
	md, err := toml.Decode(string(data), &wrapper)
	if err != nil {
		return Config{}, false, fmt.Errorf("parsing %s: %w", file, err)
	}
	prim := wrapper.Generate
	if path[0] == "tool" {
		prim = wrapper.Tool.Pyimg.Generate
	}
	if err := md.PrimitiveDecode(prim, &cfg); err != nil {
		return Config{}, false, fmt.Errorf("%s: %w", where, err)
	}
	known := []string{"build-packages", "runtime-packages", "command", "port", "health-path", "uid", "env", "install-project"}
	var unknown []string
	for k := range table.(map[string]any) {
		if !slices.Contains(known, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return Config{}, false, fmt.Errorf("%s: unknown key %s (known: %s)", where, strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	cfg.Path = file
	if cfg.Port < 0 || cfg.Port > 65535 {
		return Config{}, false, fmt.Errorf("%s: port = %d: want 1-65535", where, cfg.Port)
	}
	if cfg.UID < 0 {
		return Config{}, false, fmt.Errorf("%s: uid = %d: want a non-root numeric user", where, cfg.UID)
	}
	for _, p := range slices.Concat(cfg.BuildPackages, cfg.RuntimePackages) {
		if !rePackage.MatchString(p) {
			return Config{}, false, fmt.Errorf("%s: %q is not a package name", where, p)
		}
	}
	return cfg, true, nil
}
