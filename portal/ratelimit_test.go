package portal

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/redistemp"
)

// clientFrom returns an HTTP client whose connections come from the given loopback address,
// so one test can play several clients.
func clientFrom(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, MaxIdleConnsPerHost: 16}}
}

func limitedServer(t *testing.T, dd index.DataDir, rl RateLimits) *httptest.Server {
	t.Helper()
	s, err := New(Config{Data: dd, RateLimits: rl, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadCurrent(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.live.Close)
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
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
