package report

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the registry's driver: pure Go, like the rest of the portal's SQLite

	"github.com/gongshi/gongshi/index"
)

// Entry is one issued report as recorded.
type Entry struct {
	Number         string
	EntityCode     string
	EntityName     string
	AsOf           string
	GenerationID   string
	DataDate       string
	OverlayVersion string
	ContentHash    string
	KeyID          string
	Signature      string
	Envelope       []byte // report.json exactly as issued
	Created        time.Time
}

// IssueKey identifies the reports that must be identical: same entity, day, data and decisions,
// signed by the same key.
type IssueKey struct {
	EntityCode, AsOf, GenerationID, OverlayVersion, KeyID string
}

// File is the hash of one file issued for a report.
type File struct {
	Format string `json:"format"` // "json" | "pdf"
	SHA256 string `json:"sha256"`
}

// DayCount is the number of reports issued on one day (China time).
type DayCount struct {
	Day   string `json:"day"`
	Count int    `json:"count"`
}

// ErrNumberTaken is returned by Insert when the number exists already.
var ErrNumberTaken = errors.New("report number already issued")

// Registry records issued reports. The SQLite implementation is the default; the interface is
// the seam for moving the table into the portal's shared SQL store.
type Registry interface {
	Insert(ctx context.Context, e *Entry) error
	Get(ctx context.Context, number string) (*Entry, error) // nil, nil when unknown
	Find(ctx context.Context, k IssueKey) (*Entry, error)   // the latest entry for k, or nil
	AddFile(ctx context.Context, number string, f File) error
	Files(ctx context.Context, number string) ([]File, error)
	IssuedPerDay(ctx context.Context, since string) ([]DayCount, error)
	Close() error
}

// RegistryPath is where a data folder keeps the report registry.
func RegistryPath(d index.DataDir) string { return filepath.Join(string(d), "reports.db") }

type sqliteRegistry struct{ db *sql.DB }

const registrySchema = `
CREATE TABLE IF NOT EXISTS reports (
	number          TEXT PRIMARY KEY,
	entity_code     TEXT NOT NULL,
	entity_name     TEXT NOT NULL,
	as_of           TEXT NOT NULL,
	generation_id   TEXT NOT NULL,
	data_date       TEXT NOT NULL,
	overlay_version TEXT NOT NULL,
	content_hash    TEXT NOT NULL,
	key_id          TEXT NOT NULL,
	signature       TEXT NOT NULL,
	envelope        BLOB NOT NULL,
	created_at      TEXT NOT NULL, -- RFC 3339 with offset, China time
	created_day     TEXT NOT NULL  -- YYYY-MM-DD China time, for the per-day statistics
);
CREATE INDEX IF NOT EXISTS reports_issue ON reports (entity_code, as_of, generation_id, overlay_version, key_id);
CREATE INDEX IF NOT EXISTS reports_day ON reports (created_day);
CREATE TABLE IF NOT EXISTS report_files (
	number     TEXT NOT NULL REFERENCES reports (number),
	format     TEXT NOT NULL,
	sha256     TEXT NOT NULL,
	PRIMARY KEY (number, sha256)
);`

// OpenSQLiteRegistry opens (creating) the registry file.
func OpenSQLiteRegistry(path string) (Registry, error) {
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1) // one writer; the registry is small and written once per new report
	if _, err := db.Exec(registrySchema); err != nil {
		db.Close()
		return nil, fmt.Errorf("report registry %s: %w", path, err)
	}
	return &sqliteRegistry{db: db}, nil
}

func (r *sqliteRegistry) Close() error { return r.db.Close() }

func (r *sqliteRegistry) Insert(ctx context.Context, e *Entry) error {
	_, err := r.db.ExecContext(ctx, `INSERT INTO reports (number, entity_code, entity_name, as_of, generation_id, data_date,
		overlay_version, content_hash, key_id, signature, envelope, created_at, created_day) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		e.Number, e.EntityCode, e.EntityName, e.AsOf, e.GenerationID, e.DataDate, e.OverlayVersion, e.ContentHash, e.KeyID,
		e.Signature, e.Envelope, e.Created.In(index.ChinaTime).Format(time.RFC3339), e.Created.In(index.ChinaTime).Format(time.DateOnly))
	if err != nil && strings.Contains(err.Error(), "UNIQUE") {
		return ErrNumberTaken
	}
	return err
}

const entryColumns = `number, entity_code, entity_name, as_of, generation_id, data_date, overlay_version, content_hash, key_id,
	signature, envelope, created_at`

func scanEntry(row *sql.Row) (*Entry, error) {
	var e Entry
	var created string
	err := row.Scan(&e.Number, &e.EntityCode, &e.EntityName, &e.AsOf, &e.GenerationID, &e.DataDate, &e.OverlayVersion,
		&e.ContentHash, &e.KeyID, &e.Signature, &e.Envelope, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	e.Created, _ = time.Parse(time.RFC3339, created)
	return &e, nil
}

func (r *sqliteRegistry) Get(ctx context.Context, number string) (*Entry, error) {
	return scanEntry(r.db.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM reports WHERE number = ?`, number))
}

func (r *sqliteRegistry) Find(ctx context.Context, k IssueKey) (*Entry, error) {
	return scanEntry(r.db.QueryRowContext(ctx, `SELECT `+entryColumns+` FROM reports
		WHERE entity_code = ? AND as_of = ? AND generation_id = ? AND overlay_version = ? AND key_id = ?
		ORDER BY created_at DESC LIMIT 1`, k.EntityCode, k.AsOf, k.GenerationID, k.OverlayVersion, k.KeyID))
}

func (r *sqliteRegistry) AddFile(ctx context.Context, number string, f File) error {
	_, err := r.db.ExecContext(ctx, `INSERT OR IGNORE INTO report_files (number, format, sha256) VALUES (?,?,?)`, number, f.Format, f.SHA256)
	return err
}

func (r *sqliteRegistry) Files(ctx context.Context, number string) ([]File, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT format, sha256 FROM report_files WHERE number = ? ORDER BY format, rowid`, number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []File{}
	for rows.Next() {
		var f File
		if err := rows.Scan(&f.Format, &f.SHA256); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func (r *sqliteRegistry) IssuedPerDay(ctx context.Context, since string) ([]DayCount, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT created_day, COUNT(*) FROM reports WHERE created_day >= ? GROUP BY created_day ORDER BY created_day`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []DayCount{}
	for rows.Next() {
		var d DayCount
		if err := rows.Scan(&d.Day, &d.Count); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
