package portal

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// errorView is the body of the error page.
type errorView struct {
	Status     int
	Title      string
	Message    string
	RetryAfter string
}

// htmlError answers with the Chinese error page and stops the handler chain. An empty title
// or message takes the default wording for the status. Middleware (rate limits, recovery)
// may call it for clients that want HTML; see wantsHTML.
func (s *Server) htmlError(c *gin.Context, status int, title, message string) {
	def, ok := pageTexts[status]
	if !ok {
		def = [2]string{http.StatusText(status), "请求未能完成。"}
	}
	if title == "" {
		title = def[0]
	}
	if message == "" {
		message = def[1]
	}
	v := errorView{Status: status, Title: title, Message: message, RetryAfter: c.Writer.Header().Get("Retry-After")}
	s.render(c, status, "error", layoutView{Title: title, Data: v})
	c.Abort()
}

// pageRoutes are the routes whose answers are HTML pages whatever the Accept header says.
var pageRoutes = map[string]bool{
	"/": true, "/search": true, "/entities/:code": true, "/lists/:list": true, "/stats": true,
}

// wantsHTML reports whether the client should get an HTML page rather than JSON: never under
// /api/, always on a page route, otherwise when its Accept header asks for text/html before
// (or instead of) application/json.
func wantsHTML(c *gin.Context) bool {
	if strings.HasPrefix(c.Request.URL.Path, "/api/") {
		return false
	}
	if pageRoutes[c.FullPath()] {
		return true
	}
	accept := c.GetHeader("Accept")
	h := strings.Index(accept, "text/html")
	j := strings.Index(accept, "application/json")
	return h >= 0 && (j < 0 || h < j)
}

// noRoute answers unknown URLs: a Chinese page for browsers, the JSON error for API clients.
func (s *Server) noRoute(c *gin.Context) {
	c.Header("Vary", "Accept")
	if wantsHTML(c) {
		s.htmlError(c, http.StatusNotFound, "", "")
		return
	}
	s.notFound(c)
}

// pageFail is apiFail for pages: an error's Chinese message with its status (the index's bad
// request a 400), a page of its own while the data loads, otherwise a logged 500 without
// internals.
func (s *Server) pageFail(c *gin.Context, err error) {
	e, internal := asError(err)
	switch {
	case internal:
		s.log.Error("page failed", "path", c.Request.URL.Path, "err", err)
		s.htmlError(c, http.StatusInternalServerError, "", "")
	case errors.Is(err, index.ErrNotReady):
		c.Header("Retry-After", "10")
		s.htmlError(c, http.StatusServiceUnavailable, "数据正在加载", "服务刚刚启动，数据正在加载，请稍后刷新本页。")
	default:
		s.htmlError(c, e.Status, "", e.MessageZH)
	}
}
