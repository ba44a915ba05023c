package pinyin

import (
	"slices"
	"strings"
	"testing"
	"unicode"

	gopinyin "github.com/mozillazg/go-pinyin"
)

func TestReadings(t *testing.T) {
	tests := []struct {
		r       rune
		exact   []string // whole result, when set
		has     []string // must all be present
		hasNone []string // must all be absent
	}{
		{r: '重', has: []string{"zhong", "chong"}},
		{r: '厦', has: []string{"xia", "sha"}},
		{r: '行', has: []string{"xing", "hang"}},
		{r: '银', exact: []string{"yin"}},
		{r: '长', has: []string{"chang", "zhang"}},
		{r: '乐', has: []string{"le", "yue"}},
		{r: '绿', has: []string{"lv", "lu"}},
		{r: '女', has: []string{"nv"}, hasNone: []string{"nu"}},
		{r: '略', exact: []string{"lve"}},
		{r: '驴', exact: []string{"lv"}},
		{r: '居', has: []string{"ju"}, hasNone: []string{"jv"}},
		{r: '吗', exact: []string{"ma"}}, // ma, má, mǎ collapse to one
		{r: '华', exact: []string{"hua"}},
		{r: '欸', has: []string{"ai", "e", "ei", "xie"}}, // ê with tones → e
		{r: '呣', has: []string{"m", "mou"}},             // m̀ uses a combining mark
		{r: '〇', has: []string{"ling"}},
		{r: '𠀀', has: []string{"he"}}, // supplementary plane
		{r: 'a'},
		{r: '1'},
		{r: '，'},
		{r: -1},
		{r: unicode.MaxRune + 1},
	}
	for _, tc := range tests {
		got := Readings(tc.r)
		if tc.exact == nil && tc.has == nil {
			if got != nil {
				t.Errorf("Readings(%q) = %q, want nil", tc.r, got)
			}
			continue
		}
		if tc.exact != nil && !slices.Equal(got, tc.exact) {
			t.Errorf("Readings(%q) = %q, want %q", tc.r, got, tc.exact)
		}
		for _, w := range tc.has {
			if !slices.Contains(got, w) {
				t.Errorf("Readings(%q) = %q, missing %q", tc.r, got, w)
			}
		}
		for _, w := range tc.hasNone {
			if slices.Contains(got, w) {
				t.Errorf("Readings(%q) = %q, should not contain %q", tc.r, got, w)
			}
		}
	}
}

// TestReadingsWholeDictionary checks every entry: readings are non-empty,
// distinct, lower-case ASCII, agree with go-pinyin's own Normal heteronym
// output wherever that output is plain ASCII (it spells ü as v), and are
// either table syllables or one of the known non-standard ones.
func TestReadingsWholeDictionary(t *testing.T) {
	nonStandard := map[string]bool{}
	for _, s := range strings.Fields("m n ng hm hng biang fiao din len bong wong nia cei") {
		nonStandard[s] = true
	}
	args := gopinyin.NewArgs()
	args.Style = gopinyin.Normal
	args.Heteronym = true
	for k := range gopinyin.PinyinDict {
		r := rune(k)
		got := Readings(r)
		if len(got) == 0 {
			t.Errorf("%U: no readings", r)
			continue
		}
		for i, s := range got {
			if slices.Contains(got[:i], s) {
				t.Errorf("%U: duplicate %q in %q", r, s, got)
			}
			if strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") != "" {
				t.Errorf("%U: non-ASCII reading %q", r, s)
			}
			if !IsSyllable(s) && !nonStandard[s] && s != "e" {
				t.Errorf("%U: unexpected syllable %q", r, s)
			}
		}
		var want []string
		ascii := true
		for _, s := range gopinyin.SinglePinyin(r, args) {
			ascii = ascii && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") == ""
			want = append(want, s)
		}
		if ascii && !slices.Equal(got, want) {
			t.Errorf("%U: Readings = %q, go-pinyin Normal = %q", r, got, want)
		}
		ini := Initials(r)
		for _, s := range got {
			if !slices.Contains(ini, s[0]) {
				t.Errorf("%U: Initials %q miss %q", r, ini, s)
			}
		}
	}
}

func TestInitials(t *testing.T) {
	tests := []struct {
		r    rune
		want string
	}{
		{'重', "zct"},
		{'长', "zc"},
		{'行', "xh"},
		{'银', "y"},
		{'沙', "s"},
		{'安', "a"},
		{'a', ""},
	}
	for _, tc := range tests {
		if got := string(Initials(tc.r)); got != tc.want {
			t.Errorf("Initials(%q) = %q, want %q", tc.r, got, tc.want)
		}
	}
	if Initials('a') != nil {
		t.Error("Initials of a non-Han rune should be nil")
	}
}

func TestSegment(t *testing.T) {
	tests := []struct {
		in   string
		want string // space-joined; "" means ok=false
	}{
		{"fuzhouhuawei", "fu zhou hua wei"},
		{"fu zhou hua wei", "fu zhou hua wei"},
		{"  fuzhou  huawei ", "fu zhou hua wei"},
		{"xiamenyinhang", "xia men yin hang"},
		{"chongqing", "chong qing"},
		{"beijing", "bei jing"},
		{"zhongguo", "zhong guo"},
		{"xian", "xian"},
		{"xi'an", "xi an"},
		{"xi’an", "xi an"},
		{"shenzhen", "shen zhen"},
		{"guangzhou", "guang zhou"},
		{"hangzhou", "hang zhou"},
		{"nanjing", "nan jing"},
		{"wuhan", "wu han"},
		{"changsha", "chang sha"},
		{"lvyou", "lv you"},
		{"lueduo", "lue duo"},
		{"nve", "nve"},
		// Vowel-initial rule: a boundary that needs no apostrophe wins.
		{"henan", "he nan"},
		{"hunan", "hu nan"},
		{"jinan", "ji nan"},
		{"hainan", "hai nan"},
		{"xinan", "xi nan"},
		{"jingang", "jin gang"},
		{"xinge", "xin ge"},
		{"xingao", "xin gao"},
		// …except "an" after ng: 平安, 长安, 静安, 方案.
		{"pingan", "ping an"},
		{"changan", "chang an"},
		{"jingan", "jing an"},
		{"fangan", "fang an"},
		{"pinganyinhang", "ping an yin hang"},
		{"pin'gan", "pin gan"},
		{"chang'an", "chang an"},
		{"tianan", "tian an"},
		{"huaian", "huai an"},
		{"xiaomi", "xiao mi"},
		{"erhai", "er hai"},
		{"zhuangxiu", "zhuang xiu"},
		{"shanghaipudongfazhanyinhang", "shang hai pu dong fa zhan yin hang"},
		{"a", "a"},
		{"xyz", ""},
		{"abcd", ""},
		{"fzhw", ""},
		{"", ""},
		{"   ", ""},
		{"''", ""},
		{"Fuzhou", ""}, // callers lower-case first
		{"fu-zhou", ""},
		{"lü", ""},
		{"xia'n", ""},
		{"m", ""},
		{"ng", ""},
	}
	for _, tc := range tests {
		got, ok := Segment(tc.in)
		if tc.want == "" {
			if ok || got != nil {
				t.Errorf("Segment(%q) = %q, %v; want failure", tc.in, got, ok)
			}
			continue
		}
		if !ok || strings.Join(got, " ") != tc.want {
			t.Errorf("Segment(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
}

func TestSegmentations(t *testing.T) {
	tests := []struct {
		in    string
		limit int
		want  []string
	}{
		{"xian", 2, []string{"xian", "xi an"}},
		{"changan", 2, []string{"chang an", "chan gan"}},
		{"yanan", 3, []string{"ya nan", "yan an"}},
		{"jingang", 3, []string{"jin gang", "jing ang"}},
		{"xi an", 3, []string{"xi an"}},
		{"xian jinan", 4, []string{"xian ji nan", "xian jin an", "xi an ji nan", "xi an jin an"}},
		{"fzhw", 3, nil},
		{"xian", 0, nil},
	}
	for _, tc := range tests {
		var got []string
		for _, s := range Segmentations(tc.in, tc.limit) {
			got = append(got, strings.Join(s, " "))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Segmentations(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
		}
	}
}

func TestSyllableTable(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range syllableList {
		if seen[s] {
			t.Errorf("duplicate syllable %q", s)
		}
		seen[s] = true
		if len(s) > maxSyllable {
			t.Errorf("%q longer than maxSyllable", s)
		}
		if !IsSyllable(s) {
			t.Errorf("IsSyllable(%q) = false", s)
		}
	}
	if n := len(syllableList); n < 400 || n > 420 {
		t.Errorf("table has %d syllables, want ~410", n)
	}
	for _, s := range []string{"", "x", "zh", "xiang2", "Xian", "biang", "ng", "jv"} {
		if IsSyllable(s) {
			t.Errorf("IsSyllable(%q) = true", s)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{"lue": "lve", "nue": "nve", "lve": "lve", "xue": "xue", "lu": "lu"} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLooksLikeInitials(t *testing.T) {
	for in, want := range map[string]bool{
		"fzhw": true, "bj": true, "szhw": true, "zgc": true, "abcd": true,
		"huawei": false, "beijing": false, "xian": false, "an": false,
		"b": false, "bjbjbjbjbjb": false, "f zh": false, "FZHW": false, "": false,
	} {
		if got := LooksLikeInitials(in); got != want {
			t.Errorf("LooksLikeInitials(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestReadingsNoAlloc(t *testing.T) {
	Readings('中')
	if n := testing.AllocsPerRun(100, func() {
		Readings('中')
		Readings('𠀀')
		Readings('a')
		Initials('重')
	}); n != 0 {
		t.Errorf("Readings allocates %v times per call", n)
	}
}

func FuzzSegment(f *testing.F) {
	for _, s := range []string{"fuzhouhuawei", "fu zhou hua wei", "xi'an", "xi’an", "lvyou", "lue", "fzhw", "", "changan", "\xe2\x80", "aaaaaa", "ererer"} {
		f.Add(s)
	}
	strip := strings.NewReplacer(" ", "", "'", "", "’", "")
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := Segment(s)
		alts := Segmentations(s, 3)
		if !ok {
			if got != nil || alts != nil {
				t.Fatalf("Segment(%q) failed but returned %q / %q", s, got, alts)
			}
			return
		}
		if strings.Join(got, "") != strip.Replace(s) {
			t.Fatalf("Segment(%q) = %q does not rebuild the input", s, got)
		}
		for _, syl := range got {
			if !IsSyllable(syl) {
				t.Fatalf("Segment(%q) = %q: %q is not a syllable", s, got, syl)
			}
		}
		if len(alts) == 0 || !slices.Equal(alts[0], got) {
			t.Fatalf("Segmentations(%q)[0] = %q, Segment = %q", s, alts, got)
		}
		for i, a := range alts {
			if strings.Join(a, "") != strip.Replace(s) {
				t.Fatalf("Segmentations(%q) = %q does not rebuild the input", s, a)
			}
			for _, b := range alts[:i] {
				if slices.Equal(a, b) {
					t.Fatalf("Segmentations(%q) repeats %q", s, a)
				}
			}
		}
		if len(s) >= 2 && len(s) <= 10 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz") == "" && LooksLikeInitials(s) {
			t.Fatalf("LooksLikeInitials(%q) = true but it segments as %q", s, got)
		}
	})
}

// commonHan is a sample of 10k characters from the CJK Unified Ideographs block,
// starting at 一, where nearly all characters in company names live.
func commonHan() []rune {
	rs := make([]rune, 0, 10000)
	for r := rune(0x4E00); len(rs) < cap(rs); r++ {
		if Readings(r) != nil {
			rs = append(rs, r)
		}
	}
	return rs
}

func BenchmarkReadings(b *testing.B) {
	rs := commonHan()
	b.ReportAllocs()
	n, iters := 0, 0
	for b.Loop() {
		for _, r := range rs {
			n += len(Readings(r))
		}
		iters++
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(iters*len(rs)), "ns/rune")
	_ = n
}

func BenchmarkSegment(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Segment("shanghaipudongfazhanyinhang")
	}
}

func BenchmarkSegmentations(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Segmentations("xiamenyinhang", 4)
	}
}
