package personal

import (
	"regexp"
	"strings"
	"testing"
)

func TestIsResidentID(t *testing.T) {
	for _, tc := range []struct {
		code string
		want bool
		why  string
	}{
		{"11010519491231002X", true, "the standard's worked example"},
		{"11010519491231002x", true, "lower-case check character"},
		{"350102199001011238", true, "18 digits"},
		{"510107200012299879", true, "born in 2000"},
		{"810000199306150039", true, "Hong Kong resident (81)"},
		{"710000198001010010", true, "Taiwan (71)"},
		{"830000198001010018", true, "Taiwan resident's residence permit (83)"},
		{"110105194912310021", false, "wrong check character"},
		{"350102199001011239", false, "wrong check character"},
		{"350102199002301237", false, "30 February"},
		{"350102199013011235", false, "month 13"},
		{"35010220990101123X", false, "born in the future"},
		{"350102189901011234", false, "born before 1900"},
		{"990102199001011237", false, "no province 99"},
		{"000102199001011238", false, "no province 00"},
		{"913502199001011237", false, "91 is a USCC prefix, not a province"},
		{"91350200776049653A", false, "a USCC"},
		{"35010219900101123", false, "17 digits"},
		{"3501021990010112388", false, "19 digits"},
		{"350102 19900101123", false, "not normalised"},
		{"３５０１０２１９９００１０１１２３８", false, "not normalised (full-width)"},
		{"350102900101123", true, "15 digits, fails the 注册号 check"},
		{"350102000101123", true, "15 digits, born 1900-01-01"},
		{"440306851130413", true, "15 digits"},
		{"350102900101124", false, "15 digits that pass the 注册号 check: a registration number"},
		{"440306851130412", false, "15 digits that pass the 注册号 check: a registration number"},
		{"350102901301123", false, "15 digits, month 13"},
		{"990102900101123", false, "15 digits, no province 99"},
		{"350102100012345", false, "a registration number of the fixtures (month 00)"},
		{"35010290010112X", false, "15 characters with X"},
		{"", false, "empty"},
	} {
		if got := IsResidentID(tc.code); got != tc.want {
			t.Errorf("IsResidentID(%q) = %v, want %v (%s)", tc.code, got, tc.want, tc.why)
		}
	}
}

func TestIsMobile(t *testing.T) {
	for s, want := range map[string]bool{
		"13812345678": true, "19912345678": true, "15000000000": true,
		"12812345678": false, "10812345678": false, "23812345678": false,
		"1381234567": false, "138123456789": false, "138 1234 5678": false, "1381234567x": false,
	} {
		if got := IsMobile(s); got != want {
			t.Errorf("IsMobile(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestMask(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"经营者张三，身份证号11010519491231002X。", "经营者张三，身份证号110105***********X。"},
		{"身份证350102199001011238", "身份证350102***********8"},
		{"350102199001011238", "350102***********8"},
		{"350102-19900101-1238", "350102-********-***8"},
		{"350102 19900101 1238", "350102 ******** ***8"},
		{"350102 - 19900101 - 1238。", "350102 - ******** - ***8。"},
		{"110105 19491231 002X", "110105 ******** ***X"},
		{"11010519491231002x号", "110105***********x号"},
		{"ID350102199001011238", "ID350102***********8"},
		{"id_350102199001011238_", "id_350102***********8_"},
		{"ABC350102199001011238XYZ", "ABC350102***********8XYZ"},
		{"３５０１０２１９９００１０１１２３８", "３５０１０２***********８"},
		{"１１０１０５１９４９１２３１００２Ｘ", "１１０１０５***********Ｘ"},
		{"３５０１０２－１９９００１０１－１２３８", "３５０１０２－********－***８"},
		{"序号1350102199001011238", "序号1350102***********8"},
		{"旧证350102900101123，", "旧证350102*********，"},
		{"350102 900101 123", "350102 ****** ***"},
		{"ID350102900101123", "ID350102*********"},
		{"电话13812345678", "电话138****5678"},
		{"电话 138 1234 5678", "电话 138 **** 5678"},
		{"电话138-1234-5678。", "电话138-****-5678。"},
		{"tel_13812345678_", "tel_138****5678_"},
		{"１３８１２３４５６７８", "１３８****５６７８"},
		{"+86 138 1234 5678", "+86 138 **** 5678"},
		{"+8613812345678", "+86138****5678"},
		{"联系人张三13812345678，身份证350102199001011238",
			"联系人张三138****5678，身份证350102***********8"},
		{"a350102199001011238 350102199001011238b", "a350102***********8 350102***********8b"},
	} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q)\n got %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskLeavesOtherNumbers(t *testing.T) {
	for _, s := range []string{
		"",
		"闽工商处字〔2019〕123号",
		"罚款人民币50000元，没收违法所得12345.67元",
		"注册号350102100012345",
		"注册号350102900101124（已换发营业执照）",
		"统一社会信用代码91350200776049653A",
		"统一社会信用代码913502199001011237",
		"身份证号110105194912310021（校验位错误）",
		"350102199002301237",
		"1350102900101123", // 16 digits: not a 15-digit ID
		"3501029001011234", // 16 digits
		"138123456789",     // 12 digits: not a mobile
		"913812345678",     // 12 digits
		"12812345678",      // no such mobile prefix
		"电话0591-87654321",
		"2019-03-05 至 2022-03-04",
		"案号（2020）闽0102执1234号",
		"1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",
	} {
		if got := Mask(s); got != s {
			t.Errorf("Mask(%q) = %q, want it unchanged", s, got)
		}
	}
}

// leak returns an ID or a mobile number that text still shows in one of the spellings Mask
// promises to catch, or "". It reads the text its own way: width-folded, digit groups split by
// up to three separators, checked with regular expressions.
func leak(text string) string {
	folded := strings.Map(func(r rune) rune {
		switch {
		case r >= '０' && r <= '９':
			return r - '０' + '0'
		case r == 'Ｘ' || r == 'ｘ' || r == 'x':
			return 'X'
		}
		return r
	}, text)
	for _, m := range reRun.FindAllString(folded, -1) {
		groups := reGroup.FindAllString(m, -1)
		joined := strings.Join(groups, "")
		for i := 0; i+18 <= len(joined); i++ {
			if IsResidentID(joined[i : i+18]) {
				return joined[i : i+18]
			}
		}
		// Whole groups, one after another.
		for a := range groups {
			s := ""
			for b := a; b < len(groups) && len(s) < 18; b++ {
				s += strings.TrimSuffix(groups[b], "X")
				if len(s) == 15 && IsResidentID(s) || len(s) == 11 && IsMobile(s) {
					return s
				}
				if len(s) == 13 && strings.HasPrefix(s, "86") && b == a && IsMobile(s[2:]) {
					return s
				}
			}
		}
	}
	return ""
}

var (
	reRun   = regexp.MustCompile(`[0-9]+(?:[ \t\-\x{a0}\x{3000}－‐‑‒–—―]{1,3}[0-9]+)*X?`)
	reGroup = regexp.MustCompile(`[0-9]+X?`)
)

func TestLeakOracle(t *testing.T) {
	// The oracle of FuzzMask must itself see every spelling.
	for _, s := range []string{"a350102 19900101 1238b", "３５０１０２１９９００１０１１２３８", "x11010519491231002X", "138-1234-5678", "350102900101123", "8613812345678"} {
		if leak(s) == "" {
			t.Errorf("leak(%q) finds nothing", s)
		}
	}
}

func FuzzMask(f *testing.F) {
	for _, s := range []string{
		"经营者张三，身份证号11010519491231002X。", "350102-19900101-1238", "350102 19900101 1238",
		"ID350102199001011238_", "３５０１０２１９９００１０１１２３８", "旧证350102900101123", "电话 138 1234 5678",
		"+8613812345678", "注册号350102900101124", "闽工商处字〔2019〕123号", "\xff350102199001011238\xfe", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Mask(s)
		if l := leak(got); l != "" {
			t.Fatalf("Mask(%q) = %q still shows %s", s, got, l)
		}
		if again := Mask(got); again != got {
			t.Fatalf("Mask is not stable: %q → %q → %q", s, got, again)
		}
	})
}
