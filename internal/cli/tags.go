package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/baseimage"
	"github.com/pyimg/pyimg/report"
)

type tagsFlags struct {
	registryFlags
	python  string
	variant string
	os      string
	format  string
	now     string
}

func newTagsCmd(a *app) *cobra.Command {
	var fl tagsFlags
	cmd := &cobra.Command{
		Use:   "tags [REPO]",
		Short: "List a python image repository's tags by series, variant and OS, with end of life",
		Long: `List the tags of a python image repository (default docker.io/library/python)
grouped by Python series, variant (full, slim, alpine, ...) and OS release,
with the newest exact tag of each group and the end-of-life status of the
series and the OS at --now, from pyimg's embedded lifecycle data.

Tags without an OS release ("3.12-slim") are grouped with the release they
point to according to that data. Registry failures exit 3.`,
		Example: `  pyimg tags
  pyimg tags --python 3.12 --variant slim --os trixie
  pyimg tags --insecure 127.0.0.1:5000/library/python --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			repo := baseimage.DefaultRepo
			if len(args) == 1 {
				repo = args[0]
			}
			return a.runTags(cmd, fl, repo)
		},
	}
	fl.registryFlags.register(cmd)
	f := cmd.Flags()
	f.StringVar(&fl.python, "python", "", "only this Python series (3.12) or major version (3)")
	f.StringVar(&fl.variant, "variant", "", "only this variant: default, slim, alpine, windowsservercore, nanoserver")
	f.StringVar(&fl.os, "os", "", "only this OS release, e.g. trixie, bookworm, alpine3.22")
	f.StringVarP(&fl.format, "format", "f", "text", "output format: text or json")
	f.StringVar(&fl.now, "now", "", "date for end-of-life status, YYYY-MM-DD or RFC 3339 (default: now)")
	return cmd
}

// statusJSON is a lifecycle status as encoded in JSON.
type statusJSON struct {
	Support  string `json:"support"`
	Phase    string `json:"phase,omitempty"`
	EOL      string `json:"eol,omitempty"`
	DaysLeft *int   `json:"days_left,omitempty"`
}

func newStatusJSON(s baseimage.Status, known bool) *statusJSON {
	if !known {
		return nil
	}
	j := &statusJSON{Support: string(s.Support), Phase: s.Phase}
	if !s.EOL.IsZero() {
		j.EOL = s.EOL.Format(time.DateOnly)
		d := s.DaysLeft
		j.DaysLeft = &d
	}
	return j
}

type tagGroupJSON struct {
	Series   string      `json:"series"`
	Variant  string      `json:"variant"`
	OS       string      `json:"os"`
	Newest   string      `json:"newest,omitempty"`
	Python   *statusJSON `json:"python_status,omitempty"`
	OSStatus *statusJSON `json:"os_status,omitempty"`
	Tags     []string    `json:"tags"`
}

func (a *app) runTags(cmd *cobra.Command, fl tagsFlags, repo string) error {
	if err := checkFormat(fl.format, "text", "json"); err != nil {
		return err
	}
	now, err := a.parseNow(fl.now)
	if err != nil {
		return err
	}
	tags, err := a.registry(fl.registryFlags).Tags(cmd.Context(), repo)
	if err != nil {
		return registryErr(err)
	}
	k := a.knowledge()
	a.warnStaleData(k, now)
	groups, other := k.GroupTags(tags, now, baseimage.TagFilter{Python: fl.python, Variant: fl.variant, OS: fl.os})
	filtered := fl.python != "" || fl.variant != "" || fl.os != ""
	out := a.output(cmd.OutOrStdout(), fl.format != "json")
	defer report.Flush(out)
	if fl.format == "json" {
		js := struct {
			Repo   string         `json:"repo"`
			Now    string         `json:"now"`
			Total  int            `json:"total_tags"`
			Groups []tagGroupJSON `json:"groups"`
			Other  []string       `json:"other,omitempty"`
		}{Repo: repo, Now: now.Format(time.DateOnly), Total: len(tags), Groups: []tagGroupJSON{}}
		for _, g := range groups {
			js.Groups = append(js.Groups, tagGroupJSON{
				Series: g.Series, Variant: variantName(g.Variant), OS: g.OS, Newest: g.Newest,
				Python: newStatusJSON(g.Python, g.PythonKnown), OSStatus: newStatusJSON(g.OSStatus, g.OSKnown), Tags: g.Tags,
			})
		}
		if !filtered {
			js.Other = other
		}
		if err := report.EncodeJSON(out, js); err != nil {
			return runtimeError(fmt.Errorf("writing report: %w", err))
		}
		return nil
	}
	writeTagGroups(out, repo, len(tags), groups, other, filtered)
	return nil
}

func variantName(v string) string {
	if v == baseimage.VariantDefault {
		return "default"
	}
	return v
}

func statusText(s baseimage.Status, known bool) string {
	if !known {
		return "unknown"
	}
	if s.EOL.IsZero() {
		return string(s.Support)
	}
	switch s.Support {
	case baseimage.EOL:
		return fmt.Sprintf("EOL since %s", s.EOL.Format(time.DateOnly))
	case baseimage.Unreleased:
		return "unreleased"
	case baseimage.Unconfirmed:
		return "unconfirmed (data older than release)"
	}
	return fmt.Sprintf("%s until %s", s.Support, s.EOL.Format(time.DateOnly))
}

func writeTagGroups(w io.Writer, repo string, total int, groups []baseimage.TagGroup, other []string, filtered bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIES\tVARIANT\tOS\tNEWEST\tPYTHON\tOS SUPPORT\tTAGS")
	for _, g := range groups {
		series := g.Series
		if series == "" {
			series = "-"
		}
		osName := g.OS
		if osName == "" {
			osName = "-"
		}
		newest := g.Newest
		if newest == "" {
			newest = "-"
		}
		py := "-"
		if g.Series != "" {
			py = statusText(g.Python, g.PythonKnown)
		}
		list := g.Tags
		more := ""
		if len(list) > 6 {
			list, more = list[:6], fmt.Sprintf(" (+%d more)", len(g.Tags)-6)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s%s\n", series, variantName(g.Variant), osName, newest, py, statusText(g.OSStatus, g.OSKnown), strings.Join(list, " "), more)
	}
	tw.Flush()
	n := 0
	for _, g := range groups {
		n += len(g.Tags)
	}
	fmt.Fprintf(w, "\n%s: %d tags", repo, total)
	if filtered {
		fmt.Fprintf(w, ", %d shown", n)
	} else if len(other) > 0 {
		fmt.Fprintf(w, ", %d not python-style: %s", len(other), strings.Join(other, " "))
	}
	fmt.Fprintln(w)
}
