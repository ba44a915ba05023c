package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// FloorClass is the reference every request class is measured against: a plain net/http
// handler answering a small JSON object, attacked by the same client in the same run.
const FloorClass = "hello-world"

// A requestClass is one kind of request attacked alone, so that its rate can be set against
// the floor's.
type requestClass struct {
	name, desc string
	next       func(p *Pool, rng *rand.Rand) (string, http.Header) // path (or URL) and header
}

// requestClasses are the classes measured one by one after the mix, cheapest first.
var requestClasses = []requestClass{
	{"code-api", "/api/v1/search?q=<USCC>", func(p *Pool, r *rand.Rand) (string, http.Header) {
		return "/api/v1/search?" + url.Values{"q": {pick(p.Codes, r)}}.Encode(), nil
	}},
	{"entity-page", "/entities/<USCC>", func(p *Pool, r *rand.Rand) (string, http.Header) {
		return "/entities/" + pick(p.Codes, r), nil
	}},
	{"home", "/", func(*Pool, *rand.Rand) (string, http.Header) { return "/", nil }},
	{"search-api-2char", "/api/v1/search?q=<two characters>", func(p *Pool, r *rand.Rand) (string, http.Header) {
		return "/api/v1/search?" + url.Values{"q": {pick(p.Frag2, r)}}.Encode(), nil
	}},
	{"search-page-2char", "/search?q=<two characters>", func(p *Pool, r *rand.Rand) (string, http.Header) {
		return "/search?" + url.Values{"q": {pick(p.Frag2, r)}}.Encode(), nil
	}},
	{"search-api-mix", "/api/v1/search?q=<the mix's queries>", func(p *Pool, r *rand.Rand) (string, http.Header) {
		return "/api/v1/search?" + url.Values{"q": {pick(p.Queries, r)}}.Encode(), nil
	}},
	{"stats-page", "/stats", func(*Pool, *rand.Rand) (string, http.Header) { return "/stats", nil }},
	{"list-api", "/api/v1/lists/<list>?<filters, cursors>", func(p *Pool, r *rand.Rand) (string, http.Header) {
		return "/api/v1" + pick(p.Lists, r), nil
	}},
	{"list-page", "/lists/<list>?<filters, cursors>", func(p *Pool, r *rand.Rand) (string, http.Header) {
		return pick(p.Lists, r), nil
	}},
	{"download", "/data/… (whole, Range, If-None-Match)", func(p *Pool, r *rand.Rand) (string, http.Header) {
		return downloadRequest(p, r)
	}},
}

func pick(s []string, r *rand.Rand) string { return s[r.IntN(len(s))] }

// ClassNames lists the measured classes in report order, the floor first.
func ClassNames() []string {
	out := []string{FloorClass}
	for _, c := range requestClasses {
		out = append(out, c.name)
	}
	return out
}

// ClassStats is one request class attacked alone: its rate, latency and its rate as a share of
// the floor's (hello-world) rate measured by the same client in the same run.
type ClassStats struct {
	Name              string  `json:"name"`
	Request           string  `json:"request"`
	Requests          int     `json:"requests"`
	Seconds           float64 `json:"seconds"`
	RequestsPerSecond float64 `json:"requests_per_second"`
	// FloorRequestsPerSecond is the mean of the floor's runs just before and just after this
	// class, and Ratio is RequestsPerSecond over it: a machine whose speed drifts during the
	// run (other work, heat) moves both alike. For the floor's own row: the mean of all its
	// runs, and 1.
	FloorRequestsPerSecond float64 `json:"floor_requests_per_second"`
	Ratio                  float64 `json:"ratio_to_floor"`
	Latency                Latency `json:"latency"`
	Status4xx              int     `json:"status_4xx"`
	Status5xx              int     `json:"status_5xx"`
	Errors                 int     `json:"errors"`
}

// Floor is the hello-world reference, attacked before the first class, between every two and
// after the last.
type Floor struct {
	URL               string    `json:"url"`
	Runs              []float64 `json:"runs_requests_per_second"` // in order
	RequestsPerSecond float64   `json:"requests_per_second"`      // mean of the runs
	Min               float64   `json:"min_requests_per_second"`
	Max               float64   `json:"max_requests_per_second"`
}

// measureClasses attacks the floor and the classes in turn (floor, class, floor, class, …,
// floor), each for o.ClassDuration after a short warm-up of its own, with the mix's client and
// worker count.
func measureClasses(ctx context.Context, o Options, client *http.Client, pool *Pool) (*Floor, []ClassStats) {
	warm := min(2*time.Second, o.ClassDuration)
	run := func(name, desc, base string, next func(*rand.Rand) (string, http.Header)) (ClassStats, *collector) {
		rng := newRand(o.Seed + uint64(len(name)))
		var mu sync.Mutex
		tr := func() (string, http.Header) {
			mu.Lock()
			defer mu.Unlock()
			p, h := next(rng)
			return base + p, h
		}
		logf(o.Log, "load: class %s (%s) for %s\n", name, desc, o.ClassDuration)
		attackWith(ctx, o, client, tr, warm, name+"-warmup", newCollector())
		c := newCollector()
		elapsed := attackWith(ctx, o, client, tr, o.ClassDuration, name, c)
		s := c.report(elapsed).Overall
		return ClassStats{Name: name, Request: desc, Requests: s.Requests, Seconds: c.seconds(elapsed),
			RequestsPerSecond: s.RequestsPerSecond, Latency: s.Latency,
			Status4xx: s.Status4xx, Status5xx: s.Status5xx, Errors: s.Errors}, c
	}
	const helloDesc = "plain net/http JSON hello-world"
	hello := func(*rand.Rand) (string, http.Header) { return "/", nil }
	floorAll := newCollector()
	var floorRow ClassStats
	floorRun := func() float64 {
		st, c := run(FloorClass, helloDesc, o.FloorURL, hello)
		floorAll.merge(c)
		floorRow.Requests += st.Requests
		floorRow.Seconds += st.Seconds
		floorRow.Status4xx += st.Status4xx
		floorRow.Status5xx += st.Status5xx
		floorRow.Errors += st.Errors
		return st.RequestsPerSecond
	}
	floor := &Floor{URL: o.FloorURL, Runs: []float64{floorRun()}}
	var out []ClassStats
	for _, rc := range requestClasses {
		if ctx.Err() != nil {
			break
		}
		st, _ := run(rc.name, rc.desc, o.BaseURL, func(r *rand.Rand) (string, http.Header) { return rc.next(pool, r) })
		floor.Runs = append(floor.Runs, floorRun())
		n := len(floor.Runs)
		st.FloorRequestsPerSecond = (floor.Runs[n-2] + floor.Runs[n-1]) / 2
		if st.FloorRequestsPerSecond > 0 {
			st.Ratio = st.RequestsPerSecond / st.FloorRequestsPerSecond
		}
		out = append(out, st)
	}
	floor.Min, floor.Max = floor.Runs[0], floor.Runs[0]
	sum := 0.0
	for _, r := range floor.Runs {
		sum += r
		floor.Min, floor.Max = min(floor.Min, r), max(floor.Max, r)
	}
	floor.RequestsPerSecond = sum / float64(len(floor.Runs))
	floorRow.Name, floorRow.Request = FloorClass, helloDesc
	floorRow.RequestsPerSecond, floorRow.FloorRequestsPerSecond, floorRow.Ratio = floor.RequestsPerSecond, floor.RequestsPerSecond, 1
	floorRow.Latency = floorAll.report(0).Overall.Latency
	return floor, append([]ClassStats{floorRow}, out...)
}

// merge adds what o collected to c.
func (c *collector) merge(o *collector) {
	o.mu.Lock()
	defer o.mu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, a := range o.byKind {
		b := c.byKind[k]
		if b == nil {
			b = &kindAcc{category: a.category, status: map[int]int{}}
			c.byKind[k] = b
		}
		b.lat = append(b.lat, a.lat...)
		for code, n := range a.status {
			b.status[code] += n
		}
		b.errors += a.errors
	}
	for msg, n := range o.errs {
		c.errs[msg] += n
	}
}

// seconds is the attack's measured length, as its report computes it.
func (c *collector) seconds(d time.Duration) float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.first.IsZero() && c.lastEnd.After(c.first) {
		return c.lastEnd.Sub(c.first).Seconds()
	}
	return d.Seconds()
}

// HelloWorld is the floor's handler: what a Go server answers with no work behind it.
func HelloWorld() http.Handler {
	body := []byte(`{"hello":"world"}` + "\n")
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
}

// printClasses writes the per-class table.
func (r *Report) printClasses(w io.Writer) {
	if len(r.Classes) == 0 {
		return
	}
	f := r.Floor
	fmt.Fprintf(w, "\nrequest classes, each alone for %.0f s (%s), as a share of the hello-world floor attacked before, between and after them: %.0f req/s mean, %.0f to %.0f\n",
		r.ClassSeconds, r.Mode, f.RequestsPerSecond, f.Min, f.Max)
	fmt.Fprintf(w, "%-18s %9s %9s %7s %8s %8s %8s  %-8s %s\n", "class", "req/s", "floor", "ratio", "p50 ms", "p99 ms", "max ms", "5xx/err", "request")
	fmt.Fprintln(w, strings.Repeat("-", 110))
	for _, c := range r.Classes {
		fmt.Fprintf(w, "%-18s %9.0f %9.0f %7.3f %8.2f %8.2f %8.1f  %-8s %s\n", c.Name, c.RequestsPerSecond, c.FloorRequestsPerSecond, c.Ratio,
			c.Latency.P50MS, c.Latency.P99MS, c.Latency.MaxMS, fmt.Sprintf("%d/%d", c.Status5xx, c.Errors), c.Request)
	}
}
