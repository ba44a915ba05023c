package portal

import (
	"encoding/json"
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

// objectionFail answers an objection error as structured JSON.
func (s *Server) objectionFail(c *gin.Context, err error) {
	s.filingFail(c, err, "objection", storeErrorStatus)
}

// filingFail answers an error of a filing (an objection, a tip-off) as structured JSON, with
// the form's fields at fault; classify gives its status, code and messages.
func (s *Server) filingFail(c *gin.Context, err error, what string, classify func(error) (int, string, string, string)) {
	status, code, en, zh := classify(err)
	if status == 500 {
		s.log.Error(what+" request failed", "path", c.FullPath(), "err", err)
	}
	if status == 503 {
		c.Header("Retry-After", "30")
	}
	var fe fieldErrors
	if errors.As(err, &fe) {
		c.AbortWithStatusJSON(status, gin.H{"error": APIError{Code: code, Message: en, MessageZH: zh}, "fields": fe})
		return
	}
	apiError(c, status, code, en, zh)
}

// readObjectionForm reads a filing from JSON or from a multipart form with attachments.
func readObjectionForm(c *gin.Context) (*objectionForm, []*multipart.FileHeader, error) {
	f := &objectionForm{}
	if strings.HasPrefix(c.ContentType(), "application/json") {
		// A filing without attachments is small: JSON gets 1 MB, not the upload limit.
		dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f); err != nil {
			if isTooLarge(err) {
				return nil, nil, errTooLarge
			}
			return nil, nil, fieldErrors{"body": "请求体不是有效的 JSON：" + trimErr(err)}
		}
		return f, nil, nil
	}
	form, err := c.MultipartForm()
	if err != nil {
		if c.ContentType() != "multipart/form-data" && c.ContentType() != "application/x-www-form-urlencoded" {
			return nil, nil, fieldErrors{"body": "请以 multipart/form-data 或 application/json 提交。"}
		}
		if isTooLarge(err) {
			return nil, nil, errTooLarge
		}
		if c.ContentType() == "application/x-www-form-urlencoded" {
			c.Request.ParseForm()
		} else {
			return nil, nil, fieldErrors{"body": "表单无法解析：" + trimErr(err)}
		}
	}
	get := func(k string) string { return c.PostForm(k) }
	f.RecordID, f.Kind = get("record_id"), get("kind")
	f.ApplicantName, f.ApplicantCode = get("applicant_name"), get("applicant_code")
	f.ContactPerson, f.ContactPhone, f.ContactEmail = get("contact_person"), get("contact_phone"), get("contact_email")
	f.Statement, f.Website = get("statement"), get("website")
	f.Commitment = get("commitment") == "1" || get("commitment") == "on" || get("commitment") == "true"
	var files []*multipart.FileHeader
	if form != nil {
		for _, fh := range form.File["files"] {
			if fh.Size > 0 || fh.Filename != "" {
				files = append(files, fh)
			}
		}
	}
	return f, files, nil
}

var errTooLarge = errors.New("request body too large")

// maxJSONBody caps the JSON bodies of the objection API.
const maxJSONBody = 1 << 20

func trimErr(err error) string {
	m := err.Error()
	if len(m) > 120 {
		m = m[:120]
	}
	return m
}

// apiFileObjection: POST /api/v1/objections
func (s *Server) apiFileObjection(c *gin.Context) {
	f, files, err := readObjectionForm(c)
	if errors.Is(err, errTooLarge) {
		abortError(c, errorOf(msgUploadTooLarge))
		return
	}
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	res, err := s.fileObjection(c.Request.Context(), f, files, c.ClientIP())
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	c.Header("Location", "/api/v1/objections/"+res.Tracking)
	c.JSON(http.StatusCreated, gin.H{
		"tracking_number": res.Tracking,
		"check_code":      res.CheckCode,
		"state":           res.Case.State,
		"state_label":     res.Case.State.Label(),
		"status_url":      "/objections/" + res.Tracking,
		"notice":          "Keep the check code: it is shown only once and is needed to follow the case. 请妥善保存查询码，它只显示这一次。",
	})
}

// checkedCase finds a case by tracking number and check code (header X-Check-Code, or form).
func (s *Server) checkedCase(c *gin.Context) (*store.Case, error) {
	tracking := c.Param("tracking")
	if !objection.ValidTrackingNumber(tracking) {
		return nil, store.ErrNotFound
	}
	code := c.GetHeader("X-Check-Code")
	if code == "" {
		code = c.PostForm("check_code")
	}
	if code == "" || len(code) > 64 {
		return nil, store.ErrNotFound
	}
	st := s.sqlStore()
	if st == nil {
		return nil, errNoStore
	}
	return st.CheckCase(c.Request.Context(), tracking, strings.ToUpper(strings.TrimSpace(code)))
}

// apiObjection: GET /api/v1/objections/{tracking} with X-Check-Code.
func (s *Server) apiObjection(c *gin.Context) {
	cs, err := s.checkedCase(c)
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	v, err := s.caseView(c.Request.Context(), cs, false)
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, v)
}

// apiSupplement: POST /api/v1/objections/{tracking}/supplement — the applicant adds material.
func (s *Server) apiSupplement(c *gin.Context) {
	cs, err := s.checkedCase(c)
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	statement := strings.TrimSpace(c.PostForm("statement"))
	form, _ := c.MultipartForm()
	var files []*multipart.FileHeader
	if form != nil {
		files = form.File["files"]
	}
	if statement == "" && len(files) == 0 {
		s.objectionFail(c, fieldErrors{"statement": "请填写补正说明或上传补正材料。"})
		return
	}
	if !plainText(statement, true) || utf8.RuneCountInString(statement) > maxStatementRunes {
		s.objectionFail(c, fieldErrors{"statement": fmt.Sprintf("补正说明含有无法识别的字符，或超过 %d 字。", maxStatementRunes)})
		return
	}
	atts, cleanup, err := s.saveAttachments(cs.Tracking, files)
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	if _, err := s.decide(c.Request.Context(), cs.Tracking, store.Step{Action: objection.ActSupplement, Actor: "applicant",
		Reason: statement, IP: c.ClientIP(), Attachments: atts}); err != nil {
		cleanup()
		s.objectionFail(c, err)
		return
	}
	cs, _ = s.sqlStore().CaseByTracking(c.Request.Context(), cs.Tracking)
	v, err := s.caseView(c.Request.Context(), cs, false)
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	c.JSON(http.StatusOK, v)
}

// apiObjectionStats: GET /api/v1/objections/stats — public transparency numbers.
func (s *Server) apiObjectionStats(c *gin.Context) {
	st := s.sqlStore()
	if st == nil {
		s.objectionFail(c, errNoStore)
		return
	}
	stats, err := st.Stats(c.Request.Context(), s.today())
	if err != nil {
		s.objectionFail(c, err)
		return
	}
	c.JSON(http.StatusOK, stats)
}
