package mapping

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

// A list export whose headers are nobody's standard: what each column holds is told by its
// values and whatever its header says.
var renamedList = struct {
	header []string
	want   []string // key per column
	rows   [][]string
}{
	header: []string{"主体代码", "单位", "时间点", "原因说明", "决定部门", "移出时间点", "移出说明", "备注信息", "经办人联系电话"},
	want:   []string{"code", "name", "list_date", "reason", "authority", "removal_date", "removal_reason", Ignore, Withhold},
	rows: [][]string{
		{"91350200M000000192", "厦门鹭岛食品有限公司", "2024-07-15", "未按照规定的期限公示年度报告", "厦门市市场监督管理局", "2024-09-01", "补报未报年份的年度报告并公示", "", "13812345678"},
		{"91350200M00000027W", "厦门海沧明达五金厂", "2025/2/10", "通过登记的住所或者经营场所无法联系", "厦门市海沧区市场监督管理局", "", "", "", ""},
		{"91350200M00000094T", "厦门湖里启明电子有限公司", "2023年5月20日", "公示企业信息隐瞒真实情况、弄虚作假", "厦门市湖里区市场监督管理局", "2024-01-08", "更正了其公示的信息", "", ""},
		{"91350200M00000107G", "厦门集美海风餐饮店", "2025-03-01", "未按照规定的期限公示年度报告", "厦门市集美区市场监督管理局", "", "", "", "13912345678"},
	},
}

// The proposal places every column the same way whatever the order of the columns.
func TestProposeShuffled(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	n := len(renamedList.header)
	for round := 0; round < 20; round++ {
		perm := rng.Perm(n)
		header := make([]string, n)
		rows := make([][]string, len(renamedList.rows))
		for i := range rows {
			rows[i] = make([]string, n)
		}
		for to, from := range perm {
			header[to] = renamedList.header[from]
			for i, r := range renamedList.rows {
				rows[i][to] = r[from]
			}
		}
		f, err := Propose("", header, rows, "export.csv", nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.Type != index.TypeAbnormal {
			t.Errorf("round %d: type %q", round, f.Type)
		}
		for from, h := range renamedList.header {
			got := f.Columns[h]
			if got == "" {
				got = f.Proposal.Resolved[h]
			}
			if got != renamedList.want[from] {
				t.Errorf("round %d: %s → %q, want %q (%s)", round, h, got, renamedList.want[from], f.Proposal.Evidence[h])
			}
		}
		if len(f.Proposal.Unplaced) != 1 || f.Proposal.Unplaced[0] != "备注信息" || len(f.Proposal.MissingRequired) != 0 {
			t.Errorf("round %d: unplaced %q, missing %q", round, f.Proposal.Unplaced, f.Proposal.MissingRequired)
		}
		// What the proposal says is what an import reads.
		r, err := Resolve(f.Type, header, &f.Spec)
		if err != nil {
			t.Fatal(err)
		}
		if m := r.Missing(); len(m) > 0 {
			t.Errorf("round %d: the proposed mapping misses %q", round, m)
		}
	}
}

// Headers renamed every way agencies rename them: English words, gsxt-like and pinyin
// abbreviations, or nothing useful at all, where the values alone tell.
func TestProposeRenamed(t *testing.T) {
	rows := renamedList.rows
	for _, header := range [][]string{
		{"uni_social_crd_cd", "com_nm", "inclu_dt", "inclu_reason", "dec_org", "remove_dt", "remexcpres_cn", "memo", "tel_num"},
		{"CreditCode", "CompanyName", "ListingDate", "ListingReason", "Authority", "RemovalDate", "RemovalReason", "Remark", "Phone"},
		{"TYXYDM", "QYMC", "LRRQ", "LRYY", "JDJG", "YCRQ", "YCYY", "BZXX", "LXDH"},
		{"A", "B", "C", "D", "E", "F", "G", "H", "I"},
	} {
		f, err := Propose(index.TypeAbnormal, header, rows, "x.csv", nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, h := range header {
			got := f.Columns[h]
			if got == "" {
				got = f.Proposal.Resolved[h]
			}
			want := renamedList.want[i]
			if header[0] == "A" && (want == Withhold) {
				want = Withhold // told by its values: mobile numbers
			}
			if got != want {
				t.Errorf("%s: %s → %q, want %q (%s)", header[0], h, got, want, f.Proposal.Evidence[h])
			}
		}
	}
}

// A penalty export with headers of no known standard: amounts, penalty kinds, document
// numbers, organ codes and dates find their fields.
func TestProposePenalty(t *testing.T) {
	header := []string{"当事人", "信用码", "文书编号", "种类", "罚没款", "作出日期", "执法单位", "执法单位代码", "违法情节"}
	rows := [][]string{
		{"厦门鹭岛食品有限公司", "91350200M000000192", "厦市监罚〔2026〕101号", "罚款", "2", "2026-03-02", "厦门市市场监督管理局", "113502000036509816", "经查，当事人销售过期食品，货值金额较大。"},
		{"厦门海沧明达五金厂", "91350200M00000027W", "厦市监罚〔2026〕102号", "罚款;没收违法所得", "1.5", "2026-03-05", "厦门市市场监督管理局", "113502000036509816", "当事人未按规定公示年度报告信息，情节一般。"},
		{"厦门思明晨光便利店", "91350200M00000035P", "厦市监罚〔2026〕104号", "警告", "", "2026-03-07", "厦门市市场监督管理局", "113502000036509816", "当事人未明码标价，责令改正后已改正。"},
	}
	f, err := Propose("", header, rows, "处罚.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != index.TypePenalty {
		t.Fatalf("type %q: %+v", f.Type, f.Proposal)
	}
	want := map[string]string{"当事人": "name", "信用码": "code", "文书编号": "doc_no", "种类": "category", "罚没款": "fine",
		"作出日期": "decision_date", "执法单位": "authority", "执法单位代码": "authority_code"}
	for h, k := range want {
		if f.Columns[h] != k {
			t.Errorf("%s → %q, want %q (%s)", h, f.Columns[h], k, f.Proposal.Evidence[h])
		}
	}
	for h, c := range f.Proposal.Confidence {
		if c < 0 || c > 1 {
			t.Errorf("%s: confidence %v", h, c)
		}
	}
}

// A column of ID numbers is withheld whatever its header says.
func TestProposeWithholdsIDs(t *testing.T) {
	header := []string{"统一社会信用代码", "企业名称", "经营者", "号码", "列入原因", "列入日期", "列入决定机关"}
	rows := [][]string{
		{"92350200M000000192", "某某店", "张三", "350102199001011238", "未按照规定的期限公示年度报告", "2024-01-01", "某某市场监督管理局"},
		{"92350200M00000027W", "某某厂", "李四", "11010519491231002X", "未按照规定的期限公示年度报告", "2024-01-01", "某某市场监督管理局"},
	}
	f, err := Propose(index.TypeAbnormal, header, rows, "abnormal.csv", nil)
	if err != nil {
		t.Fatal(err)
	}
	if f.Columns["号码"] != Withhold {
		t.Errorf("号码 → %q (%s)", f.Columns["号码"], f.Proposal.Evidence["号码"])
	}
	if !strings.Contains(f.Proposal.Note, "gongshi import --columns") {
		t.Errorf("note %q", f.Proposal.Note)
	}
}

// The two lists share their columns: the file's name, else the listing grounds, tell them.
func TestProposeTellsTheLists(t *testing.T) {
	header := []string{"代码", "名称", "原因", "日期", "机关"}
	rows := [][]string{
		{"91350200M000000192", "厦门鹭岛食品有限公司", "被列入经营异常名录届满3年仍未履行相关义务", "2025-08-01", "厦门市市场监督管理局"},
		{"91350200M00000027W", "厦门海沧明达五金厂", "提交虚假材料取得公司登记，被撤销登记", "2025-08-02", "厦门市市场监督管理局"},
	}
	for name, want := range map[string]index.RecordType{
		"export.csv": index.TypeBlacklist, "经营异常名录.csv": index.TypeAbnormal, "blacklist-2025.csv": index.TypeBlacklist,
	} {
		f, err := Propose("", header, rows, name, nil)
		if err != nil {
			t.Fatal(err)
		}
		if f.Type != want || len(f.Proposal.MissingRequired) > 0 {
			t.Errorf("%s: type %q, missing %q", name, f.Type, f.Proposal.MissingRequired)
		}
	}
}
