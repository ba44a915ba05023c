package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/gongshi/gongshi/portal/devtools/pgtemp"
	"github.com/gongshi/gongshi/portal/objection"
)

// BenchmarkTipoffStats measures the public statistics (one GROUP BY over every tip-off, asked
// for by each view of the tip-off form) and filing one tip-off (a transaction with its event
// and a chained audit entry), with 20,000 tip-offs stored, on SQLite and PostgreSQL.
//
//	go test -run '^$' -bench TipoffStats ./portal/store/
func BenchmarkTipoffStats(b *testing.B) {
	const stored = 20000
	for _, db := range []string{"sqlite", "postgres"} {
		b.Run(db, func(b *testing.B) {
			url, dir := "", b.TempDir()
			if db == "postgres" {
				url, dir = pgDatabaseB(b), ""
			}
			s, err := Open(context.Background(), url, dir)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			ctx := context.Background()
			kinds, states := objection.TipoffKinds, []objection.State{objection.Submitted, objection.Accepted, objection.Closed}
			err = s.tx(ctx, func(tx *sql.Tx) error {
				for i := 0; i < stored; i++ {
					st := states[i%3]
					outcome := ""
					if st == objection.Closed {
						outcome = string(objection.TipoffOutcomes[i%3])
					}
					if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO tipoffs(tracking, check_hash, kind, entity_code, entity_name, record_id,
						record_type, authority, content, reporter_name, reporter_phone, reporter_email, state, outcome, outcome_reason,
						filed_at, accepted_at, decided_at, deadline, updated_at) VALUES (?, 'h', ?, 'c', 'n', '', '', 'a', 'x', '', '', '', ?, ?, '', '', '', '', ?, '')`),
						fmt.Sprintf("JB-20260101-%05d", i), string(kinds[i%3]), string(st), outcome, fmt.Sprintf("2026-%02d-15", 1+i%12)); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
			b.Run("stats", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					st, err := s.TipoffStats(ctx, "2026-06-30")
					if err != nil || st.Filed != stored {
						b.Fatalf("%+v %v", st, err)
					}
				}
			})
			filed := 0 // b.N grows over runs of the same database: every number is new
			b.Run("file", func(b *testing.B) {
				for i := 0; i < b.N; i++ {
					filed++
					if err := s.CreateTipoff(ctx, newTipoff(fmt.Sprintf("JB-20261122-B%06d", filed), objection.TipoffError, "a"), "CODE", nil, ""); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// pgDatabaseB is pgDatabase for a benchmark.
func pgDatabaseB(b *testing.B) string {
	b.Helper()
	if pg == nil {
		c, err := pgtemp.Start(context.Background())
		if err != nil {
			b.Fatalf("PostgreSQL is required (CI installs it): %v", err)
		}
		pg = c
	}
	db, err := pg.CreateDatabase(context.Background(), fmt.Sprintf("b%d", dbCounter.Add(1)))
	if err != nil {
		b.Fatal(err)
	}
	return db
}
