// Package opendatatest builds small agency snapshots for the tests of the open-data files,
// the feeds and the jobs: a manifest with checksums and one UTF-8 CSV per record type.
package opendatatest

import (
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/uscc"
)

// File is one file of a snapshot: a header row and data rows.
type File struct {
	Type   index.RecordType
	Header []string
	Rows   [][]string
}

// Code returns a valid USCC for n (the check character computed), so tests can make as many
// entities as they need.
func Code(n int) string {
	first := fmt.Sprintf("91350200MA%07d", n)
	c, err := uscc.CheckChar(first)
	if err != nil {
		panic(err)
	}
	return first + string(c)
}

// Write writes a snapshot folder under dir and returns its path.
func Write(t testing.TB, dir, publisher, date, kind string, files ...File) string {
	t.Helper()
	snap := filepath.Join(dir, fmt.Sprintf("snapshot-%s-%s", date, kind))
	if err := os.MkdirAll(snap, 0o755); err != nil {
		t.Fatal(err)
	}
	m := importer.Manifest{Publisher: publisher, SnapshotDate: date, Kind: kind}
	for _, f := range files {
		name := string(f.Type) + ".csv"
		path := filepath.Join(snap, name)
		fh, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(fh)
		w.Write(f.Header)
		w.WriteAll(f.Rows)
		if err := fh.Close(); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		h := sha256.Sum256(b)
		m.Files = append(m.Files, importer.ManifestFile{Path: name, Type: f.Type, SHA256: hex.EncodeToString(h[:]), Rows: len(f.Rows)})
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(snap, importer.ManifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return snap
}

// Import imports snapshots into the data folder with two shards and fails the test on error.
// The scenario's second day withdraws one of three blacklist entries on purpose, a larger
// share than the importer's guard lets a full snapshot withdraw unless told to.
func Import(t testing.TB, dd index.DataDir, paths ...string) {
	t.Helper()
	if _, err := importer.Import(context.Background(), paths, importer.Options{Data: dd, Shards: 2, MaxRejectedShare: 0.4, AllowShrink: true}); err != nil {
		t.Fatal(err)
	}
}

// Headers of the files the scenario writes.
var (
	EntityHeader    = []string{"统一社会信用代码", "企业名称", "类型", "法定代表人", "成立日期", "登记机关", "登记状态", "住所"}
	BlacklistHeader = []string{"统一社会信用代码", "企业名称", "列入原因", "列入日期", "列入决定机关", "移出原因", "移出日期", "移出决定机关"}
	PenaltyHeader   = []string{"行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期", "公示截止期", "处罚机关"}
)

// Names of the scenario's entities, by number.
func Name(n int) string { return fmt.Sprintf("厦门测试%02d贸易有限公司", n) }

// Scenario is a two-day history for the open-data tests (days in China time):
//
//	day 1 (snapshot 2026-11-20): entities 1–6; blacklist entries of 1, 2, 3; penalties
//	  P1 (entity 1, public until 2027-06-30), P2 (entity 2, public until 2026-11-20) and
//	  P3 (entity 4, public until 2026-11-22).
//	day 2 (snapshot 2026-11-22, blacklist and penalties only): entry 1 removed on 2026-11-22,
//	  entry 2 gone from the file, entry 3 unchanged, entries 4 and 5 new; P1's fine changed
//	  from 5 to 8; P3 unchanged; P2 still in the file.
type Scenario struct {
	Day1, Day2 string // snapshot folders
}

const (
	Authority = "厦门市市场监督管理局"
	Publisher = "厦门市市场监督管理局（测试）"
)

// NewScenario writes the two snapshots under dir.
func NewScenario(t testing.TB, dir string) Scenario {
	var ents [][]string
	for i := 1; i <= 6; i++ {
		ents = append(ents, []string{Code(i), Name(i), "有限责任公司", "张三", "2015-03-0" + fmt.Sprint(i), Authority, "存续", "厦门市思明区"})
	}
	bl := func(n int, listed, removed string) []string {
		r := []string{Code(n), Name(n), "提交虚假材料取得登记", listed, Authority, "", "", ""}
		if removed != "" {
			r[5], r[6], r[7] = "已履行相关义务", removed, Authority
		}
		return r
	}
	pen := func(n int, doc, fine, until string) []string {
		return []string{Name(n), Code(n), doc, "罚款", "罚款" + fine + "万元", fine, "2026-06-01", until, Authority}
	}
	day1 := Write(t, filepath.Join(dir, "day1"), Publisher, "2026-11-20", "full",
		File{Type: index.TypeEntity, Header: EntityHeader, Rows: ents},
		File{Type: index.TypeBlacklist, Header: BlacklistHeader, Rows: [][]string{bl(1, "2025-01-10", ""), bl(2, "2025-02-10", ""), bl(3, "2025-03-10", "")}},
		File{Type: index.TypePenalty, Header: PenaltyHeader, Rows: [][]string{
			pen(1, "厦市监罚〔2026〕1号", "5", "2027-06-30"), pen(2, "厦市监罚〔2026〕2号", "3", "2026-11-20"), pen(4, "厦市监罚〔2026〕3号", "2", "2026-11-22")}},
	)
	day2 := Write(t, filepath.Join(dir, "day2"), Publisher, "2026-11-22", "full",
		File{Type: index.TypeBlacklist, Header: BlacklistHeader, Rows: [][]string{bl(1, "2025-01-10", "2026-11-22"), bl(3, "2025-03-10", ""), bl(4, "2026-11-01", ""), bl(5, "2026-11-02", "")}},
		File{Type: index.TypePenalty, Header: PenaltyHeader, Rows: [][]string{
			pen(1, "厦市监罚〔2026〕1号", "8", "2027-06-30"), pen(2, "厦市监罚〔2026〕2号", "3", "2026-11-20"), pen(4, "厦市监罚〔2026〕3号", "2", "2026-11-22")}},
	)
	return Scenario{Day1: day1, Day2: day2}
}

// RecordID returns the id the importer gives the scenario's records.
func BlacklistID(n int, listed string) string {
	return index.RecordID(index.TypeBlacklist, Code(n), listed, Authority)
}

// PenaltyID returns the id of the scenario's penalty with the document number.
func PenaltyID(doc string) string { return index.RecordID(index.TypePenalty, Authority, doc) }

// Overlay is a fixed index.Overlay for tests.
type Overlay struct {
	HiddenIDs    map[string]string
	CorrectedIDs map[string]map[string]string
	PendingIDs   map[string]string
}

func (o Overlay) Hidden(context.Context) (map[string]string, error) { return o.HiddenIDs, nil }
func (o Overlay) Corrected(context.Context) (map[string]map[string]string, error) {
	return o.CorrectedIDs, nil
}
func (o Overlay) Pending(context.Context) (map[string]string, error) { return o.PendingIDs, nil }
