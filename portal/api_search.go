package portal

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// searchRequest reads the search parameters shared by the page and the API.
func searchRequest(c *gin.Context) (index.SearchRequest, error) {
	r := index.SearchRequest{
		Query:      c.Query("q"),
		Region:     c.Query("region"),
		Status:     c.Query("status"),
		EntityType: c.Query("type"),
		Cursor:     c.Query("cursor"),
		Facets:     true,
		Close:      true, // a typo answers with close names (tier "close"), not with nothing
	}
	for _, h := range c.QueryArray("has") {
		for _, v := range strings.Split(h, ",") {
			if v = strings.TrimSpace(v); v != "" {
				r.Has = append(r.Has, v)
			}
		}
	}
	if len(r.Has) > 8 {
		return r, &index.BadRequestError{Code: "bad_has", Message: "筛选条件过多。", MessageEN: "too many has values"}
	}
	if sz := c.Query("size"); sz != "" {
		n, err := strconv.Atoi(sz)
		if err != nil || n < 1 {
			return r, &index.BadRequestError{Code: "bad_size", Message: "每页条数应为 1–50 的整数。", MessageEN: "size must be an integer from 1 to 50"}
		}
		r.Size = n
	}
	return r, nil
}

// apiSearch: GET /api/v1/search
func (s *Server) apiSearch(c *gin.Context) {
	if refuseUnknownParams(c, searchParams) {
		return
	}
	r, err := searchRequest(c)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	res, err := s.searcher.Search(c.Request.Context(), r)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	s.metrics.search.WithLabelValues(string(res.Class)).Observe(res.TookMS / 1000)
	c.JSON(http.StatusOK, res)
}
