package portal

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/store"
)

// cacheablePaths are a list page, an API answer and the statistics page, with the
// Cache-Control each route declares.
var cacheablePaths = []struct{ path, cacheControl string }{
	{"/lists/blacklist", "public, max-age=60"},
	{"/api/v1/lists/penalties", "public, max-age=60"},
	{"/stats", "public, max-age=60"},
	{"/api/v1/search?q=" + url.QueryEscape("华威"), "public, no-cache"},
	{"/entities/" + huawei, "public, no-cache"},
}

// etagOf GETs path and checks the caching headers of a 200.
func etagOf(t *testing.T, base, path, cacheControl string, header ...string) string {
	t.Helper()
	res, body := get(t, base+path, header...)
	if res.StatusCode != 200 || len(body) == 0 {
		t.Fatalf("GET %s: %d, %d bytes", path, res.StatusCode, len(body))
	}
	etag := res.Header.Get("ETag")
	if !strings.HasPrefix(etag, `W/"`) {
		t.Errorf("GET %s: ETag %q, want a weak one", path, etag)
	}
	if cc := res.Header.Get("Cache-Control"); cc != cacheControl {
		t.Errorf("GET %s: Cache-Control %q, want %q", path, cc, cacheControl)
	}
	if lm, err := http.ParseTime(res.Header.Get("Last-Modified")); err != nil || lm.IsZero() {
		t.Errorf("GET %s: Last-Modified %q", path, res.Header.Get("Last-Modified"))
	}
	if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("GET %s: Vary %q", path, res.Header.Values("Vary"))
	}
	return etag
}

// revalidate sends If-None-Match and returns the status, checking that a 304 has no body and
// the caching headers of the 200.
func revalidate(t *testing.T, base, path, etag, cacheControl string) int {
	t.Helper()
	res, body := get(t, base+path, "If-None-Match", etag)
	if res.StatusCode == 304 {
		if len(body) != 0 || res.Header.Get("ETag") != etag || res.Header.Get("Cache-Control") != cacheControl || res.Header.Get("Last-Modified") == "" {
			t.Errorf("304 to %s: %d bytes, headers %v", path, len(body), res.Header)
		}
	}
	return res.StatusCode
}

// TestHTTPCacheRoundTrip: a revalidation with the ETag is answered 304 until the data changes:
// a new generation, or a reviewer's decision. Filing an objection changes nothing public, so it
// leaves the ETags as they were.
func TestHTTPCacheRoundTrip(t *testing.T) {
	s, ts := testServer(t)
	ctx := context.Background()
	tags := map[string]string{}
	seen := map[string]string{}
	for _, p := range cacheablePaths {
		etag := etagOf(t, ts.URL, p.path, p.cacheControl)
		if other, dup := seen[etag]; dup {
			t.Errorf("%s and %s share the ETag %s", p.path, other, etag)
		}
		seen[etag], tags[p.path] = p.path, etag
		if code := revalidate(t, ts.URL, p.path, etag, p.cacheControl); code != 304 {
			t.Errorf("%s revalidated: %d, want 304", p.path, code)
		}
		// HEAD revalidates the same way; a list of tags and "*" match too.
		req, _ := http.NewRequest(http.MethodHead, ts.URL+p.path, nil)
		req.Header.Set("If-None-Match", `"nope", `+etag)
		if res, err := http.DefaultTransport.RoundTrip(req); err != nil || res.StatusCode != 304 {
			t.Errorf("HEAD %s revalidated: %v %v", p.path, res.StatusCode, err)
		}
		if code := revalidate(t, ts.URL, p.path, `W/"other"`, p.cacheControl); code != 200 {
			t.Errorf("%s with another ETag: %d, want 200", p.path, code)
		}
		// The gzipped answer is the same content: same tag, told apart by Vary.
		if gz := etagOf(t, ts.URL, p.path, p.cacheControl, "Accept-Encoding", "gzip"); gz != etag {
			t.Errorf("%s: the gzipped answer has the ETag %s, the plain one %s", p.path, gz, etag)
		}
	}
	// Another query is another answer.
	if a, b := etagOf(t, ts.URL, "/lists/blacklist?region=350100", "public, max-age=60"), tags["/lists/blacklist"]; a == b {
		t.Error("a filtered list has the ETag of the whole list")
	}

	// An error is not cached.
	res, _ := get(t, ts.URL+"/entities/91000000000000000X")
	if res.StatusCode != 404 || res.Header.Get("ETag") != "" || strings.HasPrefix(res.Header.Get("Cache-Control"), "public") {
		t.Errorf("404: %d, ETag %q, Cache-Control %q", res.StatusCode, res.Header.Get("ETag"), res.Header.Get("Cache-Control"))
	}

	// Filing an objection changes nothing public: the tags stay.
	penalty := recordOf(t, ts.URL, huawei, "penalty")
	fres, fbody := postForm(t, ts.URL+"/api/v1/objections", validFiling(penalty), []multipartFile{{"复议决定书.pdf", pdfBytes}}, nil)
	if fres.StatusCode != 201 {
		t.Fatalf("file: %d %s", fres.StatusCode, fbody)
	}
	var filed struct {
		Tracking  string `json:"tracking_number"`
		CheckCode string `json:"check_code"`
	}
	json.Unmarshal(fbody, &filed)
	for _, p := range cacheablePaths {
		if code := revalidate(t, ts.URL, p.path, tags[p.path], p.cacheControl); code != 304 {
			t.Errorf("%s after a filing: %d, want 304", p.path, code)
		}
	}

	// A reviewer accepts it: the record is marked as disputed, every answer may have changed.
	if _, err := s.sqlStore().CreateUser(ctx, "li", store.RoleReviewer, "福州市鼓楼区市场监督管理局", "correct horse battery", "test"); err != nil {
		t.Fatal(err)
	}
	token, _ := s.sqlStore().CreateToken(ctx, "li", "agency")
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/api/v1/admin/objections/"+filed.Tracking+"/actions", strings.NewReader(`{"action":"accept","reason":"材料齐全"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	ares, err := http.DefaultClient.Do(req)
	if err != nil || ares.StatusCode != 200 {
		t.Fatalf("accept: %v %v", ares, err)
	}
	ares.Body.Close()
	for _, p := range cacheablePaths {
		if code := revalidate(t, ts.URL, p.path, tags[p.path], p.cacheControl); code != 200 {
			t.Errorf("%s after a decision: %d, want 200", p.path, code)
		}
		tags[p.path] = etagOf(t, ts.URL, p.path, p.cacheControl)
		if code := revalidate(t, ts.URL, p.path, tags[p.path], p.cacheControl); code != 304 {
			t.Errorf("%s after a decision, revalidated: %d, want 304", p.path, code)
		}
	}

	// A new generation: another version, even where its snapshot changed nothing these pages show.
	importDelta(t, s, 1)
	if err := s.LoadCurrent(); err != nil {
		t.Fatal(err)
	}
	for _, p := range cacheablePaths {
		if code := revalidate(t, ts.URL, p.path, tags[p.path], p.cacheControl); code != 200 {
			t.Errorf("%s after a new generation: %d, want 200", p.path, code)
		}
		if etag := etagOf(t, ts.URL, p.path, p.cacheControl); revalidate(t, ts.URL, p.path, etag, p.cacheControl) != 304 {
			t.Errorf("%s in the new generation: no 304", p.path)
		}
	}
	info, _ := s.live.Current()
	res, _ = get(t, ts.URL+"/lists/blacklist")
	if lm, _ := http.ParseTime(res.Header.Get("Last-Modified")); lm.Before(info.BuiltAt.Truncate(time.Second)) {
		t.Errorf("Last-Modified %v before the generation's build %v", lm, info.BuiltAt)
	}

	// Personal pages are never cached and carry no validators.
	for _, path := range []string{"/objections/new", "/objections/" + filed.Tracking, "/admin/login", "/admin/", "/screen"} {
		res, _ := get(t, ts.URL+path)
		if res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("ETag") != "" || res.Header.Get("Last-Modified") != "" {
			t.Errorf("%s: %d, Cache-Control %q, ETag %q, Last-Modified %q", path, res.StatusCode,
				res.Header.Get("Cache-Control"), res.Header.Get("ETag"), res.Header.Get("Last-Modified"))
		}
	}
	res, _ = get(t, ts.URL+"/api/v1/objections/"+filed.Tracking, "X-Check-Code", filed.CheckCode)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("ETag") != "" {
		t.Errorf("objection tracking API: %d, Cache-Control %q, ETag %q", res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
	}
	res, _ = get(t, ts.URL+"/api/v1/admin/objections", "Authorization", "Bearer "+token)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-store" || res.Header.Get("ETag") != "" {
		t.Errorf("admin queue API: %d, Cache-Control %q, ETag %q", res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
	}
}

// TestCacheableWithoutStore: without the SQL store there are no decisions, and the tags are
// still stable and answered 304.
func TestCacheableWithoutStore(t *testing.T) {
	dd := index.DataDir(t.TempDir())
	if _, err := importer.Import(context.Background(), []string{fixture}, importer.Options{Data: dd, Shards: 1, MaxRejectedShare: 0.4}); err != nil {
		t.Fatal(err)
	}
	s := loadedServer(t, Config{Data: dd, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := serveHTTP(t, s)
	etag := etagOf(t, ts.URL, "/lists/blacklist", "public, max-age=60")
	if code := revalidate(t, ts.URL, "/lists/blacklist", etag, "public, max-age=60"); code != 304 {
		t.Errorf("revalidated: %d", code)
	}
}

func TestETagMatches(t *testing.T) {
	for _, tc := range []struct {
		inm  string
		want bool
	}{
		{`W/"abc"`, true}, {`"abc"`, true}, {`"x", W/"abc"`, true}, {`*`, true},
		{``, false}, {`"abcd"`, false}, {`W/"ab"`, false},
	} {
		if got := etagMatches(tc.inm, `W/"abc"`); got != tc.want {
			t.Errorf("etagMatches(%q) = %v", tc.inm, got)
		}
	}
}

func TestOverlayFingerprint(t *testing.T) {
	if overlayFingerprint(nil, nil, nil) != "none" {
		t.Error("empty overlay")
	}
	a := overlayFingerprint(map[string]string{"r1": "撤销", "r2": "信用修复"}, map[string]map[string]string{"r3": {"fact": "x", "amount": "1"}}, nil)
	b := overlayFingerprint(map[string]string{"r2": "信用修复", "r1": "撤销"}, map[string]map[string]string{"r3": {"amount": "1", "fact": "x"}}, map[string]string{})
	if a != b {
		t.Error("the fingerprint depends on map order")
	}
	if c := overlayFingerprint(map[string]string{"r1": "撤销"}, nil, map[string]string{"r2": "信用修复"}); c == a {
		t.Error("a pending record and a hidden one give the same fingerprint")
	}
}

// BenchmarkListPage measures one list page in process: rendered (what every request cost
// before caching), rendered and gzipped, and revalidated (304 before the handler runs).
// go test -run '^$' -bench BenchmarkListPage ./portal/
func BenchmarkListPage(b *testing.B) {
	dd := index.DataDir(b.TempDir())
	if _, err := importer.Import(context.Background(), []string{fixture}, importer.Options{Data: dd, Shards: 2, MaxRejectedShare: 0.4}); err != nil {
		b.Fatal(err)
	}
	s := loadedServer(b, Config{Data: dd, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), RateLimits: RateLimits{Off: true}})
	h := s.Handler()
	do := func(header ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/lists/penalties", nil)
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	etag := do().Header().Get("ETag")
	for _, bc := range []struct {
		name   string
		header []string
		want   int
	}{
		{"rendered", nil, 200},
		{"gzipped", []string{"Accept-Encoding", "gzip"}, 200},
		{"revalidated", []string{"If-None-Match", etag}, 304},
	} {
		b.Run(bc.name, func(b *testing.B) {
			size := 0
			for b.Loop() {
				rec := do(bc.header...)
				if rec.Code != bc.want {
					b.Fatalf("%d", rec.Code)
				}
				size = rec.Body.Len()
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
			b.ReportMetric(float64(size), "body-bytes")
		})
	}
}
