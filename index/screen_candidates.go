package index

// Screening candidates: the entities behind an ambiguous name or former name, an old code several
// entities carry, or a code with its check character corrected.

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/uscc"
)

// fetchCandidates turns candidate codes (ambiguous exact or former names, several owners of an
// old code, the code with the valid check character) into candidates.
func (sc *Screener) fetchCandidates(ctx context.Context, items []*screenItem) error {
	var codes []string
	for _, it := range items {
		if len(it.cands) > 0 && it.entity == nil {
			codes = append(codes, it.cands...)
		}
	}
	if len(codes) == 0 {
		return nil
	}
	ents, err := sc.entities(ctx, codes)
	if err != nil {
		return err
	}
	for _, it := range items {
		if len(it.cands) == 0 || it.entity != nil {
			continue
		}
		var list []*Entity
		for _, c := range it.cands {
			if e := ents[c]; e != nil {
				list = append(list, e)
			}
		}
		key := fold.Key(it.name)
		if oldCode := it.via == uscc.KindRegNo.String() || it.via == uscc.KindOrgCode.String(); oldCode && key != "" {
			// Several entities carry the old code: the name given beside it decides.
			var named []*Entity
			for _, e := range list {
				if fold.Key(e.Name) == key || slices.ContainsFunc(e.FormerNames, func(fn string) bool { return fold.Key(fn) == key }) {
					named = append(named, e)
				}
			}
			if len(named) == 1 {
				sc.matchCode(it, named[0], it.kind)
				it.m.explain(fmt.Sprintf("%d entities carry this code; the name given picks one", len(list)),
					fmt.Sprintf("该代码对应 %d 个市场主体，按所填名称确定", len(list)))
				continue
			}
		}
		// Active entities first: a deregistered namesake is the less likely meaning.
		sort.SliceStable(list, func(i, j int) bool { return ActiveStatus(list[i].Status) && !ActiveStatus(list[j].Status) })
		var cands []Candidate
		for _, e := range list {
			c := Candidate{ScreenEntity: screenEntity(e), Score: 1}
			switch it.via {
			case ByFormerName:
				for _, fn := range e.FormerNames {
					if fold.Key(fn) == key {
						c.MatchedName = fn
					}
				}
			case "check_digit":
				c.Score = 0 // found by code, not by name
			}
			cands = append(cands, c)
		}
		// The entity behind the corrected code goes first, before any name candidates.
		it.m.Candidates = append(cands, it.m.Candidates...)
		if len(it.m.Candidates) > MaxScreenCandidates {
			it.m.Candidates = it.m.Candidates[:MaxScreenCandidates]
		}
		if it.m.Status == "" {
			it.m.Status = StatusAmbiguous
			what, whatZH := "registration number", "注册号"
			if it.via == uscc.KindOrgCode.String() {
				what, whatZH = "organisation code", "组织机构代码"
			}
			it.m.explain(fmt.Sprintf("%d entities carry this %s; give the unified social credit code", len(list), what),
				fmt.Sprintf("有 %d 个市场主体使用该%s，请提供统一社会信用代码", len(list), whatZH))
		}
	}
	return nil
}

// candidates are the codes of the first n entities of a band, in rank order, found by the
// search engine (collectTiered: bitmaps and columns where the band allows) as a search is.
func (g *Generation) candidates(ctx context.Context, band query.Query, n int) ([]string, error) {
	page, err := g.collectTiered(ctx, &tieredQuery{bands: []query.Query{band}}, n, nil, "")
	if err != nil {
		return nil, err
	}
	codes := make([]string, len(page.hits))
	for i, h := range page.hits {
		codes[i] = h.ID
	}
	return codes, nil
}
