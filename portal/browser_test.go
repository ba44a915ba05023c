package portal

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The browser tests drive a real headless Chromium through the pages, with the real
// Content-Security-Policy, and fail (not skip) when Chromium is missing, unless -short.

// chromiumPath finds the browser: $GONGSHI_CHROMIUM, then Debian's chromium.
func chromiumPath() string {
	if p := os.Getenv("GONGSHI_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browserTab is one tab of the shared browser, with the page's console collected.
type browserTab struct {
	t   *testing.T
	ctx context.Context // the tab, without a deadline: for the failure screenshot
	run context.Context // the tab with the test's deadline: for the steps

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser tests skipped with -short")
	}
	start := time.Now()
	_, ts := testServer(t)
	// One browser for the whole file; each test gets a fresh tab.
	browserCtx := startBrowser(t)
	t.Logf("Chromium started in %v", time.Since(start).Round(time.Millisecond))

	tab := func(t *testing.T) *browserTab { return openTab(t, browserCtx, 20*time.Second) }

	t.Run("autocomplete then search", func(t *testing.T) {
		b := tab(t)
		b.do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#q")))
		b.do(chromedp.SendKeys(chromedp.CSS("#q"), "华威"))
		b.do(chromedp.WaitVisible(chromedp.CSS("#q-listbox li[role=option]")))
		if got := b.text("#q-listbox"); !strings.Contains(got, "福州华威新材料科技有限公司") {
			t.Errorf("suggestions: %q", got)
		}
		if v := b.attr("#q", "aria-expanded"); v != "true" {
			t.Errorf("aria-expanded = %q", v)
		}
		// Enter with no option chosen submits the form.
		b.do(chromedp.KeyEvent(kb.Enter))
		b.do(chromedp.WaitVisible(chromedp.CSS("ul.results")))
		if loc := b.location(); !strings.Contains(loc, "/search?q="+url.QueryEscape("华威")) {
			t.Errorf("location %s", loc)
		}
		if got := b.text("ul.results"); !strings.Contains(got, "福州华威新材料科技有限公司") {
			t.Errorf("results: %q", got)
		}
		if got := b.text("ul.results mark"); got != "华威" {
			t.Errorf("highlight: %q", got)
		}
	})

	t.Run("IME composition is not sent", func(t *testing.T) {
		b := tab(t)
		b.do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#q")), chromedp.Focus(chromedp.CSS("#q")))
		// While 拼音 is being composed the box holds "xiamen", which alone would match.
		b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.ImeSetComposition, input.ImeSetCompositionParams{Text: "xiamen", SelectionStart: 6, SelectionEnd: 6})
			return err
		}), chromedp.Sleep(500*time.Millisecond))
		if v := b.attr("#q", "aria-expanded"); v == "true" {
			t.Error("suggestions shown during IME composition")
		}
		b.do(chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, input.InsertText, input.InsertTextParams{Text: "厦门"})
			return err
		}))
		b.do(chromedp.WaitVisible(chromedp.CSS("#q-listbox li[role=option]")))
		if got := b.text("#q-listbox"); !strings.Contains(got, "厦门") {
			t.Errorf("suggestions after composition: %q", got)
		}
	})

	t.Run("open a company from the results", func(t *testing.T) {
		b := tab(t)
		b.do(chromedp.Navigate(ts.URL+"/search?q="+url.QueryEscape("华威")), chromedp.WaitVisible(chromedp.CSS("ul.results a")))
		b.do(chromedp.Click(chromedp.CSS("ul.results a")))
		b.do(chromedp.WaitVisible(chromedp.CSS("#records-penalties")))
		if loc := b.location(); !strings.HasSuffix(loc, "/entities/"+huawei) {
			t.Errorf("location %s", loc)
		}
		if h1 := b.text("h1"); h1 != "福州华威新材料科技有限公司" {
			t.Errorf("h1 %q", h1)
		}
		penalties := b.text("#records-penalties")
		for _, want := range []string{"行政处罚", "公示截止期", "2028-05-31", "信息有误？提出异议"} {
			if !strings.Contains(penalties, want) {
				t.Errorf("penalties section lacks %q: %q", want, penalties)
			}
		}
		if abnormal := b.text("#records-abnormal"); !strings.Contains(abnormal, "移出") || !strings.Contains(abnormal, "公示截止期") {
			t.Errorf("abnormal section: %q", abnormal)
		}
		n, err := chromedp.Run(b.run, chromedp.Evaluate[int](`document.querySelectorAll("article.record[id]").length`))
		if err != nil || n != 3 {
			t.Errorf("records on the page: %d, %v", n, err)
		}
	})

	t.Run("blacklist download link", func(t *testing.T) {
		b := tab(t)
		b.do(chromedp.Navigate(ts.URL+"/lists/blacklist"), chromedp.WaitVisible(chromedp.CSS("table.records")))
		if got := b.text("table.records"); !strings.Contains(got, "91500000MA5UKT77Q5") {
			t.Errorf("blacklist table: %q", got)
		}
		href, err := chromedp.Run(b.run, chromedp.Evaluate[string](
			`[...document.querySelectorAll("a")].find(a => a.textContent.includes("下载完整名单")).getAttribute("href")`))
		if err != nil || href != "/data/blacklist/latest/" {
			t.Fatalf("download link href %q, %v", href, err)
		}
		b.do(chromedp.Click(chromedp.CSS(`a[href="/data/blacklist/latest/"]`)))
		b.waitLocation(func(loc string) bool { return strings.HasSuffix(loc, "/data/blacklist/latest/") })
	})

	t.Run("keyboard only", func(t *testing.T) {
		b := tab(t)
		b.do(chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#q")))
		// Tab reaches the skip link first; Enter jumps to the content; Tab reaches the box.
		b.do(chromedp.KeyEvent(kb.Tab))
		if got := b.active(); got != "A.skip-link" {
			t.Fatalf("first Tab focuses %q, want the skip link", got)
		}
		b.do(chromedp.KeyEvent(kb.Enter), chromedp.Sleep(100*time.Millisecond), chromedp.KeyEvent(kb.Tab))
		if got := b.active(); got != "INPUT#q" {
			t.Fatalf("Tab after the skip link focuses %q, want the search box", got)
		}
		b.do(chromedp.KeyEvent("厦门"))
		b.do(chromedp.WaitVisible(chromedp.CSS("#q-listbox li[role=option]")))
		b.do(chromedp.KeyEvent(kb.ArrowDown))
		first := b.text("#q-listbox li[aria-selected=true]")
		if first == "" {
			t.Fatal("ArrowDown selected no option")
		}
		if id := b.attr("#q", "aria-activedescendant"); id != "q-listbox-0" {
			t.Errorf("aria-activedescendant %q", id)
		}
		name := strings.TrimSpace(regexp.MustCompile(`9[0-9A-Z]{17}`).ReplaceAllString(first, ""))
		b.do(chromedp.KeyEvent(kb.Enter))
		b.waitLocation(func(loc string) bool { return strings.Contains(loc, "/entities/") })
		b.do(chromedp.WaitVisible(chromedp.CSS("h1")))
		if h1 := b.text("h1"); h1 != name {
			t.Errorf("opened %q, chose %q", h1, name)
		}
		// Escape closes the list on the next page's header box.
		b.do(chromedp.Focus(chromedp.CSS("#header-q")), chromedp.KeyEvent("厦门"))
		b.do(chromedp.WaitVisible(chromedp.CSS("#header-q-listbox li[role=option]")), chromedp.KeyEvent(kb.Escape))
		if v := b.attr("#header-q", "aria-expanded"); v != "false" {
			t.Errorf("Escape left the list open: aria-expanded=%q", v)
		}
	})

	t.Logf("browser tests took %v", time.Since(start).Round(time.Millisecond))

	t.Run("file an objection from the entity page and follow it", func(t *testing.T) {
		b := tab(t)
		pdf := filepath.Join(t.TempDir(), "复议决定书.pdf")
		os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o644)
		b.do(chromedp.Navigate(ts.URL+"/entities/"+huawei), chromedp.WaitVisible(chromedp.CSS("#records-penalties")))
		b.do(chromedp.Click(chromedp.CSS(`#records-penalties a[href^="/objections/new"]`)))
		b.do(chromedp.WaitVisible(chromedp.CSS("#statement")))
		if got := b.attr("#applicant_code", "value"); got != huawei {
			t.Errorf("applicant code not prefilled: %q", got)
		}
		b.do(
			chromedp.SendKeys(chromedp.CSS("#contact_person"), "陈明"),
			chromedp.SendKeys(chromedp.CSS("#contact_phone"), "13800000000"),
			chromedp.SendKeys(chromedp.CSS("#statement"), "该处罚已被复议撤销。"),
			chromedp.SetUploadFiles(chromedp.CSS("#files"), []string{pdf}),
			chromedp.Click(chromedp.CSS(`form.form button[type=submit]`)),
		)
		b.do(chromedp.WaitVisible(chromedp.CSS("#h-filed")))
		codes, err := chromedp.Run(b.run, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".notice .code")).map(e => e.textContent)`))
		if err != nil {
			t.Fatal(err)
		}
		if len(codes) != 2 {
			t.Fatalf("tracking number and check code not shown: %v", codes)
		}
		b.do(chromedp.Click(chromedp.CSS(`a.button`)), chromedp.WaitVisible(chromedp.CSS("#check_code")))
		b.do(chromedp.SendKeys(chromedp.CSS("#check_code"), codes[1]), chromedp.Submit(chromedp.CSS("#check_code")))
		b.do(chromedp.WaitVisible(chromedp.CSS("ol.timeline")))
		if got := b.text("main"); !strings.Contains(got, "已提交") || !strings.Contains(got, "复议决定书.pdf") || strings.Contains(got, "13800000000") ||
			!strings.Contains(got, "受理后才会标注") {
			t.Errorf("status page: %q", got)
		}
		// Filing alone marks nothing public: only a reviewer's acceptance does.
		b.do(chromedp.Navigate(ts.URL+"/entities/"+huawei), chromedp.WaitVisible(chromedp.CSS("main")))
		marks, err := chromedp.Run(b.run, chromedp.Evaluate[int](`document.querySelectorAll(".objection-mark").length`))
		if err != nil || marks != 0 {
			t.Errorf("entity page right after filing: %d objection marks (%v), want none", marks, err)
		}
	})
}

func (b *browserTab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.run, steps...); err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.location())
	}
}

func (b *browserTab) text(css string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.run, chromedp.Text(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return strings.TrimSpace(s)
}

func (b *browserTab) attr(css, name string) string {
	b.t.Helper()
	r, err := chromedp.Run(b.run, chromedp.AttributeValue(chromedp.CSS(css), name))
	if err != nil {
		b.t.Fatalf("attribute %s of %s: %v", name, css, err)
	}
	return r.Value
}

func (b *browserTab) location() string {
	ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
	defer cancel()
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	return loc
}

// active names the focused element as TAG#id or TAG.class.
func (b *browserTab) active() string {
	b.t.Helper()
	s, err := chromedp.Run(b.run, chromedp.Evaluate[string](
		`(e => e.tagName + (e.id ? "#" + e.id : e.className ? "." + e.className : ""))(document.activeElement)`))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

func (b *browserTab) waitLocation(ok func(string) bool) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if ok(b.location()) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("page did not navigate; at %s", b.location())
}

// checkConsole fails the test on script errors and on anything the Content-Security-Policy
// blocked. Failed loads (such as a link target that does not exist yet) are not errors here.
func (b *browserTab) checkConsole() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, m := range b.console {
		if m.IsException() || m.Source == "security" || strings.Contains(m.Text, "Content Security Policy") ||
			(m.Type == chromedp.ConsoleError && m.Source == "") {
			b.t.Errorf("browser console: %s %s (%s:%d)", m.Type, m.Text, m.URL, m.Line+1)
		}
	}
}

// screenshot saves the tab as it is, for a failing test, and logs where.
func (b *browserTab) screenshot() {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			b.t.Logf("no screenshot: %v", err)
		}
		return
	}
	dir := os.Getenv("GONGSHI_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "gongshi-browser-test")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Logf("no screenshot: %v", err)
		return
	}
	name := regexp.MustCompile(`[^A-Za-z0-9_-]+`).ReplaceAllString(b.t.Name(), "_") + ".png"
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Logf("no screenshot: %v", err)
		return
	}
	b.t.Logf("screenshot of the failing page: %s", p)
}

// openTab opens a fresh tab in a running browser. Console messages are collected and checked
// when the test ends; a failing test leaves a screenshot.
func openTab(t *testing.T, browserCtx context.Context, timeout time.Duration) *browserTab {
	ctx, cancel := chromedp.NewContext(browserCtx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	run, cancelRun := context.WithTimeout(ctx, timeout)
	t.Cleanup(cancelRun)
	b := &browserTab{t: t, ctx: ctx, run: run}
	messages := chromedp.Console(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			b.screenshot()
		}
		b.checkConsole()
		cancel()
		wg.Wait()
	})
	return b
}

// startBrowser starts headless Chromium with the flags this machine needs (no background
// networking: its connections are refused here) and a fresh profile; it stops with the test.
// A missing Chromium fails the test.
func startBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := chromiumPath()
	if bin == "" {
		t.Fatal("Chromium not found: install it (apt-get install -y chromium) or set GONGSHI_CHROMIUM; use -short to skip browser tests")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("start Chromium (%s): %v", bin, err)
	}
	return browserCtx
}
