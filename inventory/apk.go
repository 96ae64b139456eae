package inventory

import (
	"bytes"
	"strings"
)

// apkPackage is one package of an apk installed database.
type apkPackage struct {
	name, version, arch, origin, license string
	files                                []string
}

// parseApkInstalled parses /lib/apk/db/installed: blank-line separated
// records of "K:value" lines (P name, V version, A arch, o origin, L
// license, F directory, R file in the last F directory).
func parseApkInstalled(b []byte) []apkPackage {
	var out []apkPackage
	var cur apkPackage
	var dir string
	flush := func() {
		if cur.name != "" && cur.version != "" {
			if cur.origin == "" {
				cur.origin = cur.name
			}
			out = append(out, cur)
		}
		cur, dir = apkPackage{}, ""
	}
	for len(b) > 0 {
		var line []byte
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			line, b = b, nil
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if len(line) == 0 {
			flush()
			continue
		}
		if len(line) < 2 || line[1] != ':' {
			continue
		}
		v := string(line[2:])
		switch line[0] {
		case 'P':
			cur.name = v
		case 'V':
			cur.version = v
		case 'A':
			cur.arch = v
		case 'o':
			cur.origin = v
		case 'L':
			cur.license = v
		case 'F':
			dir = strings.Trim(v, "/")
		case 'R':
			if v == "" {
				continue
			}
			f := "/" + v
			if dir != "" {
				f = "/" + dir + "/" + v
			}
			cur.files = append(cur.files, f)
		}
	}
	flush()
	return out
}
