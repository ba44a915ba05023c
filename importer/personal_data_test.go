package importer_test

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

// The natural persons' numbers of the test snapshot: idA and idB in 18 characters, idC in the
// pre-1999 15 digits (it fails the 注册号 check), and a mobile number.
const (
	idA    = "350102199001011238"
	idB    = "11010519491231002X"
	idC    = "350102900101123"
	mobile = "13812345678"
	// regNo has the shape of idC but passes the 注册号 check: a registration number, kept.
	regNo = "350102900101124"
)

// secrets are what must appear nowhere the portal publishes or searches: each number whole,
// and its birth date with sequence (what masking hides), in any width.
var secrets = []string{
	idA, "19900101123", idB, "11010519491231002", "19491231002", idC, "900101123",
	mobile, "138-1234", "138 1234", "１９９００１０１", "１９４９１２３１",
}

func leaked(s string) string {
	for _, x := range secrets {
		if strings.Contains(s, x) {
			return x
		}
	}
	return ""
}

// personalDataSnapshot carries the numbers in code columns and in free text, spelt every way
// agencies spell them. Line numbers in comments are the CSV lines.
func personalDataSnapshot(t *testing.T) string {
	code := opendatatest.Code
	entities := opendatatest.File{Type: index.TypeEntity,
		Header: []string{"统一社会信用代码", "企业名称", "类型", "法定代表人", "成立日期", "登记机关", "登记状态", "住所", "经营范围", "注册号", "组织机构代码"},
		Rows: [][]string{
			// 2: a 15-digit ID as 注册号 and an 18-digit one as 组织机构代码
			{code(1), opendatatest.Name(1), "有限责任公司", "张三", "2015-03-01", opendatatest.Authority, "存续",
				"厦门市思明区（联系人张三，手机138-1234-5678）", "经营者身份证350102-19900101-1238；日用百货", idC, idA},
			// 3: a real 注册号; IDs glued to letters and in full-width digits
			{code(2), opendatatest.Name(2), "个人独资企业", "李四", "2016-04-01", opendatatest.Authority, "存续",
				"厦门市湖里区 ID350102199001011238_", "投资人证件３５０１０２１９９００１０１１２３８", regNo, ""},
			// 4: an individual business known by its operator's ID: the whole row is withheld
			{idB, "思明区张三日杂店", "个体工商户", "张三", "2017-05-01", opendatatest.Authority, "存续", "厦门市思明区", "日杂", "", ""},
			// 5: IDs with spaces, lower-case x, and the old 15 digits in text
			{code(3), opendatatest.Name(3), "有限责任公司", "王五", "2018-06-01", opendatatest.Authority, "存续",
				"厦门市集美区 350102 19900101 1238", "旧身份证350102900101123、350102 900101 123", "", "11010519491231002x"},
		}}
	penalties := opendatatest.File{Type: index.TypePenalty,
		Header: append(append([]string{}, opendatatest.PenaltyHeader...), "处罚机关统一社会信用代码", "违法事实"),
		Rows: [][]string{
			// 2: the authority's code column holds a person's ID
			{opendatatest.Name(1), code(1), "厦市监罚〔2026〕1号", "罚款", "罚款5万元", "5", "2026-06-01", "2027-06-30", opendatatest.Authority,
				idA, "当事人法定代表人张三（身份证号350102 19900101 1238，电话 138 1234 5678）销售假冒商品"},
			// 3: a real authority code; IDs in full-width with full-width hyphens, glued, and 15 digits
			{opendatatest.Name(2), code(2), "厦市监罚〔2026〕2号", "罚款", "经营者ＩＤ：３５０１０２－１９９００１０１－１２３８", "3", "2026-06-02", "2027-06-30", opendatatest.Authority,
				code(99), "经营者idcard_11010519491231002x_，旧证350102 900101 123，手机" + mobile},
		}}
	return opendatatest.Write(t, t.TempDir(), opendatatest.Publisher, "2026-11-20", "full", entities, penalties)
}

func TestPersonalDataNeverEscapes(t *testing.T) {
	ctx := context.Background()
	dd := index.DataDir(t.TempDir())
	reps, err := importer.Import(ctx, []string{personalDataSnapshot(t)}, importer.Options{Data: dd, Shards: 2, MaxRejectedShare: 0.4})
	if err != nil {
		t.Fatal(err)
	}
	rep := reps[0]

	// The report names every withheld value by file, line and column, without quoting it.
	type where struct {
		file  string
		line  int
		field string
	}
	want := map[where]bool{
		{"entity.csv", 2, "注册号"}: true, {"entity.csv", 2, "组织机构代码"}: true,
		{"entity.csv", 4, "统一社会信用代码"}: true, {"entity.csv", 5, "组织机构代码"}: true,
		{"penalty.csv", 2, "处罚机关统一社会信用代码"}: true,
	}
	for _, is := range rep.Issues {
		if l := leaked(is.Value + is.Reason); l != "" {
			t.Errorf("report issue quotes %s: %+v", l, is)
		}
		if is.Code != "natural_person" {
			continue
		}
		w := where{filepath.Base(is.File), is.Line, is.Field}
		if !want[w] || is.Severity != "withheld" {
			t.Errorf("unexpected personal-data issue %+v", is)
		}
		delete(want, w)
	}
	for w := range want {
		t.Errorf("report lacks the withheld value at %s line %d, %s", w.file, w.line, w.field)
	}
	for _, f := range rep.Files {
		if (f.Type == string(index.TypeEntity) && f.Accepted != 3) || (f.Type == string(index.TypePenalty) && f.Accepted != 2) {
			t.Errorf("the rest of the rows must import: %+v", f)
		}
	}

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
	defer live.Close()

	// Nothing in the document store carries a number in full; text keeps them masked.
	var stored strings.Builder
	for _, c := range []string{opendatatest.Code(1), opendatatest.Code(2), opendatatest.Code(3)} {
		e, err := g.Docs.Entity(ctx, c)
		if err != nil || e == nil {
			t.Fatalf("entity %s: %v %v", c, e, err)
		}
		recs, err := g.Docs.RecordsOf(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(struct {
			E *index.Entity
			R []*index.Record
		}{e, recs})
		if l := leaked(string(b)); l != "" {
			t.Errorf("entity %s or its records carry %s: %s", c, l, b)
		}
		stored.Write(b)
	}
	for _, m := range []string{
		"350102-********-***8", "350102 ******** ***8", "ID350102***********8_", "证件350102***********8",
		"350102－********－***8", "idcard_110105***********x_", "350102 ****** ***", "身份证350102*********",
		"138-****-5678", "138 **** 5678", "手机138****5678",
	} {
		if !strings.Contains(stored.String(), m) {
			t.Errorf("no %q in the stored text", m)
		}
	}
	if e, _ := g.Docs.Entity(ctx, opendatatest.Code(1)); e.RegNo != "" || e.OrgCode != "" || e.Fields["reg_no"] != "" || e.Fields["org_code"] != "" {
		t.Errorf("entity 1 keeps an ID as a code: %+v", e)
	}
	if e, _ := g.Docs.Entity(ctx, idB); e != nil {
		t.Errorf("the individual business known by an ID is published: %+v", e)
	}

	// No number finds anything, while a real 注册号 still does.
	for _, q := range []string{idA, idB, idC, strings.ToLower(idB), "350102 19900101 1238", mobile} {
		if e, err := g.ResolveEntity(ctx, q); err != nil || e != nil {
			t.Errorf("ResolveEntity(%q) = %+v, %v", q, e, err)
		}
	}
	if e, err := g.ResolveEntity(ctx, regNo); err != nil || e == nil || e.Code != opendatatest.Code(2) {
		t.Errorf("ResolveEntity(注册号 %s) = %+v, %v", regNo, e, err)
	}
	s := &index.Searcher{Live: live, Now: func() time.Time { return time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime) }}
	for _, q := range []string{idA, idB, idC, "19900101", "900101123"} {
		res, err := s.Search(ctx, index.SearchRequest{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 0 {
			t.Errorf("search %q finds %d: %+v", q, res.Total, res.Results)
		}
	}

	// The open-data files published from it carry none of the numbers either.
	if _, err := opendata.Publish(ctx, dd, "2026-11-21", index.NoOverlay{},
		opendata.Options{Now: func() time.Time { return time.Date(2026, 11, 22, 1, 0, 0, 0, index.ChinaTime) }}); err != nil {
		t.Fatal(err)
	}
	published := map[string]bool{}
	walkContents(t, opendata.Root(dd), func(name string, b []byte) {
		published[filepath.Base(filepath.Dir(filepath.Dir(name)))] = true
		if l := leaked(string(b)); l != "" {
			t.Errorf("open-data file %s carries %s", name, l)
		}
	})
	if !published["entities"] || !published["penalties"] {
		t.Errorf("published datasets: %v", published)
	}
	// Nor does anything else the import wrote, the archived agency snapshot aside.
	walkContents(t, string(dd), func(name string, b []byte) {
		if strings.HasPrefix(name, dd.Snapshots()+string(filepath.Separator)) {
			return
		}
		if l := leaked(string(b)); l != "" {
			t.Errorf("%s carries %s", name, l)
		}
	})
}

// walkContents calls fn with the content of every file under root, gunzipped or unzipped
// (XLSX) where it is compressed.
func walkContents(t *testing.T, root string, fn func(name string, b []byte)) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		switch {
		case strings.HasSuffix(path, ".gz"):
			gz, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				return err
			}
			if b, err = io.ReadAll(gz); err != nil {
				return err
			}
		case strings.HasSuffix(path, ".xlsx"):
			z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				return err
			}
			for _, f := range z.File {
				r, err := f.Open()
				if err != nil {
					return err
				}
				part, err := io.ReadAll(r)
				r.Close()
				if err != nil {
					return err
				}
				fn(path+"/"+f.Name, part)
			}
			return nil
		}
		fn(path, b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
