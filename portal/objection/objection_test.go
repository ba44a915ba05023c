package objection

import (
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/index"
)

func TestTransitions(t *testing.T) {
	for _, tc := range []struct {
		from State
		a    Action
		to   State
		ok   bool
	}{
		{Submitted, ActAccept, Accepted, true},
		{Submitted, ActRequestMore, NeedsMore, true},
		{NeedsMore, ActSupplement, Submitted, true},
		{Accepted, ActVerify, Verifying, true},
		{Verifying, ActClose, Closed, true},
		{Submitted, ActClose, Closed, true},
		{Closed, ActAccept, "", false},
		{Closed, ActClose, "", false},
		{NeedsMore, ActAccept, "", false},
		{Verifying, ActRequestMore, "", false},
	} {
		got, err := Next(tc.from, tc.a)
		if (err == nil) != tc.ok || got != tc.to {
			t.Errorf("%s --%s--> %q, %v; want %q ok=%v", tc.from, tc.a, got, err, tc.to, tc.ok)
		}
	}
	if !Repaired.ValidFor(KindRepair) || Repaired.ValidFor(KindWrong) || !Revoked.ValidFor(KindNotPublic) || Revoked.ValidFor(KindRepair) {
		t.Error("outcome/kind validity wrong")
	}
}

func TestMarks(t *testing.T) {
	for _, tc := range []struct {
		k    Kind
		s    State
		want bool
	}{
		{KindWrong, Submitted, false}, // filing alone marks nothing
		{KindWrong, NeedsMore, false},
		{KindWrong, Accepted, true},
		{KindNotPublic, Verifying, true},
		{KindWrong, Closed, false},
		{KindRepair, Accepted, false}, // a repair application does not dispute the record
		{KindRepair, Verifying, false},
	} {
		if got := Marks(tc.k, tc.s); got != tc.want {
			t.Errorf("Marks(%s, %s) = %v, want %v", tc.k, tc.s, got, tc.want)
		}
	}
}

func TestTrackingNumbers(t *testing.T) {
	day := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		n := NewTrackingNumber(KindWrong, day)
		if !ValidTrackingNumber(n) || !strings.HasPrefix(n, "YY-20261122-") || seen[n] && i < 10 {
			t.Fatalf("tracking number %q", n)
		}
		seen[n] = true
	}
	if n := NewTrackingNumber(KindRepair, day); !strings.HasPrefix(n, "XF-") {
		t.Errorf("repair prefix: %s", n)
	}
	for _, bad := range []string{"", "YY-2026112-7Q4K", "ZZ-20261122-7Q4K", "YY-20261122-0O1I", "YY-20261322-7Q4K", "YY-20261122-7Q4K'--"} {
		if ValidTrackingNumber(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	if len(NewCheckCode()) != 12 {
		t.Error("check code length")
	}
}

func TestWorkingDays(t *testing.T) {
	fri := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	if got := AddWorkingDays(fri, 1, nil).Format(time.DateOnly); got != "2026-11-23" {
		t.Errorf("Friday + 1 working day = %s", got)
	}
	if got := AddWorkingDays(fri, 20, nil).Format(time.DateOnly); got != "2026-12-18" {
		t.Errorf("Friday + 20 working days = %s", got)
	}
	hol := map[string]bool{"2026-11-23": true}
	if got := AddWorkingDays(fri, 1, hol).Format(time.DateOnly); got != "2026-11-24" {
		t.Errorf("with a holiday = %s", got)
	}
}

func TestRepairEligible(t *testing.T) {
	pen := func(date, cat, sev string) *index.Record {
		return &index.Record{Type: index.TypePenalty, Date: date, Severity: sev, Fields: map[string]string{"category": cat}}
	}
	if err := RepairEligible(pen("2025-01-10", "罚款", "一般"), Facts{}, "2026-11-22", "gsxt"); err != nil {
		t.Errorf("after a year: %v", err)
	}
	if err := RepairEligible(pen("2026-06-01", "罚款", "一般"), Facts{}, "2026-11-22", "gsxt"); err == nil || !strings.Contains(err.Error(), "2027-06-01") {
		t.Errorf("before the minimum: %v", err)
	}
	if err := RepairEligible(pen("2026-06-01", "罚款", "一般"), Facts{}, "2026-11-22", "ndrc"); err != nil {
		t.Errorf("ndrc 一般 after 3 months: %v", err)
	}
	if err := RepairEligible(pen("2020-01-01", "吊销营业执照", "严重"), Facts{}, "2026-11-22", "gsxt"); err == nil {
		t.Error("吊销营业执照 must not be repairable early")
	}
	if err := RepairEligible(&index.Record{Type: index.TypeLicense, Date: "2020-01-01"}, Facts{}, "2026-11-22", "gsxt"); err == nil {
		t.Error("a licence is not repaired")
	}
}
