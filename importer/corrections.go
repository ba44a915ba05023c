package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/personal"
)

// Correction is a reviewer's decision that changes a published record: revoke it (or hide it
// after credit repair), or correct some of its fields (a list entry's removal among them).
type Correction struct {
	RecordID string
	Revoke   bool              // the record is no longer public
	Fields   map[string]string // corrected values by canonical key
	Note     string            // shown with the record (e.g. 无法确认)
	Reason   string            // 撤销 / 更正 / 信用修复
}

// Corrections supplies the portal's decisions to every generation build. The importer defines
// this interface so that it never depends on the portal.
type Corrections interface {
	All(ctx context.Context) ([]Correction, error)
}

// applyCorrections applies every decision to the new generation's document store and returns
// the entity codes whose documents that changed.
func applyCorrections(ctx context.Context, docs *index.DocStore, src Corrections) ([]string, error) {
	cs, err := src.All(ctx)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	w, err := docs.Begin(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if err := ApplyCorrection(ctx, docs, w, c); err != nil {
			w.Rollback()
			return nil, err
		}
	}
	return w.Touched(), w.Commit()
}

// ApplyCorrection applies one decision through an open writer. A record the store does not
// have (any more) is skipped: the decision stays on file for the next build that brings it.
func ApplyCorrection(ctx context.Context, docs *index.DocStore, w *index.DocWriter, c Correction) error {
	if c.Revoke {
		return w.DeleteRecord(c.RecordID)
	}
	var b []byte
	err := w.Tx().QueryRowContext(ctx, `SELECT doc FROM records WHERE id = ?`, c.RecordID).Scan(&b)
	if err != nil {
		return nil
	}
	var r index.Record
	if err := json.Unmarshal(b, &r); err != nil {
		return err
	}
	r.Fields = maps.Clone(r.Fields)
	// A reviewer's text is published like an agency's: personal numbers in it are masked.
	for k, v := range c.Fields {
		r.Fields[k] = personal.Mask(v)
	}
	if c.Note != "" {
		r.Fields["correction_note"] = personal.Mask(c.Note)
	}
	if v, ok := c.Fields["removal_date"]; ok && r.Type.IsList() {
		r.Removed = v // a list entry removed by a decision (credit repair) is no longer in force
	}
	nb, err := json.Marshal(&r)
	if err != nil {
		return err
	}
	if bytes.Equal(nb, b) {
		return nil // applied already (a build on top of a generation that has it)
	}
	w.Touch(r.EntityCode)
	return w.PutRecord(&r)
}
