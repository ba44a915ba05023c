package portal

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
)

// Error is every error the portal answers with: an HTTP status, a stable code for programs and
// the message in English and in Chinese. It is the JSON body as well:
// {"error": {"code": ..., "message": ..., "message_zh": ...}}; pages show the Chinese message.
// The fixed messages are in the catalogue (error_catalogue.go); errorOf builds one.
type Error struct {
	Status    int    `json:"-"`
	Code      string `json:"code"`
	Message   string `json:"message"`              // English
	MessageZH string `json:"message_zh,omitempty"` // Chinese, for integrators who show it to users
}

func (e *Error) Error() string { return e.Message }

// APIError is the body of every JSON error; it is Error.
type APIError = Error

// errorOf builds the catalogue's message id. Both languages' formats take args, the same
// arguments in the same order (a language may leave one out with explicit indexes, %[2]s).
func errorOf(id msgID, args ...any) *Error {
	m := catalogue[id]
	e := &Error{Status: m.status, Code: m.code, Message: m.en, MessageZH: m.zh}
	if len(args) > 0 {
		e.Message, e.MessageZH = fmt.Sprintf(m.en, args...), fmt.Sprintf(m.zh, args...)
	}
	return e
}

// abortError answers e as JSON and stops the handler chain.
func abortError(c *gin.Context, e *Error) {
	c.AbortWithStatusJSON(e.Status, gin.H{"error": e})
}

// apiError answers a JSON error given by its parts; errorOf and abortError are the usual way.
func apiError(c *gin.Context, status int, code, en, zh string) {
	abortError(c, &Error{Status: status, Code: code, Message: en, MessageZH: zh})
}

// asError says how err is answered: an *Error as it is, the index's bad request as a 400 with
// its messages, no generation yet as a 503, anything else as an internal error (500, the
// details only in the log: internal reports true).
func asError(err error) (e *Error, internal bool) {
	var pe *Error
	var bre *index.BadRequestError
	switch {
	case errors.As(err, &pe):
		return pe, false
	case errors.As(err, &bre):
		return &Error{Status: http.StatusBadRequest, Code: bre.Code, Message: bre.MessageEN, MessageZH: bre.Message}, false
	case errors.Is(err, index.ErrNotReady):
		return errorOf(msgNotReady), false
	}
	return errorOf(msgInternal), true
}

// apiFail answers err as JSON (see asError); a 503 says when to retry.
func (s *Server) apiFail(c *gin.Context, err error) {
	e, internal := asError(err)
	if internal {
		s.log.Error("request failed", "path", c.Request.URL.Path, "err", err)
	}
	if e.Status == http.StatusServiceUnavailable {
		c.Header("Retry-After", "10")
	}
	abortError(c, e)
}

func (s *Server) notFound(c *gin.Context) {
	abortError(c, errorOf(msgNotFound))
}

// isTooLarge reports whether reading a body failed on its size limit (http.MaxBytesReader, or
// a multipart reader that wraps its error in text): the client's fault, answered 413, not a
// malformed body. A body sent without Content-Length (chunked) reaches the limit only while it
// is read. This is the one check of it.
func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe) || err != nil && strings.Contains(err.Error(), "request body too large")
}
