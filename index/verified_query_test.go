package index

import (
	"context"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
)

// A fragment matches only where its characters stand together: holding all its bigrams is
// not enough.
func TestFragmentsMustBeContiguous(t *testing.T) {
	s, _ := buildCorpus(t, []corpusEntity{
		{first17: "91350102MA2XYW115", name: "福州华兴贸易有限公司", status: "存续"},
		{first17: "91350102MA2XYW116", name: "华福州州华商行", status: "存续"}, // 福州 and 州华, apart
		{first17: "91350102MA2XYW117", name: "闽侯福州华兴食品店", status: "存续"},
		{first17: "91350102MA2XYW118", name: "鼓楼区美食店", status: "存续", former: []string{"福州华丰食品店"}},
		{first17: "91350102MA2XYW119", name: "A-B福州华 C商行", status: "存续"}, // punctuation and spaces are not characters
	})
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"福州华", []string{"福州华兴贸易有限公司", "闽侯福州华兴食品店", "AB福州华C商行", "鼓楼区美食店"}},
		{"州华商", []string{"华福州州华商行"}},
		{"福州州华", []string{"华福州州华商行"}},
		{"华丰食品", []string{"鼓楼区美食店"}}, // former name only
		{"b福州", []string{"AB福州华C商行"}},
		{"华兴贸易有限公司", []string{"福州华兴贸易有限公司"}},
	} {
		res, err := s.Search(context.Background(), SearchRequest{Query: tc.q})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		var got []string
		for _, h := range res.Results {
			got = append(got, lettersDigits(h.Name))
		}
		want := make([]string, len(tc.want))
		for i, w := range tc.want {
			want[i] = lettersDigits(w)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) || int(res.Total) != len(want) {
			t.Errorf("%q: got %v (total %d), want %v", tc.q, got, res.Total, want)
		}
	}
	// A name that starts with the input ranks before one that contains it.
	res, err := s.Search(context.Background(), SearchRequest{Query: "福州华兴"})
	if err != nil || len(res.Results) != 2 || res.Results[0].Name != "福州华兴贸易有限公司" {
		t.Fatalf("prefix first: %v %v", names(res), err)
	}
}

func TestHasDocValues(t *testing.T) {
	m, err := NewMapping()
	if err != nil {
		t.Fatal(err)
	}
	if !hasDocValues(m, FieldNameKey) || !hasDocValues(m, FieldFormerKey) || hasDocValues(m, FieldCodes) {
		t.Fatal("name_key and former_key keep doc values, codes does not")
	}
	if hasDocValues(mapping.NewIndexMapping(), FieldNameKey) {
		t.Fatal("a mapping without the field has no doc values for it")
	}
}

// The in-memory columns and the doc-value or phrase fallback answer every tier alike.
func TestColumnsMatchFallback(t *testing.T) {
	s, _ := buildCorpus(t, append(append([]corpusEntity{}, corpus...),
		corpusEntity{first17: "91350102MA2XYW215", name: "华福州州华商行", status: "存续"},
		corpusEntity{first17: "91350102MA2XYW216", name: "重庆重庆火锅店", status: "存续", former: []string{"长江火锅（重庆）有限公司"}},
	))
	g := s.Live.Acquire()
	defer g.Release()
	if g.cols == nil {
		t.Fatal("a new generation loads its columns")
	}
	ctx := context.Background()
	for _, q := range []string{"华为技术有限公司", "福州华", "州华商", "华威福建", "建材", "重庆火锅", "长江火锅",
		"chongqing", "zhongqing", "chongqinghuoguo", "cqhg", "hw", "huawei", "xiamenyinhang", "3d打印", "abc3d"} {
		pq, err := ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, tier := range pq.Tiers() {
			req := bleve.NewSearchRequestOptions(tier.Query, 100, 0, false)
			req.Score = bleve.ScoreNone
			req.SortBy([]string{"_id"})
			viaCols, err := g.search(ctx, req)
			if err != nil {
				t.Fatalf("%q %s: %v", q, tier.Name, err)
			}
			viaAlias, err := g.Alias.SearchInContext(ctx, req)
			if err != nil {
				t.Fatalf("%q %s: %v", q, tier.Name, err)
			}
			if a, b := hitIDs(viaCols), hitIDs(viaAlias); !slices.Equal(a, b) {
				t.Errorf("%q tier %s: columns %v, fallback %v", q, tier.Name, a, b)
			}
		}
	}
}

func hitIDs(r *bleve.SearchResult) []string {
	var out []string
	for _, h := range r.Hits {
		out = append(out, h.ID)
	}
	slices.Sort(out)
	return out
}
