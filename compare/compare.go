// Package compare puts images side by side: sizes, layers, OS and libc,
// Python, package counts, vulnerabilities by severity, shells, package
// managers, compilers, network tools, user, wasted bytes and the shared
// libraries native extensions miss (package native), with deltas
// against a baseline and an optional package diff. Every image's layers are
// read in one pass (package layers), and a layer that several images share
// is read once.
package compare

import (
	"context"
	"fmt"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/pyimg/pyimg/analyze"
	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/layers"
	"github.com/pyimg/pyimg/native"
	"github.com/pyimg/pyimg/vuln"
)

// Input is one image to compare.
type Input struct {
	// Reference is the image as the user named it; it labels the image.
	Reference string
	Image     v1.Image
	// Config is the image's config file; nil reads it from Image.
	Config *v1.ConfigFile
	// Digest is the manifest digest, when known.
	Digest string
}

// Option configures Run.
type Option func(*options)

type options struct {
	walk     []layers.Option
	source   vuln.Source
	packages bool
	baseline int
}

// WithWalkOptions passes options to the layer walk.
func WithWalkOptions(opts ...layers.Option) Option {
	return func(o *options) { o.walk = append(o.walk, opts...) }
}

// WithVulnerabilities matches every image's packages against src; without
// it the CVE counts are nil ("no database").
func WithVulnerabilities(src vuln.Source) Option {
	return func(o *options) { o.source = src }
}

// WithPackageDiff lists, for every image but the baseline, the packages
// added, removed and changed against the baseline.
func WithPackageDiff(on bool) Option { return func(o *options) { o.packages = on } }

// WithBaseline sets the index of the image the others are compared with
// (default 0, the first); deltas are computed against it.
func WithBaseline(i int) Option { return func(o *options) { o.baseline = i } }

// Run reads every input's layers once (shared layers once overall) and
// returns the comparison, images in input order.
func Run(ctx context.Context, inputs []Input, opts ...Option) (*Result, error) {
	o := options{}
	for _, opt := range opts {
		opt(&o)
	}
	if len(inputs) == 0 {
		return nil, fmt.Errorf("no image to compare")
	}
	if o.baseline < 0 || o.baseline >= len(inputs) {
		return nil, fmt.Errorf("baseline %d out of range: %d images", o.baseline, len(inputs))
	}
	type state struct {
		an  *analyze.Analyzer
		inv *inventory.Visitor
		lib *native.Visitor
		cfg *v1.ConfigFile
	}
	states := make([]state, len(inputs))
	targets := make([]layers.Target, len(inputs))
	for i, in := range inputs {
		cfg := in.Config
		if cfg == nil {
			var err error
			if cfg, err = in.Image.ConfigFile(); err != nil {
				return nil, fmt.Errorf("reading config of %s: %w", in.Reference, err)
			}
		}
		// Files kept: native maps libraries and extensions to their owners.
		iv := inventory.New(cfg)
		st := state{cfg: cfg, an: analyze.New(cfg, analyze.WithTop(0)), inv: iv, lib: native.New(cfg, native.WithLabel(in.Reference), native.WithInventory(iv))}
		states[i] = st
		targets[i] = layers.Target{Image: in.Image, Visitors: []layers.Visitor{st.an, st.inv, st.lib}}
	}
	if err := layers.WalkImages(ctx, targets, o.walk...); err != nil {
		if ie, ok := err.(*layers.ImageError); ok {
			return nil, fmt.Errorf("reading %s: %w", inputs[ie.Image].Reference, ie.Err)
		}
		return nil, err
	}

	res := &Result{Images: make([]Image, len(inputs)), Baseline: o.baseline, Database: o.source != nil}
	invs := make([]*inventory.Inventory, len(inputs))
	for i, in := range inputs {
		st := states[i]
		ar, err := st.an.Result()
		if err != nil {
			return nil, fmt.Errorf("analyzing %s: %w", in.Reference, err)
		}
		inv, err := st.inv.Result()
		if err != nil {
			return nil, fmt.Errorf("listing packages of %s: %w", in.Reference, err)
		}
		invs[i] = inv
		img := row(in, ar, inv)
		if o.source != nil {
			m, err := vuln.MatchInventory(ctx, inv, o.source)
			if err != nil {
				return nil, fmt.Errorf("matching %s: %w", in.Reference, err)
			}
			img.CVEs = countCVEs(m.Matches)
		}
		lr, err := st.lib.Result()
		if err != nil {
			return nil, fmt.Errorf("resolving libraries of %s: %w", in.Reference, err)
		}
		img.MissingLibraries = []string{}
		for _, m := range lr.Missing {
			img.MissingLibraries = append(img.MissingLibraries, m.Soname)
		}
		sort.Strings(img.MissingLibraries)
		if img.Libc == "" {
			img.Libc = lr.Libc
		}
		if img.LibcVersion == "" {
			img.LibcVersion = lr.GlibcAvailable
		}
		res.Images[i] = img
	}
	for i := range res.Images {
		if i != o.baseline {
			d := delta(&res.Images[o.baseline], &res.Images[i])
			res.Images[i].Delta = &d
		}
	}
	if o.packages {
		for i := range inputs {
			if i == o.baseline {
				continue
			}
			pd := diffPackages(invs[o.baseline], invs[i])
			pd.Reference = inputs[i].Reference
			pd.Baseline = inputs[o.baseline].Reference
			res.PackageDiffs = append(res.PackageDiffs, pd)
		}
	}
	res.Differs = differing(res.Images)
	return res, nil
}

// row turns one image's analysis and inventory into its facts.
func row(in Input, ar *analyze.Result, inv *inventory.Inventory) Image {
	img := Image{
		Reference:       in.Reference,
		Digest:          in.Digest,
		SizeBytes:       ar.SizeBytes,
		CompressedBytes: ar.CompressedBytes,
		Layers:          len(ar.Layers),
		OS:              osName(inv.Distro),
		Libc:            inv.Distro.Libc,
		LibcVersion:     inv.Distro.LibcVersion,
		Python:          pythonVersion(ar.Interpreters),
		User:            ar.Security.User,
		RunsAsRoot:      ar.Security.RunsAsRoot,
		Shells:          orEmpty(ar.Security.Shells),
		PackageManagers: orEmpty(ar.Security.PackageManagers),
		NetworkTools:    orEmpty(ar.Security.NetworkTools),
		Compilers:       []string{},
		WastedBytes:     ar.WastedBytes,
		Efficiency:      ar.Efficiency,
	}
	img.Shell = len(img.Shells) > 0
	img.PackageManager = len(img.PackageManagers) > 0
	for _, l := range ar.Leftovers {
		if l.Kind == "compiler" {
			img.Compilers = append(img.Compilers, l.Path)
		}
	}
	for _, p := range inv.Packages {
		switch {
		case p.Ecosystem == inventory.EcosystemDebian || p.Ecosystem == inventory.EcosystemAlpine:
			img.OSPackages++
		case p.Ecosystem == inventory.EcosystemPyPI && !p.OSOwned && p.Parent == "":
			img.PythonPackages++
		}
	}
	return img
}

func osName(d inventory.Distro) string {
	switch {
	case d.PrettyName != "":
		return d.PrettyName
	case d.ID != "":
		return d.ID + " " + d.VersionID
	}
	return ""
}

// pythonVersion picks the image's main interpreter: the newest version
// outside a virtual environment, else the newest of any.
func pythonVersion(is []analyze.Interpreter) string {
	best, bestVenv := "", ""
	for _, i := range is {
		if i.Version == "" {
			continue
		}
		if i.Venv == "" {
			if best == "" || versionLess(best, i.Version) {
				best = i.Version
			}
		} else if bestVenv == "" || versionLess(bestVenv, i.Version) {
			bestVenv = i.Version
		}
	}
	if best == "" {
		return bestVenv
	}
	return best
}

// versionLess compares dotted numeric versions ("3.9.2" < "3.11.0").
func versionLess(a, b string) bool {
	var x, y [4]int
	fmt.Sscanf(a, "%d.%d.%d.%d", &x[0], &x[1], &x[2], &x[3])
	fmt.Sscanf(b, "%d.%d.%d.%d", &y[0], &y[1], &y[2], &y[3])
	for i := range x {
		if x[i] != y[i] {
			return x[i] < y[i]
		}
	}
	return a < b
}

func countCVEs(ms []vuln.Match) *CVECounts {
	c := &CVECounts{}
	for _, m := range ms {
		switch m.Severity {
		case vuln.SeverityCritical:
			c.Critical++
		case vuln.SeverityHigh:
			c.High++
		case vuln.SeverityMedium:
			c.Medium++
		case vuln.SeverityLow:
			c.Low++
		default:
			c.Unknown++
		}
		c.Total++
	}
	return c
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// diffPackages lists what differs between the packages of base and other,
// keyed by ecosystem and name.
func diffPackages(base, other *inventory.Inventory) PackageDiff {
	key := func(p inventory.Package) string { return p.Ecosystem + "\x00" + p.Name }
	index := func(inv *inventory.Inventory) map[string]inventory.Package {
		m := map[string]inventory.Package{}
		for _, p := range inv.Packages {
			// Python distributions the OS package manager owns are in the
			// diff once, as their OS package; vendored libraries go with
			// the distribution that vendors them.
			if p.Parent != "" || p.OSOwned || (p.Ecosystem != inventory.EcosystemDebian && p.Ecosystem != inventory.EcosystemAlpine && p.Ecosystem != inventory.EcosystemPyPI) {
				continue
			}
			m[key(p)] = p
		}
		return m
	}
	a, b := index(base), index(other)
	d := PackageDiff{Added: []PackageChange{}, Removed: []PackageChange{}, Changed: []PackageChange{}}
	for k, p := range b {
		q, ok := a[k]
		switch {
		case !ok:
			d.Added = append(d.Added, PackageChange{Ecosystem: p.Ecosystem, Name: p.Name, To: p.Version})
		case q.Version != p.Version:
			d.Changed = append(d.Changed, PackageChange{Ecosystem: p.Ecosystem, Name: p.Name, From: q.Version, To: p.Version})
		}
	}
	for k, q := range a {
		if _, ok := b[k]; !ok {
			d.Removed = append(d.Removed, PackageChange{Ecosystem: q.Ecosystem, Name: q.Name, From: q.Version})
		}
	}
	for _, s := range [][]PackageChange{d.Added, d.Removed, d.Changed} {
		sort.Slice(s, func(i, j int) bool {
			if s[i].Ecosystem != s[j].Ecosystem {
				return s[i].Ecosystem < s[j].Ecosystem
			}
			return s[i].Name < s[j].Name
		})
	}
	return d
}
