package objection

import (
	"fmt"
	"strings"
	"time"

	"github.com/gongshi/gongshi/index"
)

// neverEarly are penalties that cannot be repaired before their publication ends (domain.md §6).
var neverEarly = []string{"停产停业", "吊销许可证件", "吊销营业执照", "限制从业", "责令关闭", "限制开展生产经营活动"}

// MinimumMonths is how long a penalty must have been public before repair may be applied for:
// under SAMR rules (gsxt) one year for anything but minor penalties (which end after three months
// anyway); under NDRC rules three months for 一般 and one year for 严重.
func MinimumMonths(regime, severity string) int {
	switch {
	case severity == "轻微":
		return 0
	case regime == "ndrc" && severity != "严重":
		return 3
	}
	return 12
}

// Facts is what the rules need to know beyond the record itself.
type Facts struct {
	// Others are the subject's other public records (list entries with their removals,
	// penalties), as the entity page shows them.
	Others []*index.Record
	// LastRepair is the day (YYYY-MM-DD) a repair of the subject's records was last granted,
	// "" if never.
	LastRepair string
}

// Repairable reports whether credit repair applies to records of type t at all.
func Repairable(t index.RecordType) bool { return t == index.TypePenalty || t.IsList() }

// RepairEligible says whether a credit-repair application for the record may be filed on day
// (YYYY-MM-DD): for a penalty, early end of its publication; for an entry of the
// abnormal-operation list or the blacklist, its removal (移出). The error is in Chinese, for the form.
func RepairEligible(r *index.Record, f Facts, day, regime string) error {
	switch {
	case r.Type == index.TypePenalty:
		return penaltyRepairEligible(r, day, regime)
	case r.Type.IsList():
		return listRepairEligible(r, f, day)
	}
	return fmt.Errorf("信用修复仅适用于行政处罚、经营异常名录和严重违法失信名单记录")
}

func penaltyRepairEligible(r *index.Record, day, regime string) error {
	cat := r.Fields["category"] + r.Fields["content"]
	for _, s := range neverEarly {
		if strings.Contains(cat, s) {
			return fmt.Errorf("涉及“%s”的行政处罚不能提前修复，公示期满后自动停止公示", s)
		}
	}
	decided, err := time.Parse(time.DateOnly, r.Date)
	if err != nil {
		return fmt.Errorf("该记录缺少处罚决定日期，无法判断最短公示期")
	}
	months := MinimumMonths(regime, r.Severity)
	earliest := decided.AddDate(0, months, 0).Format(time.DateOnly)
	if day < earliest {
		return fmt.Errorf("最短公示期为 %d 个月：%s 起方可申请信用修复", months, earliest)
	}
	return nil
}
