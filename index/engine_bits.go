package index

import (
	"context"
	"math/bits"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
)

// The engine answers every read of entities (a name, fragment or pinyin search, the empty
// query that browses the register by filters, suggestions) in one way: a query's bands and
// filters become bitmaps of a shard's document numbers (tierBits), the hits are counted by
// the bitmaps' cardinality, the best of them are taken in rank order and the facets are counted
// from the columns (collectBits). This file holds what makes the broad answers cheap: a filter
// on public penalties as a bitmap from the columns, each facet value's documents as a bitmap,
// and the walk in rank order that finds a dense band's first page in a few steps.

// penaltyQuery is the has=penalty filter: entities with a penalty public on or after day
// (yyyymmdd). The engine reads it from the penalty_until column (penaltyBits); Bleve's
// searchers, behind the test oracle, answer it as the numeric range it is in the index.
type penaltyQuery struct{ day uint32 }

// Searcher implements query.Query as the numeric range from day on.
func (q *penaltyQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	min := float64(q.day)
	nq := bleve.NewNumericRangeQuery(&min, nil)
	nq.SetField(FieldPenaltyUntil)
	return nq.Searcher(ctx, r, m, options)
}

// penaltyBits is the bits node of a penaltyQuery.
type penaltyBits struct{ day uint32 }

// eval returns a copy: a conjunction intersects into its first part's bitmap.
func (p penaltyBits) eval(e *bitsEval) (*roaring.Bitmap, error) {
	return e.cols.penaltyFrom(p.day).Clone(), nil
}

// penaltyCache keeps the documents with a penalty public on a day, for the last day asked:
// every request of a day asks for the same one.
type penaltyCache struct {
	mu  sync.Mutex
	day uint32
	bm  *roaring.Bitmap
}

// penaltyFrom returns the documents whose latest public penalty ends on day or later, read
// only (shared by the searches of the day).
func (c *columns) penaltyFrom(day uint32) *roaring.Bitmap {
	pc := &c.penalties
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.bm != nil && pc.day == day {
		return pc.bm
	}
	bm := roaring.New()
	for n, u := range c.penaltyUntil {
		if u != 0 && u >= day {
			bm.Add(uint32(n))
		}
	}
	bm.RunOptimize()
	pc.day, pc.bm = day, bm
	return bm
}

// facetBits are, for each value of a facet column, the documents that have it: a broad
// answer's facets are then a few bitmap intersections instead of a visit to every hit.
type facetBits struct {
	province, active, entityType []*roaring.Bitmap // by value index; nil for index 0 (no value)
	has                          [8]*roaring.Bitmap
}

// buildFacetBits fills c.facets from the facet columns, in one pass in document order.
func (c *columns) buildFacetBits() {
	fb := &c.facets
	of := func(d *dictColumn[uint8]) []*roaring.Bitmap {
		out := make([]*roaring.Bitmap, len(d.values))
		for i := 1; i < len(out); i++ {
			out[i] = roaring.New()
		}
		return out
	}
	fb.province, fb.active, fb.entityType = of(&c.province), of(&c.active), of(&c.entityType)
	for i := range fb.has {
		fb.has[i] = roaring.New()
	}
	add := func(bms []*roaring.Bitmap, v uint8, n uint32) {
		if v != 0 {
			bms[v].Add(n)
		}
	}
	for n := range c.has {
		num := uint64(n)
		add(fb.province, c.province.at(num), uint32(n))
		add(fb.active, c.active.at(num), uint32(n))
		add(fb.entityType, c.entityType.at(num), uint32(n))
		for b := c.has[n]; b != 0; b &= b - 1 {
			fb.has[bits.TrailingZeros8(b)].Add(uint32(n))
		}
	}
	for _, bms := range [][]*roaring.Bitmap{fb.province, fb.active, fb.entityType, fb.has[:]} {
		for _, bm := range bms {
			if bm != nil {
				bm.RunOptimize()
			}
		}
	}
}

// addBits counts the documents of bm, as add would one by one.
func (f *columnFacets) addBits(bm *roaring.Bitmap) {
	fb := &f.cols.facets
	count := func(counts []int, bms []*roaring.Bitmap) {
		for i, v := range bms {
			if v != nil {
				counts[i] += int(bm.AndCardinality(v))
			}
		}
	}
	count(f.province[:], fb.province)
	count(f.active[:], fb.active)
	count(f.entityType[:], fb.entityType)
	count(f.has[:], fb.has[:])
	f.penalty += int(bm.AndCardinality(f.cols.penaltyFrom(f.today)))
}

// denseFacets reports whether the facets of a band of card documents are counted cheaper on
// bitmaps (some fifty intersections of the shard's size) than hit by hit: when the band
// holds one document in sixteen or more, its bitmap is mostly dense containers.
func (c *columns) denseFacets(card uint64) bool {
	if forceDense != 0 {
		return forceDense > 0
	}
	return card >= 4096 && card*16 >= uint64(len(c.has))
}

// forceDense is set only by tests, to take the dense ways (1) or the sparse ones (-1)
// whatever the size of an answer.
var forceDense int

// walkInRank reports whether the best hits of a band of card entities are found cheaper by
// walking the shard's entities in rank order, testing each for membership (about size/d
// steps for a band of density d, each a bitmap lookup), than by visiting every one of the
// band's documents (d times the entities, each a few array reads): when d² > 8·size/entities.
func (b *bestHits) walkInRank(card uint64) bool {
	if forceDense != 0 {
		return forceDense > 0
	}
	n := uint64(len(b.cols.byOrder))
	return n > 0 && card*card >= 8*uint64(b.size)*n
}

// walkBudget is the number of steps a walk in rank order may take through a band of card
// documents; forced dense, a few, so that the tests see walks that stop and hand over.
func walkBudget(card uint64) uint64 {
	if forceDense > 0 {
		return 3
	}
	return card/4 + 64
}

// offerInRank offers the entities of band bm (tier t) in rank order, from the cursor's place
// on, until no later one can be among the best (done), or until it has taken budget steps:
// names that hold a fragment are often longer than most, and so far down the rank order,
// where density says nothing. It returns the place in rank order it stopped at: the entities
// from there on are still to be offered.
func (b *bestHits) offerInRank(t int, bm *roaring.Bitmap, budget uint64) (stop uint64, done bool) {
	p := uint64(0)
	if b.start > tierKey(t, 0) {
		p = b.start - tierKey(t, 0)
	}
	for end := p + budget; p < uint64(len(b.cols.byOrder)); p++ {
		key := tierKey(t, p)
		if len(b.hits) == b.size && b.hits[b.size-1].key < key {
			return p, true
		}
		if p == end {
			return p, false
		}
		if num := b.cols.byOrder[p]; bm.Contains(num) {
			b.offer(key, uint64(num))
		}
	}
	return p, true
}
