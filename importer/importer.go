package importer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"syscall"
	"time"

	"github.com/gongshi/gongshi/index"
)

// Options configure checking and importing.
type Options struct {
	Data   index.DataDir
	Shards int // default: one per core
	// MaxRejectedShare refuses a snapshot whose share of rejected rows is larger (default 0.05).
	MaxRejectedShare float64
	Policy           Policy
	Bare             BareOptions
	// AcceptBadCheckDigits imports rows whose USCC fails the check digit, with a warning.
	AcceptBadCheckDigits bool
	// Corrections are the portal's decisions, applied to every build so a re-imported
	// snapshot cannot bring a corrected or revoked record back.
	Corrections Corrections
	// Log receives progress and the summary (nil: silent).
	Log io.Writer
	Now func() time.Time
	// DocStoreOnly stops once the document store is loaded: no shards, no archive, and the
	// generation is neither complete nor current. The reports name its folder (Generation), for
	// a caller that builds the shards itself (the scale benchmark, once per shard count).
	DocStoreOnly bool
}

func (o *Options) defaults() {
	if o.MaxRejectedShare == 0 {
		o.MaxRejectedShare = 0.05
	}
	if o.Policy.Regime == "" {
		o.Policy = DefaultPolicy()
	}
	if o.Shards <= 0 {
		o.Shards = runtime.NumCPU()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// ErrRefused marks an import refused because of its input; the serving generation is untouched.
var ErrRefused = errors.New("snapshot refused")

// Check validates a snapshot without importing it and returns its report.
func Check(ctx context.Context, path string, opts Options) (*Report, error) {
	opts.defaults()
	snap, err := OpenSnapshot(path, opts.Bare)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	defer snap.Close()
	rep := newReport(snap, opts.Now())
	if err := snap.Verify(); err != nil {
		return refuse(rep, err)
	}
	prog := NewProgress(opts.Log, "check "+filepath.Base(path), totalRows(snap.Manifest))
	err = load(ctx, snap, loadOptions{policy: opts.Policy, acceptBad: opts.AcceptBadCheckDigits, progress: prog}, nil, rep)
	prog.Finish()
	rep.finish(opts.Now())
	if err != nil {
		return refuse(rep, err)
	}
	if share := rep.RejectedShare(); share > opts.MaxRejectedShare {
		return refuse(rep, fmt.Errorf("%.1f%% of rows rejected, more than the allowed %.1f%%", share*100, opts.MaxRejectedShare*100))
	}
	return rep, nil
}

func newReport(snap *Snapshot, now time.Time) *Report {
	m := snap.Manifest
	return &Report{Snapshot: snap.ID(), Path: snap.Path, Publisher: m.Publisher, SnapshotDate: m.SnapshotDate, Kind: m.Kind, Started: now, Issues: []Issue{}}
}

func (r *Report) finish(now time.Time) {
	// Seconds counts from the report's start: for an import that includes building the index.
	r.Seconds = now.Sub(r.Started).Seconds()
	if r.Seconds > 0 {
		r.RowsPerSecond = float64(r.Totals().Rows) / r.Seconds
	}
}

func refuse(rep *Report, err error) (*Report, error) {
	rep.Refused = true
	rep.RefusedReason = err.Error()
	return rep, fmt.Errorf("%w: %v", ErrRefused, err)
}

func totalRows(m *Manifest) int {
	n := 0
	for _, f := range m.Files {
		if f.Rows > 0 {
			n += f.Rows
		}
	}
	return n
}

// Import validates the snapshots at paths and, if every one is acceptable, builds a new generation
// from the serving one plus these snapshots, archives them and makes the new generation current.
// Any refusal leaves the data folder's serving generation untouched.
func Import(ctx context.Context, paths []string, opts Options) ([]*Report, error) {
	opts.defaults()
	dd := opts.Data
	if err := dd.Init(); err != nil {
		return nil, err
	}
	unlock, err := lockData(dd)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := removeDebris(dd, opts.Log); err != nil {
		return nil, err
	}

	var snaps []*Snapshot
	defer func() {
		for _, s := range snaps {
			s.Close()
		}
	}()
	var reports []*Report
	for _, p := range paths {
		s, err := OpenSnapshot(p, opts.Bare)
		if err != nil {
			return reports, fmt.Errorf("%w: %v", ErrRefused, err)
		}
		snaps = append(snaps, s)
	}
	sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].Manifest.SnapshotDate < snaps[j].Manifest.SnapshotDate })
	for _, s := range snaps {
		if err := s.Verify(); err != nil {
			rep, err := refuse(newReport(s, opts.Now()), err)
			return append(reports, rep), err
		}
	}

	base, _ := dd.Current()
	genID := newGenerationID(opts.Now())
	dir := dd.Generation(genID)
	ok := false
	defer func() {
		if !ok {
			os.RemoveAll(dir) // a refused or failed build never becomes visible
		}
	}()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return reports, err
	}
	info := index.GenerationInfo{ID: genID, Shards: opts.Shards}
	started := opts.Now()
	if err := seedDocStore(dd, base, dir, snaps, &info); err != nil {
		return reports, err
	}
	docs, err := index.OpenDocStore(index.DocStorePath(dir), false)
	if err != nil {
		return reports, err
	}
	defer docs.Close()
	for _, s := range snaps {
		rep := newReport(s, opts.Now())
		reports = append(reports, rep)
		w, err := docs.Begin(ctx)
		if err != nil {
			return reports, err
		}
		prog := NewProgress(opts.Log, "import "+filepath.Base(s.Path), totalRows(s.Manifest))
		err = load(ctx, s, loadOptions{policy: opts.Policy, acceptBad: opts.AcceptBadCheckDigits, progress: prog}, &storeSink{w: w}, rep)
		prog.Finish()
		rep.finish(opts.Now())
		if err == nil {
			if share := rep.RejectedShare(); share > opts.MaxRejectedShare {
				err = fmt.Errorf("%.1f%% of rows rejected, more than the allowed %.1f%%", share*100, opts.MaxRejectedShare*100)
			}
		}
		if err != nil {
			w.Rollback()
			_, rerr := refuse(rep, err)
			writeReport(dd, rep)
			return reports, rerr
		}
		if err := w.Commit(); err != nil {
			return reports, err
		}
		info.Snapshots = append(info.Snapshots, index.SnapshotRef{ID: s.ID(), Publisher: s.Manifest.Publisher, SnapshotDate: s.Manifest.SnapshotDate, Kind: s.Manifest.Kind})
		if s.Manifest.SnapshotDate > info.DataDate {
			info.DataDate = s.Manifest.SnapshotDate
		}
	}
	if opts.Corrections != nil {
		if err := applyCorrections(ctx, docs, opts.Corrections); err != nil {
			return reports, fmt.Errorf("apply corrections: %w", err)
		}
	}
	if err := docs.FinishBuild(); err != nil {
		return reports, err
	}
	docs.Close()
	if opts.DocStoreOnly {
		ok = true
		for _, rep := range reports {
			rep.finish(opts.Now())
			rep.Generation = genID
		}
		return reports, nil
	}

	if err := buildShards(ctx, dir, &info, opts); err != nil {
		return reports, err
	}
	for _, s := range snaps {
		dst := filepath.Join(dd.Snapshots(), s.ID())
		if _, err := os.Stat(dst); err == nil {
			continue // the same snapshot again: archived already
		}
		if err := s.Archive(dst); err != nil {
			return reports, fmt.Errorf("archive %s: %w", s.Path, err)
		}
	}
	info.BuildSeconds = opts.Now().Sub(started).Seconds()
	info.Bytes = dirSize(dir)
	info.BuiltAt = opts.Now().UTC()
	if err := index.WriteInfo(dir, info); err != nil {
		return reports, err
	}
	if err := dd.SetCurrent(genID); err != nil {
		return reports, err
	}
	ok = true
	for _, rep := range reports {
		// The whole import (validation, load and indexing) is what an operator waits for.
		rep.finish(opts.Now())
		rep.Generation = genID
		writeReport(dd, rep)
	}
	return reports, nil
}

func buildShards(ctx context.Context, dir string, info *index.GenerationInfo, opts Options) error {
	docs, err := index.OpenDocStore(index.DocStorePath(dir), true)
	if err != nil {
		return err
	}
	total := docs.Count(ctx)
	docs.Close()
	prog := NewProgress(opts.Log, "index", total)
	ents, recs, err := index.BuildShards(ctx, dir, index.BuildOptions{Shards: opts.Shards, Progress: prog.Set})
	prog.Finish()
	if err != nil {
		return err
	}
	info.Entities, info.Records = ents, recs
	return nil
}

// seedDocStore starts the new generation's document store: empty when the new full snapshots
// replace every type the serving generation has, else a consistent copy of the serving one.
func seedDocStore(dd index.DataDir, base, dir string, snaps []*Snapshot, info *index.GenerationInfo) error {
	if base == "" {
		return nil
	}
	baseInfo, err := index.ReadInfo(dd.Generation(base))
	if err != nil {
		return nil // the serving pointer names a broken generation: start afresh
	}
	src, err := index.OpenDocStore(index.DocStorePath(dd.Generation(base)), false) // VACUUM INTO needs a writable connection
	if err != nil {
		return err
	}
	defer src.Close()
	replaced := map[index.RecordType]bool{}
	for _, s := range snaps {
		if s.Manifest.Kind == KindFull {
			for _, f := range s.Manifest.Files {
				replaced[f.Type] = true
			}
		}
	}
	all := true
	for _, t := range src.Types(context.Background()) {
		all = all && replaced[t]
	}
	if all {
		return nil
	}
	info.Snapshots = append(info.Snapshots, baseInfo.Snapshots...)
	info.DataDate = baseInfo.DataDate
	return src.CopyTo(index.DocStorePath(dir))
}

// storeSink writes accepted rows into the new generation's document store.
type storeSink struct {
	w *index.DocWriter
}

func (s *storeSink) beginFile(f ManifestFile, kind string) error {
	if kind != KindFull {
		return nil
	}
	if f.Type == index.TypeEntity {
		return s.w.DeleteEntities()
	}
	return s.w.DeleteType(f.Type)
}

func (s *storeSink) entity(e *index.Entity) error { return s.w.PutEntity(e) }

func (s *storeSink) record(r *index.Record) error {
	if r.Type != index.TypeEntity && len(r.EntityCode) != 18 {
		// An old 注册号 or organisation code: link the record to the register entry it names.
		if code, err := s.w.ResolveCode(r.EntityCode); err == nil && code != "" {
			r.Fields["original_code"] = r.EntityCode
			r.EntityCode = code
		}
	}
	return s.w.PutRecord(r)
}

func newGenerationID(now time.Time) string {
	b := make([]byte, 3)
	rand.Read(b)
	return now.UTC().Format("20060102T150405") + "-" + hex.EncodeToString(b)
}

func writeReport(dd index.DataDir, rep *Report) {
	name := fmt.Sprintf("import-%s-%s.json", rep.Started.UTC().Format("20060102T150405"), rep.Snapshot)
	rep.WriteJSON(filepath.Join(dd.Reports(), name))
}

// lockData makes imports (and pruning) exclusive per data folder, across processes.
func lockData(dd index.DataDir) (func(), error) {
	f, err := os.OpenFile(filepath.Join(string(dd), "import.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another import is running in %s", dd)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// removeDebris deletes what an import killed part-way left behind: its incomplete generation,
// a half-copied snapshot archive and a temporary current file. The caller holds the import
// lock, so none of them belongs to a running import. (The lock itself is an flock, which the
// kernel releases when its process dies: a killed import never blocks the next one.)
func removeDebris(dd index.DataDir, log io.Writer) error {
	removed, err := dd.RemoveIncomplete()
	if err != nil {
		return fmt.Errorf("remove incomplete generations: %w", err)
	}
	tmps, _ := filepath.Glob(filepath.Join(dd.Snapshots(), "*.tmp"))
	for _, p := range tmps {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
		removed = append(removed, filepath.Join("snapshots", filepath.Base(p)))
	}
	if log != nil {
		for _, r := range removed {
			fmt.Fprintf(log, "removed %s, left by an interrupted import\n", r)
		}
	}
	return nil
}

func dirSize(dir string) int64 {
	var n int64
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n += fi.Size()
		}
		return nil
	})
	return n
}
