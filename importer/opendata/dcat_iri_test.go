package opendata_test

import (
	"testing"

	"github.com/gongshi/gongshi/importer/opendata"
)

func TestParsePublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"":                                 "",
		"  ":                               "",
		"https://gongshi.example.org":      "https://gongshi.example.org",
		"https://gongshi.example.org/":     "https://gongshi.example.org",
		"http://localhost:8080":            "http://localhost:8080",
		"https://example.org/gongshi//":    "https://example.org/gongshi",
		" https://gongshi.example.org/ \n": "https://gongshi.example.org",
	} {
		if got, err := opendata.ParsePublicURL(in); err != nil || got != want {
			t.Errorf("ParsePublicURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"gongshi.example.org", "/data", "ftp://example.org", "https://", "https://example.org/?a=1",
		"https://example.org/#x", "https://user:pw@example.org", "https://example.org?", "mailto:a@example.org"} {
		if got, err := opendata.ParsePublicURL(bad); err == nil {
			t.Errorf("ParsePublicURL(%q) = %q, want an error", bad, got)
		}
	}
	o := opendata.Options{}
	if o.PublicBase() != opendata.DefaultPublicURL {
		t.Errorf("default public base %q", o.PublicBase())
	}
	o.BaseURL = "https://gongshi.example.org/"
	if o.PublicBase() != "https://gongshi.example.org" {
		t.Errorf("public base %q", o.PublicBase())
	}
}
