package importer

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Progress shows a long step: a bar with rows/s and ETA on a terminal, a log line every few
// seconds otherwise. A nil *Progress does nothing.
type Progress struct {
	label string
	total int64
	done  atomic.Int64
	w     io.Writer
	tty   bool
	start time.Time
	stop  chan struct{}
	wg    sync.WaitGroup
}

// NewProgress starts reporting on w (nil: no output). total may be 0 when unknown.
func NewProgress(w io.Writer, label string, total int) *Progress {
	if w == nil {
		return nil
	}
	p := &Progress{label: label, total: int64(total), w: w, start: time.Now(), stop: make(chan struct{})}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	every := 5 * time.Second
	if p.tty {
		every = 200 * time.Millisecond
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.render(false)
			case <-p.stop:
				p.render(true)
				return
			}
		}
	}()
	return p
}

// Add counts n more rows done.
func (p *Progress) Add(n int) {
	if p != nil {
		p.done.Add(int64(n))
	}
}

// Set sets the rows done.
func (p *Progress) Set(n int) {
	if p != nil {
		p.done.Store(int64(n))
	}
}

// Finish prints the final state.
func (p *Progress) Finish() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
}

func (p *Progress) render(final bool) {
	done := p.done.Load()
	secs := time.Since(p.start).Seconds()
	rate := float64(done) / max(secs, 0.001)
	eta := "?"
	pct := ""
	bar := ""
	if p.total > 0 {
		frac := min(float64(done)/float64(p.total), 1)
		pct = fmt.Sprintf("%3.0f%% ", frac*100)
		if rate > 0 {
			eta = (time.Duration(float64(p.total-done)/rate) * time.Second).Round(time.Second).String()
		}
		n := int(frac * 30)
		bar = "[" + strings.Repeat("=", n) + strings.Repeat(" ", 30-n) + "] "
	}
	if final {
		eta = "done in " + time.Duration(secs*float64(time.Second)).Round(100*time.Millisecond).String()
	} else {
		eta = "ETA " + eta
	}
	line := fmt.Sprintf("%s %s%s%d rows, %.0f rows/s, %s", p.label, bar, pct, done, rate, eta)
	if p.tty {
		end := ""
		if final {
			end = "\n"
		}
		fmt.Fprintf(p.w, "\r\033[K%s%s", line, end)
	} else {
		fmt.Fprintln(p.w, line)
	}
}
