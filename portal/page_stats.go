package portal

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/report"
	"github.com/gongshi/gongshi/portal/store"
)

// pageStats: GET /stats?list= — charts drawn on the server as inline SVG.
func (s *Server) pageStats(c *gin.Context) {
	g := s.live.Acquire()
	if g == nil {
		s.pageFail(c, index.ErrNotReady)
		return
	}
	defer g.Release()
	list := c.DefaultQuery("list", index.Lists[0].Name)
	if index.ListType(list) == "" {
		s.htmlError(c, http.StatusBadRequest, "没有这个名单", "参数 list 应为名单名称之一，例如 blacklist、abnormal、penalties。")
		return
	}
	st, err := g.Stats(c.Request.Context()) // counted once, when the generation opened
	if err != nil {
		s.pageFail(c, err)
		return
	}
	counts, err := s.publicCounts(c.Request.Context(), g)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	view := newStatsView(st, counts, list)
	// Objection statistics are public (transparency); without the store the page still shows the rest.
	if db := s.sqlStore(); db != nil {
		if ost, err := db.Stats(c.Request.Context(), s.today()); err == nil {
			view.Objections = newObjectionStatsView(ost)
		}
	}
	if days, err := s.ReportsIssuedPerDay(c.Request.Context(), 14); err == nil {
		view.Reports = days
		for _, d := range days {
			view.ReportTotal += d.Count
		}
	}
	s.render(c, http.StatusOK, "stats", layoutView{Title: "统计", Section: "stats", Description: "各名单每月新增记录、地区分布和决定机关的统计图表。",
		Data: view})
}

type statsView struct {
	DataDate    string
	Entities    int
	Lists       []listLink
	Monthly     []barChart
	Choices     []choice
	Provinces   barChart
	Authorities barChart
	Objections  *objectionStatsView
	Reports     []report.DayCount // credit reports issued per day
	ReportTotal int
}

// objectionStatsView is the public account of objections and credit repair.
type objectionStatsView struct {
	Filed, Open, Overdue int
	MedianDays           string
	Outcomes             []outcomeCount
}

type outcomeCount struct {
	Label string
	Count int
}

func newObjectionStatsView(st *store.ObjectionStats) *objectionStatsView {
	v := &objectionStatsView{Filed: st.Filed, Open: st.Open, Overdue: st.Overdue, MedianDays: "—"}
	if st.Filed-st.Open > 0 {
		v.MedianDays = fmt.Sprintf("%.1f", st.MedianDaysToDecide)
	}
	for _, o := range []objection.Outcome{objection.Corrected, objection.Revoked, objection.Upheld, objection.Undetermined, objection.Repaired, objection.NotRepaired} {
		v.Outcomes = append(v.Outcomes, outcomeCount{o.Label(), st.ByOutcome[string(o)]})
	}
	return v
}

type choice struct {
	Label, URL string
	Current    bool
}

// barChart is the geometry of one SVG chart, computed here so the template only places it.
type barChart struct {
	ID, Title, Desc, Class, KeyLabel string
	Width, Height                    int
	Bars                             []bar
	Grid                             []gridLine
	Axis                             gridLine
	Rows                             []chartRow
}

type bar struct {
	X, Y, W, H float64
	LX, LY     float64 // label (horizontal charts)
	VX, VY     float64 // value (horizontal charts)
	Label      string
	Value      int
	Tick       *tick // x-axis label under the bar (vertical charts)
}

type tick struct {
	X, Y          float64
	Label, Anchor string
}

type gridLine struct {
	X1, X2, Y, LX, LY float64
	Label             string
}

type chartRow struct {
	Label string
	Value int
}

func newStatsView(st *index.Stats, counts map[index.RecordType]int, list string) statsView {
	v := statsView{DataDate: st.DataDate, Entities: st.Entities, Lists: listLinksWithCounts(counts)}
	end, err := time.Parse(time.DateOnly, st.DataDate)
	if err != nil {
		end = st.Computed
	}
	months := make([]string, 24)
	for i := range months {
		months[i] = time.Date(end.Year(), end.Month()-time.Month(23-i), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
	}
	for _, l := range index.Lists {
		v.Choices = append(v.Choices, choice{Label: l.Label, URL: "/stats?list=" + l.Name + "#h-dist", Current: l.Name == list})
		if l.Type == index.TypeRedlist {
			continue // dated by year only: a monthly chart would show one spike a year
		}
		counts := map[string]int{}
		for _, mc := range st.Monthly[l.Type] {
			counts[mc.Month] += mc.Count
		}
		rows := make([]chartRow, len(months))
		for i, m := range months {
			rows[i] = chartRow{Label: m, Value: counts[m]}
		}
		v.Monthly = append(v.Monthly, monthlyChart("m-"+l.Name, l.Label, string(l.Type), rows))
	}
	t := index.ListType(list)
	label := listLabel(list)
	v.Provinces = hbarChart("c-provinces", label+"：记录最多的 10 个省份", "省份", string(t), facetRows(st.Provinces[t], 10))
	v.Authorities = hbarChart("c-authorities", label+"：记录最多的 10 个决定机关", "决定机关", string(t), facetRows(st.Authority[t], 10))
	return v
}

func facetRows(values []index.FacetValue, n int) []chartRow {
	var rows []chartRow
	for _, f := range values {
		if len(rows) == n {
			break
		}
		rows = append(rows, chartRow{Label: labelOr(f.Label, f.Value), Value: f.Count})
	}
	return rows
}

// niceMax rounds a maximum up to 1, 2 or 5 times a power of ten, for readable grid lines.
func niceMax(m int) int {
	if m <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(float64(m))))
	for _, f := range []float64{1, 2, 5, 10} {
		if float64(m) <= f*p {
			return int(f * p)
		}
	}
	return m
}

func round1(f float64) float64 { return math.Round(f*10) / 10 }

// monthlyChart draws one bar per month.
func monthlyChart(id, label, class string, rows []chartRow) barChart {
	const width, height, left, right, top, bottom = 400, 200, 44, 4, 12, 30
	c := barChart{ID: id, Title: label + "：每月新增", Class: "bar-" + class, KeyLabel: "月份", Width: width, Height: height, Rows: rows}
	peak, total, peakMonth := 0, 0, ""
	for _, r := range rows {
		total += r.Value
		if r.Value > peak {
			peak, peakMonth = r.Value, r.Label
		}
	}
	if total == 0 {
		c.Desc = "近 24 个月没有新增记录。"
	} else {
		c.Desc = fmt.Sprintf("近 24 个月合计 %s 条，最多的月份是 %s，%s 条。", formatNumber(total), peakMonth, formatNumber(peak))
	}
	max := niceMax(peak)
	plotW, plotH := float64(width-left-right), float64(height-top-bottom)
	base := float64(top) + plotH
	for _, frac := range []float64{0.5, 1} {
		y := round1(base - plotH*frac)
		c.Grid = append(c.Grid, gridLine{X1: left, X2: width - right, Y: y, LX: left - 6, LY: y + 4, Label: formatNumber(int(float64(max) * frac))})
	}
	c.Grid = append(c.Grid, gridLine{X1: left, X2: width - right, Y: base, LX: left - 6, LY: base + 4, Label: "0"})
	c.Axis = gridLine{X1: left, X2: width - right, Y: base}
	step := plotW / float64(len(rows))
	for i, r := range rows {
		h := plotH * float64(r.Value) / float64(max)
		if r.Value > 0 && h < 1 {
			h = 1
		}
		b := bar{X: round1(left + float64(i)*step + step*0.15), W: round1(step * 0.7), Y: round1(base - h), H: round1(h), Label: r.Label, Value: r.Value}
		switch {
		case i == len(rows)-1: // flush right, inside the picture
			b.Tick = &tick{X: round1(left + float64(i+1)*step), Y: base + 18, Label: r.Label, Anchor: "end"}
		case i%6 == 0:
			b.Tick = &tick{X: round1(left + float64(i)*step + step/2), Y: base + 18, Label: r.Label, Anchor: "middle"}
		}
		c.Bars = append(c.Bars, b)
	}
	// The newest month is always labelled; the regular label before it would collide with it.
	if n := len(rows); n > 6 && (n-1)%6 != 0 {
		c.Bars[(n-1)/6*6].Tick = nil
	}
	return c
}

// hbarChart draws one labelled horizontal bar per row: the label above the bar, so long
// authority names fit a phone's width.
func hbarChart(id, title, keyLabel, class string, rows []chartRow) barChart {
	const width, rowH, labelW = 400, 40, 56
	c := barChart{ID: id, Title: title, Class: "bar-" + class, KeyLabel: keyLabel, Width: width, Height: len(rows)*rowH + 4, Rows: rows}
	peak := 0
	for _, r := range rows {
		peak = max(peak, r.Value)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Value > rows[j].Value })
	if len(rows) > 0 {
		c.Desc = fmt.Sprintf("共 %d 项，最多的是%s，%s 条。", len(rows), rows[0].Label, formatNumber(rows[0].Value))
	}
	plotW := float64(width - labelW)
	for i, r := range rows {
		y := float64(i * rowH)
		w := 0.0
		if peak > 0 {
			w = round1(plotW * float64(r.Value) / float64(peak))
		}
		if r.Value > 0 && w < 1 {
			w = 1
		}
		c.Bars = append(c.Bars, bar{X: 0, Y: y + 20, W: w, H: 14, LX: 0, LY: y + 15, VX: round1(w + 6), VY: y + 32, Label: r.Label, Value: r.Value})
	}
	return c
}
