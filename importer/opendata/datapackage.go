package opendata

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// The descriptor of one dataset version: a Frictionless Data Package (v1) whose tabular
// resources carry a Table Schema with the columns' Chinese headers as field names. Properties
// without a Frictionless meaning (day, snapshot_date, generation, notes, rows) are gongshi's.
type dataPackage struct {
	Profile      string          `json:"profile"`
	Name         string          `json:"name"`
	Title        string          `json:"title"`
	Description  string          `json:"description"`
	Version      string          `json:"version"`
	Created      string          `json:"created"`
	Homepage     string          `json:"homepage,omitempty"`
	Keywords     []string        `json:"keywords"`
	Licenses     []dpLicense     `json:"licenses"`
	Contributors []dpContributor `json:"contributors"`
	Sources      []dpSource      `json:"sources,omitempty"`
	Dataset      string          `json:"dataset"`
	Day          string          `json:"day"`                        // China day the version was published for
	Previous     string          `json:"previous_version,omitempty"` // the version the change file compares with
	SnapshotDate string          `json:"snapshot_date"`
	Generation   string          `json:"generation"`
	Notes        []string        `json:"notes,omitempty"`
	Resources    []dpResource    `json:"resources"`
}

type dpLicense struct {
	Name  string `json:"name,omitempty"`
	Path  string `json:"path,omitempty"`
	Title string `json:"title,omitempty"`
}

type dpContributor struct {
	Title string `json:"title"`
	Role  string `json:"role"`
}

type dpSource struct {
	Title string `json:"title"`
}

type dpResource struct {
	Name        string     `json:"name"`
	Path        string     `json:"path"`
	Profile     string     `json:"profile"`
	Title       string     `json:"title"`
	Description string     `json:"description"`
	Format      string     `json:"format"`
	Mediatype   string     `json:"mediatype"`
	Encoding    string     `json:"encoding,omitempty"`
	Compression string     `json:"compression,omitempty"`
	Bytes       int64      `json:"bytes"`
	Hash        string     `json:"hash"`
	Rows        *int       `json:"rows,omitempty"`
	Dialect     *dpDialect `json:"dialect,omitempty"`
	Schema      *dpSchema  `json:"schema,omitempty"`
	// FormulaGuard says how the CSV's cells differ from the values (gongshi's property).
	FormulaGuard *dpFormulaGuard `json:"formula_guard,omitempty"`
}

// dpFormulaGuard describes SafeCSVCell for programs that read the CSV.
type dpFormulaGuard struct {
	Prefix      string   `json:"prefix"`      // added in front of a guarded cell
	StartsWith  []string `json:"starts_with"` // a cell starting with one of these is guarded…
	Except      string   `json:"except"`      // …unless it matches this regular expression
	Undo        string   `json:"undo"`        // how to get the exact value back
	Description string   `json:"description"`
}

// csvFormulaGuard is what datapackage.json says of the CSV's formula guard.
var csvFormulaGuard = &dpFormulaGuard{
	Prefix: FormulaGuard, StartsWith: []string{"=", "+", "-", "@", "\t", "\r", FormulaGuard},
	Except: plainNumber.String(),
	Undo:   "remove the first character of every cell that starts with " + FormulaGuard,
	Description: "CSV only. A spreadsheet runs a cell starting with = + - @ as a formula; such a cell, one starting with a tab or " +
		"carriage return, and one already starting with an apostrophe get one leading apostrophe, unless the cell is a plain " +
		"decimal number (a negative amount stays a number). Removing the first character of every cell that starts with an " +
		"apostrophe gives the exact values, as in the JSON Lines file. The XLSX needs no guard (its text cells are never " +
		"formulas) and holds the exact values.",
}

type dpDialect struct {
	Delimiter      string `json:"delimiter"`
	DoubleQuote    bool   `json:"doubleQuote"`
	LineTerminator string `json:"lineTerminator"`
	QuoteChar      string `json:"quoteChar"`
	Header         bool   `json:"header"`
}

type dpSchema struct {
	Fields        []dpField `json:"fields"`
	PrimaryKey    []string  `json:"primaryKey"`
	MissingValues []string  `json:"missingValues"`
}

type dpField struct {
	Name        string         `json:"name"`
	Title       string         `json:"title"`
	Type        string         `json:"type"`
	Format      string         `json:"format,omitempty"`
	Description string         `json:"description"`
	Constraints *dpConstraints `json:"constraints,omitempty"`
	Key         string         `json:"key"` // where the same value is in the JSON Lines file
}

type dpConstraints struct {
	Required bool `json:"required,omitempty"`
	Unique   bool `json:"unique,omitempty"`
}

// tableSchema documents a dataset's columns.
func tableSchema(t List) *dpSchema {
	s := &dpSchema{PrimaryKey: []string{ColRecordID}, MissingValues: []string{""}}
	for _, c := range Columns(t.Type) {
		f := dpField{Name: c.Name, Title: c.Name, Type: c.Type, Description: c.Description, Key: c.Key}
		if c.Type == "date" {
			f.Format = "default" // YYYY-MM-DD
		}
		if c.Name == ColRecordID {
			f.Constraints = &dpConstraints{Required: true, Unique: true}
		}
		s.Fields = append(s.Fields, f)
	}
	return s
}

func intp(n int) *int { return &n }

// resourceName makes a Frictionless resource name (lower case, digits, - . _) from a file name.
func resourceName(file string) string {
	return strings.NewReplacer(".csv.gz", "-csv", ".jsonl.gz", "-jsonl", ".xlsx", "-xlsx", ".jsonl", "-jsonl").Replace(file)
}

// newDataPackage describes one version's files.
func newDataPackage(l List, version string, files []FileMeta, v versionInfo, opts *Options) *dataPackage {
	day := v.day
	dp := &dataPackage{
		Profile: "data-package",
		Name:    "gongshi-" + l.Name,
		Title:   l.Label + " · " + l.LabelEN + " — " + version,
		Description: l.About + " Records public on " + day + " China time, from the agency snapshots up to " + v.snapshotDate +
			". CSV: UTF-8 with a byte-order mark (so Excel shows Chinese), comma-separated, Chinese headers as listed in the schema, " +
			"a leading apostrophe on cells a spreadsheet would run as formulas (formula_guard). " +
			"JSON Lines: one record per line with English keys. Verify the files with `sha256sum -c SHA256SUMS`.",
		Version:      version,
		Created:      v.created,
		Keywords:     []string{"公示", "企业信用", l.Label, "China", "enterprise credit", l.Name},
		Licenses:     []dpLicense{{Name: opts.LicenceID, Path: opts.LicenceURL, Title: opts.Licence}},
		Contributors: []dpContributor{{Title: opts.Publisher, Role: "publisher"}},
		Dataset:      l.Name,
		Day:          day,
		Previous:     v.previous,
		SnapshotDate: v.snapshotDate,
		Generation:   v.generation,
		Notes:        v.notes,
		Homepage:     opts.PublicBase() + "/data/",
	}
	for _, p := range v.publishers {
		dp.Sources = append(dp.Sources, dpSource{Title: p})
	}
	for _, f := range files {
		r := dpResource{Name: resourceName(f.Name), Path: f.Name, Format: f.Format, Mediatype: f.MediaType, Bytes: f.Bytes,
			Hash: "sha256:" + f.SHA256, Encoding: "utf-8"}
		if f.Rows >= 0 {
			r.Rows = intp(f.Rows)
		}
		switch {
		case strings.HasSuffix(f.Name, ".csv.gz"):
			// The CSV starts with a byte-order mark (so that Excel reads it as UTF-8). "utf-8-sig"
			// is the name Frictionless gives such bytes and the codec that drops the mark: declared
			// "utf-8", a reader keeps it and the first header no longer matches the schema's name.
			r.Profile, r.Compression, r.Encoding = "tabular-data-resource", "gz", "utf-8-sig"
			r.Title = l.Label + "（CSV）"
			r.Description = "CSV (RFC 4180 quoting, comma-separated, lines ending in LF), gzip-compressed; UTF-8 with a byte-order mark, " +
				"so that Excel reads it as UTF-8; the header row holds the field names of the schema, in its order; an empty cell is " +
				"an empty value. Cells that a spreadsheet would run as a formula carry a leading apostrophe (see formula_guard), " +
				"which is the only way a cell differs from the value. Opened by double-click, a spreadsheet still reads all-digit " +
				"codes as numbers: use the XLSX for spreadsheets, or import the CSV with the code columns as text."
			r.Dialect = &dpDialect{Delimiter: ",", DoubleQuote: true, LineTerminator: "\n", QuoteChar: "\"", Header: true}
			r.Schema = tableSchema(l)
			r.FormulaGuard = csvFormulaGuard
		case strings.HasSuffix(f.Name, ".xlsx"):
			r.Profile, r.Encoding = "tabular-data-resource", ""
			r.Title = l.Label + "（Excel）"
			r.Description = "Excel workbook, one sheet, the same columns as the CSV; codes and dates are text cells, amounts numbers."
			r.Schema = tableSchema(l)
		case strings.HasSuffix(f.Name, ".jsonl.gz"):
			r.Profile, r.Compression = "data-resource", "gz"
			r.Title = l.Label + "（JSON Lines）"
			r.Description = "JSON Lines, gzip-compressed: one object per record with the keys id, type, entity_code, entity_name, date, " +
				"public_until, removed, fields (by the schema's keys), objection_pending_since and source {publisher, snapshot_date}."
		case strings.HasPrefix(f.Name, "changes-"):
			r.Profile = "data-resource"
			r.Title = "变更（" + version + "）"
			r.Description = "Changes since the previous version (previous_version, published on previous_day): one object per line with day, " +
				"version, change (added, removed, modified), " +
				"reason (移出 delisted, 到期 expired, 撤销 revoked, 信用修复 credit repair, 更正 corrected, empty when unknown), id, entity_code, " +
				"entity_name and fields_changed. Empty for the first version."
		}
		dp.Resources = append(dp.Resources, r)
	}
	return dp
}

// versionInfo is what a version's descriptor says about where its data came from.
type versionInfo struct {
	day, previous                     string // China day of the version; the version it follows
	created, snapshotDate, generation string
	publishers, notes                 []string
}

func readDataPackage(dir string) (*dataPackage, error) {
	b, err := os.ReadFile(filepath.Join(dir, "datapackage.json"))
	if err != nil {
		return nil, err
	}
	var dp dataPackage
	if err := json.Unmarshal(b, &dp); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return &dp, nil
}
