package index

import (
	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // custom analyzers below
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/lang/cjk"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Analyzer names. Names are folded in Go (fold.Fold) before they reach Bleve, so the
// analyzers only split: unigrams + bigrams at index time, bigrams only at query time, so
// that a phrase of bigrams finds any 2+ character fragment and a unigram term finds one character.
const (
	AnalyzerName      = "gs_name"
	AnalyzerNameQuery = "gs_name_query"
	AnalyzerPinyin    = "gs_pinyin"
	AnalyzerInitials  = "gs_pinyin_initials"
	// Pairs of adjacent syllables or initials (see pinyinPairsFilter).
	AnalyzerPinyinPairs   = "gs_pinyin_pairs"
	AnalyzerInitialsPairs = "gs_pinyin_initials_pairs"

	filterBigramUnigram = "gs_bigram_unigram"
	filterBigram        = "gs_bigram"
)

func addAnalyzers(m *mapping.IndexMappingImpl) error {
	if err := m.AddCustomTokenFilter(filterBigramUnigram, map[string]interface{}{
		"type": cjk.BigramName, "output_unigram": true,
	}); err != nil {
		return err
	}
	if err := m.AddCustomTokenFilter(filterBigram, map[string]interface{}{
		"type": cjk.BigramName, "output_unigram": false,
	}); err != nil {
		return err
	}
	for name, filters := range map[string][]string{
		AnalyzerName:      {filterBigramUnigram, filterAnchor},
		AnalyzerNameQuery: {filterBigram},
	} {
		if err := m.AddCustomAnalyzer(name, map[string]interface{}{
			"type":          "custom",
			"tokenizer":     tokenizerChars,
			"token_filters": filters,
		}); err != nil {
			return err
		}
	}
	for name, a := range map[string]struct {
		tokenizer string
		filters   []string
	}{
		AnalyzerPinyin:        {tokenizerPinyin, []string{filterAnchor}},
		AnalyzerInitials:      {tokenizerInitials, []string{filterAnchor}},
		AnalyzerPinyinPairs:   {tokenizerPinyin, []string{filterPinyinPairs, filterAnchor}},
		AnalyzerInitialsPairs: {tokenizerInitials, []string{filterPinyinPairs, filterAnchor}},
	} {
		if err := m.AddCustomAnalyzer(name, map[string]interface{}{
			"type":          "custom",
			"tokenizer":     a.tokenizer,
			"token_filters": a.filters,
		}); err != nil {
			return err
		}
	}
	return nil
}

// keep the keyword analyzer linked into the binary: bleve.Open fails for analyzers it cannot find.
var _ = keyword.Name
var _ analysis.Tokenizer = pinyinTokenizer{}
