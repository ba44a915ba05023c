package index

import (
	"context"
	"reflect"
	"sort"
	"testing"
)

// TestRecordDatesOfAreTheRecordsDates checks the narrow read that badges use against whole
// records: the same records, with the same ID, type, date, public_until and removed, whether
// those are set or not.
func TestRecordDatesOfAreTheRecordsDates(t *testing.T) {
	dir := t.TempDir()
	c := code(t, "91350102MA2XYW015")
	writeDocStore(t, dir, func(w *DocWriter) {
		if err := w.PutEntity(&Entity{Code: c, Name: "福州华为技术有限公司", Status: "存续", Fields: map[string]string{}}); err != nil {
			t.Fatal(err)
		}
		for _, r := range []*Record{
			{Type: TypeBlacklist, Date: "2024-03-01", Removed: "2026-12-31", Fields: map[string]string{"reason": "严重违法失信"}},
			{Type: TypePenalty, Date: "2023-01-05", PublicUntil: "2026-01-05", Authority: "福州市市场监督管理局", Fields: map[string]string{"content": "罚款"}},
			{Type: TypeRedlist, Date: "2025-07-01"},
		} {
			r.EntityCode, r.EntityName = c, "福州华为技术有限公司"
			r.ID = RecordID(r.Type, c, r.Date)
			if err := w.PutRecord(r); err != nil {
				t.Fatal(err)
			}
		}
	})
	docs, err := OpenDocStore(DocStorePath(dir), true)
	if err != nil {
		t.Fatal(err)
	}
	defer docs.Close()
	ctx := context.Background()
	whole, err := docs.RecordsOf(ctx, c)
	if err != nil || len(whole) != 3 {
		t.Fatalf("RecordsOf: %d, %v", len(whole), err)
	}
	dates, err := docs.RecordDatesOf(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	var want []*Record
	for _, r := range whole {
		want = append(want, &Record{ID: r.ID, Type: r.Type, EntityCode: c, Date: r.Date, PublicUntil: r.PublicUntil, Removed: r.Removed})
	}
	byID := func(rs []*Record) { sort.Slice(rs, func(i, j int) bool { return rs[i].ID < rs[j].ID }) }
	byID(want)
	byID(dates)
	if !reflect.DeepEqual(dates, want) {
		t.Errorf("RecordDatesOf:\n got  %+v\n want %+v", dates, want)
	}
	if none, err := docs.RecordDatesOf(ctx, code(t, "91350102MA2XYW016")); err != nil || len(none) != 0 {
		t.Errorf("an entity without records: %v, %v", none, err)
	}
}
