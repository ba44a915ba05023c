package index

import (
	"context"
	"strings"
	"testing"
)

var closeCorpus = []corpusEntity{
	{first17: "91350102MA2XYW021", name: "福州华威建材有限公司", status: "存续"},
	{first17: "91350102MA2XYW022", name: "福州华鑫建材有限公司", status: "存续"},
	{first17: "91350102MA2XYW023", name: "福州华威物流有限公司", status: "存续"},
	{first17: "91440300MA5FW0021", name: "深圳市锺氏钟表有限公司", status: "存续"},
	{first17: "91440300MA5FW0022", name: "深圳市钟氏眼镜有限公司", status: "存续"},
	{first17: "91500000MA5UKT781", name: "重庆长江物流有限公司", status: "存续"},
	{first17: "91500000MA5UKT782", name: "重庆长江物流有限公司九龙坡分公司", status: "存续"},
	{first17: "91500000MA5UKT783", name: "重庆长城物流有限公司", status: "注销"},
	{first17: "91610100MA6TG0021", name: "西安博瑞德信息技术有限公司", status: "存续"},
}

// TestCloseTierFindsTypos: a name typed with one character wrong, missing, extra or two
// neighbours swapped still finds the company in the top three, marked close, after any
// strict match.
func TestCloseTierFindsTypos(t *testing.T) {
	s, _ := buildCorpus(t, closeCorpus)
	for _, tc := range []struct{ q, want string }{
		{"西安博瑞德信息技木有限公司", "西安博瑞德信息技术有限公司"},  // substitution
		{"西安博瑞信息技术有限公司", "西安博瑞德信息技术有限公司"},   // deletion
		{"西安博瑞德德信息技术有限公司", "西安博瑞德信息技术有限公司"}, // insertion
		{"西安瑞博德信息技术有限公司", "西安博瑞德信息技术有限公司"},  // swapped neighbours
		{"博瑞得信息技术", "西安博瑞德信息技术有限公司"},        // a fragment with a wrong character
		{"深圳市钟氏钟錶有线公司", "深圳市锺氏钟表有限公司"},      // a typo in the legal form, variants around it
		{"重庆长江物留有限公司", "重庆长江物流有限公司"},
	} {
		res, err := s.Search(context.Background(), SearchRequest{Query: tc.q, Close: true})
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		at := -1
		for i, h := range res.Results {
			if h.Name == tc.want {
				at = i
				break
			}
		}
		if at < 0 || at > 2 {
			t.Errorf("%q: %s at %d in %v, want top 3", tc.q, tc.want, at, tiersOf(res))
			continue
		}
		if h := res.Results[at]; h.Tier != TierClose || h.Highlight == h.Name {
			t.Errorf("%q: %s has tier %q and highlight %q: want close, with the shared bigrams marked", tc.q, h.Name, h.Tier, h.Highlight)
		}
		if res.Total != 0 {
			t.Errorf("%q: total %d counts close names, want the strict matches only", tc.q, res.Total)
		}
	}
}

// TestCloseTierComesAfterStrictMatches: a query's own matches come first; close names only
// fill the rest of a page, a full page gets none, and an entity's very name none either.
func TestCloseTierComesAfterStrictMatches(t *testing.T) {
	s, _ := buildCorpus(t, closeCorpus)
	for _, q := range []string{"重庆长江物流有限公司", "重庆长江物流", "福州华威建材", "华威建材", "福州华威"} {
		res, err := s.Search(context.Background(), SearchRequest{Query: q, Close: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total == 0 || len(res.Results) == 0 || res.Results[0].Tier != "" {
			t.Fatalf("%q: %v: want a strict match first", q, tiersOf(res))
		}
		closeSeen := false
		for i, h := range res.Results {
			switch {
			case h.Tier == TierClose:
				closeSeen = true
			case closeSeen:
				t.Errorf("%q: strict %s at %d after a close name: %v", q, h.Name, i, tiersOf(res))
			}
		}
		if uint64(len(res.Results)) < res.Total {
			t.Errorf("%q: %d results of %d strict", q, len(res.Results), res.Total)
		}
	}
	for _, q := range []string{"重庆长江物流有限公司", "福州华威建材有限公司", "福州華威建材有限公司"} {
		res, err := s.Search(context.Background(), SearchRequest{Query: q, Close: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := tiersOf(res); len(got) == 0 || strings.Contains(strings.Join(got, ","), "/close") {
			t.Errorf("%q, an entity's name: %v, want its strict matches only", q, got)
		}
	}
	// Without Close, a typo finds nothing: the strict answer.
	if res, err := s.Search(context.Background(), SearchRequest{Query: "重庆长江物留有限公司"}); err != nil || len(res.Results) != 0 {
		t.Errorf("strict search of a typo: %v %v", tiersOf(res), err)
	}
	// 重庆长江物流 holds two names strictly; a page of two has no room for close names.
	res, err := s.Search(context.Background(), SearchRequest{Query: "重庆长江物流", Size: 2, Close: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Results {
		if h.Tier == TierClose {
			t.Errorf("full page: close name %s", h.Name)
		}
	}
	// With room, 重庆长城物流 shares most of the bigrams and comes after both.
	res, _ = s.Search(context.Background(), SearchRequest{Query: "重庆长江物流", Close: true})
	if got := tiersOf(res); len(got) < 3 || got[2] != "重庆长城物流有限公司/close" {
		t.Errorf("重庆长江物流: %v, want the two strict names, then 重庆长城物流有限公司 as close", got)
	}
}

// TestCloseTierKeepsFilters: the close tier answers under the request's filters, and a query
// sharing too little finds nothing.
func TestCloseTierKeepsFilters(t *testing.T) {
	s, _ := buildCorpus(t, closeCorpus)
	res, err := s.Search(context.Background(), SearchRequest{Query: "重庆长江物留", Status: "inactive", Close: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res.Results {
		if h.Status != "注销" {
			t.Errorf("status filter lost: %v", tiersOf(res))
		}
	}
	res, err = s.Search(context.Background(), SearchRequest{Query: "重庆长江物留", Region: "440300", Close: true})
	if err != nil || len(res.Results) != 0 {
		t.Errorf("region filter lost: %v %v", tiersOf(res), err)
	}
	res, err = s.Search(context.Background(), SearchRequest{Query: "广州白云机场航空服务", Close: true})
	if err != nil || len(res.Results) != 0 {
		t.Errorf("unrelated query: %v %v", tiersOf(res), err)
	}
}

// TestCloseTierReadsPinyin: pinyin with a syllable wrong finds the company by most of its
// syllable pairs; pinyin that runs into a legal form (集团 is not in the indexed core) is
// found strictly, the legal form's syllables cut.
func TestCloseTierReadsPinyin(t *testing.T) {
	s, _ := buildCorpus(t, closeCorpus)
	for _, q := range []string{"chongqingchangjiangwuluo", "chongqingchanjiangwuliu"} {
		if res, err := s.Search(context.Background(), SearchRequest{Query: q}); err != nil || res.Class != ClassPinyin || len(res.Results) != 0 {
			t.Fatalf("%q strictly: class %s, %v, %v: want a pinyin query that finds nothing", q, res.Class, tiersOf(res), err)
		}
		res, err := s.Search(context.Background(), SearchRequest{Query: q, Close: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := tiersOf(res); len(got) == 0 || got[0] != "重庆长江物流有限公司/close" {
			t.Errorf("%q: %v, want 重庆长江物流有限公司 first, close", q, got)
		}
	}
	for _, q := range []string{"chongqingchangjiangwuliujituan", "changjiangwuliugongsi"} {
		res, err := s.Search(context.Background(), SearchRequest{Query: q, Close: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := tiersOf(res); len(got) == 0 || got[0] != "重庆长江物流有限公司" {
			t.Errorf("%q: %v, want 重庆长江物流有限公司 first, strictly", q, got)
		}
	}
	// Two syllables are one pair: nothing to hold most of.
	if res, _ := s.Search(context.Background(), SearchRequest{Query: "chongqiang", Close: true}); len(res.Results) != 0 {
		t.Errorf("chongqiang: %v", tiersOf(res))
	}
}

func TestCloseMinimum(t *testing.T) {
	for n, want := range map[int]int{2: 1, 3: 2, 4: 2, 5: 3, 6: 3, 12: 6} {
		if got := closeMinimum(n); got != want {
			t.Errorf("closeMinimum(%d) = %d, want %d", n, got, want)
		}
	}
	// One wrong character of a six-character name leaves three of five bigrams; swapped
	// neighbours keep two and their pair reversed.
	if closeMinimum(5) > 3 {
		t.Error("a six-character name with one wrong character would not be close")
	}
}

func tiersOf(res *SearchResponse) []string {
	var out []string
	for _, h := range res.Results {
		s := h.Name
		if h.Tier != "" {
			s += "/" + h.Tier
		}
		out = append(out, s)
	}
	return out
}

// TestCloseQuery: the bigrams counted are those of what was typed, less those inside legal
// forms, with the one across a legal form's edge kept.
func TestCloseQuery(t *testing.T) {
	for _, tc := range []struct{ q, bigrams, chars string }{
		{"民元司装有限公司", "民元 元司 司装 装有", "民元司装"},
		{"华为技术有限公司福州分公司", "华为 为技 技术 术有 司福 福州 州分", "华为技术福州"},
		{"華為（福建）科技", "华为 为福 福建 建科 科技", "华为福建科技"},
		{"华为 科技", "华为 科技", "华为科技"}, // a space breaks adjacency, as in the index
		{"华为", "", ""},   // one bigram: nothing to match most of
		{"有限公司", "", ""}, // a broad query
	} {
		p, err := ParseQuery(tc.q)
		if err != nil {
			t.Fatal(err)
		}
		cq := p.closeQuery()
		if tc.bigrams == "" {
			if cq != nil {
				t.Errorf("%q: close query %+v, want none", tc.q, cq)
			}
			continue
		}
		if cq == nil || strings.Join(cq.bigrams, " ") != tc.bigrams || string(cq.chars) != tc.chars {
			t.Errorf("%q: %+v, want bigrams %s, characters %s", tc.q, cq, tc.bigrams, tc.chars)
		}
	}
}

// TestCloseTierReadsInitials: initials with a letter wrong or missing find the company by
// most of their pairs of adjacent letters; initials typed with the legal form's are found
// strictly, the names whose whole initials hold them first.
func TestCloseTierReadsInitials(t *testing.T) {
	s, _ := buildCorpus(t, closeCorpus)
	for _, q := range []string{"xabrtxxjs", "xabrxxjs", "xbrdxxjs"} {
		if res, err := s.Search(context.Background(), SearchRequest{Query: q}); err != nil || res.Class != ClassInitials || len(res.Results) != 0 {
			t.Fatalf("%q strictly: class %s, %v, %v: want initials that find nothing", q, res.Class, tiersOf(res), err)
		}
		res, err := s.Search(context.Background(), SearchRequest{Query: q, Close: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := tiersOf(res); len(got) == 0 || got[0] != "西安博瑞德信息技术有限公司/close" {
			t.Errorf("%q: %v, want 西安博瑞德信息技术有限公司 first, close", q, got)
		}
	}
	for q, want := range map[string]string{"cqcjwlyxgs": "重庆长江物流有限公司", "fzhwjcyxgs": "福州华威建材有限公司", "cqcjwlyx": "重庆长江物流有限公司"} {
		res, err := s.Search(context.Background(), SearchRequest{Query: q, Close: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := tiersOf(res); res.Class != ClassInitials || len(got) == 0 || got[0] != want {
			t.Errorf("%q (%s): %v, want %s first, strictly", q, res.Class, got, want)
		}
	}
}
