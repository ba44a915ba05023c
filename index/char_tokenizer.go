package index

import (
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

const tokenizerChars = "gs_chars"

// charTokenizer emits every letter, digit and Han character of a folded name as its own token,
// typed ideographic so that the cjk_bigram filter pairs neighbours across scripts: "abc网易"
// gives ab, bc, c网, 网易, and a fragment that cuts into a Latin or digit run ("c网", "36") is
// still a phrase of bigrams. White space and punctuation break adjacency.
type charTokenizer struct{}

func (charTokenizer) Tokenize(input []byte) analysis.TokenStream {
	var out analysis.TokenStream
	pos := 1
	i := 0
	for i < len(input) {
		r, size := utf8.DecodeRune(input[i:])
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			out = append(out, &analysis.Token{Term: input[i : i+size], Start: i, End: i + size, Position: pos, Type: analysis.Ideographic})
			pos++
		}
		i += size
	}
	return out
}

func init() {
	err := registry.RegisterTokenizer(tokenizerChars, func(map[string]interface{}, *registry.Cache) (analysis.Tokenizer, error) {
		return charTokenizer{}, nil
	})
	if err != nil {
		panic(err)
	}
}
