package index

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index/region"
)

// listTables answer the list pages. A list is one record type in date order, filtered by a
// few values and counted by the same few. Through Bleve every page was a conjunction with a
// numeric range, a sort through doc values and four facets: 10–20 ms of CPU for a list of
// 2,000 records, 125 ms for 16,000. Here each type's records are an array in list order,
// read once from the document store when a generation opens, and a page is one pass over it.
type listTables struct {
	byType map[RecordType]*listTable
	// codes are the distinct entity codes of all records, sorted: a row's code is an index.
	codes textColumn
	// names are the distinct subject names of all records as nameText keeps them.
	names textColumn
	// stats are the generation's statistics, counted from these tables once (listStats).
	stats *Stats
}

// listTable is one type's records, newest first, then by id: the order Bleve sorted lists
// in (date descending, then document id, both compared as bytes).
type listTable struct {
	rows []listRow
	// ids are the records' ids without prefix, the part every id of the type starts with
	// ("penalty-"): a page reads its records by id, and a cursor is a date and an id.
	prefix string
	ids    textColumn
	byID   []uint32 // rows in id order, to find a hidden record's row
	// dates are the distinct dates in list order, dateEnd the row after each date's last.
	dates   []string
	dateEnd []uint32
	// The values of the dictionary-encoded columns, sorted; index 0 is "" (no value).
	years, regions, authorities []string
	// provinces are the regions' provinces, sorted, and provinceOf each region's index there.
	provinces  []string
	provinceOf []uint32
}

// listRow is what the filters and facets of a list read of one record: 28 bytes, so one
// pass over a type's records reads them in order from one array.
type listRow struct {
	until     uint32 // last public day, yyyymmdd (99991231 for open-ended, 0 if malformed)
	year      uint32 // index in years: the date's first four characters
	region    uint32 // index in regions: the subject's six-digit region code
	authority uint32 // index in authorities
	code      uint32 // index in listTables.codes
	name      uint32 // index in listTables.names
	state     uint8  // stateNone, stateCurrent or stateRemoved
}

// A list entry's state, for the types whose entries are listed and later removed.
const (
	stateNone    uint8 = iota // the type has no listing state
	stateCurrent              // listed and not removed
	stateRemoved
)

// nameText is how a subject's name is kept for the name filter: folded as the index folds
// names (SearchText), each run of letters and digits separated by one space. The index pairs
// only characters that stand next to each other, so a fragment matches within one run, never
// across a space or punctuation: a name holds a fragment when this text contains the
// fragment's letters and digits.
func nameText(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range SearchText(name) {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			sep = b.Len() > 0
			continue
		}
		if sep {
			b.WriteByte(' ')
			sep = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// openEnded is the until of a record without a publication end.
var openEnded = uint32(DayNumber(OpenEnded))

// listDay is DayNumber of a date as bytes, without a string for each record; 0 (never
// public) for what DayNumber reads as 0 or less.
func listDay(b []byte) uint32 {
	if len(b) != 10 {
		return 0
	}
	var digits [8]byte
	copy(digits[:4], b[:4])
	copy(digits[4:6], b[5:7])
	copy(digits[6:], b[8:])
	n, err := strconv.Atoi(string(digits[:]))
	if err != nil || n <= 0 {
		return 0
	}
	return uint32(n)
}

// listRecordQuery reads every record once, in the table's own order: sorting in SQLite
// through the (type, date) index and then by id took longer than sorting here, four
// json_extract calls parsed each document four times (recordListFields reads it once), and
// reading the id, type, date and code columns beside the document cost more than finding
// them in it (where the build read them too).
const listRecordQuery = `SELECT doc FROM records`

// dict assigns indexes to the distinct values of a column while loading; sorted renumbers
// them in value order, so that a filter value is found by binary search.
type dict struct {
	index  map[string]uint32
	values []string
}

// newDict returns an empty dictionary for about n values.
func newDict(n int) *dict {
	d := &dict{index: make(map[string]uint32, n+1), values: make([]string, 1, n+1)}
	d.index[""] = 0
	return d
}

func (d *dict) code(v []byte) uint32 {
	i, ok := d.index[string(v)]
	if !ok {
		i = uint32(len(d.values))
		d.index[string(v)] = i
		d.values = append(d.values, string(v))
	}
	return i
}

// sorted returns the values in order and, by old index, each value's new one.
func (d *dict) sorted() (values []string, renumber []uint32) {
	order := make([]uint32, len(d.values))
	for i := range order {
		order[i] = uint32(i)
	}
	slices.SortFunc(order, func(a, b uint32) int { return strings.Compare(d.values[a], d.values[b]) })
	values = make([]string, len(order))
	renumber = make([]uint32, len(order))
	for to, from := range order {
		values[to] = d.values[from]
		renumber[from] = uint32(to)
	}
	return values, renumber
}

// listLoad is one type's records as read, before they are sorted into a listTable.
type listLoad struct {
	rows                      []listRow
	ids                       columnBuilder // as read
	date                      []uint32      // index in dates
	dates, years, authorities *dict
}

// loadListTables reads every record's list columns from a generation's document store, and
// each subject's region from the entity cards, as the build took it from the entity.
func loadListTables(ctx context.Context, g *Generation) (*listTables, error) {
	// The counts by type (from the index on type and date) size every array at once.
	types := map[RecordType]*listLoad{}
	total := 0
	counts, err := g.Docs.db.QueryContext(ctx, `SELECT type, count(*) FROM records GROUP BY type`)
	if err != nil {
		return nil, err
	}
	for counts.Next() {
		var t RecordType
		var n int
		if err := counts.Scan(&t, &n); err != nil {
			counts.Close()
			return nil, err
		}
		types[t] = &listLoad{rows: make([]listRow, 0, n), date: make([]uint32, 0, n), dates: newDict(0), years: newDict(0), authorities: newDict(0)}
		types[t].ids.b.Grow(n * 24)
		types[t].ids.end = make([]uint32, 0, n)
		total += n
	}
	if err := errors.Join(counts.Err(), counts.Close()); err != nil {
		return nil, err
	}
	codes, names := newDict(total/2), newDict(total/2)
	rows, err := g.Docs.db.QueryContext(ctx, listRecordQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var doc sql.RawBytes
	for n := 0; rows.Next(); n++ {
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		f, err := recordListFields(doc)
		if err != nil {
			return nil, fmt.Errorf("record %d of the document store: %w", n+1, err)
		}
		l := types[RecordType(f.typ)]
		if l == nil { // not among the counts: the store is immutable, so only if they disagree
			l = &listLoad{dates: newDict(0), years: newDict(0), authorities: newDict(0)}
			types[RecordType(f.typ)] = l
		}
		if len(l.rows) == math.MaxUint32 {
			return nil, fmt.Errorf("more than %d records of type %s", uint32(math.MaxUint32), f.typ)
		}
		date := f.date
		row := listRow{code: codes.code(f.code), authority: l.authorities.code(f.authority),
			name: names.code(f.name), until: openEnded}
		if len(f.until) > 0 {
			row.until = listDay(f.until)
		}
		if len(date) >= 4 {
			row.year = l.years.code(date[:4])
		}
		if RecordType(f.typ).HasListState() {
			row.state = stateCurrent
			if len(f.removed) > 0 {
				row.state = stateRemoved
			}
		}
		l.rows = append(l.rows, row)
		l.ids.setBytes(uint64(len(l.rows)-1), f.id)
		l.date = append(l.date, l.dates.code(date))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	lt := &listTables{byType: map[RecordType]*listTable{}}
	codeValues, codeNumber := codes.sorted()
	var cb, nb columnBuilder
	for i, c := range codeValues {
		cb.set(uint64(i), c)
	}
	lt.codes = cb.column()
	for i, n := range names.values {
		nb.set(uint64(i), nameText(n))
	}
	lt.names = nb.column()
	regionOf, err := regionsOfCodes(ctx, g, codeValues)
	if err != nil {
		return nil, err
	}
	for t, l := range types {
		lt.byType[t] = l.table(t, codeNumber, regionOf)
	}
	lt.stats = listStats(g.Info, lt)
	return lt, nil
}

// regionsOfCodes returns the region of each entity code's card ("" for a code without one).
func regionsOfCodes(ctx context.Context, g *Generation, codes []string) ([]string, error) {
	const chunk = 10000 // codes per call, to keep each answer's map small
	out := make([]string, len(codes))
	for from := 0; from < len(codes); from += chunk {
		part := codes[from:min(from+chunk, len(codes))]
		cards, err := g.Cards(ctx, part)
		if err != nil {
			return nil, err
		}
		for i, c := range part {
			if e := cards[c]; e != nil {
				out[from+i] = e.Region
			}
		}
	}
	return out, nil
}

// table sorts a type's rows into list order and builds its columns; codeNumber renumbers
// the rows' codes into the sorted codes, whose regions are regionOf. The rows are sorted by
// id, then stably by date with a counting sort: one sort of strings instead of two.
func (l *listLoad) table(t RecordType, codeNumber []uint32, regionOf []string) *listTable {
	n := len(l.rows)
	tab := &listTable{prefix: string(t) + "-"}
	ids := l.ids.column()
	for i := range n {
		if !strings.HasPrefix(ids.at(uint64(i)), tab.prefix) {
			tab.prefix = ""
			break
		}
	}
	byID := make([]uint32, n)
	for i := range byID {
		byID[i] = uint32(i)
	}
	slices.SortFunc(byID, func(a, b uint32) int { return strings.Compare(ids.at(uint64(a)), ids.at(uint64(b))) })

	// Dates newest first: a date's rank in list order, and where its rows begin.
	dates, dateNumber := l.dates.sorted()
	rank := make([]uint32, len(dates)) // by sorted index, descending
	for i := range dates {
		rank[i] = uint32(len(dates) - 1 - i)
	}
	start := make([]uint32, len(dates)+1)
	for _, d := range l.date {
		start[rank[dateNumber[d]]+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	for i := len(dates) - 1; i >= 0; i-- {
		if r := rank[i]; start[r+1] > start[r] {
			tab.dates = append(tab.dates, dates[i])
			tab.dateEnd = append(tab.dateEnd, start[r+1])
		}
	}
	at := make([]uint32, n) // list row of each record as read
	next := slices.Clone(start)
	for _, from := range byID {
		r := rank[dateNumber[l.date[from]]]
		at[from] = next[r]
		next[r]++
	}

	var yearNumber, authorityNumber []uint32
	tab.years, yearNumber = l.years.sorted()
	tab.authorities, authorityNumber = l.authorities.sorted()
	regions := newDict(0)
	tab.rows = make([]listRow, n)
	listed := make([]string, n) // ids in list order
	for from, r := range l.rows {
		r.code = codeNumber[r.code]
		r.region = regions.code([]byte(regionOf[r.code]))
		r.year, r.authority = yearNumber[r.year], authorityNumber[r.authority]
		tab.rows[at[from]] = r
		listed[at[from]] = ids.at(uint64(from))[len(tab.prefix):]
	}
	var regionNumber []uint32
	tab.regions, regionNumber = regions.sorted()
	for i := range tab.rows {
		tab.rows[i].region = regionNumber[tab.rows[i].region]
	}
	provinces := newDict(0)
	tab.provinceOf = make([]uint32, len(tab.regions))
	for i, r := range tab.regions {
		tab.provinceOf[i] = provinces.code([]byte(region.Province(r)))
	}
	var provinceNumber []uint32
	tab.provinces, provinceNumber = provinces.sorted()
	for i, p := range tab.provinceOf {
		tab.provinceOf[i] = provinceNumber[p]
	}
	var ib columnBuilder
	for i, id := range listed {
		ib.set(uint64(i), id)
	}
	tab.ids = ib.column()
	for k, from := range byID {
		byID[k] = at[from]
	}
	tab.byID = byID
	return tab
}

// recordListValues are what the lists read of a record's document; they are slices of the
// document, or decoded copies where it escapes characters.
type recordListValues struct {
	id, typ, code, date             []byte
	name, until, removed, authority []byte
}

// recordListFields reads the top-level id, type, entity_code, date, entity_name,
// public_until, removed and authority of a record's JSON document, skipping everything else
// (the fields map is most of a document): encoding/json took 7 µs a record, most of a
// generation's list loading.
func recordListFields(doc []byte) (recordListValues, error) {
	var f recordListValues
	d := jsonScan{b: doc}
	d.space()
	if !d.eat('{') {
		return f, errListDoc
	}
	for first := true; ; first = false {
		d.space()
		if d.eat('}') {
			return f, nil
		}
		if !first && !d.eat(',') {
			return f, errListDoc
		}
		d.space()
		key, ok := d.str()
		if !ok {
			return f, errListDoc
		}
		d.space()
		if !d.eat(':') {
			return f, errListDoc
		}
		d.space()
		if bytes.IndexByte(key, '\\') >= 0 { // never so written by json.Marshal, but valid
			var k string
			if json.Unmarshal(key, &k) != nil {
				return f, errListDoc
			}
			key = []byte(strconv.Quote(k))
		}
		var dst *[]byte
		switch string(key) {
		case `"id"`:
			dst = &f.id
		case `"type"`:
			dst = &f.typ
		case `"entity_code"`:
			dst = &f.code
		case `"date"`:
			dst = &f.date
		case `"entity_name"`:
			dst = &f.name
		case `"public_until"`:
			dst = &f.until
		case `"removed"`:
			dst = &f.removed
		case `"authority"`:
			dst = &f.authority
		}
		if dst == nil || d.peek() != '"' {
			if dst != nil {
				*dst = nil // not a string: no value, as a later key of the same name overrides
			}
			if !d.skip() {
				return f, errListDoc
			}
			continue
		}
		raw, ok := d.str()
		if !ok {
			return f, errListDoc
		}
		if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
			*dst = raw[1 : len(raw)-1]
			continue
		}
		var v string
		if json.Unmarshal(raw, &v) != nil {
			return f, errListDoc
		}
		*dst = []byte(v)
	}
}

var errListDoc = errors.New("malformed JSON document")

// jsonScan steps through a JSON text; it checks only what it needs to find the top-level
// keys and their string values, and reports false where the text cannot be JSON.
type jsonScan struct {
	b []byte
	i int
}

func (d *jsonScan) space() {
	for d.i < len(d.b) && (d.b[d.i] == ' ' || d.b[d.i] == '\n' || d.b[d.i] == '\r' || d.b[d.i] == '\t') {
		d.i++
	}
}

func (d *jsonScan) peek() byte {
	if d.i < len(d.b) {
		return d.b[d.i]
	}
	return 0
}

func (d *jsonScan) eat(c byte) bool {
	if d.peek() == c {
		d.i++
		return true
	}
	return false
}

// str returns the string at the current place with its quotes and escapes as written.
func (d *jsonScan) str() ([]byte, bool) {
	start := d.i
	if !d.eat('"') {
		return nil, false
	}
	for {
		q := bytes.IndexByte(d.b[d.i:], '"')
		if q < 0 {
			return nil, false
		}
		e := bytes.IndexByte(d.b[d.i:d.i+q], '\\')
		if e < 0 {
			d.i += q + 1
			return d.b[start:d.i], true
		}
		d.i += e + 2 // an escape: the character after the backslash is not the end
		if d.i > len(d.b) {
			return nil, false
		}
	}
}

// skip steps over one value: a string, or anything up to the comma or brace that ends it at
// its own depth.
func (d *jsonScan) skip() bool {
	depth := 0
	for d.i < len(d.b) {
		switch c := d.b[d.i]; c {
		case '"':
			if _, ok := d.str(); !ok {
				return false
			}
			if depth == 0 {
				return true
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return true // the end of the enclosing object: an empty value
			}
			depth--
			if depth == 0 {
				d.i++
				return true
			}
		case ',':
			if depth == 0 {
				return true
			}
		}
		d.i++
	}
	return depth == 0
}

// listFilter is a list request's filters, checked.
type listFilter struct {
	today     uint32            // only records public on this day (yyyymmdd) are listed
	region    func(string) bool // nil: any region; else which region codes qualify
	year      string            // "" or YYYY
	authority string            // "" or exact
	state     uint8             // 0 any, stateCurrent or stateRemoved
	needles   []string          // name fragments' letters and digits, each required
	code      string            // "" or the subject's entity code
}

// listRows is one page of a list as rows of its table.
type listRows struct {
	rows   []uint32
	total  int
	more   bool // rows match after the page
	facets map[string][]FacetValue
}

// page finds the rows of t that match f in list order: the total, up to size rows from the
// row from on, and when facets is set the facets of every match, in one pass. hidden are
// rows withheld by a decision, in order: neither listed nor counted.
func (lt *listTables) page(t *listTable, f *listFilter, from uint32, hidden []uint32, size int, facets bool) listRows {
	var out listRows
	if t == nil {
		return out
	}
	var regionOK []bool
	if f.region != nil {
		regionOK = make([]bool, len(t.regions))
		for i, v := range t.regions {
			regionOK[i] = f.region(v)
		}
	}
	const any = math.MaxUint32
	year, authority, code := uint32(any), uint32(any), uint32(any)
	for _, want := range []struct {
		value  string
		in     func(string) (int, bool)
		target *uint32
	}{
		{f.year, func(v string) (int, bool) { return slices.BinarySearch(t.years, v) }, &year},
		{f.authority, func(v string) (int, bool) { return slices.BinarySearch(t.authorities, v) }, &authority},
		{f.code, lt.codeIndex, &code},
	} {
		if want.value == "" {
			continue
		}
		i, found := want.in(want.value)
		if !found {
			return out // a value no record of the list has
		}
		*want.target = uint32(i)
	}
	for _, n := range f.needles {
		if n == "" {
			return out // no letters or digits: the index has no such term either
		}
	}
	var yearN, regionN, authorityN []int
	var stateN [3]int
	if facets {
		yearN, regionN, authorityN = make([]int, len(t.years)), make([]int, len(t.regions)), make([]int, len(t.authorities))
	}
	h := 0
	for i := range t.rows {
		r := &t.rows[i]
		if r.until < f.today ||
			year != any && r.year != year ||
			authority != any && r.authority != authority ||
			code != any && r.code != code ||
			f.state != 0 && r.state != f.state ||
			regionOK != nil && !regionOK[r.region] {
			continue
		}
		if len(f.needles) > 0 && !containsAll(lt.names.at(uint64(r.name)), f.needles) {
			continue
		}
		if h < len(hidden) {
			for h < len(hidden) && hidden[h] < uint32(i) {
				h++
			}
			if h < len(hidden) && hidden[h] == uint32(i) {
				continue
			}
		}
		out.total++
		if facets {
			yearN[r.year]++
			regionN[r.region]++
			authorityN[r.authority]++
			stateN[r.state]++
		}
		if uint32(i) >= from {
			if len(out.rows) < size {
				out.rows = append(out.rows, uint32(i))
			} else {
				out.more = true
			}
		}
	}
	if facets {
		out.facets = t.facets(yearN, regionN, authorityN, stateN)
	}
	return out
}

func containsAll(name string, needles []string) bool {
	for _, n := range needles {
		if !strings.Contains(name, n) {
			return false
		}
	}
	return true
}

// codeIndex finds an entity code among the records' codes.
func (lt *listTables) codeIndex(code string) (int, bool) {
	n := len(lt.codes.end)
	i := sort.Search(n, func(i int) bool { return lt.codes.at(uint64(i)) >= code })
	return i, i < n && lt.codes.at(uint64(i)) == code
}

// Facet sizes: as many values as the list page offers of each.
const (
	listYearFacet      = 12
	listRegionFacet    = 40
	listAuthorityFacet = 15
)

// facets turns a pass's counts into the facets Bleve's terms facets gave: the most
// frequent values, ties by value; years then newest first. A record without a value (no
// authority, a subject without a card) counts in no bucket.
func (t *listTable) facets(yearN, regionN, authorityN []int, stateN [3]int) map[string][]FacetValue {
	out := map[string][]FacetValue{}
	add := func(name string, values []string, counts []int, size int, label func(string) string) {
		for _, i := range topCounts(counts, size) {
			out[name] = append(out[name], FacetValue{Value: values[i], Label: label(values[i]), Count: counts[i]})
		}
	}
	same := func(v string) string { return v }
	add("year", t.years, yearN, listYearFacet, same)
	slices.SortFunc(out["year"], func(a, b FacetValue) int { return strings.Compare(b.Value, a.Value) })
	provinceN := make([]int, len(t.provinces))
	for i, c := range regionN {
		provinceN[t.provinceOf[i]] += c
	}
	add("region", t.provinces, provinceN, listRegionFacet, region.Name)
	add("authority", t.authorities, authorityN, listAuthorityFacet, same)
	// The index's terms are 1 (current) and 0 (removed): 0 first on a tie.
	states := []int{0, stateN[stateRemoved], stateN[stateCurrent]}
	for _, i := range topCounts(states, 2) {
		v := []string{"", "removed", "current"}[i]
		out["state"] = append(out["state"], FacetValue{Value: v, Label: map[string]string{"current": "当前列入", "removed": "已移出"}[v], Count: states[i]})
	}
	return out
}

// topCounts returns the indexes of the size largest counts, largest first, ties by index
// (the dictionaries' values are sorted, so by value), without index 0 (no value) or a
// count of 0: a small sorted buffer, as a list has thousands of authorities and shows 15.
func topCounts(counts []int, size int) []int {
	top := make([]int, 0, size+1)
	for i := 1; i < len(counts); i++ {
		c := counts[i]
		if c == 0 || len(top) == size && c <= counts[top[size-1]] {
			continue
		}
		at := len(top)
		for at > 0 && counts[top[at-1]] < c {
			at--
		}
		top = slices.Insert(top, at, i)
		if len(top) > size {
			top = top[:size]
		}
	}
	return top
}

// id returns the record id of row n.
func (t *listTable) id(n uint32) string { return t.prefix + t.ids.at(uint64(n)) }

// dateOf returns the date of row n.
func (t *listTable) dateOf(n uint32) string {
	d, _ := slices.BinarySearch(t.dateEnd, n+1)
	return t.dates[d]
}

// after returns the first row that sorts after a cursor's date and id, as Bleve's
// search-after placed it: a date that no record has, or an id that no record of the date
// has, still finds its place between them.
func (t *listTable) after(date, id string) uint32 {
	d, found := slices.BinarySearchFunc(t.dates, date, func(v, date string) int { return strings.Compare(date, v) })
	from := uint32(0)
	if d > 0 {
		from = t.dateEnd[d-1]
	}
	if !found {
		return from
	}
	to := t.dateEnd[d]
	rest, ok := strings.CutPrefix(id, t.prefix)
	if !ok { // every id of the date sorts after id, or every one before it
		if id < t.prefix {
			return from
		}
		return to
	}
	return from + uint32(sort.Search(int(to-from), func(i int) bool { return t.ids.at(uint64(from)+uint64(i)) > rest }))
}

// rowOf returns the row of a record id, or false.
func (t *listTable) rowOf(id string) (uint32, bool) {
	rest, ok := strings.CutPrefix(id, t.prefix)
	if !ok {
		return 0, false
	}
	i, found := slices.BinarySearchFunc(t.byID, rest, func(n uint32, rest string) int {
		return strings.Compare(t.ids.at(uint64(n)), rest)
	})
	if !found {
		return 0, false
	}
	return t.byID[i], true
}
