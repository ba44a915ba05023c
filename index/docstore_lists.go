package index

// OpenListings returns the entity's entries of list type t that have no removal (移出日期)
// yet, as the writer's transaction sees them, rows written earlier in it included. A removal
// published without its listing date is applied only when exactly one of these exists.
func (w *DocWriter) OpenListings(t RecordType, code string) ([]*Record, error) {
	rows, err := w.tx.Query(`SELECT doc FROM records WHERE entity_code = ? AND type = ?
	  AND coalesce(doc->>'$.removed', '') = '' ORDER BY date, id`, code, string(t))
	if err != nil {
		return nil, err
	}
	return scanRecords(rows)
}
