package tabular

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// sniffSize is how much of a CSV file decides its encoding.
const sniffSize = 64 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

type csvSource struct {
	cr    *csv.Reader
	tail  *lineTail
	enc   string
	head  []string
	width int
}

func openCSV(r io.Reader) (*csvSource, error) {
	br := bufio.NewReaderSize(r, sniffSize)
	s := &csvSource{enc: "utf-8"}
	var in io.Reader = br
	if b, err := br.Peek(len(utf8BOM)); bytes.Equal(b, utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
		s.enc = "utf-8-bom"
	} else if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read CSV: %w", err)
	} else {
		sample, err := br.Peek(sniffSize)
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read CSV: %w", err)
		}
		if !validUTF8Sample(sample, err == io.EOF) {
			s.enc = "gb18030"
			in = transform.NewReader(br, simplifiedchinese.GB18030.NewDecoder())
		}
	}
	s.tail = &lineTail{r: in}
	s.cr = csv.NewReader(s.tail)
	s.cr.FieldsPerRecord = -1
	s.cr.ReuseRecord = true

	for {
		rec, err := s.cr.Read()
		if err == io.EOF {
			return nil, fmt.Errorf("CSV: %w", ErrNoHeader)
		}
		if err != nil {
			return nil, fmt.Errorf("CSV header: %w", err)
		}
		if blank(rec) {
			continue
		}
		s.head = cleanHeader(append([]string(nil), rec...))
		s.width = len(s.head)
		return s, nil
	}
}

// validUTF8Sample reports whether the sample is UTF-8, ignoring a rune cut in half at
// the end of the sample so a file is not misjudged as GB18030 by the cut alone.
func validUTF8Sample(b []byte, atEOF bool) bool {
	if !atEOF {
		for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
			if utf8.RuneStart(b[i]) {
				if !utf8.FullRune(b[i:]) {
					b = b[:i]
				}
				break
			}
		}
	}
	return utf8.Valid(b)
}

func (s *csvSource) header() []string { return s.head }
func (s *csvSource) encoding() string { return s.enc }
func (s *csvSource) close() error     { return nil }

func (s *csvSource) next() (Row, error) {
	for {
		rec, err := s.cr.Read()
		if err == io.EOF {
			return Row{}, io.EOF
		}
		if err != nil {
			return Row{}, s.parseError(err)
		}
		if blank(rec) {
			continue
		}
		line, _ := s.cr.FieldPos(0)
		if s.enc != "gb18030" {
			// Detection saw only the first 64 KB; GB18030 text further down would
			// otherwise reach the importer as mojibake.
			for _, v := range rec {
				if !utf8.ValidString(v) {
					return Row{}, &RowError{Line: line, Reason: "invalid UTF-8 text (file may be GB18030)"}
				}
			}
		}
		return fitRow(line, rec, s.width, false)
	}
}

// parseError sorts encoding/csv errors: after a stray quote csv has consumed the rest
// of the line and can go on, so that is a row error; a quoted field still open at the
// end of input means a truncated file, which no later row can repair.
func (s *csvSource) parseError(err error) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("read CSV: %w", err)
	}
	if errors.Is(pe.Err, csv.ErrQuote) && s.tail.unterminated(pe) {
		return fmt.Errorf("CSV truncated or unterminated quote in the record starting at line %d", pe.StartLine)
	}
	reason := pe.Err.Error()
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		reason = fmt.Sprintf(`bare " in unquoted field (column %d)`, pe.Column)
	case errors.Is(pe.Err, csv.ErrQuote):
		reason = fmt.Sprintf(`extraneous " in quoted field (line %d, column %d)`, pe.Line, pe.Column)
	}
	return &RowError{Line: pe.StartLine, Reason: reason}
}

// lineTail watches the text fed to encoding/csv. csv reports both a quoted field open
// at end of input and a stray quote after a closing quote as ErrQuote; only the shape
// of the last line tells them apart.
type lineTail struct {
	r     io.Reader
	eof   bool
	lines int // newlines seen
	cur   int // bytes after the last newline
	prev  int // bytes of the line ended by the last newline, without it
}

func (t *lineTail) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	b := p[:n]
	if j := bytes.LastIndexByte(b, '\n'); j < 0 {
		t.cur += n
	} else {
		if k := bytes.LastIndexByte(b[:j], '\n'); k < 0 {
			t.prev = t.cur + j
		} else {
			t.prev = j - k - 1
		}
		t.cur = n - j - 1
		t.lines += bytes.Count(b, []byte{'\n'})
	}
	if err == io.EOF {
		t.eof = true
	}
	return n, err
}

// unterminated reports whether pe is csv's "quoted field ran into end of input":
// that error points past the last byte of the last line, while a stray quote points
// at a quote followed by at least one more byte on its line.
func (t *lineTail) unterminated(pe *csv.ParseError) bool {
	if !t.eof {
		return false
	}
	lastLine, lastLen := t.lines, t.prev
	if t.cur > 0 {
		lastLine, lastLen = t.lines+1, t.cur
	}
	return pe.Line == lastLine && pe.Column > lastLen-1
}
