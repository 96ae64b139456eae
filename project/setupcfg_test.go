package project

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseSetupCfg(t *testing.T) {
	t.Parallel()
	src := `[metadata]
name = legacy-app
version = 2.1.0

[options]
packages = find:
python_requires = >=3.9
install_requires =
    requests>=2.31, <3
    click
    # a comment
    pywin32; sys_platform == "win32"

[options.entry_points]
console_scripts =
    legacy = legacy.cli:main
    legacy-admin = legacy.admin:run
`
	c, err := ParseSetupCfg("setup.cfg", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "legacy-app" || c.Version != "2.1.0" || c.PythonRequires != ">=3.9" || c.PythonRequiresLine != 7 {
		t.Errorf("metadata = %+v", c)
	}
	var reqs []string
	for _, r := range c.InstallRequires {
		reqs = append(reqs, r.String())
	}
	if want := []string{"requests>=2.31,<3", "click", `pywin32; sys_platform == "win32"`}; !reflect.DeepEqual(reqs, want) {
		t.Errorf("InstallRequires = %q, want %q", reqs, want)
	}
	if want := map[string]string{"legacy": "legacy.cli:main", "legacy-admin": "legacy.admin:run"}; !reflect.DeepEqual(c.ConsoleScripts, want) {
		t.Errorf("ConsoleScripts = %v", c.ConsoleScripts)
	}
}

func TestParseSetupCfgErrors(t *testing.T) {
	t.Parallel()
	tests := []struct{ src, want string }{
		{"[options\nx = 1\n", "setup.cfg:1: section header"},
		{"[options]\ninstall_requires =\n    ok\n    bad req ~~\n", "setup.cfg:4: invalid install_requires entry"},
		{"[metadata]\njust words\n", "setup.cfg:2:"},
		{"[options.entry_points]\nconsole_scripts =\n    noequals\n", "setup.cfg:3: console_scripts entry"},
	}
	for _, tt := range tests {
		_, err := ParseSetupCfg("setup.cfg", []byte(tt.src))
		var ie *InputError
		if !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("ParseSetupCfg(%q) = %v, want *InputError starting %q", tt.src, err, tt.want)
		}
	}
}

func FuzzParseSetupCfg(f *testing.F) {
	f.Add("[metadata]\nname = x\n[options]\ninstall_requires =\n    a>=1, <2\n    b; python_version<'3.10'\n")
	f.Add("[options.entry_points]\nconsole_scripts =\n    x = y:z\n")
	f.Fuzz(func(t *testing.T, src string) {
		c, err := ParseSetupCfg("setup.cfg", []byte(src))
		if err != nil {
			var ie *InputError
			if !errors.As(err, &ie) || ie.Line < 1 {
				t.Fatalf("error %v is not an *InputError with a line", err)
			}
			return
		}
		for _, r := range c.InstallRequires {
			if r.Name == "" {
				t.Fatalf("requirement without a name: %+v", c.InstallRequires)
			}
		}
	})
}
