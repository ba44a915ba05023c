package mapping

import (
	"encoding/json"
	"math/rand"
	"reflect"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

func TestResolveWithSpec(t *testing.T) {
	header := []string{"主体代码", "单位", "时间点", "原因", "决定部门", "移出日期", "身份证号", "备注", "旧代码"}
	spec := &Spec{
		Columns: map[string]string{
			"主体代码": "code", "单位": "name", "时间点": "list_date", "原因": "reason", "决定部门": "列入决定机关",
			"旧代码": "code", "备注": Ignore,
		},
		Values:   map[string]map[string]string{"reason": {"1": "未按照规定的期限公示年度报告"}},
		Withhold: []string{"移出日期"},
	}
	r, err := Resolve(index.TypeAbnormal, header, spec)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Keys(), []string{"code", "name", "list_date", "reason", "authority", "", "", "", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("keys %q, want %q", got, want)
	}
	if got := r.Withheld(); !reflect.DeepEqual(got, []string{"移出日期", "身份证号"}) {
		t.Errorf("withheld %q", got)
	}
	if got := r.Ignored(); !reflect.DeepEqual(got, []string{"备注"}) {
		t.Errorf("ignored %q", got)
	}
	if !r.Columns[8].Fallback || r.Columns[8].Key != "code" {
		t.Errorf("旧代码: %+v, want a fallback for code", r.Columns[8])
	}
	row := []string{"", "某某公司", "2024-01-02", "１", "某局", "2024-05-01", "350102199001011238", "x", "12345678-9"}
	got := r.Apply(row)
	if got[0] != "12345678-9" || got[3] != "未按照规定的期限公示年度报告" {
		t.Errorf("applied %q", got)
	}
	if row[0] != "" || row[3] != "１" {
		t.Errorf("Apply changed its input: %q", row)
	}
	if m := r.Missing(); len(m) != 0 {
		t.Errorf("missing %q", m)
	}
}

// A mapping that names a column the file does not have says which, and lists the file's.
func TestResolveMissingColumn(t *testing.T) {
	header := []string{"统一社会信用代码", "企业名称"}
	for _, spec := range []*Spec{
		{Columns: map[string]string{"列入时间": "list_date"}},
		{Withhold: []string{"列入时间"}},
	} {
		_, err := Resolve(index.TypeAbnormal, header, spec)
		if err == nil || !strings.Contains(err.Error(), `"列入时间" is not in the file`) || !strings.Contains(err.Error(), "统一社会信用代码, 企业名称") {
			t.Errorf("%+v: %v", spec, err)
		}
	}
}

// A key the type does not have is an error that lists the valid ones.
func TestResolveUnknownKey(t *testing.T) {
	for _, spec := range []*Spec{
		{Columns: map[string]string{"LRRQ": "listing_day"}},
		{Values: map[string]map[string]string{"listing_day": {"1": "x"}}},
	} {
		err := spec.Check(index.TypeAbnormal)
		if err == nil || !strings.Contains(err.Error(), "listing_day") || !strings.Contains(err.Error(), "list_date (列入日期)") ||
			!strings.Contains(err.Error(), "removal_authority (移出决定机关)") {
			t.Errorf("%+v: %v", spec, err)
		}
		if _, err2 := Resolve(index.TypeAbnormal, []string{"LRRQ"}, spec); err2 == nil || err2.Error() != err.Error() {
			t.Errorf("Resolve: %v", err2)
		}
	}
	// A code table for a field no column fills applies to nothing: say so.
	_, err := Resolve(index.TypeEntity, []string{"统一社会信用代码", "企业名称"}, &Spec{Values: map[string]map[string]string{"status": {"1": "存续"}}})
	if err == nil || !strings.Contains(err.Error(), "no column is mapped to") {
		t.Errorf("values without a column: %v", err)
	}
}

// Without a mapping the schema's names are the mapping, as they always were: a repeated
// column is ignored, known personal-data headers are withheld.
func TestResolveDefaultsToSchema(t *testing.T) {
	header := []string{"统一社会信用代码", "企业名称", "列入原因", "列入日期", "列入决定机关", "企业名称", "联系电话", "经营者住所"}
	r, err := Resolve(index.TypeAbnormal, header, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.Keys(), []string{"code", "name", "reason", "list_date", "authority", "", "", ""}; !reflect.DeepEqual(got, want) {
		t.Errorf("keys %q", got)
	}
	if got := r.Ignored(); !reflect.DeepEqual(got, []string{"企业名称"}) {
		t.Errorf("ignored %q", got)
	}
	if got := r.Withheld(); !reflect.DeepEqual(got, []string{"联系电话", "经营者住所"}) {
		t.Errorf("withheld %q", got)
	}
	if r.Profile != nil {
		t.Errorf("profile %s for Chinese standard names", r.Profile.Name)
	}
}

func TestPersonalHeader(t *testing.T) {
	for h, want := range map[string]bool{
		"法定代表人身份证号": true, "联系电话": true, "经营者住所": true, "手机号码": true, "家庭住址": true,
		"CF_FR_ZJHM": true, "cf_xdr_sfz": true, "XK_FR_SFZH": true, "CERNO": true, "TEL": true, "mobTel": true,
		"legalRepIdCard": true, "phone_number": true,
		"住所": false, "住所/经营场所": false, "法定代表人": false, "统一社会信用代码": false, "CF_XDR_SHXYM": false,
		"uniscId": false, "证件类型": false, "XK_FR_ZJLX": false, "hotel": false, "DOM": false,
	} {
		if got := PersonalHeader(h); got != want {
			t.Errorf("PersonalHeader(%q) = %v", h, got)
		}
	}
}

// Every built-in profile is detected from its own field names, whatever their order and case,
// fills every required field of its type, and is chosen over the others.
func TestProfilesDetected(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for _, p := range Profiles() {
		if p.sameAsOther {
			continue // the pinyin list profiles are one field list for two types
		}
		var header []string
		for i, f := range p.Fields {
			h := f.Code
			if i%2 == 1 {
				h = strings.ToLower(h)
			}
			header = append(header, h)
		}
		rng.Shuffle(len(header), func(i, j int) { header[i], header[j] = header[j], header[i] })
		if got := Detect("", header); got != p {
			t.Errorf("%s: detected %v", p.Name, got)
			continue
		}
		r, err := Resolve(p.Type, header, nil)
		if err != nil {
			t.Fatal(err)
		}
		if m := r.Missing(); len(m) > 0 {
			t.Errorf("%s: missing %q", p.Name, m)
		}
		for key := range p.Values {
			if !r.Has(key) {
				t.Errorf("%s: a code table for %s, which no field fills", p.Name, key)
			}
		}
		if t2, _ := Recognise(header, nil); t2 != p.Type {
			t.Errorf("%s: recognised as %q", p.Name, t2)
		}
	}
	// A profile needs most of a file's columns: two standard codes among Chinese names are not it.
	if p := Detect("", []string{"统一社会信用代码", "企业名称", "CF_WSH", "CF_JDRQ", "处罚机关", "处罚类别", "行政相对人名称"}); p != nil {
		t.Errorf("detected %s", p.Name)
	}
}

// Every field of a profile points at something its type has, and no field is listed twice.
func TestProfileFieldsValid(t *testing.T) {
	for _, p := range Profiles() {
		seen := map[string]bool{}
		for _, f := range p.Fields {
			k := index.HeaderKey(f.Code)
			if seen[k] {
				t.Errorf("%s: %s twice", p.Name, f.Code)
			}
			seen[k] = true
			if _, err := target(p.Type, f.Key); err != nil {
				t.Errorf("%s: %s: %v", p.Name, f.Code, err)
			}
		}
		if p.Source == "" || p.Title == "" {
			t.Errorf("%s: no source or title", p.Name)
		}
	}
}

func TestPinyinInitials(t *testing.T) {
	header := []string{"tyshxydm", "QYMC", "LRYY", "LRRQ", "ZCJDJG", "YCYY", "YCRQ", "YCJDJG"}
	r, err := Resolve(index.TypeBlacklist, header, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"code", "name", "reason", "list_date", "authority", "removal_reason", "removal_date", "removal_authority"}
	if got := r.Keys(); !reflect.DeepEqual(got, want) {
		t.Errorf("keys %q", got)
	}
	if typ, sure := Recognise(header, nil); !typ.IsList() || sure {
		t.Errorf("recognised %q, sure %v: the two lists share their names", typ, sure)
	}
}

func TestReadFile(t *testing.T) {
	good := `{"type": "abnormal", "columns": {"LRRQ": "list_date", "DH": "withhold"}, "values": {"reason": {"1": "x"}}, "withhold": ["SFZ"]}`
	f, err := Read(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if f.Type != index.TypeAbnormal || f.Columns["LRRQ"] != "list_date" || f.Withhold[0] != "SFZ" {
		t.Errorf("%+v", f)
	}
	for in, want := range map[string]string{
		`{"type": "abnormal", "colums": {}}`:                         "unknown field",
		`{"type": "abnormality"}`:                                    "not a record type",
		`{"type": "abnormal", "columns": {"LRRQ": "list_day"}}`:      "list_date (列入日期)",
		`{"type": "abnormal", "columns": {" ": "list_date"}}`:        "empty",
		`{"type": "abnormal", "values": {"list_day": {}}}`:           "valid keys",
		`{"type": "abnormal"} {}`:                                    "more than one",
		`{"columns": {"a": "b"}, "values": {"x": null}}`:             "no code table",
		`{"type": "abnormal", "withhold": [""]}`:                     "empty",
		`{"type": "abnormal", "columns": {"a": "` + Withhold + `"}}`: "",
	} {
		_, err := Read(strings.NewReader(in))
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("Read(%s): %v, want %q", in, err, want)
		}
	}
	if _, err := Read(strings.NewReader(`{"columns": {"` + strings.Repeat("x", maxFileBytes) + `": "code"}}`)); err == nil ||
		!strings.Contains(err.Error(), "larger than") {
		t.Errorf("oversized: %v", err)
	}
}

// A written mapping reads back as the same mapping, its columns in the file's order.
func TestFileRoundTrip(t *testing.T) {
	f := &File{Type: index.TypePenalty, Spec: Spec{Columns: map[string]string{"z": "name", "a": "code", "m": Ignore},
		Values: map[string]map[string]string{"category": {"1": "罚款"}}, Withhold: []string{"sfz"}},
		order: []string{"z", "m", "a"}, Proposal: &Proposal{Note: "n", Confidence: map[string]float64{"z": 0.5}}}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if i, j := strings.Index(string(b), `"z"`), strings.Index(string(b), `"a"`); i < 0 || j < i {
		t.Errorf("columns not in the file's order:\n%s", b)
	}
	g, err := Read(strings.NewReader(string(b)))
	if err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	if !reflect.DeepEqual(g.Spec, f.Spec) || g.Type != f.Type || g.Proposal.Note != "n" {
		t.Errorf("read back %+v", g)
	}
}
