package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"fmt"
)

// Objection cases and tip-offs are both filings: a row with a tracking number and a hashed
// check code, a timeline of events and attachments, in tables of the same columns. A filing
// names its tables; the queries below serve both. (Table names are constants, never input.)
type filing struct {
	table, events, attachments, key string
}

var (
	caseFiling   = filing{table: "cases", events: "case_events", attachments: "attachments", key: "case_id"}
	tipoffFiling = filing{table: "tipoffs", events: "tipoff_events", attachments: "tipoff_attachments", key: "tipoff_id"}
)

func (s *Store) addFilingEvent(ctx context.Context, tx *sql.Tx, f filing, id int64, e Event) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+f.events+`(`+f.key+`, at, actor, action, from_state, to_state, note) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		id, fmtTime(e.At), e.Actor, e.Action, string(e.From), string(e.To), e.Note)
	return err
}

func (s *Store) addFilingAttachments(ctx context.Context, tx *sql.Tx, f filing, id int64, atts []Attachment) error {
	for _, a := range atts {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO `+f.attachments+`(`+f.key+`, name, mime, size, sha256, path, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			id, a.Name, a.MIME, a.Size, a.SHA256, a.Path, fmtTime(s.Now())); err != nil {
			return err
		}
	}
	return nil
}

// checkFiling says whether the check code is the filing's: a wrong code and an unknown
// tracking number give the same ErrNotFound, so neither can be probed.
func (s *Store) checkFiling(ctx context.Context, f filing, tracking, checkCode string) error {
	var hash string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT check_hash FROM `+f.table+` WHERE tracking = ?`), tracking).Scan(&hash)
	if err == sql.ErrNoRows {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if subtle.ConstantTimeCompare([]byte(hash), []byte(hashSecret(checkCode))) != 1 {
		return ErrNotFound
	}
	return nil
}

// filingEvents returns a filing's timeline, oldest first.
func (s *Store) filingEvents(ctx context.Context, f filing, id int64) ([]Event, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT at, actor, action, from_state, to_state, note FROM `+f.events+` WHERE `+f.key+` = ? ORDER BY id`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&at, &e.Actor, &e.Action, &e.From, &e.To, &e.Note); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// filingAttachments returns a filing's attachments.
func (s *Store) filingAttachments(ctx context.Context, f filing, id int64) ([]Attachment, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, name, mime, size, sha256, path, uploaded_at FROM `+f.attachments+` WHERE `+f.key+` = ? ORDER BY id`), id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var a Attachment
		var at string
		if err := rows.Scan(&a.ID, &a.Name, &a.MIME, &a.Size, &a.SHA256, &a.Path, &at); err != nil {
			return nil, err
		}
		a.UploadedAt = parseTime(at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// filingAttachment returns one attachment and the tracking number of its filing.
func (s *Store) filingAttachment(ctx context.Context, f filing, id int64) (*Attachment, string, error) {
	var a Attachment
	var tracking, at string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT a.id, a.name, a.mime, a.size, a.sha256, a.path, a.uploaded_at, f.tracking
		FROM `+f.attachments+` a JOIN `+f.table+` f ON f.id = a.`+f.key+` WHERE a.id = ?`), id).
		Scan(&a.ID, &a.Name, &a.MIME, &a.Size, &a.SHA256, &a.Path, &at, &tracking)
	if err == sql.ErrNoRows {
		return nil, "", ErrNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	a.UploadedAt = parseTime(at)
	return &a, tracking, nil
}
