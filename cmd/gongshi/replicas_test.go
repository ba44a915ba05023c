package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/devtools/demo"
	"github.com/gongshi/gongshi/portal/devtools/pgtemp"
	"github.com/gongshi/gongshi/portal/devtools/redistemp"
)

// Several `gongshi serve` replicas on one data folder, one PostgreSQL and one Redis, as real
// processes: what an operator runs behind a load balancer.

// startServices starts a throw-away PostgreSQL and Redis. A missing one fails the test: CI must
// have them (.ci/run installs them), and a skip would hide that nothing was tested.
func startServices(t *testing.T) (*pgtemp.Cluster, *redistemp.Server) {
	t.Helper()
	pgtemp.SkipIfShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pg, err := pgtemp.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pg.Stop() })
	rs, err := redistemp.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Stop() })
	return pg, rs
}

// logBuffer collects a replica's log; the process writes while the test reads.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// replica is one running `gongshi serve`.
type replica struct {
	name, base string
	cmd        *exec.Cmd
	log        *logBuffer
}

// startReplica starts gongshi serve with rate limits on, like production, and waits until it
// is ready. Its log is printed if the test fails.
func startReplica(t *testing.T, name, data string, extra ...string) *replica {
	t.Helper()
	addr := freeAddr(t)
	r := &replica{name: name, base: "http://" + addr, log: &logBuffer{}}
	r.cmd = exec.Command(binary, append([]string{"serve", "--data", data, "--addr", addr}, extra...)...)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		r.cmd.Process.Kill()
		r.cmd.Wait()
		if t.Failed() {
			t.Logf("log of replica %s:\n%s", r.name, r.log)
		}
	})
	waitUntil(t, 20*time.Second, "replica "+name+" ready", func() bool {
		res, err := http.Get(r.base + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == 200
	})
	return r
}

// kill9 ends the replica as a crash would.
func (r *replica) kill9() {
	r.cmd.Process.Signal(syscall.SIGKILL)
	r.cmd.Wait()
}

func waitUntil(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// request sends a request and returns the status and body.
func request(t *testing.T, method, url string, body io.Reader, header ...string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// metric reads one sample from /metrics ("" labels: the bare name); -1 when it is absent.
func (r *replica) metric(t *testing.T, series string) float64 {
	t.Helper()
	code, body := request(t, http.MethodGet, r.base+"/metrics", nil)
	if code != 200 {
		t.Fatalf("%s /metrics: %d", r.name, code)
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				t.Fatalf("%s: %q", series, line)
			}
			return f
		}
	}
	return -1
}

// dataDate is the snapshot date of the generation a replica serves.
func (r *replica) dataDate(t *testing.T) string {
	t.Helper()
	var ready struct {
		DataDate string `json:"data_date"`
	}
	code, body := request(t, http.MethodGet, r.base+"/readyz", nil)
	json.Unmarshal(body, &ready)
	if code != 200 {
		return ""
	}
	return ready.DataDate
}

const (
	huawei     = "91350102MA2XYW015U" // 福州华威新材料科技有限公司: a penalty in the fixture
	huaweiName = "福州华威新材料科技有限公司"
)

// penalties returns the ids of an entity's public penalties.
func penalties(t *testing.T, base, code string) []string {
	t.Helper()
	var e struct{ Records []struct{ ID, Type string } }
	getJSONProc(t, base+"/api/v1/entities/"+code, &e)
	var ids []string
	for _, r := range e.Records {
		if r.Type == "penalty" {
			ids = append(ids, r.ID)
		}
	}
	return ids
}

type filedObjection struct {
	Tracking  string `json:"tracking_number"`
	CheckCode string `json:"check_code"`
}

// fileObjection files an objection against a record with one PDF, as the public form does.
func fileObjection(t *testing.T, base, record string) (int, []byte, filedObjection) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"record_id": record, "kind": "wrong", "applicant_name": huaweiName,
		"applicant_code": huawei, "contact_person": "陈明", "contact_email": "chen@example.com", "statement": "处罚金额有误"} {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("files", "证明.pdf")
	fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
	w.Close()
	code, body := request(t, http.MethodPost, base+"/api/v1/objections", &buf, "Content-Type", w.FormDataContentType())
	var f filedObjection
	json.Unmarshal(body, &f)
	return code, body, f
}

// caseState reads a case through the public tracking API with its check code.
func caseState(t *testing.T, base string, f filedObjection) (int, string, string) {
	t.Helper()
	code, body := request(t, http.MethodGet, base+"/api/v1/objections/"+f.Tracking, nil, "X-Check-Code", f.CheckCode)
	var v struct{ State, Outcome string }
	json.Unmarshal(body, &v)
	return code, v.State, v.Outcome
}

// dropSnapshot writes a generated snapshot beside the inbox and moves it in whole, as an
// agency's upload script should.
func dropSnapshot(t *testing.T, data, date string, seed int) {
	t.Helper()
	tmp := filepath.Join(t.TempDir(), "agency-"+date)
	if out, err := run(t, "", "generate", "--entities", "40", "--seed", strconv.Itoa(seed), "--date", date, "--out", tmp); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	// Each drop comes from another agency: one agency's full snapshot of other companies would
	// withdraw its earlier one, which the importer refuses.
	manifest := filepath.Join(tmp, importer.ManifestName)
	b, err := os.ReadFile(manifest)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte(demo.DefaultPublisher), []byte("演示机关 "+date), 1)
	if err := os.WriteFile(manifest, b, 0o644); err != nil {
		t.Fatal(err)
	}
	inbox := filepath.Join(data, "inbox")
	if err := os.MkdirAll(inbox, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(inbox, filepath.Base(tmp))); err != nil {
		t.Fatal(err)
	}
}

// TestReplicasShareStoreLimitsAndJobs runs two replicas on one PostgreSQL and one Redis: an
// objection filed on one is decided on the other, a client's rate budget is spent across
// both, exactly one of them imports a snapshot from the inbox and both serve it, and when that
// one is killed the other takes over the jobs.
func TestReplicasShareStoreLimitsAndJobs(t *testing.T) {
	start := time.Now()
	pg, rs := startServices(t)
	t.Logf("PostgreSQL and Redis up in %s", time.Since(start).Round(time.Millisecond))
	data := t.TempDir()
	if out, err := run(t, "", "import", "--data", data, "--db", pg.DSN, "--max-rejected", "0.4", fixture); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	// A small suggest budget, so that spending it takes a few requests; every other budget is
	// the default. Inbox looked at twice a second and imported after one still second.
	args := []string{"--db", pg.DSN, "--redis", rs.URL, "--rate-limit", "on", "--rate", "suggest=6-H",
		"--jobs", "on", "--inbox-every", "500ms", "--inbox-stable", "1s"}
	a := startReplica(t, "A", data, args...)
	b := startReplica(t, "B", data, args...)
	t.Logf("two replicas ready %s after start", time.Since(start).Round(time.Millisecond))

	// (a) Filed on A, visible and decided on B, the decision visible on A.
	ps := penalties(t, a.base, huawei)
	if len(ps) == 0 {
		t.Fatal("no penalty to object to")
	}
	record := ps[0]
	code, body, filed := fileObjection(t, a.base, record)
	if code != 201 || filed.Tracking == "" || filed.CheckCode == "" {
		t.Fatalf("file on A: %d %s", code, body)
	}
	if code, state, _ := caseState(t, b.base, filed); code != 200 || state != "submitted" {
		t.Fatalf("case on B: %d %s", code, state)
	}
	if code, _, _ := caseState(t, b.base, filedObjection{filed.Tracking, "WRONGCODE999"}); code != 404 {
		t.Errorf("wrong check code on B: %d", code)
	}
	if out, err := run(t, "correct horse battery\n", "admin", "user", "add", "li", "--role", "reviewer", "--data", data, "--db", pg.DSN); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	out, err := run(t, "", "admin", "token", "create", "li", "--data", data, "--db", pg.DSN)
	token := strings.TrimSpace(strings.SplitN(out, "\n", 2)[0])
	if err != nil || !strings.HasPrefix(token, "gst_") {
		t.Fatalf("token: %v %s", err, out)
	}
	for _, step := range []string{`{"action":"accept","reason":"材料齐全"}`, `{"action":"verify","reason":"转鼓楼区局核查"}`,
		`{"action":"close","reason":"原处罚决定已被复议撤销","outcome":"revoked"}`} {
		code, body := request(t, http.MethodPost, b.base+"/api/v1/admin/objections/"+filed.Tracking+"/actions", strings.NewReader(step),
			"Authorization", "Bearer "+token, "Content-Type", "application/json")
		if code != 200 {
			t.Fatalf("on B %s: %d %s", step, code, body)
		}
	}
	if code, state, outcome := caseState(t, a.base, filed); code != 200 || state != "closed" || outcome != "revoked" {
		t.Errorf("decision seen on A: %d %s %s", code, state, outcome)
	}
	// A re-reads the decisions every two seconds: the revoked penalty leaves its pages.
	waitUntil(t, 10*time.Second, "the revoked penalty hidden on A", func() bool {
		time.Sleep(250 * time.Millisecond) // within the search budget
		return !slices.Contains(penalties(t, a.base, huawei), record)
	})

	// (b) One budget across both replicas: 3 suggestions on A and 3 on B spend it, then both say 429.
	suggest := func(r *replica) (int, string) {
		res, err := http.Get(r.base + "/api/v1/suggest?q=华威")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res.StatusCode, res.Header.Get("X-RateLimit-Remaining")
	}
	for i, r := range []*replica{a, a, a, b, b, b} {
		if code, left := suggest(r); code != 200 || left != strconv.Itoa(5-i) {
			t.Fatalf("suggestion %d on %s: %d, remaining %s (want %d)", i+1, r.name, code, left, 5-i)
		}
	}
	for _, r := range []*replica{a, b} {
		if code, _ := suggest(r); code != 429 {
			t.Errorf("7th suggestion on %s: %d, want 429", r.name, code)
		}
	}
	if n := a.metric(t, "gongshi_rate_limit_store_errors_total") + b.metric(t, "gongshi_rate_limit_store_errors_total"); n != 0 {
		t.Errorf("%v rate-limit store errors with Redis up", n)
	}

	// (c) Exactly one replica leads and runs the jobs.
	leaderOf := func(rs ...*replica) (leader *replica, n int) {
		for _, r := range rs {
			if r.metric(t, "gongshi_jobs_leader") == 1 {
				leader, n = r, n+1
			}
		}
		return
	}
	leader, n := leaderOf(a, b)
	if n != 1 {
		t.Fatalf("%d replicas lead", n)
	}
	follower := b
	if leader == b {
		follower = a
	}
	dropSnapshot(t, data, "2026-11-02", 2)
	imported := time.Now()
	waitUntil(t, 30*time.Second, "both replicas serve 2026-11-02", func() bool {
		return a.dataDate(t) == "2026-11-02" && b.dataDate(t) == "2026-11-02"
	})
	t.Logf("snapshot imported by one replica and served by both after %s", time.Since(imported).Round(time.Millisecond))
	gens, _ := os.ReadDir(filepath.Join(data, "generations"))
	done, _ := filepath.Glob(filepath.Join(data, "inbox", "done", "*.report.json"))
	if len(gens) != 2 || len(done) != 1 {
		t.Errorf("%d generations and %d import reports, want 2 and 1: imported more than once", len(gens), len(done))
	}
	const inboxRuns = `gongshi_job_runs_total{job="inbox-watch"}`
	if leader.metric(t, inboxRuns) < 2 || follower.metric(t, inboxRuns) != 0 {
		t.Errorf("inbox watched %v times by the leader %s and %v times by the follower %s", leader.metric(t, inboxRuns), leader.name,
			follower.metric(t, inboxRuns), follower.name)
	}
	if c := strings.Count(leader.log.String()+follower.log.String(), `"msg":"snapshot imported"`); c != 1 {
		t.Errorf("%d imports logged", c)
	}
	if !strings.Contains(follower.log.String(), "another replica leads") {
		t.Error("the follower does not log that another replica leads")
	}

	// (d) kill -9 of the leader: its session ends, the follower takes the lock and imports the next snapshot.
	leader.kill9()
	killed := time.Now()
	waitUntil(t, 15*time.Second, "the follower takes over the jobs", func() bool { return follower.metric(t, "gongshi_jobs_leader") == 1 })
	t.Logf("%s leads %s after the kill", follower.name, time.Since(killed).Round(time.Millisecond))
	dropSnapshot(t, data, "2026-11-03", 3)
	waitUntil(t, 30*time.Second, follower.name+" imports and serves 2026-11-03", func() bool { return follower.dataDate(t) == "2026-11-03" })
	if c := strings.Count(follower.log.String(), `"msg":"snapshot imported"`); c != 1 {
		t.Errorf("the new leader logged %d imports", c)
	}
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}
