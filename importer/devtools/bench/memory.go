package bench

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ProcMem is a process's memory as Linux reports it in /proc/PID/status, in bytes.
type ProcMem struct {
	RSS  int64 // VmRSS: resident now (anonymous + file-backed + shared memory)
	HWM  int64 // VmHWM: the resident peak since start or since ResetPeakRSS
	Anon int64 // RssAnon: heap, stacks and other anonymous pages (no mapped files)
	File int64 // RssFile: resident pages of mapped files (Bleve segments, SQLite)
}

// ReadProcMem reads /proc/PID/status; pid 0 is this process.
func ReadProcMem(pid int) (ProcMem, error) {
	path := "/proc/self/status"
	if pid > 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	f, err := os.Open(path)
	if err != nil {
		return ProcMem{}, err
	}
	defer f.Close()
	return parseProcStatus(bufio.NewScanner(f))
}

// parseProcStatus reads the Vm* and Rss* lines ("VmRSS:	  123456 kB").
func parseProcStatus(sc *bufio.Scanner) (ProcMem, error) {
	var m ProcMem
	found := false
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		var dst *int64
		switch key {
		case "VmRSS":
			dst, found = &m.RSS, true
		case "VmHWM":
			dst = &m.HWM
		case "RssAnon":
			dst = &m.Anon
		case "RssFile":
			dst = &m.File
		default:
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		n, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			return m, fmt.Errorf("/proc status %s: %w", key, err)
		}
		if len(fields) > 1 && fields[1] == "kB" {
			n *= 1024
		}
		*dst = n
	}
	if err := sc.Err(); err != nil {
		return m, err
	}
	if !found {
		return m, errors.New("no VmRSS in /proc status")
	}
	return m, nil
}

// ResetPeakRSS starts VmHWM afresh at the current resident size (Linux: clear_refs 5), so
// that one phase of a long process has its own peak. false where that is not allowed.
func ResetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// MemSampler samples a process's memory at an interval and keeps the highest values.
type MemSampler struct {
	mu       sync.Mutex
	max, end ProcMem
	samples  int
	stop     chan struct{}
	done     chan struct{}
}

// SampleMem starts sampling pid (0: this process) every interval until Stop.
func SampleMem(pid int, every time.Duration) *MemSampler {
	s := &MemSampler{stop: make(chan struct{}), done: make(chan struct{})}
	s.sample(pid)
	go func() {
		defer close(s.done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-s.stop:
				s.sample(pid)
				return
			case <-t.C:
				s.sample(pid)
			}
		}
	}()
	return s
}

func (s *MemSampler) sample(pid int) {
	m, err := ReadProcMem(pid)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.samples++
	s.end = m
	s.max.RSS = max(s.max.RSS, m.RSS)
	s.max.HWM = max(s.max.HWM, m.HWM)
	s.max.Anon = max(s.max.Anon, m.Anon)
	s.max.File = max(s.max.File, m.File)
}

// Stop takes a last sample and returns the highest and the last values and the sample count.
func (s *MemSampler) Stop() (highest, last ProcMem, samples int) {
	close(s.stop)
	<-s.done
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.max, s.end, s.samples
}
