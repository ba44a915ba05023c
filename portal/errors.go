package portal

import (
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// APIError is the body of every JSON error: {"error": {"code": ..., "message": ...}}.
type APIError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`              // English
	MessageZH string `json:"message_zh,omitempty"` // Chinese, for integrators who show it to users
}

func apiError(c *gin.Context, status int, code, en, zh string) {
	c.AbortWithStatusJSON(status, gin.H{"error": APIError{Code: code, Message: en, MessageZH: zh}})
}

// apiFail answers an error from the index layer: a bad request is a 400 with its message,
// no generation yet is a 503, anything else a logged 500 without internals.
func (s *Server) apiFail(c *gin.Context, err error) {
	var bre *index.BadRequestError
	switch {
	case errors.As(err, &bre):
		apiError(c, http.StatusBadRequest, bre.Code, bre.MessageEN, bre.Message)
	case errors.Is(err, index.ErrNotReady):
		c.Header("Retry-After", "10")
		apiError(c, http.StatusServiceUnavailable, "not_ready", "the index is loading; try again shortly", "数据正在加载，请稍后再试。")
	default:
		s.log.Error("request failed", "path", c.Request.URL.Path, "err", err)
		apiError(c, http.StatusInternalServerError, "internal", "internal error; it has been logged", "服务器内部错误，已记录。")
	}
}

func (s *Server) notFound(c *gin.Context) {
	apiError(c, http.StatusNotFound, "not_found", "no such page or resource", "页面或资源不存在。")
}
