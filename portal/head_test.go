package portal

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// headOnWire sends a HEAD request on its own connection and returns the parsed answer and
// every byte the server sent after the headers (none, for a HEAD).
func headOnWire(t *testing.T, base, path string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	u, _ := url.Parse(base)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	var req strings.Builder
	req.WriteString("HEAD " + path + " HTTP/1.1\r\nHost: " + u.Host + "\r\nConnection: close\r\n")
	for k, v := range header {
		req.WriteString(k + ": " + v + "\r\n")
	}
	req.WriteString("\r\n")
	if _, err := conn.Write([]byte(req.String())); err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(conn) // the server closes the connection after its answer
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		t.Fatalf("HEAD %s: no complete answer: %q", path, raw)
	}
	res, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(raw[:end+4])), &http.Request{Method: http.MethodHead})
	if err != nil {
		t.Fatalf("HEAD %s: %v", path, err)
	}
	return res, raw[end+4:]
}

// perRequestHeaders change from one request to the next and are not compared.
var perRequestHeaders = []string{"Date", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"}

// TestHeadAnswersAsGet: HEAD on a representative of every route group answers the status and
// headers GET does, with no body, and conditional HEADs get the same 304 as GET.
func TestHeadAnswersAsGet(t *testing.T) {
	env := secServer(t, secOptions{hostile: true}) // default budgets: their headers are compared too
	file := "/data/blacklist/latest/blacklist.csv.gz"
	_, fileBody := get(t, env.base+file)
	for _, tc := range []struct {
		group, path string
		header      map[string]string
		want        int
	}{
		{"page", "/", nil, 200},
		{"page", "/entities/" + huawei, nil, 200},
		{"page", "/lists/blacklist", nil, 200},
		{"page", "/data/", nil, 200},
		{"page", "/no/such/page", map[string]string{"Accept": "text/html"}, 404},
		{"API", "/api/v1/search?q=" + url.QueryEscape("华威"), nil, 200},
		{"API", "/api/v1/entities/" + huawei, nil, 200},
		{"API", "/api/v1/changes?list=blacklist", nil, 200},
		{"API", "/api/v1/entities/91000000000000000X", nil, 404},
		{"API", "/openapi.yaml", nil, 200},
		{"data file", file, nil, 200},
		{"data file", "/data/blacklist/latest/SHA256SUMS", nil, 200},
		{"data file", "/data/blacklist/latest/datapackage.json", nil, 200},
		{"data file", file, map[string]string{"Range": "bytes=0-99"}, 206},
		{"data file", "/data/blacklist/latest/nope.csv.gz", nil, 404},
		{"data folder", "/data/blacklist/latest/", nil, 200},
		{"data folder", "/data/blacklist", nil, 301},
		{"catalog", "/data/catalog.json", nil, 200},
		{"catalog", "/data/dcat.jsonld", nil, 200},
		{"feed", "/feeds/blacklist.atom", nil, 200},
		{"feed", "/feeds/entities/" + huawei + ".atom", nil, 200},
		{"report key", "/reports/public-key", nil, 200},
		{"static", "/static/app.css", nil, 200},
		{"operations", "/healthz", nil, 200},
	} {
		var hdr []string
		for k, v := range tc.header {
			hdr = append(hdr, k, v)
		}
		g, _ := get(t, env.base+tc.path, hdr...)
		h, body := headOnWire(t, env.base, tc.path, tc.header)
		name := tc.group + " " + tc.path
		if g.StatusCode != tc.want || h.StatusCode != g.StatusCode {
			t.Errorf("%s: GET %d, HEAD %d, want %d", name, g.StatusCode, h.StatusCode, tc.want)
			continue
		}
		if len(body) != 0 {
			t.Errorf("%s: HEAD sent %d bytes of body", name, len(body))
		}
		compareHeaders(t, name, g.Header, h.Header)
		if tc.path == file && tc.header == nil && h.Header.Get("Content-Length") != strconv.Itoa(len(fileBody)) {
			t.Errorf("%s: HEAD Content-Length %q, the file has %d bytes", name, h.Header.Get("Content-Length"), len(fileBody))
		}
	}

	// Conditional requests: a link checker or mirror revalidating with HEAD gets the 304 of GET.
	for _, path := range []string{file, "/data/catalog.json"} {
		g, _ := get(t, env.base+path)
		etag := g.Header.Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		g2, _ := get(t, env.base+path, "If-None-Match", etag)
		h, body := headOnWire(t, env.base, path, map[string]string{"If-None-Match": etag})
		if g2.StatusCode != 304 || h.StatusCode != 304 || len(body) != 0 {
			t.Errorf("%s revalidated: GET %d, HEAD %d with %d bytes", path, g2.StatusCode, h.StatusCode, len(body))
		}
		compareHeaders(t, path+" (304)", g2.Header, h.Header)
		if h.Header.Get("ETag") != etag {
			t.Errorf("%s: 304 to HEAD without the ETag: %v", path, h.Header)
		}
	}
}

// compareHeaders fails on any header HEAD answers differently from GET. Content-Length may be
// missing from a HEAD (RFC 9110 9.3.2: a field known only once the content is generated), as
// net/http leaves it out where nothing was written, such as the body of a redirect; where
// present it must be GET's. Files (http.ServeContent) always state it; see the test.
func compareHeaders(t *testing.T, name string, get, head http.Header) {
	t.Helper()
	for k := range get {
		// An API answer carries its own timing (took_ms), so two requests' lengths may differ.
		timed := strings.HasPrefix(get.Get("Content-Type"), "application/json") && strings.Contains(name, "/api/")
		if slices.Contains(perRequestHeaders, k) || k == "Content-Length" && (head[k] == nil || timed) {
			continue
		}
		if !slices.Equal(get[k], head[k]) {
			t.Errorf("%s: %s is %q for GET, %q for HEAD", name, k, get[k], head[k])
		}
	}
	for k := range head {
		if _, ok := get[k]; !ok && !slices.Contains(perRequestHeaders, k) {
			t.Errorf("%s: HEAD has %s: %q, GET has not", name, k, head[k])
		}
	}
}
