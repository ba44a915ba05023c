package portal

import (
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"
)

// Compression: answers in text formats (HTML, JSON, Atom, CSS, JavaScript, YAML) are gzipped
// for clients that accept it. Files already compressed (.csv.gz, .xlsx, .zip, images) are left
// as they are: their types are not in the list. A Range request is never compressed (its
// byte offsets are of the file), nor an answer that already has a Content-Encoding or a
// Content-Range. Streaming answers (screening results) keep streaming: Flush flushes the
// compressor first.
//
// Validators are left as they are: the gzipped answer is the same content and Vary tells
// caches apart. The one use of a strong validator that byte offsets depend on, If-Range, is
// covered by resumeWhole. A HEAD states the headers of its GET but, for these types, no
// Content-Length: the length depends on the encoding negotiated (RFC 9110 9.3.2).

// compressibleTypes are the media types worth compressing.
var compressibleTypes = map[string]bool{
	"text/html": true, "text/css": true, "text/javascript": true, "application/javascript": true,
	"application/json": true, "application/ld+json": true, "application/x-ndjson": true,
	"application/atom+xml": true, "application/xml": true, "text/xml": true,
	"application/yaml": true, "application/x-yaml": true, "text/yaml": true,
}

func compressibleType(contentType string) bool {
	mt, _, _ := strings.Cut(contentType, ";")
	return compressibleTypes[strings.ToLower(strings.TrimSpace(mt))]
}

// minCompressSize: an answer of stated length below it is not worth the gzip framing.
const minCompressSize = 256

// negotiateGzip reports whether the answer to r is to be gzipped if its type allows: the
// client accepts gzip (a q of 0 refuses it) and asks for no range.
func negotiateGzip(r *http.Request) bool {
	if r.Header.Get("Range") != "" {
		return false
	}
	for _, ae := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(ae, ",") {
			coding, params, _ := strings.Cut(part, ";")
			coding = strings.ToLower(strings.TrimSpace(coding))
			if coding != "gzip" && coding != "x-gzip" && coding != "*" {
				continue
			}
			if q, ok := strings.CutPrefix(strings.ReplaceAll(strings.TrimSpace(params), " ", ""), "q="); ok {
				if v, err := strconv.ParseFloat(q, 64); err == nil && v == 0 {
					return false
				}
			}
			return true
		}
	}
	return false
}

var gzipWriters = sync.Pool{New: func() any {
	w, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return w
}}

// compress gzips compressible answers for clients that accept it.
func compress() gin.HandlerFunc {
	return func(c *gin.Context) {
		resumeWhole(c.Request)
		orig := c.Writer
		w := &gzipWriter{ResponseWriter: orig, req: c.Request, want: negotiateGzip(c.Request)}
		c.Writer = w
		defer func() {
			w.finish()
			c.Writer = orig
		}()
		c.Next()
	}
}

// resumeWhole answers a resumed download of a compressible file (Range with If-Range) in full
// when the client accepts gzip: what it holds may be the gzipped bytes, which the plain file's
// offsets do not continue, and the validator does not say which. Such files are small (a
// catalog, a data package); clients that do not ask for gzip resume as before.
func resumeWhole(r *http.Request) {
	if r.Header.Get("If-Range") == "" || r.Header.Get("Range") == "" {
		return
	}
	if ext := path.Ext(r.URL.Path); ext == "" || !compressibleType(mime.TypeByExtension(ext)) {
		return
	}
	plain := r.Clone(r.Context())
	plain.Header.Del("Range")
	if negotiateGzip(plain) {
		r.Header.Del("Range")
		r.Header.Del("If-Range")
	}
}

// gzipWriter decides when the headers go out whether to compress, from the status and the
// headers the handler set.
type gzipWriter struct {
	gin.ResponseWriter
	req     *http.Request
	want    bool // the client accepts gzip and asked for no range
	decided bool
	discard bool         // a HEAD: the body is not sent
	gz      *gzip.Writer // non-nil while compressing
}

func (w *gzipWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	h := w.ResponseWriter.Header()
	status := w.ResponseWriter.Status()
	if status == http.StatusNotModified {
		// A 304 states the Vary the 200 would have; it has no Content-Type to tell by.
		if ext := path.Ext(w.req.URL.Path); ext != "" && compressibleType(mime.TypeByExtension(ext)) {
			addVary(h, "Accept-Encoding")
		}
		return
	}
	if !compressibleType(h.Get("Content-Type")) || h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" {
		return
	}
	addVary(h, "Accept-Encoding")
	if w.req.Method == http.MethodHead {
		h.Del("Content-Length")
		w.discard = true // nothing written: net/http states no length either
	}
	if !w.want || status < 200 || status == http.StatusNoContent || status == http.StatusPartialContent {
		return
	}
	if n, err := strconv.Atoi(h.Get("Content-Length")); err == nil && n < minCompressSize {
		return
	}
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	w.gz = gzipWriters.Get().(*gzip.Writer)
	if w.discard {
		w.gz.Reset(io.Discard)
	} else {
		w.gz.Reset(w.ResponseWriter)
	}
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	w.decide()
	switch {
	case w.gz != nil:
		w.ResponseWriter.WriteHeaderNow()
		return w.gz.Write(b)
	case w.discard:
		w.ResponseWriter.WriteHeaderNow()
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *gzipWriter) WriteString(s string) (int, error) { return w.Write([]byte(s)) }

func (w *gzipWriter) WriteHeaderNow() {
	w.decide()
	w.ResponseWriter.WriteHeaderNow()
}

// Flush sends what has been compressed so far: a screening result keeps streaming.
func (w *gzipWriter) Flush() {
	w.decide()
	if w.gz != nil {
		w.ResponseWriter.WriteHeaderNow()
		_ = w.gz.Flush()
	}
	w.ResponseWriter.Flush()
}

// finish ends the gzip stream (an empty body is still a valid gzip stream) and returns the
// compressor to the pool.
func (w *gzipWriter) finish() {
	if !w.decided && !w.ResponseWriter.Written() {
		w.decide() // a status-only answer, such as a 304 from http.ServeContent
	}
	if w.gz == nil {
		return
	}
	w.ResponseWriter.WriteHeaderNow()
	_ = w.gz.Close()
	w.gz.Reset(io.Discard)
	gzipWriters.Put(w.gz)
	w.gz = nil
}

// Size is the number of bytes sent, compressed.
func (w *gzipWriter) Size() int { return w.ResponseWriter.Size() }

// Unwrap lets http.ResponseController reach the connection.
func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
