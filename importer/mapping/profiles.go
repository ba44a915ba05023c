package mapping

import (
	"strings"
	"sync"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/pinyin"
)

// Profile is the field list of a published standard for one record type: the field names
// (identifiers) agencies' exports use as headers, and what each is in gongshi's schema.
type Profile struct {
	Name   string           `json:"name"`   // stable identifier, shown in reports
	Title  string           `json:"title"`  // what the standard calls the table
	Source string           `json:"source"` // the standard and its version
	Type   index.RecordType `json:"type"`
	Fields []Field          `json:"-"`
	// Values are the standard's code tables, by canonical key.
	Values map[string]map[string]string `json:"-"`

	// sameAsOther: the fields are those of another type's profile too (the two lists share
	// their Chinese names, so their pinyin spellings), so a match does not tell the type.
	sameAsOther bool

	once  sync.Once
	codes map[string]*Field // folded field name → field
}

// Field is one field of a profile.
type Field struct {
	Code string // the field name as the standard writes it; matched case-insensitively
	Key  string // canonical key, Withhold, Ignore or SubjectKind
	// Fallback fields fill Key only where the standard's main field for it is empty.
	Fallback bool
}

func (p *Profile) field(folded string) *Field {
	p.once.Do(func() {
		p.codes = map[string]*Field{}
		for i := range p.Fields {
			p.codes[index.HeaderKey(p.Fields[i].Code)] = &p.Fields[i]
		}
	})
	return p.codes[folded]
}

// Detect returns the profile of type t (any type for "") that the headers match, or nil. A
// profile matches when its fields fill every required field of its type and at least half of
// the file's named columns are its fields; of several, the one with most matched columns
// wins (the 2.0 revision and the 2016 standard share a few field names).
func Detect(t index.RecordType, header []string) *Profile {
	var best *Profile
	bestN := 0
	named := 0
	folded := make([]string, len(header))
	for i, h := range header {
		folded[i] = index.HeaderKey(h)
		if folded[i] != "" {
			named++
		}
	}
	for _, p := range Profiles() {
		if t != "" && p.Type != t {
			continue
		}
		n := 0
		have := map[string]bool{}
		for _, k := range folded {
			if f := p.field(k); f != nil {
				n++
				have[f.Key] = true
			}
		}
		if n == 0 || 2*n < named {
			continue
		}
		complete := true
		for _, f := range index.SchemaOf(p.Type).Fields {
			if f.Required && !have[f.Key] {
				complete = false
				break
			}
		}
		if complete && n > bestN {
			best, bestN = p, n
		}
	}
	return best
}

// ProfileNamed returns the built-in profile with the name, or nil.
func ProfileNamed(name string) *Profile {
	for _, p := range Profiles() {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Profiles lists the built-in profiles, most specific first.
func Profiles() []*Profile {
	profilesOnce.Do(func() {
		profiles = append(profiles, standardProfiles...)
		profiles = append(profiles, pinyinProfiles()...)
	})
	return profiles
}

var (
	profilesOnce sync.Once
	profiles     []*Profile
)

// The 双公示 data standard of 信用中国 (the NDRC's credit portal) names the columns of the
// licence (行政许可, XK_…) and penalty (行政处罚, CF_…) files every agency reports. Two versions
// are in use: the 2016 standard (v1.0; 行政相对人 codes _1 to _5 with the ID number in _SFZ, one
// free-text 处罚结果) and its 2.0 revision (行政相对人类别, 罚款金额（万元）, 公示截止期, the
// authorities' and data sources' unified codes; natural persons' 证件号码 in _ZJHM). Field
// names and their meanings follow the published field tables of both versions; agencies
// write them in upper or lower case, which matching ignores.
//
// The registry and list profiles use the field names of the National Enterprise Credit
// Information Publicity System (国家企业信用信息公示系统, SAMR), which provincial open-data
// platforms export as they are (UNISCID, ENTNAME, SPECAUSE, ABNTIME …; _CN for a code's
// label). Their code tables are the register's 登记状态 codes and the 企业经营异常名录管理暂行办法
// (SAIC Order 68, 2014) listing and removal grounds.
//
// Every profile withholds the standard's personal-data fields (ID and certificate numbers of
// natural persons); PersonalHeader withholds the rest by their names.
var standardProfiles = []*Profile{
	{
		Name: "sgs-2.0-penalty", Title: "行政处罚信息（双公示）", Type: index.TypePenalty,
		Source: "双公示数据标准 2.0 版（信用中国，行政处罚 CF_）",
		Fields: []Field{
			{Code: "CF_XDR_MC", Key: "name"},
			{Code: "CF_XDR_LB", Key: SubjectKind},
			{Code: "CF_XDR_SHXYM", Key: "code"},
			{Code: "CF_XDR_ZZJG", Key: "code", Fallback: true},
			{Code: "CF_XDR_GSZC", Key: "code", Fallback: true},
			{Code: "CF_XDR_SWDJ", Key: Ignore},
			{Code: "CF_XDR_SYDW", Key: Ignore},
			{Code: "CF_XDR_SHZZ", Key: Ignore},
			{Code: "CF_FRDB", Key: Ignore},
			{Code: "CF_FR_ZJLX", Key: Ignore},
			{Code: "CF_FR_ZJHM", Key: Withhold},
			{Code: "CF_FR_SFZH", Key: Withhold},
			{Code: "CF_XDR_ZJLX", Key: Ignore},
			{Code: "CF_XDR_ZJHM", Key: Withhold},
			{Code: "CF_WSH", Key: "doc_no"},
			{Code: "CF_WFXW", Key: "violation_type"},
			{Code: "CF_SY", Key: "facts"},
			{Code: "CF_YJ", Key: "basis"},
			{Code: "CF_CFLB", Key: "category"},
			{Code: "CF_NR", Key: "content"},
			{Code: "CF_NR_FK", Key: "fine"},
			{Code: "CF_NR_WFFF", Key: "confiscated"},
			{Code: "CF_NR_ZKDX", Key: Ignore},
			{Code: "CF_JDRQ", Key: "decision_date"},
			{Code: "CF_YXQ", Key: "valid_until"},
			{Code: "CF_GSJZQ", Key: "public_until"},
			{Code: "CF_CFJG", Key: "authority"},
			{Code: "CF_CFJGDM", Key: "authority_code"},
			{Code: "CF_SJLY", Key: "data_source"},
			{Code: "CF_SJLYDM", Key: Ignore},
			{Code: "CF_SXYZCD", Key: "severity"},
			{Code: "BZ", Key: Ignore},
		},
	},
	{
		Name: "sgs-2016-penalty", Title: "行政处罚信息（双公示）", Type: index.TypePenalty,
		Source: "双公示数据标准 2016 年版 v1.0（信用中国，行政处罚 CF_）",
		Fields: []Field{
			{Code: "CF_WSH", Key: "doc_no"},
			{Code: "CF_AJMC", Key: Ignore},
			{Code: "CF_CFMC", Key: Ignore},
			{Code: "CF_CFLB1", Key: "category"},
			{Code: "CF_CFLB2", Key: "category", Fallback: true},
			{Code: "CF_SY", Key: "facts"},
			{Code: "CF_YJ", Key: "basis"},
			{Code: "CF_XDR_MC", Key: "name"},
			{Code: "CF_XDR_SHXYM", Key: "code"},
			{Code: "CF_XDR_ZDM", Key: "code", Fallback: true},
			{Code: "CF_XDR_GSDJ", Key: "code", Fallback: true},
			{Code: "CF_XDR_SWDJ", Key: Ignore},
			{Code: "CF_XDR_SFZ", Key: Withhold},
			{Code: "CF_FR", Key: Ignore},
			{Code: "CF_JG", Key: "content"},
			{Code: "CF_JDRQ", Key: "decision_date"},
			{Code: "CF_XZJG", Key: "authority"},
			{Code: "CF_ZT", Key: Ignore},
			{Code: "DFBM", Key: Ignore},
			{Code: "SJC", Key: Ignore},
			{Code: "BZ", Key: Ignore},
		},
	},
	{
		Name: "sgs-2.0-license", Title: "行政许可信息（双公示）", Type: index.TypeLicense,
		Source: "双公示数据标准 2.0 版（信用中国，行政许可 XK_）",
		Fields: []Field{
			{Code: "XK_XDR_MC", Key: "name"},
			{Code: "XK_XDR_LB", Key: SubjectKind},
			{Code: "XK_XDR_SHXYM", Key: "code"},
			{Code: "XK_XDR_ZZJG", Key: "code", Fallback: true},
			{Code: "XK_XDR_GSZC", Key: "code", Fallback: true},
			{Code: "XK_XDR_SWDJ", Key: Ignore},
			{Code: "XK_XDR_SYDW", Key: Ignore},
			{Code: "XK_XDR_SHZZ", Key: Ignore},
			{Code: "XK_FRDB", Key: Ignore},
			{Code: "XK_FR_ZJLX", Key: Ignore},
			{Code: "XK_FR_ZJHM", Key: Withhold},
			{Code: "XK_FR_SFZH", Key: Withhold},
			{Code: "XK_XDR_ZJLX", Key: Ignore},
			{Code: "XK_XDR_ZJHM", Key: Withhold},
			{Code: "XK_XKWS", Key: "doc_name"},
			{Code: "XK_WSH", Key: "doc_no"},
			{Code: "XK_XKLB", Key: "category"},
			{Code: "XK_XKZS", Key: "cert_name"},
			{Code: "XK_XKBH", Key: "license_no"},
			{Code: "XK_NR", Key: "content"},
			{Code: "XK_JDRQ", Key: "decision_date"},
			{Code: "XK_YXQZ", Key: "valid_from"},
			{Code: "XK_YXQZI", Key: "valid_to"},
			{Code: "XK_XKJG", Key: "authority"},
			{Code: "XK_XKJGDM", Key: Ignore},
			{Code: "XK_ZT", Key: "state"},
			{Code: "XK_LYDW", Key: Ignore},
			{Code: "XK_LYDWDM", Key: Ignore},
			{Code: "BZ", Key: Ignore},
		},
		// 当前状态: 1 有效, 2 无效.
		Values: map[string]map[string]string{"state": {"1": "有效", "2": "无效"}},
	},
	{
		Name: "sgs-2016-license", Title: "行政许可信息（双公示）", Type: index.TypeLicense,
		Source: "双公示数据标准 2016 年版 v1.0（信用中国，行政许可 XK_）",
		Fields: []Field{
			{Code: "XK_WSH", Key: "doc_no"},
			{Code: "XK_XMMC", Key: "doc_name"},
			{Code: "XK_SPLB", Key: "category"},
			{Code: "XK_NR", Key: "content"},
			{Code: "XK_XDR", Key: "name"},
			{Code: "XK_XDR_SHXYM", Key: "code"},
			{Code: "XK_XDR_ZDM", Key: "code", Fallback: true},
			{Code: "XK_XDR_GSDJ", Key: "code", Fallback: true},
			{Code: "XK_XDR_SWDJ", Key: Ignore},
			{Code: "XK_XDR_SFZ", Key: Withhold},
			{Code: "XK_FR", Key: Ignore},
			{Code: "XK_JDRQ", Key: "decision_date"},
			{Code: "XK_JZQ", Key: "valid_to"},
			{Code: "XK_XZJG", Key: "authority"},
			{Code: "XK_ZT", Key: "state"},
			{Code: "DFBM", Key: Ignore},
			{Code: "SJC", Key: Ignore},
			{Code: "BZ", Key: Ignore},
		},
		// 当前状态: 0 正常（或空白）, 1 撤销, 2 异议, 3 其他（备注说明）.
		Values: map[string]map[string]string{"state": {"0": "正常", "1": "撤销", "2": "异议", "3": "其他"}},
	},
	{
		Name: "gsxt-entity", Title: "企业登记基本信息", Type: index.TypeEntity,
		Source: "国家企业信用信息公示系统字段名（市场监管总局）",
		Fields: []Field{
			{Code: "UNISCID", Key: "code"},
			{Code: "REGNO", Key: "reg_no"},
			{Code: "ENTNAME", Key: "name"},
			{Code: "ENTTYPE_CN", Key: "entity_type"},
			{Code: "ENTTYPE", Key: Ignore},
			{Code: "LEREP", Key: "legal_rep"},
			{Code: "REGCAP", Key: "reg_capital"},
			{Code: "REGCAPCUR_CN", Key: Ignore},
			{Code: "ESTDATE", Key: "established"},
			{Code: "OPFROM", Key: "term_from"},
			{Code: "OPTO", Key: "term_to"},
			{Code: "REGORG_CN", Key: "authority"},
			{Code: "REGORG", Key: Ignore},
			{Code: "APPRDATE", Key: "approved"},
			{Code: "REGSTATE_CN", Key: "status"},
			{Code: "REGSTATE", Key: "status", Fallback: true},
			{Code: "DOM", Key: "address"},
			{Code: "OPLOC", Key: "address", Fallback: true},
			{Code: "OPSCOPE", Key: "scope"},
			{Code: "PRIPID", Key: Ignore},
			{Code: "INDUSTRYPHY", Key: Ignore},
			{Code: "INDUSTRYCO", Key: Ignore},
		},
		// 登记状态 codes of the register.
		Values: map[string]map[string]string{"status": {
			"1": "存续（在营、开业、在册）", "2": "吊销，未注销", "3": "吊销，已注销", "4": "注销", "5": "撤销", "6": "迁出", "9": "其他"}},
	},
	{
		Name: "gsxt-abnormal", Title: "经营异常名录", Type: index.TypeAbnormal,
		Source: "国家企业信用信息公示系统字段名（市场监管总局）",
		Fields: listProfileFields("SPECAUSE"),
		Values: map[string]map[string]string{
			// 企业经营异常名录管理暂行办法 §4: the grounds for listing.
			"reason": {
				"1": "未按照规定的期限公示年度报告",
				"2": "未在市场监督管理部门依照规定责令的期限内公示有关企业信息",
				"3": "公示企业信息隐瞒真实情况、弄虚作假",
				"4": "通过登记的住所或者经营场所无法联系",
			},
			// §§11–13: the grounds for removal.
			"removal_reason": {
				"1": "补报未报年份的年度报告并公示",
				"2": "履行公示义务，公示了有关企业信息",
				"3": "更正了其公示的信息",
				"4": "依法办理住所或者经营场所变更登记",
			},
		},
	},
	{
		Name: "gsxt-blacklist", Title: "严重违法失信企业名单", Type: index.TypeBlacklist,
		Source: "国家企业信用信息公示系统字段名（市场监管总局）",
		Fields: listProfileFields("SERILLREA"),
	},
}

// listProfileFields are the columns gsxt's two lists share; only the listing reason's field
// name tells them apart.
func listProfileFields(reason string) []Field {
	return []Field{
		{Code: "UNISCID", Key: "code"},
		{Code: "REGNO", Key: "code", Fallback: true},
		{Code: "ENTNAME", Key: "name"},
		{Code: reason + "_CN", Key: "reason"},
		{Code: reason, Key: "reason", Fallback: true},
		{Code: "ABNTIME", Key: "list_date"},
		{Code: "DECORG_CN", Key: "authority"},
		{Code: "DECORG", Key: "authority", Fallback: true},
		{Code: "REMEXCPRES_CN", Key: "removal_reason"},
		{Code: "REMEXCPRES", Key: "removal_reason", Fallback: true},
		{Code: "REMDATE", Key: "removal_date"},
		{Code: "REDECORG_CN", Key: "removal_authority"},
		{Code: "REDECORG", Key: "removal_authority", Fallback: true},
		{Code: "PRIPID", Key: Ignore},
	}
}

// pinyinProfiles build, per record type, the profile of headers written as the pinyin
// initials of the standard Chinese names (TYSHXYDM 统一社会信用代码, QYMC 企业名称, LRRQ 列入日期,
// YCYY 移出原因 …), the way many provincial platforms abbreviate. Heteronyms give a name
// several spellings; a spelling two fields of one type share names neither.
func pinyinProfiles() []*Profile {
	var out []*Profile
	for _, t := range index.RecordTypes {
		owner := map[string]string{}
		for _, f := range index.SchemaOf(t).Fields {
			for _, name := range append([]string{f.Label}, f.Aliases...) {
				for _, code := range initialSpellings(name) {
					if k, seen := owner[code]; seen && k != f.Key {
						owner[code] = ""
						continue
					}
					owner[code] = f.Key
				}
			}
		}
		p := &Profile{Name: "pinyin-initials-" + string(t), Title: t.Label() + "（拼音首字母字段名）", Type: t,
			Source: "标准中文字段名的拼音首字母（如 TYSHXYDM = 统一社会信用代码）", sameAsOther: t.IsList()}
		for _, code := range sortedKeys(owner) {
			if k := owner[code]; k != "" {
				p.Fields = append(p.Fields, Field{Code: code, Key: k})
			}
		}
		out = append(out, p)
	}
	return out
}

// maxSpellings bounds the heteronym combinations of one name.
const maxSpellings = 16

// initialSpellings returns the pinyin-initial spellings of a name of Han characters (upper
// case), or nil when the name has anything else or is too short to mean anything.
func initialSpellings(name string) []string {
	spellings := []string{""}
	n := 0
	for _, r := range name {
		ins := pinyin.Initials(r)
		if len(ins) == 0 {
			return nil
		}
		n++
		var next []string
		for _, s := range spellings {
			for _, c := range ins {
				if len(next) < maxSpellings {
					next = append(next, s+strings.ToUpper(string(c)))
				}
			}
		}
		spellings = next
	}
	if n < 2 {
		return nil
	}
	return spellings
}
