// Package store is the portal's SQL store: objections and repair applications, attachments'
// metadata, decisions, reviewers, sessions, API tokens and the hash-chained audit log. The same
// SQL runs on SQLite (pure Go, the default) and PostgreSQL (several replicas).
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// ErrNotFound is returned when a row does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnavailable wraps failures to reach the database, so handlers can answer 503.
var ErrUnavailable = errors.New("store unavailable")

// Store is the SQL store.
type Store struct {
	db       *sql.DB
	postgres bool
	Now      func() time.Time
}

// Open opens the store: a postgres:// URL, or "" for SQLite in the data folder. It brings the
// schema to the latest version (migrations.go) and refuses a database whose schema is newer
// than this binary.
func Open(ctx context.Context, url, dataDir string) (*Store, error) {
	s, err := connect(ctx, url, dataDir)
	if err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return s, nil
}

// connect opens and pings the database without touching its schema.
func connect(ctx context.Context, url, dataDir string) (*Store, error) {
	s := &Store{Now: time.Now}
	var err error
	switch {
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://"):
		s.postgres = true
		if s.db, err = sql.Open("pgx", url); err != nil {
			return nil, err
		}
		s.db.SetMaxOpenConns(16)
		s.db.SetConnMaxIdleTime(5 * time.Minute)
	case url == "" || strings.HasPrefix(url, "sqlite:"):
		path := strings.TrimPrefix(url, "sqlite:")
		if path == "" {
			path = filepath.Join(dataDir, "gongshi.db")
		}
		// One writer connection: SQLite serialises writes anyway, and this keeps the audit
		// chain strictly ordered. WAL lets readers run beside it; synchronous=FULL because an
		// acknowledged objection must survive kill -9 and power loss.
		dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
		if s.db, err = sql.Open("sqlite", dsn); err != nil {
			return nil, err
		}
		s.db.SetMaxOpenConns(1)
	default:
		return nil, fmt.Errorf("--db must be a postgres:// URL or empty for SQLite, not %q", url)
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.db.PingContext(cctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return nil
}

// Postgres reports whether the store is PostgreSQL.
func (s *Store) Postgres() bool { return s.postgres }

// q rewrites ? placeholders into $1, $2 … for PostgreSQL; SQL is always parameterised.
func (s *Store) q(query string) string {
	if !s.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// tx runs fn in a transaction; any error rolls everything back, so nothing is stored half.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		if !errors.Is(err, ErrUnavailable) && s.lostConnection(err) {
			return fmt.Errorf("%w: %v", ErrUnavailable, err) // 503, not 500: nothing was stored
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%w: commit: %v", ErrUnavailable, err)
	}
	return nil
}

// lostConnection reports whether a statement failed because PostgreSQL went away (shut down,
// restarted, unreachable) rather than because of the statement: the transaction is rolled
// back either way, and the caller can tell the client to try again later.
func (s *Store) lostConnection(err error) bool {
	if !s.postgres {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exception; 57P01-57P05: shut down, crash, cannot connect now.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P")
	}
	var netErr net.Error
	return errors.Is(err, driver.ErrBadConn) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.As(err, &netErr) || pgconn.Timeout(err) || strings.Contains(err.Error(), "conn closed")
}

func (s *Store) now() string { return s.Now().UTC().Format(time.RFC3339Nano) }
