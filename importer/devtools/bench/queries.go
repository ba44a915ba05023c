package bench

import (
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/pinyin"
	"github.com/gongshi/gongshi/index/region"
	"github.com/gongshi/gongshi/index/uscc"
)

// Query classes, in table order.
const (
	ClassNameExact   = "name_exact"
	ClassFrag1       = "frag1"
	ClassFrag2       = "frag2"
	ClassFrag4       = "frag4"
	ClassDistinctive = "distinctive"
	ClassTraditional = "traditional"
	ClassFullwidth   = "fullwidth"
	ClassPinyin      = "pinyin"
	ClassCode        = "code"
	ClassCodeLower   = "code_lower"
	ClassCodeTypo    = "code_typo"
	// The whole name with one character in a variant form (菓 for 果, 衞 for 卫, 锺 for 钟),
	// the rest in traditional characters: how Hong Kong and Taiwan write many names.
	ClassVariant = "variant"
	// The whole name (six characters or more) with one character wrong, missing, extra, or
	// two neighbours swapped.
	ClassTypoSub  = "typo_sub"
	ClassTypoDel  = "typo_del"
	ClassTypoIns  = "typo_ins"
	ClassTypoSwap = "typo_swap"
	// A fragment across two words of a name, as written, with what stands between them: a
	// legal form in the middle ("科技有限公司厦门" of a branch) or a bracket ("华威（福建").
	ClassCrossWord = "cross_word"
	// Pinyin of four characters across two adjacent words: the end of one, the start of the
	// next ("weixincai" of 华威新材料), a legal form or bracket between them left out.
	ClassPinyinCross = "pinyin_cross"
	// ClassAll is the row over every query of an engine.
	ClassAll = "all"
)

// Classes lists the query classes in the order they are drawn and printed. Classes added
// later come last, so that a seed draws the same queries for the earlier ones as before.
var Classes = []string{ClassNameExact, ClassFrag1, ClassFrag2, ClassFrag4, ClassDistinctive,
	ClassTraditional, ClassFullwidth, ClassPinyin, ClassCode, ClassCodeLower, ClassCodeTypo,
	ClassVariant, ClassTypoSub, ClassTypoDel, ClassTypoIns, ClassTypoSwap, ClassCrossWord, ClassPinyinCross}

// fuzzy reports whether a class is misspelt or written in other forms of its characters: the
// peers are told, and answer it with their similarity search when their LIKE finds too little.
func fuzzy(class string) bool {
	switch class {
	case ClassVariant, ClassTypoSub, ClassTypoDel, ClassTypoIns, ClassTypoSwap:
		return true
	}
	return false
}

// entity is what every engine is loaded with: the code and the name as published.
type entity struct{ code, name string }

// query is one search with a known answer.
type query struct {
	class  string
	text   string // what the user types; peers get it unchanged
	target string // the entity the query was drawn from
	tname  string // its name
	key    string // fold.Key of the target name (full-name classes) or of the fragment
	// syllables of a pinyin_cross query: a name spelling them at consecutive characters of
	// its words (legal forms and punctuation left out) is as relevant as the target.
	syllables []string
}

// row is one result as an engine returns it; close marks gongshi's close tier (相近名称).
type row struct {
	code, name, former string
	close              bool
}

// relevant judges one result. Fragments: the result's name (or the former name gongshi shows
// as the match) contains the fragment. Full names: the target, or another entity with the very
// same name, which no engine can tell apart. Everything else: the target only.
func (q *query) relevant(r row) bool {
	switch q.class {
	case ClassFrag1, ClassFrag2, ClassFrag4, ClassCrossWord:
		return strings.Contains(fold.Key(r.name), q.key) || r.former != "" && strings.Contains(fold.Key(r.former), q.key)
	case ClassPinyinCross:
		return r.code == q.target || spells(r.name, q.syllables) || r.former != "" && spells(r.former, q.syllables)
	case ClassNameExact, ClassTraditional, ClassFullwidth, ClassVariant, ClassTypoSub, ClassTypoDel, ClassTypoIns, ClassTypoSwap:
		return r.code == q.target || fold.Key(r.name) == q.key
	}
	return r.code == q.target
}

// legalForms are cut out before fragments are drawn: they are in most names and say nothing
// about which entity is meant. Longest first, so 有限责任公司 goes before 有限公司.
var legalForms = []string{"股份有限公司", "有限责任公司", "集团有限公司", "农民专业合作社", "个人独资企业",
	"有限公司", "分公司", "个体工商户", "专业合作社", "有限合伙", "合伙企业", "合作社"}

// pieces are the runs of name characters (Han, Latin letters, digits) of a name once legal
// forms and punctuation are cut out; fragments are drawn inside one piece so that each is a
// real substring of the name.
func pieces(name string) [][]rune {
	for _, lf := range legalForms {
		name = strings.ReplaceAll(name, lf, "\x00")
	}
	var out [][]rune
	var cur []rune
	for _, r := range name {
		if unicode.Is(unicode.Han, r) || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			out = append(out, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// beforeLegalForm is the name cut at its first legal-form word; "" if that leaves under two characters.
func beforeLegalForm(name string) string {
	cut := len(name)
	for _, lf := range legalForms {
		if i := strings.Index(name, lf); i >= 0 && i < cut {
			cut = i
		}
	}
	if utf8.RuneCountInString(name[:cut]) < 2 {
		return ""
	}
	return name[:cut]
}

// fragment draws n consecutive characters at a uniformly random position over all pieces.
func fragment(rng *rand.Rand, ps [][]rune, n int) string {
	total := 0
	for _, p := range ps {
		if len(p) >= n {
			total += len(p) - n + 1
		}
	}
	if total == 0 {
		return ""
	}
	k := rng.IntN(total)
	for _, p := range ps {
		if len(p) < n {
			continue
		}
		if k < len(p)-n+1 {
			return string(p[k : k+n])
		}
		k -= len(p) - n + 1
	}
	return ""
}

var (
	s2tOnce sync.Once
	s2t     map[rune]rune
)

// loadS2T inverts gongshi's own traditional→simplified folding (OpenCC's TSCharacters, first
// candidate) by asking fold.Simplified about every CJK code point, and keeps the simplified
// characters that exactly one traditional character maps to: those convert back unambiguously.
func loadS2T() {
	from := map[rune][]rune{}
	for _, rg := range [][2]rune{{0x3400, 0xFFFF}, {0x20000, 0x3134F}} {
		for r := rg[0]; r <= rg[1]; r++ {
			if !unicode.Is(unicode.Han, r) {
				continue
			}
			s, _ := utf8.DecodeRuneInString(fold.Simplified(string(r)))
			if s != r {
				from[s] = append(from[s], r)
			}
		}
	}
	s2t = make(map[rune]rune, len(from))
	for s, trads := range from {
		if len(trads) == 1 {
			s2t[s] = trads[0]
		}
	}
}

// traditional writes a name in traditional characters, or returns "" if none converts.
func traditional(name string) string {
	s2tOnce.Do(loadS2T)
	changed := false
	out := strings.Map(func(r rune) rune {
		if t, ok := s2t[r]; ok {
			changed = true
			return t
		}
		return r
	}, name)
	if !changed {
		return ""
	}
	return out
}

var (
	variantOnce sync.Once
	variantOf   map[rune][]rune // standard form → its variant forms, as fold.Variants folds them
)

// loadVariantOf inverts fold.Variants over the CJK code points, leaving out compatibility
// ideographs: they come from old encodings, not from anyone typing a name.
func loadVariantOf() {
	variantOf = map[rune][]rune{}
	for _, rg := range [][2]rune{{0x3400, 0x9FFF}, {0x20000, 0x2F7FF}, {0x30000, 0x3134F}} {
		for r := rg[0]; r <= rg[1]; r++ {
			if s, _ := utf8.DecodeRuneInString(fold.Variants(string(r))); s != r {
				variantOf[s] = append(variantOf[s], r)
			}
		}
	}
}

// variant writes one character of a name that has a variant form (果 → 菓, 卫 → 衞) in that
// form and the others in traditional characters; "" if no character has one.
func variant(rng *rand.Rand, name string) string {
	variantOnce.Do(loadVariantOf)
	rs := []rune(name)
	var at []int
	for i, r := range rs {
		if len(variantOf[r]) > 0 {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return ""
	}
	i := at[rng.IntN(len(at))]
	vs := variantOf[rs[i]]
	v := vs[rng.IntN(len(vs))]
	out := []rune(name)
	if tr := traditional(name); tr != "" {
		out = []rune(tr)
	}
	out[i] = v
	return string(out)
}

// nameRune reports whether r is a character of a name proper: Han, or an ASCII letter or digit.
func nameRune(r rune) bool {
	return unicode.Is(unicode.Han, r) || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// minTypoName is the shortest name a typo class draws: a shorter one with a character wrong
// is as close to many other names as to its own.
const minTypoName = 6

// misspell makes one typing mistake of class in the name, at a random character of it: a
// wrong character (drawn from other names), a missing one, an extra one, or two different
// neighbours swapped. "" if the name is too short or has no such place.
func misspell(rng *rand.Rand, name, class string, pool []rune) string {
	rs := []rune(name)
	var at []int
	for i, r := range rs {
		if nameRune(r) {
			at = append(at, i)
		}
	}
	if len(at) < minTypoName {
		return ""
	}
	other := func(not rune) rune {
		for range min(20, len(pool)) {
			if c := pool[rng.IntN(len(pool))]; fold.Fold(string(c)) != fold.Fold(string(not)) {
				return c
			}
		}
		return 0
	}
	i := at[rng.IntN(len(at))]
	switch class {
	case ClassTypoSub:
		c := other(rs[i])
		if c == 0 {
			return ""
		}
		rs[i] = c
	case ClassTypoDel:
		rs = append(rs[:i], rs[i+1:]...)
	case ClassTypoIns:
		c := other(rs[i])
		if c == 0 {
			return ""
		}
		rs = append(rs[:i], append([]rune{c}, rs[i:]...)...)
	case ClassTypoSwap:
		if i+1 >= len(rs) || !nameRune(rs[i+1]) || fold.Fold(string(rs[i])) == fold.Fold(string(rs[i+1])) {
			return ""
		}
		rs[i], rs[i+1] = rs[i+1], rs[i]
	}
	return string(rs)
}

// typoPool is the characters a misspelling draws from: those of some names, so that a wrong
// character is one names are written with, in proportion to how often they are.
func typoPool(rng *rand.Rand, ents []entity) []rune {
	var pool []rune
	for range min(2000, len(ents)) {
		for _, r := range ents[rng.IntN(len(ents))].name {
			if unicode.Is(unicode.Han, r) {
				pool = append(pool, r)
			}
		}
	}
	return pool
}

// fullwidth writes ASCII letters and digits full-width and swaps the widths of parentheses,
// the way names come out of Chinese input methods and old agency systems; "" if nothing changes.
func fullwidth(name string) string {
	out := strings.Map(func(r rune) rune {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			return r - 0x21 + 0xFF01
		case r == '(':
			return '（'
		case r == ')':
			return '）'
		case r == '（':
			return '('
		case r == '）':
			return ')'
		}
		return r
	}, name)
	if out == name {
		return ""
	}
	return out
}

// regionSuffixes are cut off division names to get the short form used in company names
// (福建省 → 福建, 乌鲁木齐市 → 乌鲁木齐).
var regionSuffixes = []string{"维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "旗", "盟"}

// stripRegion removes a leading division name (county, prefecture or province of the code's
// region, long or short form): users typing pinyin leave the place out.
func stripRegion(name, code string) string {
	reg := uscc.Region(code)
	if reg == "" {
		return name
	}
	best := ""
	for _, c := range []string{reg, region.City(reg), region.Province(reg)} {
		n := region.Name(c)
		if n == "" {
			continue
		}
		cands := []string{n}
		for _, suf := range regionSuffixes {
			if s := strings.TrimSuffix(n, suf); s != n && utf8.RuneCountInString(s) >= 2 {
				cands = append(cands, s)
			}
		}
		for _, c := range cands {
			if strings.HasPrefix(name, c) && len(c) > len(best) {
				best = c
			}
		}
	}
	return strings.TrimPrefix(name, best)
}

// maxPinyinLetters keeps typed pinyin to what a user types before looking at suggestions.
const maxPinyinLetters = 30

// toneless returns the pinyin a user would type for the name: the usual reading of each
// character of the first piece after the region, without spaces, cut on a syllable boundary.
func toneless(name, code string) string {
	ps := pieces(stripRegion(name, code))
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	syll := 0
	for _, r := range ps[0] {
		rs := pinyin.Readings(r)
		if len(rs) == 0 {
			return "" // not a Han character: the pinyin would not spell the name
		}
		if b.Len()+len(rs[0]) > maxPinyinLetters {
			break
		}
		b.WriteString(rs[0])
		syll++
	}
	if syll < 2 {
		return ""
	}
	return b.String()
}

// typo replaces the check character of a valid code with another valid character.
func typo(rng *rand.Rand, code string) string {
	for {
		c := uscc.Alphabet[rng.IntN(len(uscc.Alphabet))]
		if c != code[17] {
			return code[:17] + string(c)
		}
	}
}

// draw picks n queries of a class from random entities, deterministically for a seed. An
// entity that cannot yield the class (no convertible character, no Latin letter ...) is
// passed over; after many misses the class is left with fewer queries.
func draw(rng *rand.Rand, ents []entity, class string, n int) []query {
	var out []query
	var pool []rune
	if class == ClassTypoSub || class == ClassTypoIns {
		pool = typoPool(rng, ents)
	}
	for tries := 0; len(out) < n && tries < 200*n && len(ents) > 0; tries++ {
		e := ents[rng.IntN(len(ents))]
		q := query{class: class, target: e.code, tname: e.name, key: fold.Key(e.name)}
		switch class {
		case ClassNameExact:
			q.text = e.name
		case ClassFrag1, ClassFrag2, ClassFrag4:
			k := map[string]int{ClassFrag1: 1, ClassFrag2: 2, ClassFrag4: 4}[class]
			q.text = fragment(rng, pieces(e.name), k)
			q.key = fold.Key(q.text)
		case ClassDistinctive:
			ps := pieces(e.name)
			q.text = fragment(rng, ps, 6)
			if q.text == "" {
				// No run of six: the name up to its legal form, as written ("颐品堂（四川）环保科技"),
				// rather than its longest run alone, which may be as common as "环保科技".
				q.text = beforeLegalForm(e.name)
			}
		case ClassTraditional:
			q.text = traditional(e.name)
		case ClassFullwidth:
			q.text = fullwidth(e.name)
		case ClassPinyin:
			q.text = toneless(e.name, e.code)
		case ClassCode:
			q.text = e.code
		case ClassCodeLower:
			q.text = strings.ToLower(e.code)
		case ClassCodeTypo:
			if uscc.Validate(e.code) != nil {
				continue // the typo must be the only thing wrong
			}
			q.text = typo(rng, e.code)
		case ClassVariant:
			q.text = variant(rng, e.name)
		case ClassTypoSub, ClassTypoDel, ClassTypoIns, ClassTypoSwap:
			q.text = misspell(rng, e.name, class, pool)
		case ClassCrossWord:
			q.text = crossWord(rng, e.name)
			q.key = fold.Key(q.text)
		case ClassPinyinCross:
			q.syllables = pinyinCross(rng, e.name, e.code)
			q.text = strings.Join(q.syllables, "")
		}
		if q.text != "" {
			out = append(out, q)
		}
	}
	return out
}

// crossWord draws a fragment across the boundary of two pieces of a name, as written: up to
// two characters before it, what stands between (a legal form, a bracket), up to two after;
// "" for a name of one piece.
func crossWord(rng *rand.Rand, name string) string {
	rs := []rune(name)
	type span struct{ from, to int } // a piece: rs[from:to]
	var ps []span
	for i := 0; i < len(rs); {
		if !nameRune(rs[i]) || cutAt(rs, i) > 0 {
			i += max(1, cutAt(rs, i))
			continue
		}
		j := i
		for j < len(rs) && nameRune(rs[j]) && cutAt(rs, j) == 0 {
			j++
		}
		ps = append(ps, span{i, j})
		i = j
	}
	if len(ps) < 2 {
		return ""
	}
	k := rng.IntN(len(ps) - 1)
	a, b := ps[k], ps[k+1]
	return string(rs[max(a.from, a.to-2):min(b.to, b.from+2)])
}

// cutAt is the length of the legal form starting at rs[i], 0 if none.
func cutAt(rs []rune, i int) int {
	rest := string(rs[i:])
	for _, lf := range legalForms {
		if strings.HasPrefix(rest, lf) {
			return utf8.RuneCountInString(lf)
		}
	}
	return 0
}

// pinyinCross draws four syllables across two adjacent words of a name (after its region):
// across the boundary of two pieces when it has several, else across an inner point of its
// one piece (trade name | industry); nil when the words are too short or not all Han.
func pinyinCross(rng *rand.Rand, name, code string) []string {
	ps := pieces(stripRegion(name, code))
	var window []rune
	switch {
	case len(ps) >= 2:
		k := rng.IntN(len(ps) - 1)
		a, b := ps[k], ps[k+1]
		if len(a) < 2 || len(b) < 2 {
			return nil
		}
		window = append(append(window, a[len(a)-2:]...), b[:2]...)
	case len(ps) == 1 && len(ps[0]) >= 5:
		at := 1 + rng.IntN(len(ps[0])-4) // not from the start: that is the pinyin class
		window = ps[0][at : at+4]
	default:
		return nil
	}
	out := make([]string, 0, 4)
	for _, r := range window {
		rds := pinyin.Readings(r)
		if len(rds) == 0 {
			return nil
		}
		out = append(out, rds[0])
	}
	return out
}

// spells reports whether some consecutive Han characters of the name's pieces read as the
// syllables, any reading of a polyphonic character counting.
func spells(name string, syllables []string) bool {
	var rs []rune
	for _, p := range pieces(name) {
		rs = append(rs, p...)
	}
	for start := 0; start+len(syllables) <= len(rs); start++ {
		ok := true
		for k, s := range syllables {
			if !slices.Contains(pinyin.Readings(rs[start+k]), s) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}
