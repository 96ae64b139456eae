package native

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestIndexWellFormed checks every row of the embedded index.
func TestIndexWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for n, line := range strings.Split(sonameIndex, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		cols := strings.Split(line, "\t")
		if len(cols) != 4 {
			t.Errorf("line %d: %d columns, want 4: %q", n+1, len(cols), line)
			continue
		}
		if !sharedName.MatchString(cols[0]) || seen[cols[0]] {
			t.Errorf("line %d: soname %q is not a shared-object name or is listed twice", n+1, cols[0])
		}
		seen[cols[0]] = true
		for _, c := range cols[1:] {
			if c == "" || strings.ContainsAny(c, " /") {
				t.Errorf("line %d: package %q", n+1, c)
			}
		}
	}
	if len(seen) < 50 {
		t.Errorf("index has %d sonames; the data file was not embedded whole", len(seen))
	}
}

// TestIndexBookworm checks the bookworm column against the package that
// owns each soname on a Debian bookworm host (dpkg -S), for the sonames
// installed there.
func TestIndexBookworm(t *testing.T) {
	if testing.Short() {
		t.Skip("dpkg -S over the whole database; skipped with -short")
	}
	osr, err := os.ReadFile("/etc/os-release")
	if err != nil || !strings.Contains(string(osr), "VERSION_CODENAME=bookworm") {
		t.Skip("SKIPPING: not a Debian bookworm host")
	}
	if _, err := exec.LookPath("dpkg"); err != nil {
		t.Skip("SKIPPING: no dpkg")
	}
	var patterns []string
	want := map[string]string{}
	for line := range strings.SplitSeq(sonameIndex, "\n") {
		cols := strings.Split(line, "\t")
		if len(cols) != 4 || line[0] == '#' || cols[1] == "-" {
			continue
		}
		patterns = append(patterns, "*/"+cols[0])
		want[cols[0]] = cols[1]
	}
	// One dpkg -S for every soname; it exits 1 when some are not
	// installed here, and still lists the others.
	out, _ := exec.Command("dpkg", append([]string{"-S"}, patterns...)...).Output()
	owners := map[string]string{}
	for l := range strings.SplitSeq(string(out), "\n") {
		pkg, file, ok := strings.Cut(l, ": ")
		if !ok || strings.HasPrefix(l, "diversion") || strings.Contains(pkg, "-dev") || strings.Contains(file, "/gdb/") {
			continue
		}
		base := file[strings.LastIndexByte(file, '/')+1:]
		if _, listed := want[base]; listed && owners[base] == "" {
			owners[base], _, _ = strings.Cut(pkg, ":")
		}
	}
	for soname, owner := range owners {
		if owner != want[soname] {
			t.Errorf("%s: index says %s, dpkg -S says %s", soname, want[soname], owner)
		}
	}
	t.Logf("checked %d sonames against dpkg", len(owners))
}
