package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/portal/store"
)

// Fuzz targets for the portal's parsers of outside input, through the real router: whatever a
// client sends, the answer is a 2xx, 3xx or 4xx — never a panic or a 5xx.

// fuzzServer is the fixture served without rate limits (a fuzzer is one very busy client).
func fuzzServer(f *testing.F) *Server {
	return secServer(f, secOptions{limits: RateLimits{Off: true}}).s
}

// serve sends one request through the router and returns the recorder.
func serve(s *Server, req *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	s.Handler().ServeHTTP(w, req)
	return w
}

// huaweiPenaltyID finds the fixture's penalty of 华威 through the API.
func huaweiPenaltyID(f *testing.F, s *Server) string {
	w := serve(s, httptest.NewRequest(http.MethodGet, "/api/v1/entities/"+huawei, nil))
	var e struct{ Records []struct{ ID, Type string } }
	json.Unmarshal(w.Body.Bytes(), &e)
	for _, r := range e.Records {
		if r.Type == "penalty" {
			return r.ID
		}
	}
	f.Fatalf("no penalty: %s", w.Body)
	return ""
}

// FuzzObjectionForm sends arbitrary bodies and content types to the filing API and page: the
// form is accepted (201) or refused with field errors (400), or as too large (413) — and an
// accepted one holds only plain text (PostgreSQL refuses NUL bytes and broken UTF-8).
func FuzzObjectionForm(f *testing.F) {
	s := fuzzServer(f)
	penalty := huaweiPenaltyID(f, s)
	valid := validFiling(penalty)
	js, _ := json.Marshal(valid)
	form := url.Values{}
	for k, v := range valid {
		form.Set(k, v)
	}
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	mw.SetBoundary("fuzzfuzzfuzz")
	for k, v := range valid {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("files", "决定书.pdf")
	fw.Write(pdfBytes)
	mw.Close()
	const mpType = "multipart/form-data; boundary=fuzzfuzzfuzz"
	for _, seed := range []struct {
		ct   string
		body string
	}{
		{"application/json", string(js)},
		{"application/json; charset=utf-8", `{"record_id":"` + penalty + `","kind":"repair","commitment":"yes"}`},
		{"application/json", `{"record_id":1,"unknown":true}`},
		{"application/json", `{"statement":"\u0000\ud800"}{"x":1}`},
		{"application/json", `[`},
		{"application/x-www-form-urlencoded", form.Encode()},
		{"application/x-www-form-urlencoded", "record_id=%ff&statement=%00&commitment=on&website="},
		{mpType, mp.String()},
		{mpType, strings.Replace(mp.String(), "%PDF", "MZ\x90\x00", 1)},
		{mpType, "--fuzzfuzzfuzz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"../../x.pdf\"\r\n\r\n%PDF-\r\n--fuzzfuzzfuzz--\r\n"},
		{"multipart/form-data", "--x\r\n"},
		{"text/plain", "record_id=x"},
		{"", ""},
	} {
		f.Add(seed.ct, []byte(seed.body), false)
		f.Add(seed.ct, []byte(seed.body), true)
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte, page bool) {
		path := "/api/v1/objections"
		if page {
			path = "/objections/new"
		}
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		w := serve(s, req)
		switch w.Code {
		case http.StatusCreated, http.StatusRequestEntityTooLarge:
		case http.StatusBadRequest:
			if page {
				break
			}
			var e struct {
				Error  APIError
				Fields map[string]string
			}
			if json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error.Code == "" || len(e.Fields) == 0 {
				t.Fatalf("400 without field errors: %s", w.Body)
			}
		default:
			t.Fatalf("%s %q: status %d: %.300s", path, contentType, w.Code, w.Body)
		}
		if w.Code != http.StatusCreated {
			return
		}
		var tracking string
		if page {
			tracking = trackingIn(w.Body.String())
		} else {
			var filed struct {
				Tracking string `json:"tracking_number"`
			}
			json.Unmarshal(w.Body.Bytes(), &filed)
			tracking = filed.Tracking
		}
		cs, err := s.sqlStore().CaseByTracking(context.Background(), tracking)
		if err != nil {
			t.Fatalf("accepted case %q not stored: %v", tracking, err)
		}
		for _, v := range []string{cs.ApplicantName, cs.ApplicantCode, cs.ContactPerson, cs.ContactPhone, cs.ContactEmail} {
			if !plainText(v, false) {
				t.Fatalf("accepted a field with control characters or broken UTF-8: %q", v)
			}
		}
		if !plainText(cs.Statement, true) {
			t.Fatalf("accepted a statement with control characters or broken UTF-8: %q", cs.Statement)
		}
	})
}

// trackingIn finds a tracking number (YY-YYYYMMDD-XXXX) in a page.
func trackingIn(page string) string {
	for _, p := range []string{"YY-", "XF-"} {
		if i := strings.Index(page, p); i >= 0 && i+16 <= len(page) {
			return page[i : i+16]
		}
	}
	return ""
}

// FuzzChangesCursor: the changes API's cursor decodes only what encodeChangeCursor made for the
// same list, and never panics.
func FuzzChangesCursor(f *testing.F) {
	for _, s := range []string{encodeChangeCursor("blacklist", 0), encodeChangeCursor("blacklist", 1<<62), encodeChangeCursor("penalties", 7),
		"", "YmxhY2tsaXN0Oi0x", "YmxhY2tsaXN0OjE5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "%%%", "YmxhY2tsaXN0OjE", "YmxhY2tsaXN0OjErMQ"} {
		f.Add("blacklist", s, int64(3))
	}
	f.Fuzz(func(t *testing.T, list, cursor string, seq int64) {
		if got, ok := decodeChangeCursor(list, cursor); ok {
			if got < 0 || len(cursor) > 100 {
				t.Fatalf("accepted cursor %q as %d", cursor, got)
			}
			if again := encodeChangeCursor(list, got); again != cursor {
				if back, ok := decodeChangeCursor(list, again); !ok || back != got {
					t.Fatalf("cursor %q → %d does not round-trip", cursor, got)
				}
			}
		}
		if seq >= 0 && !strings.Contains(list, ":") && len(list) < 40 {
			if got, ok := decodeChangeCursor(list, encodeChangeCursor(list, seq)); !ok || got != seq {
				t.Fatalf("encode/decode %q %d: %d %v", list, seq, got, ok)
			}
			if other := list + "x"; true {
				if _, ok := decodeChangeCursor(other, encodeChangeCursor(list, seq)); ok {
					t.Fatalf("a cursor of %q accepted for %q", list, other)
				}
			}
		}
	})
}

// FuzzAdminLogin sends arbitrary login forms: a login is a redirect (303) or refused (401, 400,
// 413). Every attempt spends a bcrypt comparison (an unknown name too, against timing probes),
// so this target runs at tens of inputs a second.
func FuzzAdminLogin(f *testing.F) {
	s := fuzzServer(f)
	s.sqlStore().CreateUser(context.Background(), "li", store.RoleAdmin, "", "correct horse battery", "test")
	f.Add("name=li&password=correct+horse+battery", "application/x-www-form-urlencoded")
	f.Add("name=li&password=wrong", "application/x-www-form-urlencoded")
	f.Add("name=li%00&password=%ff", "application/x-www-form-urlencoded")
	f.Add("name=%E6%9D%8E%E6&password=", "application/x-www-form-urlencoded")
	f.Add("--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nli\r\n--b--\r\n", "multipart/form-data; boundary=b")
	f.Add("name="+strings.Repeat("李", 200)+"&name=li", "application/x-www-form-urlencoded")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, form, contentType string) {
		req := httptest.NewRequest(http.MethodPost, "/admin/login", strings.NewReader(form))
		req.Header.Set("Content-Type", contentType)
		switch w := serve(s, req); w.Code {
		case http.StatusSeeOther, http.StatusUnauthorized, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("login %q (%q): %d", form, contentType, w.Code)
		}
	})
}

// FuzzAdminTokens sends arbitrary session cookies and Authorization headers: a forged session is
// sent to the login page (303), a forged token gets 401.
func FuzzAdminTokens(f *testing.F) {
	s := fuzzServer(f)
	ctx := context.Background()
	st := s.sqlStore()
	u, _ := st.CreateUser(ctx, "li", store.RoleAdmin, "", "correct horse battery", "test")
	token, _ := st.CreateToken(ctx, "li", "agency")
	session, _ := st.CreateSession(ctx, u, sessionTTL)
	f.Add(session, "Bearer "+token)
	f.Add("forged", "Bearer gst_forged")
	f.Add(session+"x", "Bearer "+token+"x")
	f.Add(`"x"`, "Basic "+token)
	f.Add(strings.Repeat("A", 43), "Bearer ")
	f.Add("a;b=c", "bearer "+token)
	f.Add("", "")
	f.Fuzz(func(t *testing.T, cookie, auth string) {
		req := httptest.NewRequest(http.MethodGet, "/admin/", nil)
		req.Header.Set("Cookie", sessionCookie+"="+cookie)
		w := serve(s, req)
		if w.Code != http.StatusSeeOther && !(w.Code == http.StatusOK && strings.Contains(cookie, session)) {
			t.Fatalf("session cookie %q: %d", cookie, w.Code)
		}
		req = httptest.NewRequest(http.MethodGet, "/api/v1/admin/objections", nil)
		req.Header.Set("Authorization", auth)
		w = serve(s, req)
		if w.Code != http.StatusUnauthorized && !(w.Code == http.StatusOK && strings.Contains(auth, token)) {
			t.Fatalf("Authorization %q: %d", auth, w.Code)
		}
	})
}

// fuzzRoutes are the GET routes whose query parameters the fuzzer writes.
var fuzzRoutes = []string{
	"/api/v1/search", "/api/v1/suggest", "/api/v1/lists/penalties", "/api/v1/lists/blacklist", "/api/v1/changes",
	"/search", "/lists/blacklist", "/lists/abnormal", "/stats", "/feeds/search.atom", "/feeds/blacklist.atom",
	"/entities/" + huawei, "/entities/" + huawei + "/report.json", "/api/v1/entities/" + huawei, "/objections/new", "/data/",
	"/data/blacklist/latest/blacklist.csv.gz", "/feeds/entities/" + huawei + ".atom",
}

// FuzzQueryParams sends arbitrary query strings to the search, list, changes, feed, report and
// page routes: 200 or a 4xx, never a 5xx.
func FuzzQueryParams(f *testing.F) {
	s := secServer(f, secOptions{limits: RateLimits{Off: true}, hostile: true}).s // with open data and change logs
	for i := range fuzzRoutes {
		for _, q := range []string{"q=华为", "q=%E5%8D%8E&region=350000&status=active&type=有限责任公司&has=penalty&size=50",
			"q=&cursor=eyJ0IjozfQ", "region=35&year=2025&authority=厦门市市场监督管理局&name=安泰&state=current&size=1&cursor=WyIyMDI1LTAxLTAxIiwieCJd",
			"list=blacklist&since=2026-11-01&cursor=YmxhY2tsaXN0OjA&size=1000", "as_of=2025-01-01", "as_of=9999-99-99", "record=x",
			"q=%ff%fe&size=-1&size=99999999999999999999", "q=" + strings.Repeat("a", 300), "q=/.*/&q=name:x&has=x&has=penalty", "%zz=%&&=&;;"} {
			f.Add(uint8(i), q)
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, rawQuery string) {
		path := fuzzRoutes[int(route)%len(fuzzRoutes)]
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.URL.RawQuery = rawQuery
		req.RequestURI = path + "?" + rawQuery
		w := serve(s, req)
		if w.Code >= 500 || w.Code < 200 {
			t.Fatalf("%s?%s: %d: %.300s", path, rawQuery, w.Code, w.Body)
		}
	})
}

// FuzzPaths sends arbitrary paths (entity codes, list names, tracking and report numbers, file
// names, traversal) to the router: never a 5xx, and nothing but a page, an answer or a listed
// file.
func FuzzPaths(f *testing.F) {
	s := secServer(f, secOptions{limits: RateLimits{Off: true}, hostile: true}).s
	for _, p := range []string{"entities/" + huawei, "entities/９１３５０１０２ＭＡ２ＸＹＷ０１５Ｕ/report.pdf", "api/v1/entities/350102100012345",
		"lists/blacklist", "api/v1/lists/x", "data/blacklist/latest/SHA256SUMS", "data/blacklist/2026-11-22/blacklist-2026-11-22.xlsx",
		"data/../../etc/passwd", "data/blacklist/latest/..\\..\\secret", "objections/YY-20261122-7Q4K", "api/v1/objections/XF-20261322-AAAA",
		"r/GS-20261122-000001", "reports/verify/x", "feeds/entities/" + huawei + ".atom", "feeds/x.atom", "static/app.css", "static/../go.mod",
		"admin/attachments/1", "entities/\x00", "%ff"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL.Path = "/" + p
		req.RequestURI = req.URL.EscapedPath()
		w := serve(s, req)
		if w.Code >= 500 || w.Code < 200 {
			t.Fatalf("GET /%s: %d: %.300s", p, w.Code, w.Body)
		}
		if w.Code == 200 && bytes.Contains(w.Body.Bytes(), []byte("root:x:0:0")) {
			t.Fatalf("GET /%s served a file from outside", p)
		}
	})
}

// multipartBody is a form with one file and the given fields, under the boundary "fuzzfuzzfuzz".
func multipartBody(fileField, fileName string, file []byte, fields map[string]string) []byte {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.SetBoundary("fuzzfuzzfuzz")
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		fw.Write(file)
	}
	mw.Close()
	return b.Bytes()
}

// FuzzReportVerifyUpload sends arbitrary bodies and content types to the report verify form: a
// copy is compared (200) or refused as missing (400), too large (413), neither PDF nor JSON
// (415) or malformed (422), with the reason on the page — never a panic or a 5xx.
func FuzzReportVerifyUpload(f *testing.F) {
	s := fuzzServer(f)
	w := serve(s, httptest.NewRequest(http.MethodGet, "/entities/"+huawei+"/report.pdf", nil))
	pdf, number := w.Body.Bytes(), w.Header().Get("X-Report-Number")
	if w.Code != http.StatusOK || number == "" {
		f.Fatalf("report.pdf: %d", w.Code)
	}
	js := serve(s, httptest.NewRequest(http.MethodGet, "/entities/"+huawei+"/report.json", nil)).Body.Bytes()
	overflow := []byte("%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Length 9223372036854775807 /Filter /FlateDecode /Params << /CheckSum <" +
		strings.Repeat("0", 32) + "> /Size 2 >> >>\nstream\n\nendstream\nendobj\n%%EOF\n")
	const mpType = "multipart/form-data; boundary=fuzzfuzzfuzz"
	for _, seed := range []struct {
		ct   string
		body []byte
	}{
		{mpType, multipartBody("file", "report.pdf", pdf, nil)},
		{mpType, multipartBody("file", "report.json", js, nil)},
		{mpType, multipartBody("file", "x.pdf", overflow, nil)},
		{mpType, multipartBody("", "", nil, map[string]string{"content": string(js)})},
		{mpType, multipartBody("", "", nil, map[string]string{"content": string(overflow)})},
		{mpType, multipartBody("file", "x.json", js[:len(js)/3], nil)},
		{mpType, multipartBody("file", "x.gif", []byte("GIF89a"), nil)},
		{mpType, []byte("--fuzzfuzzfuzz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\n%PDF-")},
		{"application/x-www-form-urlencoded", []byte("content=" + url.QueryEscape(string(js)))},
		{"application/x-www-form-urlencoded", []byte("content=%7B%22report%22%3Anull%7D")},
		{"multipart/form-data", []byte("--x\r\n")},
		{"", nil},
	} {
		f.Add(seed.ct, seed.body)
	}
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/reports/verify/"+number, bytes.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		switch w := serve(s, req); w.Code {
		case http.StatusOK:
			if !strings.Contains(w.Body.String(), "一致") {
				t.Fatalf("%q: 200 without a verdict: %.300s", contentType, w.Body)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
			if !strings.Contains(w.Body.String(), "无法核验") {
				t.Fatalf("%q: %d without the reason: %.300s", contentType, w.Code, w.Body)
			}
		default:
			t.Fatalf("%q: status %d: %.300s", contentType, w.Code, w.Body)
		}
	})
}

// FuzzScreenAPI sends arbitrary bodies, content types and query strings to the screening API:
// the list is screened (200) or refused with a JSON error (400, 413, 415); a body that passed
// the reading pass never stops the output midway with an internal error.
func FuzzScreenAPI(f *testing.F) {
	s := fuzzServer(f)
	const mpType = "multipart/form-data; boundary=fuzzfuzzfuzz"
	for _, seed := range []struct{ ct, query, body string }{
		{"application/json", "", `{"as_of":"2026-11-01","flags":["blacklist"],"penalty_years":3,"subjects":[{"code":"` + huawei + `"},{"name":"厦门安泰（福建）贸易有限公司","ref":7},"91350200776049653B"]}`},
		{"application/json", "format=csv", `["` + huawei + `",{"name":"厦门","ref":[1,{"x":null}]}]`},
		{"application/json", "format=jsonl&as_of=2099-01-01&flags=x", `{"subjects":["a"]}`},
		{"application/json", "penalty_years=99", `{"subjects":[]}`},
		{"application/json", "", `{"subjects":["a"],"penalty_years":1e400,"as_of":7}`},
		{"application/json; charset=utf-8", "format=xlsx", `{"subjects":[{"code":"\u0000","name":"\ud800"}]}`},
		{"text/csv", "format=json", "代码,名称\n" + huawei + ",华威\n\"a,b\n"},
		{"text/plain", "", huawei + "\n厦门安泰\n"},
		{mpType, "", string(multipartBody("file", "list.csv", []byte("代码,名称\n"+huawei+",华威\n"), map[string]string{"format": "jsonl"}))},
		{mpType, "", string(multipartBody("file", "list.xlsx", []byte("PK\x03\x04"), nil))},
		{"application/x-www-form-urlencoded", "", "text=" + huawei + "&format=json&as_of=2026-11-01"},
		{"application/xml", "", "<x/>"},
		{"", "", ""},
	} {
		f.Add(seed.ct, seed.query, []byte(seed.body))
	}
	f.Fuzz(func(t *testing.T, contentType, rawQuery string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/screen", bytes.NewReader(body))
		req.URL.RawQuery = rawQuery
		req.RequestURI = "/api/v1/screen?" + rawQuery
		req.Header.Set("Content-Type", contentType)
		switch w := serve(s, req); w.Code {
		case http.StatusOK:
			if strings.Contains(w.Body.String(), "screening stopped by an internal error") {
				t.Fatalf("%q ?%s: output stopped by an internal error: %.300s", contentType, rawQuery, w.Body)
			}
		case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
			var e struct{ Error APIError }
			if json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error.Code == "" || e.Error.Message == "" || e.Error.MessageZH == "" {
				t.Fatalf("%q ?%s: %d without a structured error: %.300s", contentType, rawQuery, w.Code, w.Body)
			}
		default:
			t.Fatalf("%q ?%s: status %d: %.300s", contentType, rawQuery, w.Code, w.Body)
		}
	})
}
