package opendata

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// Kinds of change between two versions of a dataset.
const (
	Added    = "added"
	Removed  = "removed"
	Modified = "modified"
)

// Reasons of a change, where known (domain.md §4–6).
const (
	ReasonExpired  = "到期"   // the publication period ended
	ReasonDelisted = "移出"   // a list entry was removed from the list (it stays public as history)
	ReasonRevoked  = "撤销"   // revoked by a decision on an objection
	ReasonRepaired = "信用修复" // hidden after credit repair
	ReasonCorrect  = "更正"   // corrected by a decision on an objection
)

// Change is one difference between two versions of a dataset: a line of
// changes-{version}.jsonl and an entry of the change log behind /api/v1/changes.
type Change struct {
	Seq             int64    `json:"seq,omitempty"`     // position in the list's change log; 0 in a changes file
	Day             string   `json:"day"`               // China day of the version that made the change
	Version         string   `json:"version,omitempty"` // id of that version (absent in logs older than versions)
	Change          string   `json:"change"`            // added | removed | modified
	Reason          string   `json:"reason"`            // 移出, 到期, 撤销, 信用修复, 更正, or "" when unknown
	ID              string   `json:"id"`
	EntityCode      string   `json:"entity_code"`
	EntityName      string   `json:"entity_name"`
	FieldsChanged   []string `json:"fields_changed"`
	Published       string   `json:"published,omitempty"`        // when the version was published (RFC 3339, UTC); never earlier than the entry before
	PreviousDay     string   `json:"previous_day,omitempty"`     // day of the version compared with (changes files)
	PreviousVersion string   `json:"previous_version,omitempty"` // id of the version compared with (changes files)
}

// version is the version an entry belongs to; entries written before versions had sequences
// carry only their day, which was then the version's id.
func (c *Change) version() string {
	if c.Version != "" {
		return c.Version
	}
	return c.Day
}

// differ explains why records changed; it knows the generation and the decisions.
type differ struct {
	day, prevDay         string
	version, prevVersion string
	published            string
	removedReason        func(old *Row) string
	modifiedReason       func(old, new *Row, changed []string) string
}

func (d *differ) added(r *Row) Change {
	return Change{Day: d.day, Version: d.version, Published: d.published, Change: Added, ID: r.ID, EntityCode: r.EntityCode, EntityName: r.EntityName, FieldsChanged: []string{},
		PreviousDay: d.prevDay, PreviousVersion: d.prevVersion}
}

func (d *differ) removed(r *Row) Change {
	return Change{Day: d.day, Version: d.version, Published: d.published, Change: Removed, Reason: d.removedReason(r), ID: r.ID, EntityCode: r.EntityCode, EntityName: r.EntityName,
		FieldsChanged: []string{}, PreviousDay: d.prevDay, PreviousVersion: d.prevVersion}
}

// compare returns the modification of old into new, or false when nothing users see changed.
// The source (snapshot date) is left out: every new snapshot carries it for every record.
func (d *differ) compare(old, new *Row) (Change, bool) {
	changed := changedKeys(old, new)
	if len(changed) == 0 {
		return Change{}, false
	}
	return Change{Day: d.day, Version: d.version, Published: d.published, Change: Modified, Reason: d.modifiedReason(old, new, changed), ID: new.ID, EntityCode: new.EntityCode,
		EntityName: new.EntityName, FieldsChanged: changed, PreviousDay: d.prevDay, PreviousVersion: d.prevVersion}, true
}

// changedKeys lists the JSON keys whose values differ: top-level ones by name, fields by key.
func changedKeys(a, b *Row) []string {
	set := map[string]bool{}
	for _, p := range []struct {
		k    string
		x, y string
	}{
		{"entity_code", a.EntityCode, b.EntityCode}, {"entity_name", a.EntityName, b.EntityName}, {"date", a.Date, b.Date},
		{"public_until", a.PublicUntil, b.PublicUntil}, {"removed", a.Removed, b.Removed},
		{"objection_pending_since", a.ObjectionPendingSince, b.ObjectionPendingSince},
	} {
		if p.x != p.y {
			set[p.k] = true
		}
	}
	for k, v := range a.Fields {
		if b.Fields[k] != v {
			set[k] = true
		}
	}
	for k, v := range b.Fields {
		if a.Fields[k] != v {
			set[k] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// rowKey orders rows the way the publisher writes them: by entity code, then record id
// (the document store's order), so two versions can be compared in one streaming pass.
func rowKey(r *Row) string { return r.EntityCode + "\x00" + r.ID }

var errUnsorted = errors.New("rows not in publication order")

// rowStream reads a JSON Lines file written by the publisher.
type rowStream struct {
	f    *os.File
	gz   *gzip.Reader
	dec  *json.Decoder
	last string
	n    int
}

func openRows(path string) (*rowStream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	gz, err := gzip.NewReader(bufio.NewReaderSize(f, 256<<10))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &rowStream{f: f, gz: gz, dec: json.NewDecoder(gz)}, nil
}

// next returns the next row, nil at the end.
func (s *rowStream) next() (*Row, error) {
	var r Row
	if err := s.dec.Decode(&r); err == io.EOF {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("%s: row %d: %w", s.f.Name(), s.n+1, err)
	}
	k := rowKey(&r)
	if s.n > 0 && k <= s.last {
		return nil, errUnsorted
	}
	s.last = k
	s.n++
	return &r, nil
}

func (s *rowStream) Close() { s.gz.Close(); s.f.Close() }

// diffFiles compares two JSON Lines versions of a dataset. It merges them in one pass; files
// not in publication order (written by another tool) are compared in memory instead.
func diffFiles(oldPath, newPath string, d *differ) ([]Change, error) {
	out, err := mergeDiff(oldPath, newPath, d)
	if errors.Is(err, errUnsorted) {
		return mapDiff(oldPath, newPath, d)
	}
	return out, err
}

func mergeDiff(oldPath, newPath string, d *differ) ([]Change, error) {
	olds, err := openRows(oldPath)
	if err != nil {
		return nil, err
	}
	defer olds.Close()
	news, err := openRows(newPath)
	if err != nil {
		return nil, err
	}
	defer news.Close()
	var out []Change
	o, err := olds.next()
	if err != nil {
		return nil, err
	}
	n, err := news.next()
	if err != nil {
		return nil, err
	}
	for o != nil || n != nil {
		switch {
		case n == nil || (o != nil && rowKey(o) < rowKey(n)):
			out = append(out, d.removed(o))
			if o, err = olds.next(); err != nil {
				return nil, err
			}
		case o == nil || rowKey(n) < rowKey(o):
			out = append(out, d.added(n))
			if n, err = news.next(); err != nil {
				return nil, err
			}
		default:
			if c, ok := d.compare(o, n); ok {
				out = append(out, c)
			}
			if o, err = olds.next(); err != nil {
				return nil, err
			}
			if n, err = news.next(); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func readAllRows(path string) ([]*Row, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(gz)
	var out []*Row
	for {
		var r Row
		if err := dec.Decode(&r); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		out = append(out, &r)
	}
}

func mapDiff(oldPath, newPath string, d *differ) ([]Change, error) {
	olds, err := readAllRows(oldPath)
	if err != nil {
		return nil, err
	}
	news, err := readAllRows(newPath)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Row, len(olds))
	for _, r := range olds {
		byID[r.ID] = r
	}
	var out []Change
	seen := map[string]bool{}
	for _, n := range news {
		seen[n.ID] = true
		o := byID[n.ID]
		if o == nil {
			out = append(out, d.added(n))
		} else if c, ok := d.compare(o, n); ok {
			out = append(out, c)
		}
	}
	for _, o := range olds {
		if !seen[o.ID] {
			out = append(out, d.removed(o))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].EntityCode+"\x00"+out[i].ID < out[j].EntityCode+"\x00"+out[j].ID
	})
	return out, nil
}

// encodeChanges renders changes as JSON Lines.
func encodeChanges(cs []Change) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	for _, c := range cs {
		enc.Encode(c)
	}
	return b.Bytes()
}

// The change log of a dataset: DATA/opendata/{list}/changes.log.jsonl, one Change per line
// with a sequence number that only grows. Entries are only ever appended, except that
// retention drops whole days older than the oldest kept version; changes.state.json then
// records how far the log was cut, so that a client's cursor into the cut part is refused
// (410) instead of silently skipping entries.
const (
	logName   = "changes.log.jsonl"
	stateName = "changes.state.json"
)

// LogState says how much of a change log has been cut by retention.
type LogState struct {
	PrunedThroughSeq int64  `json:"pruned_through_seq"` // every entry up to this seq is gone
	OldestDay        string `json:"oldest_day"`         // the oldest day still in the log
}

func readLogState(listDir string) LogState {
	var st LogState
	b, err := os.ReadFile(filepath.Join(listDir, stateName))
	if err == nil {
		json.Unmarshal(b, &st)
	}
	return st
}

// readChangeFile reads a version's changes-{version}.jsonl.
func readChangeFile(path string) ([]Change, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Change
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var c Change
		if err := dec.Decode(&c); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, c)
	}
}

// lastLogEntry returns the last complete entry (zero when none), and the length of the log up
// to the end of that entry (a torn last line from a crash lies beyond it).
func lastLogEntry(path string) (last Change, good int64, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Change{}, 0, nil
	}
	if err != nil {
		return Change{}, 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return Change{}, 0, err
	}
	size := fi.Size()
	for window := int64(64 << 10); ; window *= 4 {
		start := max(size-window, 0)
		buf := make([]byte, size-start)
		if _, err := f.ReadAt(buf, start); err != nil && err != io.EOF {
			return Change{}, 0, err
		}
		end := bytes.LastIndexByte(buf, '\n')
		if end < 0 {
			if start == 0 {
				return Change{}, 0, nil // nothing complete
			}
			continue
		}
		line := buf[:end]
		begin := bytes.LastIndexByte(line, '\n') + 1
		if begin == 0 && start > 0 {
			continue // the line starts before the window
		}
		var c Change
		if err := json.Unmarshal(line[begin:], &c); err != nil {
			return Change{}, 0, fmt.Errorf("%s: last entry: %w", path, err)
		}
		return c, start + int64(end) + 1, nil
	}
}

// appendLog numbers changes and appends them to the dataset's log, durably.
func appendLog(listDir string, cs []Change) error {
	if len(cs) == 0 {
		return nil
	}
	path := filepath.Join(listDir, logName)
	last, good, err := lastLogEntry(path)
	if err != nil {
		return err
	}
	seq := max(last.Seq, readLogState(listDir).PrunedThroughSeq)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	// Drop a torn last line left by a crash, then append after the last complete entry.
	if err := f.Truncate(good); err != nil {
		return err
	}
	numbered := make([]Change, len(cs))
	for i, c := range cs {
		seq++
		c.Seq = seq
		c.PreviousDay, c.PreviousVersion = "", "" // the log's order says which version came before
		numbered[i] = c
	}
	if _, err := f.WriteAt(encodeChanges(numbered), good); err != nil {
		return err
	}
	return f.Sync()
}

// pruneLog drops the entries of versions before oldest. The state's OldestDay is the first day
// whose entries are all still there: oldest's day, or the day after it when earlier versions
// of that same day lost entries (a client asking since that day would otherwise miss them).
func pruneLog(listDir, oldest string) error {
	path := filepath.Join(listDir, logName)
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st := readLogState(listDir)
	var keep bytes.Buffer
	cut := st.PrunedThroughSeq
	oldestDay := VersionDay(oldest)
	partDay := false
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var c Change
		if json.Unmarshal(sc.Bytes(), &c) != nil {
			continue // a torn line: the next append cuts it
		}
		if CompareVersions(c.version(), oldest) < 0 {
			cut = max(cut, c.Seq)
			partDay = partDay || c.Day == oldestDay
			continue
		}
		keep.Write(sc.Bytes())
		keep.WriteByte('\n')
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if partDay {
		t, _ := time.Parse(time.DateOnly, oldestDay)
		oldestDay = t.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	if cut == st.PrunedThroughSeq && st.OldestDay != "" && st.OldestDay >= oldestDay {
		return nil
	}
	// The state goes first: should we stop between the two writes, the log still holds entries
	// the state calls gone, which only makes the API refuse a cursor it could have served.
	st.PrunedThroughSeq, st.OldestDay = cut, oldestDay
	b, _ := json.Marshal(st)
	if _, _, err := writeFileAtomic(filepath.Join(listDir, stateName), b); err != nil {
		return err
	}
	_, _, err = writeFileAtomic(path, keep.Bytes())
	return err
}

// ErrGone means a client asked for changes older than the log keeps.
type ErrGone struct {
	OldestDay string
	OldestSeq int64 // the cursor to resume from without a gap is impossible below this
}

func (e *ErrGone) Error() string {
	return fmt.Sprintf("changes before %s are no longer kept", e.OldestDay)
}

// ErrCursorPastEnd means a client's position lies beyond the last entry the log has ever had.
// Such a cursor was never issued (every cursor is the seq of an entry, or of the end at the
// time), and accepting it would make the client miss the entries later numbered up to it.
type ErrCursorPastEnd struct {
	After int64 // the position asked for
	End   int64 // the seq of the newest entry, or where retention cut the log
}

func (e *ErrCursorPastEnd) Error() string {
	return fmt.Sprintf("position %d is beyond the end of the change log (%d)", e.After, e.End)
}

// ChangePage is a page of a dataset's change log.
type ChangePage struct {
	Changes []Change
	LastSeq int64 // the highest seq returned, or the position the next page starts after
	More    bool
}

// ReadChanges returns up to limit entries of the dataset's change log with a seq above after
// (after < 0: from the start) and a day not before since ("" for all). It refuses with
// *ErrGone when the range asked for reaches into entries that retention has dropped, and with
// *ErrCursorPastEnd when after lies beyond the newest entry.
func ReadChanges(root, list string, after int64, since string, limit int) (*ChangePage, error) {
	listDir := filepath.Join(root, list)
	st := readLogState(listDir)
	if st.PrunedThroughSeq > 0 {
		// Without a cursor or a day the client asks for what there is: no refusal.
		if (after >= 0 && after < st.PrunedThroughSeq) || (after < 0 && since != "" && since < st.OldestDay) {
			return nil, &ErrGone{OldestDay: st.OldestDay, OldestSeq: st.PrunedThroughSeq}
		}
	}
	page := &ChangePage{Changes: []Change{}, LastSeq: max(after, st.PrunedThroughSeq)}
	// The end of the log is its newest entry, or where retention cut it when nothing is left
	// after the cut; a position exactly there is a client that is up to date.
	end := st.PrunedThroughSeq
	pastEnd := func() error {
		if after > end {
			return &ErrCursorPastEnd{After: after, End: end}
		}
		return nil
	}
	f, err := os.Open(filepath.Join(listDir, logName))
	if errors.Is(err, os.ErrNotExist) {
		if err := pastEnd(); err != nil {
			return nil, err
		}
		return page, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[len(line)-1] != '}' {
			continue
		}
		var c Change
		if json.Unmarshal(line, &c) != nil {
			continue // a torn last line while an append is under way
		}
		end = max(end, c.Seq)
		if c.Seq <= after {
			continue
		}
		if len(page.Changes) == limit {
			page.More = true
			return page, nil // an entry lies after the cursor, so it is not past the end
		}
		if since == "" || c.Day >= since {
			page.Changes = append(page.Changes, c)
		}
		// Entries before since are passed over, not skipped: they are older than asked for.
		page.LastSeq = c.Seq
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := pastEnd(); err != nil {
		return nil, err
	}
	return page, nil
}

// TailChanges returns the newest n entries of the dataset's log that keep accepts, newest first.
func TailChanges(root, list string, n int, keep func(*Change) bool) ([]Change, error) {
	f, err := os.Open(filepath.Join(root, list, logName))
	if errors.Is(err, os.ErrNotExist) {
		return []Change{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ring := make([]Change, 0, n)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var c Change
		if json.Unmarshal(sc.Bytes(), &c) != nil || (keep != nil && !keep(&c)) {
			continue
		}
		if len(ring) == n {
			copy(ring, ring[1:])
			ring = ring[:n-1]
		}
		ring = append(ring, c)
	}
	slices.Reverse(ring)
	return ring, sc.Err()
}

// fieldsCorrected reports whether every changed key is one a correction set.
func fieldsCorrected(changed []string, corrected map[string]string) bool {
	if len(corrected) == 0 {
		return false
	}
	for _, k := range changed {
		alias := map[string]string{"removed": "removal_date", "entity_name": "name"}[k]
		_, a := corrected[k]
		_, b := corrected[alias]
		if !a && !b && !strings.HasPrefix(k, "objection") {
			return false
		}
	}
	return true
}
