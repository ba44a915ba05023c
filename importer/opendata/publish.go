// Package opendata publishes every public list as open data: dated, checksummed CSV, JSON Lines
// and XLSX files with a Frictionless descriptor, change files and logs, a catalog and DCAT.
package opendata

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/atomicfile"
)

// Options configure publication. The zero value publishes under the defaults below.
type Options struct {
	// Licence of the published files, as shown to people; LicenceID is its SPDX / Open
	// Definition id and LicenceURL its text. The default, CC BY 4.0, is a placeholder until
	// the operator states the licence the agencies' data is under.
	Licence, LicenceID, LicenceURL string
	// Publisher names the portal in the files' metadata (default "公示（gongshi）").
	Publisher string
	// BaseURL is the site's absolute URL (https://example.org, no trailing slash) for the
	// DCAT catalog and descriptors; empty keeps URLs relative to the site.
	BaseURL string
	// Retention is how many dated versions of each dataset are kept (default 30).
	Retention int
	// XLSXMaxRows is the largest dataset still written as a workbook (default: a sheet's
	// limit, MaxXLSXRows); a negative value writes no workbooks.
	XLSXMaxRows int
	Now         func() time.Time
}

// Defaults fills the unset options.
func (o *Options) Defaults() {
	if o.Licence == "" {
		o.Licence = "CC BY 4.0"
	}
	if o.LicenceID == "" {
		o.LicenceID = strings.ReplaceAll(o.Licence, " ", "-")
	}
	if o.LicenceURL == "" && o.LicenceID == "CC-BY-4.0" {
		o.LicenceURL = "https://creativecommons.org/licenses/by/4.0/"
	}
	if o.Publisher == "" {
		o.Publisher = "公示（gongshi）"
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Retention <= 0 {
		o.Retention = 30
	}
	if o.XLSXMaxRows == 0 {
		o.XLSXMaxRows = MaxXLSXRows
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// ErrNoGeneration means there is nothing to publish yet.
var ErrNoGeneration = errors.New("no index generation to publish: import a snapshot first")

// Publish writes the files of every dataset for day (YYYY-MM-DD, China time) from the data
// folder's current generation: only what is public on that day (inside its publication
// period and not hidden by a decision), with corrections applied and pending objections
// marked. Each dataset gets a new version (see ValidVersion): day itself for the first
// publication of that day, day.2, day.3, … for the next ones. A version never changes once
// installed, so its URLs may be cached for good. The new version's change file holds its
// differences from the previous version, and exactly those entries are appended to the change
// log; then LATEST moves to it, retention prunes the oldest versions and catalog.json and
// dcat.jsonld are rewritten. Publishing a day again from the same generation with nothing
// changed adds no version; a day older than a dataset's newest version adds none either
// (versions and the change log are in day order). Publications of one data folder never
// overlap (a lock file).
func Publish(ctx context.Context, dd index.DataDir, day string, ov index.Overlay, opts Options) (*Catalog, error) {
	opts.Defaults()
	if !ValidDay(day) {
		return nil, fmt.Errorf("publish: day %q is not YYYY-MM-DD", day)
	}
	root := Root(dd)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, err
	}
	unlock, err := lockRoot(ctx, root)
	if err != nil {
		return nil, err
	}
	defer unlock()
	removeTemp(root) // catalog.json or dcat.jsonld half-written by a crashed run

	genID, err := dd.Current()
	if err != nil {
		return nil, err
	}
	if genID == "" {
		return nil, ErrNoGeneration
	}
	info, err := index.ReadInfo(dd.Generation(genID))
	if err != nil {
		return nil, err
	}
	docs, err := index.ReadDocStore(index.DocStorePath(dd.Generation(genID)))
	if err != nil {
		return nil, err
	}
	defer docs.Close()
	dec, err := readDecisions(ctx, ov)
	if err != nil {
		return nil, fmt.Errorf("publish: read decisions: %w", err)
	}

	p := &publication{ctx: ctx, dd: dd, root: root, day: day, opts: &opts, docs: docs, dec: dec, decSum: dec.fingerprint(), info: info}
	defer p.cleanup()
	if err := p.writeAll(); err != nil {
		return nil, err
	}
	if err := p.install(); err != nil {
		// Some datasets may be installed already: describe what is on disk, then fail.
		writeCatalog(root, &opts, info)
		return nil, err
	}
	for _, l := range Lists() {
		if err := retain(filepath.Join(root, l.Name), opts.Retention); err != nil {
			return nil, fmt.Errorf("retention %s: %w", l.Name, err)
		}
	}
	return writeCatalog(root, &opts, info)
}

// publication is one run of Publish.
type publication struct {
	ctx  context.Context
	dd   index.DataDir
	root string
	day  string // China day of the publication
	opts *Options
	docs *index.DocStore
	dec  *decisions
	info index.GenerationInfo
	sets []*stagedSet
	// decSum fingerprints dec; same are the lists found identical to their newest version
	// without reading them (see unchanged.go).
	decSum string
	same   []string
}

// stagedSet is one dataset's new version, written in a hidden staging folder beside the
// version folders and moved into place only when complete.
type stagedSet struct {
	list    List
	version string // id of the new version
	prev    string // id of the version it follows, "" for the first
	dir     string // staging folder
	w       *datasetWriter
	logged  []Change // entries for the change log: the version's change file
	install bool
}

func (p *publication) cleanup() {
	for _, s := range p.sets {
		if s.w != nil {
			s.w.abort()
		}
		os.RemoveAll(s.dir)
	}
}

func (p *publication) writeAll() error {
	byType := map[index.RecordType]*stagedSet{}
	for _, l := range Lists() {
		listDir := filepath.Join(p.root, l.Name)
		if err := os.MkdirAll(listDir, 0o755); err != nil {
			return err
		}
		removeStale(listDir) // staging left by a crash; we hold the lock, so none is in use
		if err := finishInstall(listDir); err != nil {
			return fmt.Errorf("publish %s: complete the previous installation: %w", l.Name, err)
		}
		s := &stagedSet{list: l, version: p.day}
		if vs := Versions(p.root, l.Name); len(vs) > 0 {
			s.prev = vs[0]
			if st, ok := readState(listDir); ok && st.Version == s.prev && VersionDay(s.prev) == p.day && st.Decisions == p.decSum &&
				st.Generation != p.info.ID && unchangedSince(p.dd, p.info, st.Generation, l.Type) {
				p.same = append(p.same, l.Name)
				continue // nothing this list depends on changed since its newest version
			}
			switch prevDay := VersionDay(s.prev); {
			case prevDay > p.day:
				continue // a late run for an older day: versions and the log stay in order
			case prevDay == p.day:
				s.version = versionID(p.day, versionSeq(s.prev)+1)
			}
		}
		dir, err := os.MkdirTemp(listDir, ".staging-"+s.version+"-")
		if err != nil {
			return err
		}
		if err := os.Chmod(dir, 0o755); err != nil { // MkdirTemp's 0700 would hide it from a web server
			return err
		}
		s.dir = dir
		p.sets = append(p.sets, s)
		if s.w, err = newDatasetWriter(dir, l, s.version, p.opts.XLSXMaxRows); err != nil {
			return err
		}
		byType[l.Type] = s
	}
	if err := p.readRows(byType); err != nil {
		return fmt.Errorf("publish: read generation %s: %w", p.info.ID, err)
	}
	for _, s := range p.sets {
		if err := p.finishSet(s); err != nil {
			return fmt.Errorf("publish %s: %w", s.list.Name, err)
		}
	}
	return nil
}

// readRows writes the public rows of the lists being published into their datasets: from every
// document when the register is among them, otherwise from the records of their types only.
func (p *publication) readRows(byType map[index.RecordType]*stagedSet) error {
	if len(byType) == 0 {
		return nil
	}
	n := 0
	pace := func() error {
		if n++; n%4096 == 0 {
			return p.ctx.Err() // a shutdown stops a long publication promptly
		}
		return nil
	}
	addRecord := func(r *index.Record) error {
		s := byType[r.Type]
		if s == nil {
			return nil
		}
		if row := p.dec.recordRow(r, p.day); row != nil {
			return s.w.add(row)
		}
		return nil
	}
	if byType[index.TypeEntity] == nil {
		types := make([]index.RecordType, 0, len(byType))
		for t := range byType {
			types = append(types, t)
		}
		return p.docs.EachRecord(p.ctx, types, func(r *index.Record) error {
			if err := pace(); err != nil {
				return err
			}
			return addRecord(r)
		})
	}
	return p.docs.EachEntity(p.ctx, func(e *index.Entity, recs []*index.Record) error {
		if err := pace(); err != nil {
			return err
		}
		if e != nil {
			if row := p.dec.entityRow(e); row != nil {
				if err := byType[index.TypeEntity].w.add(row); err != nil {
					return err
				}
			}
		}
		for _, r := range recs {
			if err := addRecord(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// finishSet closes a dataset's data files, works out its changes and writes the change file,
// the descriptor and, last, SHA256SUMS.
func (p *publication) finishSet(s *stagedSet) error {
	files, err := s.w.finish()
	omitted := s.w.omitted
	s.w = nil
	if err != nil {
		return err
	}
	newRows := filepath.Join(s.dir, s.list.Name+"-"+s.version+".jsonl.gz")
	var changes []Change
	s.install = true
	if s.prev != "" {
		prevDir := VersionDir(p.root, s.list.Name, s.prev)
		prev := filepath.Join(prevDir, s.list.Name+"-"+s.prev+".jsonl.gz")
		if changes, err = diffFiles(prev, newRows, p.differ(s.list, s.version, s.prev)); err != nil {
			return fmt.Errorf("compare with %s: %w", s.prev, err)
		}
		// The same day again from the same generation with nothing changed (a catch-up run, a
		// repeated import) would only be a copy under a new id — unless a file of that version
		// no longer has the bytes of its checksum (a damaged disk, a crash in a copy): then the
		// new version replaces it as the one served from latest/.
		if len(changes) == 0 && VersionDay(s.prev) == p.day && versionIntact(prevDir) {
			s.install = false
			return nil
		}
	}
	s.logged = changes
	changeName := "changes-" + s.version + ".jsonl"
	sum, n, err := writeFileAtomic(filepath.Join(s.dir, changeName), encodeChanges(changes))
	if err != nil {
		return err
	}
	files = append(files, FileMeta{Name: changeName, Format: "jsonl", MediaType: "application/x-ndjson", SHA256: sum, Bytes: n, Rows: len(changes)})
	v := versionInfo{day: p.day, previous: s.prev, created: p.opts.Now().UTC().Format(time.RFC3339), snapshotDate: p.info.DataDate, generation: p.info.ID}
	seen := map[string]bool{}
	for _, sr := range p.info.Snapshots {
		if !seen[sr.Publisher] {
			seen[sr.Publisher] = true
			v.publishers = append(v.publishers, sr.Publisher)
		}
	}
	if omitted != "" {
		v.notes = append(v.notes, omitted)
	}
	if s.prev == "" {
		v.notes = append(v.notes, "first version: the changes file is empty")
	}
	b, err := json.MarshalIndent(newDataPackage(s.list, s.version, files, v, p.opts), "", "  ")
	if err != nil {
		return err
	}
	if sum, n, err = writeFileAtomic(filepath.Join(s.dir, DataPackageName), b); err != nil {
		return err
	}
	files = append(files, FileMeta{Name: DataPackageName, Format: "json", MediaType: "application/json", SHA256: sum, Bytes: n, Rows: -1})
	// SHA256SUMS last: its presence marks the version complete.
	if _, _, err := writeFileAtomic(filepath.Join(s.dir, SumsName), formatSums(files)); err != nil {
		return err
	}
	return atomicfile.SyncDir(s.dir)
}

// published is the time stamped on a dataset's new changes: now, or the time of the log's
// last entry should the clock have gone back, so that feeds built from the log never go back
// in time.
func (p *publication) published(l List) string {
	now := p.opts.Now().UTC().Truncate(time.Second)
	last, _, err := lastLogEntry(filepath.Join(p.root, l.Name, logName))
	if t, perr := time.Parse(time.RFC3339, last.Published); err == nil && perr == nil && t.After(now) {
		now = t
	}
	return now.Format(time.RFC3339)
}

// differ explains the changes of one dataset's new version against the version prev.
func (p *publication) differ(l List, version, prev string) *differ {
	return &differ{day: p.day, version: version, prevDay: VersionDay(prev), prevVersion: prev, published: p.published(l),
		removedReason: func(old *Row) string {
			if why, ok := p.dec.hidden[old.ID]; ok {
				return why
			}
			if l.Type == index.TypeEntity {
				return ""
			}
			rec, err := p.docs.Record(p.ctx, old.ID)
			if err == nil && rec != nil {
				if rec.Type == index.TypeDishonestDebtor && rec.Removed != "" && rec.Removed <= p.day {
					return ReasonDelisted // the court took the debtor off its list (屏蔽)
				}
				if row := (&decisions{corrected: p.dec.corrected}).recordRow(rec, p.day); row == nil {
					return ReasonExpired
				}
				return ""
			}
			if old.PublicUntil != "" && p.day > old.PublicUntil {
				return ReasonExpired
			}
			return "" // gone from the agency's snapshot: the agency did not say why
		},
		modifiedReason: func(old, new *Row, changed []string) string {
			if old.Removed == "" && new.Removed != "" {
				return ReasonDelisted
			}
			if fieldsCorrected(changed, p.dec.corrected[new.ID]) {
				return ReasonCorrect
			}
			return ""
		},
	}
}

// install moves every staged version into place, appends its changes to the change log and
// moves LATEST, in that order: the version folder, complete with its change file, is the
// record of what was published, and finishInstall completes the other two steps from it
// should a crash stop us in between.
func (p *publication) install() error {
	for _, name := range p.same {
		st, _ := readState(filepath.Join(p.root, name))
		st.Generation = p.info.ID // shortens the next publication's trace
		if err := writeState(filepath.Join(p.root, name), st); err != nil {
			return err
		}
	}
	for _, s := range p.sets {
		listDir := filepath.Join(p.root, s.list.Name)
		if !s.install {
			// Identical to the newest version: only the record of what it was found equal to.
			if err := writeState(listDir, publishedState{Version: s.prev, Generation: p.info.ID, Decisions: p.decSum}); err != nil {
				return err
			}
			continue
		}
		dst := VersionDir(p.root, s.list.Name, s.version)
		// A plain rename: a version id is never reused (the next id follows the newest
		// version), so dst does not exist, and the kernel refuses to replace a complete one.
		if err := os.Rename(s.dir, dst); err != nil {
			return fmt.Errorf("install %s/%s: %w", s.list.Name, s.version, err)
		}
		if err := atomicfile.SyncDir(listDir); err != nil {
			return err
		}
		if err := appendLog(listDir, s.logged); err != nil {
			return fmt.Errorf("change log %s: %w", s.list.Name, err)
		}
		if err := setLatest(listDir, s.version); err != nil {
			return err
		}
		if err := writeState(listDir, publishedState{Version: s.version, Generation: p.info.ID, Decisions: p.decSum}); err != nil {
			return err
		}
	}
	return nil
}

func setLatest(listDir, version string) error {
	if _, _, err := writeFileAtomic(filepath.Join(listDir, latestName), []byte(version+"\n")); err != nil {
		return err
	}
	return atomicfile.SyncDir(listDir)
}

// finishInstall completes an installation a crash interrupted: when the newest complete
// version is newer than LATEST, its change file goes to the log (unless the log already ends
// with it) and LATEST moves to it. A LATEST naming a version that is gone is corrected.
func finishInstall(listDir string) error {
	root, list := filepath.Dir(listDir), filepath.Base(listDir)
	vs := Versions(root, list)
	if len(vs) == 0 {
		return nil
	}
	newest := vs[0]
	latest, _ := Latest(root, list)
	if latest == newest {
		return nil
	}
	if latest == "" || CompareVersions(newest, latest) > 0 {
		last, _, err := lastLogEntry(filepath.Join(listDir, logName))
		if err != nil {
			return err
		}
		if last.Version != newest {
			cs, err := readChangeFile(filepath.Join(listDir, newest, "changes-"+newest+".jsonl"))
			if err != nil {
				return err
			}
			if err := appendLog(listDir, cs); err != nil {
				return err
			}
		}
	}
	return setLatest(listDir, newest)
}

// removeStale deletes hidden staging folders, temporary files and version folders without
// SHA256SUMS that a crashed run (or an older, non-atomic one) left behind, beside the versions
// and inside them. None of them is ever served: only files listed in a version's SHA256SUMS are.
func removeStale(listDir string) {
	entries, _ := os.ReadDir(listDir)
	for _, e := range entries {
		if day, ok := strings.CutPrefix(e.Name(), ".old-"); ok && ValidVersion(day) {
			// An older binary replaced versions in place and was cut between its two renames:
			// put the old version back.
			if _, err := os.Stat(filepath.Join(listDir, day)); errors.Is(err, os.ErrNotExist) {
				if os.Rename(filepath.Join(listDir, e.Name()), filepath.Join(listDir, day)) == nil {
					removeTemp(filepath.Join(listDir, day))
					continue
				}
			}
		}
		if strings.HasPrefix(e.Name(), ".staging-") || strings.HasPrefix(e.Name(), ".old-") || isTemp(e.Name()) {
			os.RemoveAll(filepath.Join(listDir, e.Name()))
		} else if e.IsDir() && ValidVersion(e.Name()) {
			dir := filepath.Join(listDir, e.Name())
			if _, err := os.Stat(filepath.Join(dir, SumsName)); errors.Is(err, os.ErrNotExist) {
				os.RemoveAll(dir) // never completed (versions are moved in whole, SHA256SUMS included)
			} else {
				removeTemp(dir)
			}
		}
	}
}

// removeTemp deletes the temporary files (.NAME.tmp-XXXX) of interrupted writes in dir.
func removeTemp(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if isTemp(e.Name()) {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
}

func isTemp(name string) bool { return strings.HasPrefix(name, ".") && strings.Contains(name, ".tmp-") }

// retain keeps the newest keep versions of a dataset, and always the one LATEST names, and
// cuts the change log to the versions still kept.
func retain(listDir string, keep int) error {
	root, list := filepath.Dir(listDir), filepath.Base(listDir)
	versions := Versions(root, list) // newest first
	latest, _ := Latest(root, list)
	kept := ""
	for i, v := range versions {
		if i < keep || v == latest {
			kept = v
			continue
		}
		if err := os.RemoveAll(filepath.Join(listDir, v)); err != nil {
			return err
		}
	}
	if len(versions) > keep && kept != "" {
		return pruneLog(listDir, kept)
	}
	return nil
}

// lockRoot makes publications of one data folder exclusive, across processes (the import
// command and the portal's jobs). It waits for a running publication, up to ctx.
func lockRoot(ctx context.Context, root string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(root, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

// versionIntact reports whether every file listed in a version's SHA256SUMS has those bytes.
func versionIntact(dir string) bool {
	sums, err := ReadSums(dir)
	if err != nil {
		return false
	}
	for _, name := range sums.Names {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return false
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil || hex.EncodeToString(h.Sum(nil)) != sums.SHA[name] {
			return false
		}
	}
	return true
}
