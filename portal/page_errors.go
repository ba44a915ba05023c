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

// Default wording of the error pages, by status.
var errorTexts = map[int][2]string{
	http.StatusBadRequest:          {"请求有误", "请求中的参数无法识别，请检查后重试。"},
	http.StatusNotFound:            {"页面不存在", "您要找的页面不存在，可能链接有误或页面已被移除。"},
	http.StatusTooManyRequests:     {"请求过于频繁", "您在短时间内发出的请求太多，请稍等片刻再试。批量获取数据请使用开放数据下载。"},
	http.StatusInternalServerError: {"服务器出错了", "服务器处理请求时出现错误，已自动记录，请稍后再试。"},
	http.StatusServiceUnavailable:  {"服务暂时不可用", "数据正在加载或系统正在维护，请稍后再试。"},
}

// htmlError answers with the Chinese error page and stops the handler chain. An empty title
// or message takes the default wording for the status. Middleware (rate limits, recovery)
// may call it for clients that want HTML; see wantsHTML.
func (s *Server) htmlError(c *gin.Context, status int, title, message string) {
	def, ok := errorTexts[status]
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

// pageFail is apiFail for pages: 400 with the index's Chinese message, 503 while loading,
// otherwise a logged 500 without internals.
func (s *Server) pageFail(c *gin.Context, err error) {
	var bre *index.BadRequestError
	switch {
	case errors.As(err, &bre):
		s.htmlError(c, http.StatusBadRequest, "", bre.Message)
	case errors.Is(err, index.ErrNotReady):
		c.Header("Retry-After", "10")
		s.htmlError(c, http.StatusServiceUnavailable, "数据正在加载", "服务刚刚启动，数据正在加载，请稍后刷新本页。")
	default:
		s.log.Error("page failed", "path", c.Request.URL.Path, "err", err)
		s.htmlError(c, http.StatusInternalServerError, "", "")
	}
}
