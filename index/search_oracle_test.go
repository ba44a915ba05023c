package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// oracleSearcher serves the generation in dir, as s serves it, opened again without its
// columns: the searcher for bleveSearch and bleveSuggest.
func oracleSearcher(t testing.TB, dir string, s *Searcher) *Searcher {
	t.Helper()
	g, err := OpenGeneration(dir)
	if err != nil {
		t.Fatal(err)
	}
	g.cols = nil
	live := &Live{}
	live.Swap(g)
	t.Cleanup(live.Close)
	return &Searcher{Live: live, Now: s.Now, Overlay: s.Overlay}
}

// bleveSearch is the test oracle of Search: the tier-by-tier search through Bleve's
// searchers, collector and facets that Search answered every query with before the engine,
// each tier a query that excludes the earlier ones. It reads neither the columns nor the
// bitmaps: serve it a generation opened without columns (oracleSearcher).
func (s *Searcher) bleveSearch(ctx context.Context, r SearchRequest) (*SearchResponse, error) {
	start := time.Now()
	pq, err := ParseQuery(r.Query)
	if err != nil {
		return nil, badRequest("query_too_long", fmt.Sprintf("搜索词太长：最多 %d 个字符。", MaxQueryRunes), err.Error())
	}
	if r.Size <= 0 {
		r.Size = DefaultPageSize
	}
	if r.Size > MaxPageSize {
		r.Size = MaxPageSize
	}
	today := s.today(r.Today)
	fs, err := r.filters(today)
	if err != nil {
		return nil, err
	}
	cur, err := r.decodeCursor()
	if err != nil {
		return nil, err
	}
	g := s.Live.Acquire()
	if g == nil {
		return nil, ErrNotReady
	}
	defer g.Release()

	if pq.Class == ClassCode && len(fs) == 1 && cur == nil {
		// A code without filters names one entity: the doc store answers it without a search.
		if out, ok, err := s.codeLookup(ctx, g, pq, today, r.Facets); err != nil || ok {
			if out != nil {
				out.TookMS = float64(time.Since(start).Microseconds()) / 1000
			}
			return out, err
		}
	}

	if g.cols != nil {
		return nil, errors.New("the oracle reads a generation without columns")
	}

	var tiers []Tier
	if pq.Class == ClassEmpty {
		tiers = []Tier{{"all", bleve.NewMatchAllQuery()}}
	} else {
		tiers = pq.Tiers()
	}
	timeout := s.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	out := &SearchResponse{Class: pq.Class, Hint: pq.Hint, Results: []Hit{}}
	first := cur == nil
	if first {
		cur = &cursor{}
	}
	withFacets := r.Facets && first
	var hits []*search.DocumentMatch
	var facetSets []search.FacetResults
	var nextCur *cursor
	taken := 0 // hits of the tier that filled the page
	tierTotals := make([]uint64, len(tiers))
	for t := cur.Tier; t < len(tiers); t++ {
		want := r.Size - len(hits)
		// On the first page every tier is counted (and faceted) even when the page is full.
		if want == 0 && !first {
			break
		}
		req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(append([]query.Query{tiers[t].Query}, fs...)...), want, 0, false)
		req.Score = bleve.ScoreNone
		req.Fields = slices.Clone(badgeFields)
		if want > 0 {
			req.SortBy(rankSort)
		} // else: only counted (and faceted); unsorted, hits cost no doc-value visit
		if t == cur.Tier && cur.After != nil {
			if len(cur.After) != len(rankSort) {
				return nil, badRequest("bad_cursor", "翻页参数无效或已过期，请从第一页重新浏览。", "cursor belongs to another index generation")
			}
			req.SetSearchAfter(cur.After)
		}
		if withFacets {
			addFacets(req, today)
		}
		res, err := g.Alias.SearchInContext(sctx, req)
		if err != nil {
			return nil, searchError(err)
		}
		tierTotals[t] = res.Total
		if res.Facets != nil {
			facetSets = append(facetSets, res.Facets)
		}
		hits = append(hits, res.Hits...)
		if want > 0 && len(hits) == r.Size && nextCur == nil {
			nextCur = &cursor{Tier: t, After: res.Hits[len(res.Hits)-1].Sort}
			taken = len(res.Hits)
		}
	}
	if first {
		for _, n := range tierTotals {
			out.Total += n
		}
		if nextCur != nil {
			// On the first page the totals tell whether anything follows the full page.
			rest := tierTotals[nextCur.Tier] - uint64(taken)
			for _, n := range tierTotals[nextCur.Tier+1:] {
				rest += n
			}
			if rest == 0 {
				nextCur = nil
			}
		}
	} else {
		out.Total = cur.Total
	}
	if nextCur != nil {
		nextCur.Total = out.Total
		out.NextCursor = r.encodeCursor(*nextCur)
	}
	if err := s.hits(ctx, g, pq, hits, nil, today, out); err != nil {
		return nil, err
	}
	if withFacets {
		out.Facets = bleveFacets(facetSets)
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

func addFacets(req *bleve.SearchRequest, today string) {
	req.AddFacet("region", bleve.NewFacetRequest(FieldProvince, 40))
	req.AddFacet("status", bleve.NewFacetRequest(FieldActive, 2))
	req.AddFacet("type", bleve.NewFacetRequest(FieldEntityType, len(EntityGroups)))
	req.AddFacet("has", bleve.NewFacetRequest(FieldHas, len(HasValues)))
	pf := bleve.NewFacetRequest(FieldPenaltyUntil, 1)
	min := DayNumber(today)
	pf.AddNumericRange(HasPenalty, &min, nil)
	req.AddFacet("penalty", pf)
}

// bleveFacets sums the facet counts of the disjoint tiers and labels them.
func bleveFacets(sets []search.FacetResults) map[string][]FacetValue {
	counts := facetCounts{}
	for _, fr := range sets {
		for name, f := range fr {
			if name == "penalty" {
				for _, nr := range f.NumericRanges {
					counts.add("has", HasPenalty, nr.Count)
				}
				continue
			}
			if f.Terms == nil {
				continue
			}
			for _, t := range f.Terms.Terms() {
				v := t.Term
				if name == "status" {
					v = activeValue[v]
				}
				counts.add(name, v, t.Count)
			}
		}
	}
	return counts.labelled()
}

// bleveSuggest is the test oracle of Suggest: two Bleve searches sorted by rank, the names
// that start with the input, then those that contain it.
func (s *Searcher) bleveSuggest(ctx context.Context, input string, n int) ([]Suggestion, error) {
	if n <= 0 || n > MaxSuggestions {
		n = MaxSuggestions
	}
	pq, err := ParseQuery(input)
	if err != nil || pq.Key == "" || pq.Class == ClassEmpty {
		return []Suggestion{}, nil
	}
	g := s.Live.Acquire()
	if g == nil {
		return nil, ErrNotReady
	}
	defer g.Release()
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()

	var codes []string
	seen := map[string]bool{}
	run := func(q query.Query) error {
		req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(termQ(KindEntity, FieldKind, 0), q), n, 0, false)
		req.Score = bleve.ScoreNone
		req.SortBy(rankSort)
		res, err := g.Alias.SearchInContext(ctx, req)
		if err != nil {
			return searchError(err)
		}
		for _, h := range res.Hits {
			if !seen[h.ID] && len(codes) < n {
				seen[h.ID] = true
				codes = append(codes, h.ID)
			}
		}
		return nil
	}
	if prefix := pq.PrefixQuery(); prefix != nil {
		if err := run(prefix); err != nil {
			return nil, err
		}
	}
	if len(codes) < n && pq.Class != ClassBadCode {
		if err := run(pq.MatchQuery()); err != nil {
			return nil, err
		}
	}
	ents, err := g.Cards(ctx, codes)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, 0, len(codes))
	for _, c := range codes {
		if e := ents[c]; e != nil {
			out = append(out, Suggestion{Code: e.Code, Name: e.Name})
		}
	}
	return out, nil
}
