package opendata

import (
	"context"
	"maps"
	"strings"

	"github.com/gongshi/gongshi/index"
)

// Row is one published record in the files, and one line of the JSON Lines file. Every key is
// always present (empty string rather than missing), so that users get one stable shape.
type Row struct {
	ID                    string            `json:"id"`
	Type                  index.RecordType  `json:"type"`
	EntityCode            string            `json:"entity_code"`
	EntityName            string            `json:"entity_name"`
	Date                  string            `json:"date"`
	PublicUntil           string            `json:"public_until"`
	Removed               string            `json:"removed"`
	Fields                map[string]string `json:"fields"`
	ObjectionPendingSince string            `json:"objection_pending_since"`
	Source                index.Source      `json:"source"`
}

// ObjectionLabel is the 异议状态 cell of a record with an objection filed on since.
func ObjectionLabel(since string) string {
	if since == "" {
		return ""
	}
	return "存在异议 · 处理中 (" + since + "起)"
}

// cells returns the row's values in the order of cols.
func (r *Row) cells(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		switch c.Key {
		case "id":
			out[i] = r.ID
		case "public_until":
			// The effective window, computed by the publication policy when the agency gave none.
			out[i] = r.PublicUntil
		case "objection_pending_since":
			out[i] = ObjectionLabel(r.ObjectionPendingSince)
		case "source.publisher":
			out[i] = r.Source.Publisher
		case "source.snapshot_date":
			out[i] = r.Source.SnapshotDate
		default:
			out[i] = r.Fields[strings.TrimPrefix(c.Key, "fields.")]
		}
	}
	return out
}

// decisions is the overlay read once per publication: a consistent view for every list.
type decisions struct {
	hidden    map[string]string
	corrected map[string]map[string]string
	pending   map[string]string
}

func readDecisions(ctx context.Context, ov index.Overlay) (*decisions, error) {
	if ov == nil {
		ov = index.NoOverlay{}
	}
	d := &decisions{}
	var err error
	if d.hidden, err = ov.Hidden(ctx); err != nil {
		return nil, err
	}
	if d.corrected, err = ov.Corrected(ctx); err != nil {
		return nil, err
	}
	if d.pending, err = ov.Pending(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

// recordRow is the published form of a record on day, or nil when it is not public: past its
// window, or hidden by a decision (撤销, 信用修复).
func (d *decisions) recordRow(r *index.Record, day string) *Row {
	if _, hidden := d.hidden[r.ID]; hidden {
		return nil
	}
	row := &Row{ID: r.ID, Type: r.Type, EntityCode: r.EntityCode, EntityName: r.EntityName, Date: r.Date,
		PublicUntil: r.PublicUntil, Removed: r.Removed, Fields: r.Fields, Source: r.Source,
		ObjectionPendingSince: d.pending[r.ID]}
	d.correct(row)
	rec := index.Record{PublicUntil: row.PublicUntil}
	if !rec.PublicOn(day) {
		return nil
	}
	if row.Fields == nil {
		row.Fields = map[string]string{}
	}
	return row
}

// entityRow is the published form of a register entry; entities have no publication window.
func (d *decisions) entityRow(e *index.Entity) *Row {
	if _, hidden := d.hidden[e.Code]; hidden {
		return nil
	}
	row := &Row{ID: e.Code, Type: index.TypeEntity, EntityCode: e.Code, EntityName: e.Name, Date: e.Fields["established"],
		Fields: e.Fields, Source: e.Source, ObjectionPendingSince: d.pending[e.Code]}
	d.correct(row)
	if row.Fields == nil {
		row.Fields = map[string]string{}
	}
	return row
}

// correct applies a reviewer's corrected values (更正) without touching the generation's copy.
func (d *decisions) correct(row *Row) {
	c := d.corrected[row.ID]
	if len(c) == 0 {
		return
	}
	row.Fields = maps.Clone(row.Fields)
	if row.Fields == nil {
		row.Fields = map[string]string{}
	}
	maps.Copy(row.Fields, c)
	if v, ok := c["public_until"]; ok {
		row.PublicUntil = v
	}
	if v, ok := c["removal_date"]; ok {
		row.Removed = v
	}
	if v, ok := c["name"]; ok {
		row.EntityName = v
	}
}
