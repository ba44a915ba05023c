package index

import (
	"context"
	"sort"
	"sync"
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

type statsCache struct {
	mu    sync.Mutex
	stats *Stats
}

var statsByGeneration sync.Map // *Generation → *statsCache

// Stats computes (once per generation) the statistics shown on the statistics page.
func (g *Generation) Stats(ctx context.Context) (*Stats, error) {
	c, _ := statsByGeneration.LoadOrStore(g, &statsCache{})
	sc := c.(*statsCache)
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.stats != nil {
		return sc.stats, nil
	}
	// Computed without the caller's deadline: a visitor closing the tab must not leave a
	// failure behind, and only a success is kept.
	st, err := g.computeStats(context.WithoutCancel(ctx))
	if err == nil {
		sc.stats = st
	}
	return st, err
}

func (g *Generation) computeStats(ctx context.Context) (*Stats, error) {
	st := &Stats{Generation: g.Info.ID, DataDate: g.Info.DataDate, Entities: g.Info.Entities,
		Records: map[RecordType]int{}, Monthly: map[RecordType][]MonthCount{},
		Provinces: map[RecordType][]FacetValue{}, Authority: map[RecordType][]FacetValue{}, Computed: time.Now()}
	db := g.Docs.db
	from := ""
	if d, err := time.Parse(time.DateOnly, g.Info.DataDate); err == nil {
		from = d.AddDate(0, -23, 0).Format("2006-01")
	}
	rows, err := db.QueryContext(ctx, `SELECT type, substr(date, 1, 7) AS m, count(*) FROM records WHERE date >= ? GROUP BY type, m ORDER BY type, m`, from)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t string
		var mc MonthCount
		if err := rows.Scan(&t, &mc.Month, &mc.Count); err != nil {
			rows.Close()
			return nil, err
		}
		st.Monthly[RecordType(t)] = append(st.Monthly[RecordType(t)], mc)
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT type, substr(entity_code, 3, 2) AS p, count(*) FROM records GROUP BY type, p`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t, p string
		var n int
		if err := rows.Scan(&t, &p, &n); err != nil {
			rows.Close()
			return nil, err
		}
		st.Records[RecordType(t)] += n
		if name := region.Name(p + "0000"); name != "" {
			st.Provinces[RecordType(t)] = append(st.Provinces[RecordType(t)], FacetValue{Value: p + "0000", Label: name, Count: n})
		}
	}
	rows.Close()
	rows, err = db.QueryContext(ctx, `SELECT type, json_extract(doc, '$.authority') AS a, count(*) AS n FROM records GROUP BY type, a`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var t string
		var a *string
		var n int
		if err := rows.Scan(&t, &a, &n); err != nil {
			rows.Close()
			return nil, err
		}
		if a != nil && *a != "" {
			st.Authority[RecordType(t)] = append(st.Authority[RecordType(t)], FacetValue{Value: *a, Label: *a, Count: n})
		}
	}
	rows.Close()
	for t := range st.Provinces {
		sortFacet(st.Provinces[t])
	}
	for t, v := range st.Authority {
		sortFacet(v)
		if len(v) > 10 {
			st.Authority[t] = v[:10]
		}
	}
	return st, rows.Err()
}

func sortFacet(v []FacetValue) {
	sort.Slice(v, func(i, j int) bool {
		return v[i].Count > v[j].Count || v[i].Count == v[j].Count && v[i].Value < v[j].Value
	})
}
