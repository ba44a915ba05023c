package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/devtools/demo"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/devtools/loadtest"
	"github.com/gongshi/gongshi/portal/store"
)

// cmdLoad runs the load test: a realistic request mix (vegeta) against a real `gongshi serve`
// on loopback that it starts itself, on a data folder it prepares once when none is given.
func cmdLoad(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	data := fs.String("data", "", "data folder to serve (default: WORK/data, generated and imported once)")
	work := fs.String("work", "load-work", "work folder for generated data, when --data is not given; reused when it holds the same --entities")
	n := fs.Int("entities", 1000000, "entities to generate into the work folder")
	baseURL := fs.String("url", "", "attack this running server instead of starting one (--data must be its data folder)")
	pid := fs.Int("pid", 0, "with --url: the server's process id, for its memory")
	duration := fs.Duration("duration", 60*time.Second, "measured attack")
	warmup := fs.Duration("warmup", 10*time.Second, "attack before the measurement, reported apart")
	workers := fs.Int("workers", 4, "concurrent clients (closed loop, with --rate 0), or the initial worker count with --rate")
	rate := fs.Int("rate", 0, "requests per second, open loop (0: closed loop, as fast as --workers clients go)")
	timeout := fs.Duration("timeout", 30*time.Second, "per request")
	seed := fs.Uint64("seed", 1, "random seed for the sample, the queries and the mix")
	sample := fs.Int("sample", 20000, "entities sampled from the store for entity pages and queries")
	mixFlag := fs.String("mix", "60,25,10,5", "shares of search, entity pages, list pages and downloads")
	jsonOut := fs.String("json", "", "also write the report as JSON to this file")
	serverLog := fs.String("server-log", "", "the started server's log (default: a file in the temporary folder)")
	classDuration := fs.Duration("class-duration", 10*time.Second, "after the mix, attack each request class and a hello-world server alone this long (0: skip)")
	pin := fs.Bool("pin", true, "run the load generator on one CPU and the servers on another (taskset)")
	helloAddr := fs.String("hello-world-server", "", "internal: serve the hello-world floor on this address until stopped")
	fs.Parse(args)
	if *helloAddr != "" {
		return serveHelloWorld(ctx, *helloAddr)
	}
	if fs.NArg() > 0 || *n <= 0 || *duration <= 0 {
		fs.Usage()
		return exitError(2)
	}
	mix, err := parseMix(*mixFlag)
	if err != nil {
		return fmt.Errorf("--mix: %w", err)
	}
	if *data == "" {
		if *baseURL != "" {
			return errors.New("--url needs --data: the server's data folder, to draw entities and queries from")
		}
		if *data, err = prepareLoadData(ctx, *work, *n); err != nil {
			return err
		}
	}
	dd := index.DataDir(*data)
	genID, err := dd.Current()
	if err != nil || genID == "" {
		return fmt.Errorf("%s has no current generation (import a snapshot first)", *data)
	}
	info, err := index.ReadInfo(dd.Generation(genID))
	if err != nil {
		return err
	}

	pl := placeProcesses(*pin)
	if *baseURL != "" && pl.prefix != nil {
		pl.note += "; the server at --url was started elsewhere and is not pinned"
	}
	fmt.Fprintf(os.Stderr, "load: %s\n", pl.note)
	var srv *loadServer
	if *baseURL == "" {
		if srv, err = startServer(ctx, pl.prefix, *data, *serverLog); err != nil {
			return err
		}
		defer srv.stop()
		*baseURL, *pid = srv.url, srv.cmd.Process.Pid
	}
	var floorURL string
	if *classDuration > 0 {
		hello, err := startHelloWorld(ctx, pl.prefix)
		if err != nil {
			return err
		}
		defer hello.stop()
		hello.removeLog = true
		floorURL = hello.url
	}
	rep, err := loadtest.Run(ctx, loadtest.Options{BaseURL: *baseURL, DocStore: index.DocStorePath(dd.Generation(genID)),
		Duration: *duration, Warmup: *warmup, Rate: *rate, Workers: *workers, Timeout: *timeout, Seed: *seed,
		Mix: mix, Sample: *sample, ServerPID: *pid, Log: os.Stderr, ClassDuration: *classDuration, FloorURL: floorURL})
	if rep == nil {
		return err
	}
	rep.Placement = pl.note
	abs, _ := filepath.Abs(*data)
	rep.Data = loadtest.DataInfo{Folder: abs, Generation: genID, Entities: info.Entities, Records: info.Records, Shards: info.Shards}
	rep.Print(os.Stdout)
	if *jsonOut != "" {
		if werr := rep.WriteJSON(*jsonOut); werr != nil {
			return werr
		}
		fmt.Fprintf(os.Stderr, "load: report written to %s\n", *jsonOut)
	}
	if err != nil {
		return err
	}
	if rep.Failed() {
		return exitError(1)
	}
	if srv != nil && *serverLog == "" {
		srv.removeLog = true // a clean run's log says nothing the report does not
	}
	return nil
}

// parseMix reads "60,25,10,5" (search, entity, list, download).
func parseMix(s string) (loadtest.Mix, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return loadtest.Mix{}, fmt.Errorf("want four shares: search,entity,list,download")
	}
	var v [4]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return loadtest.Mix{}, fmt.Errorf("%q is not a number", p)
		}
		v[i] = f
	}
	sum := v[0] + v[1] + v[2] + v[3]
	if sum <= 0 {
		return loadtest.Mix{}, fmt.Errorf("every share is zero")
	}
	m := loadtest.Mix{Search: v[0] / sum, Entity: v[1] / sum, List: v[2] / sum, Download: v[3] / sum}
	return m, m.Validate()
}

// loadEntitiesFile records how many entities a work folder was generated with.
const loadEntitiesFile = "entities"

// prepareLoadData returns WORK/data, generating, importing and publishing n entities into it
// the first time (about 10 minutes at 1,000,000 on two cores) and reusing it afterwards.
func prepareLoadData(ctx context.Context, work string, n int) (string, error) {
	data := filepath.Join(work, "data")
	dd := index.DataDir(data)
	marker := filepath.Join(work, loadEntitiesFile)
	if cur, _ := dd.Current(); cur != "" {
		b, _ := os.ReadFile(marker)
		if strings.TrimSpace(string(b)) == strconv.Itoa(n) {
			fmt.Fprintf(os.Stderr, "load: reusing %s (%d entities)\n", data, n)
			return data, nil
		}
		return "", fmt.Errorf("%s holds data for %q entities, not %d: remove it or pass another --work", work, strings.TrimSpace(string(b)), n)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return "", err
	}
	date := time.Now().In(index.ChinaTime).Format(time.DateOnly)
	d, _ := time.Parse(time.DateOnly, date)
	snap := filepath.Join(work, "snapshot-"+date)
	os.RemoveAll(snap) // a half-written one from an interrupted run
	fmt.Fprintf(os.Stderr, "load: generating %d entities into %s (once; later runs reuse %s)\n", n, snap, data)
	if err := generate(ctx, snap, demo.Options{Entities: n, Seed: 1, Date: d}); err != nil {
		return "", err
	}
	if err := os.MkdirAll(data, 0o755); err != nil {
		return "", err
	}
	st, err := store.Open(ctx, "", data)
	if err != nil {
		return "", err
	}
	defer st.Close()
	reps, err := importer.Import(ctx, []string{snap}, importer.Options{Data: dd, Corrections: st, Log: os.Stderr})
	for _, r := range reps {
		r.Summary(os.Stderr)
	}
	if err != nil {
		return "", err
	}
	if err := publishOpenData(ctx, dd, st); err != nil {
		return "", err
	}
	os.RemoveAll(snap) // archived under snapshots/ by the import
	return data, os.WriteFile(marker, []byte(strconv.Itoa(n)+"\n"), 0o644)
}

// loadServer is the `gongshi serve` child the load test runs against.
type loadServer struct {
	cmd       *exec.Cmd
	url       string
	log       *os.File
	done      chan error
	removeLog bool
}

// startServer starts this binary's `serve` on a free loopback port with rate limiting and
// scheduled jobs off (the load test is one trusted client; a job would be load of its own),
// and waits until it is ready. prefix (taskset -c N) places it on its CPU.
func startServer(ctx context.Context, prefix []string, data, logPath string) (*loadServer, error) {
	return startChild(ctx, prefix, "gongshi serve", "/readyz", logPath, func(addr string) []string {
		return []string{"serve", "--data", data, "--addr", addr, "--rate-limit", "off", "--jobs", "off"}
	})
}

// startHelloWorld starts the floor: this binary serving loadtest.HelloWorld with nothing else,
// placed like the portal so that both are measured on the same CPU.
func startHelloWorld(ctx context.Context, prefix []string) (*loadServer, error) {
	return startChild(ctx, prefix, "hello-world server", "/", "", func(addr string) []string {
		return []string{"load", "--hello-world-server", addr}
	})
}

// serveHelloWorld is the floor's process: a plain net/http server until ctx ends.
func serveHelloWorld(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: loadtest.HelloWorld(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// startChild runs this binary with args(addr) on a free loopback port, behind prefix, and
// waits until GET readyPath answers 200.
func startChild(ctx context.Context, prefix []string, what, readyPath, logPath string, args func(addr string) []string) (*loadServer, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	var lf *os.File
	if logPath == "" {
		lf, err = os.CreateTemp("", "gongshi-load-server-*.log")
	} else {
		lf, err = os.Create(logPath)
	}
	if err != nil {
		return nil, err
	}
	argv := append(append(append([]string{}, prefix...), exe), args(addr)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GONGSHI_") { // every setting is on the command line
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Stdout, cmd.Stderr = lf, lf
	// Ctrl-C reaches us and we stop the server; if we die, it gets SIGTERM too. taskset execs
	// the server in its own process, so the process id and this setting carry over.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		lf.Close()
		return nil, err
	}
	s := &loadServer{cmd: cmd, url: "http://" + addr, log: lf, done: make(chan error, 1)}
	go func() { s.done <- cmd.Wait() }()
	fmt.Fprintf(os.Stderr, "load: started %s (pid %d) on %s, log %s\n", what, cmd.Process.Pid, s.url, lf.Name())
	deadline := time.Now().Add(10 * time.Minute)
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		if resp, err := c.Get(s.url + readyPath); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		select {
		case err := <-s.done:
			s.done <- err
			s.stop()
			return nil, fmt.Errorf("%s exited before it was ready (%v); see %s", what, err, lf.Name())
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("%s not ready after 10 minutes; see %s", what, lf.Name())
		}
	}
}

// stop ends the server gracefully (SIGTERM), or kills it after 30 seconds.
func (s *loadServer) stop() {
	defer func() {
		s.log.Close()
		if s.removeLog {
			os.Remove(s.log.Name())
		}
	}()
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}
