package report

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
)

const (
	fixture = "../../testdata/snapshots/agency-2026-11-01"
	huawei  = "91350102MA2XYW015U"
	name    = "福州华威新材料科技有限公司"
	// The fixture's penalties on 华威: 2025-06-01 (public until 2028-05-31) and 2026-09-01.
	newPenaltyDoc = "榕鼓市监处罚〔2026〕3号"
	oldPenaltyDoc = "榕鼓市监处罚〔2025〕12号"
)

var testNow = time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime)

// stubOverlay stands in for the portal's store.
type stubOverlay struct {
	hidden, pending map[string]string
	corrected       map[string]map[string]string
}

func (o stubOverlay) Hidden(context.Context) (map[string]string, error) { return o.hidden, nil }
func (o stubOverlay) Corrected(context.Context) (map[string]map[string]string, error) {
	return o.corrected, nil
}
func (o stubOverlay) Pending(context.Context) (map[string]string, error) { return o.pending, nil }

// testData imports an earlier registration-only snapshot (2026-08-15) and the fixture, so that
// as_of may go back to before the 2026-09-01 penalty.
func testData(t testing.TB) index.DataDir {
	t.Helper()
	dd := index.DataDir(t.TempDir())
	early := filepath.Join(t.TempDir(), "agency-2026-08-15")
	if err := os.MkdirAll(early, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadFile(filepath.Join(fixture, "登记信息.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(early, "登记信息.csv"), ents, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(ents)
	manifest := fmt.Sprintf(`{"publisher":"福建省市场监督管理局（测试）","snapshot_date":"2026-08-15","kind":"full",
		"files":[{"path":"登记信息.csv","type":"entity","sha256":"%s","rows":7}]}`, hex.EncodeToString(sum[:]))
	if err := os.WriteFile(filepath.Join(early, "manifest.json"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.Import(context.Background(), []string{early, fixture},
		importer.Options{Data: dd, Shards: 1, MaxRejectedShare: 0.4}); err != nil {
		t.Fatal(err)
	}
	return dd
}

func openGeneration(t testing.TB, dd index.DataDir) *index.Generation {
	t.Helper()
	id, err := dd.Current()
	if err != nil {
		t.Fatal(err)
	}
	g, err := index.OpenGeneration(dd.Generation(id))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	return g
}

func openService(t testing.TB, dd index.DataDir, ov index.Overlay) *Service {
	t.Helper()
	s, err := Open(Options{Data: dd, PublicURL: "https://gongshi.test/", Now: func() time.Time { return testNow }, Overlay: ov})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// recordID finds the id of the entity's record whose field key has value.
func recordID(t *testing.T, g *index.Generation, key, value string) string {
	t.Helper()
	recs, err := g.Docs.RecordsOf(context.Background(), huawei)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Fields[key] == value {
			return r.ID
		}
	}
	t.Fatalf("no record with %s=%s", key, value)
	return ""
}

func section(rep *Report, t index.RecordType) *Section {
	for i := range rep.Sections {
		if rep.Sections[i].Type == string(t) {
			return &rep.Sections[i]
		}
	}
	return nil
}

func listState(rep *Report, t index.RecordType) ListStatus {
	for _, st := range rep.ListStatus {
		if st.List == string(t) {
			return st
		}
	}
	return ListStatus{}
}

func docNos(sec *Section) []string {
	var out []string
	if sec != nil {
		for _, r := range sec.Records {
			for _, f := range r.Fields {
				if f.Key == "doc_no" {
					out = append(out, f.Value)
				}
			}
		}
	}
	return out
}

// The acceptance case: penalties, a removed abnormal-list entry and a pending objection, and
// the same report as of a day before the newer penalty.
func TestReportShowsPenaltiesRemovedListingAndObjection(t *testing.T) {
	dd := testData(t)
	g := openGeneration(t, dd)
	newID := recordID(t, g, "doc_no", newPenaltyDoc)
	ov := stubOverlay{pending: map[string]string{newID: "2026-11-10"}}
	s := openService(t, dd, ov)
	ctx := context.Background()

	asOf, err := s.ParseAsOf("", g.Info)
	if err != nil || asOf != "2026-11-22" {
		t.Fatalf("default as_of = %q, %v", asOf, err)
	}
	is, err := s.Issue(ctx, g, strings.ToLower(huawei), asOf)
	if err != nil {
		t.Fatal(err)
	}
	rep := is.Report
	if rep.Entity.Name != name || rep.Entity.Code != huawei || rep.AsOf != "2026-11-22" {
		t.Fatalf("entity: %+v", rep.Entity)
	}
	if n, ok := NormalizeNumber(rep.Number); !ok || n != rep.Number || !strings.HasPrefix(rep.Number, "XY20261122") {
		t.Errorf("number %q", rep.Number)
	}
	if got := docNos(section(rep, index.TypePenalty)); len(got) != 2 || got[0] != newPenaltyDoc || got[1] != oldPenaltyDoc {
		t.Errorf("penalties newest first: %v", got)
	}
	pen := section(rep, index.TypePenalty).Records
	if pen[1].Date != "2025-06-01" || pen[1].DateLabel != "处罚决定日期" || pen[1].PublicUntil != "2028-05-31" {
		t.Errorf("penalty dates: %+v", pen[1])
	}
	if pen[0].PendingObjection != "2026-11-10" || len(rep.Objections) != 1 || rep.Objections[0].RecordID != newID {
		t.Errorf("pending objection: %+v / %+v", pen[0], rep.Objections)
	}
	ab := section(rep, index.TypeAbnormal)
	if ab == nil || len(ab.Records) != 1 || ab.Records[0].Removed != "2023-10-15" || ab.Records[0].Date != "2023-07-01" {
		t.Fatalf("abnormal entry with its removal: %+v", ab)
	}
	st := listState(rep, index.TypeAbnormal)
	if st.Listed || len(st.History) != 1 || st.History[0].Removed != "2023-10-15" || !strings.Contains(st.Summary, "已移出") {
		t.Errorf("abnormal status: %+v", st)
	}
	if bl := listState(rep, index.TypeBlacklist); bl.Listed || !strings.Contains(bl.Summary, "未列入") {
		t.Errorf("blacklist status: %+v", bl)
	}
	if len(rep.Sources) != 2 || rep.Sources[0].SnapshotDate != "2026-08-15" || rep.Sources[1].SnapshotDate != "2026-11-01" {
		t.Errorf("sources: %+v", rep.Sources)
	}
	if rep.VerifyURL != "https://gongshi.test/r/"+rep.Number || len(rep.Coverage.Covers) == 0 || len(rep.Coverage.Excludes) == 0 {
		t.Errorf("verify url / coverage: %q %+v", rep.VerifyURL, rep.Coverage)
	}

	// As of a day before the newer penalty: it is not there, nor is its objection.
	early, err := s.ParseAsOf("2026-08-20", g.Info)
	if err != nil {
		t.Fatal(err)
	}
	old, err := s.Issue(ctx, g, huawei, early)
	if err != nil {
		t.Fatal(err)
	}
	if got := docNos(section(old.Report, index.TypePenalty)); len(got) != 1 || got[0] != oldPenaltyDoc {
		t.Errorf("as_of 2026-08-20 penalties: %v", got)
	}
	if len(old.Report.Objections) != 0 || old.Report.Number == rep.Number {
		t.Errorf("as_of 2026-08-20: objections %+v, number %s", old.Report.Objections, old.Report.Number)
	}
	if bytes.Contains(old.JSON, []byte(newPenaltyDoc)) || bytes.Contains(old.PDF, []byte(newPenaltyDoc)) {
		t.Error("the later penalty leaks into the earlier report's files")
	}

	// The same request again is the same report; a decision makes a new one.
	again, err := s.Issue(ctx, g, huawei, asOf)
	if err != nil || again.Report.Number != rep.Number {
		t.Fatalf("same report again: %v %v", again, err)
	}
	s.SetOverlay(stubOverlay{pending: ov.pending, hidden: map[string]string{recordID(t, g, "doc_no", oldPenaltyDoc): "信用修复"},
		corrected: map[string]map[string]string{newID: {"content": "通报批评（已更正）", "correction_note": "已更正：文书内容笔误"}}})
	dec, err := s.Issue(ctx, g, huawei, asOf)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Report.Number == rep.Number || dec.Report.Data.OverlayVersion == rep.Data.OverlayVersion {
		t.Error("a decision must give a new report")
	}
	if got := docNos(section(dec.Report, index.TypePenalty)); len(got) != 1 || got[0] != newPenaltyDoc {
		t.Errorf("repaired penalty still shown: %v", got)
	}
	if len(dec.Report.Corrections) != 1 || !strings.Contains(string(dec.JSON), "通报批评（已更正）") {
		t.Errorf("correction: %+v", dec.Report.Corrections)
	}
}

func TestAsOfValidation(t *testing.T) {
	s := &Service{opts: Options{Now: func() time.Time { return testNow }}}
	info := index.GenerationInfo{DataDate: "2026-11-01", Snapshots: []index.SnapshotRef{{SnapshotDate: "2026-11-01"}, {SnapshotDate: "2026-08-15"}}}
	for v, code := range map[string]string{"2026-11-23": "as_of_in_future", "2026-08-14": "as_of_before_data",
		"2026-02-30": "bad_as_of", "20261101": "bad_as_of", "today": "bad_as_of"} {
		_, err := s.ParseAsOf(v, info)
		var bre *index.BadRequestError
		if !errors.As(err, &bre) || bre.Code != code || bre.Message == "" {
			t.Errorf("%s: %v, want %s", v, err, code)
		}
	}
	for _, v := range []string{"2026-08-15", "2026-11-22"} {
		if got, err := s.ParseAsOf(v, info); err != nil || got != v {
			t.Errorf("%s: %q %v", v, got, err)
		}
	}
}

// A listing removed after as_of shows as in force, without the later removal.
func TestBuildListEntryRemovedAfterAsOf(t *testing.T) {
	ent := &index.Entity{Code: huawei, Name: name, Fields: map[string]string{"name": name}}
	rec := &index.Record{ID: "abnormal-1", Type: index.TypeAbnormal, EntityCode: huawei, Date: "2023-07-01", Removed: "2023-10-15",
		Fields: map[string]string{"list_date": "2023-07-01", "reason": "未按期公示年报", "authority": "鼓楼局",
			"removal_date": "2023-10-15", "removal_reason": "已补报", "removal_authority": "鼓楼局"}}
	pen := &index.Record{ID: "penalty-1", Type: index.TypePenalty, EntityCode: huawei, Date: "2023-09-01", PublicUntil: "2023-12-01",
		Fields: map[string]string{"doc_no": "罚1号"}}
	in := Input{Entity: ent, Records: []*index.Record{rec, pen}, AsOf: "2023-08-01"}
	rep := Build(in, "XY20231201ABCDEFGH", "2023-12-01T10:00:00+08:00", "https://x/r/XY20231201ABCDEFGH")
	ab := section(rep, index.TypeAbnormal)
	if ab == nil || ab.Records[0].Removed != "" || strings.Contains(fmt.Sprint(ab.Records[0].Fields), "已补报") {
		t.Fatalf("removal after as_of shown: %+v", ab)
	}
	if st := listState(rep, index.TypeAbnormal); !st.Listed || !strings.Contains(st.Summary, "在经营异常名录中") {
		t.Errorf("status on 2023-08-01: %+v", st)
	}
	if section(rep, index.TypePenalty) != nil {
		t.Error("penalty decided after as_of is shown")
	}
	in.AsOf = "2023-12-02" // after the penalty's publication ended, after the removal
	rep = Build(in, "XY20231202ABCDEFGH", "2023-12-02T10:00:00+08:00", "")
	if section(rep, index.TypePenalty) != nil || section(rep, index.TypeAbnormal).Records[0].Removed != "2023-10-15" {
		t.Errorf("2023-12-02: %+v", rep.Sections)
	}
}

func TestCanonical(t *testing.T) {
	got, err := Canonical(struct {
		B string         `json:"b"`
		A map[string]any `json:"a"`
	}{B: "A&B<公司>", A: map[string]any{"z": 1, "y": []int{2, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a":{"y":[2,1],"z":1},"b":"A&B<公司>"}`; string(got) != want {
		t.Errorf("canonical = %s, want %s", got, want)
	}
	again, _ := CanonicalBytes([]byte(" {\"b\" : \"A\\u0026B<公司>\",\n\"a\":{\"z\":1, \"y\":[2,1]}} "))
	if !bytes.Equal(again, got) {
		t.Errorf("re-canonical = %s", again)
	}
	if _, err := CanonicalBytes([]byte(`{} {}`)); err == nil {
		t.Error("trailing value accepted")
	}
}

func TestKeysAreCreatedPrivateAndRotate(t *testing.T) {
	dd := index.DataDir(t.TempDir())
	k, err := OpenKeyRing(KeyDir(dd), func() time.Time { return testNow })
	if err != nil {
		t.Fatal(err)
	}
	first, _ := k.CurrentID()
	fi, err := os.Stat(filepath.Join(KeyDir(dd), first+".pem"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("private key mode: %v %v", fi, err)
	}
	if di, _ := os.Stat(KeyDir(dd)); di.Mode().Perm() != 0o700 {
		t.Errorf("key folder mode %o", di.Mode().Perm())
	}
	pubs, _ := os.ReadFile(filepath.Join(KeyDir(dd), keysFile))
	if bytes.Contains(pubs, []byte("PRIVATE")) {
		t.Error("keys.json holds private material")
	}
	info, err := k.Rotate()
	if err != nil || info.ID == first {
		t.Fatalf("rotate: %+v %v", info, err)
	}
	if _, err := os.Stat(filepath.Join(KeyDir(dd), first+".pem")); !errors.Is(err, os.ErrNotExist) {
		t.Error("retired private key kept")
	}
	keys := k.Keys()
	if len(keys) != 2 || keys[0].ID != info.ID || !keys[0].Current() || keys[1].ValidUntil == "" {
		t.Errorf("keys after rotation: %+v", keys)
	}
	// The published PEM parses back to the same keys, ids derived, not read from headers.
	var pemAll strings.Builder
	for _, ki := range keys {
		pemAll.WriteString(strings.Replace(ki.PEM(), "Key-Id: "+ki.ID, "Key-Id: forged", 1))
	}
	ks, err := ParsePublicKeys([]byte(pemAll.String()))
	if err != nil || len(ks) != 2 || ks[first].Info.ValidUntil == "" {
		t.Fatalf("parse PEM: %v %+v", err, ks)
	}
	// A second process (reopened ring) sees the rotation.
	k2, err := OpenKeyRing(KeyDir(dd), nil)
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := k2.CurrentID(); id != info.ID {
		t.Errorf("reopened current %s, want %s", id, info.ID)
	}
	os.Chmod(filepath.Join(KeyDir(dd), info.ID+".pem"), 0o644)
	if _, err := OpenKeyRing(KeyDir(dd), nil); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key accepted: %v", err)
	}
}

func mustMatch(t *testing.T, what string, b []byte, ks KeySet, want bool) *Result {
	t.Helper()
	res, err := Verify(b, ks)
	if errors.Is(err, ErrUnknownFormat) && !want {
		return &Result{}
	}
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if res.Match() != want {
		t.Errorf("%s: match = %v, want %v (problems %v)", what, res.Match(), want, res.Problems)
	}
	return res
}

// flips returns copies of b with one byte changed at positions spread over the whole file, and
// at the places that matter most (the signature line, the attachment, the hash, the name).
func flips(b []byte, extra ...int) map[int][]byte {
	out := map[int][]byte{}
	pos := append([]int{0, 7, len(b) / 3, len(b) / 2, len(b) * 2 / 3, len(b) - 2, len(b) - 40, len(b) - 100}, extra...)
	for _, p := range pos {
		if p < 0 || p >= len(b) {
			continue
		}
		c := bytes.Clone(b)
		c[p] ^= 0x01
		out[p] = c
	}
	return out
}

func TestTamperingRestartAndRotation(t *testing.T) {
	dd := testData(t)
	g := openGeneration(t, dd)
	s := openService(t, dd, nil)
	ctx := context.Background()
	is, err := s.Issue(ctx, g, huawei, "2026-11-22")
	if err != nil {
		t.Fatal(err)
	}
	trusted := s.Keys().Trusted()
	res := mustMatch(t, "pdf", is.PDF, trusted, true)
	if res.Kind != "pdf" || res.Number != is.Report.Number || res.EntityName != name || res.KeyStatus != "current" {
		t.Errorf("pdf result: %+v", res)
	}
	mustMatch(t, "json", is.JSON, trusted, true)
	mustMatch(t, "json + newline", append(bytes.Clone(is.JSON), '\n'), trusted, true)

	att := bytes.Index(is.PDF, []byte("/Type /EmbeddedFile"))
	for p, c := range flips(is.PDF, att+80, att+300) {
		mustMatch(t, fmt.Sprintf("pdf byte %d changed", p), c, trusted, false)
	}
	name := bytes.Index(is.JSON, []byte(name))
	hash := bytes.Index(is.JSON, []byte(`"hash":"`)) + 10
	for p, c := range flips(is.JSON, name+1, hash, bytes.Index(is.JSON, []byte("2023-10-15"))+3) {
		mustMatch(t, fmt.Sprintf("json byte %d changed", p), c, trusted, false)
	}
	// Re-formatted JSON keeps authentic content, but is not the issued file.
	var pretty bytes.Buffer
	json.Indent(&pretty, is.JSON, "", "  ")
	if r := mustMatch(t, "pretty json", pretty.Bytes(), trusted, false); !r.HashOK || !r.SignatureOK || r.FileIntact {
		t.Errorf("pretty json: %+v", r)
	}
	// Someone else's key proves nothing.
	other := openService(t, index.DataDir(t.TempDir()), nil)
	if r := mustMatch(t, "untrusted key", is.PDF, other.Keys().Trusted(), false); r.KeyStatus != "unknown" {
		t.Errorf("untrusted: %+v", r)
	}
	if _, err := Verify([]byte("GIF89a"), trusted); !errors.Is(err, ErrUnknownFormat) {
		t.Errorf("gif: %v", err)
	}

	// A restart: a new service on the same folder knows the report, matches the copies, and
	// hands out the same number with byte-identical files.
	s.Close()
	s2 := openService(t, dd, nil)
	rec, err := s2.Lookup(ctx, strings.ToLower(is.Report.Number))
	if err != nil || rec == nil || !rec.SignatureOK || len(rec.Files) != 2 {
		t.Fatalf("lookup after restart: %+v %v", rec, err)
	}
	for what, b := range map[string][]byte{"pdf": is.PDF, "json": is.JSON} {
		c, err := s2.VerifyCopy(ctx, rec, b)
		if err != nil || !c.Match || !c.IssuedFile {
			t.Errorf("%s after restart: %+v %v", what, c, err)
		}
	}
	bad := bytes.Clone(is.PDF)
	bad[len(bad)/2] ^= 1
	if c, _ := s2.VerifyCopy(ctx, rec, bad); c.Match || c.IssuedFile || len(c.Problems) == 0 {
		t.Errorf("changed pdf on the verify page: %+v", c)
	}
	again, err := s2.Issue(ctx, g, huawei, "2026-11-22")
	if err != nil || again.Report.Number != is.Report.Number || !bytes.Equal(again.PDF, is.PDF) || !bytes.Equal(again.JSON, is.JSON) {
		t.Fatalf("after restart: same report expected (%v)", err)
	}
	other2, _ := s2.Issue(ctx, g, huawei, "2026-11-01")
	if rec2, _ := s2.Lookup(ctx, other2.Report.Number); rec2 != nil {
		if c, _ := s2.VerifyCopy(ctx, rec2, is.PDF); c.Match {
			t.Error("a copy of another report matches")
		}
	}

	// A key rotation: old copies still verify (retired key), new reports use the new key.
	if _, err := s2.Keys().Rotate(); err != nil {
		t.Fatal(err)
	}
	s3 := openService(t, dd, nil)
	if r := mustMatch(t, "pdf after rotation", is.PDF, s3.Keys().Trusted(), true); r.KeyStatus != "retired" {
		t.Errorf("key status after rotation: %s", r.KeyStatus)
	}
	rec, _ = s3.Lookup(ctx, is.Report.Number)
	if c, err := s3.VerifyCopy(ctx, rec, is.JSON); err != nil || !c.Match {
		t.Errorf("json after rotation: %+v %v", c, err)
	}
	fresh, err := s3.Issue(ctx, g, huawei, "2026-11-22")
	if err != nil || fresh.Report.Number == is.Report.Number || fresh.Envelope.KeyID == is.Envelope.KeyID {
		t.Fatalf("after rotation a new report with the new key: %v", err)
	}
	days, err := s3.IssuedPerDay(ctx, 3)
	if err != nil || len(days) != 3 || days[2].Day != "2026-11-22" || days[2].Count != 3 {
		t.Errorf("issued per day: %+v %v", days, err)
	}
}

// The PDF opens in a standard reader and its text holds the name and number in Chinese.
func TestPDFText(t *testing.T) {
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		if testing.Short() {
			t.Skip("pdftotext (poppler-utils) not installed")
		}
		t.Fatal("pdftotext not found: install poppler-utils (apt-get install poppler-utils)")
	}
	dd := testData(t)
	g := openGeneration(t, dd)
	s := openService(t, dd, nil)
	is, err := s.Issue(context.Background(), g, huawei, "2026-11-22")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	os.WriteFile(path, is.PDF, 0o644)
	out, err := exec.Command(tool, "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"企业信用报告", name, "报告编号：" + is.Report.Number, "统一社会信用代码：" + huawei,
		newPenaltyDoc, "经营异常名录", "2023-10-15", "页码 1/"} {
		if !strings.Contains(text, want) {
			t.Errorf("PDF text lacks %q", want)
		}
	}
	if strings.Contains(text, "{nb}") {
		t.Error("page count alias not replaced")
	}
	fonts, _ := exec.Command("pdffonts", path).CombinedOutput()
	if !strings.Contains(string(fonts), "CID TrueType") || len(is.PDF) > 400<<10 {
		t.Errorf("font not embedded as a subset (size %d):\n%s", len(is.PDF), fonts)
	}
}

func TestQRSVG(t *testing.T) {
	svg, err := QRSVG("https://gongshi.test/r/XY20261122ABCDEFGH", `核验 "二维码"`)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(svg, "<svg") || !strings.Contains(svg, `<path d="M`) || strings.Contains(svg, "style=") ||
		!strings.Contains(svg, "&quot;二维码&quot;") {
		t.Errorf("svg: %.200s", svg)
	}
}
