package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/mapping"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/atomicfile"
	"github.com/gongshi/gongshi/portal/store"
)

// importFlags are shared by check and import.
type importFlags struct {
	typ, kind, date, publisher, regime string
	maxRejected                        float64
	acceptBad                          bool
	shards                             int
	report                             string
	columns                            string
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
	fs.StringVar(&f.columns, "columns", "", `column mapping of a bare file (JSON: {"type": T, "columns": {"source header": "key"}, "values": {…}, "withhold": […]}); gongshi check --write-columns proposes one`)
}

// readColumns reads the --columns file, if any.
func (f *importFlags) readColumns() (*mapping.File, error) {
	if f.columns == "" {
		return nil, nil
	}
	r, err := os.Open(f.columns)
	if err != nil {
		return nil, fmt.Errorf("--columns: %w", err)
	}
	defer r.Close()
	m, err := mapping.Read(r)
	if err != nil {
		return nil, fmt.Errorf("--columns %s: %w", f.columns, err)
	}
	return m, nil
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
	cols, err := f.readColumns()
	if err != nil {
		return importer.Options{}, err
	}
	return importer.Options{
		Data: index.DataDir(data), Shards: f.shards, MaxRejectedShare: f.maxRejected, Policy: pol,
		AcceptBadCheckDigits: f.acceptBad, Log: os.Stderr,
		Bare: importer.BareOptions{Type: t, Kind: f.kind, Date: f.date, Publisher: f.publisher, Columns: cols},
	}, nil
}

func cmdCheck(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("check", flag.ExitOnError)
	var f importFlags
	f.register(fs)
	writeColumns := fs.String("write-columns", "", "write a proposed column mapping of the bare FILE to this path, inferred from its headers and contents (also when the check refuses); then import with --columns")
	fs.Parse(args)
	if fs.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gongshi check [flags] [--write-columns MAP.json] PATH")
		return exitError(2)
	}
	opts, err := f.options("")
	if err != nil {
		return err
	}
	path := fs.Arg(0)
	if *writeColumns != "" {
		// Written before the check, so that a refusal already has its remedy on disk.
		if err := proposeColumns(path, *writeColumns, opts.Bare); err != nil {
			return err
		}
	}
	rep, err := importer.Check(ctx, path, opts)
	ferr := finishReports(f.report, []*importer.Report{rep}, err)
	if ferr != nil && columnsRefusal([]*importer.Report{rep}, err) {
		hintColumns(path, *writeColumns, f.columns)
	}
	return ferr
}

// proposeColumns writes a ready-to-edit column mapping for a bare file and says what it holds.
func proposeColumns(path, to string, bare importer.BareOptions) error {
	var seed *mapping.Spec
	if bare.Columns != nil {
		seed = &bare.Columns.Spec
		if bare.Type == "" {
			bare.Type = bare.Columns.Type
		}
	}
	m, err := mapping.ProposeFile(path, bare.Type, seed)
	if err != nil {
		return fmt.Errorf("--write-columns: %w", err)
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(to, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("--write-columns: %w", err)
	}
	p := m.Proposal
	placed := len(p.Confidence) - len(p.Unplaced)
	fmt.Printf("wrote a proposed column mapping to %s: type %s, %d of %d columns placed", to, m.Type, placed, len(p.Confidence))
	if len(p.Unplaced) > 0 {
		fmt.Printf("; not placed (ignored): %s", strings.Join(p.Unplaced, ", "))
	}
	if len(p.MissingRequired) > 0 {
		fmt.Printf("; required fields without a column: %s", strings.Join(p.MissingRequired, ", "))
	}
	fmt.Println()
	return nil
}

// columnsRefusal reports whether a refusal is about the columns: a required field no column
// fills, a type the headers do not tell, or a column mapping that does not fit the file.
func columnsRefusal(reps []*importer.Report, err error) bool {
	if !errors.Is(err, importer.ErrRefused) {
		return false
	}
	for _, r := range reps {
		if r == nil {
			continue
		}
		for _, f := range r.Files {
			if len(f.MissingColumns) > 0 {
				return true
			}
		}
	}
	msg := err.Error()
	return strings.Contains(msg, "cannot tell the record type") || strings.Contains(msg, "column mapping")
}

// hintColumns tells how to get from a file refused for its columns to an import: two commands.
func hintColumns(path, written, given string) {
	if tabular.FormatOf(path) == "" {
		fmt.Fprintln(os.Stderr, `a snapshot's manifest.json can map each file's columns: "columns": {"source header": "key"} (see the README)`)
		return
	}
	switch {
	case written != "":
		fmt.Fprintf(os.Stderr, "the proposed column mapping is in %s: check it (proposal.confidence, proposal.evidence), correct what is wrong, then import with:\n  gongshi import --columns %s %s\n", written, written, path)
	case given != "":
		fmt.Fprintf(os.Stderr, "correct the column mapping in %s, or have one proposed with:\n  gongshi check --write-columns columns.json %s\n", given, path)
	default:
		fmt.Fprintf(os.Stderr, "to say which column is which, have a column mapping proposed, check it, then import with it:\n  gongshi check --write-columns columns.json %s\n  gongshi import --columns columns.json %s\n", path, path)
	}
}

func cmdImport(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("import", flag.ExitOnError)
	data := fs.String("data", envOr("GONGSHI_DATA", "data"), "data folder")
	db := fs.String("db", os.Getenv("GONGSHI_DB"), "SQL store with the portal's decisions (default: SQLite in the data folder)")
	allowShrink := fs.Bool("allow-shrink", false, "let a full snapshot withdraw more than --max-withdrawn of its publisher's documents of a type, or all of them with a file without data rows")
	rebuild := fs.Bool("rebuild", false, "build a new generation from the archived snapshots alone (DATA/snapshots), with the portal's decisions applied; for a generation of an older format")
	maxWithdrawn := fs.Float64("max-withdrawn", 0.2, "refuse a full snapshot that would withdraw more than this share of its publisher's current documents of a type")
	publicURL := fs.String("public-url", os.Getenv(opendata.PublicURLEnv), "the site's absolute URL (https://…), which every IRI of the open-data catalogue starts with; give serve the same (default "+opendata.DefaultPublicURL+")")
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
	od, err := openDataOptionsWith(*publicURL)
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
	if ferr := finishReports(f.report, reps, err); ferr != nil {
		if len(paths) == 1 && columnsRefusal(reps, err) {
			hintColumns(paths[0], "", f.columns)
		}
		return ferr
	}
	return publishOpenDataWith(ctx, index.DataDir(*data), st, od)
}

// publishOpenData regenerates the open-data files for today (China time) after an import, so
// that the downloads never lag the index, and says where they are.
func publishOpenData(ctx context.Context, dd index.DataDir, ov index.Overlay) error {
	return publishOpenDataWith(ctx, dd, ov, openDataOptions())
}

func publishOpenDataWith(ctx context.Context, dd index.DataDir, ov index.Overlay, od opendata.Options) error {
	day := time.Now().In(index.ChinaTime).Format(time.DateOnly)
	// The store's decisions and pending objections: the files match what the portal shows.
	cat, err := opendata.Publish(ctx, dd, day, ov, od)
	if err != nil {
		return fmt.Errorf("open data: %w", err)
	}
	rows := 0
	for _, ds := range cat.Datasets {
		if len(ds.Versions) > 0 {
			rows += ds.Versions[0].Rows
		}
	}
	fmt.Printf("open data for %s: %d datasets, %d rows in %s (catalog: %s, IRIs under %s)\n", day, len(cat.Datasets), rows,
		opendata.Root(dd), filepath.Join(opendata.Root(dd), opendata.CatalogName), od.PublicBase())
	return nil
}

// openDataOptions reads the open-data settings shared by import and serve from the environment:
// GONGSHI_LICENCE, GONGSHI_LICENCE_URL, GONGSHI_PUBLISHER, GONGSHI_PUBLIC_URL, GONGSHI_RETENTION.
// A public URL that is not an absolute http(s) URL is left out (the files then use
// opendata.DefaultPublicURL); openDataOptionsWith refuses it instead.
func openDataOptions() opendata.Options {
	o := opendata.Options{Licence: os.Getenv("GONGSHI_LICENCE"), LicenceURL: os.Getenv("GONGSHI_LICENCE_URL"),
		Publisher: os.Getenv("GONGSHI_PUBLISHER")}
	o.BaseURL, _ = opendata.ParsePublicURL(os.Getenv(opendata.PublicURLEnv))
	if n, err := strconv.Atoi(os.Getenv("GONGSHI_RETENTION")); err == nil {
		o.Retention = n
	}
	return o
}

// openDataOptionsWith is openDataOptions with the public URL given on the command line (whose
// default is GONGSHI_PUBLIC_URL), checked: every IRI of the files an import writes starts
// with it.
func openDataOptionsWith(publicURL string) (opendata.Options, error) {
	o := openDataOptions()
	u, err := opendata.ParsePublicURL(publicURL)
	if err != nil {
		return o, fmt.Errorf("--public-url: %w", err)
	}
	o.BaseURL = u
	return o, nil
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
