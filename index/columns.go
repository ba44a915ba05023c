package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/numeric"
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
	names textColumn // "" for record documents
	rank  textColumn // "" for record documents
	// order is document n's place among the shard's entities sorted by rank, noOrder for a
	// record; byOrder is the document at each place. A search compares and filters its hits
	// by order: one 4-byte read per hit instead of two offsets, the rank's bytes and a string
	// comparison, and for a broad search's thousands of hits spread over the whole shard each
	// of those reads is a cache miss.
	order, byOrder []uint32
	entities       *roaring.Bitmap     // the documents with an order: kind:e, as a bitmap
	core           textColumn          // the name without legal forms, as the pinyin fields are indexed
	former         map[uint64][]string // the few entities with former names

	// A hit's badges: has holds bit i when the document has HasValues[i]; penaltyUntil is
	// the last day (yyyymmdd) of its latest public penalty, 0 for none. Reading them here
	// rather than as stored fields spares a document fetch for every hit shown.
	has          []uint8
	penaltyUntil []uint32

	// What the facets of a search count, besides has and penaltyUntil.
	province, active, entityType dictColumn[uint8]
	// facets are the documents of each facet value, penalties those with a public penalty
	// on the last day asked (see engine_bits.go).
	facets    facetBits
	penalties penaltyCache

	cards *cardColumns // nil when the document store has no entity cards
}

// dictColumn is a field with few distinct values (provinces, entity types, statuses,
// regions): a small integer per document, an index into values. values[0] is "", for
// documents without the field.
type dictColumn[T uint8 | uint16] struct {
	values   []string
	of       []T
	index    map[string]T // while loading
	overflow bool         // a value past the last index T holds was read as missing
}

// code returns the index of value v, adding it if new; a value past the last distinct one
// T can count counts as missing (0), and sets overflow.
func (d *dictColumn[T]) code(v []byte) T {
	if d.index == nil {
		d.values, d.index = []string{""}, map[string]T{"": 0}
	}
	i, ok := d.index[string(v)]
	if !ok {
		if uint64(len(d.values)) > uint64(^T(0)) {
			d.overflow = true
			return 0
		}
		i = T(len(d.values))
		d.index[string(v)] = i
		d.values = append(d.values, string(v))
	}
	return i
}

// set appends document n's value index.
func (d *dictColumn[T]) set(n uint64, i T) {
	d.of = append(d.of, make([]T, int(n)-len(d.of))...)
	d.of = append(d.of, i)
}

func (d *dictColumn[T]) done() {
	d.of, d.index = exact(d.of), nil
}

func (d *dictColumn[T]) at(n uint64) T {
	if n >= uint64(len(d.of)) {
		return 0
	}
	return d.of[n]
}

// value returns document n's value.
func (d *dictColumn[T]) value(n uint64) string {
	if len(d.values) == 0 {
		return ""
	}
	return d.values[d.at(n)]
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
func (c *columns) isEntity(n uint64) bool { return c.orderOf(n) != noOrder }

// noOrder is the order of a record document: after every entity.
const noOrder = math.MaxUint32

// orderOf returns document n's place in rank order, noOrder for a record.
func (c *columns) orderOf(n uint64) uint32 {
	if n >= uint64(len(c.order)) {
		return noOrder
	}
	return c.order[n]
}

// orderAfter returns the first place whose entity's rank sorts after rank, len(byOrder) if
// none does, and one past noOrder for the rank of records ("\uffff"), which nothing follows.
func (c *columns) orderAfter(rank string) uint64 {
	if rank >= recordRank {
		return noOrder + 1
	}
	i, _ := slices.BinarySearchFunc(c.byOrder, rank, func(n uint32, r string) int {
		if c.rank.at(uint64(n)) <= r {
			return -1
		}
		return 1
	})
	return uint64(i)
}

// recordRank is the rank sort value of a record document: after every entity.
const recordRank = "\uffff"

// rankOrders sorts a shard's entities by rank: the order and byOrder columns.
func rankOrders(rank textColumn) (order, byOrder []uint32) {
	order = make([]uint32, len(rank.end))
	for n := range order {
		if rank.has(uint64(n)) {
			byOrder = append(byOrder, uint32(n))
		}
	}
	slices.SortFunc(byOrder, func(a, b uint32) int {
		return strings.Compare(rank.at(uint64(a)), rank.at(uint64(b)))
	})
	for n := range order {
		order[n] = noOrder
	}
	for i, n := range byOrder {
		order[n] = uint32(i)
	}
	return order, exact(byOrder)
}

// columnBuilder appends values in document-number order.
type columnBuilder struct {
	b   strings.Builder
	end []uint32
}

func (cb *columnBuilder) set(n uint64, v string) {
	cb.pad(n)
	cb.b.WriteString(v)
	cb.end = append(cb.end, uint32(cb.b.Len()))
}

func (cb *columnBuilder) setBytes(n uint64, v []byte) {
	cb.pad(n)
	cb.b.Write(v)
	cb.end = append(cb.end, uint32(cb.b.Len()))
}

// pad ends the documents before n without a value.
func (cb *columnBuilder) pad(n uint64) {
	for uint64(len(cb.end)) < n {
		cb.end = append(cb.end, uint32(cb.b.Len()))
	}
}

func (cb *columnBuilder) column() textColumn {
	return textColumn{buf: strings.Clone(cb.b.String()), end: exact(cb.end)}
}

// exact returns s in an array of its length: columns are built by appending, which leaves
// up to half of an array unused, and they live as long as their generation.
func exact[T any](s []T) []T {
	if len(s) == cap(s) {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
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
	dv, err := r.DocValueReader([]string{FieldNameKey, FieldFormerKey, FieldRank, FieldHas, FieldPenaltyUntil,
		FieldProvince, FieldActive, FieldEntityType})
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
		var has, prov, active, etype uint8
		var until uint32
		err = dv.VisitDocValues(id, func(field string, term []byte) {
			switch field {
			case FieldProvince:
				prov = c.province.code(term)
			case FieldActive:
				active = c.active.code(term)
			case FieldEntityType:
				etype = c.entityType.code(term)
			case FieldHas:
				has |= hasBit(string(term))
			case FieldPenaltyUntil:
				if v, ok := dayOfPrefixCoded(term); ok {
					until = v
				}
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
		c.has = append(c.has, make([]uint8, int(num)-len(c.has))...)
		c.penaltyUntil = append(c.penaltyUntil, make([]uint32, int(num)-len(c.penaltyUntil))...)
		c.has, c.penaltyUntil = append(c.has, has), append(c.penaltyUntil, until)
		c.province.set(num, prov)
		c.active.set(num, active)
		c.entityType.set(num, etype)
		if key != "" {
			core.set(num, coreOf(key))
		}
		if uint64(max(names.b.Len(), rank.b.Len(), core.b.Len())) > math.MaxUint32 {
			return nil, fmt.Errorf("a shard's search columns passed 4 GiB at document %d: build the generation with more shards", num)
		}
	}
	c.names, c.rank, c.core = names.column(), rank.column(), core.column()
	c.order, c.byOrder = rankOrders(c.rank)
	c.entities = roaring.New()
	for _, n := range c.byOrder {
		c.entities.Add(n)
	}
	c.entities.RunOptimize()
	c.has, c.penaltyUntil = exact(c.has), exact(c.penaltyUntil)
	c.province.done()
	c.active.done()
	c.entityType.done()
	c.buildFacetBits()
	return c, nil
}

// hasBit is the bit of a has value in columns.has, 0 for an unknown value.
func hasBit(v string) uint8 {
	for i, hv := range HasValues {
		if hv.Value == v && i < 8 {
			return 1 << i
		}
	}
	return 0
}

// dayOfPrefixCoded decodes a numeric field's full-precision doc value term (Bleve also keeps
// shifted, less precise terms of the same value: those are skipped).
func dayOfPrefixCoded(term []byte) (uint32, bool) {
	pc := numeric.PrefixCoded(term)
	if shift, err := pc.Shift(); err != nil || shift != 0 {
		return 0, false
	}
	i, err := pc.Int64()
	if err != nil {
		return 0, false
	}
	f := numeric.Int64ToFloat64(i)
	if f <= 0 || f > math.MaxUint32 {
		return 0, false
	}
	return uint32(f), true
}

// badgeFields are the stored fields a search of a generation without columns asks for to
// show badges (see badges); with columns, badgeFieldsOf answers them.
var badgeFields = []string{FieldHas, FieldPenaltyUntil}

// badgeFieldsOf returns document num's badge fields as a stored-field load would.
func (c *columns) badgeFieldsOf(num uint64) map[string]any {
	out := map[string]any{}
	if num >= uint64(len(c.has)) {
		return out
	}
	if b := c.has[num]; b != 0 {
		var vals []any
		for i, hv := range HasValues {
			if i < 8 && b&(1<<i) != 0 {
				vals = append(vals, hv.Value)
			}
		}
		out[FieldHas] = vals
	}
	if u := c.penaltyUntil[num]; u != 0 {
		out[FieldPenaltyUntil] = float64(u)
	}
	return out
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
	return recordRank
}
func (rankOrder) DecodeValue(v string) string { return v }
func (rankOrder) Descending() bool            { return false }
func (rankOrder) RequiresDocID() bool         { return false }
func (rankOrder) RequiresScoring() bool       { return false }
func (rankOrder) RequiresFields() []string    { return nil }
func (rankOrder) Reverse()                    {}
func (o rankOrder) Copy() search.SearchSort   { return o }

// sortByColumns returns the in-memory sort that replaces a request's sort on a shard, or nil
// if some part of it is not in the columns. Its values are slices of the rank column: sorting
// a broad search's thousands of hits allocates nothing.
func sortByColumns(req *bleve.SearchRequest, c *columns) search.SortOrder {
	if len(req.Sort) == 0 {
		return nil
	}
	out := make(search.SortOrder, 0, len(req.Sort))
	for _, s := range req.Sort {
		f, ok := s.(*search.SortField)
		if !ok || f.Desc || f.Field != FieldRank {
			return nil
		}
		out = append(out, rankOrder{c})
	}
	return out
}

// compareSort orders hits merged from several shards by their sort values.
func compareSort(a, b *search.DocumentMatch) int {
	for i := range min(len(a.Sort), len(b.Sort)) {
		if c := strings.Compare(a.Sort[i], b.Sort[i]); c != 0 {
			return c
		}
	}
	return 0
}

// search runs a request on every shard at once, each with its columns, and merges the
// results as an alias would: totals and facets added, hits in sort order, cut to the size.
// A generation without columns searches through its alias.
func (g *Generation) search(ctx context.Context, req *bleve.SearchRequest) (*bleve.SearchResult, error) {
	if g.cols == nil {
		return g.Alias.SearchInContext(ctx, req)
	}
	byColumns := sortByColumns(req, g.cols[0]) != nil
	results := make([]*bleve.SearchResult, len(g.shards))
	errs := make([]error, len(g.shards))
	var wg sync.WaitGroup
	for i, sh := range g.shards {
		r := *req
		if byColumns {
			r.Sort = sortByColumns(req, g.cols[i])
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
	if byColumns {
		slices.SortStableFunc(out.Hits, compareSort)
	}
	if len(out.Hits) > req.Size {
		out.Hits = out.Hits[:req.Size]
	}
	out.Request = req
	return out, nil
}

var _ search.SearchSort = rankOrder{}
