package portal

// routes is the whole site map, top to bottom.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recoverJSON(), securityHeaders(), s.metrics.observe(), s.accessLog(), s.limitBody(), s.crossOriginProtection(), s.rateLimit())

	// Operations.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metrics.handler())
	e.GET("/openapi.yaml", s.openAPI)

	// JSON API.
	api := e.Group("/api/v1")
	api.GET("/search", s.apiSearch)
	api.GET("/suggest", s.apiSuggest)
	api.GET("/entities/:code", s.apiEntity)

	// Objections and credit repair (JSON).
	api.POST("/objections", s.apiFileObjection)
	api.GET("/objections/stats", s.apiObjectionStats)
	api.GET("/objections/:tracking", s.apiObjection)
	api.POST("/objections/:tracking/supplement", s.apiSupplement)
	review := api.Group("/admin", s.requireToken())
	review.GET("/objections", s.apiAdminQueue)
	review.GET("/objections/:tracking", s.apiAdminCase)
	review.POST("/objections/:tracking/actions", s.apiAdminAction)

	// Pages.
	e.GET("/", s.pageHome)
	e.GET("/search", s.pageSearch)
	e.GET("/entities/:code", s.pageEntity)
	e.GET("/lists/:list", s.pageList)
	e.GET("/stats", s.pageStats)
	api.GET("/lists/:list", s.apiList) // the lists' JSON, beside their pages

	// Objections (pages).
	e.GET("/objections/new", s.pageObjectionNew)
	e.POST("/objections/new", s.pagePostObjection)
	e.GET("/objections/:tracking", s.pageObjectionStatus)
	e.POST("/objections/:tracking", s.pageObjectionCheck)
	e.POST("/objections/:tracking/supplement", s.pageObjectionSupplement)

	// Back office.
	e.GET("/admin/login", s.pageAdminLogin)
	e.POST("/admin/login", s.pageAdminLoginPost)
	e.POST("/admin/logout", s.pageAdminLogout)
	admin := e.Group("/admin", s.requireSession())
	admin.GET("/", s.pageAdminQueue)
	admin.GET("/objections/:tracking", s.pageAdminCase)
	admin.POST("/objections/:tracking", s.pageAdminAction)
	admin.GET("/attachments/:id", s.pageAdminAttachment)

	// Open data and feeds.
	e.GET("/data/", s.pageData)
	e.GET("/data/catalog.json", s.dataCatalog)
	e.GET("/data/dcat.jsonld", s.dataDCAT)
	e.GET("/data/:list", s.dataFolderRedirect)
	e.GET("/data/:list/", s.dataVersions)
	e.GET("/data/:list/:version", s.dataFolderRedirect)
	e.GET("/data/:list/:version/", s.dataVersionIndex)
	e.GET("/data/:list/:version/:file", s.dataFile)
	api.GET("/changes", s.apiChanges)
	e.GET("/feeds/:feed", s.feedList) // {list}.atom and search.atom
	e.GET("/feeds/entities/:feed", s.feedEntity)

	// Credit reports.
	e.GET("/entities/:code/report", s.pageReport)
	e.GET("/entities/:code/report.pdf", s.reportPDF)
	e.GET("/entities/:code/report.json", s.reportJSON)
	e.GET("/r/:number", s.reportShortLink) // the QR code's target
	e.GET("/reports/verify/:number", s.pageReportVerify)
	e.POST("/reports/verify/:number", s.pageReportVerifyCopy)
	e.GET("/reports/public-key", s.reportPublicKey)
	e.GET("/reports/public-key.pem", s.reportPublicKeyPEM)
	api.GET("/reports/:number", s.apiReport)

	// Screening.
	scr := s.newScreening()
	e.GET("/screen", scr.page)
	e.POST("/screen", scr.pagePost)
	api.POST("/screen", scr.api)

	// Static assets.
	e.GET("/static/*file", s.staticFile)

	e.NoRoute(s.noRoute) // Chinese page for browsers, JSON for API clients
}
