package importer_test

import (
	"context"
	"testing"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

// A file's counts are of rows: a row with three problems is one rejected row, so the share
// that can refuse a snapshot is the share of rows, not of issues.
func TestReportCountsRowsNotIssues(t *testing.T) {
	snap := opendatatest.Write(t, t.TempDir(), opendatatest.Publisher, "2026-11-20", importer.KindDelta,
		opendatatest.File{Type: index.TypePenalty, Header: opendatatest.PenaltyHeader, Rows: [][]string{
			{opendatatest.Name(1), opendatatest.Code(1), "厦市监罚〔2026〕1号", "罚款", "罚款1万元", "1", "2026-06-01", "2027-06-30", opendatatest.Authority},
			// no name, no decision number, an impossible date: three issues, one row
			{"", opendatatest.Code(2), "", "罚款", "罚款1万元", "1", "2026-02-30", "2027-06-30", opendatatest.Authority},
			{opendatatest.Name(3), opendatatest.Code(3), "厦市监罚〔2026〕3号", "罚款", "罚款1万元", "1", "2026-06-03", "2027-06-30", opendatatest.Authority},
		}})
	rep, err := importer.Check(context.Background(), snap, importer.Options{MaxRejectedShare: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	f := rep.Files[0]
	if f.Rows != 3 || f.Accepted != 2 || f.Rejected != 1 || len(rep.Issues) < 3 {
		t.Fatalf("rows %d, accepted %d, rejected %d, %d issues: %+v", f.Rows, f.Accepted, f.Rejected, len(rep.Issues), rep.Issues)
	}
	if share := rep.RejectedShare(); share > 0.34 {
		t.Errorf("rejected share %.2f, want 1/3", share)
	}
}
