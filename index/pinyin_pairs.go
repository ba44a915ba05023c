package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

const filterPinyinPairs = "gs_pairs"

// PairMark joins the two syllables (or initials) of a pinyin pair term: "yi'bo", "f'z". It
// is the apostrophe pinyin itself uses between syllables, so "xi'an" (西安) and "xian" (先)
// stay apart.
const PairMark = "'"

// pinyinPairsFilter turns the pinyin tokenizer's output into the pairs of adjacent positions,
// every reading of one with every reading of the other (重庆: zhong'qing, chong'qing). A single
// syllable such as "yi" or "qi" is in a tenth of all names, so a search by syllables intersects
// posting lists of a hundred thousand documents at a million entities and checks thousands of
// candidates; a pair such as "yi'bo" is in 1,817 (hundreds to a few thousand), and for a two-syllable input its
// postings are the answer itself.
type pinyinPairsFilter struct{}

func (pinyinPairsFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	var out analysis.TokenStream
	prevStart, prevEnd := 0, 0 // tokens of the previous position: in[prevStart:prevEnd]
	pos := 0
	for i := 0; i < len(in); {
		j := i
		for j < len(in) && in[j].Position == in[i].Position {
			j++
		}
		if prevEnd > prevStart && in[i].Position == in[prevStart].Position+1 {
			pos++
			first := len(out)
			for _, a := range in[prevStart:prevEnd] {
				for _, b := range in[i:j] {
					term := make([]byte, 0, len(a.Term)+len(PairMark)+len(b.Term))
					term = append(append(append(term, a.Term...), PairMark...), b.Term...)
					if !hasTerm(out[first:], term) {
						out = append(out, &analysis.Token{Term: term, Start: a.Start, End: b.End, Position: pos, Type: a.Type})
					}
				}
			}
		}
		prevStart, prevEnd = i, j
		i = j
	}
	return out
}

func hasTerm(ts analysis.TokenStream, term []byte) bool {
	for _, t := range ts {
		if string(t.Term) == string(term) {
			return true
		}
	}
	return false
}

// pairsOf returns the pair terms of a syllable (or initial) sequence, in order.
func pairsOf(seq []string) []string {
	out := make([]string, 0, len(seq))
	for k := 0; k+1 < len(seq); k++ {
		out = append(out, seq[k]+PairMark+seq[k+1])
	}
	return out
}

func init() {
	err := registry.RegisterTokenFilter(filterPinyinPairs, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return pinyinPairsFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
}
