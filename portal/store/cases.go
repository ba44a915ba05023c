package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gongshi/gongshi/portal/objection"
)

// Case is an objection or a credit-repair application.
type Case struct {
	ID              int64
	Tracking        string
	Kind            objection.Kind
	RecordID        string
	RecordType      string
	EntityCode      string
	EntityName      string
	Authority       string // the record's deciding authority: reviewers may be limited to it
	ApplicantName   string
	ApplicantCode   string
	ContactPerson   string // never public
	ContactPhone    string // never public
	ContactEmail    string // never public
	Statement       string
	Commitment      bool
	State           objection.State
	Outcome         objection.Outcome
	OutcomeReason   string
	CorrectedFields map[string]string
	FiledAt         time.Time
	AcceptedAt      time.Time
	DecidedAt       time.Time
	Deadline        string // YYYY-MM-DD, from acceptance in working days
	UpdatedAt       time.Time
}

// Overdue reports whether an open case is past its deadline on day.
func (c *Case) Overdue(day string) bool {
	return c.State.Pending() && c.Deadline != "" && day > c.Deadline
}

// Event is one step of a case's timeline.
type Event struct {
	At     time.Time
	Actor  string
	Action string
	From   objection.State
	To     objection.State
	Note   string
}

// Attachment is the metadata of an uploaded file; the file itself lives outside the web root.
type Attachment struct {
	ID         int64
	Name       string
	MIME       string
	Size       int64
	SHA256     string
	Path       string
	UploadedAt time.Time
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

const caseColumns = `id, tracking, kind, record_id, record_type, entity_code, entity_name, authority, applicant_name, applicant_code,
	contact_person, contact_phone, contact_email, statement, commitment, state, outcome, outcome_reason, corrected_fields,
	filed_at, accepted_at, decided_at, deadline, updated_at`

func scanCase(row interface{ Scan(...any) error }) (*Case, error) {
	var c Case
	var commitment int
	var fields, filed, accepted, decided, updated string
	err := row.Scan(&c.ID, &c.Tracking, &c.Kind, &c.RecordID, &c.RecordType, &c.EntityCode, &c.EntityName, &c.Authority,
		&c.ApplicantName, &c.ApplicantCode, &c.ContactPerson, &c.ContactPhone, &c.ContactEmail, &c.Statement, &commitment,
		&c.State, &c.Outcome, &c.OutcomeReason, &fields, &filed, &accepted, &decided, &c.Deadline, &updated)
	if err == sql.ErrNoRows {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	c.Commitment = commitment == 1
	if fields != "" {
		json.Unmarshal([]byte(fields), &c.CorrectedFields)
	}
	c.FiledAt = parseTime(filed)
	c.AcceptedAt = parseTime(accepted)
	c.DecidedAt = parseTime(decided)
	c.UpdatedAt = parseTime(updated)
	return &c, nil
}

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// CreateCase stores a new case with its attachments' metadata, its first timeline event and the
// audit entry, in one transaction. The check code is stored only as a hash.
func (s *Store) CreateCase(ctx context.Context, c *Case, checkCode string, atts []Attachment, ip string) error {
	now := s.Now()
	c.FiledAt, c.UpdatedAt = now, now
	c.State = objection.Submitted
	return s.tx(ctx, func(tx *sql.Tx) error {
		fields, _ := json.Marshal(c.CorrectedFields)
		if c.CorrectedFields == nil {
			fields = nil
		}
		commitment := 0
		if c.Commitment {
			commitment = 1
		}
		err := tx.QueryRowContext(ctx, s.q(`INSERT INTO cases(tracking, check_hash, kind, record_id, record_type, entity_code, entity_name, authority,
			applicant_name, applicant_code, contact_person, contact_phone, contact_email, statement, commitment, state, outcome,
			outcome_reason, corrected_fields, filed_at, accepted_at, decided_at, deadline, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '', ?, ?, '', '', '', ?) RETURNING id`),
			c.Tracking, hashSecret(checkCode), string(c.Kind), c.RecordID, c.RecordType, c.EntityCode, c.EntityName, c.Authority,
			c.ApplicantName, c.ApplicantCode, c.ContactPerson, c.ContactPhone, c.ContactEmail, c.Statement, commitment,
			string(c.State), string(fields), fmtTime(now), fmtTime(now)).Scan(&c.ID)
		if err != nil {
			return err
		}
		if err := s.addFilingAttachments(ctx, tx, caseFiling, c.ID, atts); err != nil {
			return err
		}
		if err := s.addFilingEvent(ctx, tx, caseFiling, c.ID, Event{At: now, Actor: "applicant", Action: "file", To: objection.Submitted, Note: c.Kind.Label()}); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, AuditEntry{Actor: "applicant", Action: "case.file", Subject: c.Tracking,
			Detail: fmt.Sprintf("kind=%s record=%s attachments=%d", c.Kind, c.RecordID, len(atts)), IP: ip})
	})
}

// CaseByTracking returns a case.
func (s *Store) CaseByTracking(ctx context.Context, tracking string) (*Case, error) {
	c, err := scanCase(s.db.QueryRowContext(ctx, s.q(`SELECT `+caseColumns+` FROM cases WHERE tracking = ?`), tracking))
	if err != nil && err != ErrNotFound {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return c, err
}

// CheckCase returns the case if the check code is right; a wrong code and an unknown tracking
// number give the same ErrNotFound, so neither can be probed.
func (s *Store) CheckCase(ctx context.Context, tracking, checkCode string) (*Case, error) {
	if err := s.checkFiling(ctx, caseFiling, tracking, checkCode); err != nil {
		return nil, err
	}
	return s.CaseByTracking(ctx, tracking)
}

// Events returns a case's timeline, oldest first.
func (s *Store) Events(ctx context.Context, caseID int64) ([]Event, error) {
	return s.filingEvents(ctx, caseFiling, caseID)
}

// Attachments returns a case's attachments.
func (s *Store) Attachments(ctx context.Context, caseID int64) ([]Attachment, error) {
	return s.filingAttachments(ctx, caseFiling, caseID)
}

// Step is one transition requested by a reviewer or the applicant.
type Step struct {
	Action  objection.Action
	Actor   string
	Reason  string
	Outcome objection.Outcome
	Fields  map[string]string // corrected values, for the outcome 更正
	IP      string
	// DeadlineDays is the answer period in working days, counted from acceptance.
	DeadlineDays int
	Holidays     map[string]bool
	Attachments  []Attachment // material added by the applicant (补正)
}

// Transition applies a step to a case atomically: the state change, its timeline event, the
// decision and the audit entry are stored together or not at all.
func (s *Store) Transition(ctx context.Context, tracking string, st Step) (*Case, error) {
	var out *Case
	err := s.tx(ctx, func(tx *sql.Tx) error {
		c, err := scanCase(tx.QueryRowContext(ctx, s.q(`SELECT `+caseColumns+` FROM cases WHERE tracking = ?`), tracking))
		if err != nil {
			return err
		}
		to, err := objection.Next(c.State, st.Action)
		if err != nil {
			return &RuleError{Msg: err.Error()}
		}
		if st.Reason == "" && st.Action != objection.ActSupplement {
			return &RuleError{Msg: "每一步处理都必须填写理由 / a reason is required"}
		}
		now := s.Now()
		switch st.Action {
		case objection.ActAccept:
			c.AcceptedAt = now
			days := st.DeadlineDays
			if days <= 0 {
				days = 20
			}
			c.Deadline = objection.AddWorkingDays(now.In(chinaTime), days, st.Holidays).Format(time.DateOnly)
		case objection.ActClose:
			if !st.Outcome.ValidFor(c.Kind) {
				return &RuleError{Msg: fmt.Sprintf("该类申请不能以“%s”办结 / outcome %s does not fit kind %s", st.Outcome.Label(), st.Outcome, c.Kind)}
			}
			if st.Outcome == objection.Corrected && len(st.Fields) == 0 {
				return &RuleError{Msg: "更正必须给出更正后的字段 / a correction needs the corrected fields"}
			}
			c.Outcome, c.OutcomeReason, c.DecidedAt = st.Outcome, st.Reason, now
			if st.Outcome == objection.Corrected {
				c.CorrectedFields = st.Fields
			}
		}
		from := c.State
		c.State = to
		var fields []byte
		if c.CorrectedFields != nil {
			fields, _ = json.Marshal(c.CorrectedFields)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE cases SET state = ?, outcome = ?, outcome_reason = ?, corrected_fields = ?,
			accepted_at = ?, decided_at = ?, deadline = ?, updated_at = ? WHERE id = ?`),
			string(c.State), string(c.Outcome), c.OutcomeReason, string(fields), fmtTime(c.AcceptedAt), fmtTime(c.DecidedAt),
			c.Deadline, fmtTime(now), c.ID); err != nil {
			return err
		}
		note := st.Reason
		if st.Action == objection.ActClose {
			note = st.Outcome.Label() + "：" + st.Reason
		}
		if err := s.addFilingEvent(ctx, tx, caseFiling, c.ID, Event{At: now, Actor: st.Actor, Action: string(st.Action), From: from, To: to, Note: note}); err != nil {
			return err
		}
		if err := s.addFilingAttachments(ctx, tx, caseFiling, c.ID, st.Attachments); err != nil {
			return err
		}
		detail := fmt.Sprintf("%s→%s", from, to)
		if st.Outcome != "" {
			detail += " outcome=" + string(st.Outcome)
		}
		if err := s.appendAudit(ctx, tx, AuditEntry{Actor: st.Actor, Action: "case." + string(st.Action), Subject: tracking,
			Detail: detail + " reason=" + trimTo(st.Reason, 500), IP: st.IP}); err != nil {
			return err
		}
		c.UpdatedAt = now
		out = c
		return nil
	})
	return out, err
}

// RuleError is a step the rules do not allow; its message is for the user.
type RuleError struct{ Msg string }

func (e *RuleError) Error() string { return e.Msg }

var chinaTime = time.FixedZone("CST", 8*3600)

// QueueFilter selects cases for the back office.
type QueueFilter struct {
	State     objection.State // "" = all open cases
	Kind      objection.Kind
	Authority string // reviewers limited to an authority see only its records
	Overdue   bool
	Today     string
	Limit     int
}

// Queue lists cases, earliest deadline first (unaccepted cases by filing time).
func (s *Store) Queue(ctx context.Context, f QueueFilter) ([]*Case, error) {
	where := []string{"1 = 1"}
	var args []any
	switch f.State {
	case "":
		where = append(where, "state <> ?")
		args = append(args, string(objection.Closed))
	default:
		where = append(where, "state = ?")
		args = append(args, string(f.State))
	}
	if f.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, string(f.Kind))
	}
	if f.Authority != "" {
		where = append(where, "authority = ?")
		args = append(args, f.Authority)
	}
	if f.Overdue {
		where = append(where, "deadline <> '' AND deadline < ? AND state <> ?")
		args = append(args, f.Today, string(objection.Closed))
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+caseColumns+` FROM cases WHERE `+joinAnd(where)+`
		ORDER BY CASE WHEN deadline = '' THEN 1 ELSE 0 END, deadline, filed_at LIMIT ?`), args...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer rows.Close()
	var out []*Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

func joinAnd(parts []string) string {
	out := parts[0]
	for _, p := range parts[1:] {
		out += " AND " + p
	}
	return out
}

// AttachmentByID returns an attachment and the tracking number of its case.
func (s *Store) AttachmentByID(ctx context.Context, id int64) (*Attachment, string, error) {
	return s.filingAttachment(ctx, caseFiling, id)
}
