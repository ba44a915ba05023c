// Package pinyin gives the toneless pinyin readings of Han characters for indexing,
// and segments typed Latin letters into pinyin syllables for querying.
package pinyin

import (
	"strings"
	"sync"

	gopinyin "github.com/mozillazg/go-pinyin"
)

// span maps a dense range of code points to reading lists. go-pinyin's keys
// cluster in two ranges (BMP U+3007–U+FAxx, supplementary U+2xxxx), so two
// uint16 arrays (~250 KB) give an O(1), map-free lookup on the index hot path.
type span struct {
	lo  rune
	idx []uint16 // 0 = no reading; otherwise an index into table.readings
}

type table struct {
	spans    [2]span
	readings [][]string // [0] is nil so a zero index needs no branch
	initials [][]byte
}

var (
	tabOnce sync.Once
	tab     table
)

// load builds the table on first use rather than in init, so binaries that
// import the package but never index (CLI tools, tests of other code) pay nothing.
func load() *table {
	tabOnce.Do(buildTable)
	return &tab
}

func (t *table) index(r rune) uint16 {
	for i := range t.spans {
		s := &t.spans[i]
		if d := r - s.lo; d >= 0 && d < rune(len(s.idx)) {
			return s.idx[d]
		}
	}
	return 0
}

// Readings returns the toneless pinyin readings of a Han character: every
// heteronym, in go-pinyin's order (its first reading is the usual one, though
// not always for proper names: 长 gives zhang before chang), without duplicates,
// lower-case ASCII with ü written as "v" (绿 → lv, lu; 女 → nv, ru). j/q/x/y
// keep the standard "u" spelling (居 → ju), because that is how pinyin writes ü
// after them and there it is not ambiguous.
//
// It returns nil for runes go-pinyin has no reading for: non-Han runes and a few
// very rare characters. A handful of readings are not standard syllables
// (interjections m, n, ng, hm, hng; rare biang, fiao, din, ...).
//
// The returned slice is shared by every caller and must not be modified.
// Lookups do not allocate.
func Readings(r rune) []string {
	t := load()
	return t.readings[t.index(r)]
}

// Initials returns the distinct first letters of r's readings as bytes, in
// reading order (重 → 'z', 'c', 't'); zh/ch/sh count as z/c/s because users
// type one letter per character. It returns nil for runes without readings.
// The returned slice is shared and must not be modified.
func Initials(r rune) []byte {
	t := load()
	return t.initials[t.index(r)]
}

// toneless maps the accented letters go-pinyin's dictionary uses to ASCII.
// go-pinyin's own Normal style misses some (ǖ, ê with tones, m̀), so this
// package strips tones itself instead of calling SinglePinyin.
var toneless = map[rune]byte{
	'ā': 'a', 'á': 'a', 'ǎ': 'a', 'à': 'a',
	'ē': 'e', 'é': 'e', 'ě': 'e', 'è': 'e',
	'ê': 'e', 'ế': 'e', 'ề': 'e', 'ễ': 'e', 'ể': 'e', 'ệ': 'e',
	'ī': 'i', 'í': 'i', 'ǐ': 'i', 'ì': 'i',
	'ō': 'o', 'ó': 'o', 'ǒ': 'o', 'ò': 'o',
	'ū': 'u', 'ú': 'u', 'ǔ': 'u', 'ù': 'u',
	'ü': 'v', 'ǖ': 'v', 'ǘ': 'v', 'ǚ': 'v', 'ǜ': 'v',
	'ḿ': 'm', 'ń': 'n', 'ň': 'n', 'ǹ': 'n',
}

// stripTone turns one tone-marked reading into lower-case ASCII; ok is false
// if the reading holds a letter this package does not know how to spell.
func stripTone(s string) (string, bool) {
	b := make([]byte, 0, len(s))
	for _, c := range s {
		switch {
		case 'a' <= c && c <= 'z':
			b = append(b, byte(c))
		case c >= 0x300 && c <= 0x36f:
			// Combining tone marks: the dictionary writes m̀ and ê̄ this way.
		default:
			a, ok := toneless[c]
			if !ok {
				return "", false
			}
			b = append(b, a)
		}
	}
	if len(b) == 0 {
		return "", false
	}
	return string(b), true
}

func buildTable() {
	lo := [2]rune{1 << 30, 1 << 30}
	hi := [2]rune{-1, -1}
	for k := range gopinyin.PinyinDict {
		r, p := rune(k), 0
		if r > 0xFFFF {
			p = 1
		}
		lo[p] = min(lo[p], r)
		hi[p] = max(hi[p], r)
	}
	for p := range tab.spans {
		if hi[p] >= lo[p] {
			tab.spans[p] = span{lo: lo[p], idx: make([]uint16, hi[p]-lo[p]+1)}
		}
	}

	tab.readings = [][]string{nil}
	tab.initials = [][]byte{nil}
	// Interning keeps ~5.2k distinct reading lists and ~430 distinct strings
	// instead of one copy per character.
	strs := map[string]string{}
	byList := map[string]uint16{}
	byRaw := map[string]uint16{}
	for k, raw := range gopinyin.PinyinDict {
		id, seen := byRaw[raw]
		if !seen {
			var list []string
			for _, p := range strings.Split(raw, ",") {
				s, ok := stripTone(p)
				if !ok {
					continue
				}
				if in, ok := strs[s]; ok {
					s = in
				} else {
					strs[s] = s
				}
				dup := false
				for _, have := range list {
					dup = dup || have == s
				}
				if !dup {
					list = append(list, s)
				}
			}
			key := strings.Join(list, ",")
			if id, seen = byList[key]; !seen && len(list) > 0 {
				if len(tab.readings) > 0xFFFF {
					// A newer go-pinyin could outgrow uint16; fail loudly, not wrongly.
					panic("pinyin: more than 65535 distinct reading lists")
				}
				id = uint16(len(tab.readings))
				byList[key] = id
				tab.readings = append(tab.readings, list)
				tab.initials = append(tab.initials, initialsOf(list))
			}
			byRaw[raw] = id
		}
		r, p := rune(k), 0
		if r > 0xFFFF {
			p = 1
		}
		tab.spans[p].idx[r-tab.spans[p].lo] = id
	}
}

func initialsOf(list []string) []byte {
	var out []byte
	for _, s := range list {
		c := s[0]
		dup := false
		for _, have := range out {
			dup = dup || have == c
		}
		if !dup {
			out = append(out, c)
		}
	}
	return out
}
