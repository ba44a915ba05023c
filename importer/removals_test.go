package importer_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

// Agencies publish removals from the abnormal-operation list and the blacklist as files of
// their own: the entity's code and name and the removal, without the listing date.

const (
	removalsPublisher = "某某市市场监督管理局"
	listedBy          = "某某市某某区市场监督管理局"
)

var (
	listHeader    = []string{"统一社会信用代码", "企业名称", "列入原因", "列入日期", "列入决定机关"}
	removalHeader = []string{"统一社会信用代码", "企业名称", "移出日期", "移出原因", "移出决定机关"}
	removalRow    = func(n int, name string) []string {
		return []string{opendatatest.Code(n), name, "2026-06-01", "补报了未报年份的年度报告并公示", "某某市某某区市场监督管理局"}
	}
)

// listedSnapshot lists entity 1 once and entity 2 twice (by two authorities) on the abnormal
// list, and registers entity 3 without a listing.
func listedSnapshot(t *testing.T, dir string) string {
	t.Helper()
	return opendatatest.Write(t, dir, removalsPublisher, "2026-05-01", "delta",
		opendatatest.File{Type: index.TypeEntity,
			Header: []string{"统一社会信用代码", "企业名称", "登记状态"},
			Rows: [][]string{
				{opendatatest.Code(1), "某某甲贸易有限公司", "存续"},
				{opendatatest.Code(2), "某某乙商贸有限公司", "存续"},
				{opendatatest.Code(3), "某某丙科技有限公司", "存续"},
			}},
		opendatatest.File{Type: index.TypeAbnormal, Header: listHeader, Rows: [][]string{
			{opendatatest.Code(1), "某某甲贸易有限公司", "未按照规定的期限公示年度报告", "2025-07-01", listedBy},
			{opendatatest.Code(2), "某某乙商贸有限公司", "未按照规定的期限公示年度报告", "2025-07-01", listedBy},
			{opendatatest.Code(2), "某某乙商贸有限公司", "通过登记的住所或者经营场所无法联系", "2025-09-01", "某某市某某县市场监督管理局"},
		}})
}

func importOpts(dd index.DataDir) importer.Options {
	return importer.Options{Data: dd, Shards: 2, MaxRejectedShare: 0.9,
		Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime) }}
}

func issueOn(rep *importer.Report, code string) *importer.Issue {
	for i := range rep.Issues {
		if rep.Issues[i].Code == code {
			return &rep.Issues[i]
		}
	}
	return nil
}

func serve(t *testing.T, dd index.DataDir) (*index.Generation, *index.Searcher) {
	t.Helper()
	cur, err := dd.Current()
	if err != nil {
		t.Fatal(err)
	}
	g, err := index.OpenGeneration(dd.Generation(cur))
	if err != nil {
		t.Fatal(err)
	}
	live := &index.Live{}
	live.Swap(g)
	t.Cleanup(live.Close)
	return g, &index.Searcher{Live: live, Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime) }}
}

func listIDs(t *testing.T, s *index.Searcher, state string) map[string]bool {
	t.Helper()
	res, err := s.List(context.Background(), index.ListRequest{Type: index.TypeAbnormal, State: state, Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range res.Records {
		ids[r.ID] = true
	}
	return ids
}

func abnormalOf(t *testing.T, g *index.Generation, code string) []*index.Record {
	t.Helper()
	recs, err := g.Docs.RecordsOf(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	var out []*index.Record
	for _, r := range recs {
		if r.Type == index.TypeAbnormal {
			out = append(out, r)
		}
	}
	return out
}

func TestRemovalFileRemovesTheOpenListing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dd := index.DataDir(filepath.Join(dir, "data"))
	if _, err := importer.Import(ctx, []string{listedSnapshot(t, dir)}, importOpts(dd)); err != nil {
		t.Fatal(err)
	}
	g, _ := serve(t, dd)
	before := abnormalOf(t, g, opendatatest.Code(1))
	if len(before) != 1 || before[0].Removed != "" {
		t.Fatalf("listing before the removal: %+v", before)
	}
	listing := before[0]

	removals := opendatatest.Write(t, filepath.Join(dir, "removals"), removalsPublisher, "2026-06-02", "delta",
		opendatatest.File{Type: index.TypeAbnormal, Header: removalHeader, Rows: [][]string{
			removalRow(1, "某某甲贸易有限公司"), // line 2: the one open listing
			removalRow(3, "某某丙科技有限公司"), // line 3: never listed
			removalRow(2, "某某乙商贸有限公司"), // line 4: two open listings
		}})
	reps, err := importer.Import(ctx, []string{removals}, importOpts(dd))
	if err != nil {
		t.Fatal(err)
	}
	rep := reps[0]
	if f := rep.Files[0]; f.Rows != 3 || f.Accepted != 1 || f.Rejected != 2 {
		t.Errorf("file counts: %+v", f)
	}
	if is := issueOn(rep, "removal_unmatched"); is == nil || is.Line != 3 || is.Severity != "error" ||
		is.Reason != "未找到该主体在名单中的当前列入记录，无法移出" {
		t.Errorf("removal without a listing: %+v", is)
	}
	if is := issueOn(rep, "removal_ambiguous"); is == nil || is.Line != 4 || is.Severity != "error" ||
		!strings.Contains(is.Reason, "该主体有多条当前列入记录") || !strings.Contains(is.Reason, "请提供列入日期以确定移出哪一条") {
		t.Errorf("removal with two listings: %+v", is)
	}
	var changed int
	for _, c := range rep.Changes {
		if c.Type == string(index.TypeAbnormal) {
			changed = c.Changed
			if c.Added != 0 {
				t.Errorf("a removal added a record: %+v", c)
			}
		}
	}
	if changed != 1 {
		t.Errorf("changes: %+v", rep.Changes)
	}

	g, s := serve(t, dd)
	after := abnormalOf(t, g, opendatatest.Code(1))
	if len(after) != 1 {
		t.Fatalf("entity 1's list entries after the removal: %+v", after)
	}
	got := after[0]
	if got.ID != listing.ID || got.Date != "2025-07-01" || got.Authority != listedBy || got.Removed != "2026-06-01" ||
		got.Fields["reason"] != "未按照规定的期限公示年度报告" || got.Fields["list_date"] != "2025-07-01" ||
		got.Fields["removal_date"] != "2026-06-01" || got.Fields["removal_reason"] != "补报了未报年份的年度报告并公示" ||
		got.Fields["removal_authority"] != "某某市某某区市场监督管理局" {
		t.Errorf("removed listing: %+v", got)
	}
	for _, r := range abnormalOf(t, g, opendatatest.Code(2)) {
		if r.Removed != "" {
			t.Errorf("an ambiguous removal was attached to %+v", r)
		}
	}
	if recs := abnormalOf(t, g, opendatatest.Code(3)); len(recs) != 0 {
		t.Errorf("a removal without a listing was stored: %+v", recs)
	}
	removed, current := listIDs(t, s, "removed"), listIDs(t, s, "current")
	if !removed[listing.ID] || current[listing.ID] || len(removed) != 1 || len(current) != 2 {
		t.Errorf("list engine: removed %v, current %v (listing %s)", removed, current, listing.ID)
	}
}

// A removal that names the listing's authority removes only that authority's listing, so a
// second open listing by another authority does not make it ambiguous.
func TestRemovalNamingTheListingAuthority(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dd := index.DataDir(filepath.Join(dir, "data"))
	if _, err := importer.Import(ctx, []string{listedSnapshot(t, dir)}, importOpts(dd)); err != nil {
		t.Fatal(err)
	}
	header := append(append([]string{}, removalHeader...), "列入决定机关")
	removals := opendatatest.Write(t, filepath.Join(dir, "removals"), removalsPublisher, "2026-06-02", "delta",
		opendatatest.File{Type: index.TypeAbnormal, Header: header, Rows: [][]string{
			append(removalRow(2, "某某乙商贸有限公司"), "某某市某某县市场监督管理局"),
		}})
	if _, err := importer.Import(ctx, []string{removals}, importOpts(dd)); err != nil {
		t.Fatal(err)
	}
	g, _ := serve(t, dd)
	for _, r := range abnormalOf(t, g, opendatatest.Code(2)) {
		if want := map[string]string{listedBy: "", "某某市某某县市场监督管理局": "2026-06-01"}[r.Authority]; r.Removed != want {
			t.Errorf("listing by %s: removed %q, want %q", r.Authority, r.Removed, want)
		}
	}
}

// A full snapshot replaces its publisher's listings: a removal row in it names none, so the
// listing it means would be withdrawn with the rest. Such a snapshot is refused whole.
func TestRemovalRowsRefuseAFullSnapshot(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dd := index.DataDir(filepath.Join(dir, "data"))
	if _, err := importer.Import(ctx, []string{listedSnapshot(t, dir)}, importOpts(dd)); err != nil {
		t.Fatal(err)
	}
	served, _ := dd.Current()
	removals := opendatatest.Write(t, filepath.Join(dir, "removals"), removalsPublisher, "2026-06-02", "full",
		opendatatest.File{Type: index.TypeAbnormal, Header: removalHeader, Rows: [][]string{removalRow(1, "某某甲贸易有限公司")}})
	opts := importOpts(dd)
	opts.AllowShrink = true
	_, err := importer.Import(ctx, []string{removals}, opts)
	if !errors.Is(err, importer.ErrRefused) || !strings.Contains(err.Error(), "abnormal.csv:2") || !strings.Contains(err.Error(), "全量快照") {
		t.Fatalf("full removal file: err = %v", err)
	}
	if now, _ := dd.Current(); now != served {
		t.Errorf("serving generation changed from %s to %s", served, now)
	}
}

// gongshi check has no store to find the listing in: it accepts the row and says what the
// import will do with it.
func TestCheckReportsRemovalRows(t *testing.T) {
	dir := t.TempDir()
	removals := opendatatest.Write(t, dir, removalsPublisher, "2026-06-02", "delta",
		opendatatest.File{Type: index.TypeBlacklist, Header: removalHeader, Rows: [][]string{
			removalRow(1, "某某甲贸易有限公司"),
			{opendatatest.Code(2), "某某乙商贸有限公司", "", "", ""}, // neither listing nor removal
		}})
	// Rejected counts the row's three missing fields, not one row: allow for it.
	rep, err := importer.Check(context.Background(), removals, importer.Options{MaxRejectedShare: 5})
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Files[0]; f.Rows != 2 || f.Accepted != 1 || f.Rejected == 0 {
		t.Errorf("file counts: %+v", f)
	}
	is := issueOn(rep, "removal_only")
	if is == nil || is.Line != 2 || is.Severity != "notice" || is.Field != "移出日期" || !strings.Contains(is.Reason, "仅含移出信息") {
		t.Errorf("removal row: %+v", is)
	}
	if is := issueOn(rep, "missing_required"); is == nil || is.Line != 3 || is.Field != "列入原因" {
		t.Errorf("row without listing or removal: %+v", is)
	}
	var out strings.Builder
	rep.Summary(&out)
	if !strings.Contains(out.String(), "blacklist.csv:2 移出日期 仅含移出信息（无列入日期）：导入时移出该主体在名单中的当前列入记录") {
		t.Errorf("summary:\n%s", out.String())
	}
}
