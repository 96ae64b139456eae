package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/baseimage"
)

func newDataCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "data",
		Short: "Refresh or inspect the lifecycle data (Python, Debian, Alpine)",
		Long: `pyimg ships dated lifecycle data: Python series, Debian and Alpine releases
with their end-of-life dates. 'pyimg data update' refreshes it from the public
sources into $PYIMG_DATA, else $XDG_DATA_HOME/pyimg/knowledge.json, else
~/.local/share/pyimg/knowledge.json. Commands use that file when it is newer
than the data built into pyimg.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError(errors.New("missing subcommand: update or status"))
		},
	}
	cmd.AddCommand(newDataUpdateCmd(a), newDataStatusCmd(a))
	return cmd
}

func newDataUpdateCmd(a *app) *cobra.Command {
	src := baseimage.DefaultSources()
	var osSource, now string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Refresh the lifecycle data from the public sources",
		Long: `Fetch the Python release cycle (the devguide's release-cycle.json) and the
Debian and Alpine lifecycles (endoflife.date's API), merge them over the data
built into pyimg (keeping what the sources do not give: glibc and musl versions,
latest patch releases, known images), validate the result and write it
atomically. On any failure the existing data file is left as it was.`,
		Example: `  pyimg data update
  pyimg data update --source-python https://mirror.example.com/release-cycle.json
  pyimg data update --source-os file:///srv/lifecycles.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := a.parseNow(now)
			if err != nil {
				return err
			}
			if osSource != "" {
				src.Debian, src.Alpine = osSource, osSource
			}
			path, err := baseimage.DefaultDataPath(a.env.Getenv)
			if err != nil {
				return runtimeError(err)
			}
			r, err := baseimage.Refresh(cmd.Context(), src, t)
			if err != nil {
				return runtimeError(err)
			}
			if err := baseimage.WriteDataFile(path, r.Data); err != nil {
				return runtimeError(err)
			}
			out := cmd.OutOrStdout()
			for _, c := range r.Changes {
				fmt.Fprintf(out, "  %s\n", c)
			}
			fmt.Fprintf(out, "wrote %s (as of %s, %d changes)\n", path, r.Knowledge.AsOf.Format(time.DateOnly), len(r.Changes))
			if emb := baseimage.Embedded(); !r.Knowledge.AsOf.After(emb.AsOf) {
				fmt.Fprintf(a.env.Stderr, "warning: the embedded data (as of %s) is not older, so commands keep using it\n", emb.AsOf.Format(time.DateOnly))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&src.Python, "source-python", src.Python, "Python release-cycle JSON URL")
	f.StringVar(&src.Debian, "source-debian", src.Debian, "Debian lifecycle URL (endoflife.date API format)")
	f.StringVar(&src.Alpine, "source-alpine", src.Alpine, "Alpine lifecycle URL (endoflife.date API format)")
	f.StringVar(&osSource, "source-os", "", "one URL for both Debian and Alpine (an object with \"debian\" and \"alpine\" arrays)")
	f.StringVar(&now, "now", "", "the fetch date recorded as as_of (YYYY-MM-DD or RFC 3339)")
	return cmd
}

func newDataStatusCmd(a *app) *cobra.Command {
	var now, format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show which lifecycle data is in use, its date and sources",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			t, err := a.parseNow(now)
			if err != nil {
				return err
			}
			kd := a.loadKnowledge()
			age := int(t.Sub(kd.k.AsOf) / (24 * time.Hour))
			js := struct {
				Data    string            `json:"data"`
				Path    string            `json:"path"`
				Note    string            `json:"note,omitempty"`
				AsOf    string            `json:"as_of"`
				AgeDays int               `json:"age_days"`
				Stale   bool              `json:"stale"`
				Sources map[string]string `json:"sources"`
			}{
				Data: "embedded", Path: kd.path, Note: kd.note,
				AsOf: kd.k.AsOf.Format(time.DateOnly), AgeDays: age,
				Stale: t.Sub(kd.k.AsOf) > staleAfter, Sources: kd.k.Sources,
			}
			if kd.fromFile {
				js.Data = "file"
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(js)
			}
			if kd.fromFile {
				fmt.Fprintf(out, "data:    file %s\n", kd.path)
			} else {
				fmt.Fprintf(out, "data:    embedded (data file %s: %s)\n", kd.path, kd.note)
			}
			stale := ""
			if js.Stale {
				stale = "; older than 90 days, run 'pyimg data update'"
			}
			fmt.Fprintf(out, "as of:   %s (%d days%s)\n", js.AsOf, age, stale)
			fmt.Fprintln(out, "sources:")
			for _, key := range slices.Sorted(func(yield func(string) bool) {
				for k := range kd.k.Sources {
					if !yield(k) {
						return
					}
				}
			}) {
				fmt.Fprintf(out, "  %s: %s\n", key, kd.k.Sources[key])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&now, "now", "", "the date ages are measured at (YYYY-MM-DD or RFC 3339)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// loadedKnowledge is the lifecycle data in use and where it came from.
type loadedKnowledge struct {
	k        *baseimage.Knowledge
	path     string // the data file's path ("" when it cannot be found)
	fromFile bool
	note     string // why the file is not in use
}

// loadKnowledge returns the refreshed data file when it exists, is valid and
// is newer than the embedded data; otherwise the embedded data. A data file
// that cannot be read is reported on stderr, not fatal: commands keep working
// offline from the embedded data.
func (a *app) loadKnowledge() loadedKnowledge {
	emb := baseimage.Embedded()
	path, err := baseimage.DefaultDataPath(a.env.Getenv)
	if err != nil {
		return loadedKnowledge{k: emb, note: err.Error()}
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return loadedKnowledge{k: emb, path: path, note: "absent"}
	}
	k, err := baseimage.Load(path)
	if err != nil {
		fmt.Fprintf(a.env.Stderr, "warning: ignoring the lifecycle data file: %v; using the embedded data\n", err)
		return loadedKnowledge{k: emb, path: path, note: "invalid: " + err.Error()}
	}
	if !k.AsOf.After(emb.AsOf) {
		return loadedKnowledge{k: emb, path: path, note: fmt.Sprintf("as of %s, not newer than the embedded %s", k.AsOf.Format(time.DateOnly), emb.AsOf.Format(time.DateOnly))}
	}
	return loadedKnowledge{k: k, path: path, fromFile: true}
}

// knowledge returns the lifecycle data commands should use.
func (a *app) knowledge() *baseimage.Knowledge {
	return a.loadKnowledge().k
}
