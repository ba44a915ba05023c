package portal

import (
	"errors"
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/objection"
)

type objectionNewPage struct {
	Record       *recordSummary
	Form         *objectionForm
	Errors       fieldErrors
	Kinds        []kindChoice
	MaxMB        int64
	MaxFiles     int
	DeadlineDays int
}

type recordSummary struct {
	ID, Title, EntityCode, EntityName, EntityURL string
	// List is the list's name for an entry of the abnormal-operation list or the blacklist,
	// whose credit repair is its removal under RepairConditions.
	List             string
	RepairConditions []string
}

type kindChoice struct {
	Value, Label string
	Checked      bool
}

type fieldErrorView struct{ Field, Message string }

// ErrorList orders the errors as the form does, for the summary at the top.
func (p objectionNewPage) ErrorList() []fieldErrorView {
	order := map[string]int{"website": 0, "record_id": 1, "kind": 2, "applicant_name": 3, "applicant_code": 4, "contact_person": 5,
		"contact_phone": 6, "contact_email": 7, "statement": 8, "files": 9, "commitment": 10, "body": 11}
	var out []fieldErrorView
	for f, m := range p.Errors {
		out = append(out, fieldErrorView{f, m})
	}
	sort.Slice(out, func(i, j int) bool { return order[out[i].Field] < order[out[j].Field] })
	return out
}

func (s *Server) objectionNewView(g *index.Generation, c *gin.Context, f *objectionForm, fe fieldErrors) objectionNewPage {
	p := objectionNewPage{Form: f, Errors: fe, MaxMB: s.cfg.Objections.MaxFileBytes >> 20, MaxFiles: s.cfg.Objections.MaxFiles,
		DeadlineDays: s.cfg.Objections.DeadlineDays}
	if f.Kind == "" {
		f.Kind = string(objection.KindWrong)
	}
	for _, k := range objection.Kinds {
		p.Kinds = append(p.Kinds, kindChoice{Value: string(k), Label: k.Label(), Checked: string(k) == f.Kind})
	}
	if r, _ := g.Docs.Record(c.Request.Context(), f.RecordID); r != nil {
		p.Record = &recordSummary{ID: r.ID, Title: r.Title(), EntityCode: r.EntityCode, EntityName: r.EntityName, EntityURL: entityURL(r.EntityCode, r.ID)}
		if r.Type.IsList() {
			p.Record.List, p.Record.RepairConditions = r.Type.Label(), objection.ListRepairConditions(r)
		}
	}
	return p
}

// pageObjectionNew: GET /objections/new?record={id}
func (s *Server) pageObjectionNew(c *gin.Context) {
	g := s.live.Acquire()
	if g == nil {
		s.pageFail(c, index.ErrNotReady)
		return
	}
	defer g.Release()
	id := c.Query("record")
	r, _ := g.Docs.Record(c.Request.Context(), id)
	if r == nil || index.RecordTypeOfID(id) == "" {
		s.htmlError(c, http.StatusNotFound, "未找到该记录",
			"请在企业信息页面上，点击要提出异议的那条记录旁的“信息有误？提出异议”。")
		return
	}
	f := &objectionForm{RecordID: r.ID, ApplicantName: r.EntityName, ApplicantCode: r.EntityCode}
	if e, _ := g.Docs.Entity(c.Request.Context(), r.EntityCode); e != nil {
		f.ApplicantName = e.Name
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "objection_new", layoutView{Title: "提出异议", Data: s.objectionNewView(g, c, f, nil)})
}

// pagePostObjection: POST /objections/new
func (s *Server) pagePostObjection(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	f, files, err := readObjectionForm(c)
	if errors.Is(err, errTooLarge) {
		s.htmlError(c, http.StatusRequestEntityTooLarge, "上传内容过大", "请减小附件大小后重新提交。")
		return
	}
	if err == nil {
		var res *filing
		if res, err = s.fileObjection(c.Request.Context(), f, files, c.ClientIP()); err == nil {
			s.render(c, http.StatusCreated, "objection_filed", layoutView{Title: "申请已提交", Data: res})
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
			f = &objectionForm{}
		}
		s.render(c, http.StatusBadRequest, "objection_new", layoutView{Title: "提出异议", Data: s.objectionNewView(g, c, f, fe)})
		return
	}
	status, _, _, zh := storeErrorStatus(err)
	if status == 500 {
		s.log.Error("objection filing failed", "err", err)
	}
	s.htmlError(c, status, "提交未成功", zh)
}

// Err is the error of one field ("" if none): a missing map key cannot be passed to a template
// function directly.
func (p objectionNewPage) Err(field string) string { return p.Errors[field] }
