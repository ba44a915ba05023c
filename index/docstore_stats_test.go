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
// (sqlite_stat4), with which SQLite prepares a statement again for every new bound value. A
// store built before that loses its samples when next opened for writing.
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

	// An older store: samples written by a plain ANALYZE.
	older := DocStorePath(t.TempDir())
	db, err := sql.Open("sqlite", "file:"+older)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(docStoreSchema + docStoreIndexes); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := db.Exec(`INSERT INTO records(id, entity_code, type, date, doc) VALUES (?, ?, 'penalty', '2025-01-01', '{}')`,
			"r"+string(rune('a'+i%26))+string(rune('a'+i/26)), "c"+string(rune('a'+i%5))); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, stat4 := statRows(t, older); stat4 == 0 {
		t.Fatal("this SQLite wrote no sqlite_stat4 samples: the test proves nothing")
	}
	docs, err := OpenDocStore(older, false)
	if err != nil {
		t.Fatal(err)
	}
	docs.Close()
	if _, stat4 := statRows(t, older); stat4 != 0 {
		t.Errorf("opening an older store for writing kept %d sqlite_stat4 rows", stat4)
	}
}
