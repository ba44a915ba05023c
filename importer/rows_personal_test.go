package importer

import (
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

// An ID number in an amount column would parse as a number and be published rounded: the
// cell is withheld, with its line, and the rest of the row imports.
func TestAmountColumnWithAnIDIsWithheld(t *testing.T) {
	header := []string{"行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "处罚类别", "罚款金额（万元）", "处罚决定日期", "处罚机关"}
	c, _, err := newConverter("p.csv", index.TypePenalty, header)
	if err != nil {
		t.Fatal(err)
	}
	c.policy = DefaultPolicy()
	_, r, issues, v := c.convert(2, []string{"厦门测试贸易有限公司", "91350200776049653A", "厦市监罚〔2026〕1号", "罚款", "350102199001011238", "2026-06-01", "厦门市市场监督管理局"})
	if v != accepted || r == nil {
		t.Fatalf("verdict %v, issues %+v", v, issues)
	}
	if amount, ok := r.Fields["fine"]; ok {
		t.Errorf("the amount column kept %q", amount)
	}
	for _, is := range issues {
		if is.Code == "natural_person" && is.Line == 2 && is.Severity == "withheld" && !strings.Contains(is.Value, "19900101") {
			return
		}
	}
	t.Errorf("no withheld issue for the amount: %+v", issues)
}
