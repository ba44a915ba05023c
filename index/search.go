package index

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/region"
	"github.com/gongshi/gongshi/index/uscc"
)

// Limits of one search request.
const (
	DefaultPageSize = 20
	MaxPageSize     = 50
	DefaultTimeout  = 3 * time.Second
)

// BadRequestError is a problem with the user's request (400), with a Chinese message for pages.
type BadRequestError struct {
	Code      string
	Message   string // Chinese
	MessageEN string
}

func (e *BadRequestError) Error() string { return e.MessageEN }

func badRequest(code, zh, en string) error {
	return &BadRequestError{Code: code, Message: zh, MessageEN: en}
}

// ErrNotReady is returned before a generation is loaded.
var ErrNotReady = errors.New("no index generation loaded yet")

// EntityGroups are the values of the entity-type filter.
var EntityGroups = []string{"有限责任公司", "股份有限公司", "分支机构", "个体工商户", "农民专业合作社", "合伙企业", "个人独资企业", "其他企业", "其他"}

// HasValues are the values of the has-records filter, with their badge labels.
var HasValues = []struct{ Value, Label string }{
	{HasBlacklist, "严重失信"}, {HasAbnormal, "经营异常"}, {HasDebtor, "失信被执行人"},
	{HasPenalty, "行政处罚"}, {HasRedlist, "守信红名单"}, {HasLicense, "行政许可"}, {HasSpotCheck, "抽查检查"},
}

// SearchRequest is one search for entities.
type SearchRequest struct {
	Query      string
	Region     string // 2, 4 or 6 digits: province, prefecture or county
	Status     string // active | inactive
	EntityType string
	Has        []string
	Size       int
	Cursor     string
	Today      string // YYYY-MM-DD, for what is public now
	Facets     bool
	// Close fills a first page that the query's own matches leave short with names that
	// share most of it (TierClose), after them: what a citizen's search wants, where a typo
	// would otherwise answer "nothing found". Off, the answer is the strict matches only.
	Close bool
}

// SearchResponse is the answer.
type SearchResponse struct {
	Total      uint64                  `json:"total"`
	TookMS     float64                 `json:"took_ms"`
	Class      QueryClass              `json:"class"`
	Results    []Hit                   `json:"results"`
	Facets     map[string][]FacetValue `json:"facets,omitempty"`
	NextCursor string                  `json:"next_cursor,omitempty"`
	Hint       *Hint                   `json:"hint,omitempty"`
}

// Hit is one entity found.
type Hit struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Status      string   `json:"status"`
	Region      string   `json:"region"`
	RegionName  string   `json:"region_name,omitempty"`
	EntityType  string   `json:"entity_type,omitempty"`
	Badges      []string `json:"badges"`
	Highlight   string   `json:"highlight"`              // HTML: escaped name with <mark> around matches
	FormerMatch string   `json:"former_match,omitempty"` // the former name (曾用名) that matched
	Parts       []Part   `json:"-"`                      // the highlight as parts, for templates
	FormerParts []Part   `json:"-"`
	// Tier is TierClose for a name that shares most of the query but does not hold it
	// (相近名称), after every strict match; empty for a match of the query.
	Tier string `json:"tier,omitempty"`
}

// FacetValue is one bucket of a facet.
type FacetValue struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Searcher searches the serving generation.
type Searcher struct {
	Live    *Live
	Timeout time.Duration
	Now     func() time.Time
	// Overlay hides revoked records, applies corrections and marks pending objections between
	// generation builds (nil: none).
	Overlay Overlay
}

func (s *Searcher) today(req string) string {
	if req != "" {
		return req
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	return now().In(ChinaTime).Format(time.DateOnly)
}

// ChinaTime is the time zone publication periods are counted in.
var ChinaTime = time.FixedZone("CST", 8*3600)

type cursor struct {
	Tier  int      `json:"t"`
	After []string `json:"a"`
	Total uint64   `json:"n"`
	Seen  uint64   `json:"s,omitempty"` // hits on the pages before (one-pass tiered search)
	Hash  string   `json:"h"`
}

func (r *SearchRequest) hash() string {
	h := sha256.Sum256([]byte(strings.Join([]string{r.Query, r.Region, r.Status, r.EntityType, strings.Join(r.Has, ","), strconv.Itoa(r.Size)}, "\x00")))
	return base64.RawURLEncoding.EncodeToString(h[:6])
}

func (r *SearchRequest) decodeCursor() (*cursor, error) {
	if r.Cursor == "" {
		return nil, nil
	}
	return r.decodeCursorString(r.Cursor)
}

func (r *SearchRequest) decodeCursorString(s string) (*cursor, error) {
	bad := badRequest("bad_cursor", "翻页参数无效或已过期，请从第一页重新浏览。", "cursor is invalid or belongs to another query")
	if len(s) > 1024 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if json.Unmarshal(b, &c) != nil || c.Hash != r.hash() || len(c.After) == 0 || len(c.After) > maxCursorAfter || c.Tier < 0 || c.Tier > 3 {
		return nil, bad
	}
	for _, v := range c.After {
		if len(v) > 128 {
			return nil, bad
		}
	}
	return &c, nil
}

func (r *SearchRequest) encodeCursor(c cursor) string {
	c.Hash = r.hash()
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// filters turns the request's filters into queries; an unknown value is a 400. The first is
// always kind:e (searchTiered checks it in the columns instead).
func (r *SearchRequest) filters(today string) ([]query.Query, error) {
	fs := []query.Query{termQ(KindEntity, FieldKind, 0)}
	if reg := strings.TrimSpace(r.Region); reg != "" {
		if !allDigits(reg) {
			return nil, badRequest("bad_region", "地区代码应为2、4或6位数字。", "region must be 2, 4 or 6 digits")
		}
		switch {
		case len(reg) == 2 || len(reg) == 6 && strings.HasSuffix(reg, "0000"):
			fs = append(fs, termQ(reg[:2]+"0000", FieldProvince, 0))
		case len(reg) == 4 || len(reg) == 6 && strings.HasSuffix(reg, "00"):
			fs = append(fs, termQ(reg[:4]+"00", FieldCity, 0))
		case len(reg) == 6:
			fs = append(fs, termQ(reg, FieldRegion, 0))
		default:
			return nil, badRequest("bad_region", "地区代码应为2、4或6位数字。", "region must be 2, 4 or 6 digits")
		}
	}
	switch r.Status {
	case "":
	case "active":
		fs = append(fs, termQ("1", FieldActive, 0))
	case "inactive":
		fs = append(fs, termQ("0", FieldActive, 0))
	default:
		return nil, badRequest("bad_status", "状态只能是 active（存续/在业）或 inactive（吊销/注销等）。", "status must be active or inactive")
	}
	if t := r.EntityType; t != "" {
		if !contains(EntityGroups, t) {
			return nil, badRequest("bad_type", "未知的企业类型。", "unknown entity type; one of "+strings.Join(EntityGroups, ", "))
		}
		fs = append(fs, termQ(t, FieldEntityType, 0))
	}
	for _, h := range r.Has {
		switch {
		case h == HasPenalty:
			// A penalty public today: a check of the penalty_until column (see penaltyQuery).
			fs = append(fs, &penaltyQuery{day: uint32(DayNumber(today))})
		case hasLabel(h) != "":
			fs = append(fs, termQ(h, FieldHas, 0))
		default:
			return nil, badRequest("bad_has", "未知的记录类型筛选。", "unknown has value")
		}
	}
	return fs, nil
}

func hasLabel(v string) string {
	for _, h := range HasValues {
		if h.Value == v {
			return h.Label
		}
	}
	return ""
}

// rankSort orders hits inside a tier: shorter names first (the query covers more of them),
// active before deregistered, then by code so that ties are stable. The three are one keyword
// with doc values: one doc-value visit per hit, and no stored-ID fetch for the tie-break.
var rankSort = []string{FieldRank}

// maxCursorAfter is the longest sort key a cursor carries: a tier and a rank.
const maxCursorAfter = 2

// Search runs a search over the serving generation.
func (s *Searcher) Search(ctx context.Context, r SearchRequest) (*SearchResponse, error) {
	start := time.Now()
	pq, err := ParseQuery(r.Query)
	if err != nil {
		return nil, badRequest("query_too_long", fmt.Sprintf("搜索词太长：最多 %d 个字符。", MaxQueryRunes), err.Error())
	}
	if r.Size <= 0 {
		r.Size = DefaultPageSize
	}
	if r.Size > MaxPageSize {
		r.Size = MaxPageSize
	}
	today := s.today(r.Today)
	fs, err := r.filters(today)
	if err != nil {
		return nil, err
	}
	cur, err := r.decodeCursor()
	if err != nil {
		return nil, err
	}
	g := s.Live.Acquire()
	if g == nil {
		return nil, ErrNotReady
	}
	defer g.Release()

	if pq.Class == ClassCode && len(fs) == 1 && cur == nil {
		// A code without filters names one entity: the doc store answers it without a search.
		if out, ok, err := s.codeLookup(ctx, g, pq, today, r.Facets); err != nil || ok {
			if out != nil {
				out.TookMS = float64(time.Since(start).Microseconds()) / 1000
			}
			return out, err
		}
	}

	return s.searchTiered(ctx, g, pq, r, fs, cur, today, start)
}

// searchError maps Bleve's refusals to a clear 400 or a timeout.
func searchError(err error) error {
	msg := err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "context deadline exceeded"):
		return badRequest("too_broad", "搜索范围太大，请输入更具体的名称片段或增加筛选条件。", "search timed out: make the query more specific")
	case strings.Contains(msg, "TooManyClauses") || strings.Contains(msg, "too many clauses"):
		return badRequest("too_broad", "搜索范围太大，请输入更具体的名称片段。", "query expands to too many terms")
	}
	return err
}

func (s *Searcher) hits(ctx context.Context, g *Generation, pq *ParsedQuery, hits []*search.DocumentMatch, known map[string]*Entity, today string, out *SearchResponse) error {
	codes := make([]string, 0, len(hits))
	for _, h := range hits {
		if known[h.ID] == nil {
			codes = append(codes, h.ID)
		}
	}
	ents, err := g.Cards(ctx, codes)
	if err != nil {
		return err
	}
	for code, e := range known {
		ents[code] = e
	}
	touched, err := s.entitiesWithHiddenRecords(ctx, g)
	if err != nil {
		return err
	}
	for _, h := range hits {
		e := ents[h.ID]
		if e == nil {
			continue
		}
		hit := Hit{Code: e.Code, Name: e.Name, Status: e.Status, Region: e.Region, RegionName: region.FullName(e.Region),
			EntityType: e.EntityType, Badges: badges(h, today)}
		if touched[e.Code] {
			// A decision since the build removed one of its records: count badges afresh.
			if hit.Badges, err = s.liveBadges(ctx, g, e.Code, today); err != nil {
				return err
			}
		}
		hit.Parts = Highlight(e.Name, pq.Words)
		if !anyMark(hit.Parts) {
			for _, fn := range e.FormerNames {
				if parts := Highlight(fn, pq.Words); anyMark(parts) || fold.Key(fn) == pq.Key {
					hit.FormerMatch, hit.FormerParts = fn, parts
					break
				}
			}
		}
		hit.Highlight = PartsHTML(hit.Parts)
		out.Results = append(out.Results, hit)
	}
	return nil
}

func badges(h *search.DocumentMatch, today string) []string {
	var has []string
	switch v := h.Fields[FieldHas].(type) {
	case string:
		has = []string{v}
	case []interface{}:
		for _, x := range v {
			if s, ok := x.(string); ok {
				has = append(has, s)
			}
		}
	}
	if pu, ok := h.Fields[FieldPenaltyUntil].(float64); ok && pu >= DayNumber(today) {
		has = append(has, HasPenalty)
	}
	out := []string{}
	for _, hv := range HasValues { // fixed order: most serious first
		if hv.Value != HasLicense && hv.Value != HasSpotCheck && contains(has, hv.Value) {
			out = append(out, hv.Value)
		}
	}
	return out
}

// BadgeLabel returns the Chinese label of a badge.
func BadgeLabel(v string) string { return hasLabel(v) }

// facetCounts are counts by facet ("region", "status", "type", "has") and value.
type facetCounts map[string]map[string]int

func (fc facetCounts) add(facet, value string, n int) {
	if n == 0 || value == "" {
		return
	}
	if fc[facet] == nil {
		fc[facet] = map[string]int{}
	}
	fc[facet][value] += n
}

// activeValue names the values of FieldActive in the status facet.
var activeValue = map[string]string{"1": "active", "0": "inactive"}

// labelled returns the counts with their Chinese labels, most frequent first.
func (fc facetCounts) labelled() map[string][]FacetValue {
	label := map[string]func(string) string{
		"region": region.Name,
		"status": func(v string) string {
			if v == "active" {
				return "存续/在业"
			}
			return "吊销/注销/迁出"
		},
		"type": func(v string) string { return v },
		"has":  hasLabel,
	}
	out := map[string][]FacetValue{}
	for name, vals := range fc {
		for v, n := range vals {
			out[name] = append(out[name], FacetValue{Value: v, Label: label[name](v), Count: n})
		}
		sort.Slice(out[name], func(i, j int) bool {
			a, b := out[name][i], out[name][j]
			return a.Count > b.Count || a.Count == b.Count && a.Value < b.Value
		})
	}
	return out
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// entitiesWithHiddenRecords returns the codes of entities that lost a record to a decision
// taken after the generation was built.
func (s *Searcher) entitiesWithHiddenRecords(ctx context.Context, g *Generation) (map[string]bool, error) {
	if s.Overlay == nil {
		return nil, nil
	}
	hidden, err := s.Overlay.Hidden(ctx)
	if err != nil || len(hidden) == 0 {
		return nil, err
	}
	ids := make([]string, 0, len(hidden))
	for id := range hidden {
		ids = append(ids, id)
	}
	recs, err := g.Docs.Records(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, r := range recs {
		out[r.EntityCode] = true
	}
	return out, nil
}

// liveBadges computes an entity's badges from its public records with the overlay applied.
func (s *Searcher) liveBadges(ctx context.Context, g *Generation, code, today string) ([]string, error) {
	recs, err := g.Docs.RecordDatesOf(ctx, code)
	if err != nil {
		return nil, err
	}
	if recs, err = ApplyOverlay(ctx, recs, s.Overlay); err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, r := range recs {
		if !r.PublicOn(today) {
			continue
		}
		switch r.Type {
		case TypeBlacklist:
			has[HasBlacklist] = has[HasBlacklist] || r.Listed(today)
		case TypeAbnormal:
			has[HasAbnormal] = has[HasAbnormal] || r.Listed(today)
		case TypeDishonestDebtor:
			has[HasDebtor] = has[HasDebtor] || r.Removed == ""
		case TypePenalty:
			has[HasPenalty] = true
		case TypeRedlist:
			has[HasRedlist] = true
		}
	}
	out := []string{}
	for _, hv := range HasValues {
		if has[hv.Value] {
			out = append(out, hv.Value)
		}
	}
	return out, nil
}

// codeLookup answers a code query from the doc store. ok is false when the code is not known
// as exactly one entity's, and the search path decides.
func (s *Searcher) codeLookup(ctx context.Context, g *Generation, pq *ParsedQuery, today string, withFacets bool) (*SearchResponse, bool, error) {
	// A USCC is usually an entity's own code, whose card the columns hold; other codes
	// (注册号, organisation codes) are resolved through the document store.
	e := g.card(uscc.Normalize(pq.Code))
	if e == nil {
		var err error
		if e, err = g.ResolveEntity(ctx, pq.Code); err != nil || e == nil {
			return nil, false, err
		}
	}
	badges, err := s.liveBadges(ctx, g, e.Code, today)
	if err != nil {
		return nil, false, err
	}
	hit := Hit{Code: e.Code, Name: e.Name, Status: e.Status, Region: e.Region, RegionName: region.FullName(e.Region),
		EntityType: e.EntityType, Badges: badges, Parts: []Part{{Text: e.Name}}}
	hit.Highlight = PartsHTML(hit.Parts)
	out := &SearchResponse{Total: 1, Class: pq.Class, Results: []Hit{hit}}
	if withFacets {
		status := "inactive"
		if ActiveStatus(e.Status) {
			status = "active"
		}
		out.Facets = map[string][]FacetValue{
			"status": {{Value: status, Label: map[string]string{"active": "存续/在业", "inactive": "吊销/注销/迁出"}[status], Count: 1}},
			"type":   {{Value: EntityGroup(e.EntityType, e.Code), Label: EntityGroup(e.EntityType, e.Code), Count: 1}},
		}
		if p := region.Province(e.Region); region.Name(p) != "" {
			out.Facets["region"] = []FacetValue{{Value: p, Label: region.Name(p), Count: 1}}
		}
		for _, b := range badges {
			out.Facets["has"] = append(out.Facets["has"], FacetValue{Value: b, Label: hasLabel(b), Count: 1})
		}
	}
	return out, true, nil
}
