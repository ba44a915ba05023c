package tabular

import (
	"archive/zip"
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestCSVLimits(t *testing.T) {
	big := strings.Repeat("x", 4<<20)
	tooLong := fmt.Sprintf("record longer than %d bytes", MaxRecordBytes)
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"4 MiB unquoted field", "a,b\n1," + big + "\n2,3\n",
			[]string{"E line 2: " + tooLong, "3: 2|3", "EOF"}},
		{"4 MiB quoted field across lines", "a,b\n1,\"" + strings.Repeat(strings.Repeat("y", 100<<10)+"\n", 40) + "\",z\n2,3\n",
			[]string{"E line 2: " + tooLong, "43: 2|3", "EOF"}},
		{"doubled quotes and commas inside a long quoted field", "a,b\n1,\"" + strings.Repeat("q\"\",\n,", 1<<18) + "\"\n2,3\n",
			[]string{"E line 2: " + tooLong, fmt.Sprintf("%d: 2|3", 3+1<<18), "EOF"}},
		{"crlf", "a,b\r\n1," + big + "\r\n2,3\r\n",
			[]string{"E line 2: " + tooLong, "3: 2|3", "EOF"}},
		{"two long records in a row", "a,b\n1," + big + "\n1," + big + "\n2,3\n",
			[]string{"E line 2: " + tooLong, "E line 3: " + tooLong, "4: 2|3", "EOF"}},
		{"stray quote before the cap", "a,b\n1,x\"y" + big + "\n2,3\n",
			[]string{"E line 2: " + tooLong, "3: 2|3", "EOF"}},
		{"stray quote after a long record", "a,b\n1," + big + "\n1,x\"y\n2,3\n",
			[]string{"E line 2: " + tooLong, `E line 3: bare " in unquoted field (column 4)`, "4: 2|3", "EOF"}},
		{"too many columns", "a\n" + strings.Repeat(",", 20000) + "\nb\n",
			[]string{fmt.Sprintf("E line 2: more than %d columns", MaxColumns), "3: b", "EOF"}},
		{"long last record without newline", "a,b\n2,3\n1," + big,
			[]string{"2: 2|3", "E line 3: " + tooLong, "EOF"}},
		{"long unterminated quote at the end", "a,b\n2,3\n1,\"" + big,
			[]string{"2: 2|3", "E line 3: " + tooLong, "FATAL CSV truncated or unterminated quote in the record starting at line 3"}},
		{"value over the cell cap", "a,b\n1," + strings.Repeat("v", 200<<10) + "\n2,3\n",
			[]string{fmt.Sprintf("E line 2: column 2 (b) is %d bytes long, more than %d", 200<<10, MaxCellBytes), "3: 2|3", "EOF"}},
		{"two MiB of blank lines are no record", "a,b\n" + strings.Repeat("\n", 2<<20) + "2,3\n",
			[]string{fmt.Sprintf("%d: 2|3", 2+2<<20), "EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(strings.NewReader(tt.in), Options{Format: CSV})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if got := events(t, r); !slices.Equal(got, tt.want) {
				t.Errorf("got  %.300q\nwant %.300q", got, tt.want)
			}
		})
	}
}

func TestCSVLongHeader(t *testing.T) {
	_, err := Open(strings.NewReader("a,"+strings.Repeat("x", 2<<20)+"\n1,2\n"), Options{Format: CSV})
	if err == nil || err.Error() != fmt.Sprintf("CSV header (line 1): record longer than %d bytes", MaxRecordBytes) {
		t.Fatalf("got %v", err)
	}
}

func TestCSVLimitsGB18030(t *testing.T) {
	in, err := simplifiedchinese.GB18030.NewEncoder().String("企业名称,代码\n" + strings.Repeat("华", 1<<20) + ",1\n某公司,2\n")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Open(strings.NewReader(in), Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	if r.Encoding() != "gb18030" {
		t.Fatalf("encoding %s", r.Encoding())
	}
	want := []string{fmt.Sprintf("E line 2: record longer than %d bytes", MaxRecordBytes), "3: 某公司|2", "EOF"}
	if got := events(t, r); !slices.Equal(got, want) {
		t.Errorf("got %q", got)
	}
}

// fieldSource yields a CSV header, one row whose second field is n bytes long, and a short row,
// without ever holding the long field itself.
type fieldSource struct {
	head, tail string
	n, off     int64
}

func (f *fieldSource) Read(p []byte) (int, error) {
	total := int64(len(f.head)) + f.n + int64(len(f.tail))
	if f.off >= total {
		return 0, io.EOF
	}
	i := 0
	for i < len(p) && f.off < total {
		switch {
		case f.off < int64(len(f.head)):
			p[i] = f.head[f.off]
		case f.off < int64(len(f.head))+f.n:
			p[i] = 'x'
		default:
			p[i] = f.tail[f.off-int64(len(f.head))-f.n]
		}
		i++
		f.off++
	}
	return i, nil
}

// A 64 MiB field costs a bounded amount of memory, not a multiple of its size.
func TestCSVLongFieldBoundedMemory(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r, err := Open(&fieldSource{head: "a,b\n1,", n: 64 << 20, tail: "\n2,3\n"}, Options{Format: CSV})
	if err != nil {
		t.Fatal(err)
	}
	got := events(t, r)
	runtime.ReadMemStats(&after)
	want := []string{fmt.Sprintf("E line 2: record longer than %d bytes", MaxRecordBytes), "3: 2|3", "EOF"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q", got)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("reading a 64 MiB field allocated %d MiB", alloc>>20)
	}
}

// FuzzCSVLimits reads arbitrary input with tiny limits and holds it against the same reader
// without limits: every row is the same, on the same line, except rows over a limit, which
// become row errors on the line where they start. A third reader, encoding/csv alone, checks
// that the framer ends each record where csv does.
func FuzzCSVLimits(f *testing.F) {
	for _, s := range []string{
		"a,b\n1,2\n", "a\n1234567890123\n2\n", "a\n\"x\n\ny\nzzzzzzzzzzzz\",1\n2\n", "a\n1,x\"yyyyyyyyyyyyyyyyy\n3\n",
		"a\n\"x\"yyyyyyyyyyyyyyyyy\n3\n", "a\n1,\"" + strings.Repeat("q\"\"", 9) + "\n", "a\r\n1,2,3,4,5,6\r\n\r\n7\r\n", "a\n\"x\"\r\r\n\"bbbbbbbbbbbbb\"\r\nc",
	} {
		f.Add([]byte(s), uint8(12), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, maxRecord, maxColumns uint8) {
		if !utf8.Valid(data) || maxRecord < 2 || maxColumns < 1 {
			return // GB18030 detection is not what this checks
		}
		open := func(rec, cols int) (Reader, error) {
			src, err := openCSVWithin(bytes.NewReader(data), rec, cols)
			if err != nil {
				return nil, err
			}
			return &reader{src: src}, nil
		}
		free, err := open(1<<30, 1<<30)
		if err != nil {
			return
		}
		capped, err := open(int(maxRecord), int(maxColumns))
		if err != nil {
			return // a header over the limits is refused, which is fine
		}
		if !slices.Equal(free.Header(), capped.Header()) {
			t.Fatalf("headers %q and %q", free.Header(), capped.Header())
		}
		want, got := events(t, free), events(t, capped)
		i := 0
		for j := 0; j < len(got); j++ {
			line, isTrip := tripLine(got[j])
			if !isTrip {
				if i >= len(want) || got[j] != want[i] {
					t.Fatalf("event %d: %q\nwithout limits %q\nwith limits    %q", j, got[j], want, got)
				}
				i++
				continue
			}
			// The record over a limit is one the free reader returned, or left out as blank.
			if i < len(want) && eventLine(want[i]) < line {
				t.Fatalf("event %q missing before %q\nwithout limits %q\nwith limits    %q", want[i], got[j], want, got)
			}
			if i < len(want) && eventLine(want[i]) == line && !strings.HasPrefix(want[i], "FATAL") {
				i++
			}
		}
		if i != len(want) {
			t.Fatalf("events left over\nwithout limits %q\nwith limits    %q", want, got)
		}

		// The framer's record ends include every place csv ends a record.
		in := bytes.TrimPrefix(data, utf8BOM)
		ends := map[int64]bool{0: true}
		fr := &csvFramer{r: bytes.NewReader(in), recLine: 1, maxRecord: 1 << 30, maxColumns: 1 << 30,
			boundary: func(off int64) { ends[off] = true }}
		cr := csv.NewReader(fr)
		cr.FieldsPerRecord = -1
		for {
			_, err := cr.Read()
			if err == io.EOF {
				break
			}
			var pe *csv.ParseError
			if err != nil && !errors.As(err, &pe) {
				t.Fatal(err)
			}
			if err != nil && fr.unterminated(pe) {
				break
			}
			// The framer counts a byte once it has handed it out, so a record ends at
			// csv's offset or, for the last one, at the end of the input.
			if off := cr.InputOffset(); !ends[off] && off != int64(len(in)) {
				t.Fatalf("csv ended a record at %d, the framer at %v (input %q)", off, ends, in)
			}
		}
	})
}

// tripLine parses "E line N: <limit reason>".
func tripLine(ev string) (int, bool) {
	var line int
	if _, err := fmt.Sscanf(ev, "E line %d:", &line); err != nil {
		return 0, false
	}
	return line, strings.Contains(ev, "record longer than") || strings.Contains(ev, "columns")
}

// eventLine is the line an event names: a row's, a row error's, or a truncated file's.
func eventLine(ev string) int {
	var line int
	if _, err := fmt.Sscanf(ev, "E line %d:", &line); err == nil {
		return line
	}
	if _, err := fmt.Sscanf(ev, "%d:", &line); err == nil {
		return line
	}
	if i := strings.LastIndex(ev, "at line "); strings.HasPrefix(ev, "FATAL") && i >= 0 {
		fmt.Sscanf(ev[i:], "at line %d", &line)
		return line
	}
	return 1 << 30
}

// rawWorkbook writes a minimal workbook whose first sheet's rows (the XML inside sheetData)
// come from rows, plus any extra parts, to a file; big hostile parts stream straight into the zip.
func rawWorkbook(t *testing.T, rows func(w io.Writer), extra map[string]func(w io.Writer)) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "book.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	parts := map[string]func(w io.Writer){
		"[Content_Types].xml": text(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`),
		"_rels/.rels": text(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + rel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`),
		"xl/workbook.xml": text(`<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="` + rel + `">` +
			`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`),
		"xl/_rels/workbook.xml.rels": text(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + rel + `/worksheet" Target="worksheets/sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="` + rel + `/sharedStrings" Target="sharedStrings.xml"/></Relationships>`),
		"xl/worksheets/sheet1.xml": func(w io.Writer) {
			io.WriteString(w, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
			rows(w)
			io.WriteString(w, `</sheetData></worksheet>`)
		},
	}
	for name, fill := range extra {
		parts[name] = fill
	}
	names := make([]string, 0, len(parts))
	for name := range parts {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		bw := bufio.NewWriterSize(w, 1<<20)
		parts[name](bw)
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func text(s string) func(w io.Writer) { return func(w io.Writer) { io.WriteString(w, s) } }

// inline writes one row of inline-string cells.
func inline(w io.Writer, row int, cells ...string) {
	fmt.Fprintf(w, `<row r="%d">`, row)
	for i, c := range cells {
		ref, _ := excelize.CoordinatesToCellName(i+1, row)
		fmt.Fprintf(w, `<c r="%s" t="inlineStr"><is><t>%s</t></is></c>`, ref, c)
	}
	io.WriteString(w, `</row>`)
}

// repeat writes s n times.
func repeat(w io.Writer, s string, n int) {
	chunk := strings.Repeat(s, max(1, (64<<10)/len(s)))
	per := len(chunk) / len(s)
	for ; n >= per; n -= per {
		io.WriteString(w, chunk)
	}
	io.WriteString(w, strings.Repeat(s, n))
}

func openFile(t *testing.T, path string) (Reader, error) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return Open(f, Options{Format: XLSX})
}

func TestXLSXLimits(t *testing.T) {
	header := func(w io.Writer) { inline(w, 1, "统一社会信用代码", "企业名称") }
	tests := []struct {
		name  string
		rows  func(w io.Writer)
		extra map[string]func(w io.Writer)
		want  string
	}{
		{"32 MiB inline cell", func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c><c r="B2" t="inlineStr"><is><t>`)
			repeat(w, "华", 32<<20/3)
			io.WriteString(w, `</t></is></c></row>`)
		}, nil, "XLSX xl/worksheets/sheet1.xml, row 2, cell B2: text longer than 1048576 bytes"},
		{"text cut by comments", func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t>`)
			repeat(w, strings.Repeat("y", 1000)+"<!---->", 2000)
			io.WriteString(w, `</t></is></c></row>`)
		}, nil, "XLSX xl/worksheets/sheet1.xml, row 2, cell A2: text longer than 1048576 bytes"},
		{"CDATA", func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[`)
			repeat(w, "z", 2<<20)
			io.WriteString(w, `]]></t></is></c></row>`)
		}, nil, "XLSX xl/worksheets/sheet1.xml, row 2, cell A2: text longer than 1048576 bytes"},
		{"row of many cells", func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2">`)
			repeat(w, `<c t="inlineStr"><is><t>1</t></is></c>`, MaxColumns+1)
			io.WriteString(w, `</row>`)
		}, nil, fmt.Sprintf("XLSX xl/worksheets/sheet1.xml, row 2: more than %d cells", MaxColumns)},
		{"row XML over its cap", func(w io.Writer) {
			header(w)
			io.WriteString(w, `<row r="2"><c r="A2" t="inlineStr"><is>`)
			repeat(w, `<r><t>`+strings.Repeat("w", 100)+`</t></r>`, 50000)
			io.WriteString(w, `</is></c></row>`)
		}, nil, fmt.Sprintf("XLSX xl/worksheets/sheet1.xml, row 2, cell A2: row XML longer than %d bytes", maxXLSXRowXML)},
		{"more rows than a sheet holds", func(w io.Writer) {
			header(w)
			repeat(w, `<row/>`, excelize.TotalRows)
		}, nil, fmt.Sprintf("XLSX xl/worksheets/sheet1.xml: more than %d rows", excelize.TotalRows)},
		{"DTD", func(w io.Writer) {
			io.WriteString(w, `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>`)
			header(w)
		}, nil, "XLSX xl/worksheets/sheet1.xml: XML declarations (<!DOCTYPE, <!ENTITY) are not allowed in a workbook"},
		{"huge shared string", header, map[string]func(w io.Writer){"xl/sharedStrings.xml": func(w io.Writer) {
			io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>a</t></si><si><t>`)
			repeat(w, "s", 8<<20)
			io.WriteString(w, `</t></si></sst>`)
		}}, "XLSX xl/sharedStrings.xml, shared string 2: text longer than 1048576 bytes"},
		{"too many shared strings", header, map[string]func(w io.Writer){"xl/sharedStrings.xml": func(w io.Writer) {
			io.WriteString(w, `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
			repeat(w, `<si/>`, maxXLSXSharedStrings+1)
			io.WriteString(w, `</sst>`)
		}}, fmt.Sprintf("XLSX xl/sharedStrings.xml: more than %d shared strings", maxXLSXSharedStrings)},
		{"styles of a million elements", header, map[string]func(w io.Writer){"xl/styles.xml": func(w io.Writer) {
			io.WriteString(w, `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>`)
			repeat(w, `<xf/>`, maxXLSXElements)
			io.WriteString(w, `</cellXfs></styleSheet>`)
		}}, fmt.Sprintf("XLSX xl/styles.xml: more than %d XML elements outside the sheets", maxXLSXElements)},
		{"a big part kept in memory", header, map[string]func(w io.Writer){"xl/media/image1.png": func(w io.Writer) {
			repeat(w, "\x00", maxXLSXInMemory)
		}}, "XLSX parts other than big sheets unpack to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := rawWorkbook(t, tt.rows, tt.extra)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			r, err := openFile(t, path)
			runtime.ReadMemStats(&after)
			if err == nil {
				r.Close()
				t.Fatal("opened")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
				t.Errorf("refusing it allocated %d MiB", alloc>>20)
			}
		})
	}
}

// A value between MaxCellBytes and the XML text cap rejects only its row.
func TestXLSXLongCellRejectsRow(t *testing.T) {
	path := rawWorkbook(t, func(w io.Writer) {
		inline(w, 1, "统一社会信用代码", "企业名称")
		inline(w, 2, "91350102MA2XYW015U", strings.Repeat("v", 200<<10))
		inline(w, 3, "91350200776049653A", "厦门安泰")
	}, nil)
	r, err := openFile(t, path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	want := []string{
		fmt.Sprintf("E line 2: column 2 (企业名称) is %d bytes long, more than %d", 200<<10, MaxCellBytes),
		"3: 91350200776049653A|厦门安泰",
		"EOF",
	}
	if got := events(t, r); !slices.Equal(got, want) {
		t.Errorf("got %.200q", got)
	}
}

func TestXLSXLargeFile(t *testing.T) {
	// Random bytes do not compress: a stored part makes the file itself big.
	path := rawWorkbook(t, func(w io.Writer) { inline(w, 1, "a") }, nil)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxXLSXFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := openFile(t, path); err == nil || err.Error() != fmt.Sprintf("XLSX file is larger than %d bytes", MaxXLSXFileSize) {
		t.Fatalf("got %v", err)
	}
}

// A zip whose directory alone would take archive/zip hundreds of megabytes is refused before
// it is read.
func TestZipDirectoryCap(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := range 100000 {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: strconv.Itoa(i), Method: zip.Store}); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenZip(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err == nil || !strings.Contains(err.Error(), "zip directory larger than") {
		t.Fatalf("got %v", err)
	}
	_, err := Open(bytes.NewReader(buf.Bytes()), Options{Format: XLSX})
	if err == nil || !strings.Contains(err.Error(), "not an XLSX workbook: zip directory larger than") {
		t.Fatalf("got %v", err)
	}
}
