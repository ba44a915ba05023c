// Package portal is gongshi's web server: pages, the JSON API, feeds and downloads over the
// serving index generation, with rate limits, security headers and the SQL store.
package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/report"
	"github.com/gongshi/gongshi/portal/store"
)

// Config is everything the server needs; cmd/gongshi fills it from flags and environment.
type Config struct {
	Data           index.DataDir
	Addr           string
	TrustedProxies []string // CIDRs of load balancers whose X-Forwarded-For is believed; none by default
	Now            func() time.Time
	Log            *slog.Logger
	// WatchEvery is how often the data folder's current generation is checked (default 1s:
	// reading one small file, so that a delta is served within a second or two of its import).
	WatchEvery time.Duration
	// MaxLag is how many data sequences this replica may serve behind the data folder's
	// current generation and still answer /readyz with 200 (default 1; negative: any lag).
	MaxLag     int64
	RateLimits RateLimits
	Objections ObjectionConfig

	// Open data and scheduled jobs: the files' licence, publisher and retention, and
	// the inbox watch, daily regeneration and pruning that Run schedules.
	OpenData opendata.Options
	Jobs     JobsConfig

	// HTTP are the connection limits of the listening server (zero fields take the defaults).
	HTTP HTTPLimits
}

// HTTPLimits bound what one connection may cost: slow or oversized request headers and bodies,
// idle keep-alive connections.
type HTTPLimits struct {
	ReadHeaderTimeout time.Duration // default 10s: slow-header clients (slowloris) are cut off
	ReadTimeout       time.Duration // default 60s: the whole request, body included (slow uploads)
	WriteTimeout      time.Duration // default 5m: large downloads
	IdleTimeout       time.Duration // default 2m between keep-alive requests
	MaxHeaderBytes    int           // default 64 KiB; larger headers get 431
}

// DefaultHTTPLimits are the limits of a server whose Config.HTTP is left empty.
func DefaultHTTPLimits() HTTPLimits {
	return HTTPLimits{ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, WriteTimeout: 5 * time.Minute,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10}
}

func (l HTTPLimits) withDefaults() HTTPLimits {
	d := DefaultHTTPLimits()
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = d.ReadHeaderTimeout
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = d.ReadTimeout
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = d.WriteTimeout
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = d.IdleTimeout
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	return l
}

// Server is the portal.
type Server struct {
	cfg      Config
	log      *slog.Logger
	live     *index.Live
	newest   atomic.Pointer[index.GenerationInfo] // the data folder's current generation, as last read
	counts   publicCounts                         // what each list's page shows today
	searcher *index.Searcher
	engine   *gin.Engine
	started  time.Time
	rl       *rateLimiter
	metrics  *metrics
	db       atomic.Pointer[store.Store] // nil while the SQL store is unreachable
	overlay  *overlayCache
	stop     context.CancelFunc
	jobs     atomic.Pointer[jobs] // the running scheduler, for /metrics; nil when jobs are off

	// Credit reports: nil without a data folder; see report_service.go.
	reports *report.Service

	// logins are the failed-login counters kept in this process (login_throttle.go): all of
	// them without Redis, and a fallback while Redis fails.
	logins *memoryLoginCounters
}

// New builds a server; call LoadCurrent and Run.
func New(cfg Config) (*Server, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if cfg.MaxLag == 0 {
		cfg.MaxLag = 1
	}
	if cfg.WatchEvery == 0 {
		cfg.WatchEvery = time.Second
	}
	s := &Server{cfg: cfg, log: cfg.Log, live: &index.Live{}, started: time.Now(), logins: newMemoryLoginCounters()}
	s.cfg.Objections.defaults()
	s.overlay = &overlayCache{s: s}
	s.searcher = &index.Searcher{Live: s.live, Now: cfg.Now, Overlay: s.overlay}
	bg, stop := context.WithCancel(context.Background())
	s.stop = stop
	s.connectStore(bg)
	s.metrics = newMetrics(s)
	rl, err := newRateLimiter(cfg.RateLimits)
	if err != nil {
		return nil, err
	}
	s.rl = rl
	// Credit reports: signing keys and report registry in the data folder.
	if s.reports, err = s.openReports(); err != nil {
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	// Trust no proxy unless configured: otherwise any client could pick its own rate-limit key
	// by sending X-Forwarded-For.
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("trusted proxies: %w", err)
	}
	e.HandleMethodNotAllowed = false
	s.engine = e
	s.routes()
	return s, nil
}

// Close releases the SQL store and stops background work (Run does this on shutdown).
func (s *Server) Close() {
	s.stop()
	if st := s.db.Swap(nil); st != nil {
		st.Close()
	}
	if s.reports != nil {
		s.reports.Close()
	}
}

// Handler returns the HTTP handler (for tests).
func (s *Server) Handler() http.Handler { return s.engine }

// Live returns the serving generation holder.
func (s *Server) Live() *index.Live { return s.live }

// today is the current day in China, the day publication periods are counted in.
func (s *Server) today() string { return s.cfg.Now().In(index.ChinaTime).Format(time.DateOnly) }

// httpServer is the listening server with the connection limits of Config.HTTP.
func (s *Server) httpServer() *http.Server {
	l := s.cfg.HTTP.withDefaults()
	return &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: l.ReadHeaderTimeout,
		ReadTimeout:       l.ReadTimeout,
		WriteTimeout:      l.WriteTimeout,
		IdleTimeout:       l.IdleTimeout,
		MaxHeaderBytes:    l.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Run serves until ctx ends, then shuts down gracefully.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	if err := s.LoadCurrent(); err != nil {
		s.log.Warn("no generation loaded yet", "err", err)
	}
	srv := s.httpServer()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go s.watchGenerations(wctx, s.cfg.WatchEvery)
	// Scheduled jobs (inbox imports, open data, pruning); stopped after the HTTP server.
	jobs, err := s.startJobs()
	if err != nil {
		return err
	}
	defer jobs.stop(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	s.log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, scancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer scancel()
	err = srv.Shutdown(sctx)
	if jerr := jobs.stop(sctx); jerr != nil {
		s.log.Warn("scheduled jobs did not stop in time", "err", jerr)
	}
	s.live.Close()
	s.Close()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
