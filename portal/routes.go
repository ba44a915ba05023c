package portal

// routes is the whole site map, top to bottom.
func (s *Server) routes() {
	e := s.engine
	e.Use(s.recoverJSON(), s.accessLog())

	// Operations.
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)

	// JSON API.
	api := e.Group("/api/v1")
	api.GET("/search", s.apiSearch)
	api.GET("/suggest", s.apiSuggest)
	api.GET("/entities/:code", s.apiEntity)

	e.NoRoute(s.notFound)
}
