package portal

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/width"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
)

// screenServer serves the fixture snapshot like testServer, without rate limits (these tests
// send more screening requests than the budget allows) and with the log kept for inspection.
func screenServer(t *testing.T, limits RateLimits) (*Server, string, *syncBuffer) {
	t.Helper()
	dd := index.DataDir(t.TempDir())
	if _, err := importer.Import(context.Background(), []string{fixture}, importer.Options{Data: dd, Shards: 2, MaxRejectedShare: 0.4}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime)
	logs := &syncBuffer{}
	s := loadedServer(t, Config{Data: dd, Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(logs, nil)), RateLimits: limits})
	ts := serveHTTP(t, s)
	return s, ts.URL, logs
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// screenResp is the API's JSON answer as a client reads it.
type screenResp struct {
	AsOf    string `json:"as_of"`
	Count   int    `json:"count"`
	Results []struct {
		Line  int `json:"line"`
		Input struct {
			Code, Name string
			Ref        json.RawMessage
		} `json:"input"`
		index.Match
	} `json:"results"`
	Summary index.ScreenSummary `json:"summary"`
	Error   *APIError           `json:"error"`
}

func post(t *testing.T, u, contentType string, body io.Reader) (*http.Response, []byte) {
	t.Helper()
	res, err := http.Post(u, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func screenJSON(t *testing.T, base, body string, wantStatus int) screenResp {
	t.Helper()
	res, b := post(t, base+"/api/v1/screen", "application/json", strings.NewReader(body))
	if res.StatusCode != wantStatus {
		t.Fatalf("status %d, want %d: %s", res.StatusCode, wantStatus, b)
	}
	var out screenResp
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out
}

func TestScreenAPIJSON(t *testing.T) {
	s, base, logs := screenServer(t, RateLimits{Off: true})
	body := `{"subjects": [
		{"code": "` + huawei + `", "ref": {"row": 1}},
		{"code": "` + strings.ToLower(antai) + `"},
		{"code": "` + width.Widen.String(antai) + `"},
		{"code": "91350200776049653B"},
		{"name": "厦门安泰(福建)贸易有限公司"},
		{"name": "福州华威建材有限公司"},
		{"name": "重庆长江物流有限公司"},
		{"name": "不存在的某某有限公司"},
		{"code": "350102100012345", "name": "厦门银行股份有限公司", "客户编号": "C-9"},
		"` + huawei + `",
		"厦门银行股份有限公司"
	]}`
	r := screenJSON(t, base, body, 200)
	if r.AsOf != "2026-11-22" || r.Count != 11 || len(r.Results) != 11 || r.Error != nil {
		t.Fatalf("head: %+v", r)
	}
	want := []struct{ status, by, code string }{
		{index.StatusMatched, index.ByExactCode, huawei},
		{index.StatusMatched, index.ByNormalisedCode, antai},
		{index.StatusMatched, index.ByNormalisedCode, antai},
		{index.StatusInvalidCode, "", ""},
		{index.StatusMatched, index.ByExactName, antai},
		{index.StatusMatched, index.ByFormerName, huawei},
		{index.StatusMatched, index.ByExactName, "91500000MA5UKT77Q5"},
		{index.StatusNotFound, "", ""},
		{index.StatusMatched, index.ByRegNo, huawei},
		{index.StatusMatched, index.ByExactCode, huawei},
		{index.StatusMatched, index.ByExactName, "91350200260130346B"},
	}
	for i, w := range want {
		m := r.Results[i]
		code := ""
		if m.Entity != nil {
			code = m.Entity.Code
		}
		if m.Line != i+1 || m.Status != w.status || m.MatchedBy != w.by || code != w.code {
			t.Errorf("%d: line %d %s by %s → %s (%s); want %+v", i+1, m.Line, m.Status, m.MatchedBy, code, m.Explanation, w)
		}
	}
	if m := r.Results[3]; m.ValidCode != antai || !strings.Contains(m.Explanation, "invalid code (valid check character: A)") {
		t.Errorf("wrong check character: %+v", m.Match)
	}
	if m := r.Results[8]; !strings.Contains(strings.Join(m.Warnings, ","), index.WarnNameMismatch) || string(m.Input.Ref) != `{"客户编号":"C-9"}` {
		t.Errorf("reg_no with another company's name: %v %s", m.Warnings, m.Input.Ref)
	}
	if string(r.Results[0].Input.Ref) != `{"row":1}` || r.Results[0].Input.Code != huawei {
		t.Errorf("input echo: %+v", r.Results[0].Input)
	}
	// Flags today: 重庆's blacklist entry; 安泰 on the abnormal list; 华威 removed from it in 2023.
	if f := r.Results[6].Flags; !f.Blacklist.Listed || f.Blacklist.Since != "2024-05-20" {
		t.Errorf("blacklist: %+v", f.Blacklist)
	}
	if f := r.Results[1].Flags; !f.Abnormal.Listed || f.Penalties.Count != 1 {
		t.Errorf("安泰: %+v %+v", f.Abnormal, f.Penalties)
	}
	if f := r.Results[0].Flags; f.Abnormal.Listed || len(f.Abnormal.Entries) != 1 || f.Abnormal.Entries[0].RemovalDate != "2023-10-15" || f.Penalties.Count != 2 {
		t.Errorf("华威 today: %+v %+v", f.Abnormal, f.Penalties)
	}
	if sum := r.Summary; sum.Matched != 9 || sum.Invalid != 1 || sum.NotFound != 1 || sum.OnBlacklist != 1 || sum.OnAbnormal != 3 || sum.WithPenalties != 7 || sum.NameMismatch != 1 {
		t.Errorf("summary: %+v", sum)
	}
	// As of a day before the removal, 华威 was on the abnormal list; only the flags asked for come back.
	r = screenJSON(t, base, `{"as_of": "2023-08-01", "flags": ["abnormal", "penalties"], "penalty_years": 5, "subjects": ["`+huawei+`"]}`, 200)
	f := r.Results[0].Flags
	if !f.Abnormal.Listed || f.Abnormal.Since != "2023-07-01" || !f.Abnormal.Entries[0].InForce || f.Abnormal.Entries[0].RemovalDate != "2023-10-15" {
		t.Errorf("as of 2023-08-01: %+v", f.Abnormal)
	}
	if f.Blacklist != nil || f.Penalties == nil || f.Penalties.Count != 0 || f.Penalties.From != "2018-08-02" {
		t.Errorf("flags asked for: %+v %+v", f.Blacklist, f.Penalties)
	}
	// Options as query parameters, output as JSON Lines.
	res, b := post(t, base+"/api/v1/screen?format=jsonl&as_of=2025-01-01", "application/json", strings.NewReader(`["`+antai+`"]`))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/x-ndjson; charset=utf-8" || len(lines) != 3 ||
		!strings.Contains(lines[0], `"as_of":"2025-01-01"`) || !strings.Contains(lines[1], `"status":"matched"`) || !strings.HasPrefix(lines[2], `{"summary":`) {
		t.Errorf("jsonl: %d %s", res.StatusCode, b)
	}
	if res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("cache-control %q", res.Header.Get("Cache-Control"))
	}
	// Nothing of the request reaches the log; the counters do.
	if l := logs.String(); strings.Contains(l, "福州华威建材") || strings.Contains(l, antai) || strings.Contains(l, "不存在的某某") {
		t.Errorf("subjects in the log:\n%s", l)
	}
	var metrics bytes.Buffer
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	metrics.Write(rec.Body.Bytes())
	if !strings.Contains(metrics.String(), `gongshi_screen_subjects_total{status="matched"} 11`) ||
		!strings.Contains(metrics.String(), `gongshi_screen_requests_total{format="jsonl",outcome="ok"} 1`) {
		t.Errorf("metrics:\n%s", grepLines(metrics.String(), "gongshi_screen"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// upload posts a file as multipart/form-data with extra fields.
func upload(t *testing.T, u, name string, content []byte, fields map[string]string) (*http.Response, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
	}
	mw.Close()
	return post(t, u, mw.FormDataContentType(), &buf)
}

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatalf("CSV without BOM: %.80q", b)
	}
	cr := csv.NewReader(bytes.NewReader(b[3:]))
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func column(t *testing.T, header []string, name string) int {
	t.Helper()
	for i, h := range header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %q in %v", name, header)
	return -1
}

func TestScreenUploads(t *testing.T) {
	_, base, _ := screenServer(t, RateLimits{Off: true})
	list := "统一社会信用代码,企业名称,客户编号\n" + huawei + ",福州华威新材料科技有限公司,A-001\n,厦门安泰（福建）贸易有限公司,A-002\n91350200776049653B,,A-003\n"

	t.Run("CSV in, CSV out", func(t *testing.T) {
		res, b := upload(t, base+"/api/v1/screen?format=csv", "list.csv", []byte("\ufeff"+list), map[string]string{"as_of": "2025-01-01"})
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("%d %v %s", res.StatusCode, res.Header, b)
		}
		rows := readCSV(t, b)
		if len(rows) != 4 {
			t.Fatalf("rows: %q", rows)
		}
		h := rows[0]
		ref, status, black, abn, asOf := column(t, h, "客户编号"), column(t, h, "筛查结果"), column(t, h, "严重违法失信名单"), column(t, h, "经营异常名录"), column(t, h, "信息日期")
		column(t, h, "行政处罚（近3年）")
		if rows[1][ref] != "A-001" || rows[2][ref] != "A-002" || rows[1][status] != "已匹配" || rows[3][status] != "代码无效" {
			t.Errorf("rows: %q", rows)
		}
		// 安泰 was put on the abnormal list on 2025-03-01: not yet on 2025-01-01.
		if rows[2][abn] != "否" || rows[1][abn] != "否（2023-10-15 已移出）" || rows[1][black] != "否" || rows[1][asOf] != "2025-01-01" {
			t.Errorf("flags: %q / %q", rows[1], rows[2])
		}
		if !strings.Contains(rows[3][column(t, h, "说明")], "正确的校验位应为 A") {
			t.Errorf("invalid code text: %q", rows[3])
		}
	})

	t.Run("GB18030 CSV", func(t *testing.T) {
		gb, err := simplifiedchinese.GB18030.NewEncoder().String("企业名称\n重庆長江物流有限公司\n廈門銀行股份有限公司\n")
		if err != nil {
			t.Fatal(err)
		}
		res, b := upload(t, base+"/api/v1/screen", "名单.csv", []byte(gb), nil)
		if res.StatusCode != 200 {
			t.Fatalf("%d %s", res.StatusCode, b)
		}
		var r screenResp
		json.Unmarshal(b, &r)
		if len(r.Results) != 2 || r.Results[0].Entity == nil || r.Results[0].Entity.Code != "91500000MA5UKT77Q5" || !r.Results[0].Flags.Blacklist.Listed ||
			r.Results[1].Status != index.StatusMatched || r.Results[0].Input.Name != "重庆長江物流有限公司" {
			t.Errorf("GB18030: %s", b)
		}
	})

	t.Run("XLSX in, XLSX out", func(t *testing.T) {
		f := excelize.NewFile()
		for i, row := range [][]any{{"序号", "代码", "名称"}, {1, huawei, ""}, {2, "", "鼓楼区绿源小吃店"}, {3, "776049653", ""}} {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			f.SetSheetRow("Sheet1", cell, &row)
		}
		var xb bytes.Buffer
		f.WriteTo(&xb)
		res, b := upload(t, base+"/api/v1/screen?format=xlsx", "list.xlsx", xb.Bytes(), map[string]string{"flags": "blacklist,abnormal"})
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("%d %s", res.StatusCode, b)
		}
		out, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := out.GetRows("筛查结果")
		if err != nil || len(rows) != 4 {
			t.Fatalf("rows %q %v", rows, err)
		}
		h := rows[0]
		if rows[1][column(t, h, "序号")] != "1" || rows[3][column(t, h, "匹配方式")] != "组织机构代码" || rows[2][column(t, h, "筛查结果")] != "已匹配" {
			t.Errorf("xlsx rows: %q", rows)
		}
		for _, c := range h {
			if strings.HasPrefix(c, "行政处罚") {
				t.Errorf("penalties not asked for: %q", h)
			}
		}
		about, _ := out.GetRows("说明")
		if len(about) == 0 || about[0][1] != "2026-11-22" {
			t.Errorf("about sheet: %q", about)
		}
	})

	t.Run("raw CSV body and pasted text", func(t *testing.T) {
		res, b := post(t, base+"/api/v1/screen?flags=blacklist", "text/csv", strings.NewReader(list))
		var r screenResp
		if json.Unmarshal(b, &r); res.StatusCode != 200 || r.Count != 3 || r.Results[0].Flags.Abnormal != nil {
			t.Errorf("raw CSV: %d %s", res.StatusCode, b)
		}
		form := url.Values{"text": {antai + "\n\n重庆长江物流有限公司\t91500000MA5UKT77Q5\n福州华威建材有限公司，" + huawei}}
		res, b = post(t, base+"/api/v1/screen", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
		r = screenResp{}
		json.Unmarshal(b, &r)
		if res.StatusCode != 200 || len(r.Results) != 3 || r.Results[1].Line != 3 || r.Results[1].MatchedBy != index.ByExactCode ||
			r.Results[2].Entity == nil || r.Results[2].Entity.Code != huawei {
			t.Errorf("pasted: %d %s", res.StatusCode, b)
		}
	})
}

func TestScreenLimitsAndMalformedInput(t *testing.T) {
	_, base, _ := screenServer(t, RateLimits{Off: true})
	// Over the cap: a clear 413 before anything is screened.
	var many strings.Builder
	many.WriteString(`{"subjects":[`)
	for i := 0; i <= maxScreenSubjects; i++ {
		if i > 0 {
			many.WriteByte(',')
		}
		fmt.Fprintf(&many, `"公司%d"`, i)
	}
	many.WriteString(`]}`)
	res, b := post(t, base+"/api/v1/screen", "application/json", strings.NewReader(many.String()))
	if res.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "too_many_subjects") || !strings.Contains(string(b), "10000") {
		t.Errorf("cap: %d %s", res.StatusCode, b)
	}
	// Bigger than 5 MB: 413 from our limit or the server's.
	for _, n := range []int{screenMaxBytes + 200<<10, 7 << 20} {
		big := "企业名称\n" + strings.Repeat("某某某某某某某某某某有限公司\n", n/40)
		res, b = upload(t, base+"/api/v1/screen", "big.csv", []byte(big), nil)
		if res.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("%d bytes: %d %.200s", len(big), res.StatusCode, b)
		}
	}
	// Malformed input is a 400 (or 413/415) with a message, never a 500.
	garbageXLSX := append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0xff}, 100)...)
	for _, tc := range []struct {
		ct, body string
		status   int
		code     string
	}{
		{"application/json", `{`, 400, "bad_json"},
		{"application/json", `[1,`, 400, "bad_json"},
		{"application/json", ``, 400, "no_subjects"},
		{"application/json", `{"subjects": []}`, 400, "no_subjects"},
		{"application/json", `{"subjects": "x"}`, 400, "bad_json"},
		{"application/json", `{"subjects": [{"code": {}}]}`, 400, "bad_subject"},
		{"application/json", `{"subjects": [true]}`, 400, "bad_subject"},
		{"application/json", `{"subjects": ["a"], "asof": "2025-01-01"}`, 400, "bad_json"},
		{"application/json", `{"subjects": ["a"]} x`, 400, "bad_json"},
		{"application/json", `{"subjects": ["a"], "subjects": ["b"]}`, 400, "bad_json"},
		{"application/json", `{"as_of": "2026-13-01", "subjects": ["a"]}`, 400, "bad_as_of"},
		{"application/json", `{"as_of": "2099-01-01", "subjects": ["a"]}`, 400, "bad_as_of"},
		{"application/json", `{"as_of": 20250101, "subjects": ["a"]}`, 400, "bad_as_of"},
		{"application/json", `{"flags": ["sanctions"], "subjects": ["a"]}`, 400, "bad_flag"},
		{"application/json", `{"penalty_years": "abc", "subjects": ["a"]}`, 400, "bad_penalty_years"},
		{"application/json", `{"penalty_years": 99, "subjects": ["a"]}`, 400, "bad_penalty_years"},
		{"application/xml", `<a/>`, 415, "unsupported_media_type"},
		{"text/csv", "代码,名称\n\"x,y\n", 400, "bad_"},
		{"text/csv", "代码,名称\na,b,c\n", 400, "bad_row"},
		{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", string(garbageXLSX), 400, "bad_file"},
		{"multipart/form-data", "x", 400, "bad_body"},
	} {
		res, b := post(t, base+"/api/v1/screen", tc.ct, strings.NewReader(tc.body))
		var e struct{ Error APIError }
		json.Unmarshal(b, &e)
		if res.StatusCode != tc.status || !strings.HasPrefix(e.Error.Code, tc.code) || e.Error.MessageZH == "" {
			t.Errorf("%s %.40q: %d %s", tc.ct, tc.body, res.StatusCode, b)
		}
	}
	res, b = upload(t, base+"/api/v1/screen", "a.csv", []byte("代码\n"+antai), map[string]string{"text": antai})
	if res.StatusCode != 400 || !strings.Contains(string(b), "two_lists") {
		t.Errorf("file and text: %d %s", res.StatusCode, b)
	}
	res, b = post(t, base+"/api/v1/screen?format=pdf", "application/json", strings.NewReader(`["a"]`))
	if res.StatusCode != 400 || !strings.Contains(string(b), "bad_format") {
		t.Errorf("format: %d %s", res.StatusCode, b)
	}
}

func TestScreenRateBudget(t *testing.T) {
	if budgetFor(http.MethodPost, "/api/v1/screen") != "screen" || budgetFor(http.MethodPost, "/screen") != "screen" || budgetFor(http.MethodGet, "/screen") != "pages" {
		t.Fatal("budgetFor")
	}
	_, base, _ := screenServer(t, RateLimits{Screen: "2-M"})
	for i, want := range []int{200, 200, 429} {
		res, b := post(t, base+"/api/v1/screen", "application/json", strings.NewReader(`["`+antai+`"]`))
		if res.StatusCode != want {
			t.Fatalf("request %d: %d %s", i+1, res.StatusCode, b)
		}
		if want == 429 && res.Header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	}
	// The search budget is separate.
	getJSON(t, base+"/api/v1/search?q=华威", 200, nil)
}

func TestScreenPage(t *testing.T) {
	_, base, _ := screenServer(t, RateLimits{Off: true})
	body, res := page(t, base+"/screen", 200)
	checkPage(t, "/screen", body, res)
	mustContain(t, "/screen", body, `<h1>批量筛查</h1>`, `enctype="multipart/form-data"`, `name="text"`, `name="file"`, `type="date"`,
		`value="2026-11-22"`, `name="flags" value="blacklist" checked`, `value="csv"`, `value="xlsx"`, `href="/screen" aria-current="page"`)

	// Without script: the form posts and the results come back as a page.
	form := url.Values{"text": {"统一社会信用代码,企业名称,备注\n" + huawei + ",福州华威新材料科技有限公司,甲\n,重庆长江物流有限公司,乙\n91350200776049653B,,丙"},
		"as_of": {"2023-08-01"}, "format": {"html"}, "flags": {"blacklist", "abnormal"}}
	req, _ := http.NewRequest("POST", base+"/screen", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	html := string(b)
	if resp.StatusCode != 200 {
		t.Fatalf("POST /screen: %d %s", resp.StatusCode, b)
	}
	checkPage(t, "POST /screen", html, resp)
	mustContain(t, "POST /screen", html, "筛查完成：共 3 条，信息日期 2023-08-01", `screen-status-matched`, `screen-status-invalid_code`,
		`href="/entities/`+huawei+`"`, "经营异常（2023-07-01 列入，2023-10-15 移出）", "正确的校验位应为 A", `name="format" value="csv"`,
		`<option value="3" selected>`)
	// 重庆 was listed on 2024-05-20: not yet on the blacklist on 2023-08-01.
	mustNotContain(t, "POST /screen", html, "严重违法失信（2024-05-20")

	// The download buttons post the same list for a file.
	form.Set("format", "csv")
	res2, b2 := post(t, base+"/screen", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if res2.StatusCode != 200 || !strings.Contains(res2.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download: %d %s", res2.StatusCode, b2)
	}
	if rows := readCSV(t, b2); len(rows) != 4 || rows[2][column(t, rows[0], "备注")] != "乙" {
		t.Errorf("download rows: %q", rows)
	}

	// A bad request shows the form again with the message and the list kept.
	form.Set("format", "html")
	form.Set("as_of", "2099-01-01")
	res3, b3 := post(t, base+"/screen", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if res3.StatusCode != 400 || !strings.Contains(string(b3), "as_of 不能晚于今天") || !strings.Contains(string(b3), "重庆长江物流有限公司,乙") {
		t.Errorf("bad request page: %d %s", res3.StatusCode, b3)
	}
	res4, b4 := post(t, base+"/screen", "application/x-www-form-urlencoded", strings.NewReader("text=&format=html"))
	if res4.StatusCode != 400 || !strings.Contains(string(b4), "名单中没有任何企业代码或名称") {
		t.Errorf("empty list: %d %s", res4.StatusCode, b4)
	}
}

// FuzzScreenInput feeds the JSON and pasted-text readers arbitrary input: errors, never panics,
// and never more subjects than lines or elements could hold.
func FuzzScreenInput(f *testing.F) {
	for _, s := range []string{`{"subjects":["a",{"code":"b","name":"c","ref":[1]}],"as_of":"2025-01-01","flags":"blacklist"}`, `[1,"x",{}]`,
		"代码,名称\n91350200776049653A,厦门\n", "a\tb\n\"c,d\n，，\n", `{"subjects":[{"x":{"y":[]}}]}`, "\ufeff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		req := &screenRequest{}
		for _, src := range []screenSource{newScreenJSONSubjects([]byte(in)), newScreenTextSubjects(in, req)} {
			for i := 0; i < 10000; i++ {
				if _, err := src.Next(); err != nil {
					break
				}
			}
		}
	})
}
