package portal

import (
	"net/http"

	"github.com/gin-gonic/gin"
)

// apiSuggest: GET /api/v1/suggest?q= — name completions for the search box.
func (s *Server) apiSuggest(c *gin.Context) {
	res, err := s.searcher.Suggest(c.Request.Context(), c.Query("q"), 10)
	if err != nil {
		s.apiFail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"suggestions": res})
}
