package portal

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/store"
)

const ctxUser = "gongshi.user"

// requireToken authenticates an agency integration by its API token (Authorization: Bearer).
func (s *Server) requireToken() gin.HandlerFunc {
	return func(c *gin.Context) {
		st := s.sqlStore()
		if st == nil {
			s.objectionFail(c, errNoStore)
			return
		}
		tok, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
		u, err := st.UserByToken(c.Request.Context(), strings.TrimSpace(tok))
		if !ok || err != nil {
			c.Header("WWW-Authenticate", `Bearer realm="gongshi reviewers"`)
			abortError(c, errorOf(msgUnauthorized))
			return
		}
		c.Set(ctxUser, u)
		c.Next()
	}
}

func userOf(c *gin.Context) *store.User {
	u, _ := c.Get(ctxUser)
	user, _ := u.(*store.User)
	return user
}

// mayReview reports whether a user may see and decide a case: reviewers limited to an
// authority see only the records of that authority.
func mayReview(u *store.User, cs *store.Case) bool {
	return u != nil && (u.Role == store.RoleAdmin || u.Authority == "" || u.Authority == cs.Authority)
}

// apiAdminQueue: GET /api/v1/admin/objections?state=&kind=&overdue=1
func (s *Server) apiAdminQueue(c *gin.Context) {
	u := userOf(c)
	f := store.QueueFilter{State: objection.State(c.Query("state")), Kind: objection.Kind(c.Query("kind")),
		Overdue: c.Query("overdue") == "1", Today: s.today()}
	if f.State != "" && f.State.Label() == "" || f.Kind != "" && !f.Kind.Valid() {
		abortError(c, errorOf(msgBadFilter))
		return
	}
	if u.Role != store.RoleAdmin {
		f.Authority = u.Authority
	}
	cases, err := s.sqlStore().Queue(c.Request.Context(), f)
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	out := []gin.H{}
	for _, cs := range cases {
		out = append(out, gin.H{"tracking_number": cs.Tracking, "kind": cs.Kind, "kind_label": cs.Kind.Label(), "state": cs.State,
			"state_label": cs.State.Label(), "entity_name": cs.EntityName, "entity_code": cs.EntityCode, "record_id": cs.RecordID,
			"filed_at": cs.FiledAt, "deadline": cs.Deadline, "overdue": cs.Overdue(s.today())})
	}
	c.JSON(http.StatusOK, gin.H{"cases": out})
}

// reviewCase loads a case the current user may review, or answers 404.
func (s *Server) reviewCase(c *gin.Context) *store.Case {
	tracking := c.Param("tracking")
	if !objection.ValidTrackingNumber(tracking) {
		s.objectionFail(c, store.ErrNotFound)
		return nil
	}
	cs, err := s.sqlStore().CaseByTracking(c.Request.Context(), tracking)
	if err != nil {
		s.objectionFail(c, err)
		return nil
	}
	if !mayReview(userOf(c), cs) {
		s.objectionFail(c, store.ErrNotFound) // not "forbidden": do not confirm it exists
		return nil
	}
	return cs
}

// apiAdminCase: GET /api/v1/admin/objections/{tracking}
func (s *Server) apiAdminCase(c *gin.Context) {
	cs := s.reviewCase(c)
	if cs == nil {
		return
	}
	v, err := s.caseView(c.Request.Context(), cs, true)
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// actionRequest is a reviewer's step through the API.
type actionRequest struct {
	Action  objection.Action  `json:"action"`
	Reason  string            `json:"reason"`
	Outcome objection.Outcome `json:"outcome"`
	Fields  map[string]string `json:"fields"`
}

// apiAdminAction: POST /api/v1/admin/objections/{tracking}/actions
func (s *Server) apiAdminAction(c *gin.Context) {
	cs := s.reviewCase(c)
	if cs == nil {
		return
	}
	var req actionRequest
	dec := json.NewDecoder(c.Request.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); isTooLarge(err) {
		abortError(c, errorOf(msgTooLarge))
		return
	} else if err != nil {
		abortError(c, errorOf(msgBadBody))
		return
	}
	if req.Action == objection.ActSupplement {
		abortError(c, errorOf(msgBadAction))
		return
	}
	if fe := checkCorrectedFields(cs.RecordType, req.Fields); fe != "" {
		apiError(c, http.StatusBadRequest, "bad_fields", fe, fe)
		return
	}
	u := userOf(c)
	updated, err := s.decide(c.Request.Context(), cs.Tracking, store.Step{Action: req.Action, Actor: "token:" + u.Name,
		Reason: strings.TrimSpace(req.Reason), Outcome: req.Outcome, Fields: req.Fields, IP: c.ClientIP()})
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	v, err := s.caseView(c.Request.Context(), updated, true)
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}
