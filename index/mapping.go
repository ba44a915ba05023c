package index

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"
)

// Field names in the Bleve documents. Entity and record documents share one mapping;
// the "kind" field tells them apart.
const (
	FieldKind         = "kind"     // "e" entity, "r" record
	FieldName         = "name"     // folded name, unigrams + bigrams
	FieldFormer       = "former"   // folded former names
	FieldNameKey      = "name_key" // fold.Key of the name: exact matches
	FieldFormerKey    = "former_key"
	FieldPinyin       = "py"   // pinyin syllables of the name
	FieldInitials     = "pyi"  // pinyin initials of the name
	FieldPinyinPairs  = "py2"  // adjacent pairs of pinyin syllables ("yi'bo")
	FieldInitialPairs = "pyi2" // adjacent pairs of pinyin initials ("y'b")
	FieldCodes        = "codes"
	FieldProvince     = "prov"
	FieldCity         = "city"
	FieldRegion       = "region"
	FieldStatus       = "status"
	FieldActive       = "active"
	FieldEntityType   = "etype"
	FieldHas          = "has"
	FieldPenaltyUntil = "penalty_until"
	FieldNameLen      = "name_len"
	FieldRank         = "rank"
	FieldType         = "type"
	FieldEntityCode   = "code"
	FieldDate         = "date"
	FieldYear         = "year"
	FieldAuthority    = "authority"
	FieldListed       = "listed"
	FieldUntil        = "until"

	KindEntity = "e"
	KindRecord = "r"
)

// NewMapping returns the index mapping shared by every shard of a generation.
func NewMapping() (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	if err := addAnalyzers(m); err != nil {
		return nil, err
	}
	m.DefaultAnalyzer = keyword.Name
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false

	text := func(name, analyzer string) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Name = name
		f.Analyzer = analyzer
		f.Store = false
		f.IncludeTermVectors = true // phrase queries need positions
		f.IncludeInAll = false
		f.DocValues = false
		return f
	}
	kw := func(docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Store = false
		f.IncludeTermVectors = false
		f.IncludeInAll = false
		f.DocValues = docValues // sort and facet fields only
		return f
	}

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt("name", text(FieldName, AnalyzerName))
	// Pinyin is indexed for the name without 有限公司 and the like: their syllables would match
	// queries that have nothing to do with the company ("yaoyou" in 医药有限公司).
	// The pairs fields answer pinyin searches (see pinyinQuery); they need no positions.
	pairs := func(name, analyzer string) *mapping.FieldMapping {
		f := text(name, analyzer)
		f.IncludeTermVectors = false
		return f
	}
	doc.AddFieldMappingsAt("core", text(FieldPinyin, AnalyzerPinyin), text(FieldInitials, AnalyzerInitials),
		pairs(FieldPinyinPairs, AnalyzerPinyinPairs), pairs(FieldInitialPairs, AnalyzerInitialsPairs))
	doc.AddFieldMappingsAt(FieldFormer, text(FieldFormer, AnalyzerName))
	for _, f := range []string{FieldKind, FieldCodes, FieldEntityCode} {
		doc.AddFieldMappingsAt(f, kw(false))
	}
	// The folded names have doc values too: fragment searches check their candidates against
	// them instead of decoding term positions (see verifiedQuery).
	for _, f := range []string{FieldNameKey, FieldFormerKey} {
		doc.AddFieldMappingsAt(f, kw(true))
	}
	// Numeric fields index 16 prefix terms per value: only the two that need range queries.
	for _, f := range []string{FieldPenaltyUntil, FieldUntil} {
		n := bleve.NewNumericFieldMapping()
		n.Store, n.IncludeInAll, n.DocValues = f == FieldPenaltyUntil, false, true
		doc.AddFieldMappingsAt(f, n)
	}
	// Badges of a search hit come from these two stored fields, without a document fetch.
	has := kw(true)
	has.Store = true
	doc.AddFieldMappingsAt(FieldHas, has)
	for _, f := range []string{FieldProvince, FieldCity, FieldRegion, FieldStatus, FieldActive, FieldEntityType, FieldNameLen, FieldRank,
		FieldType, FieldDate, FieldYear, FieldAuthority, FieldListed} {
		doc.AddFieldMappingsAt(f, kw(true))
	}
	m.DefaultMapping = doc
	m.DefaultType = "doc"
	return m, nil
}
