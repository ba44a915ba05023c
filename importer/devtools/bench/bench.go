// Package bench measures gongshi search against PostgreSQL pg_trgm and SQLite FTS5 on the same
// generated data: hit rates on queries with known answers and per-query latency, per query class.
package bench

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/devtools/demo"
	"github.com/gongshi/gongshi/index"
)

// Options configure one benchmark run.
type Options struct {
	Entities int
	Seed     uint64
	Date     time.Time // snapshot date and the searcher's "today"; default: today in China
	// Dir is the work folder (snapshot, data folder, SQLite file). It must be absent or empty;
	// default a new temporary folder. It is removed at the end unless Keep.
	Dir     string
	Queries int // per class, default 200
	// PostgresDSN names the database for the pg_trgm peer; "" skips that peer.
	PostgresDSN string
	// PostgresSkipReason is printed when PostgresDSN is "" (default "no PostgreSQL DSN given").
	PostgresSkipReason string
	Shards             int       // index shards, default one per core
	Out                io.Writer // the table (nil: not printed)
	Log                io.Writer // progress of the long steps (nil: silent)
	Keep               bool
	// Reuse a work folder kept by an earlier run with the same options: its snapshot and
	// generation are used as they are (the peers are loaded afresh).
	Reuse bool
}

// PeerBuild is what loading one peer cost.
type PeerBuild struct {
	Engine       string
	BuildSeconds float64
	Bytes        int64
}

// ClassResult is one engine's outcome on one query class (or ClassAll).
type ClassResult struct {
	Engine, Class  string
	N              int
	Hit1, Hit10    float64 // share of queries with a relevant result first / in the top 10
	Hit3           float64 // in the top 3
	P50, P99, Mean time.Duration
	Errors         int // queries that failed (counted as misses)
	Zero           int // answers without a single result (errors aside)
	// Without gongshi's close tier: the same answers, close results dropped (0 for the peers).
	StrictHit10 float64
	StrictZero  int
}

// Result is everything Run measured.
type Result struct {
	Entities        int // rows in entities.csv
	Indexed         int // entities in the gongshi generation
	GenerateSeconds float64
	ImportSeconds   float64 // wall time of importer.Import
	BuildSeconds    float64 // the generation's own measure
	RowsPerSecond   float64 // rows read and validated per second, from the import report
	IndexBytes      int64   // the whole generation folder: shards and docs.db
	ShardBytes      int64   // the Bleve shards alone
	Peers           []PeerBuild
	PostgresSkipped string // why the pg_trgm peer did not run, "" if it did
	Classes         []ClassResult
	// Misses are a few failed gongshi queries per class, for reading rather than counting.
	Misses []Miss
}

// Miss is a gongshi query whose answer was not in the top 10.
type Miss struct {
	Class, Query, Target, TargetName string
	Got                              []string // "code name" of the first results
	Err                              string
}

// warmup queries run on every engine before timing: caches, prepared plans, lazy tables.
const warmup = 20

// Run generates the data, imports it, loads the peers, runs the query mix on every engine and
// prints the table to o.Out.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Entities <= 0 {
		return nil, errors.New("bench: Entities must be positive")
	}
	if o.Queries <= 0 {
		o.Queries = 200
	}
	if o.Date.IsZero() {
		d, _ := time.Parse(time.DateOnly, time.Now().In(index.ChinaTime).Format(time.DateOnly))
		o.Date = d
	}
	if o.PostgresSkipReason == "" {
		o.PostgresSkipReason = "no PostgreSQL DSN given"
	}
	reuse := o.Reuse && o.Dir != "" && fileExists(filepath.Join(o.Dir, "snapshot", "manifest.json")) &&
		fileExists(filepath.Join(o.Dir, "data", "current"))
	dir := o.Dir
	var err error
	if !reuse {
		if dir, err = workDir(o.Dir); err != nil {
			return nil, err
		}
	} else {
		logf(o.Log, "bench: reusing the snapshot and generation in %s\n", dir)
		os.Remove(filepath.Join(dir, "peer.sqlite"))
	}
	if o.Keep {
		defer logf(o.Log, "bench: work folder kept: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	res := &Result{}

	snap := filepath.Join(dir, "snapshot")
	dd := index.DataDir(filepath.Join(dir, "data"))
	var t0 time.Time
	if !reuse {
		t0 = time.Now()
		prog := importer.NewProgress(o.Log, "generate", o.Entities)
		_, err = demo.Generate(ctx, snap, demo.Options{Entities: o.Entities, Seed: o.Seed, Date: o.Date,
			Progress: func(done, _ int) { prog.Set(done) }})
		prog.Finish()
		if err != nil {
			return nil, fmt.Errorf("bench: generate: %w", err)
		}
		res.GenerateSeconds = time.Since(t0).Seconds()

		t0 = time.Now()
		reps, err := importer.Import(ctx, []string{snap}, importer.Options{Data: dd, Shards: o.Shards, Log: o.Log})
		if err != nil {
			return nil, fmt.Errorf("bench: import: %w", err)
		}
		res.ImportSeconds = time.Since(t0).Seconds()
		if len(reps) > 0 {
			res.RowsPerSecond = reps[0].RowsPerSecond
		}
	}
	genID, err := dd.Current()
	if err != nil {
		return nil, err
	}
	g, err := index.OpenGeneration(dd.Generation(genID))
	if err != nil {
		return nil, err
	}
	live := &index.Live{}
	live.Swap(g)
	defer live.Close()
	res.Indexed, res.BuildSeconds, res.IndexBytes = g.Info.Entities, g.Info.BuildSeconds, g.Info.Bytes
	res.ShardBytes = shardBytes(g.Dir)

	ents, err := readEntities(filepath.Join(snap, "entities.csv"))
	if err != nil {
		return nil, err
	}
	res.Entities = len(ents)

	engines := []engine{gongshiEngine{&index.Searcher{Live: live, Now: func() time.Time { return o.Date }}}}
	if o.PostgresDSN == "" {
		res.PostgresSkipped = o.PostgresSkipReason
		logf(o.Log, "bench: pg_trgm peer skipped: %s\n", o.PostgresSkipReason)
	} else {
		logf(o.Log, "bench: loading %d entities into PostgreSQL (pg_trgm GIN index)\n", len(ents))
		t0 = time.Now()
		pg, size, err := buildPg(ctx, o.PostgresDSN, ents, o.Keep)
		if err != nil {
			return nil, fmt.Errorf("bench: pg_trgm peer: %w", err)
		}
		defer pg.close()
		res.Peers = append(res.Peers, PeerBuild{EnginePgTrgm, time.Since(t0).Seconds(), size})
		engines = append(engines, pg)
	}
	logf(o.Log, "bench: loading %d entities into SQLite (FTS5 trigram)\n", len(ents))
	t0 = time.Now()
	lite, size, err := buildSQLite(ctx, filepath.Join(dir, "peer.sqlite"), ents)
	if err != nil {
		return nil, fmt.Errorf("bench: sqlite_fts5 peer: %w", err)
	}
	defer lite.close()
	res.Peers = append(res.Peers, PeerBuild{EngineSQLite, time.Since(t0).Seconds(), size})
	engines = append(engines, lite)

	mix := queryMix(ents, o.Seed, o.Queries)
	ents = nil // the harness's own heap is not the engine's: gongshi runs in this process
	for _, e := range engines {
		if e.name() == EngineGongshi {
			// The peers were loaded a moment ago, so their files are in the page cache; the
			// generation was built before them. Read it once so every engine starts warm.
			t0 := time.Now()
			n := prewarm(g.Dir)
			logf(o.Log, "bench: read the generation's %.0f MB once (%.1f s) so it starts as warm as the peers\n", mb(n), time.Since(t0).Seconds())
		}
		runtime.GC()
		logf(o.Log, "bench: %s: %d queries\n", e.name(), len(mix))
		crs, misses, err := measure(ctx, e, mix)
		if err != nil {
			return nil, err
		}
		res.Classes = append(res.Classes, crs...)
		if e.name() == EngineGongshi {
			res.Misses = misses
		}
	}
	if o.Out != nil {
		res.Print(o.Out, o)
	}
	res.PrintMisses(o.Log)
	return res, nil
}

// workDir makes the work folder, refusing one with contents: it is removed afterwards.
func workDir(dir string) (string, error) {
	if dir == "" {
		return os.MkdirTemp("", "gongshi-bench-")
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return "", fmt.Errorf("bench: work folder %s is not empty (it is removed after the run)", dir)
	}
	return dir, os.MkdirAll(dir, 0o755)
}

func shardBytes(dir string) int64 {
	var n int64
	matches, _ := filepath.Glob(filepath.Join(dir, "shard-*"))
	for _, m := range matches {
		filepath.Walk(m, func(_ string, fi os.FileInfo, err error) error {
			if err == nil && !fi.IsDir() {
				n += fi.Size()
			}
			return nil
		})
	}
	return n
}

// readEntities reads code and name from the snapshot's entities.csv (UTF-8 with BOM).
func readEntities(path string) ([]entity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	if b, err := br.Peek(3); err == nil && string(b) == "\uFEFF" {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	codeCol, nameCol := -1, -1
	for i, h := range head {
		switch strings.TrimSpace(h) {
		case "统一社会信用代码", "code":
			codeCol = i
		case "企业名称", "name":
			nameCol = i
		}
	}
	if codeCol < 0 || nameCol < 0 {
		return nil, fmt.Errorf("%s: no 统一社会信用代码/企业名称 columns in %v", path, head)
	}
	var out []entity
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if codeCol < len(rec) && nameCol < len(rec) && rec[codeCol] != "" && rec[nameCol] != "" {
			out = append(out, entity{code: strings.Clone(rec[codeCol]), name: strings.Clone(rec[nameCol])})
		}
	}
	return out, nil
}

// queryMix draws every class from one seeded generator, so a seed always gives the same mix.
func queryMix(ents []entity, seed uint64, perClass int) []query {
	rng := rand.New(rand.NewPCG(seed, 0x67_6f_6e_67_73_68_69)) // "gongshi"
	var mix []query
	for _, c := range Classes {
		mix = append(mix, draw(rng, ents, c, perClass)...)
	}
	return mix
}

// measure warms an engine up, then times each query alone, rows fetched included.
func measure(ctx context.Context, e engine, mix []query) ([]ClassResult, []Miss, error) {
	for i := 0; i < warmup && len(mix) > 0; i++ {
		q := &mix[(i*len(mix))/warmup] // spread over the classes
		if _, err := e.search(ctx, q); err != nil && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
	}
	type acc struct {
		lat               []time.Duration
		hit1, hit3, hit10 int
		errs, zero        int
		strict10, strict0 int
	}
	by := map[string]*acc{}
	all := &acc{}
	var misses []Miss
	perClass := map[string]int{}
	for i := range mix {
		q := &mix[i]
		t0 := time.Now()
		rows, err := e.search(ctx, q)
		d := time.Since(t0)
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		a := by[q.class]
		if a == nil {
			a = &acc{}
			by[q.class] = a
		}
		h1, h3, h10 := false, false, false
		strict, s10 := 0, false
		for k, r := range rows {
			if k >= topK {
				break
			}
			if !r.close {
				strict++
			}
			if q.relevant(r) {
				h10 = true
				h3 = h3 || k < 3
				h1 = h1 || k == 0
				s10 = s10 || !r.close
			}
		}
		for _, x := range []*acc{a, all} {
			x.lat = append(x.lat, d)
			if err != nil {
				x.errs++
			}
			if err == nil && len(rows) == 0 {
				x.zero++
			}
			if err == nil && strict == 0 {
				x.strict0++
			}
			if h1 {
				x.hit1++
			}
			if h3 {
				x.hit3++
			}
			if h10 {
				x.hit10++
			}
			if s10 {
				x.strict10++
			}
		}
		if !h10 && perClass[q.class] < 3 {
			perClass[q.class]++
			m := Miss{Class: q.class, Query: q.text, Target: q.target, TargetName: q.tname}
			for k, r := range rows {
				if k < 3 {
					m.Got = append(m.Got, r.code+" "+r.name)
				}
			}
			if err != nil {
				m.Err = err.Error()
			}
			misses = append(misses, m)
		}
	}
	var out []ClassResult
	for _, c := range append(append([]string{}, Classes...), ClassAll) {
		a := by[c]
		if c == ClassAll {
			a = all
		}
		if a == nil {
			out = append(out, ClassResult{Engine: e.name(), Class: c})
			continue
		}
		cr := summarise(e.name(), c, a.lat, a.hit1, a.hit10, a.errs)
		cr.Zero, cr.StrictZero = a.zero, a.strict0
		if n := len(a.lat); n > 0 {
			cr.Hit3, cr.StrictHit10 = float64(a.hit3)/float64(n), float64(a.strict10)/float64(n)
		}
		out = append(out, cr)
	}
	return out, misses, nil
}

func summarise(engine, class string, lat []time.Duration, hit1, hit10, errs int) ClassResult {
	n := len(lat)
	cr := ClassResult{Engine: engine, Class: class, N: n, Errors: errs}
	if n == 0 {
		return cr
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	cr.Hit1, cr.Hit10 = float64(hit1)/float64(n), float64(hit10)/float64(n)
	cr.P50, cr.P99, cr.Mean = percentile(lat, 0.50), percentile(lat, 0.99), sum/time.Duration(n)
	return cr
}

// percentile is the nearest-rank percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	k := int(p*float64(len(sorted))+0.999999) - 1
	if k < 0 {
		k = 0
	}
	if k >= len(sorted) {
		k = len(sorted) - 1
	}
	return sorted[k]
}

// Class returns one engine's result on one class, or nil.
func (r *Result) Class(engine, class string) *ClassResult {
	for i := range r.Classes {
		if r.Classes[i].Engine == engine && r.Classes[i].Class == class {
			return &r.Classes[i]
		}
	}
	return nil
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// prewarm reads every file under dir once, bringing it into the page cache; it returns the bytes read.
func prewarm(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if f, err := os.Open(path); err == nil {
			c, _ := io.Copy(io.Discard, f)
			n += c
			f.Close()
		}
		return nil
	})
	return n
}
