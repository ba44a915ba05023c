package portal

import (
	"errors"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/store"
)

type tipoffNewPage struct {
	Form     *tipoffForm
	Errors   fieldErrors
	Kinds    []kindChoice
	Subject  *recordSummary // the entity (and record) reported, when known
	MaxMB    int64
	MaxFiles int
	Stats    *tipoffStatsView
}

// tipoffStatsView is the public statistics with Chinese labels, for the page.
type tipoffStatsView struct {
	Filed, Open int
	Rows        []tipoffStatsRow
}

type tipoffStatsRow struct {
	Label                   string
	Filed, Open             int
	Substantiated, Rejected int // 属实; 不属实 and 不予受理
}

// ErrorList orders the errors as the form does.
func (p tipoffNewPage) ErrorList() []fieldErrorView {
	order := map[string]int{"website": 0, "entity": 1, "record_id": 2, "kind": 3, "content": 4, "files": 5,
		"reporter_name": 6, "reporter_phone": 7, "reporter_email": 8, "body": 9}
	var out []fieldErrorView
	for f, m := range p.Errors {
		out = append(out, fieldErrorView{f, m})
	}
	sort.Slice(out, func(i, j int) bool { return order[out[i].Field] < order[out[j].Field] })
	return out
}

// Err is the error of one field ("" if none).
func (p tipoffNewPage) Err(field string) string { return p.Errors[field] }

func (s *Server) tipoffNewView(g *index.Generation, c *gin.Context, f *tipoffForm, fe fieldErrors) tipoffNewPage {
	ctx := c.Request.Context()
	p := tipoffNewPage{Form: f, Errors: fe, MaxMB: s.cfg.Objections.MaxFileBytes >> 20, MaxFiles: s.cfg.Objections.MaxFiles}
	if f.Kind == "" {
		f.Kind = string(objection.TipoffError)
	}
	for _, k := range objection.TipoffKinds {
		p.Kinds = append(p.Kinds, kindChoice{Value: string(k), Label: k.Label(), Checked: string(k) == f.Kind})
	}
	if f.RecordID != "" {
		if r, _ := g.Docs.Record(ctx, f.RecordID); r != nil {
			p.Subject = &recordSummary{ID: r.ID, Title: r.Title(), EntityCode: r.EntityCode, EntityName: r.EntityName, EntityURL: entityURL(r.EntityCode, r.ID)}
		}
	}
	if p.Subject == nil && f.Entity != "" {
		if code, _ := g.ResolveCode(ctx, f.Entity); code != "" {
			if e, _ := g.Docs.Entity(ctx, code); e != nil {
				p.Subject = &recordSummary{EntityCode: e.Code, EntityName: e.Name, EntityURL: entityURL(e.Code, "")}
			}
		}
	}
	if st := s.sqlStore(); st != nil {
		if stats, err := st.TipoffStats(ctx, s.today()); err == nil {
			p.Stats = newTipoffStatsView(stats)
		}
	}
	return p
}

func newTipoffStatsView(st *store.TipoffStats) *tipoffStatsView {
	v := &tipoffStatsView{Filed: st.Filed, Open: st.Open}
	for _, k := range objection.TipoffKinds {
		o := st.Outcomes[string(k)]
		v.Rows = append(v.Rows, tipoffStatsRow{Label: k.Label(), Filed: st.ByKind[string(k)], Open: o["open"],
			Substantiated: o[string(objection.TipoffSubstantiated)],
			Rejected:      o[string(objection.TipoffUnsubstantiated)] + o[string(objection.TipoffNotAccepted)]})
	}
	return v
}

// pageTipoffNew: GET /tipoffs/new?entity={code}&record={id}
func (s *Server) pageTipoffNew(c *gin.Context) {
	g := s.live.Acquire()
	if g == nil {
		s.pageFail(c, index.ErrNotReady)
		return
	}
	defer g.Release()
	f := &tipoffForm{Entity: c.Query("entity"), RecordID: c.Query("record")}
	if len(f.Entity) > 64 || len(f.RecordID) > 64 {
		f.Entity, f.RecordID = "", ""
	}
	if r, _ := g.Docs.Record(c.Request.Context(), f.RecordID); r != nil {
		f.Entity = r.EntityCode
	} else {
		f.RecordID = ""
	}
	s.render(c, http.StatusOK, "tipoff_new", layoutView{Title: "举报", Description: "举报企业公示信息错误、应公示而未公示的记录或失信行为。",
		Data: s.tipoffNewView(g, c, f, nil)})
}

// pagePostTipoff: POST /tipoffs/new
func (s *Server) pagePostTipoff(c *gin.Context) {
	f, files, err := readTipoffForm(c)
	if errors.Is(err, errTooLarge) {
		s.htmlError(c, http.StatusRequestEntityTooLarge, "上传内容过大", "请减小附件大小后重新提交。")
		return
	}
	if err == nil {
		var res *tipoffFiling
		if res, err = s.fileTipoff(c.Request.Context(), f, files, c.ClientIP()); err == nil {
			s.render(c, http.StatusCreated, "tipoff_filed", layoutView{Title: "举报已提交", Data: res})
			return
		}
	}
	var fe fieldErrors
	if errors.As(err, &fe) {
		g := s.live.Acquire()
		if g == nil {
			s.pageFail(c, index.ErrNotReady)
			return
		}
		defer g.Release()
		if f == nil {
			f = &tipoffForm{}
		}
		s.render(c, http.StatusBadRequest, "tipoff_new", layoutView{Title: "举报", Data: s.tipoffNewView(g, c, f, fe)})
		return
	}
	status, _, _, zh := tipoffErrorStatus(err)
	if status == 500 {
		s.log.Error("tip-off filing failed", "err", err)
	}
	s.htmlError(c, status, "提交未成功", zh)
}

type tipoffStatusPage struct {
	Tracking string
	Tipoff   *tipoffView
	Error    string
}

// pageTipoffStatus: GET /tipoffs/{tracking} asks for the check code.
func (s *Server) pageTipoffStatus(c *gin.Context) {
	tracking := c.Param("tracking")
	if !objection.ValidTipoffTrackingNumber(tracking) {
		s.htmlError(c, http.StatusNotFound, "举报编号无效", "举报编号形如 JB-20261122-7Q4K，请核对后重试。")
		return
	}
	s.render(c, http.StatusOK, "tipoff_status", layoutView{Title: "举报办理进度", Data: tipoffStatusPage{Tracking: tracking}})
}

// pageTipoffCheck: POST /tipoffs/{tracking} with the check code shows the tip-off.
func (s *Server) pageTipoffCheck(c *gin.Context) {
	p := tipoffStatusPage{Tracking: c.Param("tracking")}
	t, err := s.checkedTipoff(c)
	var v *tipoffView
	if err == nil {
		v, err = s.tipoffView(c.Request.Context(), t, false)
	}
	if err != nil {
		status, _, _, zh := tipoffErrorStatus(err)
		if status == http.StatusNotFound {
			p.Error = "举报编号或查询码不正确，请核对后重试。"
			s.render(c, http.StatusNotFound, "tipoff_status", layoutView{Title: "举报办理进度", Data: p})
			return
		}
		s.htmlError(c, status, "暂时无法查询", zh)
		return
	}
	p.Tipoff = v
	s.render(c, http.StatusOK, "tipoff_status", layoutView{Title: "举报办理进度", Data: p})
}
