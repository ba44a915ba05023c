package importer

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gongshi/gongshi/importer/mapping"
	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
)

// Snapshot is an opened snapshot: a folder or .zip with manifest.json, or one bare file.
type Snapshot struct {
	Path     string
	Manifest *Manifest
	Bare     bool // a single file without manifest; its manifest was made up from options

	zipFile *os.File
	zip     *zip.Reader
	limits  snapshotLimits
	dir     string
}

// snapshotLimits bound what a .zip snapshot may unpack to. They are checked against the sizes
// the zip declares before any member is read, and each member is read through a counter that
// fails, never truncates, past its declared size. Together with the readers' own row limits
// (package tabular) a small zip cannot make the importer hold or scan more than it says.
// A folder's files are not compressed: they cost what they weigh and are not limited here.
//
//	limit         value     real data
//	members       10,000    a manifest and one file per type, perhaps per region
//	member        64 GiB    the national register as one CSV is some tens of GB
//	total         256 GiB
//	ratio         500:1     for members over 1 MiB; deflate tops out near 1,030:1 on runs of
//	                        one byte, CSV exports compress 3-20:1, space-padded ones a few
//	                        hundred at most
//	manifest.json 1 MiB     a few hundred bytes
type snapshotLimits struct {
	members        int
	memberBytes    uint64
	totalBytes     uint64
	ratio          uint64
	ratioFromBytes uint64 // members smaller than this may have any ratio
}

var defaultSnapshotLimits = snapshotLimits{
	members:        10000,
	memberBytes:    64 << 30,
	totalBytes:     256 << 30,
	ratio:          500,
	ratioFromBytes: 1 << 20,
}

// BareOptions describe a bare file, which has no manifest to say so itself.
type BareOptions struct {
	Type      index.RecordType // "" = recognise from the headers
	Kind      string           // default delta: a lone file only adds and updates
	Date      string           // default: the file's modification date
	Publisher string
	// Columns is a --columns mapping: which column is which field, and the type when Type is
	// "". It goes into the made-up manifest, so the archived snapshot rebuilds the same way.
	Columns *mapping.File
}

// OpenSnapshot opens path. A bare CSV/XLSX/JSONL file gets a manifest from bare.
func OpenSnapshot(path string, bare BareOptions) (*Snapshot, error) {
	return openSnapshot(path, bare, defaultSnapshotLimits)
}

func openSnapshot(path string, bare BareOptions, lim snapshotLimits) (*Snapshot, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{Path: path, limits: lim}
	if bare.Columns != nil && (st.IsDir() || strings.EqualFold(filepath.Ext(path), ".zip")) {
		return nil, fmt.Errorf("%s: --columns is for a bare file; a snapshot's manifest.json says its files' columns itself", path)
	}
	switch {
	case st.IsDir():
		s.dir = path
		f, err := os.Open(filepath.Join(path, ManifestName))
		if err != nil {
			return nil, fmt.Errorf("%s: no %s in the folder: %w", path, ManifestName, err)
		}
		defer f.Close()
		if s.Manifest, err = ReadManifest(f); err != nil {
			return nil, err
		}
	case strings.EqualFold(filepath.Ext(path), ".zip"):
		if err := s.openZip(path, st.Size()); err != nil {
			s.Close()
			return nil, err
		}
	default:
		if err := s.openBare(path, st, bare); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// openZip opens a .zip snapshot and reads its manifest, refusing a zip whose directory
// declares more than the limits allow before anything is unpacked.
func (s *Snapshot) openZip(path string, size int64) error {
	var err error
	if s.zipFile, err = os.Open(path); err != nil {
		return err
	}
	if s.zip, err = tabular.OpenZip(s.zipFile, size); err != nil {
		return fmt.Errorf("%s: not a readable zip: %w", path, err)
	}
	if err := s.limits.check(s.zip); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	f, err := s.zip.Open(ManifestName)
	if err != nil {
		return fmt.Errorf("%s: no %s at the top of the zip", path, ManifestName)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > maxManifestBytes {
		return fmt.Errorf("%s: %s unpacks to %d bytes, more than %d", path, ManifestName, st.Size(), maxManifestBytes)
	}
	s.Manifest, err = ReadManifest(f)
	return err
}

// check refuses a zip whose directory declares too many members, a member too big or too
// tightly compressed, or too much in all.
func (lim snapshotLimits) check(zr *zip.Reader) error {
	if len(zr.File) > lim.members {
		return fmt.Errorf("the zip has %d entries, more than %d", len(zr.File), lim.members)
	}
	var total uint64
	for _, f := range zr.File {
		n := f.UncompressedSize64
		if n > lim.memberBytes {
			return fmt.Errorf("%s in the zip unpacks to %d bytes, more than %d", f.Name, n, lim.memberBytes)
		}
		if n > lim.ratioFromBytes && (f.CompressedSize64 == 0 || n/f.CompressedSize64 > lim.ratio) {
			return fmt.Errorf("%s in the zip unpacks to %d bytes from %d, more than %d times its size (a zip bomb?)",
				f.Name, n, f.CompressedSize64, lim.ratio)
		}
		if total += n; total > lim.totalBytes {
			return fmt.Errorf("the zip unpacks to more than %d bytes", lim.totalBytes)
		}
	}
	return nil
}

// member reads one zip member and fails, naming it, once more than its declared size comes
// out. archive/zip refuses that itself today; the count keeps the limits checked in check true
// whatever the decompressor does.
type member struct {
	fs.File
	name string
	left int64
}

func (m *member) Read(p []byte) (int, error) {
	n, err := m.File.Read(p)
	if m.left -= int64(n); m.left < 0 {
		return n, fmt.Errorf("%s in the zip unpacks to more than the size it declares (a zip bomb or a damaged zip)", m.name)
	}
	switch {
	case errors.Is(err, zip.ErrFormat):
		// What archive/zip says when a member unpacks to more than it declares.
		err = fmt.Errorf("%s in the zip is damaged or unpacks to more than the size it declares: %w", m.name, err)
	case err != nil && err != io.EOF:
		err = fmt.Errorf("%s in the zip: %w", m.name, err)
	}
	return n, err
}

func (s *Snapshot) openBare(path string, st fs.FileInfo, bare BareOptions) error {
	format := tabular.FormatOf(path)
	if format == "" {
		return fmt.Errorf("%s: unknown file type; use a folder or .zip with manifest.json, or a .csv, .xlsx or .jsonl file", path)
	}
	s.Bare = true
	s.dir = filepath.Dir(path)
	typ := bare.Type
	var spec mapping.Spec
	if c := bare.Columns; c != nil {
		if typ != "" && c.Type != "" && typ != c.Type {
			return fmt.Errorf("%s: --type %s but the column mapping says type %s", path, typ, c.Type)
		}
		spec = c.Spec
	}
	if typ == "" {
		var err error
		if typ, err = recogniseFile(path, format, bare.Columns); err != nil {
			return err
		}
	}
	date := bare.Date
	if date == "" {
		date = st.ModTime().Format(time.DateOnly)
	}
	kind := bare.Kind
	if kind == "" {
		kind = KindDelta
	}
	pub := bare.Publisher
	if pub == "" {
		pub = "unknown (" + filepath.Base(path) + ")"
	}
	sum, err := fileSHA256(path)
	if err != nil {
		return err
	}
	s.Manifest = &Manifest{Publisher: pub, SnapshotDate: date, Kind: kind,
		Files: []ManifestFile{{Path: filepath.Base(path), Type: typ, SHA256: sum, Rows: -1, Format: string(format), Spec: spec}}}
	return s.Manifest.Check()
}

// recogniseFile reads a bare file's header to guess its record type, with the help of its
// column mapping and the built-in profiles.
func recogniseFile(path string, format tabular.Format, columns *mapping.File) (index.RecordType, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	r, err := tabular.Open(f, tabular.Options{Format: format})
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	defer r.Close()
	t, sure := mapping.Recognise(r.Header(), columns)
	if !sure && (t == index.TypeAbnormal || t == index.TypeBlacklist) {
		// The two lists share their columns; only the file name can tell them apart.
		name := strings.ToLower(filepath.Base(path))
		switch {
		case strings.Contains(name, "abnormal") || strings.Contains(name, "异常"):
			t = index.TypeAbnormal
		case strings.Contains(name, "black") || strings.Contains(name, "失信") || strings.Contains(name, "严重违法"):
			t = index.TypeBlacklist
		default:
			return "", fmt.Errorf("%s: the columns fit both the abnormal-operation list and the blacklist; pass --type abnormal or --type blacklist", path)
		}
	}
	if t == "" {
		return "", fmt.Errorf("%s: cannot tell the record type from the headers %q; pass --type, or a column mapping (gongshi check --write-columns proposes one)", path, r.Header())
	}
	return t, nil
}

// Open opens one file of the snapshot.
func (s *Snapshot) Open(f ManifestFile) (io.ReadCloser, error) {
	if s.zip != nil {
		zf, err := s.zip.Open(f.Path)
		if err != nil {
			return nil, err
		}
		st, err := zf.Stat()
		if err != nil {
			zf.Close()
			return nil, err
		}
		return &member{File: zf, name: f.Path, left: min(st.Size(), int64(s.limits.memberBytes))}, nil
	}
	return os.Open(filepath.Join(s.dir, filepath.FromSlash(f.Path)))
}

// FormatOf returns the tabular format of a manifest file.
func (f ManifestFile) FormatOf() tabular.Format {
	if f.Format != "" {
		return tabular.Format(f.Format)
	}
	return tabular.FormatOf(f.Path)
}

// Verify checks every file against the manifest's sha256; the first mismatch or unreadable file
// refuses the snapshot as a whole.
func (s *Snapshot) Verify() error {
	var errs []error
	for _, f := range s.Manifest.Files {
		if f.FormatOf() == "" {
			errs = append(errs, fmt.Errorf("%s: unknown format (csv, xlsx or jsonl)", f.Path))
			continue
		}
		r, err := s.Open(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: listed in the manifest but cannot be opened: %w", f.Path, err))
			continue
		}
		h := sha256.New()
		_, err = io.Copy(h, r)
		r.Close()
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: read: %w", f.Path, err))
			continue
		}
		if got := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(got, f.SHA256) {
			errs = append(errs, fmt.Errorf("%s: sha256 is %s but the manifest says %s (file damaged or replaced)", f.Path, got, f.SHA256))
		}
	}
	return errors.Join(errs...)
}

// ID names the snapshot in the archive: date, kind and a short hash of its manifest's checksums.
func (s *Snapshot) ID() string {
	h := sha256.New()
	for _, f := range s.Manifest.Files {
		h.Write([]byte(f.Path + "\x00" + strings.ToLower(f.SHA256) + "\x00"))
	}
	return s.Manifest.SnapshotDate + "-" + s.Manifest.Kind + "-" + hex.EncodeToString(h.Sum(nil))[:10]
}

// Close releases the snapshot.
func (s *Snapshot) Close() error {
	if s.zipFile != nil {
		return s.zipFile.Close()
	}
	return nil
}

// Archive copies the snapshot unchanged into dst (a folder that must not exist yet), so that
// every generation can be rebuilt from the archive. Bare files get their made-up manifest beside them.
func (s *Snapshot) Archive(dst string) error {
	tmp := dst + ".tmp"
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	if s.zip != nil {
		if err := copyFile(s.Path, filepath.Join(tmp, "snapshot.zip")); err != nil {
			return err
		}
	} else {
		for _, f := range s.Manifest.Files {
			target := filepath.Join(tmp, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := copyFile(filepath.Join(s.dir, filepath.FromSlash(f.Path)), target); err != nil {
				return err
			}
		}
		var err error
		if s.Bare {
			err = writeJSON(filepath.Join(tmp, ManifestName), s.Manifest)
		} else {
			err = copyFile(filepath.Join(s.dir, ManifestName), filepath.Join(tmp, ManifestName))
		}
		if err != nil {
			return err
		}
	}
	return os.Rename(tmp, dst)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
