package store

import (
	"context"
	"database/sql"
	"errors"
	"testing"
)

// TestLostConnectionIsUnavailable: PostgreSQL going away in the middle of a transaction is an
// outage (503, try again), not an internal error, and nothing of the transaction is kept.
func TestLostConnectionIsUnavailable(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		if !s.Postgres() {
			return // SQLite is a file: there is no connection to lose
		}
		ctx := context.Background()
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO audit(seq, at, actor, action, subject, detail, ip, prev_hash, hash)
				VALUES (999, '', '', '', '', '', '', '', '')`); err != nil {
				return err
			}
			// The server ends this session, as a shutdown or restart would.
			_, err := tx.ExecContext(ctx, `SELECT pg_terminate_backend(pg_backend_pid())`)
			return err
		})
		if !errors.Is(err, ErrUnavailable) {
			t.Fatalf("session ended mid-transaction: %v, want ErrUnavailable", err)
		}
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM audit WHERE seq = 999`).Scan(&n); err != nil || n != 0 {
			t.Errorf("half a transaction kept: %d rows, %v", n, err)
		}
		// A statement's own failure stays what it is.
		err = s.tx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `SELECT no_such_column FROM audit`)
			return err
		})
		if err == nil || errors.Is(err, ErrUnavailable) {
			t.Errorf("bad statement: %v, want a plain error", err)
		}
	})
}
