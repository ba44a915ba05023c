package importer

import (
	"testing"

	"github.com/gongshi/gongshi/index"
)

func TestPolicy(t *testing.T) {
	gsxt, ndrc := DefaultPolicy(), NDRCPolicy()
	rec := func(cat, fine, sev, valid string) *index.Record {
		return &index.Record{Type: index.TypePenalty, Date: "2024-01-15", Severity: sev,
			Fields: map[string]string{"category": cat, "fine": fine, "valid_until": valid}}
	}
	for _, tc := range []struct {
		p     Policy
		r     *index.Record
		class PenaltyClass
		until string
	}{
		{gsxt, rec("警告", "", "", ""), "withheld", ""},
		{gsxt, rec("通报批评", "", "", ""), "minor", "2024-04-14"},
		{gsxt, rec("罚款", "0.5", "", ""), "minor", "2024-04-14"},
		{gsxt, rec("罚款", "5", "", ""), "general", "2027-01-14"},
		{gsxt, rec("罚款;没收违法所得", "0.5", "", ""), "general", "2027-01-14"},
		{gsxt, rec("吊销许可证件", "", "", ""), "serious", "2027-01-14"},
		{gsxt, rec("责令停产停业", "", "", "2028-06-30"), "serious", "2028-06-30"},
		{ndrc, rec("罚款", "5", "轻微", ""), "withheld", ""},
		{ndrc, rec("罚款", "5", "", ""), "general", "2025-01-14"},
		{ndrc, rec("罚款", "5", "严重", ""), "serious", "2027-01-14"},
	} {
		class := tc.p.Classify(tc.r)
		if class != tc.class {
			t.Errorf("%s %v: class %s, want %s", tc.p.Regime, tc.r.Fields, class, tc.class)
			continue
		}
		if class == "withheld" {
			continue
		}
		if got := tc.p.PublicUntil(tc.r, class); got != tc.until {
			t.Errorf("%s %v: until %s, want %s", tc.p.Regime, tc.r.Fields, got, tc.until)
		}
	}
}
