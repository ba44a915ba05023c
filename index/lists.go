package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/gongshi/gongshi/index/region"
)

// Lists are the public lists by their URL name, with the record type each holds.
var Lists = []struct {
	Name  string
	Type  RecordType
	Label string
}{
	{"blacklist", TypeBlacklist, "严重违法失信名单"},
	{"abnormal", TypeAbnormal, "经营异常名录"},
	{"dishonest-debtors", TypeDishonestDebtor, "失信被执行人"},
	{"penalties", TypePenalty, "行政处罚"},
	{"licenses", TypeLicense, "行政许可"},
	{"spot-checks", TypeSpotCheck, "抽查检查结果"},
	{"redlist", TypeRedlist, "守信红名单"},
}

// ListType returns the record type of a list name, or "".
func ListType(name string) RecordType {
	for _, l := range Lists {
		if l.Name == name {
			return l.Type
		}
	}
	return ""
}

// ListName returns the URL name of a record type's list, or "".
func ListName(t RecordType) string {
	for _, l := range Lists {
		if l.Type == t {
			return l.Name
		}
	}
	return ""
}

// ListRequest browses one list, newest first.
type ListRequest struct {
	Type      RecordType
	Region    string // 2, 4 or 6 digits
	Year      string // YYYY
	Authority string // exact
	Name      string // fragment of the subject's name
	State     string // "current" (listed, not removed) | "removed" | ""
	Size      int
	Cursor    string
	Today     string
	Facets    bool
}

// ListResponse is a page of a list.
type ListResponse struct {
	Total      uint64                  `json:"total"`
	TookMS     float64                 `json:"took_ms"`
	Records    []*Record               `json:"records"`
	Facets     map[string][]FacetValue `json:"facets,omitempty"`
	NextCursor string                  `json:"next_cursor,omitempty"`
}

// listSort is the order of a list, as a cursor holds its place: date descending, then id.
var listSort = []string{"-" + FieldDate, "_id"}

// List returns a page of a list. Only records public on the day are listed.
func (s *Searcher) List(ctx context.Context, r ListRequest) (*ListResponse, error) {
	start := time.Now()
	if !r.Type.Valid() || r.Type == TypeEntity {
		return nil, badRequest("bad_list", "没有这个名单。", "unknown list")
	}
	if r.Size <= 0 {
		r.Size = DefaultPageSize
	}
	if r.Size > MaxPageSize {
		r.Size = MaxPageSize
	}
	f, err := r.filter(s.today(r.Today))
	if err != nil {
		return nil, err
	}
	var after []string
	if r.Cursor != "" {
		if after, err = decodeListCursor(r.Cursor); err != nil {
			return nil, err
		}
	}
	g := s.Live.Acquire()
	if g == nil {
		return nil, ErrNotReady
	}
	defer g.Release()
	t := g.lists.byType[r.Type]
	var hidden []uint32
	if s.Overlay != nil && t != nil {
		ids, err := s.Overlay.Hidden(ctx)
		if err != nil {
			return nil, err
		}
		for id := range ids {
			if n, ok := t.rowOf(id); ok {
				hidden = append(hidden, n)
			}
		}
		slices.Sort(hidden)
	}
	from := uint32(0)
	if after != nil && t != nil {
		from = t.after(after[0], after[1])
	}
	page := g.lists.page(t, f, from, hidden, r.Size, r.Facets && r.Cursor == "")
	ids := make([]string, len(page.rows))
	for i, n := range page.rows {
		ids[i] = t.id(n)
	}
	recs, err := g.Docs.Records(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]*Record, len(recs))
	for _, rec := range recs {
		byID[rec.ID] = rec
	}
	out := &ListResponse{Total: uint64(page.total), Records: []*Record{}, Facets: page.facets}
	for _, id := range ids {
		if rec := byID[id]; rec != nil {
			out.Records = append(out.Records, rec)
		}
	}
	if out.Records, err = ApplyOverlay(ctx, out.Records, s.Overlay); err != nil {
		return nil, err
	}
	if page.more {
		last := page.rows[len(page.rows)-1]
		out.NextCursor = encodeListCursor([]string{t.dateOf(last), t.id(last)})
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// filter checks a list request's filters; a value that cannot be one is a 400.
func (r *ListRequest) filter(today string) (*listFilter, error) {
	f := &listFilter{today: uint32(DayNumber(today))}
	if reg := strings.TrimSpace(r.Region); reg != "" {
		// The region box means what it means in a search: SearchRequest.filters reads it.
		sr := SearchRequest{Region: reg}
		rf, err := sr.filters(today)
		if err != nil {
			return nil, err
		}
		tq, ok := rf[len(rf)-1].(*query.TermQuery)
		if !ok {
			return nil, fmt.Errorf("region %q: unexpected filter %T", reg, rf[len(rf)-1])
		}
		switch want := tq.Term; tq.FieldVal {
		case FieldProvince:
			f.region = func(code string) bool { return region.Province(code) == want }
		case FieldCity:
			f.region = func(code string) bool { return region.City(code) == want }
		case FieldRegion:
			f.region = func(code string) bool { return code == want }
		default:
			return nil, fmt.Errorf("region %q: unexpected filter on %s", reg, tq.FieldVal)
		}
	}
	if y := strings.TrimSpace(r.Year); y != "" {
		if len(y) != 4 || !allDigits(y) {
			return nil, badRequest("bad_year", "年份应为4位数字。", "year must be YYYY")
		}
		f.year = y
	}
	if a := strings.TrimSpace(r.Authority); a != "" {
		if len([]rune(a)) > 100 {
			return nil, badRequest("bad_authority", "机关名称太长。", "authority too long")
		}
		f.authority = a
	}
	switch r.State {
	case "":
	case "current":
		f.state = stateCurrent
	case "removed":
		f.state = stateRemoved
	default:
		return nil, badRequest("bad_state", "状态只能是 current（当前列入）或 removed（已移出）。", "state must be current or removed")
	}
	words, code, err := listNameWords(r.Name)
	if err != nil {
		return nil, err
	}
	f.code = code
	for _, w := range words {
		f.needles = append(f.needles, lettersDigits(w))
	}
	return f, nil
}

// listNameWords reads a list's name box as fragmentQuery reads a name: folded words that
// must all be in the subject's name, or, for a code, the subject's entity code. Latin
// letters are looked for in the name as written (a list has no pinyin to match).
func listNameWords(name string) (words []string, code string, err error) {
	n := strings.TrimSpace(name)
	if n == "" {
		return nil, "", nil
	}
	pq, err := ParseQuery(n)
	if err != nil {
		return nil, "", badRequest("query_too_long", "名称太长。", err.Error())
	}
	switch pq.Class {
	case ClassCode, ClassBadCode:
		return nil, pq.Code, nil
	case ClassPinyin, ClassInitials:
		return strings.Fields(SearchText(pq.Raw)), "", nil
	}
	return pq.Words, "", nil
}

func encodeListCursor(after []string) string {
	b, _ := json.Marshal(after)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeListCursor(s string) ([]string, error) {
	bad := badRequest("bad_cursor", "翻页参数无效，请从第一页重新浏览。", "cursor is invalid")
	if len(s) > 512 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var after []string
	if json.Unmarshal(b, &after) != nil || len(after) != len(listSort) || len(after[0]) > 10 || len(after[1]) > 64 {
		return nil, bad
	}
	return after, nil
}
