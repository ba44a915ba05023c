package index

import "math/bits"

// columnFacets counts a search's facets on one shard from its columns, what addFacets asks of
// Bleve's collector: that collector read five doc-value fields of every hit, for a broad
// search tens of thousands, to show the first page.
type columnFacets struct {
	cols                         *columns
	today                        uint32 // yyyymmdd: a penalty public until today or later counts
	province, active, entityType [256]int
	has                          [8]int
	penalty                      int
}

func newColumnFacets(c *columns, today string) *columnFacets {
	return &columnFacets{cols: c, today: uint32(DayNumber(today))}
}

// add counts document num.
func (f *columnFacets) add(num uint64) {
	c := f.cols
	f.province[c.province.at(num)]++
	f.active[c.active.at(num)]++
	f.entityType[c.entityType.at(num)]++
	if num >= uint64(len(c.has)) {
		return
	}
	for b := c.has[num]; b != 0; b &= b - 1 {
		f.has[bits.TrailingZeros8(b)]++
	}
	if u := c.penaltyUntil[num]; u != 0 && u >= f.today {
		f.penalty++
	}
}

// addTo adds the counts to fc by facet and value.
func (f *columnFacets) addTo(fc facetCounts) {
	c := f.cols
	for i, v := range c.province.values {
		fc.add("region", v, f.province[i])
	}
	for i, v := range c.active.values {
		fc.add("status", activeValue[v], f.active[i])
	}
	for i, v := range c.entityType.values {
		fc.add("type", v, f.entityType[i])
	}
	for i, hv := range HasValues {
		if i < len(f.has) {
			fc.add("has", hv.Value, f.has[i])
		}
	}
	fc.add("has", HasPenalty, f.penalty)
}
