package index

// Screening by exact and former name: folded-name lookups, the note on which folding a match
// needed, ambiguous namesakes, and the check of a name given beside a matching code.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/gongshi/gongshi/index/fold"
)

// resolveNames matches by name what the code did not decide, and checks the name given with a
// code against the entity found: the exact folded name, then a former name, then a close name.
func (sc *Screener) resolveNames(ctx context.Context, items []*screenItem) error {
	var keys []string
	var todo []*screenItem
	for _, it := range items {
		switch {
		case it.name == "" && it.code == "":
			it.m.Status = StatusNotFound
			it.m.explain("neither a code nor a name was given", "未填写代码或名称")
		case it.name == "":
		case it.entity != nil || it.recordOnly != nil:
			sc.checkName(it)
		case len(it.cands) > 0 && it.via != "check_digit":
		case utf8.RuneCountInString(it.name) > maxSubjectNameRunes:
			if !it.codeMissed {
				it.m.Status = StatusNotFound
			}
			it.m.explain(fmt.Sprintf("the name is longer than %d characters", maxSubjectNameRunes), fmt.Sprintf("名称超过 %d 个字符", maxSubjectNameRunes))
		default:
			if k := fold.Key(it.name); k != "" {
				keys = append(keys, k)
				todo = append(todo, it)
			}
		}
	}
	if len(todo) == 0 {
		return sc.fetchCandidates(ctx, items)
	}
	exact, err := sc.g.Docs.CodesByNameKeys(ctx, keys, maxExactPerName)
	if err != nil {
		return err
	}
	var formerKeys []string
	for _, it := range todo {
		if len(exact[fold.Key(it.name)]) == 0 {
			formerKeys = append(formerKeys, fold.Key(it.name))
		}
	}
	former, formerEnts, err := sc.formerNameCodes(ctx, formerKeys)
	if err != nil {
		return err
	}
	var codes []string
	for _, it := range todo {
		k := fold.Key(it.name)
		codes = append(codes, exact[k]...)
		if len(exact[k]) == 0 {
			codes = append(codes, former[k]...)
		}
	}
	ents, err := sc.entities(ctx, codes)
	if err != nil {
		return err
	}
	for c, e := range formerEnts {
		ents[c] = e
	}
	var close []*screenItem
	for _, it := range todo {
		k := fold.Key(it.name)
		via, found := ByExactName, present(exact[k], ents)
		if len(found) == 0 {
			via, found = ByFormerName, present(former[k], ents)
		}
		switch {
		case len(found) == 1:
			sc.matchName(it, ents[found[0]], via)
		case len(found) > 1:
			sc.ambiguousName(it, found, via)
		default:
			close = append(close, it)
		}
	}
	if err := sc.closeNames(ctx, close); err != nil {
		return err
	}
	return sc.fetchCandidates(ctx, items)
}

func present(codes []string, ents map[string]*Entity) []string {
	var out []string
	for _, c := range codes {
		if ents[c] != nil {
			out = append(out, c)
		}
	}
	return out
}

// formerNameCodes finds the entities that once bore each folded name: one Bleve query per chunk
// of names on the exact former-name keys, then the register entries to tell which key each hit.
func (sc *Screener) formerNameCodes(ctx context.Context, keys []string) (map[string][]string, map[string]*Entity, error) {
	out := map[string][]string{}
	ents := map[string]*Entity{}
	for start := 0; start < len(keys); start += batchLookupChunk {
		chunk := keys[start:min(start+batchLookupChunk, len(keys))]
		want := make(map[string]bool, len(chunk))
		terms := make([]query.Query, 0, len(chunk))
		for _, k := range chunk {
			if !want[k] {
				want[k] = true
				terms = append(terms, termQ(k, FieldFormerKey, 0))
			}
		}
		band := bleve.NewConjunctionQuery(termQ(KindEntity, FieldKind, 0), bleve.NewDisjunctionQuery(terms...))
		sctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
		codes, err := sc.g.candidates(sctx, band, len(terms)*4+16)
		cancel()
		if err != nil {
			return nil, nil, searchError(err)
		}
		slices.Sort(codes) // code order: each key's owners in a stable order
		found, err := sc.entities(ctx, codes)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range codes {
			e := found[c]
			if e == nil {
				continue
			}
			ents[c] = e
			for _, fn := range e.FormerNames {
				if k := fold.Key(fn); want[k] && !contains(out[k], c) {
					out[k] = append(out[k], c)
				}
			}
		}
	}
	return out, ents, nil
}

func (sc *Screener) matchName(it *screenItem, e *Entity, via string) {
	m := &it.m
	wasCode := it.codeMissed
	prev := m.Status
	it.entity = e
	m.Status, m.MatchedBy, m.Score = StatusMatched, via, 1
	if via == ByFormerName {
		m.explain("matched by former name (曾用名) "+strconv.Quote(it.name)+"; the current name is "+strconv.Quote(e.Name),
			"按曾用名“"+it.name+"”匹配，现名称为“"+e.Name+"”")
	} else if it.name == e.Name {
		m.explain("matched by exact name", "企业名称完全一致")
	} else {
		en, zh := foldingNote(it.name, e.Name)
		m.explain("matched by exact name after folding "+en, "企业名称经统一"+zh+"后一致")
	}
	if wasCode {
		codeWarning(it, prev)
		if e.Code != it.code && it.code != "" {
			m.explain("the code given ("+it.code+") differs from the matched entity's code "+e.Code,
				"所填代码 "+it.code+" 与匹配主体的代码 "+e.Code+" 不一致")
		}
	}
}

// codeWarning marks a result decided by the name although a code was given: the code was
// invalid (code_authority, check_digit) or matched nothing (code_not_found).
func codeWarning(it *screenItem, statusBefore string) {
	switch {
	case statusBefore == StatusInvalidCode && it.badPair:
		it.m.warn(WarnCodeAuthority)
	case statusBefore == StatusInvalidCode:
		it.m.warn(WarnCheckDigit)
	default:
		it.m.warn(WarnCodeNotFound)
	}
}

// foldingNote says which folding steps the input needed to equal the published name: a step
// is named when the names differ without it (width: full-width brackets, letters and digits;
// traditional characters; variant characters such as 锺/钟, 夥/伙; otherwise spaces and letter
// case).
func foldingNote(input, published string) (en, zh string) {
	key := func(s string, width, simplified, variants bool) string {
		if width {
			s = fold.Width(s)
		}
		if simplified {
			s = fold.Simplified(s)
		}
		if variants {
			s = fold.Variants(s)
		}
		return strings.ReplaceAll(fold.Lower(s), " ", "")
	}
	var ens, zhs []string
	if key(input, false, true, true) != key(published, false, true, true) {
		ens, zhs = append(ens, "full-width characters and brackets"), append(zhs, "全角/半角字符和括号")
	}
	if key(input, true, false, true) != key(published, true, false, true) {
		ens, zhs = append(ens, "traditional characters"), append(zhs, "繁体/简体字")
	}
	if key(input, true, true, false) != key(published, true, true, false) {
		ens, zhs = append(ens, "variant characters"), append(zhs, "异体字")
	}
	if len(ens) == 0 {
		ens, zhs = append(ens, "spaces and letter case"), append(zhs, "空格和大小写")
	}
	return strings.Join(ens, " and "), strings.Join(zhs, "、")
}

func (sc *Screener) ambiguousName(it *screenItem, codes []string, via string) {
	m := &it.m
	it.cands, it.via = codes, via
	if it.codeMissed {
		codeWarning(it, m.Status)
	}
	if m.Status != StatusInvalidCode { // an invalid code stays the headline: the name cannot decide either
		m.Status = StatusAmbiguous
	}
	what, whatZH := "name", "名称"
	if via == ByFormerName {
		what, whatZH = "former name", "曾用名"
	}
	n := len(codes)
	more := ""
	if n >= maxExactPerName {
		more = "+"
	}
	m.explain(fmt.Sprintf("%d%s entities have this %s; give the code to decide", n, more, what),
		fmt.Sprintf("有 %d%s 个市场主体的%s与此一致，请提供统一社会信用代码以确定", n, more, whatZH))
}

// checkName compares the name given beside a matching code with the entity's names.
func (sc *Screener) checkName(it *screenItem) {
	m := &it.m
	current, former := "", []string(nil)
	if it.entity != nil {
		current, former = it.entity.Name, it.entity.FormerNames
	} else {
		current = it.recordOnly.Name
	}
	k := fold.Key(it.name)
	if k == fold.Key(current) {
		m.explain("the name given agrees", "所填名称与登记名称一致")
		return
	}
	for _, fn := range former {
		if fold.Key(fn) == k {
			m.explain("the name given is a former name (曾用名); the current name is "+strconv.Quote(current),
				"所填名称为曾用名，现名称为“"+current+"”")
			return
		}
	}
	in := newNameShape(it.name)
	score := in.score(current)
	for _, fn := range former {
		score = max(score, in.score(fn))
	}
	if score >= CloseNameThreshold {
		m.explain(fmt.Sprintf("the name given is close to the registered name (score %.2f)", score),
			fmt.Sprintf("所填名称与登记名称相近（相似度 %.2f）", score))
		return
	}
	m.warn(WarnNameMismatch)
	m.explain(fmt.Sprintf("name_mismatch: the name given does not match the code's entity %q (score %.2f)", current, score),
		fmt.Sprintf("名称不一致：所填名称与该代码登记的名称“%s”不符（相似度 %.2f）", current, score))
}
