package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gongshi/gongshi/portal/devtools/pgtemp"
	"github.com/gongshi/gongshi/portal/objection"
)

var (
	pg        *pgtemp.Cluster
	dbCounter atomic.Int64
)

func TestMain(m *testing.M) {
	code := m.Run()
	if pg != nil {
		pg.Stop()
	}
	os.Exit(code)
}

// eachStore runs a test against SQLite and against a real, throw-away PostgreSQL.
func eachStore(t *testing.T, fn func(t *testing.T, s *Store)) {
	eachDatabase(t, func(t *testing.T, url, dir string) {
		s, err := Open(context.Background(), url, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		fn(t, s)
	})
}

// eachDatabase runs a test against an empty SQLite data folder and an empty PostgreSQL
// database, given as Open's url and dataDir.
func eachDatabase(t *testing.T, fn func(t *testing.T, url, dir string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "", t.TempDir()) })
	t.Run("postgres", func(t *testing.T) { fn(t, pgDatabase(t), "") })
}

// pgDatabase creates an empty database on the shared throw-away PostgreSQL and returns its URL.
func pgDatabase(t *testing.T) string {
	t.Helper()
	pgtemp.SkipIfShort(t)
	if pg == nil {
		c, err := pgtemp.Start(context.Background())
		if err != nil {
			t.Fatalf("PostgreSQL is required (CI installs it): %v", err)
		}
		pg = c
	}
	name := fmt.Sprintf("t%d", dbCounter.Add(1))
	db, err := pg.CreateDatabase(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func newCase(tracking string) *Case {
	return &Case{Tracking: tracking, Kind: objection.KindWrong, RecordID: "penalty-0011223344556677", RecordType: "penalty",
		EntityCode: "91350102MA2XYW015U", EntityName: "福州华威新材料科技有限公司", Authority: "福州市鼓楼区市场监督管理局",
		ApplicantName: "福州华威新材料科技有限公司", ApplicantCode: "91350102MA2XYW015U", ContactPerson: "陈明",
		ContactPhone: "13800000000", Statement: "处罚决定已被复议撤销。'; DROP TABLE cases; --"}
}

func TestCaseLifecycle(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		c := newCase("YY-20261122-7Q4K")
		if err := s.CreateCase(ctx, c, "CHECKCODE123", []Attachment{{Name: "决定书.pdf", MIME: "application/pdf", Size: 10, SHA256: "ab", Path: "x"}}, "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CheckCase(ctx, c.Tracking, "WRONG"); !errors.Is(err, ErrNotFound) {
			t.Errorf("wrong check code: %v", err)
		}
		got, err := s.CheckCase(ctx, c.Tracking, "CHECKCODE123")
		if err != nil || got.Statement != c.Statement || got.State != objection.Submitted {
			t.Fatalf("case %+v %v", got, err)
		}
		if pending, _ := s.Pending(ctx); pending[c.RecordID] != "" {
			t.Errorf("filing alone marked the record: %v", pending)
		}
		step := func(a objection.Action, reason string, o objection.Outcome, fields map[string]string) error {
			_, err := s.Transition(ctx, c.Tracking, Step{Action: a, Actor: "reviewer:li", Reason: reason, Outcome: o, Fields: fields, IP: "10.0.0.1"})
			return err
		}
		if err := step(objection.ActAccept, "", "", nil); err == nil {
			t.Error("a step without a reason must be refused")
		}
		if err := step(objection.ActVerify, "核查", "", nil); err == nil {
			t.Error("verify before accept must be refused")
		}
		for _, a := range []objection.Action{objection.ActAccept, objection.ActVerify} {
			if err := step(a, "材料齐全", "", nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := step(objection.ActClose, "复议撤销", objection.Repaired, nil); err == nil {
			t.Error("a repair outcome cannot close an objection")
		}
		if err := step(objection.ActClose, "复议决定撤销原处罚", objection.Revoked, nil); err != nil {
			t.Fatal(err)
		}
		got, _ = s.CaseByTracking(ctx, c.Tracking)
		if got.State != objection.Closed || got.Outcome != objection.Revoked || got.Deadline == "" {
			t.Errorf("closed case %+v", got)
		}
		evs, _ := s.Events(ctx, got.ID)
		if len(evs) != 4 {
			t.Errorf("timeline %+v", evs)
		}
		hidden, _ := s.Hidden(ctx)
		pending, _ := s.Pending(ctx)
		if hidden[c.RecordID] != "撤销" || pending[c.RecordID] != "" {
			t.Errorf("hidden %v pending %v", hidden, pending)
		}
		all, _ := s.All(ctx)
		if len(all) != 1 || !all[0].Revoke || all[0].RecordID != c.RecordID {
			t.Errorf("corrections for the importer: %+v", all)
		}
		n, err := s.VerifyAudit(ctx)
		if err != nil || n != 4 {
			t.Fatalf("audit verify: %d %v", n, err)
		}
		// Tampering with any entry is detected.
		if _, err := s.db.Exec(s.q(`UPDATE audit SET detail = ? WHERE seq = ?`), "forged", 2); err != nil {
			t.Fatal(err)
		}
		if _, err := s.VerifyAudit(ctx); err == nil {
			t.Error("tampered audit log verified")
		}
		st, _ := s.Stats(ctx, "2026-11-22")
		if st.Filed != 1 || st.ByOutcome["revoked"] != 1 {
			t.Errorf("stats %+v", st)
		}
	})
}

func TestCorrectionAndQueue(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		day := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
		s.Now = func() time.Time { return day }
		a, b := newCase("YY-20261120-AAAA"), newCase("YY-20261120-BBBB")
		b.RecordID, b.Authority = "penalty-ffff", "厦门市市场监督管理局"
		for _, c := range []*Case{a, b} {
			if err := s.CreateCase(ctx, c, "X", nil, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Transition(ctx, a.Tracking, Step{Action: objection.ActAccept, Actor: "r", Reason: "ok", DeadlineDays: 20}); err != nil {
			t.Fatal(err)
		}
		q, _ := s.Queue(ctx, QueueFilter{})
		if len(q) != 2 || q[0].Tracking != a.Tracking || q[0].Deadline != "2026-12-18" {
			t.Errorf("queue order: %+v", q)
		}
		q, _ = s.Queue(ctx, QueueFilter{Authority: "厦门市市场监督管理局"})
		if len(q) != 1 || q[0].Tracking != b.Tracking {
			t.Errorf("authority filter: %+v", q)
		}
		q, _ = s.Queue(ctx, QueueFilter{Overdue: true, Today: "2026-12-19"})
		if len(q) != 1 || !q[0].Overdue("2026-12-19") {
			t.Errorf("overdue: %+v", q)
		}
		if _, err := s.Transition(ctx, a.Tracking, Step{Action: objection.ActClose, Actor: "r", Reason: "金额有误", Outcome: objection.Corrected,
			Fields: map[string]string{"fine": "0.5"}}); err != nil {
			t.Fatal(err)
		}
		corr, _ := s.Corrected(ctx)
		if corr[a.RecordID]["fine"] != "0.5" || corr[a.RecordID]["correction_note"] == "" {
			t.Errorf("corrected %v", corr)
		}
	})
}

// TestPendingOnlyAfterAcceptance walks cases through every state: a record is marked as
// disputed only while an objection about it is accepted or being verified, with the day of
// acceptance, on SQLite and PostgreSQL alike.
func TestPendingOnlyAfterAcceptance(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC) // 2026-11-21 01:00 in China
		s.Now = func() time.Time { return now }
		a, repair := newCase("YY-20261121-AAAA"), newCase("XF-20261121-BBBB")
		repair.Kind, repair.RecordID, repair.Commitment = objection.KindRepair, "penalty-repair", true
		for _, c := range []*Case{a, repair} {
			if err := s.CreateCase(ctx, c, "X", nil, ""); err != nil {
				t.Fatal(err)
			}
		}
		want := func(step string, marks map[string]string) {
			t.Helper()
			got, err := s.Pending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(marks) {
				t.Errorf("%s: pending %v, want %v", step, got, marks)
			}
			for id, day := range marks {
				if got[id] != day {
					t.Errorf("%s: pending %v, want %v", step, got, marks)
				}
			}
		}
		act := func(tracking string, a objection.Action, o objection.Outcome) {
			t.Helper()
			if _, err := s.Transition(ctx, tracking, Step{Action: a, Actor: "r", Reason: "理由", Outcome: o}); err != nil {
				t.Fatal(err)
			}
		}
		want("filed", nil)
		now = now.Add(48 * time.Hour)
		act(a.Tracking, objection.ActAccept, "")
		act(repair.Tracking, objection.ActAccept, "")
		want("accepted", map[string]string{a.RecordID: "2026-11-23"}) // the repair application marks nothing
		act(a.Tracking, objection.ActRequestMore, "")
		want("sent back for material", nil)
		act(a.Tracking, objection.ActSupplement, "")
		want("supplemented, not yet accepted again", nil)
		now = now.Add(24 * time.Hour)
		act(a.Tracking, objection.ActAccept, "")
		want("accepted again", map[string]string{a.RecordID: "2026-11-24"})
		act(a.Tracking, objection.ActVerify, "")
		now = now.AddDate(0, 2, 0) // far past the 20 working days: still in review, still marked
		want("verifying, overdue", map[string]string{a.RecordID: "2026-11-24"})
		act(a.Tracking, objection.ActClose, objection.Upheld)
		want("closed", nil)
		// Closing a submitted case without accepting it (a rejection) never marked anything.
		b := newCase("YY-20261121-CCCC")
		if err := s.CreateCase(ctx, b, "X", nil, ""); err != nil {
			t.Fatal(err)
		}
		act(b.Tracking, objection.ActClose, objection.Upheld)
		want("rejected", nil)
	})
}

func TestLoginTrouble(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		for _, e := range []AuditEntry{
			{Action: "login.fail", Subject: "li", Detail: "before the previous login"},
			{Action: "login.ok", Subject: "li"},
			{Action: "login.fail", Subject: "li", IP: "203.0.113.1"},
			{Action: "login.throttled", Subject: "li", IP: "203.0.113.1"},
			{Action: "login.fail", Subject: "wang"},
			{Action: "login.ok", Subject: "li"},
			{Action: "login.fail", Subject: "li", IP: "203.0.113.2"},
		} {
			if err := s.Audit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.LoginTrouble(ctx, "li", 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 || got[0].IP != "203.0.113.2" || got[1].Action != "login.throttled" || got[2].IP != "203.0.113.1" {
			t.Errorf("trouble since the previous login: %+v", got)
		}
		if got, _ := s.LoginTrouble(ctx, "zhao", 10); len(got) != 0 {
			t.Errorf("an account never seen: %+v", got)
		}
		if got, _ := s.RecentAudit(ctx, "login.throttled", 10); len(got) != 1 || got[0].Subject != "li" {
			t.Errorf("recent throttles: %+v", got)
		}
	})
}

func TestUsersSessionsTokens(t *testing.T) {
	eachStore(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		if _, err := s.CreateUser(ctx, "li", RoleReviewer, "厦门市市场监督管理局", "short", "cli"); err == nil {
			t.Error("short password accepted")
		}
		u, err := s.CreateUser(ctx, "li", RoleReviewer, "厦门市市场监督管理局", "correct horse battery", "cli")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, "li", "wrong password!"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("wrong password: %v", err)
		}
		if _, err := s.Authenticate(ctx, "nobody", "correct horse battery"); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("unknown user: %v", err)
		}
		if got, err := s.Authenticate(ctx, "li", "correct horse battery"); err != nil || got.ID != u.ID {
			t.Fatalf("authenticate: %v", err)
		}
		tok, _ := s.CreateSession(ctx, u, time.Hour)
		if got, err := s.UserBySession(ctx, tok); err != nil || got.Name != "li" {
			t.Errorf("session: %v", err)
		}
		if _, err := s.UserBySession(ctx, tok+"x"); err == nil {
			t.Error("forged session accepted")
		}
		s.DeleteSession(ctx, tok)
		if _, err := s.UserBySession(ctx, tok); err == nil {
			t.Error("deleted session accepted")
		}
		api, err := s.CreateToken(ctx, "li", "agency system")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.UserByToken(ctx, api); err != nil || got.Authority != "厦门市市场监督管理局" {
			t.Errorf("token: %v", err)
		}
		if _, err := s.UserByToken(ctx, "gst_forged"); err == nil {
			t.Error("forged token accepted")
		}
		if n, err := s.VerifyAudit(ctx); err != nil || n != 2 {
			t.Errorf("audit: %d %v", n, err)
		}
	})
}
