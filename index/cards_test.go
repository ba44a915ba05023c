package index

import (
	"context"
	"reflect"
	"testing"
)

// TestCardsFromColumnsAreTheStoresCards checks the entity cards a generation keeps in memory
// against the document store's: every field, former names included, for every entity; records
// and unknown codes have none; and a store without entity_cards leaves the columns without
// cards and answers from the store.
func TestCardsFromColumnsAreTheStoresCards(t *testing.T) {
	dir := t.TempDir()
	var codes []string
	writeDocStore(t, dir, func(w *DocWriter) {
		for i, e := range []*Entity{
			{Name: "福州华为技术有限公司", Status: "存续", EntityType: "有限责任公司(自然人投资或控股)"},
			{Name: "华威（福建）新材料科技有限公司", Status: "在业", EntityType: "有限责任公司", FormerNames: []string{"福州华威建材有限公司", "华威建材厂"}},
			{Name: "鼓楼区绿源小吃店", Status: "注销", EntityType: "个体工商户"},
			{Name: "ABC3D打印科技有限公司", Status: "吊销，未注销", EntityType: ""},
		} {
			e.Code = code(t, "91350102MA2XYW0"+string(rune('1'+i))+"5")
			e.Region, e.Fields = "350102", map[string]string{}
			if err := w.PutEntity(e); err != nil {
				t.Fatal(err)
			}
			codes = append(codes, e.Code)
			r := &Record{Type: TypeBlacklist, EntityCode: e.Code, EntityName: e.Name, Date: "2025-01-01"}
			r.ID = RecordID(r.Type, e.Code, r.Date)
			if err := w.PutRecord(r); err != nil {
				t.Fatal(err)
			}
		}
	})
	buildAndServe(t, dir, "cards")
	g, err := OpenGeneration(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	ctx := context.Background()
	want, err := g.Docs.Cards(ctx, codes)
	if err != nil || len(want) != len(codes) {
		t.Fatalf("store cards: %d, %v", len(want), err)
	}
	for _, c := range codes {
		got := g.cols[ShardOf(c, len(g.cols))].card(c)
		if !reflect.DeepEqual(got, want[c]) {
			t.Errorf("%s: columns %+v, store %+v", c, got, want[c])
		}
	}
	withUnknown := append(append([]string{}, codes...), code(t, "91350102MA2XYW099"))
	got, err := g.Cards(ctx, withUnknown)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Generation.Cards: %v %v, want %v", got, err, want)
	}
	records := 0
	for _, c := range g.cols {
		for num := range c.rank.end {
			if c.codeOf(uint64(num)) == "" {
				records++
				if e := c.cardAt(uint64(num)); e != nil {
					t.Errorf("record document %d has a card %+v", num, e)
				}
			}
		}
	}
	if records != len(codes) {
		t.Errorf("%d record documents, want %d", records, len(codes))
	}
}
