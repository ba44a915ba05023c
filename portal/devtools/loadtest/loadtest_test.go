package loadtest

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestPickWeighted(t *testing.T) {
	w := []float64{0.6, 0.25, 0.1, 0.05}
	for _, c := range []struct {
		u    float64
		want int
	}{{0, 0}, {0.5999, 0}, {0.6, 1}, {0.8499, 1}, {0.85, 2}, {0.9499, 2}, {0.9501, 3}, {0.99999, 3}, {1, 3}, {-1, 0}} {
		if got := pickWeighted(w, c.u); got != c.want {
			t.Errorf("pickWeighted(%g) = %d, want %d", c.u, got, c.want)
		}
	}
	// Zero weights are never picked, wherever u falls.
	for _, u := range []float64{0, 0.3, 0.7, 0.9999} {
		if got := pickWeighted([]float64{0, 1, 0, 1}, u); got != 1 && got != 3 {
			t.Errorf("picked a zero weight: %d at %g", got, u)
		}
	}
	if got := pickWeighted([]float64{0, 0, 0, 2}, 0.1); got != 3 {
		t.Errorf("only weight: got %d", got)
	}
}

func TestMixPickShares(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	counts := map[string]int{}
	const n = 100000
	for i := 0; i < n; i++ {
		counts[DefaultMix.Pick(rng.Float64())]++
	}
	for cat, want := range map[string]float64{CatSearch: 0.60, CatEntity: 0.25, CatList: 0.10, CatDownload: 0.05} {
		if got := float64(counts[cat]) / n; math.Abs(got-want) > 0.01 {
			t.Errorf("%s share %.3f, want %.2f", cat, got, want)
		}
	}
	if err := (Mix{Search: 1, Download: -1}).Validate(); err == nil {
		t.Error("a negative share must be refused")
	}
	if err := (Mix{}).Validate(); err == nil {
		t.Error("an empty mix must be refused")
	}
}

func TestClassify(t *testing.T) {
	for url, want := range map[string][2]string{
		"http://h/api/v1/search?q=%E5%8D%8E":              {CatSearch, "search-api"},
		"http://h/search?q=x&region=35":                   {CatSearch, "search-page"},
		"http://h/entities/91350200776049653X":            {CatEntity, "entity-page"},
		"http://h/lists/penalties?year=2025&cursor=ab":    {CatList, "list-page"},
		"http://h/data/catalog.json":                      {CatDownload, "download"},
		"http://h/data/penalties/latest/penalties.csv.gz": {CatDownload, "download"},
		"http://h/api/v1/suggest?q=x":                     {CatOther, CatOther},
		"://bad":                                          {CatOther, CatOther},
	} {
		if c, k := Classify(url); c != want[0] || k != want[1] {
			t.Errorf("Classify(%s) = %s, %s; want %v", url, c, k, want)
		}
	}
}

func TestPercentileAndSummary(t *testing.T) {
	var d []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose: summarise sorts a copy
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	l := summarise(d)
	if l.P50MS != 50 || l.P90MS != 90 || l.P99MS != 99 || l.MaxMS != 100 || l.MeanMS != 50.5 {
		t.Errorf("summary %+v", l)
	}
	if d[0] != 100*time.Millisecond {
		t.Error("summarise must not reorder its input")
	}
	if percentile(nil, 0.5) != 0 || (summarise(nil) != Latency{}) {
		t.Error("no samples: zero")
	}
	one := []time.Duration{7}
	if percentile(one, 0.99) != 7 || percentile(one, 0) != 7 {
		t.Error("one sample is every percentile")
	}
}

func TestUndated(t *testing.T) {
	for name, want := range map[string]string{
		"penalties-2026-11-22.csv.gz":   "penalties.csv.gz",
		"penalties-2026-11-22.jsonl.gz": "penalties.jsonl.gz",
		"penalties-2026-11-22.xlsx":     "penalties.xlsx",
		"changes-2026-11-22.jsonl":      "changes.jsonl",
		"datapackage.json":              "datapackage.json",
		"abnormal-2026-11-22.csv.gz":    "abnormal-2026-11-22.csv.gz", // another list's file stays as it is
	} {
		if got := Undated("penalties", "2026-11-22", name); got != want {
			t.Errorf("Undated(%s) = %s, want %s", name, got, want)
		}
	}
}

func TestParseMetrics(t *testing.T) {
	text := `# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 42
go_memstats_heap_alloc_bytes 1.2345e+07
go_memstats_heap_inuse_bytes 2.5e+07
go_memstats_heap_inuse_bytes_total 1
gongshi_requests_total{route="/"} 3
`
	h, ok := parseMetrics(strings.NewReader(text))
	if !ok || h.goroutines != 42 || h.heapAlloc != 12345000 || h.heapInuse != 25e6 {
		t.Errorf("parseMetrics = %+v, %v", h, ok)
	}
	if _, ok := parseMetrics(strings.NewReader("up 1\n")); ok {
		t.Error("no Go gauges: not ok")
	}
}

func TestStatusAndErrors(t *testing.T) {
	if got := statusString(map[string]int{"206": 2, "0": 1, "200": 5}); got != "err:1 200:5 206:2" {
		t.Errorf("statusString = %q", got)
	}
	if got := shortError(`Get "http://127.0.0.1:1/search?q=x": context deadline exceeded`); got != "context deadline exceeded" {
		t.Errorf("shortError = %q", got)
	}
	r := &Report{Requests: 10}
	if r.Failed() {
		t.Error("a clean run failed")
	}
	r.Status5xx = 1
	if !r.Failed() {
		t.Error("a 5xx must fail the run")
	}
	r = &Report{Requests: 10, Warmup: &WarmupStats{Errors: 1}}
	if !r.Failed() {
		t.Error("a transport error in the warm-up must fail the run")
	}
}
