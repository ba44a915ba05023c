package portal

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/devtools/redistemp"
	"github.com/gongshi/gongshi/portal/store"
)

// stepClock is a clock a test moves by hand.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// lockoutServer serves the fixture behind a trusted proxy at 127.0.0.1: requests from that
// peer are counted under their X-Forwarded-For, requests from any other peer under the peer.
// The route's own "login" budget is wide, so that only the failure counters are tested.
func lockoutServer(t *testing.T) (*Server, string, *stepClock) {
	t.Helper()
	clock := &stepClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime)}
	s, base := lockoutReplica(t, fixtureData(t), "", clock)
	if _, err := s.sqlStore().CreateUser(context.Background(), "li", store.RoleReviewer, "", "correct horse battery", "test"); err != nil {
		t.Fatal(err)
	}
	return s, base, clock
}

// lockoutReplica is one replica of lockoutServer on a data folder, sharing counters through
// Redis when redisURL is not empty.
func lockoutReplica(t *testing.T, dd index.DataDir, redisURL string, clock *stepClock) (*Server, string) {
	t.Helper()
	s := loadedServer(t, Config{Data: dd, Now: clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		TrustedProxies: []string{"127.0.0.1/32"}, RateLimits: RateLimits{Login: "1000-M", RedisURL: redisURL}})
	ts := serveHTTP(t, s)
	return s, ts.URL
}

type loginAnswer struct {
	status int
	retry  string // Retry-After
	to     string // Location
	cookie string // the session cookie's value
	body   string
}

// tryLogin posts the login form from peer, with X-Forwarded-For when forwardedFor is not empty.
func tryLogin(t *testing.T, base, peer, forwardedFor, name, password string) loginAnswer {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/admin/login", strings.NewReader(url.Values{"name": {name}, "password": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if forwardedFor != "" {
		req.Header.Set("X-Forwarded-For", forwardedFor)
	}
	c := clientFrom(peer)
	c.CheckRedirect = noRedirect.CheckRedirect
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	a := loginAnswer{status: res.StatusCode, retry: res.Header.Get("Retry-After"), to: res.Header.Get("Location"), body: string(b)}
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie {
			a.cookie = ck.Value
		}
	}
	if a.status == http.StatusTooManyRequests && a.retry == "" {
		t.Errorf("429 without Retry-After")
	}
	return a
}

// queuePage returns the back-office queue seen with a session.
func queuePage(t *testing.T, base, session string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/admin/", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("queue with a session: %d", res.StatusCode)
	}
	return string(b)
}

// throttledEntries returns the login.throttled audit entries.
func throttledEntries(t *testing.T, s *Server) []store.AuditEntry {
	t.Helper()
	all, err := s.sqlStore().AuditLog(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range all {
		if e.Action == "login.throttled" {
			out = append(out, e)
		}
	}
	return out
}

// TestLoginFailuresElsewhereDoNotLockTheOwnerOut: wrong passwords for an account from many
// addresses do not refuse its owner's right password from another address.
func TestLoginFailuresElsewhereDoNotLockTheOwnerOut(t *testing.T) {
	s, base, _ := lockoutServer(t)
	for i := 1; i <= 12; i++ {
		if a := tryLogin(t, base, "127.0.0.1", fmt.Sprintf("203.0.113.%d", i), "li", fmt.Sprintf("guess %d", i)); a.status != 401 {
			t.Errorf("wrong password %d from its own address: %d, want 401", i, a.status)
		}
	}
	a := tryLogin(t, base, "127.0.0.1", "203.0.113.13", "li", "correct horse battery")
	if a.status != http.StatusSeeOther || a.to != "/admin/" || a.cookie == "" {
		t.Fatalf("right password from a 13th address: %d to %q, cookie %q, want 303 to /admin/ with a session: %.300s", a.status, a.to, a.cookie, a.body)
	}
	if q := queuePage(t, base, a.cookie); !strings.Contains(q, "自您上次登录以来，您的账户有 12 次登录失败") {
		t.Errorf("the owner is not told of the twelve failures: %.2000s", q)
	}
	if e := throttledEntries(t, s); len(e) != 0 {
		t.Errorf("one failure per address throttled something: %+v", e)
	}
}

// TestLoginBruteForceFromOneAddressBacksOff: after five failures from one address the waits
// double from 1 s up to 15 min, the right password is refused while waiting (so the wait
// reveals nothing), each wait is audited, and the owner gets in once it has passed.
func TestLoginBruteForceFromOneAddressBacksOff(t *testing.T) {
	s, base, clock := lockoutServer(t)
	const from = "198.51.100.7"
	for i := 1; i <= 5; i++ {
		if a := tryLogin(t, base, "127.0.0.1", from, "li", fmt.Sprintf("guess %d", i)); a.status != 401 {
			t.Fatalf("wrong password %d: %d, want 401", i, a.status)
		}
	}
	var waits []int
	for i := 0; i < 13; i++ {
		a := tryLogin(t, base, "127.0.0.1", from, "li", "correct horse battery")
		if a.status != http.StatusTooManyRequests {
			t.Fatalf("right password while throttled (wait %d): %d, want 429", i, a.status)
		}
		wait, err := strconv.Atoi(a.retry)
		if err != nil {
			t.Fatalf("Retry-After %q", a.retry)
		}
		waits = append(waits, wait)
		clock.Advance(time.Duration(wait) * time.Second)
		if a := tryLogin(t, base, "127.0.0.1", from, "li", fmt.Sprintf("guess after wait %d", i)); a.status != 401 {
			t.Fatalf("wrong password after waiting %d s: %d, want 401", wait, a.status)
		}
	}
	want := []int{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("Retry-After sequence %v, want %v", waits, want)
	}
	// Another address is unaffected, and the owner is told; so, once the wait has passed, is
	// this address.
	a := tryLogin(t, base, "127.0.0.1", "198.51.100.8", "li", "correct horse battery")
	if a.status != http.StatusSeeOther {
		t.Fatalf("right password from another address: %d, want 303", a.status)
	}
	if q := queuePage(t, base, a.cookie); !strings.Contains(q, "来自 "+from+"（触发登录限流）") {
		t.Errorf("the owner is not told of the guessing: %.2000s", q)
	}
	clock.Advance(15 * time.Minute)
	if a := tryLogin(t, base, "127.0.0.1", from, "li", "correct horse battery"); a.status != http.StatusSeeOther {
		t.Errorf("right password after the wait: %d, want 303", a.status)
	}
	entries := throttledEntries(t, s)
	if len(entries) != 14 {
		t.Errorf("%d login.throttled entries, want 14 (one per wait)", len(entries))
	}
	for _, e := range entries {
		if e.Subject != "li" || e.IP != from || !strings.Contains(e.Detail, "scope=account+address") {
			t.Errorf("throttle entry %+v, want account li from %s", e, from)
		}
	}
	if _, err := s.sqlStore().VerifyAudit(context.Background()); err != nil {
		t.Error(err)
	}
}

// TestLoginThrottleSprayAndSpoofing: one address trying many accounts is stopped by its own
// count, and a forged X-Forwarded-For from a peer that is not a trusted proxy changes nothing.
func TestLoginThrottleSprayAndSpoofing(t *testing.T) {
	s, base, _ := lockoutServer(t)
	// Twenty accounts, one guess each, from one address: the twenty-first attempt waits, even
	// for a new account and with a right password.
	for i := 1; i <= 20; i++ {
		if a := tryLogin(t, base, "127.0.0.1", "192.0.2.50", fmt.Sprintf("user%d", i), "guess"); a.status != 401 {
			t.Fatalf("spray %d: %d, want 401", i, a.status)
		}
	}
	if a := tryLogin(t, base, "127.0.0.1", "192.0.2.50", "li", "correct horse battery"); a.status != http.StatusTooManyRequests || a.retry != "1" {
		t.Errorf("after spraying twenty accounts: %d Retry-After %q, want 429 after 1 s", a.status, a.retry)
	}
	// An untrusted peer rotating X-Forwarded-For is counted as itself.
	for i := 1; i <= 5; i++ {
		if a := tryLogin(t, base, "127.0.0.2", fmt.Sprintf("10.9.0.%d", i), "li", "guess"); a.status != 401 {
			t.Fatalf("spoofed guess %d: %d, want 401", i, a.status)
		}
	}
	if a := tryLogin(t, base, "127.0.0.2", "10.9.0.99", "li", "correct horse battery"); a.status != http.StatusTooManyRequests {
		t.Errorf("sixth attempt with a fresh forged X-Forwarded-For: %d, want 429", a.status)
	}
	// An admin sees the throttles of every account, with the addresses.
	if _, err := s.sqlStore().CreateUser(context.Background(), "wang", store.RoleAdmin, "", "correct horse battery", "test"); err != nil {
		t.Fatal(err)
	}
	a := tryLogin(t, base, "127.0.0.1", "198.51.100.99", "wang", "correct horse battery")
	if a.status != http.StatusSeeOther {
		t.Fatalf("admin login: %d", a.status)
	}
	if q := queuePage(t, base, a.cookie); !strings.Contains(q, "账户 user20 · 来自 192.0.2.50") || !strings.Contains(q, "账户 li · 来自 127.0.0.2") {
		t.Errorf("the admin does not see the throttles: %.3000s", q)
	}
	found := false
	for _, e := range throttledEntries(t, s) {
		found = found || e.IP == "127.0.0.2" && e.Subject == "li"
		if strings.HasPrefix(e.IP, "10.9.") {
			t.Errorf("forged address in the audit log: %+v", e)
		}
	}
	if !found {
		t.Error("the spoofing peer's throttle is not audited under its own address")
	}
}

// TestLoginThrottleSharedThroughRedis: replicas share the counters through Redis, and count
// in process while it is down, so neither an outage nor a second replica resets the waits.
func TestLoginThrottleSharedThroughRedis(t *testing.T) {
	redistemp.SkipIfShort(t)
	rs, err := redistemp.Start(context.Background())
	if err != nil {
		t.Fatal(err) // CI installs redis-server: a missing service fails the run
	}
	defer rs.Stop()
	clock := &stepClock{t: time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime)}
	dd := fixtureData(t)
	a, baseA := lockoutReplica(t, dd, rs.URL, clock)
	_, baseB := lockoutReplica(t, dd, rs.URL, clock)
	if _, err := a.sqlStore().CreateUser(context.Background(), "li", store.RoleReviewer, "", "correct horse battery", "test"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 5; i++ {
		if r := tryLogin(t, baseA, "127.0.0.1", "198.51.100.20", "li", "guess"); r.status != 401 {
			t.Fatalf("guess %d on replica A: %d", i, r.status)
		}
	}
	if r := tryLogin(t, baseB, "127.0.0.1", "198.51.100.20", "li", "correct horse battery"); r.status != 429 || r.retry != "1" {
		t.Errorf("replica B after five failures on A: %d Retry-After %q, want 429 after 1 s", r.status, r.retry)
	}
	if r := tryLogin(t, baseB, "127.0.0.1", "198.51.100.21", "li", "correct horse battery"); r.status != 303 {
		t.Errorf("right password from another address on B: %d, want 303", r.status)
	}
	rs.Stop()
	for i := 1; i <= 5; i++ {
		if r := tryLogin(t, baseA, "127.0.0.1", "198.51.100.22", "li", "guess"); r.status != 401 {
			t.Fatalf("guess %d with Redis down: %d, want 401", i, r.status)
		}
	}
	if r := tryLogin(t, baseA, "127.0.0.1", "198.51.100.22", "li", "correct horse battery"); r.status != 429 {
		t.Errorf("with Redis down, counted in process: %d, want 429", r.status)
	}
}

func TestLoginAddress(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.9":                  "203.0.113.9",
		"::ffff:203.0.113.9":           "203.0.113.9",
		"2001:db8:1:2:aaaa::1":         "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff:ffff::ffff": "2001:db8:1:2::/64",
		"not an address":               "not an address",
	} {
		if got := loginAddress(in); got != want {
			t.Errorf("loginAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
