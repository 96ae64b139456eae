package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/inventory"
	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/sign/policy"
	"github.com/pyimg/pyimg/vuln"
)

type verifyFlags struct {
	signFlags
	require     []string
	maxScanAge  string
	failOn      string
	format      string
	platform    string
	concurrency int
}

func newVerifyCmd(a *app) *cobra.Command {
	var fl verifyFlags
	cmd := &cobra.Command{
		Use:   "verify IMAGE --key cosign.pub",
		Short: "Check an image's signature and attestations before deploy",
		Long: `Verify checks, one line per check:

  signature            a signature over the exact manifest digest IMAGE names
                       verifies with the key (a tag moved to another image
                       fails, naming both digests)
  attestation:KIND     for each --require (sbom, scan, provenance): an
                       attestation of that kind signed with the key, whose
                       subject is the digest
  sbom-matches-image   the attested SBOM lists exactly the packages the image
                       holds (recomputed from its layers; differences listed)
  scan-age             the attested scan's vulnerability database is at most
                       --max-scan-age old
  scan-findings        with --fail-on: no attested finding at or above it
  provenance           the attested SLSA v1 provenance is well formed

Signatures and attestations are read where cosign stores them (and from OCI
1.1 referrers where the registry has that API, or with --referrers), so images
signed by cosign verify too.
Exit 1 when a check fails.`,
		Example: `  pyimg verify --key cosign.pub registry.example.com/app:1.0
  pyimg verify --key cosign.pub --require sbom,scan --max-scan-age 7d --fail-on high registry.example.com/app:1.0
  pyimg verify --key cosign.pub --format json registry.example.com/app@sha256:…`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runVerify(cmd, fl, args[0]) },
	}
	fl.add(cmd, "public key (cosign.pub)")
	f := cmd.Flags()
	f.StringSliceVar(&fl.require, "require", nil, "attestations that must be present: sbom, scan, provenance (comma-separated)")
	f.StringVar(&fl.maxScanAge, "max-scan-age", "7d", "largest age of an attested scan's database, e.g. 7d, 36h (0: no limit)")
	f.StringVar(&fl.failOn, "fail-on", "none", "fail when the attested scan has a finding at or above: unknown, low, medium, high, critical, or none")
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text or json")
	f.StringVar(&fl.platform, "platform", "linux/amd64", "platform whose packages the SBOM is compared with, for a multi-arch index")
	f.IntVar(&fl.concurrency, "concurrency", 0, "layers read in parallel for the SBOM comparison (default: min(CPUs, 4))")
	return cmd
}

func (a *app) runVerify(cmd *cobra.Command, fl verifyFlags, ref string) error {
	if err := checkFormat(fl.format, "text", "json"); err != nil {
		return err
	}
	maxAge, err := policy.ParseAge(fl.maxScanAge)
	if err != nil {
		return usageError(fmt.Errorf("--max-scan-age: %w", err))
	}
	opts := []policy.Option{
		policy.WithMaxScanAge(maxAge),
		policy.WithClock(a.env.Now),
		policy.WithSignOptions(a.signOptions(fl.signFlags)...),
	}
	var require []string
	for _, r := range fl.require {
		if r = strings.ToLower(strings.TrimSpace(r)); r != "" {
			require = append(require, r)
		}
	}
	opts = append(opts, policy.WithRequire(require...))
	if s := strings.ToLower(strings.TrimSpace(fl.failOn)); s != "none" && s != "never" && s != "" {
		sev, err := vuln.ParseSeverity(s)
		if err != nil {
			return usageError(fmt.Errorf("--fail-on: %w (or none)", err))
		}
		opts = append(opts, policy.WithFailOn(sev))
	}
	ifl := imageFlags{platform: fl.platform, insecure: fl.insecure, concurrency: fl.concurrency}
	opts = append(opts, policy.WithInventory(func(ctx context.Context, pinned string) (*inventory.Inventory, error) {
		img, err := a.openImage(ctx, pinned, ifl)
		if err != nil {
			return nil, err
		}
		return a.imageInventory(ctx, img, ifl)
	}))
	pub, err := loadPublicKey(fl.key)
	if err != nil {
		return err
	}
	rep, err := policy.Verify(cmd.Context(), ref, pub, opts...)
	if err != nil {
		var ee *exitError
		switch {
		case errors.As(err, &ee):
			return err
		case errors.Is(err, policy.ErrRequirement):
			return usageError(fmt.Errorf("--require: %w", err))
		}
		return signError(err)
	}
	out := cmd.OutOrStdout()
	if fl.format == "json" {
		err = report.EncodeJSON(out, rep)
	} else {
		err = a.writeVerifyText(out, rep)
	}
	if err != nil {
		return runtimeError(fmt.Errorf("writing report: %w", err))
	}
	if !rep.Passed {
		return errFindings
	}
	return nil
}

func (a *app) writeVerifyText(w io.Writer, rep *policy.Report) error {
	color := a.color(w)
	passed := 0
	for _, c := range rep.Checks {
		status := "PASS"
		if c.Status != policy.Pass {
			status = "FAIL"
		} else {
			passed++
		}
		if color {
			code := "32"
			if status == "FAIL" {
				code = "31"
			}
			status = "\x1b[" + code + "m" + status + "\x1b[0m"
		}
		fmt.Fprintf(w, "%s  %-22s %s\n", status, c.Name, c.Message)
		for _, d := range c.Details {
			fmt.Fprintf(w, "      %s\n", d)
		}
	}
	verdict := "verified"
	if !rep.Passed {
		verdict = "NOT verified"
	}
	_, err := fmt.Fprintf(w, "%s %s (%s): %d of %d checks passed, key %s\n", verdict, rep.Image, rep.Digest, passed, len(rep.Checks), rep.KeyID)
	return err
}
