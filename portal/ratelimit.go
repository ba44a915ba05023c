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
	Downloads string
	Forms     string
	Login     string
	// Screen is the batch-screening budget, counted per request (each holds up to 10,000 subjects).
	Screen string
	// APIKeys maps a key's name to its secret; requests with "X-API-Key: secret" are counted per
	// key, with APIKeyFactor times the budget.
	APIKeys      map[string]string
	APIKeyFactor int64
	// RedisURL shares counters between replicas; empty = in-process memory.
	RedisURL string
}

// DefaultRateLimits are generous for people and strict enough to stop scrapers.
func DefaultRateLimits() RateLimits {
	return RateLimits{Pages: "120-M", Search: "60-M", Suggest: "300-M", Downloads: "30-M", Forms: "10-M", Login: "5-M", Screen: "10-M", APIKeyFactor: 10}
}

// budget is one named rate limit.
type budget struct {
	name     string
	rate     limiter.Rate
	lim      *limiter.Limiter // shared store (memory or Redis)
	keyed    *limiter.Limiter // the same store, the budget of API-key holders
	fallback *limiter.Limiter // in-process, used while the shared store fails
}

// rateLimiter holds every budget of the server.
type rateLimiter struct {
	off     bool
	budgets map[string]*budget
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

// sharedGet counts a request in the shared store, unless that store failed recently.
func (s *Server) sharedGet(ctx context.Context, lim *limiter.Limiter, key string) (limiter.Context, error) {
	rl := s.rl
	if time.Now().UnixNano() < rl.sharedDownUntil.Load() {
		return limiter.Context{}, errSharedDown
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	lc, err := lim.Get(ctx, key)
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

func newRateLimiter(cfg RateLimits) (*rateLimiter, error) {
	rl := &rateLimiter{off: cfg.Off, budgets: map[string]*budget{}, keys: map[[32]byte]string{}}
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
	for name, spec := range map[string]string{
		"pages": pick(cfg.Pages, d.Pages), "search": pick(cfg.Search, d.Search), "suggest": pick(cfg.Suggest, d.Suggest),
		"downloads": pick(cfg.Downloads, d.Downloads), "forms": pick(cfg.Forms, d.Forms), "login": pick(cfg.Login, d.Login),
		"screen": pick(cfg.Screen, d.Screen),
	} {
		rate, err := limiter.NewRateFromFormatted(spec)
		if err != nil {
			return nil, fmt.Errorf("rate limit %s=%q: %w", name, spec, err)
		}
		keyed := rate
		keyed.Limit *= factor
		rl.budgets[name] = &budget{name: name, rate: rate,
			lim:      limiter.New(store, rate),
			keyed:    limiter.New(store, keyed),
			fallback: limiter.New(fallbackStore, rate)}
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

// limit counts a request against a budget, keyed by API key or client IP (which only trusted
// proxies may set). If the shared store fails, the request is counted in-process instead:
// limits degrade to per-replica rather than failing closed or disappearing (fail-open with
// a local fallback limit).
func (s *Server) limit(name string) gin.HandlerFunc {
	rl := s.rl
	if rl.off {
		return func(c *gin.Context) { c.Next() }
	}
	b := rl.budgets[name]
	return func(c *gin.Context) {
		lim, key := b.lim, b.name+":ip:"+c.ClientIP()
		if kn := rl.apiKey(c); kn != "" {
			lim, key = b.keyed, b.name+":key:"+kn
		}
		lc, err := s.sharedGet(c.Request.Context(), lim, key)
		if err != nil {
			if lc, err = b.fallback.Get(c.Request.Context(), key); err != nil {
				c.Next() // even the in-process store failed: serve rather than refuse everyone
				return
			}
		}
		h := c.Writer.Header()
		h.Set("X-RateLimit-Limit", strconv.FormatInt(lc.Limit, 10))
		h.Set("X-RateLimit-Remaining", strconv.FormatInt(lc.Remaining, 10))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(lc.Reset, 10))
		if lc.Reached {
			s.metrics.rateLimited.WithLabelValues(b.name).Inc()
			retry := lc.Reset - time.Now().Unix()
			if retry < 1 {
				retry = 1
			}
			h.Set("Retry-After", strconv.FormatInt(retry, 10))
			s.tooManyRequests(c, retry)
			c.Abort()
			return
		}
		c.Next()
	}
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
		apiError(c, http.StatusTooManyRequests, "rate_limited",
			fmt.Sprintf("too many requests; retry after %d seconds", retry),
			fmt.Sprintf("请求过于频繁，请 %d 秒后再试。", retry))
		return
	}
	s.htmlError(c, http.StatusTooManyRequests, "请求过于频繁",
		fmt.Sprintf("您在短时间内发出的请求过多。请 %d 秒后再试；批量获取数据请使用开放数据下载或申请 API 密钥。", retry))
}

// budgetFor picks the budget of a request from its route: one place, so that every page, API
// route, download and form is covered, including routes added later.
func budgetFor(method, path string) string {
	switch {
	case path == "/healthz" || path == "/readyz" || path == "/metrics" || strings.HasPrefix(path, "/static/"):
		return ""
	case method == http.MethodPost && strings.HasPrefix(path, "/admin/login"):
		return "login"
	case method == http.MethodPost && (path == "/api/v1/screen" || path == "/screen"):
		return "screen"
	case strings.HasPrefix(path, "/admin/") || strings.HasPrefix(path, "/api/v1/admin/"):
		return "search" // authenticated reviewers: a working budget, not the public form limit
	case method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch || method == http.MethodDelete:
		return "forms"
	case strings.HasPrefix(path, "/api/v1/suggest"):
		return "suggest"
	case strings.HasPrefix(path, "/api/"):
		return "search"
	case strings.HasPrefix(path, "/data/") || strings.HasPrefix(path, "/feeds/") || isReportPath(path):
		return "downloads"
	}
	return "pages"
}

// rateLimit applies the budget of each request's route.
func (s *Server) rateLimit() gin.HandlerFunc {
	handlers := map[string]gin.HandlerFunc{}
	for name := range s.rl.budgets {
		handlers[name] = s.limit(name)
	}
	return func(c *gin.Context) {
		if s.rl.off {
			c.Next()
			return
		}
		if h := handlers[budgetFor(c.Request.Method, c.Request.URL.Path)]; h != nil {
			h(c)
			return
		}
		c.Next()
	}
}
