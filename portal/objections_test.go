package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/store"
)

// huaweiPenalty finds the id of 福州华威's 2025 penalty in the fixture.
func recordOf(t *testing.T, baseURL, code, typ string) string {
	t.Helper()
	var e struct {
		Records []struct {
			ID, Type       string
			ObjectionSince string `json:"objection_pending_since"`
		}
	}
	getJSON(t, baseURL+"/api/v1/entities/"+code, 200, &e)
	for _, r := range e.Records {
		if r.Type == typ {
			return r.ID
		}
	}
	t.Fatalf("%s has no %s record", code, typ)
	return ""
}

type multipartFile struct {
	name string
	body []byte
}

func postForm(t *testing.T, url string, fields map[string]string, files []multipartFile, header http.Header) (*http.Response, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for _, f := range files {
		fw, _ := w.CreateFormFile("files", f.name)
		fw.Write(f.body)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, url, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, body
}

func validFiling(recordID string) map[string]string {
	return map[string]string{
		"record_id": recordID, "kind": "wrong", "applicant_name": "福州华威新材料科技有限公司",
		"applicant_code": strings.ToLower(huawei), "contact_person": "陈明", "contact_phone": "13800000000",
		"statement": "该处罚决定已于2026年10月被复议机关撤销，附复议决定书。",
	}
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func countCases(t *testing.T, s *Server) int {
	t.Helper()
	q, err := s.sqlStore().Queue(context.Background(), store.QueueFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	closed, _ := s.sqlStore().Queue(context.Background(), store.QueueFilter{State: "closed", Limit: 500})
	return len(q) + len(closed)
}

func TestObjectionFileTrackRevoke(t *testing.T) {
	s, ts := testServer(t)
	ctx := context.Background()
	penalty := recordOf(t, ts.URL, huawei, "penalty")

	res, body := postForm(t, ts.URL+"/api/v1/objections", validFiling(penalty), []multipartFile{{"复议决定书.pdf", pdfBytes}}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("file: %d %s", res.StatusCode, body)
	}
	var filed struct {
		Tracking  string `json:"tracking_number"`
		CheckCode string `json:"check_code"`
		State     string
	}
	json.Unmarshal(body, &filed)
	if filed.Tracking == "" || filed.CheckCode == "" || filed.State != "submitted" {
		t.Fatalf("answer %s", body)
	}

	// Filing alone marks nothing: anyone can copy a company's public name and code.
	var e struct {
		Records []struct {
			ID             string
			ObjectionSince string `json:"objection_pending_since"`
		}
	}
	// markSince returns the record's objection_pending_since in the entity API.
	markSince := func() string {
		t.Helper()
		getJSON(t, ts.URL+"/api/v1/entities/"+huawei, 200, &e)
		for _, r := range e.Records {
			if r.ID == penalty {
				return r.ObjectionSince
			}
		}
		return ""
	}
	if since := markSince(); since != "" {
		t.Errorf("filing alone marked the record (since %q)", since)
	}
	if page := getBody(t, ts.URL+"/entities/"+huawei); strings.Contains(page, "存在异议") {
		t.Error("entity page marks the record before a reviewer accepted the objection")
	}

	// Tracking needs the check code; the public view has no contact details.
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/objections/"+filed.Tracking, nil)
	req.Header.Set("X-Check-Code", "WRONGCODE999")
	if r, _ := http.DefaultClient.Do(req); r.StatusCode != 404 {
		t.Errorf("wrong check code: %d", r.StatusCode)
	}
	req.Header.Set("X-Check-Code", filed.CheckCode)
	r, _ := http.DefaultClient.Do(req)
	view, _ := io.ReadAll(r.Body)
	r.Body.Close()
	if r.StatusCode != 200 || strings.Contains(string(view), "13800000000") || strings.Contains(string(view), "陈明") || !strings.Contains(string(view), "已提交") {
		t.Errorf("status view %d %s", r.StatusCode, view)
	}

	// A reviewer decides through the API with a token.
	if _, err := s.sqlStore().CreateUser(ctx, "li", store.RoleReviewer, "福州市鼓楼区市场监督管理局", "correct horse battery", "test"); err != nil {
		t.Fatal(err)
	}
	token, _ := s.sqlStore().CreateToken(ctx, "li", "agency")
	act := func(body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/admin/objections/"+filed.Tracking+"/actions", strings.NewReader(body))
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
	if code, b := act(`{"action":"accept"}`); code != 409 {
		t.Errorf("accept without a reason: %d %s", code, b)
	}
	if code, b := act(`{"action":"accept","reason":"材料齐全"}`); code != 200 {
		t.Fatalf("accept: %d %s", code, b)
	}
	// Accepted: the record is marked, dated by the acceptance (the server's clock reads
	// 2026-11-22), in the API and on the page.
	const accepted = "2026-11-22"
	if since := markSince(); since != accepted {
		t.Errorf("accepted objection: objection_pending_since %q, want the acceptance day %s", since, accepted)
	}
	if page := getBody(t, ts.URL+"/entities/"+huawei); !strings.Contains(page, "存在异议 · 处理中（"+accepted+" 起）") {
		t.Error("entity page lacks the pending mark after acceptance")
	}
	for _, step := range []string{`{"action":"verify","reason":"转鼓楼区局核查"}`,
		`{"action":"close","reason":"原处罚决定已被复议撤销","outcome":"revoked"}`} {
		if code, b := act(step); code != 200 {
			t.Fatalf("%s: %d %s", step, code, b)
		}
	}
	if code, _ := act(`{"action":"accept","reason":"again"}`); code != 409 {
		t.Errorf("a closed case cannot be accepted again: %d", code)
	}

	// Gone from the entity page, the API, the list and the search badge at once.
	getJSON(t, ts.URL+"/api/v1/entities/"+huawei, 200, &e)
	for _, r := range e.Records {
		if r.ID == penalty {
			t.Error("revoked penalty still on the entity")
		}
	}
	var list index.ListResponse
	getJSON(t, ts.URL+"/api/v1/lists/penalties?name=华威", 200, &list)
	for _, r := range list.Records {
		if r.ID == penalty {
			t.Error("revoked penalty still in the list")
		}
	}

	// The next generation, whether a snapshot updates the served one or everything is built
	// again from the archive (the agency's unchanged file included), does not bring it back.
	st := s.sqlStore()
	delta := opendatatest.Write(t, t.TempDir(), "厦门市市场监督管理局", "2026-11-23", "delta",
		opendatatest.File{Type: index.TypeEntity, Header: []string{"统一社会信用代码", "企业名称", "登记状态"},
			Rows: [][]string{{opendatatest.Code(1), opendatatest.Name(1), "存续"}}})
	for _, opts := range []importer.Options{
		{Data: s.cfg.Data, Shards: 2, Corrections: st},
		{Data: s.cfg.Data, Shards: 2, Corrections: st, Rebuild: true},
	} {
		paths := []string{delta}
		if opts.Rebuild {
			paths, _ = importer.ArchivedSnapshots(s.cfg.Data)
		}
		if _, err := importer.Import(ctx, paths, opts); err != nil {
			t.Fatal(err)
		}
		if err := s.LoadCurrent(); err != nil {
			t.Fatal(err)
		}
		g := s.live.Acquire()
		rec, _ := g.Docs.Record(ctx, penalty)
		indexed, _ := g.Shard(huawei).Document(penalty)
		incremental := g.Info.Incremental
		g.Release()
		if rec != nil || indexed != nil {
			t.Errorf("a new generation (incremental %v) brought the revoked record back (store %v, index %v)", incremental, rec != nil, indexed != nil)
		}
		if incremental == opts.Rebuild {
			t.Errorf("rebuild %v made a generation with incremental %v", opts.Rebuild, incremental)
		}
	}
	if n, err := st.VerifyAudit(ctx); err != nil || n < 5 {
		t.Errorf("audit: %d entries, %v", n, err)
	}
}

func getBody(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/html")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

func TestObjectionRefusals(t *testing.T) {
	s, ts := testServer(t)
	penalty := recordOf(t, ts.URL, huawei, "penalty")
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 600)...)
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 30<<20)...)
	sqlish := "'; DROP TABLE cases; --"
	cases := []struct {
		name   string
		fields map[string]string
		files  []multipartFile
		header http.Header
		status int
		field  string
	}{
		{"another company's code", map[string]string{"applicant_code": antai, "applicant_name": "厦门安泰（福建）贸易有限公司"}, nil, nil, 400, "applicant_code"},
		{"wrong name", map[string]string{"applicant_name": "别的公司"}, nil, nil, 400, "applicant_name"},
		{"unknown record", map[string]string{"record_id": "penalty-0000000000000000"}, nil, nil, 400, "record_id"},
		{"no contact", map[string]string{"contact_phone": ""}, nil, nil, 400, "contact_phone"},
		{"bad kind", map[string]string{"kind": "x"}, nil, nil, 400, "kind"},
		{"repair without commitment", map[string]string{"kind": "repair"}, nil, nil, 400, "commitment"},
		{"executable renamed .pdf", nil, []multipartFile{{"决定书.pdf", exe}}, nil, 400, "files"},
		{"30 MB upload", nil, []multipartFile{{"大文件.pdf", big}}, nil, 400, "files"},
		{"honeypot", map[string]string{"website": "http://spam.example"}, nil, nil, 400, "website"},
		{"SQL in every field", map[string]string{"record_id": sqlish, "kind": sqlish, "applicant_name": sqlish, "applicant_code": sqlish,
			"contact_person": sqlish, "contact_phone": sqlish, "contact_email": sqlish, "statement": sqlish}, nil, nil, 400, "record_id"},
	}
	for _, tc := range cases {
		f := validFiling(penalty)
		for k, v := range tc.fields {
			f[k] = v
		}
		res, body := postForm(t, ts.URL+"/api/v1/objections", f, tc.files, tc.header)
		if res.StatusCode != tc.status {
			t.Errorf("%s: %d, want %d: %.300s", tc.name, res.StatusCode, tc.status, body)
			continue
		}
		var eb struct {
			Error  APIError
			Fields map[string]string
		}
		json.Unmarshal(body, &eb)
		if eb.Error.Code == "" || tc.field != "" && eb.Fields[tc.field] == "" {
			t.Errorf("%s: error body %s", tc.name, body)
		}
	}
	// A cross-site form post is refused before anything else looks at it.
	res, body := postForm(t, ts.URL+"/api/v1/objections", validFiling(penalty), nil,
		http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}})
	if res.StatusCode != 403 || !strings.Contains(string(body), "cross_origin") {
		t.Errorf("cross-site post: %d %s", res.StatusCode, body)
	}
	// More than 51 MB in one request is refused by its size alone.
	huge := bytes.Repeat([]byte("x"), 52<<20)
	res, _ = postForm(t, ts.URL+"/api/v1/objections", validFiling(penalty), []multipartFile{{"a.pdf", huge}}, nil)
	if res.StatusCode != 413 {
		t.Errorf("52 MB request: %d", res.StatusCode)
	}
	if n := countCases(t, s); n != 0 {
		t.Errorf("%d cases stored by refused filings", n)
	}
	if entries, _ := os.ReadDir(filepath.Join(string(s.cfg.Data), "attachments")); len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("attachments left behind: %v", names)
	}
	// A wrong check code or a malformed tracking number reads nothing.
	for _, tr := range []string{"YY-20261122-7Q4K", "../../etc/passwd", "YY-20261122-7Q4K' OR '1'='1"} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/objections/"+tr, nil)
		req.Header.Set("X-Check-Code", "AAAAAAAAAAAA")
		if r, _ := http.DefaultClient.Do(req); r.StatusCode != 404 {
			t.Errorf("%s: %d", tr, r.StatusCode)
		}
	}
	_ = fmt.Sprint()
}

func TestObjectionStoreDownIs503(t *testing.T) {
	s, ts := testServer(t)
	penalty := recordOf(t, ts.URL, huawei, "penalty")
	s.db.Load().Close() // the database goes away under the running portal
	res, body := postForm(t, ts.URL+"/api/v1/objections", validFiling(penalty), nil, nil)
	if res.StatusCode != 503 || !strings.Contains(string(body), "store_unavailable") || res.Header.Get("Retry-After") == "" {
		t.Errorf("filing with the store down: %d %s", res.StatusCode, body)
	}
	// Search and entity pages keep working.
	getJSON(t, ts.URL+"/api/v1/search?q=华威", 200, nil)
	getJSON(t, ts.URL+"/api/v1/entities/"+huawei, 200, nil)
}
