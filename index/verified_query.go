package index

import (
	"context"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// A name fragment of three or more characters is a phrase of bigrams. Bleve's phrase searcher
// needs term positions, and advancing a posting iterator that decodes positions steps through
// every posting it skips: a fragment with a common bigram (公司, 有限, 科技: in a third of all
// names) costs a walk through that bigram's postings, tens of milliseconds at a million
// entities. verifiedQuery asks the index only which documents hold all the bigrams, which Bleve
// answers by intersecting the posting bitmaps without positions, and then checks each candidate
// against the folded name in the name_key doc values: contiguous (or, anchored, at the start).
// The answer is the phrase query's, found without decoding a single position.
type verifiedQuery struct {
	field   string   // indexed field of the terms: name or former
	terms   []string // every term must occur (bigrams; an anchored first bigram for prefixes)
	keys    string   // doc-value field checked: name_key or former_key
	needle  string   // the fragment's letters and digits
	prefix  bool     // the name must start with needle (else: contain it)
	phrased query.Query
}

// keyField is the keyword field with doc values that holds the folded whole text of field.
var keyField = map[string]string{FieldName: FieldNameKey, FieldFormer: FieldFormerKey}

// newVerifiedQuery matches documents whose field contains the fragment's letters and digits
// contiguously (prefix: at the start). phrased is the equivalent phrase query, used on a
// generation built before name_key had doc values.
func newVerifiedQuery(field string, terms []string, fragment string, prefix bool, phrased query.Query) query.Query {
	return &verifiedQuery{field: field, terms: spread(dedupe(terms), maxVerifiedTerms), keys: keyField[field], needle: lettersDigits(fragment), prefix: prefix, phrased: phrased}
}

// maxVerifiedTerms bigrams of a long fragment are enough to make the candidates few: the check
// decides, and every further term is one more posting list to open for each search tier.
const maxVerifiedTerms = 4

// spread keeps at most n terms: the first (anchored, for a prefix), the last, and evenly
// spaced ones between.
func spread(terms []string, n int) []string {
	if len(terms) <= n {
		return terms
	}
	out := make([]string, 0, n)
	for i := range n {
		out = append(out, terms[i*(len(terms)-1)/(n-1)])
	}
	return out
}

func dedupe(terms []string) []string {
	out := make([]string, 0, len(terms))
	for _, t := range terms {
		if !contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// lettersDigits keeps what the name analyzer makes tokens of: letters and digits.
func lettersDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return r
		}
		return -1
	}, s)
}

// hasDocValues reports whether the index mapping keeps doc values for a keyword field.
func hasDocValues(m mapping.IndexMapping, field string) bool {
	im, ok := m.(*mapping.IndexMappingImpl)
	if !ok || im.DefaultMapping == nil {
		return false
	}
	p := im.DefaultMapping.Properties[field]
	return p != nil && len(p.Fields) > 0 && p.Fields[0].DocValues
}

// Searcher implements query.Query.
func (q *verifiedQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	if q.keys == "" || !hasDocValues(m, q.keys) {
		return q.phrased.Searcher(ctx, r, m, options)
	}
	// No scores and no positions: a conjunction of such term searchers is a bitmap AND.
	all, err := conjunctionOfTerms(ctx, r, q.field, q.terms, options)
	if err != nil {
		return nil, err
	}
	if cols := columnsFrom(ctx); cols != nil {
		keep := q.matches(cols)
		return searcher.NewFilteringSearcher(ctx, all, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
			return keep(d.IndexInternalID.Value())
		}), nil
	}
	dv, err := r.DocValueReader([]string{q.keys})
	if err != nil {
		all.Close()
		return nil, err
	}
	found := false
	check := func(_ string, term []byte) {
		if found {
			return
		}
		text := lettersDigits(string(term))
		if q.prefix {
			found = strings.HasPrefix(text, q.needle)
		} else {
			found = strings.Contains(text, q.needle)
		}
	}
	return searcher.NewFilteringSearcher(ctx, all, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		found = false
		if dv.VisitDocValues(d.IndexInternalID, check) != nil {
			return false
		}
		return found
	}), nil
}

// matches is the check of a candidate document in the columns: its name (or a former name)
// holds the fragment, or starts with it.
func (q *verifiedQuery) matches(cols *columns) func(num uint64) bool {
	former := q.field == FieldFormer
	return func(num uint64) bool { return cols.check(num, former, q.prefix, q.needle) }
}

// phraseOf is the phrase query of a fragment's bigrams (the pre-doc-values way).
func phraseOf(word, field string) query.Query {
	q := bleve.NewMatchPhraseQuery(word)
	q.SetField(field)
	q.Analyzer = AnalyzerNameQuery
	return q
}

// bigramsOf returns the bigrams of s's letters and digits.
func bigramsOf(s string) []string {
	runes := []rune(lettersDigits(s))
	out := make([]string, 0, len(runes))
	for i := 0; i+1 < len(runes); i++ {
		out = append(out, string(runes[i:i+2]))
	}
	return out
}
