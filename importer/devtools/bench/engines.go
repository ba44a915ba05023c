package bench

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // pure-Go SQLite with FTS5, as a user of Go would pick

	"github.com/gongshi/gongshi/index"
)

// Engine names as printed.
const (
	EngineGongshi = "gongshi"
	EnginePgTrgm  = "pg_trgm"
	EngineSQLite  = "sqlite_fts5"
)

// engine answers one query with its top 10 rows.
type engine interface {
	name() string
	search(ctx context.Context, q *query) ([]row, error)
	close()
}

// topK is the page size every engine is asked for.
const topK = 10

// gongshiEngine is the portal's own search, in process.
type gongshiEngine struct{ s *index.Searcher }

func (gongshiEngine) name() string { return EngineGongshi }
func (gongshiEngine) close()       {}

func (g gongshiEngine) search(ctx context.Context, q *query) ([]row, error) {
	res, err := g.s.Search(ctx, index.SearchRequest{Query: q.text, Size: topK, Close: true}) // as the portal asks
	if err != nil {
		return nil, err
	}
	rows := make([]row, len(res.Results))
	for i, h := range res.Results {
		rows[i] = row{code: h.Code, name: h.Name, former: h.FormerMatch, close: h.Tier == index.TierClose}
	}
	return rows, nil
}

// escapeLike makes user text literal inside a LIKE pattern with backslash as the escape.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// pgEngine is PostgreSQL with a pg_trgm GIN index on the name. The peers are told the query
// class, a favour: an application in front of them would have to recognise codes itself.
type pgEngine struct {
	conn  *pgx.Conn
	table string
	keep  bool
}

func (pgEngine) name() string { return EnginePgTrgm }

func (p *pgEngine) close() {
	if !p.keep {
		p.conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+p.table)
	}
	p.conn.Close(context.Background())
}

// pgTable is not "entities": PostgresDSN may name a database that holds other things.
const pgTable = "gongshi_bench_entities"

// buildPg loads the entities into a fresh table and builds the trigram index; it returns
// the engine and the table's total size (heap, primary key, trigram index, TOAST).
func buildPg(ctx context.Context, dsn string, ents []entity, keep bool) (*pgEngine, int64, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, 0, err
	}
	p := &pgEngine{conn: conn, table: pgTable, keep: keep}
	for _, stmt := range []string{
		"CREATE EXTENSION IF NOT EXISTS pg_trgm",
		"DROP TABLE IF EXISTS " + pgTable,
		"CREATE TABLE " + pgTable + " (code text PRIMARY KEY, name text NOT NULL)",
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			conn.Close(ctx)
			return nil, 0, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	_, err = conn.CopyFrom(ctx, pgx.Identifier{pgTable}, []string{"code", "name"},
		pgx.CopyFromSlice(len(ents), func(i int) ([]any, error) { return []any{ents[i].code, ents[i].name}, nil }))
	if err != nil {
		p.close()
		return nil, 0, fmt.Errorf("copy entities: %w", err)
	}
	for _, stmt := range []string{
		"CREATE INDEX " + pgTable + "_name_trgm ON " + pgTable + " USING gin (name gin_trgm_ops)",
		"ANALYZE " + pgTable,
	} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			p.close()
			return nil, 0, fmt.Errorf("%s: %w", stmt, err)
		}
	}
	var size int64
	if err := conn.QueryRow(ctx, "SELECT pg_total_relation_size($1::regclass)", pgTable).Scan(&size); err != nil {
		p.close()
		return nil, 0, err
	}
	return p, size, nil
}

func (p *pgEngine) search(ctx context.Context, q *query) ([]row, error) {
	var rs pgx.Rows
	var err error
	switch q.class {
	case ClassCode, ClassCodeLower:
		rs, err = p.conn.Query(ctx, "SELECT code, name FROM "+p.table+" WHERE code = upper($1)", q.text)
	case ClassCodeTypo:
		rs, err = p.conn.Query(ctx, "SELECT code, name FROM "+p.table+" WHERE code LIKE upper(substr($1, 1, 17)) || '%' ORDER BY code LIMIT 10", q.text)
	default:
		// QueryExecModeExec plans each query with its pattern. pgx's default caches a prepared
		// statement, and PostgreSQL's generic plan then scans the whole trigram index for 1–2
		// characters (measured at 100k rows: 88 ms, against 59 ms for the custom seq-scan plan).
		rs, err = p.conn.Query(ctx, "SELECT code, name FROM "+p.table+" WHERE name ILIKE '%' || $1 || '%' ORDER BY (name = $2) DESC, length(name), code LIMIT 10",
			pgx.QueryExecModeExec, escapeLike(q.text), q.text)
	}
	if err != nil {
		return nil, err
	}
	out, err := pgRows(rs)
	if err != nil || !fuzzy(q.class) || len(out) >= topK || utf8.RuneCountInString(q.text) < 3 {
		return out, err
	}
	// What an application would do on a misspelt name: trigram similarity (the % operator
	// on the same GIN index), most similar first, after what the LIKE found.
	rs, err = p.conn.Query(ctx, "SELECT code, name FROM "+p.table+" WHERE name % $1 ORDER BY similarity(name, $1) DESC, length(name), code LIMIT 10",
		pgx.QueryExecModeExec, q.text)
	if err != nil {
		return nil, err
	}
	similar, err := pgRows(rs)
	return appendNew(out, similar), err
}

func pgRows(rs pgx.Rows) ([]row, error) {
	var out []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.code, &r.name); err != nil {
			rs.Close()
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// appendNew appends the rows of more whose code out does not hold, up to topK.
func appendNew(out, more []row) []row {
	for _, r := range more {
		if len(out) >= topK {
			break
		}
		if !slices.ContainsFunc(out, func(o row) bool { return o.code == r.code }) {
			out = append(out, r)
		}
	}
	return out
}

// sqliteEngine is SQLite with an FTS5 trigram index over the name (external content, so the
// name is stored once).
type sqliteEngine struct{ db *sql.DB }

func (sqliteEngine) name() string { return EngineSQLite }
func (s sqliteEngine) close()     { s.db.Close() }

// buildSQLite writes the entities and the FTS5 index into a new database file and returns
// the engine and the file's size.
func buildSQLite(ctx context.Context, path string, ents []entity) (*sqliteEngine, int64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, 0, err
	}
	db.SetMaxOpenConns(1) // one writer; queries run one at a time anyway
	s := &sqliteEngine{db: db}
	fail := func(err error) (*sqliteEngine, int64, error) { db.Close(); return nil, 0, err }
	for _, stmt := range []string{
		"CREATE TABLE entities (code TEXT PRIMARY KEY, name TEXT NOT NULL)",
		"CREATE VIRTUAL TABLE entities_fts USING fts5(name, content='entities', content_rowid='rowid', tokenize='trigram')",
	} {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fail(fmt.Errorf("%s: %w", stmt, err))
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	ins, err := tx.PrepareContext(ctx, "INSERT INTO entities (code, name) VALUES (?, ?)")
	if err != nil {
		tx.Rollback()
		return fail(err)
	}
	for _, e := range ents {
		if _, err := ins.ExecContext(ctx, e.code, e.name); err != nil {
			tx.Rollback()
			return fail(fmt.Errorf("insert %s: %w", e.code, err))
		}
	}
	ins.Close()
	if _, err := tx.ExecContext(ctx, "INSERT INTO entities_fts (entities_fts) VALUES ('rebuild')"); err != nil {
		tx.Rollback()
		return fail(fmt.Errorf("build FTS5 index: %w", err))
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	// Fold the WAL into the file so its size is the database's size.
	if _, err := db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fail(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fail(err)
	}
	return s, fi.Size(), nil
}

func (s *sqliteEngine) search(ctx context.Context, q *query) ([]row, error) {
	var rs *sql.Rows
	var err error
	switch {
	case q.class == ClassCode || q.class == ClassCodeLower:
		rs, err = s.db.QueryContext(ctx, "SELECT code, name FROM entities WHERE code = upper(?)", q.text)
	case q.class == ClassCodeTypo:
		rs, err = s.db.QueryContext(ctx, "SELECT code, name FROM entities WHERE code LIKE upper(substr(?, 1, 17)) || '%' ORDER BY code LIMIT 10", q.text)
	case utf8.RuneCountInString(q.text) >= 3:
		// A quoted phrase, so that the trigram tokenizer matches the text as a substring.
		phrase := `"` + strings.ReplaceAll(q.text, `"`, `""`) + `"`
		rs, err = s.db.QueryContext(ctx, `SELECT e.code, e.name FROM entities_fts f JOIN entities e ON e.rowid = f.rowid
			WHERE entities_fts MATCH ? ORDER BY (e.name = ?) DESC, length(e.name), e.code LIMIT 10`, phrase, q.text)
	default:
		// The trigram index cannot serve 1–2 characters (MATCH silently finds nothing): scan.
		rs, err = s.db.QueryContext(ctx, `SELECT code, name FROM entities WHERE name LIKE ? ESCAPE '\'
			ORDER BY (name = ?) DESC, length(name), code LIMIT 10`, "%"+escapeLike(q.text)+"%", q.text)
	}
	if err != nil {
		return nil, err
	}
	out, err := sqlRows(rs)
	tri := trigrams(q.text)
	if err != nil || !fuzzy(q.class) || len(out) >= topK || len(tri) == 0 {
		return out, err
	}
	// FTS5 has no similarity: the names holding any of the query's trigrams, best bm25 first.
	rs, err = s.db.QueryContext(ctx, `SELECT e.code, e.name FROM entities_fts f JOIN entities e ON e.rowid = f.rowid
		WHERE entities_fts MATCH ? ORDER BY f.rank, length(e.name), e.code LIMIT 10`, strings.Join(tri, " OR "))
	if err != nil {
		return nil, err
	}
	similar, err := sqlRows(rs)
	return appendNew(out, similar), err
}

func sqlRows(rs *sql.Rows) ([]row, error) {
	defer rs.Close()
	var out []row
	for rs.Next() {
		var r row
		if err := rs.Scan(&r.code, &r.name); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// trigrams are the distinct three-character pieces of s, each a quoted FTS5 string.
func trigrams(s string) []string {
	rs := []rune(s)
	var out []string
	for i := 0; i+3 <= len(rs); i++ {
		t := `"` + strings.ReplaceAll(string(rs[i:i+3]), `"`, `""`) + `"`
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}
