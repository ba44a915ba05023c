package index

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/gongshi/gongshi/index/region"
)

// TestStatsAreTheStoresCounts compares the statistics counted from the list tables when a
// generation opens with the same statistics counted by SQL over its document store.
func TestStatsAreTheStoresCounts(t *testing.T) {
	dir := t.TempDir()
	writeListCorpus(t, dir, 2000)
	ne, nr, err := BuildShards(context.Background(), dir, BuildOptions{Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, date := range []string{"2026-11-22", "2025-06-30", ""} {
		if err := WriteInfo(dir, GenerationInfo{ID: "stats", Shards: 2, Entities: ne, Records: nr, DataDate: date}); err != nil {
			t.Fatal(err)
		}
		g, err := OpenGeneration(dir)
		if err != nil {
			t.Fatal(err)
		}
		got, err := g.Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want, err := sqlStats(context.Background(), g)
		if err != nil {
			t.Fatal(err)
		}
		g.Close()
		if got.Entities != 2000 || got.Records[TypePenalty] == 0 || len(got.Monthly[TypePenalty]) == 0 || len(got.Authority[TypePenalty]) != 10 {
			t.Errorf("data date %q: too little to compare: %+v", date, got)
		}
		got.Computed, want.Computed = time.Time{}, time.Time{}
		for _, part := range []struct {
			name      string
			got, want any
		}{
			{"records", got.Records, want.Records}, {"monthly", got.Monthly, want.Monthly},
			{"provinces", got.Provinces, want.Provinces}, {"authorities", got.Authority, want.Authority},
			{"whole", got, want},
		} {
			if !reflect.DeepEqual(part.got, part.want) {
				t.Errorf("data date %q: %s\n from the tables %v\n from SQL        %v", date, part.name, part.got, part.want)
			}
		}
	}
}

// sqlStats is the test oracle of listStats: the statistics counted by SQL over the
// document store's records, as they were before the list tables counted them.
func sqlStats(ctx context.Context, g *Generation) (*Stats, error) {
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
