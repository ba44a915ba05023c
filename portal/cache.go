package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/templates"
)

// HTTP caching of answers that depend only on the served data: search, entities, lists,
// statistics, the home page and name suggestions. Such an answer is the same for everyone
// until the data changes, and the data changes in four ways only: a new generation is loaded,
// a reviewer's decision changes the overlay (hidden, corrected and disputed records), the day
// changes (publication periods end), or a new release changes the pages. The ETag is made of
// those and of the request's URL, so a revalidation is answered 304
// before the handler runs, without a search.
//
// Routes declare it in the site map (routes.go): cacheable(60*time.Second) lets browsers and
// a CDN keep an answer a minute, cacheable(0) lets them store it but revalidate each time.
// Answers other than 200 (errors, 404s) get none of it. Personal routes declare noStore.

// pageCache computes the data version of one server's answers.
type pageCache struct {
	s *Server

	mu         sync.Mutex
	overlayVer int64     // the overlay version the fingerprint was taken at
	overlaySum string    // fingerprint of the decisions' content
	overlayAt  time.Time // when this process first saw the current fingerprint
}

func newPageCache(s *Server) *pageCache { return &pageCache{s: s, overlayVer: -1} }

// dataVersion is what a cacheable answer depends on.
type dataVersion struct {
	generation string
	built      time.Time
	overlay    string
	overlayAt  time.Time
	day        string
}

// version returns the serving data version; false before a generation is loaded.
func (p *pageCache) version(ctx context.Context) (dataVersion, bool) {
	info, ok := p.s.live.Current()
	if !ok {
		return dataVersion{}, false
	}
	sum, at := p.overlay(ctx)
	return dataVersion{generation: info.ID, built: info.BuiltAt, overlay: sum, overlayAt: at, day: p.s.today()}, true
}

// overlay fingerprints the decisions the pages apply. The overlay cache's version moves at
// every refresh (every 2 seconds under traffic) whether or not a decision changed, so the
// fingerprint is of the content: it changes only with a decision, and is the same on every
// replica that has read the same decisions.
func (p *pageCache) overlay(ctx context.Context) (string, time.Time) {
	st := p.s.overlay.current(ctx) // refreshed first: the tag must not be older than what the handler serves
	p.mu.Lock()
	defer p.mu.Unlock()
	if st.ver <= p.overlayVer {
		// This version, or an older one a slower request read before a newer one was
		// fingerprinted: the newest fingerprint stands (versions only grow).
		return p.overlaySum, p.overlayAt
	}
	sum := overlayFingerprint(st.hidden, st.corrected, st.pending)
	if sum != p.overlaySum {
		p.overlaySum, p.overlayAt = sum, time.Now()
		if sum == "none" {
			p.overlayAt = time.Time{}
		}
	}
	p.overlayVer = st.ver
	return p.overlaySum, p.overlayAt
}

// overlayFingerprint hashes the decisions in a canonical order.
func overlayFingerprint(hidden map[string]string, corrected map[string]map[string]string, pending map[string]string) string {
	if len(hidden)+len(corrected)+len(pending) == 0 {
		return "none"
	}
	h := sha256.New()
	flat := func(tag string, m map[string]string) {
		for _, k := range slices.Sorted(mapKeys(m)) {
			h.Write([]byte(tag + "\x00" + k + "\x00" + m[k] + "\x00"))
		}
	}
	flat("h", hidden)
	flat("p", pending)
	for _, id := range slices.Sorted(mapKeys(corrected)) {
		flat("c"+id, corrected[id])
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// releaseTag changes with every release: the binary's build (module versions and commit) and
// the page templates, so that a new release's pages are not answered 304 with an old page.
var releaseTag = func() string {
	h := sha256.New()
	if bi, ok := debug.ReadBuildInfo(); ok {
		h.Write([]byte(bi.String()))
	}
	_ = fs.WalkDir(templates.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(templates.FS, p)
			h.Write([]byte(p + "\x00"))
			h.Write(b)
		}
		return nil
	})
	for _, name := range slices.Sorted(mapKeys(staticAssets)) {
		h.Write([]byte(name + "\x00" + staticAssets[name].hash + "\x00"))
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}()

// etag is the weak validator of an answer to r: weak because API answers carry their own
// timing (took_ms), so two answers of the same version are equivalent, not byte-identical.
// The gzipped and the plain answer are equivalent too and share it (a HEAD states the ETag its
// GET does whatever either accepts); Vary: Accept-Encoding keeps them apart in caches.
func (v dataVersion) etag(r *http.Request) string {
	h := sha256.Sum256([]byte(strings.Join([]string{releaseTag, v.generation, v.overlay, v.day, r.URL.RequestURI()}, "\x00")))
	return `W/"` + hex.EncodeToString(h[:12]) + `"`
}

// lastModified is the newest of the generation's build, the decisions this process has seen
// change, and the start of the day (publication periods end at midnight).
func (v dataVersion) lastModified() time.Time {
	lm := v.built
	if v.overlayAt.After(lm) {
		lm = v.overlayAt
	}
	if d, err := time.ParseInLocation(time.DateOnly, v.day, index.ChinaTime); err == nil && d.After(lm) {
		lm = d
	}
	return lm
}

// cacheable is the caching policy of a route answered from the served data alone: a client
// or CDN may keep a 200 for maxAge (0: keep it but revalidate every time), and a revalidation
// whose ETag still matches is answered 304 without running the handler. If-Modified-Since
// alone is not answered 304: a decision can change an answer within the second.
func (p *pageCache) cacheable(maxAge time.Duration) gin.HandlerFunc {
	cc := "public, no-cache"
	if maxAge > 0 {
		cc = "public, max-age=" + strconv.Itoa(int(maxAge/time.Second))
	}
	return func(c *gin.Context) {
		v, ok := p.version(c.Request.Context())
		if !ok {
			c.Next() // no data yet: the handler answers 503, which is not cached
			return
		}
		tag := v.etag(c.Request)
		set := func(h http.Header) {
			h.Set("ETag", tag)
			h.Set("Last-Modified", v.lastModified().UTC().Format(http.TimeFormat))
			h.Set("Cache-Control", cc)
			addVary(h, "Accept-Encoding")
		}
		if etagMatches(c.GetHeader("If-None-Match"), tag) {
			set(c.Writer.Header())
			c.AbortWithStatus(http.StatusNotModified)
			return
		}
		orig := c.Writer
		w := &headerHook{ResponseWriter: orig, hook: func(status int) {
			if status == http.StatusOK {
				set(orig.Header())
			}
		}}
		c.Writer = w
		c.Next()
		w.fire()
		c.Writer = orig
	}
}

// noStore is the policy of personal answers (objection tracking, the back office, forms,
// screening results): no cache, shared or private, keeps them.
func noStore(c *gin.Context) {
	c.Header("Cache-Control", "no-store")
	c.Next()
}

// etagMatches is the weak comparison of If-None-Match (RFC 9110 13.1.2).
func etagMatches(inm, tag string) bool {
	if inm == "" {
		return false
	}
	want := strings.TrimPrefix(tag, "W/")
	for t := range strings.SplitSeq(inm, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == want {
			return true
		}
	}
	return false
}

// addVary adds a field to Vary once.
func addVary(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for f := range strings.SplitSeq(v, ",") {
			if f = strings.TrimSpace(f); f == "*" || strings.EqualFold(f, field) {
				return
			}
		}
	}
	h.Add("Vary", field)
}

// headerHook calls hook with the status just before the headers are sent, so that a policy
// can set headers for some statuses only.
type headerHook struct {
	gin.ResponseWriter
	hook  func(status int)
	fired bool
}

func (w *headerHook) fire() {
	if !w.fired {
		w.fired = true
		w.hook(w.ResponseWriter.Status())
	}
}

func (w *headerHook) WriteHeaderNow() { w.fire(); w.ResponseWriter.WriteHeaderNow() }
func (w *headerHook) Write(b []byte) (int, error) {
	w.fire()
	return w.ResponseWriter.Write(b)
}
func (w *headerHook) WriteString(s string) (int, error) {
	w.fire()
	return w.ResponseWriter.WriteString(s)
}
func (w *headerHook) Flush() { w.fire(); w.ResponseWriter.Flush() }

// Unwrap lets http.ResponseController reach the connection.
func (w *headerHook) Unwrap() http.ResponseWriter { return w.ResponseWriter }
