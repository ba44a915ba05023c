package portal

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	libredis "github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/memory"
	redisstore "github.com/ulule/limiter/v3/drivers/store/redis"
)

// RateLimits configures the per-client budgets. Rates use ulule/limiter's format: "120-M" is
// 120 requests a minute.
type RateLimits struct {
	Off       bool
	Pages     string
	Search    string
	Suggest   string
	Downloads string // credit reports and feeds
	// OpenData is the budget of everything under /data/, sized for mirroring: a 304 answer and
	// a Range piece that does not start at byte 0 are not counted (see cheapAnswer).
	OpenData string
	Forms    string
	Login    string
	// Screen is the batch-screening budget, counted per request (each holds up to 10,000 subjects).
	Screen string
	// APIKeys maps a key's name to its secret; requests with "X-API-Key: secret" are counted per
	// key, with APIKeyFactor times the budget.
	APIKeys      map[string]string
	APIKeyFactor int64
	// RedisURL shares counters between replicas; empty = in-process memory.
	RedisURL string
}

// DefaultRateLimits are generous for people and strict enough to stop scrapers. Open data is
// meant to be fetched in bulk: 2,000 a minute lets a newsroom mirror a whole catalog in one go
// (catalog.json and every retained version of every dataset: 30 versions of 8 lists of 6 files,
// 1,441 requests), and revalidating it costs nothing; a credit report or a feed stays at 30.
func DefaultRateLimits() RateLimits {
	return RateLimits{Pages: "120-M", Search: "60-M", Suggest: "300-M", Downloads: "30-M", OpenData: "2000-M",
		Forms: "10-M", Login: "5-M", Screen: "10-M", APIKeyFactor: 10}
}

// budgetName names a rate budget; every route of the site map states one (routes.go).
type budgetName string

// The budgets a route can be counted against.
const (
	pages     budgetName = "pages"
	search    budgetName = "search" // the JSON API, and reviewers in the back office
	suggest   budgetName = "suggest"
	downloads budgetName = "downloads" // credit reports and feeds
	openData  budgetName = "opendata"  // everything under /data/
	forms     budgetName = "forms"
	login     budgetName = "login"
	screen    budgetName = "screen"
	// unmetered routes are counted against nothing: probes, metrics, static assets, preflights.
	unmetered budgetName = "unmetered"
)

// rateBudget is one named rate limit.
type rateBudget struct {
	name     budgetName
	rate     limiter.Rate
	lim      *limiter.Limiter // shared store (memory or Redis)
	keyed    *limiter.Limiter // the same store, the budget of API-key holders
	fallback *limiter.Limiter // in-process, used while the shared store fails
	// cheapRepeats: a revalidation answered 304 and a Range piece after the first byte are not
	// counted, so mirroring and resuming cost one request per file.
	cheapRepeats bool
}

// rateLimiter holds every budget of the server.
type rateLimiter struct {
	off     bool
	budgets map[budgetName]*rateBudget
	keys    map[[32]byte]string // sha256(secret) → key name
	redis   *libredis.Client
	// After a failure of the shared store (Redis down), requests are counted in-process for
	// sharedRetry without asking it again: an outage then costs a request nothing rather than
	// Redis's dial timeout and retries. sharedDownUntil is in Unix nanoseconds.
	sharedDownUntil atomic.Int64
	sharedFailing   atomic.Bool
}

// sharedRetry is how long the shared rate-limit store is left alone after it failed.
const sharedRetry = 5 * time.Second

// errSharedDown stands for the shared store's last failure while it is left alone.
var errSharedDown = errors.New("shared rate-limit store failed recently")

// sharedGet counts a request in the shared store (or, with peek, reads the count without
// adding to it), unless that store failed recently.
func (s *Server) sharedGet(ctx context.Context, lim *limiter.Limiter, key string, peek bool) (limiter.Context, error) {
	rl := s.rl
	if time.Now().UnixNano() < rl.sharedDownUntil.Load() {
		return limiter.Context{}, errSharedDown
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	lc, err := getOrPeek(ctx, lim, key, peek)
	cancel()
	if err != nil {
		s.metrics.rateStoreErrors.Inc()
		rl.sharedDownUntil.Store(time.Now().Add(sharedRetry).UnixNano())
		if !rl.sharedFailing.Swap(true) {
			s.log.Warn("rate-limit store unavailable; counting requests in this process with the same budgets until it is back", "err", err)
		}
		return lc, err
	}
	if rl.sharedFailing.Swap(false) {
		s.log.Info("rate-limit store back; budgets are shared again")
	}
	return lc, nil
}

func getOrPeek(ctx context.Context, lim *limiter.Limiter, key string, peek bool) (limiter.Context, error) {
	if peek {
		return lim.Peek(ctx, key)
	}
	return lim.Get(ctx, key)
}

func newRateLimiter(cfg RateLimits) (*rateLimiter, error) {
	rl := &rateLimiter{off: cfg.Off, budgets: map[budgetName]*rateBudget{}, keys: map[[32]byte]string{}}
	if cfg.Off {
		return rl, nil
	}
	d := DefaultRateLimits()
	pick := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	var store limiter.Store
	if cfg.RedisURL != "" {
		opt, err := libredis.ParseURL(cfg.RedisURL)
		if err != nil {
			return nil, fmt.Errorf("--redis: %w", err)
		}
		opt.DialTimeout, opt.ReadTimeout, opt.WriteTimeout = 500*time.Millisecond, 300*time.Millisecond, 300*time.Millisecond
		rl.redis = libredis.NewClient(opt)
		if store, err = redisstore.NewStoreWithOptions(rl.redis, limiter.StoreOptions{Prefix: "gongshi:rl", MaxRetry: 1}); err != nil {
			return nil, fmt.Errorf("redis rate-limit store: %w", err)
		}
	} else {
		store = memory.NewStore()
	}
	fallbackStore := memory.NewStore()
	factor := cfg.APIKeyFactor
	if factor <= 0 {
		factor = d.APIKeyFactor
	}
	for name, spec := range map[budgetName]string{
		pages: pick(cfg.Pages, d.Pages), search: pick(cfg.Search, d.Search), suggest: pick(cfg.Suggest, d.Suggest),
		downloads: pick(cfg.Downloads, d.Downloads), openData: pick(cfg.OpenData, d.OpenData), forms: pick(cfg.Forms, d.Forms),
		login: pick(cfg.Login, d.Login), screen: pick(cfg.Screen, d.Screen),
	} {
		rate, err := limiter.NewRateFromFormatted(spec)
		if err != nil {
			return nil, fmt.Errorf("rate limit %s=%q: %w", name, spec, err)
		}
		keyed := rate
		keyed.Limit *= factor
		rl.budgets[name] = &rateBudget{name: name, rate: rate,
			lim:          limiter.New(store, rate),
			keyed:        limiter.New(store, keyed),
			fallback:     limiter.New(fallbackStore, rate),
			cheapRepeats: name == openData}
	}
	for name, secret := range cfg.APIKeys {
		rl.keys[sha256.Sum256([]byte(secret))] = name
	}
	return rl, nil
}

// apiKey returns the name of a valid API key sent by the client, or "".
func (rl *rateLimiter) apiKey(c *gin.Context) string {
	secret := c.GetHeader("X-API-Key")
	if secret == "" || len(secret) > 200 {
		return ""
	}
	h := sha256.Sum256([]byte(secret))
	for k, name := range rl.keys {
		if subtle.ConstantTimeCompare(k[:], h[:]) == 1 {
			return name
		}
	}
	return ""
}

// limit is the rate-limit step of a route counted against the named budget (nil for unmetered
// routes), keyed by API key or client IP (which only trusted proxies may set). If the shared
// store fails, the request is counted in-process instead: limits degrade to per-replica rather
// than failing closed or disappearing (fail-open with a local fallback limit).
func (s *Server) limit(name budgetName) gin.HandlerFunc {
	rl := s.rl
	if name == unmetered || rl.off {
		return nil
	}
	b := rl.budgets[name]
	if b == nil {
		panic(fmt.Sprintf("rate budget %q is not configured", name))
	}
	return func(c *gin.Context) {
		if b.cheapRepeats && mayBeCheap(c.Request) {
			s.limitOnAnswer(c, b)
			return
		}
		lc, ok := s.take(c, b, false)
		if !ok {
			c.Next() // even the in-process store failed: serve rather than refuse everyone
			return
		}
		setRateHeaders(c.Writer.Header(), b, lc)
		if lc.Reached {
			s.refuse(c, b, lc)
			return
		}
		c.Next()
	}
}

// limitOnAnswer counts a conditional or ranged request once its answer is known: a 304 or a
// later piece of a file costs nothing. A client whose budget is spent is still refused, so
// that free answers cannot be requested without end.
func (s *Server) limitOnAnswer(c *gin.Context, b *rateBudget) {
	before, ok := s.take(c, b, true)
	if !ok {
		c.Next()
		return
	}
	if before.Remaining <= 0 { // a peek at a spent budget is not yet "reached"
		before.Remaining, before.Reached = 0, true
		setRateHeaders(c.Writer.Header(), b, before)
		s.refuse(c, b, before)
		return
	}
	w := &answerHook{ResponseWriter: c.Writer}
	w.hook = func(status int) {
		lc := before
		if !cheapAnswer(c.Request, status) {
			if counted, ok := s.take(c, b, false); ok {
				lc = counted
			}
		}
		setRateHeaders(w.Header(), b, lc)
	}
	c.Writer = w
	c.Next()
	w.answer()
	c.Writer = w.ResponseWriter
}

// take counts a request against b for this client (with peek, only reads the count).
func (s *Server) take(c *gin.Context, b *rateBudget, peek bool) (limiter.Context, bool) {
	lim, key := b.lim, string(b.name)+":ip:"+c.ClientIP()
	if kn := s.rl.apiKey(c); kn != "" {
		lim, key = b.keyed, string(b.name)+":key:"+kn
	}
	lc, err := s.sharedGet(c.Request.Context(), lim, key, peek)
	if err != nil {
		if lc, err = getOrPeek(c.Request.Context(), b.fallback, key, peek); err != nil {
			return lc, false
		}
	}
	return lc, true
}

// setRateHeaders tells the client its budget: the limit, what is left, when the window resets
// (Unix time) and the policy as "limit;w=window seconds".
func setRateHeaders(h http.Header, b *rateBudget, lc limiter.Context) {
	h.Set("X-RateLimit-Limit", strconv.FormatInt(lc.Limit, 10))
	h.Set("X-RateLimit-Remaining", strconv.FormatInt(lc.Remaining, 10))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(lc.Reset, 10))
	h.Set("X-RateLimit-Policy", strconv.FormatInt(lc.Limit, 10)+";w="+strconv.FormatInt(int64(b.rate.Period/time.Second), 10))
}

// refuse answers 429 with Retry-After, in the client's format.
func (s *Server) refuse(c *gin.Context, b *rateBudget, lc limiter.Context) {
	s.metrics.rateLimited.WithLabelValues(string(b.name)).Inc()
	retry := lc.Reset - time.Now().Unix()
	if retry < 1 {
		retry = 1
	}
	c.Writer.Header().Set("Retry-After", strconv.FormatInt(retry, 10))
	s.tooManyRequests(c, retry)
	c.Abort()
}

// mayBeCheap reports whether a request's answer may turn out free: a revalidation (304) or a
// Range piece.
func mayBeCheap(r *http.Request) bool {
	return r.Header.Get("If-None-Match") != "" || r.Header.Get("If-Modified-Since") != "" || r.Header.Get("Range") != ""
}

// cheapAnswer reports whether an answer is not counted: a 304, or a 206 whose ranges all start
// after byte 0 — the rest of a file whose first piece was counted (download managers and
// resumed downloads fetch a file in pieces).
func cheapAnswer(r *http.Request, status int) bool {
	switch status {
	case http.StatusNotModified:
		return true
	case http.StatusPartialContent:
		return rangeSkipsStart(r.Header.Get("Range"))
	}
	return false
}

// rangeSkipsStart reports whether a Range header asks only for pieces after the first byte
// (suffix ranges such as "-500" included).
func rangeSkipsStart(h string) bool {
	specs, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return false
	}
	for spec := range strings.SplitSeq(specs, ",") {
		start, _, ok := strings.Cut(strings.TrimSpace(spec), "-")
		if !ok {
			return false
		}
		if start == "" {
			continue // a suffix: the last bytes
		}
		if n, err := strconv.ParseInt(start, 10, 64); err != nil || n == 0 {
			return false
		}
	}
	return true
}

// answerHook calls hook once, with the answer's status, just before the status line and
// headers go out (or when the handler returns having written nothing): the moment a budget
// that counts by outcome knows what to count, and can still set its headers.
type answerHook struct {
	gin.ResponseWriter
	hook func(status int)
	done bool
}

func (w *answerHook) answer() {
	if !w.done {
		w.done = true
		w.hook(w.Status())
	}
}

func (w *answerHook) Write(b []byte) (int, error) {
	w.answer()
	return w.ResponseWriter.Write(b)
}

func (w *answerHook) WriteString(s string) (int, error) {
	w.answer()
	return w.ResponseWriter.WriteString(s)
}

func (w *answerHook) WriteHeaderNow() {
	w.answer()
	w.ResponseWriter.WriteHeaderNow()
}

func (w *answerHook) Flush() {
	w.answer()
	w.ResponseWriter.Flush()
}

// wantsJSON reports whether the client asked for JSON: API routes, or an Accept header that
// prefers JSON over HTML.
func wantsJSON(c *gin.Context) bool {
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		return true
	}
	accept := c.GetHeader("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

func (s *Server) tooManyRequests(c *gin.Context, retry int64) {
	if wantsJSON(c) {
		abortError(c, errorOf(msgRateLimited, retry))
		return
	}
	s.htmlError(c, http.StatusTooManyRequests, "请求过于频繁",
		fmt.Sprintf("您在短时间内发出的请求过多。请 %d 秒后再试；批量获取数据请使用开放数据下载或申请 API 密钥。", retry))
}
