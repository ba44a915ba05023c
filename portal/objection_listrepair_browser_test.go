package portal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gongshi/gongshi/portal/store"
)

// TestBrowserListRepair: in Chromium, a company applies to have its abnormal-operation listing
// repaired from its entity page, with the list's conditions on the form; a reviewer of the
// listing authority accepts and grants it in the back office; the entity page then shows the
// entry removed by credit repair.
func TestBrowserListRepair(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	s, ts := testServer(t)
	if _, err := s.sqlStore().CreateUser(context.Background(), "chen", store.RoleReviewer, "厦门市市场监督管理局", "correct horse battery", "test"); err != nil {
		t.Fatal(err)
	}
	b := openTab(t, startBrowser(t), 30*time.Second)
	pdf := filepath.Join(t.TempDir(), "变更登记通知书.pdf")
	os.WriteFile(pdf, pdfBytes, 0o644)

	b.do(chromedp.Navigate(ts.URL+"/entities/"+antai), chromedp.WaitVisible(chromedp.CSS("#records-abnormal")))
	b.do(chromedp.Click(chromedp.CSS(`#records-abnormal a[href^="/objections/new"]`)))
	b.do(chromedp.WaitVisible(chromedp.CSS("#repair-conditions")))
	if got := b.text("#repair-conditions"); !strings.Contains(got, "申请移出经营异常名录") || !strings.Contains(got, "住所或者经营场所变更登记") {
		t.Errorf("conditions on the form: %q", got)
	}
	b.do(
		chromedp.Click(chromedp.CSS(`input[name=kind][value=repair]`)),
		chromedp.SendKeys(chromedp.CSS("#contact_person"), "林华"),
		chromedp.SendKeys(chromedp.CSS("#contact_phone"), "13900000000"),
		chromedp.SendKeys(chromedp.CSS("#statement"), "已办理住所变更登记，新住所可以取得联系。"),
		chromedp.Click(chromedp.CSS("#commitment")),
		chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{pdf}),
		chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
	)
	b.do(chromedp.WaitVisible(chromedp.CSS("#h-filed")))
	codes, err := chromedp.Run(b.run, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".notice .code")).map(e => e.textContent)`))
	if err != nil || len(codes) != 2 || !strings.HasPrefix(codes[0], "XF-") {
		t.Fatalf("filed: %v %v", codes, err)
	}
	tracking := codes[0]

	// The reviewer's back office.
	b.do(chromedp.Navigate(ts.URL+"/admin/login"), chromedp.WaitVisible(chromedp.CSS("#name")))
	b.do(chromedp.SendKeys(chromedp.CSS("#name"), "chen"), chromedp.SendKeys(chromedp.CSS("#password"), "correct horse battery"),
		chromedp.Submit(chromedp.CSS("#password")))
	b.waitLocation(func(loc string) bool { return strings.HasSuffix(loc, "/admin/") })
	events := 1 // the filing
	step := func(action, outcome, reason string) {
		t.Helper()
		events++
		b.do(chromedp.Navigate(ts.URL+"/admin/objections/"+tracking), chromedp.WaitVisible(chromedp.CSS("#reason")))
		b.do(chromedp.Click(chromedp.CSS(`input[name=action][value=` + action + `]`)))
		if outcome != "" {
			b.do(chromedp.SetValue(chromedp.CSS("#outcome"), outcome))
		}
		b.do(chromedp.SendKeys(chromedp.CSS("#reason"), reason), chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)))
		// The answer is the case page again, with the step in its history.
		js := fmt.Sprintf(`document.querySelectorAll("ol.timeline li").length >= %d`, events)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if done, err := chromedp.Run(b.run, chromedp.Evaluate[bool](js)); err == nil && done {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: the case page did not show the step", action)
			}
		}
	}
	step("accept", "", "材料齐全")
	step("close", "repaired", "已办理住所变更登记，可以取得联系")
	if got := b.text("main"); !strings.Contains(got, "已办结") || !strings.Contains(got, "准予修复") {
		t.Errorf("case after closing: %q", got)
	}

	b.do(chromedp.Navigate(ts.URL+"/entities/"+antai), chromedp.WaitVisible(chromedp.CSS("#records-abnormal")))
	if got := b.text("#records-abnormal .correction-note"); got != "已信用修复，于 2026-11-22 移出" {
		t.Errorf("entity page note: %q", got)
	}
}
