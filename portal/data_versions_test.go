package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
)

// TestDataVersionsImmutable: a second publication on the same day is served under its own
// version id; the first version's URLs keep their bytes and ETag; dated URLs may be cached for
// good, latest/ only briefly, and latest/ names the version it served.
func TestDataVersionsImmutable(t *testing.T) {
	s, ts, _ := openDataServer(t, opendata.Options{})
	first := "/data/blacklist/2026-11-22/blacklist-2026-11-22.csv.gz"
	res1, body1 := get(t, ts.URL+first)
	if cc := res1.Header.Get("Cache-Control"); res1.StatusCode != 200 || cc != "public, max-age=31536000, immutable" {
		t.Fatalf("%s: %d, Cache-Control %q", first, res1.StatusCode, cc)
	}
	ov := opendatatest.Overlay{PendingIDs: map[string]string{opendatatest.BlacklistID(3, "2025-03-10"): "2026-11-22"}}
	if _, err := opendata.Publish(context.Background(), s.cfg.Data, "2026-11-22", ov, s.openDataOptions()); err != nil {
		t.Fatal(err)
	}
	res, body := get(t, ts.URL+first)
	if res.StatusCode != 200 || !bytes.Equal(body, body1) || res.Header.Get("ETag") != res1.Header.Get("ETag") {
		t.Errorf("%s changed after a second publication the same day", first)
	}
	second := "/data/blacklist/2026-11-22.2/blacklist-2026-11-22.2.csv.gz"
	res2, body2 := get(t, ts.URL+second)
	if res2.StatusCode != 200 || bytes.Equal(body2, body1) || res2.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
		t.Errorf("%s: %d %q", second, res2.StatusCode, res2.Header.Get("Cache-Control"))
	}
	res, body = get(t, ts.URL+"/data/blacklist/latest/blacklist.csv.gz")
	if res.StatusCode != 200 || !bytes.Equal(body, body2) || res.Header.Get("Cache-Control") != "public, max-age=300" ||
		!strings.Contains(res.Header.Get("Link"), "</data/blacklist/2026-11-22.2/blacklist-2026-11-22.2.csv.gz>") {
		t.Errorf("latest: %d %q %q", res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("Link"))
	}
	if res, body := get(t, ts.URL+"/data/blacklist/2026-11-22.2/changes-2026-11-22.2.jsonl"); res.StatusCode != 200 ||
		bytes.Count(body, []byte("\n")) != 1 || !bytes.Contains(body, []byte(`"version":"2026-11-22.2"`)) {
		t.Errorf("changes of 2026-11-22.2: %d %s", res.StatusCode, body)
	}
	var v opendata.Version
	if res, body := get(t, ts.URL+"/data/blacklist/2026-11-22.2/"); res.StatusCode != 200 || json.Unmarshal(body, &v) != nil ||
		v.ID != "2026-11-22.2" || v.Day != "2026-11-22" || v.Previous != "2026-11-22" {
		t.Errorf("version index: %d %.300s", res.StatusCode, body)
	}
	if res, body := get(t, ts.URL+"/data/blacklist/2026-11-22.2/", "Accept", "text/html"); res.StatusCode != 200 ||
		!bytes.Contains(body, []byte(`href="/data/blacklist/2026-11-22.2/blacklist-2026-11-22.2.csv.gz"`)) {
		t.Errorf("browser at 2026-11-22.2: %d", res.StatusCode)
	}
	for _, u := range []string{"/data/blacklist/2026-11-22.3/SHA256SUMS", "/data/blacklist/2026-11-22.1/SHA256SUMS", "/data/blacklist/2026-11-22.02/SHA256SUMS"} {
		if res, _ := get(t, ts.URL+u); res.StatusCode != 404 {
			t.Errorf("%s: %d", u, res.StatusCode)
		}
	}
}
