package wheeltest

import (
	"fmt"
	"os"
	"strings"
)

// Corruption names a way a hostile or broken wheel differs from a good one.
type Corruption string

// The corruptions Corrupt knows.
const (
	// DotDot adds an entry "../escaped.txt" (listed in RECORD).
	DotDot Corruption = "dotdot"
	// Absolute adds an entry "/tmp/wheeltest-absolute.txt" (listed in RECORD).
	Absolute Corruption = "absolute"
	// NestedDotDot adds "<pkg>/../../escaped.txt" (listed in RECORD).
	NestedDotDot Corruption = "nested-dotdot"
	// HashMismatch changes the first file's content after RECORD was written,
	// keeping its size.
	HashMismatch Corruption = "hash-mismatch"
	// SizeMismatch appends to the first file after RECORD was written.
	SizeMismatch Corruption = "size-mismatch"
	// NotInRecord adds a file RECORD does not list.
	NotInRecord Corruption = "not-in-record"
	// MissingFile lists in RECORD a file the archive lacks.
	MissingFile Corruption = "missing-file"
	// Symlink adds a symbolic link entry "<pkg>/passwd" -> "/etc/passwd" (listed in RECORD).
	Symlink Corruption = "symlink"
	// NoRecord leaves RECORD out.
	NoRecord Corruption = "no-record"
	// NoWheelFile leaves the WHEEL file out.
	NoWheelFile Corruption = "no-wheel-file"
)

// Corruptions lists every Corruption, for table tests.
func Corruptions() []Corruption {
	return []Corruption{DotDot, Absolute, NestedDotDot, HashMismatch, SizeMismatch, NotInRecord, MissingFile, Symlink, NoRecord, NoWheelFile}
}

// Corrupt writes a pure wheel for s with corruption c into dir and returns its
// path. The file name is the one Pure would give, so the wheel looks normal
// to anything that only reads names. s needs at least one file in Files (a
// module "<name>/__init__.py" is added when it has none).
func Corrupt(dir string, s Spec, c Corruption) (string, error) {
	if s.Tag == "" {
		s.Tag = "py3-none-any"
	}
	if len(s.Files) == 0 {
		pkg := strings.ToLower(EscapeName(s.Name))
		s.Files = map[string]string{pkg + "/__init__.py": "VALUE = 1\n"}
	}
	good, err := Entries(s)
	if err != nil {
		return "", err
	}
	files := good[:len(good)-1] // without RECORD
	recName := good[len(good)-1].Name
	pkg := strings.SplitN(files[0].Name, "/", 2)[0]
	withRecord := func(extra ...Entry) ([]Entry, error) {
		all := append(append([]Entry{}, files...), extra...)
		rec, err := Record(all, recName)
		if err != nil {
			return nil, err
		}
		return append(all, Entry{Name: recName, Data: rec}), nil
	}
	var out []Entry
	switch c {
	case DotDot:
		out, err = withRecord(Entry{Name: "../escaped.txt", Data: []byte("escaped\n")})
	case Absolute:
		out, err = withRecord(Entry{Name: "/tmp/wheeltest-absolute.txt", Data: []byte("absolute\n")})
	case NestedDotDot:
		out, err = withRecord(Entry{Name: pkg + "/../../escaped.txt", Data: []byte("escaped\n")})
	case Symlink:
		out, err = withRecord(Entry{Name: pkg + "/passwd", Data: []byte("/etc/passwd"), Mode: os.ModeSymlink | 0o777})
	case HashMismatch, SizeMismatch:
		out = append([]Entry{}, good...)
		d := append([]byte{}, out[0].Data...)
		if c == SizeMismatch {
			d = append(d, "# tampered\n"...)
		} else if len(d) > 0 {
			d[0] ^= 0x20
		} else {
			return "", fmt.Errorf("wheeltest: %s needs a non-empty first file", c)
		}
		out[0].Data = d
	case NotInRecord:
		out = append(append([]Entry{}, good...), Entry{Name: pkg + "/unlisted.py", Data: []byte("UNLISTED = 1\n")})
	case MissingFile:
		out, err = withRecord(Entry{Name: pkg + "/missing.py", Data: []byte("MISSING = 1\n")})
		if err == nil {
			// Drop the entry from the archive but keep its RECORD line.
			out = append(out[:len(out)-2], out[len(out)-1])
		}
	case NoRecord:
		out = files
	case NoWheelFile:
		var kept []Entry
		for _, e := range files {
			if !strings.HasSuffix(e.Name, ".dist-info/WHEEL") {
				kept = append(kept, e)
			}
		}
		files = kept
		out, err = withRecord()
	default:
		return "", fmt.Errorf("wheeltest: unknown corruption %q", c)
	}
	if err != nil {
		return "", err
	}
	return Write(dir, FileName(s, s.Tag), out)
}
