package portal

// Reading an uploaded or pasted screening list: multipart or raw CSV/XLSX bodies, and pasted text.

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
)

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
