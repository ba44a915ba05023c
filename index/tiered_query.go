package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// tieredQuery matches what any of its bands matches, and a hit's tier is the first band that
// matches it. One search then ranks every tier at once (by tier, then rank), instead of one
// search per tier, each repeating the earlier tiers as exclusions: a full name used to open
// some forty posting lists per shard, now fourteen.
//
// entitiesOnly keeps entity documents only, checked in the shard's columns (records have no
// rank there) rather than by a conjunction with kind:e in every band: that conjunction advanced
// the million-posting kind list once per hit, and was a third of a broad search.
type tieredQuery struct {
	bands        []query.Query
	entitiesOnly bool
}

// Searcher implements query.Query.
func (q *tieredQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	opts := options
	opts.Score, opts.IncludeTermVectors, opts.Explain = "none", false, false
	s := &tieredSearcher{children: make([]search.Searcher, 0, len(q.bands))}
	for tier, b := range q.bands {
		for _, part := range disjuncts(b) {
			c, err := part.Searcher(ctx, r, m, opts)
			if err != nil {
				s.Close()
				return nil, err
			}
			s.children = append(s.children, c)
			s.tiers = append(s.tiers, tier)
		}
	}
	s.currs = make([]*search.DocumentMatch, len(s.children))
	if !q.entitiesOnly {
		return s, nil
	}
	cols := columnsFrom(ctx)
	if cols == nil {
		s.Close()
		entities := &tieredQuery{}
		for _, b := range q.bands {
			entities.bands = append(entities.bands, query.NewConjunctionQuery([]query.Query{b, termQ(KindEntity, FieldKind, 0)}))
		}
		return entities.Searcher(ctx, r, m, options)
	}
	return searcher.NewFilteringSearcher(ctx, s, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		return cols.isEntity(d.IndexInternalID.Value())
	}), nil
}

// disjuncts returns the parts of a band that is a disjunction, each a child of the tiered
// searcher with the band's tier, or the band itself: a broad pinyin band is such a
// disjunction (one part per way to split the letters into syllables), and merging its parts
// in Bleve's disjunction searcher before merging the bands cost a tenth of the search.
func disjuncts(band query.Query) []query.Query {
	d, ok := band.(*query.DisjunctionQuery)
	if !ok || d.Min > 1 || len(d.Disjuncts) == 0 {
		return []query.Query{band}
	}
	var out []query.Query
	for _, part := range d.Disjuncts {
		out = append(out, disjuncts(part)...)
	}
	return out
}

// tieredSearcher is a disjunction that remembers the tier of the first child that matched.
// Children are in tier order; several may share a tier. The tier travels to the sort in the
// hit's score (searches are unscored otherwise).
type tieredSearcher struct {
	children []search.Searcher
	tiers    []int // of each child
	currs    []*search.DocumentMatch
	started  bool
}

func (s *tieredSearcher) start(ctx *search.SearchContext) error {
	s.started = true
	for i, c := range s.children {
		d, err := c.Next(ctx)
		if err != nil {
			return err
		}
		s.currs[i] = d
	}
	return nil
}

// Next returns the lowest document any child is on, its tier that of the first child on it,
// and moves every child on it forward.
func (s *tieredSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	first := -1
	for i, d := range s.currs {
		if d != nil && (first < 0 || d.IndexInternalID.Compare(s.currs[first].IndexInternalID) < 0) {
			first = i
		}
	}
	if first < 0 {
		return nil, nil
	}
	rv := s.currs[first]
	for i := range s.currs {
		d := s.currs[i]
		if d == nil || (i != first && !d.IndexInternalID.Equals(rv.IndexInternalID)) {
			continue
		}
		if i != first {
			ctx.DocumentMatchPool.Put(d)
		}
		next, err := s.children[i].Next(ctx)
		if err != nil {
			return nil, err
		}
		s.currs[i] = next
	}
	rv.Score = float64(s.tiers[first])
	return rv, nil
}

// Advance moves to the first document at or after id.
func (s *tieredSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	if !s.started {
		if err := s.start(ctx); err != nil {
			return nil, err
		}
	}
	for i, d := range s.currs {
		if d != nil && d.IndexInternalID.Compare(id) >= 0 {
			continue
		}
		if d != nil {
			ctx.DocumentMatchPool.Put(d)
		}
		next, err := s.children[i].Advance(ctx, id)
		if err != nil {
			return nil, err
		}
		s.currs[i] = next
	}
	return s.Next(ctx)
}

func (s *tieredSearcher) Close() error {
	var first error
	for _, c := range s.children {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

func (s *tieredSearcher) Weight() float64      { return 0 }
func (s *tieredSearcher) SetQueryNorm(float64) {}
func (s *tieredSearcher) Min() int             { return 0 }
func (s *tieredSearcher) Size() int            { return 64 + 16*len(s.children) }

func (s *tieredSearcher) Count() uint64 {
	var n uint64
	for _, c := range s.children {
		n += c.Count()
	}
	return n
}

func (s *tieredSearcher) DocumentMatchPoolSize() int {
	n := len(s.children)
	for _, c := range s.children {
		n += c.DocumentMatchPoolSize()
	}
	return n
}

// tierDigits are the tiers' sort values (see tierValue).
var tierDigits = [...]string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}

var _ search.Searcher = (*tieredSearcher)(nil)
