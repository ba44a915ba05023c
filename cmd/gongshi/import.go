package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/store"
)

// importFlags are shared by check and import.
type importFlags struct {
	typ, kind, date, publisher, regime string
	maxRejected                        float64
	acceptBad                          bool
	shards                             int
	report                             string
}

func (f *importFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.typ, "type", "", "record type of a bare file (entity, penalty, license, abnormal, blacklist, dishonest_debtor, spot_check, redlist); default: recognised from its headers")
	fs.StringVar(&f.kind, "kind", importer.KindDelta, "kind of a bare file: full replaces what its publisher published of its type, delta adds and updates")
	fs.StringVar(&f.date, "date", "", "snapshot date of a bare file (default: its modification date)")
	fs.StringVar(&f.publisher, "publisher", "", "publisher of a bare file")
	fs.StringVar(&f.regime, "regime", envOr("GONGSHI_REGIME", importer.RegimeGSXT), "publication-period rules when a penalty has no 公示截止期: gsxt or ndrc")
	fs.Float64Var(&f.maxRejected, "max-rejected", 0.05, "refuse a snapshot when more than this share of its rows is rejected")
	fs.BoolVar(&f.acceptBad, "accept-bad-check-digits", false, "import codes that fail the GB 32100 check digit, with a warning")
	fs.IntVar(&f.shards, "shards", 0, "index shards (default: one per core)")
	fs.StringVar(&f.report, "report", "", "also write the JSON report to this file")
}

func (f *importFlags) options(data string) (importer.Options, error) {
	pol, err := importer.PolicyFor(f.regime)
	if err != nil {
		return importer.Options{}, err
	}
	t := index.RecordType(f.typ)
	if t != "" && !t.Valid() {
		return importer.Options{}, fmt.Errorf("--type %q is not a record type", f.typ)
	}
	return importer.Options{
		Data: index.DataDir(data), Shards: f.shards, MaxRejectedShare: f.maxRejected, Policy: pol,
		AcceptBadCheckDigits: f.acceptBad, Log: os.Stderr,
		Bare: importer.BareOptions{Type: t, Kind: f.kind, Date: f.date, Publisher: f.publisher},
	}, nil
}

func cmdCheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	var f importFlags
	f.register(fs)
	fs.Parse(args)
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gongshi check [flags] PATH")
		return exitError(2)
	}
	opts, err := f.options("")
	if err != nil {
		return err
	}
	rep, err := importer.Check(ctx, fs.Arg(0), opts)
	return finishReports(f.report, []*importer.Report{rep}, err)
}

func cmdImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	data := fs.String("data", envOr("GONGSHI_DATA", "data"), "data folder")
	db := fs.String("db", os.Getenv("GONGSHI_DB"), "SQL store with the portal's decisions (default: SQLite in the data folder)")
	allowShrink := fs.Bool("allow-shrink", false, "let a full snapshot withdraw more than --max-withdrawn of its publisher's documents of a type, or all of them with a file without data rows")
	rebuild := fs.Bool("rebuild", false, "build a new generation from the archived snapshots alone (DATA/snapshots), with the portal's decisions applied; for a generation of an older format")
	maxWithdrawn := fs.Float64("max-withdrawn", 0.2, "refuse a full snapshot that would withdraw more than this share of its publisher's current documents of a type")
	var f importFlags
	f.register(fs)
	fs.Parse(args)
	if (fs.NArg() == 0) != *rebuild {
		fmt.Fprintln(os.Stderr, "usage: gongshi import [--data DIR] [flags] PATH... | gongshi import --rebuild [--data DIR]")
		return exitError(2)
	}
	opts, err := f.options(*data)
	if err != nil {
		return err
	}
	paths := fs.Args()
	if *rebuild {
		if paths, err = importer.ArchivedSnapshots(index.DataDir(*data)); err != nil {
			return err
		}
		opts.Rebuild = true
	}
	// The portal's decisions (revocations, corrections, repairs) apply to every build, so the
	// agency's next file cannot bring a wrong record back.
	if err := os.MkdirAll(*data, 0o755); err != nil {
		return err
	}
	st, err := store.Open(ctx, *db, *data)
	if err != nil {
		return fmt.Errorf("open the objection store to apply its decisions: %w", err)
	}
	defer st.Close()
	opts.Corrections = st
	opts.AllowShrink, opts.MaxWithdrawnShare = *allowShrink, *maxWithdrawn
	reps, err := importer.Import(ctx, paths, opts)
	if err := finishReports(f.report, reps, err); err != nil {
		return err
	}
	return publishOpenData(ctx, index.DataDir(*data), st)
}

// publishOpenData regenerates the open-data files for today (China time) after an import, so
// that the downloads never lag the index, and says where they are.
func publishOpenData(ctx context.Context, dd index.DataDir, ov index.Overlay) error {
	day := time.Now().In(index.ChinaTime).Format(time.DateOnly)
	// The store's decisions and pending objections: the files match what the portal shows.
	cat, err := opendata.Publish(ctx, dd, day, ov, openDataOptions())
	if err != nil {
		return fmt.Errorf("open data: %w", err)
	}
	rows := 0
	for _, ds := range cat.Datasets {
		if len(ds.Versions) > 0 {
			rows += ds.Versions[0].Rows
		}
	}
	fmt.Printf("open data for %s: %d datasets, %d rows in %s (catalog: %s)\n", day, len(cat.Datasets), rows,
		opendata.Root(dd), filepath.Join(opendata.Root(dd), opendata.CatalogName))
	return nil
}

// openDataOptions reads the open-data settings shared by import and serve from the environment:
// GONGSHI_LICENCE, GONGSHI_LICENCE_URL, GONGSHI_PUBLISHER, GONGSHI_PUBLIC_URL, GONGSHI_RETENTION.
func openDataOptions() opendata.Options {
	o := opendata.Options{Licence: os.Getenv("GONGSHI_LICENCE"), LicenceURL: os.Getenv("GONGSHI_LICENCE_URL"),
		Publisher: os.Getenv("GONGSHI_PUBLISHER"), BaseURL: strings.TrimRight(os.Getenv("GONGSHI_PUBLIC_URL"), "/")}
	if n, err := strconv.Atoi(os.Getenv("GONGSHI_RETENTION")); err == nil {
		o.Retention = n
	}
	return o
}

// finishReports prints every report and turns a refusal into exit status 3.
func finishReports(path string, reps []*importer.Report, err error) error {
	for _, r := range reps {
		if r == nil {
			continue
		}
		r.Summary(os.Stdout)
		if path != "" {
			if werr := r.WriteJSON(path); werr != nil {
				return werr
			}
		}
	}
	if errors.Is(err, importer.ErrRefused) {
		fmt.Fprintln(os.Stderr, "gongshi:", err)
		fmt.Fprintln(os.Stderr, "nothing was imported; the serving generation is unchanged")
		return exitError(3)
	}
	return err
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
