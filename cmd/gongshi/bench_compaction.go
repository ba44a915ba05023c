package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
)

// Compaction: many small deltas must not leave search slower than a fresh build of the same
// data. benchCompaction applies k deltas of rows penalties each to a copy of a data folder,
// measures search latency per query class on the result, rebuilds the same data from the
// archive and measures again.

type compactionResult struct {
	Entities int                          `json:"entities"`
	Deltas   int                          `json:"deltas"`
	Rows     int                          `json:"rows_per_delta"`
	Seconds  float64                      `json:"seconds_applying"`
	Classes  map[string]compactionLatency `json:"classes"`
}

type compactionLatency struct {
	AfterDeltasP50, AfterDeltasP99 float64 // milliseconds
	RebuiltP50, RebuiltP99         float64
}

func benchCompaction(ctx context.Context, work string, n, k, rows int, out io.Writer) (compactionResult, error) {
	res := compactionResult{Entities: n, Deltas: k, Rows: rows, Classes: map[string]compactionLatency{}}
	src, dir := filepath.Join(work, "data"), filepath.Join(work, fmt.Sprintf("compaction-%d", k))
	os.RemoveAll(dir)
	if b, err := exec.Command("cp", "-a", src, dir).CombinedOutput(); err != nil {
		return res, fmt.Errorf("copy the data folder: %v: %s", err, b)
	}
	defer os.RemoveAll(dir)
	dd := index.DataDir(dir)
	codes, names, err := firstEntities(filepath.Join(work, "snapshot", "entities.csv"), n)
	if err != nil {
		return res, err
	}
	rnd := rand.New(rand.NewPCG(7, uint64(k)))
	start := time.Now()
	for i := range k {
		pick := make([]int, rows)
		for j := range pick {
			pick[j] = rnd.IntN(len(codes))
		}
		cs, ns := make([]string, rows), make([]string, rows)
		for j, p := range pick {
			cs[j], ns[j] = codes[p], names[p]
		}
		snap, _, err := writePenaltyDelta(filepath.Join(work, "compaction-deltas", fmt.Sprint(i)), cs, ns, int64(1_000_000+k*10_000+i))
		if err != nil {
			return res, err
		}
		if _, err := importer.Import(ctx, []string{snap}, importer.Options{Data: dd}); err != nil {
			return res, fmt.Errorf("delta %d: %w", i, err)
		}
		os.RemoveAll(snap)
		if (i+1)%50 == 0 {
			fmt.Fprintf(out, "  compaction: %d deltas applied in %.0fs\n", i+1, time.Since(start).Seconds())
		}
	}
	res.Seconds = time.Since(start).Seconds()
	queries := compactionQueries(codes, names, rnd)
	after, err := latencies(ctx, dd, queries)
	if err != nil {
		return res, err
	}
	paths, err := importer.ArchivedSnapshots(dd)
	if err != nil {
		return res, err
	}
	if _, err := importer.Import(ctx, paths, importer.Options{Data: dd, Rebuild: true}); err != nil {
		return res, fmt.Errorf("rebuild: %w", err)
	}
	rebuilt, err := latencies(ctx, dd, queries)
	if err != nil {
		return res, err
	}
	for class := range queries {
		a, r := after[class], rebuilt[class]
		res.Classes[class] = compactionLatency{AfterDeltasP50: pct(a, 50), AfterDeltasP99: pct(a, 99), RebuiltP50: pct(r, 50), RebuiltP99: pct(r, 99)}
	}
	return res, nil
}

// compactionQueries are 200 queries per class from the register.
func compactionQueries(codes, names []string, rnd *rand.Rand) map[string][]string {
	q := map[string][]string{}
	for range 200 {
		i := rnd.IntN(len(codes))
		name := []rune(names[i])
		q["name"] = append(q["name"], names[i])
		q["code"] = append(q["code"], codes[i])
		if len(name) >= 6 {
			at := rnd.IntN(len(name) - 3)
			q["fragment_2"] = append(q["fragment_2"], string(name[at:at+2]))
			q["fragment_4"] = append(q["fragment_4"], string(name[at:at+4]))
		}
	}
	return q
}

// latencies runs each query (twice: the first run warms the caches) on the current
// generation and returns the milliseconds of the second run, per class.
func latencies(ctx context.Context, dd index.DataDir, queries map[string][]string) (map[string][]float64, error) {
	cur, err := dd.Current()
	if err != nil {
		return nil, err
	}
	g, err := index.OpenGeneration(dd.Generation(cur))
	if err != nil {
		return nil, err
	}
	live := &index.Live{}
	live.Swap(g)
	defer live.Close()
	s := &index.Searcher{Live: live}
	out := map[string][]float64{}
	for class, qs := range queries {
		for pass := range 2 {
			for _, q := range qs {
				start := time.Now()
				if _, err := s.Search(ctx, index.SearchRequest{Query: q, Size: 10, Facets: true}); err != nil {
					return nil, fmt.Errorf("%s %q: %w", class, q, err)
				}
				if pass == 1 {
					out[class] = append(out[class], float64(time.Since(start).Microseconds())/1000)
				}
			}
		}
	}
	return out, nil
}

func pct(xs []float64, p int) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}
