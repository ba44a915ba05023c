package portal

import (
	"errors"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

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
	s.serveAttachment(c, a)
}

// serveAttachment sends a filing's attachment from outside the web root, as a download of its
// checked type, never inline (a PDF cannot run in the portal's origin).
func (s *Server) serveAttachment(c *gin.Context, a *store.Attachment) {
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
