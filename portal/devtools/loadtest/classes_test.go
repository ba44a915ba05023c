package loadtest

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestHelloWorld(t *testing.T) {
	rec := httptest.NewRecorder()
	HelloWorld().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" || rec.Body.String() != "{\"hello\":\"world\"}\n" {
		t.Errorf("hello-world: %d %q %q", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
}

// TestMeasureClasses runs the class phase against a real HTTP server standing in for the portal:
// every class is attacked with its own requests, rates are set against the floor's, and a class
// answered with 5xx fails the run.
func TestMeasureClasses(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	portal := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path]++
		mu.Unlock()
		if r.URL.Path == "/stats" {
			http.Error(w, "broken", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer portal.Close()
	floor := httptest.NewServer(HelloWorld())
	defer floor.Close()

	pool := &Pool{Codes: []string{"91350200776049653X"}, Frag2: []string{"华为"}, Queries: []string{"科技"},
		Lists: []string{"/lists/blacklist"}, Downloads: []Download{{Path: "/data/catalog.json", Whole: true}}}
	var log bytes.Buffer
	o := Options{BaseURL: portal.URL, FloorURL: floor.URL, Workers: 2, ClassDuration: 200 * time.Millisecond, Seed: 1, Log: &log}
	o.defaults()
	client, _ := newClient(o.Timeout, o.Workers)
	fl, classes := measureClasses(context.Background(), o, client, pool)

	if len(classes) != len(ClassNames()) {
		t.Fatalf("%d classes measured, want %d", len(classes), len(ClassNames()))
	}
	for i, name := range ClassNames() {
		c := classes[i]
		if c.Name != name || c.Requests == 0 || c.RequestsPerSecond <= 0 {
			t.Errorf("class %d: %+v, want %s with requests", i, c, name)
		}
		if i > 0 {
			around := (fl.Runs[i-1] + fl.Runs[i]) / 2 // the floor runs just before and after
			if c.FloorRequestsPerSecond != around || math.Abs(c.Ratio-c.RequestsPerSecond/around) > 1e-9 {
				t.Errorf("%s: ratio %g, floor %g; want %g/%g", c.Name, c.Ratio, c.FloorRequestsPerSecond, c.RequestsPerSecond, around)
			}
		}
		if (c.Status5xx > 0) != (name == "stats-page") {
			t.Errorf("%s: %d 5xx", c.Name, c.Status5xx)
		}
	}
	if len(fl.Runs) != len(classes) || fl.Min > fl.RequestsPerSecond || fl.Max < fl.RequestsPerSecond {
		t.Errorf("floor %+v: want one run before each class and one after the last", fl)
	}
	sum, n := 0.0, 0
	for _, r := range fl.Runs {
		sum, n = sum+r, n+1
	}
	if f := classes[0]; f.Ratio != 1 || f.RequestsPerSecond != sum/float64(n) || f.Requests == 0 {
		t.Errorf("floor row %+v, runs %v", f, fl.Runs)
	}
	for _, p := range []string{"/api/v1/search", "/entities/91350200776049653X", "/", "/search", "/stats", "/api/v1/lists/blacklist", "/lists/blacklist", "/data/catalog.json"} {
		if seen[p] == 0 {
			t.Errorf("no request reached %s", p)
		}
	}
	r := &Report{Requests: 10, Mode: "closed loop, 2 workers", ClassSeconds: 0.2, Floor: fl, Classes: classes}
	if !r.Failed() {
		t.Error("a class answered with 5xx must fail the run")
	}
	var out bytes.Buffer
	r.printClasses(&out)
	for _, want := range []string{"hello-world", "stats-page", "ratio", "/api/v1/lists/<list>"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("class table lacks %q:\n%s", want, out.String())
		}
	}
}
