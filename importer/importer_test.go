package importer

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

const (
	fixture  = "../testdata/snapshots/agency-2026-11-01"
	damaged  = "../testdata/snapshots/damaged-2026-11-02"
	bareFile = "../testdata/snapshots/严重违法失信名单-bare.csv"
	huawei   = "91350102MA2XYW015U"
	antai    = "91350200776049653A"
	lvyuan   = "92350103MA8ABC1235"
)

func fixtureOptions(t *testing.T) Options {
	return Options{Data: index.DataDir(t.TempDir()), Shards: 2, MaxRejectedShare: 0.4}
}

func findIssue(rep *Report, code, file string) *Issue {
	for i := range rep.Issues {
		if rep.Issues[i].Code == code && strings.Contains(rep.Issues[i].File, file) {
			return &rep.Issues[i]
		}
	}
	return nil
}

func TestCheckReportsEveryProblem(t *testing.T) {
	rep, err := Check(context.Background(), fixture, fixtureOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]FileReport{}
	for _, f := range rep.Files {
		byPath[f.Path] = f
	}
	if f := byPath["登记信息.csv"]; f.Encoding != "utf-8-bom" || f.Rows != 7 || f.Accepted != 5 || f.Rejected != 2 {
		t.Errorf("entities: %+v", f)
	}
	if f := byPath["行政处罚.csv"]; f.Encoding != "gb18030" || f.Accepted != 4 || f.Withheld != 1 || f.Rejected != 1 {
		t.Errorf("penalties: %+v", f)
	}
	cd := findIssue(rep, "check_digit", "登记信息")
	if cd == nil || cd.Line != 7 || !strings.Contains(cd.Reason, "应为 A") || !strings.Contains(cd.Reason, antai) {
		t.Errorf("check digit issue: %+v", cd)
	}
	if is := findIssue(rep, "missing_required", "登记信息"); is == nil || is.Line != 8 || is.Field != "统一社会信用代码" {
		t.Errorf("missing code issue: %+v", is)
	}
	if is := findIssue(rep, "invalid_date", "行政处罚"); is == nil || is.Line != 7 || is.Field != "处罚决定日期" {
		t.Errorf("bad date issue: %+v", is)
	}
	if is := findIssue(rep, "not_published", "行政处罚"); is == nil || is.Severity != "withheld" {
		t.Errorf("warning-only penalty: %+v", is)
	}
	// With the default threshold the same snapshot (2 of 7 entity rows bad) is refused as a whole.
	if _, err := Check(context.Background(), fixture, Options{}); !errors.Is(err, ErrRefused) {
		t.Errorf("default threshold: err = %v, want ErrRefused", err)
	}
}

func TestImportBuildsServableGeneration(t *testing.T) {
	ctx := context.Background()
	opts := fixtureOptions(t)
	reps, err := Import(ctx, []string{fixture}, opts)
	if err != nil {
		t.Fatal(err)
	}
	cur, _ := opts.Data.Current()
	if cur == "" || reps[0].Generation != cur {
		t.Fatalf("current = %q, report generation %q", cur, reps[0].Generation)
	}
	g, err := index.OpenGeneration(opts.Data.Generation(cur))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	// Lower-case and full-width codes were normalised.
	for _, code := range []string{antai, lvyuan, huawei} {
		e, err := g.Docs.Entity(ctx, code)
		if err != nil || e == nil {
			t.Fatalf("entity %s: %v %v", code, e, err)
		}
	}
	recs, _ := g.Docs.RecordsOf(ctx, huawei)
	types := map[index.RecordType]int{}
	for _, r := range recs {
		types[r.Type]++
	}
	if types[index.TypePenalty] != 2 || types[index.TypeAbnormal] != 1 {
		t.Errorf("records of %s: %v", huawei, types)
	}
	for _, r := range recs {
		if r.Type == index.TypePenalty && r.Fields["category"] == "通报批评" && r.PublicUntil != "2026-11-30" {
			t.Errorf("通报批评 without 公示截止期: until %q, want policy's 3 months", r.PublicUntil)
		}
	}
	if g.Info.Entities != 5 || g.Info.Records != 7 || g.DocCount() != 12 {
		t.Errorf("info %+v, docs %d", g.Info, g.DocCount())
	}
	if got, _ := filepath.Glob(filepath.Join(string(opts.Data), "snapshots", "*", "manifest.json")); len(got) != 1 {
		t.Errorf("archived snapshots: %v", got)
	}

	// A damaged snapshot is refused and the serving generation stays.
	_, err = Import(ctx, []string{damaged}, opts)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("damaged: err = %v", err)
	}
	if now, _ := opts.Data.Current(); now != cur {
		t.Errorf("current changed to %s after a refused import", now)
	}
	if got := opts.Data.CompleteGenerations(); len(got) != 1 {
		t.Errorf("generations after refusal: %v", got)
	}

	// A bare GB18030 file without manifest: type recognised from headers and file name; a delta
	// keeps everything else.
	reps, err = Import(ctx, []string{bareFile}, opts)
	if err != nil {
		t.Fatal(err)
	}
	g2, err := index.OpenGeneration(opts.Data.Generation(reps[0].Generation))
	if err != nil {
		t.Fatal(err)
	}
	defer g2.Close()
	if reps[0].Files[0].Type != "blacklist" || g2.Info.Entities != 5 || g2.Info.Records != 7 {
		t.Errorf("bare import: %+v, info %+v", reps[0].Files, g2.Info)
	}
}
