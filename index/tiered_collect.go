package index

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// collectTiered answers a tiered search on every shard of a generation with columns,
// collecting the best hits itself instead of through Bleve's collector: it orders hits by tier
// and place in rank order (one integer, see tierKey) and keeps the best size of them in a
// small sorted array. The collector computed and compared sort values for every hit through
// interfaces and kept them in its own store; for a broad pinyin query ("yibo", some 1,800
// names) that was a third of the search. after is a cursor's sort values (tier, rank), nil on
// the first page.
//
// It returns the hits in order, each with ID, Sort and the badge fields, with their entity
// cards from the columns, the number of documents that matched, and when facetsFor is a day
// (YYYY-MM-DD) their facet counts.
func (g *Generation) collectTiered(ctx context.Context, q *tieredQuery, size int, after []string, facetsFor string) (*tieredPage, error) {
	from, err := tierCursor(after)
	if err != nil {
		return nil, err
	}
	size = max(size, 1)
	pages := make([]*tieredPage, len(g.shards))
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
			pages[i], errs[i] = collectTieredShard(ctx, sh, g.cols[i], q, size, from, counted[i])
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := &tieredPage{cards: map[string]*Entity{}}
	if facetsFor != "" {
		out.facets = facetCounts{}
	}
	for i, p := range pages {
		out.hits = append(out.hits, p.hits...)
		out.total += p.total
		for code, e := range p.cards {
			out.cards[code] = e
		}
		if counted[i] != nil {
			counted[i].addTo(out.facets)
		}
	}
	slices.SortStableFunc(out.hits, compareSort)
	if len(out.hits) > size {
		out.hits = out.hits[:size]
	}
	return out, nil
}

// tieredPage is what collectTiered found.
type tieredPage struct {
	hits   []*search.DocumentMatch
	total  uint64             // documents that matched
	facets facetCounts        // nil unless asked for
	cards  map[string]*Entity // of hits whose card the columns hold, by code
}

// tierCursor decodes a cursor's sort values (tier, rank); a nil cursor starts before every hit.
func tierCursor(after []string) (*tierRank, error) {
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
	return &tierRank{tier: t, rank: after[1]}, nil
}

// tierRank is where a cursor left off: a tier and a rank.
type tierRank struct {
	tier int
	rank string
}

// tierKey orders a shard's hits: the tier in the high 32 bits, the place in rank order
// (columns.order) in the low ones.
func tierKey(tier int, order uint64) uint64 { return uint64(tier)<<32 + order }

// collectTieredShard collects one shard's best size hits after from (nil: from the start),
// and counts every hit in facets unless it is nil. A query whose bands are terms, their
// conjunctions and disjunctions, and fragments checked in the columns is answered on posting
// bitmaps (see tierBits); any other through Bleve's searchers.
func collectTieredShard(ctx context.Context, sh bleve.Index, cols *columns, q *tieredQuery, size int, from *tierRank, facets *columnFacets) (*tieredPage, error) {
	adv, err := sh.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	best := &bestHits{size: size, cols: cols, hits: make([]bestHit, 0, size+1)}
	if from != nil {
		best.start = tierKey(from.tier, cols.orderAfter(from.rank))
	}
	var bits []*roaring.Bitmap
	if collectOnBits {
		if bits, err = tierBits(ctx, r, sh.Mapping(), cols, q); err != nil {
			return nil, err
		}
	}
	var total uint64
	if bits != nil {
		total, err = best.collectBits(ctx, bits, q.entitiesOnly, facets)
	} else {
		total, err = best.collectSearcher(ctx, r, sh.Mapping(), q, facets)
	}
	if err != nil {
		return nil, err
	}
	return best.page(r, total)
}

// collectOnBits is off only in tests that compare the two ways of collecting.
var collectOnBits = true

// bestHits keeps the best size hits of a shard offered to it, by key (see tierKey).
type bestHits struct {
	size  int
	start uint64 // hits after the cursor have keys from start on
	cols  *columns
	hits  []bestHit // sorted, best first
}

type bestHit struct{ key, num uint64 }

// offer adds document num with key if it is among the best so far.
func (b *bestHits) offer(key, num uint64) {
	if key < b.start || len(b.hits) == b.size && key >= b.hits[b.size-1].key {
		return
	}
	// Equal keys (records, all at noOrder) keep document order, as a stable sort would.
	at := sort.Search(len(b.hits), func(i int) bool { return b.hits[i].key > key })
	b.hits = slices.Insert(b.hits, at, bestHit{key, num})
	if len(b.hits) > b.size {
		b.hits = b.hits[:b.size]
	}
}

// full reports whether no hit of tier t or later can be among the best any more.
func (b *bestHits) full(t int) bool {
	return len(b.hits) == b.size && b.hits[b.size-1].key < tierKey(t, 0)
}

// collectSearcher offers every hit of the query's searcher, in document order, and returns
// their number.
func (b *bestHits) collectSearcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, q *tieredQuery, facets *columnFacets) (uint64, error) {
	s, err := q.Searcher(withColumns(ctx, b.cols), r, m, search.SearcherOptions{Score: "none"})
	if err != nil {
		return 0, err
	}
	defer s.Close()
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(s.DocumentMatchPoolSize()+1, 0), IndexReader: r}
	var total uint64
	for {
		if total%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		d, err := s.Next(sctx)
		if err != nil {
			return 0, err
		}
		if d == nil {
			return total, nil
		}
		total++
		num := d.IndexInternalID.Value()
		tier := int(d.Score)
		sctx.DocumentMatchPool.Put(d)
		if facets != nil {
			facets.add(num)
		}
		b.offer(tierKey(tier, uint64(b.cols.orderOf(num))), num)
	}
}

// page turns the best hits into document matches with their cards.
func (b *bestHits) page(r index.IndexReader, total uint64) (*tieredPage, error) {
	cols := b.cols
	out := &tieredPage{hits: make([]*search.DocumentMatch, len(b.hits)), total: total, cards: map[string]*Entity{}}
	for i, h := range b.hits {
		iid := index.NewIndexInternalID(nil, h.num)
		id := cols.codeOf(h.num) // an entity's ID is its code
		if id == "" {
			var err error
			if id, err = r.ExternalID(iid); err != nil {
				return nil, err
			}
		}
		rank := cols.rank.at(h.num)
		if rank == "" {
			rank = recordRank
		}
		tier := int(h.key >> 32)
		out.hits[i] = &search.DocumentMatch{ID: id, IndexInternalID: iid, Score: float64(tier),
			Sort: []string{tierValue(tier), strings.Clone(rank)}, Fields: cols.badgeFieldsOf(h.num)}
		if e := cols.cardAt(h.num); e != nil {
			out.cards[id] = e
		}
	}
	return out, nil
}

// tierValue is a tier's sort value in a cursor, one character ('0' + tier).
func tierValue(t int) string {
	if t >= 0 && t < len(tierDigits) {
		return tierDigits[t] // a constant for the usual tiers
	}
	return string(rune('0' + t))
}
