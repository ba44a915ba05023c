package portal

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
)

// TestFeedValidatorsAndMonotonicTime: feeds carry an ETag and a Last-Modified equal to their
// <updated>, answer 304 to either validator, and <updated> never goes back, not even when a
// publication runs with a clock behind the previous one.
func TestFeedValidatorsAndMonotonicTime(t *testing.T) {
	s, ts, clock := openDataServer(t, opendata.Options{})
	u := ts.URL + "/feeds/blacklist.atom"
	res, _ := get(t, u)
	etag, lm := res.Header.Get("ETag"), res.Header.Get("Last-Modified")
	f := getFeed(t, u)
	updated, _ := time.Parse(time.RFC3339, f.Updated)
	if etag == "" || lm != updated.UTC().Format(http.TimeFormat) {
		t.Fatalf("ETag %q, Last-Modified %q, updated %s", etag, lm, f.Updated)
	}
	if res, body := get(t, u, "If-None-Match", etag); res.StatusCode != 304 || len(body) != 0 {
		t.Errorf("If-None-Match: %d", res.StatusCode)
	}
	if res, _ := get(t, u, "If-Modified-Since", lm); res.StatusCode != 304 {
		t.Errorf("If-Modified-Since: %d", res.StatusCode)
	}
	// A publication with the clock an hour behind the last one: its entry is stamped no
	// earlier than the entries before it.
	clock.Advance(-time.Hour)
	ov := opendatatest.Overlay{HiddenIDs: map[string]string{opendatatest.BlacklistID(3, "2025-03-10"): opendata.ReasonRevoked}}
	if _, err := opendata.Publish(context.Background(), s.cfg.Data, "2026-11-22", ov, s.openDataOptions()); err != nil {
		t.Fatal(err)
	}
	g := getFeed(t, u)
	if len(g.Entries) != len(f.Entries)+1 || g.Updated < f.Updated || g.Entries[0].Updated < f.Updated {
		t.Errorf("after a publication with the clock behind: feed %s (was %s), %d entries, newest %s", g.Updated, f.Updated, len(g.Entries), g.Entries[0].Updated)
	}
	if res, _ := get(t, u, "If-None-Match", etag); res.StatusCode != 200 {
		t.Errorf("stale ETag: %d", res.StatusCode)
	}
}
