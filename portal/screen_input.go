package portal

// Reading a screening request: a JSON body, an uploaded CSV/XLSX (multipart or raw), or a list
// pasted into the page. Every source can be read twice: a first pass counts and validates (so
// that a list over the cap or a malformed line is a clean 4xx before any result is sent), the
// second streams the subjects into the screener a batch at a time.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/uscc"
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
type screenError struct {
	Status    int
	Code      string
	Message   string // English
	MessageZH string
}

func (e *screenError) Error() string { return e.Message }

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
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || strings.Contains(err.Error(), "request body too large") {
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

// JSON: {"as_of", "flags", "penalty_years", "subjects": [...]} or a bare array of subjects.

func (r *screenRequest) readJSON(c *gin.Context) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return screenBodyError(err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return badScreen("no_subjects", "empty body: send {\"subjects\": [{\"code\": ..., \"name\": ...}]}", "请求内容为空。")
	}
	// The first pass fills in the options, wherever they stand in the object.
	first := newScreenJSONSubjects(body)
	first.opts = r
	r.open = func() (screenSource, error) {
		if first != nil {
			s := first
			first = nil
			return s, nil
		}
		return newScreenJSONSubjects(body), nil
	}
	return nil
}

type screenJSONSubjects struct {
	dec      *json.Decoder
	state    int // 0 before, 1 in the subjects array, 2 after it (in the object), 3 done
	topArray bool
	n        int
	seen     bool
	opts     *screenRequest // set on the first pass only: where options are stored
}

func newScreenJSONSubjects(body []byte) *screenJSONSubjects {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	return &screenJSONSubjects{dec: dec}
}

func (j *screenJSONSubjects) Close() error { return nil }

func screenJSONSyntax(err error) error {
	msg := err.Error()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg = fmt.Sprintf("%s (at byte %d)", se.Error(), se.Offset)
	}
	return badScreen("bad_json", "malformed JSON: "+msg, "JSON 格式有误："+msg)
}

func (j *screenJSONSubjects) Next() (screenSubject, error) {
	for {
		switch j.state {
		case 0:
			tok, err := j.dec.Token()
			if err != nil {
				return screenSubject{}, screenJSONSyntax(err)
			}
			switch tok {
			case json.Delim('['):
				j.topArray, j.state, j.seen = true, 1, true
			case json.Delim('{'):
				if err := j.keys(); err != nil {
					return screenSubject{}, err
				}
			default:
				return screenSubject{}, badScreen("bad_json", "the body must be an object with \"subjects\" or an array of subjects",
					"JSON 应为含 subjects 的对象，或企业数组。")
			}
		case 1:
			if !j.dec.More() {
				if _, err := j.dec.Token(); err != nil { // ]
					return screenSubject{}, screenJSONSyntax(err)
				}
				j.state = 2
				if j.topArray {
					j.state = 3
					if err := j.end(); err != nil {
						return screenSubject{}, err
					}
				}
				continue
			}
			var raw json.RawMessage
			if err := j.dec.Decode(&raw); err != nil {
				return screenSubject{}, screenJSONSyntax(err)
			}
			j.n++
			return j.subject(raw)
		case 2:
			if err := j.keys(); err != nil {
				return screenSubject{}, err
			}
		default:
			return screenSubject{}, io.EOF
		}
	}
}

// keys reads object members up to the subjects array (state 1) or the end of the object.
func (j *screenJSONSubjects) keys() error {
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return screenJSONSyntax(err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		switch key {
		case "subjects":
			if j.seen {
				return badScreen("bad_json", "\"subjects\" given twice", "subjects 重复出现。")
			}
			tok, err := j.dec.Token()
			if err != nil {
				return screenJSONSyntax(err)
			}
			if tok != json.Delim('[') {
				return badScreen("bad_json", "\"subjects\" must be an array", "subjects 应为数组。")
			}
			j.seen, j.state = true, 1
			return nil
		case "as_of", "flags", "penalty_years":
			if err := j.dec.Decode(&raw); err != nil {
				return screenJSONSyntax(err)
			}
			if err := j.option(key, raw); err != nil {
				return err
			}
		default:
			return badScreen("bad_json", fmt.Sprintf("unknown field %q: use as_of, flags, penalty_years and subjects", screenClip(key, 40)),
				fmt.Sprintf("未知字段“%s”：可用字段为 as_of、flags、penalty_years、subjects。", screenClip(key, 40)))
		}
	}
	if _, err := j.dec.Token(); err != nil { // }
		return screenJSONSyntax(err)
	}
	if !j.seen {
		return badScreen("no_subjects", "no \"subjects\" array", "缺少 subjects 数组。")
	}
	j.state = 3
	return j.end()
}

func (j *screenJSONSubjects) end() error {
	if _, err := j.dec.Token(); err != io.EOF {
		return badScreen("bad_json", "unexpected data after the JSON value", "JSON 之后还有多余内容。")
	}
	return nil
}

func (j *screenJSONSubjects) option(key string, raw json.RawMessage) error {
	if j.opts == nil {
		return nil // second pass: already read
	}
	switch key {
	case "as_of":
		if err := json.Unmarshal(raw, &j.opts.AsOf); err != nil {
			return badScreen("bad_as_of", "as_of must be a string YYYY-MM-DD", "as_of 应为 YYYY-MM-DD 格式的字符串。")
		}
	case "flags":
		var one string
		if json.Unmarshal(raw, &one) == nil {
			j.opts.Flags = []string{one}
		} else if err := json.Unmarshal(raw, &j.opts.Flags); err != nil {
			return badScreen("bad_flag", "flags must be an array of strings", "flags 应为字符串数组。")
		}
	case "penalty_years":
		var n json.Number
		if err := json.Unmarshal(raw, &n); err != nil {
			var s string
			if json.Unmarshal(raw, &s) != nil {
				return badScreen("bad_penalty_years", "penalty_years must be a number", "penalty_years 应为数字。")
			}
			n = json.Number(s)
		}
		y, err := screenPenaltyYearsParam(n.String())
		if err != nil {
			return err
		}
		j.opts.PenaltyYears = y
	}
	return nil
}

// subject reads one element: an object {code, name, ref, …} or a bare string (code or name).
func (j *screenJSONSubjects) subject(raw json.RawMessage) (screenSubject, error) {
	s := screenSubject{Subject: index.Subject{Line: j.n}}
	bad := func(what string) error {
		return badScreen("bad_subject", fmt.Sprintf("subject %d: %s", j.n, what), fmt.Sprintf("第 %d 个企业：%s", j.n, what))
	}
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) > 0 && raw[0] == '"':
		var v string
		json.Unmarshal(raw, &v)
		s.Code, s.Name = screenCodeOrName(v)
		return s, nil
	case len(raw) > 0 && (raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9'):
		s.Code = string(raw) // a registration number sent as a number
		return s, nil
	case len(raw) == 0 || raw[0] != '{':
		return s, bad("must be an object {\"code\", \"name\"} or a string")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return s, bad("malformed object")
	}
	str := func(key string) (string, error) {
		v, ok := obj[key]
		if !ok || string(v) == "null" {
			return "", nil
		}
		var out string
		if json.Unmarshal(v, &out) == nil {
			return screenClip(out, maxScreenCell), nil
		}
		var n json.Number
		if json.Unmarshal(v, &n) == nil {
			return n.String(), nil
		}
		return "", bad(key + " must be a string")
	}
	var err error
	if s.Code, err = str("code"); err != nil {
		return s, err
	}
	if s.Name, err = str("name"); err != nil {
		return s, err
	}
	if ref, ok := obj["ref"]; ok {
		s.Ref.raw = ref
	} else {
		// Other members are the client's own keys: echoed back as ref, like an upload's columns.
		delete(obj, "code")
		delete(obj, "name")
		if len(obj) > 0 {
			s.Ref.raw, _ = json.Marshal(obj)
		}
	}
	if s.Ref.raw != nil && j.opts != nil && len(j.opts.RefHeaders) == 0 {
		j.opts.RefHeaders = []string{"ref"}
	}
	return s, nil
}

// screenCodeOrName puts a bare value where it belongs: code-shaped input is a code.
func screenCodeOrName(v string) (code, name string) {
	v = strings.TrimSpace(screenClip(v, maxScreenCell))
	if screenLooksLikeCode(v) {
		return v, ""
	}
	return "", v
}

// screenLooksLikeCode: only code characters (any width, with spaces or hyphens), a digit, and a
// length that some identifier has after normalising.
func screenLooksLikeCode(v string) bool {
	n := uscc.Normalize(v)
	if n == "" || !strings.ContainsAny(n, "0123456789") {
		return false
	}
	for _, r := range n {
		if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z') {
			return false
		}
	}
	return len(n) >= 8 && len(n) <= 20
}

// Uploads: multipart (file or pasted text plus form fields), or a raw CSV/XLSX body.

func (r *screenRequest) readMultipart(c *gin.Context, boundary string) error {
	if boundary == "" {
		return badScreen("bad_body", "multipart body without boundary", "上传格式有误。")
	}
	// Everything stays in memory: the body is capped at screenMaxBytes anyway.
	if err := c.Request.ParseMultipartForm(screenMaxBytes + (1 << 20)); err != nil {
		return screenBodyError(err)
	}
	form := c.Request.MultipartForm
	r.cleanup = func() { form.RemoveAll() }
	if err := r.formOptions(form.Value); err != nil {
		return err
	}
	var fh *multipart.FileHeader
	if fs := form.File["file"]; len(fs) > 0 && fs[0].Size > 0 {
		fh = fs[0]
	}
	text := ""
	if v := form.Value["text"]; len(v) > 0 {
		text = v[0]
	}
	switch {
	case fh != nil && strings.TrimSpace(text) != "":
		return badScreen("two_lists", "send either a file or a pasted list, not both", "请只选择一种方式：上传文件或粘贴名单。")
	case fh != nil:
		return r.useFile(fh)
	default:
		return r.useText(text)
	}
}

func (r *screenRequest) readForm(c *gin.Context) error {
	if err := c.Request.ParseForm(); err != nil {
		return screenBodyError(err)
	}
	if err := r.formOptions(c.Request.PostForm); err != nil {
		return err
	}
	return r.useText(c.Request.PostForm.Get("text"))
}

func (r *screenRequest) formOptions(v map[string][]string) error {
	first := func(k string) string {
		if len(v[k]) > 0 {
			return strings.TrimSpace(v[k][0])
		}
		return ""
	}
	r.AsOf = first("as_of")
	r.Flags = v["flags"]
	if f := first("format"); f != "" {
		r.Format = f
	}
	if y := first("penalty_years"); y != "" {
		n, err := screenPenaltyYearsParam(y)
		if err != nil {
			return err
		}
		r.PenaltyYears = n
	}
	return nil
}

func (r *screenRequest) useFile(fh *multipart.FileHeader) error {
	f, err := fh.Open()
	if err != nil {
		return screenBodyError(err)
	}
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	f.Close()
	format, err := screenTableFormat(head[:n], tabular.FormatOf(fh.Filename))
	if err != nil {
		return err
	}
	r.open = func() (screenSource, error) {
		f, err := fh.Open()
		if err != nil {
			return nil, screenBodyError(err)
		}
		src, err := openScreenTable(f, format, r)
		if err != nil {
			f.Close()
			return nil, err
		}
		src.closeFile = f.Close
		return src, nil
	}
	return nil
}

func (r *screenRequest) readRawTable(c *gin.Context, format tabular.Format) error {
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return screenBodyError(err)
	}
	if format == tabular.CSV {
		if format, err = screenTableFormat(body[:min(len(body), 512)], format); err != nil {
			return err
		}
	}
	r.open = func() (screenSource, error) { return openScreenTable(bytes.NewReader(body), format, r) }
	return nil
}

// screenTableFormat says how an uploaded list is read, from its first bytes whatever its name or
// Content-Type says: a zip is a workbook, text is CSV (or JSON Lines by name). Anything else
// (a picture, a PDF, an old binary .xls, UTF-16 text) is refused here: read as CSV it would turn
// into rows of garbage names, screened without a word of warning.
func screenTableFormat(head []byte, byName tabular.Format) (tabular.Format, error) {
	if bytes.HasPrefix(head, []byte("PK\x03\x04")) {
		return tabular.XLSX, nil
	}
	unsupported := func(en, zh string) error {
		return &screenError{Status: http.StatusUnsupportedMediaType, Code: "unsupported_file", Message: en, MessageZH: zh}
	}
	if bytes.HasPrefix(head, []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
		return "", unsupported("old Excel files (.xls) and encrypted workbooks cannot be read: save the list as .xlsx or CSV",
			"无法读取旧版 Excel（.xls）或加密的工作簿：请另存为 .xlsx 或 CSV 后上传。")
	}
	if ct := http.DetectContentType(head); !strings.HasPrefix(ct, "text/plain") || strings.Contains(ct, "utf-16") {
		return "", unsupported("the file is not a list: send CSV (UTF-8 or GB18030) or XLSX (its content looks like "+ct+")",
			"文件不是名单：请上传 UTF-8 或 GB18030 编码的 CSV，或 XLSX 文件。")
	}
	if byName == tabular.JSONL {
		return tabular.JSONL, nil
	}
	return tabular.CSV, nil
}

// Tables: a header row names the code and name columns (统一社会信用代码/代码/code,
// 企业名称/名称/name and the importer's aliases); other columns are echoed back as ref. A file
// without a recognisable header is a bare list of codes and/or names.

type screenTableSubjects struct {
	r         tabular.Reader
	cols      screenTableColumns
	pending   []string // the first row of a headerless file
	closeFile func() error
}

type screenTableColumns struct {
	code, name int   // -1 when absent
	alt        []int // 注册号 and organisation-code columns: a code when the code cell is empty
	ref        []int
	headerless bool
}

// screenHeader maps a header cell to "code", "alt" (older identifiers), "name" or "".
func screenHeader(h string) string {
	k := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
	switch k {
	case "代码", "code", "企业代码", "主体代码", "信用代码":
		return "code"
	case "name", "名称", "公司名称", "单位名称", "客户名称", "企业名称", "主体名称", "公司", "企业":
		return "name"
	}
	switch index.SchemaOf(index.TypeEntity).Resolve(h) {
	case "code":
		return "code"
	case "reg_no", "org_code":
		return "alt"
	case "name":
		return "name"
	}
	return ""
}

func screenColumnsOf(header []string) (screenTableColumns, []string) {
	cols := screenTableColumns{code: -1, name: -1}
	var refNames []string
	for i, h := range header {
		switch kind := screenHeader(h); {
		case kind == "code" && cols.code < 0:
			cols.code = i
		case kind == "name" && cols.name < 0:
			cols.name = i
		case kind == "alt":
			cols.alt = append(cols.alt, i)
		default:
			if len(cols.ref) < maxScreenRefColumns {
				cols.ref = append(cols.ref, i)
				name := strings.TrimSpace(h)
				if name == "" {
					name = fmt.Sprintf("列%d", i+1)
				}
				refNames = append(refNames, name)
			}
		}
	}
	if cols.code < 0 && cols.name < 0 && len(cols.alt) == 0 {
		return screenTableColumns{code: -1, name: -1, headerless: true}, nil
	}
	return cols, refNames
}

func openScreenTable(rd io.Reader, format tabular.Format, req *screenRequest) (*screenTableSubjects, error) {
	tr, err := tabular.Open(rd, tabular.Options{Format: format, MaxXLSXUnzipSize: 4 * screenMaxBytes})
	if err != nil {
		if errors.Is(err, tabular.ErrNoHeader) {
			return nil, badScreen("no_subjects", "the file is empty", "文件为空。")
		}
		return nil, badScreen("bad_file", "the file could not be read: "+err.Error()+" (CSV in UTF-8 or GB18030, or XLSX)",
			"无法读取文件（支持 UTF-8 或 GB18030 编码的 CSV，以及 XLSX）："+err.Error())
	}
	t := &screenTableSubjects{r: tr}
	var refNames []string
	t.cols, refNames = screenColumnsOf(tr.Header())
	if t.cols.headerless {
		t.pending = tr.Header()
	}
	if len(req.RefHeaders) == 0 {
		req.RefHeaders = refNames
	}
	return t, nil
}

func (t *screenTableSubjects) Close() error {
	err := t.r.Close()
	if t.closeFile != nil {
		t.closeFile()
	}
	return err
}

func (t *screenTableSubjects) Next() (screenSubject, error) {
	var cells []string
	line := 0
	if t.pending != nil {
		cells, line, t.pending = t.pending, 1, nil
	} else {
		row, err := t.r.Next()
		if err == io.EOF {
			return screenSubject{}, io.EOF
		}
		var re *tabular.RowError
		if errors.As(err, &re) {
			return screenSubject{}, badScreen("bad_row", fmt.Sprintf("line %d: %s", re.Line, re.Reason), fmt.Sprintf("第 %d 行格式有误：%s", re.Line, re.Reason))
		}
		if err != nil {
			return screenSubject{}, badScreen("bad_file", "the file could not be read: "+err.Error(), "无法读取文件："+err.Error())
		}
		cells, line = row.Values, row.Line
	}
	return t.cols.subject(line, cells), nil
}

func (cols screenTableColumns) subject(line int, cells []string) screenSubject {
	cell := func(i int) string {
		if i < 0 || i >= len(cells) {
			return ""
		}
		return strings.TrimSpace(screenClip(cells[i], maxScreenCell))
	}
	s := screenSubject{Subject: index.Subject{Line: line}}
	if cols.headerless {
		for i := range cells {
			v := cell(i)
			switch {
			case v == "":
			case s.Code == "" && screenLooksLikeCode(v):
				s.Code = v
			case s.Name == "":
				s.Name = v
			}
		}
		return s
	}
	s.Code, s.Name = cell(cols.code), cell(cols.name)
	for _, i := range cols.alt {
		if s.Code == "" {
			s.Code = cell(i)
		}
	}
	if len(cols.ref) > 0 {
		s.Ref.vals = make([]string, len(cols.ref))
		for k, i := range cols.ref {
			s.Ref.vals[k] = cell(i)
		}
	}
	return s
}

// Pasted text: one subject a line — a code, a name, or both separated by a comma or a tab (as
// copied from a spreadsheet). A first line of column names is read as a header.

func (r *screenRequest) useText(text string) error {
	r.Text = text
	if !utf8.ValidString(text) {
		return badScreen("bad_text", "the pasted list is not valid UTF-8 text", "粘贴的内容不是有效的文本。")
	}
	r.open = func() (screenSource, error) { return newScreenTextSubjects(text, r), nil }
	return nil
}

type screenTextSubjects struct {
	lines []string
	i     int
	cols  *screenTableColumns
}

func newScreenTextSubjects(text string, req *screenRequest) *screenTextSubjects {
	t := &screenTextSubjects{lines: strings.Split(strings.ReplaceAll(strings.TrimPrefix(text, "\ufeff"), "\r\n", "\n"), "\n")}
	for i, l := range t.lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		cols, refNames := screenColumnsOf(screenSplitLine(l))
		if !cols.headerless {
			t.cols, t.i = &cols, i+1
			if len(req.RefHeaders) == 0 {
				req.RefHeaders = refNames
			}
		} else {
			t.cols = &screenTableColumns{code: -1, name: -1, headerless: true}
		}
		break
	}
	return t
}

func (t *screenTextSubjects) Close() error { return nil }

func (t *screenTextSubjects) Next() (screenSubject, error) {
	for t.i < len(t.lines) {
		l := t.lines[t.i]
		t.i++
		if strings.TrimSpace(l) == "" {
			continue
		}
		return t.cols.subject(t.i, screenSplitLine(l)), nil
	}
	return screenSubject{}, io.EOF
}

// screenSplitLine splits a pasted line at tabs, else at commas (CSV quoting allowed), else at
// full-width commas.
func screenSplitLine(l string) []string {
	l = strings.TrimRight(l, "\r")
	switch {
	case strings.Contains(l, "\t"):
		return strings.Split(l, "\t")
	case strings.Contains(l, ","):
		cr := csv.NewReader(strings.NewReader(l))
		cr.LazyQuotes = true
		cr.FieldsPerRecord = -1
		if rec, err := cr.Read(); err == nil {
			return rec
		}
		return strings.Split(l, ",")
	case strings.Contains(l, "，"):
		return strings.Split(l, "，")
	}
	return []string{l}
}

func screenClip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
