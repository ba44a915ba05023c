package index

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"

	"github.com/gongshi/gongshi/index/pinyin"
)

const (
	tokenizerPinyin   = "gs_pinyin"
	tokenizerInitials = "gs_pinyin_initials"
)

// pinyinTokenizer turns a folded name into pinyin tokens. Every reading of a polyphonic
// character is emitted at the same position, so a phrase of syllables matches whichever
// reading the user had in mind (重庆 ← chongqing, 厦门 ← xiamen, 银行 ← yinhang).
// Runs of Latin letters and digits pass through as one token (initials: one per character).
type pinyinTokenizer struct{ initials bool }

func (t pinyinTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	pos := 1
	wordStart := -1
	flush := func(end int) {
		if wordStart < 0 {
			return
		}
		if t.initials {
			for i := wordStart; i < end; i++ {
				out = append(out, &analysis.Token{Term: input[i : i+1], Start: i, End: i + 1, Position: pos, Type: analysis.AlphaNumeric})
				pos++
			}
		} else {
			out = append(out, &analysis.Token{Term: input[wordStart:end], Start: wordStart, End: end, Position: pos, Type: analysis.AlphaNumeric})
			pos++
		}
		wordStart = -1
	}
	i := 0
	for i < len(input) {
		r, size := utf8.DecodeRune(input[i:])
		switch {
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9'):
			if wordStart < 0 {
				wordStart = i
			}
		case unicode.Is(unicode.Han, r):
			flush(i)
			readings := pinyin.Readings(r)
			var seen [26]bool
			for _, rd := range readings {
				term := []byte(rd)
				if t.initials {
					c := rd[0] - 'a'
					if c >= 26 || seen[c] {
						continue
					}
					seen[c] = true
					term = []byte(rd[:1])
				}
				out = append(out, &analysis.Token{Term: term, Start: i, End: i + size, Position: pos, Type: analysis.Ideographic})
			}
			if len(readings) > 0 {
				pos++
			}
		default:
			flush(i)
		}
		i += size
	}
	flush(len(input))
	return out
}

func init() {
	for name, initials := range map[string]bool{tokenizerPinyin: false, tokenizerInitials: true} {
		initials := initials
		err := registry.RegisterTokenizer(name, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
			return pinyinTokenizer{initials: initials}, nil
		})
		if err != nil {
			panic(err)
		}
	}
}
