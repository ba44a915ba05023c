package loadtest

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"time"
)

// Report is the outcome of a load test, as printed and as written to JSON.
type Report struct {
	Started time.Time `json:"started"`
	BaseURL string    `json:"base_url"`
	Mode    string    `json:"mode"`
	Rate    int       `json:"rate,omitempty"` // requests/s asked for (open loop)
	Workers int       `json:"workers"`
	Mix     Mix       `json:"mix"`
	Seed    uint64    `json:"seed"`
	CPUs    int       `json:"cpus"`
	Pool    string    `json:"pool"`
	// Data describes the served data (filled in by the caller).
	Data DataInfo `json:"data"`

	Seconds           float64        `json:"seconds"` // first request sent to last answer received
	Requests          int            `json:"requests"`
	RequestsPerSecond float64        `json:"requests_per_second"` // completed (any outcome) per second
	OKPerSecond       float64        `json:"ok_per_second"`       // answered 2xx or 3xx per second
	BytesIn           int64          `json:"bytes_in"`
	Status5xx         int            `json:"status_5xx"`
	Status4xx         int            `json:"status_4xx"`
	Errors            int            `json:"errors"` // transport errors and timeouts
	ErrorTypes        map[string]int `json:"error_types,omitempty"`
	Overall           Stats          `json:"overall"`
	Categories        []Stats        `json:"categories"`
	Kinds             []Stats        `json:"kinds"`
	Warmup            *WarmupStats   `json:"warmup,omitempty"`
	Memory            ServerMemory   `json:"server_memory"`
	// Placement says on which CPUs the load generator and the servers ran (set by the caller).
	Placement    string       `json:"placement,omitempty"`
	ClassSeconds float64      `json:"class_seconds,omitempty"`
	Floor        *Floor       `json:"floor,omitempty"`
	Classes      []ClassStats `json:"classes,omitempty"` // the floor first
}

// DataInfo says what the server served.
type DataInfo struct {
	Folder     string `json:"folder"`
	Generation string `json:"generation"`
	Entities   int    `json:"entities"`
	Records    int    `json:"records"`
	Shards     int    `json:"shards"`
}

// WarmupStats are the requests sent before the measurement.
type WarmupStats struct {
	Requests          int     `json:"requests"`
	RequestsPerSecond float64 `json:"requests_per_second"`
	Status5xx         int     `json:"status_5xx"`
	Errors            int     `json:"errors"`
}

// ServerMemory is the server's memory over the warm-up and the measurement: resident size from
// /proc/PID/status every second (start = before the first request) and the Go heap from /metrics.
type ServerMemory struct {
	PID            int     `json:"pid,omitempty"`
	RSSStartBytes  int64   `json:"rss_start_bytes"`
	RSSMaxBytes    int64   `json:"rss_max_bytes"`
	RSSEndBytes    int64   `json:"rss_end_bytes"`
	AnonMaxBytes   int64   `json:"anon_max_bytes"` // RssAnon: heap and stacks, no mapped files
	RSSSamples     int     `json:"rss_samples"`
	HeapInuseMax   float64 `json:"heap_inuse_max_bytes"`
	HeapInuseEnd   float64 `json:"heap_inuse_end_bytes"`
	HeapAllocMax   float64 `json:"heap_alloc_max_bytes"`
	GoroutinesMax  float64 `json:"goroutines_max"`
	MetricsSamples int     `json:"metrics_samples"`
}

func (m *ServerMemory) fill(r samplerResult) {
	m.RSSMaxBytes, m.RSSEndBytes, m.AnonMaxBytes, m.RSSSamples = r.rssMax.RSS, r.rssEnd.RSS, r.rssMax.Anon, r.rssSamples
	m.HeapInuseMax, m.HeapInuseEnd, m.HeapAllocMax = r.heapMax.heapInuse, r.heapEnd.heapInuse, r.heapMax.heapAlloc
	m.GoroutinesMax, m.MetricsSamples = r.heapMax.goroutines, r.heapSamples
}

func (r *Report) fill(c collected) {
	r.Seconds, r.Requests, r.RequestsPerSecond = c.Seconds, c.Requests, c.RequestsPerSecond
	if c.Seconds > 0 {
		ok := c.Requests - c.Overall.Status4xx - c.Overall.Status5xx - c.Errors
		r.OKPerSecond = float64(ok) / c.Seconds
	}
	r.Status5xx, r.Status4xx, r.Errors = c.Overall.Status5xx, c.Overall.Status4xx, c.Errors
	r.ErrorTypes, r.Overall, r.Categories, r.Kinds = c.ErrorTypes, c.Overall, c.Categories, c.Kinds
	if len(r.ErrorTypes) == 0 {
		r.ErrorTypes = nil
	}
}

// Failed reports whether the run saw a 5xx or a transport error (warm-up and request classes
// included), or a class that got no answer at all.
func (r *Report) Failed() bool {
	if r.Status5xx > 0 || r.Errors > 0 || r.Requests == 0 ||
		r.Warmup != nil && (r.Warmup.Status5xx > 0 || r.Warmup.Errors > 0) {
		return true
	}
	for _, c := range r.Classes {
		if c.Status5xx > 0 || c.Errors > 0 || c.Requests == 0 {
			return true
		}
	}
	return false
}

func mib(b float64) float64 { return b / (1 << 20) }

// Print writes the report as tables.
func (r *Report) Print(w io.Writer) {
	d := r.Data
	fmt.Fprintf(w, "gongshi load test: %s, %d entities, %d records, %d shard(s) (generation %s)\n",
		r.BaseURL, d.Entities, d.Records, d.Shards, d.Generation)
	where := fmt.Sprintf("%d CPUs, load generator on the same machine", r.CPUs)
	if r.Placement != "" {
		where = r.Placement
	}
	fmt.Fprintf(w, "%s · %.1f s · mix search %.0f%% / entity %.0f%% / list %.0f%% / download %.0f%% · %s\n",
		r.Mode, r.Seconds, 100*r.Mix.Search, 100*r.Mix.Entity, 100*r.Mix.List, 100*r.Mix.Download, where)
	if r.Warmup != nil {
		fmt.Fprintf(w, "warm-up: %d requests (%.1f/s), %d 5xx, %d errors — not counted below\n",
			r.Warmup.Requests, r.Warmup.RequestsPerSecond, r.Warmup.Status5xx, r.Warmup.Errors)
	}
	fmt.Fprintf(w, "throughput: %.1f requests/s, %.1f/s answered 2xx/3xx (%d requests, %.1f MB received) · 5xx: %d · 4xx: %d · transport errors: %d\n\n",
		r.RequestsPerSecond, r.OKPerSecond, r.Requests, mib(float64(r.BytesIn)), r.Status5xx, r.Status4xx, r.Errors)

	fmt.Fprintf(w, "%-12s %7s %6s %7s %8s %8s %8s %8s %8s  %s\n", "category", "req", "share", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "mean ms", "status")
	fmt.Fprintln(w, strings.Repeat("-", 100))
	row := func(s Stats) {
		l := s.Latency
		fmt.Fprintf(w, "%-12s %7d %5.1f%% %7.1f %8.1f %8.1f %8.1f %8.1f %8.1f  %s\n", s.Name, s.Requests, 100*s.Share,
			s.RequestsPerSecond, l.P50MS, l.P90MS, l.P99MS, l.MaxMS, l.MeanMS, statusString(s.Status))
	}
	for _, s := range r.Categories {
		row(s)
	}
	row(r.Overall)
	perCat := map[string]int{}
	for _, s := range r.Kinds {
		perCat[s.Category]++
	}
	first := true
	for _, s := range r.Kinds {
		if perCat[s.Category] < 2 {
			continue // the category's row says it already
		}
		if first {
			fmt.Fprintln(w)
			first = false
		}
		row(s)
	}
	msgs := make([]string, 0, len(r.ErrorTypes))
	for msg := range r.ErrorTypes {
		msgs = append(msgs, msg)
	}
	sort.Slice(msgs, func(i, j int) bool { return r.ErrorTypes[msgs[i]] > r.ErrorTypes[msgs[j]] })
	for _, msg := range msgs {
		fmt.Fprintf(w, "transport error ×%d: %s\n", r.ErrorTypes[msg], msg)
	}
	r.printClasses(w)
	m := r.Memory
	fmt.Fprintln(w)
	if m.PID > 0 {
		fmt.Fprintf(w, "server memory (pid %d, %d samples): RSS start %.0f MB, max %.0f MB, end %.0f MB; anonymous max %.0f MB\n",
			m.PID, m.RSSSamples, mib(float64(m.RSSStartBytes)), mib(float64(m.RSSMaxBytes)), mib(float64(m.RSSEndBytes)), mib(float64(m.AnonMaxBytes)))
	}
	if m.MetricsSamples > 0 {
		fmt.Fprintf(w, "Go heap (/metrics, %d samples): in use max %.0f MB, end %.0f MB; allocated max %.0f MB; goroutines max %.0f\n",
			m.MetricsSamples, mib(m.HeapInuseMax), mib(m.HeapInuseEnd), mib(m.HeapAllocMax), m.GoroutinesMax)
	}
	if r.Failed() {
		fmt.Fprintln(w, "FAILED: 5xx answers or transport errors")
	}
}

// statusString is "200:1234 206:56" in code order; code 0 is "err".
func statusString(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		name := k
		if k == "0" {
			name = "err"
		}
		parts = append(parts, fmt.Sprintf("%s:%d", name, m[k]))
	}
	return strings.Join(parts, " ")
}

// WriteJSON writes the report indented to path.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 0x6c6f6164)) } // "load"
