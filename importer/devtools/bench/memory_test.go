package bench

import (
	"bufio"
	"strings"
	"testing"
)

func TestParseProcStatus(t *testing.T) {
	status := "Name:\tgongshi\nVmPeak:\t 2000000 kB\nVmHWM:\t  512000 kB\nVmRSS:\t  256000 kB\nRssAnon:\t  200000 kB\nRssFile:\t   56000 kB\nThreads:\t8\n"
	m, err := parseProcStatus(bufio.NewScanner(strings.NewReader(status)))
	if err != nil {
		t.Fatal(err)
	}
	if m.RSS != 256000*1024 || m.HWM != 512000*1024 || m.Anon != 200000*1024 || m.File != 56000*1024 {
		t.Errorf("parsed %+v", m)
	}
	if _, err := parseProcStatus(bufio.NewScanner(strings.NewReader("Name:\tx\n"))); err == nil {
		t.Error("no VmRSS must be an error")
	}
	// This process: Linux reports it; the sampler keeps the highest value.
	if m, err := ReadProcMem(0); err != nil || m.RSS <= 0 {
		t.Skipf("no /proc here: %v", err)
	}
	s := SampleMem(0, 1000000)
	hi, last, n := s.Stop()
	if n < 1 || hi.RSS < last.RSS || last.RSS <= 0 {
		t.Errorf("sampler: highest %+v, last %+v, %d samples", hi, last, n)
	}
}
