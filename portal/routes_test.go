package portal

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// routeServer is a server with the default budgets over an empty data folder: enough to build
// its router.
func routeServer(t *testing.T) *Server {
	t.Helper()
	s, err := New(Config{Data: index.DataDir(t.TempDir()), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// declaredRoutes maps "METHOD path" to the site map's line for every route the router should
// have: each GET also as HEAD, and OPTIONS for the routes open to other origins.
func declaredRoutes(s *Server) (map[string]route, route) {
	m := map[string]route{}
	var unknown route
	for _, rt := range s.siteMap(&screening{s: s}) {
		switch rt.method {
		case "":
			unknown = rt
		case http.MethodGet:
			m["GET "+rt.path], m["HEAD "+rt.path] = rt, rt
			if rt.origins == anyOrigin {
				m["OPTIONS "+rt.path] = route{method: http.MethodOptions, path: rt.path, budget: unmetered, body: oneMB, origins: anyOrigin}
			}
		default:
			m[rt.method+" "+rt.path] = rt
		}
	}
	return m, unknown
}

// TestRoutesDeclarePolicy walks the router: every route it serves is a line of the site map
// with a rate budget the limiter knows and a body limit, and every line is served.
func TestRoutesDeclarePolicy(t *testing.T) {
	s := routeServer(t)
	declared, unknown := declaredRoutes(s)
	known := func(b budgetName) bool { return b == unmetered || s.rl.budgets[b] != nil }
	served := map[string]bool{}
	for _, ri := range s.engine.Routes() {
		key := ri.Method + " " + ri.Path
		served[key] = true
		rt, ok := declared[key]
		switch {
		case !ok:
			t.Errorf("%s is served but not in the site map: register it with r.%s in siteMap, with its budget and body limit", key, ri.Method)
		case !known(rt.budget):
			t.Errorf("%s: rate budget %q is not one the limiter has", key, rt.budget)
		case rt.body <= 0:
			t.Errorf("%s: no body limit", key)
		}
	}
	for key := range declared {
		if !served[key] {
			t.Errorf("%s is in the site map but not served", key)
		}
	}
	if !known(unknown.budget) || unknown.body <= 0 || len(unknown.handlers) == 0 {
		t.Errorf("unknown paths: budget %q, body limit %d", unknown.budget, unknown.body)
	}
	if len(served) < 60 {
		t.Errorf("only %d routes served: the walk is not seeing the router", len(served))
	}
}

// TestRoutesWithoutPolicyRefused: a route that leaves out its budget or body limit stops the
// server from starting, so none reaches production unlimited.
func TestRoutesWithoutPolicyRefused(t *testing.T) {
	s := routeServer(t)
	for _, rt := range []route{
		{method: http.MethodGet, path: "/no-budget", body: oneMB, handlers: []gin.HandlerFunc{s.healthz}},
		{method: http.MethodPost, path: "/no-limit", budget: forms, handlers: []gin.HandlerFunc{s.healthz}},
	} {
		s.engine = gin.New()
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s %s registered without its policy", rt.method, rt.path)
				}
			}()
			s.register(routeList{rt})
		}()
	}
}

// TestRoutesBodyLimits: the body limits the security review expects, read from the site map.
func TestRoutesBodyLimits(t *testing.T) {
	s := routeServer(t)
	declared, _ := declaredRoutes(s)
	filing := bodyLimit(s.cfg.Objections.maxUploadBody())
	for key, want := range map[string]bodyLimit{
		"POST /api/v1/objections":                         filing, // 5 attachments of 10 MB and the form: 51 MB
		"POST /objections/new":                            filing,
		"POST /api/v1/objections/:tracking/supplement":    filing,
		"POST /objections/:tracking/supplement":           filing,
		"POST /api/v1/screen":                             6 << 20,
		"POST /screen":                                    6 << 20,
		"POST /admin/login":                               1 << 20,
		"POST /api/v1/admin/objections/:tracking/actions": 1 << 20,
		"GET /api/v1/search":                              1 << 20,
	} {
		if got := declared[key].body; got != want {
			t.Errorf("%s: body limit %d, want %d", key, got, want)
		}
	}
	if filing != 51<<20 {
		t.Errorf("filing limit %d, want 51 MB", filing)
	}
}

// budgetRouter answers, for any request, the budget the site map gives it (budgetFor).
var budgetRouter struct {
	once sync.Once
	e    *gin.Engine
}

// budgetFor is the budget the site map gives a request: its route's, or the one of unknown
// paths; "" for unmetered routes.
func budgetFor(method, path string) string {
	budgetRouter.once.Do(func() {
		dir, err := os.MkdirTemp("", "gongshi-routes")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		s, err := New(Config{Data: index.DataDir(dir), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), RateLimits: RateLimits{Off: true}})
		if err != nil {
			panic(err)
		}
		defer s.Close()
		e := gin.New()
		for _, rt := range s.siteMap(&screening{s: s}) {
			name := string(rt.budget)
			if rt.budget == unmetered {
				name = ""
			}
			answer := func(c *gin.Context) { c.String(http.StatusOK, name) }
			switch rt.method {
			case "":
				e.NoRoute(answer)
			case http.MethodGet:
				e.GET(rt.path, answer)
				e.HEAD(rt.path, answer)
			default:
				e.Handle(rt.method, rt.path, answer)
			}
		}
		budgetRouter.e = e
	})
	w := httptest.NewRecorder()
	budgetRouter.e.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	return w.Body.String()
}

// TestRoutesBudgets: the budget of each kind of request, as the rate-limit tests rely on.
func TestRoutesBudgets(t *testing.T) {
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/healthz", ""},
		{"GET", "/metrics", ""},
		{"GET", "/static/app.css", ""},
		{"GET", "/", "pages"},
		{"GET", "/search", "pages"},
		{"GET", "/entities/" + huawei, "pages"},
		{"GET", "/no/such/page", "pages"},
		{"GET", "/api/v1/search", "search"},
		{"GET", "/api/v1/entities/" + huawei, "search"},
		{"GET", "/api/v1/changes", "search"},
		{"GET", "/api/v1/suggest", "suggest"},
		{"GET", "/data/", "opendata"},
		{"GET", "/data/catalog.json", "opendata"},
		{"GET", "/data/blacklist/latest/blacklist.csv.gz", "opendata"},
		{"HEAD", "/data/blacklist/latest/blacklist.csv.gz", "opendata"},
		{"GET", "/feeds/blacklist.atom", "downloads"},
		{"GET", "/entities/" + huawei + "/report.pdf", "downloads"},
		{"POST", "/api/v1/objections", "forms"},
		{"POST", "/objections/new", "forms"},
		{"POST", "/admin/login", "login"},
		{"GET", "/admin/login", "search"},
		{"GET", "/admin/", "search"},
		{"POST", "/api/v1/admin/objections/X/actions", "search"},
		{"POST", "/api/v1/screen", "screen"},
		{"GET", "/screen", "pages"},
	} {
		if got := budgetFor(tc.method, tc.path); got != tc.want {
			t.Errorf("%s %s: budget %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
}

// TestRoutesOpenToOtherOrigins: public data, the public API and feeds are open to other
// origins; the back office, objections, forms and pages never are.
func TestRoutesOpenToOtherOrigins(t *testing.T) {
	s := routeServer(t)
	declared, _ := declaredRoutes(s)
	var open []string
	for key, rt := range declared {
		if rt.origins != anyOrigin {
			continue
		}
		open = append(open, key)
		method, path, _ := strings.Cut(key, " ")
		if method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions {
			t.Errorf("%s: a write open to other origins", key)
		}
		for _, closed := range []string{"/admin", "/api/v1/admin", "/objections", "/api/v1/objections", "/screen", "/api/v1/screen"} {
			if path == closed || strings.HasPrefix(path, closed+"/") {
				t.Errorf("%s is open to other origins", key)
			}
		}
	}
	for _, want := range []string{
		"GET /data/catalog.json", "GET /data/dcat.jsonld", "GET /data/:list/", "GET /data/:list/:version/",
		"GET /data/:list/:version/:file", "OPTIONS /data/:list/:version/:file", "GET /api/v1/changes",
		"GET /api/v1/search", "GET /api/v1/suggest", "GET /api/v1/entities/:code", "GET /api/v1/lists/:list",
		"GET /feeds/:feed", "GET /feeds/entities/:feed", "HEAD /feeds/:feed",
	} {
		if !slices.Contains(open, want) {
			t.Errorf("%s is not open to other origins", want)
		}
	}
}
