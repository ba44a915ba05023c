package objection

import (
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

func listEntry(t index.RecordType, id, listed, removed, reason string) *index.Record {
	return &index.Record{ID: id, Type: t, Date: listed, Removed: removed,
		Fields: map[string]string{"reason": reason, "list_date": listed, "removal_date": removed}}
}

func TestListRepairEligible(t *testing.T) {
	const day = "2026-11-22"
	penalty := func(id, date, cat, sev string) *index.Record {
		return &index.Record{ID: id, Type: index.TypePenalty, Date: date, Severity: sev, Fields: map[string]string{"category": cat, "doc_no": id}}
	}
	abnormal := listEntry(index.TypeAbnormal, "a1", "2026-11-01", "", "未按照规定的期限公示年度报告")
	black := listEntry(index.TypeBlacklist, "b1", "2025-06-01", "", "提供虚假材料骗取登记")
	cases := []struct {
		name string
		rec  *index.Record
		f    Facts
		want string // "" = eligible; else a fragment of the refusal
	}{
		{"abnormal: no minimum period", abnormal, Facts{}, ""},
		{"abnormal: already removed", listEntry(index.TypeAbnormal, "a2", "2023-07-01", "2023-10-15", "年度报告"), Facts{}, "已于 2023-10-15 移出"},
		{"abnormal: removal announced for a later day is still in force", listEntry(index.TypeAbnormal, "a3", "2026-01-01", "2026-12-01", "年度报告"), Facts{}, ""},
		{"abnormal: a repair granted 5 months ago", abnormal, Facts{LastRepair: "2026-06-30"}, "2027-06-30 起"},
		{"abnormal: a repair granted 13 months ago", abnormal, Facts{LastRepair: "2025-10-01"}, ""},
		{"abnormal: a list entry removed by repair 2 months ago", abnormal,
			Facts{Others: []*index.Record{withRemovalReason(listEntry(index.TypeAbnormal, "a0", "2025-01-01", "2026-09-20", "年度报告"), "信用修复")}}, "2027-09-20 起"},
		{"abnormal: an ordinary removal 2 months ago does not count", abnormal,
			Facts{Others: []*index.Record{withRemovalReason(listEntry(index.TypeAbnormal, "a0", "2025-01-01", "2026-09-20", "年度报告"), "已依法补报年度报告")}}, ""},
		{"abnormal: no listing date", listEntry(index.TypeAbnormal, "a4", "", "", "年度报告"), Facts{}, "缺少列入日期"},
		{"blacklist: listed 17 months", black, Facts{}, ""},
		{"blacklist: listed 11 months", listEntry(index.TypeBlacklist, "b2", "2025-12-23", "", "提供虚假材料"), Facts{}, "列入满 12 个月后方可申请提前移出：2026-12-23 起"},
		{"blacklist: key area needs two years", listEntry(index.TypeBlacklist, "b3", "2025-06-01", "", "生产销售不符合食品安全标准的食品"), Facts{}, "重点领域（食品）"},
		{"blacklist: key area after two years", listEntry(index.TypeBlacklist, "b4", "2024-06-01", "", "生产销售不符合食品安全标准的食品"), Facts{}, ""},
		{"blacklist: second listing needs two years", black,
			Facts{Others: []*index.Record{listEntry(index.TypeBlacklist, "b0", "2020-01-01", "2023-01-01", "虚假登记")}}, "再次列入严重违法失信名单（前次列入 2020-01-01）"},
		{"blacklist: three years reached", listEntry(index.TypeBlacklist, "b5", "2023-11-22", "", "虚假登记"), Facts{}, "超期公示"},
		{"blacklist: a day before three years", listEntry(index.TypeBlacklist, "b6", "2023-11-23", "", "虚假登记"), Facts{}, ""},
		{"blacklist: a heavier penalty after the listing", black,
			Facts{Others: []*index.Record{penalty("p1", "2026-02-01", "责令停产停业", "一般")}}, "再次受到较重行政处罚"},
		{"blacklist: a serious penalty after the listing", black,
			Facts{Others: []*index.Record{penalty("p1", "2026-02-01", "罚款", "严重")}}, "较重行政处罚"},
		{"blacklist: a heavier penalty before the listing led to it", black,
			Facts{Others: []*index.Record{penalty("p1", "2025-05-01", "吊销营业执照", "严重")}}, ""},
		{"blacklist: a light penalty after the listing", black,
			Facts{Others: []*index.Record{penalty("p1", "2026-02-01", "警告;罚款", "一般")}}, ""},
	}
	for _, c := range cases {
		err := RepairEligible(c.rec, c.f, day, "gsxt")
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: refused: %v", c.name, err)
		case c.want != "" && err == nil:
			t.Errorf("%s: accepted, want a refusal with %q", c.name, c.want)
		case c.want != "" && !strings.Contains(err.Error(), c.want):
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func withRemovalReason(r *index.Record, why string) *index.Record {
	r.Fields["removal_reason"] = why
	return r
}

func TestListRepairConditions(t *testing.T) {
	addr := ListRepairConditions(listEntry(index.TypeAbnormal, "a", "2025-03-01", "", "通过登记的住所或者经营场所无法联系"))
	if len(addr) == 0 || !strings.Contains(addr[0], "住所或者经营场所变更登记") {
		t.Errorf("address cause: %v", addr)
	}
	report := ListRepairConditions(listEntry(index.TypeAbnormal, "a", "2025-03-01", "", "未按照规定的期限公示年度报告"))
	if !strings.Contains(report[0], "补报") {
		t.Errorf("annual report cause: %v", report)
	}
	if b := strings.Join(ListRepairConditions(listEntry(index.TypeBlacklist, "b", "2025-03-01", "", "x")), "；"); !strings.Contains(b, "较重行政处罚") {
		t.Errorf("blacklist: %s", b)
	}
	if ListRepairConditions(&index.Record{Type: index.TypePenalty}) != nil {
		t.Error("penalties have their own conditions")
	}
}
