package portal

import (
	"fmt"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// siteMap is the whole site, top to bottom. Each route states its policy beside it: the rate
// budget it is counted against (ratelimit.go), the largest request body it accepts, and, for
// reads, whether pages on other origins may read it (cors.go) and how long it may be cached
// (cache.go): cacheable answers depend only on the served data, noStore ones are personal.
// Every GET also answers HEAD, and an anyOrigin route answers the browser's preflight OPTIONS
// (register). Every answer is gzipped where the client accepts it (compress.go).
func (s *Server) siteMap(scr *screening) routeList {
	session, token := s.requireSession(), s.requireToken()
	filing := bodyLimit(s.cfg.Objections.maxUploadBody()) // a filing with its attachments
	screenList := bodyLimit(screenMaxBytes + 1<<20)       // a list, with room for the form around it
	cacheable := newPageCache(s).cacheable                // ETag from the data version, 304, Cache-Control
	const minute = time.Minute                            // a CDN may hold lists and statistics a minute
	var r routeList

	// Operations: probes and metrics are never counted against anyone.
	r.GET("/healthz", unmetered, oneMB, sameOrigin, s.healthz)
	r.GET("/readyz", unmetered, oneMB, sameOrigin, s.readyz)
	r.GET("/metrics", unmetered, oneMB, sameOrigin, s.metrics.handler())
	r.GET("/openapi.yaml", pages, oneMB, anyOrigin, s.openAPI)

	// Search and entities: an entity is revalidated at every view (a decision must show at
	// once); the home page and suggestions may be held a minute.
	r.GET("/", pages, oneMB, sameOrigin, cacheable(minute), s.pageHome)
	r.GET("/search", pages, oneMB, sameOrigin, cacheable(0), s.pageSearch)
	r.GET("/entities/:code", pages, oneMB, sameOrigin, cacheable(0), s.pageEntity)
	r.GET("/api/v1/search", search, oneMB, anyOrigin, cacheable(0), s.apiSearch)
	r.GET("/api/v1/suggest", suggest, oneMB, anyOrigin, cacheable(minute), s.apiSuggest)
	r.GET("/api/v1/entities/:code", search, oneMB, anyOrigin, cacheable(0), s.apiEntity)

	// Lists and statistics.
	r.GET("/lists/:list", pages, oneMB, sameOrigin, cacheable(minute), s.pageList)
	r.GET("/api/v1/lists/:list", search, oneMB, anyOrigin, cacheable(minute), s.apiList)
	r.GET("/stats", pages, oneMB, sameOrigin, cacheable(minute), s.pageStats)

	// Open data: catalogs, dataset folders and files, fetched in bulk by harvesters and data tools.
	r.GET("/data/", openData, oneMB, sameOrigin, s.pageData)
	r.GET("/data/catalog.json", openData, oneMB, anyOrigin, s.dataCatalog)
	r.GET("/data/dcat.jsonld", openData, oneMB, anyOrigin, s.dataDCAT)
	r.GET("/data/:list", openData, oneMB, anyOrigin, s.dataFolderRedirect)
	r.GET("/data/:list/", openData, oneMB, anyOrigin, s.dataVersions)
	r.GET("/data/:list/:version", openData, oneMB, anyOrigin, s.dataFolderRedirect)
	r.GET("/data/:list/:version/", openData, oneMB, anyOrigin, s.dataVersionIndex)
	r.GET("/data/:list/:version/:file", openData, oneMB, anyOrigin, s.dataFile)
	r.GET("/api/v1/changes", search, oneMB, anyOrigin, s.apiChanges)

	// Feeds: {list}.atom, search.atom and one entity's.
	r.GET("/feeds/:feed", downloads, oneMB, anyOrigin, s.feedList)
	r.GET("/feeds/entities/:feed", downloads, oneMB, anyOrigin, s.feedEntity)

	// Credit reports. Issuing one writes a numbered report, so only its lookup, verification
	// keys and the API are open to other origins.
	r.GET("/entities/:code/report", downloads, oneMB, sameOrigin, s.pageReport)
	r.GET("/entities/:code/report.pdf", downloads, oneMB, sameOrigin, s.reportPDF)
	r.GET("/entities/:code/report.json", downloads, oneMB, sameOrigin, s.reportJSON)
	r.GET("/r/:number", pages, oneMB, sameOrigin, s.reportShortLink) // the QR code's target
	r.GET("/reports/verify/:number", downloads, oneMB, sameOrigin, s.pageReportVerify)
	r.POST("/reports/verify/:number", forms, oneMB, s.pageReportVerifyCopy)
	r.GET("/reports/public-key", downloads, oneMB, anyOrigin, s.reportPublicKey)
	r.GET("/reports/public-key.pem", downloads, oneMB, anyOrigin, s.reportPublicKeyPEM)
	r.GET("/api/v1/reports/:number", search, oneMB, anyOrigin, s.apiReport)

	// Objections and credit repair: filing, following a case, supplements.
	r.GET("/objections/new", pages, oneMB, sameOrigin, noStore, s.pageObjectionNew)
	r.POST("/objections/new", forms, filing, noStore, s.pagePostObjection)
	r.GET("/objections/:tracking", pages, oneMB, sameOrigin, noStore, s.pageObjectionStatus)
	r.POST("/objections/:tracking", forms, oneMB, noStore, s.pageObjectionCheck)
	r.POST("/objections/:tracking/supplement", forms, filing, noStore, s.pageObjectionSupplement)
	r.POST("/api/v1/objections", forms, filing, noStore, s.apiFileObjection)
	r.GET("/api/v1/objections/stats", search, oneMB, sameOrigin, s.apiObjectionStats)
	r.GET("/api/v1/objections/:tracking", search, oneMB, sameOrigin, noStore, s.apiObjection)
	r.POST("/api/v1/objections/:tracking/supplement", forms, filing, noStore, s.apiSupplement)

	// Tip-offs (举报): anyone reports an entity or a record; followed by number and check code.
	r.GET("/tipoffs/new", pages, oneMB, sameOrigin, noStore, s.pageTipoffNew)
	r.POST("/tipoffs/new", forms, filing, noStore, s.pagePostTipoff)
	r.GET("/tipoffs/:tracking", pages, oneMB, sameOrigin, noStore, s.pageTipoffStatus)
	r.POST("/tipoffs/:tracking", forms, oneMB, noStore, s.pageTipoffCheck)
	r.POST("/api/v1/tipoffs", forms, filing, noStore, s.apiFileTipoff)
	r.GET("/api/v1/tipoffs/stats", search, oneMB, sameOrigin, s.apiTipoffStats)
	r.GET("/api/v1/tipoffs/:tracking", search, oneMB, sameOrigin, noStore, s.apiTipoff)

	// Back office: reviewers get a working budget, not the public form limit.
	r.GET("/admin/login", search, oneMB, sameOrigin, noStore, s.pageAdminLogin)
	r.POST("/admin/login", login, oneMB, noStore, s.pageAdminLoginPost)
	r.POST("/admin/logout", search, oneMB, noStore, s.pageAdminLogout)
	r.GET("/admin/", search, oneMB, sameOrigin, noStore, session, s.pageAdminQueue)
	r.GET("/admin/objections/:tracking", search, oneMB, sameOrigin, noStore, session, s.pageAdminCase)
	r.POST("/admin/objections/:tracking", search, oneMB, noStore, session, s.pageAdminAction)
	r.GET("/admin/attachments/:id", search, oneMB, sameOrigin, noStore, session, s.pageAdminAttachment)
	r.GET("/admin/tipoffs", search, oneMB, sameOrigin, noStore, session, s.pageAdminTipoffs)
	r.GET("/admin/tipoffs/:tracking", search, oneMB, sameOrigin, noStore, session, s.pageAdminTipoff)
	r.POST("/admin/tipoffs/:tracking", search, oneMB, noStore, session, s.pageAdminTipoffAction)
	r.GET("/admin/tipoff-attachments/:id", search, oneMB, sameOrigin, noStore, session, s.pageAdminTipoffAttachment)
	r.GET("/api/v1/admin/objections", search, oneMB, sameOrigin, noStore, token, s.apiAdminQueue)
	r.GET("/api/v1/admin/objections/:tracking", search, oneMB, sameOrigin, noStore, token, s.apiAdminCase)
	r.POST("/api/v1/admin/objections/:tracking/actions", search, oneMB, noStore, token, s.apiAdminAction)
	r.GET("/api/v1/admin/tipoffs", search, oneMB, sameOrigin, noStore, token, s.apiAdminTipoffs)
	r.GET("/api/v1/admin/tipoffs/:tracking", search, oneMB, sameOrigin, noStore, token, s.apiAdminTipoff)
	r.POST("/api/v1/admin/tipoffs/:tracking/actions", search, oneMB, noStore, token, s.apiAdminTipoffAction)

	// Screening: a list of up to 10,000 subjects per request.
	r.GET("/screen", pages, oneMB, sameOrigin, noStore, scr.page)
	r.POST("/screen", screen, screenList, noStore, scr.pagePost)
	r.POST("/api/v1/screen", screen, screenList, noStore, scr.api)

	// Static assets.
	r.GET("/static/*file", unmetered, oneMB, sameOrigin, s.staticFile)

	// Anything else: a Chinese page for browsers, JSON for API clients.
	r.NoRoute(pages, oneMB, s.noRoute)
	return r
}

// routes registers the site map with the router.
func (s *Server) routes() {
	s.engine.Use(s.recoverJSON(), securityHeaders(), s.metrics.observe(), s.accessLog(), s.crossOriginProtection(), s.stampDataVersion(), compress())
	s.register(s.siteMap(s.newScreening()))
}

// route is one line of the site map.
type route struct {
	method   string // "" for the handler of unknown paths
	path     string
	budget   budgetName
	body     bodyLimit
	origins  origins // only for GET: writes are never open to other origins
	handlers []gin.HandlerFunc
}

// routeList collects the site map in the order it is written.
type routeList []route

// GET declares a read: its budget, body limit and the origins that may read it.
func (r *routeList) GET(path string, b budgetName, body bodyLimit, o origins, h ...gin.HandlerFunc) {
	*r = append(*r, route{method: http.MethodGet, path: path, budget: b, body: body, origins: o, handlers: h})
}

// POST declares a write, never open to other origins.
func (r *routeList) POST(path string, b budgetName, body bodyLimit, h ...gin.HandlerFunc) {
	*r = append(*r, route{method: http.MethodPost, path: path, budget: b, body: body, handlers: h})
}

// NoRoute declares the answer to unknown paths, which is counted too.
func (r *routeList) NoRoute(b budgetName, body bodyLimit, h ...gin.HandlerFunc) {
	*r = append(*r, route{budget: b, body: body, handlers: h})
}

// register puts each route on the router behind its policy: other origins first (so that
// they can read a 413 or 429 too), then the body limit, the rate budget and the route's own
// handlers. A GET is registered for HEAD as well (gin does not do it), with the same handlers:
// net/http drops the body, and http.ServeContent skips reading files. A route without a budget
// or body limit stops the server from starting.
func (s *Server) register(routes routeList) {
	e := s.engine
	for _, rt := range routes {
		if rt.budget == "" || rt.body <= 0 {
			panic(fmt.Sprintf("route %s %q: every route states its rate budget and body limit", rt.method, rt.path))
		}
		chain := s.policy(rt.origins, rt.body, rt.budget)
		chain = append(chain, rt.handlers...)
		switch rt.method {
		case "":
			e.NoRoute(chain...)
		case http.MethodGet:
			e.GET(rt.path, chain...)
			e.HEAD(rt.path, chain...)
			if rt.origins == anyOrigin {
				e.OPTIONS(rt.path, append(s.policy(anyOrigin, oneMB, unmetered), preflight)...)
			}
		default:
			e.Handle(rt.method, rt.path, chain...)
		}
	}
}

// policy is the handlers that apply a route's policy, in order.
func (s *Server) policy(o origins, body bodyLimit, b budgetName) []gin.HandlerFunc {
	var h []gin.HandlerFunc
	if o == anyOrigin {
		h = append(h, allowAnyOrigin)
	}
	h = append(h, s.limitBody(body))
	if lim := s.limit(b); lim != nil {
		h = append(h, lim)
	}
	return h
}
