package index

import (
	"context"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
)

// searchTiered answers a search in one pass over the shards: every tier's band at once
// (tieredQuery), hits ordered by tier, then rank, and facets counted from the shards' columns
// (collectTiered). The empty query is one band, every entity under the filters.
func (s *Searcher) searchTiered(ctx context.Context, g *Generation, pq *ParsedQuery, r SearchRequest, fs []query.Query,
	cur *cursor, today string, start time.Time) (*SearchResponse, error) {
	tq := newTieredQuery(pq, fs)
	timeout := s.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	sctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	first := cur == nil
	var after []string
	if !first {
		after = cur.After
	}
	withFacets := r.Facets && first
	facetsFor := ""
	if withFacets {
		facetsFor = today
	}
	page, err := g.collectTiered(sctx, tq, r.Size, after, facetsFor)
	if err != nil {
		return nil, searchError(err)
	}
	hits, total := page.hits, page.total
	out := &SearchResponse{Class: pq.Class, Hint: pq.Hint, Results: []Hit{}}
	seen := uint64(len(hits))
	if first {
		out.Total = total
	} else {
		out.Total, seen = cur.Total, cur.Seen+seen
	}
	if len(hits) == r.Size && seen < out.Total {
		out.NextCursor = r.encodeCursor(cursor{After: hits[len(hits)-1].Sort, Total: out.Total, Seen: seen})
	}
	if err := s.hits(ctx, g, pq, hits, page.cards, today, out); err != nil {
		return nil, err
	}
	if r.Close && first && pq.Class != ClassEmpty && total < uint64(r.Size) && !exactName(pq, hits) {
		// Fewer strict hits than a page, so all of them are on it: the close tier fills the
		// rest, after them, and needs no cursor. A query that is an entity's very name has its
		// answer; names like it would only pad the page, at the cost of a second search.
		if err := s.closeHits(sctx, ctx, g, pq, r, fs, hits, today, out); err != nil {
			return nil, err
		}
	}
	if withFacets {
		out.Facets = page.facets.labelled()
	}
	out.TookMS = float64(time.Since(start).Microseconds()) / 1000
	return out, nil
}

// newTieredQuery is the tiered query of a parsed query under the request's filters fs.
func newTieredQuery(pq *ParsedQuery, fs []query.Query) *tieredQuery {
	// fs[0] is kind:e. Pinyin bands search fields only entities have, and the Latin-letter
	// part of a pinyin query matches few names: the tiered query checks the kind in the
	// columns instead of advancing kind:e's million postings once per hit. A name fragment
	// also matches the records that carry the name; there the conjunction, answered as a
	// bitmap AND, skips them cheaper (1-character fragments took about 15 % longer through the
	// columns, in a profiling run on a busy machine).
	if pq.Class == ClassEmpty {
		// Every entity under the filters: one band, kind:e and the filters, all bitmaps.
		return &tieredQuery{bands: []query.Query{bleve.NewConjunctionQuery(fs...)}}
	}
	tq := &tieredQuery{entitiesOnly: pq.Class == ClassPinyin || pq.Class == ClassInitials}
	bandFilters := fs
	if tq.entitiesOnly {
		bandFilters = fs[1:]
	}
	for _, b := range pq.bands() {
		if len(bandFilters) == 0 {
			tq.bands = append(tq.bands, b.Query)
		} else {
			tq.bands = append(tq.bands, bleve.NewConjunctionQuery(append([]query.Query{b.Query}, bandFilters...)...))
		}
	}
	return tq
}

// exactName reports whether a name query found an entity by its whole name (or former name):
// the first band of its tiers.
func exactName(pq *ParsedQuery, hits []*search.DocumentMatch) bool {
	return pq.Class == ClassName && len(hits) > 0 && len(hits[0].Sort) > 0 && hits[0].Sort[0] == tierValue(0)
}

// closeHits appends the close tier's results (see collectClose) to out, each marked
// TierClose and highlighted where it shares the query's bigrams.
func (s *Searcher) closeHits(sctx, ctx context.Context, g *Generation, pq *ParsedQuery, r SearchRequest, fs []query.Query,
	strict []*search.DocumentMatch, today string, out *SearchResponse) error {
	page, err := g.collectClose(sctx, pq, fs, r.Size-len(strict), strict)
	if err != nil {
		return searchError(err)
	}
	if page == nil || len(page.hits) == 0 {
		return nil
	}
	// Highlight marks words the name holds whole; a close name holds bigrams of them.
	shared := *pq
	shared.Words = nil
	from := len(out.Results)
	if err := s.hits(ctx, g, &shared, page.hits, page.cards, today, out); err != nil {
		return err
	}
	cq := pq.closeQuery()
	for i := from; i < len(out.Results); i++ {
		h := &out.Results[i]
		h.Tier = TierClose
		if cq != nil && cq.bigrams != nil {
			h.Parts = cq.highlight(h.Name)
			h.Highlight = PartsHTML(h.Parts)
		}
	}
	return nil
}
