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

// securityHeaders sets a strict CSP (no inline script or style), and the usual hardening headers.
func securityHeaders() gin.HandlerFunc {
	return func(c *gin.Context) {
		h := c.Writer.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		c.Next()
	}
}

// bodyLimit is the largest request body a route accepts; every route states its own (routes.go).
type bodyLimit int64

// oneMB bounds every body but a filing's attachments and a screening list: forms, JSON, a
// report copy to verify.
const oneMB bodyLimit = 1 << 20

// limitBody caps request bodies at the route's limit: a declared length over it is refused at
// once (413), and a body sent without one (chunked) is cut off when it passes the limit.
func (s *Server) limitBody(n bodyLimit) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.Body != nil {
			if c.Request.ContentLength > int64(n) {
				if wantsJSON(c) {
					apiError(c, http.StatusRequestEntityTooLarge, "too_large", "request body too large", "上传内容过大。")
				} else {
					s.htmlError(c, http.StatusRequestEntityTooLarge, "上传内容过大", "请减小附件大小后重新提交。")
					c.Abort()
				}
				return
			}
			c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, int64(n))
		}
		c.Next()
	}
}
