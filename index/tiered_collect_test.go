package index

import (
	"context"
	"reflect"
	"slices"
	"testing"
)

// TestCollectTieredMatchesTierByTierSearch compares searches through collectTiered with the
// same searches on the same generation without columns, which run tier by tier through
// Bleve's collector and facets: the same hits in the same order, the same totals, badges and
// facets, and paging at sizes 1, 2 and 3 gives the same hits as one page.
// It runs twice: collecting on posting bitmaps where the query allows (see tierBits), and
// always through Bleve's searchers.
func TestCollectTieredMatchesTierByTierSearch(t *testing.T) {
	for _, bits := range []bool{true, false} {
		t.Run(map[bool]string{true: "bitmaps", false: "searchers"}[bits], func(t *testing.T) {
			collectOnBits = bits
			t.Cleanup(func() { collectOnBits = true })
			testCollectTiered(t)
		})
	}
}

func testCollectTiered(t *testing.T) {
	dir := t.TempDir()
	s, _ := buildCorpusIn(t, dir, collectCorpus)
	oracle := oracleSearcher(t, dir, s)

	ctx := context.Background()
	found := 0 // searches with hits: the comparison is not of empty answers
	filters := []SearchRequest{{}, {Status: "active"}, {Region: "35"}, {Has: []string{HasPenalty}}, {Has: []string{HasBlacklist}}, {EntityType: "个体工商户"}}
	for _, q := range []string{"有限公司", "华为", "华", "华为技术有限公司", "chongqing", "zhibo", "bo", "hw", "cqcj", "建材", "科技 福州",
		"huaweikeji", "技术华为"} {
		for _, f := range filters {
			req := f
			req.Query, req.Size, req.Facets = q, 100, true
			want, err := oracle.bleveSearch(ctx, req)
			if err != nil {
				t.Fatalf("%q %+v: %v", q, f, err)
			}
			got, err := s.Search(ctx, req)
			if err != nil {
				t.Fatalf("%q %+v: %v", q, f, err)
			}
			if len(want.Results) > 0 {
				found++
			}
			if !sameHits(got.Results, want.Results) || got.Total != want.Total {
				t.Errorf("%q %+v: got %d %v, want %d %v", q, f, got.Total, hitNames(got.Results), want.Total, hitNames(want.Results))
			}
			if !reflect.DeepEqual(got.Facets, want.Facets) {
				t.Errorf("%q %+v: facets\n got  %v\n want %v", q, f, got.Facets, want.Facets)
			}
			for _, size := range []int{1, 2, 3} {
				var paged []Hit
				req := req
				req.Size = size
				for page := 0; ; page++ {
					res, err := s.Search(ctx, req)
					if err != nil {
						t.Fatalf("%q size %d page %d: %v", q, size, page, err)
					}
					if res.Total != want.Total {
						t.Errorf("%q size %d page %d: total %d, want %d", q, size, page, res.Total, want.Total)
					}
					paged = append(paged, res.Results...)
					if res.NextCursor == "" || page > 50 {
						break
					}
					req.Cursor = res.NextCursor
				}
				if !sameHits(paged, want.Results) {
					t.Errorf("%q %+v size %d:\n paged %v\n whole %v", q, f, size, hitNames(paged), hitNames(want.Results))
				}
			}
		}
	}
	if found < 30 {
		t.Errorf("only %d of the searches found anything", found)
	}
}

// collectCorpus adds to corpus names that hold every term of a query but not the query:
// "huaweikeji" (hua'wei, wei'ke, ke'ji) and "技术华为" (技术, 术华, 华为), which the
// candidates' check must reject; and "hw" in a name with a record, which a pinyin search
// (entities only) must not count.
var collectCorpus = append(slices.Clone(corpus),
	corpusEntity{first17: "91350100MA3ABC016", name: "华为为科科技贸易有限公司", status: "存续"},
	corpusEntity{first17: "91350100MA3ABC017", name: "技术术华华为科技有限公司", status: "存续"},
	corpusEntity{first17: "91350100MA3ABC018", name: "HW照明科技有限公司", status: "存续",
		recs: []*Record{{Type: TypeBlacklist, Date: "2025-02-01"}}},
)

func sameHits(a, b []Hit) bool {
	return slices.EqualFunc(a, b, func(x, y Hit) bool {
		return x.Code == y.Code && slices.Equal(x.Badges, y.Badges) && x.Highlight == y.Highlight && x.FormerMatch == y.FormerMatch &&
			x.Name == y.Name && x.Status == y.Status && x.Region == y.Region && x.RegionName == y.RegionName && x.EntityType == y.EntityType
	})
}

func hitNames(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Name)
	}
	return out
}
