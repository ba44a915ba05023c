package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/gongshi/gongshi/importer/mapping"
	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
)

// sink receives the accepted rows of a snapshot, entities before records.
type sink interface {
	beginFile(f ManifestFile, kind string) error
	entity(*index.Entity) error
	record(*index.Record) error
}

// loadOptions are the parts of Options that validation needs.
type loadOptions struct {
	policy    Policy
	acceptBad bool
	progress  *Progress
}

// orderedFiles puts the entity register first so records can be linked to it.
func orderedFiles(m *Manifest) []ManifestFile {
	files := append([]ManifestFile(nil), m.Files...)
	sort.SliceStable(files, func(i, j int) bool {
		return files[i].Type == index.TypeEntity && files[j].Type != index.TypeEntity
	})
	return files
}

// load reads, validates and normalises every file of snap, handing accepted rows to out and
// filling the report. A file-level error (missing required column, unreadable or truncated
// file, row count not as the manifest says) is returned and refuses the snapshot.
func load(ctx context.Context, snap *Snapshot, opts loadOptions, out sink, rep *Report) error {
	m := snap.Manifest
	bad := map[string]bool{}
	for _, c := range m.AcceptedCheckFailures {
		bad[strings.ToUpper(strings.TrimSpace(c))] = true
	}
	src := index.Source{Publisher: m.Publisher, SnapshotDate: m.SnapshotDate}
	var errs []error
	for _, f := range orderedFiles(m) {
		if err := ctx.Err(); err != nil {
			return err
		}
		fr := FileReport{Path: f.Path, Type: string(f.Type), Format: string(f.FormatOf())}
		err := loadFile(ctx, snap, f, opts, bad, src, out, rep, &fr)
		rep.Files = append(rep.Files, fr)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func loadFile(ctx context.Context, snap *Snapshot, f ManifestFile, opts loadOptions, bad map[string]bool,
	src index.Source, out sink, rep *Report, fr *FileReport) error {
	rc, err := snap.Open(f)
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	defer rc.Close()
	tr, err := tabular.Open(rc, tabular.Options{Format: f.FormatOf()})
	if err != nil {
		return fmt.Errorf("%s: %w", f.Path, err)
	}
	defer tr.Close()
	fr.Encoding = tr.Encoding()
	conv, res, err := newMappedConverter(f.Path, f.Type, tr.Header(), &f.Spec)
	if res != nil {
		describeColumns(fr, res, !f.Spec.Empty())
	}
	if err != nil {
		return err
	}
	conv.policy, conv.source, conv.acceptedBad, conv.acceptBad = opts.policy, src, bad, opts.acceptBad
	if out != nil {
		if err := out.beginFile(f, snap.Manifest.Kind); err != nil {
			return err
		}
	}
	seen := map[string]int{} // record id or entity code → first line
	listed := 0
	for n := 0; ; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		row, err := tr.Next()
		if err == io.EOF {
			break
		}
		var rowErr *tabular.RowError
		if errors.As(err, &rowErr) {
			fr.Rows++
			fr.Rejected++
			rep.add(Issue{File: f.Path, Line: rowErr.Line, Code: "malformed_row", Reason: "行格式错误：" + rowErr.Reason, Severity: SeverityError}, &listed)
			opts.progress.Add(1)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
		fr.Rows++
		opts.progress.Add(1)
		values := res.Apply(row.Values)
		if res.NaturalPerson(values) {
			fr.Withheld++
			rep.add(Issue{File: f.Path, Line: row.Line, Field: "行政相对人类别", Code: "natural_person",
				Reason: "行政相对人为自然人，不予公示", Severity: SeverityWithheld}, &listed)
			continue
		}
		ent, rec, issues, v := conv.convert(row.Line, values)
		warned := false
		for _, is := range issues {
			rep.add(is, &listed)
			warned = warned || is.Severity == SeverityWarning
		}
		if warned {
			fr.Warnings++
		}
		switch v {
		case rejected:
			fr.Rejected++
			continue
		case withheld:
			fr.Withheld++
			continue
		}
		id := ""
		if ent != nil {
			id = ent.Code
		} else {
			id = rec.ID
		}
		if first, dup := seen[id]; dup {
			fr.Duplicates++
			rep.add(Issue{File: f.Path, Line: row.Line, Code: "duplicate",
				Reason: fmt.Sprintf("与第 %d 行为同一条记录（%s），已忽略", first, id), Severity: SeverityDuplicate}, &listed)
			continue
		}
		seen[id] = row.Line
		fr.Accepted++
		if out == nil {
			continue
		}
		if ent != nil {
			err = out.entity(ent)
		} else {
			err = out.record(rec)
		}
		var rj *rowRejection
		if errors.As(err, &rj) {
			fr.Accepted--
			fr.Rejected++
			rep.add(Issue{File: f.Path, Line: row.Line, Field: rj.field, Code: rj.code, Reason: rj.reason, Value: rj.value, Severity: SeverityError}, &listed)
			continue
		}
		if err != nil {
			return fmt.Errorf("%s:%d: %w", f.Path, row.Line, err)
		}
	}
	if f.Rows >= 0 && fr.Rows != f.Rows {
		return fmt.Errorf("%s: the manifest says %d rows but the file has %d (truncated or replaced)", f.Path, f.Rows, fr.Rows)
	}
	return nil
}

// describeColumns puts into the report how the file's columns were read: the profile, which
// column filled which field, and the columns withheld, ignored and missing.
func describeColumns(fr *FileReport, res *mapping.Resolution, mapped bool) {
	fr.Mapped = mapped
	if p := res.Profile; p != nil {
		fr.Profile, fr.ProfileSource = p.Name, p.Source
	}
	for _, c := range res.Columns {
		if c.Key != "" && !c.Withheld {
			fr.Columns = append(fr.Columns, ColumnUse{Header: c.Header, Key: c.Key, Via: c.Via, Fallback: c.Fallback})
		}
	}
	fr.WithheldColumns = res.Withheld()
	fr.UnknownHeaders = res.Ignored()
	fr.MissingColumns = res.Missing()
}
