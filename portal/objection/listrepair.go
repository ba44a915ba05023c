package objection

import (
	"fmt"
	"strings"
	"time"

	"github.com/gongshi/gongshi/index"
)

// Credit repair of a list entry is its removal (移出) before the list's own end, with the listing
// and the removal kept visible as history. The conditions follow the SAMR rules on credit repair
// (市场监督管理信用修复管理办法, 2021), on the abnormal-operation list (企业经营异常名录管理暂行办法)
// and on the serious-illegal-and-dishonest list (市场监督管理严重违法失信名单管理办法, 2021):
//
//   - abnormal-operation list: no minimum period; the cause of the listing must be cured (annual
//     report filed, information published or corrected, the registered address reachable again);
//   - blacklist: listed at least one year, obligations performed, harm removed, and no heavier
//     penalty since the listing; after three years the listing authority removes the entry itself,
//     so repair no longer applies (an objection 超期公示 does);
//   - stricter, as this portal applies them: two years for entries in key areas (food, drugs,
//     medical devices, special equipment, production safety ...) and for a second listing on
//     the blacklist, and no repair of a list entry within a year of the subject's last granted repair.
const (
	BlacklistMinimumMonths = 12
	StricterMinimumMonths  = 24
	BlacklistEndMonths     = 36
	RepairIntervalMonths   = 12
)

// keyAreas are words of a listing reason that put a blacklist entry in a key area.
var keyAreas = []string{"食品", "药品", "疫苗", "医疗器械", "化妆品", "特种设备", "安全生产", "危险化学品", "消防", "生态环境", "产品质量安全"}

// heavierPenalty are penalty kinds that count as a heavier penalty (较重行政处罚) after a listing.
var heavierPenalty = append([]string{"降低资质等级", "从重处罚"}, neverEarly...)

// abnormalCure is what removes each statutory cause of an abnormal-operation listing.
var abnormalCure = []struct{ cause, cure string }{
	{"年度报告", "已补报未报年份的年度报告并公示"},
	{"无法联系", "已依法办理住所或者经营场所变更登记，或者可以通过登记的住所或者经营场所重新取得联系（附证明材料）"},
	{"隐瞒真实情况", "已更正其公示的信息"},
	{"弄虚作假", "已更正其公示的信息"},
	{"公示有关企业信息", "已按要求公示有关企业信息"},
	{"即时信息", "已按要求公示有关企业信息"},
}

// ListRepairConditions are the conditions an application for the removal of the entry must meet,
// in Chinese, for the form and the reviewer.
func ListRepairConditions(r *index.Record) []string {
	switch r.Type {
	case index.TypeAbnormal:
		cure := "已纠正导致列入的行为、履行相关义务"
		for _, c := range abnormalCure {
			if strings.Contains(r.Fields["reason"], c.cause) {
				cure = c.cure
				break
			}
		}
		return []string{cure, "提交信用承诺书及证明材料", fmt.Sprintf("距本企业上一次获准信用修复已满 %d 个月", RepairIntervalMonths)}
	case index.TypeBlacklist:
		min := fmt.Sprintf("列入满 %d 个月（重点领域或再次列入的满 %d 个月），未满 %d 个月（满 %d 个月由列入机关移出）",
			BlacklistMinimumMonths, StricterMinimumMonths, BlacklistEndMonths, BlacklistEndMonths)
		return []string{min, "已自觉履行行政处罚决定中规定的义务，已主动消除危害后果和不良影响",
			"列入后未再受到较重行政处罚", "提交信用承诺书及证明材料", fmt.Sprintf("距本企业上一次获准信用修复已满 %d 个月", RepairIntervalMonths)}
	}
	return nil
}

// KeyArea returns the key area a blacklist entry's listing reason names, or "".
func KeyArea(r *index.Record) string {
	reason := r.Fields["reason"]
	for _, k := range keyAreas {
		if strings.Contains(reason, k) {
			return k
		}
	}
	return ""
}

func addMonths(day string, months int) (string, bool) {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return "", false
	}
	return d.AddDate(0, months, 0).Format(time.DateOnly), true
}

func listRepairEligible(r *index.Record, f Facts, day string) error {
	label := r.Type.Label()
	if r.Removed != "" && r.Removed <= day {
		return fmt.Errorf("该记录已于 %s 移出%s，无需申请信用修复", r.Removed, label)
	}
	if _, ok := addMonths(r.Date, 0); !ok {
		return fmt.Errorf("该记录缺少列入日期，无法判断能否申请移出，请提出“信息错误”异议")
	}
	// One year between granted repairs (a repair granted on any record of the subject).
	last := f.LastRepair
	for _, o := range f.Others {
		if o.ID != r.ID && o.Type.IsList() && o.Removed != "" && o.Removed <= day &&
			strings.Contains(o.Fields["removal_reason"], "信用修复") && o.Removed > last {
			last = o.Removed
		}
	}
	if last != "" {
		if next, ok := addMonths(last, RepairIntervalMonths); ok && day < next {
			return fmt.Errorf("本企业已于 %s 获准信用修复，%d 个月内不再受理名单信用修复申请：%s 起方可申请", last, RepairIntervalMonths, next)
		}
	}
	if r.Type == index.TypeAbnormal {
		return nil // no minimum period: removal follows the cure
	}
	end, _ := addMonths(r.Date, BlacklistEndMonths)
	if day >= end {
		return fmt.Errorf("该记录列入已满 %d 个月（%s），应由列入机关移出，不适用信用修复；请提出“超期公示”异议", BlacklistEndMonths, end)
	}
	months, why := BlacklistMinimumMonths, ""
	if k := KeyArea(r); k != "" {
		months, why = StricterMinimumMonths, "涉及重点领域（"+k+"）"
	}
	for _, o := range f.Others {
		if o.ID != r.ID && o.Type == index.TypeBlacklist && o.Date < r.Date {
			months, why = StricterMinimumMonths, "再次列入严重违法失信名单（前次列入 "+o.Date+"）"
			break
		}
	}
	if earliest, _ := addMonths(r.Date, months); day < earliest {
		if why != "" {
			why += "，"
		}
		return fmt.Errorf("%s列入满 %d 个月后方可申请提前移出：%s 起方可申请", why, months, earliest)
	}
	for _, o := range f.Others {
		if o.Type != index.TypePenalty || o.Date < r.Date {
			continue
		}
		kind := o.Fields["category"] + o.Fields["content"]
		heavy := o.Severity == "严重"
		for _, h := range heavierPenalty {
			heavy = heavy || strings.Contains(kind, h)
		}
		if heavy {
			return fmt.Errorf("列入后于 %s 再次受到较重行政处罚（%s），不得申请提前移出", o.Date, o.Title())
		}
	}
	return nil
}
