package index

import (
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/region"
	"github.com/gongshi/gongshi/index/uscc"
)

// OpenEnded is the "until" of a record without a publication end, so one range query covers all.
const OpenEnded = "9999-12-31"

// Has-values of an entity document: what a user can filter on and what badges show.
const (
	HasBlacklist = "blacklist"
	HasAbnormal  = "abnormal"
	HasDebtor    = "debtor"
	HasRedlist   = "redlist"
	HasPenalty   = "penalty" // derived at query time from penalty_until
	HasLicense   = "license"
	HasSpotCheck = "spot_check"
)

type entityDoc struct {
	Kind         string   `json:"kind"`
	Name         string   `json:"name"`
	Core         string   `json:"core"` // the name without legal-form words, for pinyin
	Former       []string `json:"former,omitempty"`
	NameKey      string   `json:"name_key"`
	FormerKey    []string `json:"former_key,omitempty"`
	Codes        []string `json:"codes"`
	Prov         string   `json:"prov,omitempty"`
	City         string   `json:"city,omitempty"`
	Region       string   `json:"region,omitempty"`
	Status       string   `json:"status,omitempty"`
	Active       string   `json:"active"`
	EType        string   `json:"etype,omitempty"`
	Has          []string `json:"has,omitempty"`
	PenaltyUntil float64  `json:"penalty_until,omitempty"` // yyyymmdd of the last public penalty day
	NameLen      string   `json:"name_len"`                // zero-padded: a keyword sorts like a number at one term per doc
	Rank         string   `json:"rank"`                    // name_len, 0 if active else 1, code: the order inside a search tier
}

type recordDoc struct {
	Kind      string  `json:"kind"`
	Type      string  `json:"type"`
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	Date      string  `json:"date"`
	Year      string  `json:"year,omitempty"`
	Authority string  `json:"authority,omitempty"`
	Prov      string  `json:"prov,omitempty"`
	City      string  `json:"city,omitempty"`
	Region    string  `json:"region,omitempty"`
	Listed    string  `json:"listed,omitempty"`
	Until     float64 `json:"until"` // yyyymmdd of the last public day; numeric so a range is cheap
}

// ActiveStatus reports whether a 登记状态 means the entity is operating.
func ActiveStatus(s string) bool {
	return s == "" || strings.Contains(s, "存续") || strings.Contains(s, "在业") || strings.Contains(s, "开业") || strings.Contains(s, "正常")
}

// EntityGroup buckets the many 企业类型 spellings into the few a search filter offers.
func EntityGroup(entityType, code string) string {
	switch {
	case strings.Contains(entityType, "个体") || strings.HasPrefix(code, "92"):
		return "个体工商户"
	case strings.Contains(entityType, "合作社") || strings.HasPrefix(code, "93"):
		return "农民专业合作社"
	case strings.Contains(entityType, "分公司") || strings.Contains(entityType, "分支"):
		return "分支机构"
	case strings.Contains(entityType, "合伙"):
		return "合伙企业"
	case strings.Contains(entityType, "股份"):
		return "股份有限公司"
	case strings.Contains(entityType, "有限"):
		return "有限责任公司"
	case strings.Contains(entityType, "独资"):
		return "个人独资企业"
	case entityType == "":
		return "其他"
	}
	return "其他企业"
}

func newEntityDoc(e *Entity, records []*Record) *entityDoc {
	d := &entityDoc{
		Kind:    KindEntity,
		Name:    SearchText(e.Name),
		Core:    CoreName(SearchText(e.Name)),
		NameKey: fold.Key(e.Name),
		Codes:   entityCodes(e),
		Region:  e.Region,
		Prov:    region.Province(e.Region),
		City:    region.City(e.Region),
		Status:  e.Status,
		Active:  "0",
		EType:   EntityGroup(e.EntityType, e.Code),
	}
	if ActiveStatus(e.Status) {
		d.Active = "1"
	}
	d.NameLen = fmt.Sprintf("%03d", min(utf8.RuneCountInString(d.NameKey), 999))
	d.Rank = d.NameLen + map[string]string{"1": "0", "0": "1"}[d.Active] + e.Code
	for _, n := range e.FormerNames {
		d.Former = append(d.Former, SearchText(n))
		d.FormerKey = append(d.FormerKey, fold.Key(n))
	}
	has := map[string]bool{}
	for _, r := range records {
		switch r.Type {
		case TypeBlacklist:
			has[HasBlacklist] = has[HasBlacklist] || r.Removed == ""
		case TypeAbnormal:
			has[HasAbnormal] = has[HasAbnormal] || r.Removed == ""
		case TypeDishonestDebtor:
			has[HasDebtor] = has[HasDebtor] || r.Removed == ""
		case TypeRedlist:
			has[HasRedlist] = true
		case TypeLicense:
			has[HasLicense] = true
		case TypeSpotCheck:
			has[HasSpotCheck] = true
		case TypePenalty:
			until := r.PublicUntil
			if until == "" {
				until = OpenEnded
			}
			if n := DayNumber(until); n > d.PenaltyUntil {
				d.PenaltyUntil = n
			}
		}
	}
	for _, h := range []string{HasBlacklist, HasAbnormal, HasDebtor, HasRedlist, HasLicense, HasSpotCheck} {
		if has[h] {
			d.Has = append(d.Has, h)
		}
	}
	return d
}

// entityCodes are every identifier a user may type: the USCC, the 注册号, the organisation
// code given, and the organisation code embedded in the USCC.
func entityCodes(e *Entity) []string {
	codes := []string{e.Code}
	add := func(c string) {
		c = uscc.Normalize(c)
		if c == "" {
			return
		}
		for _, x := range codes {
			if x == c {
				return
			}
		}
		codes = append(codes, c)
	}
	add(e.RegNo)
	add(e.OrgCode)
	if uscc.Classify(e.Code) == uscc.KindUSCC {
		add(uscc.OrgCode(e.Code))
	}
	return codes
}

func newRecordDoc(r *Record, entityRegion string) *recordDoc {
	d := &recordDoc{
		Kind:      KindRecord,
		Type:      string(r.Type),
		Code:      r.EntityCode,
		Name:      SearchText(r.EntityName),
		Date:      r.Date,
		Authority: r.Authority,
		Region:    entityRegion,
		Prov:      region.Province(entityRegion),
		City:      region.City(entityRegion),
	}
	if len(r.Date) >= 4 {
		d.Year = r.Date[:4]
	}
	d.Until = DayNumber(OpenEnded)
	if r.PublicUntil != "" {
		d.Until = DayNumber(r.PublicUntil)
	}
	if r.Type.IsList() || r.Type == TypeDishonestDebtor {
		d.Listed = "1"
		if r.Removed != "" {
			d.Listed = "0"
		}
	}
	return d
}

// ShardOf routes an entity code (and every record about it) to one of n shards.
func ShardOf(code string, n int) int {
	if n <= 1 {
		return 0
	}
	h := fnv.New32a()
	h.Write([]byte(code))
	return int(h.Sum32() % uint32(n))
}

// DayNumber turns YYYY-MM-DD into the number yyyymmdd for numeric range filters (0 if malformed).
func DayNumber(day string) float64 {
	if len(day) != 10 {
		return 0
	}
	n, err := strconv.Atoi(day[:4] + day[5:7] + day[8:])
	if err != nil {
		return 0
	}
	return float64(n)
}
