package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/portal/objection"
)

// listTypes are the record types whose credit repair removes the entry (移出) instead of hiding
// it: the listing and its removal stay public as history.
var listTypes = []any{"abnormal", "blacklist"}

// Hidden returns the records taken out of public view by a decision (index.Overlay): revoked
// records and repaired penalties. A repaired list entry is not hidden but removed (see Corrected).
func (s *Store) Hidden(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT record_id, outcome FROM cases WHERE state = ?
		AND (outcome = ? OR outcome = ? AND record_type NOT IN (?, ?))`),
		append([]any{string(objection.Closed), string(objection.Revoked), string(objection.Repaired)}, listTypes...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, outcome string
		if err := rows.Scan(&id, &outcome); err != nil {
			return nil, err
		}
		out[id] = map[string]string{string(objection.Revoked): "撤销", string(objection.Repaired): "信用修复"}[outcome]
	}
	return out, rows.Err()
}

// Corrected returns corrected fields by record id, and the note of 无法确认 outcomes
// (index.Overlay). A granted repair of a list entry is its removal on the day of the decision
// (移出日期, 移出原因 信用修复, 移出决定机关 the listing authority) with the note
// "已信用修复，于 … 移出". Later decisions about the same record win.
func (s *Store) Corrected(ctx context.Context) (map[string]map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT record_id, record_type, authority, outcome, outcome_reason, corrected_fields, decided_at
		FROM cases WHERE state = ? AND (outcome IN (?, ?) OR outcome = ? AND record_type IN (?, ?)) ORDER BY decided_at, id`),
		append([]any{string(objection.Closed), string(objection.Corrected), string(objection.Undetermined), string(objection.Repaired)}, listTypes...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var id, typ, authority, outcome, reason, fields, decided string
		if err := rows.Scan(&id, &typ, &authority, &outcome, &reason, &fields, &decided); err != nil {
			return nil, err
		}
		m := out[id]
		if m == nil {
			m = map[string]string{}
			out[id] = m
		}
		switch outcome {
		case string(objection.Undetermined):
			m["correction_note"] = "经核查无法确认：" + reason
			continue
		case string(objection.Repaired):
			day := parseTime(decided).In(chinaTime).Format(time.DateOnly)
			m["removal_date"], m["removal_reason"] = day, RepairRemovalReason
			if authority != "" {
				m["removal_authority"] = authority
			}
			m["correction_note"] = RepairNotePrefix + "，于 " + day + " 移出"
			continue
		}
		var f map[string]string
		json.Unmarshal([]byte(fields), &f)
		for k, v := range f {
			m[k] = v
		}
		m["correction_note"] = "已更正：" + reason
	}
	return out, rows.Err()
}

// RepairRemovalReason is the 移出原因 of a list entry removed by credit repair, and
// RepairNotePrefix begins the note the entry carries.
const (
	RepairRemovalReason = "信用修复"
	RepairNotePrefix    = "已信用修复"
)

// LastRepair returns the day (China time, YYYY-MM-DD) a repair of the entity's records was last
// granted, or "" if never.
func (s *Store) LastRepair(ctx context.Context, entityCode string) (string, error) {
	var last sql.NullString
	err := s.db.QueryRowContext(ctx, s.q(`SELECT max(decided_at) FROM cases WHERE entity_code = ? AND state = ? AND outcome = ?`),
		entityCode, string(objection.Closed), string(objection.Repaired)).Scan(&last)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if !last.Valid || last.String == "" {
		return "", nil
	}
	return parseTime(last.String).In(chinaTime).Format(time.DateOnly), nil
}

// Pending returns the records marked as disputed (存在异议) and the day a reviewer accepted the
// earliest of their objections for review (index.Overlay). Only cases that objection.Marks count:
// a filed but unaccepted objection, one sent back for material, a repair application and a
// closed case leave the record unmarked, so every consumer of the overlay (pages, API, open data, reports,
// screening) shows a mark only where a reviewer has said the record is in dispute.
func (s *Store) Pending(ctx context.Context) (map[string]string, error) {
	var args []any
	marks := ""
	for i, st := range objection.MarkingStates {
		if i > 0 {
			marks += ", "
		}
		marks += "?"
		args = append(args, string(st))
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT record_id, kind, state, accepted_at FROM cases WHERE state IN (`+marks+`)`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, kind, state, accepted string
		if err := rows.Scan(&id, &kind, &state, &accepted); err != nil {
			return nil, err
		}
		at := parseTime(accepted)
		if !objection.Marks(objection.Kind(kind), objection.State(state)) || at.IsZero() {
			continue
		}
		day := at.In(chinaTime).Format(time.DateOnly)
		if cur, ok := out[id]; !ok || day < cur {
			out[id] = day
		}
	}
	return out, rows.Err()
}

// All returns every decision that changes a record, for the importer to apply to each new
// generation (importer.Corrections), in the order they were taken.
func (s *Store) All(ctx context.Context) ([]importer.Correction, error) {
	hidden, err := s.Hidden(ctx)
	if err != nil {
		return nil, err
	}
	corrected, err := s.Corrected(ctx)
	if err != nil {
		return nil, err
	}
	var out []importer.Correction
	for id, fields := range corrected {
		if _, gone := hidden[id]; gone {
			continue
		}
		c := importer.Correction{RecordID: id, Fields: map[string]string{}, Reason: "更正"}
		if strings.HasPrefix(fields["correction_note"], RepairNotePrefix) {
			c.Reason = "信用修复"
		}
		for k, v := range fields {
			if k == "correction_note" {
				c.Note = v
				continue
			}
			c.Fields[k] = v
		}
		out = append(out, c)
	}
	for id, reason := range hidden {
		out = append(out, importer.Correction{RecordID: id, Revoke: true, Reason: reason})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].RecordID < out[j].RecordID })
	return out, nil
}

// ObjectionStats are the public transparency numbers.
type ObjectionStats struct {
	Filed              int            `json:"filed"`
	Open               int            `json:"open"`
	Overdue            int            `json:"overdue"`
	ByOutcome          map[string]int `json:"by_outcome"`
	MedianDaysToDecide float64        `json:"median_days_to_decide"`
}

// Stats computes the public objection statistics on day.
func (s *Store) Stats(ctx context.Context, day string) (*ObjectionStats, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT state, outcome, filed_at, decided_at, deadline FROM cases`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	st := &ObjectionStats{ByOutcome: map[string]int{}}
	var days []float64
	for rows.Next() {
		var state, outcome, filed, decided, deadline string
		if err := rows.Scan(&state, &outcome, &filed, &decided, &deadline); err != nil {
			return nil, err
		}
		st.Filed++
		if objection.State(state).Pending() {
			st.Open++
			if deadline != "" && day > deadline {
				st.Overdue++
			}
			continue
		}
		st.ByOutcome[outcome]++
		if d := parseTime(decided).Sub(parseTime(filed)).Hours() / 24; d >= 0 {
			days = append(days, d)
		}
	}
	if len(days) > 0 {
		sort.Float64s(days)
		m := len(days) / 2
		st.MedianDaysToDecide = days[m]
		if len(days)%2 == 0 {
			st.MedianDaysToDecide = (days[m-1] + days[m]) / 2
		}
	}
	return st, rows.Err()
}
