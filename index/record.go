// Package index holds gongshi's published data model (entities, records, list types), the
// Chinese-aware Bleve mapping, query building and the searcher over the serving generation.
package index

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// RecordType is the kind of a snapshot file and of the records it holds.
type RecordType string

const (
	TypeEntity          RecordType = "entity"
	TypePenalty         RecordType = "penalty"
	TypeLicense         RecordType = "license"
	TypeAbnormal        RecordType = "abnormal"
	TypeBlacklist       RecordType = "blacklist"
	TypeDishonestDebtor RecordType = "dishonest_debtor"
	TypeSpotCheck       RecordType = "spot_check"
	TypeRedlist         RecordType = "redlist"
)

// RecordTypes lists every type in the order pages show them.
var RecordTypes = []RecordType{TypeEntity, TypeBlacklist, TypeAbnormal, TypeDishonestDebtor, TypePenalty, TypeLicense, TypeSpotCheck, TypeRedlist}

// Valid reports whether t is one of the known types.
func (t RecordType) Valid() bool {
	for _, k := range RecordTypes {
		if k == t {
			return true
		}
	}
	return false
}

// Label is the Chinese name of the record type.
func (t RecordType) Label() string { return typeLabels[t] }

var typeLabels = map[RecordType]string{
	TypeEntity:          "登记基本信息",
	TypePenalty:         "行政处罚",
	TypeLicense:         "行政许可",
	TypeAbnormal:        "经营异常名录",
	TypeBlacklist:       "严重违法失信名单",
	TypeDishonestDebtor: "失信被执行人",
	TypeSpotCheck:       "抽查检查结果",
	TypeRedlist:         "守信红名单",
}

// IsList reports whether records of t are list entries with a listing and optional removal.
func (t RecordType) IsList() bool { return t == TypeAbnormal || t == TypeBlacklist }

// HasListState reports whether entries of t are listed and later removed (移出, or taken off
// the court's list), so that a list of them can be filtered by current or removed entries.
func (t RecordType) HasListState() bool { return t.IsList() || t == TypeDishonestDebtor }

// Entity is a market entity as published: its registration and derived search facts.
type Entity struct {
	Code         string            `json:"code"`        // normalised USCC (or the only code it has)
	Name         string            `json:"name"`        // as published
	Status       string            `json:"status"`      // 登记状态
	EntityType   string            `json:"entity_type"` // 类型
	Region       string            `json:"region"`      // six-digit region code from the USCC
	RegNo        string            `json:"reg_no,omitempty"`
	OrgCode      string            `json:"org_code,omitempty"`
	FormerNames  []string          `json:"former_names,omitempty"`
	Fields       map[string]string `json:"fields"` // every published field by canonical key
	CheckWarning string            `json:"check_warning,omitempty"`
	Source       Source            `json:"source"`
}

// Record is one published record about an entity (penalty, licence, list entry ...).
type Record struct {
	ID          string            `json:"id"`
	Type        RecordType        `json:"type"`
	EntityCode  string            `json:"entity_code"`
	EntityName  string            `json:"entity_name"`
	Date        string            `json:"date"`                   // decision / listing date, YYYY-MM-DD
	PublicUntil string            `json:"public_until,omitempty"` // last public day; "" = open-ended
	Removed     string            `json:"removed,omitempty"`      // removal date of a list entry
	Authority   string            `json:"authority,omitempty"`
	Severity    string            `json:"severity,omitempty"` // 轻微 / 一般 / 严重 where known
	Fields      map[string]string `json:"fields"`
	Source      Source            `json:"source"`
	// ObjectionSince is set while an objection about the record is in progress (存在异议).
	ObjectionSince string `json:"objection_pending_since,omitempty"`
	// RemovalOnly marks a list row that carries a removal (移出日期) but no listing date: it
	// names no stored record by itself, and the importer applies it to the entity's one open
	// listing on that list. It only travels from the converter to the store, never stored.
	RemovalOnly bool `json:"-"`
}

// Source says which snapshot a record came from.
type Source struct {
	Publisher    string `json:"publisher"`
	SnapshotDate string `json:"snapshot_date"`
}

// PublicOn reports whether the record is public on the given day (YYYY-MM-DD).
// The window ends after PublicUntil. (A record is published when its snapshot arrives, so there
// is no start to check.)
func (r *Record) PublicOn(day string) bool {
	if r.PublicUntil != "" && day > r.PublicUntil {
		return false
	}
	return true
}

// Listed reports whether a list entry is in force (listed, not removed) on day.
func (r *Record) Listed(day string) bool {
	return r.Type.IsList() && (r.Removed == "" || r.Removed > day) && r.Date <= day
}

// RecordID derives a stable identity from a record's natural key, never from a row number,
// so that objections and diffs keep pointing at the same record across snapshots.
func RecordID(t RecordType, natural ...string) string {
	h := sha256.New()
	h.Write([]byte(t))
	for _, p := range natural {
		h.Write([]byte{0})
		h.Write([]byte(strings.TrimSpace(p)))
	}
	return string(t) + "-" + hex.EncodeToString(h.Sum(nil)[:8])
}

// RecordTypeOfID returns the type prefix of a record id, or "" if it has none.
func RecordTypeOfID(id string) RecordType {
	i := strings.LastIndexByte(id, '-')
	if i <= 0 {
		return ""
	}
	t := RecordType(id[:i])
	if !t.Valid() {
		return ""
	}
	return t
}

// Title names a record in the words its type uses ("行政处罚决定书 榕市监处罚〔2024〕12号").
func (r *Record) Title() string {
	f := r.Fields
	switch r.Type {
	case TypePenalty:
		if f["doc_no"] != "" {
			return "行政处罚决定书 " + f["doc_no"]
		}
	case TypeLicense:
		if t := firstNonEmpty(f["cert_name"], f["doc_name"]); t != "" {
			return strings.TrimSpace(t + " " + f["doc_no"])
		}
		if f["doc_no"] != "" {
			return "行政许可决定书 " + f["doc_no"]
		}
	case TypeAbnormal, TypeBlacklist:
		return r.Date + " 列入" + r.Type.Label()
	case TypeDishonestDebtor:
		if f["case_no"] != "" {
			return "案号 " + f["case_no"]
		}
	case TypeSpotCheck:
		return r.Date + " " + firstNonEmpty(f["check_type"], "抽查检查")
	case TypeRedlist:
		if f["year"] != "" {
			return f["year"] + " 年度" + r.Type.Label()
		}
	}
	return strings.TrimSpace(r.Date + " " + r.Type.Label())
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
