package layers

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestWalkCompressions(t *testing.T) {
	t.Parallel()
	data := buildTar(t,
		dir("./usr/"),
		dir("./usr/bin/"),
		reg("./usr/bin/python3", "#!ELF"),
		symlink("./usr/bin/python", "python3"),
		hardlink("./usr/bin/python3.12", "./usr/bin/python3"),
		file{hdr: tar.Header{Typeflag: tar.TypeFifo, Name: "run/fifo", Mode: 0o600}},
		file{hdr: tar.Header{Typeflag: tar.TypeChar, Name: "dev/null", Mode: 0o666, Devmajor: 1, Devminor: 3}},
		file{hdr: tar.Header{Typeflag: tar.TypeBlock, Name: "dev/sda", Mode: 0o660}},
		file{hdr: tar.Header{Typeflag: tar.TypeReg, Name: "usr/bin/su", Mode: 0o4755, Size: 2, PAXRecords: map[string]string{
			"SCHILY.xattr.security.capability": "\x01\x00\x00\x02", "comment": "not an xattr",
		}}, body: "su"},
	)
	wantPaths := []string{"/usr", "/usr/bin", "/usr/bin/python3", "/usr/bin/python", "/usr/bin/python3.12", "/run/fifo", "/dev/null", "/dev/sda", "/usr/bin/su"}
	wantTypes := []EntryType{TypeDir, TypeDir, TypeFile, TypeSymlink, TypeHardlink, TypeFIFO, TypeChar, TypeBlock, TypeFile}
	for _, c := range codecs {
		t.Run(string(c), func(t *testing.T) {
			t.Parallel()
			img := imageOf(t, layerOf(t, c, data), layerOf(t, c, buildTar(t, reg("app/main.py", "print()"))))
			rec := newRecorder()
			rec.want = func(*Entry) int64 { return 100 }
			if err := Walk(context.Background(), img, []Visitor{rec}); err != nil {
				t.Fatalf("Walk() = %v", err)
			}
			lr := rec.layer(t, 0)
			if got := lr.paths(); !slices.Equal(got, wantPaths) {
				t.Errorf("paths = %q, want %q", got, wantPaths)
			}
			for i, e := range lr.entries {
				if e.Type != wantTypes[i] {
					t.Errorf("%s: Type = %v, want %v", e.Path, e.Type, wantTypes[i])
				}
				if e.Flags != 0 {
					t.Errorf("%s: Flags = %b, want none", e.Path, e.Flags)
				}
			}
			if got := string(lr.contents[2]); got != "#!ELF" {
				t.Errorf("content of python3 = %q, want %q", got, "#!ELF")
			}
			if lr.contents[0] != nil {
				t.Errorf("content of a directory = %q, want nil", lr.contents[0])
			}
			if got := lr.entries[3].Linkname; got != "python3" {
				t.Errorf("symlink Linkname = %q, want python3", got)
			}
			if got, want := lr.entries[8].Mode, fs.FileMode(0o755)|fs.ModeSetuid; got != want {
				t.Errorf("su Mode = %v, want %v", got, want)
			}
			if got, want := lr.entries[8].Xattrs, map[string]string{"security.capability": "\x01\x00\x00\x02"}; !maps.Equal(got, want) {
				t.Errorf("su Xattrs = %q, want %q", got, want)
			}
			if lr.entries[2].Xattrs != nil {
				t.Errorf("python3 Xattrs = %q, want nil", lr.entries[2].Xattrs)
			}
			if lr.stats == nil {
				t.Fatal("Done was not called")
			}
			if want := (Stats{Entries: 9, TarBytes: int64(len(data)), FileBytes: 7}); *lr.stats != want {
				t.Errorf("Stats = %+v, want %+v", *lr.stats, want)
			}
			if lr.info.CreatedBy != "RUN step 0" || rec.layer(t, 1).info.CreatedBy != "RUN step 1" {
				t.Errorf("CreatedBy = %q, %q", lr.info.CreatedBy, rec.layer(t, 1).info.CreatedBy)
			}
			if lr.info.DiffID != sha(data) {
				t.Errorf("DiffID = %v, want %v", lr.info.DiffID, sha(data))
			}
		})
	}
}

func TestWhiteouts(t *testing.T) {
	t.Parallel()
	data := buildTar(t,
		reg("etc/.wh.passwd", ""),
		reg("./var/lib/apt/lists/.wh..wh..opq", ""),
		reg(".wh..wh..opq", ""),
		reg(".wh..wh.plnk/123", ""),
		reg("usr/.wh..wh.aufs", ""),
		reg("a/.wh..", ""),
		reg("a/.wh.", ""),
		reg(".wh.root", ""),
	)
	rec := newRecorder()
	rec.want = func(*Entry) int64 { return 10 }
	if err := Walk(context.Background(), imageOf(t, layerOf(t, codecGzip, data)), []Visitor{rec}); err != nil {
		t.Fatalf("Walk() = %v", err)
	}
	type got struct {
		Path             string
		Whiteout, Opaque bool
		Flags            Flags
		ContentWasHanded bool
	}
	want := []got{
		{Path: "/etc/passwd", Whiteout: true},
		{Path: "/var/lib/apt/lists", Opaque: true},
		{Path: "/", Opaque: true},
		// .wh..wh.plnk/123 is under an aufs directory but not a marker itself.
		{Path: "/.wh..wh.plnk/123", ContentWasHanded: true},
		// usr/.wh..wh.aufs skipped
		{Path: "/a/.wh..", Flags: FlagBadWhiteout, ContentWasHanded: true},
		{Path: "/a/.wh.", Flags: FlagBadWhiteout, ContentWasHanded: true},
		{Path: "/root", Whiteout: true},
	}
	lr := rec.layer(t, 0)
	var gots []got
	for i, e := range lr.entries {
		gots = append(gots, got{e.Path, e.Whiteout, e.Opaque, e.Flags, lr.contents[i] != nil})
	}
	if !slices.Equal(gots, want) {
		t.Errorf("entries =\n%+v\nwant\n%+v", gots, want)
	}
	if lr.stats.Entries != 8 {
		t.Errorf("Stats.Entries = %d, want 8 (skipped markers count)", lr.stats.Entries)
	}
}

func TestContentOnlyToWantingVisitorsAndCapped(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("0123456789", 50) // 500 bytes
	img := imageOf(t, layerOf(t, codecGzip, buildTar(t, reg("f", body), reg("empty", ""), dir("d"))))
	wants := []int64{10, 0, 1 << 20}
	recs := make([]*recorder, len(wants))
	var vs []Visitor
	for i, w := range wants {
		recs[i] = newRecorder()
		recs[i].want = func(*Entry) int64 { return w }
		vs = append(vs, recs[i])
	}
	if err := Walk(context.Background(), img, vs, WithMaxContent(100)); err != nil {
		t.Fatalf("Walk() = %v", err)
	}
	tests := []struct {
		rec      int
		f, empty []byte
	}{
		{0, []byte(body[:10]), []byte{}},
		{1, nil, nil},
		{2, []byte(body[:100]), []byte{}},
	}
	for _, tt := range tests {
		lr := recs[tt.rec].layer(t, 0)
		if got := lr.contents[0]; !bytes.Equal(got, tt.f) || (got == nil) != (tt.f == nil) {
			t.Errorf("visitor %d (want %d): content of f = %q, want %q", tt.rec, wants[tt.rec], got, tt.f)
		}
		if got := lr.contents[1]; (got == nil) != (tt.empty == nil) || len(got) != 0 {
			t.Errorf("visitor %d: content of empty = %#v, want %#v", tt.rec, got, tt.empty)
		}
		if lr.contents[2] != nil {
			t.Errorf("visitor %d: content of dir = %q, want nil", tt.rec, lr.contents[2])
		}
	}
}

func TestConcurrencyBound(t *testing.T) {
	t.Parallel()
	var ls []v1.Layer
	for i := range 8 {
		ls = append(ls, layerOf(t, codecGzip, buildTar(t, reg("f", strings.Repeat("x", i)), reg("g", ""))))
	}
	for _, n := range []int{1, 3} {
		rec := newRecorder()
		rec.delay = 20 * time.Millisecond
		if err := Walk(context.Background(), imageOf(t, ls...), []Visitor{rec}, WithConcurrency(n)); err != nil {
			t.Fatalf("Walk() = %v", err)
		}
		if got := rec.peak.Load(); got != int32(n) {
			t.Errorf("WithConcurrency(%d): peak concurrent layers = %d, want %d", n, got, n)
		}
		for i := range 8 {
			if got := rec.layer(t, i).paths(); !slices.Equal(got, []string{"/f", "/g"}) {
				t.Errorf("layer %d paths = %q", i, got)
			}
		}
	}
}

func TestVisitorErrorStopsWalk(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	img := imageOf(t, layerOf(t, codecGzip, buildTar(t, reg("a", ""))), layerOf(t, codecGzip, buildTar(t, reg("b", ""))))
	rec := newRecorder()
	rec.onEntry = func(e *Entry) error {
		if e.Path == "/b" {
			return boom
		}
		return nil
	}
	err := Walk(context.Background(), img, []Visitor{rec})
	var le *LayerError
	if !errors.Is(err, boom) || !errors.As(err, &le) || le.Index != 1 {
		t.Fatalf("Walk() = %v, want boom in layer 1", err)
	}
}

func TestProgress(t *testing.T) {
	t.Parallel()
	img := imageOf(t,
		layerOf(t, codecGzip, buildTar(t, reg("a", "a"))),
		layerOf(t, codecZstd, buildTar(t, reg("b", "b"))),
		layerOf(t, codecNone, buildTar(t, reg("c", "c"))))
	var mu sync.Mutex
	var last Progress
	dones := 0
	err := Walk(context.Background(), img, nil, WithProgress(func(p Progress) {
		mu.Lock()
		defer mu.Unlock()
		last = p
		if p.Done {
			dones++
			if p.Read != p.Size {
				t.Errorf("layer %d done with Read %d of %d", p.Layer, p.Read, p.Size)
			}
		}
	}))
	if err != nil {
		t.Fatalf("Walk() = %v", err)
	}
	if dones != 3 || last.LayersDone != 3 || last.Layers != 3 || last.TotalRead != last.TotalSize || last.TotalSize == 0 {
		t.Errorf("dones = %d, last = %+v", dones, last)
	}
}

func TestLegacyAndSkippedTypes(t *testing.T) {
	t.Parallel()
	var data []byte
	data = append(data, ustarBlock("old", '\x00', 5)...) // pre-POSIX regular file
	data = append(data, pad("hello")...)
	data = append(data, ustarBlock("olddir/", '\x00', 0)...) // pre-POSIX directory
	data = append(data, ustarBlock("label", 'V', 0)...)      // GNU volume label: skipped
	data = append(data, ustarBlock("weird", 'Z', 0)...)      // unknown type: skipped
	data = append(data, buildTar(t,
		file{hdr: tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "global", PAXRecords: map[string]string{"comment": "hi"}}},
		reg("new", "x"),
	)...)
	rec := newRecorder()
	rec.want = func(*Entry) int64 { return 100 }
	if err := Walk(context.Background(), imageOf(t, layerOf(t, codecGzip, data)), []Visitor{rec}); err != nil {
		t.Fatalf("Walk() = %v", err)
	}
	lr := rec.layer(t, 0)
	if got, want := lr.paths(), []string{"/old", "/olddir", "/new"}; !slices.Equal(got, want) {
		t.Fatalf("paths = %q, want %q", got, want)
	}
	if lr.entries[0].Type != TypeFile || string(lr.contents[0]) != "hello" || lr.entries[1].Type != TypeDir {
		t.Errorf("legacy entries = %+v / %q", lr.entries[:2], lr.contents[0])
	}
	if lr.stats.Entries != 6 {
		t.Errorf("Stats.Entries = %d, want 6 (skipped types count)", lr.stats.Entries)
	}
}
