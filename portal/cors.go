package portal

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// origins says which web pages may read a route's answers from a browser.
type origins int

const (
	// sameOrigin: only the portal's own pages (the browser's default). Pages, forms, objections
	// and the back office stay here: their answers carry check codes, contact details and
	// sessions, and a page elsewhere has no business reading them.
	sameOrigin origins = iota
	// anyOrigin: public read-only data, the public API and feeds, which data tools in a browser
	// on another origin (notebooks, newsroom dashboards, harvesters) fetch directly. No
	// credentials: the answer is the same for everyone, so "*" is safe and cacheable.
	anyOrigin
)

// corsExposedHeaders are the response headers a page on another origin may read beyond the
// basic ones: validators to cache and resume downloads, the file's checksum and canonical
// link, the rate-limit budget so that a tool can pace itself, and the data version.
var corsExposedHeaders = strings.Join([]string{
	"Content-Disposition", "Content-Length", "Content-Range", "ETag", "Last-Modified", "Link",
	"Retry-After", "X-Content-SHA256", "X-RateLimit-Limit", "X-RateLimit-Remaining",
	"X-RateLimit-Reset", "X-RateLimit-Policy", dataVersionHeader,
}, ", ")

// corsAllowedHeaders are the request headers a page on another origin may send: ranges and
// revalidation for downloads, and an API key for a larger budget.
const corsAllowedHeaders = "Range, If-Range, If-None-Match, If-Modified-Since, X-API-Key"

// allowAnyOrigin lets pages on every origin read a route's answers, errors and 429s included
// (a tool must see why it was refused and when to retry).
func allowAnyOrigin(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", corsExposedHeaders)
	c.Next()
}

// preflight answers a browser's OPTIONS preflight for an anyOrigin route: what a page on another
// origin may send (GET and HEAD with ranges and validators), cached by the browser for a day.
func preflight(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Allow", "GET, HEAD, OPTIONS")
	h.Set("Access-Control-Allow-Methods", "GET, HEAD")
	h.Set("Access-Control-Allow-Headers", corsAllowedHeaders)
	h.Set("Access-Control-Max-Age", "86400")
	c.AbortWithStatus(http.StatusNoContent)
}
