package uscc

import (
	"errors"
	"testing"
)

func TestValidate(t *testing.T) {
	for _, code := range []string{"91350200776049653A", "91430111MA4L41YT1U", "9135021359498494XQ"} {
		if err := Validate(code); err != nil {
			t.Errorf("Validate(%s) = %v, want nil", code, err)
		}
	}
	for _, tc := range []struct {
		code string
		want byte
	}{
		{"91350200776049653B", 'A'},
		{"91430111MA4L41YT10", 'U'},
		{"9135021359498494X0", 'Q'},
	} {
		err := Validate(tc.code)
		var cd *CheckDigitError
		if !errors.As(err, &cd) {
			t.Fatalf("Validate(%s) = %v, want CheckDigitError", tc.code, err)
		}
		if cd.Want != tc.want {
			t.Errorf("Validate(%s) suggests %c, want %c", tc.code, cd.Want, tc.want)
		}
		if Validate(cd.Suggestion()) != nil {
			t.Errorf("suggestion %s does not validate", cd.Suggestion())
		}
	}
	for _, bad := range []string{"", "123", "91350200776049653", "9135020077604965IA", "91350200776049653AA"} {
		if err := Validate(bad); !errors.Is(err, ErrShape) {
			t.Errorf("Validate(%q) = %v, want ErrShape", bad, err)
		}
	}
}

func TestNormalize(t *testing.T) {
	for in, want := range map[string]string{
		"９１３５０２００７７６０４９６５３Ａ": "91350200776049653A",
		"91350200776049653a":      "91350200776049653A",
		" 9135 0200-7760 49653A ": "91350200776049653A",
		"77604965-3":              "776049653",
	} {
		if got := Normalize(in); got != want {
			t.Errorf("Normalize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClassify(t *testing.T) {
	for in, want := range map[string]Kind{
		"91350200776049653A": KindUSCC,
		"350200100012345":    KindRegNo,
		"776049653":          KindOrgCode,
		"MA4L41YT1":          KindOrgCode,
		"ABCDEFGHJ":          KindNone,
		"华为":                 KindNone,
		"9135020077604965":   KindNone,
		// Old IDs and registration numbers share 15 digits; the 注册号 check tells them apart.
		"350102900101124":    KindRegNo,
		"350102900101123":    KindResidentID,
		"440306851130413":    KindResidentID,
		"350102199001011238": KindResidentID,
		"11010519491231002X": KindResidentID,
		"110105194912310021": KindUSCC, // wrong ID check character: only a USCC's shape
	} {
		if got := Classify(in); got != want {
			t.Errorf("Classify(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestRegionAndOrgCode(t *testing.T) {
	if got := Region("91350200776049653A"); got != "350200" {
		t.Errorf("Region = %q", got)
	}
	if got := OrgCode("91350200776049653A"); got != "776049653" {
		t.Errorf("OrgCode = %q", got)
	}
}

func FuzzValidate(f *testing.F) {
	for _, s := range []string{"91350200776049653A", "９１３５", "91430111ma4l41yt1u", "", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalize(s)
		err := Validate(n)
		var cd *CheckDigitError
		if errors.As(err, &cd) {
			if Validate(cd.Suggestion()) != nil {
				t.Fatalf("suggestion %q for %q does not validate", cd.Suggestion(), s)
			}
		}
		// A person's ID number that happens to pass the USCC check is still an ID.
		if err == nil && Classify(n) != KindUSCC && Classify(n) != KindResidentID {
			t.Fatalf("valid code %q not classified as USCC", n)
		}
	})
}

func TestAssignedPair(t *testing.T) {
	for code, want := range map[string]bool{
		"91350200776049653A": true,  // 9 工商, 1 企业
		"92350103MA8ABC1230": true,  // 9 工商, 2 个体工商户
		"93350103MA8ABC1230": true,  // 9 工商, 3 农民专业合作社
		"94350103MA8ABC1230": false, // 工商 has no category 4
		"99350103MA8ABC1230": false, // nor 9
		"11100000000013127G": true,  // 1 机构编制, 1 机关
		"19100000000013127G": true,  // 1 机构编制, 9 其他
		"14100000000013127G": false,
		"21100000000013127G": true, // 2 外交, 1 外国常驻新闻机构
		"22100000000013127G": false,
		"35100000000013127G": true, // 3 司法行政, 5 仲裁委员会
		"36100000000013127G": false,
		"51100000500021676K": true, // 5 民政, 1 社会团体
		"53100000500021676K": true, // 5 民政, 3 基金会
		"54100000500021676K": false,
		"62100000500021676K": true, // 6 旅游, 2 港澳台
		"72100000500021676K": true, // 7 宗教, 2 宗教院校
		"81100000500021676K": true, // 8 工会
		"82100000500021676K": false,
		"A1100000500021676K": true, // 中央军委改革和编制办公室
		"N2100000500021676K": true, // 农业, 村级集体经济组织
		"N4100000500021676K": false,
		"Y1100000500021676K": true, // 其他: only 1
		"Y2100000500021676K": false,
		"01100000500021676K": false, // no authority 0
		"B1100000500021676K": false,
		"AB100000500021676K": false,
		"9":                  false,
		"":                   false,
	} {
		if got := AssignedPair(code); got != want {
			t.Errorf("AssignedPair(%q) = %v, want %v", code, got, want)
		}
	}
}
