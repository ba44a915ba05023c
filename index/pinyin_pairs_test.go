package index

import (
	"context"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

func TestPinyinPairsFilter(t *testing.T) {
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		analyzer, text string
		want           []string
	}{
		// Every reading of 重 (zhong, chong, tong) pairs with 庆; the first pair is repeated anchored.
		{AnalyzerPinyinPairs, "重庆火锅", []string{"zhong'qing", "^zhong'qing", "chong'qing", "^chong'qing", "tong'qing", "^tong'qing", "qing'huo", "huo'guo"}},
		// Latin runs are one position; punctuation is no position (印: yin, yi).
		{AnalyzerPinyinPairs, "abc3d·打印", []string{"abc3d'da", "^abc3d'da", "da'yin", "da'yi"}},
		{AnalyzerInitialsPairs, "厦门ab", []string{"s'm", "^s'm", "x'm", "^x'm", "m'a", "a'b"}},
		{AnalyzerPinyinPairs, "华", nil}, // one position: no pair
	} {
		var got []string
		for _, tok := range m.AnalyzerNamed(tc.analyzer).Analyze([]byte(tc.text)) {
			got = append(got, string(tok.Term))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s %q: got %q, want %q", tc.analyzer, tc.text, got, tc.want)
		}
	}
}

// Searching the pairs finds exactly what the phrase of syllables finds, and so does the
// older way of intersecting single syllables (generations built before the pairs fields).
func TestPinyinPairsMatchPhrase(t *testing.T) {
	s, _ := buildCorpus(t, append(append([]corpusEntity{}, corpus...),
		corpusEntity{first17: "91350102MA2XYW215", name: "华福州州华商行", status: "存续"},
		corpusEntity{first17: "91350102MA2XYW216", name: "重庆重庆火锅店", status: "存续"},
		corpusEntity{first17: "91350102MA2XYW217", name: "火锅重庆店", status: "存续"},
		corpusEntity{first17: "91350102MA2XYW218", name: "华·为（福州）贸易商行", status: "存续"},
		corpusEntity{first17: "91350102MA2XYW219", name: "州华", status: "存续"},
	))
	g := s.Live.Acquire()
	defer g.Release()
	ctx := context.Background()
	run := func(q query.Query, viaCols bool) []string {
		t.Helper()
		req := bleve.NewSearchRequestOptions(q, 100, 0, false)
		req.Score = bleve.ScoreNone
		req.SortBy([]string{"_id"})
		var res *bleve.SearchResult
		var err error
		if viaCols {
			res, err = g.search(ctx, req)
		} else {
			res, err = g.Alias.SearchInContext(ctx, req)
		}
		if err != nil {
			t.Fatal(err)
		}
		return hitIDs(res)
	}
	found := 0
	for _, seq := range [][]string{
		{"hua", "wei"}, {"zhou", "hua"}, {"fu", "zhou", "hua"}, {"zhou", "zhou", "hua", "shang"},
		{"chong", "qing"}, {"zhong", "qing"}, {"chong", "qing", "huo", "guo"}, {"huo", "guo", "chong", "qing"},
		{"qing", "chong", "qing", "huo", "guo", "dian"}, {"xia", "men", "yin", "hang"}, {"abc3d", "da", "yin"},
		{"wei", "fu", "zhou"}, {"hua", "fu", "zhou", "zhou", "hua", "shang", "hang"},
	} {
		initials := make([]string, len(seq))
		for i, s := range seq {
			initials[i] = s[:1]
		}
		for _, c := range []struct {
			field string
			seq   []string
		}{{FieldPinyin, seq}, {FieldInitials, initials}} {
			for _, prefix := range []bool{false, true} {
				phrase := query.Query(bleve.NewPhraseQuery(c.seq, c.field))
				if prefix {
					phrase = anchoredPhrase(c.seq, c.field)
				}
				want := run(phrase, false)
				found += len(want)
				pq := newPinyinQuery(c.field, c.seq, prefix, phrase).(*pinyinQuery)
				if got := run(pq, true); !slices.Equal(got, want) {
					t.Errorf("%s %q prefix=%v: pairs %v, phrase %v", c.field, c.seq, prefix, got, want)
				}
				pq.pairField = "absent" // as in a generation built before the pairs fields
				if got := run(pq, true); !slices.Equal(got, want) {
					t.Errorf("%s %q prefix=%v: syllables %v, phrase %v", c.field, c.seq, prefix, got, want)
				}
			}
		}
	}
	if found < 40 {
		t.Fatalf("only %d hits in all: the corpus no longer tests much", found)
	}
}
