package portal

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/portal/store"
)

func TestBackOfficePages(t *testing.T) {
	s, ts := testServer(t)
	ctx := context.Background()
	penalty := recordOf(t, ts.URL, huawei, "penalty")
	res, body := postForm(t, ts.URL+"/api/v1/objections", validFiling(penalty), nil, nil)
	if res.StatusCode != 201 {
		t.Fatalf("file: %s", body)
	}
	tracking := string(body[strings.Index(string(body), "YY-") : strings.Index(string(body), "YY-")+16])
	st := s.sqlStore()
	st.CreateUser(ctx, "li", store.RoleReviewer, "福州市鼓楼区市场监督管理局", "correct horse battery", "test")
	st.CreateUser(ctx, "wang", store.RoleReviewer, "厦门市市场监督管理局", "correct horse battery", "test")

	client := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar}
	}
	login := func(c *http.Client, name, pw string) int {
		r, err := c.PostForm(ts.URL+"/admin/login", url.Values{"name": {name}, "password": {pw}})
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
		return r.StatusCode
	}
	get := func(c *http.Client, path string) (int, string) {
		r, err := c.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		return r.StatusCode, string(b)
	}

	anon := client()
	if code, page := get(anon, "/admin/"); code != 200 || !strings.Contains(page, "审核人员登录") {
		t.Errorf("not logged in: %d, want the login page", code)
	}
	if code := login(anon, "li", "wrong password!!"); code != 401 {
		t.Errorf("wrong password: %d", code)
	}

	li := client()
	if code := login(li, "li", "correct horse battery"); code != 200 {
		t.Fatalf("login: %d", code)
	}
	code, page := get(li, "/admin/")
	if code != 200 || !strings.Contains(page, tracking) || !strings.Contains(page, "福州华威新材料科技有限公司") {
		t.Fatalf("queue: %d %.500s", code, page)
	}
	code, page = get(li, "/admin/objections/"+tracking)
	if code != 200 || !strings.Contains(page, "13800000000") || !strings.Contains(page, "受理") {
		t.Errorf("case page: %d", code)
	}
	post := func(c *http.Client, form url.Values) (int, string) {
		r, err := c.PostForm(ts.URL+"/admin/objections/"+tracking, form)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		return r.StatusCode, string(b)
	}
	if code, page := post(li, url.Values{"action": {"accept"}}); code != 409 || !strings.Contains(page, "理由") {
		t.Errorf("accept without a reason: %d", code)
	}
	if code, page := post(li, url.Values{"action": {"accept"}, "reason": {"材料齐全"}}); code != 200 || !strings.Contains(page, "已受理") {
		t.Errorf("accept: %d", code)
	}
	if code, _ := post(li, url.Values{"action": {"close"}, "reason": {"改正"}, "outcome": {"corrected"}, "fields": {"no_such_field=1"}}); code != 409 {
		t.Errorf("correcting an unknown field: %d", code)
	}

	// A reviewer of another authority does not see the case at all.
	wang := client()
	login(wang, "wang", "correct horse battery")
	if code, page := get(wang, "/admin/"); code != 200 || strings.Contains(page, tracking) {
		t.Errorf("other authority's queue shows the case")
	}
	if code, _ := get(wang, "/admin/objections/"+tracking); code != 404 {
		t.Errorf("other authority's case page: %d", code)
	}
	// A forged session cookie gets the login page.
	forged := client()
	u, _ := url.Parse(ts.URL + "/admin/")
	forged.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: "forged", Path: "/admin"}})
	if _, page := get(forged, "/admin/"); !strings.Contains(page, "审核人员登录") {
		t.Error("forged session accepted")
	}
	if _, page := get(anon, "/stats"); !strings.Contains(page, "异议与信用修复办理情况") || !strings.Contains(page, "件办理中") ||
		!strings.Contains(page, "信用报告出具情况") {
		t.Error("statistics page lacks the objection numbers")
	}
	if n, err := st.VerifyAudit(ctx); err != nil || n < 6 {
		t.Errorf("audit %d %v", n, err)
	}
}
