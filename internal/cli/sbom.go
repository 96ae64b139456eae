package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/sbom"
)

type sbomFlags struct {
	format      string
	platform    string
	insecure    bool
	timestamp   string
	concurrency int
	limits      imageLimitFlags
}

func newSbomCmd(a *app) *cobra.Command {
	var fl sbomFlags
	cmd := &cobra.Command{
		Use:   "sbom IMAGE",
		Short: "List every package in an image as a table, SPDX 2.3 or CycloneDX 1.6",
		Long: `List every package installed in an image, read in one streaming pass over
its layers: Debian packages (dpkg status and distroless status.d), Alpine
packages (apk), Python distributions (dist-info and egg-info, in venvs,
site-packages, dist-packages and --target installs; marked when dpkg or apk
own them), the interpreter built from source in official python images, and
native libraries vendored in wheels (*.libs), each with a purl.

Output is deterministic: the same image gives the same document. The creation
time is now, unless --timestamp or SOURCE_DATE_EPOCH sets it.

IMAGE uses skopeo's transport names, as in 'pyimg analyze'.`,
		Example: `  pyimg sbom oci-archive:app.tar
  pyimg sbom --format spdx-json registry.example.com/app:1.0 > app.spdx.json
  pyimg sbom --format cyclonedx-json --timestamp 2026-01-01T00:00:00Z docker-archive:app.tar`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return a.runSbom(cmd, fl, args[0]) },
	}
	f := cmd.Flags()
	f.StringVarP(&fl.format, "format", "f", sbom.FormatTable, "output format: table, spdx-json or cyclonedx-json")
	f.StringVar(&fl.platform, "platform", "linux/amd64", "platform to pick from a multi-arch index, os/arch[/variant]")
	f.BoolVar(&fl.insecure, "insecure", false, "allow plain HTTP and unverified TLS to the registry (for loopback registries)")
	f.StringVar(&fl.timestamp, "timestamp", "", "creation time of the document, RFC 3339 or Unix seconds (default: SOURCE_DATE_EPOCH, else now)")
	f.IntVar(&fl.concurrency, "concurrency", 0, "layers read in parallel (default: min(CPUs, 4))")
	fl.limits.register(f)
	return cmd
}

// sbomCreated picks the document's creation time: --timestamp, else
// SOURCE_DATE_EPOCH, else the clock.
func (a *app) sbomCreated(flag string) (time.Time, error) {
	parse := func(s string) (time.Time, error) {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0).UTC(), nil
		}
		return time.Parse(time.RFC3339, s)
	}
	if s := strings.TrimSpace(flag); s != "" {
		t, err := parse(s)
		if err != nil {
			return time.Time{}, usageError(fmt.Errorf("--timestamp %q: want RFC 3339 (2026-01-02T15:04:05Z) or Unix seconds", flag))
		}
		return t, nil
	}
	if s := strings.TrimSpace(a.env.Getenv("SOURCE_DATE_EPOCH")); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, inputError(fmt.Errorf("SOURCE_DATE_EPOCH %q: want Unix seconds", s))
		}
		return time.Unix(n, 0).UTC(), nil
	}
	return a.env.Now(), nil
}

func (a *app) runSbom(cmd *cobra.Command, fl sbomFlags, ref string) error {
	if err := checkFormat(fl.format, sbom.Formats...); err != nil {
		return err
	}
	created, err := a.sbomCreated(fl.timestamp)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	ifl := imageFlags{platform: fl.platform, insecure: fl.insecure, concurrency: fl.concurrency, limits: fl.limits}
	img, err := a.openImage(ctx, ref, ifl)
	if err != nil {
		return err
	}
	inv, err := a.imageInventory(ctx, img, ifl)
	if err != nil {
		return err
	}
	src := sbom.Source{Name: ref, Digest: img.Digest.String(), Platform: platformName(img)}
	out := a.output(cmd.OutOrStdout(), fl.format == sbom.FormatTable)
	defer report.Flush(out)
	if err := sbom.Encode(out, fl.format, inv, src, sbom.WithCreated(created), sbom.WithToolVersion(a.env.Version)); err != nil {
		return runtimeError(err)
	}
	return nil
}
