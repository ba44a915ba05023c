package index

// Screening by code: unified social credit codes (normalised, check character tested), old
// registration numbers and organisation codes, and codes only published records carry.

import (
	"context"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index/region"
	"github.com/gongshi/gongshi/index/uscc"
)

// resolveCodes matches every subject with a code: the register's own codes first, then old
// registration numbers and organisation codes, then codes that only published records carry.
func (sc *Screener) resolveCodes(ctx context.Context, items []*screenItem) error {
	var lookup []string
	for _, it := range items {
		if it.code == "" || it.kind == uscc.KindNone {
			continue
		}
		lookup = append(lookup, it.code)
		if it.checkErr != nil {
			lookup = append(lookup, it.checkErr.Suggestion())
		}
	}
	if len(lookup) == 0 {
		for _, it := range items {
			if it.code != "" {
				sc.codeMiss(it, nil)
			}
		}
		return nil
	}
	ents, err := sc.entities(ctx, lookup)
	if err != nil {
		return err
	}
	var alts []string
	for _, it := range items {
		if it.code == "" || it.kind == uscc.KindNone {
			continue
		}
		if e := ents[it.code]; e != nil {
			sc.matchCode(it, e, it.kind)
			continue
		}
		if it.kind == uscc.KindRegNo || it.kind == uscc.KindOrgCode {
			alts = append(alts, it.code)
		}
	}
	owners, err := sc.g.Docs.CodesForMany(ctx, alts)
	if err != nil {
		return err
	}
	var more []string
	for _, cs := range owners {
		more = append(more, cs...)
	}
	if len(more) > 0 {
		extra, err := sc.entities(ctx, more)
		if err != nil {
			return err
		}
		for c, e := range extra {
			ents[c] = e
		}
	}
	var probe []string
	for _, it := range items {
		if it.code == "" || it.kind == uscc.KindNone || it.entity != nil {
			continue
		}
		var found []*Entity
		for _, c := range owners[it.code] {
			if e := ents[c]; e != nil {
				found = append(found, e)
			}
		}
		switch {
		case len(found) == 1:
			sc.matchCode(it, found[0], it.kind)
		case len(found) > 1:
			it.cands = owners[it.code]
			it.via = it.kind.String()
		default:
			probe = append(probe, it.code)
		}
	}
	// A debtor or a listed company may be missing from the register the portal holds; its
	// records still name it by code, and a screening must not call it clean.
	var recs map[string][]*Record
	if len(probe) > 0 {
		if recs, err = sc.g.Docs.RecordsOfMany(ctx, probe); err != nil {
			return err
		}
	}
	for _, it := range items {
		if it.code == "" || it.entity != nil || len(it.cands) > 0 {
			continue
		}
		var name string
		for _, r := range recs[it.code] {
			if _, gone := sc.hidden[r.ID]; !gone {
				name = r.EntityName
				break
			}
		}
		if name != "" {
			it.recordOnly = &ScreenEntity{Code: it.code, Name: name, Region: uscc.Region(it.code), RegionName: region.FullName(uscc.Region(it.code))}
			sc.matchCodeOnlyRecords(it)
			continue
		}
		sc.codeMiss(it, ents)
	}
	return nil
}

func (sc *Screener) matchCode(it *screenItem, e *Entity, kind uscc.Kind) {
	it.entity = e
	m := &it.m
	m.Status, m.Score = StatusMatched, 1
	switch {
	case kind == uscc.KindRegNo:
		m.MatchedBy = ByRegNo
		m.explain("matched by the 15-digit registration number (注册号) "+it.code, "按注册号 "+it.code+" 匹配")
	case kind == uscc.KindOrgCode:
		m.MatchedBy = ByOrgCode
		m.explain("matched by the organisation code (组织机构代码) "+it.code, "按组织机构代码 "+it.code+" 匹配")
	case it.code != it.rawCode:
		m.MatchedBy = ByNormalisedCode
		m.explain("matched by unified social credit code after normalising case, full-width characters, spaces or hyphens (given "+
			strconv.Quote(it.rawCode)+", normalised "+it.code+")",
			"统一社会信用代码经规范化（大小写、全角字符、空格或连字符）后匹配：输入“"+it.rawCode+"”，规范为 "+it.code)
	default:
		m.MatchedBy = ByExactCode
		m.explain("matched by unified social credit code", "按统一社会信用代码精确匹配")
	}
	if it.badPair {
		h := authorityHint(it.code)
		m.warn(WarnCodeAuthority)
		m.explain(h.MessageEN+"; it is registered as it is", h.Message+"登记信息中即为此代码。")
	}
	if it.checkErr != nil {
		m.warn(WarnCheckDigit)
		m.explain(fmt.Sprintf("the code fails the GB 32100 check (valid check character would be %c) but is registered as it is", it.checkErr.Want),
			fmt.Sprintf("该代码未通过 GB 32100 校验（按标准校验位应为 %c），但登记信息中即为此代码", it.checkErr.Want))
	}
}

func (sc *Screener) matchCodeOnlyRecords(it *screenItem) {
	m := &it.m
	m.Status, m.Score, m.MatchedBy = StatusMatched, 1, ByExactCode
	if it.code != it.rawCode {
		m.MatchedBy = ByNormalisedCode
	}
	m.warn(WarnNotInRegister)
	m.explain("the code is not in the register, but published records name it", "该代码不在登记信息中，但有公示记录使用该代码")
}

// codeMiss records why a code resolved to nothing. The name, if any, gets its chance next.
func (sc *Screener) codeMiss(it *screenItem, ents map[string]*Entity) {
	it.codeMissed = true
	m := &it.m
	switch {
	case it.kind == uscc.KindNone:
		m.Status = StatusInvalidCode
		m.explain(fmt.Sprintf("invalid code %q: a unified social credit code has 18 characters (0-9 and A-Y without I, O, S, V, Z), a registration number 15 digits, an organisation code 9 characters; this has %d",
			clip(it.rawCode, 40), utf8.RuneCountInString(it.code)),
			fmt.Sprintf("代码“%s”无效：统一社会信用代码为18位（数字或不含 I、O、S、V、Z 的大写字母），注册号为15位数字，组织机构代码为9位；输入为 %d 位",
				clip(it.rawCode, 40), utf8.RuneCountInString(it.code)))
	case it.badPair:
		// The pair is the first thing to fix: a corrected check character would keep it, and
		// no entity is issued such a code.
		m.Status = StatusInvalidCode
		h := authorityHint(it.code)
		m.explain("invalid code: "+h.MessageEN, h.Message)
	case it.checkErr != nil:
		m.Status = StatusInvalidCode
		m.ValidCode = it.checkErr.Suggestion()
		m.explain(fmt.Sprintf("invalid code (valid check character: %c)", it.checkErr.Want),
			fmt.Sprintf("统一社会信用代码校验位错误（正确的校验位应为 %c，即 %s）", it.checkErr.Want, it.checkErr.Suggestion()))
		if e := ents[it.checkErr.Suggestion()]; e != nil {
			it.cands = []string{e.Code}
			it.via = "check_digit"
			m.explain("with that check character the code belongs to "+e.Name, "按正确校验位，该代码属于“"+e.Name+"”")
		}
	default:
		m.Status = StatusNotFound
		m.explain("no entity with this code", "未找到该代码对应的市场主体")
	}
}
