package opendata

import (
	"github.com/gongshi/gongshi/index"
)

// List is one published dataset: its URL name, record type and names.
type List struct {
	Name    string           // URL name: entities, blacklist, ...
	Type    index.RecordType // record type it holds
	Label   string           // Chinese title
	LabelEN string           // English title
	About   string           // English description for catalogs
}

// Lists are every dataset in the order the /data/ page shows them: the register first, then
// index.Lists. URL names never change once published: scripts and harvesters depend on them.
func Lists() []List {
	out := []List{{Name: "entities", Type: index.TypeEntity, Label: index.TypeEntity.Label(), LabelEN: "Registered market entities",
		About: "Basic registration facts of every market entity in the register (登记基本信息)."}}
	for _, l := range index.Lists {
		out = append(out, List{Name: l.Name, Type: l.Type, Label: l.Label, LabelEN: englishTitles[l.Type], About: englishAbout[l.Type]})
	}
	return out
}

// ListByName returns the dataset with the URL name.
func ListByName(name string) (List, bool) {
	for _, l := range Lists() {
		if l.Name == name {
			return l, true
		}
	}
	return List{}, false
}

var englishTitles = map[index.RecordType]string{
	index.TypePenalty:         "Administrative penalties",
	index.TypeLicense:         "Administrative licences",
	index.TypeAbnormal:        "Abnormal-operation list",
	index.TypeBlacklist:       "Serious illegal and dishonest list (blacklist)",
	index.TypeDishonestDebtor: "Dishonest judgment debtors",
	index.TypeSpotCheck:       "Spot-check results",
	index.TypeRedlist:         "Red list (contract-abiding and trustworthy)",
}

var englishAbout = map[index.RecordType]string{
	index.TypePenalty:         "Administrative penalty decisions still inside their publication period (行政处罚).",
	index.TypeLicense:         "Administrative licensing decisions (行政许可).",
	index.TypeAbnormal:        "Entries of the abnormal-operation list (经营异常名录), with their removal when removed; removed entries stay as history.",
	index.TypeBlacklist:       "Entries of the serious illegal and dishonest list (严重违法失信名单), with their removal when removed; removed entries stay as history.",
	index.TypeDishonestDebtor: "Dishonest judgment debtors published by the courts (失信被执行人), organisations only.",
	index.TypeSpotCheck:       "Results of random, targeted and special spot checks (抽查检查结果).",
	index.TypeRedlist:         "Entities on a red list such as 守合同重信用 (守信激励).",
}

// Column is one column of a dataset's CSV/XLSX files and of its Table Schema.
type Column struct {
	Name        string // the CSV header: the Chinese standard label
	Key         string // where the value is in a JSON Lines object: "id", "fields.code", "source.publisher" ...
	Type        string // Table Schema type: string, date, number, integer
	Description string // English
	Extra       bool   // a gongshi column, not part of the agency's schema
}

// The gongshi columns after the schema's, in this order. Their headers are part of the
// documented file format: never rename or reorder them.
const (
	ColRecordID    = "记录编号"
	ColPublicUntil = "公示截止期"
	ColObjection   = "异议状态"
	ColCorrection  = "更正说明"
	ColSource      = "数据来源"
	ColSnapshot    = "快照日期"
)

// Columns returns the columns of a record type's files: the schema's labels in schema order,
// then the gongshi columns (公示截止期 only where the schema has none).
func Columns(t index.RecordType) []Column {
	sc := index.SchemaOf(t)
	var out []Column
	hasUntil := false
	for _, f := range sc.Fields {
		c := Column{Name: f.Label, Key: "fields." + f.Key, Type: tableType(f.Kind), Description: describe(t, f.Key)}
		if f.Key == "public_until" {
			// The effective window: the agency's date, or the policy's when it gave none.
			hasUntil = true
			c.Key = "public_until"
		}
		out = append(out, c)
	}
	out = append(out, Column{Name: ColRecordID, Key: "id", Type: "string", Extra: true,
		Description: "Stable record id derived from the record's natural key (for the register: the entity code); use it to diff versions and to link to /entities/{code}#{id}."})
	if !hasUntil {
		out = append(out, Column{Name: ColPublicUntil, Key: "public_until", Type: "date", Extra: true, Description: describe(t, "public_until")})
	}
	out = append(out,
		Column{Name: ColObjection, Key: "objection_pending_since", Type: "string", Extra: true,
			Description: "Objection status: \"存在异议 · 处理中 (YYYY-MM-DD起)\" while an objection against the record is being handled, else empty."},
		Column{Name: ColCorrection, Key: "fields.correction_note", Type: "string", Extra: true,
			Description: "Note added by a reviewer's decision (e.g. 无法确认: could not be confirmed), else empty."},
		Column{Name: ColSource, Key: "source.publisher", Type: "string", Extra: true,
			Description: "The agency whose snapshot the record came from (信息提供单位)."},
		Column{Name: ColSnapshot, Key: "source.snapshot_date", Type: "date", Extra: true,
			Description: "Date of the agency snapshot the record came from."},
	)
	return out
}

func tableType(k index.ValueKind) string {
	switch k {
	case index.KindDate:
		return "date"
	case index.KindMoney:
		return "number"
	case index.KindInt:
		return "integer"
	}
	return "string"
}

// describe is the English description of a field, by type-specific key first.
func describe(t index.RecordType, key string) string {
	if d, ok := descriptions[string(t)+"."+key]; ok {
		return d
	}
	if d, ok := descriptions[key]; ok {
		return d
	}
	return key
}

var descriptions = map[string]string{
	"code":                          "Unified social credit code (USCC, GB 32100), or the older registration number / organisation code when that is all the record has.",
	"name":                          "Name of the entity as published.",
	"penalty.name":                  "Name of the party penalised (行政相对人).",
	"license.name":                  "Name of the licensee (行政相对人).",
	"public_until":                  "Last day the record is public (公示截止期): from the agency's file, else computed from the publication policy. Empty: no fixed end.",
	"authority":                     "Deciding authority.",
	"entity.authority":              "Registration authority.",
	"entity_type":                   "Entity type (类型).",
	"legal_rep":                     "Legal representative or person in charge.",
	"reg_capital":                   "Registered capital as published.",
	"established":                   "Date of establishment.",
	"term_from":                     "Business term from.",
	"term_to":                       "Business term to (empty: unlimited).",
	"approved":                      "Date of the latest approval.",
	"status":                        "Registration status (存续, 在业, 吊销, 注销, 迁出 ...).",
	"address":                       "Registered address.",
	"scope":                         "Business scope.",
	"reg_no":                        "Former 15-digit registration number.",
	"org_code":                      "Organisation code (GB 11714).",
	"former_names":                  "Former names, separated by ；.",
	"doc_no":                        "Number of the decision document.",
	"violation_type":                "Type of violation.",
	"facts":                         "Facts of the violation.",
	"basis":                         "Legal basis of the penalty.",
	"category":                      "Category of the penalty (罚款, 通报批评, 吊销 ...).",
	"license.category":              "Category of the licence.",
	"content":                       "Content of the penalty.",
	"license.content":               "Content of the licence.",
	"fine":                          "Fine in 10,000 yuan (万元).",
	"confiscated":                   "Confiscated illegal gains in 10,000 yuan (万元).",
	"decision_date":                 "Date of the decision.",
	"valid_until":                   "End of the penalty's effect (处罚有效期).",
	"authority_code":                "USCC of the deciding authority.",
	"data_source":                   "Data source unit as given by the agency.",
	"severity":                      "Severity (轻微 minor / 一般 general / 严重 serious) where known or classified by the publication policy.",
	"doc_name":                      "Name of the licensing decision document.",
	"cert_name":                     "Name of the licence certificate.",
	"license_no":                    "Licence number.",
	"valid_from":                    "Licence valid from.",
	"valid_to":                      "Licence valid to.",
	"state":                         "Current state of the licence.",
	"reason":                        "Reason for listing.",
	"list_date":                     "Date of listing.",
	"removal_reason":                "Reason for removal (empty while listed).",
	"removal_date":                  "Date of removal (empty while listed).",
	"removal_authority":             "Authority that decided the removal.",
	"case_no":                       "Court case number.",
	"court":                         "Enforcing court.",
	"province":                      "Province.",
	"basis_doc_no":                  "Number of the enforcement basis document.",
	"filed_date":                    "Date the case was filed.",
	"obligation":                    "Obligation set by the effective legal document.",
	"performance":                   "Performance of the obligation.",
	"circumstances":                 "Specific dishonest conduct.",
	"published":                     "Date of publication by the court.",
	"dishonest_debtor.removal_date": "Date the court removed (屏蔽) the debtor; the record is not public from that day.",
	"spot_check.authority":          "Authority that carried out the check.",
	"check_type":                    "Type of check (双随机, 定向, 专项).",
	"check_date":                    "Date of the check.",
	"result":                        "Result of the check.",
	"year":                          "Year of publication (公示年度).",
	"years":                         "Consecutive years on the list.",
	"redlist.authority":             "Publishing authority.",
}
