package analyze

import (
	"bufio"
	"bytes"
	"path"
	"strings"

	"github.com/pyimg/pyimg/layers"
	"github.com/pyimg/pyimg/pydist"
)

// Content limits for the small files the analyzer reads.
const (
	maxMetadata = 64 << 10
	maxRecord   = 16 << 20
	maxSmall    = 4 << 10
	// maxRecordText bounds the RECORD and installed-files.txt paths kept
	// for the whole image, far above real images (a large ML image lists
	// a few MiB). Past it, lists are dropped and those packages count the
	// files of their metadata directory only.
	maxRecordText = 32 << 20
)

// fileKind says what a wanted file is.
type fileKind uint8

const (
	kindNone      fileKind = iota
	kindMetadata           // .dist-info/METADATA, .egg-info/PKG-INFO, NAME.egg-info file
	kindRecord             // .dist-info/RECORD
	kindInstalled          // .egg-info/installed-files.txt
	kindTopLevel           // top_level.txt
	kindInstaller          // INSTALLER
	kindPyvenv             // pyvenv.cfg
)

// parsedFile is what was read from the content of one wanted file.
type parsedFile struct {
	kind    fileKind
	name    string
	version string
	text    string // INSTALLER, pyvenv.cfg version
	// paths holds the RECORD / installed-files.txt entries, resolved to
	// absolute paths and joined by "\n". They are looked up (never
	// interned) once the walk is over: a RECORD listing millions of files
	// that do not exist costs its text, not a node each.
	paths     string
	topLevel  []string
	truncated bool
}

func classify(p string) (fileKind, int64) {
	dir, base := path.Split(p)
	dirBase := path.Base(dir)
	switch {
	case strings.HasSuffix(dirBase, ".dist-info"):
		switch base {
		case "METADATA":
			return kindMetadata, maxMetadata
		case "RECORD":
			return kindRecord, maxRecord
		case "top_level.txt":
			return kindTopLevel, maxMetadata
		case "INSTALLER":
			return kindInstaller, maxSmall
		}
	case strings.HasSuffix(dirBase, ".egg-info"):
		switch base {
		case "PKG-INFO":
			return kindMetadata, maxMetadata
		case "installed-files.txt":
			return kindInstalled, maxRecord
		case "top_level.txt":
			return kindTopLevel, maxMetadata
		case "INSTALLER":
			return kindInstaller, maxSmall
		}
	case strings.HasSuffix(base, ".egg-info"):
		// distutils installs a single PKG-INFO file named NAME-VER.egg-info.
		return kindMetadata, maxMetadata
	case base == "pyvenv.cfg":
		return kindPyvenv, maxSmall
	}
	return kindNone, 0
}

// want returns how many bytes of e the analyzer needs.
func (a *Analyzer) want(e *layers.Entry) int64 {
	_, n := classify(e.Path)
	if k := secretCandidate(e.Path); k != "" && e.Size > 0 {
		n = max(n, a.opts.maxSecretBytes)
	}
	return n
}

// parse reads the content of a wanted file of layer d.
func (a *Analyzer) parse(d *layerData, idx int32, e *layers.Entry, content []byte) {
	truncated := int64(len(content)) < e.Size
	if hint := secretCandidate(e.Path); hint != "" {
		if kinds := scanSecrets(e.Path, hint, content); len(kinds) > 0 {
			for _, k := range kinds {
				d.secrets = append(d.secrets, secretHit{kind: k, rec: idx})
			}
		}
	}
	kind, _ := classify(e.Path)
	if kind == kindNone {
		return
	}
	pf := &parsedFile{kind: kind, truncated: truncated}
	switch kind {
	case kindMetadata:
		pf.name, pf.version = parseMetadata(content)
	case kindRecord:
		if a.recordText.Load() <= maxRecordText {
			site := path.Dir(path.Dir(e.Path))
			pf.paths = a.keepList(a.resolveList(site, pydist.ParseRecord(content, truncated)))
		}
	case kindInstalled:
		if a.recordText.Load() <= maxRecordText {
			pf.paths = a.keepList(a.resolveList(path.Dir(e.Path), pydist.ParseLines(content, truncated)))
		}
	case kindTopLevel:
		pf.topLevel = pydist.ParseLines(content, truncated)
	case kindInstaller:
		pf.text = strings.TrimSpace(string(content))
	case kindPyvenv:
		_, pf.text = pydist.ParsePyvenv(content)
	}
	if d.parsed == nil {
		d.parsed = make(map[int32]*parsedFile)
	}
	d.parsed[idx] = pf
}

func (a *Analyzer) resolveList(base string, rels []string) string {
	var b strings.Builder
	for _, r := range rels {
		var p string
		if strings.HasPrefix(r, "/") {
			p = path.Clean(r)
		} else {
			p = path.Join(base, r)
		}
		if p == "/" {
			continue
		}
		b.WriteString(p)
		b.WriteByte('\n')
	}
	return b.String()
}

// keepList charges list to the image's budget for path lists and returns
// it, or "" once the budget is spent.
func (a *Analyzer) keepList(list string) string {
	if a.recordText.Load() > maxRecordText {
		return "" // spent: do not even keep this one
	}
	if a.recordText.Add(int64(len(list))) > maxRecordText {
		return ""
	}
	return list
}

// listedNodes returns the nodes of the paths a parsed list names that
// exist in the path table.
func (a *Analyzer) listedNodes(list string) []nodeID {
	var out []nodeID
	for list != "" {
		p, rest, _ := strings.Cut(list, "\n")
		list = rest
		if id, ok := a.paths.lookup(p); ok {
			out = append(out, id)
		}
	}
	return out
}

// parseMetadata reads Name and Version from the header block of a METADATA
// or PKG-INFO file (RFC 822 style).
func parseMetadata(b []byte) (name, version string) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 4096), len(b)+1)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "name":
			if name == "" {
				name = strings.TrimSpace(v)
			}
		case "version":
			if version == "" {
				version = strings.TrimSpace(v)
			}
		}
		if name != "" && version != "" {
			break
		}
	}
	return name, version
}
