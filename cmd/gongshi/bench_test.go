package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer/devtools/bench"
	"github.com/gongshi/gongshi/portal/devtools/pgtemp"
)

// TestBenchAgainstPeers runs the search benchmark on small data against a real throw-away
// PostgreSQL (pg_trgm) and SQLite FTS5. It lives here because the importer must not import
// portal, where the PostgreSQL starter is.
func TestBenchAgainstPeers(t *testing.T) {
	pgtemp.SkipIfShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pg, err := pgtemp.Start(ctx)
	if err != nil {
		t.Fatalf("PostgreSQL must run for this test (the benchmark's point is the comparison): %v", err)
	}
	defer pg.Stop()

	var out, log bytes.Buffer
	res, err := bench.Run(ctx, bench.Options{
		Entities: 3000, Seed: 7, Date: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC),
		Queries: 20, PostgresDSN: pg.DSN, Shards: 2, Out: &out, Log: &log,
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	table := out.String()
	t.Logf("\n%s", table)
	if testing.Verbose() {
		t.Logf("\n%s", log.String())
	}
	for _, want := range []string{"3000 entities", bench.EngineGongshi, bench.EnginePgTrgm, bench.EngineSQLite, "ratio of mean latency: gongshi/pg_trgm"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	for _, c := range append(append([]string{}, bench.Classes...), bench.ClassAll) {
		if !strings.Contains(table, "\n"+c+" ") {
			t.Errorf("table lacks class %s", c)
		}
		for _, e := range []string{bench.EngineGongshi, bench.EnginePgTrgm, bench.EngineSQLite} {
			cr := res.Class(e, c)
			if cr == nil || cr.N == 0 {
				t.Errorf("%s %s: no queries", e, c)
			}
		}
	}
	if res.Entities != 3000 || res.Indexed == 0 || res.IndexBytes == 0 || len(res.Peers) != 2 {
		t.Errorf("result: %+v", res)
	}
	for _, p := range res.Peers {
		if p.Bytes == 0 || p.BuildSeconds <= 0 {
			t.Errorf("peer build %+v", p)
		}
	}
	for _, c := range []string{bench.ClassNameExact, bench.ClassCode, bench.ClassCodeTypo, bench.ClassTraditional, bench.ClassFullwidth} {
		if cr := res.Class(bench.EngineGongshi, c); cr.Hit10 < 0.9 {
			t.Errorf("gongshi %s: hit@10 %.2f, want ≥ 0.9", c, cr.Hit10)
		}
	}
	for _, e := range []string{bench.EnginePgTrgm, bench.EngineSQLite} {
		for _, c := range []string{bench.ClassCode, bench.ClassCodeLower, bench.ClassCodeTypo} {
			if cr := res.Class(e, c); cr.Hit10 != 1 || cr.Hit1 != 1 {
				t.Errorf("%s %s: hit@1 %.2f hit@10 %.2f, want 1", e, c, cr.Hit1, cr.Hit10)
			}
		}
		// Peers do no folding: a full-width or traditional name is not found by a LIKE.
		if cr := res.Class(e, bench.ClassFullwidth); cr.Hit10 > 0.5 {
			t.Errorf("%s fullwidth hit@10 %.2f: the peers should not fold widths", e, cr.Hit10)
		}
	}
}
