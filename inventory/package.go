// Package inventory lists what an image contains: OS packages (dpkg status
// and status.d, apk installed), Python distributions (dist-info, egg-info),
// the interpreter built from source, and native libraries vendored in
// wheels, each with a purl and the files it owns. It is fed by the single
// layer pass (package layers).
package inventory

// Ecosystem names follow the OSV schema's ecosystem names.
const (
	EcosystemDebian = "Debian"
	EcosystemAlpine = "Alpine"
	EcosystemPyPI   = "PyPI"
	// EcosystemGeneric is for components with no OSV ecosystem, such as the
	// CPython interpreter built from source or a vendored shared library.
	EcosystemGeneric = "generic"
)

// Package is one installed component.
type Package struct {
	// Ecosystem is one of the Ecosystem constants.
	Ecosystem string `json:"ecosystem"`
	// Name is the package name: the binary package name for dpkg/apk, the
	// PEP 503 normalized name for Python.
	Name    string `json:"name"`
	Version string `json:"version"`
	// SourceName and SourceVersion are the source package (dpkg "Source:",
	// apk origin); OSV Debian and Alpine advisories are keyed by them.
	SourceName    string `json:"source_name,omitempty"`
	SourceVersion string `json:"source_version,omitempty"`
	Arch          string `json:"arch,omitempty"`
	// PURL is the package URL, e.g. pkg:deb/debian/openssl@3.0.15-1~deb12u1?arch=amd64&distro=debian-12.
	PURL string `json:"purl"`
	// CPE is set for components matched by CPE (the source-built interpreter).
	CPE string `json:"cpe,omitempty"`
	// Location is where the package was found: the dpkg status file, the
	// dist-info directory, the interpreter binary.
	Location string `json:"location"`
	// Layer is the 0-based index of the layer that last wrote Location.
	Layer int `json:"layer"`
	// Files are the paths the package owns, when known.
	Files []string `json:"files,omitempty"`
	// OSOwned is true for a Python distribution whose files dpkg or apk own
	// (python3-requests from Debian): it is matched as an OS package, not as
	// PyPI.
	OSOwned bool `json:"os_owned,omitempty"`
	// Parent is the PURL of the package this one is vendored in (a library in
	// numpy.libs belongs to numpy).
	Parent string `json:"parent,omitempty"`
	// Interpreter is, for a Python distribution, the interpreter that
	// imports it: "/opt/venv/bin/python3.11" for a venv, "/usr/bin/python3"
	// for Debian's dist-packages; empty for --target installs.
	Interpreter string `json:"interpreter,omitempty"`
	// PythonVersion is that interpreter's version: the full version from a
	// venv's pyvenv.cfg, PYTHON_VERSION or the python3 dpkg package, else the
	// X.Y of the lib/pythonX.Y directory.
	PythonVersion string `json:"python_version,omitempty"`
	// Licenses as declared by the package metadata.
	Licenses []string `json:"licenses,omitempty"`
}

// Distro identifies the image's operating system from /etc/os-release.
type Distro struct {
	ID         string `json:"id"`          // "debian", "alpine", "wolfi"
	VersionID  string `json:"version_id"`  // "12", "3.20.3"
	Codename   string `json:"codename"`    // "bookworm"
	PrettyName string `json:"pretty_name"` // "Debian GNU/Linux 12 (bookworm)"
	// Distroless is true for distroless images (os-release PRETTY_NAME "Distroless").
	Distroless bool `json:"distroless,omitempty"`
	// Libc is "glibc" or "musl"; LibcVersion its version when found.
	Libc        string `json:"libc,omitempty"`
	LibcVersion string `json:"libc_version,omitempty"`
}

// Inventory is everything found in one image.
type Inventory struct {
	Distro   Distro    `json:"distro"`
	Packages []Package `json:"packages"`
}
