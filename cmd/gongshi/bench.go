package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gongshi/gongshi/importer/devtools/bench"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/devtools/pgtemp"
)

// cmdBench runs the search benchmark against a throw-away PostgreSQL (pg_trgm) and SQLite FTS5,
// or with --shard-counts the scale benchmark: one load, one Bleve build per shard count.
func cmdBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	n := fs.Int("entities", 1000000, "entities to generate")
	queries := fs.Int("queries", 200, "queries per class")
	seed := fs.Uint64("seed", 1, "random seed for the data and the query mix")
	date := fs.String("date", time.Now().In(index.ChinaTime).Format(time.DateOnly), "snapshot date YYYY-MM-DD (also the searcher's today)")
	dir := fs.String("dir", "", "work folder, absent or empty (default: a temporary folder); removed afterwards unless --keep")
	keep := fs.Bool("keep", false, "keep the work folder (the throw-away PostgreSQL is removed in any case)")
	reuse := fs.Bool("reuse", false, "with --dir: reuse the snapshot and generation a --keep run left there (peers are reloaded)")
	noPG := fs.Bool("no-postgres", false, "skip the pg_trgm peer (no PostgreSQL server is started)")
	shards := fs.Int("shards", 0, "index shards (default: one per core)")
	shardCounts := fs.String("shard-counts", "", "scale benchmark instead: load once, then build and query the Bleve shards for each count, e.g. 1,2,4 (no peers, no PostgreSQL)")
	jsonOut := fs.String("json", "", "also write the results as JSON to this file")
	fs.Parse(args)
	if *n <= 0 || *queries <= 0 || fs.NArg() > 0 {
		fs.Usage()
		return exitError(2)
	}
	d, err := time.Parse(time.DateOnly, *date)
	if err != nil {
		return fmt.Errorf("--date: %w", err)
	}
	if *shardCounts != "" {
		counts, err := parseShardCounts(*shardCounts)
		if err != nil {
			return fmt.Errorf("--shard-counts: %w", err)
		}
		res, err := bench.Scale(ctx, bench.ScaleOptions{Entities: *n, Seed: *seed, Date: d, Dir: *dir,
			Queries: *queries, ShardCounts: counts, Keep: *keep, Out: os.Stdout, Log: os.Stderr})
		if err != nil {
			return err
		}
		return writeJSON(*jsonOut, res)
	}
	opts := bench.Options{Entities: *n, Seed: *seed, Date: d, Dir: *dir, Queries: *queries, Shards: *shards,
		Keep: *keep, Reuse: *reuse, Out: os.Stdout, Log: os.Stderr}
	if *noPG {
		opts.PostgresSkipReason = "--no-postgres"
	} else {
		fmt.Fprintln(os.Stderr, "bench: starting a throw-away PostgreSQL")
		c, err := pgtemp.Start(ctx)
		if err != nil {
			fmt.Fprintf(os.Stderr, "gongshi bench: cannot start PostgreSQL for the pg_trgm peer: %v\n", err)
			fmt.Fprintln(os.Stderr, "pass --no-postgres to run the benchmark without it")
			return exitError(1)
		}
		defer c.Stop()
		opts.PostgresDSN = c.DSN
	}
	res, err := bench.Run(ctx, opts)
	if err != nil {
		return err
	}
	return writeJSON(*jsonOut, res)
}

// parseShardCounts reads "1,2,4": positive, distinct, in the order given.
func parseShardCounts(s string) ([]int, error) {
	var out []int
	seen := map[int]bool{}
	for _, p := range strings.Split(s, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || k < 1 || k > 64 {
			return nil, fmt.Errorf("%q is not a shard count from 1 to 64", p)
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

// writeJSON writes v indented to path; "" writes nothing.
func writeJSON(path string, v any) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "results written to %s\n", path)
	return nil
}
