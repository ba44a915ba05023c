package region

import "testing"

func TestNames(t *testing.T) {
	if got := Name("350000"); got != "福建省" {
		t.Errorf("Name(350000) = %q", got)
	}
	if got := Province("350102"); got != "350000" {
		t.Errorf("Province = %q", got)
	}
	if got := FullName("350102"); got != "福建省 福州市 鼓楼区" {
		t.Errorf("FullName = %q", got)
	}
	if Name("999999") != "" {
		t.Error("unknown code should have no name")
	}
	if len(Provinces()) < 31 {
		t.Errorf("only %d provinces", len(Provinces()))
	}
}
