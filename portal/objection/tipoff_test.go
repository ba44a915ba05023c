package objection

import (
	"testing"
	"time"
)

func TestTipoffTransitions(t *testing.T) {
	cases := []struct {
		from State
		a    Action
		o    TipoffOutcome
		to   State // "" = refused
	}{
		{Submitted, ActAccept, "", Accepted},
		{Submitted, ActClose, TipoffNotAccepted, Closed},
		{Submitted, ActClose, TipoffSubstantiated, ""}, // verified without being accepted
		{Accepted, ActClose, TipoffSubstantiated, Closed},
		{Accepted, ActClose, TipoffUnsubstantiated, Closed},
		{Accepted, ActClose, TipoffNotAccepted, ""},
		{Accepted, ActClose, "", ""},
		{Accepted, ActAccept, "", ""},
		{Closed, ActClose, TipoffSubstantiated, ""},
		{Closed, ActAccept, "", ""},
		{Submitted, ActVerify, "", ""},
		{Submitted, ActSupplement, "", ""},
	}
	for _, c := range cases {
		to, err := NextTipoff(c.from, c.a, c.o)
		if to != c.to || (err == nil) != (c.to != "") {
			t.Errorf("%s --%s/%s--> %q (%v), want %q", c.from, c.a, c.o, to, err, c.to)
		}
	}
}

func TestTipoffTrackingNumber(t *testing.T) {
	n := NewTipoffTrackingNumber(time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
	if len(n) != 16 || n[:12] != "JB-20261122-" || !ValidTipoffTrackingNumber(n) {
		t.Errorf("tracking number %q", n)
	}
	for _, bad := range []string{"YY-20261122-7Q4K", "JB-20261322-7Q4K", "JB-20261122-7Q4O", "JB-20261122-7Q4", "JB-20261122-7Q4KK"} {
		if ValidTipoffTrackingNumber(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
	if ValidTrackingNumber(n) {
		t.Error("a tip-off's number is not an objection's")
	}
}
