package index

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// fragmentCorpus has names with a legal form in the middle and names with a bracketed
// region, each among more than a page of shorter names that hold the same words apart.
func fragmentCorpus(t *testing.T) *Searcher {
	t.Helper()
	ents := []corpusEntity{
		{first17: "91330200MA2AAA001", name: "宁波银泰百货有限公司三江店", status: "存续"},
		{first17: "91350100MA2AAA002", name: "华为技术有限公司福州分公司", status: "存续"},
		{first17: "91330200MA2AAA003", name: "华威科技（宁波）有限公司", status: "存续"},
		{first17: "91330200MA2AAA004", name: "华威贸易（宁波市）有限公司", status: "存续"},
		{first17: "91330200MA2AAA005", name: "宁波市华威贸易有限公司", status: "存续"},
		{first17: "91110000MA2AAA006", name: "北京华威科技有限公司", status: "存续"},
	}
	for i := range 12 {
		c := string('甲' + rune(i))
		ents = append(ents,
			corpusEntity{first17: fmt.Sprintf("91330200MA2AAB%03d", i), name: "三江百货" + c + "有限公司", status: "存续"},
			corpusEntity{first17: fmt.Sprintf("91350100MA2AAC%03d", i), name: "福州" + c + "华为技术有限公司", status: "存续"},
			corpusEntity{first17: fmt.Sprintf("91330200MA2AAD%03d", i), name: "宁波" + c + "科技有限公司", status: "存续"},
		)
	}
	s, _ := buildCorpus(t, ents)
	return s
}

func searchFor(t *testing.T, s *Searcher, q string) *SearchResponse {
	t.Helper()
	res, err := s.Search(context.Background(), SearchRequest{Query: q})
	if err != nil {
		t.Fatalf("%q: %v", q, err)
	}
	return res
}

// TestFragmentsAcrossLegalForms: a fragment typed across 公司, 有限 or 分公司 in the middle of a
// name is the name's text: the names holding it contiguously come first, before the shorter
// names that hold its words apart.
func TestFragmentsAcrossLegalForms(t *testing.T) {
	s := fragmentCorpus(t)
	for _, c := range []struct{ q, first string }{
		{"有限公司三江", "宁波银泰百货有限公司三江店"},
		{"百货有限公司三江", "宁波银泰百货有限公司三江店"},
		{"公司三江店", "宁波银泰百货有限公司三江店"},
		{"技术有限公司福州", "华为技术有限公司福州分公司"},
		{"公司福州分公司", "华为技术有限公司福州分公司"},
	} {
		res := searchFor(t, s, c.q)
		if len(res.Results) == 0 || res.Results[0].Name != c.first {
			t.Errorf("%q: got %v, want %s first", c.q, names(res), c.first)
		}
	}
	// The words alone still match: a name holding them apart is found after the contiguous one.
	res := searchFor(t, s, "有限公司三江")
	if res.Total != 13 {
		t.Errorf("有限公司三江: total %d, want 13 (every name holding 三江)", res.Total)
	}
}

// TestPinyinAcrossWords: pinyin typed across two adjacent words of a name matches, also when
// a legal form stands between them (its syllables are not in the indexed core name) or the
// input runs into one; the names spelling the input with the legal form come first.
func TestPinyinAcrossWords(t *testing.T) {
	s := fragmentCorpus(t)
	for _, c := range []struct{ q, first string }{
		{"huosanjiang", "宁波银泰百货有限公司三江店"},                 // 百货 | 三江店 (有限公司 between)
		{"gongsisanjiang", "宁波银泰百货有限公司三江店"},              // 公司三江: only this name spells it
		{"baihuoyouxiangongsisanjiang", "宁波银泰百货有限公司三江店"}, // the whole middle
		{"jishufuzhou", "华为技术有限公司福州分公司"},                 // 技术 | 福州
		{"gongsifuzhoufengongsi", "华为技术有限公司福州分公司"},
		{"weikejining", "华威科技（宁波）有限公司"}, // across the bracket
	} {
		res := searchFor(t, s, c.q)
		if res.Class != ClassPinyin || len(res.Results) == 0 || res.Results[0].Name != c.first {
			t.Errorf("%q (%s): got %v, want %s first", c.q, res.Class, names(res), c.first)
		}
	}
	// Running into a legal form at the end: 百货有限… is found by 百货.
	res := searchFor(t, s, "baihuoyouxian")
	if !slices.Contains(names(res), "宁波银泰百货有限公司三江店") {
		t.Errorf("baihuoyouxian: got %v", names(res))
	}
}

// TestBracketsNarrowOrAreIgnored: a bracketed region in the query puts the names holding it in
// brackets first (any bracket style or width); it never excludes the names that hold the
// text without brackets.
func TestBracketsNarrowOrAreIgnored(t *testing.T) {
	s := fragmentCorpus(t)
	for _, c := range []struct{ q, first string }{
		{"（宁波）", "华威科技（宁波）有限公司"},
		{"(宁波)", "华威科技（宁波）有限公司"},
		{"【宁波】", "华威科技（宁波）有限公司"},
		{"宁波）", "华威科技（宁波）有限公司"},
		{"宁波市）", "华威贸易（宁波市）有限公司"},
		{"（宁波市）", "华威贸易（宁波市）有限公司"},
		{"科技（宁波", "华威科技（宁波）有限公司"},
	} {
		res := searchFor(t, s, c.q)
		if len(res.Results) == 0 || res.Results[0].Name != c.first {
			t.Errorf("%q: got %v, want %s first", c.q, names(res), c.first)
		}
		plain := searchFor(t, s, strings.Trim(SearchText(c.q), " "))
		if res.Total != plain.Total {
			t.Errorf("%q: total %d, without brackets %d: brackets must not exclude", c.q, res.Total, plain.Total)
		}
	}
	// No name has 北京 in brackets: the brackets are ignored.
	res := searchFor(t, s, "（北京）")
	if len(res.Results) != 1 || res.Results[0].Name != "北京华威科技有限公司" {
		t.Errorf("（北京）: got %v", names(res))
	}
}

func TestCutLegalSyllables(t *testing.T) {
	for in, want := range map[string]string{
		"bai huo you xian gong si san jiang":  "bai huo san jiang",
		"gong si san jiang":                   "san jiang",
		"xian gong si san jiang":              "san jiang",
		"bai huo you xian":                    "bai huo",
		"ai jie si jian kang guan li ji tuan": "ai jie si jian kang guan li",
		"hua wei ji shu":                      "hua wei ji shu",
		"gong si":                             "",
		"zhong gong":                          "zhong gong",
	} {
		if got := strings.Join(cutLegalSyllables(strings.Fields(in)), " "); got != want {
			t.Errorf("cutLegalSyllables(%s) = %q, want %q", in, got, want)
		}
	}
}

func TestCutLegalInitials(t *testing.T) {
	for in, want := range map[string]string{
		"hwkjyxgs": "hwkj", "cqcjwlyx": "cqcjwl", "hwjtyxgs": "hw", "hwgs": "hw", "gs": "gs", "hwkj": "hwkj", "xgs": "xgs",
	} {
		if got := cutLegalInitials(in); got != want {
			t.Errorf("cutLegalInitials(%s) = %q, want %q", in, got, want)
		}
	}
}

// TestFragmentBandsOnBitmaps: the bands of brackets, of fragments across legal forms and of
// pinyin or initials typed with a legal form are answered on posting bitmaps, not through
// Bleve's searchers.
func TestFragmentBandsOnBitmaps(t *testing.T) {
	dir := t.TempDir()
	buildCorpusIn(t, dir, corpus)
	g, err := OpenGeneration(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	for _, q := range []string{"华威（福建）", "福建）新材料", "技术有限公司福州", "gongsichongqing", "cqcjwlyxgs"} {
		pq, err := ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		var req SearchRequest
		fs, err := req.filters("2026-11-22")
		if err != nil {
			t.Fatal(err)
		}
		tq := newTieredQuery(pq, fs)
		if len(tq.bands) < 3 {
			t.Fatalf("%q: %d bands", q, len(tq.bands))
		}
		for i, sh := range g.shards {
			adv, _ := sh.Advanced()
			r, err := adv.Reader()
			if err != nil {
				t.Fatal(err)
			}
			bits, err := tierBits(context.Background(), r, sh.Mapping(), g.cols[i], tq)
			r.Close()
			if err != nil || bits == nil {
				t.Errorf("%q shard %d: not on bitmaps (%v)", q, i, err)
			}
		}
	}
}
