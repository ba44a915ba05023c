package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/registry"
)

const filterAnchor = "gs_anchor"

// AnchorMark starts the extra tokens indexed for the first position of a name.
const AnchorMark = "^"

// anchorFilter repeats the tokens of a name's first position with a leading "^" (^福, ^福州,
// ^zhong), so "the name starts with X" is a phrase led by a selective term rather than by a
// start token every document has.
type anchorFilter struct{}

func (anchorFilter) Filter(in analysis.TokenStream) analysis.TokenStream {
	out := make(analysis.TokenStream, 0, len(in)+2)
	for _, t := range in {
		out = append(out, t)
		if t.Position == 1 {
			c := *t
			c.Term = append([]byte(AnchorMark), t.Term...)
			out = append(out, &c)
		}
	}
	return out
}

func init() {
	err := registry.RegisterTokenFilter(filterAnchor, func(map[string]interface{}, *registry.Cache) (analysis.TokenFilter, error) {
		return anchorFilter{}, nil
	})
	if err != nil {
		panic(err)
	}
}
