// Package uscc validates and normalises China's unified social credit code
// (统一社会信用代码, GB 32100-2015) and the older identifiers users still type:
// the 15-digit registration number (注册号) and the 9-character organisation code.
package uscc

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/width"

	"github.com/gongshi/gongshi/index/personal"
)

// Alphabet holds the 31 characters a USCC may contain; a character's value is its index.
const Alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var weights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// Kind says which identifier a normalised string looks like.
type Kind int

const (
	KindNone    Kind = iota
	KindUSCC         // 18 characters
	KindRegNo        // 15-digit 注册号
	KindOrgCode      // 9-character 组织机构代码, stored without hyphen
	// KindResidentID is a natural person's identity number in a code's place (18 characters,
	// or 15 digits that fail the 注册号 check): personal data, never published or searched.
	KindResidentID
)

func (k Kind) String() string {
	switch k {
	case KindUSCC:
		return "uscc"
	case KindRegNo:
		return "reg_no"
	case KindOrgCode:
		return "org_code"
	case KindResidentID:
		return "resident_id"
	}
	return "none"
}

// Normalize folds full-width characters, upper-cases, and removes spaces and hyphens,
// the way real agency files and users spell codes ("９１３５…", "91350200-776049653a").
func Normalize(s string) string {
	s = width.Fold.String(s)
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == ' ' || r == '-' || r == '\t' || r == '\u00a0' || r == '\u3000' || r == '—' || r == '_':
			continue
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Classify reports which kind of identifier the already-normalised s has the shape of. A
// resident ID is one before anything else, though it may also have a USCC's or 注册号's shape.
func Classify(s string) Kind {
	switch {
	case personal.IsResidentID(s):
		return KindResidentID
	case len(s) == 18 && inAlphabet(s):
		return KindUSCC
	case len(s) == 15 && allDigits(s):
		return KindRegNo
	case len(s) == 9 && isOrgCodeShape(s):
		return KindOrgCode
	}
	return KindNone
}

// ErrShape is returned for input that is not 18 characters of the USCC alphabet.
var ErrShape = errors.New("not a unified social credit code: need 18 characters of 0-9 and A-Y without I, O, S, V, Z")

// CheckDigitError says a code has the right shape but a wrong check character.
type CheckDigitError struct {
	Code string // as given (normalised)
	Want byte   // the check character the first 17 characters require
}

func (e *CheckDigitError) Error() string {
	return fmt.Sprintf("check character of %s is %c, valid would be %c", e.Code, e.Code[17], e.Want)
}

// Suggestion is the full code with the valid check character.
func (e *CheckDigitError) Suggestion() string { return e.Code[:17] + string(e.Want) }

// CheckChar computes the check character for the first 17 characters of a code.
func CheckChar(first17 string) (byte, error) {
	if len(first17) != 17 || !inAlphabet(first17) {
		return 0, ErrShape
	}
	sum := 0
	for i := 0; i < 17; i++ {
		sum += strings.IndexByte(Alphabet, first17[i]) * weights[i]
	}
	return Alphabet[(31-sum%31)%31], nil
}

// Validate checks a normalised code; it returns ErrShape or a *CheckDigitError.
func Validate(code string) error {
	if len(code) != 18 || !inAlphabet(code) {
		return ErrShape
	}
	want, _ := CheckChar(code[:17])
	if code[17] != want {
		return &CheckDigitError{Code: code, Want: want}
	}
	return nil
}

// Category is an organisation category (机构类别) under a registration authority.
type Category struct {
	Code byte
	Name string
}

// Authority is a registration authority (登记管理部门): the first character of a USCC, and
// the organisation categories that may follow it as the second.
type Authority struct {
	Code       byte
	Name       string
	Categories []Category
}

// Authorities are the assigned registration authorities and organisation categories of
// GB 32100-2015, Appendix A, as amended in 2016. No code is issued outside them: one whose
// first two characters are not such a pair was mistyped or made up, even when its check
// character is right.
var Authorities = []Authority{
	{'1', "机构编制", []Category{{'1', "机关"}, {'2', "事业单位"}, {'3', "中央编办直接管理机构编制的群众团体"}, {'9', "其他"}}},
	{'2', "外交", []Category{{'1', "外国常驻新闻机构"}, {'9', "其他"}}},
	{'3', "司法行政", []Category{{'1', "律师执业机构"}, {'2', "公证处"}, {'3', "基层法律服务所"}, {'4', "司法鉴定机构"}, {'5', "仲裁委员会"}, {'9', "其他"}}},
	{'4', "文化", []Category{{'1', "外国在华文化中心"}, {'9', "其他"}}},
	{'5', "民政", []Category{{'1', "社会团体"}, {'2', "民办非企业单位"}, {'3', "基金会"}, {'9', "其他"}}},
	{'6', "旅游", []Category{{'1', "外国旅游部门常驻代表机构"}, {'2', "港澳台地区旅游部门常驻内地（大陆）代表机构"}, {'9', "其他"}}},
	{'7', "宗教", []Category{{'1', "宗教活动场所"}, {'2', "宗教院校"}, {'9', "其他"}}},
	{'8', "工会", []Category{{'1', "基层工会"}, {'9', "其他"}}},
	{'9', "工商", []Category{{'1', "企业"}, {'2', "个体工商户"}, {'3', "农民专业合作社"}}},
	{'A', "中央军委改革和编制办公室", []Category{{'1', "军队事业单位"}, {'9', "其他"}}},
	{'N', "农业", []Category{{'1', "组级集体经济组织"}, {'2', "村级集体经济组织"}, {'3', "乡镇级集体经济组织"}, {'9', "其他"}}},
	{'Y', "其他", []Category{{'1', "其他"}}},
}

// AuthorityOf returns the registration authority a code's first character names, or nil.
func AuthorityOf(code string) *Authority {
	if code == "" {
		return nil
	}
	for i := range Authorities {
		if Authorities[i].Code == code[0] {
			return &Authorities[i]
		}
	}
	return nil
}

// AssignedPair reports whether a code's first two characters are a registration authority
// and one of its organisation categories.
func AssignedPair(code string) bool {
	a := AuthorityOf(code)
	if a == nil || len(code) < 2 {
		return false
	}
	for _, c := range a.Categories {
		if c.Code == code[1] {
			return true
		}
	}
	return false
}

// Region returns the six-digit region part (positions 3–8) of a USCC, or "" if it is not digits.
func Region(code string) string {
	if len(code) != 18 || !allDigits(code[2:8]) {
		return ""
	}
	return code[2:8]
}

// OrgCode returns the embedded organisation code (positions 9–17) of a USCC.
func OrgCode(code string) string {
	if len(code) != 18 {
		return ""
	}
	return code[8:17]
}

func inAlphabet(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(Alphabet, s[i]) < 0 {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return len(s) > 0
}

func isOrgCodeShape(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	// At least one digit: a 9-letter word is a name fragment, not a code.
	return strings.ContainsAny(s, "0123456789")
}
