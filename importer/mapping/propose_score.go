package mapping

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index"
)

// contentScore says how well a column's values fit field f, and why.
func contentScore(st *colStats, f *index.Field, t index.RecordType) (float64, string) {
	if st.n == 0 {
		return 0, ""
	}
	share := func(c int) float64 { return float64(c) / float64(st.n) }
	fill := float64(st.n) / float64(max(st.rows, 1))
	of := func(c int, what string) string { return fmt.Sprintf("%d of %d values are %s", c, st.n, what) }
	switch f.Key {
	case "code":
		s := share(st.uscc) + 0.8*share(st.regNo+st.orgCode)
		if s >= 0.5 {
			return min(0.55+0.45*s, 0.99), of(st.uscc, "valid unified social credit codes")
		}
	case "authority_code":
		if s := share(st.usccOrgan); s >= 0.5 {
			return 0.45 + 0.45*s, of(st.usccOrgan, "valid unified codes of state organs")
		}
	case "reg_no":
		if s := share(st.regNo); s >= 0.5 {
			return 0.45 + 0.45*s, of(st.regNo, "registration numbers (注册号)")
		}
	case "org_code":
		if s := share(st.orgCode); s >= 0.5 {
			return 0.45 + 0.45*s, of(st.orgCode, "organisation codes")
		}
	case "name":
		if s := share(st.company); s >= 0.4 {
			return 0.5 + 0.45*s, of(st.company, "company-like names (…公司/店/厂/合作社)")
		}
	case "court":
		if s := share(st.court); s >= 0.5 {
			return 0.5 + 0.45*s, of(st.court, "court names")
		}
	case "authority", "removal_authority", "data_source":
		s := share(st.organ)
		if s < 0.4 {
			break
		}
		score := 0.4 + 0.4*s
		switch {
		case f.Key == "data_source":
			score -= 0.15
		case t.IsList() && f.Key == "authority" && fill >= 0.9, t.IsList() && f.Key == "removal_authority" && fill < 0.9:
			score += 0.1
		}
		return score, of(st.organ, "authority names (…局/委/院/厅)")
	case "legal_rep":
		if s := share(st.personName); s >= 0.6 {
			return 0.35 + 0.3*s, of(st.personName, "short personal names")
		}
	case "doc_no", "basis_doc_no":
		if s := share(st.docNo); s >= 0.5 {
			score := 0.5 + 0.45*s
			if f.Key == "basis_doc_no" {
				score -= 0.15
			}
			return score, of(st.docNo, "document numbers (…〔年〕…号)")
		}
	case "case_no":
		if s := share(st.caseNo); s >= 0.5 {
			return 0.55 + 0.4*s, of(st.caseNo, "court case numbers")
		}
	case "category":
		if t == index.TypePenalty {
			if s := share(st.category); s >= 0.5 {
				return 0.5 + 0.45*s, of(st.category, "penalty kinds (罚款, 警告 …)")
			}
		}
	case "status":
		if s := share(st.status); s >= 0.5 {
			return 0.5 + 0.45*s, of(st.status, "registration states (存续, 注销 …)")
		}
	case "entity_type":
		if s := share(st.entType); s >= 0.5 {
			return 0.5 + 0.45*s, of(st.entType, "entity types (有限责任公司 …)")
		}
	case "state":
		if s := share(st.state); s >= 0.5 {
			return 0.45 + 0.4*s, of(st.state, "licence states (有效, 撤销 …)")
		}
	case "reason":
		if s := share(st.reason); s >= 0.4 {
			return 0.45 + 0.45*s, of(st.reason, "listing reasons")
		}
	case "removal_reason":
		if s := share(st.removal); s >= 0.4 {
			return 0.45 + 0.45*s, of(st.removal, "removal reasons")
		}
	case "check_type":
		if s := share(st.checkTy); s >= 0.5 {
			return 0.45 + 0.4*s, of(st.checkTy, "kinds of check (双随机, 专项 …)")
		}
	case "province":
		if s := share(st.province); s >= 0.6 {
			return 0.45 + 0.4*s, of(st.province, "province names")
		}
	}
	switch f.Kind {
	case index.KindDate:
		s := share(st.date)
		if s < 0.6 {
			break
		}
		score := 0.45 * s
		switch {
		case f.Key == "removal_date" && fill < 0.9, f.Key == "list_date" && fill >= 0.9, f.Key == t2date(t) && fill >= 0.9:
			score += 0.1
		}
		return score, of(st.date, "dates")
	case index.KindMoney:
		if s := share(st.money - st.yr); s >= 0.8 {
			return 0.4 * s, of(st.money, "amounts")
		}
	case index.KindInt:
		if s := share(st.yr); s >= 0.8 && f.Key == "year" {
			return 0.5 * s, of(st.yr, "years")
		}
	case index.KindText:
		if f.MaxLen == 0 && st.runes/st.n >= 20 {
			return 0.2, fmt.Sprintf("long text (%d characters on average)", st.runes/st.n)
		}
	}
	return 0, ""
}

// fillHint leans a list's full columns to the listing's fields and its sparse ones to the
// removal's: every entry was listed, few are removed yet.
func fillHint(st *colStats, f *index.Field, t index.RecordType) float64 {
	if !t.IsList() || st.n == 0 {
		return 0
	}
	full := float64(st.n) >= 0.9*float64(st.rows)
	removal := strings.HasPrefix(f.Key, "removal_")
	if full != removal {
		return 0.1
	}
	return 0
}

// t2date is the field that dates records of t: the fullest date column is likelier it.
func t2date(t index.RecordType) string { return index.SchemaOf(t).DateKey }

// Words in Latin headers (English, gsxt's abbreviations, pinyin initials of a word) and the
// fields they point to. Every word of one rule must appear among the header's words.
var headerRules = map[string][][]string{
	"code":              {{"uscc"}, {"uniscid"}, {"unisc"}, {"creditcode"}, {"credit"}, {"tyshxydm"}, {"shxydm"}, {"xydm"}, {"social", "crd"}, {"shxym"}},
	"name":              {{"entname"}, {"qymc"}, {"company"}, {"enterprise"}, {"corp"}, {"xdrmc"}, {"name"}, {"mc"}, {"nm"}},
	"reason":            {{"reason"}, {"cause"}, {"specause"}, {"serillrea"}, {"inclu", "rea"}, {"lryy"}},
	"list_date":         {{"list", "date"}, {"listing"}, {"inclu", "dt"}, {"inclu", "date"}, {"abntime"}, {"abn", "tm"}, {"in", "date"}, {"lrrq"}},
	"authority":         {{"decorg"}, {"authority"}, {"organ"}, {"dept"}, {"org"}},
	"removal_reason":    {{"remexcpres"}, {"remove", "reason"}, {"removal", "reason"}, {"rem", "rea"}, {"out", "reason"}, {"ycyy"}},
	"removal_date":      {{"remdate"}, {"remove", "date"}, {"removal", "date"}, {"remove", "dt"}, {"rem", "dt"}, {"out", "date"}, {"ycrq"}},
	"removal_authority": {{"redecorg"}, {"remove", "org"}, {"removal", "authority"}, {"rem", "org"}, {"ycjg"}, {"ycjdjg"}},
	"decision_date":     {{"decision", "date"}, {"decide", "date"}, {"dec", "date"}, {"jdrq"}, {"pendecissdate"}},
	"doc_no":            {{"docno"}, {"doc", "no"}, {"decision", "no"}, {"decision", "number"}, {"wsh"}, {"pendecno"}, {"wh"}},
	"category":          {{"category"}, {"cflb"}, {"pentype"}, {"punish", "type"}},
	"fine":              {{"fine"}, {"fk"}, {"penam"}},
	"facts":             {{"facts"}, {"illegal", "fact"}, {"wfss"}},
	"basis":             {{"basis"}, {"cfyj"}},
	"content":           {{"content"}, {"pencontent"}},
	"established":       {{"estdate"}, {"established"}, {"clrq"}},
	"status":            {{"regstate"}, {"status"}, {"djzt"}},
	"address":           {{"dom"}, {"address"}, {"addr"}},
	"scope":             {{"opscope"}, {"scope"}, {"jyfw"}},
	"legal_rep":         {{"lerep"}, {"legal", "rep"}, {"fddbr"}},
	"published":         {{"publish", "date"}, {"fbrq"}},
	"case_no":           {{"case", "no"}, {"ah"}},
	"court":             {{"court"}, {"zxfy"}},
}

// headerScore says how well a header's words fit field f, and why.
func headerScore(h string, f *index.Field, t index.RecordType) (float64, string) {
	hk := index.HeaderKey(h)
	if hk == "" {
		return 0, ""
	}
	best, why := 0.0, ""
	names := append([]string{f.Label}, f.Aliases...)
	if ascii(hk) {
		up := strings.ToUpper(hk)
		for _, n := range names {
			for _, sp := range cachedSpellings(n) {
				switch {
				case sp == up:
					return 0.85, fmt.Sprintf("header reads as the pinyin initials of %s", n)
				case len(up) >= 4 && strings.Contains(sp, up) && best < 0.45:
					best, why = 0.45, fmt.Sprintf("header reads as part of the pinyin initials of %s", n)
				}
			}
		}
		words := headerTokens(h)
		for _, rule := range headerRules[f.Key] {
			if allWords(words, rule) {
				s := 0.55 + 0.1*float64(len(rule)-1)
				if len(rule) == 1 && len(rule[0]) <= 3 {
					s = 0.4
				}
				if s > best {
					best, why = s, fmt.Sprintf("header word %q", strings.Join(rule, "+"))
				}
			}
		}
		return best, why
	}
	for _, n := range names {
		nk := foldedName(n)
		if utf8.RuneCountInString(nk) < 2 {
			continue
		}
		var s float64
		short, long := utf8.RuneCountInString(nk), utf8.RuneCountInString(hk)
		if short > long {
			short, long = long, short
		}
		if strings.Contains(hk, nk) || strings.Contains(nk, hk) && utf8.RuneCountInString(hk) >= 2 {
			s = 0.5 + 0.4*float64(short)/float64(long)
		} else if long <= maxDiceRunes {
			s = 0.2 + 0.7*dice(hk, nk)
			if s < 0.35 {
				continue
			}
		}
		if s > best {
			best, why = s, fmt.Sprintf("header is like %s", n)
		}
	}
	return best, why
}

// foldedNames caches the schema's names folded as headers are.
var foldedNames sync.Map

func foldedName(name string) string {
	if v, ok := foldedNames.Load(name); ok {
		return v.(string)
	}
	k := index.HeaderKey(name)
	foldedNames.Store(name, k)
	return k
}

// spellings caches initialSpellings of the schema's names: a proposal asks for every name once
// per column and type.
var spellings sync.Map

func cachedSpellings(name string) []string {
	if v, ok := spellings.Load(name); ok {
		return v.([]string)
	}
	sp := initialSpellings(name)
	spellings.Store(name, sp)
	return sp
}

func ascii(s string) bool {
	for _, r := range s {
		if r > unicode.MaxASCII {
			return false
		}
	}
	return true
}

func allWords(words, rule []string) bool {
	for _, w := range rule {
		found := false
		for _, t := range words {
			if t == w || len(w) >= 4 && strings.HasPrefix(t, w) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// maxDiceRunes: a longer header is no column name anyone would recognise by its bigrams.
const maxDiceRunes = 32

// dice is the Dice coefficient of two strings' character bigrams.
func dice(a, b string) float64 {
	ba, bb := bigrams(a), bigrams(b)
	if len(ba) == 0 || len(bb) == 0 {
		return 0
	}
	common := 0
	for g, n := range ba {
		common += min(n, bb[g])
	}
	total := 0
	for _, n := range ba {
		total += n
	}
	for _, n := range bb {
		total += n
	}
	return 2 * float64(common) / float64(total)
}

func bigrams(s string) map[string]int {
	rs := []rune(s)
	m := map[string]int{}
	for i := 0; i+1 < len(rs); i++ {
		m[string(rs[i:i+2])]++
	}
	return m
}
