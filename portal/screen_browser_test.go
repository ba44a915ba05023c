package portal

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// TestScreenBrowser drives the /screen page in headless Chromium (see browser_test.go): a pasted
// list streamed with progress, a CSV upload, the same upload without script, and a download.
func TestScreenBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	_, base, _ := screenServer(t, RateLimits{Off: true})
	downloads := t.TempDir()
	browserCtx := startBrowser(t)
	if _, err := chromedp.CallBrowser(browserCtx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}

	tab := func(t *testing.T) *browserTab { return openTab(t, browserCtx, 30*time.Second) }
	waitText := func(b *browserTab, css, want string) string {
		b.t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		got := ""
		for time.Now().Before(deadline) {
			if got = b.text(css); strings.Contains(got, want) {
				return got
			}
			time.Sleep(50 * time.Millisecond)
		}
		b.t.Fatalf("%s never showed %q; last %q", css, want, got)
		return ""
	}
	count := func(b *browserTab, css string) int {
		b.t.Helper()
		n, err := chromedp.Run(b.run, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, css)))
		if err != nil {
			b.t.Fatal(err)
		}
		return n
	}
	csvFile := filepath.Join(t.TempDir(), "客户名单.csv")
	if err := os.WriteFile(csvFile, []byte("\ufeff统一社会信用代码,企业名称,客户编号\n"+huawei+",福州华威新材料科技有限公司,K1\n,重庆長江物流有限公司,K2\n91350200776049653B,,K3\n,无此公司,K4\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	badFile := filepath.Join(t.TempDir(), "bad.csv")
	if err := os.WriteFile(badFile, []byte("代码,名称\n"+antai+",厦门\n1,2,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("paste a long list: streamed rows, progress, summary", func(t *testing.T) {
		b := tab(t)
		b.do(chromedp.Navigate(base+"/screen"), chromedp.WaitVisible(chromedp.CSS("#screen-text")))
		if live := b.attr("#screen-live", "aria-live"); live != "polite" {
			t.Errorf("aria-live %q", live)
		}
		var list strings.Builder
		const n = 1200 // more than the page shows
		for i := 0; i < n; i++ {
			switch i % 4 {
			case 0:
				list.WriteString(strings.ToLower(antai))
			case 1:
				list.WriteString("福州华威建材有限公司")
			case 2:
				list.WriteString("91500000MA5UKT77Q5,重庆长江物流有限公司")
			default:
				fmt.Fprintf(&list, "不存在的测试公司%d", i)
			}
			list.WriteByte('\n')
		}
		// Record what the progress display showed while the results streamed in.
		if _, err := chromedp.Run(b.run, chromedp.Evaluate[bool](`window.seen = {bar: 0, text: ""};
			new MutationObserver(() => {
				const p = document.querySelector("#screen-body progress");
				if (p && p.value > window.seen.bar) window.seen.bar = p.value;
				const l = document.querySelector("#screen-live").textContent;
				if (l.includes("已完成")) window.seen.text = l;
			}).observe(document.body, {subtree: true, childList: true, attributes: true, characterData: true}); true`)); err != nil {
			t.Fatal(err)
		}
		b.do(chromedp.SetValue(chromedp.CSS("#screen-text"), list.String()), chromedp.Click(chromedp.CSS("#screen-submit")))
		done := waitText(b, "#screen-live", "筛查完成")
		seen, err := chromedp.Run(b.run, chromedp.Evaluate[struct {
			Bar  int
			Text string
		}](`window.seen`))
		if err != nil || seen.Bar == 0 || !strings.Contains(seen.Text, fmt.Sprintf("/ %d 条", n)) {
			t.Errorf("progress while streaming: %+v %v", seen, err)
		}
		if !strings.Contains(done, fmt.Sprintf("共 %d 条", n)) || !strings.Contains(done, "2026-11-22") {
			t.Errorf("live region: %q", done)
		}
		if loc := b.location(); !strings.HasSuffix(loc, "/screen") {
			t.Errorf("the page navigated: %s", loc)
		}
		if got := count(b, "#screen-body tbody tr"); got != 1000 {
			t.Errorf("%d rows shown", got)
		}
		if got := count(b, "#screen-body progress"); got != 0 {
			t.Error("progress bar left behind")
		}
		if note := b.text("#screen-body .notice-warn"); !strings.Contains(note, "只显示前 1000 条") {
			t.Errorf("truncation note %q", note)
		}
		summary := b.text(".screen-summary")
		if !strings.Contains(summary, "900 已匹配") || !strings.Contains(summary, "300 未找到") || !strings.Contains(summary, "300 严重违法失信名单") {
			t.Errorf("summary %q", summary)
		}
		row := b.text("#screen-body tbody tr:nth-child(3)")
		if !strings.Contains(row, "重庆長江物流有限公司") || !strings.Contains(row, "严重违法失信（2024-05-20 列入）") {
			t.Errorf("row 3: %q", row)
		}
		if row := b.text("#screen-body tbody tr:nth-child(2)"); !strings.Contains(row, "曾用名") {
			t.Errorf("row 2: %q", row)
		}
	})

	t.Run("upload a CSV, as of a past day", func(t *testing.T) {
		b := tab(t)
		b.do(chromedp.Navigate(base+"/screen"), chromedp.WaitVisible(chromedp.CSS("#screen-file")))
		b.do(chromedp.SetUploadFiles(chromedp.CSS("#screen-file"), []string{csvFile}),
			chromedp.SetValue(chromedp.CSS("#screen-as-of"), "2023-08-01"),
			chromedp.Click(chromedp.CSS("#screen-submit")))
		waitText(b, "#screen-live", "筛查完成：共 4 条，信息日期 2023-08-01")
		rows := b.text("#screen-body tbody")
		for _, want := range []string{"经营异常（2023-07-01 列入，2023-10-15 移出）", "代码无效", "正确的校验位应为 A", "未找到"} {
			if !strings.Contains(rows, want) {
				t.Errorf("results lack %q: %q", want, rows)
			}
		}
		// 重庆 was blacklisted in 2024: not on 2023-08-01.
		if strings.Contains(rows, "严重违法失信（") {
			t.Errorf("blacklist before the listing: %q", rows)
		}
		// A file the server refuses: its message is shown, in Chinese, where the results were.
		b.do(chromedp.SetUploadFiles(chromedp.CSS("#screen-file"), []string{badFile}), chromedp.Click(chromedp.CSS("#screen-submit")))
		waitText(b, "#screen-body .notice-error", "第 3 行格式有误")
		if got := count(b, "#screen-body tbody tr"); got != 0 {
			t.Errorf("%d rows after an error", got)
		}
	})

	t.Run("without script the server renders the results", func(t *testing.T) {
		b := tab(t)
		b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
		b.do(chromedp.Navigate(base+"/screen"), chromedp.WaitVisible(chromedp.CSS("#screen-file")))
		b.do(chromedp.SetUploadFiles(chromedp.CSS("#screen-file"), []string{csvFile}), chromedp.Click(chromedp.CSS("#screen-submit")))
		b.do(chromedp.WaitVisible(chromedp.CSS(".screen-summary")))
		if got := b.text("#screen-live"); !strings.Contains(got, "筛查完成：共 4 条") {
			t.Errorf("live text %q", got)
		}
		if got := count(b, ".screen-table tbody tr"); got != 4 {
			t.Errorf("%d rows", got)
		}
		// The download form carries the uploaded list, with its own columns.
		list, err := chromedp.Run(b.run, chromedp.Evaluate[string](`document.querySelector(".screen-download textarea[name=text]").value`))
		if err != nil || !strings.Contains(list, "客户编号") || !strings.Contains(list, "K4") {
			t.Errorf("download list %q %v", list, err)
		}
	})

	t.Run("download the results as CSV", func(t *testing.T) {
		b := tab(t)
		b.do(chromedp.Navigate(base+"/screen"), chromedp.WaitVisible(chromedp.CSS("#screen-file")))
		b.do(chromedp.SetUploadFiles(chromedp.CSS("#screen-file"), []string{csvFile}),
			chromedp.Click(chromedp.CSS(`#screen-form button[value="csv"]`)))
		// The browser may show the file under its name before its bytes are in: wait until it
		// has some and they stopped changing.
		var got, prev []byte
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) && (len(got) == 0 || !bytes.Equal(got, prev)) {
			prev = got
			got = nil
			files, _ := filepath.Glob(filepath.Join(downloads, "*.csv"))
			for _, f := range files {
				got, _ = os.ReadFile(f)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(got) == 0 {
			entries, _ := os.ReadDir(downloads)
			t.Fatalf("no CSV downloaded: %v", entries)
		}
		rows := readCSV(t, got)
		if len(rows) != 5 || rows[1][column(t, rows[0], "客户编号")] != "K1" || rows[4][column(t, rows[0], "筛查结果")] != "未找到" {
			t.Errorf("downloaded rows %q", rows)
		}
		if !bytes.HasPrefix(got, []byte("\ufeff")) {
			t.Error("no BOM")
		}
		// The page stayed where it was.
		if loc := b.location(); !strings.HasSuffix(loc, "/screen") {
			t.Errorf("location %s", loc)
		}
	})
}
