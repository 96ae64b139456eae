package generate

import (
	"slices"
	"testing"

	"github.com/pyimg/pyimg/dockerfile"
)

// FuzzParseConfig feeds arbitrary TOML to the configuration reader: it
// must return a value or an error, never panic, and every package it
// accepts must pass the spec's own check.
func FuzzParseConfig(f *testing.F) {
	f.Add([]byte("[tool.pyimg.generate]\nbuild-packages = [\"libpq-dev\"]\nport = 8000\n"))
	f.Add([]byte("[tool.pyimg.generate]\ncommand = [\"python\", \"-m\", \"x\"]\nenv = {A = \"b\"}\n"))
	f.Add([]byte("[tool.pyimg]\ngenerate = []\n"))
	f.Add([]byte("[tool.pyimg.generate]\nport = -1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, found, err := ParseConfig("pyproject.toml", data, "tool", "pyimg", "generate")
		if err != nil || !found {
			return
		}
		for _, p := range slices.Concat(cfg.BuildPackages, cfg.RuntimePackages) {
			if !rePackage.MatchString(p) {
				t.Fatalf("ParseConfig accepted package %q", p)
			}
		}
	})
}

// FuzzRender renders specs with arbitrary commands, environment and
// health paths: whatever Validate accepts must render to a Dockerfile that
// parses and runs exactly the command given, in exec form.
func FuzzRender(f *testing.F) {
	f.Add("gunicorn", "app:app", "A=b", "/healthz", 8000)
	f.Add("python", "-c", "X=1", "/", 0)
	f.Add("pyth\"on", "a\\b", "B=\u00e9", "/x?y=1", 65535)
	f.Fuzz(func(t *testing.T, a0, a1, env, health string, port int) {
		s := baseSpec(VariantSlim, InstallRequirements)
		s.Command, s.Env, s.HealthPath, s.Port = []string{a0, a1}, []string{env}, health, port
		files, err := Render(s)
		if err != nil {
			return
		}
		df, err := dockerfile.Parse("Dockerfile", files.Dockerfile)
		if err != nil {
			t.Fatalf("generated Dockerfile does not parse: %v\n%s", err, files.Dockerfile)
		}
		last := df.Stages[len(df.Stages)-1]
		var cmd *dockerfile.Instruction
		for _, in := range last.Instructions {
			if in.Kind == dockerfile.KindCmd {
				cmd = in
			}
		}
		if cmd == nil || !cmd.JSON || !slices.Equal(cmd.Command, s.Command) {
			t.Fatalf("CMD = %+v, want exec form %q\n%s", cmd, s.Command, files.Dockerfile)
		}
	})
}
