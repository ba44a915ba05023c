package index

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/gongshi/gongshi/index/uscc"
)

// code makes a valid USCC from 17 characters.
func code(t testing.TB, first17 string) string {
	c, err := uscc.CheckChar(first17)
	if err != nil {
		t.Fatalf("CheckChar(%s): %v", first17, err)
	}
	return first17 + string(c)
}

type corpusEntity struct {
	first17, name, status string
	former                []string
	recs                  []*Record
}

// buildCorpus writes a tiny generation through the same doc store and shard build the importer uses.
func buildCorpus(t testing.TB, ents []corpusEntity) (*Searcher, map[string]string) {
	t.Helper()
	return buildCorpusIn(t, t.TempDir(), ents)
}

// buildCorpusIn builds a generation of ents in dir and serves it.
func buildCorpusIn(t testing.TB, dir string, ents []corpusEntity) (*Searcher, map[string]string) {
	t.Helper()
	codes := map[string]string{}
	writeDocStore(t, dir, func(w *DocWriter) {
		putCorpus(t, w, ents, codes)
	})
	return buildAndServe(t, dir, "test"), codes
}

// buildAndServe builds two shards from the doc store in dir as generation id and returns a
// searcher serving it, its today 2026-11-22.
func buildAndServe(t testing.TB, dir, id string) *Searcher {
	t.Helper()
	ne, nr, err := BuildShards(context.Background(), dir, BuildOptions{Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteInfo(dir, GenerationInfo{ID: id, Shards: 2, Entities: ne, Records: nr}); err != nil {
		t.Fatal(err)
	}
	g, err := OpenGeneration(dir)
	if err != nil {
		t.Fatal(err)
	}
	live := &Live{}
	live.Swap(g)
	t.Cleanup(live.Close)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, ChinaTime)
	return &Searcher{Live: live, Now: func() time.Time { return now }}
}

// writeDocStore writes a complete document store in dir: put fills it in one transaction.
func writeDocStore(t testing.TB, dir string, put func(w *DocWriter)) {
	t.Helper()
	docs, err := OpenDocStore(DocStorePath(dir), false)
	if err != nil {
		t.Fatal(err)
	}
	w, err := docs.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	put(w)
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := docs.FinishBuild(); err != nil {
		t.Fatal(err)
	}
	docs.Close()
}

func putCorpus(t testing.TB, w *DocWriter, ents []corpusEntity, codes map[string]string) {
	t.Helper()
	for _, ce := range ents {
		c := code(t, ce.first17)
		codes[ce.name] = c
		e := &Entity{Code: c, Name: ce.name, Status: ce.status, Region: uscc.Region(c), FormerNames: ce.former, Fields: map[string]string{}}
		if err := w.PutEntity(e); err != nil {
			t.Fatal(err)
		}
		for _, r := range ce.recs {
			r.EntityCode, r.EntityName = c, ce.name
			r.ID = RecordID(r.Type, c, r.Date)
			if err := w.PutRecord(r); err != nil {
				t.Fatal(err)
			}
		}
	}
}

var corpus = []corpusEntity{
	{first17: "91350102MA2XYW015", name: "福州华为技术有限公司", status: "存续"},
	{first17: "91350102MA2XYW016", name: "华为技术有限公司", status: "存续"},
	{first17: "91350102MA2XYW017", name: "华为", status: "注销"},
	{first17: "91350102MA2XYW018", name: "深圳华为通信技术有限公司", status: "存续"},
	{first17: "91350102MA2XYW019", name: "福州华为科技有限公司", status: "注销"},
	{first17: "91350102MA2XYW01A", name: "华威（福建）新材料科技有限公司", status: "存续", former: []string{"福州华威建材有限公司"},
		recs: []*Record{{Type: TypeBlacklist, Date: "2025-01-01"}, {Type: TypePenalty, Date: "2024-01-01", PublicUntil: "2027-01-01"}}},
	{first17: "91500000MA5UKT77Q", name: "重庆长江物流有限公司", status: "存续",
		recs: []*Record{{Type: TypePenalty, Date: "2020-01-01", PublicUntil: "2023-01-01"}}},
	{first17: "91350200260130346", name: "厦门银行股份有限公司", status: "存续"},
	{first17: "92350103MA8ABC123", name: "鼓楼区绿源小吃店", status: "存续"},
	{first17: "91110000MA0ABC123", name: "ABC3D打印科技有限公司", status: "在业"},
	{first17: "91350200776049653", name: "厦门安泰贸易有限公司", status: "存续"},
	{first17: "91650100MA7QB0012", name: "新疆乾博市政工程有限公司", status: "存续"},
	{first17: "91610100MA6TG0013", name: "志博（陕西）食品有限公司", status: "存续"},
	{first17: "91610100MA6TG0014", name: "宏志百货有限公司", status: "存续"},
	{first17: "91350100MA3ABC015", name: "福建建材贸易有限公司", status: "存续"},
}

func names(res *SearchResponse) []string {
	var out []string
	for _, h := range res.Results {
		out = append(out, h.Name)
	}
	return out
}

func TestSearchFindsWhatPeopleType(t *testing.T) {
	s, codes := buildCorpus(t, corpus)
	ctx := context.Background()
	for _, tc := range []struct {
		q, first string
		class    QueryClass
	}{
		{"华为技术有限公司", "华为技术有限公司", ClassName}, // exact full name first
		{"華為技術有限公司", "华为技术有限公司", ClassName}, // traditional
		{"华为", "华为", ClassName},             // exact short name beats longer ones
		{"华威(福建)新材料", "华威（福建）新材料科技有限公司", ClassName},
		{"华威福建新材料", "华威（福建）新材料科技有限公司", ClassName}, // without brackets
		{"华威（福建）", "华威（福建）新材料科技有限公司", ClassName},
		{"福州华威建材", "华威（福建）新材料科技有限公司", ClassName}, // former name
		{"绿", "鼓楼区绿源小吃店", ClassName},             // one character
		{"ＡＢＣ３Ｄ", "ABC3D打印科技有限公司", ClassName},    // full-width
		{"chongqing", "重庆长江物流有限公司", ClassPinyin}, // polyphone 重
		{"xiamenyinhang", "厦门银行股份有限公司", ClassPinyin},
		{"xia men yin hang", "厦门银行股份有限公司", ClassPinyin},
		{"cqcj", "重庆长江物流有限公司", ClassInitials},
		{strings.ToLower(codes["厦门安泰贸易有限公司"]), "厦门安泰贸易有限公司", ClassCode},
		{"91350200-776049653A", "厦门安泰贸易有限公司", ClassCode},
		{"776049653", "厦门安泰贸易有限公司", ClassCode}, // embedded organisation code
		{"c3d打", "ABC3D打印科技有限公司", ClassName},   // a fragment cutting into a Latin run
		{"3d", "ABC3D打印科技有限公司", ClassName},
		{"乾博", "新疆乾博市政工程有限公司", ClassName}, // 乾 is not folded to 干
		{"xinjiangqianbo", "新疆乾博市政工程有限公司", ClassPinyin},
		{"zhibo", "志博（陕西）食品有限公司", ClassPinyin}, // starts-with beats 宏志百(bo)货
		{"建材", "福建建材贸易有限公司", ClassName},        // current name before a former name
	} {
		res, err := s.Search(ctx, SearchRequest{Query: tc.q})
		if err != nil {
			t.Errorf("%q: %v", tc.q, err)
			continue
		}
		if res.Class != tc.class {
			t.Errorf("%q: class %s, want %s", tc.q, res.Class, tc.class)
		}
		if len(res.Results) == 0 || res.Results[0].Name != tc.first {
			t.Errorf("%q: got %v, want %s first", tc.q, names(res), tc.first)
		}
	}
}

func TestRankingOrder(t *testing.T) {
	s, _ := buildCorpus(t, corpus)
	res, err := s.Search(context.Background(), SearchRequest{Query: "华为"})
	if err != nil {
		t.Fatal(err)
	}
	got := names(res)
	// exact name, then prefix matches (active before deregistered), then the rest.
	if len(got) != 5 || got[0] != "华为" || got[1] != "华为技术有限公司" {
		t.Fatalf("order %v", got)
	}
	pos := map[string]int{}
	for i, n := range got {
		pos[n] = i
	}
	if pos["福州华为技术有限公司"] > pos["福州华为科技有限公司"] {
		t.Errorf("active should rank before deregistered at equal relevance: %v", got)
	}
	again, _ := s.Search(context.Background(), SearchRequest{Query: "华为"})
	if strings.Join(names(again), ",") != strings.Join(got, ",") {
		t.Errorf("order not stable: %v vs %v", names(again), got)
	}
}

func TestBadCheckDigitSuggests(t *testing.T) {
	s, codes := buildCorpus(t, corpus)
	good := codes["厦门安泰贸易有限公司"]
	bad := good[:17] + "B"
	res, err := s.Search(context.Background(), SearchRequest{Query: bad})
	if err != nil {
		t.Fatal(err)
	}
	if res.Class != ClassBadCode || res.Hint == nil || res.Hint.Suggestion != good || !strings.Contains(res.Hint.Message, "应为 A") {
		t.Fatalf("hint %+v class %s", res.Hint, res.Class)
	}
	if len(res.Results) == 0 || res.Results[0].Code != good {
		t.Errorf("near match missing: %v", names(res))
	}
}

func TestFiltersFacetsBadgesAndExpiry(t *testing.T) {
	s, _ := buildCorpus(t, corpus)
	ctx := context.Background()
	res, err := s.Search(ctx, SearchRequest{Query: "华威", Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Results) != 1 || strings.Join(res.Results[0].Badges, ",") != "blacklist,penalty" {
		t.Fatalf("badges: %+v", res.Results)
	}
	if res.Results[0].Highlight != "<mark>华威</mark>（福建）新材料科技有限公司" {
		t.Errorf("highlight %q", res.Results[0].Highlight)
	}
	// 重庆长江's penalty ended 2023-01-01: no badge, not found by has=penalty.
	res, _ = s.Search(ctx, SearchRequest{Has: []string{HasPenalty}, Facets: true})
	if len(res.Results) != 1 || res.Results[0].Name != "华威（福建）新材料科技有限公司" {
		t.Errorf("has=penalty: %v", names(res))
	}
	res, _ = s.Search(ctx, SearchRequest{Query: "科技", Status: "inactive"})
	if strings.Join(names(res), ",") != "福州华为科技有限公司" {
		t.Errorf("status=inactive: %v", names(res))
	}
	res, _ = s.Search(ctx, SearchRequest{Region: "50", Facets: true})
	if strings.Join(names(res), ",") != "重庆长江物流有限公司" {
		t.Errorf("region=50: %v", names(res))
	}
	all, _ := s.Search(ctx, SearchRequest{Facets: true})
	var prov []FacetValue = all.Facets["region"]
	if len(prov) < 3 || all.Total != uint64(len(corpus)) {
		t.Errorf("facets %+v total %d", all.Facets, all.Total)
	}
}

func TestCursorPaging(t *testing.T) {
	s, _ := buildCorpus(t, corpus)
	ctx := context.Background()
	seen := map[string]bool{}
	req := SearchRequest{Query: "有限公司", Size: 3}
	for page := 0; page < 10; page++ {
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range res.Results {
			if seen[h.Code] {
				t.Fatalf("page %d repeats %s", page, h.Name)
			}
			seen[h.Code] = true
		}
		if res.NextCursor == "" {
			break
		}
		req.Cursor = res.NextCursor
	}
	if len(seen) != 13 {
		t.Errorf("paged through %d entities, want 13", len(seen))
	}
	// A cursor of another query is refused.
	_, err := s.Search(ctx, SearchRequest{Query: "华为", Size: 3, Cursor: req.Cursor})
	var bre *BadRequestError
	if !errors.As(err, &bre) || bre.Code != "bad_cursor" {
		t.Errorf("foreign cursor: %v", err)
	}
}

func TestHostileInput(t *testing.T) {
	s, _ := buildCorpus(t, corpus)
	ctx := context.Background()
	for _, q := range []string{"/.*/", "*", "name:x", "+-&&||!(){}[]^\"~*?:\\/", "<script>alert(1)</script>", "%00", "' OR 1=1 --", strings.Repeat("华", 100)} {
		if _, err := s.Search(ctx, SearchRequest{Query: q, Facets: true}); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	var bre *BadRequestError
	if _, err := s.Search(ctx, SearchRequest{Query: strings.Repeat("华", 10000)}); !errors.As(err, &bre) || bre.Code != "query_too_long" {
		t.Errorf("10,000 characters: %v", err)
	}
	for _, r := range []SearchRequest{{Region: "abc"}, {Status: "x"}, {EntityType: "x"}, {Has: []string{"x"}}, {Cursor: "!!!"}} {
		if _, err := s.Search(ctx, r); !errors.As(err, &bre) {
			t.Errorf("%+v: %v, want BadRequestError", r, err)
		}
	}
	res, err := s.Search(ctx, SearchRequest{Query: "<script>华为</script>"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Results {
		if strings.Contains(h.Highlight, "<script") {
			t.Errorf("unescaped highlight %q", h.Highlight)
		}
	}
}

func TestSuggest(t *testing.T) {
	s, _ := buildCorpus(t, corpus)
	got, err := s.Suggest(context.Background(), "华为", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) < 3 || got[0].Name != "华为" || got[1].Name != "华为技术有限公司" {
		t.Errorf("suggest: %+v", got)
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"华为", "91350200776049653B", "fzhw", "xi'an", "/.*/", "name:x", "（福建）", "９１３５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseQuery(s)
		if err != nil {
			return
		}
		if p.Class != ClassEmpty {
			_ = p.MatchQuery() // must not panic for any input
		}
		if len(p.Words) > 8 {
			t.Fatalf("%d words", len(p.Words))
		}
	})
}

func TestListsAndStats(t *testing.T) {
	s, _ := buildCorpus(t, corpus)
	ctx := context.Background()
	res, err := s.List(ctx, ListRequest{Type: TypePenalty, Facets: true})
	if err != nil {
		t.Fatal(err)
	}
	// The 2023 penalty has expired; only 华威's is public.
	if res.Total != 1 || res.Records[0].EntityName != "华威（福建）新材料科技有限公司" {
		t.Fatalf("penalties: %+v", res)
	}
	res, err = s.List(ctx, ListRequest{Type: TypeBlacklist, Name: "華威", State: "current"})
	if err != nil || res.Total != 1 {
		t.Fatalf("blacklist by name: %+v %v", res, err)
	}
	var bre *BadRequestError
	for _, r := range []ListRequest{{Type: "x"}, {Type: TypeBlacklist, Year: "20x4"}, {Type: TypeBlacklist, State: "x"}, {Type: TypeBlacklist, Cursor: "??"}} {
		if _, err := s.List(ctx, r); !errors.As(err, &bre) {
			t.Errorf("%+v: %v", r, err)
		}
	}
	g := s.Live.Acquire()
	defer g.Release()
	st, err := g.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records[TypePenalty] != 2 || st.Records[TypeBlacklist] != 1 {
		t.Errorf("stats: %+v", st.Records)
	}
}

// Records carry their entity's name, so a name query matches them too: a search returns the
// entities only, in its total as in its results, through the columns and without them.
func TestSearchReturnsEntitiesOnly(t *testing.T) {
	s, codes := buildCorpus(t, corpus)
	for _, q := range []string{"华威（福建）新材料科技有限公司", "华威", "新材料", "重庆长江", "重庆长江物流有限公司", "huawei", "hw", "chongqingchangjiang"} {
		res, err := s.Search(context.Background(), SearchRequest{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if int(res.Total) != len(res.Results) || len(res.Results) == 0 {
			t.Errorf("%q: total %d, %d results %v", q, res.Total, len(res.Results), names(res))
		}
	}
	g := s.Live.Acquire()
	defer g.Release()
	pq, err := ParseQuery("华威")
	if err != nil {
		t.Fatal(err)
	}
	tq := &tieredQuery{entitiesOnly: true}
	for _, b := range pq.bands() {
		tq.bands = append(tq.bands, b.Query)
	}
	req := bleve.NewSearchRequestOptions(tq, 100, 0, false)
	req.Score = bleve.ScoreNone
	for _, how := range []string{"columns", "kind term"} {
		var res *bleve.SearchResult
		if how == "columns" {
			res, err = g.search(context.Background(), req)
		} else {
			res, err = g.Alias.SearchInContext(context.Background(), req)
		}
		if err != nil {
			t.Fatal(err)
		}
		if got := hitIDs(res); !slices.Equal(got, []string{codes["华威（福建）新材料科技有限公司"]}) {
			t.Errorf("%s: hits %v", how, got)
		}
	}
}
