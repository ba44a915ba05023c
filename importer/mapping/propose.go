package mapping

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
)

// Proposal is what an inferred mapping found out about each column, for the person who checks
// it before importing. Import reads only type, columns, values and withhold.
type Proposal struct {
	Note     string `json:"note"`
	RowsRead int    `json:"rows_read"`
	// Resolved are the columns the standard names, a built-in profile or the known
	// personal-data names place without a mapping; map one in columns to override it.
	Resolved map[string]string `json:"resolved,omitempty"`
	Profile  string            `json:"profile,omitempty"`
	// Confidence per source header, from 0 (a guess) to 1 (the header is a standard name).
	Confidence map[string]float64 `json:"confidence"`
	Evidence   map[string]string  `json:"evidence"`
	// Unplaced are the columns the proposal could not place (mapped to "ignore").
	Unplaced []string `json:"unplaced"`
	// MissingRequired are required fields no column was found for: the file is refused
	// until a column is mapped to each.
	MissingRequired []string `json:"missing_required,omitempty"`
	// Keys are the fields of the type, with their Chinese names, to map columns to.
	Keys map[string]string `json:"keys"`
}

// sampleRows is how many data rows a proposal reads: enough to see a code column's codes
// and the empty share of a removal column, few enough for any file.
const sampleRows = 500

// ProposeFile reads the header and first rows of a bare CSV, XLSX or JSON Lines file and
// proposes a mapping for it (see Propose).
func ProposeFile(path string, t index.RecordType, seed *Spec) (*File, error) {
	format := tabular.FormatOf(path)
	if format == "" {
		return nil, fmt.Errorf("%s: a column mapping is proposed for one .csv, .xlsx or .jsonl file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr, err := tabular.Open(f, tabular.Options{Format: format})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer tr.Close()
	var rows [][]string
	for len(rows) < sampleRows {
		row, err := tr.Next()
		if err == io.EOF {
			break
		}
		var re *tabular.RowError
		if errors.As(err, &re) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, row.Values)
	}
	return Propose(t, tr.Header(), rows, filepath.Base(path), seed)
}

// Propose infers a mapping for a file of type t ("" = infer the type too) from its header and
// some of its rows: a column whose values are valid unified codes is the code, dates are dates
// (the fuller of two list dates the listing, the sparser the removal), company-like names the
// subject, authority names (…局/委/院/厅) the authority, and so on, helped by what the header
// says in Chinese, pinyin initials or English. seed's columns are kept as they are. name is
// the file's name, which alone can tell the abnormal-operation list from the blacklist.
func Propose(t index.RecordType, header []string, rows [][]string, name string, seed *Spec) (*File, error) {
	stats := make([]*colStats, len(header))
	for i := range header {
		stats[i] = measure(rows, i)
	}
	types := index.RecordTypes
	if t != "" {
		types = []index.RecordType{t}
	}
	var best *guess
	scores := map[index.RecordType]float64{}
	for _, typ := range types {
		g, err := guessType(typ, header, stats, seed)
		if err != nil {
			if t != "" {
				return nil, err
			}
			continue
		}
		scores[typ] = g.score
		if best == nil || g.score > best.score {
			best = g
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no record type fits the columns")
	}
	if t == "" && best.typ.IsList() && scores[index.TypeAbnormal] == scores[index.TypeBlacklist] {
		// The two lists share their columns; only the name or the reasons tell them apart.
		if hint := listHint(name, rows, best); hint != best.typ {
			g, err := guessType(hint, header, stats, seed)
			if err != nil {
				return nil, err
			}
			best = g
		}
	}
	return best.file(len(rows), name), nil
}

// guess is one type's proposal.
type guess struct {
	typ      index.RecordType
	res      *Resolution
	columns  map[int]string // inferred: column → key, Withhold or Ignore
	conf     map[int]float64
	evidence map[int]string
	missing  []string
	score    float64
}

func guessType(t index.RecordType, header []string, stats []*colStats, seed *Spec) (*guess, error) {
	res, err := Resolve(t, header, seed)
	if err != nil {
		return nil, err
	}
	g := &guess{typ: t, res: res, columns: map[int]string{}, conf: map[int]float64{}, evidence: map[int]string{}}
	placed := map[string]bool{}
	open := map[int]bool{}
	for i, c := range res.Columns {
		switch {
		case c.Withheld:
			g.conf[i], g.evidence[i] = 1, "known personal-data column: withheld"
			if c.Via == "profile" {
				g.evidence[i] = "personal data in the standard's field list: withheld"
			}
		case c.Key != "":
			placed[c.Key] = true
			g.conf[i], g.evidence[i] = 1, resolvedWhy(c, res.Profile)
			if c.Key != SubjectKind {
				g.score += 1
			}
		case c.Via != "":
			g.conf[i], g.evidence[i] = 1, resolvedWhy(c, res.Profile)
		case strings.TrimSpace(c.Header) != "":
			open[i] = true
		}
	}
	type cand struct {
		col   int
		key   string
		score float64
		why   string
	}
	var cands []cand
	schema := index.SchemaOf(t)
	for i := range open {
		st := stats[i]
		if st.n > 0 && float64(st.person)/float64(st.n) >= 0.3 {
			cands = append(cands, cand{i, Withhold, 0.5 + 0.5*float64(st.person)/float64(st.n),
				fmt.Sprintf("%d of %d values are ID or mobile numbers of natural persons: withheld", st.person, st.n)})
			continue
		}
		if st.n > 0 && float64(st.subject)/float64(st.n) >= 0.5 {
			cands = append(cands, cand{i, SubjectKind, 0.9, "values are 行政相对人类别 (自然人 rows are withheld)"})
		}
		for fi := range schema.Fields {
			f := &schema.Fields[fi]
			if placed[f.Key] {
				continue
			}
			h, hwhy := headerScore(header[i], f, t)
			c, cwhy := contentScore(st, f, t)
			c = max(c, fillHint(st, f, t))
			s := 1 - (1-h)*(1-c)
			if s < 0.35 {
				continue
			}
			why := strings.Trim(strings.Join([]string{hwhy, cwhy}, "; "), "; ")
			cands = append(cands, cand{i, f.Key, math.Round(s*100) / 100, why})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if cands[a].score != cands[b].score {
			return cands[a].score > cands[b].score
		}
		return cands[a].col < cands[b].col
	})
	for _, c := range cands {
		if !open[c.col] || c.key != Withhold && placed[c.key] {
			continue
		}
		open[c.col] = false
		if c.key != Withhold {
			placed[c.key] = true
		}
		g.columns[c.col], g.conf[c.col], g.evidence[c.col] = c.key, c.score, c.why
		if c.key != Withhold && c.key != SubjectKind {
			g.score += c.score
		}
	}
	for i := range open {
		if open[i] {
			g.columns[i], g.conf[i], g.evidence[i] = Ignore, 0, "no field fits its header or values"
		}
	}
	for _, f := range schema.Fields {
		if !f.Required {
			continue
		}
		if placed[f.Key] {
			g.score += 1
		} else {
			g.missing = append(g.missing, f.Key)
			g.score -= 1.5
		}
	}
	return g, nil
}

func resolvedWhy(c Column, p *Profile) string {
	switch c.Via {
	case "profile":
		return "field of " + p.Source
	case "mapping":
		return "given mapping"
	case "personal data":
		return "known personal-data column: withheld"
	}
	return "standard name or alias of the field"
}

// blacklistWords are in the grounds for the serious-illegal-and-dishonest list (three years
// on the abnormal list, false materials, pyramid selling …) and in none of the abnormal list's.
var blacklistWords = []string{"严重违法", "失信", "届满3年", "届满三年", "传销", "虚假材料", "欺诈", "撤销登记", "冒用"}

// listHint tells the abnormal-operation list from the blacklist, which share their columns:
// by the file's name, else by the listing reasons.
func listHint(name string, rows [][]string, g *guess) index.RecordType {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "abnormal") || strings.Contains(n, "异常"):
		return index.TypeAbnormal
	case strings.Contains(n, "black") || strings.Contains(n, "失信") || strings.Contains(n, "严重违法"):
		return index.TypeBlacklist
	}
	reason := g.res.primary("reason")
	for i, k := range g.columns {
		if k == "reason" {
			reason = i
		}
	}
	if reason >= 0 {
		for _, r := range rows {
			if reason < len(r) && hasAny(r[reason], blacklistWords) {
				return index.TypeBlacklist
			}
		}
	}
	return index.TypeAbnormal
}

// file writes the guess as a ready-to-edit mapping file.
func (g *guess) file(rowsRead int, name string) *File {
	f := &File{Type: g.typ, Spec: Spec{Columns: map[string]string{}}}
	p := &Proposal{RowsRead: rowsRead, Confidence: map[string]float64{}, Evidence: map[string]string{},
		Unplaced: []string{}, Keys: map[string]string{}}
	if g.res.Profile != nil {
		p.Profile = g.res.Profile.Name
	}
	for i, c := range g.res.Columns {
		h := c.Header
		if strings.TrimSpace(h) == "" {
			continue
		}
		f.order = append(f.order, h)
		p.Confidence[h], p.Evidence[h] = g.conf[i], g.evidence[i]
		if k, ok := g.columns[i]; ok {
			f.Columns[h] = k
			if k == Ignore {
				p.Unplaced = append(p.Unplaced, h)
			}
			continue
		}
		if p.Resolved == nil {
			p.Resolved = map[string]string{}
		}
		switch {
		case c.Withheld:
			p.Resolved[h] = Withhold
		case c.Key != "":
			p.Resolved[h] = c.Key
		default:
			p.Resolved[h] = Ignore
		}
	}
	for _, fl := range index.SchemaOf(g.typ).Fields {
		p.Keys[fl.Key] = fl.Label
	}
	for _, k := range g.missing {
		p.MissingRequired = append(p.MissingRequired, k+" ("+index.SchemaOf(g.typ).Field(k).Label+")")
	}
	note := fmt.Sprintf("Proposed by gongshi check from the headers and %d rows of %s. Check each column "+
		"(confidence and evidence below), change what is wrong, then import with: gongshi import --columns THIS_FILE %s",
		rowsRead, name, name)
	if g.typ.IsList() {
		note += fmt.Sprintf(`. The abnormal-operation list and the blacklist share their columns: type %q was chosen by the file's name or its reasons; correct it if needed`, g.typ)
	}
	if len(g.missing) > 0 {
		note += ". Required fields without a column (map one to each): " + strings.Join(p.MissingRequired, ", ")
	}
	p.Note = note
	f.Proposal = p
	return f
}
