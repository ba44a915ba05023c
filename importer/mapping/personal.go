package mapping

import (
	"strings"
	"unicode"

	"github.com/gongshi/gongshi/index"
)

// Header words that name a natural person's identifying data: ID and certificate numbers,
// telephone numbers, home addresses and the like. Registry exports of individual businesses
// and penalty files carry them (法定代表人身份证号, 经营者住所, 联系电话); none is ever
// published, so such a column is withheld unless a mapping says otherwise. 住所 alone is a
// business's registered address and public; 住址 and 经营者住所 are a person's home.
var personalWords = []string{
	"身份证", "证件号", "电话", "手机", "联系方式", "住址", "家庭地址", "居住地", "户籍",
	"出生日期", "出生年月", "性别", "民族", "电子邮箱", "邮箱",
	"经营者住所", "投资人住所", "负责人住所", "法定代表人住所", "业主住所",
}

// Tokens of field identifiers with the same meaning: the 双公示 standard's _SFZ, _SFZH and
// _ZJHM (居民身份证号, 证件号码), gsxt's CERNO, TEL and MOBTEL, and English words.
var personalTokens = map[string]bool{
	"sfz": true, "sfzh": true, "sfzhm": true, "zjhm": true, "lxdh": true, "sjhm": true, "lxfs": true,
	"cerno": true, "certno": true, "idcard": true, "idno": true, "tel": true, "mobtel": true,
	"phone": true, "telephone": true, "mobile": true, "email": true, "birthday": true,
}

// PersonalHeader reports whether a header names a known personal-data column.
func PersonalHeader(h string) bool {
	k := index.HeaderKey(h)
	for _, w := range personalWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	for _, t := range headerTokens(h) {
		if personalTokens[t] {
			return true
		}
	}
	return false
}

// headerTokens splits a Latin header into lower-case words at separators and case changes:
// "CF_FR_ZJHM" → cf fr zjhm, "legalRepIdCard" → legal rep id card (and the pairs joined, so
// "id card" also reads as "idcard").
func headerTokens(h string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	prevLower := false
	for _, r := range h {
		switch {
		case r == '_' || r == '-' || r == '.' || unicode.IsSpace(r):
			flush()
			prevLower = false
			continue
		case r > unicode.MaxASCII:
			flush()
			prevLower = false
			continue
		case unicode.IsUpper(r) && prevLower:
			flush()
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	flush()
	out := words
	for i := 0; i+1 < len(words); i++ {
		out = append(out, words[i]+words[i+1])
	}
	return out
}
