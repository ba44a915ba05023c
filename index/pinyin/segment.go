package pinyin

import (
	"slices"
	"strings"
)

// syllableList is the table of standard toneless Mandarin syllables, ü written
// as v. It deliberately leaves out the nasal interjections (m, n, ng, hm, hng)
// and ê: as "syllables" they would let strings of initials such as "mn" segment.
// Rare non-standard readings in go-pinyin's data (biang, fiao, din, len, bong,
// wong, nia, cei) are left out too: din and len would make "dingan" and
// "lengan" split as din gan / len gan.
var syllableList = strings.Fields(`
a ai an ang ao e ei en eng er o ou
ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu
pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu
ma mai man mang mao me mei men meng mi mian miao mie min ming miu mo mou mu
fa fan fang fei fen feng fo fou fu
da dai dan dang dao de dei den deng di dia dian diao die ding diu dong dou du duan dui dun duo
ta tai tan tang tao te tei teng ti tian tiao tie ting tong tou tu tuan tui tun tuo
na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu nuan nun nuo nv nve nue
la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo long lou lu luan lun luo lv lve lue
ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo
ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo
ha hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo
ji jia jian jiang jiao jie jin jing jiong jiu ju juan jue jun
qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun
xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun
zha zhai zhan zhang zhao zhe zhei zhen zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo
cha chai chan chang chao che chen cheng chi chong chou chu chua chuai chuan chuang chui chun chuo
sha shai shan shang shao she shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo
ran rang rao re ren reng ri rong rou ru rua ruan rui run ruo
za zai zan zang zao ze zei zen zeng zi zong zou zu zuan zui zun zuo
ca cai can cang cao ce cen ceng ci cong cou cu cuan cui cun cuo
sa sai san sang sao se sen seng si song sou su suan sui sun suo
ya yan yang yao ye yi yin ying yo yong you yu yuan yue yun
wa wai wan wang wei wen weng wo wu
`)

// maxSyllable is the longest syllable (zhuang, chuang, shuang).
const maxSyllable = 6

// trieNode is one state of a byte trie over syllableList: walking it from a
// position yields every syllable starting there in at most six steps, with no
// substring map lookups.
type trieNode struct {
	next [26]uint16 // 0 = no child (the root is never a child)
	end  bool
}

var trie = buildTrie()

func buildTrie() []trieNode {
	t := []trieNode{{}}
	for _, s := range syllableList {
		n := 0
		for i := 0; i < len(s); i++ {
			c := s[i] - 'a'
			if t[n].next[c] == 0 {
				t[n].next[c] = uint16(len(t))
				t = append(t, trieNode{})
			}
			n = int(t[n].next[c])
		}
		t[n].end = true
	}
	return t
}

// IsSyllable reports whether s is in the syllable table Segment uses.
func IsSyllable(s string) bool {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
		if n = int(trie[n].next[s[i]-'a']); n == 0 {
			return false
		}
	}
	return n != 0 && trie[n].end
}

// Normalize maps the typed spellings "lue" and "nue" to "lve" and "nve", the
// form Readings uses, and returns any other syllable unchanged. Segment
// returns syllables as typed, so query code matching them against Readings
// should pass each through Normalize.
func Normalize(syllable string) string {
	switch syllable {
	case "lue":
		return "lve"
	case "nue":
		return "nve"
	}
	return syllable
}

// cost orders candidate segmentations: fewer syllables first, then fewer
// syllables that start with a, o or e in the middle of a run. Pinyin
// orthography requires an apostrophe before such a syllable (xi'an), so in
// text typed without one, a boundary that avoids a vowel-initial syllable is
// the likelier reading: "henan" → he nan (河南), not hen an; "jinan" → ji nan
// (济南); "jingang" → jin gang; "xinge" → xin ge.
//
// One exception, for company names: "an" right after a syllable ending in ng
// costs nothing extra, so "pingan" → ping an (平安), not pin gan; likewise
// chang an (长安), jing an (静安), guang an (广安), fang an (方案). 安 is among
// the commonest characters in names; the n|gan readings it beats are rare.
//
// Remaining ties go to the segmentation whose earlier syllables are longer.
type cost struct{ n, vowel int32 }

func (a cost) less(b cost) bool {
	return a.n < b.n || a.n == b.n && a.vowel < b.vowel
}

func (a cost) add(b cost) cost { return cost{a.n + b.n, a.vowel + b.vowel} }

// stepCost is the cost of the syllable r[i:i+l] within run r. The first
// syllable of a run is never penalised: a space or apostrophe before it
// already marks the boundary.
func stepCost(r string, i, l int) cost {
	switch c := r[i]; {
	case i == 0 || c != 'a' && c != 'o' && c != 'e':
		return cost{1, 0}
	case l == 2 && r[i:i+2] == "an" && i >= 2 && r[i-2:i] == "ng":
		// A syllable ending in g can only end in ng, so the previous
		// syllable is X-ng; see the exception in the cost comment.
		return cost{1, 0}
	}
	return cost{1, 1}
}

// runs splits s at its hard boundaries into maximal runs of a–z, returned as
// substrings of s; ok is false if s holds any other character. Besides space
// and ASCII apostrophe, the typographic apostrophe ’ that phone keyboards
// insert counts as a boundary.
func runs(s string, out []string) ([]string, bool) {
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\'':
			i++
		case strings.HasPrefix(s[i:], "’"):
			i += len("’")
		case 'a' <= c && c <= 'z':
			j := i + 1
			for j < len(s) && 'a' <= s[j] && s[j] <= 'z' {
				j++
			}
			out = append(out, s[i:j])
			i = j
		default:
			return nil, false
		}
	}
	return out, true
}

// Segment splits typed Latin letters into pinyin syllables: "fuzhouhuawei" →
// fu zhou hua wei, "xi'an" → xi an. The input must already be lower-case;
// spaces and apostrophes (' or ’) are hard syllable boundaries. ok is false if
// the text holds any other character, has no letters, or cannot be fully
// split into syllables of the table (strings of initials like "fzhw" fail).
//
// Among all segmentations it picks the one with the fewest syllables, then
// the fewest vowel-initial syllables after the start of a run (see cost), then
// longer earlier syllables: "xian" → xian, "henan" → he nan, "pingan" →
// ping an. Use Segmentations to get the readings this rule passes over
// (xi an for 西安, hen an).
//
// The syllables are substrings of s, spelled as typed ("lue" stays "lue"; see
// Normalize).
func Segment(s string) (syllables []string, ok bool) {
	var buf [8]string
	rs, ok := runs(s, buf[:0])
	if !ok || len(rs) == 0 {
		return nil, false
	}
	// Syllables average about three letters; half the length rarely regrows.
	syllables = make([]string, 0, len(s)/2+1)
	for _, r := range rs {
		if syllables, ok = segmentRun(r, syllables); !ok {
			return nil, false
		}
	}
	return syllables, true
}

// cell is the best way to segment the rest of a run from one position.
type cell struct {
	c    cost
	step uint8 // length of the first syllable; 0 = the rest cannot be segmented
}

// segmentRun appends the best segmentation of one run (a–z only) to out,
// by dynamic programming from the end of the run.
func segmentRun(r string, out []string) ([]string, bool) {
	var stack [40]cell
	var cells []cell
	if len(r)+1 <= len(stack) {
		cells = stack[:len(r)+1]
	} else {
		cells = make([]cell, len(r)+1)
	}
	cells[len(r)] = cell{step: 1} // sentinel: the empty rest is segmented
	for i := len(r) - 1; i >= 0; i-- {
		best := cell{}
		n := 0
		for l := 1; l <= maxSyllable && i+l <= len(r); l++ {
			if n = int(trie[n].next[r[i+l-1]-'a']); n == 0 {
				break
			}
			if !trie[n].end || cells[i+l].step == 0 {
				continue
			}
			c := cells[i+l].c.add(stepCost(r, i, l))
			// <= because l grows: among equal costs the longer syllable wins.
			if best.step == 0 || !best.c.less(c) {
				best = cell{c: c, step: uint8(l)}
			}
		}
		cells[i] = best
	}
	if cells[0].step == 0 {
		return out, false
	}
	for i := 0; i < len(r); i += int(cells[i].step) {
		out = append(out, r[i:i+int(cells[i].step)])
	}
	return out, true
}

// Segmentations returns up to limit distinct segmentations of s, best first
// by Segment's rule, so the first equals Segment's result. Query code can OR
// them together to find both 鲜 and 西安 for "xian", or 延安 for "yanan".
// It returns nil where Segment fails. Cost grows with limit², so keep limit to
// a handful.
func Segmentations(s string, limit int) [][]string {
	rs, ok := runs(s, nil)
	if !ok || len(rs) == 0 || limit <= 0 {
		return nil
	}
	type cand struct {
		c    cost
		syls []string
	}
	acc := []cand{{}}
	for _, r := range rs {
		alts := kBest(r, limit)
		if len(alts) == 0 {
			return nil
		}
		next := make([]cand, 0, len(acc)*len(alts))
		for _, a := range acc {
			for _, b := range alts {
				next = append(next, cand{a.c.add(b.c), append(slices.Clip(a.syls), b.syls...)})
			}
		}
		// Stable, so equal costs keep Segment's per-run preference order.
		slices.SortStableFunc(next, func(x, y cand) int {
			switch {
			case x.c.less(y.c):
				return -1
			case y.c.less(x.c):
				return 1
			}
			return 0
		})
		acc = next[:min(len(next), limit)]
	}
	out := make([][]string, len(acc))
	for i, a := range acc {
		out[i] = a.syls
	}
	return out
}

type scored struct {
	c    cost
	syls []string
}

// kBest returns up to k segmentations of one run, best first, by keeping the
// k best ways to finish the run from every position.
func kBest(r string, k int) []scored {
	type entry struct {
		c    cost
		step int // first syllable length
		rank int // which entry of the list at i+step continues it
	}
	lists := make([][]entry, len(r)+1)
	lists[len(r)] = []entry{{}}
	for i := len(r) - 1; i >= 0; i-- {
		var cands []entry
		n := 0
		for l := 1; l <= maxSyllable && i+l <= len(r); l++ {
			if n = int(trie[n].next[r[i+l-1]-'a']); n == 0 {
				break
			}
			if !trie[n].end {
				continue
			}
			for j, e := range lists[i+l] {
				cands = append(cands, entry{e.c.add(stepCost(r, i, l)), l, j})
			}
		}
		// Same order as segmentRun: cost, then longer first syllable, then
		// the better continuation.
		slices.SortFunc(cands, func(x, y entry) int {
			switch {
			case x.c.less(y.c):
				return -1
			case y.c.less(x.c):
				return 1
			case x.step != y.step:
				return y.step - x.step
			}
			return x.rank - y.rank
		})
		lists[i] = cands[:min(len(cands), k)]
	}
	out := make([]scored, len(lists[0]))
	for x, e := range lists[0] {
		out[x].c = e.c
		for i := 0; i < len(r); {
			out[x].syls = append(out[x].syls, r[i:i+e.step])
			i, e = i+e.step, lists[i+e.step][e.rank]
		}
	}
	return out
}

// LooksLikeInitials reports whether s, 2–10 lower-case letters, is more
// plausibly one initial per character ("fzhw" for 福州华威) than full syllables:
// it has no vowel (a e i o u v) or cannot be segmented. Anything else, such as
// other lengths or characters, reports false. "huawei", "xian" → false.
func LooksLikeInitials(s string) bool {
	if len(s) < 2 || len(s) > 10 {
		return false
	}
	vowel := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 'a' || c > 'z' {
			return false
		}
		vowel = vowel || strings.IndexByte("aeiouv", c) >= 0
	}
	if !vowel {
		return true
	}
	_, ok := segmentRun(s, nil)
	return !ok
}
