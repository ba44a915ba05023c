package main

import (
	"context"
	"flag"
	"log/slog"
	"net"
	"os"
	"strings"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal"
)

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

type serveFlags struct {
	data, addr string
	proxies    listFlag
}

func (f *serveFlags) register(fs *flag.FlagSet, defData, defAddr string) {
	fs.StringVar(&f.data, "data", envOr("GONGSHI_DATA", defData), "data folder")
	fs.StringVar(&f.addr, "addr", envOr("GONGSHI_ADDR", defAddr), "listen address")
	if v := os.Getenv("GONGSHI_TRUSTED_PROXIES"); v != "" {
		f.proxies.Set(v)
	}
	fs.Var(&f.proxies, "trusted-proxy", "CIDR of a proxy whose X-Forwarded-For is trusted (repeatable; default none)")
}

func (f *serveFlags) serve(ctx context.Context) error {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	srv, err := portal.New(portal.Config{Data: index.DataDir(f.data), Addr: f.addr, TrustedProxies: f.proxies, Log: log})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	return srv.Run(ctx, ln)
}

func cmdServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var f serveFlags
	f.register(fs, "data", "127.0.0.1:8080")
	fs.Parse(args)
	return f.serve(ctx)
}
