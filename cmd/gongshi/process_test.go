package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gongshi/gongshi/portal/store"
)

// These tests run the real binary as separate processes: what an operator does, including
// kill -9.

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gongshi-bin-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "gongshi")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const fixture = "../../testdata/snapshots/agency-2026-11-01"

func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serve starts gongshi serve and waits until it is ready.
func serve(t *testing.T, data, addr string, extra ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--data", data, "--addr", addr, "--rate-limit", "off"}, extra...)...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return cmd
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("gongshi serve on %s not ready", addr)
	return nil
}

func TestImportRefusesDamagedSnapshotAndExitsNonZero(t *testing.T) {
	data := t.TempDir()
	if out, err := run(t, "", "import", "--data", data, "--max-rejected", "0.4", fixture); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	cur, _ := os.ReadFile(filepath.Join(data, "current"))
	out, err := run(t, "", "import", "--data", data, "../../testdata/snapshots/damaged-2026-11-02")
	var ee *exec.ExitError
	if !(errorAs(err, &ee) && ee.ExitCode() == 3) || !strings.Contains(out, "sha256") || !strings.Contains(out, "serving generation is unchanged") {
		t.Errorf("damaged import: %v\n%s", err, out)
	}
	if now, _ := os.ReadFile(filepath.Join(data, "current")); string(now) != string(cur) {
		t.Error("current generation changed")
	}
	// check prints the report with the valid check character.
	out, err = run(t, "", "check", "--max-rejected", "0.4", fixture)
	if err != nil || !strings.Contains(out, "应为 A") {
		t.Errorf("check: %v\n%s", err, out)
	}
}

func errorAs(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

func TestObjectionSurvivesKill9(t *testing.T) {
	data := t.TempDir()
	if out, err := run(t, "", "import", "--data", data, "--max-rejected", "0.4", fixture); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	addr := freeAddr(t)
	srv := serve(t, data, addr)
	base := "http://" + addr

	var e struct{ Records []struct{ ID, Type string } }
	getJSONProc(t, base+"/api/v1/entities/91350102MA2XYW015U", &e)
	record := ""
	for _, r := range e.Records {
		if r.Type == "penalty" {
			record = r.ID
		}
	}
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range map[string]string{"record_id": record, "kind": "wrong", "applicant_name": "福州华威新材料科技有限公司",
		"applicant_code": "91350102MA2XYW015U", "contact_person": "陈明", "contact_email": "chen@example.com", "statement": "处罚金额有误"} {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("files", "证明.pdf")
	fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
	w.Close()
	res, err := http.Post(base+"/api/v1/objections", w.FormDataContentType(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("file: %d %s", res.StatusCode, body)
	}
	var filed struct {
		Tracking  string `json:"tracking_number"`
		CheckCode string `json:"check_code"`
	}
	json.Unmarshal(body, &filed)

	// kill -9 right after the 201, then start again on the same data folder.
	srv.Process.Signal(syscall.SIGKILL)
	srv.Wait()
	srv = serve(t, data, addr)
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/objections/"+filed.Tracking, nil)
	req.Header.Set("X-Check-Code", filed.CheckCode)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	var view struct {
		State       string
		Timeline    []any
		Attachments []struct{ Name string }
	}
	json.Unmarshal(body, &view)
	if res.StatusCode != 200 || view.State != "submitted" || len(view.Timeline) != 1 || len(view.Attachments) != 1 {
		t.Fatalf("after kill -9: %d %s", res.StatusCode, body)
	}

	// The admin CLI works on the same store, and the audit chain verifies.
	if out, err := run(t, "correct horse battery\n", "admin", "user", "add", "li", "--role", "reviewer", "--data", data); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	out, err := run(t, "", "admin", "token", "create", "li", "--data", data)
	if err != nil || !strings.HasPrefix(out, "gst_") {
		t.Fatalf("token: %v %s", err, out)
	}
	token := strings.Fields(out)[0]
	out, err = run(t, "", "admin", "audit", "verify", "--data", data)
	if err != nil || !strings.Contains(out, "3 entries, chain intact") {
		t.Errorf("audit verify: %v %s", err, out)
	}

	// A reviewer's decisions survive kill -9 too: accept, then close with 撤销, each followed
	// by kill -9 right after its 200 and a restart.
	for _, step := range []string{`{"action":"accept","reason":"材料齐全，予以受理"}`,
		`{"action":"close","outcome":"revoked","reason":"经核查，处罚决定已被撤销"}`} {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/admin/objections/"+filed.Tracking+"/actions", strings.NewReader(step))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", step, res.StatusCode, body)
		}
		srv.Process.Signal(syscall.SIGKILL)
		srv.Wait()
		srv = serve(t, data, addr)
	}
	// The case is closed with its outcome and whole timeline, the revoked record is hidden at
	// once, and every step is in the audit chain, which verifies.
	req, _ = http.NewRequest(http.MethodGet, base+"/api/v1/objections/"+filed.Tracking, nil)
	req.Header.Set("X-Check-Code", filed.CheckCode)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	var closed struct {
		State, Outcome string
		Timeline       []struct{ Action, To string }
	}
	json.Unmarshal(body, &closed)
	if res.StatusCode != 200 || closed.State != "closed" || closed.Outcome != "revoked" || len(closed.Timeline) != 3 {
		t.Errorf("decisions after kill -9: %d %s", res.StatusCode, body)
	}
	e.Records = nil
	getJSONProc(t, base+"/api/v1/entities/91350102MA2XYW015U", &e)
	for _, r := range e.Records {
		if r.ID == record {
			t.Errorf("the revoked record %s is still public after kill -9", record)
		}
	}
	out, err = run(t, "", "admin", "audit", "verify", "--data", data)
	if err != nil || !strings.Contains(out, "5 entries, chain intact") {
		t.Errorf("audit verify after the decisions: %v %s", err, out)
	}
	st, err := store.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	audit, err := st.AuditLog(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		if a.Subject == filed.Tracking {
			actions = append(actions, a.Actor+" "+a.Action)
		}
	}
	if want := []string{"applicant case.file", "token:li case.accept", "token:li case.close"}; !slices.Equal(actions, want) {
		t.Errorf("audit entries of the case: %q, want %q", actions, want)
	}
}

func getJSONProc(t *testing.T, url string, v any) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	json.NewDecoder(res.Body).Decode(v)
}
