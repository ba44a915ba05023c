// Package tabular reads agency tabular files: CSV in UTF-8 (with or without BOM) or GB18030,
// the first sheet of an XLSX workbook, and JSON Lines, as a header plus rows of strings.
package tabular

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Format names a file format.
type Format string

// Supported formats.
const (
	CSV   Format = "csv"
	XLSX  Format = "xlsx"
	JSONL Format = "jsonl"
)

// FormatOf guesses the format from a file name's extension (case-insensitive):
// .csv and .txt are CSV, .xlsx is XLSX, .jsonl and .ndjson are JSONL; anything else is "".
func FormatOf(name string) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv", ".txt":
		return CSV
	case ".xlsx":
		return XLSX
	case ".jsonl", ".ndjson":
		return JSONL
	}
	return ""
}

// Limits on what one row or file may cost. The readers enforce them while they stream, so a
// reader never holds much more than MaxRecordBytes of a row, whatever the input:
//
//	limit                    value      over it
//	MaxRecordBytes           1 MiB      a CSV record (all its lines) or a JSONL line: *RowError,
//	                                    reading resumes with the next record
//	MaxCellBytes             128 KiB    one value, decoded: *RowError
//	MaxColumns               16,384     columns of a header (file refused) or a row (*RowError);
//	                                    Excel's own maximum
//	MaxXLSXFileSize          64 MiB     an XLSX file, which excelize holds in memory: refused
//	DefaultMaxXLSXUnzipSize  256 MiB    an XLSX file's unpacked parts together: refused
//	maxXLSXRowXML            4 MiB      the XML of one sheet row or shared string: file refused
//	maxXLSXText              1 MiB      the XML text of one cell or shared string: file refused
//
// The longest field the importer accepts (20,000 characters, index.Field.MaxChars) needs at
// most 80,000 bytes, so MaxCellBytes never rejects a value its field would take. An XLSX row
// cannot be skipped the way a CSV record can: excelize decodes a row before it can be judged,
// so the XML limits refuse the file, checked by a streaming pass over the sheet before excelize
// reads it, and values between MaxCellBytes and maxXLSXText reject only their row.
const (
	MaxRecordBytes          = 1 << 20
	MaxCellBytes            = 128 << 10
	MaxColumns              = 16384
	MaxXLSXFileSize         = 64 << 20
	DefaultMaxXLSXUnzipSize = 256 << 20
)

// Options configure Open.
type Options struct {
	Format Format // required
	// MaxXLSXUnzipSize caps the total size of an XLSX file's unpacked parts, guarding against
	// zip bombs, and the file's own size when lower than MaxXLSXFileSize; 0 means
	// DefaultMaxXLSXUnzipSize.
	MaxXLSXUnzipSize int64
}

// ErrNoHeader is returned (wrapped) by Open when the input holds no non-empty row,
// so callers can tell an empty upload from a broken one.
var ErrNoHeader = errors.New("file has no header row")

var errClosed = errors.New("tabular: reader is closed")

// Reader yields the rows of one file.
type Reader interface {
	// Header returns the header cells as written in the file, with a UTF-8 BOM and
	// surrounding white space removed. For JSONL these are the keys of the first
	// object in document order.
	Header() []string
	// Encoding reports how the input was decoded: "utf-8", "utf-8-bom", "gb18030",
	// "xlsx" or "jsonl".
	Encoding() string
	// Next returns the next data row, or io.EOF at the end. A malformed row that can
	// be skipped returns a *RowError: record it and call Next again. Any other error
	// means the file itself is broken (truncated, invalid zip, ...); Next keeps
	// returning it.
	Next() (Row, error)
	// Close releases resources held by the reader (XLSX temporary files). It does not
	// close the io.Reader given to Open. Calling it more than once is harmless.
	Close() error
}

// Row is one data row.
type Row struct {
	// Line is the 1-based line a person sees in an editor: for CSV the physical line
	// where the record starts, for XLSX the sheet row number, for JSONL the line number.
	Line int
	// Values is aligned with Header(); missing trailing cells or keys are "".
	Values []string
}

// RowError reports a row that was skipped; reading can continue.
type RowError struct {
	Line   int
	Reason string
}

func (e *RowError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Reason) }

// Open starts reading r. CSV and JSONL are streamed; an XLSX file is copied to a temporary
// file, checked against the workbook limits and then opened by excelize, which holds the file
// in memory (hence MaxXLSXFileSize) and reads the first sheet row by row.
func Open(r io.Reader, opts Options) (Reader, error) {
	var (
		src source
		err error
	)
	switch opts.Format {
	case CSV:
		src, err = openCSV(r)
	case XLSX:
		src, err = openXLSX(r, opts.MaxXLSXUnzipSize)
	case JSONL:
		src, err = openJSONL(r)
	default:
		return nil, fmt.Errorf("tabular: unknown format %q", opts.Format)
	}
	if err != nil {
		return nil, err
	}
	return &reader{src: src}, nil
}

// source is what each format implements; reader adds the shared state handling.
type source interface {
	header() []string
	encoding() string
	next() (Row, error)
	close() error
}

type reader struct {
	src    source
	err    error // sticky: io.EOF or a file error
	closed bool
}

func (r *reader) Header() []string { return slices.Clone(r.src.header()) }
func (r *reader) Encoding() string { return r.src.encoding() }

func (r *reader) Next() (Row, error) {
	if r.closed {
		return Row{}, errClosed
	}
	if r.err != nil {
		return Row{}, r.err
	}
	row, err := r.src.next()
	if err != nil {
		var re *RowError
		if !errors.As(err, &re) {
			r.err = err
		}
		return Row{}, err
	}
	return row, nil
}

func (r *reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	return r.src.close()
}

// cleanHeader trims header cells in place; a BOM can survive inside cells pasted
// from other files, not only at the start of the stream.
func cleanHeader(h []string) []string {
	for i, s := range h {
		h[i] = strings.TrimFunc(s, headerTrim)
	}
	return h
}

func headerTrim(r rune) bool { return unicode.IsSpace(r) || r == '\uFEFF' }

// blank reports whether a row carries no data; spreadsheet exports often end with
// rows of bare separators, which are not records.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// cellTooLong reports the first cell over MaxCellBytes as a row error, naming its column.
func cellTooLong(line int, cells, header []string) error {
	for i, c := range cells {
		if len(c) > MaxCellBytes {
			name := ""
			if i < len(header) && header[i] != "" {
				name = fmt.Sprintf(" (%s)", clip(header[i], 40))
			}
			return &RowError{Line: line, Reason: fmt.Sprintf("column %d%s is %d bytes long, more than %d", i+1, name, len(c), MaxCellBytes)}
		}
	}
	return nil
}

// clip keeps at most n bytes of s without cutting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// fitRow aligns cells with a header of width columns, or reports why it cannot.
func fitRow(line int, cells []string, width int, allowShort bool) (Row, error) {
	if len(cells) > width || (len(cells) < width && !allowShort) {
		return Row{}, &RowError{Line: line, Reason: fmt.Sprintf("has %d fields, header has %d", len(cells), width)}
	}
	vals := make([]string, width)
	copy(vals, cells)
	return Row{Line: line, Values: vals}, nil
}
