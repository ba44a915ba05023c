package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/gongshi/gongshi/index/region"
)

// bleveList answers a list request through Bleve, as lists were answered before listTables:
// the reference the list engine is checked against. It differs from that old path only where
// the old path was wrong: a fragment of three or more characters is a phrase query (the old
// check read name_key doc values, which record documents lack, and found nothing), the facets
// are exact and without the empty bucket of records that lack a value (each shard used to
// cut its terms to the facet's size before the merge), and a full last page has no cursor.
func bleveList(ctx context.Context, s *Searcher, r ListRequest) (*ListResponse, error) {
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
		fs = append(fs, rf[1:]...)
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
	words, code, err := listNameWords(r.Name)
	if err != nil {
		return nil, err
	}
	for _, w := range words {
		if utf8.RuneCountInString(lettersDigits(w)) >= 3 {
			fs = append(fs, phraseOf(w, FieldName))
		} else {
			fs = append(fs, fragmentQuery(w, FieldName))
		}
	}
	if code != "" {
		fs = append(fs, termQ(code, FieldEntityCode, 0))
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
	req := bleve.NewSearchRequestOptions(q, r.Size+1, 0, false)
	req.Score = bleve.ScoreNone
	req.SortBy(listSort)
	if r.Cursor != "" {
		after, err := decodeListCursor(r.Cursor)
		if err != nil {
			return nil, err
		}
		req.SetSearchAfter(after)
	} else if r.Facets {
		for name, field := range map[string]string{"year": FieldYear, "region": FieldProvince, "authority": FieldAuthority, "state": FieldListed} {
			req.AddFacet(name, bleve.NewFacetRequest(field, 1<<16))
		}
	}
	res, err := g.Alias.SearchInContext(ctx, req)
	if err != nil {
		return nil, err
	}
	hits := res.Hits
	if len(hits) > r.Size {
		hits = hits[:r.Size]
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
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
	if len(res.Hits) > r.Size {
		out.NextCursor = encodeListCursor(hits[len(hits)-1].Sort)
	}
	if res.Facets != nil {
		out.Facets = bleveListFacets(res.Facets)
	}
	return out, nil
}

// bleveListFacets cuts Bleve's complete term counts as the list page shows them.
func bleveListFacets(fr search.FacetResults) map[string][]FacetValue {
	sizes := map[string]int{"year": listYearFacet, "region": listRegionFacet, "authority": listAuthorityFacet, "state": 2}
	out := map[string][]FacetValue{}
	for name, f := range fr {
		if f.Terms == nil {
			continue
		}
		terms := slices.DeleteFunc(slices.Clone(f.Terms.Terms()), func(t *search.TermFacet) bool { return t.Term == "" })
		sort.SliceStable(terms, func(i, j int) bool {
			if terms[i].Count != terms[j].Count {
				return terms[i].Count > terms[j].Count
			}
			return terms[i].Term < terms[j].Term
		})
		for _, t := range terms[:min(len(terms), sizes[name])] {
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

type listOverlay struct{ hidden map[string]string }

func (o listOverlay) Hidden(context.Context) (map[string]string, error) { return o.hidden, nil }
func (listOverlay) Corrected(context.Context) (map[string]map[string]string, error) {
	return nil, nil
}
func (listOverlay) Pending(context.Context) (map[string]string, error) { return nil, nil }

// TestListMatchesBleve runs list requests of every type, filter and combination through
// the list engine and through Bleve, page after page, and requires the same records in the
// same order, the same totals, facets and cursors.
func TestListMatchesBleve(t *testing.T) {
	s, c := listSearcher(t, 400)
	ctx := context.Background()
	// A record hidden by a decision in every list, and one id of no record.
	hidden := map[string]string{"penalty-0000000000000000": "撤销"}
	for _, typ := range listTypes {
		ids := c.byType[typ]
		if len(ids) < 30 {
			t.Fatalf("only %d records of %s", len(ids), typ)
		}
		hidden[ids[3]] = "撤销"
		hidden[ids[17]] = "信用修复"
	}
	s.Overlay = listOverlay{hidden}

	// Names the corpus holds in simplified, traditional, full-width and Latin spellings.
	names := []string{"华", "華", "威", "华威", "華威", "长江", "長江物流", "新材料", "材料科技", "ａｂｃ", "ABC", "abc", "c3", "3d", "３Ｄ打印",
		"c有", "福州 华威", "华为 技术", "有限公司", "（原）", "无登记", "乾博市政", "xiamen", "hw", "（）", "华威福建", "绿源小吃店",
		c.codes[0], c.codes[1], c.orphan, c.codes[2][:17] + "0", c.codes[3][:10]}
	filters := []ListRequest{{}, {Facets: true}, {Today: "2025-06-01", Facets: true}, {Today: "2026-11-23"}}
	for _, reg := range []string{"35", "3501", "350102", "350000", "350100", "350203", "50", "990101", "12"} {
		filters = append(filters, ListRequest{Region: reg, Facets: true})
	}
	for _, y := range []string{"2024", "2019", "2026", "2030"} {
		filters = append(filters, ListRequest{Year: y, Facets: true})
	}
	for _, a := range []string{listAuthorities[1], listAuthorities[7], " " + listAuthorities[3] + " ", "不存在的机关"} {
		filters = append(filters, ListRequest{Authority: a, Facets: true})
	}
	for _, st := range []string{"current", "removed"} {
		filters = append(filters, ListRequest{State: st, Facets: true}, ListRequest{State: st, Name: "华威"}, ListRequest{State: st, Region: "3501", Year: "2024"})
	}
	for _, n := range names {
		filters = append(filters, ListRequest{Name: n, Facets: true})
	}
	filters = append(filters,
		ListRequest{Region: "35", Year: "2025", Facets: true},
		ListRequest{Region: "350102", Name: "华威", Facets: true},
		ListRequest{Authority: listAuthorities[1], Year: "2024", Region: "35", Facets: true},
		ListRequest{Name: "华", Year: "2021", Authority: listAuthorities[2]},
		ListRequest{Name: c.codes[5], State: "current", Year: "2024"},
		ListRequest{Name: "有限公司", Region: "50", State: "removed", Today: "2024-01-01", Facets: true},
	)
	var requests int
	for _, typ := range listTypes {
		for _, f := range filters {
			for _, size := range []int{7, 50} {
				r := f
				r.Type, r.Size = typ, size
				requests += compareListPages(t, s, r)
			}
		}
	}
	// Requests the list refuses, both ways with the same reason.
	for _, r := range []ListRequest{{Type: "x"}, {Type: TypeEntity}, {Type: TypeBlacklist, Region: "3"}, {Type: TypeBlacklist, Region: "35010"},
		{Type: TypeBlacklist, Region: "abc"}, {Type: TypeBlacklist, Year: "20x4"}, {Type: TypeBlacklist, Year: "202"}, {Type: TypeBlacklist, State: "x"},
		{Type: TypeBlacklist, Name: strings.Repeat("华", 101)}, {Type: TypeBlacklist, Authority: strings.Repeat("局", 101)},
		{Type: TypeBlacklist, Cursor: "??"}, {Type: TypeBlacklist, Cursor: encodeListCursor([]string{"2025-01-01"})},
		{Type: TypeBlacklist, Cursor: encodeListCursor([]string{"2025-01-011", "x"})}} {
		_, err := s.List(ctx, r)
		_, want := bleveList(ctx, s, r)
		var got, exp *BadRequestError
		if !errors.As(err, &got) || !errors.As(want, &exp) || got.Code != exp.Code || got.Message != exp.Message {
			t.Errorf("%+v: %v, Bleve %v", r, err, want)
		}
	}
	// Cursors a client made up still find their place between records.
	for _, after := range [][]string{{"2024-06-30", ""}, {"2024-06-30", "penalty-8"}, {"2024-06-30", "zzz"}, {"2024-06-30", "a"},
		{"2024-05-01", "x"}, {"9999-12-31", ""}, {"", ""}, {"2026-11-22", c.byType[TypePenalty][0]}} {
		requests += compareListPages(t, s, ListRequest{Type: TypePenalty, Size: 20, Cursor: encodeListCursor(after)})
	}
	t.Logf("%d pages compared", requests)

	// The comparisons are not all of empty lists: fragments of three and more characters
	// find their names, an entry public until yesterday is gone while one public until
	// today is listed, and a hidden record is not.
	for _, n := range []string{"新材料", "長江物流", "３Ｄ打印", "华威福建", "abc"} {
		total := uint64(0)
		for _, typ := range listTypes {
			res, err := s.List(ctx, ListRequest{Type: typ, Name: n})
			if err != nil {
				t.Fatal(err)
			}
			total += res.Total
		}
		if total == 0 {
			t.Errorf("%q: nothing listed", n)
		}
	}
	g := s.Live.Acquire()
	defer g.Release()
	for until, want := range map[string]bool{"2026-11-21": false, "2026-11-22": true} {
		var id, code string
		if err := g.Docs.db.QueryRow(`SELECT id, entity_code FROM records WHERE json_extract(doc, '$.public_until') = ? LIMIT 1`, until).Scan(&id, &code); err != nil {
			t.Fatal(err)
		}
		res, err := s.List(ctx, ListRequest{Type: RecordTypeOfID(id), Name: code, Size: 50})
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(recordIDs(res.Records), id); got != want {
			t.Errorf("record public until %s listed: %v", until, got)
		}
	}
	for id := range hidden {
		if typ := RecordTypeOfID(id); typ != "" {
			for _, n := range []string{"", "有限公司"} {
				res, err := s.List(ctx, ListRequest{Type: typ, Name: n, Size: 50, Today: "2000-01-01"})
				if err != nil {
					t.Fatal(err)
				}
				for res.NextCursor != "" && !slices.Contains(recordIDs(res.Records), id) {
					if res, err = s.List(ctx, ListRequest{Type: typ, Name: n, Size: 50, Today: "2000-01-01", Cursor: res.NextCursor}); err != nil {
						t.Fatal(err)
					}
				}
				if slices.Contains(recordIDs(res.Records), id) {
					t.Errorf("hidden %s listed", id)
				}
			}
		}
	}
}

// compareListPages fails unless the engine and Bleve answer r alike, and the pages their
// cursors lead to, to the end of the list; it returns the number of pages compared.
func compareListPages(t *testing.T, s *Searcher, r ListRequest) int {
	t.Helper()
	ctx := context.Background()
	for page := 1; ; page++ {
		got, err := s.List(ctx, r)
		if err != nil {
			t.Fatalf("%+v: %v", r, err)
		}
		want, err := bleveList(ctx, s, r)
		if err != nil {
			t.Fatalf("%+v: Bleve: %v", r, err)
		}
		what := fmt.Sprintf("%s %+v page %d", r.Type, r, page)
		if g, w := recordIDs(got.Records), recordIDs(want.Records); !slices.Equal(g, w) {
			t.Fatalf("%s: records\n%v\nBleve\n%v", what, g, w)
		}
		if got.Total != want.Total {
			t.Fatalf("%s: total %d, Bleve %d", what, got.Total, want.Total)
		}
		if len(got.Facets)+len(want.Facets) > 0 && !equalFacets(got.Facets, want.Facets) {
			t.Fatalf("%s: facets\n%v\nBleve\n%v", what, got.Facets, want.Facets)
		}
		if got.NextCursor != want.NextCursor {
			t.Fatalf("%s: cursor %q, Bleve %q", what, got.NextCursor, want.NextCursor)
		}
		for _, rec := range got.Records {
			if s.Overlay != nil {
				if h, _ := s.Overlay.Hidden(ctx); h[rec.ID] != "" {
					t.Fatalf("%s: hidden record %s listed", what, rec.ID)
				}
			}
		}
		if got.NextCursor == "" {
			return page
		}
		if page > 200 {
			t.Fatalf("%s: no end", what)
		}
		r.Cursor = got.NextCursor
	}
}

func recordIDs(recs []*Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
	}
	return out
}

func equalFacets(a, b map[string][]FacetValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}
