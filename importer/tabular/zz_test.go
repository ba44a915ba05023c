package tabular
import ("testing";"os";"fmt";"github.com/xuri/excelize/v2")
func FuzzZZ(f *testing.F){
	f.Add(workbook(f, func(x *excelize.File) {
		set(f, x, "Sheet1", "A1", "h", 0)
		set(f, x, "Sheet1", "B3", 1.5, 0)
		set(f, x, "Sheet1", "C4", "long", 0)
	}))
	f.Fuzz(func(t *testing.T, data []byte) {
		os.WriteFile(fmt.Sprintf("/tmp/fuzzlast-%d", os.Getpid()), data, 0o644)
		check(t, data, XLSX, excelize.TotalRows+2)
	})
}
