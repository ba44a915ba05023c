package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/report"
)

// cmdReportKey: gongshi report-key rotate|list [--data DIR]
//
// rotate makes a new signing key and retires the current one (its public key stays published,
// so the reports it signed keep verifying; its private key is deleted). A running portal picks
// the new key up with its next report.
func cmdReportKey(_ context.Context, args []string) error {
	if len(args) == 0 || (args[0] != "rotate" && args[0] != "list") {
		fmt.Fprintln(os.Stderr, "usage: gongshi report-key rotate|list [--data DIR]")
		return exitError(2)
	}
	fs := flag.NewFlagSet("report-key "+args[0], flag.ExitOnError)
	data := fs.String("data", envOr("GONGSHI_DATA", "data"), "data folder")
	fs.Parse(args[1:])
	dir := report.KeyDir(index.DataDir(*data))
	if args[0] == "list" {
		ks, err := report.LoadPublicKeys(dir)
		if err != nil {
			return err
		}
		keys := make([]report.TrustedKey, 0, len(ks))
		for _, k := range ks {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i].Info.ValidFrom < keys[j].Info.ValidFrom })
		for _, k := range keys {
			until := k.Info.ValidUntil
			if until == "" {
				until = "（当前）"
			}
			fmt.Printf("%s  %s  %s — %s\n", k.Info.ID, k.Info.PublicKey, k.Info.ValidFrom, until)
		}
		return nil
	}
	ring, err := report.OpenKeyRing(dir, nil)
	if err != nil {
		return err
	}
	info, err := ring.Rotate()
	if err != nil {
		return err
	}
	fmt.Printf("new report signing key %s (valid from %s); earlier keys stay published for verification\n", info.ID, info.ValidFrom)
	return nil
}
