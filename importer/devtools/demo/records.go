package demo

import (
	"strconv"
	"strings"

	"github.com/gongshi/gongshi/index/uscc"
)

// Expected records per entity, tuned so 100 entities carry about 8 penalties, 15 licences,
// 6 abnormal-list and 1 blacklist entries, 1.5 dishonest-debtor records, 10 spot checks
// and 1.5 red-list rows (see the proportions test).
const (
	pPenalty, morePenalty = 0.056, 0.2
	pLicence, moreLicence = 0.11, 0.3
	pAbnormal, moreAbn    = 0.045, 0.15
	pBlacklist            = 0.014
	pDebtor, moreDebtor   = 0.014, 0.3
	pSpot, moreSpot       = 0.085, 0.15
	pRedlist              = 0.022
)

// records writes every record of the current entity, each file in turn.
func (gn *generator) records(e *entity) error {
	g := gn.g
	sc := e.showcase
	window := e.hi >= e.lo
	corp := e.kind == kCompany || e.kind == kBranch

	if window {
		n := g.count(pPenalty, morePenalty)
		if sc && n == 0 {
			n = 1
		}
		for k := 0; k < n; k++ {
			gn.penalty(e)
		}
		// A revoked licence is itself a penalty decision; some of them are in the window.
		if e.status == "吊销" && e.approved >= e.lo && e.approved <= e.hi && g.chance(0.3) {
			gn.revocation(e)
		}
		n = g.count(pLicence, moreLicence)
		if sc && n == 0 {
			n = 1
		}
		for k := 0; k < n; k++ {
			gn.licence(e, k)
		}
		p := pAbnormal
		if e.status == "吊销" {
			p *= 3
		}
		n = g.count(p, moreAbn)
		if sc && n == 0 {
			n = 1
		}
		gn.abnormal(e, n)
		if e.kind == kCompany && (sc || g.chance(pBlacklist)) {
			gn.blacklist(e)
		}
		if corp {
			n = g.count(pDebtor, moreDebtor)
			if sc && n == 0 {
				n = 1
			}
			for k := 0; k < n; k++ {
				gn.debtor(e)
			}
		}
		n = g.count(pSpot, moreSpot)
		if sc && n == 0 {
			n = 1
		}
		for k := 0; k < n; k++ {
			gn.spotCheck(e)
		}
	}
	if e.kind == kCompany && e.alive && e.est.year() <= gn.D.year()-2 && (sc || g.chance(pRedlist)) {
		gn.redlist(e)
	}
	return nil
}

// agencyName spells an authority for a region.
func agencyName(a int, r *region) string {
	ag := &agencies[a]
	switch ag.style {
	case styleTax:
		return "国家税务总局" + r.countyFull + "税务局"
	case stylePolice:
		if strings.HasSuffix(r.county, "区") && r.city != r.county {
			return r.city + "公安局" + r.countyShort + "分局"
		}
		return r.countyFull + "公安局"
	}
	switch ag.level {
	case lvCity:
		return r.city + ag.suffix
	case lvProv:
		return r.prov + ag.suffix
	}
	return r.countyFull + ag.suffix
}

// agencyCode is the authority's own USCC: 11 (机关) + its region + an organisation code
// derived from the authority, so the same authority always has the same valid code.
// Codes are memoised: there are at most a few thousand authorities per agency kind.
func (gn *generator) agencyCode(a int, r *region) string {
	level := agencies[a].level
	idx := [3]int{r.idx, r.cityIdx, r.provIdx}[level]
	cache := gn.agCodes[a]
	if cache == nil {
		cache = make([]string, [3]int{len(gn.t.regions), gn.t.nCities, gn.t.nProvs}[level])
		gn.agCodes[a] = cache
	}
	if cache[idx] == "" {
		code := [3]string{r.code, r.cityCode, r.provCode}[level]
		v := splitmix64(uint64(level)<<40^uint64(idx)<<8^uint64(a)^0x5bd1e995) % 10_000_000
		var b [9]byte
		b[0] = '0'
		for k := 7; k >= 1; k-- {
			b[k] = byte('0' + v%10)
			v /= 10
		}
		b[8] = gb11714Check(b[:8])
		first := "11" + code + string(b[:])
		c, err := uscc.CheckChar(first)
		if err != nil {
			panic("demo: built an invalid authority code body " + first) // cannot happen: digits only
		}
		cache[idx] = first + string(c)
	}
	return cache[idx]
}

// docPrefix is the place abbreviation at the start of an authority's document numbers.
func docPrefix(level int, r *region) string {
	switch level {
	case lvCity:
		return r.cityAbbr
	case lvProv:
		return r.provAbbr
	}
	return r.docAbbr
}

func itoa(n int) string { return strconv.Itoa(n) }

func pad(n, width int) string {
	s := strconv.Itoa(n)
	if len(s) >= width {
		return s
	}
	return strings.Repeat("0", width-len(s)) + s
}

// wan formats yuan as 万元 with two decimals (0.35 for 3,500 yuan).
func wan(yuan int) string {
	c := (yuan + 50) / 100
	return itoa(c/100) + "." + pad(c%100, 2)
}

// fill replaces the placeholders of a fact template.
func (gn *generator) fill(s string, d day) string {
	if !strings.Contains(s, "{") {
		return s
	}
	g := gn.g
	s = strings.Replace(s, "{n}", itoa(g.between(2, 60)), 1)
	s = strings.Replace(s, "{m}", itoa(g.between(30, 20000)), 1)
	if strings.Contains(s, "{d}") {
		y, m, dd := (d - day(g.between(10, 90))).ymd()
		s = strings.Replace(s, "{d}", itoa(y)+"年"+itoa(m)+"月"+itoa(dd)+"日", 1)
	}
	return s
}

func (gn *generator) penalty(e *entity) {
	g := gn.g
	r := e.reg
	v := &violations[gn.violW[e.grp].pick(g)]
	ag := &agencies[v.ag]
	cat := &penaltyCats[gn.catW.pick(g)]
	d := g.day(e.lo, e.hi)

	o := gn.outs[fPenalty]
	o.reset()
	o.set("name", e.name)
	o.set("code", e.code)
	o.set("doc_no", docPrefix(ag.level, r)+ag.penCode+"〔"+itoa(d.year())+"〕"+itoa(gn.penSeq.next(g, ag.level, r))+"号")
	o.set("violation_type", v.vtype)
	facts := gn.fill(pick(g, v.facts), d) + "，违反了相关法律法规的规定。"
	if g.chance(0.05) {
		facts = strings.Replace(facts, "，", ",", 1) // half-width punctuation is common; exercises CSV quoting
	}
	o.set("facts", facts)
	o.set("basis", v.basis)
	o.set("category", cat.cat)
	yuan := 0
	var content []string
	if strings.Contains(cat.cat, "警告") {
		content = append(content, "警告")
	}
	if cat.fine {
		if g.chance(0.8) {
			yuan, _ = strconv.Atoi(fineYuan[gn.fineW.pick(g)].s)
		} else {
			yuan = g.between(1, 600) * 100
		}
		o.set("fine", wan(yuan))
		content = append(content, "罚款人民币"+itoa(yuan)+"元")
	}
	if cat.confisc {
		c := g.between(50, 60000)
		o.set("confiscated", wan(c))
		content = append(content, "没收违法所得人民币"+itoa(c)+"元")
	}
	if strings.Contains(cat.cat, "非法财物") {
		content = append(content, "没收非法财物")
	}
	if strings.Contains(cat.cat, "通报批评") {
		content = append(content, "通报批评")
	}
	if strings.Contains(cat.cat, "停产停业") {
		content = append(content, "责令停产停业"+itoa(cat.months)+"个月")
	}
	if strings.Contains(cat.cat, "暂扣") {
		content = append(content, "暂扣许可证件"+itoa(cat.months)+"个月")
	}
	if strings.Contains(cat.cat, "吊销") {
		content = append(content, "吊销许可证件")
	}
	o.set("content", strings.Join(content, "，"))
	o.set("decision_date", d.iso())
	if cat.months > 0 {
		o.set("valid_until", d.addMonths(cat.months).iso())
	} else if g.chance(0.4) {
		o.set("valid_until", d.addYears(1).iso())
	}
	// SAMR Order 45: 通报批评 and small fines are public for 3 months, the rest for 3 years
	// (longer if the restriction lasts longer). About 30% of rows leave it to the portal.
	if g.chance(0.7) {
		small := cat.critical || cat.cat == "警告" || (cat.fine && yuan < 10000)
		until := d.addYears(3)
		if small {
			until = d.addMonths(3)
		}
		if end := d.addMonths(cat.months); end > until {
			until = end
		}
		o.set("public_until", until.iso())
	}
	authority := agencyName(v.ag, r)
	o.set("authority", authority)
	o.set("authority_code", gn.agencyCode(v.ag, r))
	if g.chance(0.85) {
		o.set("data_source", authority)
	} else {
		o.set("data_source", r.city+"发展和改革委员会")
	}
	if g.chance(0.4) {
		if cat.severe || yuan >= 100000 {
			o.set("severity", "严重")
		} else {
			o.set("severity", "一般")
		}
	}
	gn.emit(fPenalty, gn.forced[fPenalty])
}

// revocation is the 吊销营业执照 decision of an entity whose status is 吊销.
func (gn *generator) revocation(e *entity) {
	g, r := gn.g, e.reg
	o := gn.outs[fPenalty]
	o.reset()
	d := e.approved
	o.set("name", e.name)
	o.set("code", e.code)
	o.set("doc_no", r.docAbbr+"市监处罚〔"+itoa(d.year())+"〕"+itoa(gn.penSeq.next(g, lvCounty, r))+"号")
	o.set("violation_type", "无正当理由超过六个月未开业或者开业后自行停业连续六个月以上")
	o.set("facts", "当事人成立后无正当理由超过六个月未开业，或者开业后自行停业连续六个月以上。")
	o.set("basis", "《中华人民共和国公司法》第二百一十一条第一款")
	o.set("category", "吊销营业执照")
	o.set("content", "吊销营业执照")
	o.set("decision_date", d.iso())
	if g.chance(0.7) {
		o.set("public_until", d.addYears(3).iso())
	}
	o.set("authority", e.authority)
	o.set("authority_code", gn.agencyCode(agSAMR, r))
	o.set("data_source", e.authority)
	if g.chance(0.4) {
		o.set("severity", "严重")
	}
	gn.emit(fPenalty, gn.forced[fPenalty])
}

// Licences an individual business cannot hold.
var corpOnlyLicence = map[string]bool{"劳务派遣经营许可证": true, "人力资源服务许可证": true, "增值电信业务经营许可证": true,
	"建筑业企业资质证书": true, "房地产开发企业资质证书": true, "企业投资项目核准批复": true, "安全生产许可证": true}

func (gn *generator) licence(e *entity, k int) {
	g, r := gn.g, e.reg
	lk := &licenceKinds[gn.licIdx[e.grp][gn.licW[e.grp].pick(g)]]
	if e.kind == kIndividual && corpOnlyLicence[lk.cert] {
		lk = &licenceKinds[0] // 食品经营许可证, what most shops hold
	}
	biz := lk.nofmt == noBizLicence
	a := lk.ag
	if !biz && agencies[a].level == lvCounty && agencies[a].style == stylePlain && g.chance(0.2) {
		a = agApproval // counties that concentrated permits in one 行政审批局
	}
	ag := &agencies[a]
	hi := e.hi
	if e.status == "吊销" {
		hi = min(hi, e.approved) // nothing is granted to an entity whose licence was revoked
	}
	if hi < e.lo {
		return
	}
	d := g.day(e.lo, hi)
	content := pick(g, lk.contents)
	if biz {
		if e.est >= gn.start6 && k == 0 && g.chance(0.4) {
			d, content = e.est, "准予设立登记"
		} else if content == "准予设立登记" {
			content = lk.contents[1]
		}
	}
	seq := gn.licSeq.next(g, ag.level, r)
	y := d.year()
	o := gn.outs[fLicense]
	o.reset()
	o.set("name", e.name)
	o.set("code", e.code)
	no := gn.licenceNo(lk.nofmt, e, r, seq, d, k)
	doc := docPrefix(ag.level, r) + ag.licCode + "〔" + itoa(y) + "〕" + itoa(seq) + "号"
	if biz {
		doc = r.docAbbr + "市监登字〔" + itoa(y) + "〕第" + itoa(seq) + "号"
	} else if lk.nofmt != noPollution && g.chance(0.5) {
		doc = no
	}
	docName := lk.docName
	if !biz && g.chance(0.3) {
		docName = "行政许可决定书"
	}
	o.set("doc_name", docName)
	o.set("doc_no", doc)
	o.set("category", lk.cat)
	o.set("cert_name", lk.cert)
	o.set("license_no", no)
	o.set("content", content)
	o.set("decision_date", d.iso())
	o.set("valid_from", d.iso())
	var to day
	if lk.years > 0 {
		to = d.addYears(lk.years) - 1
		o.set("valid_to", to.iso())
	}
	state := "有效"
	switch {
	case g.chance(0.01):
		state = "撤销"
	case !e.alive && (to == 0 || to >= e.approved) && g.chance(0.8):
		state = "注销"
	case to != 0 && to < gn.D && g.chance(0.5):
		state = "注销"
	}
	o.set("state", state)
	if biz {
		o.set("authority", e.authority)
	} else {
		o.set("authority", agencyName(a, r))
	}
	gn.emit(fLicense, gn.forced[fLicense])
}

// licenceNo spells a licence number in the format of its kind. Every format embeds the
// authority's counter (or the holder's code), so numbers are unique per authority.
func (gn *generator) licenceNo(f int, e *entity, r *region, seq int, d day, k int) string {
	g := gn.g
	y := itoa(d.year())
	switch f {
	case noFood:
		kd := "1"
		if e.kind == kIndividual {
			kd = "2"
		}
		return "JY" + kd + r.code + pad(seq, 6) + itoa(g.n(10))
	case noFoodProd:
		return "SC" + pick(g, []string{"106", "107", "114", "103", "104"}) + r.cityCode + pad(seq, 4) + itoa(g.n(10))
	case noRoad:
		return r.provAbbr + "交运管许可" + r.cityAbbr + "字" + r.code + pad(seq, 6) + "号"
	case noDrug:
		return r.provAbbr + "CB" + r.code[2:4] + pad(seq, 5)
	case noDeviceRecord:
		return r.provAbbr + r.docAbbr + "药监械经营备" + y + pad(seq, 4) + "号"
	case noDevice:
		return r.provAbbr + r.cityAbbr + "药监械经营许" + y + pad(seq, 4) + "号"
	case noPollution:
		return e.code + pad(k+1, 3) + pick(g, []string{"V", "U", "W", "Q", "X", "Y", "R"})
	case noBuildQual:
		return "D3" + r.code[:2] + pad(seq, 6)
	case noSafety:
		return "（" + r.provAbbr + "）JZ安许证字[" + y + "]" + r.cityCode[2:4] + pad(seq, 4)
	case noHazChem:
		return r.provAbbr + r.docAbbr + "危化经字[" + y + "]" + pad(seq, 5)
	case noTobacco:
		return r.cityCode + pad(seq, 6)
	case noTelecom:
		return r.provAbbr + "B2-" + y + pad(seq, 4)
	case noHRService:
		return "（" + r.provAbbr + "）人服证字〔" + y + "〕第" + r.code + pad(seq, 4) + "号"
	case noLabour:
		return r.provAbbr + r.docAbbr + "人社劳派许字〔" + y + "〕第" + pad(seq, 4) + "号"
	case noPerform:
		return r.code + "12" + pad(seq, 4)
	case noNetCulture:
		return r.provAbbr + "网文〔" + y + "〕" + pad(seq, 4) + "-" + pad(g.n(1000), 3) + "号"
	case noHygiene:
		return r.provAbbr + "卫公证字〔" + y + "〕第" + r.code + "-" + pad(seq, 6) + "号"
	case noPublication:
		return "新出发" + r.docAbbr + "字第" + pad(seq, 4) + "号"
	case noSpecialEquip:
		return pick(g, []string{"梯11", "容1A", "车11"}) + r.provAbbr + r.docAbbr + pad(seq, 5) + "(" + y[2:] + ")"
	case noDrain:
		return r.provAbbr + r.docAbbr + "排水字第" + y + pad(seq, 4) + "号"
	case noBizLicence:
		return e.code
	case noProject:
		return r.cityAbbr + "发改审批〔" + y + "〕" + itoa(seq) + "号"
	case noRealtyQual:
		return r.cityAbbr + "房开[" + y + "]" + pad(seq, 4) + "号"
	case noConstruction:
		return r.code + strings.ReplaceAll(d.iso(), "-", "") + pad(seq, 4)
	case noSpecialTrade:
		return r.docAbbr + "公特旅字[" + y + "]第" + pad(seq, 4) + "号"
	case noWater:
		return "取水（" + r.provAbbr + r.docAbbr + "）字[" + y + "]第" + pad(seq, 4) + "号"
	case noAnimal:
		return "（" + r.provAbbr + r.docAbbr + "）动防合字第" + y + pad(seq, 4) + "号"
	case noPesticide:
		return "农药经许（" + r.provAbbr + "）" + r.code + y + pad(seq, 4)
	}
	return r.code + pad(seq, 6)
}

// abnormal writes n listings one after another: an entity is listed, may be removed, and
// may be listed again later, as real histories go.
func (gn *generator) abnormal(e *entity, n int) {
	g := gn.g
	cursor := e.lo
	for k := 0; k < n && cursor <= e.hi; k++ {
		var lr *listReason
		switch e.kind {
		case kIndividual:
			lr = &abnormalIndividual[gn.absIndW.pick(g)]
		case kCoop:
			lr = &abnormalCoop[gn.absCoopW.pick(g)]
		default:
			lr = &abnormalCompany[gn.absCoW.pick(g)]
		}
		d := g.day(cursor, e.hi)
		if strings.Contains(lr.reason, "年度报告") {
			// Missing annual reports (due 30 June) are listed in bulk in early July.
			if y := d.year(); y > cursor.year() || mkday(y, 7, 1) >= cursor {
				if j := mkday(y, 7, g.between(1, 20)); j >= cursor && j <= e.hi {
					d = j
				}
			}
		}
		var removed day
		if e.status != "吊销" && g.chance(0.8) {
			if rd := d + day(g.between(15, 500)); rd <= e.hi {
				removed = rd
			}
		}
		removal := ""
		if removed != 0 {
			removal = lr.removal
		}
		gn.listing(fAbnormal, e, lr.reason, d, e.authority, removal, removed)
		if removed == 0 {
			return
		}
		cursor = removed + 30
	}
}

// blacklist lists a company on the 严重违法失信名单; the commonest reason, three years on the
// abnormal list, comes with that abnormal listing.
func (gn *generator) blacklist(e *entity) {
	g, r := gn.g, e.reg
	reasonIdx := gn.blReasonW.pick(g)
	lo := e.lo
	if reasonIdx == 0 {
		if lo3 := e.lo.addYears(3) + 30; lo3 <= e.hi {
			lo = lo3
		} else {
			reasonIdx = 1 + g.n(len(blacklistReasons)-1)
		}
	}
	d := g.day(lo, e.hi)
	authority := e.authority
	if g.chance(0.5) {
		authority = agencyName(agProvSAMR, r)
	}
	if reasonIdx == 0 {
		listed := d.addYears(-3) - day(g.n(30))
		gn.listing(fAbnormal, e, abnormalCompany[g.n(2)].reason, listed, e.authority, "", 0)
	}
	var removed day
	removal := ""
	if g.chance(0.75) {
		if rd := d + day(g.between(365, 1200)); rd <= gn.D {
			// Removal on expiry needs the full three years; earlier ones are credit repair.
			removed, removal = rd, blacklistRemovals[1+g.n(len(blacklistRemovals)-1)]
			if rd >= d.addYears(3) {
				removal = blacklistRemovals[0]
			}
		}
	}
	gn.listing(fBlacklist, e, blacklistReasons[reasonIdx].s, d, authority, removal, removed)
}

func (gn *generator) listing(f int, e *entity, reason string, d day, authority, removal string, removed day) {
	o := gn.outs[f]
	o.reset()
	o.set("code", e.code)
	o.set("name", e.name)
	o.set("reason", reason)
	o.set("list_date", d.iso())
	o.set("authority", authority)
	if removed != 0 {
		o.set("removal_reason", removal)
		o.set("removal_date", removed.iso())
		o.set("removal_authority", authority)
	}
	gn.emit(f, gn.forced[f])
}

func (gn *generator) debtor(e *entity) {
	g, r := gn.g, e.reg
	pub := g.day(e.lo, e.hi)
	filed := pub - day(g.between(15, 200))
	if filed < e.est {
		filed = e.est
	}
	fy := filed.year()
	court, courtCode, level := r.countyFull+"人民法院", r.provAbbr+r.code[2:6], lvCounty
	if g.chance(0.1) {
		court, courtCode, level = r.city+"中级人民法院", r.provAbbr+r.cityCode[2:4], lvCity
	}
	o := gn.outs[fDebtor]
	o.reset()
	o.set("case_no", "("+itoa(fy)+")"+courtCode+"执"+itoa(gn.caseSeq.next(g, level, r))+"号")
	o.set("name", e.name)
	o.set("code", e.code)
	o.set("legal_rep", e.rep)
	o.set("court", court)
	o.set("province", r.provShort)
	by := itoa(max(fy-g.n(2), e.est.year()))
	var basis string
	switch x := g.f(); {
	case x < 0.6:
		basis = "(" + by + ")" + r.provAbbr + r.code[2:6] + "民初" + itoa(g.between(100, 12000)) + "号"
	case x < 0.75:
		basis = "(" + by + ")" + r.provAbbr + r.cityCode[2:4] + "民终" + itoa(g.between(100, 6000)) + "号"
	case x < 0.88:
		basis = r.cityAbbr + "仲裁字〔" + by + "〕第" + itoa(g.between(10, 2000)) + "号"
	default:
		basis = r.docAbbr + "劳人仲案字〔" + by + "〕" + itoa(g.between(10, 3000)) + "号"
	}
	o.set("basis_doc_no", basis)
	o.set("filed_date", filed.iso())
	ob := pick(g, debtorObligations)
	ob = strings.Replace(ob, "{m}", itoa(g.between(30, 50000)*100+g.n(100)), 1)
	o.set("obligation", ob)
	if g.chance(0.85) {
		o.set("performance", "全部未履行")
	} else {
		o.set("performance", "部分未履行")
	}
	o.set("circumstances", debtorCircumstances[gn.circW.pick(g)].s)
	o.set("published", pub.iso())
	if g.chance(0.2) {
		if rd := pub + day(g.between(30, 700)); rd <= gn.D {
			o.set("removal_date", rd.iso())
		}
	}
	gn.emit(fDebtor, gn.forced[fDebtor])
}

var spotOtherAgencies = []int{agSafety, agEnv, agHealth, agFire, agTransport}

func (gn *generator) spotCheck(e *entity) {
	g, r := gn.g, e.reg
	o := gn.outs[fSpot]
	o.reset()
	o.set("code", e.code)
	o.set("name", e.name)
	switch x := g.f(); {
	case x < 0.8:
		o.set("authority", e.authority)
	case x < 0.88:
		o.set("authority", agencyName(agSAMRCity, r))
	default:
		o.set("authority", agencyName(pick(g, spotOtherAgencies), r))
	}
	o.set("check_type", spotTypes[gn.spotTypeW.pick(g)].s)
	o.set("check_date", g.day(e.lo, e.hi).iso())
	o.set("result", spotResults[gn.spotResW.pick(g)].s)
	gn.emit(fSpot, gn.forced[fSpot])
}

// redlist writes the 守合同重信用 rows of a company: one per announced year, with the count
// of consecutive years it had been announced by then.
func (gn *generator) redlist(e *entity) {
	g, r := gn.g, e.reg
	ey := e.est.year()
	y := gn.D.year() - g.between(1, 5)
	if y <= ey {
		y = ey + 1
	}
	if y >= gn.D.year() {
		return
	}
	maxK := min(10, y-ey)
	k := 1 + g.n(maxK)
	authority := agencyName(agProvSAMR, r)
	if g.chance(0.5) {
		authority = agencyName(agSAMRCity, r)
	}
	rows := 1
	if k >= 2 && y-1 >= gn.D.year()-5 && g.chance(0.25) {
		rows = 2
	}
	for j := 0; j < rows; j++ {
		o := gn.outs[fRedlist]
		o.reset()
		o.set("code", e.code)
		o.set("name", e.name)
		o.set("year", itoa(y-j))
		o.set("years", itoa(k-j))
		o.set("authority", authority)
		gn.emit(fRedlist, gn.forced[fRedlist])
	}
}
