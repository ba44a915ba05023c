package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/gongshi/gongshi/portal/objection"
)

// Tipoff is a tip-off (举报) about an entity or one of its records.
type Tipoff struct {
	ID            int64
	Tracking      string
	Kind          objection.TipoffKind
	EntityCode    string
	EntityName    string
	RecordID      string // "" when the tip-off is about the entity (or a record it lacks)
	RecordType    string
	Authority     string // routes the tip-off to that authority's reviewers
	Content       string
	ReporterName  string // never public, never in an event or the audit log
	ReporterPhone string // never public, never in an event or the audit log
	ReporterEmail string // never public, never in an event or the audit log
	State         objection.State
	Outcome       objection.TipoffOutcome
	OutcomeReason string
	FiledAt       time.Time
	AcceptedAt    time.Time
	DecidedAt     time.Time
	Deadline      string // YYYY-MM-DD, from acceptance in working days
	UpdatedAt     time.Time
}

// Overdue reports whether an open tip-off is past its deadline on day.
func (t *Tipoff) Overdue(day string) bool {
	return t.State.Pending() && t.Deadline != "" && day > t.Deadline
}

const tipoffColumns = `id, tracking, kind, entity_code, entity_name, record_id, record_type, authority, content,
	reporter_name, reporter_phone, reporter_email, state, outcome, outcome_reason, filed_at, accepted_at, decided_at, deadline, updated_at`

func scanTipoff(row interface{ Scan(...any) error }) (*Tipoff, error) {
	var t Tipoff
	var filed, accepted, decided, updated string
	err := row.Scan(&t.ID, &t.Tracking, &t.Kind, &t.EntityCode, &t.EntityName, &t.RecordID, &t.RecordType, &t.Authority, &t.Content,
		&t.ReporterName, &t.ReporterPhone, &t.ReporterEmail, &t.State, &t.Outcome, &t.OutcomeReason, &filed, &accepted, &decided, &t.Deadline, &updated)
	if err == sql.ErrNoRows {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	t.FiledAt, t.AcceptedAt, t.DecidedAt, t.UpdatedAt = parseTime(filed), parseTime(accepted), parseTime(decided), parseTime(updated)
	return &t, nil
}

// CreateTipoff stores a new tip-off with its attachments' metadata, its first timeline event and
// the audit entry, in one transaction. The check code is stored only as a hash; the reporter's
// contact details go nowhere but their columns.
func (s *Store) CreateTipoff(ctx context.Context, t *Tipoff, checkCode string, atts []Attachment, ip string) error {
	now := s.Now()
	t.FiledAt, t.UpdatedAt, t.State = now, now, objection.Submitted
	return s.tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO tipoffs(tracking, check_hash, kind, entity_code, entity_name, record_id, record_type,
			authority, content, reporter_name, reporter_phone, reporter_email, state, outcome, outcome_reason, filed_at, accepted_at,
			decided_at, deadline, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, '', '', '', ?) RETURNING id`),
			t.Tracking, hashSecret(checkCode), string(t.Kind), t.EntityCode, t.EntityName, t.RecordID, t.RecordType, t.Authority,
			t.Content, t.ReporterName, t.ReporterPhone, t.ReporterEmail, string(t.State), fmtTime(now), fmtTime(now)).Scan(&t.ID)
		if err != nil {
			return err
		}
		if err := s.addFilingAttachments(ctx, tx, tipoffFiling, t.ID, atts); err != nil {
			return err
		}
		if err := s.addFilingEvent(ctx, tx, tipoffFiling, t.ID, Event{At: now, Actor: "reporter", Action: "file", To: objection.Submitted, Note: t.Kind.Label()}); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, AuditEntry{Actor: "reporter", Action: "tipoff.file", Subject: t.Tracking,
			Detail: fmt.Sprintf("kind=%s entity=%s record=%s attachments=%d", t.Kind, t.EntityCode, t.RecordID, len(atts)), IP: ip})
	})
}

// TipoffByTracking returns a tip-off.
func (s *Store) TipoffByTracking(ctx context.Context, tracking string) (*Tipoff, error) {
	t, err := scanTipoff(s.db.QueryRowContext(ctx, s.q(`SELECT `+tipoffColumns+` FROM tipoffs WHERE tracking = ?`), tracking))
	if err != nil && err != ErrNotFound {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return t, err
}

// CheckTipoff returns the tip-off if the check code is right; a wrong code and an unknown
// tracking number give the same ErrNotFound.
func (s *Store) CheckTipoff(ctx context.Context, tracking, checkCode string) (*Tipoff, error) {
	if err := s.checkFiling(ctx, tipoffFiling, tracking, checkCode); err != nil {
		return nil, err
	}
	return s.TipoffByTracking(ctx, tracking)
}

// TipoffEvents returns a tip-off's timeline, oldest first.
func (s *Store) TipoffEvents(ctx context.Context, id int64) ([]Event, error) {
	return s.filingEvents(ctx, tipoffFiling, id)
}

// TipoffAttachments returns a tip-off's attachments.
func (s *Store) TipoffAttachments(ctx context.Context, id int64) ([]Attachment, error) {
	return s.filingAttachments(ctx, tipoffFiling, id)
}

// TipoffStep is a reviewer's step on a tip-off.
type TipoffStep struct {
	Action       objection.Action
	Outcome      objection.TipoffOutcome
	Actor        string
	Reason       string
	IP           string
	DeadlineDays int
	Holidays     map[string]bool
}

// TransitionTipoff applies a reviewer's step atomically: the state, its timeline event and the
// audit entry are stored together or not at all.
func (s *Store) TransitionTipoff(ctx context.Context, tracking string, st TipoffStep) (*Tipoff, error) {
	var out *Tipoff
	err := s.tx(ctx, func(tx *sql.Tx) error {
		t, err := scanTipoff(tx.QueryRowContext(ctx, s.q(`SELECT `+tipoffColumns+` FROM tipoffs WHERE tracking = ?`), tracking))
		if err != nil {
			return err
		}
		to, err := objection.NextTipoff(t.State, st.Action, st.Outcome)
		if err != nil {
			return &RuleError{Msg: err.Error()}
		}
		if st.Reason == "" {
			return &RuleError{Msg: "每一步处理都必须填写理由 / a reason is required"}
		}
		now := s.Now()
		note := st.Reason
		switch st.Action {
		case objection.ActAccept:
			days := st.DeadlineDays
			if days <= 0 {
				days = 20
			}
			t.AcceptedAt = now
			t.Deadline = objection.AddWorkingDays(now.In(chinaTime), days, st.Holidays).Format(time.DateOnly)
		case objection.ActClose:
			t.Outcome, t.OutcomeReason, t.DecidedAt = st.Outcome, st.Reason, now
			note = st.Outcome.Label() + "：" + st.Reason
		}
		from := t.State
		t.State, t.UpdatedAt = to, now
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE tipoffs SET state = ?, outcome = ?, outcome_reason = ?, accepted_at = ?, decided_at = ?,
			deadline = ?, updated_at = ? WHERE id = ?`), string(t.State), string(t.Outcome), t.OutcomeReason, fmtTime(t.AcceptedAt),
			fmtTime(t.DecidedAt), t.Deadline, fmtTime(now), t.ID); err != nil {
			return err
		}
		if err := s.addFilingEvent(ctx, tx, tipoffFiling, t.ID, Event{At: now, Actor: st.Actor, Action: string(st.Action), From: from, To: to, Note: note}); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s→%s", from, to)
		if st.Outcome != "" {
			detail += " outcome=" + string(st.Outcome)
		}
		if err := s.appendAudit(ctx, tx, AuditEntry{Actor: st.Actor, Action: "tipoff." + string(st.Action), Subject: tracking,
			Detail: detail + " reason=" + trimTo(st.Reason, 500), IP: st.IP}); err != nil {
			return err
		}
		out = t
		return nil
	})
	return out, err
}

// TipoffFilter selects tip-offs for the back office.
type TipoffFilter struct {
	State     objection.State // "" = all open tip-offs
	Authority string          // reviewers limited to an authority see only its tip-offs
	Limit     int
}

// TipoffQueue lists tip-offs, earliest deadline first (unaccepted ones by filing time).
func (s *Store) TipoffQueue(ctx context.Context, f TipoffFilter) ([]*Tipoff, error) {
	where, args := "state <> ?", []any{string(objection.Closed)}
	if f.State != "" {
		where, args = "state = ?", []any{string(f.State)}
	}
	if f.Authority != "" {
		where += " AND authority = ?"
		args = append(args, f.Authority)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+tipoffColumns+` FROM tipoffs WHERE `+where+`
		ORDER BY CASE WHEN deadline = '' THEN 1 ELSE 0 END, deadline, filed_at LIMIT ?`), append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer rows.Close()
	var out []*Tipoff
	for rows.Next() {
		t, err := scanTipoff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// TipoffStats are the public numbers of tip-offs: counts only, nothing about who reported
// what about whom.
type TipoffStats struct {
	Filed     int                       `json:"filed"`
	Open      int                       `json:"open"`
	Overdue   int                       `json:"overdue"`
	ByKind    map[string]int            `json:"by_kind"`
	ByOutcome map[string]int            `json:"by_outcome"`
	Outcomes  map[string]map[string]int `json:"outcomes_by_kind"` // kind → outcome (or "open") → count
}

// TipoffStats counts tip-offs by kind and outcome on day.
func (s *Store) TipoffStats(ctx context.Context, day string) (*TipoffStats, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, state, outcome, deadline, COUNT(*) FROM tipoffs GROUP BY kind, state, outcome, deadline`)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer rows.Close()
	st := &TipoffStats{ByKind: map[string]int{}, ByOutcome: map[string]int{}, Outcomes: map[string]map[string]int{}}
	for rows.Next() {
		var kind, state, outcome, deadline string
		var n int
		if err := rows.Scan(&kind, &state, &outcome, &deadline, &n); err != nil {
			return nil, err
		}
		st.Filed += n
		st.ByKind[kind] += n
		if st.Outcomes[kind] == nil {
			st.Outcomes[kind] = map[string]int{}
		}
		if objection.State(state).Pending() {
			st.Open += n
			st.Outcomes[kind]["open"] += n
			if deadline != "" && day > deadline {
				st.Overdue += n
			}
			continue
		}
		st.ByOutcome[outcome] += n
		st.Outcomes[kind][outcome] += n
	}
	return st, rows.Err()
}

// TipoffAttachmentByID returns a tip-off's attachment and the tip-off's tracking number.
func (s *Store) TipoffAttachmentByID(ctx context.Context, id int64) (*Attachment, string, error) {
	return s.filingAttachment(ctx, tipoffFiling, id)
}
