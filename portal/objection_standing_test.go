package portal

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/store"
)

// TestObjectionMarkNeedsAcceptance: an anonymous filing that copies the company's public name
// and code changes nothing public; the record shows 存在异议 only while a reviewer has the case
// accepted (dated by acceptance), also past the deadline, and never once it is sent back for
// material or closed. The filer follows every step on the tracking page.
func TestObjectionMarkNeedsAcceptance(t *testing.T) {
	clock := &stepClock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, index.ChinaTime)} // a Friday
	s := loadedServer(t, Config{Data: fixtureData(t), Now: clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := serveHTTP(t, s)
	base := ts.URL
	ctx := context.Background()
	// The 2025 fine, public until 2028: it stays public however far the clock is moved below.
	g := s.live.Acquire()
	recs, err := g.Docs.RecordsOf(ctx, huawei)
	g.Release()
	if err != nil {
		t.Fatal(err)
	}
	penalty := ""
	for _, r := range recs {
		if r.Fields["doc_no"] == "榕鼓市监处罚〔2025〕12号" {
			penalty = r.ID
		}
	}
	if penalty == "" {
		t.Fatal("the fixture lacks 福州华威's 2025 fine")
	}

	// mark returns what the entity API, the entity page, the list API and the credit report
	// say about the record: the day of the mark, or "" when all four show none. They must agree.
	mark := func(step string) string {
		t.Helper()
		var e struct {
			Records []struct {
				ID             string
				ObjectionSince string `json:"objection_pending_since"`
			}
		}
		getJSON(t, base+"/api/v1/entities/"+huawei, 200, &e)
		api := ""
		for _, r := range e.Records {
			if r.ID == penalty {
				api = r.ObjectionSince
			}
		}
		var list struct {
			Records []struct {
				ID             string
				ObjectionSince string `json:"objection_pending_since"`
			}
		}
		getJSON(t, base+"/api/v1/lists/penalties?name="+url.QueryEscape("华威"), 200, &list)
		listed := ""
		for _, r := range list.Records {
			if r.ID == penalty {
				listed = r.ObjectionSince
			}
		}
		page := getBody(t, base+"/entities/"+huawei)
		report := getBody(t, base+"/entities/"+huawei+"/report.json")
		onPage := strings.Contains(page, "存在异议 · 处理中（"+api+" 起）")
		inReport := strings.Contains(report, `"pending_objection":"`+api+`"`)
		if api == "" {
			onPage, inReport = strings.Contains(page, "存在异议"), strings.Contains(report, `"pending_objection":"2`)
			if onPage || inReport || listed != "" {
				t.Errorf("%s: no mark in the API, but page %v, report %v, list %q", step, onPage, inReport, listed)
			}
			return ""
		}
		if !onPage || !inReport || listed != api {
			t.Errorf("%s: API marks %s, but page %v, report %v, list %q", step, api, onPage, inReport, listed)
		}
		return api
	}
	// tracking returns the state and the record's mark as the filer sees them.
	var filed filedCase
	tracking := func() (state, marked string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/objections/"+filed.Tracking, nil)
		req.Header.Set("X-Check-Code", filed.CheckCode)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var v caseView
		json.NewDecoder(res.Body).Decode(&v)
		res.Body.Close()
		form := url.Values{"check_code": {filed.CheckCode}}
		res, err = http.PostForm(base+"/objections/"+filed.Tracking, form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := string(b)
		if !strings.Contains(page, "<strong>"+v.StateLabel+"</strong>") {
			t.Errorf("tracking page does not show the state %s", v.StateLabel)
		}
		switch {
		case strings.Contains(page, "该记录目前标注"):
			marked = "marked"
		case strings.Contains(page, "受理后才会标注"):
			marked = "not yet"
		case strings.Contains(page, "不再标注"):
			marked = "no longer"
		}
		return string(v.State), marked
	}

	// Anyone can file with the company's public name and code: 201, and nothing public changes.
	filed = fileValid(t, base, penalty)
	if m := mark("filed"); m != "" {
		t.Fatalf("a mere filing marks the record since %s", m)
	}
	if st, m := tracking(); st != "submitted" || m != "not yet" {
		t.Errorf("tracking after filing: %s, %q", st, m)
	}

	st := s.sqlStore()
	if _, err := st.CreateUser(ctx, "li", store.RoleReviewer, "福州市鼓楼区市场监督管理局", "correct horse battery", "test"); err != nil {
		t.Fatal(err)
	}
	token, _ := st.CreateToken(ctx, "li", "agency")
	act := func(body string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/admin/objections/"+filed.Tracking+"/actions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", body, res.StatusCode, b)
		}
	}

	// Accepted on Monday: marked from that day.
	clock.Advance(72 * time.Hour)
	act(`{"action":"accept","reason":"材料齐全，予以受理"}`)
	if m := mark("accepted"); m != "2026-11-23" {
		t.Errorf("accepted on 2026-11-23: mark %q", m)
	}
	if st, m := tracking(); st != "accepted" || m != "marked" {
		t.Errorf("tracking after acceptance: %s, %q", st, m)
	}

	// Sent back for more material: no mark, nor after the applicant supplements it.
	act(`{"action":"request_more","reason":"请补充复议决定书原件扫描件"}`)
	if m := mark("needs more"); m != "" {
		t.Errorf("待补正 still marked since %s", m)
	}
	res, body := postForm(t, base+"/api/v1/objections/"+filed.Tracking+"/supplement", map[string]string{"statement": "已补充原件扫描件"},
		[]multipartFile{{"复议决定书.pdf", pdfBytes}}, http.Header{"X-Check-Code": {filed.CheckCode}})
	if res.StatusCode != 200 {
		t.Fatalf("supplement: %d %s", res.StatusCode, body)
	}
	if m := mark("supplemented"); m != "" {
		t.Errorf("supplemented, not yet accepted again: marked since %s", m)
	}

	// Accepted again the next day, sent for verification, then far past the deadline: the case
	// is still in review, and the record stays marked from the second acceptance.
	clock.Advance(24 * time.Hour)
	act(`{"action":"accept","reason":"补正后材料齐全"}`)
	act(`{"action":"verify","reason":"转鼓楼区局核查"}`)
	cs, err := st.CaseByTracking(ctx, filed.Tracking)
	if err != nil {
		t.Fatal(err)
	}
	deadline, _ := time.ParseInLocation(time.DateOnly, cs.Deadline, index.ChinaTime)
	clock.Advance(deadline.AddDate(0, 0, 3).Sub(clock.Now()))
	if !cs.Overdue(s.today()) {
		t.Fatalf("case due %s is not overdue on %s", cs.Deadline, s.today())
	}
	if m := mark("verifying, overdue"); m != "2026-11-24" {
		t.Errorf("overdue case in verification: mark %q, want 2026-11-24", m)
	}

	// Closed by the reviewer in the back office: the mark goes at once.
	reviewer := loginClient(t, base, "li")
	res2, err := reviewer.PostForm(base+"/admin/objections/"+filed.Tracking,
		url.Values{"action": {"close"}, "outcome": {"upheld"}, "reason": {"经核查，原处罚决定合法有效"}})
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != 200 {
		t.Fatalf("close in the back office: %d", res2.StatusCode)
	}
	if m := mark("closed"); m != "" {
		t.Errorf("closed case still marks the record since %s", m)
	}
	if st, m := tracking(); st != "closed" || m != "no longer" {
		t.Errorf("tracking after closing: %s, %q", st, m)
	}

	// A second anonymous filing closed without acceptance (a rejection) never marks.
	filed = fileValid(t, base, penalty)
	act(`{"action":"close","reason":"申请人与记录无关","outcome":"upheld"}`)
	if m := mark("rejected"); m != "" {
		t.Errorf("rejected filing marked the record since %s", m)
	}
}
