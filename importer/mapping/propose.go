package mapping

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/personal"
	"github.com/gongshi/gongshi/index/uscc"
)

// Proposal is what an inferred mapping found out about each column, for the person who checks
// it before importing. Import reads only type, columns, values and withhold.
type Proposal struct {
	Note     string `json:"note"`
	RowsRead int    `json:"rows_read"`
	// Resolved are the columns the standard names, a built-in profile or the known
	// personal-data names place without a mapping; map one in columns to override it.
	Resolved map[string]string `json:"resolved,omitempty"`
	Profile  string            `json:"profile,omitempty"`
	// Confidence per source header, from 0 (a guess) to 1 (the header is a standard name).
	Confidence map[string]float64 `json:"confidence"`
	Evidence   map[string]string  `json:"evidence"`
	// Unplaced are the columns the proposal could not place (mapped to "ignore").
	Unplaced []string `json:"unplaced"`
	// MissingRequired are required fields no column was found for: the file is refused
	// until a column is mapped to each.
	MissingRequired []string `json:"missing_required,omitempty"`
	// Keys are the fields of the type, with their Chinese names, to map columns to.
	Keys map[string]string `json:"keys"`
}

// sampleRows is how many data rows a proposal reads: enough to see a code column's codes
// and the empty share of a removal column, few enough for any file.
const sampleRows = 500

// ProposeFile reads the header and first rows of a bare CSV, XLSX or JSON Lines file and
// proposes a mapping for it (see Propose).
func ProposeFile(path string, t index.RecordType, seed *Spec) (*File, error) {
	format := tabular.FormatOf(path)
	if format == "" {
		return nil, fmt.Errorf("%s: a column mapping is proposed for one .csv, .xlsx or .jsonl file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr, err := tabular.Open(f, tabular.Options{Format: format})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer tr.Close()
	var rows [][]string
	for len(rows) < sampleRows {
		row, err := tr.Next()
		if err == io.EOF {
			break
		}
		var re *tabular.RowError
		if errors.As(err, &re) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		rows = append(rows, row.Values)
	}
	return Propose(t, tr.Header(), rows, filepath.Base(path), seed)
}

// Propose infers a mapping for a file of type t ("" = infer the type too) from its header and
// some of its rows: a column whose values are valid unified codes is the code, dates are dates
// (the fuller of two list dates the listing, the sparser the removal), company-like names the
// subject, authority names (…局/委/院/厅) the authority, and so on, helped by what the header
// says in Chinese, pinyin initials or English. seed's columns are kept as they are. name is
// the file's name, which alone can tell the abnormal-operation list from the blacklist.
func Propose(t index.RecordType, header []string, rows [][]string, name string, seed *Spec) (*File, error) {
	stats := make([]*colStats, len(header))
	for i := range header {
		stats[i] = measure(rows, i)
	}
	types := index.RecordTypes
	if t != "" {
		types = []index.RecordType{t}
	}
	var best *guess
	scores := map[index.RecordType]float64{}
	for _, typ := range types {
		g, err := guessType(typ, header, stats, seed)
		if err != nil {
			if t != "" {
				return nil, err
			}
			continue
		}
		scores[typ] = g.score
		if best == nil || g.score > best.score {
			best = g
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no record type fits the columns")
	}
	if t == "" && best.typ.IsList() && scores[index.TypeAbnormal] == scores[index.TypeBlacklist] {
		// The two lists share their columns; only the name or the reasons tell them apart.
		if hint := listHint(name, rows, best); hint != best.typ {
			g, err := guessType(hint, header, stats, seed)
			if err != nil {
				return nil, err
			}
			best = g
		}
	}
	return best.file(len(rows), name), nil
}

// guess is one type's proposal.
type guess struct {
	typ      index.RecordType
	res      *Resolution
	columns  map[int]string // inferred: column → key, Withhold or Ignore
	conf     map[int]float64
	evidence map[int]string
	missing  []string
	score    float64
}

func guessType(t index.RecordType, header []string, stats []*colStats, seed *Spec) (*guess, error) {
	res, err := Resolve(t, header, seed)
	if err != nil {
		return nil, err
	}
	g := &guess{typ: t, res: res, columns: map[int]string{}, conf: map[int]float64{}, evidence: map[int]string{}}
	placed := map[string]bool{}
	open := map[int]bool{}
	for i, c := range res.Columns {
		switch {
		case c.Withheld:
			g.conf[i], g.evidence[i] = 1, "known personal-data column: withheld"
			if c.Via == "profile" {
				g.evidence[i] = "personal data in the standard's field list: withheld"
			}
		case c.Key != "":
			placed[c.Key] = true
			g.conf[i], g.evidence[i] = 1, resolvedWhy(c, res.Profile)
			if c.Key != SubjectKind {
				g.score += 1
			}
		case c.Via != "":
			g.conf[i], g.evidence[i] = 1, resolvedWhy(c, res.Profile)
		case strings.TrimSpace(c.Header) != "":
			open[i] = true
		}
	}
	type cand struct {
		col   int
		key   string
		score float64
		why   string
	}
	var cands []cand
	schema := index.SchemaOf(t)
	for i := range open {
		st := stats[i]
		if st.n > 0 && float64(st.person)/float64(st.n) >= 0.3 {
			cands = append(cands, cand{i, Withhold, 0.5 + 0.5*float64(st.person)/float64(st.n),
				fmt.Sprintf("%d of %d values are ID or mobile numbers of natural persons: withheld", st.person, st.n)})
			continue
		}
		if st.n > 0 && float64(st.subject)/float64(st.n) >= 0.5 {
			cands = append(cands, cand{i, SubjectKind, 0.9, "values are 行政相对人类别 (自然人 rows are withheld)"})
		}
		for fi := range schema.Fields {
			f := &schema.Fields[fi]
			if placed[f.Key] {
				continue
			}
			h, hwhy := headerScore(header[i], f, t)
			c, cwhy := contentScore(st, f, t)
			c = max(c, fillHint(st, f, t))
			s := 1 - (1-h)*(1-c)
			if s < 0.35 {
				continue
			}
			why := strings.Trim(strings.Join([]string{hwhy, cwhy}, "; "), "; ")
			cands = append(cands, cand{i, f.Key, math.Round(s*100) / 100, why})
		}
	}
	sort.SliceStable(cands, func(a, b int) bool {
		if cands[a].score != cands[b].score {
			return cands[a].score > cands[b].score
		}
		return cands[a].col < cands[b].col
	})
	for _, c := range cands {
		if !open[c.col] || c.key != Withhold && placed[c.key] {
			continue
		}
		open[c.col] = false
		if c.key != Withhold {
			placed[c.key] = true
		}
		g.columns[c.col], g.conf[c.col], g.evidence[c.col] = c.key, c.score, c.why
		if c.key != Withhold && c.key != SubjectKind {
			g.score += c.score
		}
	}
	for i := range open {
		if open[i] {
			g.columns[i], g.conf[i], g.evidence[i] = Ignore, 0, "no field fits its header or values"
		}
	}
	for _, f := range schema.Fields {
		if !f.Required {
			continue
		}
		if placed[f.Key] {
			g.score += 1
		} else {
			g.missing = append(g.missing, f.Key)
			g.score -= 1.5
		}
	}
	return g, nil
}

func resolvedWhy(c Column, p *Profile) string {
	switch c.Via {
	case "profile":
		return "field of " + p.Source
	case "mapping":
		return "given mapping"
	case "personal data":
		return "known personal-data column: withheld"
	}
	return "standard name or alias of the field"
}

// blacklistWords are in the grounds for the serious-illegal-and-dishonest list (three years
// on the abnormal list, false materials, pyramid selling …) and in none of the abnormal list's.
var blacklistWords = []string{"严重违法", "失信", "届满3年", "届满三年", "传销", "虚假材料", "欺诈", "撤销登记", "冒用"}

// listHint tells the abnormal-operation list from the blacklist, which share their columns:
// by the file's name, else by the listing reasons.
func listHint(name string, rows [][]string, g *guess) index.RecordType {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "abnormal") || strings.Contains(n, "异常"):
		return index.TypeAbnormal
	case strings.Contains(n, "black") || strings.Contains(n, "失信") || strings.Contains(n, "严重违法"):
		return index.TypeBlacklist
	}
	reason := g.res.primary("reason")
	for i, k := range g.columns {
		if k == "reason" {
			reason = i
		}
	}
	if reason >= 0 {
		for _, r := range rows {
			if reason < len(r) && hasAny(r[reason], blacklistWords) {
				return index.TypeBlacklist
			}
		}
	}
	return index.TypeAbnormal
}

// file writes the guess as a ready-to-edit mapping file.
func (g *guess) file(rowsRead int, name string) *File {
	f := &File{Type: g.typ, Spec: Spec{Columns: map[string]string{}}}
	p := &Proposal{RowsRead: rowsRead, Confidence: map[string]float64{}, Evidence: map[string]string{},
		Unplaced: []string{}, Keys: map[string]string{}}
	if g.res.Profile != nil {
		p.Profile = g.res.Profile.Name
	}
	for i, c := range g.res.Columns {
		h := c.Header
		if strings.TrimSpace(h) == "" {
			continue
		}
		f.order = append(f.order, h)
		p.Confidence[h], p.Evidence[h] = g.conf[i], g.evidence[i]
		if k, ok := g.columns[i]; ok {
			f.Columns[h] = k
			if k == Ignore {
				p.Unplaced = append(p.Unplaced, h)
			}
			continue
		}
		if p.Resolved == nil {
			p.Resolved = map[string]string{}
		}
		switch {
		case c.Withheld:
			p.Resolved[h] = Withhold
		case c.Key != "":
			p.Resolved[h] = c.Key
		default:
			p.Resolved[h] = Ignore
		}
	}
	for _, fl := range index.SchemaOf(g.typ).Fields {
		p.Keys[fl.Key] = fl.Label
	}
	for _, k := range g.missing {
		p.MissingRequired = append(p.MissingRequired, k+" ("+index.SchemaOf(g.typ).Field(k).Label+")")
	}
	note := fmt.Sprintf("Proposed by gongshi check from the headers and %d rows of %s. Check each column "+
		"(confidence and evidence below), change what is wrong, then import with: gongshi import --columns THIS_FILE %s",
		rowsRead, name, name)
	if g.typ.IsList() {
		note += fmt.Sprintf(`. The abnormal-operation list and the blacklist share their columns: type %q was chosen by the file's name or its reasons; correct it if needed`, g.typ)
	}
	if len(g.missing) > 0 {
		note += ". Required fields without a column (map one to each): " + strings.Join(p.MissingRequired, ", ")
	}
	p.Note = note
	f.Proposal = p
	return f
}

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
