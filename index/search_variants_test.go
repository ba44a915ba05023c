package index

import (
	"context"
	"testing"
)

// TestSearchMeetsVariantCharacters: a name registered with one form of a character is found
// by a query written with another, and a character that is distinct in names is not merged.
func TestSearchMeetsVariantCharacters(t *testing.T) {
	s, _ := buildCorpus(t, []corpusEntity{
		{first17: "91440300MA5FW0011", name: "深圳市锺氏钟表有限公司", status: "存续"},
		{first17: "91440300MA5FW0012", name: "广州伙伴贸易合伙企业（有限合伙）", status: "存续"},
		{first17: "91440300MA5FW0013", name: "东莞背包制品有限公司", status: "存续"},
		{first17: "91440300MA5FW0014", name: "佛山著名家具有限公司", status: "存续"},
		{first17: "91440300MA5FW0015", name: "中山卫生用品有限公司", status: "存续"},
	})
	for _, tc := range []struct{ q, want string }{
		{"深圳市鍾氏鐘錶有限公司", "深圳市锺氏钟表有限公司"}, // traditional: 鍾 folds to 钟, as 锺 does
		{"钟氏钟表", "深圳市锺氏钟表有限公司"},
		{"廣州夥伴貿易合夥企業（有限合夥）", "广州伙伴贸易合伙企业（有限合伙）"},
		{"東莞揹包製品有限公司", "东莞背包制品有限公司"},
		{"中山衞生用品", "中山卫生用品有限公司"}, // Hong Kong's 衞
	} {
		res, err := s.Search(context.Background(), SearchRequest{Query: tc.q})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		if len(res.Results) == 0 || res.Results[0].Name != tc.want {
			t.Errorf("%q: got %v, want %s first", tc.q, names(res), tc.want)
		}
	}
	// 著名 is not 着名: an exact query with 着 must not find the 著 name among the strict tiers.
	res, err := s.Search(context.Background(), SearchRequest{Query: "著名家具"})
	if err != nil || len(res.Results) == 0 || res.Results[0].Name != "佛山著名家具有限公司" {
		t.Fatalf("著名家具: %v %v", names(res), err)
	}
	if got := SearchText("着名"); got == SearchText("著名") {
		t.Errorf("着名 and 著名 fold alike: %q", got)
	}
}
