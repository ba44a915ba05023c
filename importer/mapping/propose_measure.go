package mapping

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index/personal"
	"github.com/gongshi/gongshi/index/uscc"
)

// colStats describes the values of one column.
type colStats struct {
	rows, n              int // rows seen, non-empty values
	uscc, usccOrgan      int // valid unified codes of market entities / of organs (first character 1)
	regNo, orgCode       int // older identifiers
	person, subject      int // ID or mobile numbers; 行政相对人类别 values
	date, money, yr      int
	company, organ       int
	court, docNo         int
	caseNo, category     int
	status, entType      int
	state, reason        int
	removal, checkTy     int
	province, personName int // province names; short Han names of persons (法定代表人)
	runes                int
}

var (
	reDate    = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$|^(\d{4})(\d{2})(\d{2})$`)
	reMoney   = regexp.MustCompile(`^-?[\d,]+(?:\.\d+)?\s*(?:万元|元|万)?$`)
	reDocYear = regexp.MustCompile(`[〔\[［(（【]\s*(?:19|20)\d{2}\s*[〕\]］)）】]`)
	reCaseNo  = regexp.MustCompile(`^[(（]\s*(?:19|20)\d{2}\s*[)）].*[执].*号$`)
)

var (
	companyEnds = []string{"公司", "店", "厂", "合作社", "商行", "经营部", "门市部", "工作室", "超市", "企业", "事务所",
		"酒家", "餐厅", "诊所", "药房", "中心", "馆", "场", "社", "行", "部"}
	organMarks = []string{"局", "委员会", "委", "人民政府", "厅", "管理所", "监督所", "大队", "支队", "管委会", "办公室",
		"监察", "海关", "法院", "检察院", "管理处"}
	categoryWords = []string{"警告", "罚款", "没收", "责令", "吊销", "暂扣", "通报批评", "拘留", "降低资质等级", "限制开展生产经营活动", "停产停业", "不予处罚"}
	statusWords   = []string{"存续", "在业", "在营", "开业", "吊销", "注销", "迁出", "撤销", "停业", "歇业"}
	typeWords     = []string{"有限责任公司", "股份有限公司", "个体工商户", "个人独资企业", "合伙企业", "农民专业合作社", "全民所有制", "集体所有制", "外商投资", "分公司"}
	stateWords    = []string{"有效", "无效", "正常", "撤销", "注销", "异议", "过期", "吊销", "变更"}
	reasonWords   = []string{"年度报告", "年报", "公示", "无法联系", "弄虚作假", "隐瞒", "住所", "经营场所", "严重违法", "失信", "抽查", "责令",
		"未履行", "届满3年", "届满三年", "虚假材料", "欺诈", "传销", "撤销登记", "冒用"}
	removalWords = []string{"补报", "移出", "已履行", "履行了", "更正", "恢复", "申请", "变更登记", "重新取得联系", "期满", "满五年", "满5年"}
	checkWords   = []string{"双随机", "定向", "专项", "抽查", "检查"}
	subjectWords = []string{"自然人", "法人及非法人组织", "个体工商户", "法人", "非法人组织"}
)

func measure(rows [][]string, col int) *colStats {
	st := &colStats{rows: len(rows)}
	for _, r := range rows {
		if col >= len(r) {
			continue
		}
		v := strings.TrimSpace(r[col])
		if v == "" {
			continue
		}
		st.n++
		st.runes += utf8.RuneCountInString(v)
		code := uscc.Normalize(v)
		switch uscc.Classify(code) {
		case uscc.KindUSCC:
			if uscc.Validate(code) == nil {
				if code[0] == '1' {
					st.usccOrgan++
				} else {
					st.uscc++
				}
			}
		case uscc.KindRegNo:
			st.regNo++
		case uscc.KindOrgCode:
			st.orgCode++
		case uscc.KindResidentID:
			st.person++
		}
		if personal.IsMobile(code) {
			st.person++
		}
		if hasAny(v, subjectWords) && utf8.RuneCountInString(v) <= 10 {
			st.subject++
		}
		switch {
		case isDate(v):
			st.date++
		case reMoney.MatchString(v) && (strings.Contains(v, ".") || digits(v) < 9):
			st.money++
			if len(v) == 4 && v >= "1990" && v <= "2100" {
				st.yr++
			}
		}
		short := utf8.RuneCountInString(v) <= 40
		switch {
		case strings.Contains(v, "公司") || strings.Contains(v, "合作社") || short && hasEnd(stripBrackets(v), companyEnds) && !hasAny(v, organMarks):
			st.company++
		case strings.Contains(v, "法院"):
			st.court++
			st.organ++
		case short && hasAny(v, organMarks):
			st.organ++
		}
		if reCaseNo.MatchString(v) {
			st.caseNo++
		} else if reDocYear.MatchString(v) && strings.Contains(v, "号") || strings.HasSuffix(v, "号") && strings.ContainsAny(v, "罚许字第") {
			st.docNo++
		}
		if utf8.RuneCountInString(v) <= 30 && hasAny(v, categoryWords) {
			st.category++
		}
		if utf8.RuneCountInString(v) <= 20 && hasAny(v, statusWords) {
			st.status++
		}
		if utf8.RuneCountInString(v) <= 30 && hasAny(v, typeWords) {
			st.entType++
		}
		if utf8.RuneCountInString(v) <= 6 && hasAny(v, stateWords) {
			st.state++
		}
		if utf8.RuneCountInString(v) >= 4 {
			switch {
			case hasAny(v, removalWords):
				st.removal++
			case hasAny(v, reasonWords):
				st.reason++
			}
		}
		if utf8.RuneCountInString(v) <= 10 && hasAny(v, checkWords) {
			st.checkTy++
		}
		if utf8.RuneCountInString(v) <= 8 && (strings.HasSuffix(v, "省") || strings.HasSuffix(v, "自治区") || strings.HasSuffix(v, "市")) && !hasAny(v, organMarks) {
			st.province++
		}
		if n := utf8.RuneCountInString(v); n >= 2 && n <= 4 && allHan(v) && !hasEnd(v, companyEnds) && !hasAny(v, organMarks) {
			st.personName++
		}
	}
	return st
}

func digits(v string) int {
	n := 0
	for _, c := range v {
		if c >= '0' && c <= '9' {
			n++
		}
	}
	return n
}

func isDate(v string) bool {
	p := reDate.FindStringSubmatch(v)
	if p == nil {
		return false
	}
	y, m, d := p[1], p[2], p[3]
	if y == "" {
		y, m, d = p[4], p[5], p[6]
	}
	return y >= "1900" && y <= "2200" && len(m) > 0 && atoi(m) >= 1 && atoi(m) <= 12 && atoi(d) >= 1 && atoi(d) <= 31
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func hasAny(v string, words []string) bool {
	for _, w := range words {
		if strings.Contains(v, w) {
			return true
		}
	}
	return false
}

func hasEnd(v string, ends []string) bool {
	for _, e := range ends {
		if strings.HasSuffix(v, e) {
			return true
		}
	}
	return false
}

// stripBrackets drops a trailing bracketed part: 某某店（个体工商户）, 某某（有限合伙）.
func stripBrackets(v string) string {
	for _, open := range []string{"（", "("} {
		if i := strings.LastIndex(v, open); i > 0 {
			return v[:i]
		}
	}
	return v
}

func allHan(v string) bool {
	for _, r := range v {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}
