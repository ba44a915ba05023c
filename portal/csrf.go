package portal

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// crossOriginProtection refuses cross-site form posts (CSRF) using the browser's
// Sec-Fetch-Site and Origin headers (Go's http.CrossOriginProtection). Same-origin pages and
// non-browser API clients, which send neither header, pass.
func (s *Server) crossOriginProtection() gin.HandlerFunc {
	cop := http.NewCrossOriginProtection()
	return func(c *gin.Context) {
		if err := cop.Check(c.Request); err != nil {
			if wantsJSON(c) {
				abortError(c, errorOf(msgCrossOrigin))
				return
			}
			s.htmlError(c, http.StatusForbidden, "请求被拒绝", "该表单不是从本站页面提交的（跨站请求），为保护您的安全已被拒绝。请在本站页面上重新填写提交。")
			c.Abort()
			return
		}
		c.Next()
	}
}

// checkCorrectedFields refuses corrections of fields the record type does not have.
func checkCorrectedFields(recordType string, fields map[string]string) string {
	sc := index.SchemaOf(index.RecordType(recordType))
	if sc == nil {
		return ""
	}
	for k := range fields {
		if sc.Field(k) == nil || k == "code" {
			return "cannot correct field " + k + " of a " + recordType + " record / 不能更正该字段：" + k
		}
	}
	return ""
}
