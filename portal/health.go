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

// readyz: a generation is loaded and searchable, and not more than MaxLag data sequences
// behind the data folder's current one (a replica that fell behind is taken out of a load
// balancer's rotation until it has caught up, which it does by itself).
func (s *Server) readyz(c *gin.Context) {
	info, ok := s.live.Current()
	if !ok {
		c.JSON(http.StatusServiceUnavailable, gin.H{"status": "loading"})
		return
	}
	served, newest := s.lag()
	body := gin.H{"status": "ready", "generation": info.ID, "seq": served, "newest_seq": newest, "behind": newest - served,
		"entities": info.Entities, "records": info.Records, "data_date": info.DataDate}
	if s.cfg.MaxLag >= 0 && newest-served > s.cfg.MaxLag {
		body["status"] = "behind"
		c.JSON(http.StatusServiceUnavailable, body)
		return
	}
	c.JSON(http.StatusOK, body)
}
