package portal

import (
	_ "embed"

	"github.com/gin-gonic/gin"
)

//go:embed openapi.yaml
var openAPISpec []byte

// openAPI: GET /openapi.yaml
func (s *Server) openAPI(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Data(200, "application/yaml; charset=utf-8", openAPISpec)
}
