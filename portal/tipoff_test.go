package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/store"
)

// lockedBuffer collects a server's log from its goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// tipoffReporter is the reporter's contact details: they must appear in no public answer, no
// log line and no audit entry.
var tipoffReporter = map[string]string{"reporter_name": "周敏", "reporter_phone": "13711112222", "reporter_email": "zhoumin@example.com"}

func tipoffFields(fields map[string]string) map[string]string {
	f := map[string]string{"kind": "dishonest", "content": "该企业以虚假发票骗取补贴，并在登记住所之外长期经营，附现场照片。"}
	for k, v := range tipoffReporter {
		f[k] = v
	}
	for k, v := range fields {
		f[k] = v
	}
	return f
}

var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

// TestTipoffFlow: anyone files a tip-off about a record without an account; it goes to the
// reviewers of the record's authority only, is followed by number and check code, changes
// nothing public at any step, is counted in the public statistics, and the reporter's contact
// details reach the reviewer and nobody else, not even the log.
func TestTipoffFlow(t *testing.T) {
	logs := &lockedBuffer{}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime)
	s := loadedServer(t, Config{Data: fixtureData(t), Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ts := serveHTTP(t, s)
	ctx := context.Background()
	penalty := recordOf(t, ts.URL, antai, "penalty")
	took := regexp.MustCompile(`"took_ms":[0-9.]+`) // the only part that varies by itself
	public := func() string {
		t.Helper()
		return getBody(t, ts.URL+"/api/v1/entities/"+antai) + getBody(t, ts.URL+"/entities/"+antai) +
			took.ReplaceAllString(getBody(t, ts.URL+"/api/v1/lists/penalties?name="+url.QueryEscape("安泰")), "")
	}
	before := public()

	// Refusals, each with its field.
	for _, c := range []struct {
		name  string
		f     map[string]string
		files []multipartFile
		field string
	}{
		{"honeypot", tipoffFields(map[string]string{"record_id": penalty, "website": "http://spam"}), nil, "website"},
		{"no subject", tipoffFields(nil), nil, "entity"},
		{"unknown entity", tipoffFields(map[string]string{"entity": "91350200776049653B"}), nil, "entity"},
		{"record of another entity", tipoffFields(map[string]string{"record_id": penalty, "entity": huawei}), nil, "record_id"},
		{"too short", tipoffFields(map[string]string{"record_id": penalty, "content": "有问题"}), nil, "content"},
		{"unknown kind", tipoffFields(map[string]string{"record_id": penalty, "kind": "revenge"}), nil, "kind"},
		{"bad phone", tipoffFields(map[string]string{"record_id": penalty, "reporter_phone": "12345"}), nil, "reporter_phone"},
		{"attachment by content", tipoffFields(map[string]string{"record_id": penalty}), []multipartFile{{"照片.png", []byte("MZ\x90\x00 not an image")}}, "files"},
	} {
		res, body := postForm(t, ts.URL+"/api/v1/tipoffs", c.f, c.files, nil)
		var answer struct{ Fields map[string]string }
		json.Unmarshal(body, &answer)
		if res.StatusCode != 400 || answer.Fields[c.field] == "" {
			t.Errorf("%s: %d %s, want 400 on %s", c.name, res.StatusCode, body, c.field)
		}
	}
	if n, _ := s.sqlStore().TipoffQueue(ctx, store.TipoffFilter{}); len(n) != 0 {
		t.Fatalf("refused tip-offs were stored: %d", len(n))
	}

	res, body := postForm(t, ts.URL+"/api/v1/tipoffs", tipoffFields(map[string]string{"record_id": penalty}), []multipartFile{{"现场照片.png", pngBytes}}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("file: %d %s", res.StatusCode, body)
	}
	var filed filedCase
	json.Unmarshal(body, &filed)
	if !strings.HasPrefix(filed.Tracking, "JB-20261122-") || len(filed.CheckCode) != 12 {
		t.Fatalf("answer %s", body)
	}
	// A tip-off about an entity alone, by any form of its code, with no contact at all.
	anon := map[string]string{"entity": strings.ToLower(huawei), "kind": "missing", "content": "该企业 2026 年 9 月受到的行政处罚未在本平台公示。"}
	if res, body := postForm(t, ts.URL+"/api/v1/tipoffs", anon, nil, nil); res.StatusCode != 201 {
		t.Fatalf("anonymous tip-off about an entity: %d %s", res.StatusCode, body)
	}

	// The reporter follows it with the check code; the view has neither content nor contact.
	follow := func(code string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/tipoffs/"+filed.Tracking, nil)
		req.Header.Set("X-Check-Code", code)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(b)
	}
	if code, _ := follow("WRONGCODE999"); code != 404 {
		t.Errorf("wrong check code: %d", code)
	}
	code, view := follow(filed.CheckCode)
	if code != 200 || !strings.Contains(view, `"state":"submitted"`) || !strings.Contains(view, "现场照片.png") || strings.Contains(view, "虚假发票") {
		t.Errorf("reporter's view: %d %s", code, view)
	}

	// Routed to the record's authority: Xiamen's reviewer sees it, Fuzhou's does not.
	token := func(name, authority string) string {
		if _, err := s.sqlStore().CreateUser(ctx, name, store.RoleReviewer, authority, "correct horse battery", "test"); err != nil {
			t.Fatal(err)
		}
		tok, err := s.sqlStore().CreateToken(ctx, name, "agency")
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	call := func(tok, method, path, body string) (int, string) {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(b)
	}
	xm, fz := token("lin", "厦门市市场监督管理局"), token("wu", "福州市鼓楼区市场监督管理局")
	if code, b := call(xm, "GET", "/api/v1/admin/tipoffs", ""); code != 200 || !strings.Contains(b, filed.Tracking) || strings.Contains(b, "福州华威") {
		t.Errorf("Xiamen's queue: %d %s", code, b)
	}
	if code, b := call(fz, "GET", "/api/v1/admin/tipoffs", ""); code != 200 || strings.Contains(b, filed.Tracking) || !strings.Contains(b, "福州华威") {
		t.Errorf("Fuzhou's queue (the anonymous tip-off goes to 福州华威's registration authority): %d %s", code, b)
	}
	if code, _ := call(fz, "GET", "/api/v1/admin/tipoffs/"+filed.Tracking, ""); code != 404 {
		t.Errorf("another authority's reviewer reads the tip-off: %d", code)
	}
	if code, _ := call(fz, "POST", "/api/v1/admin/tipoffs/"+filed.Tracking+"/actions", `{"action":"accept","reason":"x"}`); code != 404 {
		t.Errorf("another authority's reviewer decides the tip-off: %d", code)
	}
	code, b := call(xm, "GET", "/api/v1/admin/tipoffs/"+filed.Tracking, "")
	if code != 200 || !strings.Contains(b, "虚假发票") || !strings.Contains(b, "13711112222") || !strings.Contains(b, "zhoumin@example.com") {
		t.Errorf("the reviewer's view: %d %s", code, b)
	}
	if public() != before {
		t.Error("filing a tip-off changed a public page or answer")
	}
	for _, step := range []struct {
		body string
		want int
	}{
		{`{"action":"close","outcome":"substantiated","reason":"属实"}`, 409}, // not accepted yet
		{`{"action":"verify","reason":"x"}`, 400},
		{`{"action":"accept","reason":"线索具体，受理核查"}`, 200},
		{`{"action":"close","outcome":"not_accepted","reason":"x"}`, 409},
		{`{"action":"close","outcome":"substantiated","reason":"经核查属实，已立案调查"}`, 200},
	} {
		if code, b := call(xm, "POST", "/api/v1/admin/tipoffs/"+filed.Tracking+"/actions", step.body); code != step.want {
			t.Errorf("%s: %d %s, want %d", step.body, code, b, step.want)
		}
		if public() != before {
			t.Errorf("after %s a public page or answer changed", step.body)
		}
	}
	if _, view := follow(filed.CheckCode); !strings.Contains(view, `"outcome":"substantiated"`) || !strings.Contains(view, "经核查属实，已立案调查") {
		t.Errorf("reporter's view after the decision: %s", view)
	}

	// Public statistics: counts by kind and outcome, nothing about whom.
	stats := getBody(t, ts.URL+"/api/v1/tipoffs/stats")
	var st store.TipoffStats
	if err := json.Unmarshal([]byte(stats), &st); err != nil {
		t.Fatal(err)
	}
	if st.Filed != 2 || st.Open != 1 || st.ByKind["dishonest"] != 1 || st.ByKind["missing"] != 1 || st.ByOutcome["substantiated"] != 1 ||
		st.Outcomes["missing"]["open"] != 1 {
		t.Errorf("stats %s", stats)
	}
	page := getBody(t, ts.URL+"/tipoffs/new")
	mustContain(t, "tip-off page", page, "累计收到举报 2 件", "<th scope=\"row\">失信行为</th><td>1</td><td>0</td><td>1</td><td>0</td>")

	// The contact details went nowhere else.
	var audit strings.Builder
	entries, _ := s.sqlStore().AuditLog(ctx, 0, 1000)
	for _, e := range entries {
		audit.WriteString(e.Detail + e.Subject + e.Actor)
	}
	for _, secret := range tipoffReporter {
		for where, text := range map[string]string{"log": logs.String(), "audit": audit.String(), "statistics": stats + page, "reporter's view": view, "public pages": public()} {
			if strings.Contains(text, secret) {
				t.Errorf("the reporter's %q is in the %s", secret, where)
			}
		}
	}
	if !strings.Contains(logs.String(), "/api/v1/tipoffs") {
		t.Error("the access log is not in the captured log: the check above proves nothing")
	}
}

// TestTipoffPages: the form from a record, a filing through the page, and following it there.
func TestTipoffPages(t *testing.T) {
	_, ts := testServer(t)
	penalty := recordOf(t, ts.URL, antai, "penalty")
	form := getBody(t, ts.URL+"/tipoffs/new?record="+url.QueryEscape(penalty))
	mustContain(t, "tip-off form", form, `id="tipoff-subject"`, "厦门安泰（福建）贸易有限公司", `name="website"`, `value="`+antai+`"`, "可匿名举报")

	post := func(fields url.Values, header map[string]string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/tipoffs/new", strings.NewReader(fields.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range header {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res.StatusCode, string(b)
	}
	fields := url.Values{"record_id": {penalty}, "entity": {antai}, "kind": {"error"}, "content": {"公示的罚款金额与处罚决定书不一致，决定书为 5 万元。"},
		"reporter_phone": {"13711112222"}}
	if code, _ := post(fields, map[string]string{"Sec-Fetch-Site": "cross-site"}); code != 403 {
		t.Errorf("a cross-site post: %d", code)
	}
	bad := url.Values{"entity": {antai}, "kind": {"error"}, "content": {"短"}}
	if code, page := post(bad, nil); code != 400 || !strings.Contains(page, `id="form-errors"`) || !strings.Contains(page, "至少 10 字") {
		t.Errorf("a short tip-off: %d", code)
	}
	code, page := post(fields, nil)
	if code != 201 || !strings.Contains(page, "举报已提交") || !strings.Contains(page, "厦门市市场监督管理局") {
		t.Fatalf("filed: %d %s", code, page)
	}
	var codes []string
	for _, part := range strings.Split(page, `<span class="code">`)[1:] {
		codes = append(codes, part[:strings.Index(part, "<")])
	}
	if len(codes) != 2 {
		t.Fatalf("tracking number and check code: %v", codes)
	}
	if getBody(t, ts.URL+"/tipoffs/"+codes[0]) == "" {
		t.Error("status page empty")
	}
	res, err := http.PostForm(ts.URL+"/tipoffs/"+codes[0], url.Values{"check_code": {codes[1]}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	status := string(b)
	if res.StatusCode != 200 || !strings.Contains(status, "<strong>已提交</strong>") || !strings.Contains(status, "公示信息错误") || strings.Contains(status, "13711112222") {
		t.Errorf("status page: %d %s", res.StatusCode, status)
	}
	res, _ = http.PostForm(ts.URL+"/tipoffs/"+codes[0], url.Values{"check_code": {"WRONGCODE999"}})
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Errorf("wrong check code: %d", res.StatusCode)
	}
	if _, r := page404(t, ts.URL+"/tipoffs/YY-20261122-7Q4K"); r.StatusCode != 404 {
		t.Errorf("an objection's number on the tip-off page: %d", r.StatusCode)
	}
}

func page404(t *testing.T, u string) (string, *http.Response) {
	t.Helper()
	return fetch(t, u, "text/html", 404)
}
