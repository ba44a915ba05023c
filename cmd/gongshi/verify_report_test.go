package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/report"
)

// issueTestReport imports the fixture, issues 华威's report and writes its PDF and JSON and the
// published PEM keys into a folder.
func issueTestReport(t *testing.T) (data index.DataDir, pdf, js, pem string, number string) {
	t.Helper()
	data = index.DataDir(t.TempDir())
	ctx := context.Background()
	if _, err := importer.Import(ctx, []string{fixture}, importer.Options{Data: data, Shards: 1, MaxRejectedShare: 0.4}); err != nil {
		t.Fatal(err)
	}
	id, _ := data.Current()
	g, err := index.OpenGeneration(data.Generation(id))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	svc, err := report.Open(report.Options{Data: data})
	if err != nil {
		t.Fatal(err)
	}
	defer svc.Close()
	is, err := svc.Issue(ctx, g, "91350102MA2XYW015U", "2026-11-05")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pdf, js, pem = filepath.Join(dir, "report.pdf"), filepath.Join(dir, "report.json"), filepath.Join(dir, "keys.pem")
	var keys strings.Builder
	for _, k := range svc.Keys().Keys() {
		keys.WriteString(k.PEM())
	}
	for path, b := range map[string][]byte{pdf: is.PDF, js: is.JSON, pem: []byte(keys.String())} {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return data, pdf, js, pem, is.Report.Number
}

func runVerify(t *testing.T, wantMatch bool, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	err := verifyReport(args, &out)
	var ee exitError
	switch {
	case wantMatch && err != nil:
		t.Errorf("verify-report %v: %v\n%s", args, err, out.String())
	case !wantMatch && !(errors.As(err, &ee) && ee == 1):
		t.Errorf("verify-report %v: want exit status 1, got %v\n%s", args, err, out.String())
	}
	want := "result: NO MATCH"
	if wantMatch {
		want = "result: MATCH"
	}
	if !strings.Contains(out.String(), want) {
		t.Errorf("verify-report %v: output lacks %q:\n%s", args, want, out.String())
	}
	return out.String()
}

// changed writes a copy of path with one byte flipped at the given fraction of its length.
func changed(t *testing.T, path string, at float64) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := int(float64(len(b)-1) * at)
	b[i] ^= 0x01
	out := filepath.Join(t.TempDir(), "changed-"+filepath.Base(path))
	os.WriteFile(out, b, 0o644)
	return out
}

func TestVerifyReportOffline(t *testing.T) {
	data, pdf, js, pem, number := issueTestReport(t)
	out := runVerify(t, true, pdf, "--key", pem)
	for _, want := range []string{"报告编号：" + number, "福州华威新材料科技有限公司", "文件签名：有效", "内容签名：有效"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	runVerify(t, true, "--key", pem, js) // flags before the file too
	for _, at := range []float64{0.001, 0.25, 0.5, 0.75, 0.97, 1} {
		runVerify(t, false, changed(t, pdf, at), "--key", pem)
		runVerify(t, false, changed(t, js, at), "--key", pem)
	}

	// No trusted key, or someone else's: no verification.
	if err := verifyReport([]string{pdf}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "trusted public key") {
		t.Errorf("without a key: %v", err)
	}
	other, _, _, otherPEM, _ := issueTestReport(t)
	_ = other
	if out := runVerify(t, false, pdf, "--key", otherPEM); !strings.Contains(out, "不在可信公钥中") {
		t.Errorf("foreign key:\n%s", out)
	}

	// After a key rotation the old copies still verify, with the server's keys or the old PEM.
	if err := cmdReportKey(context.Background(), []string{"rotate", "--data", string(data)}); err != nil {
		t.Fatal(err)
	}
	if out := runVerify(t, true, pdf, "--data", string(data)); !strings.Contains(out, "已轮换的历史密钥") {
		t.Errorf("after rotation:\n%s", out)
	}
	runVerify(t, true, js, "--key", pem)
	runVerify(t, false, changed(t, js, 0.5), "--data", string(data))
}

// The real binary, as an auditor runs it: exit status 0 for the original, 1 for a changed copy.
func TestVerifyReportBinary(t *testing.T) {
	_, pdf, _, pem, _ := issueTestReport(t)
	if out, err := exec.Command(binary, "verify-report", pdf, "--key", pem).CombinedOutput(); err != nil {
		t.Fatalf("original: %v\n%s", err, out)
	}
	out, err := exec.Command(binary, "verify-report", changed(t, pdf, 0.5), "--key", pem).CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 || !strings.Contains(string(out), "NO MATCH") {
		t.Errorf("changed copy: %v\n%s", err, out)
	}
}

// lengthOverflowPDF is a 190-byte PDF whose attachment declares /Length 9223372036854775807
// (math.MaxInt64): added to the stream's offset, that length wraps to a negative end.
func lengthOverflowPDF() []byte {
	return []byte("%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Length 9223372036854775807 /Filter /FlateDecode /Params << /CheckSum <" +
		strings.Repeat("0", 32) + "> /Size 2 >> >>\nstream\n\nendstream\nendobj\n%%EOF\n")
}

// malformedCopies writes copies from which no report can be read, and a trusted PEM key.
func malformedCopies(t *testing.T) (pem string, copies map[string]string) {
	t.Helper()
	keys, err := report.OpenKeyRing(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pem = filepath.Join(dir, "keys.pem")
	if err := os.WriteFile(pem, []byte(keys.Keys()[0].PEM()), 0o644); err != nil {
		t.Fatal(err)
	}
	copies = map[string]string{}
	for name, b := range map[string][]byte{
		"length-overflow.pdf":  lengthOverflowPDF(),
		"truncated.pdf":        lengthOverflowPDF()[:120],
		"not-an-envelope.json": []byte(`{"report":null}`),
		"broken.json":          []byte(`{"report":{"number":`),
	} {
		copies[name] = filepath.Join(dir, name)
		if err := os.WriteFile(copies[name], b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return pem, copies
}

// A copy no report can be read from is answered as malformed and not matching, exit status 1.
func TestVerifyReportMalformed(t *testing.T) {
	pem, copies := malformedCopies(t)
	for name, path := range copies {
		if out := runVerify(t, false, path, "--key", pem); !strings.Contains(out, "malformed report") {
			t.Errorf("%s: output does not say the copy is malformed:\n%s", name, out)
		}
	}
}

// The real binary on a malformed copy: exit status 1 with the verdict, not 2 with a stack trace.
func TestVerifyReportBinaryMalformed(t *testing.T) {
	pem, copies := malformedCopies(t)
	for name, path := range copies {
		out, err := exec.Command(binary, "verify-report", path, "--key", pem).CombinedOutput()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 1 {
			t.Errorf("%s: want exit status 1, got %v\n%s", name, err, out)
		}
		for _, bad := range []string{"panic", "goroutine"} {
			if bytes.Contains(out, []byte(bad)) {
				t.Errorf("%s: output holds %q:\n%s", name, bad, out)
			}
		}
		if !bytes.Contains(out, []byte("malformed report")) || !bytes.Contains(out, []byte("result: NO MATCH")) {
			t.Errorf("%s: want the malformed verdict:\n%s", name, out)
		}
	}
}
