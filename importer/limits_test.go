package importer

import (
	"errors"
	"io"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
)

func TestOverLong(t *testing.T) {
	header := []string{"统一社会信用代码", "企业名称", "经营范围", "成立日期", "曾用名"}
	conv, _, err := newConverter("登记信息.csv", index.TypeEntity, header)
	if err != nil {
		t.Fatal(err)
	}
	name := func(n int) string { return strings.Repeat("华", n) }
	tests := []struct {
		name   string
		col    int
		value  string
		reason string // "" = accepted
	}{
		{"name at the limit", 1, name(300), ""},
		{"name at the limit with padding", 1, "  " + name(300) + "\u3000 \t", ""},
		{"name one over", 1, name(301), "企业名称过长（第 2 列）：共 301 字符，超过 300 字符"},
		{"4 MiB name", 1, strings.Repeat("x", 4<<20), "企业名称过长（第 2 列）：共 4194304 字符，超过 300 字符"},
		{"code", 0, strings.Repeat("9", 65), "统一社会信用代码过长（第 1 列）：共 65 字符，超过 64 字符"},
		{"code of 64", 0, strings.Repeat("9", 64), ""},
		{"date", 3, strings.Repeat("2", 65), "成立日期过长（第 4 列）：共 65 字符，超过 64 字符"},
		{"free text of 20,000", 2, name(20000), ""},
		{"free text over", 2, name(20001), "经营范围过长（第 3 列）：共 20001 字符，超过 20000 字符"},
		{"former names", 4, name(3001), "曾用名过长（第 5 列）：共 3001 字符，超过 3000 字符"},
		{"empty", 1, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := conv.overLong(7, tt.col, conv.schema.Field(conv.cols[tt.col]), tt.value)
			if tt.reason == "" {
				if is != nil {
					t.Fatalf("rejected: %+v", is)
				}
				return
			}
			if is == nil {
				t.Fatal("accepted")
			}
			if is.Reason != tt.reason || is.Code != "too_long" || is.Severity != "error" || is.Line != 7 ||
				is.File != "登记信息.csv" || is.Field != header[tt.col] {
				t.Errorf("issue %+v", is)
			}
			if n := utf8.RuneCountInString(is.Value); n > issueValueChars+1 || !strings.HasSuffix(is.Value, "…") {
				t.Errorf("value of %d characters quoted: %.60q", n, is.Value)
			}
		})
	}
}

// An ID number at the start of an over-long value is masked before the quote is cut.
func TestOverLongMasksIDNumbers(t *testing.T) {
	conv := &converter{file: "f.csv", schema: index.SchemaOf(index.TypePenalty), cols: []string{"name"}}
	v := "张三11010519491231002X" + strings.Repeat("某", 400)
	is := conv.overLong(2, 0, conv.schema.Field("name"), v)
	if is == nil || strings.Contains(is.Value, "11010519491231002X") || !strings.Contains(is.Value, "110105***********X") {
		t.Fatalf("issue %+v", is)
	}
}

// Every field has a limit, and the tabular cell cap never rejects a value its field accepts.
func TestSchemaLimits(t *testing.T) {
	for _, typ := range index.RecordTypes {
		for _, f := range index.SchemaOf(typ).Fields {
			n := f.MaxChars()
			if n < 64 || n > 20000 {
				t.Errorf("%s.%s: limit %d", typ, f.Key, n)
			}
			if n*utf8.UTFMax > tabular.MaxCellBytes {
				t.Errorf("%s.%s: %d characters may need more than the %d bytes of a cell", typ, f.Key, n, tabular.MaxCellBytes)
			}
			if f.Key == "name" && n > 300 {
				t.Errorf("%s.name: limit %d", typ, n)
			}
		}
	}
}

// The limits are far above real data: no value of the fixture snapshot comes near them.
func TestFixtureWithinLimits(t *testing.T) {
	snap, err := OpenSnapshot(fixture, BareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	for _, mf := range snap.Manifest.Files {
		rc, err := snap.Open(mf)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := tabular.Open(rc, tabular.Options{Format: mf.FormatOf()})
		if err != nil {
			t.Fatal(err)
		}
		conv, _, err := newConverter(mf.Path, mf.Type, tr.Header())
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		for {
			row, err := tr.Next()
			if err == io.EOF {
				break
			}
			var re *tabular.RowError
			if errors.As(err, &re) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			rows++
			for i, key := range conv.cols {
				if key == "" || i >= len(row.Values) {
					continue
				}
				if is := conv.overLong(row.Line, i, conv.schema.Field(key), row.Values[i]); is != nil {
					t.Errorf("%s:%d: %s", mf.Path, row.Line, is.Reason)
				}
			}
		}
		tr.Close()
		rc.Close()
		if rows == 0 {
			t.Errorf("%s: no rows read", mf.Path)
		}
	}
}

// A name within a cell's cap but over its field's limit rejects its row through convert.
func TestConvertRejectsOverLongField(t *testing.T) {
	header := []string{"统一社会信用代码", "企业名称"}
	c, _, err := newConverter("e.csv", index.TypeEntity, header)
	if err != nil {
		t.Fatal(err)
	}
	_, _, issues, v := c.convert(2, []string{"91350200776049653A", strings.Repeat("华", 1000) + "有限公司"})
	if v != rejected || len(issues) == 0 || issues[0].Code != "too_long" || issues[0].Line != 2 || issues[0].Field != "企业名称" {
		t.Fatalf("verdict %v, issues %+v", v, issues)
	}
}
