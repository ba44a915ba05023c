package importer

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer/mapping"
	"github.com/gongshi/gongshi/index"
)

// agencyFiles are exports shaped as agencies' platforms write them, made up from the published
// field lists and code tables (testdata/agency/README.md): one per built-in profile.
const agencyFiles = "testdata/agency"

// captured collects what a check of one snapshot would import.
type captured struct {
	entities []*index.Entity
	records  []*index.Record
}

func (c *captured) beginFile(ManifestFile, string) error { return nil }
func (c *captured) entity(e *index.Entity) error         { c.entities = append(c.entities, e); return nil }
func (c *captured) record(r *index.Record) error         { c.records = append(c.records, r); return nil }

// loadBare validates a bare file as check does and returns its report and accepted rows.
func loadBare(t *testing.T, path string, bare BareOptions) (*Report, *captured, error) {
	t.Helper()
	snap, err := OpenSnapshot(path, bare)
	if err != nil {
		return nil, nil, err
	}
	defer snap.Close()
	rep := newReport(snap, time.Now())
	out := &captured{}
	err = load(context.Background(), snap, loadOptions{policy: DefaultPolicy()}, out, rep)
	return rep, out, err
}

// Every built-in profile's file is accepted without a mapping; the report names the profile,
// the columns it used and the personal-data columns it withheld; code tables are translated,
// fallback columns fill empty fields, natural persons' rows are withheld.
func TestAgencyFilesByProfile(t *testing.T) {
	tests := []struct {
		file, profile string
		typ           index.RecordType
		encoding      string
		accepted      int
		withheldCols  []string
		check         func(t *testing.T, c *captured)
	}{
		{file: "sgs-2.0-penalty.csv", profile: "sgs-2.0-penalty", typ: index.TypePenalty, encoding: "utf-8", accepted: 2,
			withheldCols: []string{"CF_FR_ZJHM", "CF_XDR_ZJHM"},
			check: func(t *testing.T, c *captured) {
				r := c.records[1]
				if r.EntityCode != "M00000027" || r.Fields["fine"] != "1" || r.Fields["confiscated"] != "0.3" || r.Date != "2026-03-05" {
					t.Errorf("organisation code as fallback, amounts, date: %+v", r)
				}
				if r0 := c.records[0]; r0.PublicUntil != "2029-03-02" || r0.Fields["authority_code"] != "113502000036509816" {
					t.Errorf("公示截止期, 处罚机关统一社会信用代码: %+v", r0)
				}
			}},
		{file: "sgs-2016-penalty-gb18030.csv", profile: "sgs-2016-penalty", typ: index.TypePenalty, encoding: "gb18030", accepted: 2,
			withheldCols: []string{"cf_xdr_sfz"},
			check: func(t *testing.T, c *captured) {
				r := c.records[1]
				if r.Fields["category"] != "没收违法所得" || r.EntityCode != "M00000051" || r.Date != "2017-06-15" || r.Authority != "泉州市工商行政管理局" {
					t.Errorf("处罚类别2 and 组织机构代码 as fallbacks: %+v", r)
				}
				if c.records[0].Fields["content"] != "罚款人民币5万元" {
					t.Errorf("处罚结果: %+v", c.records[0].Fields)
				}
			}},
		{file: "sgs-2.0-license-bom.csv", profile: "sgs-2.0-license", typ: index.TypeLicense, encoding: "utf-8-bom", accepted: 2,
			withheldCols: []string{"XK_FR_ZJHM", "XK_XDR_ZJHM"},
			check: func(t *testing.T, c *captured) {
				if c.records[0].Fields["state"] != "有效" || c.records[1].Fields["state"] != "无效" {
					t.Errorf("当前状态 codes: %q, %q", c.records[0].Fields["state"], c.records[1].Fields["state"])
				}
				if r := c.records[0]; r.Fields["valid_to"] != "2030-05-05" || r.Fields["license_no"] != "JY13502030012345" {
					t.Errorf("%+v", r.Fields)
				}
			}},
		{file: "sgs-2016-license.csv", profile: "sgs-2016-license", typ: index.TypeLicense, encoding: "utf-8", accepted: 2,
			withheldCols: []string{"xk_xdr_sfz"},
			check: func(t *testing.T, c *captured) {
				if c.records[0].Fields["state"] != "正常" || c.records[1].Fields["state"] != "撤销" {
					t.Errorf("当前状态 codes: %q, %q", c.records[0].Fields["state"], c.records[1].Fields["state"])
				}
				if c.records[1].EntityCode != "350102600123455" {
					t.Errorf("工商登记码 as fallback: %q", c.records[1].EntityCode)
				}
			}},
		{file: "gsxt-entity.csv", profile: "gsxt-entity", typ: index.TypeEntity, encoding: "utf-8", accepted: 2,
			withheldCols: []string{"CERNO", "TEL"},
			check: func(t *testing.T, c *captured) {
				if c.entities[0].Status != "存续（在营、开业、在册）" || c.entities[1].Status != "吊销，未注销" {
					t.Errorf("登记状态 code and label: %q, %q", c.entities[0].Status, c.entities[1].Status)
				}
				if e := c.entities[0]; e.RegNo != "350200100012346" || e.Fields["authority"] != "厦门市市场监督管理局" || e.Fields["legal_rep"] != "王五" {
					t.Errorf("%+v", e)
				}
			}},
		{file: "gsxt-abnormal.csv", profile: "gsxt-abnormal", typ: index.TypeAbnormal, encoding: "utf-8", accepted: 3,
			check: func(t *testing.T, c *captured) {
				r := c.records[0]
				if r.Fields["reason"] != "未按照规定的期限公示年度报告" || r.Fields["removal_reason"] != "补报未报年份的年度报告并公示" ||
					r.Removed != "2024-09-01" || r.Fields["removal_authority"] != "厦门市市场监督管理局" {
					t.Errorf("listing and removal in one row, reasons as codes: %+v", r.Fields)
				}
				if r := c.records[1]; r.Removed != "" || r.Fields["removal_reason"] != "" {
					t.Errorf("an empty removal: %+v", r.Fields)
				}
				if r := c.records[2]; r.EntityCode != "350200100098766" || r.Authority != "厦门市集美区市场监督管理局" {
					t.Errorf("注册号 as fallback: %+v", r)
				}
			}},
		{file: "gsxt-blacklist.jsonl", profile: "gsxt-blacklist", typ: index.TypeBlacklist, encoding: "jsonl", accepted: 2,
			check: func(t *testing.T, c *captured) {
				if r := c.records[1]; r.Removed != "2027-04-01" || r.Fields["reason"] != "提交虚假材料取得公司登记" {
					t.Errorf("%+v", r.Fields)
				}
			}},
		{file: "经营异常名录-移出.csv", profile: "pinyin-initials-abnormal", typ: index.TypeAbnormal, encoding: "utf-8", accepted: 2,
			check: func(t *testing.T, c *captured) {
				for _, r := range c.records {
					if r.Removed == "" || r.Fields["removal_reason"] == "" || r.Fields["removal_authority"] == "" {
						t.Errorf("a file of removals: %+v", r.Fields)
					}
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			rep, c, err := loadBare(t, filepath.Join(agencyFiles, tt.file), BareOptions{})
			if err != nil {
				t.Fatal(err)
			}
			fr := rep.Files[0]
			if fr.Type != string(tt.typ) || fr.Profile != tt.profile || fr.ProfileSource == "" || fr.Encoding != tt.encoding {
				t.Errorf("type %s, profile %q (%s), encoding %s", fr.Type, fr.Profile, fr.ProfileSource, fr.Encoding)
			}
			if fr.Accepted != tt.accepted || fr.Rejected != 0 || len(c.entities)+len(c.records) != tt.accepted {
				t.Errorf("accepted %d rejected %d: %+v", fr.Accepted, fr.Rejected, rep.Issues)
			}
			if strings.Join(fr.WithheldColumns, ",") != strings.Join(tt.withheldCols, ",") {
				t.Errorf("withheld columns %q, want %q", fr.WithheldColumns, tt.withheldCols)
			}
			if len(fr.Columns) == 0 || fr.Columns[0].Via != "profile" {
				t.Errorf("columns %+v", fr.Columns)
			}
			all, _ := json.Marshal(struct {
				E []*index.Entity
				R []*index.Record
				I []Issue
			}{c.entities, c.records, rep.Issues})
			for _, secret := range []string{"350102199001011238", "13812345678"} {
				if strings.Contains(string(all), secret) {
					t.Errorf("%s published or reported", secret)
				}
			}
			if !t.Failed() && tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

// The 双公示 2.0 file's natural person's row is withheld by its 行政相对人类别, before anything
// in it is read; the warning-only penalty by the publication rules.
func TestNaturalPersonRowsWithheld(t *testing.T) {
	rep, _, err := loadBare(t, filepath.Join(agencyFiles, "sgs-2.0-penalty.csv"), BareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, is := range rep.Issues {
		codes = append(codes, is.Code+"@"+is.Field)
		if is.Value != "" && strings.Contains(is.Value, "张某") {
			t.Errorf("the person's name in the report: %+v", is)
		}
	}
	if got := strings.Join(codes, " "); got != "natural_person@行政相对人类别 not_published@处罚类别" {
		t.Errorf("issues %s", got)
	}
	if fr := rep.Files[0]; fr.Withheld != 2 || fr.Rows != 4 {
		t.Errorf("%+v", fr)
	}
}

// A file no profile knows is refused for its columns; with the mapping proposed for it, the
// same file imports. The mapping travels in the made-up manifest, so a rebuild reads it too.
func TestColumnsFileForBareFile(t *testing.T) {
	path := filepath.Join(agencyFiles, "renamed-list.csv")
	if _, _, err := loadBare(t, path, BareOptions{}); err == nil || !strings.Contains(err.Error(), "cannot tell the record type") {
		t.Fatalf("without a mapping: %v", err)
	}
	rep, _, err := loadBare(t, path, BareOptions{Type: index.TypeAbnormal})
	if err == nil || len(rep.Files[0].MissingColumns) == 0 {
		t.Fatalf("with a type only: %v", err)
	}
	m, err := mapping.ProposeFile(path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := OpenSnapshot(path, BareOptions{Columns: m})
	if err != nil {
		t.Fatal(err)
	}
	snap.Close()
	mf := snap.Manifest.Files[0]
	if mf.Type != index.TypeAbnormal || mf.Columns["主体代码"] != "code" {
		t.Errorf("made-up manifest: %+v", mf)
	}
	rep, c, err := loadBare(t, path, BareOptions{Columns: m})
	if err != nil {
		t.Fatal(err)
	}
	fr := rep.Files[0]
	if fr.Accepted != 4 || !fr.Mapped || strings.Join(fr.WithheldColumns, ",") != "经办人联系电话" || strings.Join(fr.UnknownHeaders, ",") != "备注信息" {
		t.Errorf("%+v", fr)
	}
	if r := c.records[2]; r.Date != "2023-05-20" || r.Removed != "2024-01-08" {
		t.Errorf("%+v", r)
	}
	// A --type that contradicts the mapping's is an error, not a silent choice.
	if _, err := OpenSnapshot(path, BareOptions{Type: index.TypeBlacklist, Columns: m}); err == nil || !strings.Contains(err.Error(), "says type abnormal") {
		t.Errorf("contradicting types: %v", err)
	}
}

// A snapshot's manifest maps each file's columns; a mapping that names a missing column or an
// unknown key refuses the snapshot with a message naming it.
func TestManifestColumns(t *testing.T) {
	src, err := os.ReadFile(filepath.Join(agencyFiles, "renamed-list.csv"))
	if err != nil {
		t.Fatal(err)
	}
	write := func(columns string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "list.csv"), src, 0o644); err != nil {
			t.Fatal(err)
		}
		sum, _ := fileSHA256(filepath.Join(dir, "list.csv"))
		m := `{"publisher": "厦门市市场监督管理局", "snapshot_date": "2026-11-01", "kind": "delta",
			"files": [{"path": "list.csv", "type": "abnormal", "sha256": "` + sum + `", "rows": 4, ` + columns + `}]}`
		if err := os.WriteFile(filepath.Join(dir, ManifestName), []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	good := `"columns": {"主体代码": "code", "单位": "name", "时间点": "list_date", "原因说明": "reason", "决定部门": "authority",
		"移出时间点": "removal_date", "移出说明": "removal_reason"}, "values": {"reason": {"1": "未按照规定的期限公示年度报告"}},
		"withhold": ["备注信息"]`
	rep, err := Check(context.Background(), write(good), Options{})
	if err != nil {
		t.Fatalf("%v\n%+v", err, rep)
	}
	if fr := rep.Files[0]; fr.Accepted != 4 || !fr.Mapped || strings.Join(fr.WithheldColumns, ",") != "经办人联系电话,备注信息" {
		t.Errorf("%+v", fr)
	}

	missing := strings.Replace(good, `"主体代码": "code"`, `"统一代码": "code"`, 1)
	_, err = Check(context.Background(), write(missing), Options{})
	if err == nil || !strings.Contains(err.Error(), `column "统一代码" is not in the file`) {
		t.Errorf("missing column: %v", err)
	}
	unknown := strings.Replace(good, `"list_date"`, `"listing_day"`, 1)
	_, err = Check(context.Background(), write(unknown), Options{})
	if err == nil || !strings.Contains(err.Error(), `"listing_day" is not a field of type abnormal; valid keys: code (统一社会信用代码), name (企业名称)`) {
		t.Errorf("unknown key: %v", err)
	}
}
