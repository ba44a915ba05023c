package pgtemp

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestClusterTrigramChinese is the reason this package exists: a cluster whose pg_trgm
// indexes Chinese, so benchmarks compare against a peer that works as well as it can.
func TestClusterTrigramChinese(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c, err := Start(ctx)
	if err != nil {
		t.Fatal(err) // never skip: a missing PostgreSQL must be seen, not hidden
	}
	dir := c.Dir
	defer c.Stop()

	conn, err := pgx.Connect(ctx, c.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, q := range []string{
		"CREATE EXTENSION pg_trgm",
		"CREATE TABLE entities (code text PRIMARY KEY, name text NOT NULL)",
		`INSERT INTO entities SELECT lpad(i::text, 18, '0'), '福建' || i || '宏达新材料科技有限公司' FROM generate_series(1, 5000) i`,
		"INSERT INTO entities VALUES ('913502007760496530', '华为技术有限公司'), ('913502007760496531', '厦门华威新能源有限公司')",
		"CREATE INDEX entities_name_trgm ON entities USING gin (name gin_trgm_ops)",
		"ANALYZE entities",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	var like bool
	if err := conn.QueryRow(ctx, "SELECT '华为技术' ILIKE '%为技%'").Scan(&like); err != nil || !like {
		t.Fatalf("'华为技术' ILIKE '%%为技%%' = %v, %v", like, err)
	}
	// With LC_CTYPE=C the trigrams of Chinese text are empty.
	var trgms []string
	if err := conn.QueryRow(ctx, "SELECT show_trgm('华威新')").Scan(&trgms); err != nil || len(trgms) == 0 {
		t.Fatalf("show_trgm('华威新') = %v, %v: CJK characters are dropped (LC_CTYPE not UTF-8?)", trgms, err)
	}

	rows, err := conn.Query(ctx, "EXPLAIN SELECT code FROM entities WHERE name ILIKE '%华威新%'")
	if err != nil {
		t.Fatal(err)
	}
	var plan []string
	for rows.Next() {
		var line string
		rows.Scan(&line)
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan, "\n"), "Bitmap Index Scan on entities_name_trgm") {
		t.Fatalf("the trigram index is not used for ILIKE '%%华威新%%':\n%s", strings.Join(plan, "\n"))
	}
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM entities WHERE name ILIKE '%华威新%'").Scan(&n); err != nil || n != 1 {
		t.Fatalf("ILIKE '%%华威新%%' found %d rows (%v), want 1", n, err)
	}
	conn.Close(ctx)

	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("Stop left %s behind (%v)", dir, err)
	}
	if err := c.Stop(); err != nil { // idempotent
		t.Fatal(err)
	}
}

func TestFindBin(t *testing.T) {
	d, err := findBin()
	if err != nil {
		t.Fatal(err)
	}
	if !isExec(d+"/initdb") || !isExec(d+"/postgres") {
		t.Fatalf("findBin = %s without initdb and postgres", d)
	}
	if !strings.Contains(ErrNotInstalled.Error(), `"postgresql"`) {
		t.Fatal("the error must name the Debian package")
	}
}
