package importer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gongshi/gongshi/index"
)

// Regimes of publication periods (domain.md §4). The operator picks one.
const (
	RegimeGSXT = "gsxt" // SAMR Order 45: 3 months for 通报批评 / small fines, 3 years otherwise
	RegimeNDRC = "ndrc" // NDRC Order 58/36: 轻微 not published, 一般 1 year, 严重 3 years
)

// Policy computes how long a record stays public when its snapshot gives no 公示截止期.
type Policy struct {
	Regime string
	// SmallFineWan is the fine (万元) below which a penalty counts as minor under gsxt rules.
	SmallFineWan float64
	// Periods by class, in months: "minor", "general", "serious".
	MinorMonths, GeneralMonths, SeriousMonths int
}

// DefaultPolicy returns the gsxt regime with the periods of SAMR Order 45.
func DefaultPolicy() Policy {
	return Policy{Regime: RegimeGSXT, SmallFineWan: 1, MinorMonths: 3, GeneralMonths: 36, SeriousMonths: 36}
}

// NDRCPolicy returns the Credit China regime: general 1 year, serious 3 years.
func NDRCPolicy() Policy {
	return Policy{Regime: RegimeNDRC, SmallFineWan: 1, MinorMonths: 0, GeneralMonths: 12, SeriousMonths: 36}
}

// PolicyFor returns the named regime's policy.
func PolicyFor(regime string) (Policy, error) {
	switch regime {
	case "", RegimeGSXT:
		return DefaultPolicy(), nil
	case RegimeNDRC:
		return NDRCPolicy(), nil
	}
	return Policy{}, fmt.Errorf("unknown publication regime %q (gsxt or ndrc)", regime)
}

// seriousCategories can never be minor and, under NDRC rules, are 严重.
var seriousCategories = []string{"吊销", "责令停产停业", "责令关闭", "限制从业", "限制开展生产经营活动", "暂扣许可证件", "降低资质等级"}

// PenaltyClass is how a penalty is published: not at all, or for the minor, general or serious
// period of the regime.
type PenaltyClass string

const (
	ClassWithheld PenaltyClass = "withheld" // not published at all
	ClassMinor    PenaltyClass = "minor"    // 轻微
	ClassGeneral  PenaltyClass = "general"  // 一般
	ClassSerious  PenaltyClass = "serious"  // 严重
)

// Classify returns the penalty's class under the policy.
func (p Policy) Classify(r *index.Record) PenaltyClass {
	cat := strings.TrimSpace(r.Fields["category"])
	if cat == "警告" {
		return ClassWithheld // warning-only penalties are not published
	}
	switch r.Severity {
	case "轻微":
		if p.Regime == RegimeNDRC {
			return ClassWithheld
		}
		return ClassMinor
	case "严重":
		return ClassSerious
	}
	for _, s := range seriousCategories {
		if strings.Contains(cat, s) {
			return ClassSerious
		}
	}
	fine, _ := strconv.ParseFloat(r.Fields["fine"], 64)
	onlyNotice := strings.Contains(cat, "通报批评") && !strings.Contains(cat, "罚款")
	if onlyNotice || (strings.Contains(cat, "罚款") && fine < p.SmallFineWan && !strings.Contains(cat, "没收")) {
		return ClassMinor
	}
	return ClassGeneral
}

// PublicUntil returns the last public day of a penalty without an explicit 公示截止期.
// Under gsxt rules a restriction lasting longer (处罚有效期) extends publication.
func (p Policy) PublicUntil(r *index.Record, class PenaltyClass) string {
	months := p.GeneralMonths
	switch class {
	case ClassMinor:
		months = p.MinorMonths
		if p.Regime == RegimeNDRC {
			months = p.GeneralMonths // NDRC: 一般 minimum 3 months, maximum 1 year
		}
	case ClassSerious:
		months = p.SeriousMonths
	}
	d, err := time.Parse(time.DateOnly, r.Date)
	if err != nil {
		return ""
	}
	until := d.AddDate(0, months, -1).Format(time.DateOnly)
	if v := r.Fields["valid_until"]; v != "" && v > until && p.Regime == RegimeGSXT {
		until = v
	}
	return until
}
