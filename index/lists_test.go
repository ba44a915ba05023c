package index

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// listCorpus is a generated generation for list tests: entities in several provinces and
// cities, with names in simplified, traditional, full-width and Latin spellings, and records
// of every type with dates that tie, publication ends around the searcher's today
// (2026-11-22), removals, authorities with and without a value, and records whose subject is
// not in the register.
type listCorpus struct {
	codes  []string                // entity codes, in the order generated
	byType map[RecordType][]string // record ids
	orphan string                  // the code of a subject without an entity
}

var (
	listRegions     = []string{"350102", "350103", "350203", "350100", "500103", "110105", "440305", "990101"}
	listPlaces      = []string{"福州", "厦门", "重庆", "北京", "深圳", "福建"}
	listCores       = []string{"华威", "華威", "华为技术", "長江物流", "新材料", "ＡＢＣ", "abc ", "3D打印", "３Ｄ打印", "安泰贸易", "绿源", "志博", "宏志百货", "乾博市政", "银行"}
	listForms       = []string{"有限公司", "科技有限公司", "（福建）有限公司", "股份有限公司", "分公司", "小吃店"}
	listAuthorities = []string{"", "福州市市场监督管理局", "厦门市市场监督管理局", "重庆市市场监督管理局", "北京市朝阳区市场监督管理局",
		"深圳市市场监督管理局", "福建省市场监督管理局", "福州市中级人民法院", "厦门市思明区人民法院", "重庆市第一中级人民法院",
		"国家税务总局福州市税务局", "福州市生态环境局", "福州市应急管理局", "厦门市交通运输局", "福州市鼓楼区市场监督管理局",
		"福州市台江区市场监督管理局", "福州市仓山区市场监督管理局", "福州市晋安区市场监督管理局", "福建省药品监督管理局"}
	// listDays are few, so that records share dates and their ids decide the order.
	listDays = []string{"2019-03-01", "2020-07-15", "2021-12-31", "2023-01-01", "2024-02-29", "2024-06-30", "2025-01-01", "2025-11-22", "2026-11-21", "2026-11-22"}
	// listUntil are publication ends around the searcher's today, 2026-11-22.
	listUntil = []string{"", "", "", "2023-01-01", "2026-11-21", "2026-11-22", "2026-11-23", "2029-12-31"}
)

var listTypes = []RecordType{TypeBlacklist, TypeAbnormal, TypeDishonestDebtor, TypePenalty, TypeLicense, TypeSpotCheck, TypeRedlist}

// writeListCorpus writes entities entities and their records into a document store in dir.
func writeListCorpus(t testing.TB, dir string, entities int) listCorpus {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, uint64(entities)))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	c := listCorpus{byType: map[RecordType][]string{}}
	writeDocStore(t, dir, func(w *DocWriter) {
		put := func(code, name, region string, seq int) {
			for k := rng.IntN(5); k > 0; k-- {
				r := &Record{Type: listTypes[rng.IntN(len(listTypes))], EntityCode: code, EntityName: name, Date: pick(listDays),
					PublicUntil: pick(listUntil), Authority: pick(listAuthorities), Fields: map[string]string{"n": fmt.Sprint(seq, k)}}
				if rng.IntN(9) == 0 {
					r.EntityName = name + "（原）" // published under another spelling than the register's
				}
				if r.Type.HasListState() && rng.IntN(3) == 0 {
					r.Removed = "2026-01-01"
				}
				r.ID = RecordID(r.Type, code, r.Date, fmt.Sprint(seq, k))
				if err := w.PutRecord(r); err != nil {
					t.Fatal(err)
				}
				c.byType[r.Type] = append(c.byType[r.Type], r.ID)
			}
		}
		for i := range entities {
			region := pick(listRegions)
			first17 := fmt.Sprintf("91%sMA%07d", region, i)
			code := code(t, first17)
			name := pick(listPlaces) + pick(listCores) + pick(listForms)
			if err := w.PutEntity(&Entity{Code: code, Name: name, Status: "存续", Region: region, Fields: map[string]string{}}); err != nil {
				t.Fatal(err)
			}
			c.codes = append(c.codes, code)
			put(code, name, region, i)
		}
		// Subjects the register does not hold: their records have no region.
		c.orphan = code(t, "91350102MA9999999")
		for i := range max(entities/50, 1) {
			put(c.orphan, "无登记"+pick(listCores)+"商行", "", entities+i)
		}
	})
	return c
}

// listSearcher builds a generation of a list corpus and serves it.
func listSearcher(t testing.TB, entities int) (*Searcher, listCorpus) {
	t.Helper()
	dir := t.TempDir()
	c := writeListCorpus(t, dir, entities)
	return buildAndServe(t, dir, "lists"), c
}

// BenchmarkList pages through lists as the list pages do: the first page with facets,
// the next with a cursor, and filtered pages.
func BenchmarkList(b *testing.B) {
	s, _ := listSearcher(b, 3000)
	ctx := context.Background()
	first, err := s.List(ctx, ListRequest{Type: TypePenalty, Facets: true})
	if err != nil || first.NextCursor == "" {
		b.Fatal(first, err)
	}
	for _, bc := range []struct {
		name string
		r    ListRequest
	}{
		{"first-page", ListRequest{Type: TypeBlacklist, Facets: true}},
		{"penalties", ListRequest{Type: TypePenalty, Facets: true}},
		{"next-page", ListRequest{Type: TypePenalty, Facets: true, Cursor: first.NextCursor}},
		{"region-year", ListRequest{Type: TypePenalty, Facets: true, Region: "3501", Year: "2024"}},
		{"name", ListRequest{Type: TypePenalty, Facets: true, Name: "华威"}},
		{"name-state", ListRequest{Type: TypeAbnormal, Facets: true, Name: "物流", State: "current"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.List(ctx, bc.r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// recordListFields reads what encoding/json reads of a record document, whatever the
// document's key order, spacing and escapes.
func TestRecordListFields(t *testing.T) {
	docs := []string{
		`{"id":"blacklist-1","type":"blacklist","entity_code":"9135","entity_name":"a","date":"2025-01-01","public_until":"2026-01-01","removed":"2025-01-01","authority":"局"}`,
		` { "fields" : {"authority":"not this","x":[1,{"removed":"no"}]}, "authority" : "局\"A\u0026B\\", "entity_name":"华威\u2028" } `,
		`{"id":"x","n":12.5e3,"ok":true,"nothing":null,"list":[],"obj":{},"entity_name":""}`,
		`{}`,
		`{"authority":null,"entity_name":7,"removed":["x"]}`,
	}
	for _, name := range []string{"A&B <公司> \"引号\" \\ \u2028", "華威（福建）"} {
		b, err := json.Marshal(&Record{ID: "penalty-1", Type: TypePenalty, EntityCode: "9135", Date: "2025-01-01", EntityName: name, Authority: name, PublicUntil: "2027-01-01",
			Fields: map[string]string{"authority": "other", "entity_name": "other"}})
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(b))
	}
	for _, doc := range docs {
		checkRecordListFields(t, []byte(doc))
	}
	for _, bad := range []string{``, `[]`, `{"a"}`, `{"entity_name":"x`, `{"a":1`, `{"a":{"b":"c"}`, `{"a":1 "b":2}`} {
		if _, err := recordListFields([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func checkRecordListFields(t *testing.T, doc []byte) {
	t.Helper()
	var want map[string]any
	if !utf8.Valid(doc) || json.Unmarshal(doc, &want) != nil || want == nil {
		return
	}
	str := func(k string) string { s, _ := want[k].(string); return s }
	got, err := recordListFields(doc)
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	for _, v := range []struct {
		key string
		got []byte
	}{{"id", got.id}, {"type", got.typ}, {"entity_code", got.code}, {"date", got.date},
		{"entity_name", got.name}, {"public_until", got.until}, {"removed", got.removed}, {"authority", got.authority}} {
		if string(v.got) != str(v.key) {
			t.Errorf("%s: %s %q, want %q", doc, v.key, v.got, str(v.key))
		}
	}
}

func FuzzRecordListFields(f *testing.F) {
	f.Add([]byte(`{"entity_name":"a","fields":{"authority":"x"},"authority":"局\"A"}`))
	f.Add([]byte(`{"removed":"2025-01-01","x":[{"a":"]"}],"public_until":"\u0032"}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		recordListFields(doc) // never panics
		checkRecordListFields(t, doc)
	})
}
