// Package mapping says which column of an agency's file is which field of gongshi's schema:
// column mappings written by a person, built-in profiles for published field lists, and a
// proposal inferred from a file's headers and contents when neither fits.
package mapping

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/gongshi/gongshi/index"
)

// Targets a column may have besides a canonical key.
const (
	// Withhold marks a column that is never read: personal data, or what an agency asks not
	// to publish. The report lists it as withheld.
	Withhold = "withhold"
	// Ignore marks a column that is read by nobody; the report lists it as ignored.
	Ignore = "ignore"
	// SubjectKind marks the column that says whether the subject is a natural person
	// (行政相对人类别): such rows are withheld whole, like rows whose code is an ID number.
	SubjectKind = "subject_kind"
)

// Spec is a column mapping as manifest.json carries it per file, and as a --columns file
// carries it for a bare file.
type Spec struct {
	// Columns maps a source header to a canonical key of the file's type, Withhold, Ignore or
	// SubjectKind. Two columns mapped to the same key: the later one fills the field in rows
	// where the earlier one is empty.
	Columns map[string]string `json:"columns,omitempty"`
	// Values translates coded values per canonical key: code → label (a registration-status
	// code 1 → 存续（在营、开业、在册）). Values without an entry stay as written.
	Values map[string]map[string]string `json:"values,omitempty"`
	// Withhold lists source headers that are never read.
	Withhold []string `json:"withhold,omitempty"`
}

// Empty reports whether s says nothing, so a file resolves by profile and schema alone.
func (s *Spec) Empty() bool {
	return s == nil || len(s.Columns) == 0 && len(s.Values) == 0 && len(s.Withhold) == 0
}

// File is a --columns file: a Spec with the record type of the bare file it describes, and
// what a proposal found out (for the person who edits it; never read back as mapping).
type File struct {
	Type index.RecordType `json:"type,omitempty"`
	Spec
	Proposal *Proposal `json:"proposal,omitempty"`

	order []string // header order for writing columns the way the file has them
}

// maxFileBytes caps a mapping file; one for 16,384 columns with code tables stays far below.
const maxFileBytes = 1 << 20

// Read decodes and checks a --columns file. Unknown fields are errors, so that a misspelt
// "colums" is not silently a mapping that maps nothing.
func Read(r io.Reader) (*File, error) {
	lr := &io.LimitedReader{R: r, N: maxFileBytes + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	var f File
	err := dec.Decode(&f)
	if lr.N <= 0 {
		return nil, fmt.Errorf("larger than %d bytes", maxFileBytes)
	}
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON object")
	}
	if f.Type != "" && !f.Type.Valid() {
		return nil, fmt.Errorf("type %q is not a record type (%s)", f.Type, typeList())
	}
	if err := f.Spec.check(f.Type); err != nil {
		return nil, err
	}
	return &f, nil
}

func typeList() string {
	var ts []string
	for _, t := range index.RecordTypes {
		ts = append(ts, string(t))
	}
	return strings.Join(ts, ", ")
}

// Check reports the first thing in s that cannot apply to a file of type t: a target that
// is no key of t, a code table for no key of t, an empty header.
func (s *Spec) Check(t index.RecordType) error {
	if !t.Valid() {
		return fmt.Errorf("unknown record type %q", t)
	}
	return s.check(t)
}

// check is Check for a type that may still be unknown (""): only the shape is checked then.
func (s *Spec) check(t index.RecordType) error {
	if s == nil {
		return nil
	}
	for _, src := range sortedKeys(s.Columns) {
		if strings.TrimSpace(src) == "" {
			return fmt.Errorf("columns: a source header is empty")
		}
		if t == "" {
			continue
		}
		if _, err := target(t, s.Columns[src]); err != nil {
			return fmt.Errorf("columns: %q: %w", src, err)
		}
	}
	for _, key := range sortedKeys(s.Values) {
		if s.Values[key] == nil {
			return fmt.Errorf("values: %q has no code table", key)
		}
		if t == "" {
			continue
		}
		if k, err := target(t, key); err != nil || k == Withhold || k == Ignore {
			return fmt.Errorf("values: %q is not a field of type %s; valid keys: %s", key, t, validKeys(t))
		}
	}
	for _, src := range s.Withhold {
		if strings.TrimSpace(src) == "" {
			return fmt.Errorf("withhold: a source header is empty")
		}
	}
	return nil
}

// target resolves what a mapping maps a column to: a canonical key of t (its Chinese label
// or alias is accepted for it), Withhold, Ignore or SubjectKind.
func target(t index.RecordType, to string) (string, error) {
	switch strings.TrimSpace(to) {
	case Withhold, Ignore, SubjectKind:
		return strings.TrimSpace(to), nil
	case "":
		return Ignore, nil
	}
	s := index.SchemaOf(t)
	if f := s.Field(strings.TrimSpace(to)); f != nil {
		return f.Key, nil
	}
	if k := s.Resolve(to); k != "" {
		return k, nil
	}
	return "", fmt.Errorf("%q is not a field of type %s; valid keys: %s", to, t, validKeys(t))
}

// validKeys lists the canonical keys of t with their Chinese names, for error messages.
func validKeys(t index.RecordType) string {
	var ks []string
	for _, f := range index.SchemaOf(t).Fields {
		ks = append(ks, f.Key+" ("+f.Label+")")
	}
	return strings.Join(ks, ", ") + `; or "` + Withhold + `", "` + Ignore + `", "` + SubjectKind + `"`
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Column says what happens to one column of a file.
type Column struct {
	Header string `json:"header"`
	// Key is the canonical key the column fills, "" when nothing reads it.
	Key string `json:"key,omitempty"`
	// Fallback: the column fills Key only in rows where the columns before it are empty
	// (组织机构代码 where 统一社会信用代码 is blank).
	Fallback bool `json:"fallback,omitempty"`
	// Withheld columns are never read.
	Withheld bool `json:"withheld,omitempty"`
	// Via says who decided: "mapping", "profile", "schema" (the standard name or an alias),
	// or "personal data" (a known personal-data header).
	Via string `json:"via,omitempty"`
}

// Resolution is how one file's columns are read: the one way headers become canonical keys.
type Resolution struct {
	Type    index.RecordType
	Profile *Profile // the built-in profile the headers matched, or nil
	Columns []Column

	values    map[int]*codeTable // primary column → code table of its key
	fallbacks [][2]int           // (primary, fallback) pairs in the order they apply
	subject   int                // column with the subject's kind, -1 if none
}

// Rank of who decided a column's key: a person's mapping over a profile over the schema.
const (
	rankMapping = iota
	rankProfile
	rankProfileFallback
	rankSchema
)

// Resolve decides what each column of header is for a file of type t: spec first, then the
// built-in profile the headers match, then known personal-data headers (withheld), then the
// schema's standard names and aliases. A spec that names a column the file does not have, or
// a key t does not have, is an error naming it.
func Resolve(t index.RecordType, header []string, spec *Spec) (*Resolution, error) {
	s := index.SchemaOf(t)
	if s == nil {
		return nil, fmt.Errorf("unknown record type %q", t)
	}
	if err := spec.check(t); err != nil {
		return nil, err
	}
	r := &Resolution{Type: t, Columns: make([]Column, len(header)), values: map[int]*codeTable{}, subject: -1}
	folded := make([]string, len(header))
	for i, h := range header {
		r.Columns[i].Header = h
		folded[i] = index.HeaderKey(h)
	}
	rank := make([]int, len(header))
	decided := make([]bool, len(header))
	if spec != nil {
		for _, src := range spec.Withhold {
			i := findColumn(header, folded, src)
			if i < 0 {
				return nil, missingColumn("withhold", src, header)
			}
			r.Columns[i].Withheld, r.Columns[i].Via, decided[i] = true, "mapping", true
		}
		for _, src := range sortedKeys(spec.Columns) {
			i := findColumn(header, folded, src)
			if i < 0 {
				return nil, missingColumn("columns", src, header)
			}
			if decided[i] {
				continue // withheld by the same mapping: withholding wins
			}
			k, _ := target(t, spec.Columns[src]) // checked above
			r.set(i, k, "mapping")
			rank[i], decided[i] = rankMapping, true
		}
	}
	r.Profile = Detect(t, header)
	if p := r.Profile; p != nil {
		for i := range header {
			if decided[i] {
				continue
			}
			if f := p.field(folded[i]); f != nil {
				r.set(i, f.Key, "profile")
				rank[i], decided[i] = rankProfile, true
				if f.Fallback {
					rank[i] = rankProfileFallback
				}
			}
		}
	}
	for i, h := range header {
		if decided[i] {
			continue
		}
		switch {
		case PersonalHeader(h):
			r.Columns[i].Withheld, r.Columns[i].Via = true, "personal data"
		case subjectKindHeader(folded[i]):
			r.set(i, SubjectKind, "schema")
		default:
			if k := s.Resolve(h); k != "" {
				r.set(i, k, "schema")
				rank[i] = rankSchema
			}
		}
	}
	r.order(rank)
	if spec != nil {
		for key, table := range spec.Values {
			k, _ := target(t, key)
			p := r.primary(k)
			if p < 0 {
				return nil, fmt.Errorf("values: no column is mapped to %q, so its code table applies to nothing", key)
			}
			r.values[p] = newCodeTable(table)
		}
	}
	if p := r.Profile; p != nil {
		for key, table := range p.Values {
			if i := r.primary(key); i >= 0 && r.values[i] == nil {
				r.values[i] = newCodeTable(table)
			}
		}
	}
	return r, nil
}

// set gives column i its target.
func (r *Resolution) set(i int, k, via string) {
	c := &r.Columns[i]
	c.Via = via
	switch k {
	case Withhold:
		c.Withheld = true
	case Ignore:
	case SubjectKind:
		if r.subject < 0 {
			r.subject = i
		}
		c.Key = SubjectKind
	default:
		c.Key = k
	}
}

// order makes the best-ranked column of each key its primary: a person's mapping, then a
// profile's field, then the schema, earlier columns first. Later columns from a mapping or
// profile fill in where the primary is empty; a later column the schema alone named is
// repeated data and is ignored, as it always was.
func (r *Resolution) order(rank []int) {
	byKey := map[string][]int{}
	for i, c := range r.Columns {
		if c.Key != "" && c.Key != SubjectKind {
			byKey[c.Key] = append(byKey[c.Key], i)
		}
	}
	for _, k := range sortedKeys(byKey) {
		cols := byKey[k]
		sort.SliceStable(cols, func(a, b int) bool { return rank[cols[a]] < rank[cols[b]] })
		for _, j := range cols[1:] {
			if rank[j] == rankSchema {
				r.Columns[j].Key, r.Columns[j].Via = "", ""
				continue
			}
			r.Columns[j].Fallback = true
			r.fallbacks = append(r.fallbacks, [2]int{cols[0], j})
		}
	}
}

// primary returns the column that fills key, or -1.
func (r *Resolution) primary(key string) int {
	for i, c := range r.Columns {
		if c.Key == key && !c.Fallback && !c.Withheld {
			return i
		}
	}
	return -1
}

// findColumn finds a header as a mapping names it: exactly, or folded like Resolve folds.
func findColumn(header, folded []string, src string) int {
	for i, h := range header {
		if h == src || strings.TrimSpace(h) == strings.TrimSpace(src) {
			return i
		}
	}
	k := index.HeaderKey(src)
	if k == "" {
		return -1
	}
	return slices.Index(folded, k)
}

func missingColumn(part, src string, header []string) error {
	return fmt.Errorf("%s: column %q is not in the file (its columns: %s)", part, src, strings.Join(header, ", "))
}

// Keys returns the canonical key each column fills for the row validator: "" for columns
// that are withheld, ignored, fallbacks or the subject's kind, which Apply and Withholds
// read instead.
func (r *Resolution) Keys() []string {
	keys := make([]string, len(r.Columns))
	for i, c := range r.Columns {
		if c.Key != SubjectKind && !c.Fallback && !c.Withheld {
			keys[i] = c.Key
		}
	}
	return keys
}

// Ignored lists the non-empty headers nothing reads, in file order.
func (r *Resolution) Ignored() []string {
	var out []string
	for _, c := range r.Columns {
		if c.Key == "" && !c.Withheld && strings.TrimSpace(c.Header) != "" {
			out = append(out, c.Header)
		}
	}
	return out
}

// Withheld lists the headers never read, in file order.
func (r *Resolution) Withheld() []string {
	var out []string
	for _, c := range r.Columns {
		if c.Withheld {
			out = append(out, c.Header)
		}
	}
	return out
}

// Has reports whether some column fills key.
func (r *Resolution) Has(key string) bool { return r.primary(key) >= 0 }

// Apply returns row as the validator should see it: empty fields filled from their fallback
// columns, coded values translated. row itself is not changed.
func (r *Resolution) Apply(row []string) []string {
	if len(r.fallbacks) == 0 && len(r.values) == 0 {
		return row
	}
	out := row
	copied := false
	put := func(i int, v string) {
		if !copied {
			out, copied = slices.Clone(row), true
		}
		out[i] = v
	}
	for _, fb := range r.fallbacks {
		p, j := fb[0], fb[1]
		if p < len(out) && j < len(out) && strings.TrimSpace(out[p]) == "" && strings.TrimSpace(out[j]) != "" {
			put(p, out[j])
		}
	}
	for i, table := range r.values {
		if i >= len(out) {
			continue
		}
		if label, ok := table.lookup(out[i]); ok {
			put(i, label)
		}
	}
	return out
}

// codeTable is a code → label table that also finds a code written in full-width digits, in
// another case or with spaces.
type codeTable struct {
	exact, folded map[string]string
}

func newCodeTable(m map[string]string) *codeTable {
	t := &codeTable{exact: m, folded: make(map[string]string, len(m))}
	for code, label := range m {
		t.folded[index.HeaderKey(code)] = label
	}
	return t
}

// maxCodeBytes: longer values are labels or text, not codes, and are not folded to be looked up.
const maxCodeBytes = 24

func (t *codeTable) lookup(v string) (string, bool) {
	if l, ok := t.exact[v]; ok {
		return l, true
	}
	v = strings.TrimSpace(v)
	if v == "" || len(v) > maxCodeBytes {
		return "", false
	}
	if l, ok := t.exact[v]; ok {
		return l, true
	}
	l, ok := t.folded[index.HeaderKey(v)]
	return l, ok
}

// NaturalPerson reports whether row is about a natural person by its subject-kind column
// (行政相对人类别 自然人): such rows are never published.
func (r *Resolution) NaturalPerson(row []string) bool {
	if r.subject < 0 || r.subject >= len(row) {
		return false
	}
	v := row[r.subject]
	if table := r.values[r.subject]; table != nil {
		if l, ok := table.lookup(v); ok {
			v = l
		}
	}
	return strings.TrimSpace(v) == "自然人"
}

// subjectKindHeader recognises the 行政相对人类别 column by its Chinese names.
func subjectKindHeader(folded string) bool {
	switch folded {
	case "行政相对人类别", "相对人类别", "行政相对人类型", "主体类别":
		return true
	}
	return false
}

// Recognise tells the record type of a bare file from its headers and an optional mapping:
// the mapping's type; the type whose required fields the mapping's columns fill; the type
// the schema's names fit; the type of the profile the headers match. sure is false when
// the type came from the schema's names alone, which cannot tell the abnormal-operation
// list from the blacklist (they share their columns).
func Recognise(header []string, f *File) (t index.RecordType, sure bool) {
	if f != nil && f.Type != "" {
		return f.Type, true
	}
	if f != nil && len(f.Columns) > 0 {
		best, bestN := index.RecordType(""), 0
		for _, t := range index.RecordTypes {
			r, err := Resolve(t, header, &f.Spec)
			if err != nil || len(r.Missing()) > 0 {
				continue
			}
			if n := r.mapped(); n > bestN {
				best, bestN = t, n
			}
		}
		if best != "" {
			return best, !best.IsList()
		}
	}
	if t := index.Recognise(header); t != "" {
		return t, false
	}
	if p := Detect("", header); p != nil {
		return p.Type, !p.sameAsOther
	}
	return "", false
}

// mapped counts the columns a person's mapping placed.
func (r *Resolution) mapped() int {
	n := 0
	for _, c := range r.Columns {
		if c.Via == "mapping" && c.Key != "" {
			n++
		}
	}
	return n
}

// Missing lists the Chinese names of the required fields no column fills.
func (r *Resolution) Missing() []string {
	var out []string
	for _, f := range index.SchemaOf(r.Type).Fields {
		if f.Required && !r.Has(f.Key) {
			out = append(out, f.Label)
		}
	}
	return out
}

// MarshalJSON writes f with its columns in the order of the file they came from,
// so that a person editing it reads them as the file has them.
func (f *File) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{")
	sep := ""
	field := func(name string, v any) error {
		js, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s%q:%s", sep, name, js)
		sep = ","
		return nil
	}
	if f.Type != "" {
		if err := field("type", f.Type); err != nil {
			return nil, err
		}
	}
	if len(f.Columns) > 0 {
		order := make([]string, 0, len(f.Columns))
		for _, h := range f.order {
			if _, ok := f.Columns[h]; ok && !slices.Contains(order, h) {
				order = append(order, h)
			}
		}
		for _, h := range sortedKeys(f.Columns) {
			if !slices.Contains(order, h) {
				order = append(order, h)
			}
		}
		fmt.Fprintf(&b, `%s"columns":{`, sep)
		for i, h := range order {
			k, _ := json.Marshal(h)
			v, _ := json.Marshal(f.Columns[h])
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, "%s:%s", k, v)
		}
		b.WriteString("}")
		sep = ","
	}
	if len(f.Values) > 0 {
		if err := field("values", f.Values); err != nil {
			return nil, err
		}
	}
	if len(f.Withhold) > 0 {
		if err := field("withhold", f.Withhold); err != nil {
			return nil, err
		}
	}
	if f.Proposal != nil {
		if err := field("proposal", f.Proposal); err != nil {
			return nil, err
		}
	}
	b.WriteString("}")
	return b.Bytes(), nil
}
