package portal

import (
	"encoding/xml"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
)

// atomDoc is what a feed reader needs from an Atom 1.0 document (RFC 4287 §4.1).
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"http://www.w3.org/2005/Atom id"`
	Title   string   `xml:"http://www.w3.org/2005/Atom title"`
	Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
	Author  []struct {
		Name string `xml:"http://www.w3.org/2005/Atom name"`
	} `xml:"http://www.w3.org/2005/Atom author"`
	Links []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"http://www.w3.org/2005/Atom link"`
	Entries []struct {
		ID      string `xml:"http://www.w3.org/2005/Atom id"`
		Title   string `xml:"http://www.w3.org/2005/Atom title"`
		Updated string `xml:"http://www.w3.org/2005/Atom updated"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"http://www.w3.org/2005/Atom link"`
	} `xml:"http://www.w3.org/2005/Atom entry"`
}

// getFeed fetches a feed and checks the elements Atom requires of the feed and every entry.
func getFeed(t *testing.T, u string) *atomDoc {
	t.Helper()
	res, body := get(t, u)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("%s: %d %q: %s", u, res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	var f atomDoc
	if err := xml.Unmarshal(body, &f); err != nil {
		t.Fatalf("%s: not well-formed Atom: %v", u, err)
	}
	rfc3339 := func(what, v string) {
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			t.Errorf("%s: %s %q is not an RFC 3339 date", u, what, v)
		}
	}
	if !strings.HasPrefix(f.ID, "tag:") || f.Title == "" || len(f.Author) == 0 || f.Author[0].Name == "" {
		t.Errorf("%s: feed id %q title %q author %v", u, f.ID, f.Title, f.Author)
	}
	rfc3339("feed updated", f.Updated)
	self := false
	for _, l := range f.Links {
		self = self || l.Rel == "self"
	}
	if !self {
		t.Errorf("%s: no self link", u)
	}
	ids := map[string]bool{}
	for _, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "tag:") || ids[e.ID] || e.Title == "" || len(e.Links) == 0 || !strings.HasPrefix(e.Links[0].Href, "http") {
			t.Errorf("%s: entry %+v", u, e)
		}
		ids[e.ID] = true
		rfc3339("entry updated", e.Updated)
	}
	return &f
}

func TestFeedListShowsAdditions(t *testing.T) {
	_, ts, _ := openDataServer(t, opendata.Options{})
	f := getFeed(t, ts.URL+"/feeds/blacklist.atom")
	want := map[string]string{ // title → link
		"新增：" + opendatatest.Name(4):   "/entities/" + opendatatest.Code(4) + "#" + opendatatest.BlacklistID(4, "2026-11-01"),
		"新增：" + opendatatest.Name(5):   "/entities/" + opendatatest.Code(5) + "#" + opendatatest.BlacklistID(5, "2026-11-02"),
		"移出：" + opendatatest.Name(1):   "/entities/" + opendatatest.Code(1) + "#" + opendatatest.BlacklistID(1, "2025-01-10"),
		"不再公示：" + opendatatest.Name(2): "/entities/" + opendatatest.Code(2) + "#" + opendatatest.BlacklistID(2, "2025-02-10"),
	}
	if len(f.Entries) != len(want) {
		t.Errorf("%d entries, want %d", len(f.Entries), len(want))
	}
	for _, e := range f.Entries {
		link, ok := want[e.Title]
		if !ok || !strings.HasSuffix(e.Links[0].Href, link) {
			t.Errorf("entry %q → %s", e.Title, e.Links[0].Href)
		}
		// When 2026-11-22's version was published (the clock's 10:00), not the midnight before.
		if e.Updated != "2026-11-22T10:00:00+08:00" {
			t.Errorf("entry %q updated %s", e.Title, e.Updated)
		}
	}
	// The same feed again has the same ids (feed readers must not see entries twice).
	if g := getFeed(t, ts.URL+"/feeds/blacklist.atom"); g.ID != f.ID || len(g.Entries) == 0 || g.Entries[0].ID != f.Entries[0].ID {
		t.Error("ids are not stable")
	}
	if f := getFeed(t, ts.URL+"/feeds/redlist.atom"); len(f.Entries) != 0 {
		t.Errorf("redlist: %d entries", len(f.Entries))
	}
	for _, bad := range []string{"/feeds/nope.atom", "/feeds/blacklist.rss", "/feeds/entities/91350200MA0000000X.atom"} {
		if res, _ := get(t, ts.URL+bad); res.StatusCode != 404 {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}
}

func TestFeedEntityAndSearch(t *testing.T) {
	_, ts, _ := openDataServer(t, opendata.Options{})
	f := getFeed(t, ts.URL+"/feeds/entities/"+opendatatest.Code(1)+".atom")
	// Entity 1: its blacklist entry (removed 2026-11-22, kept as history) and penalty P1.
	if len(f.Entries) != 2 || !strings.HasPrefix(f.Entries[0].Title, "严重违法失信名单") || !strings.HasPrefix(f.Entries[1].Title, "行政处罚") {
		t.Errorf("entity feed: %+v", f.Entries)
	}
	if !strings.Contains(f.Title, opendatatest.Name(1)) {
		t.Errorf("title %q", f.Title)
	}
	// Lower-case codes redirect to the canonical feed.
	if res, _ := get(t, ts.URL+"/feeds/entities/"+strings.ToLower(opendatatest.Code(1))+".atom"); res.StatusCode != 301 {
		t.Errorf("lower-case code: %d", res.StatusCode)
	}
	q := url.Values{"q": {"测试"}, "has": {"blacklist"}}
	s := getFeed(t, ts.URL+"/feeds/search.atom?"+q.Encode())
	if len(s.Entries) == 0 {
		t.Fatal("saved search: no entries")
	}
	for _, e := range s.Entries {
		if !strings.Contains(e.Title, "测试") || !strings.Contains(e.Links[0].Href, "/entities/") {
			t.Errorf("search entry %+v", e)
		}
	}
	if res, _ := get(t, ts.URL+"/feeds/search.atom?region=x"); res.StatusCode != 400 {
		t.Errorf("bad search: %d", res.StatusCode)
	}
}
