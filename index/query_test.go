package index

import (
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index/uscc"
)

// TestCodeShapedInputHints: what looks like a code but cannot be one says why, and a code
// that can be one says nothing.
func TestCodeShapedInputHints(t *testing.T) {
	valid := func(first17 string) string {
		c, err := uscc.CheckChar(first17)
		if err != nil {
			t.Fatal(err)
		}
		return first17 + string(c)
	}
	for _, tc := range []struct {
		q, kind string // kind "": no hint
		class   QueryClass
		mention string // in the Chinese message
	}{
		{valid("91350200776049653"), "", ClassCode, ""},
		{valid("92350103MA8ABC123"), "", ClassCode, ""},
		{valid("53100000500021676"), "", ClassCode, ""}, // 民政 基金会
		{valid("Y1100000500021676"), "", ClassCode, ""},
		{"91350200776049653B", "check_digit", ClassBadCode, "校验位"},
		// A right check character does not make an unassigned pair right.
		{valid("94350200776049653"), "code_authority", ClassCode, "9（工商）之下只有 1 企业、2 个体工商户、3 农民专业合作社，没有 4"},
		{valid("Y2350200776049653"), "code_authority", ClassCode, "没有 2"},
		{valid("01350200776049653"), "code_authority", ClassCode, "第1位是登记管理部门代码"},
		{valid("B1350200776049653"), "code_authority", ClassCode, "不能是 B"},
		// A wrong pair wins over a wrong check character: fixing the check would keep it.
		{"94350200776049653B", "code_authority", ClassCode, "没有 4"},
		{"FOOBARFOOBARFOOBAR", "code_shape", "", "18位"},
		{"ABCDEFGHJKLMNPQRTU", "code_shape", "", "18位"},
		{"ＦＯＯＢＡＲＦＯＯＢＡＲＦＯＯＢＡＲ", "code_shape", "", "18位"},
		{"FOOBAR FOOBAR-FOOBAR", "code_shape", "", "18位"},
		{"9135020077604965IA", "code_shape", "", "18位"},
		{"foobarfoobarfoobar", "", "", ""}, // lower case: pinyin or a name, not a code
		{"FOOBARFOOBARFOOBA", "", "", ""},  // 17 letters
		{"FOOBARFOOBARFOOBARX", "", "", ""},
		{"xiamenyinhanggufen", "", ClassPinyin, ""},
		{"9135020077604965", "code_length", "", "16 位"},
	} {
		p, err := ParseQuery(tc.q)
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		switch {
		case tc.kind == "" && p.Hint != nil:
			t.Errorf("%q: hint %+v, want none", tc.q, p.Hint)
		case tc.kind != "" && (p.Hint == nil || p.Hint.Kind != tc.kind):
			t.Errorf("%q: hint %+v, want %s", tc.q, p.Hint, tc.kind)
		case tc.kind != "" && (!strings.Contains(p.Hint.Message, tc.mention) || p.Hint.MessageEN == ""):
			t.Errorf("%q: message %q, want it to say %q (and an English one)", tc.q, p.Hint.Message, tc.mention)
		}
		if tc.class != "" && p.Class != tc.class {
			t.Errorf("%q: class %s, want %s", tc.q, p.Class, tc.class)
		}
	}
}
