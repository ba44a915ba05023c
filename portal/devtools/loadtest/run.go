package loadtest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/gongshi/gongshi/importer/devtools/bench"
)

// Options configure one load test against a running portal.
type Options struct {
	BaseURL  string // http://127.0.0.1:8080
	DocStore string // the serving generation's docs.db, to draw entities and queries from
	Duration time.Duration
	Warmup   time.Duration // run first, reported apart (default none)
	// Rate > 0: open loop, that many requests per second whatever the latency (vegeta's
	// constant pacer; it adds workers when requests pile up). Rate 0: closed loop, Workers
	// clients each sending its next request when the last one is answered.
	Rate    int
	Workers int // default 4
	Timeout time.Duration
	Seed    uint64
	Mix     Mix
	Sample  int   // entities sampled from the store (default 20,000)
	WholeMB int64 // data files up to this size are also fetched whole (default 8)
	// ServerPID is sampled for memory every second (0: not sampled); /metrics is read for the
	// Go heap either way.
	ServerPID int
	Log       io.Writer
	// ClassDuration > 0: after the mix, each request class (ClassNames) is attacked alone for
	// this long, and so is the hello-world server at FloorURL before and after them, so that
	// every class is reported as a ratio to that floor. Needs FloorURL.
	ClassDuration time.Duration
	FloorURL      string
}

func (o *Options) defaults() {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Mix == (Mix{}) {
		o.Mix = DefaultMix
	}
	if o.Sample <= 0 {
		o.Sample = 20000
	}
	if o.WholeMB <= 0 {
		o.WholeMB = 8
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
}

// Run builds the request pool, warms up, attacks for Duration and returns the report. The
// report's Failed says whether any 5xx or transport error happened.
func Run(ctx context.Context, o Options) (*Report, error) {
	o.defaults()
	if err := o.Mix.Validate(); err != nil {
		return nil, err
	}
	if o.Duration <= 0 {
		return nil, errors.New("loadtest: Duration must be positive")
	}
	client, bytesIn := newClient(o.Timeout, o.Workers)
	logf(o.Log, "load: drawing requests from %s and %s\n", o.DocStore, o.BaseURL)
	// The pool's own requests (list cursors, the catalog) may be slow on a cold index: they
	// get their own generous timeout.
	pool, err := BuildPool(ctx, &http.Client{Timeout: 2 * time.Minute}, o.BaseURL, o.DocStore, o.Sample, o.Seed, o.WholeMB<<20)
	if err != nil {
		return nil, fmt.Errorf("loadtest: %w", err)
	}
	logf(o.Log, "load: pool: %s\n", pool.describe())
	tr := &targeter{rng: newRand(o.Seed), mix: o.Mix, base: o.BaseURL, pool: pool}

	rep := &Report{Started: time.Now().UTC(), BaseURL: o.BaseURL, Rate: o.Rate, Workers: o.Workers,
		Mix: o.Mix, Seed: o.Seed, CPUs: runtime.NumCPU(), Pool: pool.describe()}
	if o.Rate > 0 {
		rep.Mode = fmt.Sprintf("open loop, %d requests/s", o.Rate)
	} else {
		rep.Mode = fmt.Sprintf("closed loop, %d workers", o.Workers)
	}
	mem := startServerSampler(o.BaseURL, o.ServerPID)
	rep.Memory.PID = o.ServerPID
	rep.Memory.RSSStartBytes = mem.rssNow()
	if o.Warmup > 0 {
		logf(o.Log, "load: warm-up %s (%s)\n", o.Warmup, rep.Mode)
		w := newCollector()
		attack(ctx, o, client, tr, o.Warmup, "warmup", w)
		ws := w.report(o.Warmup)
		rep.Warmup = &WarmupStats{Requests: ws.Requests, Status5xx: ws.Status5xx, Errors: ws.Errors,
			RequestsPerSecond: ws.RequestsPerSecond}
	}
	logf(o.Log, "load: %s for %s\n", rep.Mode, o.Duration)
	bytes0 := bytesIn.Load()
	c := newCollector()
	elapsed := attack(ctx, o, client, tr, o.Duration, "load", c)
	rep.BytesIn = bytesIn.Load() - bytes0
	rep.fill(c.report(elapsed))
	if o.ClassDuration > 0 && o.FloorURL != "" && ctx.Err() == nil {
		rep.ClassSeconds = o.ClassDuration.Seconds()
		rep.Floor, rep.Classes = measureClasses(ctx, o, client, pool)
	}
	rep.Memory.fill(mem.stop())
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}
	return rep, nil
}

// attack runs one vegeta attack of the mix and feeds its results to c; it returns the
// attack's length.
func attack(ctx context.Context, o Options, client *http.Client, tr *targeter, d time.Duration, name string, c *collector) time.Duration {
	return attackWith(ctx, o, client, tr.next, d, name, c)
}

// attackWith runs one vegeta attack on the requests next returns (safe for concurrent use).
func attackWith(ctx context.Context, o Options, client *http.Client, next func() (string, http.Header), d time.Duration, name string, c *collector) time.Duration {
	opts := []func(*vegeta.Attacker){vegeta.Client(client), vegeta.MaxBody(0)}
	pace := vegeta.Rate{Freq: o.Rate, Per: time.Second}
	if o.Rate > 0 {
		opts = append(opts, vegeta.Workers(uint64(o.Workers)))
	} else {
		pace = vegeta.Rate{} // as fast as the workers go
		opts = append(opts, vegeta.Workers(uint64(o.Workers)), vegeta.MaxWorkers(uint64(o.Workers)))
	}
	a := vegeta.NewAttacker(opts...)
	targeter := func(t *vegeta.Target) error {
		t.Method = http.MethodGet
		t.URL, t.Header = next()
		return nil
	}
	stop := context.AfterFunc(ctx, func() { a.Stop() })
	defer stop()
	t0 := time.Now()
	for res := range a.Attack(targeter, pace, d, name) {
		c.add(res)
	}
	return time.Since(t0)
}

// newClient is the attack's HTTP client: keep-alive connections to one host, no compression
// negotiation beyond Go's default, and a count of response bytes (vegeta discards bodies).
func newClient(timeout time.Duration, workers int) (*http.Client, *atomic.Int64) {
	n := &atomic.Int64{}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        0,
		MaxIdleConnsPerHost: max(64, 2*workers),
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Timeout: timeout, Transport: countingTransport{tr, n}}, n
}

type countingTransport struct {
	rt http.RoundTripper
	n  *atomic.Int64
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.rt.RoundTrip(r)
	if err == nil {
		resp.Body = &countingBody{resp.Body, t.n}
	}
	return resp, err
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// collector gathers results by kind.
type collector struct {
	mu      sync.Mutex
	byKind  map[string]*kindAcc
	errs    map[string]int // transport error messages (no HTTP status), by message
	first   time.Time
	lastEnd time.Time
}

type kindAcc struct {
	category string
	lat      []time.Duration
	status   map[int]int
	errors   int
}

func newCollector() *collector {
	return &collector{byKind: map[string]*kindAcc{}, errs: map[string]int{}}
}

func (c *collector) add(r *vegeta.Result) {
	cat, kind := Classify(r.URL)
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.byKind[kind]
	if a == nil {
		a = &kindAcc{category: cat, status: map[int]int{}}
		c.byKind[kind] = a
	}
	a.lat = append(a.lat, r.Latency)
	a.status[int(r.Code)]++
	if r.Code == 0 {
		a.errors++
		c.errs[shortError(r.Error)]++
	}
	if c.first.IsZero() || r.Timestamp.Before(c.first) {
		c.first = r.Timestamp
	}
	if e := r.End(); e.After(c.lastEnd) {
		c.lastEnd = e
	}
}

// shortError drops the request URL from a transport error, so that equal errors group.
func shortError(s string) string {
	if i := strings.LastIndex(s, ": "); i >= 0 && strings.Contains(s, "http://") {
		return s[i+2:]
	}
	return s
}

// Stats is the outcome of one category, one kind or everything.
type Stats struct {
	Name              string         `json:"name"`
	Category          string         `json:"category,omitempty"` // of a kind
	Requests          int            `json:"requests"`
	Share             float64        `json:"share"` // of all requests
	RequestsPerSecond float64        `json:"requests_per_second"`
	Latency           Latency        `json:"latency"`
	Status            map[string]int `json:"status"` // "200": n; "0": transport errors
	Status4xx         int            `json:"status_4xx"`
	Status5xx         int            `json:"status_5xx"`
	Errors            int            `json:"errors"` // transport errors and timeouts: no HTTP status
}

type collected struct {
	Overall           Stats
	Categories        []Stats
	Kinds             []Stats
	ErrorTypes        map[string]int
	Seconds           float64
	Requests          int
	Status5xx         int
	Errors            int
	RequestsPerSecond float64
}

// report summarises what was collected over an attack of length d.
func (c *collector) report(d time.Duration) collected {
	c.mu.Lock()
	defer c.mu.Unlock()
	secs := d.Seconds()
	if !c.first.IsZero() && c.lastEnd.After(c.first) {
		secs = c.lastEnd.Sub(c.first).Seconds()
	}
	type group struct {
		lat    []time.Duration
		status map[int]int
		errors int
	}
	merge := func(g *group, a *kindAcc) {
		g.lat = append(g.lat, a.lat...)
		for k, v := range a.status {
			g.status[k] += v
		}
		g.errors += a.errors
	}
	all := &group{status: map[int]int{}}
	cats := map[string]*group{}
	var kinds []string
	for k, a := range c.byKind {
		kinds = append(kinds, k)
		merge(all, a)
		g := cats[a.category]
		if g == nil {
			g = &group{status: map[int]int{}}
			cats[a.category] = g
		}
		merge(g, a)
	}
	sort.Strings(kinds)
	total := len(all.lat)
	stats := func(name string, g *group) Stats {
		s := Stats{Name: name, Requests: len(g.lat), Latency: summarise(g.lat), Status: map[string]int{}, Errors: g.errors}
		if total > 0 {
			s.Share = float64(s.Requests) / float64(total)
		}
		if secs > 0 {
			s.RequestsPerSecond = float64(s.Requests) / secs
		}
		for code, n := range g.status {
			s.Status[strconv.Itoa(code)] += n
			switch {
			case code >= 500:
				s.Status5xx += n
			case code >= 400:
				s.Status4xx += n
			}
		}
		return s
	}
	out := collected{Overall: stats("all", all), ErrorTypes: c.errs, Seconds: secs}
	for _, name := range append(append([]string{}, Categories...), CatOther) {
		if g := cats[name]; g != nil {
			out.Categories = append(out.Categories, stats(name, g))
		}
	}
	for _, k := range kinds {
		a := c.byKind[k]
		s := stats(k, &group{lat: a.lat, status: a.status, errors: a.errors})
		s.Category = a.category
		out.Kinds = append(out.Kinds, s)
	}
	out.Requests, out.Status5xx, out.Errors = out.Overall.Requests, out.Overall.Status5xx, out.Overall.Errors
	out.RequestsPerSecond = out.Overall.RequestsPerSecond
	return out
}

// serverSampler follows the server's resident memory (/proc/PID/status) and Go heap
// (/metrics) every second.
type serverSampler struct {
	pid   int
	mem   *bench.MemSampler
	base  string
	stopc chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	heap  heapSample
	max   heapSample
	n     int
}

type heapSample struct{ heapInuse, heapAlloc, goroutines float64 }

func startServerSampler(base string, pid int) *serverSampler {
	s := &serverSampler{pid: pid, base: base, stopc: make(chan struct{}), done: make(chan struct{})}
	if pid > 0 {
		s.mem = bench.SampleMem(pid, time.Second)
	}
	client := &http.Client{Timeout: 5 * time.Second}
	go func() {
		defer close(s.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			s.scrape(client)
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *serverSampler) rssNow() int64 {
	if s.pid <= 0 {
		return 0
	}
	m, err := bench.ReadProcMem(s.pid)
	if err != nil {
		return 0
	}
	return m.RSS
}

// scrape reads the Go runtime gauges from the server's Prometheus metrics.
func (s *serverSampler) scrape(c *http.Client) {
	resp, err := c.Get(s.base + "/metrics")
	if err != nil {
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return
	}
	h, ok := parseMetrics(resp.Body)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	s.heap = h
	s.max.heapInuse = max(s.max.heapInuse, h.heapInuse)
	s.max.heapAlloc = max(s.max.heapAlloc, h.heapAlloc)
	s.max.goroutines = max(s.max.goroutines, h.goroutines)
}

// parseMetrics picks go_memstats_heap_inuse_bytes, go_memstats_heap_alloc_bytes and
// go_goroutines out of the Prometheus text format.
func parseMetrics(r io.Reader) (heapSample, bool) {
	var h heapSample
	found := false
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		var dst *float64
		switch name {
		case "go_memstats_heap_inuse_bytes":
			dst = &h.heapInuse
		case "go_memstats_heap_alloc_bytes":
			dst = &h.heapAlloc
		case "go_goroutines":
			dst = &h.goroutines
		default:
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		if err != nil {
			continue
		}
		*dst, found = v, true
	}
	return h, found
}

type samplerResult struct {
	rssMax, rssEnd bench.ProcMem
	rssSamples     int
	heapEnd        heapSample
	heapMax        heapSample
	heapSamples    int
}

func (s *serverSampler) stop() samplerResult {
	close(s.stopc)
	<-s.done
	var r samplerResult
	if s.mem != nil {
		r.rssMax, r.rssEnd, r.rssSamples = s.mem.Stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r.heapEnd, r.heapMax, r.heapSamples = s.heap, s.max, s.n
	return r
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
