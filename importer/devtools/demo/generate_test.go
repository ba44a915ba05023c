package demo

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/uscc"
)

var snapDate = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)

func gen(t testing.TB, n int, seed uint64, dirty bool) (string, *importer.Manifest) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "snap")
	m, err := Generate(context.Background(), dir, Options{Entities: n, Seed: seed, Date: snapDate, Dirty: dirty})
	if err != nil {
		t.Fatal(err)
	}
	return dir, m
}

// table is a snapshot file read back: header and rows, decoded whatever the encoding.
type table struct {
	mf     importer.ManifestFile
	header []string
	rows   [][]string
	col    map[string]int // canonical key → column
}

func (tb *table) get(row []string, key string) string {
	if i, ok := tb.col[key]; ok && i < len(row) {
		return row[i]
	}
	return ""
}

func readTable(t *testing.T, dir string, mf importer.ManifestFile) *table {
	t.Helper()
	tb := &table{mf: mf, col: map[string]int{}}
	var all [][]string
	if mf.Format == "xlsx" {
		x, err := excelize.OpenFile(filepath.Join(dir, mf.Path))
		if err != nil {
			t.Fatalf("%s: %v", mf.Path, err)
		}
		defer x.Close()
		if all, err = x.GetRows(x.GetSheetList()[0]); err != nil {
			t.Fatal(err)
		}
		// GetRows drops trailing empty cells; pad to the header width.
		for i := range all {
			for len(all[i]) < len(all[0]) {
				all[i] = append(all[i], "")
			}
		}
	} else {
		b, err := os.ReadFile(filepath.Join(dir, mf.Path))
		if err != nil {
			t.Fatal(err)
		}
		if rest, ok := bytes.CutPrefix(b, []byte("\ufeff")); ok {
			b = rest
		} else if !utf8.Valid(b) {
			if b, err = simplifiedchinese.GB18030.NewDecoder().Bytes(b); err != nil {
				t.Fatalf("%s: not UTF-8 and not GB18030: %v", mf.Path, err)
			}
		} else {
			t.Fatalf("%s: UTF-8 without BOM", mf.Path)
		}
		r := csv.NewReader(bytes.NewReader(b))
		if all, err = r.ReadAll(); err != nil {
			t.Fatalf("%s: %v", mf.Path, err)
		}
	}
	if len(all) == 0 {
		t.Fatalf("%s: no header", mf.Path)
	}
	tb.header, tb.rows = all[0], all[1:]
	s := index.SchemaOf(mf.Type)
	for i, h := range tb.header {
		if k := s.Resolve(h); k != "" {
			tb.col[k] = i
		}
	}
	return tb
}

func readAll(t *testing.T, dir string, m *importer.Manifest) map[index.RecordType]*table {
	out := map[index.RecordType]*table{}
	for _, mf := range m.Files {
		out[mf.Type] = readTable(t, dir, mf)
	}
	return out
}

func TestDeterministic(t *testing.T) {
	for _, dirty := range []bool{false, true} {
		a, ma := gen(t, 1500, 42, dirty)
		b, mb := gen(t, 1500, 42, dirty)
		if fmt.Sprint(ma) != fmt.Sprint(mb) {
			t.Fatalf("dirty=%v: manifests differ", dirty)
		}
		for _, f := range append([]string{importer.ManifestName}, paths(ma)...) {
			x, _ := os.ReadFile(filepath.Join(a, f))
			y, _ := os.ReadFile(filepath.Join(b, f))
			if !bytes.Equal(x, y) || len(x) == 0 {
				t.Fatalf("dirty=%v: %s differs between runs (%d vs %d bytes)", dirty, f, len(x), len(y))
			}
		}
	}
	_, m1 := gen(t, 200, 1, false)
	_, m2 := gen(t, 200, 2, false)
	if m1.Files[0].SHA256 == m2.Files[0].SHA256 {
		t.Fatal("different seeds gave the same entities")
	}
}

func paths(m *importer.Manifest) []string {
	var p []string
	for _, f := range m.Files {
		p = append(p, f.Path)
	}
	return p
}

// checkManifest verifies digests, row counts, file set and headers.
func checkManifest(t *testing.T, dir string, m *importer.Manifest, tabs map[index.RecordType]*table) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, importer.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	rm, err := importer.ReadManifest(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rm) != fmt.Sprint(m) || rm.Kind != importer.KindFull || rm.SnapshotDate != "2025-06-30" || rm.Publisher != DefaultPublisher {
		t.Fatalf("manifest on disk %+v differs from returned %+v", rm, m)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != len(m.Files)+1 {
		t.Fatalf("snapshot has %d entries, want %d files + manifest", len(ents), len(m.Files))
	}
	if len(m.Files) != 8 {
		t.Fatalf("%d files", len(m.Files))
	}
	for _, mf := range m.Files {
		data, err := os.ReadFile(filepath.Join(dir, mf.Path))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != mf.SHA256 {
			t.Errorf("%s: sha256 mismatch", mf.Path)
		}
		tb := tabs[mf.Type]
		if len(tb.rows) != mf.Rows {
			t.Errorf("%s: manifest says %d rows, file has %d", mf.Path, mf.Rows, len(tb.rows))
		}
		var want []string
		for _, f := range index.SchemaOf(mf.Type).Fields {
			want = append(want, f.Label)
		}
		if strings.Join(tb.header, "|") != strings.Join(want, "|") {
			t.Errorf("%s: header %v, want %v", mf.Path, tb.header, want)
		}
	}
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

func TestCleanSnapshot(t *testing.T) {
	dir, m := gen(t, 3000, 7, false)
	tabs := readAll(t, dir, m)
	checkManifest(t, dir, m, tabs)
	for _, mf := range m.Files {
		if mf.Format != "csv" || !strings.HasSuffix(mf.Path, ".csv") {
			t.Errorf("clean snapshot has %s as %s", mf.Path, mf.Format)
		}
		b, _ := os.ReadFile(filepath.Join(dir, mf.Path))
		if !bytes.HasPrefix(b, []byte("\ufeff")) || !utf8.Valid(b) {
			t.Errorf("%s: not UTF-8 with BOM", mf.Path)
		}
	}
	ldr, _ := loadTables()

	ents := tabs[index.TypeEntity]
	names := map[string]string{}
	est := map[string]string{}
	dupNames := 0
	seenName := map[string]bool{}
	for _, r := range ents.rows {
		code := ents.get(r, "code")
		if err := uscc.Validate(code); err != nil {
			t.Fatalf("entity code %q: %v", code, err)
		}
		if _, dup := names[code]; dup {
			t.Fatalf("duplicate entity code %s", code)
		}
		name := ents.get(r, "name")
		if seenName[name] {
			dupNames++
		}
		seenName[name] = true
		names[code], est[code] = name, ents.get(r, "established")
		if org := uscc.OrgCode(code); gb11714Check([]byte(org)) != org[8] {
			t.Errorf("%s: organisation code check character wrong", code)
		}
		if oc := ents.get(r, "org_code"); oc != "" && oc != uscc.OrgCode(code)[:8]+"-"+uscc.OrgCode(code)[8:] {
			t.Errorf("%s: org_code %q", code, oc)
		}
		if rn := ents.get(r, "reg_no"); rn != "" && (uscc.Classify(rn) != uscc.KindRegNo || rn[:6] != code[2:8] || !mod1110(rn)) {
			t.Errorf("%s: reg_no %q", code, rn)
		}
		typ := ents.get(r, "entity_type")
		if !ldr.entTypes[halfParens(typ)] {
			t.Errorf("entity type %q not in the official table", typ)
		}
		switch code[1] {
		case '2':
			if typ != typeIndividual {
				t.Errorf("%s is %s", code, typ)
			}
		case '3':
			if typ != typeCoop || !strings.HasSuffix(name, "合作社") {
				t.Errorf("%s %s is %s", code, name, typ)
			}
		}
		for _, k := range []string{"established", "approved", "term_from", "term_to"} {
			if v := ents.get(r, k); v != "" && (!isoDate.MatchString(v) || v > "2025-06-30" && k != "term_to") {
				t.Errorf("%s: %s %q", code, k, v)
			}
		}
		if ents.get(r, "approved") < ents.get(r, "established") {
			t.Errorf("%s approved before established", code)
		}
	}
	if dupNames > len(ents.rows)/200 {
		t.Errorf("%d duplicate names in %d entities", dupNames, len(ents.rows))
	}

	// Every record refers to an entity by code and current name, and is dated within
	// its life and the six years before the snapshot.
	for _, typ := range index.RecordTypes[1:] {
		tb := tabs[typ]
		s := index.SchemaOf(typ)
		for _, r := range tb.rows {
			code := tb.get(r, "code")
			name, ok := names[code]
			if !ok {
				t.Fatalf("%s row refers to unknown code %q", typ, code)
			}
			if tb.get(r, "name") != name {
				t.Fatalf("%s row names %q, entity is %q", typ, tb.get(r, "name"), name)
			}
			for _, f := range s.Fields {
				v := tb.get(r, f.Key)
				if f.Required && v == "" {
					t.Fatalf("%s: required %s empty in %v", typ, f.Key, r)
				}
				if f.Kind == index.KindDate && v != "" && !isoDate.MatchString(v) {
					t.Fatalf("%s: %s %q not ISO", typ, f.Key, v)
				}
				if f.Kind == index.KindCode && v != "" && uscc.Validate(v) != nil {
					t.Fatalf("%s: %s %q invalid", typ, f.Key, v)
				}
			}
			if s.DateKey != "" {
				d := tb.get(r, s.DateKey)
				if d > "2025-06-30" || d < "2019-06-30" || d < est[code] {
					t.Fatalf("%s %s dated %s (established %s)", typ, code, d, est[code])
				}
			}
			if typ.IsList() && tb.get(r, "removal_date") != "" && tb.get(r, "removal_date") <= tb.get(r, "list_date") {
				t.Fatalf("%s removed before listed: %v", typ, r)
			}
		}
	}

	// Natural keys are unique: penalties and licences by authority + document number.
	for _, typ := range []index.RecordType{index.TypePenalty, index.TypeLicense} {
		tb, seen := tabs[typ], map[string]bool{}
		for _, r := range tb.rows {
			k := tb.get(r, "authority") + "|" + tb.get(r, "doc_no")
			if seen[k] {
				t.Errorf("%s: duplicate document number %s", typ, k)
			}
			seen[k] = true
		}
	}
	cases := map[string]bool{}
	for _, r := range tabs[index.TypeDishonestDebtor].rows {
		k := tabs[index.TypeDishonestDebtor].get(r, "case_no")
		if cases[k] {
			t.Errorf("duplicate case number %s", k)
		}
		cases[k] = true
		if c := tabs[index.TypeDishonestDebtor].get(r, "code"); c[1] != '1' {
			t.Errorf("debtor %s is not a company", c)
		}
	}

	// Penalties: publication ends in the past and in the future, some left to the portal,
	// warnings present, fines with two decimals, 3-month rule for small fines.
	pen := tabs[index.TypePenalty]
	var past, future, empty, warn int
	for _, r := range pen.rows {
		pu, d := pen.get(r, "public_until"), pen.get(r, "decision_date")
		switch {
		case pu == "":
			empty++
		case pu < "2025-06-30":
			past++
		default:
			future++
		}
		cat := pen.get(r, "category")
		if cat == "警告" {
			warn++
		}
		if f := pen.get(r, "fine"); f != "" {
			if !regexp.MustCompile(`^\d+\.\d\d$`).MatchString(f) {
				t.Errorf("fine %q", f)
			}
			if v, _ := strconv.ParseFloat(f, 64); v < 1 && pu != "" && pu != addMonths(t, d, 3) && !strings.Contains(cat, "停产") {
				t.Errorf("small fine %s decided %s public until %s", f, d, pu)
			}
		}
	}
	if past == 0 || future == 0 || warn == 0 {
		t.Errorf("penalties: %d past, %d future public_until, %d warnings", past, future, warn)
	}
	if frac := float64(empty) / float64(len(pen.rows)); frac < 0.2 || frac > 0.4 {
		t.Errorf("%.0f%% of penalties without public_until, want about 30%%", frac*100)
	}
}

func addMonths(t *testing.T, iso string, n int) string {
	d, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		t.Fatal(err)
	}
	return dayOf(d).addMonths(n).iso()
}

// mod1110 checks the ISO 7064 MOD 11,10 check digit of a 注册号.
func mod1110(s string) bool {
	p := 10
	for i := 0; i < len(s); i++ {
		v := (p + int(s[i]-'0')) % 10
		if v == 0 {
			v = 10
		}
		if i == len(s)-1 {
			return v == 1
		}
		p = v * 2 % 11
	}
	return false
}

func TestProportions(t *testing.T) {
	const n = 20000
	dir, m := gen(t, n, 3, false)
	per100 := map[index.RecordType][2]float64{
		index.TypePenalty: {6.5, 9.5}, index.TypeLicense: {13, 17}, index.TypeAbnormal: {5, 7.5},
		index.TypeBlacklist: {0.7, 1.4}, index.TypeDishonestDebtor: {1.1, 1.9}, index.TypeSpotCheck: {8.5, 11.5},
		index.TypeRedlist: {1.1, 1.9},
	}
	for _, mf := range m.Files {
		got := float64(mf.Rows) * 100 / n
		t.Logf("%-17s %6d rows  %5.2f per 100 entities", mf.Type, mf.Rows, got)
		if r, ok := per100[mf.Type]; ok && (got < r[0] || got > r[1]) {
			t.Errorf("%s: %.2f per 100 entities, want %v", mf.Type, got, r)
		}
	}
	tabs := readAll(t, dir, m)
	ents := tabs[index.TypeEntity]
	count := map[string]int{}
	for _, r := range ents.rows {
		code, name := ents.get(r, "code"), ents.get(r, "name")
		count["kind"+code[1:2]]++
		count[ents.get(r, "status")]++
		if strings.Contains(name, "分公司") {
			count["branch"]++
		}
		if hasASCIIAlnum(name) {
			count["latin"]++
		}
		if ents.get(r, "reg_no") != "" {
			count["reg_no"]++
		}
		if ents.get(r, "org_code") != "" {
			count["org_code"]++
		}
		if ents.get(r, "former_names") != "" {
			count["former"]++
		}
	}
	want := map[string][2]float64{
		"kind2": {10, 14}, "kind3": {2, 4}, "branch": {3, 5.5}, "latin": {2, 5},
		"存续": {66, 74}, "在业": {6, 10}, "吊销": {5, 9}, "注销": {11, 15}, "迁出": {1, 3},
		"reg_no": {52, 68}, "org_code": {40, 60}, "former": {3, 6},
	}
	for k, r := range want {
		pct := float64(count[k]) * 100 / n
		t.Logf("%-8s %5.1f%%", k, pct)
		if pct < r[0] || pct > r[1] {
			t.Errorf("%s: %.1f%% of entities, want %v", k, pct, r)
		}
	}
	ab := tabs[index.TypeAbnormal]
	removed := 0
	for _, r := range ab.rows {
		if ab.get(r, "removal_date") != "" {
			removed++
		}
	}
	if f := float64(removed) / float64(len(ab.rows)); f < 0.35 || f > 0.6 {
		t.Errorf("%.0f%% of abnormal listings removed, want about half", f*100)
	}
	bl := tabs[index.TypeBlacklist]
	removed = 0
	for _, r := range bl.rows {
		if bl.get(r, "removal_date") != "" {
			removed++
		}
	}
	if f := float64(removed) / float64(len(bl.rows)); f < 0.2 || f > 0.45 {
		t.Errorf("%.0f%% of blacklist entries removed, want about a third", f*100)
	}
}

// dirtOf reports which dirt kinds a row shows.
func dirtOf(tb *table, row []string, prev []string) []int {
	var kinds []int
	name := tb.get(row, "name")
	for _, r := range name {
		if r >= 0xff10 && r <= 0xff5a && r != 0xff08 && r != 0xff09 {
			kinds = append(kinds, dFwName)
			break
		}
	}
	if strings.ContainsAny(name, "()") {
		kinds = append(kinds, dHalfParen)
	}
	for _, r := range name {
		if _, isSimp := trad[r]; !isSimp && isTradRune(r) {
			kinds = append(kinds, dTrad)
			break
		}
	}
	code := tb.get(row, "code")
	if strings.ContainsFunc(code, func(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'ａ' && r <= 'ｚ' }) {
		kinds = append(kinds, dLowerCode)
	}
	if strings.ContainsFunc(code, func(r rune) bool { return r >= 0xff01 && r <= 0xff5e }) {
		kinds = append(kinds, dFwCode)
	}
	var cde *uscc.CheckDigitError
	if n := uscc.Normalize(code); errors.As(uscc.Validate(n), &cde) {
		kinds = append(kinds, dWrongCheck)
	}
	s := index.SchemaOf(tb.mf.Type)
	for _, f := range s.Fields {
		v := tb.get(row, f.Key)
		if f.Kind == index.KindDate && v != "" && !isoDate.MatchString(v) {
			kinds = append(kinds, dOddDate)
			break
		}
	}
	for _, f := range s.Fields {
		if f.Required && f.Key != "code" && tb.get(row, f.Key) == "" {
			kinds = append(kinds, dMissing)
			break
		}
	}
	if prev != nil && strings.Join(prev, "\x00") == strings.Join(row, "\x00") {
		kinds = append(kinds, dDuplicate)
	}
	return kinds
}

var tradRunes = func() map[rune]bool {
	m := map[rune]bool{}
	for _, t := range trad {
		m[t] = true
	}
	return m
}()

func isTradRune(r rune) bool { return tradRunes[r] }

func TestDirty(t *testing.T) {
	dir, m := gen(t, 2000, 11, true)
	tabs := readAll(t, dir, m)
	checkManifest(t, dir, m, tabs)

	formats := map[index.RecordType]string{}
	for _, mf := range m.Files {
		formats[mf.Type] = mf.Format + ":" + mf.Path
	}
	if formats[index.TypeLicense] != "xlsx:licenses.xlsx" || formats[index.TypePenalty] != "csv:penalties.csv" {
		t.Fatalf("formats %v", formats)
	}
	// The penalties file is GB18030 without BOM: not valid UTF-8, decodes to the labels.
	raw, _ := os.ReadFile(filepath.Join(dir, "penalties.csv"))
	if utf8.Valid(raw) || bytes.HasPrefix(raw, []byte("\ufeff")) {
		t.Fatal("penalties.csv should be GB18030")
	}
	dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	line, _, _ := bufio.NewReader(bytes.NewReader(dec)).ReadLine()
	if !strings.HasPrefix(string(line), "行政相对人名称,统一社会信用代码,行政处罚决定书文号") {
		t.Fatalf("GB18030 header decodes to %q", line)
	}
	x, err := excelize.OpenFile(filepath.Join(dir, "licenses.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	x.Close()

	total := map[int]int{}
	perFile := map[index.RecordType]map[int]int{}
	rows := 0
	for typ, tb := range tabs {
		perFile[typ] = map[int]int{}
		var prev []string
		for _, r := range tb.rows {
			for _, k := range dirtOf(tb, r, prev) {
				total[k]++
				perFile[typ][k]++
			}
			prev = r
			rows++
		}
	}
	for k := 0; k < nDirt; k++ {
		t.Logf("%-18s %4d rows (%.1f%%)", dirtKinds[k], total[k], float64(total[k])*100/float64(rows))
		if total[k] < 3 {
			t.Errorf("dirt %s occurs %d times", dirtKinds[k], total[k])
		}
		if float64(total[k]) > 0.05*float64(rows) {
			t.Errorf("dirt %s in %d of %d rows: too much", dirtKinds[k], total[k], rows)
		}
	}
	for typ, ks := range perFile {
		for k := 0; k < nDirt; k++ {
			if ks[k] == 0 && !(typ == index.TypeRedlist && k == dOddDate) {
				t.Errorf("%s has no %s", typ, dirtKinds[k])
			}
		}
	}
}

func TestTargetAndCancel(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "snap")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "x"), []byte("x"), 0o644)
	if _, err := Generate(context.Background(), dir, Options{Entities: 10, Date: snapDate}); err == nil {
		t.Fatal("generated into a non-empty directory")
	}
	os.RemoveAll(dir)
	os.MkdirAll(dir, 0o755) // empty: fine
	if _, err := Generate(context.Background(), dir, Options{Entities: 10, Date: snapDate}); err != nil {
		t.Fatal(err)
	}
	dir2 := filepath.Join(parent, "cancelled")
	ctx, cancel := context.WithCancel(context.Background())
	_, err := Generate(ctx, dir2, Options{Entities: 50000, Date: snapDate, Dirty: true, Progress: func(done, total int) {
		if done >= 10000 {
			cancel()
		}
	}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	ents, _ := os.ReadDir(parent)
	if len(ents) != 1 || ents[0].Name() != "snap" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Fatalf("cancelled run left %v", names)
	}
	if _, err := Generate(context.Background(), dir2, Options{Entities: 10}); err == nil {
		t.Fatal("no date accepted")
	}
}

func TestProgress(t *testing.T) {
	var calls [][2]int
	dir := filepath.Join(t.TempDir(), "s")
	if _, err := Generate(context.Background(), dir, Options{Entities: 25000, Date: snapDate, Progress: func(d, n int) { calls = append(calls, [2]int{d, n}) }}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(calls) != "[[10000 25000] [20000 25000] [25000 25000]]" {
		t.Fatalf("progress calls %v", calls)
	}
}

// TestTradMap checks the built-in traditional forms against OpenCC's table, when present.
func TestTradMap(t *testing.T) {
	b, err := os.ReadFile("/work/shared/data/opencc_TSCharacters.txt")
	if err != nil {
		t.Skip("OpenCC table not available")
	}
	ts := map[rune][]rune{}
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) >= 2 {
			tr, _ := utf8.DecodeRuneInString(f[0])
			for _, s := range f[1:] {
				r, _ := utf8.DecodeRuneInString(s)
				ts[tr] = append(ts[tr], r)
			}
		}
	}
	for s, tr := range trad {
		if !strings.ContainsRune(string(ts[tr]), s) {
			t.Errorf("%c → %c is not in OpenCC TSCharacters", s, tr)
		}
	}
}

func TestCodes(t *testing.T) {
	// GB 11714 worked example: the organisation code of 91350200776049653A is 77604965-3.
	if c := gb11714Check([]byte("77604965")); c != '3' {
		t.Fatalf("check of 77604965 = %c", c)
	}
	p := newPerm(5)
	seen := map[uint64]bool{}
	for i := uint64(0); i < 200000; i++ {
		v := p.apply(i)
		if v >= permDomain || seen[v] {
			t.Fatalf("perm(%d) = %d repeats or out of range", i, v)
		}
		seen[v] = true
	}
	for _, c := range []struct {
		d    day
		want string
	}{{mkday(2024, 2, 29), "2024-02-29"}, {mkday(1970, 1, 1), "1970-01-01"}, {mkday(2024, 1, 31).addMonths(1), "2024-02-29"}, {mkday(2024, 2, 29).addYears(1), "2025-02-28"}, {mkday(2024, 11, 30).addMonths(3), "2025-02-28"}} {
		if c.d.iso() != c.want {
			t.Errorf("got %s want %s", c.d.iso(), c.want)
		}
	}
	if oddDate("2024-03-05", dateSlash) != "2024/3/5" || oddDate("2024-03-05", dateHan) != "2024年3月5日" || oddDate("2024-03-05", dateCompact) != "20240305" {
		t.Error("odd date spellings")
	}
}

func BenchmarkGenerate(b *testing.B) {
	const n = 50000
	for _, dirty := range []bool{false, true} {
		b.Run(fmt.Sprintf("dirty=%v", dirty), func(b *testing.B) {
			start := time.Now()
			for i := 0; i < b.N; i++ {
				dir := filepath.Join(b.TempDir(), "s")
				if _, err := Generate(context.Background(), dir, Options{Entities: n, Seed: uint64(i), Date: snapDate, Dirty: dirty}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "entities/s")
		})
	}
}

var large = flag.Int("demo.large", 0, "generate this many entities once into a temp dir and report time and sizes")

// TestLarge is the manual size check: go test ./importer/demo -run Large -demo.large=1000000
func TestLarge(t *testing.T) {
	if *large == 0 {
		t.Skip("set -demo.large=N")
	}
	dir := filepath.Join(t.TempDir(), "large")
	start := time.Now()
	m, err := Generate(context.Background(), dir, Options{Entities: *large, Seed: 1, Date: snapDate, Dirty: os.Getenv("DEMO_DIRTY") != ""})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("%d entities in %v (%.0f entities/s)", *large, el.Round(time.Millisecond), float64(*large)/el.Seconds())
	var total int64
	for _, f := range m.Files {
		st, _ := os.Stat(filepath.Join(dir, f.Path))
		total += st.Size()
		t.Logf("%-22s %9d rows %8.1f MB  %.2f per 100", f.Path, f.Rows, float64(st.Size())/1e6, float64(f.Rows)*100/float64(*large))
	}
	t.Logf("total %.1f MB", float64(total)/1e6)
}
