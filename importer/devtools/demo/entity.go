package demo

import (
	"math"
	"strconv"
	"strings"

	"github.com/gongshi/gongshi/index/uscc"
)

// Entity kinds, with the second character of their USCC.
const (
	kCompany    = iota // 91…
	kBranch            // 91…, name ends in 分公司
	kIndividual        // 92… 个体工商户
	kCoop              // 93… 农民专业合作社
)

var kindDigit = [...]byte{kCompany: '1', kBranch: '1', kIndividual: '2', kCoop: '3'}

// entity is the market entity being generated. One value is reused for every entity:
// nothing about an entity survives past its own records, which keeps memory constant.
type entity struct {
	i         int
	kind      int
	reg       *region
	code      string
	name      string
	typ       string
	form      int
	rep       string
	surname   string
	capWan    float64
	est       day
	approved  day
	status    string
	alive     bool // 存续 / 在业
	gone      bool // 注销 / 迁出: nothing happens after its approved date
	grp       int
	word      string
	authority string
	lo, hi    day // window for dated records
	showcase  bool
}

// generator holds everything that lives for the whole run: tables, weights, the open
// files and the document-number counters (bounded by the number of authorities).
type generator struct {
	t      *tables
	opts   Options
	dirty  bool
	D      day
	start6 day // records are dated within the six years before the snapshot
	reform day // 2015-10-01: codes issued from then on have MA… organisation codes
	base   day // 1995-01-01, the earliest establishment date
	perm   perm
	g      *rng
	outs   [nFiles]*out
	e      entity

	indW, companyW, branchW, shopW, coopW, streetW, catW wtable
	violW                                                [nGroups]wtable
	licW                                                 [nGroups]wtable
	licIdx                                               [nGroups][]int
	fineW, blReasonW, spotTypeW, spotResW, circW         wtable
	absCoW, absIndW, absCoopW                            wtable

	penSeq, licSeq, caseSeq seqs
	agCodes                 [nAgencies][]string // authority USCCs by agency and region index
	forced                  [nFiles]uint16      // dirt kinds forced on the current showcase entity's rows
}

// seqs are per-authority document counters. Numbers only have to be unique per
// authority, so a counter per county, prefecture and province suffices at any size.
type seqs [3][]uint32

func newSeqs(t *tables) seqs {
	return seqs{make([]uint32, len(t.regions)), make([]uint32, t.nCities), make([]uint32, t.nProvs)}
}

func (s *seqs) next(g *rng, level int, r *region) int {
	idx := r.idx
	switch level {
	case lvCity:
		idx = r.cityIdx
	case lvProv:
		idx = r.provIdx
	}
	v := &s[level][idx]
	if *v == 0 {
		*v = uint32(splitmix64(uint64(level)<<32|uint64(idx))%40) + 1
	}
	*v += uint32(1 + g.n(3))
	return int(*v)
}

func weightsOf[T any](xs []T, w func(T) float64) wtable {
	f := make([]float64, len(xs))
	for i, x := range xs {
		f[i] = w(x)
	}
	return newWTable(f)
}

func newGenerator(t *tables, opts Options) *generator {
	gn := &generator{t: t, opts: opts, dirty: opts.Dirty, g: newRNG(), perm: newPerm(opts.Seed)}
	gn.D = dayOf(opts.Date)
	gn.start6 = gn.D.addYears(-6) + 1
	gn.reform = mkday(2015, 10, 1)
	gn.base = mkday(1995, 1, 1)
	gn.indW = weightsOf(commonIndustries, func(x industry) float64 { return x.w })
	gn.companyW = weightsOf(companyTypes, func(x entType) float64 { return x.w })
	gn.branchW = weightsOf(branchTypes, func(x entType) float64 { return x.w })
	gn.shopW = weightsOf(shopTypes, func(x shopType) float64 { return x.w })
	gn.coopW = weightsOf(coopKinds, func(x coopKind) float64 { return x.w })
	gn.streetW = weightsOf(streetKinds, func(x ws) float64 { return x.w })
	gn.catW = weightsOf(penaltyCats, func(x penaltyCat) float64 { return x.w })
	for grp := 0; grp < nGroups; grp++ {
		gn.violW[grp] = weightsOf(violations, func(v violation) float64 {
			if v.groups == nil {
				return v.w
			}
			for _, x := range v.groups {
				if x == grp {
					return v.w * 3
				}
			}
			return v.w * 0.05
		})
		var w []float64
		for _, m := range licenceMix[grp] {
			for k, lk := range licenceKinds {
				if lk.cert == m.s {
					gn.licIdx[grp] = append(gn.licIdx[grp], k)
					w = append(w, m.w)
				}
			}
		}
		gn.licW[grp] = newWTable(w)
	}
	gn.fineW = weightsOf(fineYuan, func(x ws) float64 { return x.w })
	gn.blReasonW = weightsOf(blacklistReasons, func(x ws) float64 { return x.w })
	gn.spotTypeW = weightsOf(spotTypes, func(x ws) float64 { return x.w })
	gn.spotResW = weightsOf(spotResults, func(x ws) float64 { return x.w })
	gn.circW = weightsOf(debtorCircumstances, func(x ws) float64 { return x.w })
	absW := func(x listReason) float64 { return x.w }
	gn.absCoW = weightsOf(abnormalCompany, absW)
	gn.absIndW = weightsOf(abnormalIndividual, absW)
	gn.absCoopW = weightsOf(abnormalCoop, absW)
	gn.penSeq, gn.licSeq, gn.caseSeq = newSeqs(t), newSeqs(t), newSeqs(t)
	return gn
}

// gb11714Check is the check character of an organisation code (GB 11714): weights
// 3 7 9 10 5 8 4 2 over values 0-9A-Z, C = 11 − Σ mod 11, 10 → X, 11 → 0.
func gb11714Check(s []byte) byte {
	w := [8]int{3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := 0; i < 8; i++ {
		c := s[i]
		v := int(c - '0')
		if c >= 'A' {
			v = int(c-'A') + 10
		}
		sum += v * w[i]
	}
	switch c := 11 - sum%11; c {
	case 10:
		return 'X'
	case 11:
		return '0'
	default:
		return byte('0' + c)
	}
}

// orgCode is the nine-character 主体标识码 of entity i: eight digits for codes issued before
// the 2015 reform (they were the old organisation codes), "MA" and six alphabet characters
// after it, then the GB 11714 check character. The number comes from a permutation of i,
// so no two entities share one.
func (gn *generator) orgCode(i int, ma bool) string {
	v := gn.perm.apply(uint64(i))
	var b [9]byte
	if ma {
		b[0], b[1] = 'M', 'A'
		for k := 7; k >= 2; k-- {
			b[k] = uscc.Alphabet[v%31]
			v /= 31
		}
	} else {
		for k := 7; k >= 0; k-- {
			b[k] = byte('0' + v%10)
			v /= 10
		}
	}
	b[8] = gb11714Check(b[:8])
	// The check character is always 0-9 or X, all in the USCC alphabet; keep the guard
	// anyway because a code outside the alphabet would make CheckChar fail below.
	if strings.IndexByte(uscc.Alphabet, b[8]) < 0 {
		b[8] = '0'
	}
	return string(b[:])
}

// regNo is the 15-digit 注册号: region, eight digits, ISO 7064 MOD 11,10 check digit.
func (gn *generator) regNo(r *region, i int) string {
	v := (gn.perm.apply(uint64(i))*7919 + 12345) % permDomain
	var b [15]byte
	copy(b[:6], r.code)
	for k := 13; k >= 6; k-- {
		b[k] = byte('0' + v%10)
		v /= 10
	}
	p := 10
	for k := 0; k < 14; k++ {
		s := (p + int(b[k]-'0')) % 10
		if s == 0 {
			s = 10
		}
		p = s * 2 % 11
	}
	b[14] = byte('0' + (11-p)%10)
	return string(b[:])
}

func (gn *generator) uscc(kind int, r *region, org string) string {
	first := "9" + string(kindDigit[kind]) + r.code + org
	c, err := uscc.CheckChar(first)
	if err != nil {
		panic("demo: built an invalid code body " + first) // cannot happen: every part is from the alphabet
	}
	return first + string(c)
}

var statuses = []ws{{"存续", 70}, {"在业", 8}, {"吊销", 7}, {"注销", 13}, {"迁出", 2}}
var statusW = weightsOf(statuses, func(x ws) float64 { return x.w })

// Registered capital menus in 万元.
var capLLC = []ws{{"10", 8}, {"30", 6}, {"50", 10}, {"100", 20}, {"200", 10}, {"300", 7}, {"500", 12}, {"1000", 10}, {"2000", 4}, {"3000", 3}, {"5000", 3}, {"10000", 2}}
var capJSC = []ws{{"1000", 20}, {"2000", 15}, {"3000", 12}, {"5000", 20}, {"8000", 8}, {"10000", 15}, {"20000", 6}, {"50000", 4}}
var capLLCW, capJSCW = weightsOf(capLLC, func(x ws) float64 { return x.w }), weightsOf(capJSC, func(x ws) float64 { return x.w })

func (gn *generator) capital(e *entity) string {
	g := gn.g
	cur := "万元人民币"
	if strings.Contains(e.typ, "外") {
		cur = "万美元"
	} else if strings.Contains(e.typ, "港澳台") {
		cur = "万港元"
	}
	var wan float64
	switch {
	case e.kind == kBranch:
		return ""
	case e.kind == kIndividual:
		if g.chance(0.6) {
			return ""
		}
		e.capWan = float64(g.between(1, 50))
		return strconv.Itoa(int(e.capWan)) + "万元"
	case e.kind == kCoop:
		wan = float64(g.between(1, 100) * 10)
	case e.form == formJSC:
		wan, _ = strconv.ParseFloat(capJSC[capJSCW.pick(g)].s, 64)
	case e.form == formSole:
		wan = float64(g.between(1, 100))
	case e.form == formLP || e.form == formGP:
		wan = float64(g.between(1, 500) * 100)
	default:
		if g.chance(0.06) {
			wan = math.Round(g.f()*300000) / 100 // e.g. 1234.56
		} else {
			wan, _ = strconv.ParseFloat(capLLC[capLLCW.pick(g)].s, 64)
		}
	}
	e.capWan = wan
	return capital(wan, cur)
}

// entity generates entity i and all its records.
func (gn *generator) entity(i int) error {
	g := gn.g
	g.seed(gn.opts.Seed, i)
	e := &gn.e
	*e = entity{i: i}
	e.showcase = gn.dirty && i%showcaseEvery == showcaseAt
	gn.forced = [nFiles]uint16{}
	if e.showcase {
		// Each showcase entity puts two dirt kinds on its row in every file, rotating, so
		// that 1,000 entities already show every kind in every file at least once.
		j := i / showcaseEvery
		for f := range gn.forced {
			gn.forced[f] = 1<<((2*j+f)%nDirt) | 1<<((2*j+f+1)%nDirt)
		}
	}
	t := gn.t

	switch x := g.f(); {
	case e.showcase:
		e.kind = kCompany
	case x < 0.12:
		e.kind = kIndividual
	case x < 0.15:
		e.kind = kCoop
	case x < 0.19:
		e.kind = kBranch
	default:
		e.kind = kCompany
	}
	e.reg = &t.regions[g.n(len(t.regions))]
	if e.kind == kCoop && !e.reg.rural && g.chance(0.7) {
		e.reg = &t.regions[g.n(len(t.regions))]
	}
	r := e.reg

	// Establishment skewed towards recent years, as registrations have grown steadily.
	span := float64(gn.D - gn.base)
	e.est = gn.base + day(math.Pow(g.f(), 0.55)*span)
	if e.showcase {
		e.est = gn.D.addYears(-5) - day(g.n(3000))
	}
	if e.est > gn.D {
		e.est = gn.D
	}
	e.status = statuses[statusW.pick(g)].s
	if e.showcase || e.est > gn.D-90 {
		e.status = "存续"
	}
	e.alive = e.status == "存续" || e.status == "在业"
	e.gone = e.status == "注销" || e.status == "迁出"
	if e.alive {
		e.approved = e.est
		if g.chance(0.6) {
			e.approved = g.day(e.est, gn.D)
		}
	} else {
		e.approved = e.est + day((0.2+0.8*g.f())*float64(gn.D-e.est))
		if e.approved <= e.est {
			e.approved = e.est + 1
		}
		if e.approved > gn.D {
			e.approved = gn.D
		}
	}

	var no nameOpts
	if e.showcase {
		no = nameOpts{latin: true, paren: true}
	}
	rural := false
	switch e.kind {
	case kCompany, kBranch:
		if e.kind == kCompany {
			et := companyTypes[gn.companyW.pick(g)]
			if e.showcase {
				et = companyTypes[0] // an ordinary 有限公司 name has room for every kind of dirt
			}
			e.typ, e.form = et.name, et.form
		} else {
			et := branchTypes[gn.branchW.pick(g)]
			e.typ, e.form = et.name, et.form
		}
		scopeWord := ""
		if g.chance(0.7) {
			ind := commonIndustries[gn.indW.pick(g)]
			e.word, e.grp = ind.word, ind.grp
		} else {
			ind := pick(g, t.gbWords)
			e.word, e.grp, scopeWord = ind.word, ind.grp, ind.word
		}
		switch e.form {
		case formSole:
			e.grp = grpTrade
		case formLP, formGP:
			e.grp, e.word = grpFinance, ""
		}
		e.rep, e.surname = gn.person()
		capStr := gn.capital(e)
		if e.kind == kBranch {
			e.name = gn.branchName(r, e.word, e.form, no)
		} else {
			e.name = gn.companyName(r, e.word, e.form, e.capWan, no)
		}
		if e.showcase {
			// Traditional-character dirt needs a character it can convert: retry until the
			// name has one (华, 电, 业 … are common, so a few tries suffice).
			for k := 0; k < 8 && !hasTrad(e.name); k++ {
				e.name = gn.companyName(r, e.word, e.form, e.capWan, no)
			}
		}
		return gn.finishEntity(e, capStr, rural, scopeWord)
	case kIndividual:
		e.typ = typeIndividual
		shop := shopTypes[gn.shopW.pick(g)]
		e.grp, e.word = shop.grp, ""
		e.rep, e.surname = gn.person()
		e.name = gn.individualName(r, e.surname, e.rep, shop.s, no)
		rural = r.rural && g.chance(0.5)
		return gn.finishEntity(e, gn.capital(e), rural, "")
	default:
		e.typ, e.grp = typeCoop, grpAgri
		e.rep, e.surname = gn.person()
		e.name = gn.coopName(r)
		rural = r.rural || g.chance(0.5)
		return gn.finishEntity(e, gn.capital(e), rural, "")
	}
}

func (gn *generator) finishEntity(e *entity, capStr string, rural bool, scopeWord string) error {
	g, r := gn.g, e.reg
	e.code = gn.uscc(e.kind, r, gn.orgCode(e.i, e.est >= gn.reform || e.showcase))
	e.authority = r.countyFull + "市场监督管理局"

	o := gn.outs[fEntity]
	o.reset()
	o.set("code", e.code)
	o.set("name", e.name)
	o.set("entity_type", e.typ)
	o.set("legal_rep", e.rep)
	o.set("reg_capital", capStr)
	o.set("established", e.est.iso())
	if e.kind != kIndividual {
		o.set("term_from", e.est.iso())
		if g.chance(0.45) {
			o.set("term_to", (e.est.addYears(pick(g, []int{10, 20, 20, 30, 30, 50})) - 1).iso())
		}
	}
	o.set("authority", e.authority)
	o.set("approved", e.approved.iso())
	o.set("status", e.status)
	o.set("address", gn.address(r, rural))
	newStyle := e.est.year() >= scopeReformStart || (e.approved.year() >= scopeReformStart && g.chance(0.5))
	o.set("scope", gn.scope(e.grp, scopeWord, newStyle, e.kind == kIndividual))
	old := e.est < gn.reform
	if (old && g.chance(0.97)) || (!old && g.chance(0.3)) {
		o.set("reg_no", gn.regNo(r, e.i))
	}
	if e.kind != kIndividual && ((old && g.chance(0.9)) || (!old && g.chance(0.3))) {
		org := e.code[8:17]
		o.set("org_code", org[:8]+"-"+org[8:])
	}
	if (e.kind == kCompany || e.kind == kCoop) && g.chance(0.05) {
		former := gn.formerName(e)
		if g.chance(0.2) {
			former += "；" + gn.formerName(e)
		}
		o.set("former_names", former)
	}
	gn.emit(fEntity, gn.forced[fEntity])

	e.lo = max(e.est+20, gn.start6)
	e.hi = gn.D
	if e.gone {
		e.hi = e.approved
	}
	return gn.records(e)
}

// formerName is a name the entity had before: another trade name or industry, same region.
func (gn *generator) formerName(e *entity) string {
	if e.kind == kCoop {
		return gn.coopName(e.reg)
	}
	word := e.word
	if gn.g.chance(0.5) {
		word = commonIndustries[gn.indW.pick(gn.g)].word
	}
	return gn.companyName(e.reg, word, e.form, e.capWan, nameOpts{})
}

func hasTrad(s string) bool {
	for _, r := range s {
		if _, ok := trad[r]; ok {
			return true
		}
	}
	return false
}
