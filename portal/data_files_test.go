package portal

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

// openDataServer serves the open-data scenario (opendatatest.NewScenario): day 1 imported and
// published for 2026-11-21, day 2 imported and published for 2026-11-22. The clock is a fake
// one at 2026-11-22 10:00 China time, shared by the pages, the files and the jobs.
func openDataServer(t *testing.T, od opendata.Options) (*Server, *httptest.Server, *clockwork.FakeClock) {
	t.Helper()
	dd := index.DataDir(t.TempDir())
	sc := opendatatest.NewScenario(t, t.TempDir())
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime))
	od.Now = clock.Now
	ctx := context.Background()
	opendatatest.Import(t, dd, sc.Day1)
	if _, err := opendata.Publish(ctx, dd, "2026-11-21", index.NoOverlay{}, od); err != nil {
		t.Fatal(err)
	}
	opendatatest.Import(t, dd, sc.Day2)
	if _, err := opendata.Publish(ctx, dd, "2026-11-22", index.NoOverlay{}, od); err != nil {
		t.Fatal(err)
	}
	s := loadedServer(t, Config{Data: dd, Now: clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		RateLimits: RateLimits{Off: true}, OpenData: od, Jobs: JobsConfig{Clock: clock}})
	ts := serveHTTP(t, s)
	return s, ts, clock
}

func get(t *testing.T, url string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultTransport.RoundTrip(req) // no redirects, no transparent gzip
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

func gunzipCSV(t *testing.T, body []byte) [][]string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(gz)
	raw, ok := bytes.CutPrefix(raw, []byte("\ufeff"))
	if !ok {
		t.Fatal("CSV without a UTF-8 byte-order mark")
	}
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestDataFilesServedAsCatalogued downloads every file catalog.json lists and checks it
// against the catalog: sha256, bytes, rows, ETag, content type and file name.
func TestDataFilesServedAsCatalogued(t *testing.T) {
	_, ts, _ := openDataServer(t, opendata.Options{})
	res, body := get(t, ts.URL+"/data/catalog.json")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("catalog.json: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var cat opendata.Catalog
	if err := json.Unmarshal(body, &cat); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ds := range cat.Datasets {
		var header []string
		for _, c := range opendata.Columns(ds.Type) {
			header = append(header, c.Name)
		}
		for _, v := range ds.Versions {
			for _, f := range v.Files {
				n++
				res, body := get(t, ts.URL+f.URL)
				h := sha256.Sum256(body)
				if res.StatusCode != 200 || hex.EncodeToString(h[:]) != f.SHA256 || int64(len(body)) != f.Bytes {
					t.Errorf("%s: status %d, %d bytes, sha256 not as catalogued", f.URL, res.StatusCode, len(body))
					continue
				}
				if res.Header.Get("ETag") != `"`+f.SHA256+`"` {
					t.Errorf("%s: ETag %q", f.URL, res.Header.Get("ETag"))
				}
				cd := res.Header.Get("Content-Disposition")
				if !strings.Contains(cd, `filename="`+f.Name+`"`) || f.Title == "" {
					t.Errorf("%s: Content-Disposition %q", f.URL, cd)
				}
				ct := res.Header.Get("Content-Type")
				switch {
				case strings.HasSuffix(f.Name, ".csv.gz"):
					if ct != "application/gzip" || !strings.HasPrefix(cd, "attachment;") || strings.Contains(cd, "filename*") {
						t.Errorf("%s: %q %q", f.Name, ct, cd)
					}
					rows := gunzipCSV(t, body)
					if !slices.Equal(rows[0], header) || len(rows)-1 != *f.Rows {
						t.Errorf("%s: header %q, %d rows (catalog %d)", f.Name, rows[0], len(rows)-1, *f.Rows)
					}
				case strings.HasSuffix(f.Name, ".xlsx"):
					if ct != opendata.MediaXLSX {
						t.Errorf("%s: %q", f.Name, ct)
					}
				case f.Name == opendata.SumsName:
					if !strings.HasPrefix(ct, "text/plain") || bytes.Count(body, []byte("\n")) != *f.Rows {
						t.Errorf("%s: %q", f.Name, ct)
					}
				case f.Name == opendata.DataPackageName:
					if !strings.HasPrefix(ct, "application/json") {
						t.Errorf("%s: %q", f.Name, ct)
					}
				}
			}
		}
	}
	if n != 8*2*6 {
		t.Errorf("%d files catalogued", n)
	}
	// latest/ serves the newest version, also under names without the day.
	dated, want := get(t, ts.URL+"/data/blacklist/2026-11-22/blacklist-2026-11-22.csv.gz")
	for _, u := range []string{"/data/blacklist/latest/blacklist.csv.gz", "/data/blacklist/latest/blacklist-2026-11-22.csv.gz"} {
		res, got := get(t, ts.URL+u)
		if res.StatusCode != 200 || !bytes.Equal(got, want) || res.Header.Get("ETag") != dated.Header.Get("ETag") ||
			!strings.Contains(res.Header.Get("Content-Disposition"), "blacklist-2026-11-22.csv.gz") {
			t.Errorf("%s: %d, %q", u, res.StatusCode, res.Header.Get("Content-Disposition"))
		}
	}
	if res, _ := get(t, ts.URL+"/data/blacklist/latest/SHA256SUMS"); res.StatusCode != 200 {
		t.Errorf("latest SHA256SUMS: %d", res.StatusCode)
	}
	if res, body := get(t, ts.URL+"/data/dcat.jsonld"); res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/ld+json") ||
		!bytes.Contains(body, []byte("dcat:Catalog")) {
		t.Errorf("dcat.jsonld: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	// The version indexes are JSON for scripts; browsers are sent to the /data/ page.
	var ds opendata.Dataset
	res, body = get(t, ts.URL+"/data/blacklist/")
	if res.StatusCode != 200 || json.Unmarshal(body, &ds) != nil || ds.Latest != "2026-11-22" || len(ds.Versions) != 2 {
		t.Errorf("/data/blacklist/: %d %.200s", res.StatusCode, body)
	}
	if res, body := get(t, ts.URL+"/data/blacklist/latest/", "Accept", "text/html"); res.StatusCode != 200 ||
		!bytes.Contains(body, []byte(`href="/data/blacklist/2026-11-22/blacklist-2026-11-22.csv.gz"`)) || bytes.Contains(body, []byte(`id="list-penalties"`)) {
		t.Errorf("browser at latest/: %d", res.StatusCode)
	}
	if res, body := get(t, ts.URL+"/data/blacklist/2026-01-01/", "Accept", "text/html"); res.StatusCode != 404 ||
		!bytes.Contains(body, []byte("最新版本是")) {
		t.Errorf("browser at a missing version: %d", res.StatusCode)
	}
	res, body = get(t, ts.URL+"/data/", "Accept", "text/html")
	if res.StatusCode != 200 || !bytes.Contains(body, []byte("sha256sum -c")) || !bytes.Contains(body, []byte(`id="list-penalties"`)) ||
		!bytes.Contains(body, []byte("/data/blacklist/latest/blacklist.csv.gz")) || !bytes.Contains(body, []byte("罚款金额（万元）")) {
		t.Errorf("/data/ page: %d", res.StatusCode)
	}
}

func TestDataRangeAndConditionalRequests(t *testing.T) {
	_, ts, _ := openDataServer(t, opendata.Options{})
	u := ts.URL + "/data/entities/2026-11-22/entities-2026-11-22.xlsx"
	res, full := get(t, u)
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || etag == "" || res.Header.Get("Accept-Ranges") != "bytes" || res.Header.Get("Last-Modified") == "" {
		t.Fatalf("full: %d etag %q ranges %q", res.StatusCode, etag, res.Header.Get("Accept-Ranges"))
	}
	res, part := get(t, u, "Range", "bytes=100-299")
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(part, full[100:300]) ||
		res.Header.Get("Content-Range") != "bytes 100-299/"+itoa(len(full)) {
		t.Errorf("range: %d %q, %d bytes", res.StatusCode, res.Header.Get("Content-Range"), len(part))
	}
	res, part = get(t, u, "Range", "bytes=-10")
	if res.StatusCode != http.StatusPartialContent || !bytes.Equal(part, full[len(full)-10:]) {
		t.Errorf("suffix range: %d", res.StatusCode)
	}
	if res, body := get(t, u, "If-None-Match", etag); res.StatusCode != http.StatusNotModified || len(body) != 0 {
		t.Errorf("If-None-Match: %d", res.StatusCode)
	}
	// If-Range: a resumed download continues only while the file is the same one.
	if res, part := get(t, u, "Range", "bytes=0-9", "If-Range", etag); res.StatusCode != http.StatusPartialContent || !bytes.Equal(part, full[:10]) {
		t.Errorf("If-Range same: %d", res.StatusCode)
	}
	if res, body := get(t, u, "Range", "bytes=0-9", "If-Range", `"stale"`); res.StatusCode != 200 || !bytes.Equal(body, full) {
		t.Errorf("If-Range stale: %d", res.StatusCode)
	}
	if res, _ := get(t, ts.URL+"/data/catalog.json", "If-None-Match", func() string { r, _ := get(t, ts.URL+"/data/catalog.json"); return r.Header.Get("ETag") }()); res.StatusCode != http.StatusNotModified {
		t.Errorf("catalog If-None-Match: %d", res.StatusCode)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestDataRefusesEverythingElse: nothing but the files a SHA256SUMS lists is ever served.
func TestDataRefusesEverythingElse(t *testing.T) {
	s, ts, _ := openDataServer(t, opendata.Options{})
	dir := opendata.VersionDir(s.openDataRoot(), "blacklist", "2026-11-22")
	// A temporary file as a crash would leave it, and a stray file: on disk, not listed.
	for _, name := range []string{".blacklist-2026-11-22.csv.gz.tmp-0badf00d", "stray.csv", "blacklist-2026-11-23.csv.gz"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.WriteFile(filepath.Join(s.openDataRoot(), "secret.txt"), []byte("x"), 0o644)
	// A version folder without SHA256SUMS is incomplete (a crash before its last write).
	partial := opendata.VersionDir(s.openDataRoot(), "blacklist", "2026-11-25")
	os.MkdirAll(partial, 0o755)
	os.WriteFile(filepath.Join(partial, "blacklist-2026-11-25.csv.gz"), []byte("half"), 0o644)
	for _, target := range []string{
		"/data/blacklist/2026-11-22/.blacklist-2026-11-22.csv.gz.tmp-0badf00d",
		"/data/blacklist/2026-11-22/stray.csv",
		"/data/blacklist/2026-11-22/blacklist-2026-11-23.csv.gz",
		"/data/blacklist/2026-11-22/nope.csv.gz",
		"/data/blacklist/../../current",
		"/data/blacklist/2026-11-22/../../../current",
		"/data/blacklist/%2e%2e/%2e%2e/current",
		"/data/%2e%2e/2026-11-22/SHA256SUMS",
		"/data/blacklist/2026-11-22/..%2f..%2fcatalog.json",
		"/data/blacklist/2026-11-22/%2fetc%2fpasswd",
		"/data/blacklist/latest/%2fetc%2fpasswd",
		"/data//etc/passwd",
		"/data/blacklist//etc/passwd",
		"/data/blacklist/2026-11-22//etc/passwd",
		"/data/Blacklist/2026-11-22/SHA256SUMS",
		"/data/blacklist/2026-13-45/SHA256SUMS",
		"/data/blacklist/20261122/SHA256SUMS",
		"/data/blacklist/2026-11-21/blacklist-2026-11-22.csv.gz",
		"/data/generations/2026-11-22/SHA256SUMS",
		"/data/secret.txt",
		"/data/nosuchlist/latest/SHA256SUMS",
		"/data/blacklist/2026-11-25/blacklist-2026-11-25.csv.gz",
		"/data/blacklist/2026-11-25/SHA256SUMS",
	} {
		w := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "http://gongshi.test"+target, nil)
		s.Handler().ServeHTTP(w, req)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404 (%.80s)", target, w.Code, w.Body.String())
		}
	}
	// The listed file next to them is still served.
	if res, _ := get(t, ts.URL+"/data/blacklist/2026-11-22/blacklist-2026-11-22.csv.gz"); res.StatusCode != 200 {
		t.Errorf("listed file: %d", res.StatusCode)
	}
	// A listed file whose bytes no longer match SHA256SUMS (truncated on disk) is not served,
	// under its dated or its latest URL.
	jsonl := filepath.Join(dir, "blacklist-2026-11-22.jsonl.gz")
	if res, _ := get(t, ts.URL+"/data/blacklist/2026-11-22/blacklist-2026-11-22.jsonl.gz"); res.StatusCode != 200 {
		t.Fatalf("listed file before damage: %d", res.StatusCode)
	}
	if err := os.Truncate(jsonl, 10); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"/data/blacklist/2026-11-22/blacklist-2026-11-22.jsonl.gz", "/data/blacklist/latest/blacklist.jsonl.gz"} {
		if res, body := get(t, ts.URL+target); res.StatusCode != http.StatusNotFound {
			t.Errorf("truncated listed file %s: %d, %d bytes", target, res.StatusCode, len(body))
		}
	}
}
