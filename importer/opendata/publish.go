// Package opendata publishes every public list as open data: dated, checksummed CSV, JSON Lines
// and XLSX files with a Frictionless descriptor, change files and logs, a catalog and DCAT.
package opendata

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

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
// marked. It compares each dataset with its previous version, appends the changes to the
// dataset's change log, installs the new version folders, moves LATEST forward, applies the
// retention and rewrites catalog.json and dcat.jsonld. Publishing a day again replaces that
// day's version. Publications of one data folder never overlap (a lock file).
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
	docs, err := index.OpenDocStore(index.DocStorePath(dd.Generation(genID)), true)
	if err != nil {
		return nil, err
	}
	defer docs.Close()
	dec, err := readDecisions(ctx, ov)
	if err != nil {
		return nil, fmt.Errorf("publish: read decisions: %w", err)
	}

	p := &publication{ctx: ctx, root: root, day: day, opts: &opts, docs: docs, dec: dec, info: info}
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
	root string
	day  string
	opts *Options
	docs *index.DocStore
	dec  *decisions
	info index.GenerationInfo
	sets []*stagedSet
}

// stagedSet is one dataset's new version, written in a hidden staging folder beside the
// version folders and moved into place only when complete.
type stagedSet struct {
	list    List
	dir     string // staging folder
	w       *datasetWriter
	logged  []Change // entries for the change log
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
		dir, err := os.MkdirTemp(listDir, ".staging-"+p.day+"-")
		if err != nil {
			return err
		}
		if err := os.Chmod(dir, 0o755); err != nil { // MkdirTemp's 0700 would hide it from a web server
			return err
		}
		s := &stagedSet{list: l, dir: dir}
		p.sets = append(p.sets, s)
		if s.w, err = newDatasetWriter(dir, l, p.day, p.opts.XLSXMaxRows); err != nil {
			return err
		}
		byType[l.Type] = s
	}
	n := 0
	err := p.docs.EachEntity(p.ctx, func(e *index.Entity, recs []*index.Record) error {
		if n++; n%4096 == 0 {
			if err := p.ctx.Err(); err != nil { // a shutdown stops a long publication promptly
				return err
			}
		}
		if e != nil {
			if row := p.dec.entityRow(e); row != nil {
				if err := byType[index.TypeEntity].w.add(row); err != nil {
					return err
				}
			}
		}
		for _, r := range recs {
			s := byType[r.Type]
			if s == nil {
				continue
			}
			if row := p.dec.recordRow(r, p.day); row != nil {
				if err := s.w.add(row); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("publish: read generation %s: %w", p.info.ID, err)
	}
	for _, s := range p.sets {
		if err := p.finishSet(s); err != nil {
			return fmt.Errorf("publish %s: %w", s.list.Name, err)
		}
	}
	return nil
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
	newRows := filepath.Join(s.dir, s.list.Name+"-"+p.day+".jsonl.gz")
	latest, err := Latest(p.root, s.list.Name)
	if err != nil {
		latest = "" // a damaged pointer is rewritten below
	}
	prevDay := ""
	for _, d := range Versions(p.root, s.list.Name) {
		if d < p.day {
			prevDay = d
			break
		}
	}
	var changes []Change
	if prevDay != "" {
		prev := filepath.Join(VersionDir(p.root, s.list.Name, prevDay), s.list.Name+"-"+prevDay+".jsonl.gz")
		if changes, err = diffFiles(prev, newRows, p.differ(s.list, prevDay)); err != nil {
			return fmt.Errorf("compare with %s: %w", prevDay, err)
		}
	}
	// The change log follows the newest version: a republished day adds what changed since
	// that day's earlier version; an older day published late adds nothing (the log is in
	// day order); the first version is the baseline and adds nothing either.
	s.install = true
	switch {
	case latest == "" || latest > p.day:
	case latest == p.day:
		same := filepath.Join(VersionDir(p.root, s.list.Name, p.day), s.list.Name+"-"+p.day+".jsonl.gz")
		if s.logged, err = diffFiles(same, newRows, p.differ(s.list, p.day)); err != nil {
			return fmt.Errorf("compare with the earlier version of %s: %w", p.day, err)
		}
	case latest == prevDay:
		s.logged = changes
	default: // LATEST names a version that is gone: start again from the previous one
		s.logged = changes
	}
	changeName := "changes-" + p.day + ".jsonl"
	sum, n, err := writeFileAtomic(filepath.Join(s.dir, changeName), encodeChanges(changes))
	if err != nil {
		return err
	}
	files = append(files, FileMeta{Name: changeName, Format: "jsonl", MediaType: "application/x-ndjson", SHA256: sum, Bytes: n, Rows: len(changes)})
	v := versionInfo{created: p.opts.Now().UTC().Format(time.RFC3339), snapshotDate: p.info.DataDate, generation: p.info.ID}
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
	if prevDay == "" {
		v.notes = append(v.notes, "first version: the changes file is empty")
	}
	b, err := json.MarshalIndent(newDataPackage(s.list, p.day, files, v, p.opts), "", "  ")
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

// differ explains the changes of one dataset against the version of prevDay.
func (p *publication) differ(l List, prevDay string) *differ {
	return &differ{day: p.day, prevDay: prevDay,
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

// install appends the change logs, moves every staged version into place and moves LATEST.
// The log goes first: a crash in between repeats entries on the next run rather than losing them.
func (p *publication) install() error {
	for _, s := range p.sets {
		listDir := filepath.Join(p.root, s.list.Name)
		if err := appendLog(listDir, s.logged); err != nil {
			return fmt.Errorf("change log %s: %w", s.list.Name, err)
		}
		if err := replaceDir(s.dir, VersionDir(p.root, s.list.Name, p.day)); err != nil {
			return fmt.Errorf("install %s/%s: %w", s.list.Name, p.day, err)
		}
		latest, _ := Latest(p.root, s.list.Name)
		if latest <= p.day {
			if _, _, err := writeFileAtomic(filepath.Join(listDir, latestName), []byte(p.day+"\n")); err != nil {
				return err
			}
		}
		if err := atomicfile.SyncDir(listDir); err != nil {
			return err
		}
	}
	return nil
}

// replaceDir moves the complete folder src to dst. An existing dst (the same day published
// again) is swapped atomically where the kernel can, so its URL never stops answering.
func replaceDir(src, dst string) error {
	if _, err := os.Stat(dst); errors.Is(err, os.ErrNotExist) {
		return os.Rename(src, dst)
	}
	if err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_EXCHANGE); err == nil {
		return os.RemoveAll(src) // now the old version
	}
	old := filepath.Join(filepath.Dir(dst), ".old-"+filepath.Base(dst))
	os.RemoveAll(old)
	if err := os.Rename(dst, old); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	return os.RemoveAll(old)
}

// removeStale deletes hidden staging folders, temporary files and version folders without
// SHA256SUMS that a crashed run (or an older, non-atomic one) left behind, beside the versions
// and inside them. None of them is ever served: only files listed in a version's SHA256SUMS are.
func removeStale(listDir string) {
	entries, _ := os.ReadDir(listDir)
	for _, e := range entries {
		if day, ok := strings.CutPrefix(e.Name(), ".old-"); ok && ValidDay(day) {
			// replaceDir's fallback was cut between its two renames: put the old version back.
			if _, err := os.Stat(filepath.Join(listDir, day)); errors.Is(err, os.ErrNotExist) {
				if os.Rename(filepath.Join(listDir, e.Name()), filepath.Join(listDir, day)) == nil {
					removeTemp(filepath.Join(listDir, day))
					continue
				}
			}
		}
		if strings.HasPrefix(e.Name(), ".staging-") || strings.HasPrefix(e.Name(), ".old-") || isTemp(e.Name()) {
			os.RemoveAll(filepath.Join(listDir, e.Name()))
		} else if e.IsDir() && ValidDay(e.Name()) {
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
// cuts the change log to the days still kept.
func retain(listDir string, keep int) error {
	root, list := filepath.Dir(listDir), filepath.Base(listDir)
	days := Versions(root, list) // newest first
	latest, _ := Latest(root, list)
	kept := ""
	for i, d := range days {
		if i < keep || d == latest {
			kept = d
			continue
		}
		if err := os.RemoveAll(filepath.Join(listDir, d)); err != nil {
			return err
		}
	}
	if len(days) > keep && kept != "" {
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
