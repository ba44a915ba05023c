package index

import (
	"context"
	"slices"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/gongshi/gongshi/index/fold"
)

// Names are indexed without punctuation, so "华威（福建）" and "华威福建" meet. A bracket in the
// query still says something: "（宁波）" or "宁波市）" is a region in brackets, as names carry
// their branch or place ("…科技（宁波）有限公司", "…（宁波市）…"). bracketQuery is a band of
// the names that hold the query with its brackets; the later bands ignore them, so a bracket
// that no name has excludes nothing.

// bracketOpen and bracketClose are the brackets names use, after width folding.
const (
	bracketOpen  = "(【[〔〖「『"
	bracketClose = ")】]〕〗」』"
)

// bracketText keeps the letters and digits of a folded text and its brackets, each as ( or ):
// names write the same region as （宁波）, (宁波) or 【宁波】.
func bracketText(folded string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			return r
		case strings.ContainsRune(bracketOpen, r):
			return '('
		case strings.ContainsRune(bracketClose, r):
			return ')'
		}
		return -1
	}, folded)
}

// bracketsQuery matches the documents of inner (the query's letters and digits, contiguous)
// whose current name, as registered, holds needle (the query's bracketText).
type bracketsQuery struct {
	inner  query.Query
	needle string
}

// bracketQuery is the brackets band of a name query, or nil when the input has no bracket
// beside its letters.
func (p *ParsedQuery) bracketQuery() query.Query {
	if p.Class != ClassName {
		return nil
	}
	needle := bracketText(fold.Key(p.Raw))
	letters := lettersDigits(needle)
	if letters == "" || !strings.ContainsAny(needle, "()") {
		return nil
	}
	return &bracketsQuery{inner: fragmentQuery(letters, FieldName), needle: needle}
}

// matches checks a candidate's card name: most names have no bracket, and only those with
// one are folded.
func (q *bracketsQuery) matches(cols *columns) func(num uint64) bool {
	return func(num uint64) bool {
		if cols.cards == nil {
			return false
		}
		name := cols.cards.name.at(num)
		if !strings.ContainsAny(name, "()（）【】[]〔〕〖〗「」『』") {
			return false
		}
		return strings.Contains(bracketText(fold.Key(name)), q.needle)
	}
}

// planBits answers the band on bitmaps: the inner fragment's, checked in the columns.
func (q *bracketsQuery) planBits(e *bitsEval) bitsNode {
	inner := e.plan(q.inner)
	if inner == nil || e.cols == nil || e.cols.cards == nil {
		return nil
	}
	return checkBits{inner, q.matches(e.cols)}
}

// Searcher implements query.Query. Without the columns there are no registered names to
// check, and the band is empty: the later bands find the same names without brackets.
func (q *bracketsQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	cols := columnsFrom(ctx)
	if cols == nil || cols.cards == nil {
		return searcher.NewMatchNoneSearcher(r)
	}
	inner, err := q.inner.Searcher(ctx, r, m, options)
	if err != nil {
		return nil, err
	}
	keep := q.matches(cols)
	return searcher.NewFilteringSearcher(ctx, inner, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		return keep(d.IndexInternalID.Value())
	}), nil
}

// legalSyllables are the readings of the legal forms CoreName leaves out of the indexed core
// name, longest first. Pinyin typed across one ("baihuoyouxiangongsisanjiang") or running
// into one ("…jituan") spells syllables that no core name holds.
var legalSyllables = [][]string{
	{"gu", "fen", "you", "xian", "gong", "si"},
	{"ji", "tuan", "you", "xian", "gong", "si"},
	{"you", "xian", "ze", "ren", "gong", "si"},
	{"ge", "ti", "gong", "shang", "hu"},
	{"you", "xian", "gong", "si"},
	{"fen", "gong", "si"},
	{"gu", "fen"},
	{"ji", "tuan"},
	{"gong", "si"},
}

// pinyinSpan is a segmentation (or initials) typed across a legal form, and what is left of
// it without.
type pinyinSpan struct{ cut, typed []string }

// withoutLegalForms returns the segmentations with the legal forms' syllables cut out, as
// the core name is indexed: whole forms anywhere, and at the ends a form's last syllables
// (at least two: "xiangongsi…") or first ones ("…youxian"). Each segmentation that changed
// comes first, then the segmentations as typed, which still find a core name that happens to
// hold such syllables. A segmentation that is nothing but legal form stays as it is. spans
// are the segmentations that changed, with what was typed.
func withoutLegalForms(segs [][]string) (out [][]string, spans []pinyinSpan) {
	var asTyped [][]string
	for _, seg := range segs {
		c := cutLegalSyllables(seg)
		if len(c) > 0 && len(c) < len(seg) && !slices.ContainsFunc(out, func(o []string) bool { return slices.Equal(o, c) }) {
			out = append(out, c)
			spans = append(spans, pinyinSpan{cut: c, typed: seg})
		}
		asTyped = append(asTyped, seg)
	}
	return append(out, asTyped...), spans
}

// spanQuery matches the names whose whole text (legal forms included) spells a segmentation
// typed across a legal form ("gongsisanjiang": 公司三江), found by the pairs of what is left
// of it in the core name (san'jiang); nil when no segmentation was cut.
func (p *ParsedQuery) spanQuery() query.Query {
	var alts []query.Query
	field := FieldPinyin
	if p.Class == ClassInitials {
		field = FieldInitials
	}
	for _, sp := range p.spans {
		q := newPinyinQuery(field, sp.cut, false, query.NewMatchNoneQuery()).(*pinyinQuery)
		q.seq, q.whole = sp.typed, true
		alts = append(alts, q)
	}
	switch len(alts) {
	case 0:
		return nil
	case 1:
		return alts[0]
	}
	return query.NewDisjunctionQuery(alts)
}

// cutLegalSyllables cuts the legal forms out of one segmentation: a form cut at either end
// first ("xian gong si san jiang"), then whole forms anywhere, then the ends again.
func cutLegalSyllables(seg []string) []string {
	out := cutLegalEnds(slices.Clone(seg))
	for _, lf := range legalSyllables {
		for i := 0; i+len(lf) <= len(out); {
			if slices.Equal(out[i:i+len(lf)], lf) {
				out = slices.Delete(out, i, i+len(lf))
				continue
			}
			i++
		}
	}
	return cutLegalEnds(out)
}

// cutLegalEnds removes a legal form's first syllables (two or more) at the end of seg and its
// last ones at the start, leaving at least one syllable.
func cutLegalEnds(seg []string) []string {
	for _, lf := range legalSyllables {
		for k := len(lf) - 1; k >= 2; k-- {
			if len(seg) > k && slices.Equal(seg[len(seg)-k:], lf[:k]) {
				seg = seg[:len(seg)-k]
			}
			if len(seg) > k && slices.Equal(seg[:k], lf[len(lf)-k:]) {
				seg = seg[k:]
			}
		}
	}
	return seg
}

// legalInitials are the legal forms' initials, longest first, as typed at the end of a
// name's initials ("hwkjyxgs": 华威科技有限公司); "yx" is 有限 before the rest was typed.
var legalInitials = []string{"gfyxgs", "jtyxgs", "yxzrgs", "gtgsh", "yxgs", "fgs", "gs", "gf", "jt", "yx"}

// cutLegalInitials removes legal-form initials from the end of initials, leaving at least
// two letters; the input itself when there are none.
func cutLegalInitials(initials string) string {
	for _, lf := range legalInitials {
		if rest, ok := strings.CutSuffix(initials, lf); ok && len(rest) >= 2 {
			return rest
		}
	}
	return initials
}
