package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gongshi/gongshi/importer/bench"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/pgtemp"
)

// cmdBench runs the search benchmark against a throw-away PostgreSQL (pg_trgm) and SQLite FTS5.
func cmdBench(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	n := fs.Int("entities", 1000000, "entities to generate")
	queries := fs.Int("queries", 200, "queries per class")
	seed := fs.Uint64("seed", 1, "random seed for the data and the query mix")
	date := fs.String("date", time.Now().In(index.ChinaTime).Format(time.DateOnly), "snapshot date YYYY-MM-DD (also the searcher's today)")
	dir := fs.String("dir", "", "work folder, absent or empty (default: a temporary folder); removed afterwards unless --keep")
	keep := fs.Bool("keep", false, "keep the work folder (the throw-away PostgreSQL is removed in any case)")
	noPG := fs.Bool("no-postgres", false, "skip the pg_trgm peer (no PostgreSQL server is started)")
	shards := fs.Int("shards", 0, "index shards (default: one per core)")
	fs.Parse(args)
	if *n <= 0 || *queries <= 0 || fs.NArg() > 0 {
		fs.Usage()
		return exitError(2)
	}
	d, err := time.Parse(time.DateOnly, *date)
	if err != nil {
		return fmt.Errorf("--date: %w", err)
	}
	opts := bench.Options{Entities: *n, Seed: *seed, Date: d, Dir: *dir, Queries: *queries, Shards: *shards,
		Keep: *keep, Out: os.Stdout, Log: os.Stderr}
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
	_, err = bench.Run(ctx, opts)
	return err
}
