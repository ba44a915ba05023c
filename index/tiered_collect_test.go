package index

import (
	"context"
	"slices"
	"testing"
)

// TestCollectTieredMatchesBleveCollector pages through searches with collectTiered (no facets)
// and compares each with one page of the same search through Bleve's collector (facets
// requested): the same hits in the same order, the same total, the same badges.
func TestCollectTieredMatchesBleveCollector(t *testing.T) {
	s, _ := buildCorpus(t, corpus)
	ctx := context.Background()
	for _, q := range []string{"有限公司", "华为", "华", "华为技术有限公司", "chongqing", "zhibo", "bo", "hw", "cqcj", "建材", "科技 福州"} {
		whole, err := s.Search(ctx, SearchRequest{Query: q, Size: 100, Facets: true})
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		if len(whole.Results) == 0 {
			t.Fatalf("%q: nothing found", q)
		}
		for _, size := range []int{1, 2, 3, 100} {
			var paged []Hit
			req := SearchRequest{Query: q, Size: size}
			for page := 0; ; page++ {
				res, err := s.Search(ctx, req)
				if err != nil {
					t.Fatalf("%q size %d page %d: %v", q, size, page, err)
				}
				if res.Total != whole.Total {
					t.Errorf("%q size %d page %d: total %d, want %d", q, size, page, res.Total, whole.Total)
				}
				paged = append(paged, res.Results...)
				if res.NextCursor == "" || page > 50 {
					break
				}
				req.Cursor = res.NextCursor
			}
			if !slices.EqualFunc(paged, whole.Results, func(a, b Hit) bool {
				return a.Code == b.Code && slices.Equal(a.Badges, b.Badges)
			}) {
				t.Errorf("%q size %d:\n paged %v\n whole %v", q, size, hitNames(paged), hitNames(whole.Results))
			}
		}
	}
}

func hitNames(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Name)
	}
	return out
}
