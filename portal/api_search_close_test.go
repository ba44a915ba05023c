package portal

import (
	"net/url"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

// TestSearchMarksCloseNames: a name typed with a character wrong answers with the company as
// a close name, marked "tier": "close" in the API and under 相近名称 on the page.
func TestSearchMarksCloseNames(t *testing.T) {
	_, ts := testServer(t)
	typo := "福州华威新才料科技有限公司" // 材 typed as 才

	var res index.SearchResponse
	getJSON(t, ts.URL+"/api/v1/search?q="+url.QueryEscape(typo), 200, &res)
	if len(res.Results) == 0 || res.Results[0].Code != huawei || res.Results[0].Tier != index.TierClose || res.Total != 0 {
		t.Fatalf("API: total %d, results %+v: want %s first, tier close, total 0", res.Total, res.Results, huawei)
	}

	body, _ := page(t, ts.URL+"/search?q="+url.QueryEscape(typo), 200)
	mustContain(t, "close page", body, "相近名称", `class="result result-close"`, `href="/entities/`+huawei+`"`, "<mark>福州华威新</mark>")
	mustNotContain(t, "close page", body, "没有找到匹配的市场主体")

	// The exact name: its match first, nothing marked close above it.
	var exact index.SearchResponse
	getJSON(t, ts.URL+"/api/v1/search?q="+url.QueryEscape("福州华威新材料科技有限公司"), 200, &exact)
	if len(exact.Results) == 0 || exact.Results[0].Code != huawei || exact.Results[0].Tier != "" {
		t.Fatalf("exact: %+v", exact.Results)
	}
	body, _ = page(t, ts.URL+"/search?q="+url.QueryEscape("福州华威新材料科技有限公司"), 200)
	if i, j := strings.Index(body, `href="/entities/`+huawei+`"`), strings.Index(body, "相近名称"); i < 0 || j >= 0 && j < i {
		t.Errorf("exact page: the match must come before any close name (at %d, 相近名称 at %d)", i, j)
	}
}
