package analyze

import (
	"io/fs"
	"regexp"
	"sort"
	"strings"

	"github.com/pyimg/pyimg/layers"
)

// runsAsRoot reports whether a config user means uid 0.
func runsAsRoot(user string) bool {
	u, _, _ := strings.Cut(strings.TrimSpace(user), ":")
	return u == "" || u == "root" || u == "0"
}

// shellNames are the executables that give an attacker an interactive
// shell when found in a bin directory.
var shellNames = map[string]bool{
	"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true, "mksh": true,
	"busybox": true, "csh": true, "tcsh": true, "fish": true, "rbash": true,
}

var packageManagers = []struct{ name, path string }{
	{"apt", "/usr/bin/apt"},
	{"apt", "/usr/bin/apt-get"},
	{"dpkg", "/usr/bin/dpkg"},
	{"dpkg", "/bin/dpkg"},
	{"apk", "/sbin/apk"},
	{"apk", "/usr/sbin/apk"},
	{"yum", "/usr/bin/yum"},
	{"dnf", "/usr/bin/dnf"},
	{"microdnf", "/usr/bin/microdnf"},
}

// networkTools are the executables that download files.
var networkTools = map[string]bool{"curl": true, "wget": true}

var pipExe = regexp.MustCompile(`^pip(\d+(\.\d+)?)?$`)

func (a *Analyzer) security(f *finalFS, ls []*layerData) Security {
	t := f.t
	s := Security{Shells: []string{}, PackageManagers: []string{}, NetworkTools: []string{}, Setuid: []FileFact{}, WorldWritable: []FileFact{}, Secrets: []Secret{}}
	if a.cfg != nil {
		s.User = a.cfg.Config.User
	}
	s.RunsAsRoot = runsAsRoot(s.User)

	seenPM := map[string]bool{}
	for _, pm := range packageManagers {
		if n, ok := t.lookup(pm.path); ok && f.present(n) && !seenPM[pm.name] {
			seenPM[pm.name] = true
			s.PackageManagers = append(s.PackageManagers, pm.name)
		}
	}

	for id := 1; id < t.len(); id++ {
		n := nodeID(id)
		if !f.present(n) {
			continue
		}
		r := f.rec(n)
		isExe := r.kind == layers.TypeFile || r.kind == layers.TypeSymlink || r.kind == layers.TypeHardlink
		if isExe && shellNames[t.name(n)] && strings.HasSuffix(t.name(t.parent(n)), "bin") {
			s.Shells = append(s.Shells, t.path(n))
		}
		if isExe && networkTools[t.name(n)] && strings.HasSuffix(t.name(t.parent(n)), "bin") {
			s.NetworkTools = append(s.NetworkTools, t.path(n))
		}
		if !seenPM["pip"] && (r.kind == layers.TypeFile || r.kind == layers.TypeSymlink) &&
			pipExe.MatchString(t.name(n)) && t.name(t.parent(n)) == "bin" {
			seenPM["pip"] = true
			s.PackageManagers = append(s.PackageManagers, "pip")
		}
		if r.kind == layers.TypeFile && r.mode&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
			s.Setuid = append(s.Setuid, FileFact{Path: t.path(n), Mode: modeString(r), Layer: int(f.layer[n])})
		}
		if r.kind != layers.TypeFile && r.kind != layers.TypeDir {
			// symlinks are always 0777; device nodes such as /dev/null are
			// meant to be writable; a hardlink shares its target's mode.
			continue
		}
		if r.mode.Perm()&0o002 == 0 {
			continue
		}
		if r.kind == layers.TypeDir && r.mode&fs.ModeSticky != 0 {
			continue
		}
		s.WorldWritable = append(s.WorldWritable, FileFact{Path: t.path(n), Mode: modeString(r), Layer: int(f.layer[n])})
	}
	sort.Strings(s.Shells)
	sort.Strings(s.NetworkTools)
	sort.Slice(s.Setuid, func(i, j int) bool { return s.Setuid[i].Path < s.Setuid[j].Path })
	sort.Slice(s.WorldWritable, func(i, j int) bool { return s.WorldWritable[i].Path < s.WorldWritable[j].Path })

	for li, d := range ls {
		for _, h := range d.secrets {
			r := &d.recs[h.rec]
			l := li
			sec := Secret{Kind: h.kind, Path: t.path(r.node), Layer: &l}
			sec.Deleted = f.layer[r.node] != int32(li) || f.idx[r.node] != h.rec
			s.Secrets = append(s.Secrets, sec)
		}
	}
	if a.cfg != nil {
		inEnv := map[string]bool{}
		for _, kv := range a.cfg.Config.Env {
			if name, kind := envSecret(kv); kind != "" {
				s.Secrets = append(s.Secrets, Secret{Kind: kind, Env: name})
				inEnv[name] = true
			}
		}
		for i, h := range a.cfg.History {
			for _, sec := range historySecrets(i, h.CreatedBy) {
				// "ENV NAME=..." in the history of a variable the config
				// still sets is the same secret, reported once above.
				if sec.Env != "" && inEnv[sec.Env] {
					continue
				}
				s.Secrets = append(s.Secrets, sec)
			}
		}
	}
	return s
}

// historySecrets finds credentials in one history created_by: build
// arguments BuildKit records as "RUN |2 A=1 B=2 /bin/sh -c ...", and tokens
// written literally in the command.
func historySecrets(i int, createdBy string) []Secret {
	var out []Secret
	seen := map[string]bool{}
	for _, nk := range commandSecrets(createdBy) {
		key := nk[0] + "\x00" + nk[1]
		if seen[key] {
			continue
		}
		seen[key], seen[nk[1]] = true, true
		idx := i
		out = append(out, Secret{Kind: nk[1], Env: nk[0], History: &idx})
	}
	for kind, re := range map[string]*regexp.Regexp{"aws-access-key": awsKeyRe, "github-token": githubRe, "private-key": privateKeyRe} {
		if !seen[kind] && re.MatchString(createdBy) {
			idx := i
			out = append(out, Secret{Kind: kind, History: &idx})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Kind < out[b].Kind })
	return out
}

// modeString renders permission bits with setuid, setgid and sticky as
// "4755".
func modeString(r *rec) string {
	m := uint32(r.mode.Perm())
	if r.mode&fs.ModeSetuid != 0 {
		m |= 0o4000
	}
	if r.mode&fs.ModeSetgid != 0 {
		m |= 0o2000
	}
	if r.mode&fs.ModeSticky != 0 {
		m |= 0o1000
	}
	const digits = "01234567"
	return string([]byte{digits[m>>9&7], digits[m>>6&7], digits[m>>3&7], digits[m&7]})
}
