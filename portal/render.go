package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/region"
	"github.com/gongshi/gongshi/static"
	"github.com/gongshi/gongshi/templates"
)

// layoutView is what the shared layout needs; Data is the page's own view.
type layoutView struct {
	Title       string // before the site name in <title>
	Description string
	Section     string // nav entry marked as current: a list name, "stats", "search" or "home"
	Query       string // value of the header search box
	HideSearch  bool   // the home page has its own big search box
	DataDate    string
	BuiltAt     time.Time
	Data        any
}

// pageTemplates holds one template set per page (the shared layout and partials plus the
// page), parsed once at start-up from the embedded files. A broken template stops the binary
// at start, not a visitor's request.
var pageTemplates = mustParseTemplates()

func mustParseTemplates() map[string]*template.Template {
	common := template.Must(template.New("common").Funcs(templateFuncs()).ParseFS(templates.FS, "common/*.html"))
	pages, err := fs.Glob(templates.FS, "*.html")
	if err != nil || len(pages) == 0 {
		panic(fmt.Sprintf("templates: no pages embedded (%v)", err))
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		t := template.Must(template.Must(common.Clone()).ParseFS(templates.FS, p))
		out[strings.TrimSuffix(p, ".html")] = t
	}
	return out
}

func templateFuncs() template.FuncMap {
	return template.FuncMap{
		"asset":       assetURL,
		"navLists":    navLists,
		"num":         formatNumber,
		"ms":          func(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) },
		"datetime":    formatDateTime,
		"badgeLabel":  index.BadgeLabel,
		"regionName":  region.Name,
		"regionFull":  region.FullName,
		"typeLabel":   func(t index.RecordType) string { return t.Label() },
		"fieldLabel":  fieldLabel,
		"statusClass": statusClass,
		"field":       formField,
	}
}

// render executes a page into a buffer first, so that a template error becomes a clean
// error page instead of half a page.
func (s *Server) render(c *gin.Context, status int, name string, v layoutView) {
	t := pageTemplates[name]
	if info, ok := s.live.Current(); ok {
		v.DataDate, v.BuiltAt = info.DataDate, info.BuiltAt
	}
	var buf bytes.Buffer
	err := fmt.Errorf("no template %q", name)
	if t != nil {
		err = t.ExecuteTemplate(&buf, "layout", v)
	}
	if err != nil {
		s.log.Error("render", "page", name, "err", err)
		if name != "error" {
			s.htmlError(c, http.StatusInternalServerError, "", "")
			return
		}
		c.Data(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("服务器内部错误，已记录。"))
		return
	}
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// Static assets: served from the embedded files with the first bytes of their SHA-256 in
// the URL, so they can be cached for a year and still change with every release.

type asset struct {
	body []byte
	hash string
}

var staticAssets = loadAssets()

func loadAssets() map[string]asset {
	out := map[string]asset{}
	err := fs.WalkDir(static.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) == ".go" {
			return err
		}
		b, err := fs.ReadFile(static.FS, p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		out[p] = asset{body: b, hash: hex.EncodeToString(h[:6])}
		return nil
	})
	if err != nil {
		panic("static: " + err.Error())
	}
	return out
}

func assetURL(name string) string {
	a, ok := staticAssets[name]
	if !ok {
		panic("static: no asset " + name) // caught at start-up by the template tests
	}
	return "/static/" + name + "?v=" + a.hash
}

// staticFile: GET /static/*file
func (s *Server) staticFile(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("file"), "/")
	a, ok := staticAssets[name]
	if !ok {
		s.noRoute(c)
		return
	}
	if c.Query("v") == a.hash {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		c.Header("Cache-Control", "public, max-age=300")
	}
	if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
		c.Header("Content-Type", ct)
	}
	c.Header("ETag", `"`+a.hash+`"`)
	http.ServeContent(c.Writer, c.Request, name, time.Time{}, bytes.NewReader(a.body))
}

// Shared view helpers.

// listLink is a list as linked from the navigation, the home page and the stats page.
type listLink struct {
	Name, Label, URL, Description string
	Type                          index.RecordType
	Count                         int
}

var listDescriptions = map[string]string{
	"blacklist":         "被市场监管部门列入严重违法失信名单的企业，移出后列入与移出记录仍可查。",
	"abnormal":          "未按期公示年度报告、通过登记住所无法联系等原因被列入经营异常名录的企业。",
	"dishonest-debtors": "人民法院公布的不履行生效法律文书确定义务的被执行人（单位）。",
	"penalties":         "行政机关作出、仍在公示期内的行政处罚决定。",
	"licenses":          "行政机关作出的行政许可决定。",
	"spot-checks":       "双随机、定向、专项抽查检查的结果。",
	"redlist":           "“守合同重信用”等守信激励名单。",
}

func navLists() []listLink {
	out := make([]listLink, len(index.Lists))
	for i, l := range index.Lists {
		out[i] = listLink{Name: l.Name, Label: l.Label, URL: "/lists/" + l.Name, Type: l.Type, Description: listDescriptions[l.Name]}
	}
	return out
}

// listLinksWithCounts adds to each list the number of records its page shows today.
func listLinksWithCounts(counts map[index.RecordType]int) []listLink {
	out := navLists()
	for i := range out {
		out[i].Count = counts[out[i].Type]
	}
	return out
}

// badgeView is one credit badge (严重失信, 经营异常 ...) with its CSS class suffix.
type badgeView struct{ Value, Label string }

func badgeViews(values []string) []badgeView {
	out := make([]badgeView, 0, len(values))
	for _, v := range values {
		if l := index.BadgeLabel(v); l != "" {
			out = append(out, badgeView{Value: v, Label: l})
		}
	}
	return out
}

// option is one choice of a select or radio group.
type option struct {
	Value, Label, ID string
	Count            int
	Selected         bool
}

// fieldView is one labelled value of a definition list.
type fieldView struct{ Label, Value string }

func fieldLabel(t index.RecordType, key string) string {
	if sc := index.SchemaOf(t); sc != nil {
		if f := sc.Field(key); f != nil {
			return f.Label
		}
	}
	return key
}

func statusClass(status string) string {
	if index.ActiveStatus(status) {
		return "status-active"
	}
	return "status-inactive"
}

// regionLabel names a region filter value of 2, 4 or 6 digits; the raw value when unknown.
func regionLabel(v string) string {
	code := v
	switch len(v) {
	case 2:
		code = v + "0000"
	case 4:
		code = v + "00"
	}
	if n := region.FullName(code); n != "" && len(code) == 6 {
		return n
	}
	return v
}

func formatNumber(v any) string {
	var n int64
	switch x := v.(type) {
	case int:
		n = int64(x)
	case int64:
		n = x
	case uint64:
		n = int64(x)
	case float64:
		n = int64(x)
	default:
		return fmt.Sprint(v)
	}
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func formatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(index.ChinaTime).Format("2006-01-02 15:04")
}

// withQuery returns base with the non-empty values as its query string.
func withQuery(base string, v url.Values) string {
	for k, vs := range v {
		keep := vs[:0]
		for _, x := range vs {
			if x != "" {
				keep = append(keep, x)
			}
		}
		if len(keep) == 0 {
			delete(v, k)
		} else {
			v[k] = keep
		}
	}
	if len(v) == 0 {
		return base
	}
	return base + "?" + v.Encode()
}

// entityURL is the page of an entity, optionally at one of its records.
func entityURL(code, recordID string) string {
	u := "/entities/" + url.PathEscape(code)
	if recordID != "" {
		u += "#" + recordID
	}
	return u
}

// formFieldView is one labelled input with its error, for the "field" partial.
type formFieldView struct {
	Name, Label, Value, Error, Type, Autocomplete string
}

func formField(name, label, value, err, typ, autocomplete string) formFieldView {
	return formFieldView{name, label, value, err, typ, autocomplete}
}
