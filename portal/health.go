package portal

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// healthz: the process is up.
func (s *Server) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok", "uptime_s": int(time.Since(s.started).Seconds())})
}

// readyz: a generation is loaded and searchable.
func (s *Server) readyz(c *gin.Context) {
	info, ok := s.live.Current()
	if !ok {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "loading"})
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "generation": info.ID, "entities": info.Entities, "records": info.Records, "data_date": info.DataDate})
}
