package index

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
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
	today := s.today(r.Today)
	fs := []query.Query{termQ(KindRecord, FieldKind, 0), termQ(string(r.Type), FieldType, 0)}
	min := DayNumber(today)
	until := bleve.NewNumericRangeQuery(&min, nil)
	until.SetField(FieldUntil)
	fs = append(fs, until)
	if reg := strings.TrimSpace(r.Region); reg != "" {
		sr := SearchRequest{Region: reg}
		rf, err := sr.filters(today)
		if err != nil {
			return nil, err
		}
		fs = append(fs, rf[1:]...) // without the entity-kind filter
	}
	if y := strings.TrimSpace(r.Year); y != "" {
		if len(y) != 4 || !allDigits(y) {
			return nil, badRequest("bad_year", "年份应为4位数字。", "year must be YYYY")
		}
		fs = append(fs, termQ(y, FieldYear, 0))
	}
	if a := strings.TrimSpace(r.Authority); a != "" {
		if len([]rune(a)) > 100 {
			return nil, badRequest("bad_authority", "机关名称太长。", "authority too long")
		}
		fs = append(fs, termQ(a, FieldAuthority, 0))
	}
	switch r.State {
	case "":
	case "current":
		fs = append(fs, termQ("1", FieldListed, 0))
	case "removed":
		fs = append(fs, termQ("0", FieldListed, 0))
	default:
		return nil, badRequest("bad_state", "状态只能是 current（当前列入）或 removed（已移出）。", "state must be current or removed")
	}
	if n := strings.TrimSpace(r.Name); n != "" {
		pq, err := ParseQuery(n)
		if err != nil {
			return nil, badRequest("query_too_long", "名称太长。", err.Error())
		}
		for _, w := range pq.Words {
			fs = append(fs, fragmentQuery(w, FieldName))
		}
		if pq.Class == ClassCode || pq.Class == ClassBadCode {
			fs = append(fs, termQ(pq.Code, FieldEntityCode, 0))
		}
	}
	g := s.Live.Acquire()
	if g == nil {
		return nil, ErrNotReady
	}
	defer g.Release()

	var q query.Query = bleve.NewConjunctionQuery(fs...)
	if s.Overlay != nil {
		hidden, err := s.Overlay.Hidden(ctx)
		if err != nil {
			return nil, err
		}
		if len(hidden) > 0 {
			ids := make([]string, 0, len(hidden))
			for id := range hidden {
				ids = append(ids, id)
			}
			b := bleve.NewBooleanQuery()
			b.AddMust(q)
			b.AddMustNot(bleve.NewDocIDQuery(ids))
			q = b
		}
	}
	req := bleve.NewSearchRequestOptions(q, r.Size, 0, false)
	req.Score = bleve.ScoreNone
	req.SortBy(listSort)
	if r.Cursor != "" {
		after, err := decodeListCursor(r.Cursor)
		if err != nil {
			return nil, err
		}
		req.SetSearchAfter(after)
	} else if r.Facets {
		req.AddFacet("year", bleve.NewFacetRequest(FieldYear, 12))
		req.AddFacet("region", bleve.NewFacetRequest(FieldProvince, 40))
		req.AddFacet("authority", bleve.NewFacetRequest(FieldAuthority, 15))
		req.AddFacet("state", bleve.NewFacetRequest(FieldListed, 2))
	}
	sctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	res, err := g.Alias.SearchInContext(sctx, req)
	if err != nil {
		return nil, searchError(err)
	}
	ids := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		ids[i] = h.ID
	}
	recs, err := g.Docs.Records(ctx, ids)
	if err != nil {
		return nil, err
	}
	byID := map[string]*Record{}
	for _, rec := range recs {
		byID[rec.ID] = rec
	}
	out := &ListResponse{Total: res.Total, Records: []*Record{}}
	for _, id := range ids {
		if rec := byID[id]; rec != nil {
			out.Records = append(out.Records, rec)
		}
	}
	if out.Records, err = ApplyOverlay(ctx, out.Records, s.Overlay); err != nil {
		return nil, err
	}
	if len(res.Hits) == r.Size && uint64(r.Size) < res.Total {
		out.NextCursor = encodeListCursor(res.Hits[len(res.Hits)-1].Sort)
	}
	if res.Facets != nil {
		out.Facets = listFacets(res.Facets)
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
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

func listFacets(fr search.FacetResults) map[string][]FacetValue {
	out := map[string][]FacetValue{}
	for name, f := range fr {
		if f.Terms == nil {
			continue
		}
		for _, t := range f.Terms.Terms() {
			v, label := t.Term, t.Term
			switch name {
			case "region":
				label = region.Name(v)
			case "state":
				v = map[string]string{"1": "current", "0": "removed"}[t.Term]
				label = map[string]string{"current": "当前列入", "removed": "已移出"}[v]
			}
			out[name] = append(out[name], FacetValue{Value: v, Label: label, Count: t.Count})
		}
		if name == "year" {
			sort.Slice(out[name], func(i, j int) bool { return out[name][i].Value > out[name][j].Value })
		}
	}
	return out
}
