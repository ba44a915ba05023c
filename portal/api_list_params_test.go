package portal

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

// TestUnknownParametersAre400: a filter the list or search API does not have is refused with
// the parameters named, instead of being ignored (severity=严重 used to return the whole list);
// the parameters it does have still work.
func TestUnknownParametersAre400(t *testing.T) {
	_, ts := testServer(t)
	for _, c := range []struct {
		path    string
		unknown []string
	}{
		{"/api/v1/lists/penalties?severity=" + url.QueryEscape("严重"), []string{"severity"}},
		{"/api/v1/lists/blacklist?State=current&regoin=35", []string{"State", "regoin"}},
		{"/api/v1/lists/abnormal?state=current&page=2", []string{"page"}},
		{"/api/v1/search?q=" + url.QueryEscape("华威") + "&limit=5", []string{"limit"}},
	} {
		var answer struct {
			Error struct {
				Code, Message string
				MessageZH     string `json:"message_zh"`
			}
			Unknown []string `json:"unknown_parameters"`
			Allowed []string `json:"allowed_parameters"`
		}
		getJSON(t, ts.URL+c.path, 400, &answer)
		if answer.Error.Code != "unknown_parameter" || strings.Join(answer.Unknown, ",") != strings.Join(c.unknown, ",") ||
			!strings.Contains(answer.Error.Message, c.unknown[0]) || !strings.Contains(answer.Error.MessageZH, c.unknown[0]) || len(answer.Allowed) == 0 {
			t.Errorf("%s: %+v", c.path, answer)
		}
	}
	var list index.ListResponse
	getJSON(t, ts.URL+"/api/v1/lists/abnormal?state=current&region=35&size=5", 200, &list)
	if list.Total != 1 {
		t.Errorf("known parameters: %d entries, want 1 (厦门安泰's current listing)", list.Total)
	}
	var res json.RawMessage
	getJSON(t, ts.URL+"/api/v1/search?q="+url.QueryEscape("华威")+"&region=35&status=active&has=penalty&size=5", 200, &res)
	// The pages keep ignoring what they do not know: links from elsewhere carry tracking tags.
	page(t, ts.URL+"/lists/penalties?utm_source=x", 200)
}
