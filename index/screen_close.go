package index

// Close-name (fuzzy) screening: the phrase search and the loose character-pair retrieval that
// find candidates for a name no exact lookup matched, and the name similarity that scores them.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// closeNames resolves the names no exact lookup did: each is searched as the portal's search
// matches it (every word of the name, legal forms aside, as a phrase; ranked shortest name
// first), the entities found are fetched for the whole batch at once, and each is scored
// against the input. The search's ranking tiers are left out: the score re-ranks anyway, and
// each tier costs as much as the search itself.
func (sc *Screener) closeNames(ctx context.Context, items []*screenItem) error {
	type pending struct {
		it    *screenItem
		in    nameShape
		codes []string
	}
	var todo []pending
	var all []string
	for _, it := range items {
		if err := ctx.Err(); err != nil {
			return err
		}
		in := newNameShape(it.name)
		codes, why, err := sc.closeCodes(ctx, it.name, in)
		if err != nil {
			return err
		}
		if why != nil {
			sc.closeNotFound(it, why[0], why[1])
			continue
		}
		todo = append(todo, pending{it, in, codes})
		all = append(all, codes...)
	}
	ents, err := sc.entities(ctx, all)
	if err != nil {
		return err
	}
	for _, p := range todo {
		var hits []scoredHit
		for _, c := range p.codes {
			e := ents[c]
			if e == nil {
				continue
			}
			h := scoredHit{e: screenEntity(e), score: p.in.score(e.Name)}
			for _, fn := range e.FormerNames {
				if fs := p.in.score(fn); fs > h.score {
					h.score, h.via = fs, fn
				}
			}
			hits = append(hits, h)
		}
		sc.decideClose(p.it, p.in, hits)
	}
	return nil
}

// closeSearchHits is how many entities a close-name search brings back to be scored.
const closeSearchHits = 10

// closeCodes finds the entities whose name holds every word of the input; failing that, those
// sharing its rarest character pairs. why says (in English and Chinese) why a name cannot be
// searched at all.
func (sc *Screener) closeCodes(ctx context.Context, name string, in nameShape) (codes []string, why *[2]string, err error) {
	q := name
	if r := []rune(q); len(r) > MaxQueryRunes {
		q = string(r[:MaxQueryRunes])
	}
	pq, err := ParseQuery(q)
	if err != nil || pq.Class == ClassEmpty || pq.Class == ClassBroad {
		return nil, &[2]string{"no entity with this name: it holds nothing but legal-form words", "未找到：名称只有“有限公司”等组织形式用语"}, nil
	}
	var match query.Query
	if pq.Class == ClassName {
		// The current name only: former names were matched exactly before.
		must := []query.Query{termQ(KindEntity, FieldKind, 0)}
		for _, w := range pq.Words {
			must = append(must, fragmentQuery(w, FieldName))
		}
		match = bleve.NewConjunctionQuery(must...)
	} else {
		match = bleve.NewConjunctionQuery(termQ(KindEntity, FieldKind, 0), pq.MatchQuery())
	}
	sctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	codes, err = sc.g.candidates(sctx, match, closeSearchHits)
	cancel()
	if err != nil {
		var bre *BadRequestError
		if errors.As(searchError(err), &bre) && ctx.Err() == nil {
			return nil, &[2]string{"the name could not be searched: " + bre.MessageEN, "名称无法检索：" + bre.Message}, nil
		}
		return nil, nil, err
	}
	if len(codes) == 0 {
		// None holds every word: the names holding most of its character pairs, as the close
		// tier of a search finds them.
		sctx, cancel := context.WithTimeout(ctx, looseTimeout)
		defer cancel()
		page, err := sc.g.collectClose(sctx, pq, []query.Query{termQ(KindEntity, FieldKind, 0)}, looseHits, nil)
		if err != nil {
			if sctx.Err() != nil && ctx.Err() == nil {
				return nil, nil, nil // too slow to be worth it: no candidates rather than no answer
			}
			return nil, nil, searchError(err)
		}
		if page != nil {
			for _, h := range page.hits {
				codes = append(codes, h.ID)
			}
		}
	}
	return codes, nil, nil
}

func (sc *Screener) closeNotFound(it *screenItem, en, zh string) {
	if !it.codeMissed {
		it.m.Status = StatusNotFound
	}
	it.m.explain(en, zh)
}

// decideClose turns the scored candidates of a name into a match, an ambiguity or a miss.
func (sc *Screener) decideClose(it *screenItem, in nameShape, hits []scoredHit) {
	m := &it.m
	keep := hits[:0]
	for _, h := range hits {
		if h.score >= candidateFloor {
			keep = append(keep, h)
		}
	}
	hits = keep
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	if len(hits) > MaxScreenCandidates {
		hits = hits[:MaxScreenCandidates]
	}
	if len(hits) == 0 {
		sc.closeNotFound(it, "no entity with this or a similar name", "未找到名称一致或相近的市场主体")
		return
	}
	best := hits[0]
	cands := make([]Candidate, len(hits))
	for i, h := range hits {
		cands[i] = Candidate{ScreenEntity: h.e, Score: round2(h.score), MatchedName: h.via}
	}
	bestName := best.e.Name
	if best.via != "" {
		bestName = best.via
	}
	matched, unmatched := commonParts(in.core, coreRunes(bestName))
	score := round2(best.score)
	switch {
	case best.score < CloseNameThreshold:
		sc.closeNotFound(it, fmt.Sprintf("no close match: the nearest name scores %.2f (a match needs %.2f); see candidates", score, CloseNameThreshold),
			fmt.Sprintf("未找到足够相近的名称：最接近的相似度为 %.2f（匹配需达到 %.2f），见候选", score, CloseNameThreshold))
		m.Candidates = cands
	case len(hits) > 1 && hits[1].score >= CloseNameThreshold && hits[1].score > best.score-AmbiguityMargin:
		if it.codeMissed {
			codeWarning(it, m.Status)
		}
		if m.Status != StatusInvalidCode {
			m.Status = StatusAmbiguous
		}
		m.MatchedBy, m.Score = ByCloseName, score
		m.MatchedTerms, m.UnmatchedTerms = matched, unmatched
		m.explain(fmt.Sprintf("several close names (best %.2f, next %.2f); give the code to decide", score, round2(hits[1].score)),
			fmt.Sprintf("有多个相近名称（相似度 %.2f、%.2f），请提供统一社会信用代码以确定", score, round2(hits[1].score)))
		m.Candidates = cands
	default:
		prev := m.Status
		wasCode := it.codeMissed
		it.entity = &Entity{Code: best.e.Code, Name: best.e.Name, Status: best.e.Status, EntityType: best.e.EntityType, Region: best.e.Region,
			FormerNames: best.e.FormerNames}
		m.Status, m.MatchedBy, m.Score = StatusMatched, ByCloseName, score
		m.MatchedTerms, m.UnmatchedTerms = matched, unmatched
		en := fmt.Sprintf("close name match, score %.2f: %s", score, strconv.Quote(best.e.Name))
		zh := fmt.Sprintf("名称相近（相似度 %.2f）：“%s”", score, best.e.Name)
		if best.via != "" {
			en += " (by its former name " + strconv.Quote(best.via) + ")"
			zh += "（按曾用名“" + best.via + "”）"
		}
		if len(matched) > 0 {
			en += "; matched " + strings.Join(matched, ", ")
			zh += "；一致部分：" + strings.Join(matched, "、")
		}
		if len(unmatched) > 0 {
			en += "; not in the name: " + strings.Join(unmatched, ", ")
			zh += "；不一致部分：" + strings.Join(unmatched, "、")
		}
		m.explain(en, zh)
		if len(hits) > 1 {
			m.Candidates = cands[1:]
		}
		if wasCode {
			codeWarning(it, prev)
		}
	}
}

// scoredHit is a close-name candidate with its similarity to the input.
type scoredHit struct {
	e     ScreenEntity
	score float64
	via   string // the former name that scored best, if not the current name
}

// Loose retrieval, for a name the normal search misses because one word breaks the phrase: a
// typo, or a region put in or left out (华威新材料 vs 华威（福建）新材料). The close tier of
// search finds the names holding most of its character pairs.
const (
	looseHits    = 10 // scored, of which MaxScreenCandidates are kept
	looseTimeout = 500 * time.Millisecond
)

// Name similarity.

// nameShape is a name prepared for scoring: its folded text without punctuation or spaces,
// and the same without legal-form words (有限公司 …), which say little about identity.
type nameShape struct{ full, core []rune }

func newNameShape(name string) nameShape {
	text := SearchText(name)
	return nameShape{full: []rune(strings.ReplaceAll(text, " ", "")), core: []rune(strings.ReplaceAll(CoreName(text), " ", ""))}
}

func coreRunes(name string) []rune { return newNameShape(name).core }

// score is the similarity of the input with a name, 0 to 1: mostly the bigram Dice coefficient
// of the core names, plus a little of the full names' so that a differing legal form costs a
// little and a branch (…分公司) costs more.
func (in nameShape) score(name string) float64 {
	other := newNameShape(name)
	return 0.85*dice(in.core, other.core) + 0.15*dice(in.full, other.full)
}

// dice is the Sørensen–Dice coefficient of the character bigrams (unigrams for one-character
// strings) of a and b.
func dice(a, b []rune) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if string(a) == string(b) {
		return 1
	}
	if len(a) < 2 || len(b) < 2 {
		common := 0
		for _, r := range a {
			if containsRune(b, r) {
				common++
				break
			}
		}
		return 2 * float64(common) / float64(len(a)+len(b))
	}
	grams := make(map[[2]rune]int, len(a))
	for i := 0; i+1 < len(a); i++ {
		grams[[2]rune{a[i], a[i+1]}]++
	}
	common := 0
	for i := 0; i+1 < len(b); i++ {
		g := [2]rune{b[i], b[i+1]}
		if grams[g] > 0 {
			grams[g]--
			common++
		}
	}
	return 2 * float64(common) / float64(len(a)-1+len(b)-1)
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// commonParts splits the input into the longest pieces (two characters or more) found in the
// name, and the rest: the "words" that matched and those that did not.
func commonParts(input, name []rune) (matched, unmatched []string) {
	hay := string(name)
	var rest []rune
	flushRest := func() {
		if len(rest) > 0 {
			unmatched = append(unmatched, string(rest))
			rest = rest[:0]
		}
	}
	for i := 0; i < len(input); {
		best := 0
		for j := len(input); j >= i+2; j-- {
			if strings.Contains(hay, string(input[i:j])) {
				best = j - i
				break
			}
		}
		if best == 0 {
			rest = append(rest, input[i])
			i++
			continue
		}
		flushRest()
		matched = append(matched, string(input[i:i+best]))
		i += best
	}
	flushRest()
	return matched, unmatched
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }
