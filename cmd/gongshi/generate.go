package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/devtools/demo"
)

func cmdGenerate(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("generate", flag.ExitOnError)
	n := fs.Int("entities", 100000, "number of market entities")
	seed := fs.Uint64("seed", 1, "random seed; the same seed writes the same files")
	date := fs.String("date", time.Now().Format(time.DateOnly), "snapshot date YYYY-MM-DD")
	out := fs.String("out", "", "output folder (required)")
	dirty := fs.Bool("dirty", false, "mix in what real agency files contain (full-width, GB18030, XLSX, bad rows)")
	fs.Parse(args)
	if *out == "" || *n <= 0 {
		fs.Usage()
		return exitError(2)
	}
	d, err := time.Parse(time.DateOnly, *date)
	if err != nil {
		return fmt.Errorf("--date: %w", err)
	}
	return generate(ctx, *out, demo.Options{Entities: *n, Seed: *seed, Date: d, Dirty: *dirty})
}

func generate(ctx context.Context, out string, opts demo.Options) error {
	prog := importer.NewProgress(os.Stderr, "generate", opts.Entities)
	opts.Progress = func(done, _ int) { prog.Set(done) }
	m, err := demo.Generate(ctx, out, opts)
	prog.Finish()
	if err != nil {
		return err
	}
	for _, f := range m.Files {
		fmt.Fprintf(os.Stderr, "  %-24s %-16s %9d rows\n", f.Path, f.Type, f.Rows)
	}
	fmt.Fprintf(os.Stderr, "snapshot written to %s\n", out)
	return nil
}
