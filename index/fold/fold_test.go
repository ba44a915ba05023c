package fold

import (
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"华为技术有限公司（福建）":      "华为技术有限公司(福建)",
		"華為技術有限公司":          "华为技术有限公司",
		"ＡＢＣ科技１２３":          "abc科技123",
		"  Foo\u3000 Bar  ": "foo bar",
		"廈門銀行":              "厦门银行",
		"長沙市開福區":            "长沙市开福区",
		"":                  "",
	} {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestKey(t *testing.T) {
	if Key("華為技術 有限公司（福建）") != Key("华为技术有限公司(福建)") {
		t.Errorf("keys differ: %q vs %q", Key("華為技術 有限公司（福建）"), Key("华为技术有限公司(福建)"))
	}
}

func TestStepsAlone(t *testing.T) {
	if got := Width("（１）"); got != "(1)" {
		t.Errorf("Width = %q", got)
	}
	if got := Simplified("乾博於氏"); got != "乾博於氏" {
		t.Errorf("characters that are also simplified must stay: %q", got)
	}
	if got := Simplified("臺灣"); got != "台湾" {
		t.Errorf("Simplified = %q", got)
	}
	if got := Lower("ABC  D"); got != "abc d" {
		t.Errorf("Lower = %q", got)
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"華為（福建）", "ＡＢＣ", "\xff", "a\u3000b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Fold(s)
		if Fold(once) != once {
			t.Fatalf("Fold not idempotent on %q: %q then %q", s, once, Fold(once))
		}
		if utf8.ValidString(s) && !utf8.ValidString(once) {
			t.Fatalf("Fold(%q) produced invalid UTF-8", s)
		}
	})
}
