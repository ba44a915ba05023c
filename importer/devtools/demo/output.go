package demo

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/gongshi/gongshi/index"
)

// Output encodings.
const (
	encUTF8    = iota // UTF-8 with BOM, what Excel needs to open Chinese CSV correctly
	encGB18030        // what many agency systems still export; no BOM
	encXLSX
)

// hashFile writes to a file and a running SHA-256 together, so the manifest digest is of
// exactly the bytes on disk without reading the file back.
type hashFile struct {
	f *os.File
	h hash.Hash
}

func (w *hashFile) Write(p []byte) (int, error) {
	w.h.Write(p)
	return w.f.Write(p)
}

// out is one snapshot file being written.
type out struct {
	t        index.RecordType
	name     string // final file name
	format   string
	enc      int
	col      map[string]int
	row      []string
	labels   []string
	nameCol  int
	codeCol  int
	dateCols []int
	reqCols  []int // required columns other than the code

	f    *os.File
	hf   *hashFile
	fw   *bufio.Writer // buffers writes to the file (after encoding)
	tw   *transform.Writer
	w    *bufio.Writer // CSV text is written here
	x    *excelize.File
	sw   *excelize.StreamWriter
	cell []any
	rows int // data rows written
	line int // physical rows written, header included
}

const bufSize = 256 << 10

func newOut(dir string, t index.RecordType, base string, enc int) (*out, error) {
	s := index.SchemaOf(t)
	if s == nil {
		return nil, fmt.Errorf("demo: no schema for record type %q", t)
	}
	o := &out{t: t, enc: enc, col: map[string]int{}, row: make([]string, len(s.Fields)), nameCol: -1, codeCol: -1}
	for i, f := range s.Fields {
		o.col[f.Key] = i
		o.labels = append(o.labels, f.Label)
		switch {
		case f.Key == "code":
			o.codeCol = i
		case f.Key == "name":
			o.nameCol = i
		}
		if f.Kind == index.KindDate {
			o.dateCols = append(o.dateCols, i)
		}
		if f.Required && f.Key != "code" {
			o.reqCols = append(o.reqCols, i)
		}
	}
	o.name, o.format = base+".csv", "csv"
	if enc == encXLSX {
		o.name, o.format = base+".xlsx", "xlsx"
	}
	f, err := os.Create(filepath.Join(dir, o.name))
	if err != nil {
		return nil, err
	}
	o.f = f
	o.hf = &hashFile{f: f, h: sha256.New()}
	o.fw = bufio.NewWriterSize(o.hf, bufSize)
	switch enc {
	case encUTF8:
		o.w = o.fw
		o.w.WriteString("\ufeff")
	case encGB18030:
		o.tw = transform.NewWriter(o.fw, simplifiedchinese.GB18030.NewEncoder())
		o.w = bufio.NewWriterSize(o.tw, bufSize)
	case encXLSX:
		// The sheet streams to a temporary file in the staging directory, never to memory.
		o.x = excelize.NewFile(excelize.Options{TmpDir: dir})
		if o.sw, err = o.x.NewStreamWriter("Sheet1"); err != nil {
			return nil, err
		}
	}
	o.writeRow(o.labels)
	o.rows = 0
	return o, nil
}

// reset clears the reusable row before a record is built into it.
func (o *out) reset() { clear(o.row) }

func (o *out) set(key, v string) {
	if i, ok := o.col[key]; ok {
		o.row[i] = v
	}
}

func (o *out) writeRow(row []string) error {
	o.rows++
	o.line++
	if o.sw != nil {
		o.cell = o.cell[:0]
		for _, v := range row {
			o.cell = append(o.cell, v)
		}
		ref, err := excelize.CoordinatesToCellName(1, o.line)
		if err != nil {
			return err
		}
		return o.sw.SetRow(ref, o.cell)
	}
	w := o.w
	for i, v := range row {
		if i > 0 {
			w.WriteByte(',')
		}
		if needsQuote(v) {
			w.WriteByte('"')
			w.WriteString(strings.ReplaceAll(v, `"`, `""`))
			w.WriteByte('"')
		} else {
			w.WriteString(v)
		}
	}
	_, err := w.WriteString("\r\n")
	return err
}

// finish flushes every layer and closes the file; it returns the manifest entry.
func (o *out) finish() (f manifestFile, err error) {
	defer func() {
		if cerr := o.f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	switch o.enc {
	case encGB18030:
		if err = o.w.Flush(); err != nil {
			return
		}
		if err = o.tw.Close(); err != nil {
			return
		}
	case encXLSX:
		if err = o.sw.Flush(); err != nil {
			return
		}
		// excelize would assemble the whole workbook in a bytes.Buffer; handing it a zip
		// writer on our file keeps memory flat however many rows the sheet has.
		// BestSpeed: the sheet XML is repetitive enough that fast deflate still shrinks it
		// about tenfold, at a third of the default level's cost.
		o.x.SetZipWriter(func(io.Writer) excelize.ZipWriter {
			zw := zip.NewWriter(o.fw)
			zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
				return flate.NewWriter(w, flate.BestSpeed)
			})
			return zw
		})
		if err = o.x.Write(io.Discard); err != nil {
			return
		}
		if err = o.x.Close(); err != nil {
			return
		}
	}
	if err = o.fw.Flush(); err != nil {
		return
	}
	// Durable before the directory is renamed into place, so a power cut cannot leave a
	// manifest whose digests describe files that never reached the disk.
	if err = o.f.Sync(); err != nil {
		return
	}
	return manifestFile{path: o.name, t: o.t, sha: hex.EncodeToString(o.hf.h.Sum(nil)), rows: o.rows, format: o.format}, nil
}

// abort closes and forgets the file; the staging directory is removed by the caller.
func (o *out) abort() {
	if o.x != nil {
		o.x.Close()
	}
	o.f.Close()
}

// csvSpecial marks the bytes that force a CSV field into quotes. A table lookup per byte
// is several times cheaper than strings.ContainsAny, which rebuilds its set on every call.
var csvSpecial = [256]bool{',': true, '"': true, '\r': true, '\n': true}

func needsQuote(s string) bool {
	for i := 0; i < len(s); i++ {
		if csvSpecial[s[i]] {
			return true
		}
	}
	return false
}

type manifestFile struct {
	path   string
	t      index.RecordType
	sha    string
	rows   int
	format string
}
