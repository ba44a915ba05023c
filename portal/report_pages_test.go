package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/portal/report"
)

// reportOverlay is a stand-in for the store's decisions and objections.
type reportOverlay struct{ pending map[string]string }

func (reportOverlay) Hidden(context.Context) (map[string]string, error) { return nil, nil }
func (reportOverlay) Corrected(context.Context) (map[string]map[string]string, error) {
	return nil, nil
}
func (o reportOverlay) Pending(context.Context) (map[string]string, error) { return o.pending, nil }

func getBytes(t *testing.T, rawURL string, wantStatus int) ([]byte, *http.Response) {
	t.Helper()
	res, err := http.Get(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d: %.300s", rawURL, res.StatusCode, wantStatus, b)
	}
	return b, res
}

// postCopy sends a presented copy to the verify form, as a file or pasted.
func postCopy(t *testing.T, rawURL, field string, data []byte, wantStatus int) string {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if field == "file" {
		w, _ := mw.CreateFormFile("file", "copy.bin")
		w.Write(data)
	} else {
		mw.WriteField(field, string(data))
	}
	mw.Close()
	res, err := http.Post(rawURL, mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		t.Fatalf("POST %s: status %d, want %d: %.400s", rawURL, res.StatusCode, wantStatus, b)
	}
	return string(b)
}

func TestReportPagesDownloadsAndVerification(t *testing.T) {
	s, ts := testServer(t)
	g := s.live.Acquire()
	recs, _ := g.Docs.RecordsOf(context.Background(), huawei)
	g.Release()
	pendingID := ""
	for _, r := range recs {
		if r.Fields["doc_no"] == "榕鼓市监处罚〔2026〕3号" {
			pendingID = r.ID
		}
	}
	s.reports.SetOverlay(reportOverlay{pending: map[string]string{pendingID: "2026-11-10"}})

	// The HTML report: penalties, the removed abnormal-list entry, the pending objection, QR.
	html, res := page(t, ts.URL+"/entities/"+huawei+"/report", 200)
	number := res.Header.Get("X-Report-Number")
	if _, ok := report.NormalizeNumber(number); !ok {
		t.Fatalf("report number %q", number)
	}
	mustContain(t, "report page", html, "企业信用报告", "福州华威新材料科技有限公司", number, "榕鼓市监处罚〔2026〕3号",
		"榕鼓市监处罚〔2025〕12号", "2023-10-15", "存在异议，异议处理中（2026-11-10 受理）", `<svg class="qr"`,
		"/entities/"+huawei+"/report.pdf?as_of=2026-11-22", "本报告不包括", "福建省市场监督管理局（测试）")
	mustNotContain(t, "report page", html, "style=")
	page(t, ts.URL+"/entities/"+strings.ToLower(huawei)+"/report", 301)
	entity, _ := page(t, ts.URL+"/entities/"+huawei, 200)
	mustContain(t, "entity page", entity, `href="/entities/`+huawei+`/report"`, "查看信用报告")

	// The same report as PDF and JSON, with the same number.
	pdf, res := getBytes(t, ts.URL+"/entities/"+huawei+"/report.pdf", 200)
	if res.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf, []byte("%PDF-")) || res.Header.Get("X-Report-Number") != number {
		t.Fatalf("pdf: %v", res.Header)
	}
	js, res := getBytes(t, ts.URL+"/entities/"+huawei+"/report.json", 200)
	var env struct {
		Report struct {
			Number   string `json:"number"`
			Sections []struct {
				Type    string            `json:"type"`
				Records []json.RawMessage `json:"records"`
			} `json:"sections"`
		} `json:"report"`
		Hash      string `json:"hash"`
		Signature string `json:"signature"`
		KeyID     string `json:"key_id"`
	}
	if err := json.Unmarshal(js, &env); err != nil || env.Report.Number != number || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("json: %v %s", err, js[:200])
	}

	// As of a day before the 2026-09-01 penalty is refused here (the only snapshot is of
	// 2026-11-01), in the future too, with the reason.
	body, _ := page(t, ts.URL+"/entities/"+huawei+"/report?as_of=2026-10-31", 400)
	mustContain(t, "as_of before data", body, "2026-11-01")
	body, _ = page(t, ts.URL+"/entities/"+huawei+"/report?as_of=2026-11-23", 400)
	mustContain(t, "as_of in future", body, "不能晚于今天")
	var apiErr struct{ Error APIError }
	getJSON(t, ts.URL+"/entities/"+huawei+"/report.json?as_of=2026-13-01", 400, &apiErr)
	if apiErr.Error.Code != "bad_as_of" {
		t.Errorf("bad as_of: %+v", apiErr)
	}
	page(t, ts.URL+"/entities/91350200776049653B/report", 404)
	page(t, ts.URL+"/entities/91350200776049653B/report.pdf", 404)

	// The QR code's short URL leads to the verify page, which shows the recorded report.
	_, res = fetch(t, ts.URL+"/r/"+strings.ToLower(number), "text/html", 302)
	verify := ts.URL + "/reports/verify/" + number
	if res.Header.Get("Location") != "/reports/verify/"+number {
		t.Errorf("short link: %s", res.Header.Get("Location"))
	}
	page(t, ts.URL+"/r/nonsense", 404)
	page(t, ts.URL+"/reports/verify/XY20260101ABCDEFGH", 404)
	body, _ = page(t, verify, 200)
	mustContain(t, "verify page", body, number, "福州华威新材料科技有限公司", env.Hash, "签名有效", "当前签名密钥",
		"经营异常名录", "存在异议", `enctype="multipart/form-data"`)

	// Presented copies: the originals match; one changed byte, or another file, does not.
	mustContain(t, "pdf upload", postCopy(t, verify, "file", pdf, 200), "一致：您提交的PDF文件", "逐字节相同")
	mustContain(t, "json paste", postCopy(t, verify, "content", js, 200), "一致：您提交的JSON文件")
	for _, at := range []int{10, len(pdf) / 2, len(pdf) - 5} {
		bad := bytes.Clone(pdf)
		bad[at] ^= 1
		out := postCopy(t, verify, "file", bad, 200)
		mustContain(t, "changed pdf", out, "不一致")
		mustNotContain(t, "changed pdf", out, "内容未被改动")
	}
	bad := bytes.Replace(js, []byte("福州华威"), []byte("福州华为"), 1)
	mustContain(t, "changed json", postCopy(t, verify, "file", bad, 200), "不一致", "内容哈希不一致")
	mustContain(t, "gif", postCopy(t, verify, "file", []byte("GIF89a...."), 415), "不是 PDF，也不是 JSON")
	mustContain(t, "nothing", postCopy(t, verify, "content", nil, 400), "请选择")
	postCopy(t, verify, "file", bytes.Repeat([]byte("%PDF-"), 220_000), 413)

	// Public keys, and the metadata API.
	var keys PublicKeysJSON
	getJSON(t, ts.URL+"/reports/public-key", 200, &keys)
	if len(keys.Keys) != 1 || keys.Keys[0].Status != "current" || keys.Keys[0].KeyID != env.KeyID || keys.CurrentKeyID != env.KeyID {
		t.Errorf("public keys: %+v", keys)
	}
	pem, _ := getBytes(t, ts.URL+"/reports/public-key.pem", 200)
	trusted, err := report.ParsePublicKeys(pem)
	if err != nil {
		t.Fatal(err)
	}
	if r, err := report.Verify(pdf, trusted); err != nil || !r.Match() {
		t.Errorf("offline with the published PEM: %+v %v", r, err)
	}
	var meta ReportJSON
	getJSON(t, ts.URL+"/api/v1/reports/"+number, 200, &meta)
	if meta.EntityCode != huawei || meta.ContentHash != env.Hash || !meta.SignatureValid || len(meta.Files) != 2 || len(meta.Report) == 0 {
		t.Errorf("metadata: %+v", meta)
	}
	metrics, _ := getBytes(t, ts.URL+"/metrics", 200)
	if !bytes.Contains(metrics, []byte("gongshi_reports_issued_total 1")) {
		t.Error("issued counter missing")
	}
	if days, err := s.ReportsIssuedPerDay(context.Background(), 7); err != nil || days[6].Count != 1 {
		t.Errorf("issued per day: %+v %v", days, err)
	}

	// After a restart (a new server on the same folder) and a key rotation, the copies still
	// match; a new report is signed with the new key.
	s2, err := New(Config{Data: s.cfg.Data, Now: s.cfg.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if err := s2.LoadCurrent(); err != nil {
		t.Fatal(err)
	}
	defer s2.live.Close()
	if _, err := s2.reports.Keys().Rotate(); err != nil {
		t.Fatal(err)
	}
	ts2 := httptest.NewServer(s2.Handler())
	defer ts2.Close()
	verify2 := ts2.URL + "/reports/verify/" + url.PathEscape(number)
	mustContain(t, "pdf after restart and rotation", postCopy(t, verify2, "file", pdf, 200), "一致：您提交的PDF文件")
	mustContain(t, "json after restart and rotation", postCopy(t, verify2, "file", js, 200), "一致：您提交的JSON文件")
	body, _ = page(t, verify2, 200)
	mustContain(t, "verify page after rotation", body, "已轮换的历史密钥")
	_, res = getBytes(t, ts2.URL+"/entities/"+huawei+"/report.json", 200)
	if n := res.Header.Get("X-Report-Number"); n == number || n == "" {
		t.Errorf("after rotation the report must be signed anew: %s", n)
	}
}

func TestReportRoutesCountAsDownloads(t *testing.T) {
	for path, want := range map[string]string{
		"/entities/" + huawei + "/report":      "downloads",
		"/entities/" + huawei + "/report.pdf":  "downloads",
		"/entities/" + huawei + "/report.json": "downloads",
		"/reports/verify/XY20261122ABCD1234":   "downloads",
		"/reports/public-key":                  "downloads",
		"/entities/" + huawei:                  "pages",
		"/r/XY20261122ABCD1234":                "pages",
	} {
		if got := budgetFor(http.MethodGet, path); got != want {
			t.Errorf("GET %s: budget %q, want %q", path, got, want)
		}
	}
	if got := budgetFor(http.MethodPost, "/reports/verify/XY20261122ABCD1234"); got != "forms" {
		t.Errorf("POST verify: budget %q", got)
	}
}

// lengthOverflowPDF is a 190-byte PDF whose attachment declares /Length 9223372036854775807
// (math.MaxInt64): added to the stream's offset, that length wraps to a negative end.
func lengthOverflowPDF() []byte {
	return []byte("%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Length 9223372036854775807 /Filter /FlateDecode /Params << /CheckSum <" +
		strings.Repeat("0", 32) + "> /Size 2 >> >>\nstream\n\nendstream\nendobj\n%%EOF\n")
}

// A copy no report can be read from is the uploader's fault: a 422 with the reason in Chinese,
// never a 500.
func TestReportVerifyMalformedCopy(t *testing.T) {
	_, ts := testServer(t)
	_, res := page(t, ts.URL+"/entities/"+huawei+"/report", 200)
	verify := ts.URL + "/reports/verify/" + res.Header.Get("X-Report-Number")
	js, _ := getBytes(t, ts.URL+"/entities/"+huawei+"/report.json", 200)
	for what, c := range map[string]struct {
		field string
		data  []byte
	}{
		"/Length MaxInt64 upload": {"file", lengthOverflowPDF()},
		"/Length MaxInt64 pasted": {"content", lengthOverflowPDF()},
		"truncated pdf":           {"file", lengthOverflowPDF()[:120]},
		"truncated json":          {"file", js[:len(js)/2]},
		"json without a report":   {"content", []byte(`{"report":null,"hash":"","signature":"","key_id":""}`)},
	} {
		out := postCopy(t, verify, c.field, c.data, http.StatusUnprocessableEntity)
		mustContain(t, what, out, "无法核验", "文件已损坏或格式有误", "请上传从本平台下载的原始 PDF 或 JSON 文件")
	}
}
