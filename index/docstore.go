package index

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"

	_ "modernc.org/sqlite" // pure-Go SQLite driver

	"github.com/gongshi/gongshi/index/fold"
)

// DocStore holds the full published entities and records of one generation. Bleve indexes
// only what is searched, filtered or sorted; pages and downloads read the documents from here.
type DocStore struct {
	db    *sql.DB
	stmts sync.Map // query text → *sql.Stmt: hot read queries are parsed once, not per call
}

const docStoreSchema = `
CREATE TABLE IF NOT EXISTS entities (code TEXT PRIMARY KEY, name_key TEXT NOT NULL, doc BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS entity_codes (alt TEXT NOT NULL, code TEXT NOT NULL, PRIMARY KEY (alt, code));
CREATE TABLE IF NOT EXISTS records (id TEXT PRIMARY KEY, entity_code TEXT NOT NULL, type TEXT NOT NULL, date TEXT NOT NULL, doc BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entity_cards (code TEXT PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL,
  entity_type TEXT NOT NULL, region TEXT NOT NULL, former TEXT NOT NULL) WITHOUT ROWID;
`

// entity_cards repeats what a search hit or suggestion shows of an entity in a narrow table:
// decoding the kilobyte JSON documents of ten hits was a third of the CPU of a search. former
// is the JSON array of former names, or "" (most entities).

const docStoreIndexes = `
CREATE INDEX IF NOT EXISTS entities_name_key ON entities(name_key);
CREATE INDEX IF NOT EXISTS records_entity ON records(entity_code, type, date);
CREATE INDEX IF NOT EXISTS records_type_date ON records(type, date);
`

// OpenDocStore opens (creating if needed) the store file at path. readOnly stores are opened
// with query_only so a serving portal can never change a generation by accident.
func OpenDocStore(path string, readOnly bool) (*DocStore, error) {
	if readOnly {
		return openDocStore(path, storeServing)
	}
	return openDocStore(path, storeWriting)
}

// ReadDocStore opens the store at path read-only for a pass over it (a build, an update, a
// publication). Pages are read, not mapped: a mapped page a pass touches counts as the
// process's memory until it exits, and a pass over a store of gigabytes touched all of it.
func ReadDocStore(path string) (*DocStore, error) { return openDocStore(path, storeReading) }

type storeMode int

const (
	storeWriting storeMode = iota
	storeServing
	storeReading
)

func openDocStore(path string, mode storeMode) (*DocStore, error) {
	var dsn string
	switch mode {
	case storeWriting:
		// A writer (the importer) keeps 256 MiB of pages: it inserts millions of rows, keyed by
		// codes in no particular order, into tables and indexes far larger than SQLite's default
		// 2 MiB cache, which then spilled and re-read pages on nearly every insert. Loading 1M
		// entities took 209 s with the default and 131 s with this.
		dsn = "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-262144)"
	case storeServing:
		// Reads map the file instead of copying pages through pread: a search reads a few
		// rows at random from a file of gigabytes.
		dsn = "file:" + path + "?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)&_pragma=mmap_size(2147418112)"
	default:
		dsn = "file:" + path + "?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	if mode == storeWriting {
		db.SetMaxOpenConns(1)
		if _, err := db.Exec(docStoreSchema); err != nil {
			db.Close()
			return nil, fmt.Errorf("doc store %s: %w", path, err)
		}
	} else {
		// Keep every connection open: each holds its prepared statements and page cache.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	}
	return &DocStore{db: db}, nil
}

func hasTable(db *sql.DB, name string) bool {
	var n int
	db.QueryRow(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?`, name).Scan(&n)
	return n > 0
}

// Close closes the store.
func (s *DocStore) Close() error {
	s.stmts.Range(func(_, v any) bool {
		v.(*sql.Stmt).Close()
		return true
	})
	return s.db.Close()
}

// listParam is "IN"'s right side for a list of texts passed as one JSON array (textList):
// one prepared statement serves every list length, where "IN (?,?,…)" needed one per length.
const listParam = `(SELECT value FROM json_each(?))`

// textList encodes texts for listParam.
func textList(texts []string) string {
	b, _ := json.Marshal(texts) // a []string always encodes
	return string(b)
}

// stmt returns the prepared statement for a read query, preparing it on first use.
func (s *DocStore) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(q); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(q, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// query runs a read query through its prepared statement.
func (s *DocStore) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := s.stmt(ctx, q)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// FinishBuild adds the read indexes after the bulk load (faster than maintaining them while
// loading) and the statistics the query planner reads.
func (s *DocStore) FinishBuild() error {
	if _, err := s.db.Exec(docStoreIndexes + "PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;"); err != nil {
		return err
	}
	return dropStat4Samples(s.db)
}

// FinishUpdate completes a store that was copied from a built one and changed a little: the
// indexes and the planner's statistics carry over (a small change does not move the averages),
// and the journal is written back into the file so that the store can be copied as a file.
func (s *DocStore) FinishUpdate() error {
	_, err := s.db.Exec(docStoreIndexes + "PRAGMA wal_checkpoint(TRUNCATE);")
	return err
}

// CopyDocStore copies the document store of the complete generation at srcDir into dstDir.
// A complete generation's store is checkpointed and never written again, so the file alone
// is the store; should a journal be left beside it (a store from elsewhere), SQLite makes
// the copy instead.
func CopyDocStore(srcDir, dstDir string) error {
	src, dst := DocStorePath(srcDir), DocStorePath(dstDir)
	if fi, err := os.Stat(src + "-wal"); err == nil && fi.Size() > 0 {
		s, err := OpenDocStore(src, false) // VACUUM INTO needs a writable connection
		if err != nil {
			return err
		}
		defer s.Close()
		return s.CopyTo(dst)
	}
	return copyFile(src, dst)
}

// dropStat4Samples removes the sample rows ANALYZE keeps in sqlite_stat4 (this SQLite is built
// with STAT4) and keeps the per-index averages in sqlite_stat1. With samples, SQLite prepares a
// statement again every time a value bound to an indexed column changes, to choose a plan for
// that value: every "WHERE entity_code = ?" of a page or search was parsed and planned anew,
// which was half the time of a search by code. Every lookup here is by a unique or
// near-unique key, where the averages choose the same plan.
func dropStat4Samples(db *sql.DB) error {
	if !hasTable(db, "sqlite_stat4") {
		return nil
	}
	_, err := db.Exec(`DELETE FROM sqlite_stat4; ANALYZE sqlite_schema;`)
	return err
}

// DocWriter writes documents in one transaction; Commit makes them visible.
type DocWriter struct {
	tx                                    *sql.Tx
	putEntity, putCode, putRecord, delRec *sql.Stmt
	putCard, resolve                      *sql.Stmt
	prevEntity, prevRecord, strikeStmt    *sql.Stmt
	recordGroup                           *sql.Stmt
	marked                                bool // MarkWithdrawable was called: writes strike marks
	// touched are the entity codes whose documents this writer added, changed or removed (a
	// record counts under its entity code): the groups an incremental index update re-reads.
	touched map[string]struct{}
}

// Begin starts a write transaction.
func (s *DocStore) Begin(ctx context.Context) (*DocWriter, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	w := &DocWriter{tx: tx, touched: map[string]struct{}{}}
	if _, err := tx.Exec(withdrawableSchema); err != nil {
		tx.Rollback()
		return nil, err
	}
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&w.putEntity, `INSERT OR REPLACE INTO entities(code, name_key, doc) VALUES (?, ?, ?)`},
		{&w.putCard, `INSERT OR REPLACE INTO entity_cards(code, name, status, entity_type, region, former) VALUES (?, ?, ?, ?, ?, ?)`},
		{&w.putCode, `INSERT OR IGNORE INTO entity_codes(alt, code) VALUES (?, ?)`},
		{&w.putRecord, `INSERT OR REPLACE INTO records(id, entity_code, type, date, doc) VALUES (?, ?, ?, ?, ?)`},
		{&w.delRec, `DELETE FROM records WHERE id = ?`},
		{&w.resolve, `SELECT code FROM entity_codes WHERE alt = ? LIMIT 2`},
		{&w.prevEntity, `SELECT doc FROM entities WHERE code = ?`},
		{&w.prevRecord, `SELECT doc FROM records WHERE id = ?`},
		{&w.strikeStmt, `DELETE FROM temp.withdrawable WHERE type = ? AND id = ?`},
		{&w.recordGroup, `SELECT entity_code FROM records WHERE id = ?`},
	} {
		if *p.stmt, err = tx.Prepare(p.sql); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	return w, nil
}

// PutEntity inserts or replaces an entity with its alternative codes.
func (w *DocWriter) PutEntity(e *Entity) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := w.putEntity.Exec(e.Code, fold.Key(e.Name), b); err != nil {
		return err
	}
	former := ""
	if len(e.FormerNames) > 0 {
		f, err := json.Marshal(e.FormerNames)
		if err != nil {
			return err
		}
		former = string(f)
	}
	if _, err := w.putCard.Exec(e.Code, e.Name, e.Status, e.EntityType, e.Region, former); err != nil {
		return err
	}
	for _, alt := range entityCodes(e)[1:] {
		if _, err := w.putCode.Exec(alt, e.Code); err != nil {
			return err
		}
	}
	return nil
}

// PutRecord inserts or replaces a record.
func (w *DocWriter) PutRecord(r *Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = w.putRecord.Exec(r.ID, r.EntityCode, string(r.Type), r.Date, b)
	return err
}

// ResolveCode finds the entity a 注册号 or organisation code belongs to ("" if none or several).
func (w *DocWriter) ResolveCode(alt string) (string, error) {
	rows, err := w.resolve.Query(alt)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return "", err
		}
		codes = append(codes, c)
	}
	if len(codes) != 1 {
		return "", rows.Err()
	}
	return codes[0], rows.Err()
}

// Tx exposes the transaction for bulk changes made by corrections.
func (w *DocWriter) Tx() *sql.Tx { return w.tx }

// DeleteRecord removes a record by id.
func (w *DocWriter) DeleteRecord(id string) error {
	if err := w.touchRecord(id); err != nil {
		return err
	}
	_, err := w.delRec.Exec(id)
	return err
}

// Touch notes that the documents of the entity code changed (PutEntity and PutRecord do not:
// a caller that writes through them says whether the content changed).
func (w *DocWriter) Touch(code string) { w.touched[code] = struct{}{} }

// touchRecord notes the entity code a stored record is filed under, if it is stored.
func (w *DocWriter) touchRecord(id string) error {
	var code string
	switch err := w.recordGroup.QueryRow(id).Scan(&code); {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	w.Touch(code)
	return nil
}

// Touched returns the entity codes whose documents the writer added, changed or removed, in
// code order: the groups of documents (an entity and the records filed under its code) that
// an index built from the store before these writes has to replace.
func (w *DocWriter) Touched() []string {
	out := make([]string, 0, len(w.touched))
	for c := range w.touched {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Commit commits the transaction.
func (w *DocWriter) Commit() error { return w.tx.Commit() }

// Rollback abandons the transaction.
func (w *DocWriter) Rollback() error { return w.tx.Rollback() }

// Count returns the number of entities plus records.
func (s *DocStore) Count(ctx context.Context) int {
	var e, r int
	s.db.QueryRowContext(ctx, `SELECT count(*) FROM entities`).Scan(&e)
	s.db.QueryRowContext(ctx, `SELECT count(*) FROM records`).Scan(&r)
	return e + r
}

// Types lists the record types present (entity included when the register is not empty).
func (s *DocStore) Types(ctx context.Context) []RecordType {
	var out []RecordType
	var n int
	if s.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM entities LIMIT 1)`).Scan(&n); n > 0 {
		out = append(out, TypeEntity)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT type FROM records`)
	if err != nil {
		return out
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		rows.Scan(&t)
		out = append(out, RecordType(t))
	}
	return out
}

// CopyTo writes a consistent copy of the store to path (which must not exist).
func (s *DocStore) CopyTo(path string) error {
	_, err := s.db.Exec(`VACUUM INTO ?`, path)
	return err
}

// SetMeta stores a generation-level value.
func (s *DocStore) SetMeta(key, value string) error {
	_, err := s.db.Exec(`INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)`, key, value)
	return err
}

// Meta reads a generation-level value ("" if absent).
func (s *DocStore) Meta(key string) string {
	var v string
	s.db.QueryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v
}

// Entity returns the entity with the code, or nil.
func (s *DocStore) Entity(ctx context.Context, code string) (*Entity, error) {
	st, err := s.stmt(ctx, `SELECT doc FROM entities WHERE code = ?`)
	if err != nil {
		return nil, err
	}
	var b []byte
	err = st.QueryRowContext(ctx, code).Scan(&b)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var e Entity
	return &e, json.Unmarshal(b, &e)
}

// Cards returns, by code, what a search hit shows of the entities with the given codes: code,
// name, status, type, region and former names (no fields, no source).
func (s *DocStore) Cards(ctx context.Context, codes []string) (map[string]*Entity, error) {
	out := make(map[string]*Entity, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	rows, err := s.query(ctx, `SELECT code, name, status, entity_type, region, former FROM entity_cards WHERE code IN `+listParam, textList(codes))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var e Entity
		var former string
		if err := rows.Scan(&e.Code, &e.Name, &e.Status, &e.EntityType, &e.Region, &former); err != nil {
			return nil, err
		}
		if former != "" {
			if err := json.Unmarshal([]byte(former), &e.FormerNames); err != nil {
				return nil, err
			}
		}
		out[e.Code] = &e
	}
	return out, rows.Err()
}

// Entities returns the entities with the given codes, by code.
func (s *DocStore) Entities(ctx context.Context, codes []string) (map[string]*Entity, error) {
	out := make(map[string]*Entity, len(codes))
	if len(codes) == 0 {
		return out, nil
	}
	rows, err := s.query(ctx, `SELECT doc FROM entities WHERE code IN `+listParam, textList(codes))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var e Entity
		if err := json.Unmarshal(b, &e); err != nil {
			return nil, err
		}
		out[e.Code] = &e
	}
	return out, rows.Err()
}

// CodeFor resolves a 注册号 or organisation code to the entity code ("" if unknown or ambiguous).
func (s *DocStore) CodeFor(ctx context.Context, alt string) (string, error) {
	rows, err := s.query(ctx, `SELECT code FROM entity_codes WHERE alt = ? LIMIT 2`, alt)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var c string
		rows.Scan(&c)
		codes = append(codes, c)
	}
	if len(codes) != 1 {
		return "", rows.Err()
	}
	return codes[0], rows.Err()
}

// EntityCodesByNameKey returns the codes of entities whose folded name key is exactly key.
func (s *DocStore) EntityCodesByNameKey(ctx context.Context, key string) ([]string, error) {
	rows, err := s.query(ctx, `SELECT code FROM entities WHERE name_key = ? LIMIT 20`, key)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var codes []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		codes = append(codes, c)
	}
	return codes, rows.Err()
}

// RecordDatesOf returns an entity's records with only what decides its badges: ID, type,
// date, public_until and removed. Decoding whole records (their fields, the source) was most
// of the time of a search by code.
func (s *DocStore) RecordDatesOf(ctx context.Context, code string) ([]*Record, error) {
	rows, err := s.query(ctx, `SELECT id, type, date, coalesce(doc->>'$.public_until', ''), coalesce(doc->>'$.removed', '') FROM records WHERE entity_code = ?`, code)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		r := &Record{EntityCode: code}
		if err := rows.Scan(&r.ID, &r.Type, &r.Date, &r.PublicUntil, &r.Removed); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RecordsOf returns every record about an entity, grouped by type and newest first.
func (s *DocStore) RecordsOf(ctx context.Context, code string) ([]*Record, error) {
	return s.queryRecords(ctx, `SELECT doc FROM records WHERE entity_code = ? ORDER BY type, date DESC, id`, code)
}

// Record returns one record by id, or nil.
func (s *DocStore) Record(ctx context.Context, id string) (*Record, error) {
	recs, err := s.queryRecords(ctx, `SELECT doc FROM records WHERE id = ?`, id)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// Records returns the records with the given ids (in no particular order).
func (s *DocStore) Records(ctx context.Context, ids []string) ([]*Record, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.queryRecords(ctx, `SELECT doc FROM records WHERE id IN `+listParam, textList(ids))
}

func (s *DocStore) queryRecords(ctx context.Context, q string, args ...any) ([]*Record, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return scanRecords(rows)
}

// scanRecords decodes the records of a query that selects their documents, and closes rows.
func scanRecords(rows *sql.Rows) ([]*Record, error) {
	defer rows.Close()
	var out []*Record
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// EachRecord calls fn for every record of the given types, in the order EachEntity gives them
// (entity code, then id), streaming. It reads only those types' records: a list's rows cost
// the size of the list, not of the corpus.
func (s *DocStore) EachRecord(ctx context.Context, types []RecordType, fn func(*Record) error) error {
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT doc FROM records INDEXED BY records_type_date WHERE type IN `+listParam+` ORDER BY entity_code, id`, textList(names))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return err
		}
		var r Record
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachEntity calls fn for every entity in code order with all its records, streaming. Records
// whose subject is not in the register come with a nil entity, one call per record.
// It needs two connections: call it on a store opened read-only.
func (s *DocStore) EachEntity(ctx context.Context, fn func(*Entity, []*Record) error) error {
	ents, err := s.db.QueryContext(ctx, `SELECT doc FROM entities ORDER BY code`)
	if err != nil {
		return err
	}
	defer ents.Close()
	recs, err := s.db.QueryContext(ctx, `SELECT doc FROM records ORDER BY entity_code, id`)
	if err != nil {
		return err
	}
	defer recs.Close()
	var pending *Record
	nextRecord := func() (*Record, error) {
		if pending != nil {
			r := pending
			pending = nil
			return r, nil
		}
		if !recs.Next() {
			return nil, recs.Err()
		}
		var b []byte
		if err := recs.Scan(&b); err != nil {
			return nil, err
		}
		var r Record
		return &r, json.Unmarshal(b, &r)
	}
	for ents.Next() {
		var b []byte
		if err := ents.Scan(&b); err != nil {
			return err
		}
		var e Entity
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		var mine []*Record
		for {
			r, err := nextRecord()
			if err != nil {
				return err
			}
			if r == nil {
				break
			}
			if r.EntityCode < e.Code {
				if err := fn(nil, []*Record{r}); err != nil {
					return err
				}
				continue
			}
			if r.EntityCode > e.Code {
				pending = r
				break
			}
			mine = append(mine, r)
		}
		if err := fn(&e, mine); err != nil {
			return err
		}
	}
	if err := ents.Err(); err != nil {
		return err
	}
	for {
		r, err := nextRecord()
		if err != nil || r == nil {
			return err
		}
		if err := fn(nil, []*Record{r}); err != nil {
			return err
		}
	}
}
