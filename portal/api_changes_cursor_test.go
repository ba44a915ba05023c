package portal

import (
	"encoding/json"
	"testing"

	"github.com/gongshi/gongshi/importer/opendata"
)

func TestChangesAPICursorPastEnd(t *testing.T) {
	_, ts, _ := openDataServer(t, opendata.Options{})
	_, seqs, end := pageAll(t, ts.URL, "blacklist", "")
	last := seqs[len(seqs)-1]
	// At the end: an empty page to poll with.
	var p changesJSON
	getJSON(t, ts.URL+"/api/v1/changes?list=blacklist&cursor="+end, 200, &p)
	if len(p.Changes) != 0 || p.NextCursor != end {
		t.Errorf("at the end: %+v", p)
	}
	// One beyond: entries numbered up to it later would never reach this client.
	for _, seq := range []int64{last + 1, last + 1000} {
		res, body := get(t, ts.URL+"/api/v1/changes?list=blacklist&cursor="+encodeChangeCursor("blacklist", seq))
		var e struct {
			Error struct {
				Code      string `json:"code"`
				Message   string `json:"message"`
				MessageZH string `json:"message_zh"`
			} `json:"error"`
		}
		if res.StatusCode != 400 || json.Unmarshal(body, &e) != nil || e.Error.Code != "bad_cursor" || e.Error.Message == "" || e.Error.MessageZH == "" {
			t.Errorf("cursor at seq %d after the end %d: %d %s", seq, last, res.StatusCode, body)
		}
	}
}
