package index

import (
	"context"
	"strings"
	"testing"
)

// TestScreenVariantCharactersAndAuthorityPairs: a subject written with variant characters
// matches the registered name and the note says which folding it needed; a code whose first
// two characters are no GB 32100 authority/category pair is invalid even with a right check
// character, and says so rather than offering a check character.
func TestScreenVariantCharactersAndAuthorityPairs(t *testing.T) {
	s, codes := buildCorpus(t, []corpusEntity{
		{first17: "91440300MA5FW0011", name: "深圳市锺氏钟表有限公司", status: "存续"},
		{first17: "91440300MA5FW0012", name: "广州伙伴贸易合伙企业（有限合伙）", status: "存续"},
		{first17: "91440300MA5FW0013", name: "东莞背包制品有限公司", status: "存续"},
	})
	badPair := code(t, "94440300MA5FW0014") // authority 9 has categories 1, 2 and 3 only
	badAuthority := code(t, "B1440300MA5FW0015")
	sc, err := s.NewScreener(context.Background(), ScreenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	subjects := []Subject{
		{Name: "深圳市鍾氏鐘錶有限公司"},                  // traditional; 鍾 folds to 钟 and 锺 to 钟
		{Name: "深圳市钟氏钟表有限公司"},                  // simplified, the other form of the surname
		{Name: "广州伙伴贸易合夥企业（有限合夥）"},             // 夥 kept by the traditional→simplified table
		{Name: "東莞揹包製品有限公司"},                   // both steps
		{Code: badPair},                        // check character right, pair unassigned
		{Code: badPair, Name: "东莞背包制品有限公司"},    // the name decides
		{Code: badAuthority},                   // no such authority
		{Code: badPair[:17] + "0"},             // pair and check character both wrong: the pair first
		{Code: codes["东莞背包制品有限公司"][:17] + "0"}, // only the check character: offered
	}
	for i := range subjects {
		subjects[i].Line = i + 1
	}
	res, err := sc.Screen(context.Background(), subjects)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status, code, en, zh, warn, valid string
	}{
		{StatusMatched, codes["深圳市锺氏钟表有限公司"], "traditional characters and variant characters", "繁体/简体字、异体字", "", ""},
		{StatusMatched, codes["深圳市锺氏钟表有限公司"], "after folding variant characters", "异体字", "", ""},
		{StatusMatched, codes["广州伙伴贸易合伙企业（有限合伙）"], "after folding variant characters", "异体字", "", ""},
		{StatusMatched, codes["东莞背包制品有限公司"], "traditional characters and variant characters", "繁体/简体字、异体字", "", ""},
		{StatusInvalidCode, "", "organisation category: under registration authority 9 it is one of 1, 2, 3, not 4", "机构类别代码", "", ""},
		{StatusMatched, codes["东莞背包制品有限公司"], "not 4", "机构类别代码", WarnCodeAuthority, ""},
		{StatusInvalidCode, "", "names the registration authority", "登记管理部门代码", "", ""},
		{StatusInvalidCode, "", "not 4", "机构类别代码", "", ""},
		{StatusInvalidCode, "", "valid check character", "校验位", "", codes["东莞背包制品有限公司"]},
	}
	for i, w := range want {
		m := res[i]
		got := ""
		if m.Entity != nil {
			got = m.Entity.Code
		}
		if m.Status != w.status || got != w.code {
			t.Errorf("%d %+v: %s %q, want %s %q (%s)", i+1, subjects[i], m.Status, got, w.status, w.code, m.Explanation)
			continue
		}
		if !strings.Contains(m.Explanation, w.en) || !strings.Contains(m.ExplanationZH, w.zh) {
			t.Errorf("%d %+v: explanation %q / %q, want %q / %q", i+1, subjects[i], m.Explanation, m.ExplanationZH, w.en, w.zh)
		}
		if strings.Join(m.Warnings, ",") != w.warn {
			t.Errorf("%d %+v: warnings %v, want %q", i+1, subjects[i], m.Warnings, w.warn)
		}
		if m.ValidCode != w.valid {
			t.Errorf("%d %+v: valid code %q, want %q", i+1, subjects[i], m.ValidCode, w.valid)
		}
	}
}

// TestFoldingNoteNamesEachStep: each folding step is named when, and only when, the names
// differ without it.
func TestFoldingNoteNamesEachStep(t *testing.T) {
	for _, c := range []struct{ in, published, en string }{
		{"锺氏钟表", "钟氏钟表", "variant characters"},
		{"鍾氏鐘錶", "锺氏钟表", "traditional characters and variant characters"},
		{"锺氏(钟表)", "锺氏（钟表）", "full-width characters and brackets"},
		{"合夥（ＡＢ）", "合伙(AB)", "full-width characters and brackets and variant characters"},
		{"ab 钟表", "AB钟表", "spaces and letter case"},
	} {
		if en, _ := foldingNote(c.in, c.published); en != c.en {
			t.Errorf("foldingNote(%q, %q) = %q, want %q", c.in, c.published, en, c.en)
		}
	}
}
