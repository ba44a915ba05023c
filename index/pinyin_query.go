package index

import (
	"context"
	"strings"
	"unicode"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/gongshi/gongshi/index/pinyin"
)

// pinyinQuery is verifiedQuery for pinyin: the documents holding every pair of adjacent
// syllables (or initials) of the input in the core name, checked against the core name's
// readings in the shard's columns for the whole sequence at consecutive positions (prefix:
// from the first). For two syllables the one pair term is the answer and nothing is checked.
// A generation built before the pairs fields intersects the single syllables instead, and
// one without columns runs the phrase query.
type pinyinQuery struct {
	field     string   // FieldPinyin or FieldInitials
	terms     []string // searched: at most maxVerifiedTerms syllables, the first anchored for a prefix
	pairField string   // FieldPinyinPairs or FieldInitialPairs
	pairs     []string // searched: at most maxVerifiedTerms pairs, the first anchored for a prefix
	seq       []string // the whole sequence checked
	initials  bool
	prefix    bool
	// whole: seq is checked against the whole name's letters and digits, legal forms
	// included, rather than the core name (see ParsedQuery.spanQuery).
	whole   bool
	phrased query.Query
}

func newPinyinQuery(field string, seq []string, prefix bool, phrased query.Query) query.Query {
	terms := append([]string(nil), seq...)
	pairs := pairsOf(seq)
	if prefix {
		terms[0] = AnchorMark + terms[0]
		if len(pairs) > 0 {
			pairs[0] = AnchorMark + pairs[0]
		}
	}
	pairField := FieldPinyinPairs
	if field == FieldInitials {
		pairField = FieldInitialPairs
	}
	return &pinyinQuery{field: field, terms: spread(dedupe(terms), maxVerifiedTerms),
		pairField: pairField, pairs: spread(dedupe(pairs), maxVerifiedTerms), seq: seq,
		initials: field == FieldInitials, prefix: prefix, phrased: phrased}
}

// Searcher implements query.Query.
func (q *pinyinQuery) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	cols := columnsFrom(ctx)
	pairs := len(q.pairs) > 0 && hasField(m, "core", q.pairField)
	if pairs && len(q.seq) == 2 && !q.whole {
		return conjunctionOfTerms(ctx, r, q.pairField, q.pairs, options)
	}
	if cols == nil || len(q.seq) == 0 {
		return q.phrased.Searcher(ctx, r, m, options)
	}
	field, terms := q.field, q.terms
	if pairs {
		field, terms = q.pairField, q.pairs
	}
	all, err := conjunctionOfTerms(ctx, r, field, terms, options)
	if err != nil {
		return nil, err
	}
	keep := q.matches(cols)
	return searcher.NewFilteringSearcher(ctx, all, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		return keep(d.IndexInternalID.Value())
	}), nil
}

// matches is the check of a candidate document: its core name holds the whole sequence.
func (q *pinyinQuery) matches(cols *columns) func(num uint64) bool {
	text := cols.core.at
	if q.whole {
		text = cols.names.at
	}
	return func(num uint64) bool { return pinyinMatch(text(num), q.seq, q.initials, q.prefix) }
}

// hasField reports whether the index mapping indexes field from the document property prop:
// generations built before a field was added do not.
func hasField(m mapping.IndexMapping, prop, field string) bool {
	im, ok := m.(*mapping.IndexMappingImpl)
	if !ok || im.DefaultMapping == nil || im.DefaultMapping.Properties[prop] == nil {
		return false
	}
	for _, f := range im.DefaultMapping.Properties[prop].Fields {
		if f.Name == field {
			return true
		}
	}
	return false
}

// pinyinPos is one position of the pinyin tokenizer: a Han character (any of its readings)
// or a run of Latin letters and digits (initials: one character).
type pinyinPos struct {
	han rune
	run string
}

func (p pinyinPos) matches(term string, initials bool) bool {
	if p.han == 0 {
		return p.run == term
	}
	for _, rd := range pinyin.Readings(p.han) {
		if initials && rd[0] == term[0] || !initials && rd == term {
			return true
		}
	}
	return false
}

// pinyinMatch reports whether seq stands at consecutive pinyin positions of core, as the
// phrase query over the pinyin tokenizer's output would find it.
func pinyinMatch(core string, seq []string, initials, prefix bool) bool {
	var buf [48]pinyinPos
	pos := buf[:0]
	runStart := -1
	flush := func(end int) {
		if runStart < 0 {
			return
		}
		if initials {
			for i := runStart; i < end; i++ {
				pos = append(pos, pinyinPos{run: core[i : i+1]})
			}
		} else {
			pos = append(pos, pinyinPos{run: core[runStart:end]})
		}
		runStart = -1
	}
	for i, r := range core {
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			if runStart < 0 {
				runStart = i
			}
		case unicode.Is(unicode.Han, r):
			flush(i)
			if len(pinyin.Readings(r)) > 0 {
				pos = append(pos, pinyinPos{han: r})
			}
		default:
			flush(i)
		}
	}
	flush(len(core))
	last := len(pos) - len(seq)
	if prefix && last > 0 {
		last = 0
	}
	for start := 0; start <= last; start++ {
		ok := true
		for k, term := range seq {
			if term == "" || !pos[start+k].matches(term, initials) {
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

// conjunctionOfTerms is the unscored conjunction of term searchers: a bitmap AND.
func conjunctionOfTerms(ctx context.Context, r index.IndexReader, field string, terms []string, options search.SearcherOptions) (search.Searcher, error) {
	opts := options
	opts.Score, opts.IncludeTermVectors, opts.Explain = "none", false, false
	var list []search.Searcher
	for _, t := range terms {
		s, err := searcher.NewTermSearcher(ctx, r, t, field, 1, opts)
		if err != nil {
			for _, s := range list {
				s.Close()
			}
			return nil, err
		}
		list = append(list, s)
	}
	if len(list) == 1 {
		return list[0], nil
	}
	all, err := searcher.NewConjunctionSearcher(ctx, r, list, opts)
	if err != nil {
		for _, s := range list {
			s.Close()
		}
	}
	return all, err
}

// coreOf is the text the pinyin fields are indexed from, rebuilt from a folded name key.
func coreOf(nameKey string) string {
	return strings.ReplaceAll(CoreName(SearchText(nameKey)), " ", "")
}
