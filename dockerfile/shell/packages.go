package shell

import "strings"

// buildPackages are Debian and Alpine packages that bring compilers or a
// whole build toolchain. Names are matched after stripping version pins.
var buildPackages = map[string]bool{
	"gcc": true, "g++": true, "cpp": true, "clang": true, "llvm": true,
	"build-essential": true, "build-base": true, "alpine-sdk": true,
	"gfortran": true, "cargo": true, "rustc": true, "rust": true,
	"musl-dev": true, "libc6-dev": true, "libc-dev": true,
	"linux-headers": true, "linux-libc-dev": true,
	"python3-dev": true, "python-dev": true, "python3-devel": true,
	"make": false, // a build tool, but small and not a compiler
}

// PackageName strips an apt ("gcc=4:12.2") or apk ("gcc=12.2-r0",
// "gcc>12", "gcc~12") version constraint and an architecture qualifier
// ("libc6-dev:amd64") from a package operand.
func PackageName(p string) string {
	if i := strings.IndexAny(p, "=<>~"); i > 0 {
		p = p[:i]
	}
	if i := strings.IndexByte(p, ':'); i > 0 {
		p = p[:i]
	}
	return p
}

// IsBuildPackage reports whether a system package is a compiler, a build
// toolchain or development headers: gcc, g++, clang, build-essential,
// build-base, musl-dev, python3-dev, any *-dev or *-devel, gcc-12 and the
// like.
func IsBuildPackage(pkg string) bool {
	n := PackageName(pkg)
	if v, ok := buildPackages[n]; ok {
		return v
	}
	if strings.HasSuffix(n, "-dev") || strings.HasSuffix(n, "-devel") {
		return true
	}
	for _, pre := range []string{"gcc-", "g++-", "clang-", "gfortran-", "cpp-"} {
		if rest, ok := strings.CutPrefix(n, pre); ok && rest != "" && rest[0] >= '0' && rest[0] <= '9' {
			return true
		}
	}
	return false
}

// SystemInstalls returns the packages installed by apt-get/apt install and
// apk add, with the command that installs them.
func SystemInstalls(s *Script) []PackageInstall {
	var out []PackageInstall
	for _, c := range s.Commands {
		if a, ok := AsApt(c); ok && a.Sub == "install" {
			for _, p := range a.Packages {
				out = append(out, PackageInstall{Package: PackageName(p), Command: c})
			}
		}
		if a, ok := AsApk(c); ok && a.Sub == "add" {
			for _, p := range a.Packages {
				out = append(out, PackageInstall{Package: PackageName(p), Command: c})
			}
		}
	}
	return out
}

// PackageInstall is a system package named in an install command.
type PackageInstall struct {
	Package string
	Command Command
}
