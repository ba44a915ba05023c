package portal

// Reading a screening request: a JSON body, an uploaded CSV/XLSX (multipart or raw), or a list
// pasted into the page. Every source can be read twice: a first pass counts and validates (so
// that a list over the cap or a malformed line is a clean 4xx before any result is sent), the
// second streams the subjects into the screener a batch at a time.

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
)

const (
	// maxScreenSubjects is the most subjects one request may hold.
	maxScreenSubjects = 10000
	// screenMaxBytes caps a screening upload or JSON body (the server's own body limit lets
	// the screening routes through with a little more).
	screenMaxBytes = 5 << 20
	// Cells longer than this are cut: no code or company name comes near it.
	maxScreenCell = 1000
	// maxScreenRefColumns caps the extra columns echoed back.
	maxScreenRefColumns = 50
)

// screenError is a request the screening cannot accept, with the HTTP status and both languages.
type screenError = Error

func badScreen(code, en, zh string) *screenError {
	return &screenError{Status: http.StatusBadRequest, Code: code, Message: en, MessageZH: zh}
}

func screenTooMany() *screenError {
	return &screenError{Status: http.StatusRequestEntityTooLarge, Code: "too_many_subjects",
		Message:   fmt.Sprintf("more than %d subjects: split the list into parts of at most %d", maxScreenSubjects, maxScreenSubjects),
		MessageZH: fmt.Sprintf("名单超过 %d 条：请拆分为每份不超过 %d 条后分别筛查。", maxScreenSubjects, maxScreenSubjects)}
}

func screenTooLarge() *screenError {
	return &screenError{Status: http.StatusRequestEntityTooLarge, Code: "too_large",
		Message:   fmt.Sprintf("the request is larger than %d MB: split the list", screenMaxBytes>>20),
		MessageZH: fmt.Sprintf("上传内容超过 %d MB：请拆分名单后分别筛查。", screenMaxBytes>>20)}
}

// screenBodyError maps a read error: over a body limit (ours or the server's) is a 413.
func screenBodyError(err error) error {
	if isTooLarge(err) {
		return screenTooLarge()
	}
	return badScreen("bad_body", "the request body could not be read: "+err.Error(), "无法读取请求内容。")
}

// screenSubject is one subject with what the client sent, echoed back beside the result.
type screenSubject struct {
	index.Subject
	Ref screenSubjectRef
}

// screenSubjectRef holds the client's own columns (an upload's other columns, or a JSON ref).
type screenSubjectRef struct {
	vals []string        // aligned with the request's refHeaders
	raw  json.RawMessage // a JSON ref, as given
}

// screenSource yields subjects until io.EOF.
type screenSource interface {
	Next() (screenSubject, error)
	Close() error
}

// screenRequest is a read screening request.
type screenRequest struct {
	AsOf         string
	Flags        []string
	PenaltyYears int
	Format       string
	// RefHeaders name the echoed columns of a tabular upload; ["ref"] for JSON refs.
	RefHeaders []string
	Count      int
	// Text is the pasted list as given (page), so the form can show it again.
	Text    string
	open    func() (screenSource, error)
	cleanup func()
}

func (r *screenRequest) Close() {
	if r.cleanup != nil {
		r.cleanup()
	}
}

// readScreenRequest reads options and the subject source from any accepted body, then counts
// the subjects: the cap and every malformed line are reported before anything is screened.
func readScreenRequest(c *gin.Context, defaultFormat string) (*screenRequest, error) {
	if c.Request.Body == nil {
		return nil, badScreen("no_subjects", "no subjects: send JSON, a CSV/XLSX file or a pasted list", "没有待筛查的名单。")
	}
	// A multipart body carries a little more than the file itself.
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, screenMaxBytes+64<<10)
	req := &screenRequest{Format: c.Query("format")}
	ct, params, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var err error
	switch ct {
	case "application/json", "":
		err = req.readJSON(c)
	case "multipart/form-data":
		err = req.readMultipart(c, params["boundary"])
	case "application/x-www-form-urlencoded":
		err = req.readForm(c)
	case "text/csv", "text/plain":
		err = req.readRawTable(c, tabular.CSV)
	case "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
		err = req.readRawTable(c, tabular.XLSX)
	default:
		err = &screenError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_media_type",
			Message:   "send application/json, multipart/form-data (file), text/csv or an XLSX body",
			MessageZH: "请以 JSON、表单上传（CSV/XLSX 文件）或粘贴名单的方式提交。"}
	}
	if err != nil {
		req.Close()
		return nil, err
	}
	// Query parameters fill in what the body did not say (a raw CSV body has no room for them).
	if req.AsOf == "" {
		req.AsOf = c.Query("as_of")
	}
	if len(req.Flags) == 0 {
		req.Flags = c.QueryArray("flags")
	}
	if req.PenaltyYears == 0 && c.Query("penalty_years") != "" {
		if req.PenaltyYears, err = screenPenaltyYearsParam(c.Query("penalty_years")); err != nil {
			req.Close()
			return nil, err
		}
	}
	if req.Format == "" {
		req.Format = defaultFormat
	}
	if err := req.count(); err != nil {
		req.Close()
		return nil, err
	}
	return req, nil
}

func screenPenaltyYearsParam(v string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 1 || n > index.MaxPenaltyYears {
		return 0, badScreen("bad_penalty_years", fmt.Sprintf("penalty_years must be an integer from 1 to %d", index.MaxPenaltyYears),
			fmt.Sprintf("处罚统计年限应为 1–%d 的整数。", index.MaxPenaltyYears))
	}
	return n, nil
}

// count is the first pass: every subject is read and discarded, up to one past the cap.
func (r *screenRequest) count() error {
	src, err := r.open()
	if err != nil {
		return err
	}
	defer src.Close()
	for {
		_, err := src.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		r.Count++
		if r.Count > maxScreenSubjects {
			return screenTooMany()
		}
	}
	if r.Count == 0 {
		return badScreen("no_subjects", "the list holds no subjects", "名单中没有任何企业代码或名称。")
	}
	return nil
}
