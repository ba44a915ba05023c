package tabular

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

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
