package baseimage

import "testing"

func TestPythonLookup(t *testing.T) {
	t.Parallel()
	k := Embedded()
	tests := []struct{ in, want string }{
		{"3.12", "3.12"},
		{"3.12.5", "3.12"},
		{" 3.9 ", "3.9"},
		{"3.10", "3.10"},
		{"3.15.0rc1", "3.15"},
		{"3.15-rc", "3.15"},
		{"3.14.0b3", "3.14"},
		{"3.6", "3.6"},
		{"3", ""},
		{"3.1", ""},
		{"3.012", ""},
		{"2.7", ""},
		{"3.x", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got, ok := k.Python(tt.in)
		if ok != (tt.want != "") || got.Version != tt.want {
			t.Errorf("Python(%q) = %q, %v, want %q", tt.in, got.Version, ok, tt.want)
		}
	}
}

func TestOSLookup(t *testing.T) {
	t.Parallel()
	k := Embedded()
	debian := []struct{ in, want string }{
		{"bookworm", "12"},
		{"Bookworm", "12"},
		{"12", "12"},
		{"12.15", "12"},
		{"debian12", "12"},
		{"debian-13", "13"},
		{"trixie", "13"},
		{"bullseye", "11"},
		{"buster", "10"},
		{"forky", "14"},
		{"sid", ""},
		{"9", ""},
		{"", ""},
		{"3.20", ""},
	}
	for _, tt := range debian {
		got, ok := k.Debian(tt.in)
		if ok != (tt.want != "") || got.Version != tt.want || (ok && got.Distro != "debian") {
			t.Errorf("Debian(%q) = %q, %v, want %q", tt.in, got.Version, ok, tt.want)
		}
	}
	alpine := []struct{ in, want string }{
		{"3.20", "3.20"},
		{"alpine3.20", "3.20"},
		{"3.20.3", "3.20"},
		{"v3.22", "3.22"},
		{"3.15", "3.15"},
		{"3.23", "3.23"},
		{"3", ""},
		{"3.14", ""},
		{"3.20.3.1", ""},
		{"alpine", ""},
		{"12", ""},
	}
	for _, tt := range alpine {
		got, ok := k.Alpine(tt.in)
		if ok != (tt.want != "") || got.Version != tt.want || (ok && got.Distro != "alpine") {
			t.Errorf("Alpine(%q) = %q, %v, want %q", tt.in, got.Version, ok, tt.want)
		}
	}
}

func TestTagOS(t *testing.T) {
	t.Parallel()
	k := Embedded()
	k.Defaults = OfficialDefaults{Debian: "trixie", Alpine: "3.22", Windows: "ltsc2025"}
	tests := []struct{ tag, distro, version string }{
		{"latest", "debian", "13"},
		{"3.12-slim", "debian", "13"},
		{"3.12-bookworm", "debian", "12"},
		{"slim-bullseye", "debian", "11"},
		{"3.12-alpine", "alpine", "3.22"},
		{"3.12-alpine3.20", "alpine", "3.20"},
		{"3.12-alpine3.99", "", ""},
		{"3.12-windowsservercore-ltsc2022", "", ""},
	}
	for _, tt := range tests {
		tag, err := ParseTag(tt.tag)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := k.TagOS(tag)
		if ok != (tt.distro != "") || got.Distro != tt.distro || got.Version != tt.version {
			t.Errorf("TagOS(%s) = %s %s, %v, want %s %s", tt.tag, got.Distro, got.Version, ok, tt.distro, tt.version)
		}
	}
}

func TestImageLookup(t *testing.T) {
	t.Parallel()
	k := Embedded()
	tests := []struct {
		repo, tag string
		want      KnownImage // only the fields below are compared
		ok        bool
	}{
		{"gcr.io/distroless/python3-debian12", "", KnownImage{Tag: "latest", Python: "3.11", OS: "debian12"}, true},
		{"gcr.io/distroless/python3-debian12", "latest", KnownImage{Tag: "latest", Python: "3.11", OS: "debian12"}, true},
		{"gcr.io/distroless/python3-debian12:nonroot", "", KnownImage{Tag: "nonroot", Python: "3.11", NonRoot: true, User: "65532", OS: "debian12"}, true},
		{"gcr.io/distroless/python3-debian12", "nonroot", KnownImage{Tag: "nonroot", Python: "3.11", NonRoot: true, User: "65532", OS: "debian12"}, true},
		{"GCR.io/distroless/python3-debian12:debug", "", KnownImage{Tag: "debug", Python: "3.11", Shell: true, OS: "debian12"}, true},
		{"gcr.io/distroless/python3-debian12:debug-nonroot", "", KnownImage{Tag: "debug-nonroot", Python: "3.11", Shell: true, NonRoot: true, User: "65532", OS: "debian12"}, true},
		{"gcr.io/distroless/python3-debian12:nonroot-arm64", "", KnownImage{Tag: "nonroot", Python: "3.11", NonRoot: true, User: "65532", OS: "debian12"}, true},
		{"gcr.io/distroless/python3-debian12:nonroot@sha256:0123", "", KnownImage{Tag: "nonroot", Python: "3.11", NonRoot: true, User: "65532", OS: "debian12"}, true},
		{"docker://gcr.io/distroless/python3-debian13:latest", "", KnownImage{Tag: "latest", Python: "3.13", OS: "debian13"}, true},
		{"gcr.io/distroless/python3-debian11", "debug", KnownImage{Tag: "debug", Python: "3.9", Shell: true, OS: "debian11"}, true},
		{"cgr.dev/chainguard/python", "", KnownImage{Tag: "latest", NonRoot: true, User: "65532", OS: "wolfi"}, true},
		{"cgr.dev/chainguard/python:latest", "", KnownImage{Tag: "latest", NonRoot: true, User: "65532", OS: "wolfi"}, true},
		{"cgr.dev/chainguard/python:latest-dev", "", KnownImage{Tag: "latest-dev", NonRoot: true, User: "65532", Shell: true, OS: "wolfi"}, true},
		{"cgr.dev/chainguard/python", "latest-dev", KnownImage{Tag: "latest-dev", NonRoot: true, User: "65532", Shell: true, OS: "wolfi"}, true},
		{"gcr.io/distroless/python3-debian12:weird", "", KnownImage{}, false},
		{"gcr.io/distroless/python3-debian12@sha256:0123", "", KnownImage{}, false},
		{"python", "3.12", KnownImage{}, false},
		{"gcr.io/distroless/static-debian12", "", KnownImage{}, false},
	}
	for _, tt := range tests {
		got, ok := k.Image(tt.repo, tt.tag)
		if ok != tt.ok {
			t.Errorf("Image(%q, %q) ok = %v, want %v", tt.repo, tt.tag, ok, tt.ok)
			continue
		}
		if !ok {
			continue
		}
		cmp := KnownImage{Tag: got.Tag, Python: got.Python, NonRoot: got.NonRoot, User: got.User, Shell: got.Shell, OS: got.OS}
		if cmp != tt.want {
			t.Errorf("Image(%q, %q) = %+v, want %+v", tt.repo, tt.tag, cmp, tt.want)
		}
		if got.Libc != "glibc" {
			t.Errorf("Image(%q, %q).Libc = %q, want glibc", tt.repo, tt.tag, got.Libc)
		}
	}
	// Entries with an empty tag match every tag.
	k.Images = append(k.Images, KnownImage{Repo: "example.com/python", Python: "3.12"})
	if got, ok := k.Image("example.com/python:anything", ""); !ok || got.Python != "3.12" {
		t.Errorf("Image(wildcard) = %+v, %v, want the wildcard entry", got, ok)
	}
}

func TestIsOfficialPython(t *testing.T) {
	t.Parallel()
	tests := []struct {
		repo string
		want bool
	}{
		{"python", true},
		{"library/python", true},
		{"docker.io/library/python", true},
		{"docker.io/python", true},
		{"index.docker.io/library/python", true},
		{"registry-1.docker.io/library/python", true},
		{"python:3.12-slim", true},
		{"docker.io/library/python:3.12@sha256:abcd", true},
		{"docker://python:3.12", true},
		{"Python", true},
		{"pypy", false},
		{"python3", false},
		{"bitnami/python", false},
		{"localhost:5000/python", false},
		{"ghcr.io/library/python", false},
		{"cgr.dev/chainguard/python", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := IsOfficialPython(tt.repo); got != tt.want {
			t.Errorf("IsOfficialPython(%q) = %v, want %v", tt.repo, got, tt.want)
		}
	}
}
