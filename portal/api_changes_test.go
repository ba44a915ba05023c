package portal

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"testing"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
)

type changesJSON struct {
	List    string `json:"list"`
	Changes []struct {
		Seq           int64    `json:"seq"`
		Day           string   `json:"day"`
		Change        string   `json:"change"`
		Reason        string   `json:"reason"`
		ID            string   `json:"id"`
		EntityCode    string   `json:"entity_code"`
		EntityName    string   `json:"entity_name"`
		FieldsChanged []string `json:"fields_changed"`
	} `json:"changes"`
	NextCursor string `json:"next_cursor"`
	HasMore    bool   `json:"has_more"`
}

// pageAll follows next_cursor from cursor until has_more is false, one entry a page.
func pageAll(t *testing.T, base, list, cursor string) (ids []string, seqs []int64, last string) {
	t.Helper()
	for i := 0; i < 50; i++ {
		q := url.Values{"list": {list}, "size": {"1"}}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var p changesJSON
		getJSON(t, base+"/api/v1/changes?"+q.Encode(), 200, &p)
		for _, c := range p.Changes {
			ids = append(ids, c.Change+" "+c.ID+" "+c.Reason)
			seqs = append(seqs, c.Seq)
		}
		if p.NextCursor == "" {
			t.Fatal("no next_cursor")
		}
		cursor = p.NextCursor
		if !p.HasMore {
			return ids, seqs, cursor
		}
	}
	t.Fatal("paging does not end")
	return
}

func TestChangesAPIPagingNeverSkips(t *testing.T) {
	s, ts, _ := openDataServer(t, opendata.Options{})
	bl := opendatatest.BlacklistID
	ids, seqs, cursor := pageAll(t, ts.URL, "blacklist", "")
	want := []string{"added " + bl(4, "2026-11-01") + " ", "added " + bl(5, "2026-11-02") + " ",
		"modified " + bl(1, "2025-01-10") + " 移出", "removed " + bl(2, "2025-02-10") + " "}
	got := slices.Clone(ids)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) || !slices.Equal(seqs, []int64{1, 2, 3, 4}) {
		t.Fatalf("changes %q seqs %v", ids, seqs)
	}
	// Nothing new yet: an empty page, and the same cursor to poll with.
	var p changesJSON
	getJSON(t, ts.URL+"/api/v1/changes?list=blacklist&cursor="+cursor, 200, &p)
	if len(p.Changes) != 0 || p.NextCursor != cursor || p.HasMore {
		t.Errorf("poll: %+v", p)
	}
	// A new version appends; the old cursor gets exactly the new entries.
	ov := opendatatest.Overlay{HiddenIDs: map[string]string{bl(3, "2025-03-10"): opendata.ReasonRepaired}}
	if _, err := opendata.Publish(context.Background(), s.cfg.Data, "2026-11-23", ov, s.openDataOptions()); err != nil {
		t.Fatal(err)
	}
	ids, seqs, _ = pageAll(t, ts.URL, "blacklist", cursor)
	if !slices.Equal(ids, []string{"removed " + bl(3, "2025-03-10") + " 信用修复"}) || !slices.Equal(seqs, []int64{5}) {
		t.Errorf("after the cursor: %q %v", ids, seqs)
	}
	// since filters by day.
	getJSON(t, ts.URL+"/api/v1/changes?list=blacklist&since=2026-11-23", 200, &p)
	if len(p.Changes) != 1 || p.Changes[0].Seq != 5 {
		t.Errorf("since: %+v", p)
	}
	// Penalties: P1's fine changed on 2026-11-22; P3's period ended 2026-11-22.
	getJSON(t, ts.URL+"/api/v1/changes?list=penalties", 200, &p)
	if len(p.Changes) != 2 || p.Changes[0].Change != "modified" || !slices.Equal(p.Changes[0].FieldsChanged, []string{"content", "fine"}) ||
		p.Changes[1].Change != "removed" || p.Changes[1].Reason != opendata.ReasonExpired || p.Changes[1].Day != "2026-11-23" {
		t.Errorf("penalties: %+v", p)
	}
	for _, bad := range []string{"", "list=nope", "list=blacklist&since=2026-13-01", "list=blacklist&cursor=%21%21",
		"list=penalties&cursor=" + cursor, "list=blacklist&size=0", "list=blacklist&size=5000"} {
		getJSON(t, ts.URL+"/api/v1/changes?"+bad, 400, nil)
	}
}

func TestChangesAPIGoneWhenOlderThanKept(t *testing.T) {
	s, ts, _ := openDataServer(t, opendata.Options{Retention: 1})
	_, _, first := pageAll(t, ts.URL, "blacklist", "") // cursor after the four 2026-11-22 entries
	opts := s.openDataOptions()
	opts.Retention = 1
	ov := opendatatest.Overlay{PendingIDs: map[string]string{opendatatest.BlacklistID(3, "2025-03-10"): "2026-11-23"}}
	if _, err := opendata.Publish(context.Background(), s.cfg.Data, "2026-11-23", ov, opts); err != nil {
		t.Fatal(err)
	}
	// Only 2026-11-23 is kept: its entries still follow the cursor, but older requests are gone.
	var p changesJSON
	getJSON(t, ts.URL+"/api/v1/changes?list=blacklist&cursor="+first, 200, &p)
	if len(p.Changes) != 1 || p.Changes[0].Seq != 5 {
		t.Errorf("cursor at the cut: %+v", p)
	}
	var gone struct {
		Error struct {
			Code      string `json:"code"`
			OldestDay string `json:"oldest_day"`
		} `json:"error"`
	}
	res, body := get(t, ts.URL+"/api/v1/changes?list=blacklist&since=2026-11-21")
	if res.StatusCode != 410 || json.Unmarshal(body, &gone) != nil || gone.Error.OldestDay != "2026-11-23" || gone.Error.Code != "gone" {
		t.Errorf("since before the kept days: %d %s", res.StatusCode, body)
	}
	res, body = get(t, ts.URL+"/api/v1/changes?list=blacklist&cursor="+encodeChangeCursor("blacklist", 2))
	if res.StatusCode != 410 {
		t.Errorf("cursor into dropped entries: %d %s", res.StatusCode, body)
	}
}
