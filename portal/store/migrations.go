package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// migration is one step in the history of the schema. A released step is never edited: a
// change to the schema is a new step at the end of migrations, so every database, whatever
// version it was created at, reaches the same schema.
type migration struct {
	Version int
	Name    string
	// One statement per entry, so a failure names the statement; the two dialects differ
	// only where their SQL does.
	SQLite, Postgres []string
}

// migrations is the schema's history, oldest first; versions are 1, 2, 3 … without gaps.
var migrations = []migration{
	{
		Version:  1,
		Name:     "objections, attachments, reviewers, sessions, API tokens and audit log",
		SQLite:   schemaV1("INTEGER PRIMARY KEY AUTOINCREMENT"),
		Postgres: schemaV1("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
	},
	{
		Version: 2,
		Name:    "audit indexes for failed and throttled logins",
		// IF NOT EXISTS: databases created before versions were recorded may already have
		// them (they were added to the unversioned schema), or may not.
		SQLite:   auditLoginIndexes,
		Postgres: auditLoginIndexes,
	},
	{
		Version:  3,
		Name:     "tip-offs (举报) with their timelines and attachments",
		SQLite:   schemaV3("INTEGER PRIMARY KEY AUTOINCREMENT"),
		Postgres: schemaV3("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
	},
}

// schemaV3 adds tip-offs. The reporter's contact details are columns of tipoffs only: no
// event, audit entry or view carries them.
func schemaV3(id string) []string {
	return []string{
		`CREATE TABLE tipoffs (
			id ` + id + `,
			tracking TEXT NOT NULL UNIQUE,
			check_hash TEXT NOT NULL,
			kind TEXT NOT NULL,
			entity_code TEXT NOT NULL,
			entity_name TEXT NOT NULL,
			record_id TEXT NOT NULL,
			record_type TEXT NOT NULL,
			authority TEXT NOT NULL,
			content TEXT NOT NULL,
			reporter_name TEXT NOT NULL,
			reporter_phone TEXT NOT NULL,
			reporter_email TEXT NOT NULL,
			state TEXT NOT NULL,
			outcome TEXT NOT NULL,
			outcome_reason TEXT NOT NULL,
			filed_at TEXT NOT NULL,
			accepted_at TEXT NOT NULL,
			decided_at TEXT NOT NULL,
			deadline TEXT NOT NULL,
			updated_at TEXT NOT NULL)`,
		`CREATE INDEX tipoffs_queue ON tipoffs(state, authority, filed_at)`,
		// The public statistics read only these columns: the index answers them alone.
		`CREATE INDEX tipoffs_stats ON tipoffs(kind, state, outcome, deadline)`,
		`CREATE TABLE tipoff_events (
			id ` + id + `,
			tipoff_id BIGINT NOT NULL REFERENCES tipoffs(id),
			at TEXT NOT NULL,
			actor TEXT NOT NULL,
			action TEXT NOT NULL,
			from_state TEXT NOT NULL,
			to_state TEXT NOT NULL,
			note TEXT NOT NULL)`,
		`CREATE INDEX tipoff_events_tipoff ON tipoff_events(tipoff_id, id)`,
		`CREATE TABLE tipoff_attachments (
			id ` + id + `,
			tipoff_id BIGINT NOT NULL REFERENCES tipoffs(id),
			name TEXT NOT NULL,
			mime TEXT NOT NULL,
			size BIGINT NOT NULL,
			sha256 TEXT NOT NULL,
			path TEXT NOT NULL,
			uploaded_at TEXT NOT NULL)`,
		`CREATE INDEX tipoff_attachments_tipoff ON tipoff_attachments(tipoff_id)`,
	}
}

// schemaV1 is the schema as first released; id is the dialect's auto-increment key.
func schemaV1(id string) []string {
	return []string{
		`CREATE TABLE cases (
			id ` + id + `,
			tracking TEXT NOT NULL UNIQUE,
			check_hash TEXT NOT NULL,
			kind TEXT NOT NULL,
			record_id TEXT NOT NULL,
			record_type TEXT NOT NULL,
			entity_code TEXT NOT NULL,
			entity_name TEXT NOT NULL,
			authority TEXT NOT NULL,
			applicant_name TEXT NOT NULL,
			applicant_code TEXT NOT NULL,
			contact_person TEXT NOT NULL,
			contact_phone TEXT NOT NULL,
			contact_email TEXT NOT NULL,
			statement TEXT NOT NULL,
			commitment INTEGER NOT NULL,
			state TEXT NOT NULL,
			outcome TEXT NOT NULL,
			outcome_reason TEXT NOT NULL,
			corrected_fields TEXT NOT NULL,
			filed_at TEXT NOT NULL,
			accepted_at TEXT NOT NULL,
			decided_at TEXT NOT NULL,
			deadline TEXT NOT NULL,
			updated_at TEXT NOT NULL)`,
		`CREATE INDEX cases_record ON cases(record_id)`,
		`CREATE INDEX cases_state ON cases(state, deadline)`,
		`CREATE TABLE case_events (
			id ` + id + `,
			case_id BIGINT NOT NULL REFERENCES cases(id),
			at TEXT NOT NULL,
			actor TEXT NOT NULL,
			action TEXT NOT NULL,
			from_state TEXT NOT NULL,
			to_state TEXT NOT NULL,
			note TEXT NOT NULL)`,
		`CREATE INDEX case_events_case ON case_events(case_id, id)`,
		`CREATE TABLE attachments (
			id ` + id + `,
			case_id BIGINT NOT NULL REFERENCES cases(id),
			name TEXT NOT NULL,
			mime TEXT NOT NULL,
			size BIGINT NOT NULL,
			sha256 TEXT NOT NULL,
			path TEXT NOT NULL,
			uploaded_at TEXT NOT NULL)`,
		`CREATE INDEX attachments_case ON attachments(case_id)`,
		`CREATE TABLE users (
			id ` + id + `,
			name TEXT NOT NULL UNIQUE,
			role TEXT NOT NULL,
			authority TEXT NOT NULL,
			password_hash TEXT NOT NULL,
			created_at TEXT NOT NULL,
			disabled INTEGER NOT NULL DEFAULT 0)`,
		`CREATE TABLE sessions (
			token_hash TEXT PRIMARY KEY,
			user_id BIGINT NOT NULL REFERENCES users(id),
			created_at TEXT NOT NULL,
			expires_at TEXT NOT NULL)`,
		`CREATE TABLE api_tokens (
			id ` + id + `,
			token_hash TEXT NOT NULL UNIQUE,
			user_id BIGINT NOT NULL REFERENCES users(id),
			name TEXT NOT NULL,
			created_at TEXT NOT NULL)`,
		`CREATE TABLE audit (
			seq BIGINT PRIMARY KEY,
			at TEXT NOT NULL,
			actor TEXT NOT NULL,
			action TEXT NOT NULL,
			subject TEXT NOT NULL,
			detail TEXT NOT NULL,
			ip TEXT NOT NULL,
			prev_hash TEXT NOT NULL,
			hash TEXT NOT NULL)`,
	}
}

// schemaV1Tables are the tables version 1 creates: a database that has them but no
// schema_migrations was created before versions were recorded.
var schemaV1Tables = []string{"cases", "case_events", "attachments", "users", "sessions", "api_tokens", "audit"}

// Login problems are read back by account (for its owner) and by action (for admins).
var auditLoginIndexes = []string{
	`CREATE INDEX IF NOT EXISTS audit_subject ON audit(subject, action, seq)`,
	`CREATE INDEX IF NOT EXISTS audit_action ON audit(action, seq)`,
}

// ErrSchemaNewer is wrapped by Open when the database has migrations this binary does not
// know: an older gongshi must not write to a schema it does not understand.
var ErrSchemaNewer = errors.New("database schema is newer than this gongshi")

// schemaLock is the PostgreSQL advisory lock that replicas starting together queue on, so each
// migration is applied once: pg_advisory_xact_lock(int4, int4), the same class ("gshi") as the
// scheduled jobs' elector, which uses key 1.
const schemaLock = `SELECT pg_advisory_xact_lock(1735616617, 2)`

// SchemaVersion is one applied migration, as recorded in schema_migrations.
type SchemaVersion struct {
	Version   int
	Name      string
	AppliedAt string
}

// SchemaVersions returns the applied migrations, oldest first.
func (s *Store) SchemaVersions(ctx context.Context) ([]SchemaVersion, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT version, name, applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	defer rows.Close()
	var out []SchemaVersion
	for rows.Next() {
		var v SchemaVersion
		if err := rows.Scan(&v.Version, &v.Name, &v.AppliedAt); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// migrate brings the schema to the latest version, one migration per transaction, so a
// failure leaves the database at the last version that was applied whole.
func (s *Store) migrate(ctx context.Context) error {
	for {
		done, err := s.migrateOne(ctx)
		if err != nil || done {
			return err
		}
	}
}

// migrateOne applies the next pending migration, if any, and records it. Everything is read
// again inside the transaction, after the lock: another replica (or another process on the
// same SQLite file, which BEGIN IMMEDIATE serialises) may have migrated meanwhile.
func (s *Store) migrateOne(ctx context.Context) (done bool, err error) {
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if s.postgres {
			if _, err := tx.ExecContext(ctx, schemaLock); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version INTEGER PRIMARY KEY,
			name TEXT NOT NULL,
			applied_at TEXT NOT NULL)`); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return err
		}
		latest := migrations[len(migrations)-1].Version
		if current > latest {
			return fmt.Errorf("%w: the database is at schema version %d, this gongshi knows versions up to %d, so the binary is older than the schema; "+
				"run the gongshi release that upgraded the database, or restore a backup taken before the upgrade",
				ErrSchemaNewer, current, latest)
		}
		if current == 0 {
			legacy, err := s.unversionedSchema(ctx, tx)
			if err != nil {
				return err
			}
			if legacy {
				// Its tables are exactly version 1; later versions are applied from here on.
				return s.recordMigration(ctx, tx, migrations[0])
			}
		}
		for _, m := range migrations {
			if m.Version <= current {
				continue
			}
			stmts := m.SQLite
			if s.postgres {
				stmts = m.Postgres
			}
			for _, st := range stmts {
				if _, err := tx.ExecContext(ctx, st); err != nil {
					return fmt.Errorf("version %d (%s): %w\n%s", m.Version, m.Name, err, st)
				}
			}
			return s.recordMigration(ctx, tx, m)
		}
		done = true
		return nil
	})
	return done, err
}

func (s *Store) recordMigration(ctx context.Context, tx *sql.Tx, m migration) error {
	_, err := tx.ExecContext(ctx, s.q(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`),
		m.Version, m.Name, s.now())
	return err
}

// unversionedSchema reports whether the database was created before schema versions were
// recorded: it has the objections table but no schema_migrations rows. A database with only
// some of version 1's tables is refused rather than guessed at.
func (s *Store) unversionedSchema(ctx context.Context, tx *sql.Tx) (bool, error) {
	query := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?`
	if s.postgres {
		query = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1`
	}
	var missing []string
	for _, table := range schemaV1Tables {
		var n int
		if err := tx.QueryRowContext(ctx, query, table).Scan(&n); err != nil {
			return false, err
		}
		if n == 0 {
			missing = append(missing, table)
		}
	}
	switch len(missing) {
	case 0:
		return true, nil
	case len(schemaV1Tables):
		return false, nil
	}
	return false, fmt.Errorf("the database has some of gongshi's tables but not %s and no schema_migrations: "+
		"it is not a gongshi store, or its creation was interrupted; restore it from a backup or use an empty database",
		strings.Join(missing, ", "))
}
