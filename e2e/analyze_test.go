package e2e

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	fx "github.com/pyimg/pyimg/e2e/internal/fixtures"
)

// analysis is the part of `pyimg analyze --format json` the tests read.
// Fields beyond the documented contract are pointers or slices and are only
// checked when present.
type analysis struct {
	SizeBytes       int64          `json:"size_bytes"`
	TarBytes        int64          `json:"tar_bytes"`
	CompressedBytes int64          `json:"compressed_bytes"`
	WastedBytes     int64          `json:"wasted_bytes"`
	Efficiency      float64        `json:"efficiency"`
	Layers          []layerJSON    `json:"layers"`
	PythonPackages  []pythonPkg    `json:"python_packages"`
	Findings        []imageFinding `json:"findings"`
	User            string         `json:"user"`
	Security        *struct {
		Shells []string `json:"shells"`
	} `json:"security"`
}

type layerJSON struct {
	Digest   string `json:"digest"`
	TarBytes int64  `json:"tar_bytes"`
}

type pythonPkg struct {
	Name      string `json:"name"`
	Version   string `json:"version"`
	SizeBytes int64  `json:"size_bytes"`
}

type imageFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Path     string `json:"path"`
	Layer    *int   `json:"layer"`
	Message  string `json:"message"`
}

// transports are the ways each fixture is handed to pyimg; "registry" is the
// pushed copy in the test docker-registry.
var transports = []string{fx.OCIArchive, fx.DockerArchive, fx.OCILayout, "registry"}

// ref returns the pyimg image reference and extra flags for an image in a
// transport.
func ref(t *testing.T, set *fx.Set, name, transport string) (string, []string) {
	t.Helper()
	if transport == "registry" {
		return registry(t) + "/pyimg-e2e/" + name + ":latest", []string{"--insecure"}
	}
	return set.Ref(name, transport), nil
}

var (
	analysisMu    sync.Mutex
	analysisCache = map[string]*analysis{}
)

// analyze runs `pyimg analyze --format json` once per reference and decodes
// the result. Exit 0 and 1 (findings) are both success.
func analyze(t *testing.T, name, transport string) *analysis {
	t.Helper()
	set := fixtures(t)
	r, flags := ref(t, set, name, transport)
	analysisMu.Lock()
	defer analysisMu.Unlock()
	if a, ok := analysisCache[r]; ok {
		return a
	}
	args := append(append([]string{"analyze", "--format", "json"}, flags...), r)
	stdout, stderr, code := runPyimg(t, args...)
	if code != 0 && code != 1 {
		t.Fatalf("pyimg %s: exit %d, want 0 or 1\nstderr:\n%s", strings.Join(args, " "), code, stderr)
	}
	var a analysis
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		t.Fatalf("pyimg %s: decoding JSON: %v\nstdout:\n%.2000s", strings.Join(args, " "), err, stdout)
	}
	analysisCache[r] = &a
	return &a
}

func forEachTransport(t *testing.T, f func(t *testing.T, name, transport string)) {
	for _, name := range fx.Names {
		for _, tr := range transports {
			t.Run(name+"/"+tr, func(t *testing.T) { f(t, name, tr) })
		}
	}
}

// TestAnalyzeLayers checks layer counts and byte totals against the
// manifests (skopeo inspect --raw) and the layer blobs (archive/tar).
func TestAnalyzeLayers(t *testing.T) {
	set := fixtures(t)
	forEachTransport(t, func(t *testing.T, name, tr string) {
		img := set.Images[name]
		a := analyze(t, name, tr)
		want := img.ManifestLayers[fx.OCIArchive]
		if tr != "registry" {
			want = img.ManifestLayers[tr]
		}
		if len(a.Layers) != want {
			t.Fatalf("layers = %d, want %d (manifest)", len(a.Layers), want)
		}
		var tarBytes, fileBytes int64 // sums over the layers
		for i, l := range img.Layers {
			tarBytes += l.TarBytes
			fileBytes += l.FileBytes
			got := a.Layers[i]
			if tr != fx.DockerArchive && got.Digest != "" && got.Digest != l.Digest {
				t.Errorf("layers[%d].digest = %s, want %s", i, got.Digest, l.Digest)
			}
			if got.TarBytes != 0 && got.TarBytes != l.TarBytes {
				t.Errorf("layers[%d].tar_bytes = %d, want %d (gunzip | wc -c)", i, got.TarBytes, l.TarBytes)
			}
		}
		if a.TarBytes != tarBytes {
			t.Errorf("tar_bytes = %d, want %d (sum of uncompressed layer tars)", a.TarBytes, tarBytes)
		}
		// docker-archive layers are stored uncompressed, so only the other
		// transports have the OCI manifest's compressed sizes.
		if tr != fx.DockerArchive && a.CompressedBytes != img.CompressedBytes {
			t.Errorf("compressed_bytes = %d, want %d (sum of manifest layer sizes)", a.CompressedBytes, img.CompressedBytes)
		}
		// dive's image size is the sum of every layer's files.
		if a.SizeBytes != fileBytes {
			t.Errorf("size_bytes = %d, want %d (sum of regular-file sizes over all layers; final filesystem alone: %d)", a.SizeBytes, fileBytes, img.FinalFileBytes)
		}
		if a.Efficiency <= 0 || a.Efficiency > 1 {
			t.Errorf("efficiency = %v, want in (0, 1]", a.Efficiency)
		}
	})
}

// TestAnalyzeMatchesDive checks size, wasted bytes and efficiency equal
// what dive itself reports for the same image (DESIGN: dive-compatible).
func TestAnalyzeMatchesDive(t *testing.T) {
	set := fixtures(t)
	forEachTransport(t, func(t *testing.T, name, tr string) {
		d := set.Images[name].Dive
		a := analyze(t, name, tr)
		if a.SizeBytes != d.SizeBytes {
			t.Errorf("size_bytes = %d, dive sizeBytes = %d", a.SizeBytes, d.SizeBytes)
		}
		if a.WastedBytes != d.InefficientBytes {
			t.Errorf("wasted_bytes = %d, dive inefficientBytes = %d", a.WastedBytes, d.InefficientBytes)
		}
		if math.Abs(a.Efficiency-d.EfficiencyScore) > 1e-9 {
			t.Errorf("efficiency = %.12f, dive efficiencyScore = %.12f", a.Efficiency, d.EfficiencyScore)
		}
	})
}

// TestAnalyzeWasted checks the careless image: the deleted 5 MB file and the
// overwritten file are waste, the locally built package is found with its
// version and size, and the root user is reported.
func TestAnalyzeWasted(t *testing.T) {
	set := fixtures(t)
	img := set.Images[fx.Wasted]
	a := analyze(t, fx.Wasted, fx.OCIArchive)

	w := img.Wasted
	// dive counts every copy of a path seen in more than one layer; at the
	// least that includes the deleted big file and the hidden first copy of
	// the overwritten one.
	min := w.BigFileSize + w.OverwrittenSizes[0]
	if a.WastedBytes < min {
		t.Errorf("wasted_bytes = %d, want >= %d (%s %d bytes deleted + %s %d bytes overwritten)",
			a.WastedBytes, min, w.BigFile, w.BigFileSize, w.Overwritten, w.OverwrittenSizes[0])
	}
	if a.Efficiency >= 1 {
		t.Errorf("efficiency = %v, want < 1 for an image with waste", a.Efficiency)
	}

	pkg := img.Package
	got := findPackage(a.PythonPackages, pkg.Name)
	if got == nil {
		t.Fatalf("python_packages lacks %s; got %v", pkg.Name, a.PythonPackages)
	}
	if got.Version != pkg.Version {
		t.Errorf("%s version = %q, want %q (pip list)", pkg.Name, got.Version, pkg.Version)
	}
	// RECORD lists the same files find sums; allow 10% for accounting
	// differences (directories, RECORD itself), bounded above by du.
	lo, hi := pkg.FileBytes*9/10, pkg.DuBytes*11/10
	if got.SizeBytes < lo || got.SizeBytes > hi {
		t.Errorf("%s size_bytes = %d, want in [%d, %d] (find -type f: %d, du -sb: %d)", pkg.Name, got.SizeBytes, lo, hi, pkg.FileBytes, pkg.DuBytes)
	}
	for _, p := range img.PipPackages {
		// The venv sees the system site-packages too, so a name may appear
		// twice; the venv's version must be among them.
		if findPackageVersion(a.PythonPackages, p.Name, p.Version) == nil {
			t.Errorf("python_packages lacks %s %s (pip list in the venv); got %v", p.Name, p.Version, a.PythonPackages)
		}
	}

	if !hasRule(a.Findings, "PY601") {
		t.Errorf("no PY601 (runs as root) for an image without USER; findings: %s", ruleList(a.Findings))
	}
	if !slices.ContainsFunc(a.Findings, func(f imageFinding) bool { return strings.HasPrefix(f.Path, "/var/lib/apt/lists") }) {
		t.Errorf("no finding for the %d apt list files left in /var/lib/apt/lists; findings: %s", w.AptLists, ruleList(a.Findings))
	}
	if a.User != "" && a.User != "root" && a.User != "0" {
		t.Errorf("user = %q, want root (empty config user)", a.User)
	}
	if a.Security != nil && len(a.Security.Shells) == 0 {
		t.Errorf("security.shells empty; the image has %v", img.Shells)
	}
}

// TestAnalyzeSecret checks the secret image: the planted .env, private key,
// ENV secret, setuid and world-writable files are reported at their paths,
// and USER 10001 is not reported as root.
func TestAnalyzeSecret(t *testing.T) {
	set := fixtures(t)
	img := set.Images[fx.Secret]
	s := img.Secrets
	a := analyze(t, fx.Secret, fx.OCIArchive)

	for _, c := range []struct{ rule, path string }{
		{"PY602", s.EnvFile},
		{"PY602", s.PrivateKey},
		{"PY605", s.SetuidFile},
		{"PY606", s.WorldWritable},
	} {
		f := findFinding(a.Findings, c.rule, c.path)
		if f == nil {
			t.Errorf("no %s finding for %s; findings: %s", c.rule, c.path, ruleList(a.Findings))
			continue
		}
		if want := img.Paths[c.path].Layer; f.Layer != nil && *f.Layer != want {
			t.Errorf("%s %s: layer = %d, want %d (the layer that last wrote it)", c.rule, c.path, *f.Layer, want)
		}
	}
	if !slices.ContainsFunc(a.Findings, func(f imageFinding) bool {
		return f.Rule == "PY603" && (strings.Contains(f.Message, s.EnvVar) || strings.Contains(f.Path, s.EnvVar))
	}) {
		t.Errorf("no PY603 finding naming ENV %s; findings: %s", s.EnvVar, ruleList(a.Findings))
	}
	if hasRule(a.Findings, "PY601") {
		t.Errorf("PY601 (runs as root) reported for USER %s", img.ConfigUser)
	}
	if a.User != img.ConfigUser {
		t.Errorf("user = %q, want %q (image config)", a.User, img.ConfigUser)
	}
	// PY606 must flag only world-writable files and non-sticky directories
	// (not /tmp, not device nodes such as /dev/null), PY605 only setuid or
	// setgid files.
	for _, f := range a.Findings {
		if f.Rule == "PY606" && !slices.Contains(img.WorldWritable, f.Path) {
			t.Errorf("PY606 for %s; the world-writable files and non-sticky dirs are %v (devices: %v)", f.Path, img.WorldWritable, img.Devices)
		}
		if f.Rule == "PY605" && !slices.Contains(img.Setuid, f.Path) && !slices.Contains(img.Setgid, f.Path) {
			t.Errorf("PY605 for %s, which is neither setuid nor setgid (setuid: %v, setgid: %v)", f.Path, img.Setuid, img.Setgid)
		}
	}
}

// TestAnalyzeDoesNotEchoSecrets checks that the secret values themselves
// never reach the report.
func TestAnalyzeDoesNotEchoSecrets(t *testing.T) {
	set := fixtures(t)
	img := set.Images[fx.Secret]
	r, _ := ref(t, set, fx.Secret, fx.OCIArchive)
	var secret string
	for _, e := range img.Env {
		if v, ok := strings.CutPrefix(e, img.Secrets.EnvVar+"="); ok {
			secret = v
		}
	}
	if secret == "" {
		t.Fatalf("ENV %s not in the image config %v", img.Secrets.EnvVar, img.Env)
	}
	for _, format := range []string{"json", "text"} {
		stdout, stderr, _ := runPyimg(t, "analyze", "--format", format, r)
		for what, v := range map[string]string{"ENV secret": secret, ".env access key id": img.Secrets.AccessKeyID} {
			if strings.Contains(stdout+stderr, v) {
				t.Errorf("--format %s output contains the %s %q", format, what, v)
			}
		}
	}
}

// TestAnalyzeDistroless checks the shell-less, non-root image.
func TestAnalyzeDistroless(t *testing.T) {
	set := fixtures(t)
	img := set.Images[fx.Distroless]
	a := analyze(t, fx.Distroless, fx.OCIArchive)
	if a.Security != nil && len(a.Security.Shells) != 0 {
		t.Errorf("security.shells = %v, want none (tar listing: %v)", a.Security.Shells, img.Shells)
	}
	shell := regexp.MustCompile(`(^|/)(ba|da|a|z|k|mk|c|tc|rba)?sh$|busybox`)
	for _, f := range a.Findings {
		if shell.MatchString(f.Path) {
			t.Errorf("finding %s names a shell at %s, but the image has none", f.Rule, f.Path)
		}
	}
	if hasRule(a.Findings, "PY601") {
		t.Errorf("PY601 (runs as root) reported for USER %s", img.ConfigUser)
	}
	if a.User != img.ConfigUser {
		t.Errorf("user = %q, want %q", a.User, img.ConfigUser)
	}
}

// TestAnalyzeTransportsAgree checks every transport yields the same numbers
// for the same image.
func TestAnalyzeTransportsAgree(t *testing.T) {
	for _, name := range fx.Names {
		t.Run(name, func(t *testing.T) {
			oa := analyze(t, name, fx.OCIArchive)
			for _, tr := range transports[1:] {
				// docker-archive layers are uncompressed: skip compressed_bytes.
				compressed := tr != fx.DockerArchive
				base, got := summary(oa, compressed), summary(analyze(t, name, tr), compressed)
				if got != base {
					t.Errorf("%s differs from oci-archive:\n got: %s\nwant: %s", tr, got, base)
				}
			}
		})
	}
}

// TestAnalyzeRegistryDigest analyzes an image pinned by the digest the
// registry returned on push.
func TestAnalyzeRegistryDigest(t *testing.T) {
	host := registry(t)
	d := registryDigest(t, fx.Secret)
	stdout, stderr, code := runPyimg(t, "analyze", "--format", "json", "--insecure", host+"/pyimg-e2e/"+fx.Secret+"@"+d)
	if code != 0 && code != 1 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var a analysis
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		t.Fatal(err)
	}
	if got, want := summary(&a, true), summary(analyze(t, fx.Secret, fx.OCIArchive), true); got != want {
		t.Errorf("by digest:\n got: %s\nwant: %s", got, want)
	}
}

// TestAnalyzeBadInput checks input errors exit 2.
func TestAnalyzeBadInput(t *testing.T) {
	for _, r := range []string{"oci-archive:/nonexistent/image.tar", "docker-archive:/nonexistent/image.tar", "oci:/nonexistent/layout"} {
		_, stderr, code := runPyimg(t, "analyze", "--format", "json", r)
		if code != 2 {
			t.Errorf("analyze %s: exit %d, want 2\n%s", r, code, stderr)
		}
		if strings.TrimSpace(stderr) == "" {
			t.Errorf("analyze %s: no error message on stderr", r)
		}
	}
}

// summary renders the transport-independent numbers of an analysis.
func summary(a *analysis, compressed bool) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "layers=%d size=%d tar=%d wasted=%d efficiency=%.6f user=%q",
		len(a.Layers), a.SizeBytes, a.TarBytes, a.WastedBytes, a.Efficiency, a.User)
	if compressed {
		fmt.Fprintf(&sb, " compressed=%d", a.CompressedBytes)
	}
	pkgs := make([]string, 0, len(a.PythonPackages))
	for _, p := range a.PythonPackages {
		pkgs = append(pkgs, fmt.Sprintf("%s==%s:%d", p.Name, p.Version, p.SizeBytes))
	}
	slices.Sort(pkgs)
	findings := make([]string, 0, len(a.Findings))
	for _, f := range a.Findings {
		layer := -1
		if f.Layer != nil {
			layer = *f.Layer
		}
		findings = append(findings, fmt.Sprintf("%s@%s#%d", f.Rule, f.Path, layer))
	}
	slices.Sort(findings)
	fmt.Fprintf(&sb, " packages=%v findings=%v", pkgs, findings)
	return sb.String()
}

var nameSep = regexp.MustCompile(`[-_.]+`)

// normalize is the PEP 503 name normalization.
func normalize(name string) string { return nameSep.ReplaceAllString(strings.ToLower(name), "-") }

func findPackage(pkgs []pythonPkg, name string) *pythonPkg {
	for i := range pkgs {
		if normalize(pkgs[i].Name) == normalize(name) {
			return &pkgs[i]
		}
	}
	return nil
}

// findPackageVersion finds name at version: the same distribution may be
// installed both in the venv and system-wide.
func findPackageVersion(pkgs []pythonPkg, name, version string) *pythonPkg {
	for i := range pkgs {
		if normalize(pkgs[i].Name) == normalize(name) && pkgs[i].Version == version {
			return &pkgs[i]
		}
	}
	return nil
}

func findFinding(fs []imageFinding, rule, path string) *imageFinding {
	for i := range fs {
		if fs[i].Rule == rule && fs[i].Path == path {
			return &fs[i]
		}
	}
	return nil
}

func hasRule(fs []imageFinding, rule string) bool {
	return slices.ContainsFunc(fs, func(f imageFinding) bool { return f.Rule == rule })
}

func ruleList(fs []imageFinding) string {
	var s []string
	for _, f := range fs {
		s = append(s, f.Rule+" "+f.Path)
	}
	return "[" + strings.Join(s, ", ") + "]"
}
