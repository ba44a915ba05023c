package importer

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/gongshi/gongshi/importer/mapping"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/personal"
	"github.com/gongshi/gongshi/index/uscc"
)

// converter turns the rows of one file into entities or records, reporting every problem.
type converter struct {
	file        string
	schema      *index.Schema
	cols        []string // canonical key of each column, "" if unknown
	policy      Policy
	source      index.Source
	acceptedBad map[string]bool // codes the snapshot marks as known check-digit failures
	acceptBad   bool            // operator accepts all check-digit failures (with a warning)
}

// verdict of one row.
type verdict int

const (
	accepted verdict = iota
	rejected
	withheld
)

// newConverter resolves the headers by the schema's names and the built-in profiles alone;
// a missing required column refuses the whole file. It returns the ignored headers.
func newConverter(file string, t index.RecordType, header []string) (*converter, []string, error) {
	c, res, err := newMappedConverter(file, t, header, nil)
	if res == nil {
		return c, nil, err
	}
	return c, res.Ignored(), err
}

// newMappedConverter resolves the headers the one way headers become fields
// (mapping.Resolve: spec, then the built-in profile the headers match, then the schema's names
// and aliases); a missing required column refuses the whole file. Withheld, ignored and
// fallback columns get no key here: the validator never sees them, and load fills fields from
// fallbacks and translates codes (Resolution.Apply) before a row reaches it.
func newMappedConverter(file string, t index.RecordType, header []string, spec *mapping.Spec) (*converter, *mapping.Resolution, error) {
	res, err := mapping.Resolve(t, header, spec)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: column mapping: %w", file, err)
	}
	c := &converter{file: file, schema: index.SchemaOf(t), cols: res.Keys()}
	missing := res.Missing()
	if t.IsList() && res.Has("removal_date") {
		// A file of removals alone need not carry the listing's columns: convert asks each
		// row for them, or for a removal date instead.
		missing = slices.DeleteFunc(missing, func(label string) bool {
			return slices.ContainsFunc(listingKeys, func(k string) bool { return c.schema.Field(k).Label == label })
		})
	}
	if len(missing) > 0 {
		return nil, res, fmt.Errorf("%s: required columns missing for type %s: %s (headers found: %s)",
			file, t, strings.Join(missing, "、"), strings.Join(header, ","))
	}
	return c, res, nil
}

func (c *converter) issue(line int, f *index.Field, code, reason, value string, severity Severity) Issue {
	// Reasons quote values too ("not a date: ..."): neither may carry personal data in full.
	is := Issue{File: c.file, Line: line, Code: code, Reason: personal.Mask(reason), Value: personal.Mask(value), Severity: severity}
	if f != nil {
		is.Field = f.Label
	}
	return is
}

// convert validates and normalises one row. It returns the entity or the record (one of them),
// the issues found, and the verdict.
func (c *converter) convert(line int, values []string) (*index.Entity, *index.Record, []Issue, verdict) {
	fields := make(map[string]string, len(c.schema.Fields))
	var issues []Issue
	bad := false
	for i, key := range c.cols {
		if key == "" || i >= len(values) {
			continue
		}
		f := c.schema.Field(key)
		raw := values[i]
		if is := c.overLong(line, i, f, raw); is != nil {
			issues, bad = append(issues, *is), true
			continue
		}
		v, err := normaliseValue(f.Kind, raw)
		if err != nil {
			issues = append(issues, c.issue(line, f, "invalid_"+kindName(f.Kind), fmt.Sprintf("%s格式错误：%v", f.Label, err), raw, SeverityError))
			bad = true
			continue
		}
		switch f.Kind {
		case index.KindCode:
			// The main code is judged below: a person's ID there withholds the whole row. In any
			// other code column (注册号, 组织机构代码, 处罚机关统一社会信用代码 ...) only the value goes.
			if key != "code" && personal.Mask(v) != v {
				issues = append(issues, c.issue(line, f, "natural_person",
					f.Label+"含自然人身份证号码或手机号码，该项不予公示", v, SeverityWithheld))
				continue
			}
		case index.KindMoney, index.KindInt:
			// An ID number in an amount column would parse as a (rounded) number and be
			// published: judge the cell as written.
			if personal.Mask(raw) != raw {
				issues = append(issues, c.issue(line, f, "natural_person",
					f.Label+"含自然人身份证号码或手机号码，该项不予公示", raw, SeverityWithheld))
				continue
			}
		case index.KindText, index.KindNames:
			v = personal.Mask(v)
		}
		if v != "" {
			fields[key] = v
		}
	}
	removalOnly := c.schema.Type.IsList() && fields["list_date"] == "" && fields["removal_date"] != ""
	for _, f := range c.schema.Fields {
		if removalOnly && slices.Contains(listingKeys, f.Key) {
			continue // the listing is the entity's open one, found when the row is written
		}
		if f.Required && fields[f.Key] == "" && !hasIssueFor(issues, f.Label) {
			issues = append(issues, c.issue(line, &f, "missing_required", "缺少必填字段："+f.Label, "", SeverityError))
			bad = true
		}
	}
	if code := fields["code"]; code != "" {
		codeField := c.schema.Field("code")
		switch uscc.Classify(code) {
		case uscc.KindResidentID:
			return nil, nil, append(issues, c.issue(line, codeField, "natural_person", "自然人身份证号码，不予公示", code, SeverityWithheld)), withheld
		case uscc.KindUSCC:
			var cd *uscc.CheckDigitError
			if err := uscc.Validate(code); errors.As(err, &cd) {
				switch {
				case c.acceptedBad[code]:
				case c.acceptBad:
					issues = append(issues, c.issue(line, codeField, "check_digit", checkDigitReason(cd), code, SeverityWarning))
				default:
					issues = append(issues, c.issue(line, codeField, "check_digit", checkDigitReason(cd), code, SeverityError))
					bad = true
				}
			}
		case uscc.KindRegNo, uscc.KindOrgCode:
			// older identifiers: kept, linked to the register by the generation build
		default:
			issues = append(issues, c.issue(line, codeField, "invalid_code",
				"统一社会信用代码应为18位（或15位注册号、9位组织机构代码）", code, SeverityError))
			bad = true
		}
	}
	if bad {
		return nil, nil, issues, rejected
	}
	if c.schema.Type == index.TypeEntity {
		return c.entity(fields), nil, issues, accepted
	}
	r := c.record(fields)
	if removalOnly {
		// Which listing it removes is known only against the store: check can say no more.
		r.RemovalOnly = true
		issues = append(issues, c.issue(line, c.schema.Field("removal_date"), "removal_only",
			"仅含移出信息（无列入日期）：导入时移出该主体在名单中的当前列入记录，须恰有一条；仅限增量快照", fields["removal_date"], SeverityNotice))
	}
	if r.Type == index.TypePenalty {
		class := c.policy.Classify(r)
		if class == ClassWithheld {
			reason := "仅警告的行政处罚不予公示"
			if r.Fields["category"] != "警告" {
				reason = "轻微失信信息不予公示"
			}
			return nil, nil, append(issues, c.issue(line, c.schema.Field("category"), "not_published", reason, r.Fields["category"], SeverityWithheld)), withheld
		}
		if r.PublicUntil == "" {
			r.PublicUntil = c.policy.PublicUntil(r, class)
		}
		if r.Severity == "" {
			r.Severity = map[PenaltyClass]string{ClassMinor: "轻微", ClassGeneral: "一般", ClassSerious: "严重"}[class]
		}
	}
	return nil, r, issues, accepted
}

func hasIssueFor(issues []Issue, label string) bool {
	for _, is := range issues {
		if is.Field == label {
			return true
		}
	}
	return false
}

func checkDigitReason(cd *uscc.CheckDigitError) string {
	return fmt.Sprintf("统一社会信用代码校验位错误：第18位为 %c，按 GB 32100 应为 %c（%s）", cd.Code[17], cd.Want, cd.Suggestion())
}

func kindName(k index.ValueKind) string {
	switch k {
	case index.KindCode:
		return "code"
	case index.KindDate:
		return "date"
	case index.KindMoney:
		return "amount"
	case index.KindInt:
		return "number"
	}
	return "text"
}

func normaliseValue(k index.ValueKind, raw string) (string, error) {
	switch k {
	case index.KindCode:
		return uscc.Normalize(raw), nil
	case index.KindDate:
		return Date(raw)
	case index.KindMoney:
		return Money(raw)
	case index.KindInt:
		return Int(raw)
	case index.KindNames:
		return strings.Join(Names(raw), "；"), nil
	}
	return Text(raw), nil
}

func (c *converter) entity(f map[string]string) *index.Entity {
	e := &index.Entity{
		Code:       f["code"],
		Name:       f["name"],
		Status:     f["status"],
		EntityType: f["entity_type"],
		RegNo:      f["reg_no"],
		OrgCode:    f["org_code"],
		Fields:     f,
		Source:     c.source,
	}
	if uscc.Classify(e.Code) == uscc.KindUSCC {
		e.Region = uscc.Region(e.Code)
		if err := uscc.Validate(e.Code); err != nil {
			e.CheckWarning = err.Error()
		}
	}
	if fn := f["former_names"]; fn != "" {
		e.FormerNames = strings.Split(fn, "；")
	}
	return e
}

// listingKeys are the list fields that describe the listing itself (列入原因, 列入日期 and
// 列入决定机关): a row of removal alone (移出日期 without 列入日期) need not carry them.
var listingKeys = []string{"reason", "list_date", "authority"}

// naturalKey lists the fields that identify a record of each type (domain.md §3).
var naturalKey = map[index.RecordType][]string{
	index.TypePenalty:         {"authority", "doc_no"},
	index.TypeLicense:         {"authority", "doc_no"},
	index.TypeAbnormal:        {"code", "list_date", "authority"},
	index.TypeBlacklist:       {"code", "list_date", "authority"},
	index.TypeDishonestDebtor: {"case_no", "code"},
	index.TypeSpotCheck:       {"code", "authority", "check_date", "check_type"},
	index.TypeRedlist:         {"code", "year", "authority"},
}

func (c *converter) record(f map[string]string) *index.Record {
	t := c.schema.Type
	key := make([]string, 0, 4)
	for _, k := range naturalKey[t] {
		key = append(key, f[k])
	}
	r := &index.Record{
		ID:          index.RecordID(t, key...),
		Type:        t,
		EntityCode:  f["code"],
		EntityName:  f["name"],
		Date:        f[c.schema.DateKey],
		PublicUntil: f["public_until"],
		Removed:     f["removal_date"],
		Authority:   f["authority"],
		Severity:    f["severity"],
		Fields:      f,
		Source:      c.source,
	}
	switch t {
	case index.TypeRedlist:
		r.Date = f["year"] + "-01-01"
	case index.TypeDishonestDebtor:
		r.Authority = f["court"]
		// A debtor taken off the court's list is no longer shown (屏蔽) from that day.
		if d, err := time.Parse(time.DateOnly, r.Removed); err == nil && r.PublicUntil == "" {
			r.PublicUntil = d.AddDate(0, 0, -1).Format(time.DateOnly)
		}
	}
	return r
}
