// Package loadtest drives a running gongshi portal with a realistic request mix (vegeta as the
// load generator) and reports throughput, latency per category, status codes and the server's
// memory. `gongshi load` wires it to a server process it starts itself.
package loadtest

import (
	"fmt"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Categories of the mix, in report order.
const (
	CatSearch   = "search"   // /api/v1/search and /search
	CatEntity   = "entity"   // /entities/{code}
	CatList     = "list"     // /lists/{list} with filters and cursors
	CatDownload = "download" // /data/…: catalog, files (whole, Range, conditional)
	CatOther    = "other"    // anything else a redirect may lead to
)

// Categories lists the mix's categories in report order.
var Categories = []string{CatSearch, CatEntity, CatList, CatDownload}

// Mix is the share of each category in the requests sent; the shares need not add up to 1.
type Mix struct {
	Search   float64 `json:"search"`
	Entity   float64 `json:"entity"`
	List     float64 `json:"list"`
	Download float64 `json:"download"`
}

// DefaultMix is the issue's: search 60 %, entity pages 25 %, list pages 10 %, downloads 5 %.
var DefaultMix = Mix{Search: 0.60, Entity: 0.25, List: 0.10, Download: 0.05}

func (m Mix) weights() []float64 { return []float64{m.Search, m.Entity, m.List, m.Download} }

// Validate refuses negative shares and a mix with nothing in it.
func (m Mix) Validate() error {
	sum := 0.0
	for i, w := range m.weights() {
		if w < 0 {
			return fmt.Errorf("mix: %s share %g is negative", Categories[i], w)
		}
		sum += w
	}
	if sum <= 0 {
		return fmt.Errorf("mix: every share is zero")
	}
	return nil
}

// Pick returns the category for a uniform random number u in [0, 1).
func (m Mix) Pick(u float64) string { return Categories[pickWeighted(m.weights(), u)] }

// pickWeighted returns the index whose cumulative share covers u·sum; zero weights are never
// picked. u outside [0, 1) is clamped.
func pickWeighted(w []float64, u float64) int {
	sum := 0.0
	for _, x := range w {
		sum += x
	}
	t := u * sum
	last := -1
	for i, x := range w {
		if x <= 0 {
			continue
		}
		last = i
		if t < x {
			return i
		}
		t -= x
	}
	if last < 0 {
		return 0
	}
	return last
}

// Classify returns the category of a request URL (as sent, before redirects) and a finer kind
// for the report: search-api / search-page, entity-page, list-page, download.
func Classify(rawURL string) (category, kind string) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return CatOther, CatOther
	}
	p := u.Path
	switch {
	case p == "/api/v1/search":
		return CatSearch, "search-api"
	case p == "/search":
		return CatSearch, "search-page"
	case strings.HasPrefix(p, "/entities/"):
		return CatEntity, "entity-page"
	case strings.HasPrefix(p, "/lists/"):
		return CatList, "list-page"
	case strings.HasPrefix(p, "/data/"):
		return CatDownload, "download"
	}
	return CatOther, CatOther
}

// percentile is the nearest-rank percentile of sorted durations (0 when there are none).
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(p*float64(len(sorted))+0.999999) - 1
	k = max(0, min(k, len(sorted)-1))
	return sorted[k]
}

// Latency summarises one set of request latencies in milliseconds.
type Latency struct {
	P50MS  float64 `json:"p50_ms"`
	P90MS  float64 `json:"p90_ms"`
	P99MS  float64 `json:"p99_ms"`
	MaxMS  float64 `json:"max_ms"`
	MeanMS float64 `json:"mean_ms"`
}

func summarise(lat []time.Duration) Latency {
	if len(lat) == 0 {
		return Latency{}
	}
	s := append([]time.Duration(nil), lat...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	var sum time.Duration
	for _, d := range s {
		sum += d
	}
	return Latency{P50MS: ms(percentile(s, 0.50)), P90MS: ms(percentile(s, 0.90)), P99MS: ms(percentile(s, 0.99)),
		MaxMS: ms(s[len(s)-1]), MeanMS: ms(sum / time.Duration(len(s)))}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
