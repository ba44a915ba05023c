package opendata_test

import (
	"archive/zip"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/gongshi/gongshi/importer/opendata"
)

// sheetDimension reads the <dimension ref=…> a read-only reader trusts, from the sheet XML.
func sheetDimension(t *testing.T, path string) string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/sheet") {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			m := regexp.MustCompile(`<dimension ref="([^"]*)"`).FindSubmatch(b)
			if m == nil {
				t.Fatalf("%s: no dimension", f.Name)
			}
			return string(m[1])
		}
	}
	t.Fatalf("%s: no worksheet", path)
	return ""
}

// TestOpenDataXLSXCodesAreTextAndRangeIsDeclared: in every workbook the used range covers the
// header and every row, and code cells (统一社会信用代码, 注册号, 组织机构代码, 文号 …) are strings
// formatted as text (@), with exactly the CSV's values.
func TestOpenDataXLSXCodesAreTextAndRangeIsDeclared(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	root := opendata.Root(dd)
	codes := 0
	for _, l := range opendata.Lists() {
		dir := opendata.VersionDir(root, l.Name, "2026-11-22")
		path := filepath.Join(dir, l.Name+"-2026-11-22.xlsx")
		csvRows := readCSV(t, filepath.Join(dir, l.Name+"-2026-11-22.csv.gz"))
		cols := opendata.Columns(l.Type)
		last, _ := excelize.CoordinatesToCellName(len(cols), len(csvRows))
		if got := sheetDimension(t, path); got != "A1:"+last {
			t.Errorf("%s: dimension %q, want A1:%s", l.Name, got, last)
		}
		x, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sheet := x.GetSheetName(0)
		rows, err := x.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(csvRows) {
			t.Errorf("%s: %d rows, CSV %d", l.Name, len(rows), len(csvRows))
		}
		for i, c := range cols {
			if c.Type != "string" || !(strings.Contains(c.Name, "代码") || strings.HasSuffix(c.Name, "号") || strings.Contains(c.Name, "注册号")) {
				continue
			}
			for r := 1; r < len(csvRows); r++ {
				want := csvRows[r][i]
				if want == "" {
					continue
				}
				cell, _ := excelize.CoordinatesToCellName(i+1, r+1)
				typ, _ := x.GetCellType(sheet, cell)
				got, _ := x.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				style, _ := x.GetCellStyle(sheet, cell)
				st, _ := x.GetStyle(style)
				if typ != excelize.CellTypeInlineString || got != want || st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "@" {
					t.Errorf("%s %s %s: type %v, value %q (CSV %q), style %+v", l.Name, c.Name, cell, typ, got, want, st)
				}
				codes++
			}
		}
		x.Close()
		if l.Name == "blacklist" && !slices.Contains(rows[0], "统一社会信用代码") {
			t.Errorf("blacklist header %q", rows[0])
		}
	}
	if codes == 0 {
		t.Error("no code cell checked")
	}
}
