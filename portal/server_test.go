package portal

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
)

const (
	fixture = "../testdata/snapshots/agency-2026-11-01"
	huawei  = "91350102MA2XYW015U"
	antai   = "91350200776049653A"
)

// testServer imports the hand-made fixture snapshot into a fresh data folder and serves it,
// with the clock at 2026-11-22 (China time).
func testServer(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	dd := index.DataDir(t.TempDir())
	if _, err := importer.Import(context.Background(), []string{fixture}, importer.Options{Data: dd, Shards: 2, MaxRejectedShare: 0.4}); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime)
	s := loadedServer(t, Config{Data: dd, Now: func() time.Time { return now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	ts := serveHTTP(t, s)
	return s, ts
}

// loadedServer makes a server from cfg with the data folder's current generation loaded, and
// closes both when the test ends.
func loadedServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.LoadCurrent(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.live.Close)
	t.Cleanup(s.Close)
	return s
}

// serveHTTP serves s on a loopback test server until the test ends.
func serveHTTP(t testing.TB, s *Server) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func getJSON(t *testing.T, url string, wantStatus int, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != wantStatus {
		t.Fatalf("GET %s: status %d, want %d: %s", url, res.StatusCode, wantStatus, body)
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: content type %q", url, res.Header.Get("Content-Type"))
	}
	if v != nil {
		if err := json.Unmarshal(body, v); err != nil {
			t.Fatalf("GET %s: %v: %s", url, err, body)
		}
	}
}

func TestHealthAndReady(t *testing.T) {
	_, ts := testServer(t)
	var ready struct {
		Status     string
		Generation string
		Entities   int
	}
	getJSON(t, ts.URL+"/healthz", 200, nil)
	getJSON(t, ts.URL+"/readyz", 200, &ready)
	if ready.Status != "ready" || ready.Entities != 5 {
		t.Errorf("readyz: %+v", ready)
	}
}

func TestNotReadyBeforeFirstGeneration(t *testing.T) {
	s, err := New(Config{Data: index.DataDir(t.TempDir()), Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	getJSON(t, ts.URL+"/readyz", 503, nil)
	getJSON(t, ts.URL+"/api/v1/search?q=华为", 503, nil)
}

type entityResp struct {
	Code    string
	Name    string
	Status  string
	Records []struct {
		ID          string `json:"id"`
		Type        string `json:"type"`
		PublicUntil string `json:"public_until"`
	}
}

func TestEntityAPI(t *testing.T) {
	_, ts := testServer(t)
	var e entityResp
	// Found by its lower-case and its full-width spelling, and by its 注册号.
	for _, code := range []string{strings.ToLower(huawei), "９１３５０１０２ＭＡ２ＸＹＷ０１５Ｕ", "350102100012345"} {
		getJSON(t, ts.URL+"/api/v1/entities/"+code, 200, &e)
		if e.Code != huawei || e.Name != "福州华威新材料科技有限公司" {
			t.Fatalf("%s: %+v", code, e)
		}
	}
	types := map[string]int{}
	for _, r := range e.Records {
		if r.ID == "" || r.Type == "" {
			t.Errorf("record without id/type: %+v", r)
		}
		types[r.Type]++
	}
	if types["penalty"] != 2 || types["abnormal"] != 1 {
		t.Errorf("records: %+v", e.Records)
	}
	var errBody struct{ Error APIError }
	getJSON(t, ts.URL+"/api/v1/entities/91350200776049653B", 404, &errBody)
	if errBody.Error.Code != "entity_not_found" {
		t.Errorf("404 body: %+v", errBody)
	}
}

func TestExpiredPenaltyIsNotPublic(t *testing.T) {
	_, ts := testServer(t)
	var e entityResp
	// 重庆長江物流's only penalty ended 2023-04-09.
	getJSON(t, ts.URL+"/api/v1/entities/91500000MA5UKT77Q5", 200, &e)
	for _, r := range e.Records {
		if r.Type == "penalty" {
			t.Errorf("expired penalty is public: %+v", r)
		}
	}
}

func TestSearchAPI(t *testing.T) {
	_, ts := testServer(t)
	var res index.SearchResponse
	getJSON(t, ts.URL+"/api/v1/search?q="+"華威", 200, &res)
	if res.Total != 1 || res.Results[0].Code != huawei || res.Results[0].Highlight != "福州<mark>华威</mark>新材料科技有限公司" {
		t.Errorf("search: %+v", res)
	}
	getJSON(t, ts.URL+"/api/v1/search?q=91350200776049653B", 200, &res)
	if res.Hint == nil || res.Hint.Suggestion != antai || len(res.Results) != 1 {
		t.Errorf("check-digit hint: %+v", res)
	}
	var sug struct{ Suggestions []index.Suggestion }
	getJSON(t, ts.URL+"/api/v1/suggest?q=厦门", 200, &sug)
	if len(sug.Suggestions) != 2 {
		t.Errorf("suggest: %+v", sug)
	}
}

func TestMalformedParametersAre400(t *testing.T) {
	_, ts := testServer(t)
	for _, q := range []string{
		"q=" + strings.Repeat("华", 10000), "size=abc", "size=-1", "region=x", "status=x", "type=x", "has=x", "cursor=%ff%fe",
		"q=%3Cscript%3E&region=%3Cscript%3E",
	} {
		var body struct{ Error APIError }
		getJSON(t, ts.URL+"/api/v1/search?"+q, 400, &body)
		if body.Error.Code == "" || body.Error.Message == "" {
			t.Errorf("%s: error body %+v", q, body)
		}
	}
	for _, q := range []string{"q=/.*/", "q=*", "q=name:x", "q=%00", "q=%3Cscript%3Ealert(1)%3C/script%3E"} {
		getJSON(t, ts.URL+"/api/v1/search?"+q, 200, nil)
	}
}
