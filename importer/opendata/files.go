package opendata

import (
	"archive/zip"
	"bufio"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// atomicFile is written under a temporary name in its final folder; Commit fsyncs it and
// renames it into place, so that no reader ever sees half a file under the real name.
type atomicFile struct {
	f     *os.File
	path  string
	h     hash.Hash
	n     int64
	state int // 0 open, 1 committed, 2 aborted
}

func createAtomic(path string) (*atomicFile, error) {
	b := make([]byte, 4)
	rand.Read(b)
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+hex.EncodeToString(b))
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &atomicFile{f: f, path: path, h: sha256.New()}, nil
}

func (a *atomicFile) Write(p []byte) (int, error) {
	n, err := a.f.Write(p)
	a.h.Write(p[:n])
	a.n += int64(n)
	return n, err
}

// Commit makes the file durable and visible under its name, and returns its checksum and size.
func (a *atomicFile) Commit() (sum string, size int64, err error) {
	if a.state != 0 {
		return "", 0, fmt.Errorf("%s: already closed", a.path)
	}
	a.state = 1
	tmp := a.f.Name()
	if err := a.f.Sync(); err != nil {
		a.f.Close()
		os.Remove(tmp)
		return "", 0, err
	}
	if err := a.f.Close(); err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	if err := os.Rename(tmp, a.path); err != nil {
		os.Remove(tmp)
		return "", 0, err
	}
	return hex.EncodeToString(a.h.Sum(nil)), a.n, nil
}

// Abort removes the temporary file; harmless after Commit.
func (a *atomicFile) Abort() {
	if a.state != 0 {
		return
	}
	a.state = 2
	a.f.Close()
	os.Remove(a.f.Name())
}

// writeFileAtomic writes b to path through a temporary file.
func writeFileAtomic(path string, b []byte) (sum string, size int64, err error) {
	a, err := createAtomic(path)
	if err != nil {
		return "", 0, err
	}
	if _, err := a.Write(b); err != nil {
		a.Abort()
		return "", 0, err
	}
	return a.Commit()
}

// gzFile is a gzip stream into an atomic file, buffered so that small writes stay cheap.
type gzFile struct {
	a  *atomicFile
	bw *bufio.Writer
	gz *gzip.Writer
}

func createGz(path, innerName string) (*gzFile, error) {
	a, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	bw := bufio.NewWriterSize(a, 256<<10)
	gz, _ := gzip.NewWriterLevel(bw, gzip.BestCompression)
	// The inner name lets `gunzip -N` restore the real file name; ModTime stays zero so that
	// the same content always gives the same bytes and checksum.
	gz.Name = innerName
	return &gzFile{a: a, bw: bw, gz: gz}, nil
}

func (g *gzFile) Write(p []byte) (int, error) { return g.gz.Write(p) }

func (g *gzFile) Commit() (string, int64, error) {
	if err := g.gz.Close(); err != nil {
		g.a.Abort()
		return "", 0, err
	}
	if err := g.bw.Flush(); err != nil {
		g.a.Abort()
		return "", 0, err
	}
	return g.a.Commit()
}

func (g *gzFile) Abort() { g.a.Abort() }

// FileMeta describes one written file.
type FileMeta struct {
	Name      string
	Format    string // csv, jsonl, xlsx, json, text
	MediaType string
	SHA256    string
	Bytes     int64
	Rows      int // data rows; -1 when rows mean nothing (metadata files)
}

// MaxXLSXRows is the number of data rows that fit a worksheet (1,048,576 rows less the header).
const MaxXLSXRows = 1048575

// xlsxCellLimit is Excel's limit on the characters of one cell.
const xlsxCellLimit = 32767

// datasetWriter writes one dataset's CSV, JSON Lines and XLSX files in a single pass.
type datasetWriter struct {
	list    List
	cols    []Column
	dir     string
	base    string // {list}-{day}
	csvGz   *gzFile
	csvW    *csv.Writer
	jsonGz  *gzFile
	jsonEnc *json.Encoder
	xf      *excelize.File
	sw      *excelize.StreamWriter
	maxXLSX int
	text    int // style of text cells: number format @, so that an edit keeps a code as text
	rows    int
	omitted string // why the XLSX file was not written
	err     error
}

func newDatasetWriter(dir string, l List, day string, maxXLSX int) (*datasetWriter, error) {
	w := &datasetWriter{list: l, cols: Columns(l.Type), dir: dir, base: l.Name + "-" + day, maxXLSX: maxXLSX}
	var err error
	if w.csvGz, err = createGz(filepath.Join(dir, w.base+".csv.gz"), w.base+".csv"); err != nil {
		return nil, err
	}
	// UTF-8 with a byte-order mark: without it Excel on Chinese Windows decodes as GBK and
	// shows mojibake.
	w.csvGz.Write([]byte("\ufeff"))
	w.csvW = csv.NewWriter(w.csvGz)
	header := make([]string, len(w.cols))
	for i, c := range w.cols {
		header[i] = c.Name
	}
	w.csvW.Write(header)
	if w.jsonGz, err = createGz(filepath.Join(dir, w.base+".jsonl.gz"), w.base+".jsonl"); err != nil {
		w.abort()
		return nil, err
	}
	w.jsonEnc = json.NewEncoder(w.jsonGz)
	w.jsonEnc.SetEscapeHTML(false)
	if maxXLSX > 0 {
		if err := w.startXLSX(header); err != nil {
			w.abort()
			return nil, err
		}
	} else {
		w.omitted = "xlsx omitted: disabled"
	}
	return w, nil
}

func (w *datasetWriter) startXLSX(header []string) error {
	w.xf = excelize.NewFile()
	sheet := w.list.Label
	if err := w.xf.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	w.xf.SetDocProps(&excelize.DocProperties{Title: w.list.Label + " " + w.base, Creator: "gongshi", Language: "zh-CN"})
	bold, err := w.xf.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	// Codes (统一社会信用代码, 注册号, 组织机构代码, 文号) and dates are strings in the sheet, and
	// their cells are formatted as text too: a spreadsheet then never reads 91350200… as a
	// number or drops a 组织机构代码's leading zero, not even when someone edits the cell.
	textFmt := "@"
	if w.text, err = w.xf.NewStyle(&excelize.Style{CustomNumFmt: &textFmt}); err != nil {
		return err
	}
	if w.sw, err = w.xf.NewStreamWriter(sheet); err != nil {
		return err
	}
	if err := w.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := w.sw.SetColWidth(1, len(header), 18); err != nil {
		return err
	}
	cells := make([]any, len(header))
	for i, h := range header {
		cells[i] = excelize.Cell{StyleID: bold, Value: h}
	}
	return w.sw.SetRow("A1", cells)
}

// add writes one row to every file of the dataset.
func (w *datasetWriter) add(r *Row) error {
	if w.err != nil {
		return w.err
	}
	cells := r.cells(w.cols)
	if err := w.csvW.Write(SafeCSVRow(slices.Clone(cells))); err != nil {
		w.err = err
		return err
	}
	if err := w.jsonEnc.Encode(r); err != nil {
		w.err = err
		return err
	}
	w.rows++
	if w.sw != nil {
		if w.rows > w.maxXLSX {
			// Too many rows for one sheet: drop the workbook rather than publish half a list.
			w.xf.Close()
			w.xf, w.sw = nil, nil
			return nil
		}
		vals := make([]any, len(cells))
		for i, c := range cells {
			v := xlsxValue(w.cols[i].Type, c)
			if s, ok := v.(string); ok {
				v = excelize.Cell{StyleID: w.text, Value: s}
			}
			vals[i] = v
		}
		cell, _ := excelize.CoordinatesToCellName(1, w.rows+1)
		if err := w.sw.SetRow(cell, vals); err != nil {
			w.err = fmt.Errorf("xlsx %s row %d: %w", w.base, w.rows, err)
			return w.err
		}
	}
	return nil
}

// xlsxValue types a cell: numbers as numbers so they sum in Excel; codes and dates stay text
// (Excel would turn an 18-digit code into 9.1E+17).
func xlsxValue(typ, v string) any {
	if v == "" {
		return nil
	}
	switch typ {
	case "number":
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	case "integer":
		if n, err := strconv.Atoi(v); err == nil {
			return n
		}
	}
	if utf8.RuneCountInString(v) > xlsxCellLimit {
		r := []rune(v)
		return string(r[:xlsxCellLimit-1]) + "…"
	}
	return v
}

// finish commits the files and describes them.
func (w *datasetWriter) finish() ([]FileMeta, error) {
	if w.err != nil {
		w.abort()
		return nil, w.err
	}
	var out []FileMeta
	w.csvW.Flush()
	if err := w.csvW.Error(); err != nil {
		w.abort()
		return nil, err
	}
	sum, n, err := w.csvGz.Commit()
	if err != nil {
		w.abort()
		return nil, err
	}
	out = append(out, FileMeta{Name: w.base + ".csv.gz", Format: "csv", MediaType: "text/csv", SHA256: sum, Bytes: n, Rows: w.rows})
	if sum, n, err = w.jsonGz.Commit(); err != nil {
		w.abort()
		return nil, err
	}
	out = append(out, FileMeta{Name: w.base + ".jsonl.gz", Format: "jsonl", MediaType: "application/x-ndjson", SHA256: sum, Bytes: n, Rows: w.rows})
	switch {
	case w.sw != nil:
		if sum, n, err = w.writeXLSX(); err != nil {
			w.abort()
			return nil, err
		}
		out = append(out, FileMeta{Name: w.base + ".xlsx", Format: "xlsx", MediaType: MediaXLSX, SHA256: sum, Bytes: n, Rows: w.rows})
	case w.omitted == "":
		w.omitted = fmt.Sprintf("xlsx omitted: %d rows exceed the sheet limit of %d; use the CSV or JSON Lines file", w.rows, w.maxXLSX)
	}
	return out, nil
}

// writeXLSX writes the workbook through a temporary file, then copies it into place with the
// sheet's used range declared. The stream writer declares A1 before the rows are known, and
// readers that trust the declaration (openpyxl read-only, csvkit, agate) would see one row.
func (w *datasetWriter) writeXLSX() (string, int64, error) {
	if err := w.sw.Flush(); err != nil {
		return "", 0, err
	}
	// Named like the other temporary files, so that a crash leaves nothing a sweep misses.
	raw, err := os.CreateTemp(w.dir, "."+w.base+".xlsx.tmp-")
	if err != nil {
		return "", 0, err
	}
	defer func() { raw.Close(); os.Remove(raw.Name()) }()
	if err := w.xf.Write(raw); err != nil {
		return "", 0, err
	}
	w.xf.Close()
	w.xf, w.sw = nil, nil
	fi, err := raw.Stat()
	if err != nil {
		return "", 0, err
	}
	last, _ := excelize.CoordinatesToCellName(len(w.cols), w.rows+1)
	a, err := createAtomic(filepath.Join(w.dir, w.base+".xlsx"))
	if err != nil {
		return "", 0, err
	}
	if err := setDimension(a, raw, fi.Size(), "A1:"+last); err != nil {
		a.Abort()
		return "", 0, err
	}
	return a.Commit()
}

var dimensionTag = regexp.MustCompile(`<dimension ref="[^"]*"\s*(?:/>|></dimension>)`)

// setDimension copies the workbook in src to dst with every worksheet's <dimension> set to
// ref (the workbook has one sheet). Other parts are copied without recompressing them.
func setDimension(dst io.Writer, src io.ReaderAt, size int64, ref string) error {
	zr, err := zip.NewReader(src, size)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(dst)
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "xl/worksheets/") || !strings.HasSuffix(f.Name, ".xml") {
			if err := zw.Copy(f); err != nil {
				return err
			}
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return err
		}
		hdr := f.FileHeader
		out, err := zw.CreateHeader(&hdr)
		if err != nil {
			rc.Close()
			return err
		}
		// The dimension comes right after the root element's attributes: look only at the head.
		br := bufio.NewReaderSize(rc, 64<<10)
		head, _ := br.Peek(64 << 10)
		loc := dimensionTag.FindIndex(head)
		if loc == nil {
			rc.Close()
			return fmt.Errorf("%s: no dimension element", f.Name)
		}
		fixed := string(head[:loc[0]]) + `<dimension ref="` + ref + `"/>`
		if _, err := br.Discard(loc[1]); err != nil {
			rc.Close()
			return err
		}
		if _, err := io.WriteString(out, fixed); err != nil {
			rc.Close()
			return err
		}
		_, err = io.Copy(out, br)
		rc.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

func (w *datasetWriter) abort() {
	if w.csvGz != nil {
		w.csvGz.Abort()
	}
	if w.jsonGz != nil {
		w.jsonGz.Abort()
	}
	if w.xf != nil {
		w.xf.Close()
		w.xf, w.sw = nil, nil
	}
}

// MediaXLSX is the media type of an Office Open XML workbook.
const MediaXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
