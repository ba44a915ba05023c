// Package demo generates realistic, deterministic demo snapshots of Chinese enterprise
// credit data, so the portal can be tried, tested and load-tested without real agency files.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/atomicfile"
)

// Options control a generated snapshot.
type Options struct {
	Entities  int       // number of market entities
	Seed      uint64    // same seed and options → byte-identical files
	Date      time.Time // snapshot date; all dates are on or before it
	Dirty     bool      // mix in what real agency files contain (encodings, widths, bad codes, duplicates ...)
	Publisher string    // default DefaultPublisher
	// Progress, if set, is called about every 10,000 entities and once at the end.
	Progress func(done, total int)
}

// DefaultPublisher names the synthetic source, so demo data is never mistaken for an agency's.
const DefaultPublisher = "gongshi 演示数据 (synthetic)"

// MaxEntities is the size up to which organisation codes are guaranteed unique.
const MaxEntities = permDomain

// Snapshot files in manifest order, with their fixed base names.
const (
	fEntity = iota
	fPenalty
	fLicense
	fAbnormal
	fBlacklist
	fDebtor
	fSpot
	fRedlist
	nFiles
)

var fileSpecs = [nFiles]struct {
	t    index.RecordType
	base string
}{
	{index.TypeEntity, "entities"},
	{index.TypePenalty, "penalties"},
	{index.TypeLicense, "licenses"},
	{index.TypeAbnormal, "abnormal"},
	{index.TypeBlacklist, "blacklist"},
	{index.TypeDishonestDebtor, "dishonest_debtors"},
	{index.TypeSpotCheck, "spot_checks"},
	{index.TypeRedlist, "redlist"},
}

// Generate writes a snapshot folder at dir: manifest.json plus one file per record type,
// and returns the manifest. dir must not exist or be empty. The files are written into a
// sibling staging directory that is renamed to dir only when everything, manifest last,
// is complete: a crash or cancellation never leaves a plausible-looking snapshot (or bare
// CSV files an importer would accept) behind.
func Generate(ctx context.Context, dir string, opts Options) (*importer.Manifest, error) {
	if opts.Entities < 0 || opts.Entities > MaxEntities {
		return nil, fmt.Errorf("demo: entities must be between 0 and %d", MaxEntities)
	}
	if opts.Date.IsZero() {
		return nil, errors.New("demo: snapshot date is required")
	}
	if opts.Publisher == "" {
		opts.Publisher = DefaultPublisher
	}
	t, err := loadTables()
	if err != nil {
		return nil, err
	}
	if err := checkTarget(dir); err != nil {
		return nil, err
	}
	parent := filepath.Dir(filepath.Clean(dir))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-")
	if err != nil {
		return nil, err
	}
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(stage)
		}
	}()

	gn := newGenerator(t, opts)
	for f := range gn.outs {
		enc := encUTF8
		if opts.Dirty && f == fPenalty {
			enc = encGB18030
		}
		if opts.Dirty && f == fLicense {
			enc = encXLSX
		}
		o, err := newOut(stage, fileSpecs[f].t, fileSpecs[f].base, enc)
		if err != nil {
			gn.abort()
			return nil, err
		}
		gn.outs[f] = o
	}
	if err := gn.run(ctx); err != nil {
		gn.abort()
		return nil, err
	}
	m := &importer.Manifest{
		Publisher:    opts.Publisher,
		SnapshotDate: gn.D.iso(),
		Kind:         importer.KindFull,
	}
	for f, o := range gn.outs {
		mf, err := o.finish()
		gn.outs[f] = nil
		if err != nil {
			gn.abort()
			return nil, err
		}
		m.Files = append(m.Files, importer.ManifestFile{Path: mf.path, Type: mf.t, SHA256: mf.sha, Rows: mf.rows, Format: mf.format})
	}
	if err := m.Check(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := atomicfile.WriteFile(filepath.Join(stage, importer.ManifestName), append(b, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := checkTarget(dir); err != nil {
		return nil, err
	}
	if err := os.Chmod(stage, 0o755); err != nil { // MkdirTemp made it private
		return nil, err
	}
	os.Remove(dir) // an empty target directory is replaced, see checkTarget
	if err := os.Rename(stage, dir); err != nil {
		return nil, err
	}
	ok = true
	return m, nil
}

// checkTarget refuses to overwrite anything: the target must be absent or an empty directory.
func checkTarget(dir string) error {
	ents, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(ents) > 0:
		return fmt.Errorf("demo: %s is not empty", dir)
	}
	return nil
}

func (gn *generator) abort() {
	for f, o := range gn.outs {
		if o != nil {
			o.abort()
			gn.outs[f] = nil
		}
	}
}

// run generates every entity with all its records, in index order.
func (gn *generator) run(ctx context.Context) error {
	n := gn.opts.Entities
	for i := 0; i < n; i++ {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := gn.entity(i); err != nil {
			return err
		}
		if gn.opts.Progress != nil && (i+1)%10000 == 0 {
			gn.opts.Progress(i+1, n)
		}
	}
	if gn.opts.Progress != nil && n%10000 != 0 {
		gn.opts.Progress(n, n)
	}
	return ctx.Err()
}
