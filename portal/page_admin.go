package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"
	libredis "github.com/redis/go-redis/v9"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/store"
)

const (
	sessionCookie = "gongshi_session"
	sessionTTL    = 8 * time.Hour
)

// requireSession lets only logged-in reviewers into the back office.
func (s *Server) requireSession() gin.HandlerFunc {
	return func(c *gin.Context) {
		st := s.sqlStore()
		if st == nil {
			s.htmlError(c, http.StatusServiceUnavailable, "后台暂时不可用", "数据库暂时无法连接，请稍后再试。")
			c.Abort()
			return
		}
		tok, _ := c.Cookie(sessionCookie)
		u, err := st.UserBySession(c.Request.Context(), tok)
		if err != nil {
			c.Redirect(http.StatusSeeOther, "/admin/login")
			c.Abort()
			return
		}
		c.Header("Cache-Control", "no-store")
		c.Set(ctxUser, u)
		c.Next()
	}
}

type loginPage struct{ Name, Error string }

// pageAdminLogin: GET /admin/login
func (s *Server) pageAdminLogin(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "admin_login", layoutView{Title: "审核人员登录", Data: loginPage{}})
}

// pageAdminLoginPost: POST /admin/login — rate-limited by the "login" budget, and throttled per
// (account, address) and per address (loginThrottleWait).
func (s *Server) pageAdminLoginPost(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	st := s.sqlStore()
	if st == nil {
		s.htmlError(c, http.StatusServiceUnavailable, "后台暂时不可用", "数据库暂时无法连接，请稍后再试。")
		return
	}
	ctx := c.Request.Context()
	name := strings.TrimSpace(c.PostForm("name"))
	if !plainText(name, false) || len(name) > 100 {
		name = "" // no such user; PostgreSQL would fail on a NUL byte or broken UTF-8
	}
	ip := c.ClientIP()
	addr := loginAddress(ip)
	// Checked before the password, so that a throttled client learns nothing about it.
	if wait := s.loginThrottleWait(ctx, name, addr); wait > 0 {
		s.metrics.rateLimited.WithLabelValues("login-throttle").Inc()
		retry := int64((wait + time.Second - 1) / time.Second)
		c.Header("Retry-After", strconv.FormatInt(retry, 10))
		s.render(c, http.StatusTooManyRequests, "admin_login", layoutView{Title: "审核人员登录", Data: loginPage{Name: name,
			Error: "从您所在网络登录失败次数过多，请 " + waitText(retry) + "后再试。"}})
		return
	}
	u, err := st.Authenticate(ctx, name, c.PostForm("password"))
	if err != nil {
		st.Audit(ctx, store.AuditEntry{Actor: "anonymous", Action: "login.fail", Subject: trimForAudit(name), IP: ip})
		status, msg := http.StatusUnauthorized, "用户名或密码不正确。"
		if errors.Is(err, store.ErrBadCredentials) {
			if wait := s.loginThrottleFail(ctx, st, name, addr, ip); wait > 0 {
				msg += "请 " + waitText(int64((wait+time.Second-1)/time.Second)) + "后再试。"
			}
		} else {
			status = http.StatusServiceUnavailable
		}
		s.render(c, status, "admin_login", layoutView{Title: "审核人员登录", Data: loginPage{Name: name, Error: msg}})
		return
	}
	tok, err := st.CreateSession(ctx, u, sessionTTL)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	s.loginThrottleClear(ctx, name, addr)
	st.Audit(ctx, store.AuditEntry{Actor: "reviewer:" + u.Name, Action: "login.ok", Subject: u.Name, IP: ip})
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: tok, Path: "/admin", MaxAge: int(sessionTTL.Seconds()),
		HttpOnly: true, Secure: c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https", SameSite: http.SameSiteStrictMode})
	c.Redirect(http.StatusSeeOther, "/admin/")
}

// waitText says how long to wait, in the words of the login page.
func waitText(seconds int64) string {
	if seconds < 120 {
		return strconv.FormatInt(seconds, 10) + " 秒"
	}
	return strconv.FormatInt((seconds+59)/60, 10) + " 分钟"
}

// Login throttling. Failed logins are counted per (account, client address) and per client
// address, never per account alone: failures from other addresses cannot keep a reviewer with
// the right password out of the back office. Beyond a few free failures each further attempt
// waits twice as long as the last, up to a cap; a counter is forgotten a day after its last
// failure, and a successful login clears its (account, address) counter.
const (
	loginPairFree  = 5  // failures of one account from one address before the first delay
	loginAddrFree  = 20 // failures from one address, over all accounts (password spraying)
	loginFirstWait = time.Second
	loginMaxWait   = 15 * time.Minute
	loginForget    = 24 * time.Hour
)

// loginUntil is when a counter of n failures, the last at last, lets the next attempt through:
// at once for the first free failures, then 1 s, 2 s, 4 s … after the last, up to loginMaxWait.
func loginUntil(n int64, last time.Time, free int64) time.Time {
	if n < free {
		return time.Time{}
	}
	wait := loginMaxWait
	if shift := n - free; shift < 20 {
		wait = min(loginFirstWait<<shift, loginMaxWait)
	}
	return last.Add(wait)
}

// loginAddress is the address failures are counted under: an IPv6 client counts by its /64,
// which a single subscriber usually holds whole, so that it cannot rotate through it.
func loginAddress(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func loginPairKey(name, addr string) string {
	h := sha256.Sum256([]byte(strings.ToLower(name)))
	return "pair:" + hex.EncodeToString(h[:12]) + ":" + addr
}

func loginAddrKey(addr string) string { return "addr:" + addr }

// loginCount is one counter: failures and the time of the last.
type loginCount struct {
	n    int64
	last time.Time
}

// loginCounters keeps the counters where the rate limits keep theirs: in Redis when the
// replicas share one, else in process.
type loginCounters interface {
	get(ctx context.Context, now time.Time, keys ...string) ([]loginCount, error)
	fail(ctx context.Context, now time.Time, keys ...string) ([]loginCount, error)
	clear(ctx context.Context, key string) error
}

// memoryLoginCounters are the in-process counters, also used while Redis fails.
type memoryLoginCounters struct {
	mu      sync.Mutex
	m       map[string]loginCount
	sweepAt int
}

func (m *memoryLoginCounters) get(_ context.Context, now time.Time, keys ...string) ([]loginCount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]loginCount, len(keys))
	for i, k := range keys {
		if c := m.m[k]; now.Sub(c.last) < loginForget {
			out[i] = c
		}
	}
	return out, nil
}

func (m *memoryLoginCounters) fail(_ context.Context, now time.Time, keys ...string) ([]loginCount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.m) >= m.sweepAt { // amortised: the map stays within twice its live counters
		for k, c := range m.m {
			if now.Sub(c.last) >= loginForget {
				delete(m.m, k)
			}
		}
		m.sweepAt = max(1024, 2*len(m.m))
	}
	out := make([]loginCount, len(keys))
	for i, k := range keys {
		c := m.m[k]
		if now.Sub(c.last) >= loginForget {
			c = loginCount{}
		}
		c.n++
		c.last = now
		m.m[k], out[i] = c, c
	}
	return out, nil
}

func (m *memoryLoginCounters) clear(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.m, key)
	m.mu.Unlock()
	return nil
}

// redisLoginCounters share the counters between replicas: a hash {n, last} per key that
// expires a day after its last failure.
type redisLoginCounters struct{ r *libredis.Client }

const redisLoginPrefix = "gongshi:login:"

func (r redisLoginCounters) get(ctx context.Context, _ time.Time, keys ...string) ([]loginCount, error) {
	cmds := make([]*libredis.SliceCmd, len(keys))
	_, err := r.r.Pipelined(ctx, func(p libredis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.HMGet(ctx, redisLoginPrefix+k, "n", "last")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]loginCount, len(keys))
	for i, cmd := range cmds {
		v := cmd.Val()
		if len(v) != 2 {
			continue
		}
		ns, _ := v[0].(string)
		ls, _ := v[1].(string)
		n, _ := strconv.ParseInt(ns, 10, 64)
		ms, _ := strconv.ParseInt(ls, 10, 64)
		out[i] = loginCount{n: n, last: time.UnixMilli(ms)}
	}
	return out, nil
}

func (r redisLoginCounters) fail(ctx context.Context, now time.Time, keys ...string) ([]loginCount, error) {
	cmds := make([]*libredis.IntCmd, len(keys))
	_, err := r.r.TxPipelined(ctx, func(p libredis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.HIncrBy(ctx, redisLoginPrefix+k, "n", 1)
			p.HSet(ctx, redisLoginPrefix+k, "last", now.UnixMilli())
			p.PExpire(ctx, redisLoginPrefix+k, loginForget)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]loginCount, len(keys))
	for i, cmd := range cmds {
		out[i] = loginCount{n: cmd.Val(), last: now}
	}
	return out, nil
}

func (r redisLoginCounters) clear(ctx context.Context, key string) error {
	return r.r.Del(ctx, redisLoginPrefix+key).Err()
}

// loginMemory holds each server's in-process counters (tests run many servers in one process).
var loginMemory sync.Map // *rateLimiter → *memoryLoginCounters

// loginCounted runs op on the shared counters, or in process while they fail (the same
// fail-open-to-local rule as the rate limits: a Redis outage must not open the back office to
// unlimited guessing, nor close it).
func (s *Server) loginCounted(ctx context.Context, op func(context.Context, loginCounters) ([]loginCount, error)) []loginCount {
	v, ok := loginMemory.Load(s.rl)
	if !ok {
		v, _ = loginMemory.LoadOrStore(s.rl, &memoryLoginCounters{m: map[string]loginCount{}})
	}
	local := v.(*memoryLoginCounters)
	if s.rl.redis != nil && time.Now().UnixNano() >= s.rl.sharedDownUntil.Load() {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		out, err := op(rctx, redisLoginCounters{s.rl.redis})
		cancel()
		if err == nil {
			return out
		}
		s.metrics.rateStoreErrors.Inc()
		s.rl.sharedDownUntil.Store(time.Now().Add(sharedRetry).UnixNano())
		s.log.Warn("login counters unavailable in Redis; counting failed logins in this process", "err", err)
	}
	out, _ := op(ctx, local)
	return out
}

// loginThrottleWait is how long a login of the account from the address must still wait; zero
// when it may try now.
func (s *Server) loginThrottleWait(ctx context.Context, name, addr string) time.Duration {
	if s.rl.off {
		return 0
	}
	now := s.cfg.Now()
	cs := s.loginCounted(ctx, func(ctx context.Context, lc loginCounters) ([]loginCount, error) {
		return lc.get(ctx, now, loginPairKey(name, addr), loginAddrKey(addr))
	})
	if len(cs) != 2 {
		return 0
	}
	until := loginUntil(cs[0].n, cs[0].last, loginPairFree)
	if u := loginUntil(cs[1].n, cs[1].last, loginAddrFree); u.After(until) {
		until = u
	}
	return until.Sub(now)
}

// loginThrottleFail counts a wrong password against the (account, address) and the address,
// and returns how long the next attempt must wait. Each new wait is written to the audit log as
// login.throttled, with the account and the client's address (ip; addr is what it is counted
// under), for the account's owner and the admins.
func (s *Server) loginThrottleFail(ctx context.Context, st *store.Store, name, addr, ip string) time.Duration {
	if s.rl.off {
		return 0
	}
	now := s.cfg.Now()
	cs := s.loginCounted(ctx, func(ctx context.Context, lc loginCounters) ([]loginCount, error) {
		return lc.fail(ctx, now, loginPairKey(name, addr), loginAddrKey(addr))
	})
	if len(cs) != 2 {
		return 0
	}
	var wait time.Duration
	for i, scope := range []struct {
		name string
		free int64
	}{{"account+address", loginPairFree}, {"address", loginAddrFree}} {
		until := loginUntil(cs[i].n, cs[i].last, scope.free)
		if until.IsZero() {
			continue
		}
		w := until.Sub(now)
		wait = max(wait, w)
		st.Audit(ctx, store.AuditEntry{Actor: "system", Action: "login.throttled", Subject: trimForAudit(name), IP: ip,
			Detail: fmt.Sprintf("scope=%s counted=%s failures=%d wait=%s", scope.name, addr, cs[i].n, w)})
	}
	return wait
}

// loginThrottleClear clears the (account, address) counter: the owner got in from there. The
// address counter stays, or one valid account would reset a sprayer's count.
func (s *Server) loginThrottleClear(ctx context.Context, name, addr string) {
	if s.rl.off {
		return
	}
	s.loginCounted(ctx, func(ctx context.Context, lc loginCounters) ([]loginCount, error) {
		return nil, lc.clear(ctx, loginPairKey(name, addr))
	})
}

// trimForAudit cuts a name to 64 bytes at a character boundary (a cut rune would be broken
// UTF-8, which PostgreSQL refuses).
func trimForAudit(s string) string {
	if len(s) <= 64 {
		return s
	}
	n := 64
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// pageAdminLogout: POST /admin/logout
func (s *Server) pageAdminLogout(c *gin.Context) {
	if tok, err := c.Cookie(sessionCookie); err == nil {
		if st := s.sqlStore(); st != nil {
			st.DeleteSession(c.Request.Context(), tok)
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/admin", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	c.Redirect(http.StatusSeeOther, "/admin/login")
}

type adminChoice struct {
	Value, Label string
	Checked      bool
}

type adminQueuePage struct {
	User    *store.User
	Cases   []*adminCaseRow
	States  []adminChoice
	Kinds   []adminChoice
	Overdue bool
	// LoginTrouble lists the failed and throttled logins of the user's own account since the
	// previous login; Throttled, for admins, the latest throttles of any account.
	LoginTrouble []loginEvent
	Throttled    []loginEvent
}

// loginEvent is a failed or throttled login from the audit log, as the queue shows it.
type loginEvent struct {
	At      time.Time
	What    string
	Account string
	IP      string
	Detail  string
}

func loginEvents(es []store.AuditEntry) []loginEvent {
	out := make([]loginEvent, 0, len(es))
	for _, e := range es {
		at, _ := time.Parse(time.RFC3339Nano, e.At)
		what := "密码错误"
		if e.Action == "login.throttled" {
			what = "触发登录限流"
		}
		out = append(out, loginEvent{At: at, What: what, Account: e.Subject, IP: e.IP, Detail: e.Detail})
	}
	return out
}

type adminCaseRow struct {
	*store.Case
	Overdue bool
}

// pageAdminQueue: GET /admin/ — open cases, earliest deadline first.
func (s *Server) pageAdminQueue(c *gin.Context) {
	u := userOf(c)
	state, kind := objection.State(c.Query("state")), objection.Kind(c.Query("kind"))
	if state != "" && state.Label() == "" {
		state = ""
	}
	if kind != "" && !kind.Valid() {
		kind = ""
	}
	f := store.QueueFilter{State: state, Kind: kind, Overdue: c.Query("overdue") == "1", Today: s.today()}
	if u.Role != store.RoleAdmin {
		f.Authority = u.Authority
	}
	cases, err := s.sqlStore().Queue(c.Request.Context(), f)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p := adminQueuePage{User: u, Overdue: f.Overdue}
	// Someone guessing at a password is shown to the account's owner and to the admins. The
	// queue matters more than these notes: a failure to read them leaves them out.
	if es, err := s.sqlStore().LoginTrouble(c.Request.Context(), u.Name, 20); err == nil {
		p.LoginTrouble = loginEvents(es)
	}
	if u.Role == store.RoleAdmin {
		if es, err := s.sqlStore().RecentAudit(c.Request.Context(), "login.throttled", 20); err == nil {
			p.Throttled = loginEvents(es)
		}
	}
	for _, cs := range cases {
		p.Cases = append(p.Cases, &adminCaseRow{Case: cs, Overdue: cs.Overdue(s.today())})
	}
	for _, st := range []objection.State{objection.Submitted, objection.NeedsMore, objection.Accepted, objection.Verifying, objection.Closed} {
		p.States = append(p.States, adminChoice{string(st), st.Label(), st == state})
	}
	for _, k := range objection.Kinds {
		p.Kinds = append(p.Kinds, adminChoice{string(k), k.Label(), k == kind})
	}
	s.render(c, http.StatusOK, "admin_queue", layoutView{Title: "异议待办", Data: p})
}

type adminCasePage struct {
	Case     *caseView
	Record   []fieldView
	Actions  []adminChoice
	Outcomes []adminChoice
	Error    string
	Flash    string
}

var reviewerActions = []struct {
	a     objection.Action
	label string
}{
	{objection.ActAccept, "受理"}, {objection.ActRequestMore, "要求补正材料"}, {objection.ActVerify, "转交信息提供单位核查"}, {objection.ActClose, "办结"},
}

func (s *Server) adminCaseView(c *gin.Context, cs *store.Case, errMsg, flash string) (*adminCasePage, error) {
	v, err := s.caseView(c.Request.Context(), cs, true)
	if err != nil {
		return nil, err
	}
	p := &adminCasePage{Case: v, Error: errMsg, Flash: flash}
	if g := s.live.Acquire(); g != nil {
		if r, _ := g.Docs.Record(c.Request.Context(), cs.RecordID); r != nil {
			for _, f := range index.SchemaOf(r.Type).Fields {
				if val := r.Fields[f.Key]; val != "" {
					p.Record = append(p.Record, fieldView{Label: f.Label + "（" + f.Key + "）", Value: val})
				}
			}
		}
		g.Release()
	}
	for _, ra := range reviewerActions {
		if _, err := objection.Next(cs.State, ra.a); err == nil {
			p.Actions = append(p.Actions, adminChoice{Value: string(ra.a), Label: ra.label})
		}
	}
	for _, o := range []objection.Outcome{objection.Corrected, objection.Revoked, objection.Upheld, objection.Undetermined, objection.Repaired, objection.NotRepaired} {
		if o.ValidFor(cs.Kind) {
			p.Outcomes = append(p.Outcomes, adminChoice{Value: string(o), Label: o.Label()})
		}
	}
	return p, nil
}

// pageAdminCase: GET /admin/objections/{tracking}
func (s *Server) pageAdminCase(c *gin.Context) {
	cs := s.adminCaseOrFail(c)
	if cs == nil {
		return
	}
	p, err := s.adminCaseView(c, cs, "", "")
	if err != nil {
		s.pageFail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_case", layoutView{Title: cs.Tracking, Data: p})
}

func (s *Server) adminCaseOrFail(c *gin.Context) *store.Case {
	tracking := c.Param("tracking")
	var cs *store.Case
	err := store.ErrNotFound
	if objection.ValidTrackingNumber(tracking) {
		cs, err = s.sqlStore().CaseByTracking(c.Request.Context(), tracking)
	}
	if err == nil && !mayReview(userOf(c), cs) {
		err = store.ErrNotFound
	}
	if err != nil {
		status, _, _, zh := storeErrorStatus(err)
		s.htmlError(c, status, "未找到该案件", zh)
		return nil
	}
	return cs
}

// pageAdminAction: POST /admin/objections/{tracking}
func (s *Server) pageAdminAction(c *gin.Context) {
	cs := s.adminCaseOrFail(c)
	if cs == nil {
		return
	}
	fields := map[string]string{}
	for _, line := range strings.Split(c.PostForm("fields"), "\n") {
		if k, v, ok := strings.Cut(strings.TrimSpace(line), "="); ok && strings.TrimSpace(k) != "" {
			fields[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	errMsg := checkCorrectedFields(cs.RecordType, fields)
	flash := ""
	if errMsg == "" {
		u := userOf(c)
		updated, err := s.decide(c.Request.Context(), cs.Tracking, store.Step{Action: objection.Action(c.PostForm("action")),
			Actor: "reviewer:" + u.Name, Reason: strings.TrimSpace(c.PostForm("reason")),
			Outcome: objection.Outcome(c.PostForm("outcome")), Fields: fields, IP: c.ClientIP()})
		if err != nil {
			_, _, _, errMsg = storeErrorStatus(err)
		} else {
			cs, flash = updated, "已保存："+updated.State.Label()
		}
	}
	p, err := s.adminCaseView(c, cs, errMsg, flash)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusConflict
	}
	s.render(c, status, "admin_case", layoutView{Title: cs.Tracking, Data: p})
}

// pageAdminAttachment: GET /admin/attachments/{id} — served only to reviewers of the case,
// from outside the web root, never inline (a PDF cannot run in the portal's origin).
func (s *Server) pageAdminAttachment(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.htmlError(c, http.StatusNotFound, "未找到附件", "")
		return
	}
	a, tracking, err := s.sqlStore().AttachmentByID(c.Request.Context(), id)
	if err == nil {
		var cs *store.Case
		if cs, err = s.sqlStore().CaseByTracking(c.Request.Context(), tracking); err == nil && !mayReview(userOf(c), cs) {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		status, _, _, zh := storeErrorStatus(err)
		s.htmlError(c, status, "未找到附件", zh)
		return
	}
	f, err := os.Open(a.Path)
	if err != nil {
		s.htmlError(c, http.StatusNotFound, "附件文件缺失", "附件的元数据存在但文件已不在存储中，请联系管理员。")
		return
	}
	defer f.Close()
	c.Header("Content-Type", a.MIME)
	c.Header("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(a.Name))
	c.Header("X-Content-Type-Options", "nosniff")
	http.ServeContent(c.Writer, c.Request, "", a.UploadedAt, f)
}
