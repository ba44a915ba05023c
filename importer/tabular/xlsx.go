package tabular

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/xuri/excelize/v2"
)

// xlsxDatePattern replaces the locale-dependent built-in short date (format 14, which
// excelize otherwise renders as the ambiguous mm-dd-yy) with an ISO date. The zh-CN
// culture makes the other locale-dependent built-ins that Chinese Excel writes (31:
// yyyy年m月d日, ...) render as dates instead of bare serial numbers.
const xlsxDatePattern = "yyyy-mm-dd"

type xlsxSource struct {
	f      *excelize.File
	rows   *excelize.Rows
	tmpDir string
	line   int
	head   []string
	width  int
}

func openXLSX(r io.Reader, limit int64) (_ *xlsxSource, err error) {
	if limit <= 0 {
		limit = DefaultMaxXLSXUnzipSize
	}
	fileLimit := min(limit, MaxXLSXFileSize)
	// excelize spills big sheets to temporary files and does not remove them when
	// opening fails; a private directory lets close remove whatever was left.
	tmpDir, err := os.MkdirTemp("", "tabular-xlsx-")
	if err != nil {
		return nil, fmt.Errorf("XLSX temporary directory: %w", err)
	}
	s := &xlsxSource{tmpDir: tmpDir}
	defer func() {
		if err != nil {
			_ = s.close()
		}
	}()
	// The file goes to disk first: the zip directory sits at its end, and checkWorkbook reads
	// the parts it needs from there rather than from a copy in memory.
	book, err := os.Create(filepath.Join(tmpDir, "book.xlsx"))
	if err != nil {
		return nil, fmt.Errorf("XLSX temporary file: %w", err)
	}
	defer book.Close()
	size, err := io.Copy(book, io.LimitReader(r, fileLimit+1))
	if err != nil {
		return nil, fmt.Errorf("read XLSX: %w", err)
	}
	if size > fileLimit {
		return nil, fmt.Errorf("XLSX file is larger than %d bytes", fileLimit)
	}
	if err := checkWorkbook(book, size, limit); err != nil {
		return nil, err
	}
	if _, err := book.Seek(0, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read XLSX: %w", err)
	}
	s.f, err = excelize.OpenReader(book, excelize.Options{
		UnzipSizeLimit:    limit,
		UnzipXMLSizeLimit: min(limit, xlsxXMLInMemory),
		TmpDir:            tmpDir,
		ShortDatePattern:  xlsxDatePattern,
		CultureInfo:       excelize.CultureNameZhCN,
	})
	if err != nil {
		// excelize's limit error is unexported; match its exact text so a zip bomb is
		// not reported as a malformed file.
		if err.Error() == fmt.Sprintf("unzip size exceeds the %d bytes limit", limit) {
			return nil, fmt.Errorf("XLSX unpacks to more than %d bytes: %w", limit, err)
		}
		return nil, fmt.Errorf("not an XLSX workbook: %w", err)
	}
	sheets := s.f.GetSheetList()
	if len(sheets) == 0 {
		return nil, errors.New("not an XLSX workbook: no worksheet")
	}
	if s.rows, err = s.f.Rows(sheets[0]); err != nil {
		return nil, fmt.Errorf("not an XLSX workbook: sheet %q: %w", sheets[0], err)
	}
	for {
		cells, err := s.nextCells()
		if err == io.EOF {
			return nil, fmt.Errorf("XLSX sheet %q: %w", sheets[0], ErrNoHeader)
		}
		if err != nil {
			return nil, err
		}
		if !blank(cells) {
			if err := cellTooLong(s.line, cells, nil); err != nil {
				return nil, fmt.Errorf("XLSX header: %w", err)
			}
			s.head = cleanHeader(cells)
			s.width = len(s.head)
			return s, nil
		}
	}
}

// nextCells returns the cells of the next sheet row, counting rows as the sheet numbers
// them: excelize's iterator yields empty rows for gaps in the row numbers.
func (s *xlsxSource) nextCells() ([]string, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, fmt.Errorf("XLSX row %d: %w", s.line+1, err)
		}
		return nil, io.EOF
	}
	s.line++
	// A forged row number would otherwise make the iterator walk billions of gap rows.
	if s.line > excelize.TotalRows {
		return nil, fmt.Errorf("XLSX sheet has more than %d rows", excelize.TotalRows)
	}
	cells, err := s.rows.Columns()
	if err != nil {
		return nil, fmt.Errorf("XLSX row %d: %w", s.line, err)
	}
	return cells, nil
}

func (s *xlsxSource) header() []string { return s.head }
func (s *xlsxSource) encoding() string { return "xlsx" }

func (s *xlsxSource) next() (Row, error) {
	for {
		cells, err := s.nextCells()
		if err != nil {
			return Row{}, err
		}
		if blank(cells) {
			continue
		}
		if err := cellTooLong(s.line, cells, s.head); err != nil {
			return Row{}, err
		}
		// excelize drops trailing empty cells, so short rows are normal here.
		return fitRow(s.line, cells, s.width, true)
	}
}

func (s *xlsxSource) close() error {
	var errs []error
	if s.rows != nil {
		errs = append(errs, s.rows.Close())
		s.rows = nil
	}
	if s.f != nil {
		errs = append(errs, s.f.Close())
		s.f = nil
	}
	if s.tmpDir != "" {
		errs = append(errs, os.RemoveAll(s.tmpDir))
		s.tmpDir = ""
	}
	return errors.Join(errs...)
}
