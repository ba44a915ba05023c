package index

// The screening result model: subjects, matches, entities and candidates, the credit flags with
// their names and Chinese labels, and the summary counts.

import (
	"strconv"
	"strings"

	"github.com/gongshi/gongshi/index/region"
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
	WarnCodeAuthority = "code_authority"  // the code's first two characters are no GB 32100 authority/category pair
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
	Since     string   `json:"since,omitempty"` // the day the earliest marked objection was accepted (受理)
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

func screenEntity(e *Entity) ScreenEntity {
	return ScreenEntity{Code: e.Code, Name: e.Name, Status: e.Status, EntityType: e.EntityType, Region: e.Region,
		RegionName: region.FullName(e.Region), FormerNames: e.FormerNames}
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
