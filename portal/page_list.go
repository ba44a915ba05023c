package portal

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/region"
)

// pageList: GET /lists/:list — one public list, newest first, with filters.
func (s *Server) pageList(c *gin.Context) {
	name := c.Param("list")
	t := index.ListType(name)
	if t == "" {
		s.htmlError(c, http.StatusNotFound, "没有这个名单", "没有名为“"+name+"”的名单。可浏览的名单见页面上方的导航。")
		return
	}
	r, err := listRequest(c, t)
	var res *index.ListResponse
	if err == nil {
		res, err = s.searcher.List(c.Request.Context(), r)
	}
	status, msg := http.StatusOK, ""
	var bre *index.BadRequestError
	switch {
	case errors.As(err, &bre):
		status, msg = http.StatusBadRequest, bre.Message
	case err != nil:
		s.pageFail(c, err)
		return
	}
	dataYear := s.today()[:4]
	if info, ok := s.live.Current(); ok && len(info.DataDate) >= 4 {
		dataYear = info.DataDate[:4]
	}
	v := newListView(name, r, res, msg, dataYear)
	s.render(c, status, "list", layoutView{Title: v.Label, Description: v.Description, Section: name, Data: v})
}

type listView struct {
	Name, Label, Description          string
	URL, DownloadURL, FeedURL, APIURL string
	Form                              index.ListRequest
	Provinces, Years, Authorities     []option
	States                            []option
	Error                             string
	Total                             uint64
	TookMS                            float64
	Filtered                          bool
	listColumns
	Rows     []listRow
	NextURL  string
	FirstURL string
}

type listRow struct {
	URL, Name, Code, Date          string
	Summary, SummarySub, Authority string
	Extra, ExtraClass              string
}

// listColumns are a list type's column headings and how a record fills them.
type listColumns struct {
	NameLabel, DateLabel, SummaryLabel, AuthorityLabel, ExtraLabel string
	fill                                                           func(r *index.Record, row *listRow)
}

func listState(r *index.Record, row *listRow) {
	if r.Removed != "" {
		row.Extra, row.ExtraClass = "已于 "+r.Removed+" 移出", "state-removed"
	} else {
		row.Extra, row.ExtraClass = "当前列入", "state-current"
	}
}

var columnsByType = map[index.RecordType]listColumns{
	index.TypeBlacklist: {"企业名称", "列入日期", "列入原因", "列入决定机关", "状态", func(r *index.Record, row *listRow) {
		row.Summary = r.Fields["reason"]
		listState(r, row)
	}},
	index.TypeAbnormal: {"企业名称", "列入日期", "列入原因", "列入决定机关", "状态", func(r *index.Record, row *listRow) {
		row.Summary = r.Fields["reason"]
		listState(r, row)
	}},
	index.TypeDishonestDebtor: {"被执行人", "发布时间", "案号 / 履行情况", "执行法院", "状态", func(r *index.Record, row *listRow) {
		row.Summary, row.SummarySub = r.Fields["case_no"], r.Fields["performance"]
		listState(r, row)
	}},
	index.TypePenalty: {"当事人", "处罚决定日期", "处罚类别 / 决定书文号", "处罚机关", "公示截止期", func(r *index.Record, row *listRow) {
		row.Summary, row.SummarySub = labelOr(r.Fields["category"], r.Fields["content"]), r.Fields["doc_no"]
		row.Extra = r.PublicUntil
	}},
	index.TypeLicense: {"行政相对人", "许可决定日期", "许可内容 / 文书号", "许可机关", "有效期至", func(r *index.Record, row *listRow) {
		row.Summary, row.SummarySub = labelOr(r.Fields["cert_name"], r.Fields["content"]), r.Fields["doc_no"]
		row.Extra = r.Fields["valid_to"]
	}},
	index.TypeSpotCheck: {"企业名称", "检查日期", "类型 / 结果", "检查实施机关", "", func(r *index.Record, row *listRow) {
		row.Summary, row.SummarySub = r.Fields["check_type"], r.Fields["result"]
	}},
	index.TypeRedlist: {"企业名称", "公示年度", "连续公示年限", "公示机关", "", func(r *index.Record, row *listRow) {
		row.Date = r.Fields["year"]
		if y := r.Fields["years"]; y != "" {
			row.Summary = y + " 年"
		}
	}},
}

// listURL links to a list page with the request's filters, and a cursor when given.
func listURL(name string, r index.ListRequest, cursor string) string {
	v := url.Values{"region": {r.Region}, "year": {r.Year}, "authority": {r.Authority}, "name": {r.Name}, "state": {r.State}, "cursor": {cursor}}
	if r.Size > 0 {
		v.Set("size", strconv.Itoa(r.Size))
	}
	return withQuery("/lists/"+name, v)
}

func newListView(name string, r index.ListRequest, res *index.ListResponse, errMsg, dataYear string) listView {
	v := listView{Name: name, Label: listLabel(name), Description: listDescriptions[name], URL: "/lists/" + name,
		DownloadURL: "/data/" + name + "/latest/", FeedURL: "/feeds/" + name + ".atom", APIURL: "/api/v1/lists/" + name,
		Form: r, Error: errMsg, listColumns: columnsByType[r.Type]}
	v.Filtered = r.Region != "" || r.Year != "" || r.Authority != "" || r.Name != "" || r.State != ""
	var facets map[string][]index.FacetValue
	if res != nil {
		v.Total, v.TookMS, facets = res.Total, res.TookMS, res.Facets
	}
	v.Provinces = provinceOptions(r.Region, facets["region"])
	v.Years = yearOptions(r.Year, dataYear, facets["year"])
	for _, a := range facets["authority"] {
		v.Authorities = append(v.Authorities, option{Value: a.Value, Label: a.Label + "（" + strconv.Itoa(a.Count) + "）"})
	}
	if r.Type.HasListState() {
		for _, st := range []option{{Value: "current", Label: "当前列入"}, {Value: "removed", Label: "已移出"}} {
			st.Selected = r.State == st.Value
			v.States = append(v.States, st)
		}
	}
	if res == nil {
		return v
	}
	for _, rec := range res.Records {
		row := listRow{URL: entityURL(rec.EntityCode, rec.ID), Name: labelOr(rec.EntityName, rec.EntityCode), Code: rec.EntityCode,
			Date: rec.Date, Authority: rec.Authority}
		if v.fill != nil {
			v.fill(rec, &row)
		}
		v.Rows = append(v.Rows, row)
	}
	if res.NextCursor != "" {
		v.NextURL = listURL(name, r, res.NextCursor)
	}
	if r.Cursor != "" {
		v.FirstURL = listURL(name, r, "")
	}
	return v
}

func listLabel(name string) string {
	for _, l := range index.Lists {
		if l.Name == name {
			return l.Label
		}
	}
	return name
}

// provinceOptions lists every province by code, with the facet's counts where known; a
// value in force that is no province stays selectable so the form shows what was asked.
func provinceOptions(current string, counts []index.FacetValue) []option {
	n := map[string]int{}
	for _, f := range counts {
		n[f.Value] = f.Count
	}
	provs := region.Provinces()
	codes := make([]string, 0, len(provs))
	for c := range provs {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var out []option
	found := current == ""
	for _, c := range codes {
		label := provs[c]
		if k, ok := n[c]; ok {
			label += "（" + strconv.Itoa(k) + "）"
		}
		sel := current == c || current == c[:2]
		found = found || sel
		out = append(out, option{Value: c, Label: label, Selected: sel})
	}
	if !found {
		out = append(out, option{Value: current, Label: regionLabel(current), Selected: true})
	}
	return out
}

// yearOptions offers the ten years up to the data's year, any other year the facet knows,
// and the year in force.
func yearOptions(current, dataYear string, counts []index.FacetValue) []option {
	n := map[string]int{}
	years := []string{}
	if y, err := strconv.Atoi(dataYear); err == nil {
		for i := 0; i < 10; i++ {
			years = append(years, strconv.Itoa(y-i))
		}
	}
	for _, f := range counts {
		n[f.Value] = f.Count
		if !slices.Contains(years, f.Value) {
			years = append(years, f.Value)
		}
	}
	if current != "" && !slices.Contains(years, current) {
		years = append(years, current)
	}
	slices.SortFunc(years, func(a, b string) int {
		switch {
		case a > b:
			return -1
		case a < b:
			return 1
		}
		return 0
	})
	out := make([]option, 0, len(years))
	for _, y := range years {
		label := y + " 年"
		if k, ok := n[y]; ok {
			label += "（" + strconv.Itoa(k) + "）"
		}
		out = append(out, option{Value: y, Label: label, Selected: y == current})
	}
	return out
}
