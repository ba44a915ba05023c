package portal

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const elsewhere = "https://newsroom.example"

// TestCORSHeaders: public data, the API and feeds are readable from other origins, errors and
// 429s included; the back office, objections and forms are not, and their preflights fail.
func TestCORSHeaders(t *testing.T) {
	env := secServer(t, secOptions{hostile: true})
	file := "/data/blacklist/latest/blacklist.csv.gz"
	open := func(t *testing.T, res *http.Response, _ []byte) {
		t.Helper()
		h := res.Header
		if h.Get("Access-Control-Allow-Origin") != "*" || h.Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: not open to other origins: %v", res.Request.URL.Path, h)
		}
		for _, want := range []string{"ETag", "Last-Modified", "Content-Length", "Content-Range", "Link", "Retry-After",
			"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} {
			if !strings.Contains(h.Get("Access-Control-Expose-Headers"), want) {
				t.Errorf("%s: %s not exposed: %q", res.Request.URL.Path, want, h.Get("Access-Control-Expose-Headers"))
			}
		}
	}
	closed := func(t *testing.T, res *http.Response, _ []byte) {
		t.Helper()
		for k := range res.Header {
			if strings.HasPrefix(k, "Access-Control-") {
				t.Errorf("%s %s: %s: %q", res.Request.Method, res.Request.URL.Path, k, res.Header.Get(k))
			}
		}
	}
	from := map[string]string{"Origin": elsewhere}
	preflightFor := func(headers string) map[string]string {
		return map[string]string{"Origin": elsewhere, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": headers}
	}
	runHostile(t, env.base, nil, []hostileRequest{
		{name: "data file", path: file, header: from, want: 200, check: open},
		{name: "data file piece", path: file, header: map[string]string{"Origin": elsewhere, "Range": "bytes=0-9"}, want: 206, check: open},
		{name: "checksums", path: "/data/blacklist/latest/SHA256SUMS", header: from, want: 200, check: open},
		{name: "data package", path: "/data/blacklist/latest/datapackage.json", header: from, want: 200, check: open},
		{name: "missing data file", path: "/data/blacklist/latest/nope.csv.gz", header: from, want: 404, check: open},
		{name: "catalog", path: "/data/catalog.json", header: from, want: 200, check: open},
		{name: "DCAT", path: "/data/dcat.jsonld", header: from, want: 200, check: open},
		{name: "changes", path: "/api/v1/changes?list=blacklist", header: from, want: 200, check: open},
		{name: "search API", path: "/api/v1/search?q=%E5%8D%8E%E5%A8%81", header: from, want: 200, check: open},
		{name: "feed", path: "/feeds/blacklist.atom", header: from, want: 200, check: open},
		{name: "preflight of a data file", method: "OPTIONS", path: file, header: preflightFor("range, if-none-match"), want: 204,
			check: func(t *testing.T, res *http.Response, b []byte) {
				open(t, res, b)
				h := res.Header
				for _, want := range []string{"GET", "HEAD"} {
					if !strings.Contains(h.Get("Access-Control-Allow-Methods"), want) {
						t.Errorf("preflight: methods %q", h.Get("Access-Control-Allow-Methods"))
					}
				}
				for _, want := range []string{"Range", "If-None-Match", "If-Modified-Since"} {
					if !strings.Contains(h.Get("Access-Control-Allow-Headers"), want) {
						t.Errorf("preflight: headers %q lack %s", h.Get("Access-Control-Allow-Headers"), want)
					}
				}
				if h.Get("Access-Control-Max-Age") == "" || len(b) != 0 {
					t.Errorf("preflight: %v %q", h, b)
				}
			}},
		{name: "preflight of changes", method: "OPTIONS", path: "/api/v1/changes", header: preflightFor("if-none-match"), want: 204, check: open},
		{name: "admin API", path: "/api/v1/admin/objections", header: from, want: 401, check: closed},
		{name: "admin API preflight", method: "OPTIONS", path: "/api/v1/admin/objections", header: preflightFor("authorization"), want: 404, check: closed},
		{name: "back office", path: "/admin/", header: from, want: 303, check: closed},
		{name: "objection API", path: "/api/v1/objections/stats", header: from, want: 200, check: closed},
		{name: "objection API preflight", method: "OPTIONS", path: "/api/v1/objections", header: preflightFor("content-type"), want: 404, check: closed},
		{name: "objection form", path: "/objections/new", header: from, want: 404, check: closed}, // no record chosen
		{name: "page", path: "/entities/" + huawei, header: from, want: 200, check: closed},
	})

	// A tool that runs out of budget can read the 429 and when to come back.
	limited := secServer(t, secOptions{limits: RateLimits{Search: "1-M"}})
	runHostile(t, limited.base, nil, []hostileRequest{
		{name: "first", path: "/api/v1/changes?list=blacklist", header: from, want: 200, check: open},
		{name: "over budget", path: "/api/v1/changes?list=blacklist", header: from, want: 429, check: func(t *testing.T, res *http.Response, b []byte) {
			open(t, res, b)
			if res.Header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After: %v", res.Header)
			}
		}},
	})
}

// TestBrowserCORS: a page on another origin, in headless Chromium, reads a data file (whole,
// revalidated and in a piece) and the changes API with fetch(); the same fetch of the
// reviewers' API is blocked by the browser.
func TestBrowserCORS(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	env := secServer(t, secOptions{hostile: true})
	file := "/data/blacklist/latest/blacklist.csv.gz"
	res, body := get(t, env.base+file)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d", file, res.StatusCode)
	}
	// The newsroom's tool: another origin (another port), a page with nothing of ours on it.
	tool := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><title>data tool</title><p>tool</p>`))
	}))
	t.Cleanup(tool.Close)

	ctx, cancel := chromedp.NewContext(startBrowser(t))
	t.Cleanup(cancel)
	ctx, cancelRun := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(cancelRun)
	if err := chromedp.Do(ctx, chromedp.Navigate(tool.URL+"/")); err != nil {
		t.Fatal(err)
	}
	script := `(async (base, file) => {
	  const out = {origin: location.origin};
	  const attempt = async (name, url, init) => {
	    try {
	      const r = await fetch(base + url, init);
	      const b = await r.arrayBuffer();
	      out[name] = {status: r.status, bytes: b.byteLength, etag: r.headers.get("ETag"), range: r.headers.get("Content-Range"),
	        limit: r.headers.get("X-RateLimit-Limit"), text: new TextDecoder().decode(b.slice(0, 2000))};
	    } catch (e) {
	      out[name] = {blocked: String(e)};
	    }
	  };
	  await attempt("file", file);
	  await attempt("revalidated", file, {headers: {"If-None-Match": out.file.etag || ""}});
	  await attempt("piece", file, {headers: {"Range": "bytes=10-19"}});
	  await attempt("changes", "/api/v1/changes?list=blacklist");
	  await attempt("admin", "/api/v1/admin/objections");
	  await attempt("adminToken", "/api/v1/admin/objections", {headers: {"Authorization": "Bearer gst_x"}});
	  await attempt("objections", "/api/v1/objections/stats");
	  return JSON.stringify(out);
	})(` + jsString(env.base) + `, ` + jsString(file) + `)`
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	type answer struct {
		Status  int
		Bytes   int
		ETag    string
		Range   string
		Limit   string
		Text    string
		Blocked string
	}
	var out struct {
		Origin                            string
		File, Revalidated, Piece, Changes answer
		Admin, AdminToken, Objections     answer
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if out.Origin != tool.URL || strings.HasPrefix(env.base, out.Origin) {
		t.Fatalf("the tool's page is not on another origin: %s vs %s", out.Origin, env.base)
	}
	if out.File.Status != 200 || out.File.Bytes != len(body) || out.File.ETag != res.Header.Get("ETag") || out.File.Limit == "" {
		t.Errorf("data file from another origin: %+v", out.File)
	}
	if out.Revalidated.Status != 304 {
		t.Errorf("data file revalidated from another origin (preflight for If-None-Match): %+v", out.Revalidated)
	}
	if out.Piece.Status != 206 || out.Piece.Bytes != 10 || !strings.HasPrefix(out.Piece.Range, "bytes 10-19/") {
		t.Errorf("a piece of the data file from another origin: %+v", out.Piece)
	}
	var changes changesJSON
	if out.Changes.Status != 200 || json.Unmarshal([]byte(out.Changes.Text), &changes) != nil || changes.NextCursor == "" {
		t.Errorf("changes API from another origin: %+v", out.Changes)
	}
	for name, a := range map[string]answer{"admin API": out.Admin, "admin API with a token": out.AdminToken, "objection API": out.Objections} {
		if a.Blocked == "" || a.Status != 0 {
			t.Errorf("%s read from another origin: %+v", name, a)
		}
	}
}

// jsString quotes s for a script.
func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
