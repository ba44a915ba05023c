package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
)

// AuditEntry is one line of the append-only audit log: who did what, when, from where.
type AuditEntry struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"`
	Actor    string `json:"actor"`   // "applicant", "reviewer:NAME", "token:NAME", "system"
	Action   string `json:"action"`  // e.g. case.file, case.accept, user.add, login.fail
	Subject  string `json:"subject"` // tracking number, user name …
	Detail   string `json:"detail"`
	IP       string `json:"ip"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// chainHash links an entry to the previous one: changing or deleting any entry breaks every
// hash after it.
func chainHash(e AuditEntry) string {
	h := sha256.New()
	for _, p := range []string{e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At, e.Actor, e.Action, e.Subject, e.Detail, e.IP} {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// appendAudit adds an entry inside the caller's transaction, so the action and its audit line
// are stored together or not at all.
func (s *Store) appendAudit(ctx context.Context, tx *sql.Tx, e AuditEntry) error {
	if s.postgres {
		// Replicas append to one chain: serialise appends for the rest of the transaction.
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7270101)`); err != nil {
			return err
		}
	}
	var prev AuditEntry
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1`).Scan(&prev.Seq, &prev.Hash)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	e.Seq = prev.Seq + 1
	e.PrevHash = prev.Hash
	if e.At == "" {
		e.At = s.now()
	}
	e.Hash = chainHash(e)
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO audit(seq, at, actor, action, subject, detail, ip, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.Seq, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.IP, e.PrevHash, e.Hash)
	return err
}

// Audit appends one entry in its own transaction.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	return s.tx(ctx, func(tx *sql.Tx) error { return s.appendAudit(ctx, tx, e) })
}

// AuditLog returns entries with seq > after, oldest first.
func (s *Store) AuditLog(ctx context.Context, after int64, limit int) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT seq, at, actor, action, subject, detail, ip, prev_hash, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`), after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.IP, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const auditColumns = `seq, at, actor, action, subject, detail, ip, prev_hash, hash`

func (s *Store) auditQuery(ctx context.Context, query string, args ...any) ([]AuditEntry, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+auditColumns+` FROM audit WHERE `+query), args...)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.IP, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// LoginTrouble returns the failed and throttled logins of an account since the login before
// its latest one, newest first: what its owner should see on arriving in the back office.
func (s *Store) LoginTrouble(ctx context.Context, name string, limit int) ([]AuditEntry, error) {
	return s.auditQuery(ctx, `subject = ? AND action IN ('login.fail', 'login.throttled')
		AND seq > COALESCE((SELECT seq FROM audit WHERE subject = ? AND action = 'login.ok' ORDER BY seq DESC LIMIT 1 OFFSET 1), 0)
		ORDER BY seq DESC LIMIT ?`, name, name, limit)
}

// RecentAudit returns the newest entries of one action, at most limit, newest first.
func (s *Store) RecentAudit(ctx context.Context, action string, limit int) ([]AuditEntry, error) {
	return s.auditQuery(ctx, `action = ? ORDER BY seq DESC LIMIT ?`, action, limit)
}

// VerifyAudit recomputes the whole chain; it returns the number of entries checked, or an
// error naming the first entry that was changed, removed or inserted.
func (s *Store) VerifyAudit(ctx context.Context) (int64, error) {
	var n int64
	prev := AuditEntry{}
	for {
		batch, err := s.AuditLog(ctx, prev.Seq, 1000)
		if err != nil {
			return n, err
		}
		if len(batch) == 0 {
			return n, nil
		}
		for _, e := range batch {
			switch {
			case e.Seq != prev.Seq+1:
				return n, fmt.Errorf("audit entry %d is missing (next is %d)", prev.Seq+1, e.Seq)
			case e.PrevHash != prev.Hash:
				return n, fmt.Errorf("audit entry %d does not link to entry %d", e.Seq, prev.Seq)
			case chainHash(e) != e.Hash:
				return n, fmt.Errorf("audit entry %d was changed after it was written", e.Seq)
			}
			prev = e
			n++
		}
	}
}

func trimTo(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) <= n {
		return s
	}
	return s[:n]
}
