package index

import (
	"context"
	"testing"
)

// engineBenchEntities is the size of the generation BenchmarkEngine reads: big enough that a
// request touching every entity shows in the numbers, small enough to build in seconds.
const engineBenchEntities = 30000

// BenchmarkEngine measures the requests that read every entity of a generation, or a large
// part of it: the empty query (browsing with filters and facets), broad one- and
// two-character searches with facets, suggestions and the statistics. cpu-µs/op is the
// process's CPU time per request: on a shared machine, what a request cost whatever ran
// beside it (ns/op includes waiting for the shards' goroutines to be scheduled).
func BenchmarkEngine(b *testing.B) {
	s, _ := listSearcher(b, engineBenchEntities)
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		r    SearchRequest
	}{
		{"empty-facets", SearchRequest{Facets: true}},
		{"empty-region-facets", SearchRequest{Region: "3501", Facets: true}},
		{"empty-penalty-facets", SearchRequest{Has: []string{HasPenalty}, Facets: true}},
		{"empty-active-type", SearchRequest{Status: "active", EntityType: "有限责任公司"}},
		{"broad-1-facets", SearchRequest{Query: "华", Facets: true}},
		{"broad-2-facets", SearchRequest{Query: "科技", Facets: true}},
		{"name-penalty", SearchRequest{Query: "华威", Has: []string{HasPenalty}, Facets: true}},
	} {
		b.Run("search/"+bc.name, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := s.Search(ctx, bc.r); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
	for _, q := range []string{"华", "华威", "福州华威", "fuzhou"} {
		b.Run("suggest/"+q, func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				if _, err := s.Suggest(ctx, q, 10); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
	// The statistics as a request reads them, and the two ways of counting them once per
	// generation: from the list tables when it opens, and by SQL over the document store.
	g := s.Live.Acquire()
	defer g.Release()
	b.Run("stats", func(b *testing.B) {
		for b.Loop() {
			if _, err := g.Stats(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stats-count/tables", func(b *testing.B) {
		for b.Loop() {
			listStats(g.Info, g.lists)
		}
	})
	b.Run("stats-count/sql", func(b *testing.B) {
		for b.Loop() {
			if _, err := sqlStats(ctx, g); err != nil {
				b.Fatal(err)
			}
		}
	})
}
