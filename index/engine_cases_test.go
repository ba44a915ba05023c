package index

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index/fold"
)

// One table of cases runs against three engines (the pattern of Gitea's indexer tests): the
// engine every read goes through (Search, Suggest), the Bleve searchers it replaced, kept as
// the test oracle (bleveSearch, bleveSuggest), and refEngine below, a brute-force reading of
// the document store that knows nothing of bitmaps, columns or Bleve. Each case is a query
// and filters; the engines must agree on the hits in order, their badges, the total, the
// facets and every page a cursor leads to.

// refEngine holds every entity of a generation's document store with what a search reads of
// it, as the build derives it from the entity and its records (newEntityDoc).
type refEngine struct {
	ents []refEntity
}

type refEntity struct {
	e   *Entity
	doc *entityDoc
}

func newRefEngine(t testing.TB, g *Generation) *refEngine {
	t.Helper()
	ref := &refEngine{}
	err := g.Docs.EachEntity(context.Background(), func(e *Entity, recs []*Record) error {
		if e != nil {
			ref.ents = append(ref.ents, refEntity{e, newEntityDoc(e, recs)})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// refRuns are a name's runs of letters and digits as the index pairs them: folded, without
// punctuation, split at spaces. A fragment matches within one run.
func refHolds(name, word string) bool {
	w := lettersDigits(word)
	for _, run := range strings.Fields(SearchText(name)) {
		if strings.Contains(lettersDigits(run), w) {
			return true
		}
	}
	return false
}

func refStartsWith(name, text string) bool {
	runs := strings.Fields(SearchText(name))
	return len(runs) > 0 && strings.HasPrefix(lettersDigits(runs[0]), text)
}

// tier returns the band of a name query that first matches the entity, or -1: its exact name
// or former name, a name starting with the input, a name holding every word, then a former
// name holding the word (one word) or every word in the name or a former name.
func (re refEntity) tier(pq *ParsedQuery) int {
	if pq.Class == ClassEmpty {
		return 0
	}
	e := re.e
	if fold.Key(e.Name) == pq.Key || slices.ContainsFunc(e.FormerNames, func(f string) bool { return fold.Key(f) == pq.Key }) {
		return 0
	}
	if text := lettersDigits(SearchText(pq.Raw)); text != "" && refStartsWith(e.Name, text) {
		return 1
	}
	all := func(ok func(w string) bool) bool {
		for _, w := range pq.Words {
			if !ok(w) {
				return false
			}
		}
		return true
	}
	inFormer := func(w string) bool {
		return slices.ContainsFunc(e.FormerNames, func(f string) bool { return refHolds(f, w) })
	}
	if all(func(w string) bool { return refHolds(e.Name, w) }) {
		return 2
	}
	if all(func(w string) bool { return refHolds(e.Name, w) || inFormer(w) }) {
		return 3
	}
	return -1
}

// passes reports whether the entity passes the request's filters on day (yyyymmdd).
func (re refEntity) passes(r SearchRequest, day float64) bool {
	d := re.doc
	switch reg := r.Region; {
	case reg == "":
	case len(reg) == 2 || len(reg) == 6 && strings.HasSuffix(reg, "0000"):
		if d.Prov != reg[:2]+"0000" {
			return false
		}
	case len(reg) == 4 || len(reg) == 6 && strings.HasSuffix(reg, "00"):
		if d.City != reg[:4]+"00" {
			return false
		}
	default:
		if d.Region != reg {
			return false
		}
	}
	if r.Status != "" && d.Active != map[string]string{"active": "1", "inactive": "0"}[r.Status] {
		return false
	}
	if r.EntityType != "" && d.EType != r.EntityType {
		return false
	}
	for _, h := range r.Has {
		if !re.has(h, day) {
			return false
		}
	}
	return true
}

func (re refEntity) has(h string, day float64) bool {
	if h == HasPenalty {
		return re.doc.PenaltyUntil >= day
	}
	return slices.Contains(re.doc.Has, h)
}

// refHit is one answer of the reference: a code and its badges.
type refHit struct{ code, badges string }

// search answers r with every hit in order, the facets of all of them, and whether the
// reference reads the query at all (names and the empty query; pinyin and codes it leaves to
// the oracle).
func (ref *refEngine) search(t testing.TB, r SearchRequest, today string) (hits []refHit, facets map[string][]FacetValue, ok bool) {
	pq, err := ParseQuery(r.Query)
	if err != nil {
		t.Fatal(err)
	}
	if pq.Class != ClassEmpty && pq.Class != ClassName && pq.Class != ClassBroad {
		return nil, nil, false
	}
	day := DayNumber(today)
	type ranked struct {
		tier int
		re   refEntity
	}
	var found []ranked
	fc := facetCounts{}
	for _, re := range ref.ents {
		if !re.passes(r, day) {
			continue
		}
		tier := re.tier(pq)
		if tier < 0 {
			continue
		}
		found = append(found, ranked{tier, re})
		d := re.doc
		fc.add("region", d.Prov, 1)
		fc.add("status", activeValue[d.Active], 1)
		fc.add("type", d.EType, 1)
		for _, hv := range HasValues {
			if re.has(hv.Value, day) {
				fc.add("has", hv.Value, 1)
			}
		}
	}
	slices.SortFunc(found, func(a, b ranked) int {
		if a.tier != b.tier {
			return a.tier - b.tier
		}
		return strings.Compare(a.re.doc.Rank, b.re.doc.Rank)
	})
	hits = []refHit{}
	for _, f := range found {
		var badges []string
		for _, hv := range HasValues {
			if hv.Value != HasLicense && hv.Value != HasSpotCheck && f.re.has(hv.Value, day) {
				badges = append(badges, hv.Value)
			}
		}
		hits = append(hits, refHit{f.re.e.Code, strings.Join(badges, ",")})
	}
	return hits, fc.labelled(), true
}

// suggest answers Suggest: names that start with the input, then names holding every word,
// each in rank order; ok is false for what the reference does not read.
func (ref *refEngine) suggest(t testing.TB, input string, n int) (codes []string, ok bool) {
	pq, err := ParseQuery(input)
	if err != nil {
		t.Fatal(err)
	}
	if pq.Class != ClassName && pq.Class != ClassBroad {
		return nil, false
	}
	text := lettersDigits(SearchText(pq.Raw))
	var bands [2][]refEntity
	for _, re := range ref.ents {
		if text != "" && refStartsWith(re.e.Name, text) {
			bands[0] = append(bands[0], re)
		} else if tier := re.tier(pq); tier >= 0 {
			bands[1] = append(bands[1], re)
		}
	}
	for _, b := range bands {
		slices.SortFunc(b, func(x, y refEntity) int { return strings.Compare(x.doc.Rank, y.doc.Rank) })
		for _, re := range b {
			if len(codes) < n {
				codes = append(codes, re.e.Code)
			}
		}
	}
	return codes, true
}

func hitsOf(res *SearchResponse) []refHit {
	out := []refHit{}
	for _, h := range res.Results {
		out = append(out, refHit{h.Code, strings.Join(h.Badges, ",")})
	}
	return out
}

// pages follows the cursors of a search of page size size, for at most max pages, and
// returns the hits in order.
func pages(t *testing.T, search func(context.Context, SearchRequest) (*SearchResponse, error), r SearchRequest, size, max int) []refHit {
	t.Helper()
	r.Size, r.Facets = size, false
	out := []refHit{}
	for page := 0; page < max; page++ {
		res, err := search(context.Background(), r)
		if err != nil {
			t.Fatalf("%+v page %d: %v", r, page, err)
		}
		out = append(out, hitsOf(res)...)
		if res.NextCursor == "" {
			break
		}
		r.Cursor = res.NextCursor
	}
	return out
}

var engineCaseQueries = []string{"", "华威", "華威", "华", "有限公司", "福州华威", "新材料", "科技 福州", "abc", "3D打印", "建材", "华为",
	"fuzhou", "huawei", "hw", "xiamen"}

var engineCaseFilters = []SearchRequest{{}, {Region: "35"}, {Region: "3501"}, {Region: "350102"}, {Status: "active"}, {Status: "inactive"},
	{EntityType: "个体工商户"}, {EntityType: "其他", Status: "active"}, {Has: []string{HasPenalty}}, {Has: []string{HasBlacklist}}, {Has: []string{HasPenalty, HasAbnormal}, Region: "35"}}

// TestEngineCases runs the table on two generations: the search corpus (former names,
// deregistered entities, records that end), and a generated one of 3,000 entities whose broad
// answers take the dense ways (facets on bitmaps, the walk in rank order); and on each with
// those ways forced on and off, so that both ways of every step meet the oracle and the
// reference.
func TestEngineCases(t *testing.T) {
	for _, corpus := range []string{"search", "generated"} {
		t.Run(corpus, func(t *testing.T) {
			dir := t.TempDir()
			var s *Searcher
			if corpus == "search" {
				s, _ = buildCorpusIn(t, dir, collectCorpus)
			} else {
				writeListCorpus(t, dir, 3000)
				s = buildAndServe(t, dir, "cases")
			}
			oracle := oracleSearcher(t, dir, s)
			g := s.Live.Acquire()
			ref := newRefEngine(t, g)
			g.Release()
			for _, mode := range []int{0, 1, -1} {
				t.Run(map[int]string{0: "auto", 1: "dense", -1: "sparse"}[mode], func(t *testing.T) {
					forceDense = mode
					t.Cleanup(func() { forceDense = 0 })
					runEngineCases(t, s, oracle, ref)
				})
			}
		})
	}
}

func runEngineCases(t *testing.T, s, oracle *Searcher, ref *refEngine) {
	ctx := context.Background()
	today := s.today("")
	var found, referenced int
	for _, q := range engineCaseQueries {
		for _, f := range engineCaseFilters {
			r := f
			r.Query, r.Size, r.Facets = q, MaxPageSize, true
			name := fmt.Sprintf("%q %+v", q, f)
			got, err := s.Search(ctx, r)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			want, err := oracle.bleveSearch(ctx, r)
			if err != nil {
				t.Fatalf("%s oracle: %v", name, err)
			}
			if !reflect.DeepEqual(hitsOf(got), hitsOf(want)) || got.Total != want.Total {
				t.Errorf("%s: engine %d %v, oracle %d %v", name, got.Total, hitsOf(got), want.Total, hitsOf(want))
			}
			if !reflect.DeepEqual(got.Facets, want.Facets) {
				t.Errorf("%s: facets\n engine %v\n oracle %v", name, got.Facets, want.Facets)
			}
			if got.Total > 0 {
				found++
			}
			all, facets, ok := ref.search(t, r, today)
			if ok {
				referenced++
				if uint64(len(all)) != got.Total || !reflect.DeepEqual(hitsOf(got), all[:min(len(all), MaxPageSize)]) {
					t.Errorf("%s: engine %d %v, reference %d %v", name, got.Total, hitsOf(got), len(all), all[:min(len(all), MaxPageSize)])
				}
				if len(all) > 0 && !reflect.DeepEqual(got.Facets, facets) {
					t.Errorf("%s: facets\n engine    %v\n reference %v", name, got.Facets, facets)
				}
			}
			// Cursors: seven pages of 7 hits give the first page of 50 again.
			want7 := hitsOf(want)
			want7 = want7[:min(len(want7), 49)]
			if paged := pages(t, s.Search, r, 7, 7); !reflect.DeepEqual(paged, want7) {
				t.Errorf("%s: pages of 7\n engine %v\n want   %v", name, paged, want7)
			}
			if paged := pages(t, oracle.bleveSearch, r, 7, 7); !reflect.DeepEqual(paged, want7) {
				t.Errorf("%s: pages of 7\n oracle %v\n want   %v", name, paged, want7)
			}
		}
		got, err := s.Suggest(ctx, q, MaxSuggestions)
		if err != nil {
			t.Fatalf("suggest %q: %v", q, err)
		}
		want, err := oracle.bleveSuggest(ctx, q, MaxSuggestions)
		if err != nil {
			t.Fatalf("suggest %q oracle: %v", q, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("suggest %q: engine %v, oracle %v", q, got, want)
		}
		if codes, ok := ref.suggest(t, q, MaxSuggestions); ok {
			var engine []string
			for _, sg := range got {
				engine = append(engine, sg.Code)
			}
			if !slices.Equal(engine, codes) {
				t.Errorf("suggest %q: engine %v, reference %v", q, engine, codes)
			}
		}
	}
	if found < len(engineCaseQueries)*len(engineCaseFilters)/4 || referenced < len(engineCaseFilters)*8 {
		t.Errorf("only %d cases found anything and the reference read %d: the table tests too little", found, referenced)
	}
}
