package portal

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// screenPageMaxRows is how many results the page shows; the downloads hold every one. A 10,000-row
// table helps nobody in a browser, and the page must not hold the whole list in memory.
const screenPageMaxRows = 1000

// page: GET /screen
func (sc *screening) page(c *gin.Context) {
	v := sc.newPageView(nil)
	sc.s.render(c, http.StatusOK, "screen", layoutView{Title: "批量筛查", Section: "screen",
		Description: "一次筛查最多一万家企业：粘贴或上传名单，查看是否在严重违法失信名单、经营异常名录、失信被执行人名单上，有无行政处罚，可下载 CSV 或 Excel。",
		Data:        v})
}

// pagePost: POST /screen — the form without script: results as a page, or a download.
func (sc *screening) pagePost(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	req, err := readScreenRequest(c, "html")
	if err != nil {
		sc.requests.WithLabelValues("html", "rejected").Inc()
		sc.pageError(c, err, screenFormState(c))
		return
	}
	defer req.Close()
	switch req.Format {
	case "csv", "xlsx":
		w, _ := newScreenWriter(c, req.Format)
		sc.serve(c, req, w, func(err error) { sc.pageError(c, err, req) })
	case "html":
		col := &screenPageCollector{req: req}
		if req.Text == "" {
			col.download = &bytes.Buffer{}
			col.csv = csv.NewWriter(col.download)
		}
		failed := false
		sc.serve(c, req, col, func(err error) { failed = true; sc.pageError(c, err, req) })
		if failed {
			return
		}
		v := sc.newPageView(req)
		v.Results = col.view()
		sc.s.render(c, http.StatusOK, "screen", layoutView{Title: "批量筛查结果", Section: "screen", Data: v})
	default:
		sc.pageError(c, badScreen("bad_format", "format must be html, csv or xlsx", "输出格式应为网页、CSV 或 Excel。"), req)
	}
}

// pageError shows the form again with the problem above it, keeping what the person entered.
func (sc *screening) pageError(c *gin.Context, err error, req *screenRequest) {
	status, msg := http.StatusInternalServerError, "服务器处理请求时出现错误，已自动记录，请稍后再试。"
	var se *screenError
	var bre *index.BadRequestError
	switch {
	case errors.As(err, &se):
		status, msg = se.Status, se.MessageZH
	case errors.As(err, &bre):
		status, msg = http.StatusBadRequest, bre.Message
	case errors.Is(err, index.ErrNotReady):
		c.Header("Retry-After", "10")
		status, msg = http.StatusServiceUnavailable, "数据正在加载，请稍后再试。"
	default:
		sc.s.log.Error("screening page failed", "err", err)
	}
	c.Header("Content-Disposition", "")
	v := sc.newPageView(req)
	v.Error = msg
	sc.s.render(c, status, "screen", layoutView{Title: "批量筛查", Section: "screen", Data: v})
}

// screenFormState recovers what a rejected form said, so that it can be shown again.
func screenFormState(c *gin.Context) *screenRequest {
	vals := c.Request.PostForm
	if c.Request.MultipartForm != nil {
		vals = c.Request.MultipartForm.Value
	}
	if vals == nil {
		return nil
	}
	r := &screenRequest{AsOf: screenFormValue(vals, "as_of"), Flags: vals["flags"], Text: screenFormValue(vals, "text")}
	r.PenaltyYears, _ = strconv.Atoi(screenFormValue(vals, "penalty_years"))
	return r
}

func screenFormValue(v map[string][]string, k string) string {
	if len(v[k]) > 0 {
		return v[k][0]
	}
	return ""
}

type screenPageView struct {
	Today       string
	AsOf        string
	Text        string
	Flags       []option
	Years       []option
	MaxSubjects string
	MaxMB       int
	Error       string
	Results     *screenResultsView
}

var screenPenaltyYearChoices = []int{1, 2, 3, 5, 10}

func (sc *screening) newPageView(req *screenRequest) *screenPageView {
	today := sc.s.today()
	v := &screenPageView{Today: today, AsOf: today, MaxSubjects: formatNumber(maxScreenSubjects), MaxMB: screenMaxBytes >> 20}
	years := index.DefaultPenaltyYears
	chosen := map[string]bool{}
	if req != nil {
		if req.AsOf != "" {
			v.AsOf = req.AsOf
		}
		v.Text = req.Text
		if req.PenaltyYears > 0 {
			years = req.PenaltyYears
		}
		if fs, err := index.ParseScreenFlags(req.Flags); err == nil {
			for _, f := range fs {
				chosen[f] = true
			}
		}
	}
	for _, f := range index.ScreenFlags {
		v.Flags = append(v.Flags, option{Value: f, Label: index.FlagLabel(f), ID: "flag-" + f, Selected: len(chosen) == 0 || chosen[f]})
	}
	for _, y := range screenPenaltyYearChoices {
		v.Years = append(v.Years, option{Value: strconv.Itoa(y), Label: fmt.Sprintf("近 %d 年", y), Selected: y == years})
	}
	return v
}

// The page's view of results.

type screenResultsView struct {
	AsOf         string
	Count        int
	Shown        int
	Truncated    bool
	Summary      []screenSummaryItem
	Rows         []screenRowView
	DownloadText string // the list to send again for the CSV and Excel downloads
	Flags        []string
	PenaltyYears string
	Error        string // the run stopped midway
}

type screenSummaryItem struct {
	Label, Class string
	N            int
}

type screenRowView struct {
	Line        int
	InputCode   string
	InputName   string
	Status      string
	StatusLabel string
	MatchedBy   string
	Score       string
	Explanation string
	Warnings    string
	Entity      *index.ScreenEntity
	EntityURL   string
	Flags       []screenFlagView
	NoFlags     bool
	Candidates  []screenCandidateView
}

type screenFlagView struct{ Class, Text string }

type screenCandidateView struct {
	Name, Code, URL, Score, Flagged string
}

// screenPageCollector is the page's writer: it keeps the first screenPageMaxRows results as views and,
// for an uploaded file, the list as CSV for the download buttons.
type screenPageCollector struct {
	req      *screenRequest
	meta     screenMeta
	rows     []screenRowView
	n        int
	sum      index.ScreenSummary
	failed   string
	download *bytes.Buffer
	csv      *csv.Writer
}

func (p *screenPageCollector) begin(m screenMeta) error {
	p.meta = m
	if p.csv != nil {
		p.csv.Write(append([]string{"统一社会信用代码", "企业名称"}, m.refHeaders...))
	}
	return nil
}

func (p *screenPageCollector) write(r *screenResult) error {
	p.n++
	if p.csv != nil {
		p.csv.Write(append([]string{r.Input.Code, r.Input.Name}, r.refCells(len(p.meta.refHeaders))...))
	}
	if len(p.rows) < screenPageMaxRows {
		p.rows = append(p.rows, newScreenRowView(r))
	}
	return nil
}

func (p *screenPageCollector) flush() error                      { return nil }
func (p *screenPageCollector) end(sum index.ScreenSummary) error { p.sum = sum; return nil }
func (p *screenPageCollector) fail(e APIError)                   { p.failed = e.MessageZH }

func (p *screenPageCollector) view() *screenResultsView {
	v := &screenResultsView{AsOf: p.meta.AsOf, Count: p.meta.Count, Shown: len(p.rows), Truncated: p.n > len(p.rows),
		Rows: p.rows, Flags: p.meta.Flags, PenaltyYears: strconv.Itoa(p.meta.PenaltyYears), Error: p.failed, DownloadText: p.req.Text}
	if p.csv != nil {
		p.csv.Flush()
		v.DownloadText = p.download.String()
	}
	s := p.sum
	v.Summary = append(v.Summary, []screenSummaryItem{
		{"已匹配", "ok", s.Matched}, {"多个候选", "warn", s.Ambiguous}, {"未找到", "warn", s.NotFound}, {"代码无效", "bad", s.Invalid},
		{"严重违法失信名单", "blacklist", s.OnBlacklist}, {"经营异常名录", "abnormal", s.OnAbnormal}, {"失信被执行人", "debtor", s.DishonestDebtor},
		{"有行政处罚", "penalty", s.WithPenalties}, {"守信红名单", "redlist", s.OnRedlist}, {"异议处理中", "objection", s.ObjectionPending},
		{"名称与代码不符", "bad", s.NameMismatch},
	}...)
	return v
}

func newScreenRowView(r *screenResult) screenRowView {
	v := screenRowView{Line: r.Line, InputCode: r.Input.Code, InputName: r.Input.Name, Status: r.Status, StatusLabel: screenStatusLabel(r.Status),
		MatchedBy: screenMatchedByLabel(r.MatchedBy), Explanation: r.ExplanationZH, Warnings: screenWarnings(r.Warnings), Entity: r.Entity}
	if r.Score > 0 && r.Score < 1 {
		v.Score = strconv.FormatFloat(r.Score, 'f', 2, 64)
	}
	if r.Entity != nil {
		v.EntityURL = entityURL(r.Entity.Code, "")
		v.Flags = screenFlagViews(r.Flags)
		v.NoFlags = len(v.Flags) == 0
	}
	for _, c := range r.Candidates {
		cv := screenCandidateView{Name: c.Name, Code: c.Code, URL: entityURL(c.Code, ""), Flagged: screenFlagLabels(c.Flagged)}
		if c.Score > 0 {
			cv.Score = strconv.FormatFloat(c.Score, 'f', 2, 64)
		}
		v.Candidates = append(v.Candidates, cv)
	}
	return v
}

// screenFlagViews are the badges of a matched entity: flags in force, then list history (removed).
func screenFlagViews(f *index.Flags) []screenFlagView {
	if f == nil {
		return nil
	}
	var out []screenFlagView
	list := func(l *index.ListFlag, class, label, verb string) {
		if l == nil {
			return
		}
		if l.Listed {
			out = append(out, screenFlagView{"badge badge-" + class, label + strings.TrimPrefix(screenListText(l, verb), "是")})
		} else if t := screenListText(l, verb); t != "否" {
			out = append(out, screenFlagView{"badge badge-history", "曾列入" + label + strings.TrimPrefix(t, "否")})
		}
	}
	list(f.Blacklist, "blacklist", "严重违法失信", "列入")
	list(f.Abnormal, "abnormal", "经营异常", "列入")
	list(f.DishonestDebtor, "debtor", "失信被执行人", "发布")
	if p := f.Penalties; p != nil && p.Count > 0 {
		t := fmt.Sprintf("行政处罚 %d 次（最近 %s", p.Count, p.Latest)
		if p.MostSevere != "" {
			t += "，最重：" + p.MostSevere
		}
		out = append(out, screenFlagView{"badge badge-penalty", t + "）"})
	}
	if r := f.Redlist; r != nil && r.Listed {
		out = append(out, screenFlagView{"badge badge-redlist", "守信红名单" + strings.TrimPrefix(screenRedlistText(r), "是")})
	}
	if o := f.Objection; o != nil && o.Pending {
		out = append(out, screenFlagView{"badge badge-objection", "异议处理中（" + o.Since + " 起）"})
	}
	return out
}
