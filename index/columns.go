package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
)

// columns hold, for one shard and by Bleve document number, what a search reads for every
// candidate: the letters and digits of the folded name and former names (to check fragments)
// and the rank (to order hits). Bleve keeps them as doc values in snappy-compressed chunks of
// 1,024 documents; a broad fragment's hits are spread over every chunk, and profiling showed
// half the time of such a search in decompressing them, once for the check and once for the
// sort. In memory they cost about 60 bytes per entity and an array access per hit.
//
// Document numbers are stable because a generation's shards are opened read-only and never
// change after the build.
type columns struct {
	names  textColumn          // "" for record documents
	rank   textColumn          // "" for record documents
	core   textColumn          // the name without legal forms, as the pinyin fields are indexed
	former map[uint64][]string // the few entities with former names
}

// textColumn is a string per document number, stored as one string and end offsets: nothing
// for the garbage collector to scan, whatever the number of documents.
type textColumn struct {
	buf string
	end []uint32
}

func (t *textColumn) at(n uint64) string {
	if n >= uint64(len(t.end)) {
		return ""
	}
	start := uint32(0)
	if n > 0 {
		start = t.end[n-1]
	}
	return t.buf[start:t.end[n]]
}

// has reports whether document n has a non-empty value.
func (t *textColumn) has(n uint64) bool {
	if n >= uint64(len(t.end)) {
		return false
	}
	return n == 0 && t.end[0] > 0 || n > 0 && t.end[n] > t.end[n-1]
}

// isEntity reports whether document n is an entity: only entities have a rank.
func (c *columns) isEntity(n uint64) bool { return c.rank.has(n) }

// columnBuilder appends values in document-number order.
type columnBuilder struct {
	b   strings.Builder
	end []uint32
}

func (cb *columnBuilder) set(n uint64, v string) {
	for uint64(len(cb.end)) < n {
		cb.end = append(cb.end, uint32(cb.b.Len())) // documents without a value
	}
	cb.b.WriteString(v)
	cb.end = append(cb.end, uint32(cb.b.Len()))
}

func (cb *columnBuilder) column() textColumn {
	return textColumn{buf: cb.b.String(), end: slices.Clip(cb.end)}
}

type columnsKey struct{}

// withColumns passes a shard's columns to the queries of a search on that shard.
func withColumns(ctx context.Context, c *columns) context.Context {
	return context.WithValue(ctx, columnsKey{}, c)
}

func columnsFrom(ctx context.Context) *columns {
	c, _ := ctx.Value(columnsKey{}).(*columns)
	return c
}

// loadColumns reads the columns of one shard from its doc values.
func loadColumns(ix bleve.Index) (*columns, error) {
	adv, err := ix.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	ids, err := r.DocIDReaderAll()
	if err != nil {
		return nil, err
	}
	defer ids.Close()
	dv, err := r.DocValueReader([]string{FieldNameKey, FieldFormerKey, FieldRank})
	if err != nil {
		return nil, err
	}
	c := &columns{former: map[uint64][]string{}}
	var names, rank, core columnBuilder
	for {
		id, err := ids.Next()
		if err != nil {
			return nil, err
		}
		if id == nil {
			break
		}
		num := id.Value()
		if uint64(len(names.end)) > num {
			return nil, fmt.Errorf("document numbers out of order at %d", num)
		}
		var name, rk, key string
		err = dv.VisitDocValues(id, func(field string, term []byte) {
			switch field {
			case FieldNameKey:
				key = string(term)
				name = lettersDigits(key)
			case FieldRank:
				rk = string(term)
			case FieldFormerKey:
				c.former[num] = append(c.former[num], lettersDigits(string(term)))
			}
		})
		if err != nil {
			return nil, err
		}
		names.set(num, name)
		rank.set(num, rk)
		if key != "" {
			core.set(num, coreOf(key))
		}
		if uint64(max(names.b.Len(), rank.b.Len(), core.b.Len())) > math.MaxUint32 {
			return nil, fmt.Errorf("a shard's search columns passed 4 GiB at document %d: build the generation with more shards", num)
		}
	}
	c.names, c.rank, c.core = names.column(), rank.column(), core.column()
	return c, nil
}

// check reports whether document num's name (former: a former name) holds needle, or
// starts with it.
func (c *columns) check(num uint64, former, prefix bool, needle string) bool {
	match := strings.Contains
	if prefix {
		match = strings.HasPrefix
	}
	if !former {
		return match(c.names.at(num), needle)
	}
	for _, f := range c.former[num] {
		if match(f, needle) {
			return true
		}
	}
	return false
}

// rankOrder is the rank sort read from the columns instead of doc values.
type rankOrder struct{ c *columns }

func (rankOrder) UpdateVisitor(string, []byte) {}
func (o rankOrder) Value(d *search.DocumentMatch) string {
	if r := o.c.rank.at(d.IndexInternalID.Value()); r != "" {
		return r
	}
	return "\uffff" // not an entity: after every entity
}
func (rankOrder) DecodeValue(v string) string { return v }
func (rankOrder) Descending() bool            { return false }
func (rankOrder) RequiresDocID() bool         { return false }
func (rankOrder) RequiresScoring() bool       { return false }
func (rankOrder) RequiresFields() []string    { return nil }
func (rankOrder) Reverse()                    {}
func (o rankOrder) Copy() search.SearchSort   { return o }

// tierRankField names the sort of a tiered search: tier, then rank (see tierRankOrder).
const tierRankField = "_tier_rank"

// sortByColumns returns the in-memory sort that replaces a request's sort on a shard, or nil.
func sortByColumns(req *bleve.SearchRequest, c *columns) search.SearchSort {
	if len(req.Sort) != 1 {
		return nil
	}
	f, ok := req.Sort[0].(*search.SortField)
	switch {
	case !ok || f.Desc:
		return nil
	case f.Field == FieldRank:
		return rankOrder{c}
	case f.Field == tierRankField:
		return tierRankOrder{c}
	}
	return nil
}

// search runs a request on every shard at once, each with its columns, and merges the
// results as an alias would: totals and facets added, hits in sort order, cut to the size.
// A generation without columns searches through its alias.
func (g *Generation) search(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	if g.cols == nil {
		return g.Alias.SearchInContext(ctx, req)
	}
	byRank := sortByColumns(req, g.cols[0]) != nil
	results := make([]*bleve.SearchResult, len(g.shards))
	errs := make([]error, len(g.shards))
	var wg sync.WaitGroup
	for i, sh := range g.shards {
		r := *req
		if byRank {
			r.Sort = search.SortOrder{sortByColumns(req, g.cols[i])}
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = sh.SearchInContext(withColumns(ctx, g.cols[i]), &r)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := results[0]
	for _, r := range results[1:] {
		out.Merge(r)
	}
	if byRank {
		slices.SortFunc(out.Hits, func(a, b *search.DocumentMatch) int { return strings.Compare(a.Sort[0], b.Sort[0]) })
	}
	if len(out.Hits) > req.Size {
		out.Hits = out.Hits[:req.Size]
	}
	out.Request = req
	return out, nil
}

var _ search.SearchSort = rankOrder{}
