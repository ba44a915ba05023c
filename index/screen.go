package index

// Batch screening: a list of subjects (a code and/or a name each) matched against the serving
// generation in batches, each matched entity with its public credit flags as of a date. The
// portal streams the matches out; nothing about a screening request is stored.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/region"
	"github.com/gongshi/gongshi/index/uscc"
)

// Screening limits and thresholds.
const (
	// ScreenBatchSize subjects are resolved together: one SQL statement per lookup kind, and
	// the unit of memory (a request never holds more than ScreenWorkers+1 batches).
	ScreenBatchSize = 500
	// ScreenWorkers batches are screened at once: one per core of the reference machine.
	ScreenWorkers = 2
	// MaxScreenCandidates caps the candidates shown for an ambiguous or close match.
	MaxScreenCandidates = 5
	// DefaultPenaltyYears is the penalty window: most penalties stay public 3 years.
	DefaultPenaltyYears = 3
	MaxPenaltyYears     = 10
	// CloseNameThreshold is the similarity from which a close name counts as a match. Set so that
	// a differing legal form (股份有限公司 vs 有限公司) or a moved region (福州华威 vs 华威（福州）)
	// still matches, while a branch (…福州分公司) does not match its head office.
	CloseNameThreshold = 0.85
	// AmbiguityMargin: a runner-up this close to the best close match makes the result ambiguous.
	AmbiguityMargin = 0.05
	// candidateFloor drops search hits too unlike the input to be worth showing.
	candidateFloor = 0.3
	// maxSubjectNameRunes: longer "names" are not names (a pasted paragraph).
	maxSubjectNameRunes = 200
	maxExactPerName     = 20
)

// Screening statuses.
const (
	StatusMatched     = "matched"
	StatusAmbiguous   = "ambiguous"
	StatusNotFound    = "not_found"
	StatusInvalidCode = "invalid_code"
)

// How a subject matched (Match.MatchedBy).
const (
	ByExactCode      = "exact_code"
	ByNormalisedCode = "normalised_code" // differed in case, width, spaces or hyphens
	ByRegNo          = "reg_no"
	ByOrgCode        = "org_code"
	ByExactName      = "exact_name" // after folding width, traditional characters, brackets, spaces
	ByFormerName     = "former_name"
	ByCloseName      = "close_name"
)

// Warnings on a match (Match.Warnings).
const (
	WarnNameMismatch  = "name_mismatch"   // code and name given, and the name is not the entity's
	WarnCodeNotFound  = "code_not_found"  // the code matched nothing; the name did
	WarnCheckDigit    = "check_digit"     // the code's check character is wrong
	WarnNotInRegister = "not_in_register" // the code has published records but no register entry
)

// Screening flags (ScreenOptions.Flags).
const (
	FlagBlacklist = "blacklist"
	FlagAbnormal  = "abnormal"
	FlagDebtor    = "dishonest_debtor"
	FlagPenalties = "penalties"
	FlagRedlist   = "redlist"
	FlagObjection = "objection"
)

// ScreenFlags lists every flag, most serious first.
var ScreenFlags = []string{FlagBlacklist, FlagAbnormal, FlagDebtor, FlagPenalties, FlagRedlist, FlagObjection}

var flagAliases = map[string]string{
	"debtor": FlagDebtor, "dishonest_debtors": FlagDebtor, "dishonest-debtors": FlagDebtor,
	"penalty": FlagPenalties, "red_list": FlagRedlist, "objections": FlagObjection, "pending_objection": FlagObjection,
}

// FlagLabel is the Chinese name of a flag.
func FlagLabel(f string) string {
	return map[string]string{FlagBlacklist: "严重违法失信名单", FlagAbnormal: "经营异常名录", FlagDebtor: "失信被执行人",
		FlagPenalties: "行政处罚", FlagRedlist: "守信红名单", FlagObjection: "异议处理中"}[f]
}

// ParseScreenFlags reads flag names (each value may hold several, comma-separated); none = all.
func ParseScreenFlags(values []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			f = strings.ToLower(strings.TrimSpace(f))
			if f == "" {
				continue
			}
			if a, ok := flagAliases[f]; ok {
				f = a
			}
			if !contains(ScreenFlags, f) {
				return nil, badRequest("bad_flag", "未知的筛查项：“"+clip(f, 40)+"”。可选："+strings.Join(ScreenFlags, "、")+"。",
					"unknown flag "+strconv.Quote(clip(f, 40))+"; one of "+strings.Join(ScreenFlags, ", "))
			}
			if !seen[f] {
				seen[f] = true
				out = append(out, f)
			}
		}
	}
	if len(out) == 0 {
		return append([]string(nil), ScreenFlags...), nil
	}
	return out, nil
}

// Subject is one line of a screening list.
type Subject struct {
	Line       int
	Code, Name string
}

// ScreenEntity is the matched entity, as much as a screening result shows of it.
type ScreenEntity struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Status      string   `json:"status,omitempty"`
	EntityType  string   `json:"entity_type,omitempty"`
	Region      string   `json:"region,omitempty"`
	RegionName  string   `json:"region_name,omitempty"`
	FormerNames []string `json:"former_names,omitempty"`
}

// Candidate is a possible match of an ambiguous or unmatched subject.
type Candidate struct {
	ScreenEntity
	Score       float64 `json:"score,omitempty"`        // name similarity; none for a candidate found by code
	MatchedName string  `json:"matched_name,omitempty"` // the former name that scored, if not the current one
	// Flagged names the flags in force on as_of, so that an unresolved subject is not a blind spot.
	Flagged []string `json:"flagged,omitempty"`
}

// Match is the screening result of one subject.
type Match struct {
	Line           int           `json:"line"`
	Status         string        `json:"status"`
	MatchedBy      string        `json:"matched_by,omitempty"`
	Score          float64       `json:"score,omitempty"`
	MatchedTerms   []string      `json:"matched_terms,omitempty"`   // close_name: input parts found in the name
	UnmatchedTerms []string      `json:"unmatched_terms,omitempty"` // close_name: input parts not found
	Explanation    string        `json:"explanation"`
	ExplanationZH  string        `json:"explanation_zh"`
	Warnings       []string      `json:"warnings,omitempty"`
	ValidCode      string        `json:"valid_code,omitempty"` // the input code with the valid check character
	Entity         *ScreenEntity `json:"entity,omitempty"`
	Candidates     []Candidate   `json:"candidates,omitempty"`
	Flags          *Flags        `json:"flags,omitempty"`

	en, zh []string
}

func (m *Match) explain(en, zh string) {
	m.en = append(m.en, en)
	m.zh = append(m.zh, zh)
	m.Explanation = strings.Join(m.en, "; ")
	m.ExplanationZH = strings.Join(m.zh, "；")
}

func (m *Match) warn(w string) {
	if !contains(m.Warnings, w) {
		m.Warnings = append(m.Warnings, w)
	}
}

// Flags are the requested credit flags of a matched entity as of a day; a flag not asked for is nil.
type Flags struct {
	Blacklist       *ListFlag      `json:"blacklist,omitempty"`
	Abnormal        *ListFlag      `json:"abnormal,omitempty"`
	DishonestDebtor *ListFlag      `json:"dishonest_debtor,omitempty"`
	Penalties       *PenaltyFlag   `json:"penalties,omitempty"`
	Redlist         *RedlistFlag   `json:"redlist,omitempty"`
	Objection       *ObjectionFlag `json:"objection,omitempty"`
}

// ListFlag is the state on one list (blacklist, abnormal-operation list, dishonest debtors).
type ListFlag struct {
	Listed bool   `json:"listed"`          // an entry is in force on as_of
	Since  string `json:"since,omitempty"` // listing date of the entry in force (the earliest)
	// Entries are every entry public on as_of: in force (in_force, removal_date empty or after
	// as_of — removed since) and removed before as_of, which the list keeps visible as history.
	Entries []ListEntry `json:"entries,omitempty"`
}

// ListEntry is one listing with its removal.
type ListEntry struct {
	RecordID    string `json:"record_id"`
	ListDate    string `json:"list_date"`
	RemovalDate string `json:"removal_date,omitempty"`
	InForce     bool   `json:"in_force"`
	Authority   string `json:"authority,omitempty"`
	Reason      string `json:"reason,omitempty"`
	CaseNo      string `json:"case_no,omitempty"` // dishonest debtors
}

// PenaltyFlag sums the penalties public on as_of and decided within the window.
type PenaltyFlag struct {
	Count      int      `json:"count"`
	MostSevere string   `json:"most_severe,omitempty"` // 严重 > 一般 > 轻微
	Latest     string   `json:"latest,omitempty"`
	From       string   `json:"from"` // first day of the window
	RecordIDs  []string `json:"record_ids,omitempty"`
}

// RedlistFlag is the red list (守合同重信用 …) state.
type RedlistFlag struct {
	Listed bool     `json:"listed"`
	Years  []string `json:"years,omitempty"`
}

// ObjectionFlag says whether an objection about the entity or one of its records is pending.
type ObjectionFlag struct {
	Pending   bool     `json:"pending"`
	Since     string   `json:"since,omitempty"` // the day the earliest pending objection was filed
	RecordIDs []string `json:"record_ids,omitempty"`
}

// Any reports the flags that are set (in force) as flag names, most serious first.
func (f *Flags) Any() []string {
	if f == nil {
		return nil
	}
	var out []string
	if f.Blacklist != nil && f.Blacklist.Listed {
		out = append(out, FlagBlacklist)
	}
	if f.Abnormal != nil && f.Abnormal.Listed {
		out = append(out, FlagAbnormal)
	}
	if f.DishonestDebtor != nil && f.DishonestDebtor.Listed {
		out = append(out, FlagDebtor)
	}
	if f.Penalties != nil && f.Penalties.Count > 0 {
		out = append(out, FlagPenalties)
	}
	if f.Redlist != nil && f.Redlist.Listed {
		out = append(out, FlagRedlist)
	}
	if f.Objection != nil && f.Objection.Pending {
		out = append(out, FlagObjection)
	}
	return out
}

// ScreenSummary counts the results of a screening.
type ScreenSummary struct {
	Matched          int `json:"matched"`
	Ambiguous        int `json:"ambiguous"`
	NotFound         int `json:"not_found"`
	Invalid          int `json:"invalid"`
	OnBlacklist      int `json:"on_blacklist"`
	OnAbnormal       int `json:"on_abnormal"`
	DishonestDebtor  int `json:"dishonest_debtor"`
	WithPenalties    int `json:"with_penalties"`
	OnRedlist        int `json:"on_redlist"`
	ObjectionPending int `json:"objection_pending"`
	NameMismatch     int `json:"name_mismatch"`
}

// Add counts one result.
func (s *ScreenSummary) Add(m *Match) {
	switch m.Status {
	case StatusMatched:
		s.Matched++
	case StatusAmbiguous:
		s.Ambiguous++
	case StatusNotFound:
		s.NotFound++
	case StatusInvalidCode:
		s.Invalid++
	}
	if contains(m.Warnings, WarnNameMismatch) {
		s.NameMismatch++
	}
	for _, f := range m.Flags.Any() {
		switch f {
		case FlagBlacklist:
			s.OnBlacklist++
		case FlagAbnormal:
			s.OnAbnormal++
		case FlagDebtor:
			s.DishonestDebtor++
		case FlagPenalties:
			s.WithPenalties++
		case FlagRedlist:
			s.OnRedlist++
		case FlagObjection:
			s.ObjectionPending++
		}
	}
}

// ScreenOptions configure a screening.
type ScreenOptions struct {
	AsOf         string   // YYYY-MM-DD; "" = today in China. Not after today.
	Flags        []string // from ScreenFlags; nil = all
	PenaltyYears int      // 0 = DefaultPenaltyYears
	// Overlay supplies decisions (hidden records don't count) and pending objections; nil = the
	// searcher's own.
	Overlay Overlay
}

// Screener screens batches against one generation, which it holds until Close.
type Screener struct {
	g           *Generation
	asOf        string
	penaltyFrom string
	flags       map[string]bool
	types       []RecordType
	hidden      map[string]string
	corrected   map[string]map[string]string
	// pending objections by the entity they concern: record id (or the entity code) → filed day.
	pending map[string]map[string]string
	// document frequencies of name character pairs, for loose retrieval
	dfMu sync.Mutex
	df   map[string]uint64
}

// AsOf is the day the flags are computed for.
func (sc *Screener) AsOf() string { return sc.asOf }

// PenaltyFrom is the first day of the penalty window.
func (sc *Screener) PenaltyFrom() string { return sc.penaltyFrom }

// Flags are the flags computed, in ScreenFlags order.
func (sc *Screener) Flags() []string {
	var out []string
	for _, f := range ScreenFlags {
		if sc.flags[f] {
			out = append(out, f)
		}
	}
	return out
}

// NewScreener validates the options and takes hold of the serving generation. A bad option is
// a *BadRequestError.
func (s *Searcher) NewScreener(ctx context.Context, opts ScreenOptions) (*Screener, error) {
	today := s.today("")
	asOf := strings.TrimSpace(opts.AsOf)
	if asOf == "" {
		asOf = today
	}
	day, err := time.Parse(time.DateOnly, asOf)
	if err != nil {
		return nil, badRequest("bad_as_of", "as_of 日期格式应为 YYYY-MM-DD，例如 "+today+"。", "as_of must be a date YYYY-MM-DD, e.g. "+today)
	}
	if asOf > today {
		return nil, badRequest("bad_as_of", "as_of 不能晚于今天（"+today+"）：只能查询当时已公示的信息。", "as_of must not be after today ("+today+")")
	}
	if asOf < "1990-01-01" {
		return nil, badRequest("bad_as_of", "as_of 不能早于 1990-01-01。", "as_of must not be before 1990-01-01")
	}
	years := opts.PenaltyYears
	if years == 0 {
		years = DefaultPenaltyYears
	}
	if years < 1 || years > MaxPenaltyYears {
		return nil, badRequest("bad_penalty_years", fmt.Sprintf("penalty_years 应为 1–%d 的整数。", MaxPenaltyYears),
			fmt.Sprintf("penalty_years must be an integer from 1 to %d", MaxPenaltyYears))
	}
	flags, err := ParseScreenFlags(opts.Flags)
	if err != nil {
		return nil, err
	}
	sc := &Screener{asOf: asOf, penaltyFrom: day.AddDate(-years, 0, 1).Format(time.DateOnly), flags: map[string]bool{}}
	for _, f := range flags {
		sc.flags[f] = true
	}
	for f, t := range map[string]RecordType{FlagBlacklist: TypeBlacklist, FlagAbnormal: TypeAbnormal, FlagDebtor: TypeDishonestDebtor,
		FlagPenalties: TypePenalty, FlagRedlist: TypeRedlist} {
		if sc.flags[f] {
			sc.types = append(sc.types, t)
		}
	}
	sort.Slice(sc.types, func(i, j int) bool { return sc.types[i] < sc.types[j] })
	ov := opts.Overlay
	if ov == nil {
		ov = s.Overlay
	}
	if ov == nil {
		ov = NoOverlay{}
	}
	if sc.hidden, err = ov.Hidden(ctx); err != nil {
		return nil, err
	}
	if sc.corrected, err = ov.Corrected(ctx); err != nil {
		return nil, err
	}
	pending, err := ov.Pending(ctx)
	if err != nil {
		return nil, err
	}
	g := s.Live.Acquire()
	if g == nil {
		return nil, ErrNotReady
	}
	sc.g = g
	if err := sc.loadPending(ctx, pending); err != nil {
		sc.Close()
		return nil, err
	}
	return sc, nil
}

// loadPending files pending objections under the entity they concern: an objection points at a
// record (or at the register entry itself, by its code).
func (sc *Screener) loadPending(ctx context.Context, pending map[string]string) error {
	sc.pending = map[string]map[string]string{}
	if len(pending) == 0 {
		return nil
	}
	ids := make([]string, 0, len(pending))
	for id := range pending {
		ids = append(ids, id)
	}
	recs, err := sc.g.Docs.RecordsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for id, day := range pending {
		code := id
		if r := recs[id]; r != nil {
			if _, gone := sc.hidden[id]; gone {
				continue
			}
			code = r.EntityCode
		}
		if sc.pending[code] == nil {
			sc.pending[code] = map[string]string{}
		}
		sc.pending[code][id] = day
	}
	return nil
}

// Close releases the generation.
func (sc *Screener) Close() {
	if sc.g != nil {
		sc.g.Release()
		sc.g = nil
	}
}

// Stream screens the subjects next returns (a batch at a time, io.EOF at the end) and hands
// the matches of each batch to emit in input order. ScreenWorkers batches are in flight at once;
// next and emit are called on the caller's goroutine.
func (sc *Screener) Stream(ctx context.Context, next func() ([]Subject, error), emit func([]Match) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		done chan struct{}
		res  []Match
		err  error
	}
	var (
		queue []*job
		wg    sync.WaitGroup
		eof   bool
	)
	defer wg.Wait()
	for {
		for !eof && len(queue) < ScreenWorkers {
			batch, err := next()
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
			if len(batch) == 0 {
				continue
			}
			j := &job{done: make(chan struct{})}
			queue = append(queue, j)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(j.done)
				j.res, j.err = sc.Screen(ctx, batch)
			}()
		}
		if len(queue) == 0 {
			return nil
		}
		j := queue[0]
		queue = queue[1:]
		<-j.done
		if j.err != nil {
			return j.err
		}
		if err := emit(j.res); err != nil {
			return err
		}
	}
}

// screenItem is a subject being resolved.
type screenItem struct {
	m          Match
	code       string // normalised; "" when none given
	rawCode    string
	kind       uscc.Kind
	checkErr   *uscc.CheckDigitError
	name       string
	entity     *Entity // the matched register entry
	recordOnly *ScreenEntity
	// codeMissed says the code resolved to nothing; a name may still decide.
	codeMissed bool
	cands      []string // candidate codes (ambiguous exact or former name)
	via        string   // how cands were found
}

// Screen resolves one batch (at most a few ScreenBatchSize subjects) and returns a match for
// each subject, in order.
func (sc *Screener) Screen(ctx context.Context, subjects []Subject) ([]Match, error) {
	if sc.g == nil {
		return nil, errors.New("screener is closed")
	}
	items := make([]*screenItem, len(subjects))
	for i, s := range subjects {
		items[i] = prepareSubject(s)
	}
	if err := sc.resolveCodes(ctx, items); err != nil {
		return nil, err
	}
	if err := sc.resolveNames(ctx, items); err != nil {
		return nil, err
	}
	if err := sc.addFlags(ctx, items); err != nil {
		return nil, err
	}
	out := make([]Match, len(items))
	for i, it := range items {
		out[i] = it.m
	}
	return out, nil
}

func prepareSubject(s Subject) *screenItem {
	it := &screenItem{m: Match{Line: s.Line}}
	code := strings.TrimSpace(s.Code)
	name := strings.TrimSpace(s.Name)
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	// A code typed into the name column is still a code.
	if code == "" && codeLike(name) && uscc.Classify(uscc.Normalize(name)) != uscc.KindNone {
		code, name = name, ""
	}
	it.name = name
	if code == "" {
		return it
	}
	it.rawCode = code
	it.code = uscc.Normalize(code)
	if len(it.code) > 32 {
		it.code = it.code[:32]
	}
	it.kind = uscc.Classify(it.code)
	if it.kind == uscc.KindUSCC {
		var cd *uscc.CheckDigitError
		if errors.As(uscc.Validate(it.code), &cd) {
			it.checkErr = cd
		}
	}
	return it
}

// entities fetches register entries, leaving out any a decision has hidden.
func (sc *Screener) entities(ctx context.Context, codes []string) (map[string]*Entity, error) {
	ents, err := sc.g.Docs.EntitiesByCodes(ctx, codes)
	for c := range ents {
		if _, gone := sc.hidden[c]; gone {
			delete(ents, c)
		}
	}
	return ents, err
}

// resolveCodes matches every subject with a code: the register's own codes first, then old
// registration numbers and organisation codes, then codes that only published records carry.
func (sc *Screener) resolveCodes(ctx context.Context, items []*screenItem) error {
	var lookup []string
	for _, it := range items {
		if it.code == "" || it.kind == uscc.KindNone {
			continue
		}
		lookup = append(lookup, it.code)
		if it.checkErr != nil {
			lookup = append(lookup, it.checkErr.Suggestion())
		}
	}
	if len(lookup) == 0 {
		for _, it := range items {
			if it.code != "" {
				sc.codeMiss(it, nil)
			}
		}
		return nil
	}
	ents, err := sc.entities(ctx, lookup)
	if err != nil {
		return err
	}
	var alts []string
	for _, it := range items {
		if it.code == "" || it.kind == uscc.KindNone {
			continue
		}
		if e := ents[it.code]; e != nil {
			sc.matchCode(it, e, it.kind)
			continue
		}
		if it.kind == uscc.KindRegNo || it.kind == uscc.KindOrgCode {
			alts = append(alts, it.code)
		}
	}
	owners, err := sc.g.Docs.CodesForMany(ctx, alts)
	if err != nil {
		return err
	}
	var more []string
	for _, cs := range owners {
		more = append(more, cs...)
	}
	if len(more) > 0 {
		extra, err := sc.entities(ctx, more)
		if err != nil {
			return err
		}
		for c, e := range extra {
			ents[c] = e
		}
	}
	var probe []string
	for _, it := range items {
		if it.code == "" || it.kind == uscc.KindNone || it.entity != nil {
			continue
		}
		var found []*Entity
		for _, c := range owners[it.code] {
			if e := ents[c]; e != nil {
				found = append(found, e)
			}
		}
		switch {
		case len(found) == 1:
			sc.matchCode(it, found[0], it.kind)
		case len(found) > 1:
			it.cands = owners[it.code]
			it.via = it.kind.String()
		default:
			probe = append(probe, it.code)
		}
	}
	// A debtor or a listed company may be missing from the register the portal holds; its
	// records still name it by code, and a screening must not call it clean.
	var recs map[string][]*Record
	if len(probe) > 0 {
		if recs, err = sc.g.Docs.RecordsOfMany(ctx, probe); err != nil {
			return err
		}
	}
	for _, it := range items {
		if it.code == "" || it.entity != nil || len(it.cands) > 0 {
			continue
		}
		var name string
		for _, r := range recs[it.code] {
			if _, gone := sc.hidden[r.ID]; !gone {
				name = r.EntityName
				break
			}
		}
		if name != "" {
			it.recordOnly = &ScreenEntity{Code: it.code, Name: name, Region: uscc.Region(it.code), RegionName: region.FullName(uscc.Region(it.code))}
			sc.matchCodeOnlyRecords(it)
			continue
		}
		sc.codeMiss(it, ents)
	}
	return nil
}

func (sc *Screener) matchCode(it *screenItem, e *Entity, kind uscc.Kind) {
	it.entity = e
	m := &it.m
	m.Status, m.Score = StatusMatched, 1
	switch {
	case kind == uscc.KindRegNo:
		m.MatchedBy = ByRegNo
		m.explain("matched by the 15-digit registration number (注册号) "+it.code, "按注册号 "+it.code+" 匹配")
	case kind == uscc.KindOrgCode:
		m.MatchedBy = ByOrgCode
		m.explain("matched by the organisation code (组织机构代码) "+it.code, "按组织机构代码 "+it.code+" 匹配")
	case it.code != it.rawCode:
		m.MatchedBy = ByNormalisedCode
		m.explain("matched by unified social credit code after normalising case, full-width characters, spaces or hyphens (given "+
			strconv.Quote(it.rawCode)+", normalised "+it.code+")",
			"统一社会信用代码经规范化（大小写、全角字符、空格或连字符）后匹配：输入“"+it.rawCode+"”，规范为 "+it.code)
	default:
		m.MatchedBy = ByExactCode
		m.explain("matched by unified social credit code", "按统一社会信用代码精确匹配")
	}
	if it.checkErr != nil {
		m.warn(WarnCheckDigit)
		m.explain(fmt.Sprintf("the code fails the GB 32100 check (valid check character would be %c) but is registered as it is", it.checkErr.Want),
			fmt.Sprintf("该代码未通过 GB 32100 校验（按标准校验位应为 %c），但登记信息中即为此代码", it.checkErr.Want))
	}
}

func (sc *Screener) matchCodeOnlyRecords(it *screenItem) {
	m := &it.m
	m.Status, m.Score, m.MatchedBy = StatusMatched, 1, ByExactCode
	if it.code != it.rawCode {
		m.MatchedBy = ByNormalisedCode
	}
	m.warn(WarnNotInRegister)
	m.explain("the code is not in the register, but published records name it", "该代码不在登记信息中，但有公示记录使用该代码")
}

// codeMiss records why a code resolved to nothing. The name, if any, gets its chance next.
func (sc *Screener) codeMiss(it *screenItem, ents map[string]*Entity) {
	it.codeMissed = true
	m := &it.m
	switch {
	case it.kind == uscc.KindNone:
		m.Status = StatusInvalidCode
		m.explain(fmt.Sprintf("invalid code %q: a unified social credit code has 18 characters (0-9 and A-Y without I, O, S, V, Z), a registration number 15 digits, an organisation code 9 characters; this has %d",
			clip(it.rawCode, 40), utf8.RuneCountInString(it.code)),
			fmt.Sprintf("代码“%s”无效：统一社会信用代码为18位（数字或不含 I、O、S、V、Z 的大写字母），注册号为15位数字，组织机构代码为9位；输入为 %d 位",
				clip(it.rawCode, 40), utf8.RuneCountInString(it.code)))
	case it.checkErr != nil:
		m.Status = StatusInvalidCode
		m.ValidCode = it.checkErr.Suggestion()
		m.explain(fmt.Sprintf("invalid code (valid check character: %c)", it.checkErr.Want),
			fmt.Sprintf("统一社会信用代码校验位错误（正确的校验位应为 %c，即 %s）", it.checkErr.Want, it.checkErr.Suggestion()))
		if e := ents[it.checkErr.Suggestion()]; e != nil {
			it.cands = []string{e.Code}
			it.via = "check_digit"
			m.explain("with that check character the code belongs to "+e.Name, "按正确校验位，该代码属于“"+e.Name+"”")
		}
	default:
		m.Status = StatusNotFound
		m.explain("no entity with this code", "未找到该代码对应的市场主体")
	}
}

// resolveNames matches by name what the code did not decide, and checks the name given with a
// code against the entity found: the exact folded name, then a former name, then a close name.
func (sc *Screener) resolveNames(ctx context.Context, items []*screenItem) error {
	var keys []string
	var todo []*screenItem
	for _, it := range items {
		switch {
		case it.name == "" && it.code == "":
			it.m.Status = StatusNotFound
			it.m.explain("neither a code nor a name was given", "未填写代码或名称")
		case it.name == "":
		case it.entity != nil || it.recordOnly != nil:
			sc.checkName(it)
		case len(it.cands) > 0 && it.via != "check_digit":
		case utf8.RuneCountInString(it.name) > maxSubjectNameRunes:
			if !it.codeMissed {
				it.m.Status = StatusNotFound
			}
			it.m.explain(fmt.Sprintf("the name is longer than %d characters", maxSubjectNameRunes), fmt.Sprintf("名称超过 %d 个字符", maxSubjectNameRunes))
		default:
			if k := fold.Key(it.name); k != "" {
				keys = append(keys, k)
				todo = append(todo, it)
			}
		}
	}
	if len(todo) == 0 {
		return sc.fetchCandidates(ctx, items)
	}
	exact, err := sc.g.Docs.CodesByNameKeys(ctx, keys, maxExactPerName)
	if err != nil {
		return err
	}
	var formerKeys []string
	for _, it := range todo {
		if len(exact[fold.Key(it.name)]) == 0 {
			formerKeys = append(formerKeys, fold.Key(it.name))
		}
	}
	former, formerEnts, err := sc.formerNameCodes(ctx, formerKeys)
	if err != nil {
		return err
	}
	var codes []string
	for _, it := range todo {
		k := fold.Key(it.name)
		codes = append(codes, exact[k]...)
		if len(exact[k]) == 0 {
			codes = append(codes, former[k]...)
		}
	}
	ents, err := sc.entities(ctx, codes)
	if err != nil {
		return err
	}
	for c, e := range formerEnts {
		ents[c] = e
	}
	var close []*screenItem
	for _, it := range todo {
		k := fold.Key(it.name)
		via, found := ByExactName, present(exact[k], ents)
		if len(found) == 0 {
			via, found = ByFormerName, present(former[k], ents)
		}
		switch {
		case len(found) == 1:
			sc.matchName(it, ents[found[0]], via)
		case len(found) > 1:
			sc.ambiguousName(it, found, via)
		default:
			close = append(close, it)
		}
	}
	if err := sc.closeNames(ctx, close); err != nil {
		return err
	}
	return sc.fetchCandidates(ctx, items)
}

func present(codes []string, ents map[string]*Entity) []string {
	var out []string
	for _, c := range codes {
		if ents[c] != nil {
			out = append(out, c)
		}
	}
	return out
}

// formerNameCodes finds the entities that once bore each folded name: one Bleve query per chunk
// of names on the exact former-name keys, then the register entries to tell which key each hit.
func (sc *Screener) formerNameCodes(ctx context.Context, keys []string) (map[string][]string, map[string]*Entity, error) {
	out := map[string][]string{}
	ents := map[string]*Entity{}
	for start := 0; start < len(keys); start += batchLookupChunk {
		chunk := keys[start:min(start+batchLookupChunk, len(keys))]
		want := make(map[string]bool, len(chunk))
		terms := make([]query.Query, 0, len(chunk))
		for _, k := range chunk {
			if !want[k] {
				want[k] = true
				terms = append(terms, termQ(k, FieldFormerKey, 0))
			}
		}
		req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(termQ(KindEntity, FieldKind, 0), bleve.NewDisjunctionQuery(terms...)),
			len(terms)*4+16, 0, false)
		req.Score = bleve.ScoreNone
		req.SortBy([]string{"_id"})
		sctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
		res, err := sc.g.Alias.SearchInContext(sctx, req)
		cancel()
		if err != nil {
			return nil, nil, searchError(err)
		}
		codes := make([]string, len(res.Hits))
		for i, h := range res.Hits {
			codes[i] = h.ID
		}
		found, err := sc.entities(ctx, codes)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range codes {
			e := found[c]
			if e == nil {
				continue
			}
			ents[c] = e
			for _, fn := range e.FormerNames {
				if k := fold.Key(fn); want[k] && !contains(out[k], c) {
					out[k] = append(out[k], c)
				}
			}
		}
	}
	return out, ents, nil
}

func (sc *Screener) matchName(it *screenItem, e *Entity, via string) {
	m := &it.m
	wasCode := it.codeMissed
	prev := m.Status
	it.entity = e
	m.Status, m.MatchedBy, m.Score = StatusMatched, via, 1
	if via == ByFormerName {
		m.explain("matched by former name (曾用名) "+strconv.Quote(it.name)+"; the current name is "+strconv.Quote(e.Name),
			"按曾用名“"+it.name+"”匹配，现名称为“"+e.Name+"”")
	} else if it.name == e.Name {
		m.explain("matched by exact name", "企业名称完全一致")
	} else {
		en, zh := foldingNote(it.name, e.Name)
		m.explain("matched by exact name after folding "+en, "企业名称经统一"+zh+"后一致")
	}
	if wasCode {
		codeWarning(it, prev)
		if e.Code != it.code && it.code != "" {
			m.explain("the code given ("+it.code+") differs from the matched entity's code "+e.Code,
				"所填代码 "+it.code+" 与匹配主体的代码 "+e.Code+" 不一致")
		}
	}
}

// codeWarning marks a result decided by the name although a code was given: the code was
// invalid (check_digit) or matched nothing (code_not_found).
func codeWarning(it *screenItem, statusBefore string) {
	if statusBefore == StatusInvalidCode {
		it.m.warn(WarnCheckDigit)
	} else {
		it.m.warn(WarnCodeNotFound)
	}
}

// foldingNote says which folding steps the input needed to equal the published name: a step
// is named when the names differ without it (width: full-width brackets, letters and digits;
// traditional characters; otherwise spaces and letter case).
func foldingNote(input, published string) (en, zh string) {
	key := func(s string, width, simplified bool) string {
		if width {
			s = fold.Width(s)
		}
		if simplified {
			s = fold.Simplified(s)
		}
		return strings.ReplaceAll(fold.Lower(s), " ", "")
	}
	var ens, zhs []string
	if key(input, false, true) != key(published, false, true) {
		ens, zhs = append(ens, "full-width characters and brackets"), append(zhs, "全角/半角字符和括号")
	}
	if key(input, true, false) != key(published, true, false) {
		ens, zhs = append(ens, "traditional characters"), append(zhs, "繁体/简体字")
	}
	if len(ens) == 0 {
		ens, zhs = append(ens, "spaces and letter case"), append(zhs, "空格和大小写")
	}
	return strings.Join(ens, " and "), strings.Join(zhs, "、")
}

func (sc *Screener) ambiguousName(it *screenItem, codes []string, via string) {
	m := &it.m
	it.cands, it.via = codes, via
	if it.codeMissed {
		codeWarning(it, m.Status)
	}
	if m.Status != StatusInvalidCode { // an invalid code stays the headline: the name cannot decide either
		m.Status = StatusAmbiguous
	}
	what, whatZH := "name", "名称"
	if via == ByFormerName {
		what, whatZH = "former name", "曾用名"
	}
	n := len(codes)
	more := ""
	if n >= maxExactPerName {
		more = "+"
	}
	m.explain(fmt.Sprintf("%d%s entities have this %s; give the code to decide", n, more, what),
		fmt.Sprintf("有 %d%s 个市场主体的%s与此一致，请提供统一社会信用代码以确定", n, more, whatZH))
}

// checkName compares the name given beside a matching code with the entity's names.
func (sc *Screener) checkName(it *screenItem) {
	m := &it.m
	current, former := "", []string(nil)
	if it.entity != nil {
		current, former = it.entity.Name, it.entity.FormerNames
	} else {
		current = it.recordOnly.Name
	}
	k := fold.Key(it.name)
	if k == fold.Key(current) {
		m.explain("the name given agrees", "所填名称与登记名称一致")
		return
	}
	for _, fn := range former {
		if fold.Key(fn) == k {
			m.explain("the name given is a former name (曾用名); the current name is "+strconv.Quote(current),
				"所填名称为曾用名，现名称为“"+current+"”")
			return
		}
	}
	in := newNameShape(it.name)
	score := in.score(current)
	for _, fn := range former {
		score = max(score, in.score(fn))
	}
	if score >= CloseNameThreshold {
		m.explain(fmt.Sprintf("the name given is close to the registered name (score %.2f)", score),
			fmt.Sprintf("所填名称与登记名称相近（相似度 %.2f）", score))
		return
	}
	m.warn(WarnNameMismatch)
	m.explain(fmt.Sprintf("name_mismatch: the name given does not match the code's entity %q (score %.2f)", current, score),
		fmt.Sprintf("名称不一致：所填名称与该代码登记的名称“%s”不符（相似度 %.2f）", current, score))
}

// closeNames resolves the names no exact lookup did: each is searched as the portal's search
// matches it (every word of the name, legal forms aside, as a phrase; ranked shortest name
// first), the entities found are fetched for the whole batch at once, and each is scored
// against the input. The search's ranking tiers are left out: the score re-ranks anyway, and
// each tier costs as much as the search itself.
func (sc *Screener) closeNames(ctx context.Context, items []*screenItem) error {
	type pending struct {
		it    *screenItem
		in    nameShape
		codes []string
	}
	var todo []pending
	var all []string
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		in := newNameShape(it.name)
		codes, why, err := sc.closeCodes(ctx, it.name, in)
		if err != nil {
			return err
		}
		if why != nil {
			sc.closeNotFound(it, why[0], why[1])
			continue
		}
		todo = append(todo, pending{it, in, codes})
		all = append(all, codes...)
	}
	ents, err := sc.entities(ctx, all)
	if err != nil {
		return err
	}
	for _, p := range todo {
		var hits []scoredHit
		for _, c := range p.codes {
			e := ents[c]
			if e == nil {
				continue
			}
			h := scoredHit{e: screenEntity(e), score: p.in.score(e.Name)}
			for _, fn := range e.FormerNames {
				if fs := p.in.score(fn); fs > h.score {
					h.score, h.via = fs, fn
				}
			}
			hits = append(hits, h)
		}
		sc.decideClose(p.it, p.in, hits)
	}
	return nil
}

// closeSearchHits is how many entities a close-name search brings back to be scored.
const closeSearchHits = 10

// closeCodes finds the entities whose name holds every word of the input; failing that, those
// sharing its rarest character pairs. why says (in English and Chinese) why a name cannot be
// searched at all.
func (sc *Screener) closeCodes(ctx context.Context, name string, in nameShape) (codes []string, why *[2]string, err error) {
	q := name
	if r := []rune(q); len(r) > MaxQueryRunes {
		q = string(r[:MaxQueryRunes])
	}
	pq, err := ParseQuery(q)
	if err != nil || pq.Class == ClassEmpty || pq.Class == ClassBroad {
		return nil, &[2]string{"no entity with this name: it holds nothing but legal-form words", "未找到：名称只有“有限公司”等组织形式用语"}, nil
	}
	var match query.Query
	if pq.Class == ClassName {
		// The current name only: former names were matched exactly before.
		must := []query.Query{termQ(KindEntity, FieldKind, 0)}
		for _, w := range pq.Words {
			must = append(must, fragmentQuery(w, FieldName))
		}
		match = bleve.NewConjunctionQuery(must...)
	} else {
		match = bleve.NewConjunctionQuery(termQ(KindEntity, FieldKind, 0), pq.MatchQuery())
	}
	req := bleve.NewSearchRequestOptions(match, closeSearchHits, 0, false)
	req.Score = bleve.ScoreNone
	req.SortBy(rankSort)
	sctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	res, err := sc.g.Alias.SearchInContext(sctx, req)
	cancel()
	if err != nil {
		var bre *BadRequestError
		if errors.As(searchError(err), &bre) && ctx.Err() == nil {
			return nil, &[2]string{"the name could not be searched: " + bre.MessageEN, "名称无法检索：" + bre.Message}, nil
		}
		return nil, nil, err
	}
	for _, h := range res.Hits {
		codes = append(codes, h.ID)
	}
	if len(codes) == 0 {
		codes, err = sc.looseCodes(ctx, in)
	}
	return codes, nil, err
}

func (sc *Screener) closeNotFound(it *screenItem, en, zh string) {
	if !it.codeMissed {
		it.m.Status = StatusNotFound
	}
	it.m.explain(en, zh)
}

// decideClose turns the scored candidates of a name into a match, an ambiguity or a miss.
func (sc *Screener) decideClose(it *screenItem, in nameShape, hits []scoredHit) {
	m := &it.m
	keep := hits[:0]
	for _, h := range hits {
		if h.score >= candidateFloor {
			keep = append(keep, h)
		}
	}
	hits = keep
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	if len(hits) > MaxScreenCandidates {
		hits = hits[:MaxScreenCandidates]
	}
	if len(hits) == 0 {
		sc.closeNotFound(it, "no entity with this or a similar name", "未找到名称一致或相近的市场主体")
		return
	}
	best := hits[0]
	cands := make([]Candidate, len(hits))
	for i, h := range hits {
		cands[i] = Candidate{ScreenEntity: h.e, Score: round2(h.score), MatchedName: h.via}
	}
	bestName := best.e.Name
	if best.via != "" {
		bestName = best.via
	}
	matched, unmatched := commonParts(in.core, coreRunes(bestName))
	score := round2(best.score)
	switch {
	case best.score < CloseNameThreshold:
		sc.closeNotFound(it, fmt.Sprintf("no close match: the nearest name scores %.2f (a match needs %.2f); see candidates", score, CloseNameThreshold),
			fmt.Sprintf("未找到足够相近的名称：最接近的相似度为 %.2f（匹配需达到 %.2f），见候选", score, CloseNameThreshold))
		m.Candidates = cands
	case len(hits) > 1 && hits[1].score >= CloseNameThreshold && hits[1].score > best.score-AmbiguityMargin:
		if it.codeMissed {
			codeWarning(it, m.Status)
		}
		if m.Status != StatusInvalidCode {
			m.Status = StatusAmbiguous
		}
		m.MatchedBy, m.Score = ByCloseName, score
		m.MatchedTerms, m.UnmatchedTerms = matched, unmatched
		m.explain(fmt.Sprintf("several close names (best %.2f, next %.2f); give the code to decide", score, round2(hits[1].score)),
			fmt.Sprintf("有多个相近名称（相似度 %.2f、%.2f），请提供统一社会信用代码以确定", score, round2(hits[1].score)))
		m.Candidates = cands
	default:
		prev := m.Status
		wasCode := it.codeMissed
		it.entity = &Entity{Code: best.e.Code, Name: best.e.Name, Status: best.e.Status, EntityType: best.e.EntityType, Region: best.e.Region,
			FormerNames: best.e.FormerNames}
		m.Status, m.MatchedBy, m.Score = StatusMatched, ByCloseName, score
		m.MatchedTerms, m.UnmatchedTerms = matched, unmatched
		en := fmt.Sprintf("close name match, score %.2f: %s", score, strconv.Quote(best.e.Name))
		zh := fmt.Sprintf("名称相近（相似度 %.2f）：“%s”", score, best.e.Name)
		if best.via != "" {
			en += " (by its former name " + strconv.Quote(best.via) + ")"
			zh += "（按曾用名“" + best.via + "”）"
		}
		if len(matched) > 0 {
			en += "; matched " + strings.Join(matched, ", ")
			zh += "；一致部分：" + strings.Join(matched, "、")
		}
		if len(unmatched) > 0 {
			en += "; not in the name: " + strings.Join(unmatched, ", ")
			zh += "；不一致部分：" + strings.Join(unmatched, "、")
		}
		m.explain(en, zh)
		if len(hits) > 1 {
			m.Candidates = cands[1:]
		}
		if wasCode {
			codeWarning(it, prev)
		}
	}
}

// scoredHit is a close-name candidate with its similarity to the input.
type scoredHit struct {
	e     ScreenEntity
	score float64
	via   string // the former name that scored best, if not the current name
}

// Loose retrieval, for a name the normal search misses because one word breaks the phrase: a
// typo, or a region put in or left out (华威新材料 vs 华威（福建）新材料).
const (
	looseMinCoreRunes = 4  // shorter names have too few character pairs to go on
	looseTerms        = 4  // the rarest pairs of the input that are searched
	looseMinMatch     = 2  // of which a candidate must share
	looseHits         = 10 // scored, of which MaxScreenCandidates are kept
	looseTimeout      = 500 * time.Millisecond
)

var nameQueryAnalyzer = sync.OnceValue(func() analysis.Analyzer {
	m, err := NewMapping()
	if err != nil {
		panic(err)
	}
	return m.AnalyzerNamed(AnalyzerNameQuery)
})

// docFreq is the number of entity and record names holding a term, over all shards; looked up
// once per screening (the same pairs recur from name to name).
func (sc *Screener) docFreq(term []byte) (uint64, error) {
	sc.dfMu.Lock()
	df, ok := sc.df[string(term)]
	sc.dfMu.Unlock()
	if ok {
		return df, nil
	}
	for _, shard := range sc.g.shards {
		d, err := shard.FieldDictRange(FieldName, term, term)
		if err != nil {
			return 0, err
		}
		for {
			e, err := d.Next()
			if err != nil || e == nil {
				break
			}
			if e.Term == string(term) {
				df += e.Count
			}
		}
		d.Close()
	}
	sc.dfMu.Lock()
	if sc.df == nil {
		sc.df = map[string]uint64{}
	}
	sc.df[string(term)] = df
	sc.dfMu.Unlock()
	return df, nil
}

// looseCodes searches the input's rarest character pairs (by document frequency, so the search
// touches short posting lists only: never 科技 or 贸易) for entities sharing at least two.
func (sc *Screener) looseCodes(ctx context.Context, in nameShape) ([]string, error) {
	if len(in.core) < looseMinCoreRunes {
		return nil, nil
	}
	type term struct {
		text string
		df   uint64
	}
	var terms []term
	seen := map[string]bool{}
	for _, tok := range nameQueryAnalyzer().Analyze([]byte(string(in.core))) {
		t := string(tok.Term)
		if utf8.RuneCountInString(t) != 2 || seen[t] {
			continue
		}
		seen[t] = true
		df, err := sc.docFreq(tok.Term)
		if err != nil {
			return nil, err
		}
		if df > 0 { // a pair found nowhere is the typo itself
			terms = append(terms, term{t, df})
		}
	}
	if len(terms) < looseMinMatch {
		return nil, nil
	}
	sort.SliceStable(terms, func(i, j int) bool { return terms[i].df < terms[j].df })
	if len(terms) > looseTerms {
		terms = terms[:looseTerms]
	}
	qs := make([]query.Query, len(terms))
	for i, t := range terms {
		qs[i] = termQ(t.text, FieldName, 0)
	}
	dq := bleve.NewDisjunctionQuery(qs...)
	dq.SetMin(looseMinMatch)
	req := bleve.NewSearchRequestOptions(bleve.NewConjunctionQuery(termQ(KindEntity, FieldKind, 0), dq), looseHits, 0, false)
	sctx, cancel := context.WithTimeout(ctx, looseTimeout)
	defer cancel()
	res, err := sc.g.Alias.SearchInContext(sctx, req)
	if err != nil {
		if sctx.Err() != nil && ctx.Err() == nil {
			return nil, nil // too slow to be worth it: no candidates rather than no answer
		}
		return nil, searchError(err)
	}
	codes := make([]string, len(res.Hits))
	for i, h := range res.Hits {
		codes[i] = h.ID
	}
	return codes, nil
}

// fetchCandidates turns candidate codes (ambiguous exact or former names, several owners of an
// old code, the code with the valid check character) into candidates.
func (sc *Screener) fetchCandidates(ctx context.Context, items []*screenItem) error {
	var codes []string
	for _, it := range items {
		if len(it.cands) > 0 && it.entity == nil {
			codes = append(codes, it.cands...)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	ents, err := sc.entities(ctx, codes)
	if err != nil {
		return err
	}
	for _, it := range items {
		if len(it.cands) == 0 || it.entity != nil {
			continue
		}
		var list []*Entity
		for _, c := range it.cands {
			if e := ents[c]; e != nil {
				list = append(list, e)
			}
		}
		key := fold.Key(it.name)
		if oldCode := it.via == uscc.KindRegNo.String() || it.via == uscc.KindOrgCode.String(); oldCode && key != "" {
			// Several entities carry the old code: the name given beside it decides.
			var named []*Entity
			for _, e := range list {
				if fold.Key(e.Name) == key || slices.ContainsFunc(e.FormerNames, func(fn string) bool { return fold.Key(fn) == key }) {
					named = append(named, e)
				}
			}
			if len(named) == 1 {
				sc.matchCode(it, named[0], it.kind)
				it.m.explain(fmt.Sprintf("%d entities carry this code; the name given picks one", len(list)),
					fmt.Sprintf("该代码对应 %d 个市场主体，按所填名称确定", len(list)))
				continue
			}
		}
		// Active entities first: a deregistered namesake is the less likely meaning.
		sort.SliceStable(list, func(i, j int) bool { return ActiveStatus(list[i].Status) && !ActiveStatus(list[j].Status) })
		var cands []Candidate
		for _, e := range list {
			c := Candidate{ScreenEntity: screenEntity(e), Score: 1}
			switch it.via {
			case ByFormerName:
				for _, fn := range e.FormerNames {
					if fold.Key(fn) == key {
						c.MatchedName = fn
					}
				}
			case "check_digit":
				c.Score = 0 // found by code, not by name
			}
			cands = append(cands, c)
		}
		// The entity behind the corrected code goes first, before any name candidates.
		it.m.Candidates = append(cands, it.m.Candidates...)
		if len(it.m.Candidates) > MaxScreenCandidates {
			it.m.Candidates = it.m.Candidates[:MaxScreenCandidates]
		}
		if it.m.Status == "" {
			it.m.Status = StatusAmbiguous
			what, whatZH := "registration number", "注册号"
			if it.via == uscc.KindOrgCode.String() {
				what, whatZH = "organisation code", "组织机构代码"
			}
			it.m.explain(fmt.Sprintf("%d entities carry this %s; give the unified social credit code", len(list), what),
				fmt.Sprintf("有 %d 个市场主体使用该%s，请提供统一社会信用代码", len(list), whatZH))
		}
	}
	return nil
}

func screenEntity(e *Entity) ScreenEntity {
	return ScreenEntity{Code: e.Code, Name: e.Name, Status: e.Status, EntityType: e.EntityType, Region: e.Region,
		RegionName: region.FullName(e.Region), FormerNames: e.FormerNames}
}

// addFlags fetches the records of every matched entity and candidate of the batch at once and
// computes their flags as of the day.
func (sc *Screener) addFlags(ctx context.Context, items []*screenItem) error {
	var codes []string
	for _, it := range items {
		switch {
		case it.entity != nil:
			codes = append(codes, it.entity.Code)
		case it.recordOnly != nil:
			codes = append(codes, it.recordOnly.Code)
		}
		for _, c := range it.m.Candidates {
			codes = append(codes, c.Code)
		}
	}
	recs := map[string][]*Record{}
	if len(codes) > 0 && len(sc.types) > 0 {
		var err error
		if recs, err = sc.g.Docs.RecordsOfMany(ctx, codes, sc.types...); err != nil {
			return err
		}
	}
	for _, it := range items {
		switch {
		case it.entity != nil:
			e := screenEntity(it.entity)
			it.m.Entity = &e
		case it.recordOnly != nil:
			it.m.Entity = it.recordOnly
		}
		if it.m.Entity != nil {
			it.m.Flags = sc.flagsFor(it.m.Entity.Code, recs[it.m.Entity.Code])
		}
		for i := range it.m.Candidates {
			c := &it.m.Candidates[i]
			c.Flagged = sc.flagsFor(c.Code, recs[c.Code]).Any()
		}
	}
	return nil
}

// severityRank orders penalty severities: 严重 > 一般 > 轻微 > unknown.
var severityRank = map[string]int{"严重": 3, "一般": 2, "轻微": 1}

// flagsFor computes the flags of one entity on as_of from its records, as the public saw them
// that day: records hidden by a decision never count, a record counts only from its date and
// while it is public (public_until), a list entry is in force until its removal.
func (sc *Screener) flagsFor(code string, recs []*Record) *Flags {
	f := &Flags{}
	if sc.flags[FlagBlacklist] {
		f.Blacklist = &ListFlag{}
	}
	if sc.flags[FlagAbnormal] {
		f.Abnormal = &ListFlag{}
	}
	if sc.flags[FlagDebtor] {
		f.DishonestDebtor = &ListFlag{}
	}
	if sc.flags[FlagPenalties] {
		f.Penalties = &PenaltyFlag{From: sc.penaltyFrom}
	}
	if sc.flags[FlagRedlist] {
		f.Redlist = &RedlistFlag{}
	}
	for _, r := range recs {
		if _, gone := sc.hidden[r.ID]; gone {
			continue
		}
		r = sc.correct(r)
		if r.Date == "" || r.Date > sc.asOf || !r.PublicOn(sc.asOf) {
			continue
		}
		switch r.Type {
		case TypeBlacklist:
			addListEntry(f.Blacklist, r, sc.asOf)
		case TypeAbnormal:
			addListEntry(f.Abnormal, r, sc.asOf)
		case TypeDishonestDebtor:
			addListEntry(f.DishonestDebtor, r, sc.asOf)
		case TypePenalty:
			p := f.Penalties
			if p == nil || r.Date < sc.penaltyFrom {
				continue
			}
			p.Count++
			p.RecordIDs = append(p.RecordIDs, r.ID)
			if r.Date > p.Latest {
				p.Latest = r.Date
			}
			if severityRank[r.Severity] > severityRank[p.MostSevere] {
				p.MostSevere = r.Severity
			}
		case TypeRedlist:
			if f.Redlist != nil {
				f.Redlist.Listed = true
				if y := r.Fields["year"]; y != "" && !contains(f.Redlist.Years, y) {
					f.Redlist.Years = append(f.Redlist.Years, y)
				}
			}
		}
	}
	if sc.flags[FlagObjection] {
		o := &ObjectionFlag{}
		ids := make([]string, 0, len(sc.pending[code]))
		for id := range sc.pending[code] {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if day := sc.pending[code][id]; day <= sc.asOf {
				o.Pending = true
				if id != code {
					o.RecordIDs = append(o.RecordIDs, id)
				}
				if o.Since == "" || day < o.Since {
					o.Since = day
				}
			}
		}
		f.Objection = o
	}
	return f
}

func addListEntry(l *ListFlag, r *Record, asOf string) {
	if l == nil {
		return
	}
	e := ListEntry{RecordID: r.ID, ListDate: r.Date, RemovalDate: r.Removed, Authority: r.Authority,
		Reason: r.Fields["reason"], CaseNo: r.Fields["case_no"]}
	e.InForce = r.Date <= asOf && (r.Removed == "" || r.Removed > asOf)
	if e.InForce {
		l.Listed = true
		if l.Since == "" || r.Date < l.Since {
			l.Since = r.Date
		}
	}
	l.Entries = append(l.Entries, e)
}

// correct applies a reviewer's corrected values (更正) to the dates a flag depends on.
func (sc *Screener) correct(r *Record) *Record {
	c := sc.corrected[r.ID]
	if len(c) == 0 {
		return r
	}
	cp := *r
	if v, ok := c["public_until"]; ok {
		cp.PublicUntil = v
	}
	if v, ok := c["removal_date"]; ok {
		cp.Removed = v
	}
	if v, ok := c["severity"]; ok {
		cp.Severity = v
	}
	if sch := SchemaOf(r.Type); sch != nil && sch.DateKey != "" {
		if v, ok := c[sch.DateKey]; ok {
			cp.Date = v
		}
	}
	return &cp
}

// Name similarity.

// nameShape is a name prepared for scoring: its folded text without punctuation or spaces,
// and the same without legal-form words (有限公司 …), which say little about identity.
type nameShape struct{ full, core []rune }

func newNameShape(name string) nameShape {
	text := SearchText(name)
	return nameShape{full: []rune(strings.ReplaceAll(text, " ", "")), core: []rune(strings.ReplaceAll(CoreName(text), " ", ""))}
}

func coreRunes(name string) []rune { return newNameShape(name).core }

// score is the similarity of the input with a name, 0 to 1: mostly the bigram Dice coefficient
// of the core names, plus a little of the full names' so that a differing legal form costs a
// little and a branch (…分公司) costs more.
func (in nameShape) score(name string) float64 {
	other := newNameShape(name)
	return 0.85*dice(in.core, other.core) + 0.15*dice(in.full, other.full)
}

// dice is the Sørensen–Dice coefficient of the character bigrams (unigrams for one-character
// strings) of a and b.
func dice(a, b []rune) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if string(a) == string(b) {
		return 1
	}
	if len(a) < 2 || len(b) < 2 {
		common := 0
		for _, r := range a {
			if containsRune(b, r) {
				common++
				break
			}
		}
		return 2 * float64(common) / float64(len(a)+len(b))
	}
	grams := make(map[[2]rune]int, len(a))
	for i := 0; i+1 < len(a); i++ {
		grams[[2]rune{a[i], a[i+1]}]++
	}
	common := 0
	for i := 0; i+1 < len(b); i++ {
		g := [2]rune{b[i], b[i+1]}
		if grams[g] > 0 {
			grams[g]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)-1+len(b)-1)
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// commonParts splits the input into the longest pieces (two characters or more) found in the
// name, and the rest: the "words" that matched and those that did not.
func commonParts(input, name []rune) (matched, unmatched []string) {
	hay := string(name)
	var rest []rune
	flushRest := func() {
		if len(rest) > 0 {
			unmatched = append(unmatched, string(rest))
			rest = rest[:0]
		}
	}
	for i := 0; i < len(input); {
		best := 0
		for j := len(input); j >= i+2; j-- {
			if strings.Contains(hay, string(input[i:j])) {
				best = j - i
				break
			}
		}
		if best == 0 {
			rest = append(rest, input[i])
			i++
			continue
		}
		flushRest()
		matched = append(matched, string(input[i:i+best]))
		i += best
	}
	flushRest()
	return matched, unmatched
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
