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

	"github.com/gongshi/gongshi/importer/tabular"
	"github.com/gongshi/gongshi/index"
)

// Snapshot is an opened snapshot: a folder or .zip with manifest.json, or one bare file.
type Snapshot struct {
	Path     string
	Manifest *Manifest
	Bare     bool // a single file without manifest; its manifest was made up from options

	zip *zip.ReadCloser
	dir string
}

// BareOptions describe a bare file, which has no manifest to say so itself.
type BareOptions struct {
	Type      index.RecordType // "" = recognise from the headers
	Kind      string           // default delta: a lone file only adds and updates
	Date      string           // default: the file's modification date
	Publisher string
}

// OpenSnapshot opens path. A bare CSV/XLSX/JSONL file gets a manifest from bare.
func OpenSnapshot(path string, bare BareOptions) (*Snapshot, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{Path: path}
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
		if s.zip, err = zip.OpenReader(path); err != nil {
			return nil, fmt.Errorf("%s: not a readable zip: %w", path, err)
		}
		f, err := s.zip.Open(ManifestName)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("%s: no %s at the top of the zip", path, ManifestName)
		}
		defer f.Close()
		if s.Manifest, err = ReadManifest(f); err != nil {
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

func (s *Snapshot) openBare(path string, st fs.FileInfo, bare BareOptions) error {
	format := tabular.FormatOf(path)
	if format == "" {
		return fmt.Errorf("%s: unknown file type; use a folder or .zip with manifest.json, or a .csv, .xlsx or .jsonl file", path)
	}
	s.Bare = true
	s.dir = filepath.Dir(path)
	typ := bare.Type
	if typ == "" {
		var err error
		if typ, err = recogniseFile(path, format); err != nil {
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
		Files: []ManifestFile{{Path: filepath.Base(path), Type: typ, SHA256: sum, Rows: -1, Format: string(format)}}}
	return s.Manifest.Check()
}

// recogniseFile reads a bare file's header to guess its record type.
func recogniseFile(path string, format tabular.Format) (index.RecordType, error) {
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
	t := index.Recognise(r.Header())
	if t == index.TypeAbnormal || t == index.TypeBlacklist {
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
		return "", fmt.Errorf("%s: cannot tell the record type from the headers %q; pass --type", path, r.Header())
	}
	return t, nil
}

// Open opens one file of the snapshot.
func (s *Snapshot) Open(f ManifestFile) (io.ReadCloser, error) {
	if s.zip != nil {
		return s.zip.Open(f.Path)
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
	if s.zip != nil {
		return s.zip.Close()
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
