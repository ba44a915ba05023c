package fold

import (
	"bufio"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"华为技术有限公司（福建）":      "华为技术有限公司(福建)",
		"華為技術有限公司":          "华为技术有限公司",
		"ＡＢＣ科技１２３":          "abc科技123",
		"  Foo\u3000 Bar  ": "foo bar",
		"廈門銀行":              "厦门银行",
		"長沙市開福區":            "长沙市开福区",
		"":                  "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKey(t *testing.T) {
	if Key("華為技術 有限公司（福建）") != Key("华为技术有限公司(福建)") {
		t.Errorf("keys differ: %q vs %q", Key("華為技術 有限公司（福建）"), Key("华为技术有限公司(福建)"))
	}
}

func TestStepsAlone(t *testing.T) {
	if got := Width("（１）"); got != "(1)" {
		t.Errorf("Width = %q", got)
	}
	if got := Simplified("乾博於氏"); got != "乾博於氏" {
		t.Errorf("characters that are also simplified must stay: %q", got)
	}
	if got := Simplified("臺灣"); got != "台湾" {
		t.Errorf("Simplified = %q", got)
	}
	if got := Lower("ABC  D"); got != "abc d" {
		t.Errorf("Lower = %q", got)
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"華為（福建）", "ＡＢＣ", "\xff", "a\u3000b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Fold(s)
		if Fold(once) != once {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, once, Fold(once))
		}
		if utf8.ValidString(s) && !utf8.ValidString(once) {
			t.Fatalf("Fold(%q) produced invalid UTF-8", s)
		}
	})
}

// TestVariantsMeet: a registered name and a query written with any form of one character fold
// alike, whichever step brings each form there.
func TestVariantsMeet(t *testing.T) {
	for _, forms := range [][]string{
		{"锺", "钟", "鍾"},       // the surname: 锺 in the 2013 table, 钟 in OpenCC
		{"合夥", "合伙"},          // partnerships
		{"揹", "背"},            // a traditional form OpenCC's TS table keeps
		{"衞生", "衛生", "卫生"},    // Hong Kong's form
		{"化粧品", "化妝品", "化妆品"}, // Hong Kong's form
		{"菓業", "果业"},          // Taiwan and Hong Kong shop names
		{"舖", "鋪", "铺"},       // 舖 is mapped by OpenCC's current table only
		{"擡", "抬"},            // likewise
		{"篠", "筱", "筿"},       // 篠 → 筿 in the TS table; names write 筱
		{"逕口", "迳口", "径口"},    // place names
		{"諮詢", "谘询", "咨询"},    // a second simplified form
		{"籐器", "藤器"},          // furniture shops
		{"\uF907", "龜", "龟"},  // a compatibility ideograph: the same character as 龜
		{"\U0002F80F", "兔"},   // one from the supplement
		{"锺氏鐘表", "钟氏钟表"},      // several in one name
	} {
		want := Fold(forms[0])
		for _, f := range forms[1:] {
			if got := Fold(f); got != want {
				t.Errorf("Fold(%q) = %q, Fold(%q) = %q: want them equal", forms[0], want, f, got)
			}
		}
	}
}

// TestVariantsKeepDistinctCharacters: characters that mean something else in names are not
// merged, though OpenCC links some of them.
func TestVariantsKeepDistinctCharacters(t *testing.T) {
	for _, pair := range [][2]string{
		{"著", "着"}, // 著名 is not 着名; Taiwan writes 穿著 for 穿着
		{"乾", "干"}, // 乾坤
		{"於", "于"}, // a surname
		{"钜", "巨"}, // 钜丰 and 巨丰 are different names
		{"麹", "曲"}, // two surnames
		{"徵", "征"}, // a surname
		{"瞭", "了"}, // 瞭望
		{"祇", "只"}, // 神祇
		{"邨", "村"}, // Hong Kong estates
		{"堃", "坤"}, // given names
		{"喆", "哲"},
		{"彷", "仿"},
		{"薰", "熏"},
		{"么", "幺"},
		{"链", "炼"},
	} {
		if Fold(pair[0]) == Fold(pair[1]) {
			t.Errorf("Fold merges %s and %s (both %q)", pair[0], pair[1], Fold(pair[0]))
		}
	}
}

// TestVariantsTouchNothingElse: the step changes only the characters of its table and the
// compatibility ideographs, and each of those into a character it leaves as it is.
func TestVariantsTouchNothingElse(t *testing.T) {
	keys := map[rune]rune{}
	sc := bufio.NewScanner(strings.NewReader(variantTable))
	n := 0
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || utf8.RuneCountInString(f[0]) != 1 || utf8.RuneCountInString(f[1]) != 1 || f[2] == "" {
			t.Fatalf("malformed line %q: want variant, standard and source", line)
		}
		v, _ := utf8.DecodeRuneInString(f[0])
		s, _ := utf8.DecodeRuneInString(f[1])
		if _, dup := keys[v]; dup {
			t.Errorf("%c listed twice", v)
		}
		keys[v] = s
		n++
	}
	if n < 50 || n > 200 {
		t.Errorf("%d variants: the table is meant to be a small reviewed list", n)
	}
	compat := func(r rune) bool { return r >= 0xF900 && r <= 0xFAFF || r >= 0x2F800 && r <= 0x2FA1F }
	for _, rg := range [][2]rune{{0x2E80, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x3134F}} {
		for r := rg[0]; r <= rg[1]; r++ {
			got := []rune(Variants(string(r)))[0]
			want, listed := keys[r]
			switch {
			case listed && got != want:
				t.Errorf("Variants(%c) = %c, want %c", r, got, want)
			case !listed && !compat(r) && got != r:
				t.Errorf("Variants(%c) = %c: not in the table, must stay", r, got)
			case got != r && Variants(string(got)) != string(got):
				t.Errorf("Variants(%c) = %c, which it changes again", r, got)
			case got != r && Simplified(string(got)) != string(got):
				t.Errorf("Variants(%c) = %c, which is not simplified", r, got)
			case compat(r) && unicode.Is(unicode.Han, r) && got == r && keys[r] == 0 && !unifiedCompat(r):
				t.Errorf("compatibility ideograph %U left as it is", r)
			}
		}
	}
}

// unifiedCompat are the twelve ideographs of the compatibility block that are unified ones
// (no decomposition): 﨎 﨏 﨑 﨓 﨔 﨟 﨡 﨣 﨤 﨧 﨨 﨩.
func unifiedCompat(r rune) bool {
	return strings.ContainsRune("\uFA0E\uFA0F\uFA11\uFA13\uFA14\uFA1F\uFA21\uFA23\uFA24\uFA27\uFA28\uFA29", r)
}
