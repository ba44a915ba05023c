package tabular

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits of a workbook that excelize may open. excelize holds the file and every part except
// big worksheets and shared-string tables in memory, parses some parts whole, and decodes a
// sheet row or a shared string as one piece: checkWorkbook holds each of those to a size it can
// afford, reading the zip directory and then the XML as a stream, before excelize sees the file.
const (
	// xlsxXMLInMemory is the largest worksheet or shared-string table excelize keeps in memory;
	// bigger ones go to a temporary file and are read as a stream.
	xlsxXMLInMemory = 4 << 20
	// maxXLSXInMemory caps the parts excelize keeps in memory, together.
	maxXLSXInMemory = 64 << 20
	// maxXLSXParts caps the entries of a workbook's zip.
	maxXLSXParts = 10000
	// maxXLSXRowXML caps the XML of one sheet row or one shared string.
	maxXLSXRowXML = 4 << 20
	// maxXLSXText caps the XML text of one element (a cell, a shared string); with entities a
	// value of MaxCellBytes may take up to about three times as many bytes of XML.
	maxXLSXText = 1 << 20
	// maxXLSXTag caps one tag with its attributes, a comment or a processing instruction.
	maxXLSXTag = 64 << 10
	// maxXLSXSharedStrings caps the shared-string table: excelize keeps an offset pair (about
	// 50 bytes) for every entry of a big one, however short the string.
	maxXLSXSharedStrings = 2_000_000
	// maxXLSXElements caps the XML elements of the parts excelize parses whole (workbook,
	// styles, theme, relationships, calculation chain): each costs it a struct of up to a few
	// hundred bytes. Excel itself allows 64,000 cell formats.
	maxXLSXElements = 1_000_000
)

// xlsxPart is how excelize treats a part of the workbook.
type xlsxPart int

const (
	partOther         xlsxPart = iota // kept in memory; parsed whole if excelize needs it
	partSheet                         // a worksheet, read row by row
	partSharedStrings                 // the shared-string table
)

// classify follows excelize's own rule (ReadZipReader) for which parts may go to disk.
func classify(name string) xlsxPart {
	lower := strings.ToLower(strings.ReplaceAll(name, `\`, "/"))
	switch {
	case lower == "xl/sharedstrings.xml":
		return partSharedStrings
	case strings.HasPrefix(lower, "xl/worksheets/sheet"):
		return partSheet
	}
	return partOther
}

// checkWorkbook refuses a workbook in r (size bytes) that would cost excelize more memory or
// time than the limits allow: unpacked size, parts kept in memory, rows, cells, text.
func checkWorkbook(r io.ReaderAt, size, unzipLimit int64) error {
	zr, err := OpenZip(r, size)
	if err != nil {
		return fmt.Errorf("not an XLSX workbook: %w", err)
	}
	if len(zr.File) > maxXLSXParts {
		return fmt.Errorf("XLSX workbook has %d parts, more than %d", len(zr.File), maxXLSXParts)
	}
	var total, inMemory uint64
	for _, f := range zr.File {
		n := f.UncompressedSize64
		total += n
		if n > uint64(unzipLimit) || total > uint64(unzipLimit) {
			return fmt.Errorf("XLSX unpacks to more than %d bytes (zip bomb or too big; use CSV)", unzipLimit)
		}
		if classify(f.Name) == partOther || n <= xlsxXMLInMemory {
			inMemory += n
		}
	}
	if inMemory > maxXLSXInMemory {
		return fmt.Errorf("XLSX parts other than big sheets unpack to %d bytes, more than %d", inMemory, maxXLSXInMemory)
	}
	elements := 0
	for _, f := range zr.File {
		kind := classify(f.Name)
		lower := strings.ToLower(f.Name)
		if kind == partOther && !strings.HasSuffix(lower, ".xml") && !strings.HasSuffix(lower, ".rels") {
			continue // pictures and the like: counted in memory above, never parsed for rows
		}
		rc, err := f.Open()
		if err != nil {
			return fmt.Errorf("not an XLSX workbook: %s: %w", f.Name, err)
		}
		sc := &xmlScan{part: f.Name, kind: kind, elements: &elements}
		err = sc.run(rc)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

// xmlScan reads one part's XML as a stream, holding no more than one tag, and checks the sizes
// excelize's decoder would have to hold.
type xmlScan struct {
	part     string
	kind     xlsxPart
	elements *int // start tags of whole-parsed parts, across parts

	off  int64 // bytes read
	text int   // text since the last element tag; comments and CDATA do not end it
	tag  []byte

	// worksheet: the row and cell being read, for limits and messages
	rows, row, cells int
	inRow            bool
	rowStart         int64
	cell             []byte
	// shared strings
	items   int
	inItem  bool
	itemOff int64
}

// scanState is where the scanner stands in the XML.
type scanState int

const (
	inText scanState = iota
	inTag
	inComment
	inCDATA
	inPI
)

func (s *xmlScan) run(r io.Reader) error {
	buf := make([]byte, 64<<10)
	state := inText
	var quote byte   // the quote of an attribute value being read, or 0
	var tail [2]byte // the two bytes before the current one, to find --> ]]> ?>
	for empty := 0; ; {
		n, rerr := r.Read(buf)
		if n == 0 && rerr == nil {
			if empty++; empty > 100 {
				return fmt.Errorf("XLSX %s: %w", s.part, io.ErrNoProgress)
			}
			continue
		}
		empty = 0
		b := buf[:n]
		for len(b) > 0 {
			switch {
			case state == inText:
				// Most of a sheet is short text between tags: jump from tag to tag.
				i := bytes.IndexByte(b, '<')
				if i < 0 {
					i = len(b)
				} else {
					state, s.tag, quote = inTag, s.tag[:0], 0
				}
				s.text += i
				s.off += int64(min(i+1, len(b)))
				b = b[min(i+1, len(b)):]
				if s.text > maxXLSXText {
					return s.fail("text longer than %d bytes", maxXLSXText)
				}
			case state == inTag && !(len(s.tag) == 0 && (b[0] == '!' || b[0] == '?')) && !(len(s.tag) > 0 && s.tag[0] == '!'):
				// An element tag: copy up to its end, minding quoted attribute values.
				var k int
				if quote != 0 {
					k = bytes.IndexByte(b, quote)
				} else {
					k = tagStop(b)
				}
				if k < 0 {
					k = len(b) - 1
				} else if quote != 0 {
					quote = 0
				} else if b[k] != '>' {
					quote = b[k]
				} else {
					s.tag = append(s.tag, b[:k]...)
					s.off += int64(k + 1)
					b = b[k+1:]
					if err := s.element(); err != nil {
						return err
					}
					state = inText
					continue
				}
				s.tag = append(s.tag, b[:k+1]...)
				s.off += int64(k + 1)
				b = b[k+1:]
				if len(s.tag) > maxXLSXTag {
					return s.fail("tag longer than %d bytes", maxXLSXTag)
				}
			default:
				// Comments, CDATA, processing instructions and the start of <! tags: rare
				// in a workbook, read a byte at a time.
				c := b[0]
				b = b[1:]
				s.off++
				var err error
				if state, err = s.special(state, c, &tail); err != nil {
					return err
				}
			}
		}
		if rerr == io.EOF {
			return nil // excelize reports broken XML, if it reads this part
		}
		if rerr != nil {
			return fmt.Errorf("XLSX %s: %w", s.part, rerr)
		}
	}
}

// special moves the scanner over one byte of a comment, CDATA section, processing instruction
// or the first bytes of a tag starting with <!.
func (s *xmlScan) special(state scanState, c byte, tail *[2]byte) (scanState, error) {
	switch state {
	case inTag:
		s.tag = append(s.tag, c)
		*tail = [2]byte{}
		switch t := s.tag; {
		case t[0] == '?':
			return inPI, nil
		case bytes.Equal(t, []byte("!--")):
			return inComment, nil
		case bytes.Equal(t, []byte("![CDATA[")):
			return inCDATA, nil
		case !bytes.HasPrefix([]byte("!--"), t) && !bytes.HasPrefix([]byte("![CDATA["), t):
			return state, s.fail("XML declarations (<!DOCTYPE, <!ENTITY) are not allowed in a workbook")
		}
		return inTag, nil
	case inComment, inPI:
		s.tag = append(s.tag, c)
		if len(s.tag) > maxXLSXTag {
			return state, s.fail("comment or instruction longer than %d bytes", maxXLSXTag)
		}
		end := c == '>' && (state == inComment && *tail == [2]byte{'-', '-'} || state == inPI && tail[1] == '?')
		*tail = [2]byte{tail[1], c}
		if end {
			return inText, nil
		}
	case inCDATA:
		s.text++
		if s.text > maxXLSXText {
			return state, s.fail("text longer than %d bytes", maxXLSXText)
		}
		end := c == '>' && *tail == [2]byte{']', ']'}
		*tail = [2]byte{tail[1], c}
		if end {
			return inText, nil
		}
	}
	return state, nil
}

// element handles a start, end or empty-element tag held in s.tag (without < and >).
func (s *xmlScan) element() error {
	t := s.tag
	end := len(t) > 0 && t[0] == '/'
	if end {
		t = t[1:]
	}
	empty := len(t) > 0 && t[len(t)-1] == '/'
	name := t
	if i := bytes.IndexAny(name, " \t\r\n/"); i >= 0 {
		name = name[:i]
	}
	if i := bytes.LastIndexByte(name, ':'); i >= 0 {
		name = name[i+1:] // excelize matches local names, whatever the prefix
	}
	s.text = 0
	start := s.off - int64(len(s.tag)) - 2
	switch s.kind {
	case partSheet:
		switch {
		case string(name) == "row" && !end:
			s.rows++
			if s.rows > excelize.TotalRows {
				return s.fail("more than %d rows", excelize.TotalRows)
			}
			if n := rowNumber(attr(t, refAttr)); n > 0 {
				s.row = n
			} else {
				s.row++
			}
			s.inRow, s.rowStart, s.cells, s.cell = !empty, start, 0, s.cell[:0]
		case string(name) == "row":
			s.inRow = false
		case string(name) == "c" && !end && s.inRow:
			s.cells++
			if s.cells > MaxColumns {
				return s.fail("more than %d cells", MaxColumns)
			}
			s.cell = append(s.cell[:0], attr(t, refAttr)...)
		}
		if s.inRow && s.off-s.rowStart > maxXLSXRowXML {
			return s.fail("row XML longer than %d bytes", maxXLSXRowXML)
		}
	case partSharedStrings:
		switch {
		case string(name) == "si" && !end:
			s.items++
			if s.items > maxXLSXSharedStrings {
				return s.fail("more than %d shared strings", maxXLSXSharedStrings)
			}
			s.inItem, s.itemOff = !empty, start
		case string(name) == "si":
			s.inItem = false
		}
		if s.inItem && s.off-s.itemOff > maxXLSXRowXML {
			return s.fail("shared string XML longer than %d bytes", maxXLSXRowXML)
		}
	default:
		if !end {
			*s.elements++
			if *s.elements > maxXLSXElements {
				return s.fail("more than %d XML elements outside the sheets", maxXLSXElements)
			}
		}
	}
	return nil
}

// fail names the part and, in a sheet, the row and cell being read.
func (s *xmlScan) fail(format string, args ...any) error {
	where := "XLSX " + s.part
	switch {
	case s.kind == partSheet && s.inRow && len(s.cell) > 0:
		where += fmt.Sprintf(", row %d, cell %s", s.row, clip(string(s.cell), 16))
	case s.kind == partSheet && s.inRow:
		where += fmt.Sprintf(", row %d", s.row)
	case s.kind == partSharedStrings && s.inItem:
		where += fmt.Sprintf(", shared string %d", s.items)
	}
	return fmt.Errorf("%s: %s", where, fmt.Sprintf(format, args...))
}

// refAttr is how a row or cell gives its position.
var refAttr = []byte("r=")

// attr returns the value of an attribute in a tag's bytes, given its name and "=", or nil.
func attr(tag, nameEq []byte) []byte {
	for i := 0; ; {
		j := bytes.Index(tag[i:], nameEq)
		if j < 0 {
			return nil
		}
		j += i
		k := j + len(nameEq)
		if j > 0 && isXMLSpace(tag[j-1]) && k < len(tag) && (tag[k] == '"' || tag[k] == '\'') {
			if end := bytes.IndexByte(tag[k+1:], tag[k]); end >= 0 {
				return tag[k+1 : k+1+end]
			}
			return nil
		}
		i = k
	}
}

// rowNumber reads a row's r attribute; 0 when it is not a number a sheet can have.
func rowNumber(b []byte) int {
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' || n > excelize.TotalRows {
			return 0
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// tagStop finds the end of a tag or the start of a quoted value; bytes.IndexAny costs more
// than the few bytes of a typical tag.
func tagStop(b []byte) int {
	for i, c := range b {
		if c == '>' || c == '"' || c == '\'' {
			return i
		}
	}
	return -1
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
