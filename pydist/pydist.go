// Package pydist reads the small files that describe installed Python
// distributions and virtual environments — RECORD, installed-files.txt,
// top_level.txt, pyvenv.cfg — and normalizes project names as PEP 503 does.
// analyze, inventory, the vulnerability store and the Dockerfile shell model
// share it so that every part of pyimg names and reads a distribution the
// same way.
package pydist

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"regexp"
	"strconv"
	"strings"
)

var pep503 = regexp.MustCompile(`[-_.]+`)

// NormalizeName returns the PEP 503 normalized form of a project name:
// lower case, every run of "-", "_" and "." replaced by one "-"
// ("Zope.Interface" → "zope-interface").
func NormalizeName(name string) string {
	return strings.ToLower(pep503.ReplaceAllString(strings.TrimSpace(name), "-"))
}

// cut drops an incomplete last line of content that was cut short.
func cut(b []byte, truncated bool) []byte {
	if !truncated {
		return b
	}
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[:i+1]
	}
	return nil
}

// ParseRecord returns the path column of a RECORD file (CSV rows of path,
// hash, size), as written: relative to the directory holding the
// .dist-info directory, or absolute. Malformed rows are skipped. When
// truncated is true the content was cut short and its last, incomplete line
// is ignored.
func ParseRecord(b []byte, truncated bool) []string {
	r := csv.NewReader(bytes.NewReader(cut(b, truncated)))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = true
	var out []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue
			}
			break
		}
		if len(rec) == 0 || strings.TrimSpace(rec[0]) == "" {
			continue
		}
		out = append(out, rec[0])
	}
	return out
}

// ParseLines returns the non-empty, trimmed lines of a text file such as
// installed-files.txt or top_level.txt, ignoring an incomplete last line
// when truncated.
func ParseLines(b []byte, truncated bool) []string {
	var out []string
	for line := range strings.SplitSeq(string(cut(b, truncated)), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// ParsePyvenv reads a virtual environment's pyvenv.cfg: the home directory
// of its base interpreter and the interpreter version, from "version"
// (venv, virtualenv) or else the first three parts of "version_info"
// (uv writes "3.12.7.final.0").
func ParsePyvenv(b []byte) (home, version string) {
	var info string
	for _, l := range ParseLines(b, false) {
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "home":
			home = path.Clean(strings.TrimSpace(v))
		case "version":
			if version == "" {
				version = strings.TrimSpace(v)
			}
		case "version_info":
			info = strings.TrimSpace(v)
		}
	}
	if version == "" {
		if p := strings.Split(info, "."); len(p) >= 3 {
			version = strings.Join(p[:3], ".")
		} else {
			version = info
		}
	}
	return home, version
}

// RecordEntry is one row of a RECORD file: a path, its hash as written
// ("sha256=<urlsafe base64, unpadded>", or "" when the row has none) and its
// size (-1 when the row gives none).
type RecordEntry struct {
	Path string
	Hash string
	Size int64
}

// ParseRecordEntries reads every row of a RECORD file strictly, for
// verifying a wheel against it: a row that is not valid CSV, has more than
// three columns, an empty path or a size that is not a non-negative integer
// is an error naming its line.
func ParseRecordEntries(b []byte) ([]RecordEntry, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	var out []RecordEntry
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parsing RECORD: %w", err)
		}
		line, _ := r.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if len(rec) > 3 || rec[0] == "" {
			return nil, fmt.Errorf("parsing RECORD: line %d: want path,hash,size", line)
		}
		e := RecordEntry{Path: rec[0], Size: -1}
		if len(rec) > 1 {
			e.Hash = rec[1]
		}
		if len(rec) > 2 && rec[2] != "" {
			n, err := strconv.ParseInt(rec[2], 10, 64)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("parsing RECORD: line %d: invalid size %q", line, rec[2])
			}
			e.Size = n
		}
		out = append(out, e)
	}
}
