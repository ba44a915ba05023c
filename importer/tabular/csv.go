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
	fr    *csvFramer
	enc   string
	head  []string
	width int
}

func openCSV(r io.Reader) (*csvSource, error) {
	return openCSVWithin(r, MaxRecordBytes, MaxColumns)
}

// openCSVWithin opens with other record limits, so tests can reach them with small inputs.
func openCSVWithin(r io.Reader, maxRecord, maxColumns int) (*csvSource, error) {
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
	s.fr = &csvFramer{r: in, recLine: 1, maxRecord: maxRecord, maxColumns: maxColumns}
	s.cr = csv.NewReader(s.fr)
	s.cr.FieldsPerRecord = -1
	s.cr.ReuseRecord = true

	for {
		rec, err := s.cr.Read()
		if trip := s.fr.tripped(s.cr, err); trip != nil {
			return nil, fmt.Errorf("CSV header (line %d): %s", trip.line, trip.reason)
		}
		if err == io.EOF {
			return nil, fmt.Errorf("CSV: %w", ErrNoHeader)
		}
		if err != nil {
			return nil, fmt.Errorf("CSV header: %w", s.parseError(err))
		}
		if blank(rec) {
			continue
		}
		line, _ := s.cr.FieldPos(0)
		if err := cellTooLong(line, rec, nil); err != nil {
			return nil, fmt.Errorf("CSV header: %w", err)
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
		if trip := s.fr.tripped(s.cr, err); trip != nil {
			return Row{}, &RowError{Line: trip.line, Reason: trip.reason}
		}
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
		if err := cellTooLong(line, rec, s.head); err != nil {
			return Row{}, err
		}
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
	if errors.Is(err, errCSVTruncated) {
		return fmt.Errorf("CSV truncated or unterminated quote in the record starting at line %d", s.fr.recLine)
	}
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("read CSV: %w", err)
	}
	if errors.Is(pe.Err, csv.ErrQuote) && s.fr.unterminated(pe) {
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

// csvFramer sits between the input and encoding/csv, which buffers a whole record however long
// it grows. The framer follows csv's own record boundaries (quoted fields across lines, doubled
// quotes, and the stray quotes after which csv drops the rest of the line) so that it can stop a
// record at MaxRecordBytes or MaxColumns while csv is still reading it: it fails csv's read,
// skips the rest of that record without keeping it, and hands csv one empty line for each line
// skipped, so csv's line numbers stay those of the file.
type csvFramer struct {
	r                     io.Reader
	err                   error // sticky error of r (io.EOF at the end)
	maxRecord, maxColumns int

	state   csvState
	recLen  int // bytes of the current record so far
	fields  int // fields of the current record so far
	lines   int // newlines read from r, handed out or skipped
	recLine int // line on which the current record starts

	handed  int64  // bytes handed to csv, blank lines standing in for skipped ones included
	carry   []byte // input read but not yet handed out or skipped
	skipBuf []byte
	trip    *csvTrip
	pending error // the error that fails csv's read of the record over a limit
	skipNL  int   // newlines still to hand out for a skipped record
	// boundary, when set, is called with the offset (in bytes handed out) after each record
	// end, so a test can hold the framer's records against csv's.
	boundary func(off int64)
}

// csvState is csv's parse state after a byte.
type csvState uint8

const (
	csvFieldStart csvState = iota // before a field's first byte
	csvUnquoted                   // in a field not starting with a quote
	csvQuoted                     // in a quoted field
	csvQuote                      // a quote inside a quoted field: its end, or half of ""
	csvQuoteCR                    // a closing quote and \r: only \n may follow
	csvBadLine                    // after a stray quote: csv drops the rest of the line
)

// csvTrip is a record that went over a limit.
type csvTrip struct {
	line      int // where the record starts
	reason    string
	delivered bool // its error has been handed to csv
	reported  bool
	// linesBefore is the framer's line count before the byte that went over the limit.
	linesBefore int
	skipped     bool // the rest of the record has been read past
	truncated   bool // the record was still in a quoted field at the end of input
}

// errCSVRecordTooLong fails csv's read of a record over a limit; csvSource reports the trip.
var errCSVRecordTooLong = errors.New("record over a limit")

// errCSVTruncated ends a file whose last record, skipped for its size, never closed its quote.
var errCSVTruncated = errors.New("CSV truncated inside a quoted field")

func (f *csvFramer) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if f.pending != nil {
		err := f.pending
		f.pending = nil
		f.trip.delivered = true
		return 0, err
	}
	if f.trip != nil && !f.trip.skipped {
		f.skipRecord()
		if f.trip.truncated {
			return 0, errCSVTruncated
		}
	}
	if f.skipNL > 0 {
		n := min(len(p), f.skipNL)
		for i := range n {
			p[i] = '\n'
		}
		f.skipNL -= n
		f.handed += int64(n)
		return n, nil
	}
	var n int
	if len(f.carry) > 0 {
		n = copy(p, f.carry)
		f.carry = f.carry[n:]
	} else {
		if f.err != nil {
			return 0, f.err
		}
		var err error
		n, err = f.r.Read(p)
		f.err = err
		if n == 0 {
			return 0, err
		}
	}
	for i := 0; i < n; {
		if room := f.maxRecord - f.recLen; room > 0 {
			if i += f.run(p[i:n], room); i == n {
				break
			}
		}
		c := p[i]
		if f.advance(c) {
			if f.boundary != nil {
				f.boundary(f.handed + int64(i) + 1)
			}
			i++
			continue
		}
		reason := ""
		switch {
		case f.recLen > f.maxRecord:
			reason = fmt.Sprintf("record longer than %d bytes", f.maxRecord)
		case f.fields >= f.maxColumns: // fields counts the commas: one more field follows
			reason = fmt.Sprintf("more than %d columns", f.maxColumns)
		default:
			i++
			continue
		}
		// Hand out what came before; csv meets the error once it has read that, and the rest
		// of the record, this byte included, is skipped on the next read.
		f.trip = &csvTrip{line: f.recLine, reason: reason, linesBefore: f.lines}
		if c == '\n' { // a line inside a quoted field, already counted
			f.trip.linesBefore--
		}
		f.carry = append(append([]byte(nil), p[i+1:n]...), f.carry...)
		f.handed += int64(i)
		if i == 0 {
			f.trip.delivered = true
			return 0, errCSVRecordTooLong
		}
		f.pending = errCSVRecordTooLong
		return i, nil
	}
	f.handed += int64(n)
	return n, nil
}

// csvPlain marks the bytes that leave an unquoted field as it is.
var csvPlain = func() (t [256]bool) {
	for i := range t {
		t[i] = true
	}
	t[','], t['\n'], t['"'] = false, false, false
	return t
}()

// run takes, from the start of b and at most room of them, the bytes that leave the parse
// state as it is (most of any field), and returns how many: the framer's fast path.
func (f *csvFramer) run(b []byte, room int) int {
	if room < len(b) {
		b = b[:room]
	}
	k := 0
	switch f.state {
	case csvUnquoted:
		for k < len(b) && csvPlain[b[k]] {
			k++
		}
	case csvQuoted:
		if k = bytes.IndexByte(b, '"'); k < 0 {
			k = len(b)
		}
		f.lines += bytes.Count(b[:k], []byte{'\n'})
	case csvBadLine:
		if k = bytes.IndexByte(b, '\n'); k < 0 {
			k = len(b)
		}
	}
	f.recLen += k
	return k
}

// advance moves csv's parse state over one byte and reports whether it ended a record.
func (f *csvFramer) advance(c byte) (ended bool) {
	f.recLen++
	switch f.state {
	case csvFieldStart:
		switch c {
		case '"':
			f.state = csvQuoted
		case ',':
			f.fields++
		case '\n':
			ended = true
		default:
			f.state = csvUnquoted
		}
	case csvUnquoted:
		switch c {
		case ',':
			f.fields++
			f.state = csvFieldStart
		case '\n':
			ended = true
		case '"':
			f.state = csvBadLine // ErrBareQuote
		}
	case csvQuoted:
		if c == '"' {
			f.state = csvQuote
		}
	case csvQuote:
		switch c {
		case '"':
			f.state = csvQuoted
		case ',':
			f.fields++
			f.state = csvFieldStart
		case '\n':
			ended = true
		case '\r':
			f.state = csvQuoteCR
		default:
			f.state = csvBadLine // ErrQuote
		}
	case csvQuoteCR:
		if c == '\n' {
			ended = true
		} else {
			f.state = csvBadLine
		}
	case csvBadLine:
		ended = c == '\n'
	}
	if c == '\n' {
		f.lines++
	}
	if ended {
		f.state, f.recLen, f.fields, f.recLine = csvFieldStart, 0, 0, f.lines+1
	}
	return ended
}

// skipRecord reads past the rest of the record over a limit, keeping none of it, and leaves
// the input after it in carry and one newline to hand out for each line skipped beyond the
// one csv has already counted.
func (f *csvFramer) skipRecord() {
	for {
		b := f.carry
		f.carry = nil
		if len(b) == 0 {
			if f.err != nil {
				f.trip.skipped = true
				f.trip.truncated = f.state == csvQuoted
				return
			}
			if f.skipBuf == nil {
				f.skipBuf = make([]byte, 32<<10)
			}
			n, err := f.r.Read(f.skipBuf)
			f.err = err
			b = f.skipBuf[:n]
		}
		for i := 0; i < len(b); i++ {
			if i += f.run(b[i:], len(b)-i); i == len(b) {
				break
			}
			if f.advance(b[i]) {
				f.carry = append([]byte(nil), b[i+1:]...)
				// csv has counted the line it was reading when it failed.
				f.skipNL = f.lines - f.trip.linesBefore - 1
				f.trip.skipped = true
				return
			}
		}
	}
}

// tripped returns, once, the record over a limit when csv's read that has just returned err
// was the one failed for it. Until csv has read every byte handed out before the error, the
// error waits in csv's buffer and err belongs to an earlier record.
func (f *csvFramer) tripped(cr *csv.Reader, err error) *csvTrip {
	t := f.trip
	if t == nil || t.reported || !t.delivered || err == nil || err == io.EOF || cr.InputOffset() != f.handed {
		return nil
	}
	t.reported = true
	return t
}

// unterminated reports whether pe is csv's "quoted field ran into the end of input", which
// csv reports with the same ErrQuote as a stray quote after a closing one.
func (f *csvFramer) unterminated(pe *csv.ParseError) bool {
	return f.err == io.EOF && len(f.carry) == 0 && f.state == csvQuoted && pe.StartLine == f.recLine
}
