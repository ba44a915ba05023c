package opendata_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

func TestSafeCSVCell(t *testing.T) {
	for in, want := range map[string]string{
		"":                         "",
		"厦门测试贸易有限公司":               "厦门测试贸易有限公司",
		"91350200MA2XN0LL8U":       "91350200MA2XN0LL8U",
		"012345678":                "012345678",
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+86 592 000 0000":         "'+86 592 000 0000",
		"-2+3+cmd|' /C calc'!A0":   "'-2+3+cmd|' /C calc'!A0",
		"@SUM(1+1)":                "'@SUM(1+1)",
		"\t=1":                     "'\t=1",
		"\r=1":                     "'\r=1",
		"'=1":                      "''=1",
		"'已加引号":                    "''已加引号",
		"-12.5":                    "-12.5",
		"+3":                       "+3",
		"-1e6":                     "-1e6",
		"-.5":                      "-.5",
		"+Inf":                     "'+Inf",
		"-0x1p-2":                  "'-0x1p-2",
		"-":                        "'-",
		"2026-11-22":               "2026-11-22",
	} {
		got := opendata.SafeCSVCell(in)
		if got != want {
			t.Errorf("SafeCSVCell(%q) = %q, want %q", in, got, want)
		}
		if back := opendata.UnguardCSVCell(got); back != in {
			t.Errorf("UnguardCSVCell(%q) = %q, want %q", got, back, in)
		}
	}
}

// FuzzSafeCSVCell: undoing the guard gives the exact value back, and a guarded cell never
// starts the way a formula does unless it is a plain number.
func FuzzSafeCSVCell(f *testing.F) {
	for _, s := range []string{"", "=1+2", "'", "''=", "-5", "+86", "@", "\t", "中文", "-1.5e-3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		c := opendata.SafeCSVCell(v)
		if opendata.UnguardCSVCell(c) != v {
			t.Fatalf("%q → %q → %q", v, c, opendata.UnguardCSVCell(c))
		}
		if c == v && v != "" && (strings.ContainsRune("=@\t\r'", rune(v[0])) || (strings.ContainsRune("+-", rune(v[0])) && !strings.ContainsAny(v, "0123456789"))) {
			t.Fatalf("%q left unguarded", v)
		}
		if c != v && !strings.HasPrefix(c, "'") {
			t.Fatalf("%q changed to %q without the guard", v, c)
		}
	})
}

// TestPublishedCSVGuard: in the files Publish writes, every CSV cell is its value with the
// formula guard applied, and undoing the guard gives the JSON Lines file's exact value back;
// the XLSX holds the exact values.
func TestPublishedCSVGuard(t *testing.T) {
	dd := index.DataDir(t.TempDir())
	hostile := []string{`=HYPERLINK("http://evil.example/","点击")贸易有限公司`, "'引号开头贸易有限公司", "+86 592 000 0000",
		"-2+3+cmd|' /C calc'!A0", "@SUM(1+1)有限公司"} // (the importer trims a leading tab or carriage return)
	var ents [][]string
	for i, h := range hostile {
		ents = append(ents, []string{opendatatest.Code(i + 1), h, "有限责任公司", "张三", "2015-03-02", opendatatest.Authority, "存续", hostile[(i+1)%len(hostile)]})
	}
	opendatatest.Import(t, dd, opendatatest.Write(t, t.TempDir(), opendatatest.Publisher, "2026-11-20", "full",
		opendatatest.File{Type: index.TypeEntity, Header: opendatatest.EntityHeader, Rows: ents}))
	if _, err := opendata.Publish(context.Background(), dd, "2026-11-21", index.NoOverlay{}, opendata.Options{Now: fixed}); err != nil {
		t.Fatal(err)
	}
	l, _ := opendata.ListByName("entities")
	dir := opendata.VersionDir(opendata.Root(dd), l.Name, "2026-11-21")
	csvRows := readCSV(t, filepath.Join(dir, "entities-2026-11-21.csv.gz"))
	jsonRows := readRows(t, filepath.Join(dir, "entities-2026-11-21.jsonl.gz"))
	cols := opendata.Columns(l.Type)
	if len(csvRows) != len(hostile)+1 || len(jsonRows) != len(hostile) {
		t.Fatalf("%d CSV rows, %d JSON rows for %d entities", len(csvRows), len(jsonRows), len(hostile))
	}
	byID := map[string]map[string]any{}
	for _, r := range jsonRows {
		b, _ := json.Marshal(r)
		var m map[string]any
		json.Unmarshal(b, &m)
		byID[r.ID] = m
	}
	lookup := func(m map[string]any, key string) (string, bool) {
		var v any = m
		for _, k := range strings.Split(key, ".") {
			o, ok := v.(map[string]any)
			if !ok {
				return "", false
			}
			v = o[k]
		}
		s, ok := v.(string)
		return s, ok
	}
	idCol := slices.IndexFunc(cols, func(c opendata.Column) bool { return c.Name == opendata.ColRecordID })
	guarded, compared := 0, 0
	for _, row := range csvRows[1:] {
		m := byID[row[idCol]]
		if m == nil {
			t.Fatalf("CSV row %q has no JSON Lines record", row)
		}
		for i, c := range cols {
			want, ok := lookup(m, c.Key)
			if !ok {
				continue
			}
			compared++
			if row[i] != opendata.SafeCSVCell(want) || opendata.UnguardCSVCell(row[i]) != want {
				t.Errorf("%s: CSV cell %q, JSON Lines value %q", c.Name, row[i], want)
			}
			if row[i] != want {
				guarded++
			}
		}
	}
	// Each hostile value is a name once and an address once.
	if guarded != 2*len(hostile) || compared < len(hostile)*len(cols)/2 {
		t.Errorf("%d guarded cells of %d compared, want %d guarded", guarded, compared, 2*len(hostile))
	}

	xf, err := excelize.OpenFile(filepath.Join(dir, "entities-2026-11-21.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer xf.Close()
	sheet, err := xf.GetRows(xf.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range sheet[1:] {
		names = append(names, r[slices.Index(sheet[0], "企业名称")])
	}
	slices.Sort(names)
	want := slices.Clone(hostile)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("XLSX names %q, want the exact %q", names, want)
	}
}
