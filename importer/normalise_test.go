package importer

import "testing"

func TestDate(t *testing.T) {
	for in, want := range map[string]string{
		"2024-03-05": "2024-03-05", "2024/3/5": "2024-03-05", "2024.3.5": "2024-03-05",
		"2024年3月5日": "2024-03-05", "20240305": "2024-03-05", "2024-03-05 12:00:00": "2024-03-05",
		"２０２４－０３－０５": "2024-03-05", "": "", "长期": "", "2024年3月": "2024-03-01",
	} {
		got, err := Date(in)
		if err != nil || got != want {
			t.Errorf("Date(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"2024-02-30", "tomorrow", "2024-13-01", "0001-01-01", "3/5/2024"} {
		if got, err := Date(bad); err == nil {
			t.Errorf("Date(%q) = %q, want error", bad, got)
		}
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{
		"  福州华威\u3000科技 有限公司（福建）  ": "福州华威 科技 有限公司（福建）",
		"ＡＢＣ１２３科技":                  "ABC123科技",
		"\ufeff名称":                  "名称",
	} {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]string{"1.50": "1.5", "1,500.00": "1500", "0": "0", "": "", "２万元": "2"} {
		got, err := Money(in)
		if err != nil || got != want {
			t.Errorf("Money(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := Money("abc"); err == nil {
		t.Error("Money(abc) should fail")
	}
}
