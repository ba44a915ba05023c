package portal

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

// publicPenalties lists the penalty ids public through every channel: the entity API, the
// list API, the entity feed and the newest penalties file.
func publicPenalties(t *testing.T, s *Server, base string) (api, list, feed, file []string) {
	t.Helper()
	for n := 1; n <= 6; n++ {
		var e EntityJSON
		getJSON(t, base+"/api/v1/entities/"+opendatatest.Code(n), 200, &e)
		for _, r := range e.Records {
			if r.Type == index.TypePenalty {
				api = append(api, r.ID)
			}
		}
		for _, en := range getFeed(t, base+"/feeds/entities/"+opendatatest.Code(n)+".atom").Entries {
			if i := strings.Index(en.ID, "records/penalty-"); i >= 0 {
				feed = append(feed, en.ID[i+len("records/"):])
			}
		}
	}
	var l struct{ Records []*index.Record }
	getJSON(t, base+"/api/v1/lists/penalties", 200, &l)
	for _, r := range l.Records {
		list = append(list, r.ID)
	}
	res, body := get(t, base+"/data/penalties/latest/penalties.csv.gz")
	if res.StatusCode != 200 {
		t.Fatalf("latest penalties: %d", res.StatusCode)
	}
	rows := gunzipCSV(t, body)
	col := slices.Index(rows[0], opendata.ColRecordID)
	for _, r := range rows[1:] {
		file = append(file, r[col])
	}
	for _, ids := range [][]string{api, list, feed, file} {
		slices.Sort(ids)
	}
	return
}

// TestJobsExpiryIsExact: a penalty whose 公示截止期 was yesterday is nowhere public; one ending
// tomorrow is, until the clock passes it and the daily job regenerates the files.
func TestJobsExpiryIsExact(t *testing.T) {
	s, ts, clock := openDataServer(t, opendata.Options{})
	p1 := opendatatest.PenaltyID("厦市监罚〔2026〕1号") // until 2027-06-30
	p2 := opendatatest.PenaltyID("厦市监罚〔2026〕2号") // until 2026-11-20
	p3 := opendatatest.PenaltyID("厦市监罚〔2026〕3号") // until 2026-11-22
	// 2026-11-21 (P3 ends tomorrow): P1 and P3 everywhere, P2 nowhere.
	clock.Advance(time.Date(2026, 11, 21, 23, 59, 0, 0, index.ChinaTime).Sub(clock.Now()))
	want := []string{p1, p3}
	slices.Sort(want)
	api, list, feed, _ := publicPenalties(t, s, ts.URL)
	for name, got := range map[string][]string{"entity API": api, "list API": list, "entity feed": feed} {
		if !slices.Equal(got, want) {
			t.Errorf("2026-11-21 %s: %v, want %v", name, got, want)
		}
	}
	// Two days later: P3's window has passed. Pages and APIs filter at once (query time); the
	// daily job regenerates the files without it.
	clock.Advance(time.Date(2026, 11, 23, 0, 5, 0, 0, index.ChinaTime).Sub(clock.Now()))
	j, err := s.newJobs()
	if err != nil {
		t.Fatal(err)
	}
	defer j.stop(context.Background())
	if err := j.run(context.Background(), jobDaily, j.daily); err != nil {
		t.Fatal(err)
	}
	api, list, feed, file := publicPenalties(t, s, ts.URL)
	for name, got := range map[string][]string{"entity API": api, "list API": list, "entity feed": feed, "file": file} {
		if !slices.Equal(got, []string{p1}) {
			t.Errorf("2026-11-23 %s: %v, want only P1", name, got)
		}
	}
	if slices.Contains(file, p2) {
		t.Error("P2 in the files")
	}
	if l, _ := opendata.Latest(s.openDataRoot(), "penalties"); l != "2026-11-23" {
		t.Errorf("LATEST %s", l)
	}
	if got := counterValue(j.runs.WithLabelValues(jobDaily)); got != 1 {
		t.Errorf("runs counted: %v", got)
	}
	_, body := get(t, ts.URL+"/metrics")
	for _, m := range []string{`gongshi_job_runs_total{job="opendata-daily"} 1`, `gongshi_job_failures_total{job="opendata-daily"} 0`,
		`gongshi_job_last_success_timestamp_seconds{job="opendata-daily"}`} {
		if !strings.Contains(string(body), m) {
			t.Errorf("/metrics lacks %s", m)
		}
	}
}

func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
}

func TestJobsInboxImportsStableSnapshots(t *testing.T) {
	data := index.DataDir(t.TempDir())
	inbox := filepath.Join(t.TempDir(), "inbox")
	os.MkdirAll(inbox, 0o755)
	clock := clockwork.NewFakeClockAt(time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime))
	s, err := New(Config{Data: data, Now: clock.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), RateLimits: RateLimits{Off: true},
		// The scenario's second day withdraws one of three blacklist entries on purpose.
		Jobs: JobsConfig{Inbox: inbox, Clock: clock, MaxWithdrawnShare: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	t.Cleanup(s.live.Close)
	sc := opendatatest.NewScenario(t, t.TempDir())
	day1 := filepath.Join(inbox, filepath.Base(sc.Day1))
	copyDir(t, sc.Day1, day1)
	copyDir(t, "../testdata/snapshots/damaged-2026-11-02", filepath.Join(inbox, "damaged-2026-11-02"))
	os.MkdirAll(filepath.Join(inbox, "still-copying"), 0o755) // no manifest yet: not a snapshot
	j, err := s.newJobs()
	if err != nil {
		t.Fatal(err)
	}
	defer j.stop(context.Background())
	ctx := context.Background()
	watch := func() {
		t.Helper()
		if err := j.run(ctx, jobInbox, j.watchInbox); err != nil {
			t.Fatal(err)
		}
	}
	watch() // first sighting
	clock.Advance(30 * time.Second)
	watch() // unchanged for 30 s: not yet
	if cur, _ := data.Current(); cur != "" {
		t.Fatal("imported before the snapshot was stable for a minute")
	}
	clock.Advance(31 * time.Second)
	watch()
	cur, _ := data.Current()
	if info, ok := s.live.Current(); cur == "" || !ok || info.ID != cur {
		t.Fatalf("not imported and served: current %q", cur)
	}
	var rep struct {
		Refused       bool   `json:"refused"`
		RefusedReason string `json:"refused_reason"`
		Generation    string `json:"generation"`
	}
	b, err := os.ReadFile(filepath.Join(inbox, "done", filepath.Base(day1)+".report.json"))
	if err != nil || json.Unmarshal(b, &rep) != nil || rep.Refused || rep.Generation != cur {
		t.Errorf("done report: %v %s", err, b)
	}
	b, err = os.ReadFile(filepath.Join(inbox, "refused", "damaged-2026-11-02.report.json"))
	if err != nil || json.Unmarshal(b, &rep) != nil || !rep.Refused || !strings.Contains(rep.RefusedReason, "sha256") {
		t.Errorf("refused report: %v %s", err, b)
	}
	for _, p := range []string{filepath.Join(inbox, "done", filepath.Base(day1), "manifest.json"), filepath.Join(inbox, "refused", "damaged-2026-11-02"),
		filepath.Join(inbox, "still-copying")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	// The open-data files followed the import.
	if l, _ := opendata.Latest(opendata.Root(data), "blacklist"); l != "2026-11-22" {
		t.Errorf("open data LATEST %q", l)
	}
	// A snapshot that is still changing waits until it has been still for a minute.
	day2 := filepath.Join(inbox, filepath.Base(sc.Day2))
	copyDir(t, sc.Day2, day2)
	watch()
	clock.Advance(50 * time.Second)
	os.WriteFile(filepath.Join(day2, "README.txt"), []byte("copied last"), 0o644)
	watch()
	clock.Advance(50 * time.Second)
	watch()
	if cur2, _ := data.Current(); cur2 != cur {
		t.Fatal("imported while it was still changing")
	}
	clock.Advance(15 * time.Second)
	watch()
	if cur2, _ := data.Current(); cur2 == cur {
		t.Fatal("stable snapshot not imported")
	}
	if got := counterValue(j.failures.WithLabelValues(jobInbox)); got != 0 {
		t.Errorf("failures: %v", got)
	}
}

// TestJobsSchedulerRunsAndStops drives the real gocron scheduler with a fake clock: the
// catch-up job runs at start, the daily job at 00:05 China time, and shutdown waits for them.
func TestJobsSchedulerRunsAndStops(t *testing.T) {
	s, _, clock := openDataServer(t, opendata.Options{})
	j, err := s.newJobs()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, job := range j.sched.Jobs() {
		names = append(names, job.Name())
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{jobInbox, jobCatchUp, jobDaily}) {
		t.Errorf("jobs %v", names)
	}
	j.sched.Start()
	runs := func(name string) float64 { return counterValue(j.runs.WithLabelValues(name)) }
	deadline := time.Now().Add(10 * time.Second)
	for runs(jobCatchUp) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if runs(jobCatchUp) != 1 {
		t.Fatal("catch-up job did not run at start")
	}
	// 2026-11-22 10:00 → past 2026-11-23 00:05, an hour at a time.
	for i := 0; i < 16 && runs(jobDaily) == 0 && time.Now().Before(deadline); i++ {
		clock.Advance(time.Hour)
		for k := 0; k < 20 && runs(jobDaily) == 0; k++ {
			time.Sleep(5 * time.Millisecond)
		}
	}
	for runs(jobDaily) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if runs(jobDaily) != 1 {
		t.Fatalf("daily job ran %v times by %s", runs(jobDaily), clock.Now())
	}
	for time.Now().Before(deadline) {
		if l, _ := opendata.Latest(s.openDataRoot(), "penalties"); l == "2026-11-23" {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if l, _ := opendata.Latest(s.openDataRoot(), "penalties"); l != "2026-11-23" {
		t.Errorf("daily job published %q", l)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := j.stop(ctx); err != nil {
		t.Errorf("stop: %v", err)
	}
	if err := j.stop(ctx); err != nil { // a second stop (Run's deferred one) is harmless
		t.Errorf("second stop: %v", err)
	}
}

func counterValue(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return -1
	}
	return m.GetCounter().GetValue()
}
