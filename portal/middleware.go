package portal

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

// recoverJSON turns a panic into a logged 500 instead of a dropped connection.
func (s *Server) recoverJSON() gin.HandlerFunc {
	return func(c *gin.Context) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("panic", "path", c.Request.URL.Path, "panic", r)
				if !c.Writer.Written() {
					apiError(c, http.StatusInternalServerError, "internal", "internal error; it has been logged", "服务器内部错误，已记录。")
				}
			}
		}()
		c.Next()
	}
}

// accessLog writes one structured line per request. Query strings are not logged: they may
// hold what a person searched for.
func (s *Server) accessLog() gin.HandlerFunc {
	return func(c *gin.Context) {
		start := time.Now()
		c.Next()
		s.log.LogAttrs(c.Request.Context(), slog.LevelInfo, "request",
			slog.String("method", c.Request.Method),
			slog.String("route", c.FullPath()),
			slog.Int("status", c.Writer.Status()),
			slog.Int("bytes", c.Writer.Size()),
			slog.Float64("ms", float64(time.Since(start).Microseconds())/1000),
			slog.String("ip", c.ClientIP()),
		)
	}
}
