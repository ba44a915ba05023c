package portal

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// pageSearch: GET /search?q=&region=&status=&type=&has=&cursor=
func (s *Server) pageSearch(c *gin.Context) {
	r, err := searchRequest(c)
	var res *index.SearchResponse
	if err == nil {
		res, err = s.searcher.Search(c.Request.Context(), r)
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
	title := "搜索"
	if r.Query != "" {
		title = "“" + r.Query + "”的搜索结果"
	}
	s.render(c, status, "search", layoutView{Title: title, Section: "search", Query: r.Query, Data: newSearchView(r, res, msg)})
}

type searchView struct {
	Query    string
	Size     int
	Error    string
	Hint     *hintView
	Total    uint64
	TookMS   float64
	Page2    bool
	Results  []hitView
	Close    []hitView // names that share most of the query (相近名称), after its own matches
	Groups   []filterGroup
	Active   []activeFilter
	ClearURL string
	NextURL  string
	FirstURL string
}

type hintView struct{ Message, Suggestion, URL string }

type hitView struct {
	index.Hit
	URL        string
	BadgeViews []badgeView
}

// filterGroup is one fieldset of the filter form.
type filterGroup struct {
	Legend, Param, InputType string
	Options                  []option
}

// activeFilter is a filter in force, with the URL that drops it.
type activeFilter struct{ Label, RemoveURL string }

// searchURL links to a search: the request's query and filters, with a cursor when given.
func searchURL(r index.SearchRequest, cursor string) string {
	v := url.Values{"q": {r.Query}, "region": {r.Region}, "status": {r.Status}, "type": {r.EntityType}, "has": r.Has, "cursor": {cursor}}
	if r.Size > 0 {
		v.Set("size", strconv.Itoa(r.Size))
	}
	return withQuery("/search", v)
}

var statusLabels = map[string]string{"active": "存续/在业", "inactive": "吊销/注销/迁出"}

func newSearchView(r index.SearchRequest, res *index.SearchResponse, errMsg string) searchView {
	v := searchView{Query: r.Query, Size: r.Size, Error: errMsg, Page2: r.Cursor != ""}
	bare := index.SearchRequest{Query: r.Query, Size: r.Size}
	v.ClearURL = searchURL(bare, "")
	// Filters in force, each with a link that drops it.
	drop := func(label string, change func(*index.SearchRequest)) {
		rr := r
		rr.Has = slices.Clone(r.Has)
		change(&rr)
		v.Active = append(v.Active, activeFilter{Label: label, RemoveURL: searchURL(rr, "")})
	}
	if r.Region != "" {
		drop("地区："+regionLabel(r.Region), func(x *index.SearchRequest) { x.Region = "" })
	}
	if r.Status != "" {
		drop("状态："+labelOr(statusLabels[r.Status], r.Status), func(x *index.SearchRequest) { x.Status = "" })
	}
	if r.EntityType != "" {
		drop("类型："+r.EntityType, func(x *index.SearchRequest) { x.EntityType = "" })
	}
	for i, h := range r.Has {
		drop("记录："+labelOr(index.BadgeLabel(h), h), func(x *index.SearchRequest) { x.Has = slices.Delete(x.Has, i, i+1) })
	}
	if res == nil {
		return v
	}
	v.Total, v.TookMS = res.Total, res.TookMS
	if h := res.Hint; h != nil && h.Message != "" {
		v.Hint = &hintView{Message: h.Message, Suggestion: h.Suggestion}
		if h.Suggestion != "" {
			v.Hint.URL = searchURL(index.SearchRequest{Query: h.Suggestion}, "")
		}
	}
	for _, h := range res.Results {
		hv := hitView{Hit: h, URL: entityURL(h.Code, ""), BadgeViews: badgeViews(h.Badges)}
		if h.Tier == index.TierClose {
			v.Close = append(v.Close, hv)
		} else {
			v.Results = append(v.Results, hv)
		}
	}
	if res.NextCursor != "" {
		v.NextURL = searchURL(r, res.NextCursor)
	}
	if r.Cursor != "" {
		v.FirstURL = searchURL(r, "")
	}
	if res.Facets != nil {
		v.Groups = searchFilterGroups(r, res.Facets)
	}
	return v
}

func labelOr(label, raw string) string {
	if label != "" {
		return label
	}
	return raw
}

// searchFilterGroups turns the facets into radio groups (one value) and a checkbox group
// (records: several at once). A value in force stays listed even when it has no bucket.
func searchFilterGroups(r index.SearchRequest, facets map[string][]index.FacetValue) []filterGroup {
	single := func(param, legend, current string, values []index.FacetValue, label func(string) string) filterGroup {
		g := filterGroup{Legend: legend, Param: param, InputType: "radio"}
		g.Options = append(g.Options, option{Value: "", Label: "不限", Selected: current == ""})
		found := false
		for _, f := range values {
			sel := f.Value == current
			found = found || sel
			g.Options = append(g.Options, option{Value: f.Value, Label: labelOr(f.Label, f.Value), Count: f.Count, Selected: sel})
		}
		if current != "" && !found {
			g.Options = append(g.Options, option{Value: current, Label: label(current), Selected: true})
		}
		return g
	}
	var groups []filterGroup
	for _, g := range []filterGroup{
		single("region", "地区", r.Region, facets["region"], regionLabel),
		single("status", "登记状态", r.Status, facets["status"], func(v string) string { return labelOr(statusLabels[v], v) }),
		single("type", "企业类型", r.EntityType, facets["type"], func(v string) string { return v }),
	} {
		if len(g.Options) > 1 { // more than "不限": there is something to choose
			groups = append(groups, g)
		}
	}
	has := filterGroup{Legend: "信用记录", Param: "has", InputType: "checkbox"}
	seen := map[string]bool{}
	for _, f := range facets["has"] {
		seen[f.Value] = true
		has.Options = append(has.Options, option{Value: f.Value, Label: labelOr(f.Label, f.Value), Count: f.Count, Selected: slices.Contains(r.Has, f.Value)})
	}
	for _, h := range r.Has {
		if !seen[h] {
			seen[h] = true
			has.Options = append(has.Options, option{Value: h, Label: labelOr(index.BadgeLabel(h), h), Selected: true})
		}
	}
	if len(has.Options) > 0 {
		groups = append(groups, has)
	}
	for gi := range groups {
		for oi := range groups[gi].Options {
			groups[gi].Options[oi].ID = "f-" + groups[gi].Param + "-" + strconv.Itoa(oi)
		}
	}
	return groups
}
