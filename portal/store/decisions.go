package store

import (
	"context"
	"encoding/json"
	"sort"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/portal/objection"
)

// Hidden returns the records taken out of public view by a decision (index.Overlay).
func (s *Store) Hidden(ctx context.Context) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT record_id, outcome FROM cases WHERE state = ? AND outcome IN (?, ?)`),
		string(objection.Closed), string(objection.Revoked), string(objection.Repaired))
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
// (index.Overlay). Later decisions about the same record win.
func (s *Store) Corrected(ctx context.Context) (map[string]map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT record_id, outcome, outcome_reason, corrected_fields FROM cases
		WHERE state = ? AND outcome IN (?, ?) ORDER BY decided_at`),
		string(objection.Closed), string(objection.Corrected), string(objection.Undetermined))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var id, outcome, reason, fields string
		if err := rows.Scan(&id, &outcome, &reason, &fields); err != nil {
			return nil, err
		}
		m := out[id]
		if m == nil {
			m = map[string]string{}
			out[id] = m
		}
		if outcome == string(objection.Undetermined) {
			m["correction_note"] = "经核查无法确认：" + reason
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
