package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/portal/objection"
)

func newTipoff(tracking string, kind objection.TipoffKind, authority string) *Tipoff {
	return &Tipoff{Tracking: tracking, Kind: kind, EntityCode: "91350200776049653A", EntityName: "厦门安泰（福建）贸易有限公司",
		RecordID: "penalty-0011223344556677", RecordType: "penalty", Authority: authority,
		Content: "该企业实际仍在登记住所经营，公示的处罚金额有误。'; DROP TABLE tipoffs; --", ReporterName: "周敏",
		ReporterPhone: "13711112222", ReporterEmail: "zhoumin@example.com"}
}

// TestTipoffLifecycle: a tip-off is filed, found only with its check code, accepted and closed
// by the rules, counted in the statistics by kind and outcome, and the reporter's contact
// details are in no event and no audit entry.
func TestTipoffLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC) // a Friday in China
		s.Now = func() time.Time { return now }
		const a0Tracking = "JB-20261120-7Q4K"
		a := newTipoff(a0Tracking, objection.TipoffError, "厦门市市场监督管理局")
		if err := s.CreateTipoff(ctx, a, "CHECKCODE123", []Attachment{{Name: "照片.jpg", MIME: "image/jpeg", Size: 3, SHA256: "ab", Path: "x"}}, "10.0.0.9"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateTipoff(ctx, newTipoff("JB-20261120-7Q4K", objection.TipoffMissing, ""), "X", nil, ""); err == nil {
			t.Error("a tracking number was stored twice")
		}
		for _, b := range []*Tipoff{newTipoff("JB-20261120-AAAA", objection.TipoffDishonest, "福州市市场监督管理局"),
			newTipoff("JB-20261120-CCCC", objection.TipoffDishonest, "厦门市市场监督管理局")} {
			if err := s.CreateTipoff(ctx, b, "CHECKCODE456", nil, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.CheckTipoff(ctx, a.Tracking, "WRONG"); !errors.Is(err, ErrNotFound) {
			t.Errorf("wrong check code: %v", err)
		}
		if _, err := s.CheckTipoff(ctx, "JB-20261120-9999", "CHECKCODE123"); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown tracking number: %v", err)
		}
		got, err := s.CheckTipoff(ctx, a.Tracking, "CHECKCODE123")
		if err != nil || got.Content != a.Content || got.ReporterPhone != "13711112222" || got.State != objection.Submitted {
			t.Fatalf("tip-off %+v %v", got, err)
		}
		atts, err := s.TipoffAttachments(ctx, got.ID)
		if err != nil || len(atts) != 1 || atts[0].Name != "照片.jpg" {
			t.Errorf("attachments %+v %v", atts, err)
		}
		if a, tracking, err := s.TipoffAttachmentByID(ctx, atts[0].ID); err != nil || tracking != a0Tracking || a.Path != "x" {
			t.Errorf("attachment by id: %+v %q %v", a, tracking, err)
		}
		if _, _, err := s.TipoffAttachmentByID(ctx, atts[0].ID+100); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown attachment: %v", err)
		}

		queue, err := s.TipoffQueue(ctx, TipoffFilter{Authority: "厦门市市场监督管理局"})
		if err != nil || len(queue) != 2 {
			t.Fatalf("Xiamen's queue: %d %v", len(queue), err)
		}
		step := func(tracking string, a objection.Action, o objection.TipoffOutcome, reason string) error {
			_, err := s.TransitionTipoff(ctx, tracking, TipoffStep{Action: a, Outcome: o, Actor: "reviewer:chen", Reason: reason, DeadlineDays: 20})
			return err
		}
		var rule *RuleError
		if err := step(a.Tracking, objection.ActAccept, "", ""); !errors.As(err, &rule) {
			t.Errorf("a step without a reason: %v", err)
		}
		if err := step(a.Tracking, objection.ActClose, objection.TipoffSubstantiated, "属实"); !errors.As(err, &rule) {
			t.Errorf("closed as substantiated before being accepted: %v", err)
		}
		if err := step(a.Tracking, objection.ActAccept, "", "受理"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.TipoffByTracking(ctx, a.Tracking); got.Deadline != "2026-12-18" || got.State != objection.Accepted {
			t.Errorf("accepted: state %s deadline %s", got.State, got.Deadline)
		}
		if err := step(a.Tracking, objection.ActClose, objection.TipoffSubstantiated, "经核查属实，已责成更正"); err != nil {
			t.Fatal(err)
		}
		if err := step("JB-20261120-AAAA", objection.ActClose, objection.TipoffNotAccepted, "不属于本平台受理范围"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TransitionTipoff(ctx, "JB-20261120-9999", TipoffStep{Action: objection.ActAccept, Reason: "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown tip-off: %v", err)
		}

		evs, err := s.TipoffEvents(ctx, got.ID)
		if err != nil || len(evs) != 3 || evs[2].Note != "属实，已处理：经核查属实，已责成更正" {
			t.Fatalf("events %+v %v", evs, err)
		}
		audit, err := s.AuditLog(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for _, e := range evs {
			all.WriteString(e.Actor + e.Note)
		}
		for _, e := range audit {
			all.WriteString(e.Actor + e.Action + e.Subject + e.Detail)
		}
		for _, secret := range []string{"周敏", "13711112222", "zhoumin@example.com"} {
			if strings.Contains(all.String(), secret) {
				t.Errorf("the reporter's %q is in the timeline or the audit log", secret)
			}
		}
		if !strings.Contains(all.String(), "tipoff.close") {
			t.Error("no audit entry for the decision")
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n < 5 {
			t.Errorf("audit chain: %d entries, %v", n, err)
		}

		now = time.Date(2026, 12, 21, 2, 0, 0, 0, time.UTC)
		stats, err := s.TipoffStats(ctx, "2026-12-21")
		if err != nil {
			t.Fatal(err)
		}
		if stats.Filed != 3 || stats.Open != 1 || stats.Overdue != 0 || stats.ByKind["dishonest"] != 2 || stats.ByKind["error"] != 1 ||
			stats.ByOutcome["substantiated"] != 1 || stats.ByOutcome["not_accepted"] != 1 ||
			stats.Outcomes["dishonest"]["open"] != 1 || stats.Outcomes["dishonest"]["not_accepted"] != 1 || stats.Outcomes["error"]["substantiated"] != 1 {
			t.Errorf("stats %+v", stats)
		}
		if err := step("JB-20261120-CCCC", objection.ActAccept, "", "受理"); err != nil {
			t.Fatal(err)
		}
		if stats, _ := s.TipoffStats(ctx, "2027-02-01"); stats.Overdue != 1 {
			t.Errorf("overdue after the deadline: %+v", stats)
		}
	})
}
