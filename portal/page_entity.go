package portal

import (
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// pageEntity: GET /entities/:code — any form of code; redirects to the canonical one.
func (s *Server) pageEntity(c *gin.Context) {
	g := s.live.Acquire()
	if g == nil {
		s.pageFail(c, index.ErrNotReady)
		return
	}
	defer g.Release()
	input := c.Param("code")
	v, err := s.entityView(c.Request.Context(), g, input)
	if err != nil {
		s.pageFail(c, err)
		return
	}
	if v == nil {
		s.htmlError(c, http.StatusNotFound, "未找到该市场主体",
			"没有与“"+input+"”对应的市场主体。请核对代码是否完整（统一社会信用代码 18 位、注册号 15 位、组织机构代码 9 位），或用名称片段搜索。")
		return
	}
	if input != v.Code {
		c.Redirect(http.StatusMovedPermanently, entityURL(v.Code, ""))
		return
	}
	s.render(c, http.StatusOK, "entity", layoutView{Title: v.Name, Description: v.Name + "（" + v.Code + "）的登记信息和公示记录。", Data: newEntityPage(v)})
}

type entityPage struct {
	E       *EntityJSON
	Basics  []fieldView
	Badges  []badgeView
	Groups  []recordGroup
	JSONURL string
}

type recordGroup struct {
	Type    index.RecordType
	Label   string
	Anchor  string
	Records []recordView
}

type recordView struct {
	ID           string
	Title        string
	Until        string
	Timeline     []timelineEntry
	Fields       []fieldView
	Permalink    string
	ObjectionURL string
	Objection    string // "存在异议 · 处理中（… 起）" while an objection is pending
	Note         string // the outcome of a decided objection (已更正 / 经核查无法确认)
}

type timelineEntry struct{ What, Class, Date, Authority, Reason string }

// shownApart are record fields the page shows outside the field list.
var shownApart = map[string]bool{"code": true, "name": true, "public_until": true}

// listHistoryFields are the listing and removal fields shown as a timeline.
var listHistoryFields = map[string]bool{"reason": true, "list_date": true, "authority": true, "removal_reason": true, "removal_date": true, "removal_authority": true}

func newEntityPage(e *EntityJSON) entityPage {
	p := entityPage{E: e, JSONURL: "/api/v1/entities/" + url.PathEscape(e.Code)}
	for _, f := range index.SchemaOf(index.TypeEntity).Fields {
		if f.Key == "former_names" {
			continue // listed below the basics
		}
		if val := e.Fields[f.Key]; val != "" {
			p.Basics = append(p.Basics, fieldView{Label: f.Label, Value: val})
		}
	}
	var has []string
	for _, r := range e.Records {
		if len(p.Groups) == 0 || p.Groups[len(p.Groups)-1].Type != r.Type {
			anchor := index.ListName(r.Type)
			if anchor == "" {
				anchor = string(r.Type)
			}
			p.Groups = append(p.Groups, recordGroup{Type: r.Type, Label: r.Type.Label(), Anchor: "records-" + anchor})
		}
		grp := &p.Groups[len(p.Groups)-1]
		grp.Records = append(grp.Records, newRecordView(e, r))
		has = append(has, recordBadge(r, e.AsOf))
	}
	var badges []string
	for _, hv := range index.HasValues { // the search results' order: most serious first
		if slices.Contains(has, hv.Value) {
			badges = append(badges, hv.Value)
		}
	}
	p.Badges = badgeViews(badges)
	return p
}

// recordBadge is the badge a public record earns its entity, or "".
func recordBadge(r *index.Record, today string) string {
	switch r.Type {
	case index.TypeBlacklist:
		if r.Listed(today) {
			return index.HasBlacklist
		}
	case index.TypeAbnormal:
		if r.Listed(today) {
			return index.HasAbnormal
		}
	case index.TypeDishonestDebtor:
		if r.Removed == "" {
			return index.HasDebtor
		}
	case index.TypePenalty:
		return index.HasPenalty
	case index.TypeRedlist:
		return index.HasRedlist
	}
	return ""
}

func newRecordView(e *EntityJSON, r *index.Record) recordView {
	f := r.Fields
	v := recordView{ID: r.ID, Permalink: entityURL(e.Code, r.ID), ObjectionURL: "/objections/new?record=" + url.QueryEscape(r.ID)}
	v.Title = r.Title()
	if r.ObjectionSince != "" {
		v.Objection = "存在异议 · 处理中（" + r.ObjectionSince + " 起）"
	}
	v.Note = f["correction_note"]
	switch {
	case r.PublicUntil != "":
		v.Until = r.PublicUntil
	case r.Type.IsList():
		v.Until = "无固定截止日期（在名单期间持续公示；移出后，列入与移出记录作为历史继续公示）"
	default:
		v.Until = "未设定（按公示期限规定执行）"
	}
	skip := shownApart
	if r.Type.IsList() {
		skip = listHistoryFields
		v.Timeline = append(v.Timeline, timelineEntry{What: "列入", Class: "on", Date: labelOr(f["list_date"], r.Date), Authority: labelOr(f["authority"], r.Authority), Reason: f["reason"]})
		if r.Removed != "" {
			v.Timeline = append(v.Timeline, timelineEntry{What: "移出", Class: "off", Date: r.Removed, Authority: f["removal_authority"], Reason: f["removal_reason"]})
		} else {
			v.Timeline = append(v.Timeline, timelineEntry{What: "尚未移出（截至 " + e.AsOf + " 仍在" + r.Type.Label() + "中）", Class: "on"})
		}
	}
	if sc := index.SchemaOf(r.Type); sc != nil {
		for _, fd := range sc.Fields {
			if shownApart[fd.Key] || skip[fd.Key] || f[fd.Key] == "" {
				continue
			}
			v.Fields = append(v.Fields, fieldView{Label: fd.Label, Value: f[fd.Key]})
		}
	}
	return v
}
