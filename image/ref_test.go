package image

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

const testDigest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func TestParseReference(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Reference
	}{
		{"python:3.12-slim", Reference{Transport: TransportRegistry, Name: "index.docker.io/library/python:3.12-slim"}},
		{"python", Reference{Transport: TransportRegistry, Name: "index.docker.io/library/python:latest"}},
		{"localhost:5000/app", Reference{Transport: TransportRegistry, Name: "localhost:5000/app:latest"}},
		{"127.0.0.1:5000/team/app:v1", Reference{Transport: TransportRegistry, Name: "127.0.0.1:5000/team/app:v1"}},
		{"ghcr.io/o/app@" + testDigest, Reference{Transport: TransportRegistry, Name: "ghcr.io/o/app@" + testDigest}},
		{"ghcr.io/o/app:v1@" + testDigest, Reference{Transport: TransportRegistry, Name: "ghcr.io/o/app@" + testDigest}},
		{"docker://ghcr.io/o/app:v1", Reference{Transport: TransportRegistry, Name: "ghcr.io/o/app:v1"}},
		{"oci:/tmp/layout", Reference{Transport: TransportOCI, Path: "/tmp/layout"}},
		{"oci:./layout:app:v1", Reference{Transport: TransportOCI, Path: "./layout", Tag: "app:v1"}},
		{"oci:layout:latest", Reference{Transport: TransportOCI, Path: "layout", Tag: "latest"}},
		{"oci-archive:img.tar", Reference{Transport: TransportOCIArchive, Path: "img.tar"}},
		{"oci-archive:/x/img.tar:example.com/app:1.0", Reference{Transport: TransportOCIArchive, Path: "/x/img.tar", Tag: "example.com/app:1.0"}},
		{"docker-archive:save.tar", Reference{Transport: TransportDockerArchive, Path: "save.tar"}},
		{"docker-archive:save.tar:python:3.12", Reference{Transport: TransportDockerArchive, Path: "save.tar", Tag: "python:3.12"}},
		{"docker-archive:save.tar:@1", Reference{Transport: TransportDockerArchive, Path: "save.tar", Tag: "@1"}},
	} {
		got, err := ParseReference(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseReference(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseReferenceErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{" python", "white space"},
		{"docker:python", "docker://"},
		{"docker://", "no image name"},
		{"https://ghcr.io/o/app", "scheme"},
		{"oci:", "needs a directory"},
		{"oci-archive::app", "needs a file"},
		{"docker-archive:", "needs a file"},
		{"containers-storage:python", "not supported"},
		{"docker-daemon:python:3.12", "not supported"},
		{"Python:3.12", "repository can only contain"},
		{"python:3.12@sha256:abc", "digest"},
		{"oci:dir:bad ref", "not allowed"},
		{"oci:dir:-lead", "unexpected"},
		{"oci:dir:trail.", "must end"},
		{"oci:dir:a//b", "empty component"},
		{"docker-archive:f.tar:@x", "not a number"},
		{"docker-archive:f.tar:@", "empty"},
		{"docker-archive:f.tar:UPPER:1", "docker-archive reference"},
	} {
		_, err := ParseReference(tc.in)
		if !errors.Is(err, ErrReference) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseReference(%q) = %v, want ErrReference mentioning %q", tc.in, err, tc.want)
		}
	}
}

func TestParsePlatform(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    v1.Platform
		wantErr bool
	}{
		{in: "linux/amd64", want: v1.Platform{OS: "linux", Architecture: "amd64"}},
		{in: "linux/arm/v7", want: v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}},
		{in: "linux", wantErr: true},
		{in: "", wantErr: true},
		{in: "linux//v7", wantErr: true},
		{in: "linux/arm/v7/x", wantErr: true},
		{in: "windows/amd64:10.0", wantErr: true},
	} {
		got, err := ParsePlatform(tc.in)
		if (err != nil) != tc.wantErr || (!tc.wantErr && !got.Equals(tc.want)) {
			t.Errorf("ParsePlatform(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestMatchPlatform(t *testing.T) {
	t.Parallel()
	d := func(p string) v1.Descriptor {
		pl, err := ParsePlatform(p)
		if err != nil {
			t.Fatal(err)
		}
		return v1.Descriptor{MediaType: types.OCIManifestSchema1, Platform: &pl, Annotations: map[string]string{"p": p}}
	}
	attest := v1.Descriptor{MediaType: types.OCIManifestSchema1, Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}}
	for _, tc := range []struct {
		have []v1.Descriptor
		want string
		pick string // "" for no match
	}{
		{[]v1.Descriptor{d("linux/arm64"), d("linux/amd64"), attest}, "linux/amd64", "linux/amd64"},
		{[]v1.Descriptor{d("linux/arm64/v8")}, "linux/arm64", "linux/arm64/v8"},
		{[]v1.Descriptor{d("linux/arm64")}, "linux/arm64/v8", "linux/arm64"},
		{[]v1.Descriptor{d("linux/arm/v6"), d("linux/arm/v7")}, "linux/arm", "linux/arm/v7"},
		{[]v1.Descriptor{d("linux/arm/v6")}, "linux/arm", "linux/arm/v6"},
		{[]v1.Descriptor{d("linux/arm/v6")}, "linux/arm/v7", ""},
		{[]v1.Descriptor{d("windows/amd64")}, "linux/amd64", ""},
		{[]v1.Descriptor{attest}, "linux/amd64", ""},
	} {
		want, _ := ParsePlatform(tc.want)
		got, ok := matchPlatform(tc.have, want)
		if gotP := got.Annotations["p"]; ok != (tc.pick != "") || gotP != tc.pick {
			t.Errorf("matchPlatform(%s) = %q, %v; want %q", tc.want, gotP, ok, tc.pick)
		}
	}
}

func TestHistoryByLayer(t *testing.T) {
	t.Parallel()
	h := func(s string, empty bool) v1.History { return v1.History{CreatedBy: s, EmptyLayer: empty} }
	for _, tc := range []struct {
		name string
		hist []v1.History
		n    int
		want []string
	}{
		{"matched", []v1.History{h("FROM", false), h("ENV", true), h("RUN a", false)}, 2, []string{"FROM", "RUN a"}},
		{"no history", nil, 2, []string{"", ""}},
		{"too few", []v1.History{h("FROM", false)}, 3, []string{"FROM", "", ""}},
		{"too many", []v1.History{h("a", false), h("b", false), h("c", false)}, 2, []string{"a", "b"}},
		{"all empty", []v1.History{h("ENV", true), h("CMD", true)}, 1, []string{""}},
	} {
		got := HistoryByLayer(&v1.ConfigFile{History: tc.hist}, tc.n)
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: HistoryByLayer = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := HistoryByLayer(nil, 1); !reflect.DeepEqual(got, []string{""}) {
		t.Errorf("HistoryByLayer(nil, 1) = %q", got)
	}
}

func TestParseReferenceLocalPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.tar")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, tc := range []struct{ ref, want string }{
		{dir, "is a local directory, not a registry reference; read an OCI layout directory with oci:" + dir},
		{file, "is a local file, not a registry reference; read a tar of an OCI layout with oci-archive:" + file},
		{"x.tar", "is a local file"},
		{"./missing.tar", "looks like a local path but does not exist"},
		{"/nonexistent/dir", "looks like a local path but does not exist"},
	} {
		_, err := ParseReference(tc.ref)
		if err == nil || !errors.Is(err, ErrReference) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseReference(%q) = %v, want an ErrReference containing %q", tc.ref, err, tc.want)
		}
	}
	if r, err := ParseReference("oci:" + dir); err != nil || r.Path != dir {
		t.Errorf("ParseReference(oci:DIR) = %+v, %v", r, err)
	}
	if _, err := ParseReference("python:3.12"); err != nil {
		t.Errorf("ParseReference(python:3.12) = %v", err)
	}
}
