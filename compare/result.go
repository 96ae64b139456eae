package compare

import "slices"

// Result is a comparison. Its JSON field names are a public interface.
type Result struct {
	// Images are in the order they were given.
	Images []Image `json:"images"`
	// Baseline is the index of the image deltas are computed against.
	Baseline int `json:"baseline"`
	// Database is true when vulnerabilities were matched (a database was
	// available); the images' cves are null otherwise.
	Database bool `json:"database"`
	// PackageDiffs are present with --packages: one per image but the
	// baseline.
	PackageDiffs []PackageDiff `json:"package_diffs,omitempty"`
	// Differs names the facts (JSON field names) whose values are not the
	// same for every image.
	Differs []string `json:"differs"`
}

// Image is one image's facts.
type Image struct {
	Reference string `json:"reference"`
	Digest    string `json:"digest,omitempty"`
	// SizeBytes is the uncompressed size as dive counts it: the file sizes
	// of every layer, overwritten and deleted files included.
	SizeBytes       int64  `json:"size_bytes"`
	CompressedBytes int64  `json:"compressed_bytes"`
	Layers          int    `json:"layers"`
	OS              string `json:"os"`
	Libc            string `json:"libc"`
	LibcVersion     string `json:"libc_version"`
	// Python is the version of the image's main interpreter.
	Python string `json:"python"`
	// OSPackages counts dpkg and apk packages.
	OSPackages int `json:"os_packages"`
	// PythonPackages counts installed Python distributions that the OS
	// package manager does not own (vendored libraries excluded).
	PythonPackages int `json:"python_packages"`
	// CVEs are the known vulnerabilities by severity; null when no
	// database was available.
	CVEs            *CVECounts `json:"cves"`
	Shell           bool       `json:"shell"`
	Shells          []string   `json:"shells"`
	PackageManager  bool       `json:"package_manager"`
	PackageManagers []string   `json:"package_managers"`
	// Compilers are C compilers left in the image.
	Compilers []string `json:"compilers"`
	// NetworkTools are curl and wget executables.
	NetworkTools []string `json:"network_tools"`
	User         string   `json:"user"`
	RunsAsRoot   bool     `json:"runs_as_root"`
	WastedBytes  int64    `json:"wasted_bytes"`
	Efficiency   float64  `json:"efficiency"`
	// MissingLibraries are the sonames the objects Python loads need and
	// the image lacks (as pyimg libs reports them), sorted.
	MissingLibraries []string `json:"missing_libraries"`
	// Delta is this image minus the baseline; absent for the baseline.
	Delta *Delta `json:"delta,omitempty"`
}

// CVECounts counts vulnerabilities by severity.
type CVECounts struct {
	Critical int `json:"critical"`
	High     int `json:"high"`
	Medium   int `json:"medium"`
	Low      int `json:"low"`
	Unknown  int `json:"unknown"`
	Total    int `json:"total"`
}

// Delta is the difference of an image's numbers against the baseline's.
type Delta struct {
	SizeBytes       int64 `json:"size_bytes"`
	CompressedBytes int64 `json:"compressed_bytes"`
	Layers          int   `json:"layers"`
	OSPackages      int   `json:"os_packages"`
	PythonPackages  int   `json:"python_packages"`
	WastedBytes     int64 `json:"wasted_bytes"`
	// CVEs is null unless both images were matched.
	CVEs *CVECounts `json:"cves"`
}

// PackageDiff lists what an image changes against the baseline.
type PackageDiff struct {
	Reference string          `json:"reference"`
	Baseline  string          `json:"baseline"`
	Added     []PackageChange `json:"added"`
	Removed   []PackageChange `json:"removed"`
	Changed   []PackageChange `json:"changed"`
}

// PackageChange is one package's change: From is empty when added, To when
// removed.
type PackageChange struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	From      string `json:"from,omitempty"`
	To        string `json:"to,omitempty"`
}

func delta(base, img *Image) Delta {
	d := Delta{
		SizeBytes:       img.SizeBytes - base.SizeBytes,
		CompressedBytes: img.CompressedBytes - base.CompressedBytes,
		Layers:          img.Layers - base.Layers,
		OSPackages:      img.OSPackages - base.OSPackages,
		PythonPackages:  img.PythonPackages - base.PythonPackages,
		WastedBytes:     img.WastedBytes - base.WastedBytes,
	}
	if base.CVEs != nil && img.CVEs != nil {
		d.CVEs = &CVECounts{
			Critical: img.CVEs.Critical - base.CVEs.Critical,
			High:     img.CVEs.High - base.CVEs.High,
			Medium:   img.CVEs.Medium - base.CVEs.Medium,
			Low:      img.CVEs.Low - base.CVEs.Low,
			Unknown:  img.CVEs.Unknown - base.CVEs.Unknown,
			Total:    img.CVEs.Total - base.CVEs.Total,
		}
	}
	return d
}

// facts are the compared columns: the JSON name and how to read the value
// as a comparable string.
var facts = []struct {
	name string
	get  func(*Image) string
}{
	{"size_bytes", func(i *Image) string { return fmtInt(i.SizeBytes) }},
	{"compressed_bytes", func(i *Image) string { return fmtInt(i.CompressedBytes) }},
	{"layers", func(i *Image) string { return fmtInt(int64(i.Layers)) }},
	{"os", func(i *Image) string { return i.OS }},
	{"libc", func(i *Image) string { return i.Libc + " " + i.LibcVersion }},
	{"python", func(i *Image) string { return i.Python }},
	{"os_packages", func(i *Image) string { return fmtInt(int64(i.OSPackages)) }},
	{"python_packages", func(i *Image) string { return fmtInt(int64(i.PythonPackages)) }},
	{"cves", func(i *Image) string { return cveString(i.CVEs) }},
	{"shell", func(i *Image) string { return yesNo(i.Shell) }},
	{"package_manager", func(i *Image) string { return yesNo(i.PackageManager) }},
	{"compilers", func(i *Image) string { return yesNo(len(i.Compilers) > 0) }},
	{"network_tools", func(i *Image) string { return yesNo(len(i.NetworkTools) > 0) }},
	{"user", func(i *Image) string { return i.User }},
	{"wasted_bytes", func(i *Image) string { return fmtInt(i.WastedBytes) }},
	{"missing_libraries", func(i *Image) string { return missingString(i.MissingLibraries) }},
}

// differing names the facts whose values differ between images.
func differing(imgs []Image) []string {
	out := []string{}
	for _, f := range facts {
		for i := 1; i < len(imgs); i++ {
			if f.get(&imgs[i]) != f.get(&imgs[0]) {
				out = append(out, f.name)
				break
			}
		}
	}
	return out
}

// Differs reports whether the fact (a JSON field name) differs between the
// images.
func (r *Result) differs(fact string) bool { return slices.Contains(r.Differs, fact) }
