package importer

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
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
	// MaxWithdrawnShare refuses a full snapshot that would withdraw more than this share of
	// its publisher's current documents of a type (default 0.2), and AllowShrink lifts that
	// guard (and the one against a full file without data rows) for an intended shrink.
	MaxWithdrawnShare float64
	AllowShrink       bool
	// Rebuild builds the new generation from nothing but the snapshots given, applied in the
	// order given (the archive's, see ArchivedSnapshots), instead of on top of the serving one.
	// Every archived snapshot was accepted once, its withdrawals and rejected rows included, so
	// neither guard refuses it again; rows the current rules reject are reported as usual.
	Rebuild bool
	// Log receives progress and the summary (nil: silent).
	Log io.Writer
	Now func() time.Time
	// DocStoreOnly stops once the document store is loaded: no shards, no archive, and the
	// generation is neither complete nor current. The reports name its folder (Generation), for
	// a caller that builds the shards itself (the scale benchmark, once per shard count).
	DocStoreOnly bool
}

func (o *Options) defaults() {
	if o.Rebuild {
		o.AllowShrink, o.MaxRejectedShare = true, 1
	}
	if o.MaxRejectedShare == 0 {
		o.MaxRejectedShare = 0.05
	}
	if o.MaxWithdrawnShare == 0 {
		o.MaxWithdrawnShare = 0.2
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
	if !opts.Rebuild {
		sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].Manifest.SnapshotDate < snaps[j].Manifest.SnapshotDate })
	}
	for _, s := range snaps {
		if err := s.Verify(); err != nil {
			rep, err := refuse(newReport(s, opts.Now()), err)
			return append(reports, rep), err
		}
	}

	base, _ := dd.Current()
	var baseInfo index.GenerationInfo
	if base != "" {
		var err error
		if baseInfo, err = index.ReadInfo(dd.Generation(base)); err != nil && !opts.Rebuild {
			// Starting afresh would drop every document the serving data holds.
			return reports, fmt.Errorf("the serving generation cannot be read (%v); rebuild it from the archived snapshots with: gongshi import --rebuild", err)
		}
	}
	applied := map[string]int64{} // snapshot id → the sequence it was applied as
	for _, ref := range baseInfo.Snapshots {
		applied[ref.ID] = ref.Seq
	}
	if !opts.Rebuild {
		// A snapshot the serving data holds already is not applied twice: re-running an
		// import (after a crash, or by a scheduler that cannot tell) changes nothing.
		snaps = slices.DeleteFunc(snaps, func(s *Snapshot) bool {
			seq, done := applied[s.ID()]
			if done {
				rep := newReport(s, opts.Now())
				rep.AlreadyApplied, rep.Seq, rep.Generation = true, seq, base
				rep.finish(opts.Now())
				reports = append(reports, rep)
				s.Close()
			}
			return done
		})
		if len(snaps) == 0 {
			return reports, nil
		}
		base, _ = dd.Current()
	}
	if opts.Rebuild {
		base = ""
	}
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
	info := index.GenerationInfo{ID: genID, Shards: opts.Shards, Seq: baseInfo.Seq, Base: base}
	started := opts.Now()
	if err := seedDocStore(dd, base, baseInfo, dir, &info); err != nil {
		return reports, err
	}
	docs, err := index.OpenDocStore(index.DocStorePath(dir), false)
	if err != nil {
		return reports, err
	}
	defer docs.Close()
	touched := map[string]struct{}{}      // entity codes whose documents changed
	touchedTypes := map[string]struct{}{} // record types whose documents changed
	for _, s := range snaps {
		rep := newReport(s, opts.Now())
		reports = append(reports, rep)
		w, err := docs.Begin(ctx)
		if err != nil {
			return reports, err
		}
		prog := NewProgress(opts.Log, "import "+filepath.Base(s.Path), totalRows(s.Manifest))
		sink := newStoreSink(w, s.Manifest)
		err = load(ctx, s, loadOptions{policy: opts.Policy, acceptBad: opts.AcceptBadCheckDigits, progress: prog}, sink, rep)
		prog.Finish()
		if err == nil {
			if share := rep.RejectedShare(); share > opts.MaxRejectedShare {
				err = fmt.Errorf("%.1f%% of rows rejected, more than the allowed %.1f%%", share*100, opts.MaxRejectedShare*100)
			}
		}
		if err == nil {
			err = sink.withdraw(rep, opts.MaxWithdrawnShare, opts.AllowShrink)
		}
		rep.finish(opts.Now())
		if err != nil {
			w.Rollback()
			_, rerr := refuse(rep, err)
			writeReport(dd, rep)
			return reports, rerr
		}
		if err := w.Commit(); err != nil {
			return reports, err
		}
		for _, c := range w.Touched() {
			touched[c] = struct{}{}
		}
		for _, c := range rep.Changes {
			if c.Added+c.Changed+c.Withdrawn > 0 {
				touchedTypes[c.Type] = struct{}{}
			}
		}
		ref := index.SnapshotRef{ID: s.ID(), Publisher: s.Manifest.Publisher, SnapshotDate: s.Manifest.SnapshotDate, Kind: s.Manifest.Kind}
		if seq, ok := applied[ref.ID]; ok && opts.Rebuild {
			ref.Seq = seq // a rebuild applies the same snapshots as the same sequence
		} else {
			info.Seq++
			ref.Seq = info.Seq
		}
		rep.Seq = ref.Seq
		info.Snapshots = append(info.Snapshots, ref)
		if s.Manifest.SnapshotDate > info.DataDate {
			info.DataDate = s.Manifest.SnapshotDate
		}
	}
	if opts.Corrections != nil {
		codes, err := applyCorrections(ctx, docs, opts.Corrections)
		if err != nil {
			return reports, fmt.Errorf("apply corrections: %w", err)
		}
		for _, c := range codes {
			touched[c] = struct{}{}
		}
	}
	incremental := base != "" && !opts.DocStoreOnly && updateIsSmall(len(touched), baseInfo)
	finish := docs.FinishBuild
	if incremental {
		finish = docs.FinishUpdate
	}
	if err := finish(); err != nil {
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

	if incremental {
		codes := slices.Sorted(maps.Keys(touched))
		info.Shards, info.Incremental = baseInfo.Shards, true
		info.Touched = slices.Sorted(maps.Keys(touchedTypes))
		if info.Entities, info.Records, err = index.UpdateShards(ctx, dd.Generation(base), dir, codes, index.BuildOptions{}); err != nil {
			return reports, err
		}
	} else if err := buildShards(ctx, dir, &info, opts); err != nil {
		return reports, err
	}
	if !incremental {
		info.Touched = nil // every type is rebuilt: publication reads them all
		for _, t := range index.RecordTypes {
			info.Touched = append(info.Touched, string(t))
		}
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
		if !rep.AlreadyApplied {
			rep.Generation, rep.Incremental = genID, incremental
		}
		writeReport(dd, rep)
	}
	return reports, nil
}

func buildShards(ctx context.Context, dir string, info *index.GenerationInfo, opts Options) error {
	docs, err := index.ReadDocStore(index.DocStorePath(dir))
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

// seedDocStore starts the new generation's document store as a copy of the serving one
// (empty for the first import or a rebuild): a full snapshot replaces only what its own
// publisher published, so every other publisher's documents carry over. A complete
// generation's store is never written again and holds no journal (FinishBuild and
// FinishUpdate checkpoint it), so its file is copied as it is: the kernel copies the bytes,
// without decoding a page or holding the corpus in memory.
func seedDocStore(dd index.DataDir, base string, baseInfo index.GenerationInfo, dir string, info *index.GenerationInfo) error {
	if base == "" {
		return nil
	}
	if err := baseInfo.CheckFormat(); err != nil {
		return err
	}
	info.Snapshots = append(info.Snapshots, baseInfo.Snapshots...)
	info.DataDate = baseInfo.DataDate
	return index.CopyDocStore(dd.Generation(base), dir)
}

// updateIsSmall says whether the change to a generation is small enough to re-index only
// what changed; a change to a large part of the corpus is indexed faster from scratch (one
// merged segment, no deletions).
func updateIsSmall(touched int, base index.GenerationInfo) bool {
	return base.Shards > 0 && touched <= max(10_000, base.Entities/4)
}

// storeSink writes one snapshot's accepted rows into the new generation's document store. A
// full snapshot replaces what its publisher published of each type it carries: the sink marks
// those documents when the type's first file begins, and withdraw removes the ones the
// snapshot did not carry again, after the guards against an empty or shrinking file.
type storeSink struct {
	w         *index.DocWriter
	publisher string
	full      bool
	before    map[index.RecordType]int // types being replaced → the publisher's documents before
	changes   map[index.RecordType]*TypeChanges
}

func newStoreSink(w *index.DocWriter, m *Manifest) *storeSink {
	return &storeSink{w: w, publisher: m.Publisher, full: m.Kind == KindFull,
		before: map[index.RecordType]int{}, changes: map[index.RecordType]*TypeChanges{}}
}

func (s *storeSink) beginFile(f ManifestFile, _ string) error {
	if _, marked := s.before[f.Type]; !s.full || marked {
		return nil // a second file of the same type adds to the first
	}
	n, err := s.w.MarkWithdrawable(f.Type, s.publisher)
	s.before[f.Type] = n
	s.tally(f.Type).Before = n
	return err
}

func (s *storeSink) tally(t index.RecordType) *TypeChanges {
	c := s.changes[t]
	if c == nil {
		c = &TypeChanges{Publisher: s.publisher, Type: string(t)}
		s.changes[t] = c
	}
	return c
}

func (c *TypeChanges) count(ch index.Change) {
	switch ch {
	case index.Added:
		c.Added++
	case index.Changed:
		c.Changed++
	default:
		c.Unchanged++
	}
}

func (s *storeSink) entity(e *index.Entity) error {
	ch, err := s.w.ApplyEntity(e)
	s.tally(index.TypeEntity).count(ch)
	return err
}

func (s *storeSink) record(r *index.Record) error {
	if r.Type != index.TypeEntity && len(r.EntityCode) != 18 {
		// An old 注册号 or organisation code: link the record to the register entry it names.
		if code, err := s.w.ResolveCode(r.EntityCode); err == nil && code != "" {
			r.Fields["original_code"] = r.EntityCode
			r.EntityCode = code
		}
	}
	if r.RemovalOnly {
		var err error
		if r, err = s.removal(r); err != nil {
			return err
		}
	}
	ch, err := s.w.ApplyRecord(r)
	s.tally(r.Type).count(ch)
	return err
}

// removal turns a row of removal alone into the entity's one open listing on that list with
// the removal written in: the listing keeps its id and everything else. None or several open
// listings reject the row, so a removal is never attached to a guess. In a full snapshot such
// a row refuses the snapshot: it names no listing, so the listing it means would be withdrawn
// with everything else the snapshot does not carry.
func (s *storeSink) removal(r *index.Record) (*index.Record, error) {
	if s.full {
		return nil, fmt.Errorf("仅含移出信息（无列入日期）的行不能出现在全量快照中：全量快照会撤下它未列出的列入记录；请以增量快照（delta）导入移出文件，或在全量文件中写明列入日期")
	}
	open, err := s.w.OpenListings(r.Type, r.EntityCode)
	if err != nil {
		return nil, err
	}
	if orig := r.Fields["original_code"]; orig != "" {
		// Listed before the register knew the old code: the listing is stored under it.
		more, err := s.w.OpenListings(r.Type, orig)
		if err != nil {
			return nil, err
		}
		open = append(open, more...)
	}
	if r.Authority != "" {
		// The row names the listing's authority: only that authority's listing is meant.
		open = slices.DeleteFunc(open, func(l *index.Record) bool { return l.Authority != r.Authority })
	}
	switch {
	case len(open) == 0:
		reason := "未找到该主体在名单中的当前列入记录，无法移出"
		if r.Authority != "" {
			reason = fmt.Sprintf("未找到该主体在名单中由%s列入的当前列入记录，无法移出", r.Authority)
		}
		return nil, &rowRejection{code: "removal_unmatched", field: "移出日期", reason: reason, value: r.EntityCode}
	case len(open) > 1:
		return nil, &rowRejection{code: "removal_ambiguous", field: "移出日期",
			reason: fmt.Sprintf("该主体有多条当前列入记录（%d条），请提供列入日期以确定移出哪一条", len(open)), value: r.EntityCode}
	}
	l := open[0]
	if r.Removed < l.Date {
		return nil, &rowRejection{code: "removal_before_listing", field: "移出日期",
			reason: fmt.Sprintf("移出日期早于该主体当前列入记录的列入日期（%s），无法移出", l.Date), value: r.Removed}
	}
	l.Removed = r.Removed
	if l.Fields == nil {
		l.Fields = map[string]string{}
	}
	for _, k := range []string{"removal_date", "removal_reason", "removal_authority"} {
		if v := r.Fields[k]; v != "" {
			l.Fields[k] = v
		}
	}
	return l, nil
}

// rowRejection is a row the store decides against (a removal without exactly one listing to
// remove): the loader reports it on its line like any rejected row and goes on.
type rowRejection struct{ code, field, reason, value string }

func (e *rowRejection) Error() string { return e.reason }

// withdraw checks every replaced type against the guards, and only if all pass removes what
// the snapshot no longer carries: records first, then entities no record names any more. The
// counts go into the report, per type, for the snapshot's publisher.
func (s *storeSink) withdraw(rep *Report, maxShare float64, allowShrink bool) error {
	rows := map[index.RecordType]int{}
	for _, f := range rep.Files {
		rows[index.RecordType(f.Type)] += f.Rows
	}
	defer func() { rep.Changes = s.report() }()
	var refusals []string
	for _, t := range index.RecordTypes {
		before, replaced := s.before[t]
		if !replaced {
			continue
		}
		left, err := s.w.Withdrawable(t)
		if err != nil {
			return err
		}
		s.tally(t).Withdrawn = left
		switch {
		case left == 0 || allowShrink:
		case rows[t] == 0:
			refusals = append(refusals, fmt.Sprintf("the full %s file has no data rows and would withdraw all %d of %q's current %s documents",
				t, left, s.publisher, t))
		case float64(left) > maxShare*float64(before):
			refusals = append(refusals, fmt.Sprintf("the full %s file would withdraw %d of %q's %d current %s documents (%.0f%%), more than the allowed %.0f%%",
				t, left, s.publisher, before, t, 100*float64(left)/float64(before), 100*maxShare))
		}
	}
	if len(refusals) > 0 {
		return fmt.Errorf("%s; if that is intended, import again with --allow-shrink", strings.Join(refusals, "; "))
	}
	for _, t := range index.RecordTypes {
		if _, replaced := s.before[t]; !replaced || t == index.TypeEntity {
			continue
		}
		n, err := s.w.Withdraw(t)
		if err != nil {
			return err
		}
		s.tally(t).Withdrawn = n
	}
	if _, replaced := s.before[index.TypeEntity]; replaced {
		n, kept, err := s.w.WithdrawEntities()
		if err != nil {
			return err
		}
		c := s.tally(index.TypeEntity)
		c.Withdrawn, c.KeptEntities = n, len(kept)
		c.KeptExamples = kept[:min(len(kept), maxKeptExamples)]
	}
	return nil
}

// report lists the counts in the order of the record types.
func (s *storeSink) report() []TypeChanges {
	out := []TypeChanges{}
	for _, t := range index.RecordTypes {
		if c := s.changes[t]; c != nil {
			out = append(out, *c)
		}
	}
	return out
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
