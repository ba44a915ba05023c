package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/devtools/demo"
	"github.com/gongshi/gongshi/index"
)

// cmdDemo generates demo data into the data folder on first start, imports it and serves.
// A second start finds the generation and is ready in seconds.
func cmdDemo(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ExitOnError)
	var f serveFlags
	f.register(fs, "demo-data", "127.0.0.1:8080")
	n := fs.Int("entities", 100000, "entities to generate on first start")
	fs.Parse(args)
	dd := index.DataDir(f.data)
	if cur, _ := dd.Current(); cur == "" {
		date := time.Now().In(index.ChinaTime).Format(time.DateOnly)
		snap := filepath.Join(f.data, "inbox", "demo-"+date)
		fmt.Fprintf(os.Stderr, "first start: generating %d demo entities into %s\n", *n, snap)
		d, _ := time.Parse(time.DateOnly, date)
		if err := generate(ctx, snap, demo.Options{Entities: *n, Seed: 1, Date: d}); err != nil {
			return err
		}
		reps, err := importer.Import(ctx, []string{snap}, importer.Options{Data: dd, Log: os.Stderr})
		for _, r := range reps {
			r.Summary(os.Stderr)
		}
		if err != nil {
			return err
		}
		os.RemoveAll(snap) // archived under snapshots/ by the import
	} else if info, err := index.ReadInfo(dd.Generation(cur)); err == nil && info.CheckFormat() != nil {
		// Demo data from an older gongshi: rebuilt from its archived snapshot, as an operator would.
		fmt.Fprintf(os.Stderr, "%v\nrebuilding %s\n", info.CheckFormat(), f.data)
		paths, err := importer.ArchivedSnapshots(dd)
		if err != nil {
			return err
		}
		reps, err := importer.Import(ctx, paths, importer.Options{Data: dd, Log: os.Stderr, Rebuild: true})
		for _, r := range reps {
			r.Summary(os.Stderr)
		}
		if err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gongshi demo: http://%s/\n", f.addr)
	return f.serve(ctx)
}
