package portal

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/store"
)

// repairFiling is a credit-repair application by 厦门安泰 for one of its records.
func repairFiling(recordID string) map[string]string {
	return map[string]string{
		"record_id": recordID, "kind": "repair", "applicant_name": "厦门安泰（福建）贸易有限公司",
		"applicant_code": antai, "contact_person": "林华", "contact_email": "linhua@example.com", "commitment": "1",
		"statement": "本企业已于2026年10月办理住所变更登记，新住所可以取得联系，附变更登记通知书。",
	}
}

// reviewerAct returns a function that posts a reviewer's step on a case through the API.
func reviewerAct(t *testing.T, s *Server, baseURL, name, authority, tracking string) func(body string) (int, string) {
	t.Helper()
	ctx := context.Background()
	if _, err := s.sqlStore().CreateUser(ctx, name, store.RoleReviewer, authority, "correct horse battery", "test"); err != nil {
		t.Fatal(err)
	}
	token, err := s.sqlStore().CreateToken(ctx, name, "agency")
	if err != nil {
		t.Fatal(err)
	}
	return func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, baseURL+"/api/v1/admin/objections/"+tracking+"/actions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(b)
	}
}

type entityRecords struct {
	Records []struct {
		ID, Type, Removed string
		Fields            map[string]string
	}
}

// TestListRepairRemovesTheEntry: an application to repair an abnormal-operation listing is
// checked against the list's conditions, decided by the listing authority's reviewer, and a
// granted repair removes the entry on the decision's day: the listing and the removal stay
// public, marked "已信用修复，于 … 移出", on the entity (API and page), in the credit report,
// in the change log and the feed, and in every later generation.
func TestListRepairRemovesTheEntry(t *testing.T) {
	s, ts := testServer(t)
	ctx := context.Background()
	const day = "2026-11-22" // the test server's clock
	abnormal := recordOf(t, ts.URL, antai, "abnormal")
	published := func() {
		t.Helper()
		if _, err := opendata.Publish(ctx, s.cfg.Data, day, s.overlay, s.openDataOptions()); err != nil {
			t.Fatal(err)
		}
	}
	published()

	// The form states the conditions of the list and the cause of the listing.
	form := getBody(t, ts.URL+"/objections/new?record="+abnormal)
	mustContain(t, "repair form", form, `id="repair-conditions"`, "申请移出经营异常名录", "住所或者经营场所变更登记")

	// A list repair needs evidence; 福州华威's abnormal entry was removed in 2023 already.
	res, body := postForm(t, ts.URL+"/api/v1/objections", repairFiling(abnormal), nil, nil)
	if res.StatusCode != 400 || !strings.Contains(string(body), "须附证明材料") {
		t.Errorf("without evidence: %d %s", res.StatusCode, body)
	}
	removedLong := recordOf(t, ts.URL, huawei, "abnormal")
	old := validFiling(removedLong)
	old["kind"], old["commitment"] = "repair", "1"
	res, body = postForm(t, ts.URL+"/api/v1/objections", old, []multipartFile{{"年报.pdf", pdfBytes}}, nil)
	if res.StatusCode != 400 || !strings.Contains(string(body), "已于 2023-10-15 移出") {
		t.Errorf("a removed entry: %d %s", res.StatusCode, body)
	}

	res, body = postForm(t, ts.URL+"/api/v1/objections", repairFiling(abnormal), []multipartFile{{"变更登记通知书.pdf", pdfBytes}}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("file: %d %s", res.StatusCode, body)
	}
	var filed filedCase
	json.Unmarshal(body, &filed)
	if !strings.HasPrefix(filed.Tracking, "XF-") {
		t.Errorf("tracking number %q, want a repair number", filed.Tracking)
	}

	act := reviewerAct(t, s, ts.URL, "chen", "厦门市市场监督管理局", filed.Tracking)
	for _, step := range []string{`{"action":"accept","reason":"材料齐全"}`, `{"action":"close","outcome":"upheld","reason":"x"}`} {
		code, b := act(step)
		if strings.Contains(step, "upheld") {
			if code != 409 {
				t.Errorf("a repair closed as 维持: %d %s", code, b)
			}
			continue
		}
		if code != 200 {
			t.Fatalf("%s: %d %s", step, code, b)
		}
	}
	// Accepted, not yet decided: a repair application marks nothing and removes nothing.
	var e entityRecords
	getJSON(t, ts.URL+"/api/v1/entities/"+antai, 200, &e)
	for _, r := range e.Records {
		if r.ID == abnormal && (r.Fields["removal_date"] != "" || r.Fields["correction_note"] != "") {
			t.Errorf("removed before the decision: %v", r.Fields)
		}
	}
	if code, b := act(`{"action":"close","outcome":"repaired","reason":"已办理住所变更登记，可以取得联系"}`); code != 200 {
		t.Fatalf("close: %d %s", code, b)
	}

	// At once: the entry stays public with its removal and the note.
	const note = "已信用修复，于 " + day + " 移出"
	getJSON(t, ts.URL+"/api/v1/entities/"+antai, 200, &e)
	found := false
	for _, r := range e.Records {
		if r.ID != abnormal {
			continue
		}
		found = true
		if r.Fields["removal_date"] != day || r.Fields["removal_reason"] != "信用修复" ||
			r.Fields["removal_authority"] != "厦门市市场监督管理局" || r.Fields["correction_note"] != note {
			t.Errorf("repaired entry: %v", r.Fields)
		}
		if r.Removed != day {
			t.Errorf("repaired entry still in force before the next build: removed %q, want %s", r.Removed, day)
		}
	}
	if !found {
		t.Fatal("a repaired list entry must stay public as history, not be hidden")
	}
	repairedPage := getBody(t, ts.URL+"/entities/"+antai)
	mustContain(t, "entity page", repairedPage, note)
	mustNotContain(t, "entity page before the next build", repairedPage, "尚未移出")
	var signed struct {
		Report struct {
			ListStatus []struct {
				List    string
				Listed  bool
				Summary string
				History []struct{ Removed string }
			} `json:"list_status"`
			Corrections []struct{ Note string } `json:"corrections"`
		}
	}
	if err := json.Unmarshal([]byte(getBody(t, ts.URL+"/entities/"+antai+"/report.json")), &signed); err != nil {
		t.Fatal(err)
	}
	rep := signed.Report
	abnormalStatus := false
	for _, ls := range rep.ListStatus {
		if ls.List == "abnormal" {
			abnormalStatus = true
			if ls.Listed || len(ls.History) != 1 || ls.History[0].Removed != day {
				t.Errorf("the report's abnormal-list standing: %+v", ls)
			}
		}
	}
	if !abnormalStatus {
		t.Error("the report has no abnormal-list standing")
	}
	if len(rep.Corrections) != 1 || rep.Corrections[0].Note != note {
		t.Errorf("report corrections: %+v", rep.Corrections)
	}

	// A second repair within a year is refused, for any of the subject's list entries.
	res, body = postForm(t, ts.URL+"/api/v1/objections", repairFiling(abnormal), []multipartFile{{"a.pdf", pdfBytes}}, nil)
	if res.StatusCode != 400 || !strings.Contains(string(body), "已于 "+day+" 移出") {
		t.Errorf("the repaired entry again: %d %s", res.StatusCode, body)
	}

	// The change log and the feed: the entry was removed (移出) with 移出原因 信用修复.
	published()
	var changes changesPage
	getJSON(t, ts.URL+"/api/v1/changes?list=abnormal", 200, &changes)
	var change *opendata.Change
	for i, c := range changes.Changes {
		if c.ID == abnormal {
			change = &changes.Changes[i]
		}
	}
	if change == nil || change.Change != "modified" || change.Reason != opendata.ReasonDelisted {
		t.Errorf("change log: %+v", change)
	}
	feed := getBody(t, ts.URL+"/feeds/abnormal.atom")
	mustContain(t, "abnormal feed", feed, "<title>移出：厦门安泰（福建）贸易有限公司</title>", "记录编号 "+abnormal)

	// Every later generation carries the removal as the agency's own would be: the entry is no
	// longer in force, so the badge and the list's current entries drop it.
	paths, _ := importer.ArchivedSnapshots(s.cfg.Data)
	if _, err := importer.Import(ctx, paths, importer.Options{Data: s.cfg.Data, Shards: 2, Corrections: s.sqlStore(), Rebuild: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadCurrent(); err != nil {
		t.Fatal(err)
	}
	g := s.live.Acquire()
	rec, _ := g.Docs.Record(ctx, abnormal)
	g.Release()
	if rec == nil || rec.Removed != day || rec.Fields["removal_reason"] != "信用修复" || rec.Fields["correction_note"] != note {
		t.Fatalf("rebuilt record: %+v", rec)
	}
	page := getBody(t, ts.URL+"/entities/"+antai)
	mustContain(t, "entity page after the rebuild", page, note, "移出</span> "+day+" · 厦门市市场监督管理局")
	mustNotContain(t, "entity page after the rebuild", page, "尚未移出")
	var hits struct {
		Results []struct {
			Code   string
			Badges []string
		}
	}
	getJSON(t, ts.URL+"/api/v1/search?q="+antai, 200, &hits)
	if len(hits.Results) != 1 || slices.Contains(hits.Results[0].Badges, index.HasAbnormal) {
		t.Errorf("search card after the rebuild: %+v", hits.Results)
	}
	var list index.ListResponse
	getJSON(t, ts.URL+"/api/v1/lists/abnormal?state=current", 200, &list)
	for _, r := range list.Records {
		if r.ID == abnormal {
			t.Error("the repaired entry is still among the list's current entries")
		}
	}
}

// TestBlacklistRepairConditions: a blacklist entry listed more than a year ago can be repaired;
// the one-year-between-repairs rule then refuses the subject's next list repair.
func TestBlacklistRepairConditions(t *testing.T) {
	s, ts := testServer(t)
	const changjiang = "91500000MA5UKT77Q5" // listed 2024-05-20 (the clock reads 2026-11-22)
	black := recordOf(t, ts.URL, changjiang, "blacklist")
	f := map[string]string{"record_id": black, "kind": "repair", "applicant_name": "重庆長江物流有限公司",
		"applicant_code": changjiang, "contact_person": "张强", "contact_phone": "023-63001234", "commitment": "1",
		"statement": "已补报 2020 至 2023 年度报告，已履行相关义务。"}
	res, body := postForm(t, ts.URL+"/api/v1/objections", f, []multipartFile{{"年报.pdf", pdfBytes}}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("file: %d %s", res.StatusCode, body)
	}
	var filed filedCase
	json.Unmarshal(body, &filed)
	act := reviewerAct(t, s, ts.URL, "wang", "重庆市市场监督管理局", filed.Tracking)
	for _, step := range []string{`{"action":"accept","reason":"材料齐全"}`, `{"action":"close","outcome":"repaired","reason":"符合提前移出条件"}`} {
		if code, b := act(step); code != 200 {
			t.Fatalf("%s: %d %s", step, code, b)
		}
	}
	last, err := s.sqlStore().LastRepair(context.Background(), changjiang)
	if err != nil || last != "2026-11-22" {
		t.Fatalf("last repair %q, %v", last, err)
	}
	res, body = postForm(t, ts.URL+"/api/v1/objections", f, []multipartFile{{"年报.pdf", pdfBytes}}, nil)
	if res.StatusCode != 400 || !strings.Contains(string(body), "移出") {
		t.Errorf("the same entry again: %d %s", res.StatusCode, body)
	}
}

// TestRepairConditionsAtDecision: the conditions hold on the day a repair is granted, not only
// on filing: of two applications for the subject's list entries, filed together, the second
// cannot be granted once the first is (one list repair a year).
func TestRepairConditionsAtDecision(t *testing.T) {
	s, ts := testServer(t)
	abnormal := recordOf(t, ts.URL, antai, "abnormal")
	var filed [2]filedCase
	for i := range filed {
		res, body := postForm(t, ts.URL+"/api/v1/objections", repairFiling(abnormal), []multipartFile{{"变更登记通知书.pdf", pdfBytes}}, nil)
		if res.StatusCode != 201 {
			t.Fatalf("file %d: %d %s", i, res.StatusCode, body)
		}
		json.Unmarshal(body, &filed[i])
	}
	first := reviewerAct(t, s, ts.URL, "chen", "厦门市市场监督管理局", filed[0].Tracking)
	for _, step := range []string{`{"action":"accept","reason":"材料齐全"}`, `{"action":"close","outcome":"repaired","reason":"符合条件"}`} {
		if code, b := first(step); code != 200 {
			t.Fatalf("%s: %d %s", step, code, b)
		}
	}
	second := reviewerAct(t, s, ts.URL, "zhao", "厦门市市场监督管理局", filed[1].Tracking)
	if code, b := second(`{"action":"accept","reason":"材料齐全"}`); code != 200 {
		t.Fatalf("accept: %d %s", code, b)
	}
	if code, b := second(`{"action":"close","outcome":"repaired","reason":"符合条件"}`); code != 409 || !strings.Contains(b, "已不符合信用修复条件") {
		t.Errorf("a second repair granted: %d %s", code, b)
	}
	if code, b := second(`{"action":"close","outcome":"not_repaired","reason":"已于今日准予修复"}`); code != 200 {
		t.Errorf("refusing it: %d %s", code, b)
	}
}
