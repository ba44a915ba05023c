package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gongshi/gongshi/portal/objection"
)

// ddlBeforeVersions is the DDL Open ran, statement by statement, before schema versions were
// recorded: a fixture copied verbatim from that code (ID stands for the dialect's
// auto-increment key). Never edit it: real databases were created by exactly these statements.
const ddlBeforeVersions = `CREATE TABLE IF NOT EXISTS cases (
			id ID,
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
			updated_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cases_record ON cases(record_id);
CREATE INDEX IF NOT EXISTS cases_state ON cases(state, deadline);
CREATE TABLE IF NOT EXISTS case_events (
			id ID,
			case_id BIGINT NOT NULL REFERENCES cases(id),
			at TEXT NOT NULL,
			actor TEXT NOT NULL,
			action TEXT NOT NULL,
			from_state TEXT NOT NULL,
			to_state TEXT NOT NULL,
			note TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS case_events_case ON case_events(case_id, id);
CREATE TABLE IF NOT EXISTS attachments (
			id ID,
			case_id BIGINT NOT NULL REFERENCES cases(id),
			name TEXT NOT NULL,
			mime TEXT NOT NULL,
			size BIGINT NOT NULL,
			sha256 TEXT NOT NULL,
			path TEXT NOT NULL,
			uploaded_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attachments_case ON attachments(case_id);
CREATE TABLE IF NOT EXISTS users (
			id ID,
			name TEXT NOT NULL UNIQUE,
			role TEXT NOT NULL,
			authority TEXT NOT NULL,
			password_hash TEXT NOT NULL,
			created_at TEXT NOT NULL,
			disabled INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS sessions (
			token_hash TEXT PRIMARY KEY,
			user_id BIGINT NOT NULL REFERENCES users(id),
			created_at TEXT NOT NULL,
			expires_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS api_tokens (
			id ID,
			token_hash TEXT NOT NULL UNIQUE,
			user_id BIGINT NOT NULL REFERENCES users(id),
			name TEXT NOT NULL,
			created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
			seq BIGINT PRIMARY KEY,
			at TEXT NOT NULL,
			actor TEXT NOT NULL,
			action TEXT NOT NULL,
			subject TEXT NOT NULL,
			detail TEXT NOT NULL,
			ip TEXT NOT NULL,
			prev_hash TEXT NOT NULL,
			hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_subject ON audit(subject, action, seq);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action, seq)`

// createUnversioned creates the schema the way Open did before versions were recorded;
// withAuditIndexes false is a database from before the login-trouble indexes.
func createUnversioned(t *testing.T, s *Store, withAuditIndexes bool) {
	t.Helper()
	id := "INTEGER PRIMARY KEY AUTOINCREMENT"
	if s.postgres {
		id = "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
	}
	for _, st := range strings.Split(strings.ReplaceAll(ddlBeforeVersions, " ID,", " "+id+","), ";\n") {
		if !withAuditIndexes && strings.Contains(st, " ON audit(") {
			continue
		}
		if _, err := s.db.Exec(st); err != nil {
			t.Fatalf("%v\n%s", err, st)
		}
	}
}

// schemaOf describes every table's columns and every index, in a form that compares equal
// between two databases of one dialect with the same schema.
func schemaOf(t *testing.T, s *Store) []string {
	t.Helper()
	queries := []string{
		`SELECT m.name || ' ' || p.name || ' ' || p.type || ' notnull=' || p."notnull" || ' default=' || COALESCE(p.dflt_value, '') || ' pk=' || p.pk
			FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' ORDER BY m.name, p.cid`,
		`SELECT m.name || ' ON ' || m.tbl_name || '(' || group_concat(i.name, ',') || ')'
			FROM sqlite_master m, pragma_index_info(m.name) i WHERE m.type = 'index' GROUP BY m.name ORDER BY m.name`,
	}
	if s.postgres {
		queries = []string{
			`SELECT table_name || ' ' || column_name || ' ' || data_type || ' nullable=' || is_nullable || ' default=' || COALESCE(column_default, '') || ' identity=' || is_identity
				FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
			`SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname`,
		}
	}
	var out []string
	for _, q := range queries {
		rows, err := s.db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				t.Fatal(err)
			}
			out = append(out, line)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// wantAllVersions fails unless schema_migrations lists every known migration once, in order.
func wantAllVersions(t *testing.T, s *Store) []SchemaVersion {
	t.Helper()
	got, err := s.SchemaVersions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(migrations) {
		t.Fatalf("schema_migrations %+v, want %d versions", got, len(migrations))
	}
	for i, m := range migrations {
		if got[i].Version != m.Version || got[i].Name != m.Name || got[i].AppliedAt == "" {
			t.Errorf("schema_migrations[%d] = %+v, want version %d %q", i, got[i], m.Version, m.Name)
		}
	}
	return got
}

func TestMigrationList(t *testing.T) {
	for i, m := range migrations {
		if m.Version != i+1 || m.Name == "" || len(m.SQLite) == 0 || len(m.Postgres) == 0 {
			t.Errorf("migration %d: %+v: versions must run 1, 2, 3 … and each needs a name and SQL for both dialects", i, m)
		}
	}
}

func TestMigrateEmptyDatabase(t *testing.T) {
	eachDatabase(t, func(t *testing.T, url, dir string) {
		ctx := context.Background()
		s, err := Open(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		first := wantAllVersions(t, s)
		if err := s.CreateCase(ctx, newCase("YY-20261208-EMPT"), "CHECKCODE123", nil, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		s.Close()

		// Opening an up-to-date database changes nothing.
		s, err = Open(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if again := wantAllVersions(t, s); fmt.Sprint(again) != fmt.Sprint(first) {
			t.Errorf("reopening rewrote schema_migrations: %+v, was %+v", again, first)
		}
		if _, err := s.CaseByTracking(ctx, "YY-20261208-EMPT"); err != nil {
			t.Errorf("case lost on reopening: %v", err)
		}
	})
}

func TestMigrateUnversionedDatabase(t *testing.T) {
	for _, tc := range []struct {
		name             string
		withAuditIndexes bool
	}{
		{"as created just before versions", true},
		{"from before the audit indexes", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eachDatabase(t, func(t *testing.T, url, dir string) {
				ctx := context.Background()
				// What a migrated database must look like: one created from empty.
				freshURL, freshDir := "", t.TempDir()
				if url != "" {
					freshURL, freshDir = pgDatabase(t), ""
				}
				fresh, err := Open(ctx, freshURL, freshDir)
				if err != nil {
					t.Fatal(err)
				}
				want := schemaOf(t, fresh)
				fresh.Close()

				// A database made and used by the code before versions, without Open.
				old, err := connect(ctx, url, dir)
				if err != nil {
					t.Fatal(err)
				}
				createUnversioned(t, old, tc.withAuditIndexes)
				c := newCase("YY-20261208-LGCY")
				atts := []Attachment{{Name: "复议决定书.pdf", MIME: "application/pdf", Size: 2048, SHA256: "cd", Path: "att/1"}}
				if err := old.CreateCase(ctx, c, "CHECKCODE123", atts, "127.0.0.1"); err != nil {
					t.Fatal(err)
				}
				if _, err := old.Transition(ctx, c.Tracking, Step{Action: objection.ActAccept, Actor: "reviewer:li", Reason: "材料齐全", IP: "10.0.0.1"}); err != nil {
					t.Fatal(err)
				}
				if _, err := old.CreateUser(ctx, "li", RoleReviewer, "", "correct horse battery", "admin-cli"); err != nil {
					t.Fatal(err)
				}
				if err := old.Audit(ctx, AuditEntry{Actor: "reviewer:li", Action: "login.fail", Subject: "li", IP: "10.0.0.9"}); err != nil {
					t.Fatal(err)
				}
				entries, err := old.VerifyAudit(ctx)
				if err != nil {
					t.Fatal(err)
				}
				old.Close()

				s, err := Open(ctx, url, dir)
				if err != nil {
					t.Fatal(err)
				}
				first := wantAllVersions(t, s)
				if got := schemaOf(t, s); strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("migrated schema differs from a new one:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				got, err := s.CaseByTracking(ctx, c.Tracking)
				if err != nil || got.Statement != c.Statement || got.State != objection.Accepted {
					t.Errorf("case after migrating: %+v %v", got, err)
				}
				if _, err := s.CheckCase(ctx, c.Tracking, "CHECKCODE123"); err != nil {
					t.Errorf("check code after migrating: %v", err)
				}
				if evs, _ := s.Events(ctx, c.ID); len(evs) != 2 {
					t.Errorf("timeline after migrating: %+v", evs)
				}
				if as, _ := s.Attachments(ctx, c.ID); len(as) != 1 || as[0].Name != atts[0].Name {
					t.Errorf("attachments after migrating: %+v", as)
				}
				if u, err := s.Authenticate(ctx, "li", "correct horse battery"); err != nil || u.Role != RoleReviewer {
					t.Errorf("reviewer after migrating: %+v %v", u, err)
				}
				if n, err := s.VerifyAudit(ctx); err != nil || n != entries {
					t.Errorf("audit chain after migrating: %d entries (was %d), %v", n, entries, err)
				}
				if trouble, err := s.LoginTrouble(ctx, "li", 10); err != nil || len(trouble) != 1 {
					t.Errorf("login trouble after migrating: %+v %v", trouble, err)
				}
				// The migrated database keeps working: new rows continue the ids and the chain.
				if err := s.CreateCase(ctx, newCase("YY-20261208-NEXT"), "CHECKCODE456", nil, "127.0.0.1"); err != nil {
					t.Fatal(err)
				}
				s.Close()

				s, err = Open(ctx, url, dir)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				if again := wantAllVersions(t, s); fmt.Sprint(again) != fmt.Sprint(first) {
					t.Errorf("reopening rewrote schema_migrations: %+v, was %+v", again, first)
				}
				if n, err := s.VerifyAudit(ctx); err != nil || n != entries+1 {
					t.Errorf("audit chain after reopening: %d entries, want %d, %v", n, entries+1, err)
				}
			})
		})
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	eachDatabase(t, func(t *testing.T, url, dir string) {
		ctx := context.Background()
		s, err := Open(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		future := len(migrations) + 1
		if _, err := s.db.Exec(s.q(`INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)`),
			future, "from a newer gongshi", s.now()); err != nil {
			t.Fatal(err)
		}
		s.Close()

		s, err = Open(ctx, url, dir)
		if err == nil {
			s.Close()
			t.Fatal("a database from a newer gongshi was opened")
		}
		if !errors.Is(err, ErrSchemaNewer) || !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", future)) ||
			!strings.Contains(err.Error(), "older than the schema") {
			t.Errorf("refusal does not say why: %v", err)
		}
	})
}

func TestMigrateRefusesPartialSchema(t *testing.T) {
	eachDatabase(t, func(t *testing.T, url, dir string) {
		ctx := context.Background()
		s, err := connect(ctx, url, dir)
		if err != nil {
			t.Fatal(err)
		}
		// Another application's table of the same name, or a creation cut short.
		if _, err := s.db.Exec(`CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)`); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s, err = Open(ctx, url, dir)
		if err == nil {
			s.Close()
			t.Fatal("a database with only some of the tables was opened")
		}
		if !strings.Contains(err.Error(), "not cases, case_events") {
			t.Errorf("refusal does not name the missing tables: %v", err)
		}
	})
}

// Replicas started together migrate one PostgreSQL database: each migration runs once and every
// replica opens.
func TestMigrateConcurrentPostgres(t *testing.T) {
	url := pgDatabase(t)
	const replicas = 4
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  = make(chan error, replicas)
	)
	for range replicas {
		wg.Go(func() {
			<-start
			s, err := Open(context.Background(), url, "")
			if err == nil {
				s.Close()
			}
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("replica failed to open: %v", err)
		}
	}
	s, err := Open(context.Background(), url, "")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantAllVersions(t, s)
}
