package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/gongshi/gongshi/index/atomicfile"
)

// Generation is one complete, immutable set of Bleve shards plus the document store they were
// built from. The portal serves one generation at a time and swaps to a newer one atomically.
type Generation struct {
	Info  GenerationInfo
	Dir   string
	Alias bleve.IndexAlias
	Docs  *DocStore

	shards []bleve.Index
	cols   []*columns  // by shard
	lists  *listTables // the list pages' records, by type
	refs   atomic.Int64
	closed atomic.Bool
	retire atomic.Bool
}

// GenerationFormat is the layout of the generations this code builds and serves: the shards'
// mapping (rank, name keys, pinyin pairs), the document store's tables, and documents that went
// through the importer's current rules (personal data withheld in every code field and masked
// in every spelling in free text; full snapshots scoped to their publisher). A generation of
// another format is never read in its old shape: it is rebuilt from the archived snapshots
// (gongshi import --rebuild), which hold every published document.
const GenerationFormat = 3

// ErrGenerationFormat marks a generation this code does not read; rebuild it.
var ErrGenerationFormat = errors.New("generation format")

// CheckFormat says whether a generation can be served and built upon, and what to do if not.
func (info GenerationInfo) CheckFormat() error {
	if info.Format == GenerationFormat {
		return nil
	}
	return fmt.Errorf("%w: generation %s has format %d and this gongshi reads format %d; rebuild it from the archived snapshots with: gongshi import --rebuild --data DATA",
		ErrGenerationFormat, info.ID, info.Format, GenerationFormat)
}

// GenerationInfo is written to generation.json when a build completes; its presence marks
// a generation as complete.
type GenerationInfo struct {
	ID        string        `json:"id"`
	Format    int           `json:"format"` // GenerationFormat when built; absent (0) before formats were numbered
	BuiltAt   time.Time     `json:"built_at"`
	Shards    int           `json:"shards"`
	Entities  int           `json:"entities"`
	Records   int           `json:"records"`
	Snapshots []SnapshotRef `json:"snapshots"`
	// Seq is the data sequence number: the Seq of the last snapshot applied. It only grows
	// from one generation to the next (a rebuild of the same snapshots keeps it), so replicas
	// and clients tell states apart by it.
	Seq int64 `json:"seq"`
	// Base is the generation this one was built on ("" for a first import or a rebuild), and
	// Touched the record types whose documents changed from it: publication reads only those.
	Base    string   `json:"base,omitempty"`
	Touched []string `json:"touched,omitempty"`
	// Incremental says the shards were updated from Base's (only the changed documents
	// re-indexed) rather than built from the whole document store.
	Incremental bool `json:"incremental,omitempty"`
	// DataDate is the newest snapshot date in the generation.
	DataDate string `json:"data_date"`
	// BuildSeconds and Bytes are measured by the build.
	BuildSeconds float64 `json:"build_seconds"`
	Bytes        int64   `json:"bytes"`
}

// SnapshotRef names an archived snapshot a generation was built from.
type SnapshotRef struct {
	ID           string `json:"id"`
	Publisher    string `json:"publisher"`
	SnapshotDate string `json:"snapshot_date"`
	Kind         string `json:"kind"`
	Seq          int64  `json:"seq"` // the data sequence number the snapshot was applied as
}

const (
	infoFile     = "generation.json"
	docStoreFile = "docs.db"
)

func shardPath(dir string, i int) string { return filepath.Join(dir, fmt.Sprintf("shard-%d.bleve", i)) }

// DocStorePath is where a generation keeps its document store.
func DocStorePath(dir string) string { return filepath.Join(dir, docStoreFile) }

// BuildOptions tunes a shard build.
type BuildOptions struct {
	Shards    int // default: one per core
	BatchSize int // default 5000: big enough for throughput, small enough to keep segments few (1k–5k per notes)
	Progress  func(docs int)
}

// BuildShards indexes every entity and record of the (complete) document store at dir into new
// Bleve shards beside it, using safe batches only, and returns the counts.
func BuildShards(ctx context.Context, dir string, opts BuildOptions) (entities, records int, err error) {
	if opts.Shards <= 0 {
		opts.Shards = runtime.NumCPU()
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	m, err := NewMapping()
	if err != nil {
		return 0, 0, err
	}
	docs, err := ReadDocStore(DocStorePath(dir))
	if err != nil {
		return 0, 0, err
	}
	defer docs.Close()

	type item struct {
		id  string
		doc any
	}
	chans := make([]chan item, opts.Shards)
	errs := make([]error, opts.Shards)
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for i := range chans {
		chans[i] = make(chan item, opts.BatchSize)
		idx, err := bleve.New(shardPath(dir, i), m)
		if err != nil {
			return 0, 0, fmt.Errorf("create shard %d: %w", i, err)
		}
		wg.Add(1)
		go func(i int, idx bleve.Index) {
			defer wg.Done()
			defer func() {
				if err := idx.Close(); err != nil && errs[i] == nil {
					errs[i] = err
				}
			}()
			b := idx.NewBatch()
			flush := func() {
				if b.Size() == 0 || errs[i] != nil {
					return
				}
				if err := idx.Batch(b); err != nil {
					errs[i] = fmt.Errorf("shard %d: %w", i, err)
					cancel()
				}
				b.Reset()
			}
			for it := range chans[i] {
				if errs[i] != nil {
					continue // drain
				}
				if err := b.Index(it.id, it.doc); err != nil {
					errs[i] = fmt.Errorf("shard %d: index %s: %w", i, it.id, err)
					cancel()
					continue
				}
				if b.Size() >= opts.BatchSize {
					flush()
				}
			}
			flush()
			// Merge the shard's segments: every search term is looked up in each segment, so a
			// generation that is built once and read many times is served from one.
			if errs[i] == nil {
				if err := mergeToOneSegment(ctx, idx); err != nil {
					errs[i] = fmt.Errorf("shard %d: merge: %w", i, err)
				}
			}
		}(i, idx)
	}

	n := 0
	walkErr := docs.EachEntity(ctx, func(e *Entity, recs []*Record) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		regionCode := ""
		var shardKey string
		if e != nil {
			regionCode = e.Region
			shardKey = e.Code
			chans[ShardOf(e.Code, opts.Shards)] <- item{e.Code, newEntityDoc(e, recs)}
			entities++
		}
		for _, r := range recs {
			if shardKey == "" {
				shardKey = r.EntityCode
			}
			chans[ShardOf(shardKey, opts.Shards)] <- item{r.ID, newRecordDoc(r, regionCode)}
			records++
		}
		n += 1 + len(recs)
		if opts.Progress != nil && n%10000 < 1+len(recs) {
			opts.Progress(n)
		}
		return nil
	})
	for _, c := range chans {
		close(c)
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, 0, err
	}
	if walkErr != nil {
		return 0, 0, walkErr
	}
	if opts.Progress != nil {
		opts.Progress(n)
	}
	return entities, records, nil
}

// WriteInfo marks a generation complete, of the format this code builds. Write it last.
func WriteInfo(dir string, info GenerationInfo) error {
	info.Format = GenerationFormat
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, infoFile), b, 0o644)
}

// ReadInfo reads a generation's info; an error means the generation is incomplete.
func ReadInfo(dir string) (GenerationInfo, error) {
	var info GenerationInfo
	b, err := os.ReadFile(filepath.Join(dir, infoFile))
	if err != nil {
		return info, fmt.Errorf("generation %s is incomplete: %w", filepath.Base(dir), err)
	}
	return info, json.Unmarshal(b, &info)
}

// OpenGeneration opens a complete generation for serving.
func OpenGeneration(dir string) (*Generation, error) {
	info, err := ReadInfo(dir)
	if err != nil {
		return nil, err
	}
	if err := info.CheckFormat(); err != nil {
		return nil, err
	}
	g := &Generation{Info: info, Dir: dir}
	docs, err := OpenDocStore(DocStorePath(dir), true)
	if err != nil {
		return nil, err
	}
	g.Docs = docs
	for i := 0; i < info.Shards; i++ {
		// Read-only: a generation is immutable once built, and a writable open takes an
		// exclusive lock that would stop a second replica (or a tool) from opening it.
		idx, err := bleve.OpenUsing(shardPath(dir, i), map[string]interface{}{"read_only": true})
		if err != nil {
			g.close()
			return nil, fmt.Errorf("open shard %d of %s: %w", i, info.ID, err)
		}
		g.shards = append(g.shards, idx)
	}
	g.Alias = bleve.NewIndexAlias(g.shards...)
	g.cols = make([]*columns, len(g.shards))
	errs := make([]error, len(g.shards))
	var wg sync.WaitGroup
	for i, sh := range g.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			g.cols[i], errs[i] = loadColumns(sh)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		g.Close()
		return nil, fmt.Errorf("load the search columns of %s: %w", info.ID, err)
	}
	if err := loadCards(context.Background(), g.Docs, g.cols); err != nil {
		g.Close()
		return nil, fmt.Errorf("load the entity cards of %s: %w", info.ID, err)
	}
	if g.lists, err = loadListTables(context.Background(), g); err != nil {
		g.Close()
		return nil, fmt.Errorf("load the lists of %s: %w", info.ID, err)
	}
	return g, nil
}

// Shard returns the shard holding an entity code and its records (for live corrections).
func (g *Generation) Shard(code string) bleve.Index { return g.shards[ShardOf(code, len(g.shards))] }

// DocCount is the number of Bleve documents over all shards.
func (g *Generation) DocCount() uint64 {
	var n uint64
	for _, s := range g.shards {
		c, _ := s.DocCount()
		n += c
	}
	return n
}

// Close closes a generation opened with OpenGeneration that is not served through Live.
func (g *Generation) Close() { g.close() }

func (g *Generation) close() {
	if !g.closed.CompareAndSwap(false, true) {
		return
	}
	for _, s := range g.shards {
		s.Close()
	}
	if g.Docs != nil {
		g.Docs.Close()
	}
}

// Release hands back a generation taken with Live.Acquire.
func (g *Generation) Release() {
	if g.refs.Add(-1) == 0 && g.retire.Load() {
		g.close()
	}
}

// Live holds the generation being served and swaps it atomically.
type Live struct {
	mu  sync.Mutex // serialises swaps
	cur atomic.Pointer[Generation]
}

// Acquire returns the serving generation (nil before the first one is loaded); call Release.
func (l *Live) Acquire() *Generation {
	for {
		g := l.cur.Load()
		if g == nil {
			return nil
		}
		g.refs.Add(1)
		if l.cur.Load() == g {
			return g
		}
		g.Release() // swapped meanwhile; take the new one
	}
}

// Current returns the serving generation's info without holding it, and false if none.
func (l *Live) Current() (GenerationInfo, bool) {
	g := l.cur.Load()
	if g == nil {
		return GenerationInfo{}, false
	}
	return g.Info, true
}

// Swap makes g the serving generation; the previous one closes when its last request ends.
func (l *Live) Swap(g *Generation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	g.refs.Add(1) // held by Live
	old := l.cur.Swap(g)
	if old != nil {
		old.retire.Store(true)
		old.Release()
	}
}

// Close retires the serving generation.
func (l *Live) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if old := l.cur.Swap(nil); old != nil {
		old.retire.Store(true)
		old.Release()
	}
}

// mergeToOneSegment merges a shard's segments into one. Bleve's single-segment plan merges at
// most ten segments per task and stops within its budget of segments, so one ForceMerge of a
// 1M-entity shard left two segments, and every term of every search was looked up twice.
func mergeToOneSegment(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	for round := 0; round < 8 && rootSegments(idx) > 1; round++ {
		if err := sc.ForceMerge(ctx, &mergeplan.SingleSegmentMergePlanOptions); err != nil {
			return err
		}
		waitForObsoleteFiles(ctx, idx)
	}
	if n := rootSegments(idx); n > 1 {
		return fmt.Errorf("%d segments left after merging", n)
	}
	return nil
}

// rootSegments counts the segments of the index's current snapshot, persisted or not. (The
// stats' per-root counters are updated by Bleve's background loops and were seen to say one
// segment while the root still held the last batch's: the shard was then closed with two.)
func rootSegments(idx bleve.Index) uint64 {
	adv, err := idx.Advanced()
	if err != nil {
		return 0
	}
	r, err := adv.Reader()
	if err != nil {
		return 0
	}
	defer r.Close()
	if snap, ok := r.(*scorch.IndexSnapshot); ok {
		return uint64(len(snap.Segments()))
	}
	return 0
}

// waitForObsoleteFiles gives Bleve's persister time to delete the segment files a merge made
// obsolete: closing right after a merge leaves them on disk for good (a generation is opened
// read-only afterwards), which doubled the size of a 1M-entity generation.
//
// The persister deletes them when it next goes idle, and skips any a reader still held at that
// moment; with no further change to the index it would not look again, and this used to wait
// its full two minutes (seen in small test builds). Every two seconds without progress it
// writes an internal key, a new epoch that runs the persister once more.
func waitForObsoleteFiles(ctx context.Context, idx bleve.Index) {
	start := time.Now()
	deadline := start.Add(2 * time.Minute)
	nudge := start.Add(2 * time.Second)
	for n := byte(0); time.Now().Before(deadline) && ctx.Err() == nil; {
		st, _ := idx.StatsMap()["index"].(map[string]interface{})
		files, _ := st["CurOnDiskFiles"].(uint64)
		live, _ := st["TotFileSegmentsAtRoot"].(uint64)
		if files <= live+1 { // the live segments and root.bolt
			return
		}
		if time.Now().After(nudge) {
			n++
			_ = idx.SetInternal([]byte("gongshi:cleanup"), []byte{n}) // best effort
			nudge = time.Now().Add(2 * time.Second)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
