package index

import "encoding/json"

// OpenListings returns the entity's entries of list type t that have no removal (移出日期)
// yet, as the writer's transaction sees them, rows written earlier in it included. A removal
// published without its listing date is applied only when exactly one of these exists.
func (w *DocWriter) OpenListings(t RecordType, code string) ([]*Record, error) {
	rows, err := w.tx.Query(`SELECT doc FROM records WHERE entity_code = ? AND type = ?
	  AND coalesce(doc->>'$.removed', '') = '' ORDER BY date, id`, code, string(t))
	if err != nil {
		return nil, err
	}
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
