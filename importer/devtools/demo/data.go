package demo

import (
	_ "embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The reference tables (see data/NOTICE.md) are embedded so that the generator runs
// anywhere, including inside the single gongshi binary, without a data directory.
var (
	//go:embed data/divisions.csv
	divisionsCSV string
	//go:embed data/surnames_weighted.csv
	surnamesCSV string
	//go:embed data/given_name_chars.csv
	givenCSV string
	//go:embed data/trade_names.txt
	tradeNamesTxt string
	//go:embed data/industry_gbt4754_2011.csv
	industryCSV string
	//go:embed data/enterprise_type_codes.csv
	entTypesCSV string
)

// region is a county-level division with every spelling of it the generator needs,
// precomputed once so that per-entity work is only picking and concatenating.
type region struct {
	idx         int    // position in tables.regions, for per-county counters
	code        string // six digits, county level
	county      string // 鼓楼区
	countyShort string // 鼓楼
	countyFull  string // 福州市鼓楼区; a district needs its city, a county or county-level city does not
	city        string // 福州市 (北京市 for a municipality's district, 仙桃市 for a directly administered county)
	cityShort   string // 福州
	prov        string // 福建省
	provShort   string // 福建
	provAbbr    string // 闽, as in court case numbers
	docAbbr     string // 福鼓, the prefix of a county agency's document numbers
	cityAbbr    string // 福, the prefix of a prefecture agency's document numbers
	cityCode    string // six-digit code of the prefecture (or the county itself when directly administered)
	provCode    string
	cityIdx     int // index into per-prefecture counters
	provIdx     int
	rural       bool // a county (县/旗): village addresses and cooperatives are common
}

// tables holds the parsed reference data.
type tables struct {
	regions    []region
	nCities    int
	nProvs     int
	surnames   []string
	surnameW   wtable
	givenChars []string
	tradeNames []string
	gbWords    []industry // GB/T 4754 leaves usable as 行业用语
	entTypes   map[string]bool
}

var loadTables = sync.OnceValues(func() (*tables, error) {
	t := &tables{}
	if err := t.loadRegions(); err != nil {
		return nil, err
	}
	if err := t.loadNames(); err != nil {
		return nil, err
	}
	if err := t.loadIndustries(); err != nil {
		return nil, err
	}
	if err := t.loadEntTypes(); err != nil {
		return nil, err
	}
	return t, nil
})

func readCSV(name, data string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(data))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("demo: embedded %s: %w", name, err)
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("demo: embedded %s is empty", name)
	}
	return rows[1:], nil
}

var provAbbrs = map[string]string{
	"11": "京", "12": "津", "13": "冀", "14": "晋", "15": "内", "21": "辽", "22": "吉", "23": "黑",
	"31": "沪", "32": "苏", "33": "浙", "34": "皖", "35": "闽", "36": "赣", "37": "鲁", "41": "豫",
	"42": "鄂", "43": "湘", "44": "粤", "45": "桂", "46": "琼", "50": "渝", "51": "川", "52": "黔",
	"53": "云", "54": "藏", "61": "陕", "62": "甘", "63": "青", "64": "宁", "65": "新",
}

func shortProv(n string) string {
	for _, s := range []string{"壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市"} {
		if strings.HasSuffix(n, s) {
			return strings.TrimSuffix(n, s)
		}
	}
	return n
}

// shortPlace drops the administrative suffix when what remains is still a name
// (鼓楼区 → 鼓楼, 闽侯县 → 闽侯, 黔西南布依族苗族自治州 → 黔西南) and keeps it otherwise (城区).
func shortPlace(n string) string {
	if i := strings.Index(n, "族"); i > 0 {
		// Autonomous prefectures and counties: the short name is the place before the
		// first nationality, e.g. 黔西南布依族苗族自治州 → 黔西南. Cut at the rune before 族.
		r := []rune(n[:i])
		if len(r) >= 3 {
			return string(r[:len(r)-1])
		}
		return n
	}
	for _, s := range []string{"地区", "林区", "新区", "市", "区", "县", "旗", "盟"} {
		if strings.HasSuffix(n, s) {
			if rest := strings.TrimSuffix(n, s); utf8.RuneCountInString(rest) >= 2 {
				return rest
			}
			return n
		}
	}
	return n
}

func firstRune(s string) string {
	_, n := utf8.DecodeRuneInString(s)
	return s[:n]
}

func (t *tables) loadRegions() error {
	rows, err := readCSV("divisions.csv", divisionsCSV)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 {
			names[r[0]] = r[1]
		}
	}
	cityIdx, provIdx := map[string]int{}, map[string]int{}
	for _, r := range rows {
		if len(r) < 3 || len(r[0]) != 6 || strings.HasSuffix(r[0], "00") {
			continue
		}
		code, name, parent := r[0], r[1], r[2]
		// Not places where businesses register: uninhabited islands and management committees.
		if strings.Contains(name, "群岛") || strings.Contains(name, "海域") || strings.Contains(name, "委员会") || strings.Contains(name, "管委会") {
			continue
		}
		provCode := code[:2] + "0000"
		prov, ok := names[provCode]
		abbr := provAbbrs[code[:2]]
		if !ok || abbr == "" {
			continue
		}
		g := region{code: code, county: name, countyShort: shortPlace(name), prov: prov,
			provShort: shortProv(prov), provAbbr: abbr, provCode: provCode}
		pname := names[parent]
		switch {
		case pname == "市辖区" || pname == "县": // a municipality's district or county
			g.city, g.cityCode = prov, provCode
		case strings.Contains(pname, "直辖"): // county-level city directly under the province
			g.city, g.cityCode = name, code
		case pname != "":
			g.city, g.cityCode = pname, parent
		default:
			continue
		}
		g.cityShort = shortPlace(g.city)
		if g.city == prov {
			g.cityShort = g.provShort
		}
		g.cityAbbr = firstRune(g.cityShort)
		switch {
		case g.city == name:
			g.countyFull = name
			g.docAbbr = runes(g.countyShort, 2)
		case strings.HasSuffix(name, "区"):
			g.countyFull = g.city + name
			g.docAbbr = g.cityAbbr + firstRune(g.countyShort)
		default:
			g.countyFull = name
			g.docAbbr = runes(g.countyShort, 2)
		}
		g.rural = strings.HasSuffix(name, "县") || strings.HasSuffix(name, "旗")
		if _, ok := cityIdx[g.cityCode]; !ok {
			cityIdx[g.cityCode] = len(cityIdx)
		}
		if _, ok := provIdx[provCode]; !ok {
			provIdx[provCode] = len(provIdx)
		}
		g.cityIdx, g.provIdx = cityIdx[g.cityCode], provIdx[provCode]
		g.idx = len(t.regions)
		t.regions = append(t.regions, g)
	}
	t.nCities, t.nProvs = len(cityIdx), len(provIdx)
	if len(t.regions) < 1000 {
		return fmt.Errorf("demo: only %d county-level divisions in divisions.csv", len(t.regions))
	}
	return nil
}

func runes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

func (t *tables) loadNames() error {
	rows, err := readCSV("surnames_weighted.csv", surnamesCSV)
	if err != nil {
		return err
	}
	var w []float64
	for _, r := range rows {
		p, err := strconv.ParseFloat(r[1], 64)
		if err != nil || r[0] == "" {
			continue
		}
		t.surnames = append(t.surnames, r[0])
		w = append(w, p)
	}
	t.surnameW = newWTable(w)
	rows, err = readCSV("given_name_chars.csv", givenCSV)
	if err != nil {
		return err
	}
	seenGiven := map[string]bool{}
	for _, r := range rows {
		if utf8.RuneCountInString(r[0]) == 1 && strings.Contains(commonGiven, r[0]) && !seenGiven[r[0]] {
			seenGiven[r[0]] = true
			t.givenChars = append(t.givenChars, r[0])
		}
	}
	for line := range strings.Lines(tradeNamesTxt) {
		line = strings.TrimSpace(line)
		if n := utf8.RuneCountInString(line); n >= 2 && n <= 6 && allHan(line) {
			t.tradeNames = append(t.tradeNames, line)
		}
	}
	if len(t.surnames) < 100 || len(t.givenChars) < 150 || len(t.tradeNames) < 10000 {
		return fmt.Errorf("demo: embedded name tables too small")
	}
	return nil
}

func allHan(s string) bool {
	for _, r := range s {
		if r < 0x3400 || r > 0x9fff {
			return false
		}
	}
	return true
}

// gbDeny lists GB/T 4754 leaves that are not things a market entity is named after
// (public infrastructure, state monopolies, institutions).
var gbDeny = map[string]bool{
	"机场": true, "空中交通管理": true, "客运火车站": true, "货运火车站": true, "城市轨道交通": true,
	"航天器": true, "飞机": true, "核力发电": true, "人寿保险": true, "财务公司": true, "规划管理": true,
	"野生动物保护": true, "野生植物保护": true, "图书馆": true, "档案馆": true, "基础地质勘查": true,
	"公共就业服务": true, "市场管理": true, "骆驼饲养": true, "人造原油": true, "窄轨机车车辆": true,
	"木竹浆": true, "信用服务": true, "生态监测": true, "公园管理": true, "工会": true, "妇联": true,
	"海洋旅客运输": true, "远洋货物运输": true, "移动电信服务": true, "固定电信服务": true,
}

// gbGroup maps a GB/T 4754 section letter to the generator's industry group, which drives
// business scope, licences and typical violations.
var gbGroup = map[byte]int{
	'A': grpAgri, 'B': grpMfg, 'C': grpMfg, 'D': grpMfg, 'E': grpBuild, 'F': grpTrade, 'G': grpLogistics,
	'H': grpFood, 'I': grpTech, 'J': grpFinance, 'K': grpRealty, 'L': grpService, 'M': grpTech,
	'N': grpService, 'O': grpService, 'R': grpCulture,
}

func (t *tables) loadIndustries() error {
	rows, err := readCSV("industry_gbt4754_2011.csv", industryCSV)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if len(r) < 4 || r[3] != "小类" || r[0] == "" {
			continue
		}
		grp, ok := gbGroup[r[0][0]]
		if !ok {
			continue
		}
		n := shortIndustry(r[1])
		if n == "" || gbDeny[n] || gbDeny[r[1]] || seen[n] {
			continue
		}
		seen[n] = true
		t.gbWords = append(t.gbWords, industry{word: n, grp: grp})
	}
	if len(t.gbWords) < 100 {
		return fmt.Errorf("demo: only %d usable GB/T 4754 leaves", len(t.gbWords))
	}
	return nil
}

// shortIndustry turns a GB/T 4754 leaf into the 行业用语 a name would use: catch-all and
// compound leaves are dropped, and statistical suffixes (…制造, …采选, …零售) are cut
// when a name remains ("豆制品制造" → "豆制品", "服装批发" → "服装").
func shortIndustry(n string) string {
	for _, bad := range []string{"其他", "未列明", "的", "等", "非", "放射", "、", "和", "及", "与", "（", "(", "；", "教育", "医院", "卫生院"} {
		if strings.Contains(n, bad) {
			return ""
		}
	}
	for _, suf := range []string{"制造", "采选", "活动", "零售", "批发", "业"} {
		if rest, ok := strings.CutSuffix(n, suf); ok && utf8.RuneCountInString(rest) >= 2 {
			n = rest
			break
		}
	}
	if rest, ok := strings.CutSuffix(n, "服务"); ok && utf8.RuneCountInString(rest) >= 3 {
		n = rest
	}
	if c := utf8.RuneCountInString(n); c < 2 || c > 6 {
		return ""
	}
	return n
}

func (t *tables) loadEntTypes() error {
	rows, err := readCSV("enterprise_type_codes.csv", entTypesCSV)
	if err != nil {
		return err
	}
	t.entTypes = map[string]bool{}
	for _, r := range rows {
		if len(r) >= 2 {
			t.entTypes[halfParens(r[1])] = true
		}
	}
	// Every type the generator writes must be in the official table, so the type facet
	// only ever shows real values.
	for _, l := range [][]entType{companyTypes, branchTypes} {
		for _, et := range l {
			if !t.entTypes[halfParens(et.name)] {
				return fmt.Errorf("demo: entity type %q not in enterprise_type_codes.csv", et.name)
			}
		}
	}
	for _, n := range []string{typeIndividual, typeCoop} {
		if !t.entTypes[n] {
			return fmt.Errorf("demo: entity type %q not in enterprise_type_codes.csv", n)
		}
	}
	return nil
}

func halfParens(s string) string {
	return strings.NewReplacer("（", "(", "）", ")").Replace(s)
}
