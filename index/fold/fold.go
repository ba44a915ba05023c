// Package fold normalises Chinese names and queries the same way on both sides of the index:
// full-width → half-width, traditional → simplified (OpenCC TSCharacters table), variant
// characters → one standard form, lower-case Latin, and collapsed white space. Each step is
// exported so it can be tested alone.
package fold

import (
	"bufio"
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

//go:embed TSCharacters.txt
var tsTable string

var (
	t2sOnce sync.Once
	t2s     map[rune]rune
)

func loadT2S() {
	t2s = make(map[rune]rune, 4200)
	sc := bufio.NewScanner(strings.NewReader(tsTable))
	for sc.Scan() {
		trad, simp, ok := strings.Cut(sc.Text(), "\t")
		if !ok {
			continue
		}
		tr := []rune(trad)
		cands := strings.Fields(simp)
		// A character listed among its own candidates (乾 → 干 乾, 於 → 于 於) is also a valid
		// simplified character, used in names as itself: folding it would merge 乾 into 干.
		if slices.Contains(cands, trad) {
			continue
		}
		// The first candidate is the usual simplified form; others are rarer alternatives.
		sr := []rune(cands[0])
		if len(tr) == 1 && len(sr) == 1 && tr[0] != sr[0] {
			t2s[tr[0]] = sr[0]
		}
	}
}

// Width maps full-width Latin letters, digits and punctuation to their half-width forms
// (（）→(), Ａ→A, １→1) and the ideographic space to a space.
func Width(s string) string {
	s = width.Fold.String(s)
	return strings.ReplaceAll(s, "\u3000", " ")
}

// Simplified maps traditional characters to simplified ones, one character at a time.
func Simplified(s string) string {
	t2sOnce.Do(loadT2S)
	return strings.Map(func(r rune) rune {
		if r < 0x3400 {
			return r
		}
		if s, ok := t2s[r]; ok {
			return s
		}
		return r
	}, s)
}

//go:embed Variants.txt
var variantTable string

var (
	variantsOnce sync.Once
	variants     map[rune]rune
)

// loadVariants reads Variants.txt (see SOURCES.md) and adds the CJK compatibility ideographs,
// which Unicode defines as the same character as a unified one (﨑 is 崎): both reach this
// step untouched by Simplified, so each maps to where its standard form folds.
func loadVariants() {
	variants = make(map[rune]rune, 1100)
	sc := bufio.NewScanner(strings.NewReader(variantTable))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		v, rest, ok := strings.Cut(line, "\t")
		std, _, _ := strings.Cut(rest, "\t")
		vr, sr := []rune(v), []rune(std)
		if ok && len(vr) == 1 && len(sr) == 1 {
			variants[vr[0]] = sr[0]
		}
	}
	for _, rg := range [][2]rune{{0xF900, 0xFAFF}, {0x2F800, 0x2FA1F}} {
		for r := rg[0]; r <= rg[1]; r++ {
			u := []rune(norm.NFC.String(string(r)))
			if len(u) != 1 || u[0] == r {
				continue
			}
			std := []rune(Simplified(string(u[0])))[0]
			if to, ok := variants[std]; ok {
				std = to
			}
			variants[r] = std
		}
	}
}

// Variants maps variant characters that Simplified leaves apart to the form registered names
// use: a second simplified form of one traditional character (锺 and 钟 of 鍾), a traditional
// character the OpenCC table keeps (揹 → 背, 夥 → 伙), a Taiwan or Hong Kong standard form
// (衞 → 卫, 粧 → 妆), a compatibility ideograph. Characters that are distinct in names stay
// (著 is not 着, 乾 is not 干). It expects Simplified's output.
func Variants(s string) string {
	variantsOnce.Do(loadVariants)
	return strings.Map(func(r rune) rune {
		if r < 0x3400 {
			return r
		}
		if v, ok := variants[r]; ok {
			return v
		}
		return r
	}, s)
}

// Lower lower-cases letters and collapses runs of white space into one space, trimmed.
func Lower(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// Fold applies Width, Simplified, Variants and Lower: the canonical form of any name or query.
func Fold(s string) string { return Lower(Variants(Simplified(Width(s)))) }

// Key is Fold without any white space: two names with the same Key are the same name
// ("华为技术 有限公司（福建）" and "華為技術有限公司(福建)").
func Key(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, Fold(s))
}
