package bench

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/uscc"
)

func TestPieces(t *testing.T) {
	got := pieces("湖南带领者茶业有限责任公司常德分公司")
	if len(got) != 2 || string(got[0]) != "湖南带领者茶业" || string(got[1]) != "常德" {
		t.Errorf("pieces = %q", got)
	}
	got = pieces("维仕（焦作）模具有限公司")
	if len(got) != 3 || string(got[1]) != "焦作" {
		t.Errorf("pieces = %q", got)
	}
	if got := beforeLegalForm("颐品堂（四川）环保科技有限公司"); got != "颐品堂（四川）环保科技" {
		t.Errorf("beforeLegalForm = %q", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100; i++ {
		f := fragment(rng, pieces("i美影视传媒有限公司"), 4)
		if !strings.Contains("i美影视传媒", f) || len([]rune(f)) != 4 {
			t.Fatalf("fragment %q", f)
		}
	}
}

func TestVariants(t *testing.T) {
	tr := traditional("华为技术有限公司")
	if tr == "" || tr == "华为技术有限公司" || fold.Key(tr) != fold.Key("华为技术有限公司") {
		t.Errorf("traditional = %q", tr)
	}
	if traditional("一二三") != "" {
		t.Error("a name without convertible characters must be skipped")
	}
	if got := fullwidth("维仕(焦作)ABC1有限公司"); got != "维仕（焦作）ＡＢＣ１有限公司" {
		t.Errorf("fullwidth = %q", got)
	}
	if fullwidth("福百食用菌种植有限公司") != "" {
		t.Error("nothing to widen must give \"\"")
	}
	if got := toneless("乌鲁木齐宏森资产管理有限公司", "91650102648941583U"); got != "hongsenzichanguanli" {
		t.Errorf("toneless = %q", got)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	code := "91350200776049653X"
	if uscc.Validate(code) != nil {
		code = code[:17] + string(mustCheck(t, code[:17]))
	}
	if bad := typo(rng, code); bad[:17] != code[:17] || bad == code || uscc.Validate(bad) == nil {
		t.Errorf("typo(%s) = %s", code, bad)
	}
}

func mustCheck(t *testing.T, first17 string) byte {
	c, err := uscc.CheckChar(first17)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	if percentile(d, 0.5) != 50 || percentile(d, 0.99) != 99 || percentile(d[:1], 0.99) != 1 {
		t.Error("nearest-rank percentile")
	}
}

func TestVariantClass(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	name := "深圳市钟氏果业有限公司"
	for range 20 {
		v := variant(rng, name)
		if v == "" || fold.Key(v) != fold.Key(name) {
			t.Fatalf("variant(%s) = %q: want another spelling that folds to the name", name, v)
		}
		if !strings.ContainsAny(v, "锺鍾菓") {
			t.Errorf("variant(%s) = %q: no variant character", name, v)
		}
	}
	if variant(rng, "一二三") != "" {
		t.Error("a name without variant characters must be skipped")
	}
}

func TestMisspell(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	name := "西安博瑞德信息技术有限公司"
	pool := []rune("华为科技贸易福州厦门")
	n := len([]rune(name))
	for _, tc := range []struct {
		class string
		runes int
	}{{ClassTypoSub, n}, {ClassTypoDel, n - 1}, {ClassTypoIns, n + 1}, {ClassTypoSwap, n}} {
		for range 50 {
			got := misspell(rng, name, tc.class, pool)
			if got == "" {
				continue
			}
			if len([]rune(got)) != tc.runes || fold.Key(got) == fold.Key(name) {
				t.Fatalf("%s: %q from %q", tc.class, got, name)
			}
			if tc.class == ClassTypoSwap {
				a, b := []rune(got), []rune(name)
				diff := 0
				for i := range a {
					if a[i] != b[i] {
						diff++
					}
				}
				if diff != 2 {
					t.Fatalf("swap %q differs from %q in %d places", got, name, diff)
				}
			}
		}
	}
	if misspell(rng, "华为科技", ClassTypoDel, pool) != "" {
		t.Error("a name under six characters must be skipped")
	}
	if misspell(rng, name, ClassTypoSub, nil) != "" {
		t.Error("no character to substitute: skip")
	}
}

func TestTrigrams(t *testing.T) {
	if got := strings.Join(trigrams(`华为"科华为"`), " "); got != `"华为""" "为""科" """科华" "科华为"` {
		t.Errorf("trigrams = %s", got)
	}
	if trigrams("华为") != nil {
		t.Error("two characters have no trigram")
	}
}

// TestCrossWordClasses: a cross_word fragment spans what stands between two pieces of the
// name, as written; pinyin_cross spells four characters across two words, and a name spells
// them when its characters read so, whatever stands between its words.
func TestCrossWordClasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for range 50 {
		seen[crossWord(rng, "维仕（焦作）模具有限公司")] = true
		if got := crossWord(rng, "湖南带领者茶业有限责任公司常德分公司"); got != "茶业有限责任公司常德" {
			t.Fatalf("crossWord = %q", got)
		}
	}
	if !seen["维仕（焦作"] || !seen["焦作）模具"] || len(seen) != 2 {
		t.Errorf("crossWord of a bracketed name: %v", seen)
	}
	if crossWord(rng, "福百食用菌种植有限公司") != "" {
		t.Error("one piece has no boundary")
	}
	if got := strings.Join(pinyinCross(rng, "湖南带领者茶业有限责任公司常德分公司", "91430000MA4L00000X"), " "); got != "cha ye chang de" {
		t.Errorf("pinyinCross = %q", got)
	}
	for range 20 {
		syl := pinyinCross(rng, "福百食用菌种植有限公司", "91350100MA00000000")
		if len(syl) != 4 || syl[0] == "fu" {
			t.Fatalf("pinyinCross of one piece = %v: four syllables, not from the start", syl)
		}
	}
	if !spells("湖南带领者茶业有限责任公司常德分公司", []string{"cha", "ye", "chang", "de"}) {
		t.Error("the legal form between the words is left out")
	}
	if !spells("重庆长江物流有限公司", []string{"zhong", "qing", "chang", "jiang"}) || spells("重庆长江物流有限公司", []string{"qing", "chang", "jiang", "liu"}) {
		t.Error("spells: any reading counts, the characters must be consecutive")
	}
}
