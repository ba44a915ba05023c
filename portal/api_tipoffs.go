package portal

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/store"
)

// tipoffFail answers a tip-off error as structured JSON, with the fields at fault.
func (s *Server) tipoffFail(c *gin.Context, err error) {
	s.filingFail(c, err, "tip-off", tipoffErrorStatus)
}

// apiFileTipoff: POST /api/v1/tipoffs
func (s *Server) apiFileTipoff(c *gin.Context) {
	f, files, err := readTipoffForm(c)
	if errors.Is(err, errTooLarge) {
		abortError(c, errorOf(msgUploadTooLarge))
		return
	}
	if err == nil {
		var res *tipoffFiling
		if res, err = s.fileTipoff(c.Request.Context(), f, files, c.ClientIP()); err == nil {
			c.Header("Location", "/api/v1/tipoffs/"+res.Tracking)
			c.JSON(http.StatusCreated, gin.H{
				"tracking_number": res.Tracking,
				"check_code":      res.CheckCode,
				"state":           res.Tipoff.State,
				"state_label":     res.Tipoff.State.Label(),
				"status_url":      "/tipoffs/" + res.Tracking,
				"notice":          "Keep the check code: it is shown only once and is needed to follow the tip-off. 请妥善保存查询码，它只显示这一次。",
			})
			return
		}
	}
	s.tipoffFail(c, err)
}

// apiTipoff: GET /api/v1/tipoffs/{tracking} with X-Check-Code — the reporter's view.
func (s *Server) apiTipoff(c *gin.Context) {
	t, err := s.checkedTipoff(c)
	if err != nil {
		s.tipoffFail(c, err)
		return
	}
	v, err := s.tipoffView(c.Request.Context(), t, false)
	if err != nil {
		s.tipoffFail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// apiTipoffStats: GET /api/v1/tipoffs/stats — counts by kind and outcome, nothing personal.
func (s *Server) apiTipoffStats(c *gin.Context) {
	st := s.sqlStore()
	if st == nil {
		s.tipoffFail(c, errNoStore)
		return
	}
	stats, err := st.TipoffStats(c.Request.Context(), s.today())
	if err != nil {
		s.tipoffFail(c, err)
		return
	}
	c.JSON(http.StatusOK, stats)
}

// mayReviewTipoff reports whether a user may see and decide a tip-off: reviewers limited to an
// authority see only the tip-offs routed to it.
func mayReviewTipoff(u *store.User, t *store.Tipoff) bool {
	return u != nil && (u.Role == store.RoleAdmin || u.Authority == "" || u.Authority == t.Authority)
}

// apiAdminTipoffs: GET /api/v1/admin/tipoffs?state= — the reviewer's queue of tip-offs.
func (s *Server) apiAdminTipoffs(c *gin.Context) {
	u := userOf(c)
	f := store.TipoffFilter{State: objection.State(c.Query("state"))}
	if f.State != "" && f.State.Label() == "" {
		abortError(c, errorOf(msgBadFilter))
		return
	}
	if u.Role != store.RoleAdmin {
		f.Authority = u.Authority
	}
	ts, err := s.sqlStore().TipoffQueue(c.Request.Context(), f)
	if err != nil {
		s.tipoffFail(c, err)
		return
	}
	out := []gin.H{}
	for _, t := range ts {
		out = append(out, gin.H{"tracking_number": t.Tracking, "kind": t.Kind, "kind_label": t.Kind.Label(), "state": t.State,
			"state_label": t.State.Label(), "entity_name": t.EntityName, "entity_code": t.EntityCode, "record_id": t.RecordID,
			"filed_at": t.FiledAt, "deadline": t.Deadline, "overdue": t.Overdue(s.today())})
	}
	c.JSON(http.StatusOK, gin.H{"tipoffs": out})
}

// reviewTipoff loads a tip-off the current user may review, or answers 404.
func (s *Server) reviewTipoff(c *gin.Context) *store.Tipoff {
	tracking := c.Param("tracking")
	if !objection.ValidTipoffTrackingNumber(tracking) {
		s.tipoffFail(c, store.ErrNotFound)
		return nil
	}
	t, err := s.sqlStore().TipoffByTracking(c.Request.Context(), tracking)
	if err == nil && !mayReviewTipoff(userOf(c), t) {
		err = store.ErrNotFound // not "forbidden": do not confirm it exists
	}
	if err != nil {
		s.tipoffFail(c, err)
		return nil
	}
	return t
}

// apiAdminTipoff: GET /api/v1/admin/tipoffs/{tracking} — with the content and the reporter.
func (s *Server) apiAdminTipoff(c *gin.Context) {
	t := s.reviewTipoff(c)
	if t == nil {
		return
	}
	v, err := s.tipoffView(c.Request.Context(), t, true)
	if err != nil {
		s.tipoffFail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// tipoffActionRequest is a reviewer's step on a tip-off through the API.
type tipoffActionRequest struct {
	Action  objection.Action        `json:"action"`
	Outcome objection.TipoffOutcome `json:"outcome"`
	Reason  string                  `json:"reason"`
}

// apiAdminTipoffAction: POST /api/v1/admin/tipoffs/{tracking}/actions
func (s *Server) apiAdminTipoffAction(c *gin.Context) {
	t := s.reviewTipoff(c)
	if t == nil {
		return
	}
	var req tipoffActionRequest
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); isTooLarge(err) {
		abortError(c, errorOf(msgTooLarge))
		return
	} else if err != nil || req.Action != objection.ActAccept && req.Action != objection.ActClose {
		apiError(c, http.StatusBadRequest, "bad_body", "body must be JSON {action: accept|close, outcome, reason}",
			"请求体应为 JSON：action（accept 或 close）、outcome、reason。")
		return
	}
	u := userOf(c)
	updated, err := s.sqlStore().TransitionTipoff(c.Request.Context(), t.Tracking, store.TipoffStep{Action: req.Action, Outcome: req.Outcome,
		Actor: "token:" + u.Name, Reason: req.Reason, IP: c.ClientIP(), DeadlineDays: s.cfg.Objections.DeadlineDays, Holidays: s.cfg.Objections.Holidays})
	if err != nil {
		s.tipoffFail(c, err)
		return
	}
	v, err := s.tipoffView(c.Request.Context(), updated, true)
	if err != nil {
		s.tipoffFail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
