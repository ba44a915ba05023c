package bench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// BenchmarkHostileInputs imports hostile files (a 20 MiB CSV field, a 200 MB XLSX inline cell, a
// zip bomb with a 2 GiB member, ...) each in its own gongshi process and reports that process's
// peak resident memory. Run it once per case:
//
//	go test -run '^$' -bench HostileInputs -benchtime 1x ./importer/bench/
//
// GONGSHI_BIN names the binary to measure (default: cmd/gongshi built from this tree), so an
// older build can be measured with the same inputs; HOSTILE_MAX_RSS_MIB (default 4096) kills a
// child that grows past it, to spare a shared machine.
func BenchmarkHostileInputs(b *testing.B) {
	bin := os.Getenv("GONGSHI_BIN")
	if bin == "" {
		bin = filepath.Join(b.TempDir(), "gongshi")
		build := exec.Command("go", "build", "-o", bin, "../../../cmd/gongshi")
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("build gongshi: %v\n%s", err, out)
		}
	}
	maxRSS := int64(4 << 30)
	if v, err := strconv.ParseInt(os.Getenv("HOSTILE_MAX_RSS_MIB"), 10, 64); err == nil && v > 0 {
		maxRSS = v << 20
	}
	var all []HostileResult
	for _, c := range HostileCases() {
		b.Run(c.Name, func(b *testing.B) {
			for range b.N {
				rs, err := Hostile(context.Background(), HostileOptions{Bin: bin, Dir: b.TempDir(), MaxRSS: maxRSS, Cases: []string{c.Name}})
				if err != nil {
					b.Fatal(err)
				}
				r := rs[0]
				b.ReportMetric(float64(r.PeakRSS)/(1<<20), "peak-MiB")
				b.ReportMetric(r.Seconds, "child-s")
				all = append(all, r)
			}
		})
	}
	PrintHostile(os.Stdout, all)
}

// The writers make what they say, in small sizes.
func TestHostileInputs(t *testing.T) {
	dir := t.TempDir()
	for _, w := range []struct {
		name  string
		write func(string) error
	}{
		{"a.csv", func(p string) error { return writeLongFieldCSV(p, 1000, false) }},
		{"b.csv", func(p string) error { return writeLongFieldCSV(p, 1000, true) }},
		{"c.jsonl", func(p string) error { return writeLongJSONL(p, 1000) }},
		{"d.xlsx", func(p string) error { return writeInlineCellXLSX(p, 1000) }},
		{"e.zip", func(p string) error { return writeZipBomb(p, 1000) }},
	} {
		p := filepath.Join(dir, w.name)
		if err := w.write(p); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		if st, err := os.Stat(p); err != nil || st.Size() < 100 {
			t.Fatalf("%s: %v", w.name, err)
		}
	}
}
