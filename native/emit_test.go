package native

import (
	"testing"

	"github.com/pyimg/pyimg/inventory"
)

func TestDockerfile(t *testing.T) {
	missing := func(soname string) Missing {
		r := &Result{Distro: inventory.Distro{ID: "debian", VersionID: "13", Codename: "trixie"}}
		return Missing{Soname: soname, Providers: r.indexProviders(soname)}
	}
	alpine := func(soname string) Missing {
		r := &Result{Distro: inventory.Distro{ID: "alpine", VersionID: "3.21.0"}, Libc: LibcMusl}
		return Missing{Soname: soname, Providers: r.indexProviders(soname)}
	}
	tests := []struct {
		name string
		res  *Result
		opts EmitOptions
		want string
	}{
		{"nothing missing", &Result{}, EmitOptions{}, ""},
		{"trixie names, sorted, deduplicated", &Result{Distro: inventory.Distro{ID: "debian"}, Missing: []Missing{missing("libssl.so.3"), missing("libpq.so.5"), missing("libcrypto.so.3")}}, EmitOptions{},
			"RUN apt-get update \\\n && apt-get install -y --no-install-recommends libpq5 libssl3t64 \\\n && rm -rf /var/lib/apt/lists/*\n"},
		{"unknown soname", &Result{Missing: []Missing{missing("libnothing.so.1")}}, EmitOptions{},
			"# libnothing.so.1: no known apt package provides it; pass --from with the build image\n"},
		{"alpine", &Result{Libc: LibcMusl, Distro: inventory.Distro{ID: "alpine"}, Missing: []Missing{alpine("libpq.so.5"), alpine("libgomp.so.1")}}, EmitOptions{},
			"RUN apk add --no-cache libgomp libpq\n"},
		{"distroless without --from", &Result{Missing: []Missing{missing("libpq.so.5")}}, EmitOptions{Distroless: true},
			"# libpq.so.5: not found in a --from image; give the build stage's image with --from\n"},
		{"distroless copies", &Result{Missing: []Missing{missing("libpq.so.5")}, copies: []copyGroup{
			{soname: "libpq.so.5", files: []string{"/usr/lib/x86_64-linux-gnu/libpq.so.5", "/usr/lib/x86_64-linux-gnu/libpq.so.5.15"}},
			{soname: "libfoo.so.1", files: []string{"/usr/lib/x86_64-linux-gnu/libfoo.so.1", "/opt/foo/lib/libfoo-1.2.so"}},
		}}, EmitOptions{Distroless: true, Stage: "builder"},
			"COPY --from=builder /usr/lib/x86_64-linux-gnu/libpq.so.5* /usr/lib/x86_64-linux-gnu/\n" +
				"COPY --from=builder /usr/lib/x86_64-linux-gnu/libfoo.so.1* /usr/lib/x86_64-linux-gnu/\n" +
				"COPY --from=builder /opt/foo/lib/libfoo-1.2.so /opt/foo/lib/\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.res.Dockerfile(tc.opts); got != tc.want {
				t.Errorf("Dockerfile() =\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestIndexProvidersByRelease(t *testing.T) {
	tests := []struct {
		distro inventory.Distro
		libc   string
		want   []string
	}{
		{inventory.Distro{ID: "debian", Codename: "bookworm"}, "", []string{"libssl3"}},
		{inventory.Distro{ID: "debian", VersionID: "13"}, "", []string{"libssl3t64"}},
		{inventory.Distro{ID: "debian", Codename: "sid"}, "", []string{"libssl3", "libssl3t64"}},
		{inventory.Distro{ID: "alpine"}, LibcMusl, []string{"libssl3"}},
		{inventory.Distro{}, LibcMusl, []string{"libssl3"}},
		{inventory.Distro{}, "", []string{"libssl3", "libssl3t64", "libssl3"}},
		{inventory.Distro{}, LibcGlibc, []string{"libssl3", "libssl3t64"}},
	}
	for _, tc := range tests {
		r := &Result{Distro: tc.distro, Libc: tc.libc}
		var got []string
		for _, p := range r.indexProviders("libssl.so.3") {
			got = append(got, p.Package)
		}
		if len(got) != len(tc.want) {
			t.Errorf("indexProviders(%+v) = %q, want %q", tc.distro, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("indexProviders(%+v) = %q, want %q", tc.distro, got, tc.want)
			}
		}
	}
}
