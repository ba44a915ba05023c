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

// DefaultMaxXLSXUnzipSize is used when Options.MaxXLSXUnzipSize is 0.
const DefaultMaxXLSXUnzipSize = 256 << 20

// MaxJSONLLineBytes is the longest JSON Lines line accepted; a longer line is reported
// as a *RowError and skipped, so one runaway line cannot exhaust memory.
const MaxJSONLLineBytes = 4 << 20

// Options configure Open.
type Options struct {
	Format Format // required
	// MaxXLSXUnzipSize caps both the XLSX file size and the total size of its unpacked
	// parts, guarding against zip bombs; 0 means DefaultMaxXLSXUnzipSize.
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

// Open starts reading r. CSV and JSONL are streamed; an XLSX file is buffered in
// memory as a whole because the zip directory sits at its end.
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

// fitRow aligns cells with a header of width columns, or reports why it cannot.
func fitRow(line int, cells []string, width int, allowShort bool) (Row, error) {
	if len(cells) > width || (len(cells) < width && !allowShort) {
		return Row{}, &RowError{Line: line, Reason: fmt.Sprintf("has %d fields, header has %d", len(cells), width)}
	}
	vals := make([]string, width)
	copy(vals, cells)
	return Row{Line: line, Values: vals}, nil
}
