package portal

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

// importDelta imports a one-entity delta snapshot into the server's data folder.
func importDelta(t *testing.T, s *Server, n int) {
	t.Helper()
	snap := opendatatest.Write(t, t.TempDir(), "厦门市市场监督管理局", fmt.Sprintf("2026-11-%02d", 20+n), "delta",
		opendatatest.File{Type: index.TypeEntity, Header: []string{"统一社会信用代码", "企业名称", "登记状态"},
			Rows: [][]string{{opendatatest.Code(n), opendatatest.Name(n), "存续"}}})
	if _, err := importer.Import(context.Background(), []string{snap}, importer.Options{Data: s.cfg.Data, Shards: 2}); err != nil {
		t.Fatal(err)
	}
}

type readiness struct {
	Status    string `json:"status"`
	Seq       int64  `json:"seq"`
	NewestSeq int64  `json:"newest_seq"`
	Behind    int64  `json:"behind"`
}

func readyzOf(t *testing.T, url string) (int, readiness) {
	t.Helper()
	res, err := http.Get(url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var r readiness
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, r
}

func dataVersionOf(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.Header.Get(dataVersionHeader)
}

func TestAnswersSayWhichDataVersionServedThem(t *testing.T) {
	s, ts := testServer(t)
	for _, path := range []string{"/api/v1/search?q=华威", "/search?q=华威", "/readyz", "/api/v1/entities/" + huawei} {
		if got := dataVersionOf(t, ts.URL+path); got != "1" {
			t.Errorf("%s: X-Data-Version %q, want 1", path, got)
		}
	}
	importDelta(t, s, 1)
	if err := s.LoadCurrent(); err != nil {
		t.Fatal(err)
	}
	if got := dataVersionOf(t, ts.URL+"/api/v1/search?q=华威"); got != "2" {
		t.Errorf("after a delta: X-Data-Version %q, want 2", got)
	}
	if code, r := readyzOf(t, ts.URL); code != 200 || r.Seq != 2 || r.Behind != 0 {
		t.Errorf("readyz %d %+v", code, r)
	}
	if _, body := get(t, ts.URL+"/metrics"); !strings.Contains(string(body), "\ngongshi_data_sequence 2\n") || !strings.Contains(string(body), "\ngongshi_data_sequence_newest 2\n") {
		t.Errorf("/metrics does not give sequence 2")
	}
}

// A replica that cannot load the data folder's newest generation keeps serving the one it has
// and leaves the load balancer's rotation once it is more than MaxLag sequences behind.
func TestAReplicaBehindIsNotReady(t *testing.T) {
	s, ts := testServer(t)
	importDelta(t, s, 1)
	importDelta(t, s, 2)
	cur, _ := s.cfg.Data.Current()
	infoPath := filepath.Join(s.cfg.Data.Generation(cur), "generation.json")
	orig, err := os.ReadFile(infoPath)
	if err != nil {
		t.Fatal(err)
	}
	// A generation this replica cannot open (written by a newer release).
	if err := os.WriteFile(infoPath, []byte(strings.Replace(string(orig), `"format": 3`, `"format": 99`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadCurrent(); err == nil {
		t.Fatal("a generation of another format loaded")
	}
	code, r := readyzOf(t, ts.URL)
	if code != http.StatusServiceUnavailable || r.Status != "behind" || r.Seq != 1 || r.NewestSeq != 3 || r.Behind != 2 {
		t.Errorf("two sequences behind: readyz %d %+v, want 503 behind 1 of 3", code, r)
	}
	if got := dataVersionOf(t, ts.URL+"/api/v1/search?q=华威"); got != "1" {
		t.Errorf("still serving: X-Data-Version %q, want 1", got)
	}
	s.cfg.MaxLag = 2
	if code, _ := readyzOf(t, ts.URL); code != 200 {
		t.Errorf("with MaxLag 2: readyz %d", code)
	}
	s.cfg.MaxLag = 1
	if err := os.WriteFile(infoPath, orig, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := s.LoadCurrent(); err != nil {
		t.Fatal(err)
	}
	if code, r := readyzOf(t, ts.URL); code != 200 || r.Seq != 3 || r.Behind != 0 {
		t.Errorf("caught up: readyz %d %+v", code, r)
	}
}
