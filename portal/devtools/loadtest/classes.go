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
	// Ratio is RequestsPerSecond over the floor's (the mean of its runs before and after the
	// classes); 1 for the floor itself.
	Ratio     float64 `json:"ratio_to_floor"`
	Latency   Latency `json:"latency"`
	Status4xx int     `json:"status_4xx"`
	Status5xx int     `json:"status_5xx"`
	Errors    int     `json:"errors"`
}

// Floor is the hello-world reference as measured before and after the classes.
type Floor struct {
	URL                     string  `json:"url"`
	BeforeRequestsPerSecond float64 `json:"before_requests_per_second"`
	AfterRequestsPerSecond  float64 `json:"after_requests_per_second"`
	RequestsPerSecond       float64 `json:"requests_per_second"` // the mean of the two
}

// measureClasses attacks the floor, then every class, then the floor again, each for
// o.ClassDuration after a short warm-up of its own, with the mix's client and worker count.
func measureClasses(ctx context.Context, o Options, client *http.Client, pool *Pool) (*Floor, []ClassStats) {
	warm := min(2*time.Second, o.ClassDuration)
	run := func(name, desc, base string, next func(*rand.Rand) (string, http.Header)) ClassStats {
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
			Status4xx: s.Status4xx, Status5xx: s.Status5xx, Errors: s.Errors}
	}
	hello := func(*rand.Rand) (string, http.Header) { return "/", nil }
	floor := &Floor{URL: o.FloorURL}
	before := run(FloorClass, "plain net/http JSON hello-world", o.FloorURL, hello)
	var out []ClassStats
	for _, rc := range requestClasses {
		if ctx.Err() != nil {
			break
		}
		out = append(out, run(rc.name, rc.desc, o.BaseURL, func(r *rand.Rand) (string, http.Header) { return rc.next(pool, r) }))
	}
	after := run(FloorClass, "plain net/http JSON hello-world", o.FloorURL, hello)
	floor.BeforeRequestsPerSecond, floor.AfterRequestsPerSecond = before.RequestsPerSecond, after.RequestsPerSecond
	floor.RequestsPerSecond = (before.RequestsPerSecond + after.RequestsPerSecond) / 2
	// The floor's row merges both runs: their requests, errors and the slower latency.
	merged := before
	merged.Requests += after.Requests
	merged.Seconds += after.Seconds
	merged.RequestsPerSecond = floor.RequestsPerSecond
	merged.Status4xx += after.Status4xx
	merged.Status5xx += after.Status5xx
	merged.Errors += after.Errors
	if after.Latency.P50MS > merged.Latency.P50MS {
		merged.Latency = after.Latency
	}
	out = append([]ClassStats{merged}, out...)
	for i := range out {
		if floor.RequestsPerSecond > 0 {
			out[i].Ratio = out[i].RequestsPerSecond / floor.RequestsPerSecond
		}
	}
	return floor, out
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
	fmt.Fprintf(w, "\nrequest classes, each alone for %.0f s (%s), as a share of the hello-world floor: %.0f req/s (%.0f before, %.0f after)\n",
		r.ClassSeconds, r.Mode, r.Floor.RequestsPerSecond, r.Floor.BeforeRequestsPerSecond, r.Floor.AfterRequestsPerSecond)
	fmt.Fprintf(w, "%-18s %9s %7s %8s %8s %8s  %-8s %s\n", "class", "req/s", "ratio", "p50 ms", "p99 ms", "max ms", "5xx/err", "request")
	fmt.Fprintln(w, strings.Repeat("-", 100))
	for _, c := range r.Classes {
		fmt.Fprintf(w, "%-18s %9.0f %7.3f %8.2f %8.2f %8.1f  %-8s %s\n", c.Name, c.RequestsPerSecond, c.Ratio,
			c.Latency.P50MS, c.Latency.P99MS, c.Latency.MaxMS, fmt.Sprintf("%d/%d", c.Status5xx, c.Errors), c.Request)
	}
}
