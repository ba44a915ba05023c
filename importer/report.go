package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/gongshi/gongshi/index/atomicfile"
)

// Issue is one problem with one row (or file). Reasons are in Chinese for the agency staff who
// fix their files; Code is a stable English key for machines.
type Issue struct {
	File     string   `json:"file"`
	Line     int      `json:"line,omitempty"`
	Field    string   `json:"field,omitempty"` // Chinese column label
	Code     string   `json:"code"`
	Reason   string   `json:"reason"`
	Value    string   `json:"value,omitempty"`
	Severity Severity `json:"severity"`
}

// Severity says what an issue did to its row.
type Severity string

const (
	SeverityError     Severity = "error"     // the row is rejected
	SeverityWithheld  Severity = "withheld"  // the row or the value is not published, by rule
	SeverityDuplicate Severity = "duplicate" // the same record again in the file: ignored
	SeverityWarning   Severity = "warning"   // imported; the publisher should look at it
	SeverityNotice    Severity = "notice"    // imported; says how the row was read
)

// FileReport counts what happened to one file's rows.
type FileReport struct {
	Path           string   `json:"path"`
	Type           string   `json:"type"`
	Format         string   `json:"format"`
	Encoding       string   `json:"encoding,omitempty"`
	Rows           int      `json:"rows"`
	Accepted       int      `json:"accepted"`
	Rejected       int      `json:"rejected"`
	Withheld       int      `json:"withheld"`
	Duplicates     int      `json:"duplicates"`
	Warnings       int      `json:"warnings"`
	UnknownHeaders []string `json:"unknown_headers,omitempty"` // columns nothing reads (ignored)
	// Profile names the built-in profile (a published standard's field list) whose field
	// names the headers matched, e.g. "sgs-2.0-penalty"; ProfileSource says which standard.
	Profile       string `json:"profile,omitempty"`
	ProfileSource string `json:"profile_source,omitempty"`
	// Mapped says the file came with a column mapping (manifest.json or --columns).
	Mapped bool `json:"mapped,omitempty"`
	// Columns says which column filled which field and who decided it.
	Columns []ColumnUse `json:"columns,omitempty"`
	// WithheldColumns are never read: known personal-data columns (ID and telephone numbers,
	// home addresses of natural persons) and columns a mapping withholds.
	WithheldColumns []string `json:"withheld_columns,omitempty"`
	// MissingColumns are the required fields no column fills; the file is refused.
	MissingColumns []string `json:"missing_columns,omitempty"`
}

// ColumnUse is one column of a file as it was read.
type ColumnUse struct {
	Header string `json:"header"`
	Key    string `json:"key"`
	// Via: "mapping", "profile" or "schema" (a standard name or alias).
	Via string `json:"via"`
	// Fallback columns fill the field only where the column before them is empty.
	Fallback bool `json:"fallback,omitempty"`
}

// Report is the import report: a JSON file in the data folder and a summary on the terminal.
type Report struct {
	Snapshot      string       `json:"snapshot"`
	Path          string       `json:"path"`
	Publisher     string       `json:"publisher"`
	SnapshotDate  string       `json:"snapshot_date"`
	Kind          string       `json:"kind"`
	Started       time.Time    `json:"started"`
	Seconds       float64      `json:"seconds"`
	RowsPerSecond float64      `json:"rows_per_second"`
	Files         []FileReport `json:"files"`
	// Changes says, per type, what the snapshot did to its publisher's documents.
	Changes []TypeChanges `json:"changes,omitempty"`
	Issues  []Issue       `json:"issues"`
	// IssuesOmitted counts issues beyond the per-file cap; the counts in Files stay exact.
	IssuesOmitted int    `json:"issues_omitted,omitempty"`
	Refused       bool   `json:"refused"`
	RefusedReason string `json:"refused_reason,omitempty"`
	Generation    string `json:"generation,omitempty"`
	// Seq is the data sequence number the snapshot was applied as. AlreadyApplied says the
	// serving data holds the snapshot already (the same id, applied as Seq): nothing was done.
	Seq            int64 `json:"seq,omitempty"`
	AlreadyApplied bool  `json:"already_applied,omitempty"`
	// Incremental says the index was updated for the changed documents only.
	Incremental bool `json:"incremental,omitempty"`
}

// TypeChanges counts what one snapshot did to one type of its publisher's documents: added,
// changed (same key, other content) and unchanged rows, and for a full snapshot how many there
// were before and how many it withdrew. Entities that a full register file no longer carries
// but records still name are kept, never left dangling: KeptEntities counts them.
type TypeChanges struct {
	Publisher    string   `json:"publisher"`
	Type         string   `json:"type"`
	Before       int      `json:"before,omitempty"`
	Added        int      `json:"added"`
	Changed      int      `json:"changed"`
	Unchanged    int      `json:"unchanged"`
	Withdrawn    int      `json:"withdrawn"`
	KeptEntities int      `json:"kept_entities,omitempty"`
	KeptExamples []string `json:"kept_examples,omitempty"`
}

// maxKeptExamples bounds the codes a report lists of the entities kept.
const maxKeptExamples = 100

// maxIssuesPerFile keeps a report of a very bad file readable and bounded.
const maxIssuesPerFile = 5000

// add lists an issue in the report (up to the per-file cap). The file's counts are of rows, not
// issues: the loader counts each row once, by what became of it.
func (r *Report) add(is Issue, listed *int) {
	if *listed >= maxIssuesPerFile {
		r.IssuesOmitted++
		return
	}
	*listed++
	if len(is.Value) > 200 {
		is.Value = is.Value[:200] + "…"
	}
	r.Issues = append(r.Issues, is)
}

// Totals sums the file counts.
func (r *Report) Totals() FileReport {
	var t FileReport
	for _, f := range r.Files {
		t.Rows += f.Rows
		t.Accepted += f.Accepted
		t.Rejected += f.Rejected
		t.Withheld += f.Withheld
		t.Duplicates += f.Duplicates
		t.Warnings += f.Warnings
	}
	return t
}

// RejectedShare is the share of rows rejected as malformed.
func (r *Report) RejectedShare() float64 {
	t := r.Totals()
	if t.Rows == 0 {
		return 0
	}
	return float64(t.Rejected) / float64(t.Rows)
}

// WriteJSON writes the full report.
func (r *Report) WriteJSON(path string) error { return writeJSON(path, r) }

// Summary prints the human summary: counts per file and the most common reasons with examples.
func (r *Report) Summary(w io.Writer) {
	fmt.Fprintf(w, "snapshot %s (%s, %s, %s)\n", r.Snapshot, r.Publisher, r.SnapshotDate, r.Kind)
	fmt.Fprintf(w, "  %-24s %-16s %9s %9s %9s %9s %9s %9s\n", "file", "type", "rows", "accepted", "rejected", "withheld", "duplicate", "warnings")
	for _, f := range r.Files {
		fmt.Fprintf(w, "  %-24s %-16s %9d %9d %9d %9d %9d %9d\n", f.Path, f.Type, f.Rows, f.Accepted, f.Rejected, f.Withheld, f.Duplicates, f.Warnings)
		if f.Profile != "" {
			fmt.Fprintf(w, "    profile: %s (%s)\n", f.Profile, f.ProfileSource)
		}
		if f.Profile != "" || f.Mapped {
			var cols []string
			for _, c := range f.Columns {
				arrow := " → "
				if c.Fallback {
					arrow = " → (if empty) "
				}
				cols = append(cols, c.Header+arrow+c.Key)
			}
			fmt.Fprintf(w, "    columns: %s\n", strings.Join(cols, ", "))
		}
		if len(f.WithheldColumns) > 0 {
			fmt.Fprintf(w, "    withheld columns (personal data, never read): %s\n", strings.Join(f.WithheldColumns, ", "))
		}
		if len(f.UnknownHeaders) > 0 {
			fmt.Fprintf(w, "    ignored columns: %s\n", strings.Join(f.UnknownHeaders, ", "))
		}
	}
	t := r.Totals()
	fmt.Fprintf(w, "  %-24s %-16s %9d %9d %9d %9d %9d %9d\n", "total", "", t.Rows, t.Accepted, t.Rejected, t.Withheld, t.Duplicates, t.Warnings)
	if len(r.Changes) > 0 {
		fmt.Fprintf(w, "  changes for %q:\n", r.Publisher)
		fmt.Fprintf(w, "  %-16s %9s %9s %9s %9s %9s\n", "type", "before", "added", "changed", "unchanged", "withdrawn")
		for _, c := range r.Changes {
			fmt.Fprintf(w, "  %-16s %9d %9d %9d %9d %9d\n", c.Type, c.Before, c.Added, c.Changed, c.Unchanged, c.Withdrawn)
			if c.KeptEntities > 0 {
				fmt.Fprintf(w, "    %d entities kept although the register no longer lists them: records still name them (e.g. %s)\n",
					c.KeptEntities, strings.Join(c.KeptExamples[:min(len(c.KeptExamples), 3)], ", "))
			}
		}
	}
	type group struct {
		n       int
		example Issue
	}
	groups := map[string]*group{}
	for _, is := range r.Issues {
		k := string(is.Severity) + "\x00" + is.Code + "\x00" + is.Field
		if groups[k] == nil {
			groups[k] = &group{example: is}
		}
		groups[k].n++
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return groups[keys[i]].n > groups[keys[j]].n || groups[keys[i]].n == groups[keys[j]].n && keys[i] < keys[j]
	})
	if len(keys) > 0 {
		fmt.Fprintln(w, "  issues (count, kind, e.g.):")
	}
	for _, k := range keys {
		g := groups[k]
		fmt.Fprintf(w, "    %6d  %-9s %s:%d %s %s\n", g.n, g.example.Severity, g.example.File, g.example.Line, g.example.Field, g.example.Reason)
	}
	if r.IssuesOmitted > 0 {
		fmt.Fprintf(w, "    (%d more issues not listed; the counts above are exact)\n", r.IssuesOmitted)
	}
	switch {
	case r.Refused:
		fmt.Fprintf(w, "REFUSED: %s\n", r.RefusedReason)
	case r.AlreadyApplied:
		fmt.Fprintf(w, "already applied as data sequence %d (served by generation %s): nothing to do\n", r.Seq, r.Generation)
	case r.Generation != "":
		how := "index built"
		if r.Incremental {
			how = "index updated for the changed documents"
		}
		fmt.Fprintf(w, "imported as data sequence %d into generation %s in %.1fs (%.0f rows/s; %s)\n", r.Seq, r.Generation, r.Seconds, r.RowsPerSecond, how)
	}
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}
