package target

import (
	"bufio"
	"bytes"
	"fmt"
	"path"
	"sort"
	"strings"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/layers"
)

// rec is what one layer says about one path.
type rec struct {
	layer    int
	deleted  bool
	typ      layers.EntryType
	linkname string
	content  []byte
}

// visitor collects the few paths that describe the runtime.
type visitor struct {
	mu     sync.Mutex
	recs   map[string][]rec // by path, any layer order
	opaque map[string][]int // directory → layers that made it opaque
}

func newVisitor() *visitor {
	return &visitor{recs: map[string][]rec{}, opaque: map[string][]int{}}
}

func (v *visitor) VisitLayer(l layers.Layer) layers.LayerVisitor {
	return &layerVisitor{v: v, layer: l.Index, recs: map[string]rec{}}
}

type layerVisitor struct {
	v      *visitor
	layer  int
	recs   map[string]rec
	opaque []string
}

// interesting reports whether p matters and how much of its content to keep.
func interesting(p string) (bool, int64) {
	switch {
	case p == "/var/lib/dpkg/status", p == "/lib/apk/db/installed":
		return true, 32 << 20
	case strings.HasPrefix(p, "/var/lib/dpkg/status.d/"):
		return true, 1 << 20
	case p == "/usr/bin/python3", p == "/usr/local/bin/python3", interpRE.MatchString(p):
		return true, 0
	case muslRE.MatchString(p):
		return true, 0
	}
	base := path.Base(p)
	if (base == "libc.so.6" || libcFileRE.MatchString(base)) && libDir(path.Dir(p)) {
		return true, 16 << 20
	}
	return false, 0
}

// libDir reports whether dir is where a C library lives.
func libDir(dir string) bool {
	for _, d := range []string{"/lib", "/lib64", "/usr/lib", "/usr/lib64"} {
		if dir == d || strings.HasPrefix(dir, d+"/") && strings.Count(dir[len(d):], "/") == 1 {
			return true
		}
	}
	return false
}

func (l *layerVisitor) Want(e *layers.Entry) int64 {
	ok, n := interesting(e.Path)
	if !ok || e.Type != layers.TypeFile || e.Whiteout {
		return 0
	}
	return n
}

func (l *layerVisitor) Entry(e *layers.Entry, content []byte) error {
	if e.Opaque {
		l.opaque = append(l.opaque, e.Path)
		return nil
	}
	if ok, _ := interesting(e.Path); !ok {
		return nil
	}
	r := rec{layer: l.layer, deleted: e.Whiteout, typ: e.Type, linkname: e.Linkname}
	if content != nil {
		r.content = bytes.Clone(content)
	}
	if e.Type == layers.TypeHardlink {
		// A hard link shares its target's content; a symlink to the same
		// target resolves the same way for these few paths.
		r.typ, r.linkname = layers.TypeSymlink, "/"+strings.TrimLeft(path.Clean("/"+e.Linkname), "/")
	}
	l.recs[e.Path] = r
	return nil
}

func (l *layerVisitor) Done(layers.Stats) error {
	l.v.mu.Lock()
	defer l.v.mu.Unlock()
	for p, r := range l.recs {
		l.v.recs[p] = append(l.v.recs[p], r)
	}
	for _, d := range l.opaque {
		l.v.opaque[d] = append(l.v.opaque[d], l.layer)
	}
	return nil
}

// final returns the content of the final file system for the collected
// paths: the topmost layer's record unless deleted or hidden by an opaque
// directory of a higher layer.
func (v *visitor) final() map[string]rec {
	out := map[string]rec{}
	for p, rs := range v.recs {
		sort.Slice(rs, func(i, j int) bool { return rs[i].layer > rs[j].layer })
		top := rs[0]
		if top.deleted || v.hidden(p, top.layer) {
			continue
		}
		out[p] = top
	}
	return out
}

func (v *visitor) hidden(p string, layer int) bool {
	for d := path.Dir(p); ; d = path.Dir(d) {
		for _, l := range v.opaque[d] {
			if l > layer {
				return true
			}
		}
		if d == "/" {
			return false
		}
	}
}

// resolve follows symbolic links among the collected paths.
func resolve(fs map[string]rec, p string) (string, bool) {
	for range 16 {
		r, ok := fs[p]
		if !ok {
			return "", false
		}
		if r.typ != layers.TypeSymlink {
			return p, true
		}
		t := r.linkname
		if !strings.HasPrefix(t, "/") {
			t = path.Join(path.Dir(p), t)
		}
		p = path.Clean(t)
	}
	return "", false
}

// target derives the Target from the final file system and the config.
func (v *visitor) target(cfg *v1.ConfigFile) (*Target, error) {
	fs := v.final()
	t := &Target{Implementation: "cp", OS: cfg.OS, Arch: Arch(cfg.Architecture, cfg.Variant)}
	if t.OS == "" {
		t.OS = "linux"
	}
	if t.Arch == "" {
		return nil, fmt.Errorf("%w: its config names no architecture", ErrIncomplete)
	}
	if err := t.findInterpreter(fs); err != nil {
		return nil, err
	}
	pkgs := packages(fs)
	t.findPythonVersion(cfg, pkgs)
	if err := t.findLibc(fs, pkgs); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *Target) findInterpreter(fs map[string]rec) error {
	// The interpreter "python3" names, /usr/local first (python:* images
	// build their own there), else the highest X.Y version present.
	for _, link := range []string{"/usr/local/bin/python3", "/usr/bin/python3"} {
		if p, ok := resolve(fs, link); ok && interpRE.MatchString(p) {
			return t.setInterpreter(p)
		}
	}
	var cands []string
	for p := range fs {
		if interpRE.MatchString(p) {
			if rp, ok := resolve(fs, p); ok && interpRE.MatchString(rp) {
				cands = append(cands, rp)
			}
		}
	}
	if len(cands) == 0 {
		return ErrNoPython
	}
	sort.Slice(cands, func(i, j int) bool {
		a, b := interpRE.FindStringSubmatch(cands[i]), interpRE.FindStringSubmatch(cands[j])
		if len(a[2]) != len(b[2]) {
			return len(a[2]) > len(b[2])
		}
		if a[2] != b[2] {
			return a[2] > b[2]
		}
		return cands[i] > cands[j] // /usr/local/bin sorts after /usr/bin
	})
	return t.setInterpreter(cands[0])
}

func (t *Target) setInterpreter(p string) error {
	m := interpRE.FindStringSubmatch(p)
	t.Interpreter = p
	t.PythonVersion = m[1] + "." + m[2]
	t.ABI = "cp" + m[1] + m[2] + m[3]
	return nil
}

// packages returns installed dpkg and apk package versions by name.
func packages(fs map[string]rec) map[string]string {
	out := map[string]string{}
	var files []string
	for p := range fs {
		if p == "/var/lib/dpkg/status" || p == "/lib/apk/db/installed" || strings.HasPrefix(p, "/var/lib/dpkg/status.d/") {
			files = append(files, p)
		}
	}
	sort.Strings(files)
	for _, f := range files {
		apk := f == "/lib/apk/db/installed"
		var name, version string
		installed := true
		flush := func() {
			if name != "" && version != "" && installed {
				out[name] = version
			}
			name, version, installed = "", "", true
		}
		sc := bufio.NewScanner(bytes.NewReader(fs[f].content))
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				flush()
			case apk && strings.HasPrefix(line, "P:"):
				name = line[2:]
			case apk && strings.HasPrefix(line, "V:"):
				version = line[2:]
			case !apk && strings.HasPrefix(line, "Package:"):
				name = strings.TrimSpace(line[len("Package:"):])
			case !apk && strings.HasPrefix(line, "Version:"):
				version = strings.TrimSpace(line[len("Version:"):])
			case !apk && strings.HasPrefix(line, "Status:"):
				installed = strings.HasSuffix(strings.TrimSpace(line), " installed")
			}
		}
		flush()
	}
	return out
}

func (t *Target) findPythonVersion(cfg *v1.ConfigFile, pkgs map[string]string) {
	for _, env := range cfg.Config.Env {
		if v, ok := strings.CutPrefix(env, "PYTHON_VERSION="); ok && strings.HasPrefix(v, t.PythonVersion+".") {
			t.PythonFullVersion = xyzRE.FindString(v)
			return
		}
	}
	for _, name := range []string{"python" + t.PythonVersion + "-minimal", "libpython" + t.PythonVersion + "-minimal", "python" + t.PythonVersion, "python3"} {
		if v := xyzRE.FindString(pkgs[name]); strings.HasPrefix(v, t.PythonVersion+".") {
			t.PythonFullVersion = v
			return
		}
	}
}

func (t *Target) findLibc(fs map[string]rec, pkgs map[string]string) error {
	var libcs, musl []string
	for p := range fs {
		switch {
		case muslRE.MatchString(p):
			musl = append(musl, p)
		case path.Base(p) == "libc.so.6":
			libcs = append(libcs, p)
		}
	}
	sort.Strings(libcs)
	switch {
	case len(libcs) > 0:
		t.Libc = "glibc"
		if v := xyRE.FindString(pkgs["libc6"]); v != "" {
			t.LibcVersion = v
			return nil
		}
		for _, p := range libcs {
			rp, ok := resolve(fs, p)
			if !ok {
				continue
			}
			if m := libcFileRE.FindStringSubmatch(path.Base(rp)); m != nil {
				t.LibcVersion = m[1]
				return nil
			}
			if m := glibcRE.FindSubmatch(fs[rp].content); m != nil {
				t.LibcVersion = string(m[1])
				return nil
			}
		}
		return fmt.Errorf("%w: it has glibc (%s) but its version is unknown: no dpkg libc6 entry and no version string", ErrIncomplete, libcs[0])
	case len(musl) > 0:
		t.Libc = "musl"
		if v := xyRE.FindString(pkgs["musl"]); v != "" {
			t.LibcVersion = v
			return nil
		}
		return fmt.Errorf("%w: it has musl (%s) but its version is unknown: no apk musl entry", ErrIncomplete, musl[0])
	}
	return fmt.Errorf("%w: no C library (libc.so.6 or ld-musl)", ErrIncomplete)
}
