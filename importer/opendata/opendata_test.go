package opendata_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

var fixed = func() time.Time { return time.Date(2026, 11, 22, 1, 0, 0, 0, index.ChinaTime) }

// published imports the scenario's day 1 and publishes 2026-11-21, then imports day 2 and
// publishes 2026-11-22.
func published(t *testing.T, opts opendata.Options) (index.DataDir, opendatatest.Scenario) {
	t.Helper()
	dd := index.DataDir(t.TempDir())
	sc := opendatatest.NewScenario(t, t.TempDir())
	ctx := context.Background()
	opts.Now = fixed
	opendatatest.Import(t, dd, sc.Day1)
	if _, err := opendata.Publish(ctx, dd, "2026-11-21", index.NoOverlay{}, opts); err != nil {
		t.Fatal(err)
	}
	opendatatest.Import(t, dd, sc.Day2)
	if _, err := opendata.Publish(ctx, dd, "2026-11-22", index.NoOverlay{}, opts); err != nil {
		t.Fatal(err)
	}
	return dd, sc
}

func readChanges(t *testing.T, dd index.DataDir, list, day string) []opendata.Change {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(opendata.VersionDir(opendata.Root(dd), list, day), "changes-"+day+".jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out []opendata.Change
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var c opendata.Change
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// summary renders changes as "change id reason [fields]" lines, sorted, for exact comparison.
func summary(cs []opendata.Change) []string {
	var out []string
	for _, c := range cs {
		s := c.Change + " " + c.ID + " " + c.Reason
		if len(c.FieldsChanged) > 0 {
			s += " " + strings.Join(c.FieldsChanged, ",")
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

func TestOpenDataChangesBetweenSnapshots(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	id := opendatatest.BlacklistID
	want := []string{
		"added " + id(4, "2026-11-01") + " ",
		"added " + id(5, "2026-11-02") + " ",
		"modified " + id(1, "2025-01-10") + " 移出 removal_authority,removal_date,removal_reason,removed",
		"removed " + id(2, "2025-02-10") + " ",
	}
	slices.Sort(want)
	if got := summary(readChanges(t, dd, "blacklist", "2026-11-22")); !slices.Equal(got, want) {
		t.Errorf("blacklist changes:\n got %q\nwant %q", got, want)
	}
	// P1's fine changed (and its content, which names the amount); P3 is unchanged; P2 was
	// never public in either version (its period ended 2026-11-20).
	p1 := opendatatest.PenaltyID("厦市监罚〔2026〕1号")
	if got := summary(readChanges(t, dd, "penalties", "2026-11-22")); !slices.Equal(got, []string{"modified " + p1 + "  content,fine"}) {
		t.Errorf("penalty changes: %q", got)
	}
	if got := readChanges(t, dd, "entities", "2026-11-22"); len(got) != 0 {
		t.Errorf("entities did not change, got %v", got)
	}
	if got := readChanges(t, dd, "blacklist", "2026-11-21"); len(got) != 0 {
		t.Errorf("the first version is the baseline, got %v", got)
	}
	// The change log holds the same entries, numbered from 1.
	page, err := opendata.ReadChanges(opendata.Root(dd), "blacklist", -1, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if got := summary(page.Changes); !slices.Equal(got, want) {
		t.Errorf("change log: %q", got)
	}
	for i, c := range page.Changes {
		if c.Seq != int64(i+1) || c.Day != "2026-11-22" || c.EntityName == "" {
			t.Errorf("log entry %d: %+v", i, c)
		}
	}
}

func TestOpenDataPublicationPeriodIsExact(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	ctx := context.Background()
	root := opendata.Root(dd)
	p2 := opendatatest.PenaltyID("厦市监罚〔2026〕2号") // public until 2026-11-20
	p3 := opendatatest.PenaltyID("厦市监罚〔2026〕3号") // public until 2026-11-22
	ids := func(day string) []string {
		var out []string
		for _, r := range readRows(t, filepath.Join(opendata.VersionDir(root, "penalties", day), "penalties-"+day+".jsonl.gz")) {
			out = append(out, r.ID)
		}
		return out
	}
	for _, day := range []string{"2026-11-21", "2026-11-22"} {
		got := ids(day)
		if slices.Contains(got, p2) {
			t.Errorf("%s: P2 ended 2026-11-20 and must not be published", day)
		}
		if !slices.Contains(got, p3) {
			t.Errorf("%s: P3 is public until 2026-11-22 and must be published", day)
		}
	}
	// The day after tomorrow (seen from 2026-11-22): P3 is gone, with the reason.
	opts := opendata.Options{Now: fixed}
	ov := opendatatest.Overlay{
		HiddenIDs:  map[string]string{opendatatest.BlacklistID(3, "2025-03-10"): opendata.ReasonRevoked},
		PendingIDs: map[string]string{opendatatest.BlacklistID(4, "2026-11-01"): "2026-11-23"},
	}
	if _, err := opendata.Publish(ctx, dd, "2026-11-24", ov, opts); err != nil {
		t.Fatal(err)
	}
	if got := ids("2026-11-24"); slices.Contains(got, p3) || slices.Contains(got, p2) || len(got) != 1 {
		t.Errorf("2026-11-24: penalties %v, want only P1", got)
	}
	if got := summary(readChanges(t, dd, "penalties", "2026-11-24")); !slices.Equal(got, []string{"removed " + p3 + " 到期"}) {
		t.Errorf("penalty changes on 2026-11-24: %q", got)
	}
	want := []string{
		"modified " + opendatatest.BlacklistID(4, "2026-11-01") + "  objection_pending_since",
		"removed " + opendatatest.BlacklistID(3, "2025-03-10") + " 撤销",
	}
	if got := summary(readChanges(t, dd, "blacklist", "2026-11-24")); !slices.Equal(got, want) {
		t.Errorf("blacklist changes on 2026-11-24:\n got %q\nwant %q", got, want)
	}
	// The pending objection is a column; the removed entry 1 stays public as history.
	rows := readCSV(t, filepath.Join(opendata.VersionDir(root, "blacklist", "2026-11-24"), "blacklist-2026-11-24.csv.gz"))
	col := slices.Index(rows[0], opendata.ColObjection)
	found := 0
	for _, r := range rows[1:] {
		switch r[slices.Index(rows[0], "统一社会信用代码")] {
		case opendatatest.Code(4):
			found++
			if r[col] != "存在异议 · 处理中 (2026-11-23起)" {
				t.Errorf("objection column: %q", r[col])
			}
		case opendatatest.Code(1):
			found++
			if r[slices.Index(rows[0], "移出日期")] != "2026-11-22" {
				t.Errorf("removed entry: %q", r)
			}
		case opendatatest.Code(3):
			t.Errorf("a revoked entry is published: %q", r)
		}
	}
	if found != 2 {
		t.Errorf("blacklist 2026-11-24: %d of the expected rows", found)
	}
}

type row = opendata.Row

func readRows(t *testing.T, path string) []row {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(gz)
	var out []row
	for {
		var r row
		if err := dec.Decode(&r); err == io.EOF {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
}

// readCSV opens a published CSV the way a user's script would: gunzip, strip the BOM, read.
func readCSV(t *testing.T, path string) [][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(gz)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("\ufeff")) {
		t.Fatalf("%s: no UTF-8 byte-order mark", filepath.Base(path))
	}
	rows, err := csv.NewReader(bytes.NewReader(raw[3:])).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", filepath.Base(path), err)
	}
	return rows
}

func TestOpenDataCatalogMatchesFiles(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	root := opendata.Root(dd)
	cat, err := opendata.ReadCatalog(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Datasets) != 8 || cat.Licence != "CC BY 4.0" || cat.SnapshotDate != "2026-11-22" || cat.Publisher == "" {
		t.Fatalf("catalog: %d datasets, licence %q, snapshot %q", len(cat.Datasets), cat.Licence, cat.SnapshotDate)
	}
	files := 0
	for _, ds := range cat.Datasets {
		if ds.Latest != "2026-11-22" || len(ds.Versions) != 2 || ds.Versions[0].Day != "2026-11-22" {
			t.Errorf("%s: latest %q, %d versions", ds.Name, ds.Latest, len(ds.Versions))
		}
		header := []string{}
		for _, c := range opendata.Columns(ds.Type) {
			header = append(header, c.Name)
		}
		for _, v := range ds.Versions {
			names := map[string]bool{}
			for _, f := range v.Files {
				files++
				names[f.Name] = true
				if f.URL != "/data/"+ds.Name+"/"+v.Day+"/"+f.Name || f.Licence == "" || f.Publisher == "" || f.Day != v.Day || f.SnapshotDate == "" || f.Modified.IsZero() {
					t.Errorf("%s: metadata %+v", f.Name, f)
				}
				path := filepath.Join(opendata.VersionDir(root, ds.Name, v.Day), f.Name)
				b, err := os.ReadFile(path)
				if err != nil {
					t.Fatal(err)
				}
				h := sha256.Sum256(b)
				if hex.EncodeToString(h[:]) != f.SHA256 || int64(len(b)) != f.Bytes {
					t.Errorf("%s: sha256/bytes do not match the catalog", f.Name)
				}
				if f.Rows == nil {
					if f.Name != opendata.DataPackageName {
						t.Errorf("%s: no rows", f.Name)
					}
					continue
				}
				switch {
				case strings.HasSuffix(f.Name, ".csv.gz"):
					rows := readCSV(t, path)
					if !slices.Equal(rows[0], header) {
						t.Errorf("%s: header %q, want %q", f.Name, rows[0], header)
					}
					if len(rows)-1 != *f.Rows || *f.Rows != v.Rows {
						t.Errorf("%s: %d rows, catalog says %d", f.Name, len(rows)-1, *f.Rows)
					}
				case strings.HasSuffix(f.Name, ".jsonl.gz"):
					if n := len(readRows(t, path)); n != *f.Rows {
						t.Errorf("%s: %d rows, catalog says %d", f.Name, n, *f.Rows)
					}
				case strings.HasSuffix(f.Name, ".xlsx"):
					x, err := excelize.OpenFile(path)
					if err != nil {
						t.Fatal(err)
					}
					rows, err := x.GetRows(x.GetSheetName(0))
					x.Close()
					if err != nil {
						t.Fatal(err)
					}
					if len(rows)-1 != *f.Rows || !slices.Equal(rows[0], header) {
						t.Errorf("%s: %d rows (catalog %d), header %q", f.Name, len(rows)-1, *f.Rows, rows[0])
					}
				case strings.HasSuffix(f.Name, ".jsonl"), f.Name == opendata.SumsName:
					if n := bytes.Count(b, []byte("\n")); n != *f.Rows {
						t.Errorf("%s: %d lines, catalog says %d", f.Name, n, *f.Rows)
					}
				}
			}
			for _, want := range []string{ds.Name + "-" + v.Day + ".csv.gz", ds.Name + "-" + v.Day + ".jsonl.gz", ds.Name + "-" + v.Day + ".xlsx",
				"changes-" + v.Day + ".jsonl", opendata.DataPackageName, opendata.SumsName} {
				if !names[want] {
					t.Errorf("%s %s: no %s in the catalog", ds.Name, v.Day, want)
				}
			}
		}
	}
	if files != 8*2*6 {
		t.Errorf("%d files in the catalog, want %d", files, 8*2*6)
	}
	// sha256sum -c accepts every folder, when the tool is there.
	if _, err := exec.LookPath("sha256sum"); err == nil {
		cmd := exec.Command("sha256sum", "--check", "--strict", opendata.SumsName)
		cmd.Dir = opendata.VersionDir(root, "blacklist", "2026-11-22")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("sha256sum -c: %v\n%s", err, out)
		}
	}
	var dcat map[string]any
	b, err := os.ReadFile(filepath.Join(root, opendata.DCATName))
	if err != nil || json.Unmarshal(b, &dcat) != nil || dcat["@type"] != "dcat:Catalog" || len(dcat["dcat:dataset"].([]any)) != 8 {
		t.Errorf("dcat.jsonld: %v %.200s", err, b)
	}
	// LATEST points at the newest day.
	if l, _ := opendata.Latest(root, "penalties"); l != "2026-11-22" {
		t.Errorf("LATEST = %q", l)
	}
}

func TestOpenDataRetentionAndXLSXLimit(t *testing.T) {
	dd, _ := published(t, opendata.Options{Retention: 2, XLSXMaxRows: 3})
	ctx := context.Background()
	root := opendata.Root(dd)
	opts := opendata.Options{Retention: 2, XLSXMaxRows: 3, Now: fixed}
	if _, err := opendata.Publish(ctx, dd, "2026-11-24", index.NoOverlay{}, opts); err != nil {
		t.Fatal(err)
	}
	if got := opendata.Versions(root, "blacklist"); !slices.Equal(got, []string{"2026-11-24", "2026-11-22"}) {
		t.Errorf("kept %v, want the newest 2", got)
	}
	// Entities (6 rows) exceed the 3-row limit: no workbook, and the catalog says why.
	cat, err := opendata.ReadCatalog(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, ds := range cat.Datasets {
		if ds.Name != "entities" {
			continue
		}
		v := ds.Versions[0]
		for _, f := range v.Files {
			if strings.HasSuffix(f.Name, ".xlsx") {
				t.Errorf("entities: workbook of %d rows written despite the limit", v.Rows)
			}
		}
		if len(v.Notes) == 0 || !strings.Contains(v.Notes[0], "xlsx omitted: 6 rows exceed") {
			t.Errorf("entities notes: %q", v.Notes)
		}
	}
	// Keeping one version cuts the change log: asking for older changes is refused.
	opts.Retention = 1
	if _, err := opendata.Publish(ctx, dd, "2026-11-25", index.NoOverlay{}, opts); err != nil {
		t.Fatal(err)
	}
	if got := opendata.Versions(root, "blacklist"); !slices.Equal(got, []string{"2026-11-25"}) {
		t.Errorf("kept %v", got)
	}
	var gone *opendata.ErrGone
	if _, err := opendata.ReadChanges(root, "blacklist", -1, "2026-11-22", 10); !errors.As(err, &gone) || gone.OldestDay != "2026-11-25" {
		t.Errorf("since before the oldest kept day: err = %v", err)
	}
	if _, err := opendata.ReadChanges(root, "blacklist", 1, "", 10); !errors.As(err, &gone) {
		t.Errorf("cursor into the cut log: err = %v", err)
	}
	if _, err := opendata.ReadChanges(root, "blacklist", -1, "2026-11-25", 10); err != nil {
		t.Errorf("since the oldest kept day: %v", err)
	}
}

func TestOpenDataRepublishSameDay(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	root := opendata.Root(dd)
	before, _ := opendata.ReadChanges(root, "blacklist", -1, "", 100)
	// The same day again with an objection: the log gains only that modification.
	ov := opendatatest.Overlay{PendingIDs: map[string]string{opendatatest.BlacklistID(3, "2025-03-10"): "2026-11-22"}}
	if _, err := opendata.Publish(context.Background(), dd, "2026-11-22", ov, opendata.Options{Now: fixed}); err != nil {
		t.Fatal(err)
	}
	after, _ := opendata.ReadChanges(root, "blacklist", -1, "", 100)
	if len(after.Changes) != len(before.Changes)+1 {
		t.Fatalf("log: %d entries, then %d", len(before.Changes), len(after.Changes))
	}
	last := after.Changes[len(after.Changes)-1]
	if last.Seq != int64(len(after.Changes)) || last.Change != "modified" || last.ID != opendatatest.BlacklistID(3, "2025-03-10") {
		t.Errorf("last log entry: %+v", last)
	}
	// Published versions never change: the objection is a new version of the same day, whose
	// change file holds just that modification, and the day's first version keeps its 4.
	if n := len(readChanges(t, dd, "blacklist", "2026-11-22")) + len(readChanges(t, dd, "blacklist", "2026-11-22.2")); n != 5 {
		t.Errorf("changes files: %d entries, want 4 + the objection", n)
	}
	if n := len(readChanges(t, dd, "blacklist", "2026-11-22")); n != 4 {
		t.Errorf("the first version of the day was rewritten: %d changes", n)
	}
	// No staging folder or temporary file is left behind.
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if strings.HasPrefix(d.Name(), ".staging") || strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
}

// TestOpenDataNextPublishSweepsCrashLeftovers: what a publication killed part-way leaves (a
// staging folder with half-written files, temporary files beside and inside the versions and
// in the root, a version folder never completed, a version moved aside by replaceDir's
// fallback) is cleaned up or put back by the next publication; Behind tells the portal's
// catch-up job that files are missing or were made from another generation.
func TestOpenDataNextPublishSweepsCrashLeftovers(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	root := opendata.Root(dd)
	cur, _ := dd.Current()
	if opendata.Behind(root, "2026-11-22", cur) {
		t.Error("Behind right after publishing")
	}
	if !opendata.Behind(root, "2026-11-22", "another-generation") || !opendata.Behind(root, "2026-11-23", cur) {
		t.Error("Behind misses another generation or a new day")
	}
	list := filepath.Join(root, "blacklist")
	leftovers := []string{
		filepath.Join(list, ".staging-2026-11-22-1234", ".blacklist-2026-11-22.csv.gz.tmp-0badf00d"),
		filepath.Join(list, ".LATEST.tmp-0badf00d"),
		filepath.Join(list, "2026-11-21", ".blacklist-2026-11-21.xlsx.tmp-0badf00d"),
		filepath.Join(root, ".catalog.json.tmp-0badf00d"),
		filepath.Join(list, "2026-11-25", "blacklist-2026-11-25.csv.gz"), // no SHA256SUMS
	}
	for _, p := range leftovers {
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("half"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// replaceDir's fallback cut between its renames: the old version is aside, none in place.
	if err := os.Rename(filepath.Join(list, "2026-11-21"), filepath.Join(list, ".old-2026-11-21")); err != nil {
		t.Fatal(err)
	}
	if _, err := opendata.Publish(context.Background(), dd, "2026-11-22", index.NoOverlay{}, opendata.Options{Now: fixed}); err != nil {
		t.Fatal(err)
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if strings.HasPrefix(d.Name(), ".staging") || strings.HasPrefix(d.Name(), ".old-") || strings.Contains(d.Name(), ".tmp-") || d.Name() == "2026-11-25" {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
	if days := opendata.Versions(root, "blacklist"); !slices.Equal(days, []string{"2026-11-22", "2026-11-21"}) {
		t.Errorf("versions after the sweep: %v", days)
	}
}
