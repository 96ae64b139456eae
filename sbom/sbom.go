// Package sbom encodes an image's inventory as a software bill of materials:
// SPDX 2.3 JSON (spdx/tools-golang), CycloneDX 1.6 JSON
// (CycloneDX/cyclonedx-go) or a plain table. Output is deterministic:
// components are sorted, identifiers derive from purls, the document
// namespace and serial number derive from the image digest, and the creation
// time is an option.
package sbom

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/package-url/packageurl-go"

	"github.com/pyimg/pyimg/inventory"
)

// Source describes the image an SBOM is about.
type Source struct {
	// Name is the image reference as the user gave it or as resolved
	// ("registry.example.com/app:1.0", "oci-archive:app.tar").
	Name string
	// Digest is the image manifest digest, "sha256:…".
	Digest string
	// Platform is the image's os/arch[/variant], if known.
	Platform string
}

// Format names accepted by Encode.
const (
	FormatSPDXJSON      = "spdx-json"
	FormatCycloneDXJSON = "cyclonedx-json"
	FormatTable         = "table"
)

// Formats lists the formats Encode writes.
var Formats = []string{FormatTable, FormatSPDXJSON, FormatCycloneDXJSON}

// Option configures an encoder.
type Option func(*options)

type options struct {
	created     time.Time
	toolVersion string
}

// WithCreated sets the document's creation time (default: now). Pass a
// fixed time, such as SOURCE_DATE_EPOCH, for reproducible output.
func WithCreated(t time.Time) Option { return func(o *options) { o.created = t } }

// WithToolVersion sets the pyimg version named as the document's creator.
func WithToolVersion(v string) Option { return func(o *options) { o.toolVersion = v } }

func newOptions(opts []Option) options {
	o := options{toolVersion: "devel"}
	for _, opt := range opts {
		opt(&o)
	}
	if o.created.IsZero() {
		o.created = time.Now()
	}
	o.created = o.created.UTC().Truncate(time.Second)
	return o
}

// Encode writes inv in format (one of Formats) to w.
func Encode(w io.Writer, format string, inv *inventory.Inventory, src Source, opts ...Option) error {
	switch format {
	case FormatSPDXJSON:
		return WriteSPDX(w, inv, src, opts...)
	case FormatCycloneDXJSON:
		return WriteCycloneDX(w, inv, src, opts...)
	case FormatTable:
		return WriteTable(w, inv, src)
	}
	return fmt.Errorf("unknown SBOM format %q (want %s)", format, strings.Join(Formats, ", "))
}

// component is a package with its stable identifier, in document order.
type component struct {
	pkg *inventory.Package
	id  string // SPDX element ID without "SPDXRef-"; also the CycloneDX bom-ref
}

// components returns inv's packages sorted by purl and location, with
// identifiers derived from each package's purl (and location, so the same
// distribution in two virtual environments gets two identifiers).
func components(inv *inventory.Inventory) []component {
	out := make([]component, 0, len(inv.Packages))
	for i := range inv.Packages {
		p := &inv.Packages[i]
		out = append(out, component{pkg: p, id: packageID(p)})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].pkg, out[j].pkg
		if a.PURL != b.PURL {
			return a.PURL < b.PURL
		}
		return a.Location < b.Location
	})
	// Identical purl and location cannot happen from one inventory, but an
	// inventory built by hand may repeat a package: keep IDs unique.
	seen := map[string]int{}
	for i := range out {
		id := out[i].id
		if n := seen[id]; n > 0 {
			out[i].id = fmt.Sprintf("%s-%d", id, n+1)
		}
		seen[id]++
	}
	return out
}

var idUnsafe = regexp.MustCompile(`[^A-Za-z0-9.-]+`)

// packageID is "Package-<type>-<name>-<version>-<hash>": readable, and
// stable for a given purl and location.
func packageID(p *inventory.Package) string {
	typ, name := p.Ecosystem, p.Name
	if u, err := packageurl.FromString(p.PURL); err == nil {
		typ = u.Type
	}
	h := sha256.Sum256([]byte(p.PURL + "\x00" + p.Location))
	s := "Package-" + typ + "-" + name + "-" + p.Version
	s = strings.Trim(idUnsafe.ReplaceAllString(s, "-"), "-")
	return s + "-" + hex.EncodeToString(h[:4])
}

// imagePURL returns the pkg:oci purl of the image: its name is the last
// path component of the repository, its version the digest.
func imagePURL(src Source) string {
	if src.Digest == "" {
		return ""
	}
	name := imageName(src)
	var q packageurl.Qualifiers
	if repo := repository(src.Name); repo != "" && strings.Contains(repo, "/") {
		q = append(q, packageurl.Qualifier{Key: "repository_url", Value: repo})
	}
	return packageurl.NewPackageURL(packageurl.TypeOCI, "", strings.ToLower(name), src.Digest, q, "").ToString()
}

// repository strips the tag and digest from a registry reference; it
// returns "" for transports other than a registry.
func repository(ref string) string {
	for _, t := range []string{"oci:", "oci-archive:", "docker-archive:"} {
		if strings.HasPrefix(ref, t) {
			return ""
		}
	}
	ref = strings.TrimPrefix(ref, "docker://")
	ref, _, _ = strings.Cut(ref, "@")
	if i := strings.LastIndexByte(ref, ':'); i > strings.LastIndexByte(ref, '/') {
		ref = ref[:i]
	}
	return ref
}

// imageName is a short name for the image: the repository's last path
// component, or the archive's file name.
func imageName(src Source) string {
	n := src.Name
	if r := repository(n); r != "" {
		n = r
	} else if _, rest, ok := strings.Cut(n, ":"); ok {
		n = rest
	}
	if i := strings.LastIndexByte(n, '/'); i >= 0 {
		n = n[i+1:]
	}
	if n == "" {
		n = "image"
	}
	return n
}

// digestHex returns the hex part of the digest, or a hash of the name when
// the digest is unknown.
func digestHex(src Source) string {
	if _, h, ok := strings.Cut(src.Digest, ":"); ok && h != "" {
		return h
	}
	s := sha256.Sum256([]byte(src.Name))
	return hex.EncodeToString(s[:])
}

// serialUUID derives an RFC 4122 version 5 UUID from the image digest, so the
// same image always gets the same CycloneDX serial number.
func serialUUID(src Source) string {
	// The URL namespace of RFC 4122, appendix C.
	ns := []byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte("https://github.com/pyimg/pyimg/sbom/" + digestHex(src)))
	u := h.Sum(nil)[:16]
	u[6] = (u[6] & 0x0f) | 0x50
	u[8] = (u[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// licenseExpression joins the declared licenses into one SPDX license
// expression when each is one made of known SPDX identifiers (canonical
// case restored); otherwise it returns "" and callers keep the text as a
// license name.
func licenseExpression(ls []string) string {
	var parts []string
	for _, l := range ls {
		e, ok := canonicalExpression(l)
		if !ok {
			return ""
		}
		if len(ls) > 1 && strings.Contains(e, " ") {
			e = "(" + e + ")"
		}
		parts = append(parts, e)
	}
	return strings.Join(parts, " AND ")
}

// canonicalExpression checks that s is an SPDX license expression over
// known identifiers and returns it with their canonical spelling.
func canonicalExpression(s string) (string, bool) {
	s = strings.NewReplacer("(", " ( ", ")", " ) ").Replace(s)
	toks := strings.Fields(s)
	if len(toks) == 0 {
		return "", false
	}
	depth, wantID := 0, true
	var b strings.Builder
	for i, t := range toks {
		switch {
		case t == "(":
			if !wantID {
				return "", false
			}
			depth++
		case t == ")":
			if wantID || depth == 0 {
				return "", false
			}
			depth--
		case strings.EqualFold(t, "AND") || strings.EqualFold(t, "OR") || strings.EqualFold(t, "WITH"):
			if wantID {
				return "", false
			}
			t = strings.ToUpper(t)
			wantID = true
		default:
			if !wantID {
				return "", false
			}
			id, plus := strings.CutSuffix(t, "+")
			c, ok := spdxIDs[strings.ToLower(id)]
			if !ok {
				if c, ok = spdxIDs[strings.ToLower(t)]; !ok {
					return "", false
				}
				plus = false
			}
			t = c
			if plus {
				t += "+"
			}
			wantID = false
		}
		if i > 0 && t != ")" && toks[i-1] != "(" {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	if wantID || depth != 0 {
		return "", false
	}
	return b.String(), true
}
