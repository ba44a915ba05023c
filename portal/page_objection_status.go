package portal

import (
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/store"
)

type objectionStatusPage struct {
	Tracking  string
	CheckCode string
	Case      *caseView
	NeedsMore bool
	Error     string
	Flash     string
}

// pageObjectionStatus: GET /objections/{tracking} asks for the check code.
func (s *Server) pageObjectionStatus(c *gin.Context) {
	tracking := c.Param("tracking")
	if !objection.ValidTrackingNumber(tracking) {
		s.htmlError(c, http.StatusNotFound, "受理编号无效", "受理编号形如 YY-20261122-7Q4K，请核对后重试。")
		return
	}
	c.Header("Cache-Control", "no-store")
	s.render(c, http.StatusOK, "objection_status", layoutView{Title: "办理进度", Data: objectionStatusPage{Tracking: tracking}})
}

// pageObjectionCheck: POST /objections/{tracking} with the check code shows the case.
func (s *Server) pageObjectionCheck(c *gin.Context) {
	s.showCase(c, "")
}

func (s *Server) showCase(c *gin.Context, flash string) {
	c.Header("Cache-Control", "no-store")
	tracking := c.Param("tracking")
	p := objectionStatusPage{Tracking: tracking, Flash: flash}
	cs, err := s.checkedCase(c)
	if err != nil {
		status, _, _, zh := storeErrorStatus(err)
		if status == 404 {
			p.Error = "受理编号或查询码不正确，请核对后重试。"
			s.render(c, http.StatusNotFound, "objection_status", layoutView{Title: "办理进度", Data: p})
			return
		}
		s.htmlError(c, status, "暂时无法查询", zh)
		return
	}
	v, err := s.caseView(c.Request.Context(), cs, false)
	if err != nil {
		status, _, _, zh := storeErrorStatus(err)
		s.htmlError(c, status, "暂时无法查询", zh)
		return
	}
	p.Case, p.NeedsMore = v, cs.State == objection.NeedsMore
	p.CheckCode = strings.ToUpper(strings.TrimSpace(c.PostForm("check_code")))
	s.render(c, http.StatusOK, "objection_status", layoutView{Title: "办理进度", Data: p})
}

// pageObjectionSupplement: POST /objections/{tracking}/supplement — the applicant adds material.
func (s *Server) pageObjectionSupplement(c *gin.Context) {
	cs, err := s.checkedCase(c)
	if err != nil {
		status, _, _, zh := storeErrorStatus(err)
		s.htmlError(c, status, "补正未成功", zh)
		return
	}
	form, _ := c.MultipartForm()
	var files []*multipart.FileHeader
	if form != nil {
		files = form.File["files"]
	}
	statement := strings.TrimSpace(c.PostForm("statement"))
	if !plainText(statement, true) || utf8.RuneCountInString(statement) > maxStatementRunes {
		s.htmlError(c, http.StatusBadRequest, "补正未成功", fmt.Sprintf("补正说明含有无法识别的字符，或超过 %d 字。", maxStatementRunes))
		return
	}
	atts, cleanup, err := s.saveAttachments(cs.Tracking, files)
	if err == nil {
		_, err = s.decide(c.Request.Context(), cs.Tracking, store.Step{Action: objection.ActSupplement, Actor: "applicant",
			Reason: statement, IP: c.ClientIP(), Attachments: atts})
		if err != nil {
			cleanup()
		}
	}
	var fe fieldErrors
	if errors.As(err, &fe) {
		s.htmlError(c, http.StatusBadRequest, "补正未成功", fe.Error())
		return
	}
	if err != nil {
		status, _, _, zh := storeErrorStatus(err)
		s.htmlError(c, status, "补正未成功", zh)
		return
	}
	s.showCase(c, "补正材料已提交。")
}
