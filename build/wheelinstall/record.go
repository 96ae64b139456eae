package wheelinstall

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"hash"
	"io"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/pyimg/pyimg/pydist"
)

// readRecord parses the wheel's RECORD and checks that every row names a
// file of the wheel and every file of the wheel but RECORD and its
// signatures has a row with a hash.
func (in *installer) readRecord() (map[string]pydist.RecordEntry, error) {
	name := in.distInfo + "/RECORD"
	b, err := readAll(in.files[name], 64<<20)
	if err != nil {
		return nil, in.fail(name, fmt.Errorf("%w: %v", ErrInvalid, err))
	}
	rows, err := pydist.ParseRecordEntries(b)
	if err != nil {
		return nil, in.fail(name, fmt.Errorf("%w: %v", ErrRecord, err))
	}
	record := make(map[string]pydist.RecordEntry, len(rows))
	for _, r := range rows {
		if _, dup := record[r.Path]; dup {
			return nil, in.fail(name, fmt.Errorf("%w: %q listed twice", ErrRecord, r.Path))
		}
		record[r.Path] = r
		if r.Path == name {
			continue
		}
		if in.files[r.Path] == nil {
			return nil, in.fail(r.Path, fmt.Errorf("%w: listed in RECORD but not in the wheel", ErrRecord))
		}
	}
	for n := range in.files {
		if in.isSignature(n) || n == name {
			continue
		}
		r, ok := record[n]
		if !ok {
			return nil, in.fail(n, fmt.Errorf("%w: not listed in RECORD", ErrRecord))
		}
		if r.Hash == "" {
			return nil, in.fail(n, fmt.Errorf("%w: RECORD gives no hash", ErrRecord))
		}
	}
	return record, nil
}

func (in *installer) isSignature(n string) bool {
	return n == in.distInfo+"/RECORD.jws" || n == in.distInfo+"/RECORD.p7s"
}

// place verifies one file of the wheel and adds it at its destination.
func (in *installer) place(n string, record map[string]pydist.RecordEntry) error {
	if in.isSignature(n) || n == in.distInfo+"/RECORD" || n == in.distInfo+"/INSTALLER" {
		return nil // rewritten; signatures of the old RECORD are void
	}
	zf := in.files[n]
	row := record[n]
	dest, script, err := in.destination(n)
	if err != nil {
		return in.fail(n, err)
	}
	mode := zf.Mode().Perm()
	f := &File{Path: dest, Mode: 0o644, zf: zf, wh: in.wheel, Hash: row.Hash, Size: int64(zf.UncompressedSize64)}
	if mode&0o111 != 0 || script {
		f.Mode = 0o755
	}
	if script {
		b, err := readAll(zf, in.o.limits.MaxBytes)
		if err != nil {
			return in.fail(n, err)
		}
		if err := verifyBytes(b, row); err != nil {
			return in.fail(n, err)
		}
		f.zf, f.data, f.Size = nil, rewriteShebang(b, in.o.interpreter()), 0
		f.Size = int64(len(f.data))
		f.Hash = recordHash(f.data)
	} else if in.o.verifyOnRead {
		if _, err := newVerifier(row.Hash, row.Size); err != nil {
			return in.fail(n, err)
		}
		if row.Size >= 0 && uint64(row.Size) != zf.UncompressedSize64 {
			return in.fail(n, fmt.Errorf("%w: size is %d, RECORD says %d", ErrRecord, zf.UncompressedSize64, row.Size))
		}
	} else if err := in.verify(zf, row); err != nil {
		return in.fail(n, err)
	}
	return in.add(f)
}

// add adds f to the output, refusing two files at one path.
func (in *installer) add(f *File) error {
	if f.zf == nil && f.Hash == "" {
		f.Size = int64(len(f.data))
		f.Hash = recordHash(f.data)
	}
	if _, dup := in.out[f.Path]; dup {
		return in.fail("", fmt.Errorf("%w: two files install to %s", ErrInvalid, f.Path))
	}
	in.out[f.Path] = f
	return nil
}

// destination maps an entry name to its path in the image. script reports
// a file of .data/scripts, whose "#!python" line is rewritten.
func (in *installer) destination(n string) (dest string, script bool, err error) {
	rest, ok := strings.CutPrefix(n, in.dataDir+"/")
	if !ok {
		return path.Join(in.o.sitePackages(), n), false, nil
	}
	scheme, sub, ok := strings.Cut(rest, "/")
	if !ok || sub == "" {
		return "", false, fmt.Errorf("%w: file directly in %s", ErrInvalid, in.dataDir)
	}
	switch scheme {
	case "purelib", "platlib":
		return path.Join(in.o.sitePackages(), sub), false, nil
	case "scripts":
		return path.Join(in.o.prefix, "bin", sub), true, nil
	case "headers":
		return path.Join(in.o.prefix, "include", "site", "python"+in.o.pythonVersion, in.name, sub), false, nil
	case "data":
		return path.Join(in.o.prefix, sub), false, nil
	}
	return "", false, fmt.Errorf("%w: unknown install scheme %q in %s", ErrInvalid, scheme, in.dataDir)
}

// verify streams a file of the wheel through its hash.
func (in *installer) verify(zf *zip.File, row pydist.RecordEntry) error {
	v, err := newVerifier(row.Hash, row.Size)
	if err != nil {
		return err
	}
	rc, err := zf.Open()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	defer rc.Close()
	if _, err := io.Copy(v.h, rc); err != nil {
		return fmt.Errorf("%w: reading: %v", ErrInvalid, err)
	}
	return v.check(int64(zf.UncompressedSize64))
}

func verifyBytes(b []byte, row pydist.RecordEntry) error {
	v, err := newVerifier(row.Hash, row.Size)
	if err != nil {
		return err
	}
	v.h.Write(b)
	return v.check(int64(len(b)))
}

// verifier checks content against a RECORD hash and size.
type verifier struct {
	h    hash.Hash
	want []byte
	algo string
	size int64
}

func newVerifier(h string, size int64) (*verifier, error) {
	algo, enc, ok := strings.Cut(h, "=")
	if !ok {
		return nil, fmt.Errorf("%w: malformed hash %q", ErrRecord, h)
	}
	var hh hash.Hash
	switch algo {
	case "sha256":
		hh = sha256.New()
	case "sha384":
		hh = sha512.New384()
	case "sha512":
		hh = sha512.New()
	default:
		return nil, fmt.Errorf("%w: hash algorithm %q is not allowed (sha256 or better)", ErrRecord, algo)
	}
	want, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(enc, "="))
	if err != nil || len(want) != hh.Size() {
		return nil, fmt.Errorf("%w: malformed hash %q", ErrRecord, h)
	}
	return &verifier{h: hh, want: want, algo: algo, size: size}, nil
}

func (v *verifier) check(n int64) error {
	if v.size >= 0 && v.size != n {
		return fmt.Errorf("%w: size is %d, RECORD says %d", ErrRecord, n, v.size)
	}
	if got := v.h.Sum(nil); !bytes.Equal(got, v.want) {
		return fmt.Errorf("%w: %s is %s, RECORD says %s", ErrRecord, v.algo,
			base64.RawURLEncoding.EncodeToString(got), base64.RawURLEncoding.EncodeToString(v.want))
	}
	return nil
}

// verifyingReader hashes what it reads and fails at EOF on a mismatch.
type verifyingReader struct {
	rc           io.ReadCloser
	v            *verifier
	n            int64
	wheel, entry string
}

func (r *verifyingReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.v.h.Write(p[:n])
	r.n += int64(n)
	if err == io.EOF {
		if verr := r.v.check(r.n); verr != nil {
			return n, &Error{Wheel: r.wheel, Entry: r.entry, Err: verr}
		}
	}
	return n, err
}

func (r *verifyingReader) Close() error { return r.rc.Close() }

// recordHash returns the RECORD form of b's SHA-256.
func recordHash(b []byte) string {
	sum := sha256.Sum256(b)
	return "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:])
}

// installedRecord writes the RECORD of the installed files, with paths
// relative to site-packages, sorted, RECORD itself last without a hash.
func (in *installer) installedRecord(distInfo string) *File {
	site := in.o.sitePackages()
	recordPath := path.Join(distInfo, "RECORD")
	rows := make([][]string, 0, len(in.out)+1)
	for _, f := range in.out {
		rows = append(rows, []string{relPath(site, f.Path), f.Hash, strconv.FormatInt(f.Size, 10)})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i][0] < rows[j][0] })
	var b bytes.Buffer
	for _, r := range rows {
		b.WriteString(csvField(r[0]) + "," + r[1] + "," + r[2] + "\n")
	}
	b.WriteString(csvField(relPath(site, recordPath)) + ",,\n")
	return &File{Path: recordPath, Mode: 0o644, data: b.Bytes()}
}

// relPath returns target relative to dir, both absolute and clean.
func relPath(dir, target string) string {
	d := strings.Split(strings.Trim(dir, "/"), "/")
	t := strings.Split(strings.Trim(target, "/"), "/")
	i := 0
	for i < len(d) && i < len(t) && d[i] == t[i] {
		i++
	}
	parts := make([]string, 0, len(d)-i+len(t)-i)
	for range d[i:] {
		parts = append(parts, "..")
	}
	parts = append(parts, t[i:]...)
	return strings.Join(parts, "/")
}

// csvField quotes a field the way Python's csv module does when needed.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
