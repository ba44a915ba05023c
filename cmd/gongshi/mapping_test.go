package main

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer/mapping"
)

const agencyFiles = "../../importer/testdata/agency"

// runCode runs the binary and returns its exit code and output.
func runCode(t *testing.T, args ...string) (int, string) {
	t.Helper()
	out, err := run(t, "", args...)
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode(), out
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0, out
}

// gongshi check accepts a file in each supported standard as the agency exports it, with no
// mapping, and names the profile it read it by.
func TestCheckAgencyFilesNameTheirProfile(t *testing.T) {
	for file, profile := range map[string]string{
		"sgs-2.0-penalty.csv":          "sgs-2.0-penalty",
		"sgs-2016-penalty-gb18030.csv": "sgs-2016-penalty",
		"sgs-2.0-license-bom.csv":      "sgs-2.0-license",
		"sgs-2016-license.csv":         "sgs-2016-license",
		"gsxt-entity.csv":              "gsxt-entity",
		"gsxt-abnormal.csv":            "gsxt-abnormal",
		"gsxt-blacklist.jsonl":         "gsxt-blacklist",
		"经营异常名录-移出.csv":                "pinyin-initials-abnormal",
	} {
		code, out := runCode(t, "check", filepath.Join(agencyFiles, file))
		if code != 0 || !strings.Contains(out, "profile: "+profile+" (") || !strings.Contains(out, "columns: ") {
			t.Errorf("%s: exit %d\n%s", file, code, out)
		}
	}
}

// From a refused file to an accepted import in two commands: check --write-columns proposes
// a mapping (and still refuses, saying how to use it), import --columns imports with it. The
// archived snapshot carries the mapping, so a rebuild reads the file the same way.
func TestColumnsTwoCommands(t *testing.T) {
	work := t.TempDir()
	file := filepath.Join(work, "export.csv")
	b, err := os.ReadFile(filepath.Join(agencyFiles, "renamed-list.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out := runCode(t, "check", file)
	if code != 3 || !strings.Contains(out, "gongshi check --write-columns columns.json "+file) ||
		!strings.Contains(out, "gongshi import --columns columns.json "+file) {
		t.Fatalf("check without a mapping: exit %d\n%s", code, out)
	}

	cols := filepath.Join(work, "columns.json")
	code, out = runCode(t, "check", "--write-columns", cols, file)
	if code != 3 || !strings.Contains(out, "wrote a proposed column mapping to "+cols) ||
		!strings.Contains(out, "gongshi import --columns "+cols+" "+file) {
		t.Fatalf("check --write-columns: exit %d\n%s", code, out)
	}
	f, err := os.Open(cols)
	if err != nil {
		t.Fatal(err)
	}
	m, err := mapping.Read(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	if m.Type != "abnormal" || m.Columns["主体代码"] != "code" || m.Proposal == nil || m.Proposal.Confidence["主体代码"] < 0.9 ||
		len(m.Proposal.Unplaced) != 1 || m.Proposal.Unplaced[0] != "备注信息" {
		t.Errorf("proposal %+v %+v", m, m.Proposal)
	}

	data := filepath.Join(work, "data")
	code, out, rep := importReport(t, data, "--columns", cols, file)
	if code != 0 {
		t.Fatalf("import --columns: exit %d\n%s", code, out)
	}
	fr := rep.Files[0]
	if fr.Accepted != 4 || !fr.Mapped || strings.Join(fr.WithheldColumns, ",") != "经办人联系电话" || !strings.Contains(out, "withheld columns") {
		t.Errorf("report %+v\n%s", fr, out)
	}
	code, out, rep = importReport(t, data, "--rebuild")
	if code != 0 || len(rep.Files) != 1 || rep.Files[0].Accepted != 4 {
		t.Fatalf("rebuild: exit %d %+v\n%s", code, rep.Files, out)
	}
}

// A mapping that names a column the file lacks, or maps to a key the type lacks, is refused
// with a message that names the column, or lists the valid keys.
func TestColumnsMappingErrors(t *testing.T) {
	work := t.TempDir()
	file := filepath.Join(agencyFiles, "renamed-list.csv")
	write := func(m map[string]any) string {
		b, _ := json.Marshal(m)
		p := filepath.Join(work, "m.json")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cols := map[string]string{"主体代码": "code", "单位": "name", "时间点": "list_date", "原因说明": "reason", "决定部门": "authority"}
	cols["统一代码"] = "code"
	code, out := runCode(t, "check", "--columns", write(map[string]any{"type": "abnormal", "columns": cols}), file)
	if code != 3 || !strings.Contains(out, `column "统一代码" is not in the file`) || !strings.Contains(out, "its columns: 经办人联系电话, 决定部门") {
		t.Errorf("missing column: exit %d\n%s", code, out)
	}
	delete(cols, "统一代码")
	cols["时间点"] = "listing_day"
	code, out = runCode(t, "check", "--columns", write(map[string]any{"type": "abnormal", "columns": cols}), file)
	if code == 0 || !strings.Contains(out, `"listing_day" is not a field of type abnormal; valid keys: code (统一社会信用代码)`) ||
		!strings.Contains(out, "removal_date (移出日期)") {
		t.Errorf("unknown key: exit %d\n%s", code, out)
	}
	code, out = runCode(t, "import", "--data", filepath.Join(work, "d"), "--columns", write(map[string]any{"type": "abnormal"}), "../../testdata/snapshots/agency-2026-11-01")
	if code != 3 || !strings.Contains(out, "--columns is for a bare file") {
		t.Errorf("--columns with a snapshot folder: exit %d\n%s", code, out)
	}
}
