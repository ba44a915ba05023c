package index

import (
	"bufio"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkCloseTier times searches of whole names with and without the close tier on a
// generation a benchmark run kept (GONGSHI_CLOSE_BENCH_DIR: the work folder of
// gongshi bench --keep): what the tier costs a query whose strict answer is short.
func BenchmarkCloseTier(b *testing.B) {
	dir := os.Getenv("GONGSHI_CLOSE_BENCH_DIR")
	if dir == "" {
		b.Skip("GONGSHI_CLOSE_BENCH_DIR not set")
	}
	dd := DataDir(filepath.Join(dir, "data"))
	id, err := dd.Current()
	if err != nil {
		b.Fatal(err)
	}
	g, err := OpenGeneration(dd.Generation(id))
	if err != nil {
		b.Fatal(err)
	}
	live := &Live{}
	live.Swap(g)
	defer live.Close()
	s := &Searcher{Live: live}
	f, err := os.Open(filepath.Join(dir, "snapshot", "entities.csv"))
	if err != nil {
		b.Fatal(err)
	}
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	var names []string
	for len(names) < 500 {
		rec, err := r.Read()
		if err != nil {
			break
		}
		if len(rec) > 1 && !strings.Contains(rec[1], "企业名称") {
			names = append(names, rec[1])
		}
	}
	f.Close()
	typo := func(n string) string { // the third character doubled: an extra one
		rs := []rune(n)
		return string(rs[:3]) + string(rs[2:])
	}
	six := func(n string) string { // six characters of the name before its legal form
		rs := []rune(strings.ReplaceAll(CoreName(SearchText(n)), " ", ""))
		return string(rs[max(0, len(rs)-6):])
	}
	for _, tc := range []struct {
		name  string
		close bool
		q     func(string) string
	}{
		{"exact/strict", false, func(n string) string { return n }},
		{"exact/close", true, func(n string) string { return n }},
		{"typo/strict", false, typo},
		{"typo/close", true, typo},
		{"six/strict", false, six},
		{"six/close", true, six},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var worst time.Duration
			cpu0 := cpuTime()
			for i := range b.N {
				t0 := time.Now()
				if _, err := s.Search(context.Background(), SearchRequest{Query: tc.q(names[i%len(names)]), Size: 10, Close: tc.close}); err != nil {
					b.Fatal(err)
				}
				worst = max(worst, time.Since(t0))
			}
			b.ReportMetric(float64(worst.Microseconds()), "worst-µs")
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// cpuTime is the process's user and system time: on a shared machine, what a search cost
// whatever else ran beside it.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
