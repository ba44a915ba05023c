package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/store"
)

type adminTipoffsPage struct {
	User    *store.User
	Tipoffs []*adminTipoffRow
	States  []adminChoice
}

type adminTipoffRow struct {
	*store.Tipoff
	Overdue bool
}

// pageAdminTipoffs: GET /admin/tipoffs?state= — the tip-offs routed to the reviewer's authority.
func (s *Server) pageAdminTipoffs(c *gin.Context) {
	u := userOf(c)
	state := objection.State(c.Query("state"))
	if state.Label() == "" {
		state = ""
	}
	f := store.TipoffFilter{State: state}
	if u.Role != store.RoleAdmin {
		f.Authority = u.Authority
	}
	ts, err := s.sqlStore().TipoffQueue(c.Request.Context(), f)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	p := adminTipoffsPage{User: u}
	for _, t := range ts {
		p.Tipoffs = append(p.Tipoffs, &adminTipoffRow{Tipoff: t, Overdue: t.Overdue(s.today())})
	}
	for _, st := range []objection.State{objection.Submitted, objection.Accepted, objection.Closed} {
		p.States = append(p.States, adminChoice{string(st), st.Label(), st == state})
	}
	s.render(c, http.StatusOK, "admin_tipoffs", layoutView{Title: "举报待办", Data: p})
}

type adminTipoffPage struct {
	Tipoff   *tipoffView
	Record   []fieldView
	Actions  []adminChoice
	Outcomes []adminChoice
	Error    string
	Flash    string
}

func (s *Server) adminTipoffView(c *gin.Context, t *store.Tipoff, errMsg, flash string) (*adminTipoffPage, error) {
	v, err := s.tipoffView(c.Request.Context(), t, true)
	if err != nil {
		return nil, err
	}
	p := &adminTipoffPage{Tipoff: v, Error: errMsg, Flash: flash}
	if g := s.live.Acquire(); g != nil && t.RecordID != "" {
		if r, _ := g.Docs.Record(c.Request.Context(), t.RecordID); r != nil {
			for _, f := range index.SchemaOf(r.Type).Fields {
				if val := r.Fields[f.Key]; val != "" {
					p.Record = append(p.Record, fieldView{Label: f.Label, Value: val})
				}
			}
		}
		g.Release()
	} else if g != nil {
		g.Release()
	}
	switch t.State {
	case objection.Submitted:
		p.Actions = []adminChoice{{Value: string(objection.ActAccept), Label: "受理"}, {Value: string(objection.ActClose), Label: "不予受理并办结"}}
		p.Outcomes = []adminChoice{{Value: string(objection.TipoffNotAccepted), Label: objection.TipoffNotAccepted.Label()}}
	case objection.Accepted:
		p.Actions = []adminChoice{{Value: string(objection.ActClose), Label: "办结"}}
		for _, o := range []objection.TipoffOutcome{objection.TipoffSubstantiated, objection.TipoffUnsubstantiated} {
			p.Outcomes = append(p.Outcomes, adminChoice{Value: string(o), Label: o.Label()})
		}
	}
	return p, nil
}

// adminTipoffOrFail loads a tip-off the reviewer may see, or answers 404.
func (s *Server) adminTipoffOrFail(c *gin.Context) *store.Tipoff {
	tracking := c.Param("tracking")
	var t *store.Tipoff
	err := store.ErrNotFound
	if objection.ValidTipoffTrackingNumber(tracking) {
		t, err = s.sqlStore().TipoffByTracking(c.Request.Context(), tracking)
	}
	if err == nil && !mayReviewTipoff(userOf(c), t) {
		err = store.ErrNotFound
	}
	if err != nil {
		status, _, _, zh := tipoffErrorStatus(err)
		s.htmlError(c, status, "未找到该举报", zh)
		return nil
	}
	return t
}

// pageAdminTipoff: GET /admin/tipoffs/{tracking}
func (s *Server) pageAdminTipoff(c *gin.Context) {
	t := s.adminTipoffOrFail(c)
	if t == nil {
		return
	}
	p, err := s.adminTipoffView(c, t, "", "")
	if err != nil {
		s.pageFail(c, err)
		return
	}
	s.render(c, http.StatusOK, "admin_tipoff", layoutView{Title: t.Tracking, Data: p})
}

// pageAdminTipoffAction: POST /admin/tipoffs/{tracking} — accept, or close with the result.
func (s *Server) pageAdminTipoffAction(c *gin.Context) {
	t := s.adminTipoffOrFail(c)
	if t == nil {
		return
	}
	u := userOf(c)
	errMsg, flash := "", ""
	updated, err := s.sqlStore().TransitionTipoff(c.Request.Context(), t.Tracking, store.TipoffStep{
		Action: objection.Action(c.PostForm("action")), Outcome: objection.TipoffOutcome(c.PostForm("outcome")),
		Actor: "reviewer:" + u.Name, Reason: strings.TrimSpace(c.PostForm("reason")), IP: c.ClientIP(),
		DeadlineDays: s.cfg.Objections.DeadlineDays, Holidays: s.cfg.Objections.Holidays})
	if err != nil {
		_, _, _, errMsg = tipoffErrorStatus(err)
	} else {
		t, flash = updated, "已保存："+updated.State.Label()
	}
	p, err := s.adminTipoffView(c, t, errMsg, flash)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	status := http.StatusOK
	if errMsg != "" {
		status = http.StatusConflict
	}
	s.render(c, status, "admin_tipoff", layoutView{Title: t.Tracking, Data: p})
}

// pageAdminTipoffAttachment: GET /admin/tipoff-attachments/{id}, for the tip-off's reviewers.
func (s *Server) pageAdminTipoffAttachment(c *gin.Context) {
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil {
		s.htmlError(c, http.StatusNotFound, "未找到附件", "")
		return
	}
	a, tracking, err := s.sqlStore().TipoffAttachmentByID(c.Request.Context(), id)
	if err == nil {
		var t *store.Tipoff
		if t, err = s.sqlStore().TipoffByTracking(c.Request.Context(), tracking); err == nil && !mayReviewTipoff(userOf(c), t) {
			err = store.ErrNotFound
		}
	}
	if err != nil {
		status, _, _, zh := tipoffErrorStatus(err)
		s.htmlError(c, status, "未找到附件", zh)
		return
	}
	s.serveAttachment(c, a)
}
