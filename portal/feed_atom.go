package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/region"
)

// Atom 1.0 (RFC 4287), written with encoding/xml so that every text is escaped.
type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID        string      `xml:"id"`
	Title     atomText    `xml:"title"`
	Subtitle  *atomText   `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Rights    string      `xml:"rights,omitempty"`
	Generator string      `xml:"generator,omitempty"`
	Entries   []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published,omitempty"`
	Links      []atomLink     `xml:"link"`
	Summary    *atomText      `xml:"summary,omitempty"`
	Categories []atomCategory `xml:"category"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

const atomType = "application/atom+xml; charset=utf-8"

// tagBase starts every feed and entry id: a tag URI (RFC 4151) that stays the same whatever
// host name the portal is reached under, so feed readers never see an entry twice.
func (s *Server) tagBase() string {
	host := "gongshi"
	if u, err := url.Parse(s.openDataOptions().BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	return "tag:" + host + ",2026:"
}

// siteBase is the absolute URL of the site: the configured base URL, else the request's host.
func (s *Server) siteBase(c *gin.Context) string {
	if b := s.openDataOptions().BaseURL; b != "" {
		return b
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

// dayTime is midnight of a day in China time, in Atom's date format.
func dayTime(day string) string {
	t, err := time.ParseInLocation(time.DateOnly, day, index.ChinaTime)
	if err != nil {
		return ""
	}
	return t.Format(time.RFC3339)
}

func atomTime(t time.Time) string { return t.In(index.ChinaTime).Format(time.RFC3339) }

func (s *Server) writeFeed(c *gin.Context, f *atomFeed) {
	f.Author = atomPerson{Name: s.openDataOptions().Publisher, URI: s.siteBase(c) + "/"}
	f.Generator = "gongshi"
	f.Rights = "数据可自由复制、下载和再利用，请注明来源及数据日期（" + s.openDataOptions().Licence + "）。"
	b, err := xml.MarshalIndent(f, "", "  ")
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if s.openDataOptions().BaseURL == "" {
		// The links come from the request's Host header, which the client chooses: a shared
		// cache (keyed without it) must not hand one client's links to everyone. --public-url
		// makes the links fixed and the feed cacheable.
		c.Header("Cache-Control", "private, max-age=300")
	} else {
		c.Header("Cache-Control", "public, max-age=300")
	}
	// Validators for feed readers that poll: the ETag is the feed's content, Last-Modified its
	// <updated>; http.ServeContent answers If-None-Match and If-Modified-Since with 304.
	body := append([]byte(xml.Header), b...)
	sum := sha256.Sum256(body)
	c.Header("Content-Type", atomType)
	c.Header("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
	mod, _ := time.Parse(time.RFC3339, f.Updated)
	http.ServeContent(c.Writer, c.Request, "", mod, bytes.NewReader(body))
}

// feedList: GET /feeds/{list}.atom — the newest additions to and removals from a list, from
// its change log; and GET /feeds/search.atom, a saved search.
func (s *Server) feedList(c *gin.Context) {
	file := c.Param("feed")
	name, ok := strings.CutSuffix(file, ".atom")
	if ok && name == "search" {
		s.feedSearch(c)
		return
	}
	l, found := dataset(name)
	if !ok || !found {
		s.noRoute(c)
		return
	}
	base := s.siteBase(c)
	keep := func(ch *opendata.Change) bool {
		return ch.Change == opendata.Added || ch.Change == opendata.Removed || ch.Reason == opendata.ReasonDelisted
	}
	changes, err := opendata.TailChanges(s.openDataRoot(), l.Name, 100, keep)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	f := &atomFeed{ID: s.tagBase() + "feeds/" + l.Name,
		Title:    atomText{Text: l.Label + "：新增与移出 · 公示"},
		Subtitle: &atomText{Text: l.Label + "（" + l.LabelEN + "）的新增、移出和不再公示的记录，每次生成开放数据文件时更新。"},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/feeds/" + l.Name + ".atom"},
			{Rel: "alternate", Type: "text/html", Href: base + listPageURL(l)}},
	}
	for _, ch := range changes {
		what, term := "新增", "added"
		switch {
		case ch.Change == opendata.Removed:
			what, term = "不再公示", "removed"
		case ch.Reason == opendata.ReasonDelisted:
			what, term = "移出", "delisted"
		}
		title := what + "：" + orElse(ch.EntityName, ch.EntityCode)
		if ch.Reason != "" && ch.Reason != what {
			title += "（" + ch.Reason + "）"
		}
		// The time the version was published, not the midnight before it: entries in the log
		// before versions carried that time have only their day.
		updated := dayTime(ch.Day)
		if t, err := time.Parse(time.RFC3339, ch.Published); err == nil {
			updated = atomTime(t)
		}
		// One entry per version: a record added, removed and added again on one day is three.
		e := atomEntry{ID: s.tagBase() + "changes/" + l.Name + "/" + orElse(ch.Version, ch.Day) + "/" + term + "/" + ch.ID,
			Title: atomText{Text: title}, Updated: updated,
			Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: base + entityURL(ch.EntityCode, ch.ID)}},
			Summary:    &atomText{Text: l.Label + " · " + ch.Day + " · " + what + " · " + ch.EntityCode + " · 记录编号 " + ch.ID},
			Categories: []atomCategory{{Term: term, Label: what}}}
		if ch.Reason != "" {
			e.Categories = append(e.Categories, atomCategory{Term: ch.Reason})
		}
		f.Entries = append(f.Entries, e)
	}
	for _, e := range f.Entries {
		if e.Updated > f.Updated { // one offset (China time), so the strings sort as times
			f.Updated = e.Updated
		}
	}
	switch {
	case f.Updated != "":
	case !s.dataModTime().IsZero():
		f.Updated = atomTime(s.dataModTime())
	default:
		f.Updated = atomTime(s.started)
	}
	s.writeFeed(c, f)
}

func listPageURL(l opendata.List) string {
	if l.Type == index.TypeEntity {
		return "/data/#list-entities"
	}
	return "/lists/" + l.Name
}

// feedEntity: GET /feeds/entities/{code}.atom — an entity's records that are public today,
// newest first.
func (s *Server) feedEntity(c *gin.Context) {
	input, ok := strings.CutSuffix(c.Param("feed"), ".atom")
	if !ok {
		s.noRoute(c)
		return
	}
	g := s.live.Acquire()
	if g == nil {
		s.apiFail(c, index.ErrNotReady)
		return
	}
	defer g.Release()
	v, err := s.entityView(c.Request.Context(), g, input)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if v == nil {
		abortError(c, errorOf(msgEntityNotFound))
		return
	}
	if input != v.Code {
		c.Redirect(http.StatusMovedPermanently, "/feeds/entities/"+url.PathEscape(v.Code)+".atom")
		return
	}
	base := s.siteBase(c)
	f := &atomFeed{ID: s.tagBase() + "entities/" + v.Code,
		Title:   atomText{Text: v.Name + "（" + v.Code + "）· 公示记录"},
		Updated: atomTime(g.Info.BuiltAt),
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/feeds/entities/" + url.PathEscape(v.Code) + ".atom"},
			{Rel: "alternate", Type: "text/html", Href: base + entityURL(v.Code, "")}},
	}
	recs := append([]*index.Record(nil), v.Records...) // public today, decisions applied
	sort.SliceStable(recs, func(i, j int) bool { return recordDay(recs[i]) > recordDay(recs[j]) })
	for _, r := range recs {
		summary := []string{r.Type.Label()}
		for _, k := range []string{"doc_no", "case_no", "category", "reason", "content", "result"} {
			if x := r.Fields[k]; x != "" {
				summary = append(summary, x)
			}
		}
		if r.Authority != "" {
			summary = append(summary, r.Authority)
		}
		if r.Removed != "" {
			summary = append(summary, "已于 "+r.Removed+" 移出")
		}
		if r.PublicUntil != "" {
			summary = append(summary, "公示至 "+r.PublicUntil)
		}
		title := r.Type.Label() + "：" + orElse(r.Fields["category"], orElse(r.Fields["reason"], orElse(r.Fields["doc_no"], r.Date)))
		f.Entries = append(f.Entries, atomEntry{ID: s.tagBase() + "records/" + r.ID, Title: atomText{Text: title},
			Updated: dayTime(recordDay(r)), Published: dayTime(r.Date),
			Links:      []atomLink{{Rel: "alternate", Type: "text/html", Href: base + entityURL(r.EntityCode, r.ID)}},
			Summary:    &atomText{Text: strings.Join(summary, " · ")},
			Categories: []atomCategory{{Term: string(r.Type), Label: r.Type.Label()}}})
	}
	s.writeFeed(c, f)
}

// recordDay is when a record last changed as far as its dates tell: its removal, else its date.
func recordDay(r *index.Record) string {
	if r.Removed > r.Date {
		return r.Removed
	}
	return r.Date
}

// feedSearch: GET /feeds/search.atom?q=&region=&has=&status=&type= — the first page of a
// search as a feed, one entry per entity.
func (s *Server) feedSearch(c *gin.Context) {
	req, err := searchRequest(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	req.Facets, req.Cursor = false, ""
	res, err := s.searcher.Search(c.Request.Context(), req)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	base := s.siteBase(c)
	q := c.Request.URL.Query()
	q.Del("cursor")
	canon := q.Encode() // sorted keys: the same search always has the same feed id
	info, _ := s.live.Current()
	title := "搜索"
	if req.Query != "" {
		title += "“" + req.Query + "”"
	}
	var filters []string
	if req.Region != "" {
		filters = append(filters, regionLabel(req.Region))
	}
	for _, h := range req.Has {
		filters = append(filters, index.BadgeLabel(h))
	}
	if len(filters) > 0 {
		title += "（" + strings.Join(filters, "、") + "）"
	}
	f := &atomFeed{ID: s.tagBase() + "search?" + canon, Title: atomText{Text: title + " · 公示"},
		Updated: atomTime(info.BuiltAt),
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + "/feeds/search.atom?" + canon},
			{Rel: "alternate", Type: "text/html", Href: base + "/search?" + canon}},
	}
	for _, h := range res.Results {
		summary := []string{h.Code, h.Status}
		if r := region.FullName(h.Region); r != "" {
			summary = append(summary, r)
		}
		for _, b := range h.Badges {
			summary = append(summary, index.BadgeLabel(b))
		}
		f.Entries = append(f.Entries, atomEntry{ID: s.tagBase() + "entities/" + h.Code, Title: atomText{Text: h.Name},
			Updated: atomTime(info.BuiltAt),
			Links:   []atomLink{{Rel: "alternate", Type: "text/html", Href: base + entityURL(h.Code, "")}},
			Summary: &atomText{Text: strings.Join(summary, " · ")}})
	}
	s.writeFeed(c, f)
}

// orElse returns v, or else the fallback when v is empty.
func orElse(v, fallback string) string {
	if v != "" {
		return v
	}
	return fallback
}
