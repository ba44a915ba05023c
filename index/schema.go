package index

import (
	"strings"

	"github.com/gongshi/gongshi/index/fold"
)

// ValueKind says how a column is validated and normalised.
type ValueKind int

const (
	KindText  ValueKind = iota
	KindCode            // USCC / 注册号 / 组织机构代码: width-folded, upper-case, no spaces
	KindDate            // YYYY-MM-DD after normalisation
	KindMoney           // decimal number (万元)
	KindInt
	KindNames // several names separated by ；;、
)

// Field is one column of a record type: its canonical English key, the Chinese standard
// header, the other spellings agencies use, and whether a row needs it.
type Field struct {
	Key      string
	Label    string
	Aliases  []string
	Kind     ValueKind
	Required bool
	// MaxLen is the longest value accepted, in characters; 0 takes the limit of the Kind.
	MaxLen int
}

// Length limits of values, in characters after surrounding white space is trimmed. Real records
// never come near them; they exist so that one hostile row cannot make validation, the index
// (bigrams and pinyin pairs per character of a name) or a page pay for megabytes of text. A
// longer value rejects its row.
//
//	field or kind                                        limit   real data
//	KindCode (统一社会信用代码, 注册号, 组织机构代码)          64   18, 15, 9
//	KindDate, KindMoney, KindInt                              64   "2024年3月5日", "12345.6789"
//	names (企业名称, 行政相对人名称, 被执行人名称)            300   < 100
//	short text (机关, 文号, 案号, 类别, 状态, 注册资本…)      500   < 100
//	住所, 法定代表人                                       1,000   < 200
//	KindNames (曾用名, several names)                      3,000   < 500
//	KindText (违法事实, 经营范围, 处罚内容, 履行情况…)    20,000   a few thousand
//
// The tabular readers cap a cell at tabular.MaxCellBytes (128 KiB), above every limit here
// even at four bytes a character, so a value within its limit never fails on its cell.
const (
	maxCodeLen  = 64
	maxNameLen  = 300
	maxShortLen = 500
	maxLongLen  = 1000
	maxNamesLen = 3000
	maxTextLen  = 20000
)

// MaxChars returns the longest value f accepts, in characters.
func (f *Field) MaxChars() int {
	if f.MaxLen > 0 {
		return f.MaxLen
	}
	switch f.Kind {
	case KindCode, KindDate, KindMoney, KindInt:
		return maxCodeLen
	case KindNames:
		return maxNamesLen
	}
	return maxTextLen
}

// Schema is the ordered column set of a record type. The order is the order of the
// download files' columns and of the fields on pages; keep it stable.
type Schema struct {
	Type   RecordType
	Fields []Field
	// DateKey is the field that dates the record (decision or listing date).
	DateKey string
}

var (
	codeField = Field{Key: "code", Label: "统一社会信用代码", Kind: KindCode, Required: true,
		Aliases: []string{"社会信用代码", "信用代码", "统一代码", "uscc", "credit_code", "统一社会信用代码/注册号", "行政相对人代码_1(统一社会信用代码)", "行政相对人代码", "统一社会信用代码/组织机构代码"}}
	subjectField = Field{Key: "name", Label: "行政相对人名称", Kind: KindText, MaxLen: maxNameLen, Required: true,
		Aliases: []string{"企业名称", "当事人名称", "被处罚单位", "被处罚人名称", "相对人名称", "市场主体名称", "主体名称", "名称", "company_name", "subject_name"}}
	nameField = Field{Key: "name", Label: "企业名称", Kind: KindText, MaxLen: maxNameLen, Required: true,
		Aliases: []string{"名称", "主体名称", "市场主体名称", "企业(机构)名称", "企业（机构）名称", "单位名称", "行政相对人名称", "company_name"}}
	publicUntilField = Field{Key: "public_until", Label: "公示截止期", Kind: KindDate,
		Aliases: []string{"公示截止日期", "公示截至日期", "公示期限", "公示截止时间", "公示截止"}}
	severityField = Field{Key: "severity", Label: "失信严重程度", Kind: KindText, MaxLen: maxShortLen,
		Aliases: []string{"严重程度", "失信程度", "信息等级", "失信等级"}}
	listFields = []Field{
		codeField, nameField,
		{Key: "reason", Label: "列入原因", Kind: KindText, Required: true, Aliases: []string{"列入经营异常名录原因", "列入严重违法失信名单原因", "列入严重违法失信企业名单原因", "列入严重违法失信企业名单（黑名单）原因", "列入事由", "listing_reason"}},
		{Key: "list_date", Label: "列入日期", Kind: KindDate, Required: true, Aliases: []string{"列入时间", "作出决定日期", "列入决定日期", "列入经营异常名录日期", "listing_date"}},
		{Key: "authority", Label: "列入决定机关", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"作出决定机关", "决定机关", "列入机关", "作出决定机关(列入)", "listing_authority"}},
		{Key: "removal_reason", Label: "移出原因", Kind: KindText, Aliases: []string{"移出事由", "移出经营异常名录原因", "移出严重违法失信企业名单原因", "移出严重违法失信企业名单（黑名单）原因", "removal_reason"}},
		{Key: "removal_date", Label: "移出日期", Kind: KindDate, Aliases: []string{"移出时间", "removal_date"}},
		{Key: "removal_authority", Label: "移出决定机关", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"作出决定机关(移出)", "作出移出决定机关", "移出机关", "removal_authority"}},
	}
)

var schemas = map[RecordType]*Schema{
	TypeEntity: {Type: TypeEntity, DateKey: "established", Fields: []Field{
		codeField, nameField,
		{Key: "entity_type", Label: "类型", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"企业类型", "市场主体类型", "主体类型", "公司类型", "组织形式"}},
		{Key: "legal_rep", Label: "法定代表人", Kind: KindText, MaxLen: maxLongLen, Aliases: []string{"负责人", "经营者", "法定代表人/负责人", "执行事务合伙人", "法人", "法定代表人（负责人）", "legal_representative"}},
		{Key: "reg_capital", Label: "注册资本", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"注册资本（万元）", "注册资本(万元)", "注册资金", "registered_capital"}},
		{Key: "established", Label: "成立日期", Kind: KindDate, Aliases: []string{"成立时间", "注册日期", "establishment_date"}},
		{Key: "term_from", Label: "营业期限自", Kind: KindDate, Aliases: []string{"经营期限自", "营业期限起", "business_term_from"}},
		{Key: "term_to", Label: "营业期限至", Kind: KindDate, Aliases: []string{"经营期限至", "营业期限止", "business_term_to"}},
		{Key: "authority", Label: "登记机关", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"登记管理机关", "registration_authority"}},
		{Key: "approved", Label: "核准日期", Kind: KindDate, Aliases: []string{"核准时间", "发照日期", "approval_date"}},
		{Key: "status", Label: "登记状态", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"经营状态", "企业状态", "状态", "registration_status"}},
		{Key: "address", Label: "住所", Kind: KindText, MaxLen: maxLongLen, Aliases: []string{"地址", "注册地址", "经营场所", "住所/经营场所", "企业地址"}},
		{Key: "scope", Label: "经营范围", Kind: KindText, Aliases: []string{"business_scope"}},
		{Key: "reg_no", Label: "注册号", Kind: KindCode, Aliases: []string{"工商注册号", "注册号/统一社会信用代码", "registration_number"}},
		{Key: "org_code", Label: "组织机构代码", Kind: KindCode, Aliases: []string{"organization_code"}},
		{Key: "former_names", Label: "曾用名", Kind: KindNames, Aliases: []string{"历史名称", "原名称", "former_name"}},
	}},
	TypePenalty: {Type: TypePenalty, DateKey: "decision_date", Fields: []Field{
		subjectField, codeField,
		{Key: "doc_no", Label: "行政处罚决定书文号", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"决定书文号", "处罚决定书文号", "行政处罚决定文书号", "处罚文书号", "文书号", "decision_number"}},
		{Key: "violation_type", Label: "违法行为类型", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"违法类型"}},
		{Key: "facts", Label: "违法事实", Kind: KindText, Aliases: []string{"主要违法事实", "违法事实描述"}},
		{Key: "basis", Label: "处罚依据", Kind: KindText, Aliases: []string{"处罚法律依据"}},
		{Key: "category", Label: "处罚类别", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"处罚种类", "处罚类型", "penalty_category"}},
		{Key: "content", Label: "处罚内容", Kind: KindText, Aliases: []string{"处罚结果", "处罚决定内容"}},
		{Key: "fine", Label: "罚款金额（万元）", Kind: KindMoney, Aliases: []string{"罚款金额", "罚款金额(万元)", "罚款金额（万）", "fine_amount"}},
		{Key: "confiscated", Label: "没收违法所得金额（万元）", Kind: KindMoney, Aliases: []string{"没收违法所得、没收非法财物的金额（万元）", "没收违法所得金额(万元)", "没收金额", "confiscated_amount"}},
		{Key: "decision_date", Label: "处罚决定日期", Kind: KindDate, Required: true, Aliases: []string{"决定日期", "处罚日期", "作出处罚决定日期", "处罚决定作出日期", "处罚作出日期", "处罚决定书日期", "处罚时间", "决定时间", "作出行政处罚决定日期", "decision_date"}},
		{Key: "valid_until", Label: "处罚有效期", Kind: KindDate, Aliases: []string{"处罚有效期限", "有效期"}},
		publicUntilField,
		{Key: "authority", Label: "处罚机关", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"决定机关", "处罚决定机关", "实施机关", "作出处罚决定的机关", "penalty_authority"}},
		{Key: "authority_code", Label: "处罚机关统一社会信用代码", Kind: KindCode, Aliases: []string{"处罚机关代码"}},
		{Key: "data_source", Label: "数据来源单位", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"数据来源", "来源单位"}},
		severityField,
	}},
	TypeLicense: {Type: TypeLicense, DateKey: "decision_date", Fields: []Field{
		subjectField, codeField,
		{Key: "doc_name", Label: "行政许可决定文书名称", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"许可决定文书名称", "文书名称"}},
		{Key: "doc_no", Label: "行政许可决定文书号", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"许可决定文书号", "许可文书号", "文书号", "decision_number"}},
		{Key: "category", Label: "许可类别", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"许可类型"}},
		{Key: "cert_name", Label: "许可证书名称", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"证书名称"}},
		{Key: "license_no", Label: "许可编号", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"许可证编号", "证书编号"}},
		{Key: "content", Label: "许可内容", Kind: KindText, Aliases: []string{"许可范围"}},
		{Key: "decision_date", Label: "许可决定日期", Kind: KindDate, Required: true, Aliases: []string{"决定日期", "许可日期", "许可决定作出日期", "decision_date"}},
		{Key: "valid_from", Label: "有效期自", Kind: KindDate, Aliases: []string{"有效期起", "有效期开始日期"}},
		{Key: "valid_to", Label: "有效期至", Kind: KindDate, Aliases: []string{"有效期止", "有效期截止日期"}},
		{Key: "authority", Label: "许可机关", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"许可决定机关", "发证机关", "决定机关"}},
		{Key: "state", Label: "当前状态", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"状态", "许可状态"}},
		publicUntilField,
	}},
	TypeAbnormal:  {Type: TypeAbnormal, DateKey: "list_date", Fields: listFields},
	TypeBlacklist: {Type: TypeBlacklist, DateKey: "list_date", Fields: listFields},
	TypeDishonestDebtor: {Type: TypeDishonestDebtor, DateKey: "published", Fields: []Field{
		{Key: "case_no", Label: "案号", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"执行案号", "case_number"}},
		{Key: "name", Label: "被执行人名称", Kind: KindText, MaxLen: maxNameLen, Required: true, Aliases: []string{"被执行人姓名/名称", "失信被执行人名称", "被执行人", "企业名称", "debtor_name"}},
		codeField,
		{Key: "legal_rep", Label: "法定代表人", Kind: KindText, MaxLen: maxLongLen, Aliases: []string{"法定代表人或者负责人姓名", "负责人"}},
		{Key: "court", Label: "执行法院", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"法院", "执行法院名称"}},
		{Key: "province", Label: "省份", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"地域", "所在省份"}},
		{Key: "basis_doc_no", Label: "执行依据文号", Kind: KindText, MaxLen: maxShortLen, Aliases: []string{"依据文号"}},
		{Key: "filed_date", Label: "立案时间", Kind: KindDate, Aliases: []string{"立案日期"}},
		{Key: "obligation", Label: "生效法律文书确定的义务", Kind: KindText, Aliases: []string{"法律生效文书确定的义务", "确定的义务"}},
		{Key: "performance", Label: "履行情况", Kind: KindText, Aliases: []string{"被执行人的履行情况"}},
		{Key: "circumstances", Label: "失信行为具体情形", Kind: KindText, Aliases: []string{"失信被执行人行为具体情形", "具体情形"}},
		{Key: "published", Label: "发布时间", Kind: KindDate, Required: true, Aliases: []string{"发布日期", "公布时间", "publish_date"}},
		{Key: "removal_date", Label: "移出日期", Kind: KindDate, Aliases: []string{"撤销日期", "屏蔽日期"}},
	}},
	TypeSpotCheck: {Type: TypeSpotCheck, DateKey: "check_date", Fields: []Field{
		codeField, nameField,
		{Key: "authority", Label: "检查实施机关", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"实施机关", "检查机关"}},
		{Key: "check_type", Label: "类型", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"检查类型", "抽查类型"}},
		{Key: "check_date", Label: "日期", Kind: KindDate, Required: true, Aliases: []string{"检查日期", "抽查日期", "检查时间"}},
		{Key: "result", Label: "结果", Kind: KindText, Required: true, Aliases: []string{"检查结果", "抽查结果"}},
	}},
	TypeRedlist: {Type: TypeRedlist, DateKey: "", Fields: []Field{
		codeField, nameField,
		{Key: "year", Label: "公示年度", Kind: KindInt, Required: true, Aliases: []string{"年度"}},
		{Key: "years", Label: "连续公示年限", Kind: KindInt, Aliases: []string{"连续年限", "连续公示年数"}},
		{Key: "authority", Label: "公示机关", Kind: KindText, MaxLen: maxShortLen, Required: true, Aliases: []string{"认定机关", "发布机关"}},
	}},
}

// SchemaOf returns the schema of a record type, or nil.
func SchemaOf(t RecordType) *Schema { return schemas[t] }

// Field returns the field with the canonical key, or nil.
func (s *Schema) Field(key string) *Field {
	for i := range s.Fields {
		if s.Fields[i].Key == key {
			return &s.Fields[i]
		}
	}
	return nil
}

// headerPunct is dropped from headers for lookup; built once, as every header of every file
// and every name of the schema passes through it.
var headerPunct = strings.NewReplacer("(", "", ")", "", "（", "", "）", "", "*", "", "_", "", "-", "", "：", "", ":", "")

// headerKey folds a header for lookup: width, case, spaces and both kinds of brackets.
func headerKey(h string) string {
	h = strings.TrimPrefix(h, "\ufeff")
	h = fold.Key(h)
	return headerPunct.Replace(h)
}

// HeaderKey folds a header the way Resolve compares headers, so that a column mapping names a
// column however its agency spells the case, width, brackets and separators of its header.
func HeaderKey(h string) string { return headerKey(h) }

// Resolve maps a header as found in an agency file to a canonical field key, or "".
func (s *Schema) Resolve(header string) string {
	k := headerKey(header)
	if k == "" {
		return ""
	}
	for _, f := range s.Fields {
		if k == headerKey(f.Key) || k == headerKey(f.Label) {
			return f.Key
		}
	}
	for _, f := range s.Fields {
		for _, a := range f.Aliases {
			if k == headerKey(a) {
				return f.Key
			}
		}
	}
	return ""
}

// Recognise guesses the record type of a bare file from its headers: the type whose
// required fields are all present and which resolves the most headers wins.
func Recognise(headers []string) RecordType {
	var best RecordType
	bestScore := 0
	for _, t := range RecordTypes {
		s := schemas[t]
		have := map[string]bool{}
		for _, h := range headers {
			if k := s.Resolve(h); k != "" {
				have[k] = true
			}
		}
		ok := true
		for _, f := range s.Fields {
			if f.Required && !have[f.Key] {
				ok = false
				break
			}
		}
		// Prefer the type whose own vocabulary matches best; penalise unresolved headers.
		score := len(have)*2 - (len(headers) - len(have))
		if ok && score > bestScore {
			best, bestScore = t, score
		}
	}
	return best
}
