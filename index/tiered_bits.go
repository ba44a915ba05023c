package index

import (
	"context"
	"errors"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// A tiered search must look at every document that matches, to count them and to find the
// best by tier and rank. Through Bleve's searchers each of them costs a trip through a term
// searcher, a document match from a pool, the tiered merge and a filter: some 100 ns, and
// several times that when the processor's caches hold other things, as they do between the
// searches of a busy portal. A broad pinyin query ("yibo": 1,800 names) spent most of its time
// there. The posting lists are roaring bitmaps already: tierBits reads them as such and
// answers the bands with bitmap ANDs and ORs, checking the few candidates of a fragment in the
// columns as the searchers do. What is left per document is its place in rank order, read in
// document order.

// bitsNode is a band, or part of one, to evaluate as a bitmap of document numbers.
type bitsNode interface {
	eval(e *bitsEval) (*roaring.Bitmap, error)
}

type (
	termBits struct{ field, term string }
	andBits  []bitsNode
	orBits   []bitsNode
	// checkBits keeps the candidates of a node that pass a check in the columns.
	checkBits struct {
		of   bitsNode
		keep func(num uint64) bool
	}
)

// errNoBits stops an evaluation that cannot be done on bitmaps (a segment type without
// bitmap postings): the search then goes through the searchers.
var errNoBits = errors.New("posting list without a bitmap")

// bitsEval evaluates bits nodes on one shard's index snapshot.
type bitsEval struct {
	segs []*scorch.SegmentSnapshot
	m    mapping.IndexMapping
	cols *columns
	// dicts are each field's term lookups, one per segment, opened once per evaluation: a
	// segment's dictionary costs an allocation and an FST reader to open, and the close tier
	// looks up some twenty terms of one field.
	dicts map[string][]func(term string) (postingList, error)
}

// tierBits returns each band of q on one shard as a bitmap of document numbers, the documents
// of a band that an earlier band matches included; nil if some band is not made of parts
// plan knows, or the shard's postings are not bitmaps.
func tierBits(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, cols *columns, q *tieredQuery) ([]*roaring.Bitmap, error) {
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || cols == nil {
		return nil, nil
	}
	e := &bitsEval{segs: snap.Segments(), m: m, cols: cols}
	plans := make([]bitsNode, len(q.bands))
	for i, b := range q.bands {
		if plans[i] = e.plan(b); plans[i] == nil {
			return nil, nil
		}
	}
	out := make([]*roaring.Bitmap, len(plans))
	for i, p := range plans {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		bm, err := p.eval(e)
		if errors.Is(err, errNoBits) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		out[i] = bm
	}
	return out, nil
}

// plan returns the bits node of q, or nil if q has a part not answerable on bitmaps alone
// (phrases, prefixes, numeric ranges, a pinyin or fragment query of a generation built before
// the fields they need). Each case answers what the query's own Searcher does.
func (e *bitsEval) plan(q query.Query) bitsNode {
	switch q := q.(type) {
	case *query.TermQuery:
		return termBits{q.FieldVal, q.Term}
	case *query.ConjunctionQuery:
		if parts, ok := e.planAll(q.Conjuncts); ok {
			return andBits(parts)
		}
	case *query.DisjunctionQuery:
		if parts, ok := e.planAll(q.Disjuncts); ok && q.Min <= 1 {
			return orBits(parts)
		}
	case *pinyinQuery:
		if len(q.pairs) > 0 && hasField(e.m, "core", q.pairField) {
			if len(q.seq) == 2 {
				return terms(q.pairField, q.pairs)
			}
			return checkBits{terms(q.pairField, q.pairs), q.matches(e.cols)}
		}
		if len(q.seq) > 0 {
			return checkBits{terms(q.field, q.terms), q.matches(e.cols)}
		}
	case *verifiedQuery:
		if q.keys != "" && hasDocValues(e.m, q.keys) {
			return checkBits{terms(q.field, q.terms), q.matches(e.cols)}
		}
	case *penaltyQuery:
		return penaltyBits(*q)
	case bitsPlanner:
		return q.planBits(e)
	}
	return nil
}

// bitsPlanner is a query that plans its own bits node (nil: not on bitmaps).
type bitsPlanner interface {
	planBits(e *bitsEval) bitsNode
}

// planAll plans every query of qs; ok is false if one has no plan.
func (e *bitsEval) planAll(qs []query.Query) (parts []bitsNode, ok bool) {
	for _, c := range qs {
		n := e.plan(c)
		if n == nil {
			return nil, false
		}
		parts = append(parts, n)
	}
	return parts, true
}

// terms is the conjunction of terms of one field.
func terms(field string, ts []string) andBits {
	out := make(andBits, len(ts))
	for i, t := range ts {
		out[i] = termBits{field, t}
	}
	return out
}

// eval reads the term's posting list in every segment, without deleted documents, at the
// segment's offset among the snapshot's document numbers.
func (t termBits) eval(e *bitsEval) (*roaring.Bitmap, error) {
	pls, err := e.postingLists(t)
	if err != nil {
		return nil, err
	}
	return e.union(pls)
}

// postingLists are a term's posting lists, one per segment of the snapshot; Count of each
// tells how common the term is before any is read into a bitmap.
func (e *bitsEval) postingLists(t termBits) ([]postingList, error) {
	lookups, ok := e.dicts[t.field]
	if !ok {
		for _, ss := range e.segs {
			d, err := ss.Segment().Dictionary(t.field)
			if err != nil {
				return nil, err
			}
			lookups = append(lookups, func(term string) (postingList, error) { return d.PostingsList([]byte(term), nil, nil) })
		}
		if e.dicts == nil {
			e.dicts = map[string][]func(string) (postingList, error){}
		}
		e.dicts[t.field] = lookups
	}
	out := make([]postingList, len(e.segs))
	for i, lookup := range lookups {
		pl, err := lookup(t.term)
		if err != nil {
			return nil, err
		}
		out[i] = pl
	}
	return out, nil
}

// postingList is the part of a segment's posting list bitmap evaluation uses.
type postingList interface{ Count() uint64 }

// union ORs posting lists (of one or several terms: len(e.segs) each, in segment order) into
// one bitmap of the snapshot's document numbers, without deleted documents.
func (e *bitsEval) union(pls []postingList) (*roaring.Bitmap, error) {
	out := roaring.New()
	var offset uint64
	for i, pl := range pls {
		ss := e.segs[i%len(e.segs)]
		if i%len(e.segs) == 0 {
			offset = 0
		}
		bits, ok := pl.(interface{ OrInto(*roaring.Bitmap) })
		if !ok {
			return nil, errNoBits
		}
		local := out
		if len(e.segs) > 1 {
			local = roaring.New()
		}
		bits.OrInto(local)
		if del := ss.Deleted(); del != nil {
			local.AndNot(del)
		}
		if len(e.segs) > 1 {
			out.Or(roaring.AddOffset64(local, int64(offset)))
		}
		offset += ss.Segment().Count()
	}
	return out, nil
}

// eval intersects the parts. kind:e, in every band of a search for names, is the columns'
// entities: its posting list holds every entity of the shard and would be copied out of the
// index for every band of every search.
func (a andBits) eval(e *bitsEval) (*roaring.Bitmap, error) {
	var out *roaring.Bitmap
	entities := false
	for _, n := range a {
		if n == (termBits{FieldKind, KindEntity}) && e.cols.entities != nil {
			entities = true
			continue
		}
		if out != nil && out.IsEmpty() {
			return out, nil
		}
		bm, err := n.eval(e)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = bm
		} else {
			out.And(bm)
		}
	}
	switch {
	case out == nil && entities:
		return e.cols.entities.Clone(), nil
	case out == nil:
		return roaring.New(), nil // as Bleve: an empty conjunction matches nothing
	case entities:
		out.And(e.cols.entities)
	}
	return out, nil
}

func (o orBits) eval(e *bitsEval) (*roaring.Bitmap, error) {
	out := roaring.New()
	for _, n := range o {
		bm, err := n.eval(e)
		if err != nil {
			return nil, err
		}
		out.Or(bm)
	}
	return out, nil
}

func (c checkBits) eval(e *bitsEval) (*roaring.Bitmap, error) {
	cand, err := c.of.eval(e)
	if err != nil {
		return nil, err
	}
	out := roaring.New()
	it := cand.Iterator()
	for it.HasNext() {
		if num := it.Next(); c.keep(uint64(num)) {
			out.Add(num)
		}
	}
	return out, nil
}

// collectBits offers the documents of each band that no earlier band matched, as hits of the
// band's tier, and returns their number. A tier is read document by document only for the
// facets, or while its hits can still be among the best; a dense band's facets are counted on
// the facet bitmaps and its best hits found by walking the entities in rank order.
func (b *bestHits) collectBits(ctx context.Context, bands []*roaring.Bitmap, entitiesOnly bool, facets *columnFacets) (uint64, error) {
	seen := roaring.New()
	var total uint64
	buf := make([]uint32, 256)
	for t, bm := range bands {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		if t > 0 {
			bm.AndNot(seen)
		}
		if t < len(bands)-1 {
			seen.Or(bm)
		}
		if entitiesOnly {
			bm.And(b.cols.entities)
		}
		card := bm.GetCardinality()
		total += card
		offer := !b.full(t) && tierKey(t+1, 0) > b.start
		from := uint64(0) // the band's entities before this place in rank order were offered
		if offer && b.walkInRank(card) && b.cols.entities.AndCardinality(bm) == card {
			// A step of the walk costs several times a document's visit: it stops at a
			// quarter of the band's size and leaves the rest to the visit.
			stop, done := b.offerInRank(t, bm, walkBudget(card))
			offer, from = !done, stop
		}
		count := facets // per document, unless the band is dense
		if count != nil && b.cols.denseFacets(card) {
			count.addBits(bm)
			count = nil
		}
		if !offer && count == nil {
			continue
		}
		it := bm.ManyIterator()
		for n := it.NextMany(buf); n > 0; n = it.NextMany(buf) {
			for _, num := range buf[:n] {
				if count != nil {
					count.add(uint64(num))
				}
				if o := uint64(b.cols.orderOf(uint64(num))); offer && o >= from {
					b.offer(tierKey(t, o), uint64(num))
				}
			}
		}
	}
	return total, nil
}
