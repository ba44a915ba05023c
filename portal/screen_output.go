package portal

// Screening output: JSON (one object, results streamed in it), JSON Lines (one result a line,
// for the page's progress display), CSV (UTF-8 with BOM, Chinese headers) and XLSX. Every
// writer flushes per batch, so a long list starts arriving at once and memory stays per batch.

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/xuri/excelize/v2"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
)

// screenResult is one result as the API returns it: the line, what was sent, the match.
type screenResult struct {
	Line  int             `json:"line"`
	Input screenInputEcho `json:"input"`
	*index.Match
}

type screenInputEcho struct {
	Code string `json:"code,omitempty"`
	Name string `json:"name,omitempty"`
	Ref  any    `json:"ref,omitempty"` // the upload's other columns, or the JSON ref as given
}

// screenRefColumns marshals an upload's other columns as an object in file order.
type screenRefColumns struct{ keys, vals []string }

func (o screenRefColumns) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(o.vals[i])
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}

func newScreenResult(s screenSubject, m *index.Match, refHeaders []string) *screenResult {
	r := &screenResult{Line: s.Line, Input: screenInputEcho{Code: s.Code, Name: s.Name}, Match: m}
	switch {
	case s.Ref.raw != nil:
		r.Input.Ref = s.Ref.raw
	case len(s.Ref.vals) > 0:
		r.Input.Ref = screenRefColumns{keys: refHeaders, vals: s.Ref.vals}
	}
	return r
}

// refCells are the echoed columns as spreadsheet cells.
func (r *screenResult) refCells(n int) []string {
	out := make([]string, n)
	switch v := r.Input.Ref.(type) {
	case screenRefColumns:
		copy(out, v.vals)
	case json.RawMessage:
		if n > 0 {
			out[0] = string(v)
		}
	}
	return out
}

// screenMeta describes a screening run: what was asked, for the head of every output.
type screenMeta struct {
	AsOf         string   `json:"as_of"`
	Flags        []string `json:"flags"`
	PenaltyYears int      `json:"penalty_years"`
	PenaltyFrom  string   `json:"penalty_from"`
	Count        int      `json:"count"`
	refHeaders   []string
}

// screenWriter is one output format.
type screenWriter interface {
	begin(m screenMeta) error
	write(r *screenResult) error
	flush() error
	end(sum index.ScreenSummary) error
	// fail reports an error after results were sent, in the format's own terms.
	fail(e APIError)
}

func newScreenWriter(c *gin.Context, format string) (screenWriter, bool) {
	switch format {
	case "json":
		return &jsonScreenWriter{c: c, w: bufio.NewWriterSize(c.Writer, 32<<10)}, true
	case "jsonl":
		return &jsonScreenWriter{c: c, w: bufio.NewWriterSize(c.Writer, 32<<10), lines: true}, true
	case "csv":
		return &csvScreenWriter{c: c}, true
	case "xlsx":
		return &xlsxScreenWriter{c: c}, true
	}
	return nil, false
}

func screenFileName(asOf, ext string) string {
	return "screening-" + asOf + "." + ext
}

func screenAttachment(c *gin.Context, contentType, name, nameZH string) {
	c.Header("Content-Type", contentType)
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, url.PathEscape(nameZH)))
}

// JSON and JSON Lines.

type jsonScreenWriter struct {
	c     *gin.Context
	w     *bufio.Writer
	lines bool
	n     int
}

func (j *jsonScreenWriter) begin(m screenMeta) error {
	if j.lines {
		j.c.Header("Content-Type", "application/x-ndjson; charset=utf-8")
	} else {
		j.c.Header("Content-Type", "application/json; charset=utf-8")
	}
	j.c.Status(http.StatusOK)
	head, err := json.Marshal(m)
	if err != nil {
		return err
	}
	if j.lines {
		j.w.Write(head)
		j.w.WriteByte('\n')
	} else {
		j.w.Write(head[:len(head)-1]) // the object stays open for the results
		j.w.WriteString(`,"results":[`)
	}
	return j.flush()
}

func (j *jsonScreenWriter) write(r *screenResult) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if !j.lines && j.n > 0 {
		j.w.WriteByte(',')
	}
	j.n++
	j.w.Write(b)
	if j.lines {
		j.w.WriteByte('\n')
	}
	return nil
}

func (j *jsonScreenWriter) flush() error {
	if err := j.w.Flush(); err != nil {
		return err
	}
	j.c.Writer.Flush()
	return nil
}

func (j *jsonScreenWriter) end(sum index.ScreenSummary) error {
	b, _ := json.Marshal(sum)
	if j.lines {
		fmt.Fprintf(j.w, "{\"summary\":%s}\n", b)
	} else {
		fmt.Fprintf(j.w, "],\"summary\":%s}", b)
	}
	return j.flush()
}

func (j *jsonScreenWriter) fail(e APIError) {
	b, _ := json.Marshal(gin.H{"error": e})
	if j.lines {
		j.w.Write(b)
		j.w.WriteByte('\n')
	} else {
		// The results so far stay valid JSON; the error says the list is incomplete.
		fmt.Fprintf(j.w, "],\"error\":%s}", b[len(`{"error":`):len(b)-1])
	}
	j.flush()
}

// CSV and XLSX share their columns.

// screenColumns are the output columns, in order, for the flags asked for.
func screenColumns(m screenMeta) []string {
	cols := []string{"行号", "输入代码", "输入名称"}
	cols = append(cols, m.refHeaders...)
	cols = append(cols, "筛查结果", "匹配方式", "相似度", "说明", "提示", "统一社会信用代码", "企业名称", "登记状态", "所在地区")
	for _, f := range m.Flags {
		switch f {
		case index.FlagPenalties:
			cols = append(cols, fmt.Sprintf("行政处罚（近%d年）", m.PenaltyYears), "最重处罚", "最近处罚日期")
		default:
			cols = append(cols, index.FlagLabel(f))
		}
	}
	return append(cols, "候选主体", "信息日期")
}

// screenRow is one result as spreadsheet cells.
func screenRow(r *screenResult, m screenMeta) []string {
	row := []string{strconv.Itoa(r.Line), r.Input.Code, r.Input.Name}
	row = append(row, r.refCells(len(m.refHeaders))...)
	score := ""
	if r.Score > 0 {
		score = strconv.FormatFloat(r.Score, 'f', 2, 64)
	}
	var e index.ScreenEntity
	if r.Entity != nil {
		e = *r.Entity
	}
	row = append(row, screenStatusLabel(r.Status), screenMatchedByLabel(r.MatchedBy), score, r.ExplanationZH, screenWarnings(r.Warnings),
		e.Code, e.Name, e.Status, e.RegionName)
	f := r.Flags
	for _, flag := range m.Flags {
		if f == nil {
			if flag == index.FlagPenalties {
				row = append(row, "", "", "")
			} else {
				row = append(row, "")
			}
			continue
		}
		switch flag {
		case index.FlagBlacklist:
			row = append(row, screenListText(f.Blacklist, "列入"))
		case index.FlagAbnormal:
			row = append(row, screenListText(f.Abnormal, "列入"))
		case index.FlagDebtor:
			row = append(row, screenListText(f.DishonestDebtor, "发布"))
		case index.FlagPenalties:
			p := f.Penalties
			row = append(row, strconv.Itoa(p.Count), p.MostSevere, p.Latest)
		case index.FlagRedlist:
			row = append(row, screenRedlistText(f.Redlist))
		case index.FlagObjection:
			row = append(row, screenObjectionText(f.Objection))
		}
	}
	var cands []string
	for _, c := range r.Candidates {
		s := c.Name + "（" + c.Code
		if c.Score > 0 {
			s += fmt.Sprintf("，相似度 %.2f", c.Score)
		}
		if len(c.Flagged) > 0 {
			s += "，" + screenFlagLabels(c.Flagged)
		}
		cands = append(cands, s+"）")
	}
	return append(row, strings.Join(cands, "；"), m.AsOf)
}

var screenStatusLabels = map[string]string{
	index.StatusMatched: "已匹配", index.StatusAmbiguous: "多个候选", index.StatusNotFound: "未找到", index.StatusInvalidCode: "代码无效",
}

func screenStatusLabel(s string) string { return screenStatusLabels[s] }

var screenMatchedByLabels = map[string]string{
	index.ByExactCode: "统一社会信用代码", index.ByNormalisedCode: "代码（经规范化）", index.ByRegNo: "注册号", index.ByOrgCode: "组织机构代码",
	index.ByExactName: "名称一致", index.ByFormerName: "曾用名", index.ByCloseName: "名称相近",
}

func screenMatchedByLabel(s string) string { return screenMatchedByLabels[s] }

var screenWarningText = map[string]string{
	index.WarnNameMismatch: "名称与代码不符", index.WarnCodeNotFound: "代码未找到，按名称匹配", index.WarnCheckDigit: "代码校验位错误",
	index.WarnCodeAuthority: "代码前两位（登记管理部门、机构类别）不存在", index.WarnNotInRegister: "不在登记信息中",
}

func screenWarnings(ws []string) string {
	out := make([]string, 0, len(ws))
	for _, w := range ws {
		out = append(out, screenWarningText[w])
	}
	return strings.Join(out, "；")
}

func screenFlagLabels(fs []string) string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, index.FlagLabel(f))
	}
	return strings.Join(out, "、")
}

// screenListText: 是（2024-03-01 列入）, 是（2024-03-01 列入，2026-05-01 移出） when removed since the
// day asked about, 否（2023-10-15 已移出） when an earlier entry was removed, or 否.
func screenListText(l *index.ListFlag, verb string) string {
	if l == nil {
		return ""
	}
	if l.Listed {
		for _, e := range l.Entries {
			if e.InForce && e.ListDate == l.Since {
				if e.RemovalDate != "" {
					return "是（" + e.ListDate + " " + verb + "，" + e.RemovalDate + " 移出）"
				}
				return "是（" + e.ListDate + " " + verb + "）"
			}
		}
		return "是"
	}
	last := ""
	for _, e := range l.Entries {
		if !e.InForce && e.RemovalDate > last {
			last = e.RemovalDate
		}
	}
	if last != "" {
		return "否（" + last + " 已移出）"
	}
	return "否"
}

func screenRedlistText(r *index.RedlistFlag) string {
	if r == nil {
		return ""
	}
	if r.Listed {
		if len(r.Years) > 0 {
			return "是（" + strings.Join(r.Years, "、") + " 年度）"
		}
		return "是"
	}
	return "否"
}

func screenObjectionText(o *index.ObjectionFlag) string {
	if o == nil {
		return ""
	}
	if o.Pending {
		return "是（" + o.Since + " 起）"
	}
	return "否"
}

type csvScreenWriter struct {
	c    *gin.Context
	w    *csv.Writer
	meta screenMeta
}

func (w *csvScreenWriter) begin(m screenMeta) error {
	w.meta = m
	screenAttachment(w.c, "text/csv; charset=utf-8", screenFileName(m.AsOf, "csv"), "企业筛查结果-"+m.AsOf+".csv")
	w.c.Status(http.StatusOK)
	w.c.Writer.WriteString("\ufeff") // Excel shows UTF-8 Chinese only with the BOM
	w.w = csv.NewWriter(w.c.Writer)
	w.w.Write(opendata.SafeCSVRow(screenColumns(m)))
	return w.flush()
}

// write neutralises cells a spreadsheet would run as formulas: names come from snapshots and
// reference columns from the uploaded list.
func (w *csvScreenWriter) write(r *screenResult) error {
	return w.w.Write(opendata.SafeCSVRow(screenRow(r, w.meta)))
}

func (w *csvScreenWriter) flush() error {
	w.w.Flush()
	w.c.Writer.Flush()
	return w.w.Error()
}

func (w *csvScreenWriter) end(index.ScreenSummary) error { return w.flush() }

func (w *csvScreenWriter) fail(e APIError) {
	// A last row a person will see: the file is incomplete.
	w.w.Write([]string{"错误", e.MessageZH + "（筛查未完成，结果不完整）"})
	w.flush()
}

type xlsxScreenWriter struct {
	c    *gin.Context
	f    *excelize.File
	sw   *excelize.StreamWriter
	meta screenMeta
	row  int
}

const screenSheet = "筛查结果"

func screenCells(vals []string) []any {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = v
	}
	return out
}

func (w *xlsxScreenWriter) begin(m screenMeta) error {
	w.meta = m
	w.f = excelize.NewFile()
	w.f.SetSheetName("Sheet1", screenSheet)
	sw, err := w.f.NewStreamWriter(screenSheet)
	if err != nil {
		return err
	}
	w.sw = sw
	sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	w.row = 1
	return w.next(screenColumns(m))
}

func (w *xlsxScreenWriter) next(vals []string) error {
	cell, _ := excelize.CoordinatesToCellName(1, w.row)
	w.row++
	return w.sw.SetRow(cell, screenCells(vals))
}

func (w *xlsxScreenWriter) write(r *screenResult) error { return w.next(screenRow(r, w.meta)) }

func (w *xlsxScreenWriter) flush() error { return nil } // the workbook goes out whole at the end

func (w *xlsxScreenWriter) end(sum index.ScreenSummary) error {
	defer w.f.Close()
	if err := w.sw.Flush(); err != nil {
		return err
	}
	// A second sheet says what was asked and sums up, so the file stands on its own.
	const about = "说明"
	w.f.NewSheet(about)
	rows := [][]any{
		{"信息日期", w.meta.AsOf}, {"筛查项", screenFlagLabels(w.meta.Flags)}, {"行政处罚统计起始日", w.meta.PenaltyFrom},
		{"名单条数", w.meta.Count}, {"已匹配", sum.Matched}, {"多个候选", sum.Ambiguous}, {"未找到", sum.NotFound}, {"代码无效", sum.Invalid},
		{"严重违法失信名单", sum.OnBlacklist}, {"经营异常名录", sum.OnAbnormal}, {"失信被执行人", sum.DishonestDebtor},
		{"有行政处罚", sum.WithPenalties}, {"守信红名单", sum.OnRedlist}, {"异议处理中", sum.ObjectionPending}, {"名称与代码不符", sum.NameMismatch},
		{"来源", "公示（gongshi）企业信用信息公开，以原公示机关的决定文书为准"},
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		w.f.SetSheetRow(about, cell, &r)
	}
	screenAttachment(w.c, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", screenFileName(w.meta.AsOf, "xlsx"), "企业筛查结果-"+w.meta.AsOf+".xlsx")
	w.c.Status(http.StatusOK)
	_, err := w.f.WriteTo(w.c.Writer)
	return err
}

func (w *xlsxScreenWriter) fail(e APIError) {
	if w.f != nil {
		w.f.Close()
	}
	if !w.c.Writer.Written() {
		w.c.Header("Content-Disposition", "")
		apiError(w.c, http.StatusInternalServerError, e.Code, e.Message, e.MessageZH)
	}
}
