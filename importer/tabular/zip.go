package tabular

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
)

// MaxZipDirectoryBytes caps what opening a zip reads of its central directory. archive/zip
// keeps a few hundred bytes of memory for each 46-byte entry it reads there, and reads every
// entry before a caller can count them; 4 MiB holds tens of thousands of entries.
const MaxZipDirectoryBytes = 4 << 20

// errZipDirectory stops archive/zip once the directory passes MaxZipDirectoryBytes.
var errZipDirectory = errors.New("zip directory too large")

// OpenZip opens the zip in r (size bytes) like zip.NewReader, but refuses a central directory
// larger than MaxZipDirectoryBytes before archive/zip has built it in memory.
func OpenZip(r io.ReaderAt, size int64) (*zip.Reader, error) {
	br := &budgetReaderAt{r: r, left: MaxZipDirectoryBytes + 128<<10} // and the end records
	zr, err := zip.NewReader(br, size)
	br.left = -1 // members are read through the same reader, without a budget
	if errors.Is(err, errZipDirectory) {
		return nil, fmt.Errorf("zip directory larger than %d bytes", MaxZipDirectoryBytes)
	}
	return zr, err
}

// budgetReaderAt fails reads once left bytes have been read; left < 0 means no budget.
type budgetReaderAt struct {
	r    io.ReaderAt
	left int64
}

func (b *budgetReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if b.left >= 0 {
		if int64(len(p)) > b.left {
			return 0, errZipDirectory
		}
		b.left -= int64(len(p))
	}
	return b.r.ReadAt(p, off)
}
