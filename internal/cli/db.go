package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pyimg/pyimg/report"
	"github.com/pyimg/pyimg/vuln/osv"
	"github.com/pyimg/pyimg/vuln/store"
)

func newDBCmd(a *app) *cobra.Command {
	var dbPath string
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Manage the offline vulnerability database (OSV)",
		Long: `The vulnerability database holds OSV records for Debian, Alpine and PyPI in an
embedded bbolt file, by default $XDG_CACHE_HOME/pyimg/osv.db (else
~/.cache/pyimg/osv.db; --db or PYIMG_DB override). 'pyimg scan' reads it
offline. Updates build a new file and replace the old one only when complete,
so a failed update keeps the previous database.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError(errors.New("missing subcommand: update, import or status"))
		},
	}
	cmd.PersistentFlags().StringVar(&dbPath, "db", "", "database file (default $PYIMG_DB, else $XDG_CACHE_HOME/pyimg/osv.db)")
	cmd.AddCommand(newDBUpdateCmd(a, &dbPath), newDBImportCmd(a, &dbPath), newDBStatusCmd(a, &dbPath))
	return cmd
}

// dbPath resolves --db, PYIMG_DB and the cache directory.
func (a *app) dbPath(flag string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	p, err := store.DefaultPath(a.env.Getenv)
	if err != nil {
		return "", runtimeError(err)
	}
	return p, nil
}

func newDBUpdateCmd(a *app, dbPath *string) *cobra.Command {
	var source string
	var ecosystems []string
	cmd := &cobra.Command{
		Use:   "update",
		Short: "Download OSV records for Debian, Alpine and PyPI",
		Long: `Download <SOURCE>/<Ecosystem>/all.zip for each ecosystem (default source: the
public OSV bucket, ` + store.DefaultSource + `) and rebuild the
database from them. Downloads stream to temporary files beside the database.`,
		Example: `  pyimg db update
  pyimg db update --source https://mirror.example.com/osv
  PYIMG_DB=/tmp/osv.db pyimg db update --ecosystem PyPI`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := a.dbPath(*dbPath)
			if err != nil {
				return err
			}
			for _, e := range ecosystems {
				if !slices.Contains(store.DefaultEcosystems, e) {
					return usageError(fmt.Errorf("--ecosystem %q: want one of %s", e, strings.Join(store.DefaultEcosystems, ", ")))
				}
			}
			if source == "" {
				source = a.env.Getenv("PYIMG_OSV_SOURCE")
			}
			fmt.Fprintf(a.env.Stderr, "downloading OSV records from %s\n", cmp(source, store.DefaultSource))
			st, err := store.Update(cmd.Context(), path, source,
				store.WithEcosystems(ecosystems...),
				store.WithHTTPClient(&http.Client{Timeout: 30 * time.Minute}),
				store.WithUserAgent("pyimg/"+a.env.Version),
				store.WithBuildOptions(store.WithClock(a.env.Now)))
			if err != nil {
				return runtimeError(fmt.Errorf("updating %s: %w", path, err))
			}
			return a.printBuilt(cmd.OutOrStdout(), path, st)
		},
	}
	cmd.Flags().StringVar(&source, "source", "", "base URL serving <Ecosystem>/all.zip (default $PYIMG_OSV_SOURCE, else the OSV bucket)")
	cmd.Flags().StringSliceVar(&ecosystems, "ecosystem", store.DefaultEcosystems, "ecosystems to download")
	return cmd
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func newDBImportCmd(a *app, dbPath *string) *cobra.Command {
	var replace bool
	cmd := &cobra.Command{
		Use:   "import PATH...",
		Short: "Load OSV records from zips, JSON files or directories",
		Long: `Load OSV records from OSV all.zip archives, single JSON records or directory
trees of them, offline. Records are added to the existing database (a record
with the same id is replaced) unless --replace is given. A malformed record
aborts the import, names the file (and zip member) and keeps the previous
database.`,
		Example: `  pyimg db import Debian-all.zip PyPI-all.zip
  pyimg db import --replace ./advisories/`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := a.dbPath(*dbPath)
			if err != nil {
				return err
			}
			var inputs []store.Input
			for _, p := range args {
				if _, err := os.Stat(p); err != nil {
					return inputError(err)
				}
				inputs = append(inputs, store.Input{Path: p})
			}
			st, err := store.Build(cmd.Context(), path, inputs, store.WithMerge(!replace), store.WithClock(a.env.Now))
			if err != nil {
				err = fmt.Errorf("importing into %s: %w", path, err)
				if errors.Is(err, osv.ErrInvalid) || errors.Is(err, fs.ErrNotExist) {
					return inputError(err)
				}
				return runtimeError(err)
			}
			return a.printBuilt(cmd.OutOrStdout(), path, st)
		},
	}
	cmd.Flags().BoolVar(&replace, "replace", false, "replace the database instead of adding to it")
	return cmd
}

func (a *app) printBuilt(w io.Writer, path string, st store.Stats) error {
	db, err := store.Open(path)
	if err != nil {
		return runtimeError(err)
	}
	defer db.Close()
	s, err := db.Status()
	if err != nil {
		return runtimeError(err)
	}
	fmt.Fprintf(w, "%s: %d records stored (%d read, %d withdrawn skipped, %d replaced): %s\n",
		path, st.Total, st.Records, st.Withdrawn, st.Replaced, countsLine(s.Counts))
	return nil
}

func countsLine(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, counts[k]))
	}
	if len(parts) == 0 {
		return "no records"
	}
	return strings.Join(parts, ", ")
}

// maxDBAge is how old the database may be before scan and status warn.
const maxDBAge = 7 * 24 * time.Hour

// dbStatusJSON is `pyimg db status --format json`.
type dbStatusJSON struct {
	store.Status
	AgeHours float64 `json:"age_hours"`
	Stale    bool    `json:"stale"`
}

func newDBStatusCmd(a *app, dbPath *string) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show the database's age, sources and record counts",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "text", "json"); err != nil {
				return err
			}
			path, err := a.dbPath(*dbPath)
			if err != nil {
				return err
			}
			db, err := openDB(path)
			if err != nil {
				return err
			}
			defer db.Close()
			s, err := db.Status()
			if err != nil {
				return dbError(err)
			}
			age := a.env.Now().Sub(s.Built)
			out := a.output(cmd.OutOrStdout(), format != "json")
			defer report.Flush(out)
			if format == "json" {
				return report.EncodeJSON(out, dbStatusJSON{Status: s, AgeHours: age.Hours(), Stale: age > maxDBAge})
			}
			fmt.Fprintf(out, "database: %s (%s)\n", s.Path, humanBytes(s.Size))
			fmt.Fprintf(out, "built:    %s (%s)\n", s.Built.UTC().Format(time.RFC3339), humanAge(age))
			fmt.Fprintf(out, "records:  %d (%s)\n", s.Records, countsLine(s.Counts))
			for i, src := range s.Sources {
				label := "sources: "
				if i > 0 {
					label = "         "
				}
				fmt.Fprintf(out, "%s %s\n", label, src)
			}
			if age > maxDBAge {
				fmt.Fprintf(a.env.Stderr, "warning: the vulnerability database is %s; run 'pyimg db update'\n", humanAge(age))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

// openDB opens the database, mapping a missing one to an input error.
func openDB(path string) (*store.DB, error) {
	db, err := store.Open(path)
	if errors.Is(err, store.ErrNoDatabase) || errors.Is(err, store.ErrSchema) || errors.Is(err, store.ErrCorrupt) {
		return nil, inputError(err)
	}
	if err != nil {
		return nil, runtimeError(err)
	}
	return db, nil
}

func humanAge(d time.Duration) string {
	switch {
	case d < 0:
		return "built in the future"
	case d < time.Hour:
		return "less than an hour old"
	case d < 48*time.Hour:
		return fmt.Sprintf("%d hours old", int(d.Hours()))
	}
	return fmt.Sprintf("%d days old", int(d.Hours()/24))
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// dbError classifies an error from reading the database: damage is bad
// input (exit 2, with the advice to rebuild), anything else a runtime
// failure.
func dbError(err error) error {
	if errors.Is(err, store.ErrCorrupt) {
		return inputError(err)
	}
	return runtimeError(err)
}
