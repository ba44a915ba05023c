package store

import (
	"context"
	"testing"
	"time"

	"github.com/gongshi/gongshi/portal/objection"
)

// TestRepairOfListEntryIsARemoval: a granted repair hides a penalty but removes a list entry on
// the decision's day (China time), which stays public with its note; both count as the
// subject's last repair, and the importer receives the removal as a correction.
func TestRepairOfListEntryIsARemoval(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		// 2026-11-22 17:30 UTC is already 2026-11-23 in China.
		now := time.Date(2026, 11, 22, 17, 30, 0, 0, time.UTC)
		s.Now = func() time.Time { return now }
		grant := func(tracking, recordID, recordType, code string) {
			t.Helper()
			c := newCase(tracking)
			c.Kind, c.RecordID, c.RecordType, c.EntityCode, c.Authority = objection.KindRepair, recordID, recordType, code, "厦门市市场监督管理局"
			if err := s.CreateCase(ctx, c, "CHECKCODE123", nil, "127.0.0.1"); err != nil {
				t.Fatal(err)
			}
			for _, st := range []Step{{Action: objection.ActAccept, Reason: "材料齐全"},
				{Action: objection.ActClose, Reason: "符合条件", Outcome: objection.Repaired}} {
				st.Actor = "reviewer:chen"
				if _, err := s.Transition(ctx, tracking, st); err != nil {
					t.Fatal(err)
				}
			}
		}
		if last, err := s.LastRepair(ctx, "91350200776049653A"); err != nil || last != "" {
			t.Fatalf("no repair yet: %q %v", last, err)
		}
		grant("XF-20261122-AAAA", "penalty-0000000000000001", "penalty", "91350200776049653A")
		grant("XF-20261122-CCCC", "abnormal-0000000000000002", "abnormal", "91350200776049653A")
		grant("XF-20261122-DDDD", "blacklist-0000000000000003", "blacklist", "91500000MA5UKT77Q5")

		hidden, err := s.Hidden(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(hidden) != 1 || hidden["penalty-0000000000000001"] != "信用修复" {
			t.Errorf("hidden: %v (a repaired penalty only)", hidden)
		}
		corrected, err := s.Corrected(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"abnormal-0000000000000002", "blacklist-0000000000000003"} {
			want := map[string]string{"removal_date": "2026-11-23", "removal_reason": "信用修复", "removal_authority": "厦门市市场监督管理局",
				"correction_note": "已信用修复，于 2026-11-23 移出"}
			got := corrected[id]
			if len(got) != len(want) {
				t.Errorf("%s: %v", id, got)
			}
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s: %s = %q, want %q", id, k, got[k], v)
				}
			}
		}
		if _, ok := corrected["penalty-0000000000000001"]; ok {
			t.Error("a repaired penalty is hidden, not corrected")
		}
		if last, err := s.LastRepair(ctx, "91350200776049653A"); err != nil || last != "2026-11-23" {
			t.Errorf("last repair: %q %v", last, err)
		}
		all, err := s.All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]string{}
		for _, c := range all {
			switch {
			case c.Revoke:
				kinds[c.RecordID] = "revoke:" + c.Reason
			default:
				kinds[c.RecordID] = c.Reason + ":" + c.Fields["removal_date"] + ":" + c.Note
			}
		}
		want := map[string]string{"penalty-0000000000000001": "revoke:信用修复",
			"abnormal-0000000000000002":  "信用修复:2026-11-23:已信用修复，于 2026-11-23 移出",
			"blacklist-0000000000000003": "信用修复:2026-11-23:已信用修复，于 2026-11-23 移出"}
		for id, w := range want {
			if kinds[id] != w {
				t.Errorf("correction for %s: %q, want %q", id, kinds[id], w)
			}
		}
	})
}
