package portal

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rawGet sends exactly the Accept-Encoding given ("" for none): http.Transport would add gzip
// and decode it out of sight otherwise.
func rawGet(t *testing.T, u, acceptEncoding string, header ...string) (*http.Response, []byte) {
	t.Helper()
	ae := "identity"
	if acceptEncoding != "" {
		ae = acceptEncoding
	}
	return get(t, u, append([]string{"Accept-Encoding", ae}, header...)...)
}

// TestCompression: HTML and JSON are gzipped with the header and not without it; a .csv.gz
// download and a Range request never are.
func TestCompression(t *testing.T) {
	env := secServer(t, secOptions{hostile: true})
	for _, path := range []string{"/lists/blacklist", "/stats", "/", "/api/v1/search?q=" + url.QueryEscape("华威"),
		"/api/v1/lists/blacklist", "/feeds/blacklist.atom", "/openapi.yaml", "/static/app.css", "/data/catalog.json"} {
		plain, pbody := rawGet(t, env.base+path, "")
		zipped, zbody := rawGet(t, env.base+path, "gzip, deflate, br")
		if plain.StatusCode != 200 || zipped.StatusCode != 200 {
			t.Fatalf("%s: %d, %d", path, plain.StatusCode, zipped.StatusCode)
		}
		if plain.Header.Get("Content-Encoding") != "" {
			t.Errorf("%s without Accept-Encoding: Content-Encoding %q", path, plain.Header.Get("Content-Encoding"))
		}
		// A Content-Length, where net/http states one, is the gzipped length.
		if cl := zipped.Header.Get("Content-Length"); zipped.Header.Get("Content-Encoding") != "gzip" || cl != "" && cl != strconv.Itoa(len(zbody)) {
			t.Errorf("%s with gzip: Content-Encoding %q, Content-Length %q", path, zipped.Header.Get("Content-Encoding"), zipped.Header.Get("Content-Length"))
			continue
		}
		for _, res := range []*http.Response{plain, zipped} {
			if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
				t.Errorf("%s: Vary %q", path, res.Header.Values("Vary"))
			}
		}
		unzipped := gunzip(t, zbody)
		if len(zbody) >= len(unzipped) {
			t.Errorf("%s: gzipped %d bytes, plain %d", path, len(zbody), len(unzipped))
		}
		timed := strings.Contains(path, "/search") || strings.Contains(path, "/lists/") // they state their own timing
		if !timed && !bytes.Equal(unzipped, pbody) || timed && len(unzipped) < len(pbody)-20 {
			t.Errorf("%s: gzipped answer differs from the plain one", path)
		}
		if plain.Header.Get("ETag") != zipped.Header.Get("ETag") {
			t.Errorf("%s: ETag %q plain, %q gzipped", path, plain.Header.Get("ETag"), zipped.Header.Get("ETag"))
		}
	}

	// A client that refuses gzip gets none.
	if res, _ := rawGet(t, env.base+"/lists/blacklist", "gzip;q=0, identity"); res.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0: Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}

	// Already compressed files are sent as they are, whole or in ranges.
	file := "/data/blacklist/latest/blacklist.csv.gz"
	plain, pbody := rawGet(t, env.base+file, "")
	res, body := rawGet(t, env.base+file, "gzip")
	if res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, pbody) ||
		res.Header.Get("Content-Length") != plain.Header.Get("Content-Length") || res.Header.Get("ETag") != plain.Header.Get("ETag") {
		t.Errorf("%s with gzip: %d, Content-Encoding %q, %d bytes of %d", file, res.StatusCode, res.Header.Get("Content-Encoding"), len(body), len(pbody))
	}
	res, body = rawGet(t, env.base+file, "gzip", "Range", "bytes=10-19")
	if res.StatusCode != 206 || res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, pbody[10:20]) {
		t.Errorf("%s range with gzip: %d, Content-Encoding %q, %d bytes", file, res.StatusCode, res.Header.Get("Content-Encoding"), len(body))
	}

	// A Range on a compressible file is a range of the plain file.
	_, catalog := rawGet(t, env.base+"/data/catalog.json", "")
	res, body = rawGet(t, env.base+"/data/catalog.json", "gzip", "Range", "bytes=0-9")
	if res.StatusCode != 206 || res.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, catalog[:10]) {
		t.Errorf("catalog range with gzip: %d, Content-Encoding %q, %q", res.StatusCode, res.Header.Get("Content-Encoding"), body)
	}
	// Resumed with If-Range by a client that accepts gzip: what it holds may be gzipped, so it
	// gets the whole file; without gzip, the range.
	etag := res.Header.Get("ETag")
	if res, _ := rawGet(t, env.base+"/data/catalog.json", "gzip", "Range", "bytes=10-", "If-Range", etag); res.StatusCode != 200 || res.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("catalog resumed with gzip: %d, Content-Encoding %q", res.StatusCode, res.Header.Get("Content-Encoding"))
	}
	if res, body := rawGet(t, env.base+"/data/catalog.json", "", "Range", "bytes=10-", "If-Range", etag); res.StatusCode != 206 || !bytes.Equal(body, catalog[10:]) {
		t.Errorf("catalog resumed without gzip: %d", res.StatusCode)
	}
	// Revalidating the gzipped catalog with its ETag is a 304.
	res, _ = rawGet(t, env.base+"/data/catalog.json", "gzip", "If-None-Match", etag)
	if res.StatusCode != 304 || res.Header.Get("Content-Encoding") != "" || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("catalog revalidated with gzip: %d, %v", res.StatusCode, res.Header)
	}

	// HEAD with gzip states the headers of GET with gzip.
	for _, path := range []string{"/lists/blacklist", "/api/v1/entities/" + env.hcode, "/data/catalog.json"} {
		g, _ := rawGet(t, env.base+path, "gzip")
		h, rest := headOnWire(t, env.base, path, map[string]string{"Accept-Encoding": "gzip"})
		if len(rest) != 0 {
			t.Errorf("HEAD %s sent a body", path)
		}
		compareHeaders(t, "gzip "+path, g.Header, h.Header)
	}
}

// TestCompressionStreams: each Flush of a gzipped answer reaches the client at once.
func TestCompressionStreams(t *testing.T) {
	e := gin.New()
	e.Use(compress())
	flushed := make(chan struct{})
	next := make(chan struct{})
	e.GET("/stream", func(c *gin.Context) {
		c.Header("Content-Type", "application/x-ndjson; charset=utf-8")
		c.Status(200)
		c.Writer.WriteString(`{"row":1}` + "\n")
		c.Writer.Flush()
		close(flushed)
		<-next
		c.Writer.WriteString(`{"row":2}` + "\n")
	})
	ts := httptest.NewServer(e)
	defer ts.Close()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/stream", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	<-flushed
	if res.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q", res.Header.Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(res.Body) // reads the gzip header: sent before the handler ends
	if err != nil {
		t.Fatal(err)
	}
	line := make([]byte, 10)
	if _, err := io.ReadFull(zr, line); err != nil || string(line) != `{"row":1}`+"\n" {
		t.Fatalf("first row before the end: %q %v", line, err)
	}
	close(next)
	rest, err := io.ReadAll(zr)
	if err != nil || string(rest) != `{"row":2}`+"\n" {
		t.Errorf("rest %q %v", rest, err)
	}
}
