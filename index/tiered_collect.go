package index

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// collectTiered answers a tiered search on every shard of a generation with columns,
// collecting the best hits itself instead of through Bleve's collector: it orders hits by tier
// (an int) and rank (a slice of the shard's columns) and keeps the best size of them in a
// small sorted array. The collector computed and compared sort values for every hit through
// interfaces and kept them in its own store; for a broad pinyin query ("yibo", some 1,800
// names) that was a third of the search. after is a cursor's sort values (tier, rank), nil on
// the first page.
//
// It returns the hits in order, each with ID, Sort and the badge fields, the number of
// documents that matched, and when facetsFor is a day (YYYY-MM-DD) their facet counts.
func (g *Generation) collectTiered(ctx context.Context, q *tieredQuery, size int, after []string, facetsFor string) ([]*search.DocumentMatch, uint64, facetCounts, error) {
	from, err := tierCursor(after)
	if err != nil {
		return nil, 0, nil, err
	}
	size = max(size, 1)
	hits := make([][]*search.DocumentMatch, len(g.shards))
	totals := make([]uint64, len(g.shards))
	counted := make([]*columnFacets, len(g.shards))
	errs := make([]error, len(g.shards))
	var wg sync.WaitGroup
	for i, sh := range g.shards {
		if facetsFor != "" {
			counted[i] = newColumnFacets(g.cols[i], facetsFor)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			hits[i], totals[i], errs[i] = collectTieredShard(ctx, sh, g.cols[i], q, size, from, counted[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, 0, nil, err
	}
	var out []*search.DocumentMatch
	var total uint64
	var fc facetCounts
	if facetsFor != "" {
		fc = facetCounts{}
	}
	for i := range hits {
		out = append(out, hits[i]...)
		total += totals[i]
		if counted[i] != nil {
			counted[i].addTo(fc)
		}
	}
	slices.SortStableFunc(out, compareSort)
	if len(out) > size {
		out = out[:size]
	}
	return out, total, fc, nil
}

// tierHit is a hit being collected: its tier, rank and document number.
type tierHit struct {
	tier int
	rank string
	num  uint64
}

func (a tierHit) before(b tierHit) bool {
	if a.tier != b.tier {
		return a.tier < b.tier
	}
	return a.rank < b.rank
}

// tierCursor decodes a cursor's sort values; a nil cursor starts before every hit.
func tierCursor(after []string) (*tierHit, error) {
	if after == nil {
		return nil, nil
	}
	t := -1
	if len(after) == 2 && len(after[0]) == 1 {
		t = int(after[0][0]) - '0'
	}
	if t < 0 {
		return nil, badRequest("bad_cursor", "翻页参数无效或已过期，请从第一页重新浏览。", "cursor belongs to another index generation")
	}
	return &tierHit{tier: t, rank: after[1]}, nil
}

// collectTieredShard collects one shard's best size hits after from (nil: from the start),
// and counts every hit in facets unless it is nil.
func collectTieredShard(ctx context.Context, sh bleve.Index, cols *columns, q *tieredQuery, size int, from *tierHit, facets *columnFacets) ([]*search.DocumentMatch, uint64, error) {
	adv, err := sh.Advanced()
	if err != nil {
		return nil, 0, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, 0, err
	}
	defer r.Close()
	s, err := q.Searcher(withColumns(ctx, cols), r, sh.Mapping(), search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, 0, err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: r}

	best := make([]tierHit, 0, size+1) // sorted, best first
	var total uint64
	for {
		if total%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, 0, err
			}
		}
		d, err := s.Next(sctx)
		if err != nil {
			return nil, 0, err
		}
		if d == nil {
			break
		}
		total++
		num := d.IndexInternalID.Value()
		h := tierHit{tier: int(d.Score), rank: cols.rank.at(num), num: num}
		sctx.DocumentMatchPool.Put(d)
		if facets != nil {
			facets.add(num)
		}
		if h.rank == "" {
			h.rank = "\uffff" // not an entity: after every entity, as rankOrder sorts it
		}
		if from != nil && !from.before(h) || len(best) == size && !h.before(best[size-1]) {
			continue
		}
		at, _ := slices.BinarySearchFunc(best, h, func(a, b tierHit) int {
			if a.before(b) {
				return -1
			}
			return 1
		})
		best = slices.Insert(best, at, h)
		if len(best) > size {
			best = best[:size]
		}
	}
	out := make([]*search.DocumentMatch, len(best))
	for i, h := range best {
		iid := index.NewIndexInternalID(nil, h.num)
		id, err := r.ExternalID(iid)
		if err != nil {
			return nil, 0, err
		}
		out[i] = &search.DocumentMatch{ID: id, IndexInternalID: iid, Score: float64(h.tier),
			Sort: []string{tierValue(h.tier), strings.Clone(h.rank)}, Fields: cols.badgeFieldsOf(h.num)}
	}
	return out, total, nil
}

// tierValue is a tier's sort value in a cursor, one character ('0' + tier).
func tierValue(t int) string {
	if t >= 0 && t < len(tierDigits) {
		return tierDigits[t] // a constant for the usual tiers
	}
	return string(rune('0' + t))
}
