package portal

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gongshi/gongshi/portal/store"
)

// TestBrowserTipoff: in Chromium, a citizen reports dishonest conduct about a penalty record
// without an account, with a photo; the reviewer of the record's authority finds it in the back
// office, accepts and closes it; the citizen follows it with the check code, and the entity
// page never shows anything about it.
func TestBrowserTipoff(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	s, ts := testServer(t)
	if _, err := s.sqlStore().CreateUser(context.Background(), "lin", store.RoleReviewer, "厦门市市场监督管理局", "correct horse battery", "test"); err != nil {
		t.Fatal(err)
	}
	penalty := recordOf(t, ts.URL, antai, "penalty")
	entityBefore := getBody(t, ts.URL+"/api/v1/entities/"+antai)
	b := openTab(t, startBrowser(t), 30*time.Second)
	photo := filepath.Join(t.TempDir(), "现场照片.png")
	os.WriteFile(photo, pngBytes, 0o644)

	b.do(chromedp.Navigate(ts.URL+"/tipoffs/new?record="+url.QueryEscape(penalty)), chromedp.WaitVisible(chromedp.CSS("#tipoff-subject")))
	if got := b.attr("#entity", "value"); got != antai {
		t.Errorf("entity not prefilled: %q", got)
	}
	b.do(
		chromedp.Click(chromedp.CSS(`input[name=kind][value=dishonest]`)),
		chromedp.SendKeys(chromedp.CSS("#content"), "该企业在处罚后仍在销售同一批不合格产品，附现场照片。"),
		chromedp.SendKeys(chromedp.CSS("#reporter_email"), "zhoumin@example.com"),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{photo}),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
	)
	b.do(chromedp.WaitVisible(chromedp.CSS("#h-filed")))
	codes, err := chromedp.Run(b.run, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".notice .code")).map(e => e.textContent)`))
	if err != nil || len(codes) != 2 || !strings.HasPrefix(codes[0], "JB-") {
		t.Fatalf("filed: %v %v", codes, err)
	}

	b.do(chromedp.Navigate(ts.URL+"/admin/login"), chromedp.WaitVisible(chromedp.CSS("#name")))
	b.do(chromedp.SendKeys(chromedp.CSS("#name"), "lin"), chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Submit(chromedp.CSS("#password")))
	b.waitLocation(func(loc string) bool { return strings.HasSuffix(loc, "/admin/") })
	b.do(chromedp.Click(chromedp.CSS(`a[href="/admin/tipoffs"]`)), chromedp.WaitVisible(chromedp.CSS("#h-tipoffs")))
	b.do(chromedp.Click(chromedp.CSS(`a[href="/admin/tipoffs/`+codes[0]+`"]`)), chromedp.WaitVisible(chromedp.CSS("#h-tipoff")))
	if got := b.text("main"); !strings.Contains(got, "同一批不合格产品") || !strings.Contains(got, "zhoumin@example.com") || !strings.Contains(got, "现场照片.png") {
		t.Errorf("the reviewer's page: %q", got)
	}
	events := 1
	step := func(action, outcome, reason string) {
		t.Helper()
		events++
		b.do(chromedp.Navigate(ts.URL+"/admin/tipoffs/"+codes[0]), chromedp.WaitVisible(chromedp.CSS("#reason")))
		b.do(chromedp.Click(chromedp.CSS(`input[name=action][value=` + action + `]`)))
		if outcome != "" {
			b.do(chromedp.SetValue(chromedp.CSS("#outcome"), outcome))
		}
		b.do(chromedp.SendKeys(chromedp.CSS("#reason"), reason), chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
		js := fmt.Sprintf(`document.querySelectorAll("ol.timeline li").length >= %d`, events)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if done, err := chromedp.Run(b.run, chromedp.Evaluate[bool](js)); err == nil && done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the page did not show the step", action)
			}
		}
	}
	step("accept", "", "线索具体，受理核查")
	step("close", "substantiated", "经现场检查属实，已立案调查")

	b.do(chromedp.Navigate(ts.URL+"/tipoffs/"+codes[0]), chromedp.WaitVisible(chromedp.CSS("#check_code")))
	b.do(chromedp.SendKeys(chromedp.CSS("#check_code"), codes[1]), chromedp.Submit(chromedp.CSS("#check_code")))
	b.do(chromedp.WaitVisible(chromedp.CSS("ol.timeline")))
	if got := b.text("main"); !strings.Contains(got, "已办结") || !strings.Contains(got, "属实，已处理") || !strings.Contains(got, "已立案调查") ||
		strings.Contains(got, "zhoumin@example.com") {
		t.Errorf("the reporter's status page: %q", got)
	}
	if getBody(t, ts.URL+"/api/v1/entities/"+antai) != entityBefore {
		t.Error("the tip-off changed the public entity")
	}
}
