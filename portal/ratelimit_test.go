package portal

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/devtools/redistemp"
)

// clientFrom returns an HTTP client whose connections come from the given loopback address,
// so one test can play several clients.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16}}
}

func limitedServer(t *testing.T, dd index.DataDir, rl RateLimits) *httptest.Server {
	t.Helper()
	s := loadedServer(t, Config{Data: dd, RateLimits: rl, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := serveHTTP(t, s)
	return ts
}

func fixtureData(t *testing.T) index.DataDir {
	t.Helper()
	dd := index.DataDir(t.TempDir())
	if _, err := importer.Import(context.Background(), []string{fixture}, importer.Options{Data: dd, Shards: 1, MaxRejectedShare: 0.4}); err != nil {
		t.Fatal(err)
	}
	return dd
}

// burst sends n requests and returns the status counts and the first 429's Retry-After.
func burst(t *testing.T, c *http.Client, url string, n int, header http.Header) (map[int]int, string) {
	t.Helper()
	counts := map[int]int{}
	retry := ""
	for i := 0; i < n; i++ {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		for k, v := range header {
			req.Header[k] = v
		}
		if header.Get("X-Forwarded-For") == "rotate" {
			req.Header.Set("X-Forwarded-For", "10.0.0."+strconv.Itoa(i%250+1))
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		counts[res.StatusCode]++
		if res.StatusCode == 429 && retry == "" {
			retry = res.Header.Get("Retry-After")
			if res.Header.Get("X-RateLimit-Limit") == "" || res.Header.Get("X-RateLimit-Remaining") != "0" {
				t.Errorf("429 without rate-limit headers: %v", res.Header)
			}
		}
	}
	return counts, retry
}

func TestRateLimitPerClientAndNoSpoofing(t *testing.T) {
	ts := limitedServer(t, fixtureData(t), RateLimits{Search: "60-M"})
	url := ts.URL + "/api/v1/search?q=厦门"
	// One client sends 300 requests, rotating a forged X-Forwarded-For: no proxy is trusted,
	// so the forged header changes nothing and the client runs out after its 60.
	counts, retry := burst(t, clientFrom("127.0.0.1"), url, 300, http.Header{"X-Forwarded-For": {"rotate"}})
	if counts[200] != 60 || counts[429] != 240 {
		t.Errorf("first client: %v, want 60×200 and 240×429", counts)
	}
	if n, err := strconv.Atoi(retry); err != nil || n < 1 || n > 60 {
		t.Errorf("Retry-After = %q", retry)
	}
	// Another client is unaffected.
	counts, _ = burst(t, clientFrom("127.0.0.2"), url, 10, nil)
	if counts[200] != 10 {
		t.Errorf("second client: %v", counts)
	}
	// A page asks for HTML and gets the 429 as a page; pages have their own budget.
	res, err := clientFrom("127.0.0.1").Get(ts.URL + "/healthz")
	if err != nil || res.StatusCode != 200 {
		t.Errorf("healthz is not limited: %v %v", res, err)
	}
}

func TestRateLimitAPIKeyAndHTML429(t *testing.T) {
	ts := limitedServer(t, fixtureData(t), RateLimits{Search: "5-M", Pages: "3-M", APIKeys: map[string]string{"bank": "s3cret"}, APIKeyFactor: 4})
	url := ts.URL + "/api/v1/search?q=厦门"
	counts, _ := burst(t, clientFrom("127.0.0.3"), url, 30, http.Header{"X-Api-Key": {"s3cret"}})
	if counts[200] != 20 {
		t.Errorf("API key budget: %v, want 20 ok", counts)
	}
	counts, _ = burst(t, clientFrom("127.0.0.3"), url, 10, http.Header{"X-Api-Key": {"wrong"}})
	if counts[200] != 5 {
		t.Errorf("wrong key counts as the IP: %v", counts)
	}
	c := clientFrom("127.0.0.4")
	var last *http.Response
	for i := 0; i < 4; i++ {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/v1/entities/"+huawei, nil)
		req.Header.Set("Accept", "text/html")
		last, _ = c.Do(req)
		io.Copy(io.Discard, last.Body)
		last.Body.Close()
	}
	if last.StatusCode != 200 {
		t.Errorf("entity API under the search budget: %d", last.StatusCode)
	}
}

func TestRateLimitSharedThroughRedis(t *testing.T) {
	redistemp.SkipIfShort(t)
	rs, err := redistemp.Start(context.Background())
	if err != nil {
		t.Fatal(err) // CI installs redis-server: a missing service fails the run
	}
	defer rs.Stop()
	dd := fixtureData(t)
	rl := RateLimits{Search: "20-M", RedisURL: rs.URL}
	a, b := limitedServer(t, dd, rl), limitedServer(t, dd, rl)
	c := clientFrom("127.0.0.5")
	ca, _ := burst(t, c, a.URL+"/api/v1/search?q=厦门", 15, nil)
	cb, _ := burst(t, c, b.URL+"/api/v1/search?q=厦门", 15, nil)
	if ca[200]+cb[200] != 20 || cb[429] != 10 {
		t.Errorf("shared budget across replicas: A %v, B %v", ca, cb)
	}
	// Redis goes away: limits fall back to each replica's own memory, search keeps working.
	rs.Stop()
	cd, _ := burst(t, clientFrom("127.0.0.6"), a.URL+"/api/v1/search?q=厦门", 25, nil)
	if cd[200] != 20 || cd[429] != 5 || cd[500] != 0 {
		t.Errorf("with Redis down: %v, want the in-process 20 then 429", cd)
	}
}

// mirrorServer serves the fixture published on days days, with the given budgets, through the
// production listener.
func mirrorServer(t *testing.T, rl RateLimits, days ...string) string {
	t.Helper()
	dd := fixtureData(t)
	od := opendata.Options{Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime) }}
	for _, day := range days {
		if _, err := opendata.Publish(context.Background(), dd, day, index.NoOverlay{}, od); err != nil {
			t.Fatal(err)
		}
	}
	s := loadedServer(t, Config{Data: dd, RateLimits: rl, OpenData: od, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	return serveReal(t, s)
}

// fetchFrom sends one GET from a client with the given headers and returns the answer with
// its body read.
func fetchFrom(t *testing.T, c *http.Client, url string, header ...string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res
}

// TestRateLimitOpenDataMirror: with the default budgets, a newsroom mirrors a whole catalog at
// the default retention (30 dated versions of every list) — catalog.json, then every file it
// lists — and then mirrors it again with If-None-Match, without one 429; the second pass
// costs nothing.
func TestRateLimitOpenDataMirror(t *testing.T) {
	var days []string
	for d := time.Date(2026, 10, 24, 0, 0, 0, 0, time.UTC); len(days) < 30; d = d.AddDate(0, 0, 1) {
		days = append(days, d.Format(time.DateOnly))
	}
	base := mirrorServer(t, RateLimits{}, days...)
	c := clientFrom("127.0.0.7")
	var cat opendata.Catalog
	res, err := c.Get(base + "/data/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewDecoder(res.Body).Decode(&cat); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	etags := map[string]string{"/data/catalog.json": res.Header.Get("ETag")}
	var urls []string
	for _, ds := range cat.Datasets {
		for _, v := range ds.Versions {
			for _, f := range v.Files {
				urls = append(urls, f.URL)
			}
		}
	}
	if len(urls) < 30*40 {
		t.Fatalf("the catalog lists %d files: not a catalog at full retention", len(urls))
	}
	// First pass: everything is downloaded and counted.
	var remaining string
	for _, u := range urls {
		res := fetchFrom(t, c, base+u)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d after %d files (X-RateLimit-Remaining %s)", u, res.StatusCode, len(etags), res.Header.Get("X-RateLimit-Remaining"))
		}
		etags[u] = res.Header.Get("ETag")
		remaining = res.Header.Get("X-RateLimit-Remaining")
		if lim, pol := res.Header.Get("X-RateLimit-Limit"), res.Header.Get("X-RateLimit-Policy"); lim != "2000" || pol != "2000;w=60" {
			t.Fatalf("%s: budget headers %q %q, want 2000 a minute", u, lim, pol)
		}
	}
	if want := strconv.Itoa(2000 - 1 - len(urls)); remaining != want {
		t.Errorf("after the first pass: %s left, want %s", remaining, want)
	}
	// Second pass: every file revalidated, every answer a free 304.
	for u, etag := range etags {
		res := fetchFrom(t, c, base+u, "If-None-Match", etag)
		if res.StatusCode != 304 {
			t.Fatalf("%s revalidated: %d", u, res.StatusCode)
		}
		if got := res.Header.Get("X-RateLimit-Remaining"); got != remaining {
			t.Errorf("%s: a 304 was counted (%s left, was %s)", u, got, remaining)
		}
	}
	t.Logf("mirrored %d files twice; %s of 2000 left", len(urls), remaining)
}

// TestRateLimitOpenDataCountsWhatIsServed: a 304 and a Range piece after byte 0 are free; a
// full download, a piece from byte 0, a failed revalidation and a HEAD are counted; a spent
// budget refuses even the free answers.
func TestRateLimitOpenDataCountsWhatIsServed(t *testing.T) {
	base := mirrorServer(t, RateLimits{OpenData: "4-M"}, "2026-11-22")
	c := clientFrom("127.0.0.8")
	file := base + "/data/blacklist/latest/blacklist.csv.gz"
	first := fetchFrom(t, c, file)
	etag := first.Header.Get("ETag")
	head, _ := http.NewRequest(http.MethodHead, file, nil)
	for i, step := range []struct {
		name   string
		header []string
		head   bool
		status int
		left   string
	}{
		{"revalidated", []string{"If-None-Match", etag}, false, 304, "3"},
		{"revalidated by date", []string{"If-Modified-Since", first.Header.Get("Last-Modified")}, false, 304, "3"},
		{"a later piece", []string{"Range", "bytes=100-"}, false, 206, "3"},
		{"the last bytes", []string{"Range", "bytes=-100"}, false, 206, "3"},
		{"the first piece", []string{"Range", "bytes=0-99"}, false, 206, "2"},
		{"changed since", []string{"If-None-Match", `"other"`}, false, 200, "1"},
		{"HEAD", nil, true, 200, "0"},
		{"revalidated, budget spent", []string{"If-None-Match", etag}, false, 429, "0"},
		{"a later piece, budget spent", []string{"Range", "bytes=100-"}, false, 429, "0"},
		{"downloaded, budget spent", nil, false, 429, "0"},
	} {
		var res *http.Response
		if step.head {
			var err error
			if res, err = c.Do(head); err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
		} else {
			res = fetchFrom(t, c, file, step.header...)
		}
		if res.StatusCode != step.status || res.Header.Get("X-RateLimit-Remaining") != step.left {
			t.Errorf("step %d, %s: %d with %s left, want %d with %s", i+1, step.name, res.StatusCode,
				res.Header.Get("X-RateLimit-Remaining"), step.status, step.left)
		}
		if res.StatusCode == 429 && res.Header.Get("Retry-After") == "" {
			t.Errorf("%s: 429 without Retry-After", step.name)
		}
	}
	if first.StatusCode != 200 || first.Header.Get("X-RateLimit-Remaining") != "3" {
		t.Errorf("first download: %d, %s left", first.StatusCode, first.Header.Get("X-RateLimit-Remaining"))
	}
}

func TestRangeSkipsStart(t *testing.T) {
	for h, want := range map[string]bool{
		"bytes=100-": true, "bytes=100-199": true, "bytes=-500": true, "bytes=100-199, 300-": true,
		"bytes=0-": false, "bytes=0-99": false, "bytes=100-199,0-9": false, "": false, "items=5-": false,
		"bytes=x-": false, "bytes=5": false, "bytes=00-9": false,
	} {
		if got := rangeSkipsStart(h); got != want {
			t.Errorf("%q: %v, want %v", h, got, want)
		}
	}
}
