package portal

import (
	"context"
	"errors"
	"io"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gongshi/gongshi/index"
)

// screening serves batch screening: POST /api/v1/screen and the /screen page. Requests are
// not stored and subjects never reach a log line; only aggregate counters are kept.
type screening struct {
	s        *Server
	subjects *prometheus.CounterVec
	requests *prometheus.CounterVec
}

func (s *Server) newScreening() *screening {
	sc := &screening{s: s}
	sc.subjects = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gongshi_screen_subjects_total", Help: "Subjects screened, by result status.",
	}, []string{"status"})
	sc.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gongshi_screen_requests_total", Help: "Screening requests, by output format and outcome.",
	}, []string{"format", "outcome"})
	s.metrics.reg.MustRegister(sc.subjects, sc.requests)
	return sc
}

// run screens a read request into w. started says whether output began: before it, an error
// can still be a clean 4xx/5xx; after it, the writer reports it in its own format.
func (sc *screening) run(ctx context.Context, req *screenRequest, w screenWriter) (started bool, err error) {
	// The searcher's overlay (the SQL store's decisions and pending objections) applies.
	scr, err := sc.s.searcher.NewScreener(ctx, index.ScreenOptions{AsOf: req.AsOf, Flags: req.Flags, PenaltyYears: req.PenaltyYears})
	if err != nil {
		return false, err
	}
	defer scr.Close()
	src, err := req.open()
	if err != nil {
		return false, err
	}
	defer src.Close()
	meta := screenMeta{AsOf: scr.AsOf(), Flags: scr.Flags(), PenaltyYears: req.PenaltyYears, PenaltyFrom: scr.PenaltyFrom(),
		Count: req.Count, refHeaders: req.RefHeaders}
	if meta.PenaltyYears == 0 {
		meta.PenaltyYears = index.DefaultPenaltyYears
	}
	if err := w.begin(meta); err != nil {
		return true, err
	}
	// The subjects' echo waits here, a batch at a time, until the batch's matches come back.
	var queue [][]screenSubject
	var sum index.ScreenSummary
	next := func() ([]index.Subject, error) {
		batch := make([]screenSubject, 0, index.ScreenBatchSize)
		for len(batch) < index.ScreenBatchSize {
			s, err := src.Next()
			if err == io.EOF {
				if len(batch) == 0 {
					return nil, io.EOF
				}
				break
			}
			if err != nil {
				return nil, err
			}
			batch = append(batch, s)
		}
		queue = append(queue, batch)
		subjects := make([]index.Subject, len(batch))
		for i, s := range batch {
			subjects[i] = s.Subject
		}
		return subjects, nil
	}
	emit := func(ms []index.Match) error {
		batch := queue[0]
		queue = queue[1:]
		for i := range ms {
			sum.Add(&ms[i])
			sc.subjects.WithLabelValues(ms[i].Status).Inc()
			if err := w.write(newScreenResult(batch[i], &ms[i], req.RefHeaders)); err != nil {
				return err
			}
		}
		return w.flush()
	}
	if err := scr.Stream(ctx, next, emit); err != nil {
		return true, err
	}
	return true, w.end(sum)
}

// apiScreen: POST /api/v1/screen
func (sc *screening) api(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	req, err := readScreenRequest(c, "json")
	if err != nil {
		sc.requests.WithLabelValues("", "rejected").Inc()
		sc.apiFail(c, err)
		return
	}
	defer req.Close()
	w, ok := newScreenWriter(c, req.Format)
	if !ok {
		sc.requests.WithLabelValues("", "rejected").Inc()
		abortError(c, errorOf(msgBadFormat))
		return
	}
	sc.serve(c, req, w, func(err error) { sc.apiFail(c, err) })
}

// serve runs the screening and answers an error before the output started with failEarly.
func (sc *screening) serve(c *gin.Context, req *screenRequest, w screenWriter, failEarly func(error)) {
	started, err := sc.run(c.Request.Context(), req, w)
	switch {
	case err == nil:
		sc.requests.WithLabelValues(req.Format, "ok").Inc()
	case !started:
		sc.requests.WithLabelValues(req.Format, "rejected").Inc()
		failEarly(err)
	default:
		sc.requests.WithLabelValues(req.Format, "failed").Inc()
		if !errors.Is(err, context.Canceled) {
			sc.s.log.Error("screening failed", "err", err) // no subject in the message: only store errors get here
		}
		w.fail(*errorOf(msgScreenInternal))
	}
}

func (sc *screening) apiFail(c *gin.Context, err error) {
	sc.s.apiFail(c, err) // a screenError is an *Error: answered as it is
}
