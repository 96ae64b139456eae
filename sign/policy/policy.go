// Package policy verifies a signed image before deploy: its signature over
// the exact digest, the attestations a policy requires (signature and
// subject), that an attested SBOM lists the packages the image really
// holds, and that an attested scan is recent and below a severity gate.
// Each check gives one result; the caller decides how to show them.
package policy

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/pyimg/pyimg/image"
	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/sign"
	"github.com/pyimg/pyimg/sign/predicate"
	"github.com/pyimg/pyimg/vuln"
)

// Check statuses.
const (
	Pass = "pass"
	Fail = "fail"
)

// Check is the outcome of one check.
type Check struct {
	// Name is the check: "signature", "attestation:sbom", "sbom-matches-image",
	// "scan-age", "scan-findings", "provenance".
	Name string `json:"name"`
	// Status is Pass or Fail.
	Status string `json:"status"`
	// Message says what was found, in one line.
	Message string `json:"message"`
	// Details lists specifics (package differences, findings), if any.
	Details []string `json:"details,omitempty"`
}

// Report is the outcome of Verify.
type Report struct {
	Image  string  `json:"image"`
	Digest string  `json:"digest"`
	KeyID  string  `json:"key_id"`
	Passed bool    `json:"passed"`
	Checks []Check `json:"checks"`
}

// InventoryFunc lists the packages of the image at ref (a digest
// reference), for the SBOM comparison.
type InventoryFunc func(ctx context.Context, ref string) (*inventory.Inventory, error)

// Option configures Verify.
type Option func(*options)

type options struct {
	require    []string
	maxScanAge time.Duration
	failOn     *vuln.Severity
	now        func() time.Time
	signOpts   []sign.Option
	imageOpts  []image.Option
	inventory  InventoryFunc
}

// WithRequire names the attestations that must be present: "sbom"
// (CycloneDX or SPDX), "scan", "provenance".
func WithRequire(kinds ...string) Option { return func(o *options) { o.require = kinds } }

// WithMaxScanAge bounds the age of an attested scan, counted from its
// vulnerability database's date (what the scan could know), or from when
// it ran when the predicate does not say. Zero means no bound.
func WithMaxScanAge(d time.Duration) Option { return func(o *options) { o.maxScanAge = d } }

// WithFailOn fails the scan-findings check when the attested scan has a
// finding at or above sev.
func WithFailOn(sev vuln.Severity) Option { return func(o *options) { o.failOn = &sev } }

// WithClock sets the clock scan ages are measured with.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithSignOptions passes registry options to signature verification.
func WithSignOptions(opts ...sign.Option) Option {
	return func(o *options) { o.signOpts = append(o.signOpts, opts...) }
}

// WithImageOptions passes options to opening the image for the SBOM
// comparison (platform, insecure, keychain).
func WithImageOptions(opts ...image.Option) Option {
	return func(o *options) { o.imageOpts = append(o.imageOpts, opts...) }
}

// WithInventory replaces how the image's packages are listed (default:
// open the image and read its layers once).
func WithInventory(f InventoryFunc) Option { return func(o *options) { o.inventory = f } }

// ErrRequirement means an unknown --require kind.
var ErrRequirement = errors.New("unknown requirement")

// Verify runs every check on the image ref names, verified with pub. The
// error is non-nil only when verification could not run (bad reference,
// registry failure, unreadable image); failed checks are in the report.
func Verify(ctx context.Context, ref string, pub *ecdsa.PublicKey, opts ...Option) (*Report, error) {
	o := &options{now: time.Now}
	for _, opt := range opts {
		opt(o)
	}
	for _, r := range o.require {
		if _, ok := predicate.Requirements[r]; !ok {
			return nil, fmt.Errorf("%w %q: want sbom, scan or provenance", ErrRequirement, r)
		}
	}
	if o.inventory == nil {
		o.inventory = func(ctx context.Context, ref string) (*inventory.Inventory, error) {
			img, err := image.Open(ctx, ref, o.imageOpts...)
			if err != nil {
				return nil, err
			}
			inv, err := inventory.Image(ctx, img.Image, inventory.WithFiles(false))
			if err != nil {
				return nil, fmt.Errorf("listing packages of %s: %w", ref, err)
			}
			return inv, nil
		}
	}
	v, err := sign.Verify(ctx, ref, pub, o.signOpts...)
	if err != nil {
		return nil, err
	}
	rep := &Report{Image: ref, Digest: v.Target.Digest.String(), KeyID: sign.KeyID(pub)}
	add := func(c Check) { rep.Checks = append(rep.Checks, c) }

	if err := v.CheckSignature(); err != nil {
		add(Check{Name: "signature", Status: Fail, Message: strings.TrimPrefix(err.Error(), sign.ErrNoSignature.Error()+": ")})
	} else {
		add(Check{Name: "signature", Status: Pass, Message: fmt.Sprintf("%d signature(s) over %s verify with key %s", len(v.Signatures), v.Target.Digest, rep.KeyID)})
	}

	required := map[string]bool{}
	for _, r := range o.require {
		required[r] = true
	}
	kinds := make([]string, 0, len(predicate.Requirements))
	for k := range predicate.Requirements {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		atts := v.AttestationsOf(predicate.Requirements[kind]...)
		if required[kind] {
			add(attestationCheck(kind, atts, v))
		}
		if len(atts) == 0 {
			continue
		}
		latest := atts[len(atts)-1]
		switch kind {
		case "sbom":
			c, err := sbomCheck(ctx, o, v.Target, latest)
			if err != nil {
				return nil, err
			}
			add(c)
		case "scan":
			for _, c := range scanChecks(o, latest) {
				add(c)
			}
		case "provenance":
			if _, err := predicate.ParseProvenance(latest.Statement.Predicate); err != nil {
				add(Check{Name: "provenance", Status: Fail, Message: err.Error()})
			} else {
				add(Check{Name: "provenance", Status: Pass, Message: "SLSA v1 provenance with build type and builder id"})
			}
		}
	}
	rep.Passed = true
	for _, c := range rep.Checks {
		if c.Status != Pass {
			rep.Passed = false
		}
	}
	return rep, nil
}

func attestationCheck(kind string, atts []sign.Attestation, v *sign.Verification) Check {
	name := "attestation:" + kind
	if len(atts) == 0 {
		c := Check{Name: name, Status: Fail, Message: fmt.Sprintf("no %s attestation over %s verifies with the key (want predicate type %s)", kind, v.Target.Digest, strings.Join(predicate.Requirements[kind], " or "))}
		for _, r := range v.Rejected {
			if strings.HasPrefix(r, "attestation") {
				c.Details = append(c.Details, r)
			}
		}
		return c
	}
	return Check{Name: name, Status: Pass, Message: fmt.Sprintf("%d %s attestation(s) (%s) signed with the key, subject %s", len(atts), kind, atts[len(atts)-1].Statement.PredicateType, v.Target.Digest)}
}

// maxDetails bounds the differences listed in a check.
const maxDetails = 20

func sbomCheck(ctx context.Context, o *options, t *sign.Target, a sign.Attestation) (Check, error) {
	const name = "sbom-matches-image"
	attested, err := predicate.FromSBOM(a.Statement.Predicate)
	if err != nil {
		return Check{Name: name, Status: Fail, Message: err.Error()}, nil
	}
	inv, err := o.inventory(ctx, t.Repo.Digest(t.Digest.String()).String())
	if err != nil {
		return Check{}, fmt.Errorf("listing the packages of %s: %w", t.Digest, err)
	}
	actual := predicate.FromInventory(inv)
	attested, other := attested.Split()
	note := ""
	if len(other) > 0 {
		var parts []string
		for typ, n := range other {
			parts = append(parts, fmt.Sprintf("%d %s", n, typ))
		}
		sort.Strings(parts)
		note = fmt.Sprintf(" (not compared: %s, types pyimg does not list)", strings.Join(parts, ", "))
	}
	d := predicate.Compare(attested, actual)
	if d.Empty() {
		return Check{Name: name, Status: Pass, Message: fmt.Sprintf("the attested SBOM lists the image's %d packages%s", len(actual), note)}, nil
	}
	c := Check{Name: name, Status: Fail, Message: fmt.Sprintf("the attested SBOM differs from the image: %d package(s) in the image are missing from it, %d listed are not in the image%s", len(d.Missing), len(d.Extra), note)}
	for i, m := range d.Missing {
		if i == maxDetails {
			c.Details = append(c.Details, fmt.Sprintf("… %d more missing", len(d.Missing)-i))
			break
		}
		c.Details = append(c.Details, "missing from SBOM: "+m)
	}
	for i, m := range d.Extra {
		if i == maxDetails {
			c.Details = append(c.Details, fmt.Sprintf("… %d more not in the image", len(d.Extra)-i))
			break
		}
		c.Details = append(c.Details, "not in the image: "+m)
	}
	return c, nil
}

func scanChecks(o *options, a sign.Attestation) []Check {
	f, err := predicate.ParseScan(a.Statement.Predicate)
	if err != nil {
		return []Check{{Name: "scan-age", Status: Fail, Message: err.Error()}}
	}
	var out []Check
	if o.maxScanAge > 0 {
		at, what := f.Finished, "scan ran"
		if !f.DBBuilt.IsZero() {
			at, what = f.DBBuilt, "vulnerability database built"
		}
		age := o.now().Sub(at)
		c := Check{Name: "scan-age", Status: Pass}
		if age > o.maxScanAge {
			c.Status = Fail
		}
		c.Message = fmt.Sprintf("%s %s ago (%s), limit %s; scan ran %s", what, roundAge(age), at.UTC().Format(time.RFC3339), roundAge(o.maxScanAge), f.Finished.UTC().Format(time.RFC3339))
		out = append(out, c)
	}
	if o.failOn != nil {
		var bad []string
		for _, fd := range f.Findings {
			if fd.Severity >= *o.failOn {
				bad = append(bad, fmt.Sprintf("%s %s in %s %s", fd.Severity, fd.ID, fd.Package, fd.Version))
			}
		}
		c := Check{Name: "scan-findings", Status: Pass, Message: fmt.Sprintf("no attested finding at or above %s (%d findings)", *o.failOn, len(f.Findings))}
		if len(bad) > 0 {
			c.Status = Fail
			c.Message = fmt.Sprintf("%d attested finding(s) at or above %s", len(bad), *o.failOn)
			if len(bad) > maxDetails {
				bad = append(bad[:maxDetails], fmt.Sprintf("… %d more", len(bad)-maxDetails))
			}
			c.Details = bad
		}
		out = append(out, c)
	}
	return out
}

func roundAge(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%.1fd", d.Hours()/24)
	case d >= time.Hour:
		return d.Round(time.Minute).String()
	default:
		return d.Round(time.Second).String()
	}
}

// ParseAge parses a duration with a day unit too: "7d", "36h", "1d12h".
func ParseAge(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "0" {
		return 0, nil
	}
	var total time.Duration
	if days, rest, ok := strings.Cut(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err != nil || n < 0 || fmt.Sprint(n) != days {
			return 0, fmt.Errorf("age %q: want e.g. 7d, 36h or 1d12h", s)
		}
		total = time.Duration(n) * 24 * time.Hour
		s = rest
		if s == "" {
			return total, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("age %q: want e.g. 7d, 36h or 1d12h", s)
	}
	return total + d, nil
}
