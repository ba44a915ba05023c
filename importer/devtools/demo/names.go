package demo

import (
	"strconv"
	"strings"
)

// person draws a legal representative / operator: weighted surname and one or two given-name
// characters. It returns the surname separately because shop names use it (老王小吃店).
func (gn *generator) person() (full, surname string) {
	g := gn.g
	surname = gn.t.surnames[gn.t.surnameW.pick(g)]
	full = surname + pick(g, gn.t.givenChars)
	if g.chance(0.72) {
		full += pick(g, gn.t.givenChars)
	}
	return full, surname
}

// trade draws a 字号: mostly from the corpus of real short names, partly built from the
// syllables typical of trade names, which also widens the space so names rarely repeat.
func (gn *generator) trade() string {
	g := gn.g
	if g.chance(0.8) {
		return pick(g, gn.t.tradeNames)
	}
	var b [3]rune
	n := 2
	if g.chance(0.25) {
		n = 3
	}
	for k := 0; k < n; k++ {
		b[k] = pick(g, tradeChars)
	}
	return string(b[:n])
}

func (gn *generator) latin() string { return pick(gn.g, latinTokens) }

// nameOpts force features of a name; the dirty-mode showcase entities use them so every
// kind of dirt has something to act on.
type nameOpts struct {
	latin bool // a Latin/digit token
	paren bool // a region in （）
}

// companyName builds 「region」「字号」「行业」「组织形式」 with the variants real names have.
func (gn *generator) companyName(r *region, word string, form int, capWan float64, o nameOpts) string {
	g := gn.g
	trade := gn.trade()
	if o.latin || g.chance(0.03) {
		// The token goes next to the trade name, not instead of it: a bare "365科技有限公司"
		// would repeat across a large snapshot.
		if tok := gn.latin(); g.chance(0.5) {
			trade = tok + trade
		} else {
			trade += tok
		}
	}
	var suffix string
	switch form {
	case formJSC:
		suffix = "股份有限公司"
		if capWan >= 5000 && g.chance(0.15) {
			suffix = "集团股份有限公司"
		}
	case formSole:
		return gn.regionPrefix(r, false) + trade + pick(g, soleEndings)
	case formLP, formGP:
		kind := "（有限合伙）"
		if form == formGP {
			kind = "（普通合伙）"
		}
		return gn.regionPrefix(r, false) + trade + pick(g, partnershipStems) + kind
	case formCollective:
		return r.countyFull + trade + pick(g, collectiveEndings)
	case formSOE:
		return r.city + trade + word + pick(g, []string{"公司", "总公司", "有限公司"})
	default:
		switch x := g.f(); {
		case capWan >= 5000 && x < 0.2:
			suffix = "集团有限公司"
		case x < 0.83:
			suffix = "有限公司"
		default:
			suffix = "有限责任公司"
		}
	}
	x := g.f()
	if o.paren {
		x = 0.995
	}
	switch {
	case x < 0.33:
		return r.cityShort + trade + word + suffix
	case x < 0.49:
		return r.city + trade + word + suffix
	case x < 0.58:
		return r.provShort + trade + word + suffix
	case x < 0.64:
		return r.countyFull + trade + word + suffix
	case x < 0.72:
		if g.chance(0.6) {
			return trade + "（" + r.provShort + "）" + word + suffix
		}
		return trade + "（" + r.cityShort + "）" + word + suffix
	case x < 0.77:
		return trade + word + "（" + r.cityShort + "）" + suffix
	case x < 0.99:
		return trade + word + suffix
	default:
		return trade + "（" + r.provShort + "）" + word + suffix
	}
}

// regionPrefix is the place at the start of a name: city (with or without 市), county or none.
func (gn *generator) regionPrefix(r *region, county bool) string {
	switch x := gn.g.f(); {
	case county && x < 0.5:
		return r.countyFull
	case x < 0.45:
		return r.cityShort
	case x < 0.7:
		return r.city
	case x < 0.8:
		return r.countyFull
	}
	return ""
}

var ordinals = []string{"第一", "第二", "第三", "第四", "第五", "第六"}

// branchName is the parent's full name plus the branch: "…有限公司厦门分公司".
func (gn *generator) branchName(r *region, word string, form int, o nameOpts) string {
	g := gn.g
	pr := r
	if g.chance(0.6) {
		pr = &gn.t.regions[g.n(len(gn.t.regions))]
	}
	parent := gn.companyName(pr, word, form, 10000, o)
	switch x := g.f(); {
	case x < 0.45:
		return parent + r.cityShort + "分公司"
	case x < 0.7:
		return parent + r.countyShort + "分公司"
	case x < 0.8:
		return parent + r.city + "分公司"
	case x < 0.88:
		return parent + pick(g, ordinals) + "分公司"
	case x < 0.95:
		return parent + pick(g, streetStems) + "路分公司"
	}
	return parent + r.countyShort + "营业部"
}

// individualName: 个体工商户 names are place + a 字号 often made from the operator's name + shop.
func (gn *generator) individualName(r *region, surname, rep string, shop string, o nameOpts) string {
	g := gn.g
	var prefix string
	switch x := g.f(); {
	case x < 0.45:
		prefix = r.countyFull
	case x < 0.75:
		prefix = r.county
	case x < 0.96:
		if r.city != r.county {
			prefix = r.city + r.county
		} else {
			prefix = r.county
		}
	}
	var core string
	switch x := g.f(); {
	case prefix == "":
		core = gn.trade() // without a place, 老王便利店 would repeat all over the country
	case x < 0.12:
		core = "老" + surname
	case x < 0.24:
		core = surname + "记"
	case x < 0.29:
		core = "小" + surname
	case x < 0.33:
		core = surname + pick(g, []string{"姐", "哥", "嫂", "师傅"})
	case x < 0.37:
		core = "阿" + pick(g, gn.t.givenChars)
	case x < 0.47:
		core = strings.TrimPrefix(rep, surname) // the operator's given name: 建华五金店
		if len(core) < 6 {
			core = rep
		}
	default:
		core = gn.trade()
	}
	if o.latin || g.chance(0.02) {
		core += gn.latin()
	}
	if o.paren {
		return prefix + core + shop + "（" + r.countyShort + "店）"
	}
	return prefix + core + shop
}

// coopName: "闽侯县富民果蔬种植专业合作社".
func (gn *generator) coopName(r *region) string {
	g := gn.g
	c := coopKinds[gn.coopW.pick(g)]
	prefix := r.county
	switch x := g.f(); {
	case x < 0.25:
		prefix = r.countyFull
	case x < 0.35 && r.city != r.county:
		prefix = r.city + r.county
	}
	core := gn.syllables(2)
	if g.chance(0.3) {
		core = gn.syllables(2) + "村"
	}
	return prefix + core + c.product + c.kind
}

func (gn *generator) syllables(n int) string {
	var b [4]rune
	for k := 0; k < n; k++ {
		b[k] = pick(gn.g, tradeChars)
	}
	return string(b[:n])
}

// address: "福建省福州市鼓楼区五四路128号华威大厦15层1503室" or a village address in counties.
func (gn *generator) address(r *region, rural bool) string {
	g := gn.g
	var b strings.Builder
	b.Grow(96)
	if g.chance(0.5) && r.prov != r.city {
		b.WriteString(r.prov)
	}
	if r.city != r.county {
		b.WriteString(r.city)
	}
	b.WriteString(r.county)
	if rural {
		b.WriteString(gn.syllables(2))
		b.WriteString(pick(g, []string{"镇", "乡", "镇", "街道"}))
		b.WriteString(gn.syllables(2))
		b.WriteString("村")
		if g.chance(0.5) {
			b.WriteString(strconv.Itoa(g.between(1, 12)))
			b.WriteString("组")
		}
		b.WriteString(strconv.Itoa(g.between(1, 300)))
		b.WriteString("号")
		return b.String()
	}
	b.WriteString(pick(g, streetStems))
	b.WriteString(streetKinds[gn.streetW.pick(g)].s)
	b.WriteString(strconv.Itoa(g.between(1, 999)))
	b.WriteString("号")
	switch x := g.f(); {
	case x < 0.35:
		b.WriteString(gn.syllables(2))
		b.WriteString(pick(g, buildingKinds))
		floor := g.between(1, 32)
		b.WriteString(strconv.Itoa(floor))
		b.WriteString("层")
		b.WriteString(strconv.Itoa(floor*100 + g.between(1, 20)))
		b.WriteString("室")
	case x < 0.55:
		b.WriteString(strconv.Itoa(g.between(1, 20)))
		b.WriteString("号楼")
		b.WriteString(strconv.Itoa(g.between(1, 6)))
		b.WriteString("单元")
		b.WriteString(strconv.Itoa(g.between(1, 30)*100 + g.between(1, 4)))
		b.WriteString("室")
	case x < 0.65:
		b.WriteString(pick(g, []string{"一层", "店面", "一楼店面", "101室"}))
	}
	return b.String()
}

// scope builds a 经营范围 in the style of its time: since 2021 registrations list
// 一般项目 and 许可项目 separately with fixed closing sentences.
func (gn *generator) scope(grp int, word string, newStyle bool, few bool) string {
	g := gn.g
	gen := scopeGeneral[grp]
	n := g.between(3, 7)
	if few {
		n = g.between(1, 3)
	}
	var b strings.Builder
	b.Grow(256)
	if newStyle {
		b.WriteString("一般项目：")
	}
	wrote := 0
	if word != "" {
		// A GB/T 4754 leaf leads the scope: an activity as is (稻谷种植), a product as its sale.
		b.WriteString(word)
		if !endsWithAny(word, activitySuffixes) {
			b.WriteString("销售")
		}
		wrote++
	}
	start := g.n(len(gen))
	for k := 0; k < n && k < len(gen); k++ {
		if wrote > 0 {
			b.WriteString("；")
		}
		b.WriteString(gen[(start+k)%len(gen)])
		wrote++
	}
	permits := scopePermit[grp]
	withPermit := len(permits) > 0 && g.chance(0.4)
	if newStyle {
		b.WriteString("。")
		b.WriteString(scopeTailNew)
		if withPermit {
			b.WriteString("许可项目：")
			b.WriteString(permits[g.n(len(permits))])
			b.WriteString("。")
			b.WriteString(scopeTailPermit)
		}
		return b.String()
	}
	if withPermit {
		b.WriteString("；")
		b.WriteString(permits[g.n(len(permits))])
	}
	b.WriteString("。")
	b.WriteString(scopeTailOld)
	return b.String()
}

var activitySuffixes = []string{"种植", "养殖", "饲养", "捕捞", "育种", "育苗", "采运", "采集", "服务", "加工", "冶炼", "开采",
	"屠宰", "制作", "印制", "运输", "修理", "发电", "设计", "代理", "经纪", "出版", "出租", "租赁", "培训", "治理", "监测",
	"拍卖", "典当", "中心", "娱乐", "建筑", "拆除", "管理", "咨询", "调查", "引航", "仓储", "配送"}

func endsWithAny(s string, sufs []string) bool {
	for _, x := range sufs {
		if strings.HasSuffix(s, x) {
			return true
		}
	}
	return false
}

// capital formats a registered capital in 万元 the way registers print it.
func capital(wan float64, currency string) string {
	s := strconv.FormatFloat(wan, 'f', -1, 64)
	return s + currency
}
