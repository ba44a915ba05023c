package portal

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

// page fetches a URL as a browser would (Accept: text/html) without following redirects.
func page(t *testing.T, rawURL string, wantStatus int) (string, *http.Response) {
	t.Helper()
	return fetch(t, rawURL, "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", wantStatus)
}

func fetch(t *testing.T, rawURL, accept string, wantStatus int) (string, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", accept)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d\n%s", rawURL, res.StatusCode, wantStatus, b)
	}
	return string(b), res
}

func mustContain(t *testing.T, where, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: missing %q", where, w)
		}
	}
}

func mustNotContain(t *testing.T, where, body string, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(body, b) {
			t.Errorf("%s: must not contain %q", where, b)
		}
	}
}

var (
	inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>`)
	styleAttr    = regexp.MustCompile(`(?i)<[^>]+\sstyle\s*=`)
	eventAttr    = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
)

// checkPage asserts what every HTML page must be: Chinese, with the shared layout, and
// nothing the Content-Security-Policy would block (inline scripts, styles, handlers).
func checkPage(t *testing.T, where, body string, res *http.Response) {
	t.Helper()
	if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("%s: content type %q", where, ct)
	}
	mustContain(t, where, body, `<html lang="zh-CN">`, `name="viewport"`, `href="#main"`, `id="main"`, "企业信用信息公开",
		`href="/lists/blacklist"`, `href="/stats"`, `href="/data/"`, "/static/app.css?v=", "/static/app.js?v=")
	for _, tag := range inlineScript.FindAllString(body, -1) {
		if !strings.Contains(tag, "src=") {
			t.Errorf("%s: inline script %s", where, tag)
		}
	}
	if m := styleAttr.FindString(body); m != "" {
		t.Errorf("%s: style attribute in %s", where, m)
	}
	if m := eventAttr.FindString(body); m != "" {
		t.Errorf("%s: event handler attribute in %s", where, m)
	}
	mustNotContain(t, where, body, "<style")
}

func TestPages(t *testing.T) {
	_, ts := testServer(t)

	t.Run("home", func(t *testing.T) {
		body, res := page(t, ts.URL+"/", 200)
		checkPage(t, "/", body, res)
		mustContain(t, "/", body, "查询企业信用信息", `<label class="big-label" for="q">`, "data-suggest", "xiamenyinhang",
			"家市场主体", "严重违法失信名单", "经营异常名录", "失信被执行人", "守信红名单", "数据日期 2026-11-01")
		for _, l := range index.Lists {
			mustContain(t, "/", body, `href="/lists/`+l.Name+`"`)
		}
		mustNotContain(t, "/", body, `id="header-q"`) // the home page has its own box
	})

	t.Run("search highlights", func(t *testing.T) {
		for _, q := range []string{"华威", "華威"} {
			body, res := page(t, ts.URL+"/search?q="+url.QueryEscape(q), 200)
			checkPage(t, "/search", body, res)
			mustContain(t, "/search?q="+q, body, "福州<mark>华威</mark>新材料科技有限公司", `href="/entities/`+huawei+`"`,
				"共找到 <strong>1</strong> 家", "存续", "福建省", `class="badge badge-penalty"`, `id="header-q"`, `value="`+q+`"`)
		}
	})

	t.Run("search former name", func(t *testing.T) {
		body, _ := page(t, ts.URL+"/search?q="+url.QueryEscape("华威建材"), 200)
		mustContain(t, "former name", body, "曾用名：", "<mark>")
	})

	t.Run("search check digit hint", func(t *testing.T) {
		body, _ := page(t, ts.URL+"/search?q=91350200776049653B", 200)
		mustContain(t, "hint", body, `class="notice notice-warn"`, "您是不是要找", antai, "/search?q="+antai)
	})

	t.Run("search empty result helps", func(t *testing.T) {
		body, _ := page(t, ts.URL+"/search?q="+url.QueryEscape("完全不存在的名字"), 200)
		mustContain(t, "empty", body, "没有找到匹配的市场主体", "试试更短的片段", "去掉“有限公司”", "检查代码", "拼音")
	})

	t.Run("search facets and paging keep filters", func(t *testing.T) {
		body, _ := page(t, ts.URL+"/search?size=2&status=active", 200)
		mustContain(t, "facets", body, `name="region"`, `name="status" value="active" checked`, `name="has"`, "地区", "企业类型",
			"状态：存续/在业")
		m := regexp.MustCompile(`href="(/search\?[^"]*cursor=[^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no next-page link")
		}
		next := strings.ReplaceAll(m[1], "&amp;", "&")
		mustContain(t, "next link", next, "size=2", "status=active")
		body2, _ := page(t, ts.URL+next, 200)
		mustContain(t, "page 2", body2, "回到第一页")
	})

	t.Run("entity", func(t *testing.T) {
		body, res := page(t, ts.URL+"/entities/"+huawei, 200)
		checkPage(t, "/entities", body, res)
		mustContain(t, "entity", body, "<h1>福州华威新材料科技有限公司</h1>", "登记基本信息", "<dt>法定代表人</dt><dd>陈明</dd>",
			"曾用名", "福州华威建材有限公司", "行政处罚", "经营异常名录", "公示截止期", "2028-05-31",
			"列入", "移出", "2023-10-15", "已依法补报年度报告", "信息有误？提出异议", "/objections/new?record=penalty-",
			`href="/api/v1/entities/`+huawei+`"`)
		ids := regexp.MustCompile(`<article class="record" id="([^"]+)"`).FindAllStringSubmatch(body, -1)
		if len(ids) != 3 {
			t.Fatalf("records on page: %v", ids)
		}
		for _, id := range ids {
			mustContain(t, "permalink", body, `href="/entities/`+huawei+`#`+id[1]+`"`, "record="+id[1])
		}
	})

	t.Run("entity redirects to canonical code", func(t *testing.T) {
		for _, in := range []string{strings.ToLower(huawei), "350102100012345", "９１３５０１０２ＭＡ２ＸＹＷ０１５Ｕ"} {
			_, res := page(t, ts.URL+"/entities/"+url.PathEscape(in), http.StatusMovedPermanently)
			if loc := res.Header.Get("Location"); loc != "/entities/"+huawei {
				t.Errorf("%s: Location %q", in, loc)
			}
		}
	})

	t.Run("entity unknown is a Chinese 404", func(t *testing.T) {
		body, res := page(t, ts.URL+"/entities/91350200776049653B9", 404)
		checkPage(t, "404", body, res)
		mustContain(t, "404", body, "未找到该市场主体")
	})

	t.Run("lists", func(t *testing.T) {
		for _, l := range index.Lists {
			body, res := page(t, ts.URL+"/lists/"+l.Name, 200)
			checkPage(t, "/lists/"+l.Name, body, res)
			mustContain(t, l.Name, body, "<h1>"+l.Label+"</h1>", `href="/data/`+l.Name+`/latest/"`, `href="/feeds/`+l.Name+`.atom"`,
				`<select id="f-region" name="region">`, `name="year"`, `name="authority"`, `name="name"`, `aria-current="page">`+l.Label)
			if l.Type.HasListState() != strings.Contains(body, `name="state"`) {
				t.Errorf("%s: state filter shown = %v", l.Name, !l.Type.HasListState())
			}
		}
		body, _ := page(t, ts.URL+"/lists/blacklist", 200)
		mustContain(t, "blacklist", body, "91500000MA5UKT77Q5", "当前列入", "共 <strong>1</strong> 条")
		body, _ = page(t, ts.URL+"/lists/abnormal?state=current", 200)
		mustContain(t, "abnormal current", body, antai, `<option value="current" selected>`)
		mustNotContain(t, "abnormal current", body, huawei)
		body, _ = page(t, ts.URL+"/lists/abnormal?state=removed&region=35", 200)
		mustContain(t, "abnormal removed", body, huawei, "已于 2023-10-15 移出")
		body, _ = page(t, ts.URL+"/lists/penalties?size=1", 200)
		m := regexp.MustCompile(`href="(/lists/penalties\?[^"]*cursor=[^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("penalties: no next-page link")
		}
		page(t, ts.URL+strings.ReplaceAll(m[1], "&amp;", "&"), 200)
	})

	t.Run("stats", func(t *testing.T) {
		body, res := page(t, ts.URL+"/stats", 200)
		checkPage(t, "/stats", body, res)
		mustContain(t, "stats", body, "<svg", `role="img"`, "<title id=", "<desc id=", "<details>", "查看数据表",
			"每月新增", "记录最多的 10 个省份", "记录最多的 10 个决定机关", `<rect class="bar`)
		body, _ = page(t, ts.URL+"/stats?list=penalties", 200)
		mustContain(t, "stats penalties", body, "行政处罚：记录最多的 10 个决定机关", "厦门市市场监督管理局")
	})

	t.Run("static assets", func(t *testing.T) {
		for name, a := range staticAssets {
			_, res := fetch(t, ts.URL+"/static/"+name+"?v="+a.hash, "*/*", 200)
			if cc := res.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("%s: Cache-Control %q", name, cc)
			}
		}
		_, res := fetch(t, ts.URL+"/static/app.css", "*/*", 200)
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
			t.Errorf("app.css content type %q", ct)
		}
		fetch(t, ts.URL+"/static/nope.js", "*/*", 404)
	})
}

func TestPagesEscapeHostileInput(t *testing.T) {
	_, ts := testServer(t)
	const evil = "<script>alert(1)</script>"
	const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
	q := url.QueryEscape(evil)
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/search?q=" + q, 200},
		{"/search?q=" + q + "&region=" + q, 400},
		{"/search?q=x&type=" + q, 400},
		{"/search?has=" + q, 400},
		{"/entities/" + url.PathEscape("<script>"), 404},
		{"/entities/" + url.PathEscape("<img src=x onerror=alert(1)>"), 404},
		{"/lists/blacklist?authority=" + q, 200},
		{"/lists/blacklist?name=" + q, 200},
		{"/lists/blacklist?region=" + q, 400},
		{"/lists/blacklist?year=" + q, 400},
		{"/lists/" + url.PathEscape("<script>"), 404},
		{"/nope/" + url.PathEscape(evil), 404},
	} {
		body, res := page(t, ts.URL+c.path, c.status)
		checkPage(t, c.path, body, res)
		mustNotContain(t, c.path, body, evil, "<script>alert", "<script>", "<img src=x")
		switch {
		case strings.Contains(c.path, "/nope/"): // unrouted: the input is not echoed at all
		case strings.Contains(c.path, "%3Cimg"):
			mustContain(t, c.path, body, "&lt;img src=x onerror=alert(1)&gt;")
		case strings.HasSuffix(c.path, "%3Cscript%3E"):
			mustContain(t, c.path, body, "&lt;script&gt;")
		default:
			mustContain(t, c.path, body, escaped)
		}
	}
}

func TestPagesBadRequestsAre400InChinese(t *testing.T) {
	_, ts := testServer(t)
	for _, c := range []struct{ path, want string }{
		{"/search?size=abc", "每页条数应为"},
		{"/search?status=x", "状态只能是"},
		{"/search?region=x", "地区代码应为"},
		{"/search?type=x", "未知的企业类型"},
		{"/search?cursor=%ff%fe", "翻页参数无效"},
		{"/search?q=" + strings.Repeat("华", 200), "搜索词太长"},
		{"/lists/blacklist?year=20x", "年份应为4位数字"},
		{"/lists/blacklist?state=x", "状态只能是"},
		{"/lists/penalties?state=current", "只有严重违法失信名单"},
		{"/lists/blacklist?cursor=%ff", "翻页参数无效"},
		{"/lists/blacklist?size=0", "每页条数应为"},
		{"/stats?list=nope", "没有这个名单"},
	} {
		body, res := page(t, ts.URL+c.path, 400)
		checkPage(t, c.path, body, res)
		mustContain(t, c.path, body, c.want)
	}
}

func TestNotFoundByAccept(t *testing.T) {
	_, ts := testServer(t)
	body, res := page(t, ts.URL+"/no/such/page", 404)
	checkPage(t, "html 404", body, res)
	mustContain(t, "html 404", body, "页面不存在", "错误 404")
	if v := res.Header.Get("Vary"); !strings.Contains(v, "Accept") {
		t.Errorf("404 Vary %q", v)
	}
	page(t, ts.URL+"/lists/nope", 404)

	for _, c := range []struct{ path, accept string }{
		{"/no/such/page", "application/json"},
		{"/no/such/page", ""},
		{"/api/v1/nope", "text/html"},
	} {
		body, res := fetch(t, ts.URL+c.path, c.accept, 404)
		if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
			t.Errorf("%s (Accept %q): content type %q", c.path, c.accept, res.Header.Get("Content-Type"))
		}
		var e struct{ Error APIError }
		if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error.Code != "not_found" {
			t.Errorf("%s (Accept %q): %v %s", c.path, c.accept, err, body)
		}
	}
}

func TestPagesBeforeFirstGenerationAre503(t *testing.T) {
	s, err := New(Config{Data: index.DataDir(t.TempDir()), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	h := s.Handler()
	ts := newTestHTTPServer(t, h)
	for _, p := range []string{"/", "/search?q=x", "/entities/" + huawei, "/lists/blacklist", "/stats"} {
		body, res := page(t, ts+p, 503)
		checkPage(t, p, body, res)
		mustContain(t, p, body, "数据正在加载")
		if res.Header.Get("Retry-After") == "" {
			t.Errorf("%s: no Retry-After", p)
		}
	}
}

func newTestHTTPServer(t *testing.T, h http.Handler) string {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts.URL
}

func TestListAPI(t *testing.T) {
	_, ts := testServer(t)
	var res index.ListResponse
	getJSON(t, ts.URL+"/api/v1/lists/abnormal", 200, &res)
	if res.Total != 2 || len(res.Records) != 2 || res.Records[0].Date < res.Records[1].Date {
		t.Errorf("abnormal: %+v", res)
	}
	getJSON(t, ts.URL+"/api/v1/lists/abnormal?state=removed", 200, &res)
	if res.Total != 1 || res.Records[0].EntityCode != huawei {
		t.Errorf("abnormal removed: %+v", res)
	}
	getJSON(t, ts.URL+"/api/v1/lists/penalties?size=1", 200, &res)
	if len(res.Records) != 1 || res.NextCursor == "" {
		t.Fatalf("penalties page 1: %+v", res)
	}
	first := res.Records[0].ID
	getJSON(t, ts.URL+"/api/v1/lists/penalties?size=1&cursor="+res.NextCursor, 200, &res)
	if len(res.Records) != 1 || res.Records[0].ID == first {
		t.Errorf("penalties page 2: %+v", res)
	}
	for _, q := range []string{"year=x", "state=x", "region=x", "size=x", "cursor=%ff"} {
		var body struct{ Error APIError }
		getJSON(t, ts.URL+"/api/v1/lists/blacklist?"+q, 400, &body)
		if body.Error.Code == "" || body.Error.MessageZH == "" {
			t.Errorf("%s: %+v", q, body)
		}
	}
	var body struct{ Error APIError }
	getJSON(t, ts.URL+"/api/v1/lists/nope", 404, &body)
	if body.Error.Code != "list_not_found" {
		t.Errorf("unknown list: %+v", body)
	}
}

func TestFormatNumber(t *testing.T) {
	for in, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", 20000: "20,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := formatNumber(in); got != want {
			t.Errorf("formatNumber(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestMonthlyChartGeometry(t *testing.T) {
	rows := make([]chartRow, 24)
	for i := range rows {
		rows[i] = chartRow{Label: "m", Value: i}
	}
	c := monthlyChart("x", "测试", "penalty", rows)
	if len(c.Bars) != 24 {
		t.Fatalf("bars: %d", len(c.Bars))
	}
	for _, b := range c.Bars {
		if b.X < 0 || b.X+b.W > float64(c.Width) || b.Y < 0 || b.Y+b.H > float64(c.Height) {
			t.Errorf("bar outside the picture: %+v", b)
		}
	}
	if c.Bars[0].H != 0 || c.Bars[23].H <= c.Bars[22].H {
		t.Errorf("bar heights do not follow the values: %+v %+v %+v", c.Bars[0], c.Bars[22], c.Bars[23])
	}
	empty := monthlyChart("y", "空", "penalty", make([]chartRow, 24))
	if empty.Desc == "" || empty.Bars[5].H != 0 {
		t.Errorf("empty chart: %+v", empty)
	}
}
