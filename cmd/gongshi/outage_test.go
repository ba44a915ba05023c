package main

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestStoreOutages stops Redis and then PostgreSQL under a running replica: search, pages and
// downloads keep working; rate limits fall back to per-replica counting and still limit;
// objection filing answers 503 with a clear message and stores nothing; what was acknowledged
// before the outage is there when PostgreSQL is back.
func TestStoreOutages(t *testing.T) {
	start := time.Now()
	pg, rs := startServices(t)
	data := t.TempDir()
	if out, err := run(t, "", "import", "--data", data, "--db", pg.DSN, "--max-rejected", "0.4", fixture); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	r := startReplica(t, "A", data, "--db", pg.DSN, "--redis", rs.URL, "--rate-limit", "on", "--rate", "suggest=5-H", "--jobs", "on")
	waitUntil(t, 10*time.Second, "the replica leads the jobs", func() bool { return r.metric(t, "gongshi_jobs_leader") == 1 })

	// Acknowledged before any outage.
	record := penalties(t, r.base, huawei)[0]
	code, body, filed := fileObjection(t, r.base, record)
	if code != 201 {
		t.Fatalf("file: %d %s", code, body)
	}
	attachments := func() int {
		m, _ := filepath.Glob(filepath.Join(data, "attachments", "*", "*"))
		return len(m)
	}
	if n := attachments(); n != 1 {
		t.Fatalf("%d attachment files", n)
	}

	// The public reads that must survive either outage, none of them ever 5xx.
	var catalog struct {
		Datasets []struct {
			Versions []struct {
				Files []struct{ URL string }
			}
		}
	}
	getJSONProc(t, r.base+"/data/catalog.json", &catalog)
	download := ""
	if len(catalog.Datasets) > 0 && len(catalog.Datasets[0].Versions) > 0 && len(catalog.Datasets[0].Versions[0].Files) > 0 {
		download = catalog.Datasets[0].Versions[0].Files[0].URL
	}
	if i := strings.Index(download, "/data/"); i >= 0 {
		download = download[i:]
	} else {
		t.Fatalf("no download in the catalog: %q", download)
	}
	reads := func(when string) {
		t.Helper()
		for _, path := range []string{"/api/v1/search?q=华威", "/search?q=华威", "/api/v1/entities/" + huawei,
			"/entities/" + huawei, "/data/catalog.json", download, "/healthz", "/readyz"} {
			began := time.Now()
			if code, body := request(t, http.MethodGet, r.base+path, nil); code != 200 {
				t.Errorf("%s: GET %s: %d %.300s", when, path, code, body)
			} else if d := time.Since(began); d > 2*time.Second {
				t.Errorf("%s: GET %s took %s", when, path, d)
			}
		}
	}
	reads("all up")

	// Redis down: counted in this process instead, with the same budget. The first five
	// suggestions pass, the sixth is refused; nothing answers 5xx.
	rs.Stop()
	reads("Redis down")
	var slowest time.Duration
	for i := 1; i <= 8; i++ {
		began := time.Now()
		res, err := http.Get(r.base + "/api/v1/suggest?q=华威")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		slowest = max(slowest, time.Since(began))
		switch {
		case res.StatusCode >= 500:
			t.Fatalf("suggestion %d with Redis down: %d", i, res.StatusCode)
		case i <= 5 && res.StatusCode != 200:
			t.Errorf("suggestion %d with Redis down: %d, want 200 within the fallback budget", i, res.StatusCode)
		case i > 5 && res.StatusCode != 429:
			t.Errorf("suggestion %d with Redis down: %d, want 429 beyond the fallback budget", i, res.StatusCode)
		}
	}
	t.Logf("slowest rate-limited request with Redis down: %s", slowest)
	// Redis is asked again only every few seconds: an outage does not cost every request a
	// failed round trip (14 rate-limited requests above, one failure).
	if n := r.metric(t, "gongshi_rate_limit_store_errors_total"); n < 1 || n > 3 {
		t.Errorf("%v Redis failures counted in /metrics, want 1 to 3", n)
	}

	// PostgreSQL down as well: reads go on, filing is refused with a clear message and nothing
	// is stored, not even the attachment.
	if err := pg.Pause(); err != nil {
		t.Fatal(err)
	}
	reads("PostgreSQL down")
	code, body, _ = fileObjection(t, r.base, record)
	var apiErr struct {
		Error struct {
			Code      string `json:"code"`
			MessageZH string `json:"message_zh"`
		} `json:"error"`
	}
	json.Unmarshal(body, &apiErr)
	if code != 503 || apiErr.Error.Code != "store_unavailable" || !strings.Contains(apiErr.Error.MessageZH, "暂时不可用") {
		t.Errorf("file with PostgreSQL down: %d %s", code, body)
	}
	t.Logf("503 with PostgreSQL down: %s", body)
	if code, _, _ := caseState(t, r.base, filed); code != 503 {
		t.Errorf("tracking with PostgreSQL down: %d, want 503", code)
	}
	if n := attachments(); n != 1 {
		t.Errorf("%d attachment files after a refused filing, want 1", n)
	}
	waitUntil(t, 10*time.Second, "the replica stops leading the jobs", func() bool { return r.metric(t, "gongshi_jobs_leader") == 0 })

	// PostgreSQL back: the case acknowledged before the outage is there, filing works again,
	// and the replica leads the jobs again.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := pg.Resume(ctx); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 15*time.Second, "the case readable again", func() bool {
		code, state, _ := caseState(t, r.base, filed)
		return code == 200 && state == "submitted"
	})
	if code, body, _ := fileObjection(t, r.base, record); code != 201 {
		t.Errorf("file after PostgreSQL came back: %d %s", code, body)
	}
	waitUntil(t, 10*time.Second, "the replica leads the jobs again", func() bool { return r.metric(t, "gongshi_jobs_leader") == 1 })
	// Every request is logged with its status: the only 5xx allowed is the filing's 503.
	for _, m := range regexp.MustCompile(`"status":5\d\d`).FindAllString(r.log.String(), -1) {
		if m != `"status":503` {
			t.Errorf("a request answered %s", m)
		}
	}
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}
