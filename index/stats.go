package index

import (
	"context"
	"errors"
	"sort"
	"time"

	"github.com/gongshi/gongshi/index/region"
)

// Stats are the headline numbers and chart series of a generation.
type Stats struct {
	Generation string                      `json:"generation"`
	DataDate   string                      `json:"data_date"`
	Entities   int                         `json:"entities"`
	Records    map[RecordType]int          `json:"records"`
	Monthly    map[RecordType][]MonthCount `json:"monthly"`     // entries per month, last 24 months
	Provinces  map[RecordType][]FacetValue `json:"provinces"`   // by province of the subject
	Authority  map[RecordType][]FacetValue `json:"authorities"` // top 10 deciding authorities
	Computed   time.Time                   `json:"computed"`
}

// MonthCount is one bar of a monthly chart.
type MonthCount struct {
	Month string `json:"month"` // YYYY-MM
	Count int    `json:"count"`
}

// Stats returns the statistics shown on the statistics and home pages. They do not depend on
// the request: they are counted from the list tables when the generation opens
// (listStats), and every request reads the same.
func (g *Generation) Stats(context.Context) (*Stats, error) {
	if g.lists == nil || g.lists.stats == nil {
		return nil, errors.New("the generation's statistics were not counted when it opened")
	}
	return g.lists.stats, nil
}

// listStats counts a generation's statistics from its list tables, which hold every record
// of the document store (public or not, as the statistics count them): records per type, per
// month of their date for the 24 months to the data date, per province of the subject's code
// (its third and fourth characters) and per deciding authority, the 10 most frequent.
func listStats(info GenerationInfo, lt *listTables) *Stats {
	st := &Stats{Generation: info.ID, DataDate: info.DataDate, Entities: info.Entities,
		Records: map[RecordType]int{}, Monthly: map[RecordType][]MonthCount{},
		Provinces: map[RecordType][]FacetValue{}, Authority: map[RecordType][]FacetValue{}, Computed: time.Now()}
	from := ""
	if d, err := time.Parse(time.DateOnly, info.DataDate); err == nil {
		from = d.AddDate(0, -23, 0).Format("2006-01")
	}
	for typ, t := range lt.byType {
		st.Records[typ] = len(t.rows)
		// Dates are in list order, newest first, each with the rows up to dateEnd.
		months := map[string]int{}
		start := uint32(0)
		for d, date := range t.dates {
			if date >= from {
				months[date[:min(7, len(date))]] += int(t.dateEnd[d] - start)
			}
			start = t.dateEnd[d]
		}
		for m, n := range months {
			st.Monthly[typ] = append(st.Monthly[typ], MonthCount{Month: m, Count: n})
		}
		sort.Slice(st.Monthly[typ], func(i, j int) bool { return st.Monthly[typ][i].Month < st.Monthly[typ][j].Month })
		provinces := map[string]int{}
		authorities := make([]int, len(t.authorities))
		for i := range t.rows {
			r := &t.rows[i]
			code := lt.codes.at(uint64(r.code))
			provinces[code[min(2, len(code)):min(4, len(code))]]++
			authorities[r.authority]++
		}
		for p, n := range provinces {
			if name := region.Name(p + "0000"); name != "" {
				st.Provinces[typ] = append(st.Provinces[typ], FacetValue{Value: p + "0000", Label: name, Count: n})
			}
		}
		sortFacet(st.Provinces[typ])
		for _, i := range topCounts(authorities, 10) {
			a := t.authorities[i]
			st.Authority[typ] = append(st.Authority[typ], FacetValue{Value: a, Label: a, Count: authorities[i]})
		}
	}
	return st
}

func sortFacet(v []FacetValue) {
	sort.Slice(v, func(i, j int) bool {
		return v[i].Count > v[j].Count || v[i].Count == v[j].Count && v[i].Value < v[j].Value
	})
}
