package portal

import (
	"strconv"

	"github.com/gin-gonic/gin"
)

// dataVersionHeader names the data sequence number an answer was made from: every applied
// snapshot moves it by one, so a client (or a load balancer comparing replicas) can tell
// which state of the data it got, and whether two answers come from the same one.
const dataVersionHeader = "X-Data-Version"

// stampDataVersion sets X-Data-Version on every answer once a generation is served.
func (s *Server) stampDataVersion() gin.HandlerFunc {
	return func(c *gin.Context) {
		if info, ok := s.live.Current(); ok {
			c.Header(dataVersionHeader, strconv.FormatInt(info.Seq, 10))
		}
		c.Next()
	}
}
