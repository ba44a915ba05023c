// Command gongshi runs the gongshi portal and its tools: demo, generate, check, import, serve.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `gongshi — open portal for Chinese enterprise credit information

usage:
  gongshi demo     [--data DIR] [--addr HOST:PORT] [--entities N]   generate demo data once, import, serve
  gongshi generate --entities N --seed S --date YYYY-MM-DD --out DIR [--dirty]
  gongshi check    [--type T] [--max-rejected F] PATH               validate a snapshot, print the report
  gongshi import   [--data DIR] [--type T] [--kind full|delta] PATH...
  gongshi serve    --data DIR --addr HOST:PORT [--trusted-proxy CIDR]... [--db URL] [--redis URL]
  gongshi admin    user add NAME --role reviewer|admin | token create NAME | audit verify
  gongshi verify-report FILE [--key PUBKEY] [--data DIR]          check a credit report PDF/JSON offline
  gongshi report-key rotate|list [--data DIR]                     rotate or list the report signing keys
  gongshi bench    [--entities N] [--queries Q] [--seed S] [--date D] [--dir DIR] [--keep] [--no-postgres] [--json FILE]
                   [--shard-counts 1,2,4]                             scale: one load, one build per shard count
  gongshi bench-delta [--sizes 20000,200000] [--rows 1000] [--dir DIR] [--json FILE]
                                                                     cost of one delta at each size, and when it is served
  gongshi load     [--data DIR | --entities N --work DIR] [--duration 60s] [--workers 4 | --rate R] [--json FILE]

Run "gongshi COMMAND -h" for the flags of a command.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cmds := map[string]func(context.Context, []string) error{
		"demo":        cmdDemo,
		"generate":    cmdGenerate,
		"check":       cmdCheck,
		"import":      cmdImport,
		"serve":       cmdServe,
		"admin":       cmdAdmin,
		"bench":       cmdBench,
		"bench-delta": cmdBenchDelta,
		"load":        cmdLoad,

		"verify-report": cmdVerifyReport,
		"report-key":    cmdReportKey,
	}
	run, ok := cmds[os.Args[1]]
	if !ok {
		if os.Args[1] != "-h" && os.Args[1] != "--help" && os.Args[1] != "help" {
			fmt.Fprintf(os.Stderr, "gongshi: unknown command %q\n\n", os.Args[1])
		}
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err := run(ctx, os.Args[2:]); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(int(ee))
		}
		fmt.Fprintln(os.Stderr, "gongshi:", err)
		os.Exit(1)
	}
}

// exitError ends the program with a status after the command has printed its own message.
type exitError int

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", int(e)) }
