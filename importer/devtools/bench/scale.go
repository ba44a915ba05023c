package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/devtools/demo"
	"github.com/gongshi/gongshi/index"
)

// ScaleOptions configure the scale benchmark: one generated data set, loaded once into the
// document store, then one Bleve build per shard count, each measured and queried.
type ScaleOptions struct {
	Entities    int
	Seed        uint64
	Date        time.Time // snapshot date and the searcher's "today"; default: today in China
	Dir         string    // work folder, absent or empty (default: a temporary folder)
	Queries     int       // per class, default 200
	ShardCounts []int     // default 1, 2, 4
	// Keep keeps the work folder, and every shard set; otherwise each shard set is removed once
	// measured (a 5M-entity set is several GB) and the folder at the end.
	Keep bool
	Out  io.Writer // the tables (nil: not printed)
	Log  io.Writer // progress (nil: silent)
}

// ScaleClass is the search latency of one query class on one shard set.
type ScaleClass struct {
	Class  string  `json:"class"`
	N      int     `json:"n"`
	Hit10  float64 `json:"hit10"`
	P50MS  float64 `json:"p50_ms"`
	P99MS  float64 `json:"p99_ms"`
	MeanMS float64 `json:"mean_ms"`
	Errors int     `json:"errors,omitempty"`
}

// ScaleRun is one shard count: its build and its queries.
type ScaleRun struct {
	Shards        int     `json:"shards"`
	Docs          int     `json:"docs"` // Bleve documents: entities and records
	BuildSeconds  float64 `json:"build_seconds"`
	DocsPerSecond float64 `json:"docs_per_second"`
	ShardBytes    int64   `json:"shard_bytes"` // every shard-N.bleve folder, after the merge
	// BaseRSSBytes is the benchmark's resident size just before the build (after a GC),
	// PeakRSSBytes its resident peak during the build: VmHWM reset before the build
	// (PeakMethod "vmhwm"), or the highest VmRSS sampled every 100 ms ("sampled") where the
	// reset is not allowed. Both count mapped Bleve segment files that are resident;
	// PeakAnonBytes (sampled RssAnon) does not: heap and stacks only.
	BaseRSSBytes  int64        `json:"base_rss_bytes"`
	PeakRSSBytes  int64        `json:"peak_rss_bytes"`
	PeakAnonBytes int64        `json:"peak_anon_bytes"`
	PeakMethod    string       `json:"peak_method"`
	Classes       []ScaleClass `json:"classes"` // Classes, then ClassAll
}

// ScaleResult is everything Scale measured.
type ScaleResult struct {
	Entities        int        `json:"entities"` // rows of the generated entities.csv
	Indexed         int        `json:"indexed_entities"`
	Records         int        `json:"records"`
	Seed            uint64     `json:"seed"`
	Date            string     `json:"date"`
	QueriesPerClass int        `json:"queries_per_class"`
	CPUs            int        `json:"cpus"`
	MemTotalBytes   int64      `json:"mem_total_bytes"`
	GenerateSeconds float64    `json:"generate_seconds"`
	LoadSeconds     float64    `json:"load_seconds"` // validate and load into docs.db (once)
	LoadRowsPerSec  float64    `json:"load_rows_per_second"`
	DocStoreBytes   int64      `json:"docstore_bytes"`
	Runs            []ScaleRun `json:"runs"`
}

// Scale generates the data, loads it once into a document store, then for each shard count
// builds the Bleve shards from that store (index.BuildShards, as an import does), measuring
// build time, size and peak memory, and runs the benchmark's query mix on the result.
func Scale(ctx context.Context, o ScaleOptions) (*ScaleResult, error) {
	if o.Entities <= 0 {
		return nil, errors.New("bench: Entities must be positive")
	}
	if o.Queries <= 0 {
		o.Queries = 200
	}
	if len(o.ShardCounts) == 0 {
		o.ShardCounts = []int{1, 2, 4}
	}
	for _, k := range o.ShardCounts {
		if k < 1 || k > 64 {
			return nil, fmt.Errorf("bench: shard count %d out of range 1–64", k)
		}
	}
	if o.Date.IsZero() {
		d, _ := time.Parse(time.DateOnly, time.Now().In(index.ChinaTime).Format(time.DateOnly))
		o.Date = d
	}
	dir, err := workDir(o.Dir)
	if err != nil {
		return nil, err
	}
	if o.Keep {
		defer logf(o.Log, "bench: work folder kept: %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	res := &ScaleResult{Seed: o.Seed, Date: o.Date.Format(time.DateOnly), QueriesPerClass: o.Queries,
		CPUs: runtime.NumCPU(), MemTotalBytes: memTotal()}

	snap := filepath.Join(dir, "snapshot")
	t0 := time.Now()
	prog := importer.NewProgress(o.Log, "generate", o.Entities)
	_, err = demo.Generate(ctx, snap, demo.Options{Entities: o.Entities, Seed: o.Seed, Date: o.Date,
		Progress: func(done, _ int) { prog.Set(done) }})
	prog.Finish()
	if err != nil {
		return nil, fmt.Errorf("bench: generate: %w", err)
	}
	res.GenerateSeconds = time.Since(t0).Seconds()

	dd := index.DataDir(filepath.Join(dir, "data"))
	t0 = time.Now()
	reps, err := importer.Import(ctx, []string{snap}, importer.Options{Data: dd, DocStoreOnly: true, Log: o.Log})
	if err != nil {
		return nil, fmt.Errorf("bench: load: %w", err)
	}
	res.LoadSeconds = time.Since(t0).Seconds()
	if len(reps) == 0 || reps[0].Generation == "" {
		return nil, errors.New("bench: load: no generation folder reported")
	}
	res.LoadRowsPerSec = reps[0].RowsPerSecond
	docsPath := index.DocStorePath(dd.Generation(reps[0].Generation))
	if fi, err := os.Stat(docsPath); err == nil {
		res.DocStoreBytes = fi.Size()
	}

	ents, err := readEntities(filepath.Join(snap, "entities.csv"))
	if err != nil {
		return nil, err
	}
	res.Entities = len(ents)
	mix := queryMix(ents, o.Seed, o.Queries)
	ents = nil // the builds' peak memory should not carry the whole register
	if !o.Keep {
		os.RemoveAll(snap)
	}

	total := 0
	if docs, err := index.OpenDocStore(docsPath, true); err == nil {
		total = docs.Count(ctx)
		docs.Close()
	}
	for _, k := range o.ShardCounts {
		run, ents, recs, err := scaleRun(ctx, o, dir, docsPath, k, total, mix)
		if err != nil {
			return nil, err
		}
		res.Indexed, res.Records = ents, recs
		res.Runs = append(res.Runs, *run)
	}
	if o.Out != nil {
		res.Print(o.Out)
	}
	return res, nil
}

// scaleRun builds, measures and queries one shard set in DIR/shards-K beside a link to docsPath;
// total is the number of documents, for the progress line.
func scaleRun(ctx context.Context, o ScaleOptions, dir, docsPath string, k, total int, mix []query) (*ScaleRun, int, int, error) {
	gdir := filepath.Join(dir, fmt.Sprintf("shards-%d", k))
	if err := os.MkdirAll(gdir, 0o755); err != nil {
		return nil, 0, 0, err
	}
	if !o.Keep {
		defer os.RemoveAll(gdir)
	}
	// The store is only read by a build: every shard set shares the one loaded file.
	if err := os.Link(docsPath, index.DocStorePath(gdir)); err != nil {
		if err := os.Symlink(docsPath, index.DocStorePath(gdir)); err != nil {
			return nil, 0, 0, err
		}
	}
	run := &ScaleRun{Shards: k, PeakMethod: "vmhwm"}
	runtime.GC()
	debug.FreeOSMemory()
	if m, err := ReadProcMem(0); err == nil {
		run.BaseRSSBytes = m.RSS
	}
	if !ResetPeakRSS() {
		run.PeakMethod = "sampled"
	}
	sampler := SampleMem(0, 100*time.Millisecond)
	logf(o.Log, "bench: building %d shard(s)\n", k)
	t0 := time.Now()
	prog := importer.NewProgress(o.Log, fmt.Sprintf("index, %d shard(s)", k), total)
	ents, recs, err := index.BuildShards(ctx, gdir, index.BuildOptions{Shards: k, Progress: prog.Set})
	prog.Finish()
	run.BuildSeconds = time.Since(t0).Seconds()
	highest, _, _ := sampler.Stop()
	if err != nil {
		return nil, 0, 0, fmt.Errorf("bench: build %d shard(s): %w", k, err)
	}
	run.Docs = ents + recs
	if run.BuildSeconds > 0 {
		run.DocsPerSecond = float64(run.Docs) / run.BuildSeconds
	}
	run.PeakAnonBytes = highest.Anon
	run.PeakRSSBytes = highest.RSS
	if m, err := ReadProcMem(0); err == nil && run.PeakMethod == "vmhwm" && m.HWM > 0 {
		run.PeakRSSBytes = max(m.HWM, highest.RSS)
	}
	run.ShardBytes = shardBytes(gdir)

	info := index.GenerationInfo{ID: filepath.Base(gdir), BuiltAt: time.Now().UTC(), Shards: k,
		Entities: ents, Records: recs, BuildSeconds: run.BuildSeconds, Bytes: run.ShardBytes}
	if err := index.WriteInfo(gdir, info); err != nil {
		return nil, 0, 0, err
	}
	g, err := index.OpenGeneration(gdir)
	if err != nil {
		return nil, 0, 0, err
	}
	live := &index.Live{}
	live.Swap(g)
	defer live.Close()
	logf(o.Log, "bench: %d shard(s): %d queries\n", k, len(mix))
	crs, _, err := measure(ctx, gongshiEngine{&index.Searcher{Live: live, Now: func() time.Time { return o.Date }}}, mix)
	if err != nil {
		return nil, 0, 0, err
	}
	for _, c := range crs {
		run.Classes = append(run.Classes, ScaleClass{Class: c.Class, N: c.N, Hit10: c.Hit10,
			P50MS: msf(c.P50), P99MS: msf(c.P99), MeanMS: msf(c.Mean), Errors: c.Errors})
	}
	return run, ents, recs, nil
}

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// memTotal is the machine's memory from /proc/meminfo, 0 if unknown.
func memTotal() int64 {
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			var kb int64
			fmt.Sscan(rest, &kb)
			return kb * 1024
		}
	}
	return 0
}

// Class returns one class's result on one run, or nil.
func (r *ScaleRun) Class(class string) *ScaleClass {
	for i := range r.Classes {
		if r.Classes[i].Class == class {
			return &r.Classes[i]
		}
	}
	return nil
}

// Print writes the build table and the latency table, one column group per shard count.
func (r *ScaleResult) Print(w io.Writer) {
	fmt.Fprintf(w, "gongshi scale benchmark: %d entities, %d records (seed %d, date %s), %d queries per class\n",
		r.Entities, r.Records, r.Seed, r.Date, r.QueriesPerClass)
	fmt.Fprintf(w, "machine: %d CPUs, %.1f GB RAM · generate %.1f s · load into docs.db once %.1f s (%.0f rows/s) · docs.db %.1f MB\n",
		r.CPUs, float64(r.MemTotalBytes)/(1<<30), r.GenerateSeconds, r.LoadSeconds, r.LoadRowsPerSec, mb(r.DocStoreBytes))
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%6s %10s %9s %9s %10s %12s %13s %12s\n", "shards", "docs", "build s", "docs/s", "index MB", "peak RSS MB", "peak anon MB", "base RSS MB")
	for _, run := range r.Runs {
		fmt.Fprintf(w, "%6d %10d %9.1f %9.0f %10.1f %12.1f %13.1f %12.1f\n", run.Shards, run.Docs, run.BuildSeconds,
			run.DocsPerSecond, mb(run.ShardBytes), mb(run.PeakRSSBytes), mb(run.PeakAnonBytes), mb(run.BaseRSSBytes))
	}
	fmt.Fprintln(w)
	const colw = 22
	fmt.Fprintf(w, "%-12s %5s", "latency ms", "")
	for _, run := range r.Runs {
		fmt.Fprintf(w, " | %-*s", colw, fmt.Sprintf("%d shard(s)", run.Shards))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-12s %5s", "class", "N")
	for range r.Runs {
		fmt.Fprintf(w, " | %4s %8s %8s", "h@10", "p50", "p99")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, strings.Repeat("-", 18+len(r.Runs)*(colw+3)))
	for _, class := range append(append([]string{}, Classes...), ClassAll) {
		n := 0
		if len(r.Runs) > 0 {
			if c := r.Runs[0].Class(class); c != nil {
				n = c.N
			}
		}
		fmt.Fprintf(w, "%-12s %5d", class, n)
		for _, run := range r.Runs {
			c := run.Class(class)
			if c == nil || c.N == 0 {
				fmt.Fprintf(w, " | %-*s", colw, "-")
				continue
			}
			fmt.Fprintf(w, " | %4.2f %8.2f %8.2f", c.Hit10, c.P50MS, c.P99MS)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "peak RSS: the process's resident peak during that build (mapped segment files included);")
	fmt.Fprintln(w, "peak anon: heap and stacks only. Latency: one query at a time, in process, top 10, after the build.")
}
