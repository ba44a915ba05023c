package tabular

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// events reads r to the end and renders what Next returned, one string per call:
// "L: v1|v2" for a row, "E L: reason" for a row error, "EOF", or "FATAL msg".
func events(t *testing.T, r Reader) []string {
	t.Helper()
	var out []string
	for range 1 << 20 {
		row, err := r.Next()
		var re *RowError
		switch {
		case err == nil:
			if len(row.Values) != len(r.Header()) {
				t.Fatalf("line %d: %d values, header has %d", row.Line, len(row.Values), len(r.Header()))
			}
			out = append(out, fmt.Sprintf("%d: %s", row.Line, strings.Join(row.Values, "|")))
			continue
		case errors.As(err, &re):
			out = append(out, "E "+re.Error())
			continue
		case err == io.EOF:
			out = append(out, "EOF")
		default:
			out = append(out, "FATAL "+err.Error())
		}
		if _, again := r.Next(); again != err {
			t.Errorf("Next after %v returned %v, want the same error again", err, again)
		}
		return out
	}
	t.Fatal("reader did not stop")
	return nil
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{
		"a.csv": CSV, "B.CSV": CSV, "x/y.txt": CSV, "z.xlsx": XLSX, "z.XLSX": XLSX,
		"r.jsonl": JSONL, "r.ndjson": JSONL, "a.xls": "", "a.tsv": "", "csv": "", "": "",
	} {
		if got := FormatOf(name); got != want {
			t.Errorf("FormatOf(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestOpenUnknownFormat(t *testing.T) {
	if _, err := Open(strings.NewReader("a"), Options{}); err == nil {
		t.Fatal("want an error without a format")
	}
}

func TestCSV(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		header []string
		want   []string
	}{
		{"simple", "a,b\n1,2\n3,4\n", []string{"a", "b"},
			[]string{"2: 1|2", "3: 3|4", "EOF"}},
		{"crlf, no final newline", "a,b\r\n1,2\r\n3,4", []string{"a", "b"},
			[]string{"2: 1|2", "3: 3|4", "EOF"}},
		{"blank lines and separator-only rows skipped", "\n\na,b\n\n1,2\n,\n  ,\n3,4\n", []string{"a", "b"},
			[]string{"5: 1|2", "8: 3|4", "EOF"}},
		{"header trimmed, values kept", " 企业名称 , 代码\t\n 华为 ,x \n", []string{"企业名称", "代码"},
			[]string{"2:  华为 |x ", "EOF"}},
		{"empty and duplicate header cells kept", "a,,a\n1,2,3\n", []string{"a", "", "a"},
			[]string{"2: 1|2|3", "EOF"}},
		{"field count mismatch", "a,b,c\n1,2\n1,2,3,4\n5,6,7\n", []string{"a", "b", "c"},
			[]string{"E line 2: has 2 fields, header has 3", "E line 3: has 4 fields, header has 3", "4: 5|6|7", "EOF"}},
		{"multi-line quoted field", "a,b\n\"x\ny\",1\n2,3\n", []string{"a", "b"},
			[]string{"2: x\ny|1", "4: 2|3", "EOF"}},
		{"bare quote, reading continues", "a,b\n1,x\"y\n2,3\n", []string{"a", "b"},
			[]string{`E line 2: bare " in unquoted field (column 4)`, "3: 2|3", "EOF"}},
		{"extraneous quote, reading continues", "a,b\n\"x\"y,1\n2,3\n", []string{"a", "b"},
			[]string{`E line 2: extraneous " in quoted field (line 2, column 3)`, "3: 2|3", "EOF"}},
		{"extraneous quote on the last line", "a,b\n\"x\"y,1", []string{"a", "b"},
			[]string{`E line 2: extraneous " in quoted field (line 2, column 3)`, "EOF"}},
		{"extraneous quote before trailing blank lines", "a,b\r\n\"x\"y,1\r\n\r\n\n", []string{"a", "b"},
			[]string{`E line 2: extraneous " in quoted field (line 2, column 3)`, "EOF"}},
		{"bare quote at the end", "a,b\n1,x\"", []string{"a", "b"},
			[]string{`E line 2: bare " in unquoted field (column 4)`, "EOF"}},
		{"unterminated quote at end of file", "a,b\n1,2\n3,\"abc", []string{"a", "b"},
			[]string{"2: 1|2", "FATAL CSV truncated or unterminated quote in the record starting at line 3"}},
		{"unterminated quote with final newline", "a,b\n3,\"abc\n", []string{"a", "b"},
			[]string{"FATAL CSV truncated or unterminated quote in the record starting at line 2"}},
		{"unterminated quote, crlf", "a,b\r\n3,\"abc\r\n", []string{"a", "b"},
			[]string{"FATAL CSV truncated or unterminated quote in the record starting at line 2"}},
		{"unterminated quote mid-file swallows the rest", "a,b\n1,\"x\n2,3\n\n4,5\n\n", []string{"a", "b"},
			[]string{"FATAL CSV truncated or unterminated quote in the record starting at line 2"}},
		{"truncated right after the opening quote", "a,b\n1,\"", []string{"a", "b"},
			[]string{"FATAL CSV truncated or unterminated quote in the record starting at line 2"}},
		{"header only", "a,b\n", []string{"a", "b"}, []string{"EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(strings.NewReader(tt.in), Options{Format: CSV})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := r.Header(); !slices.Equal(got, tt.header) {
				t.Errorf("header %q, want %q", got, tt.header)
			}
			if got := r.Encoding(); got != "utf-8" {
				t.Errorf("encoding %q", got)
			}
			if got := events(t, r); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	tests := []struct {
		name   string
		format Format
		in     string
		noHead bool
		want   string
	}{
		{"empty CSV", CSV, "", true, ""},
		{"blank CSV", CSV, "\n\n,,\n", true, ""},
		{"broken CSV header", CSV, "a\"b\n", false, "CSV header"},
		{"empty JSONL", JSONL, "\n \n", true, ""},
		{"JSONL array first", JSONL, "[1]\n{\"a\":1}\n", false, "JSONL line 1: first record not a JSON object"},
		{"JSONL garbage first", JSONL, "\n{\"a\":\n", false, "JSONL line 2: first record not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Open(strings.NewReader(tt.in), Options{Format: tt.format})
			if err == nil {
				t.Fatal("want an error")
			}
			if errors.Is(err, ErrNoHeader) != tt.noHead || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v", err)
			}
		})
	}
}

func TestCSVEncodings(t *testing.T) {
	const text = "统一社会信用代码,企业名称,注册地址\n91310000MA1FL0001X,上海某某科技有限公司,\"上海市浦东新区，世纪大道1号\"\n"
	gb, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   []byte
		enc  string
	}{
		{"utf-8", []byte(text), "utf-8"},
		{"utf-8 with BOM", append([]byte("\xEF\xBB\xBF"), text...), "utf-8-bom"},
		{"gb18030", gb, "gb18030"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(bytes.NewReader(tt.in), Options{Format: CSV})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Encoding() != tt.enc {
				t.Errorf("encoding %q, want %q", r.Encoding(), tt.enc)
			}
			if h := r.Header(); !slices.Equal(h, []string{"统一社会信用代码", "企业名称", "注册地址"}) {
				t.Errorf("header %q", h)
			}
			want := []string{"2: 91310000MA1FL0001X|上海某某科技有限公司|上海市浦东新区，世纪大道1号", "EOF"}
			if got := events(t, r); !slices.Equal(got, want) {
				t.Errorf("got %q", got)
			}
		})
	}
}

// A UTF-8 file whose sniffed prefix ends inside a multi-byte character must still be
// read as UTF-8.
func TestCSVRuneAcrossSniffEdge(t *testing.T) {
	in := "a\n" + strings.Repeat("x", sniffSize-4) + "统\n"
	if utf8Edge := in[:sniffSize]; validUTF8Sample([]byte(utf8Edge), true) {
		t.Fatal("fixture does not split a rune at the sniff edge")
	}
	r, err := Open(strings.NewReader(in), Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding() != "utf-8" {
		t.Fatalf("encoding %q, want utf-8", r.Encoding())
	}
	row, err := r.Next()
	if err != nil || !strings.HasSuffix(row.Values[0], "x统") {
		t.Fatalf("row %d %v", len(row.Values), err)
	}
}

// Detection sees only the first 64 KB; GB18030 further down is reported, not passed on.
func TestCSVLateInvalidUTF8(t *testing.T) {
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("华为")
	in := "a\n" + strings.Repeat("x\n", sniffSize) + gb + "\ny\n"
	r, err := Open(strings.NewReader(in), Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	got := events(t, r)
	want := []string{"E line 65538: invalid UTF-8 text (file may be GB18030)", "65539: y", "EOF"}
	if !slices.Equal(got[len(got)-3:], want) {
		t.Errorf("got %q", got[len(got)-3:])
	}
}

// endless yields a CSV header and then rows forever, counting what was read.
type endless struct {
	n   int
	buf []byte
}

func (e *endless) Read(p []byte) (int, error) {
	if e.n == 0 {
		e.buf = []byte("a,b\n")
	}
	for len(e.buf) < len(p) {
		e.buf = append(e.buf, "1,2\n"...)
	}
	n := copy(p, e.buf)
	e.buf = e.buf[n:]
	e.n += n
	return n, nil
}

func TestCSVStreams(t *testing.T) {
	src := &endless{}
	r, err := Open(src, Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	}
	if src.n > 256<<10 {
		t.Errorf("read %d bytes for 1000 short rows", src.n)
	}
}

func TestValidUTF8Sample(t *testing.T) {
	tests := []struct {
		in    string
		atEOF bool
		want  bool
	}{
		{"abc", false, true},
		{"ab\xE7\xBB", false, true}, // 统 cut after two bytes
		{"ab\xE7\xBB", true, false}, // nothing follows: really broken
		{"ab\xF0", false, true},
		{"\xC8\xFD", false, false}, // GB18030 for 三
		{"\xBB\xAA\xCE\xAA", false, false},
		{"", true, true},
	}
	for _, tt := range tests {
		if got := validUTF8Sample([]byte(tt.in), tt.atEOF); got != tt.want {
			t.Errorf("validUTF8Sample(%q, %v) = %v", tt.in, tt.atEOF, got)
		}
	}
}

func TestJSONL(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		header []string
		want   []string
	}{
		{"value types",
			`{"code":"9131","name":"华为","capital":1.50,"big":12345678901234567890,"ok":true,"no":false,"nil":null,"arr":[1, 2],"obj":{"a" : "b"}}` + "\n",
			[]string{"code", "name", "capital", "big", "ok", "no", "nil", "arr", "obj"},
			[]string{`1: 9131|华为|1.50|12345678901234567890|true|false||[1,2]|{"a":"b"}`, "EOF"}},
		{"missing, extra and reordered keys",
			`{"code":"c1","name":"n1"}` + "\n" + `{"extra":1,"name":"n2"}` + "\n" + `{"name":"n3","code":"c3"}`,
			[]string{"code", "name"},
			[]string{"1: c1|n1", "2: |n2", "3: c3|n3", "EOF"}},
		{"BOM, crlf and blank lines",
			"\xEF\xBB\xBF{\"a\":1}\r\n\r\n   \n{\"a\":\"2\"}\n\n",
			[]string{"a"},
			[]string{"1: 1", "4: 2", "EOF"}},
		{"header keys trimmed, repeated key is one column",
			`{" a ":1,"a":2,"b":3}`,
			[]string{"a", "b"},
			[]string{"1: 2|3", "EOF"}},
		{"lines that are not objects",
			"{\"a\":1}\n[1,2]\n\"s\"\n{\"a\":1} x\n{\"a\":\n{a:1}\n{\"a\":3}\n",
			[]string{"a"},
			[]string{
				"1: 1",
				"E line 2: not a JSON object: found an array",
				"E line 3: not a JSON object: found a string",
				"E line 4: not a JSON object: data after the closing brace",
				"E line 5: not a JSON object: unexpected EOF",
				"E line 6: not a JSON object: invalid character 'a'",
				"7: 3",
				"EOF",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(strings.NewReader(tt.in), Options{Format: JSONL})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if r.Encoding() != "jsonl" {
				t.Errorf("encoding %q", r.Encoding())
			}
			if got := r.Header(); !slices.Equal(got, tt.header) {
				t.Errorf("header %q, want %q", got, tt.header)
			}
			if got := events(t, r); !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// A line over MaxRecordBytes or a value over MaxCellBytes rejects its row; the reader never
// keeps the line and goes on with the next one.
func TestJSONLLongLines(t *testing.T) {
	cell := strings.Repeat("x", MaxCellBytes)
	var near strings.Builder // just under the line cap, every value at the cell cap
	near.WriteString(`{"a":"` + cell + `"`)
	for i := 0; near.Len()+MaxCellBytes+20 < MaxRecordBytes; i++ {
		fmt.Fprintf(&near, `,"k%d":"%s"`, i, cell)
	}
	near.WriteString("}")
	lines := []string{
		near.String(),
		`{"a":"` + strings.Repeat("y", MaxRecordBytes) + `"}`, // 2: over the line cap
		`{"a":"` + cell + `x"}`,                               // 3: one byte over the cell cap
		`{"a":"z","b":"` + cell + `x"}`,                       // 4: the same under a key that is no column
		`{"a":"` + strings.Repeat("w", 20<<20) + `"}`,         // 5: 20 MiB
		`{"a":"z"}`,
	}
	r, err := Open(strings.NewReader(strings.Join(lines, "\n")), Options{Format: JSONL})
	if err != nil {
		t.Fatal(err)
	}
	row, err := r.Next()
	if err != nil || row.Values[0] != cell {
		t.Fatalf("line near the cap: %v", err)
	}
	for _, want := range []string{
		fmt.Sprintf("line 2: longer than %d bytes", MaxRecordBytes),
		fmt.Sprintf("line 3: column 1 (a) is %d bytes long, more than %d", MaxCellBytes+1, MaxCellBytes),
		fmt.Sprintf("line 4: column 2 (b) is %d bytes long, more than %d", MaxCellBytes+1, MaxCellBytes),
		fmt.Sprintf("line 5: longer than %d bytes", MaxRecordBytes),
	} {
		var re *RowError
		if _, err := r.Next(); !errors.As(err, &re) || re.Error() != want {
			t.Fatalf("got %v, want %s", err, want)
		}
	}
	if row, err := r.Next(); err != nil || row.Line != 6 || row.Values[0] != "z" {
		t.Fatalf("after the long lines: %+v %v", row, err)
	}
	if _, err := r.Next(); err != io.EOF {
		t.Fatalf("want EOF, got %v", err)
	}
	// A first line over the cap leaves no header: the file is refused.
	if _, err := Open(strings.NewReader(lines[1]), Options{Format: JSONL}); err == nil || !strings.Contains(err.Error(), "longer than") {
		t.Fatalf("over-long first line: %v", err)
	}
}

// workbook builds an XLSX file in memory.
func workbook(t testing.TB, fill func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	fill(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func set(t testing.TB, f *excelize.File, sheet, cell string, v any, style int) {
	t.Helper()
	if err := f.SetCellValue(sheet, cell, v); err != nil {
		t.Fatal(err)
	}
	if style != 0 {
		if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
			t.Fatal(err)
		}
	}
}

func TestXLSX(t *testing.T) {
	date := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	data := workbook(t, func(f *excelize.File) {
		iso := "yyyy-mm-dd"
		isoStyle, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &iso})
		builtin, _ := f.NewStyle(&excelize.Style{NumFmt: 14}) // Excel's locale short date
		zhLong, _ := f.NewStyle(&excelize.Style{NumFmt: 31})  // yyyy年m月d日 in zh-CN
		// Row 1 is empty: the header is the first non-empty row.
		for i, h := range []string{" 统一社会信用代码 ", "企业名称", "成立日期", "注册资本", "核准日期", "发证日期"} {
			c, _ := excelize.CoordinatesToCellName(i+1, 2)
			set(t, f, "Sheet1", c, h, 0)
		}
		set(t, f, "Sheet1", "A3", "91310000MA1FL0001X", 0)
		set(t, f, "Sheet1", "B3", "上海某某科技有限公司", 0)
		set(t, f, "Sheet1", "C3", date, isoStyle)
		set(t, f, "Sheet1", "D3", 1.5, 0)
		set(t, f, "Sheet1", "E3", date, builtin)
		set(t, f, "Sheet1", "F3", date, zhLong)
		// Row 4 is missing; row 5 is short; row 6 has a cell past the header.
		set(t, f, "Sheet1", "A5", "x", 0)
		set(t, f, "Sheet1", "C5", "y", 0)
		set(t, f, "Sheet1", "A6", "a", 0)
		set(t, f, "Sheet1", "G6", "note", 0)
		set(t, f, "Sheet1", "A7", " z ", 0)
		set(t, f, "Sheet1", "B8", " ", 0) // whitespace only: skipped
		if _, err := f.NewSheet("Other"); err != nil {
			t.Fatal(err)
		}
		set(t, f, "Other", "A1", "not read", 0)
	})
	r, err := Open(bytes.NewReader(data), Options{Format: XLSX})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.Encoding() != "xlsx" {
		t.Errorf("encoding %q", r.Encoding())
	}
	if h := r.Header(); !slices.Equal(h, []string{"统一社会信用代码", "企业名称", "成立日期", "注册资本", "核准日期", "发证日期"}) {
		t.Errorf("header %q", h)
	}
	want := []string{
		"3: 91310000MA1FL0001X|上海某某科技有限公司|2024-03-05|1.5|2024-03-05|2024年3月5日",
		"5: x||y|||",
		"E line 6: has 7 fields, header has 6",
		"7:  z |||||",
		"EOF",
	}
	got := events(t, r)
	if !slices.Equal(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	// Both the custom and the built-in date style must come back as ISO dates.
	for _, v := range []string{strings.Split(got[0], "|")[2], strings.Split(got[0], "|")[4]} {
		if d, err := time.Parse(time.DateOnly, v); err != nil || !d.Equal(date) {
			t.Errorf("date cell %q: %v", v, err)
		}
	}
}

func TestXLSXRejects(t *testing.T) {
	var zipNoBook bytes.Buffer
	zw := zip.NewWriter(&zipNoBook)
	w, _ := zw.Create("hello.txt")
	_, _ = w.Write([]byte("hello"))
	_ = zw.Close()

	// Many equal rows compress well: small file, large unpacked size.
	big := workbook(t, func(f *excelize.File) {
		for i := 1; i <= 3000; i++ {
			set(t, f, "Sheet1", fmt.Sprintf("A%d", i), i, 0)
		}
	})
	unpacked := int64(0)
	zr, err := zip.NewReader(bytes.NewReader(big), int64(len(big)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		unpacked += int64(f.UncompressedSize64)
	}
	bombLimit := int64(len(big)) + 100
	if unpacked <= bombLimit {
		t.Fatalf("fixture unpacks to %d, not more than %d", unpacked, bombLimit)
	}

	tests := []struct {
		name  string
		in    []byte
		limit int64
		want  string
	}{
		{"random bytes", []byte("this is not a zip file at all"), 0, "not an XLSX workbook: zip: not a valid zip file"},
		{"empty", nil, 0, "not an XLSX workbook: zip: not a valid zip file"},
		{"zip without workbook", zipNoBook.Bytes(), 0, "not an XLSX workbook"},
		{"file over the limit", big, int64(len(big)) - 1, fmt.Sprintf("XLSX file is larger than %d bytes", len(big)-1)},
		{"unpacks over the limit", big, bombLimit, fmt.Sprintf("XLSX unpacks to more than %d bytes", bombLimit)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(bytes.NewReader(tt.in), Options{Format: XLSX, MaxXLSXUnzipSize: tt.limit})
			if err == nil {
				r.Close()
				t.Fatal("want an error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %q, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestClose(t *testing.T) {
	book := workbook(t, func(f *excelize.File) {
		set(t, f, "Sheet1", "A1", "h", 0)
		set(t, f, "Sheet1", "A2", "v", 0)
	})
	inputs := map[Format][]byte{CSV: []byte("h\nv\n"), JSONL: []byte(`{"h":"v"}`), XLSX: book}
	for format, in := range inputs {
		t.Run(string(format), func(t *testing.T) {
			r, err := Open(bytes.NewReader(in), Options{Format: format})
			if err != nil {
				t.Fatal(err)
			}
			var tmp string
			if s, ok := r.(*reader).src.(*xlsxSource); ok {
				tmp = s.tmpDir
			}
			if _, err := r.Next(); err != nil {
				t.Fatal(err)
			}
			if err := r.Close(); err != nil {
				t.Fatal(err)
			}
			if err := r.Close(); err != nil {
				t.Fatalf("second Close: %v", err)
			}
			if _, err := r.Next(); err == nil || err == io.EOF {
				t.Fatalf("Next after Close: %v", err)
			}
			if tmp != "" {
				if _, err := os.Stat(tmp); !os.IsNotExist(err) {
					t.Errorf("temporary directory %s left behind: %v", tmp, err)
				}
			}
		})
	}
}

// check reads arbitrary input to the end and fails on any broken invariant.
func check(t *testing.T, data []byte, format Format, maxCalls int) {
	r, err := Open(bytes.NewReader(data), Options{Format: format, MaxXLSXUnzipSize: 1 << 20})
	if err != nil {
		return
	}
	defer func() {
		if err := r.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	width, last := len(r.Header()), 0
	for range maxCalls {
		row, err := r.Next()
		var re *RowError
		switch {
		case err == nil:
			if len(row.Values) != width {
				t.Fatalf("line %d: %d values, header has %d", row.Line, len(row.Values), width)
			}
			if format != XLSX && row.Line <= last {
				t.Fatalf("line %d after line %d", row.Line, last)
			}
			last = row.Line
		case errors.As(err, &re):
			if format != XLSX && re.Line <= last {
				t.Fatalf("row error at line %d after line %d", re.Line, last)
			}
			last = re.Line
		default:
			return
		}
	}
	t.Fatalf("no end after %d calls", maxCalls)
}

func FuzzCSV(f *testing.F) {
	gb, _ := simplifiedchinese.GB18030.NewEncoder().String("统一社会信用代码,企业名称\n9131,华为\n")
	for _, s := range []string{"a,b\n1,2\n", "\xEF\xBB\xBFa\n\"x\"\"y\"\n", "a,b\n\"x\n", "a\n1,x\"y\n\"p\"q\n", gb, "\n\n,\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data, CSV, len(data)+2) })
}

func FuzzJSONL(f *testing.F) {
	for _, s := range []string{`{"a":1,"b":[1,{"c":null}]}` + "\n" + `{"b":"x"}`, "\xEF\xBB\xBF{}\r\n[]\n", `{"a":"\u00e9"} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data, JSONL, len(data)+2) })
}

func FuzzXLSX(f *testing.F) {
	book := workbook(f, func(x *excelize.File) {
		set(f, x, "Sheet1", "A1", "h", 0)
		set(f, x, "Sheet1", "B3", 1.5, 0)
		set(f, x, "Sheet1", "C4", "long", 0)
	})
	f.Add(book)
	f.Add(storedZip(f, book))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) { check(t, data, XLSX, excelize.TotalRows+2) })
}

// storedZip rewrites a zip with uncompressed entries and no CRC (archive/zip skips the
// check when CRC32 is 0), so mutations reach the XML instead of failing the checksum.
func storedZip(t testing.TB, data []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: zf.Name, Method: zip.Store,
			CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
