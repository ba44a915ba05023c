package demo

import (
	"strings"

	"github.com/gongshi/gongshi/index/uscc"
)

// Kinds of dirt that Options.Dirty mixes into rows, each what real agency files contain.
// (File-level dirt, GB18030 penalties and XLSX licences, is chosen in Generate.)
const (
	dFwName     = iota // full-width Latin letters and digits in a name: ＡＢＣ５Ｇ
	dHalfParen         // half-width () where names have full-width （）
	dTrad              // traditional characters: 華威電子
	dLowerCode         // lower-case code
	dFwCode            // full-width code
	dWrongCheck        // the 18th character does not match (typo, or an early pilot code)
	dOddDate           // 2024/3/5, 2024年3月5日 or 20240305
	dMissing           // a required field left empty
	dDuplicate         // the same row twice
	nDirt
)

// dirtKinds names the dirt kinds for test output.
var dirtKinds = [nDirt]string{"fullwidth_name", "halfwidth_parens", "traditional", "lowercase_code",
	"fullwidth_code", "wrong_check_digit", "odd_date", "missing_required", "duplicate_row"}

// Every showcaseEvery-th entity (from showcaseAt) is a showcase in dirty mode: it has a row
// in every file, each carrying forced dirt, so small snapshots still contain every kind.
const showcaseEvery, showcaseAt = 200, 77

// emit writes the current row of file f, first dirtying it in dirty mode: forced kinds
// (showcase entities) plus each kind at a small random rate.
func (gn *generator) emit(f int, forced uint16) {
	o := gn.outs[f]
	if !gn.dirty {
		o.writeRow(o.row)
		return
	}
	g := gn.g
	mask := forced
	name := ""
	if o.nameCol >= 0 {
		name = o.row[o.nameCol]
	}
	// Rates are conditional where the dirt needs something to act on, so that each kind
	// ends up at roughly 0.5–2% of rows.
	if hasASCIIAlnum(name) && g.chance(0.25) {
		mask |= 1 << dFwName
	}
	if strings.Contains(name, "（") && g.chance(0.12) {
		mask |= 1 << dHalfParen
	}
	if g.chance(0.01) {
		mask |= 1 << dTrad
	}
	if g.chance(0.012) {
		mask |= 1 << dLowerCode
	}
	if g.chance(0.007) {
		mask |= 1 << dFwCode
	}
	if g.chance(0.005) {
		mask |= 1 << dWrongCheck
	}
	if g.chance(0.015) {
		mask |= 1 << dOddDate
	}
	if g.chance(0.005) {
		mask |= 1 << dMissing
	}
	if g.chance(0.007) {
		mask |= 1 << dDuplicate
	}
	if mask != 0 {
		gn.dirty1(o, mask)
	}
	o.writeRow(o.row)
	if mask&(1<<dDuplicate) != 0 {
		o.writeRow(o.row)
	}
}

func (gn *generator) dirty1(o *out, mask uint16) {
	g := gn.g
	has := func(k int) bool { return mask&(1<<k) != 0 }
	if c := o.nameCol; c >= 0 && o.row[c] != "" {
		if has(dHalfParen) {
			o.row[c] = strings.NewReplacer("（", "(", "）", ")").Replace(o.row[c])
		}
		if has(dTrad) {
			o.row[c] = toTrad(o.row[c])
		}
		if has(dFwName) {
			o.row[c] = widen(o.row[c], true)
		}
	}
	if c := o.codeCol; c >= 0 && len(o.row[c]) == 18 {
		code := o.row[c]
		if has(dWrongCheck) {
			i := strings.IndexByte(uscc.Alphabet, code[17])
			code = code[:17] + string(uscc.Alphabet[(i+1+g.n(30))%31])
		}
		if has(dLowerCode) {
			code = strings.ToLower(code)
		}
		if has(dFwCode) {
			code = widen(code, false)
		}
		o.row[c] = code
	}
	if has(dOddDate) {
		style := g.n(nDateStyles)
		for _, c := range o.dateCols {
			o.row[c] = oddDate(o.row[c], style)
		}
	}
	if has(dMissing) && len(o.reqCols) > 0 {
		o.row[o.reqCols[g.n(len(o.reqCols))]] = ""
	}
}

func hasASCIIAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
}

// widen converts ASCII to full-width forms (Ａ, ５); with alnumOnly, other ASCII stays.
func widen(s string, alnumOnly bool) string {
	var b strings.Builder
	b.Grow(len(s) * 3)
	for _, r := range s {
		if r > 0x20 && r < 0x7f && (!alnumOnly || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			r += 0xfee0
		}
		b.WriteRune(r)
	}
	return b.String()
}

func toTrad(s string) string {
	return strings.Map(func(r rune) rune {
		if t, ok := trad[r]; ok {
			return t
		}
		return r
	}, s)
}
