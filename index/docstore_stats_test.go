package index

import (
	"context"
	"database/sql"
	"testing"
)

// statRows counts the planner's statistics rows in a doc store.
func statRows(t *testing.T, path string) (stat1, stat4 int) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_stat1`).Scan(&stat1); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT count(*) FROM sqlite_stat4`).Scan(&stat4); err != nil {
		t.Fatal(err)
	}
	return stat1, stat4
}

// A built doc store keeps the planner's averages (sqlite_stat1) but no value samples
// (sqlite_stat4), with which SQLite prepares a statement again for every new bound value.
func TestDocStoreKeepsNoValueSamples(t *testing.T) {
	dir := t.TempDir()
	s, codes := buildCorpusIn(t, dir, corpus)
	if stat1, stat4 := statRows(t, DocStorePath(dir)); stat1 == 0 || stat4 != 0 {
		t.Fatalf("after the build: %d sqlite_stat1 rows (want some), %d sqlite_stat4 rows (want none)", stat1, stat4)
	}
	res, err := s.Search(context.Background(), SearchRequest{Query: codes["厦门安泰贸易有限公司"]})
	if err != nil || len(res.Results) != 1 {
		t.Fatalf("search by code after dropping the samples: %v %v", res, err)
	}
}
