package index

import (
	"context"
	"reflect"
	"testing"
)

// A publisher's marks cover only its own documents; what it writes again is struck off and
// classified; what is left is withdrawn, entities only where no record names them any more.
func TestWithdrawIsScopedToPublisher(t *testing.T) {
	ctx := context.Background()
	docs, err := OpenDocStore(DocStorePath(t.TempDir()), false)
	if err != nil {
		t.Fatal(err)
	}
	defer docs.Close()
	county, city := Source{Publisher: "某某县市场监督管理局"}, Source{Publisher: "某某市市场监督管理局"}
	e1, e2, e3 := code(t, "91350102MA2XYW015"), code(t, "91350102MA2XYW016"), code(t, "91350102MA2XYW017")
	w, err := docs.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []*Entity{{Code: e1, Name: "甲公司", Source: county}, {Code: e2, Name: "乙公司", Source: county}, {Code: e3, Name: "丙公司", Source: city}} {
		if err := w.PutEntity(e); err != nil {
			t.Fatal(err)
		}
	}
	rec := func(id, entity string, src Source, fact string) *Record {
		return &Record{ID: id, Type: TypePenalty, EntityCode: entity, Date: "2026-01-02", Fields: map[string]string{"fact": fact}, Source: src}
	}
	for _, r := range []*Record{rec("p1", e1, county, "a"), rec("p2", e1, county, "b"), rec("p3", e2, county, "c"), rec("p4", e3, city, "d")} {
		if err := w.PutRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}

	// The county's full snapshot: p1 the same again (from a newer snapshot), p2 changed, p3 gone,
	// p5 new; the register carries e2 only, so e1 is to go but p1 still names it.
	w, err = docs.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	countyNew := Source{Publisher: county.Publisher, SnapshotDate: "2026-12-01"}
	if n, err := w.MarkWithdrawable(TypeEntity, county.Publisher); err != nil || n != 2 {
		t.Fatalf("entities marked: %d, %v", n, err)
	}
	if n, err := w.MarkWithdrawable(TypePenalty, county.Publisher); err != nil || n != 3 {
		t.Fatalf("penalties marked: %d, %v", n, err)
	}
	if c, err := w.ApplyEntity(&Entity{Code: e2, Name: "乙公司", Source: countyNew}); err != nil || c != Unchanged {
		t.Fatalf("e2: %v, %v", c, err)
	}
	var got []Change
	for _, r := range []*Record{rec("p1", e1, countyNew, "a"), rec("p2", e1, countyNew, "B"), rec("p5", e2, countyNew, "e")} {
		c, err := w.ApplyRecord(r)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, c)
	}
	if want := []Change{Unchanged, Changed, Added}; !reflect.DeepEqual(got, want) {
		t.Errorf("changes %v, want %v", got, want)
	}
	if n, err := w.Withdrawable(TypePenalty); err != nil || n != 1 {
		t.Fatalf("penalties left to withdraw: %d, %v", n, err)
	}
	if n, err := w.Withdraw(TypePenalty); err != nil || n != 1 {
		t.Fatalf("penalties withdrawn: %d, %v", n, err)
	}
	n, kept, err := w.WithdrawEntities()
	if err != nil || n != 0 || !reflect.DeepEqual(kept, []string{e1}) {
		t.Fatalf("entities withdrawn %d, kept %v, %v", n, kept, err)
	}
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	recs, err := docs.Records(ctx, []string{"p1", "p2", "p3", "p4", "p5"})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range recs {
		ids[r.ID] = true
	}
	if !reflect.DeepEqual(ids, map[string]bool{"p1": true, "p2": true, "p4": true, "p5": true}) {
		t.Errorf("records after the county's full snapshot: %v (the city's p4 must stay, p3 go)", ids)
	}
	ents, err := docs.Entities(ctx, []string{e1, e2, e3})
	if err != nil || len(ents) != 3 {
		t.Errorf("entities: %d, %v (e1 is kept while p1 names it)", len(ents), err)
	}

	// Nothing else names e1 once its penalties go: the next full snapshot withdraws it.
	w, _ = docs.Begin(ctx)
	w.MarkWithdrawable(TypeEntity, county.Publisher)
	w.MarkWithdrawable(TypePenalty, county.Publisher)
	w.ApplyEntity(&Entity{Code: e2, Name: "乙公司", Source: countyNew})
	w.ApplyRecord(rec("p5", e2, countyNew, "e"))
	if n, err := w.Withdraw(TypePenalty); err != nil || n != 2 {
		t.Fatalf("penalties withdrawn: %d, %v", n, err)
	}
	if n, kept, err := w.WithdrawEntities(); err != nil || n != 1 || len(kept) != 0 {
		t.Fatalf("entities withdrawn %d, kept %v, %v", n, kept, err)
	}
	w.Commit()
	if ents, _ := docs.Entities(ctx, []string{e1}); len(ents) != 0 {
		t.Errorf("e1 still there after its last record went")
	}
	if c, _ := docs.Cards(ctx, []string{e1}); len(c) != 0 {
		t.Errorf("e1's card still there")
	}
}
