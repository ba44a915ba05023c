package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/devtools/demo"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

// docCounts reads the serving generation's document store as an operator would with sqlite3.
type docCounts struct {
	entities, penalties, dangling int
	current                       string
}

func countDocs(t *testing.T, data string) docCounts {
	t.Helper()
	dd := index.DataDir(data)
	cur, err := dd.Current()
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+index.DocStorePath(dd.Generation(cur))+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := docCounts{current: cur}
	for q, n := range map[string]*int{
		`SELECT count(*) FROM entities`:                                                     &c.entities,
		`SELECT count(*) FROM records WHERE type = 'penalty'`:                               &c.penalties,
		`SELECT count(*) FROM records WHERE entity_code NOT IN (SELECT code FROM entities)`: &c.dangling,
	} {
		if err := db.QueryRow(q).Scan(n); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// importReport runs gongshi import and returns its exit code, output and JSON report.
func importReport(t *testing.T, data string, args ...string) (int, string, *importer.Report) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.json")
	out, err := run(t, "", append([]string{"import", "--data", data, "--report", path}, args...)...)
	code := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	var rep importer.Report
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &rep); err != nil {
			t.Fatal(err)
		}
	}
	return code, out, &rep
}

func changesOf(rep *importer.Report, typ string) importer.TypeChanges {
	for _, c := range rep.Changes {
		if c.Type == typ {
			return c
		}
	}
	return importer.TypeChanges{}
}

// A national portal takes full snapshots from many publishers: one publisher's full file
// replaces what that publisher published, never another's, and a shrinking or empty full file
// is refused unless the operator says the shrink is intended.
func TestFullSnapshotsCannotWipeData(t *testing.T) {
	work := t.TempDir()
	data := filepath.Join(work, "data")
	prov := filepath.Join(work, "province")
	if out, err := run(t, "", "generate", "--entities", "2000", "--seed", "11", "--date", "2026-11-01", "--out", prov); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	if code, out, _ := importReport(t, data, prov); code != 0 {
		t.Fatalf("import the province: exit %d\n%s", code, out)
	}
	start := countDocs(t, data)
	if start.penalties < 50 || start.entities != 2000 {
		t.Fatalf("province: %+v", start)
	}

	// A county bureau's full penalty snapshot with one row adds that row and removes nothing.
	county := "某某县市场监督管理局"
	penalty := func(doc string) opendatatest.File {
		return opendatatest.File{Type: index.TypePenalty, Header: opendatatest.PenaltyHeader, Rows: [][]string{
			{opendatatest.Name(1), opendatatest.Code(1), doc, "罚款", "罚款1万元", "1", "2026-10-20", "2029-10-20", county}}}
	}
	snap := opendatatest.Write(t, filepath.Join(work, "c1"), county, "2026-11-02", importer.KindFull, penalty("某县市监罚〔2026〕1号"))
	code, out, rep := importReport(t, data, snap)
	if code != 0 {
		t.Fatalf("county import: exit %d\n%s", code, out)
	}
	if got := countDocs(t, data); got.penalties != start.penalties+1 {
		t.Fatalf("after the county's full file: %d penalties, want %d (the province's %d kept)", got.penalties, start.penalties+1, start.penalties)
	}
	if c := changesOf(rep, "penalty"); c.Publisher != county || c.Added != 1 || c.Withdrawn != 0 || c.Before != 0 {
		t.Errorf("report changes: %+v", rep.Changes)
	}

	// The county's next full file no longer carries its one penalty: withdrawing all of it is
	// refused, then allowed when the operator says so, and the province's penalties stay.
	snap = opendatatest.Write(t, filepath.Join(work, "c2"), county, "2026-11-03", importer.KindFull, penalty("某县市监罚〔2026〕2号"))
	before := countDocs(t, data)
	code, out, _ = importReport(t, data, snap)
	if code != 3 || !strings.Contains(out, "would withdraw 1 of") || !strings.Contains(out, "--allow-shrink") {
		t.Fatalf("shrinking full file: exit %d, want 3 with the reason\n%s", code, out)
	}
	if got := countDocs(t, data); got != before {
		t.Fatalf("a refused import changed the serving data: %+v → %+v", before, got)
	}
	code, out, rep = importReport(t, data, "--allow-shrink", snap)
	if code != 0 {
		t.Fatalf("--allow-shrink: exit %d\n%s", code, out)
	}
	if c := changesOf(rep, "penalty"); c.Before != 1 || c.Added != 1 || c.Withdrawn != 1 {
		t.Errorf("report changes: %+v", rep.Changes)
	}
	if got := countDocs(t, data); got.penalties != start.penalties+1 {
		t.Fatalf("after the county's second file: %d penalties, want %d", got.penalties, start.penalties+1)
	}

	// A header-only register from the province (a truncated export) would empty the portal.
	empty := opendatatest.Write(t, filepath.Join(work, "e"), demo.DefaultPublisher, "2026-11-04", importer.KindFull,
		opendatatest.File{Type: index.TypeEntity, Header: opendatatest.EntityHeader})
	before = countDocs(t, data)
	code, out, _ = importReport(t, data, empty)
	if code != 3 || !strings.Contains(out, "no data rows") {
		t.Fatalf("header-only register: exit %d, want 3\n%s", code, out)
	}
	if got := countDocs(t, data); got != before {
		t.Fatalf("a refused import changed the serving data: %+v → %+v", before, got)
	}
	// Even when allowed, a register entry that records still name is kept, never left dangling.
	code, out, rep = importReport(t, data, "--allow-shrink", empty)
	if code != 0 {
		t.Fatalf("--allow-shrink: exit %d\n%s", code, out)
	}
	after := countDocs(t, data)
	c := changesOf(rep, "entity")
	if after.dangling != before.dangling || after.entities == 0 || after.entities != c.KeptEntities ||
		c.Withdrawn+c.KeptEntities != before.entities {
		t.Errorf("allowed empty register: %+v → %+v, report %+v", before, after, c)
	}
}

// A generation of another format is never served in its old shape: the operator is told to
// rebuild, and the rebuild from the archived snapshots serves the same documents.
func TestOlderGenerationFormatIsRebuilt(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, out, _ := importReport(t, data, "--max-rejected", "0.4", fixture); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	before := countDocs(t, data)
	dd := index.DataDir(data)
	// generation.json as written before formats were numbered.
	infoPath := filepath.Join(dd.Generation(before.current), "generation.json")
	b, err := os.ReadFile(infoPath)
	if err != nil {
		t.Fatal(err)
	}
	old := strings.Replace(string(b), fmt.Sprintf(`"format": %d,`, index.GenerationFormat), "", 1)
	if old == string(b) {
		t.Fatalf("no format in %s", b)
	}
	if err := os.WriteFile(infoPath, []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := index.OpenGeneration(dd.Generation(before.current)); !errors.Is(err, index.ErrGenerationFormat) ||
		!strings.Contains(err.Error(), "gongshi import --rebuild") {
		t.Fatalf("open an old generation: %v", err)
	}
	// Importing on top of it is refused too: its documents went through older rules.
	bare := filepath.Join(filepath.Dir(fixture), "严重违法失信名单-bare.csv")
	if code, out, _ := importReport(t, data, bare); code == 0 || !strings.Contains(out, "--rebuild") {
		t.Fatalf("import on an old generation: exit %d\n%s", code, out)
	}
	if code, out, _ := importReport(t, data, "--rebuild"); code != 0 {
		t.Fatalf("rebuild: exit %d\n%s", code, out)
	}
	after := countDocs(t, data)
	if after.current == before.current || after.entities != before.entities || after.penalties != before.penalties {
		t.Fatalf("rebuild: %+v → %+v", before, after)
	}
	g, err := index.OpenGeneration(dd.Generation(after.current))
	if err != nil {
		t.Fatalf("open the rebuilt generation: %v", err)
	}
	g.Close()
}
