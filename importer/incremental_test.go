package importer_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

// A snapshot on top of served data updates the index for the documents it changed only; what
// it serves must be exactly what a build of the whole data from the archive serves.

func incrementalHistory(t *testing.T, dir string) []string {
	t.Helper()
	sc := opendatatest.NewScenario(t, dir)
	pen := func(n int, name, doc, fine string) []string {
		return []string{name, opendatatest.Code(n), doc, "罚款", "罚款" + fine + "万元", fine, "2026-06-01", "2027-06-30", opendatatest.Authority}
	}
	// A delta of another publisher: a new entity with a penalty, a renamed entity and a
	// penalty about an entity the register does not have.
	delta := opendatatest.Write(t, filepath.Join(dir, "day3"), "厦门市思明区市场监督管理局", "2026-11-23", "delta",
		opendatatest.File{Type: index.TypeEntity, Header: opendatatest.EntityHeader, Rows: [][]string{
			{opendatatest.Code(7), "厦门新设七号科技有限公司", "有限责任公司", "李四", "2026-01-05", opendatatest.Authority, "存续", "厦门市思明区"},
			{opendatatest.Code(3), "厦门更名三号商贸有限公司", "有限责任公司", "张三", "2015-03-03", opendatatest.Authority, "存续", "厦门市思明区"},
		}},
		opendatatest.File{Type: index.TypePenalty, Header: opendatatest.PenaltyHeader, Rows: [][]string{
			pen(7, "厦门新设七号科技有限公司", "思市监罚〔2026〕7号", "1"),
			pen(90, "厦门未登记九十号贸易有限公司", "思市监罚〔2026〕90号", "2"),
		}})
	return []string{sc.Day1, sc.Day2, delta}
}

var tookMS = regexp.MustCompile(`"took_ms":[0-9.e+-]+,?`)

func TestDeltaUpdatesTheIndexLikeARebuild(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dd := index.DataDir(filepath.Join(dir, "data"))
	opts := importOpts(dd)
	opts.AllowShrink = true
	var seqs []int64
	for i, snap := range incrementalHistory(t, dir) {
		reps, err := importer.Import(ctx, []string{snap}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := reps[0].Incremental, i > 0; got != want {
			t.Errorf("import %d: incremental = %v, want %v", i+1, got, want)
		}
		seqs = append(seqs, reps[0].Seq)
	}
	if fmt.Sprint(seqs) != "[1 2 3]" {
		t.Errorf("sequences %v, want [1 2 3]", seqs)
	}
	incID, _ := dd.Current()
	inc, err := index.OpenGeneration(dd.Generation(incID))
	if err != nil {
		t.Fatal(err)
	}
	defer inc.Close()
	if !inc.Info.Incremental || inc.Info.Seq != 3 || inc.Info.Base == "" {
		t.Errorf("info: incremental %v seq %d base %q", inc.Info.Incremental, inc.Info.Seq, inc.Info.Base)
	}
	if got := strings.Join(inc.Info.Touched, ","); got != "entity,penalty" {
		t.Errorf("touched types %q, want entity,penalty", got)
	}

	paths, err := importer.ArchivedSnapshots(dd)
	if err != nil {
		t.Fatal(err)
	}
	ropts := opts
	ropts.Rebuild = true
	if _, err := importer.Import(ctx, paths, ropts); err != nil {
		t.Fatal(err)
	}
	rebID, _ := dd.Current()
	reb, err := index.OpenGeneration(dd.Generation(rebID))
	if err != nil {
		t.Fatal(err)
	}
	defer reb.Close()
	if reb.Info.Incremental || reb.Info.Seq != 3 {
		t.Errorf("rebuild: incremental %v seq %d, want a full build as sequence 3", reb.Info.Incremental, reb.Info.Seq)
	}
	if inc.Info.Entities != reb.Info.Entities || inc.Info.Records != reb.Info.Records || inc.DocCount() != reb.DocCount() {
		t.Errorf("counts: incremental %d entities %d records %d docs, rebuild %d, %d, %d",
			inc.Info.Entities, inc.Info.Records, inc.DocCount(), reb.Info.Entities, reb.Info.Records, reb.DocCount())
	}
	if inc.Info.Entities != 7 || inc.Info.Records != 9 {
		t.Errorf("incremental counts %d entities, %d records; want 7 and 9", inc.Info.Entities, inc.Info.Records)
	}

	answers := func(g *index.Generation) map[string]string {
		live := &index.Live{}
		live.Swap(g)
		s := &index.Searcher{Live: live, Now: func() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, index.ChinaTime) }}
		out := map[string]string{}
		record := func(key string, v any, err error) {
			if err != nil {
				t.Fatalf("%s: %v", key, err)
			}
			b, _ := json.Marshal(v)
			out[key] = tookMS.ReplaceAllString(string(b), "")
		}
		queries := []string{"", "测试", "贸易", "厦门", "更名三号", "测试03", "新设七号", "未登记", "xiamen", opendatatest.Code(3), opendatatest.Code(2)}
		for n := 1; n <= 7; n++ {
			queries = append(queries, opendatatest.Name(n))
		}
		for _, q := range queries {
			for _, has := range [][]string{nil, {"penalty"}, {"blacklist"}} {
				res, err := s.Search(ctx, index.SearchRequest{Query: q, Has: has, Size: 20, Facets: true})
				record(fmt.Sprintf("search %q %v", q, has), res, err)
			}
		}
		for _, typ := range []index.RecordType{index.TypeBlacklist, index.TypePenalty} {
			for _, state := range []string{"", "current", "removed"} {
				res, err := s.List(ctx, index.ListRequest{Type: typ, State: state, Size: 50, Facets: true})
				record(fmt.Sprintf("list %s %s", typ, state), res, err)
			}
		}
		return out
	}
	got, want := answers(inc), answers(reb)
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s:\n incremental %s\n rebuild     %s", k, got[k], w)
		}
	}
}

func TestAnAppliedSnapshotIsNotAppliedTwice(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dd := index.DataDir(filepath.Join(dir, "data"))
	opts := importOpts(dd)
	opts.AllowShrink = true
	snaps := incrementalHistory(t, dir)
	if _, err := importer.Import(ctx, snaps, opts); err != nil {
		t.Fatal(err)
	}
	cur, _ := dd.Current()
	gens, _ := os.ReadDir(filepath.Join(string(dd), "generations"))
	reps, err := importer.Import(ctx, snaps[1:], opts)
	if err != nil {
		t.Fatal(err)
	}
	for i, rep := range reps {
		if !rep.AlreadyApplied || rep.Seq != int64(i+2) || rep.Generation != cur {
			t.Errorf("report %d: already applied %v, seq %d, generation %s; want true, %d, %s", i, rep.AlreadyApplied, rep.Seq, rep.Generation, i+2, cur)
		}
	}
	after, _ := dd.Current()
	gensAfter, _ := os.ReadDir(filepath.Join(string(dd), "generations"))
	if after != cur || len(gensAfter) != len(gens) {
		t.Errorf("a repeated import made generation %s (%d generations, were %d)", after, len(gensAfter), len(gens))
	}
}
