package index

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
)

// A full snapshot replaces what its publisher published of a type, never another publisher's
// documents. The writer marks that scope as withdrawable when the file begins, strikes every
// document the file carries again, and withdraws what is left only when the caller, having
// seen the counts, says so: a snapshot that would withdraw too much can still be refused with
// nothing changed.

// Change says what writing a document did to the store.
type Change int

const (
	Added     Change = iota // a new document
	Changed                 // the same key with other content
	Unchanged               // the same content again (only its source snapshot is newer)
)

// withdrawableSchema is per connection (the writer has one); Begin empties it, so marks never
// outlive the transaction that made them.
const withdrawableSchema = `CREATE TEMP TABLE IF NOT EXISTS withdrawable (type TEXT NOT NULL, id TEXT NOT NULL,
  PRIMARY KEY (type, id)) WITHOUT ROWID; DELETE FROM temp.withdrawable;`

// MarkWithdrawable marks every document of type t whose source publisher is publisher
// (entities for TypeEntity, records otherwise) and returns how many there are. Documents
// written afterwards through ApplyEntity or ApplyRecord are struck off again.
func (w *DocWriter) MarkWithdrawable(t RecordType, publisher string) (int, error) {
	q := `INSERT OR IGNORE INTO temp.withdrawable (type, id)
	  SELECT type, id FROM records WHERE type = ? AND json_extract(doc, '$.source.publisher') = ?`
	if t == TypeEntity {
		q = `INSERT OR IGNORE INTO temp.withdrawable (type, id)
		  SELECT ?, code FROM entities WHERE json_extract(doc, '$.source.publisher') = ?`
	}
	res, err := w.tx.Exec(q, string(t), publisher)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	w.marked = true
	return int(n), err
}

// Withdrawable counts the documents of type t still marked.
func (w *DocWriter) Withdrawable(t RecordType) (int, error) {
	if !w.marked {
		return 0, nil
	}
	var n int
	err := w.tx.QueryRow(`SELECT count(*) FROM temp.withdrawable WHERE type = ?`, string(t)).Scan(&n)
	return n, err
}

// Withdraw removes the records of type t that are still marked and returns how many.
func (w *DocWriter) Withdraw(t RecordType) (int, error) {
	if !w.marked || t == TypeEntity {
		return 0, errors.New("Withdraw: no records of this type are marked")
	}
	if err := w.touchEach(`SELECT DISTINCT entity_code FROM records WHERE id IN (SELECT id FROM temp.withdrawable WHERE type = ?)`, string(t)); err != nil {
		return 0, err
	}
	res, err := w.tx.Exec(`DELETE FROM records WHERE id IN (SELECT id FROM temp.withdrawable WHERE type = ?)`, string(t))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	_, err = w.tx.Exec(`DELETE FROM temp.withdrawable WHERE type = ?`, string(t))
	return int(n), err
}

// WithdrawEntities removes the marked entities that no record points at any more, and returns
// how many it removed and the codes it kept because records still name them: a register entry
// is never withdrawn from under its penalties or list entries. Withdraw the records first.
func (w *DocWriter) WithdrawEntities() (withdrawn int, kept []string, err error) {
	if !w.marked {
		return 0, nil, nil
	}
	rows, err := w.tx.Query(`SELECT id FROM temp.withdrawable WHERE type = ? AND EXISTS
	  (SELECT 1 FROM records WHERE records.entity_code = withdrawable.id) ORDER BY id`, string(TypeEntity))
	if err != nil {
		return 0, nil, err
	}
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			rows.Close()
			return 0, nil, err
		}
		kept = append(kept, code)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, nil, err
	}
	gone := `(SELECT id FROM temp.withdrawable WHERE type = 'entity' AND NOT EXISTS
	  (SELECT 1 FROM records WHERE records.entity_code = withdrawable.id))`
	if err := w.touchEach(`SELECT code FROM entities WHERE code IN ` + gone); err != nil {
		return 0, nil, err
	}
	for _, table := range []string{"entity_codes", "entity_cards"} {
		if _, err := w.tx.Exec(`DELETE FROM ` + table + ` WHERE code IN ` + gone); err != nil {
			return 0, nil, err
		}
	}
	res, err := w.tx.Exec(`DELETE FROM entities WHERE code IN ` + gone)
	if err != nil {
		return 0, nil, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, nil, err
	}
	_, err = w.tx.Exec(`DELETE FROM temp.withdrawable WHERE type = 'entity'`)
	return int(n), kept, err
}

// ApplyEntity writes an entity like PutEntity, strikes it off the withdrawable ones and says
// whether it was new, changed or the same as before.
func (w *DocWriter) ApplyEntity(e *Entity) (Change, error) {
	change, err := w.compare(w.prevEntity, e.Code, e, func(doc []byte) (any, error) {
		var old Entity
		err := json.Unmarshal(doc, &old)
		old.Source = e.Source
		return &old, err
	})
	if err != nil {
		return 0, err
	}
	if err := w.strike(TypeEntity, e.Code); err != nil {
		return 0, err
	}
	if change != Unchanged {
		w.Touch(e.Code)
	}
	return change, w.PutEntity(e)
}

// ApplyRecord writes a record like PutRecord, strikes it off the withdrawable ones and says
// whether it was new, changed or the same as before.
func (w *DocWriter) ApplyRecord(r *Record) (Change, error) {
	change, err := w.compare(w.prevRecord, r.ID, r, func(doc []byte) (any, error) {
		var old Record
		err := json.Unmarshal(doc, &old)
		old.Source, old.ObjectionSince = r.Source, r.ObjectionSince
		return &old, err
	})
	if err != nil {
		return 0, err
	}
	if err := w.strike(r.Type, r.ID); err != nil {
		return 0, err
	}
	if change != Unchanged {
		// A changed record may have moved to another entity code: both groups change.
		if err := w.touchRecord(r.ID); err != nil {
			return 0, err
		}
		w.Touch(r.EntityCode)
	}
	return change, w.PutRecord(r)
}

// compare reads the stored document under key and compares it with doc, ignoring where each
// came from (asSource decodes the stored one and copies doc's source into it).
func (w *DocWriter) compare(prev *sql.Stmt, key string, doc any, asSource func([]byte) (any, error)) (Change, error) {
	var stored []byte
	switch err := prev.QueryRow(key).Scan(&stored); {
	case errors.Is(err, sql.ErrNoRows):
		return Added, nil
	case err != nil:
		return 0, err
	}
	old, err := asSource(stored)
	if err != nil {
		return Changed, nil // an undecodable stored document is replaced
	}
	a, err := json.Marshal(old)
	if err != nil {
		return 0, err
	}
	b, err := json.Marshal(doc)
	if err != nil {
		return 0, err
	}
	if bytes.Equal(a, b) {
		return Unchanged, nil
	}
	return Changed, nil
}

func (w *DocWriter) strike(t RecordType, id string) error {
	if !w.marked {
		return nil
	}
	_, err := w.strikeStmt.Exec(string(t), id)
	return err
}

// touchEach touches every entity code the query returns.
func (w *DocWriter) touchEach(q string, args ...any) error {
	rows, err := w.tx.Query(q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		if err := rows.Scan(&code); err != nil {
			return err
		}
		w.Touch(code)
	}
	return rows.Err()
}
