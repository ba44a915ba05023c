package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

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
	db, redis  string
	rateLimit  string
	apiKeys    listFlag
	regime     string
	deadline   int
	inbox      string
	retention  int
	jobs       string
	publicURL  string
	rates      listFlag
	// Inbox timing: how often the inbox is looked at and how long a snapshot must stay
	// unchanged before it is imported (one minute each by default; shorter in tests).
	inboxEvery, inboxStable time.Duration
	maxWithdrawn            float64
	maxLag                  int64
}

func (f *serveFlags) register(fs *flag.FlagSet, defData, defAddr string) {
	fs.StringVar(&f.data, "data", envOr("GONGSHI_DATA", defData), "data folder")
	fs.StringVar(&f.addr, "addr", envOr("GONGSHI_ADDR", defAddr), "listen address")
	if v := os.Getenv("GONGSHI_TRUSTED_PROXIES"); v != "" {
		f.proxies.Set(v)
	}
	fs.Var(&f.proxies, "trusted-proxy", "CIDR of a proxy whose X-Forwarded-For is trusted (repeatable; default none)")
	fs.StringVar(&f.db, "db", os.Getenv("GONGSHI_DB"), "SQL store: a postgres:// URL shared by replicas (default: SQLite in the data folder); while it is down, search and downloads keep working and filing answers 503")
	fs.StringVar(&f.redis, "redis", os.Getenv("GONGSHI_REDIS"), "redis:// URL for rate-limit counters shared by replicas (default: in memory); while it is down, each replica counts in its own memory with the same budgets")
	fs.StringVar(&f.rateLimit, "rate-limit", envOr("GONGSHI_RATE_LIMIT", "on"), "on, or off for trusted benchmarks")
	if v := os.Getenv("GONGSHI_API_KEYS"); v != "" {
		f.apiKeys.Set(v)
	}
	fs.Var(&f.apiKeys, "api-key", "NAME:SECRET of an API key with a larger quota (repeatable)")
	fs.StringVar(&f.regime, "regime", envOr("GONGSHI_REGIME", "gsxt"), "publication-period rules: gsxt or ndrc")
	fs.IntVar(&f.deadline, "deadline-days", 20, "working days to answer an objection, from acceptance")
	fs.StringVar(&f.inbox, "inbox", os.Getenv("GONGSHI_INBOX"), "folder watched for snapshots to import (default: DATA/inbox)")
	fs.StringVar(&f.publicURL, "public-url", os.Getenv("GONGSHI_PUBLIC_URL"), "the site's absolute URL (https://…), for QR codes, feeds and the data catalog (default: the listen address)")
	fs.IntVar(&f.retention, "retention", openDataOptions().Retention, "dated open-data versions kept per list (default 30)")
	fs.StringVar(&f.jobs, "jobs", envOr("GONGSHI_JOBS", "on"), "scheduled jobs (inbox imports, daily open data, pruning): on or off. With a postgres:// --db,\n"+
		"replicas elect one of them on a PostgreSQL advisory lock and only it runs the jobs; with SQLite, turn them off on all replicas but one")
	if v := os.Getenv("GONGSHI_RATES"); v != "" {
		f.rates.Set(v)
	}
	fs.Var(&f.rates, "rate", "BUDGET=RATE overriding one rate budget, e.g. search=60-M or downloads=1000-H (repeatable; budgets: "+
		strings.Join(rateBudgets, ", ")+"; RATE is N-S, N-M, N-H or N-D requests per second, minute, hour or day)")
	fs.DurationVar(&f.inboxEvery, "inbox-every", envDuration("GONGSHI_INBOX_EVERY", time.Minute), "how often the inbox is looked at")
	fs.Int64Var(&f.maxLag, "max-lag", 1, "answer /readyz with 503 while serving more than this many data sequences behind the data folder's current generation (-1: never)")
	fs.Float64Var(&f.maxWithdrawn, "max-withdrawn", envFloat("GONGSHI_MAX_WITHDRAWN", 0.2), "refuse an inbox snapshot that would withdraw more than this share of its publisher's current documents of a type")
	fs.DurationVar(&f.inboxStable, "inbox-stable", envDuration("GONGSHI_INBOX_STABLE", time.Minute), "how long a snapshot in the inbox must stay unchanged before it is imported")
}

// rateBudgets are the names --rate accepts (portal.RateLimits).
var rateBudgets = []string{"pages", "search", "suggest", "opendata", "downloads", "forms", "login", "screen"}

// envDuration reads a duration from the environment, or def.
func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

func envFloat(name string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(name), 64); err == nil && v > 0 {
		return v
	}
	return def
}

func (f *serveFlags) config() (portal.Config, error) {
	rl := portal.DefaultRateLimits()
	switch f.rateLimit {
	case "on":
	case "off":
		rl.Off = true
	default:
		return portal.Config{}, fmt.Errorf("--rate-limit must be on or off")
	}
	rl.RedisURL = f.redis
	for _, kv := range f.rates {
		name, spec, _ := strings.Cut(kv, "=")
		field := map[string]*string{"pages": &rl.Pages, "search": &rl.Search, "suggest": &rl.Suggest, "opendata": &rl.OpenData, "downloads": &rl.Downloads,
			"forms": &rl.Forms, "login": &rl.Login, "screen": &rl.Screen}[name]
		if field == nil || spec == "" {
			return portal.Config{}, fmt.Errorf("--rate wants BUDGET=RATE with a budget among %s, not %q", strings.Join(rateBudgets, ", "), kv)
		}
		*field = spec
	}
	rl.APIKeys = map[string]string{}
	for _, kv := range f.apiKeys {
		name, secret, ok := strings.Cut(kv, ":")
		if !ok || name == "" || len(secret) < 16 {
			return portal.Config{}, fmt.Errorf("--api-key wants NAME:SECRET with a secret of at least 16 characters")
		}
		rl.APIKeys[name] = secret
	}
	if f.jobs != "on" && f.jobs != "off" {
		return portal.Config{}, fmt.Errorf("--jobs must be on or off")
	}
	if f.inboxEvery <= 0 || f.inboxStable <= 0 {
		return portal.Config{}, fmt.Errorf("--inbox-every and --inbox-stable must be positive durations")
	}
	od, err := openDataOptionsWith(f.publicURL)
	if err != nil {
		return portal.Config{}, err
	}
	od.Retention = f.retention
	if f.maxLag == 0 {
		return portal.Config{}, fmt.Errorf("--max-lag must be at least 1 (or -1: never not ready for lag)")
	}
	return portal.Config{Data: index.DataDir(f.data), Addr: f.addr, TrustedProxies: f.proxies, RateLimits: rl, MaxLag: f.maxLag,
		Objections: portal.ObjectionConfig{DB: f.db, Regime: f.regime, DeadlineDays: f.deadline},
		OpenData:   od, Jobs: portal.JobsConfig{Inbox: f.inbox, Disabled: f.jobs == "off",
			InboxEvery: f.inboxEvery, StableFor: f.inboxStable, MaxWithdrawnShare: f.maxWithdrawn}}, nil
}

func (f *serveFlags) serve(ctx context.Context) error {
	cfg, err := f.config()
	if err != nil {
		return err
	}
	cfg.Log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	// Several replicas on one PostgreSQL: the one holding an advisory lock runs the jobs.
	if !cfg.Jobs.Disabled && isPostgres(f.db) {
		host, _ := os.Hostname()
		el, err := portal.NewPGElector(ctx, f.db, portal.ElectorOptions{
			ID: fmt.Sprintf("%s %s pid %d", host, f.addr, os.Getpid()), Log: cfg.Log})
		if err != nil {
			return err
		}
		defer el.Close()
		cfg.Jobs.Elector = el
	}
	srv, err := portal.New(cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return err
	}
	return srv.Run(ctx, ln)
}

func isPostgres(url string) bool {
	return strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://")
}

func cmdServe(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	var f serveFlags
	f.register(fs, "data", "127.0.0.1:8080")
	fs.Parse(args)
	return f.serve(ctx)
}
