package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index/uscc"
	"golang.org/x/text/width"
)

// screenFixture is the search corpus plus entities whose records have removal dates, an old
// registration number, namesakes, a debtor with penalties of every severity, and a debtor that
// is not in the register at all.
type screenFixture struct {
	s     *Searcher
	codes map[string]string // name → code
	ids   map[string]string // label → record id
}

func buildScreenCorpus(t testing.TB) *screenFixture {
	t.Helper()
	f := &screenFixture{codes: map[string]string{}, ids: map[string]string{}}
	dir := t.TempDir()
	docs, err := OpenDocStore(DocStorePath(dir), false)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w, err := docs.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	put := func(e *Entity, recs ...*Record) {
		if e.Name != "" {
			if err := w.PutEntity(e); err != nil {
				t.Fatal(err)
			}
			if _, dup := f.codes[e.Name]; !dup {
				f.codes[e.Name] = e.Code
			}
		}
		for i, r := range recs {
			r.EntityCode = e.Code
			if r.EntityName == "" {
				r.EntityName = e.Name
			}
			label := r.ID
			r.ID = RecordID(r.Type, e.Code, r.Date, fmt.Sprint(i))
			if label != "" {
				f.ids[label] = r.ID
			}
			if err := w.PutRecord(r); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, ce := range corpus {
		c := code(t, ce.first17)
		put(&Entity{Code: c, Name: ce.name, Status: ce.status, Region: uscc.Region(c), FormerNames: ce.former, Fields: map[string]string{}}, ce.recs...)
	}
	qs := code(t, "91350100MA8QT0011")
	put(&Entity{Code: qs, Name: "福建青山纸业有限公司", Status: "存续", Region: "350100", RegNo: "350100100054321", FormerNames: []string{"福建省青山造纸厂"}, Fields: map[string]string{}},
		&Record{ID: "qs-black", Type: TypeBlacklist, Date: "2024-03-01", Removed: "2026-05-01", Authority: "福建省市场监督管理局",
			Fields: map[string]string{"reason": "列入经营异常名录届满3年仍未履行相关义务", "removal_date": "2026-05-01"}},
		&Record{ID: "qs-abn-old", Type: TypeAbnormal, Date: "2023-07-01", Removed: "2023-10-15", Fields: map[string]string{"reason": "未按照规定的期限公示年度报告"}},
		&Record{ID: "qs-abn-new", Type: TypeAbnormal, Date: "2026-01-01", Fields: map[string]string{"reason": "通过登记的住所或者经营场所无法联系"}},
	)
	// Namesakes: two individual businesses with the same name in different districts.
	put(&Entity{Code: code(t, "92350104MA8XYW001"), Name: "鼓楼区绿源小吃店", Status: "存续", Region: "350104", Fields: map[string]string{}})
	hd := code(t, "91350500MA3HD0011")
	put(&Entity{Code: hd, Name: "泉州恒达建设有限公司", Status: "存续", Region: "350500", Fields: map[string]string{}},
		&Record{ID: "hd-debtor", Type: TypeDishonestDebtor, Date: "2025-06-01", Authority: "泉州市中级人民法院", Fields: map[string]string{"case_no": "（2025）闽05执123号"}},
		&Record{ID: "hd-serious", Type: TypePenalty, Date: "2025-02-01", PublicUntil: "2028-01-31", Severity: "严重"},
		&Record{ID: "hd-general", Type: TypePenalty, Date: "2026-06-01", PublicUntil: "2027-05-31", Severity: "一般"},
		&Record{ID: "hd-expired", Type: TypePenalty, Date: "2024-06-01", PublicUntil: "2025-05-31", Severity: "一般"},
		&Record{ID: "hd-revoked", Type: TypePenalty, Date: "2026-03-01", PublicUntil: "2029-02-28", Severity: "严重"},
		&Record{ID: "hd-red", Type: TypeRedlist, Date: "2024-01-01", Fields: map[string]string{"year": "2024"}},
	)
	put(&Entity{Code: code(t, "91350500MA3HD0022"), Name: "泉州恒达建设股份有限公司", Status: "注销", Region: "350500", Fields: map[string]string{}})
	// A debtor missing from the register: only its record names it.
	ghost := code(t, "91350300MA2GH0012")
	put(&Entity{Code: ghost}, &Record{ID: "ghost-debtor", Type: TypeDishonestDebtor, Date: "2026-02-01", EntityName: "莆田鑫盛商贸有限公司",
		Authority: "莆田市城厢区人民法院", Fields: map[string]string{"case_no": "（2026）闽0302执9号"}})
	f.codes["莆田鑫盛商贸有限公司"] = ghost
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	docs.FinishBuild()
	docs.Close()
	f.s = buildAndServe(t, dir, "screen")
	return f
}

type fakeOverlay struct {
	hidden, pending map[string]string
	corrected       map[string]map[string]string
}

func (o fakeOverlay) Hidden(context.Context) (map[string]string, error) { return o.hidden, nil }
func (o fakeOverlay) Corrected(context.Context) (map[string]map[string]string, error) {
	return o.corrected, nil
}
func (o fakeOverlay) Pending(context.Context) (map[string]string, error) { return o.pending, nil }

func screen(t *testing.T, f *screenFixture, opts ScreenOptions, subjects ...Subject) []Match {
	t.Helper()
	sc, err := f.s.NewScreener(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	for i := range subjects {
		subjects[i].Line = i + 1
	}
	res, err := sc.Screen(context.Background(), subjects)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != len(subjects) {
		t.Fatalf("%d results for %d subjects", len(res), len(subjects))
	}
	return res
}

func fullWidth(s string) string { return width.Widen.String(s) }

func TestScreenMatchingExplained(t *testing.T) {
	f := buildScreenCorpus(t)
	antai := f.codes["厦门安泰贸易有限公司"]
	huawei := f.codes["华为技术有限公司"]
	huawei2 := f.codes["华威（福建）新材料科技有限公司"]
	qs := f.codes["福建青山纸业有限公司"]
	unknown := code(t, "91110000MA00YYY01")
	cases := []struct {
		in             Subject
		status, by     string
		code           string   // matched entity
		warnings       []string // exactly these
		explain        []string // in the English explanation
		explainZH      string
		validCode      string
		candidateFirst string
	}{
		{in: Subject{Code: antai}, status: StatusMatched, by: ByExactCode, code: antai, explain: []string{"unified social credit code"}, explainZH: "精确匹配"},
		{in: Subject{Code: strings.ToLower(antai)}, status: StatusMatched, by: ByNormalisedCode, code: antai, explain: []string{"normalising"}, explainZH: "规范化"},
		{in: Subject{Code: fullWidth(antai)}, status: StatusMatched, by: ByNormalisedCode, code: antai},
		{in: Subject{Code: " 91350200-776049653a "}, status: StatusMatched, by: ByNormalisedCode, code: antai},
		{in: Subject{Name: antai}, status: StatusMatched, by: ByExactCode, code: antai}, // a code in the name column
		{in: Subject{Code: antai[:17] + "B"}, status: StatusInvalidCode, validCode: antai, candidateFirst: antai,
			explain: []string{"invalid code (valid check character: A)"}, explainZH: "正确的校验位应为 A"},
		{in: Subject{Code: antai[:17] + "B", Name: "厦门安泰贸易有限公司"}, status: StatusMatched, by: ByExactName, code: antai,
			warnings: []string{WarnCheckDigit}, explain: []string{"invalid code (valid check character: A)", "exact name"}, validCode: antai},
		{in: Subject{Code: "12345"}, status: StatusInvalidCode, explain: []string{"invalid code", "this has 5"}, explainZH: "无效"},
		{in: Subject{Code: "MA2XYW01-6", Name: ""}, status: StatusMatched, by: ByOrgCode, code: huawei, explainZH: "组织机构代码"},
		{in: Subject{Code: "350100100054321"}, status: StatusMatched, by: ByRegNo, code: qs, explainZH: "注册号"},
		{in: Subject{Code: unknown}, status: StatusNotFound, explain: []string{"no entity with this code"}},
		{in: Subject{Code: unknown, Name: "华为技术有限公司"}, status: StatusMatched, by: ByExactName, code: huawei, warnings: []string{WarnCodeNotFound}},
		{in: Subject{Code: antai, Name: "厦门安泰贸易有限公司"}, status: StatusMatched, by: ByExactCode, code: antai, explain: []string{"name given agrees"}},
		{in: Subject{Code: antai, Name: "福州华为技术有限公司"}, status: StatusMatched, by: ByExactCode, code: antai,
			warnings: []string{WarnNameMismatch}, explain: []string{"name_mismatch", "厦门安泰贸易有限公司"}, explainZH: "名称不一致"},
		{in: Subject{Code: huawei2, Name: "福州华威建材有限公司"}, status: StatusMatched, by: ByExactCode, code: huawei2, explain: []string{"former name"}},
		{in: Subject{Name: "华为技术有限公司"}, status: StatusMatched, by: ByExactName, code: huawei, explain: []string{"matched by exact name"}, explainZH: "完全一致"},
		{in: Subject{Name: "华威(福建)新材料科技有限公司"}, status: StatusMatched, by: ByExactName, code: huawei2, explain: []string{"full-width characters and brackets"}},
		{in: Subject{Name: "華威（福建）新材料科技有限公司"}, status: StatusMatched, by: ByExactName, code: huawei2, explain: []string{"traditional characters"}, explainZH: "繁体/简体字"},
		{in: Subject{Name: "廈門銀行股份有限公司"}, status: StatusMatched, by: ByExactName, code: f.codes["厦门银行股份有限公司"]},
		{in: Subject{Name: "志博(陕西)食品有限公司"}, status: StatusMatched, by: ByExactName, code: f.codes["志博（陕西）食品有限公司"]},
		{in: Subject{Name: "福州华威建材有限公司"}, status: StatusMatched, by: ByFormerName, code: huawei2, explain: []string{"former name", "华威（福建）新材料科技有限公司"}, explainZH: "曾用名"},
		{in: Subject{Name: "福建省青山造纸厂"}, status: StatusMatched, by: ByFormerName, code: qs},
		{in: Subject{Name: "华为技术股份有限公司"}, status: StatusMatched, by: ByCloseName, code: huawei, explain: []string{"close name match, score 0.9"}, explainZH: "相似度"},
		{in: Subject{Name: "鼓楼区绿源小吃店"}, status: StatusAmbiguous, explain: []string{"2 entities have this name"}, explainZH: "请提供统一社会信用代码"},
		{in: Subject{Code: unknown, Name: "鼓楼区绿源小吃店"}, status: StatusAmbiguous, warnings: []string{WarnCodeNotFound}, explain: []string{"no entity with this code", "2 entities"}},
		{in: Subject{Name: "华威新材料科技有限公司"}, status: StatusNotFound, explain: []string{"no close match"}, candidateFirst: huawei2},
		{in: Subject{Name: "完全不存在的某某公司"}, status: StatusNotFound, explain: []string{"no entity with this or a similar name"}},
		{in: Subject{Name: "有限公司"}, status: StatusNotFound, explain: []string{"legal-form words"}},
		{in: Subject{}, status: StatusNotFound, explain: []string{"neither a code nor a name"}},
		{in: Subject{Code: f.codes["莆田鑫盛商贸有限公司"]}, status: StatusMatched, by: ByExactCode, code: f.codes["莆田鑫盛商贸有限公司"],
			warnings: []string{WarnNotInRegister}, explain: []string{"not in the register"}},
	}
	subjects := make([]Subject, len(cases))
	for i, c := range cases {
		subjects[i] = c.in
	}
	res := screen(t, f, ScreenOptions{}, subjects...)
	for i, c := range cases {
		m := res[i]
		where := fmt.Sprintf("%d %+v", i+1, c.in)
		if m.Line != i+1 {
			t.Errorf("%s: line %d", where, m.Line)
		}
		if m.Status != c.status || m.MatchedBy != c.by {
			t.Errorf("%s: status %s by %s, want %s by %s (%s)", where, m.Status, m.MatchedBy, c.status, c.by, m.Explanation)
			continue
		}
		got := ""
		if m.Entity != nil {
			got = m.Entity.Code
		}
		if got != c.code {
			t.Errorf("%s: entity %q, want %q", where, got, c.code)
		}
		if strings.Join(m.Warnings, ",") != strings.Join(c.warnings, ",") {
			t.Errorf("%s: warnings %v, want %v (%s)", where, m.Warnings, c.warnings, m.Explanation)
		}
		for _, e := range c.explain {
			if !strings.Contains(m.Explanation, e) {
				t.Errorf("%s: explanation %q lacks %q", where, m.Explanation, e)
			}
		}
		if !strings.Contains(m.ExplanationZH, c.explainZH) || m.ExplanationZH == "" {
			t.Errorf("%s: Chinese explanation %q lacks %q", where, m.ExplanationZH, c.explainZH)
		}
		if m.ValidCode != c.validCode {
			t.Errorf("%s: valid code %q, want %q", where, m.ValidCode, c.validCode)
		}
		if c.candidateFirst != "" && (len(m.Candidates) == 0 || m.Candidates[0].Code != c.candidateFirst) {
			t.Errorf("%s: candidates %+v, want %s first", where, m.Candidates, c.candidateFirst)
		}
		if len(m.Candidates) > MaxScreenCandidates {
			t.Errorf("%s: %d candidates", where, len(m.Candidates))
		}
		if m.Status == StatusMatched && m.Flags == nil {
			t.Errorf("%s: matched without flags", where)
		}
	}
	// Close matches say which parts matched.
	if m := res[22]; m.Score < CloseNameThreshold || m.Score >= 1 || strings.Join(m.MatchedTerms, ",") != "华为技术" {
		t.Errorf("close match: score %v terms %v / %v", m.Score, m.MatchedTerms, m.UnmatchedTerms)
	}
	if m := res[23]; len(m.Candidates) != 2 || m.Candidates[0].Score != 1 {
		t.Errorf("ambiguous candidates: %+v", m.Candidates)
	}
}

func TestScreenFlagsAsOf(t *testing.T) {
	f := buildScreenCorpus(t)
	qs := Subject{Code: f.codes["福建青山纸业有限公司"]}
	// Today: removed from the blacklist on 2026-05-01, on the abnormal list again since 2026-01-01.
	m := screen(t, f, ScreenOptions{}, qs)[0]
	bl, ab := m.Flags.Blacklist, m.Flags.Abnormal
	if bl.Listed || len(bl.Entries) != 1 || bl.Entries[0].InForce || bl.Entries[0].RemovalDate != "2026-05-01" || bl.Entries[0].ListDate != "2024-03-01" {
		t.Errorf("blacklist today: %+v", bl)
	}
	if !ab.Listed || ab.Since != "2026-01-01" || len(ab.Entries) != 2 {
		t.Errorf("abnormal today: %+v", ab)
	}
	// Before the removal the company was listed; the removal since is reported with its date.
	m = screen(t, f, ScreenOptions{AsOf: "2025-01-01"}, qs)[0]
	bl, ab = m.Flags.Blacklist, m.Flags.Abnormal
	if !bl.Listed || bl.Since != "2024-03-01" || !bl.Entries[0].InForce || bl.Entries[0].RemovalDate != "2026-05-01" || bl.Entries[0].Reason == "" {
		t.Errorf("blacklist on 2025-01-01: %+v", bl)
	}
	if ab.Listed || len(ab.Entries) != 1 || ab.Entries[0].RemovalDate != "2023-10-15" {
		t.Errorf("abnormal on 2025-01-01 (2023 entry removed, 2026 entry not yet listed): %+v", ab)
	}
	if got := m.Flags.Any(); strings.Join(got, ",") != "blacklist" {
		t.Errorf("Any: %v", got)
	}
	// The day of the removal is the first day off the list; the day before is still on it.
	if m := screen(t, f, ScreenOptions{AsOf: "2026-05-01"}, qs)[0]; m.Flags.Blacklist.Listed {
		t.Error("listed on the removal day")
	}
	if m := screen(t, f, ScreenOptions{AsOf: "2026-04-30"}, qs)[0]; !m.Flags.Blacklist.Listed {
		t.Error("not listed the day before the removal")
	}
	if m := screen(t, f, ScreenOptions{AsOf: "2023-08-01"}, qs)[0]; !m.Flags.Abnormal.Listed || m.Flags.Blacklist.Listed {
		t.Errorf("2023-08-01: %+v %+v", m.Flags.Abnormal, m.Flags.Blacklist)
	}
	// Before anything was listed there is nothing.
	if m := screen(t, f, ScreenOptions{AsOf: "2020-01-01"}, qs)[0]; len(m.Flags.Any()) != 0 || len(m.Flags.Blacklist.Entries) != 0 {
		t.Errorf("2020: %+v", m.Flags)
	}
}

func TestScreenPenaltiesHiddenAndObjections(t *testing.T) {
	f := buildScreenCorpus(t)
	hd := Subject{Name: "泉州恒达建设有限公司"}
	ov := fakeOverlay{hidden: map[string]string{f.ids["hd-revoked"]: "撤销"}, pending: map[string]string{f.ids["hd-debtor"]: "2026-10-01"}}
	m := screen(t, f, ScreenOptions{Overlay: ov}, hd)[0]
	if m.Status != StatusMatched || m.MatchedBy != ByExactName {
		t.Fatalf("%+v", m)
	}
	p := m.Flags.Penalties
	// The revoked penalty does not count; the expired one is no longer public.
	if p.Count != 2 || p.MostSevere != "严重" || p.Latest != "2026-06-01" || p.From != "2023-11-23" {
		t.Errorf("penalties: %+v", p)
	}
	if d := m.Flags.DishonestDebtor; !d.Listed || d.Since != "2025-06-01" || d.Entries[0].CaseNo == "" {
		t.Errorf("debtor: %+v", d)
	}
	if r := m.Flags.Redlist; !r.Listed || strings.Join(r.Years, ",") != "2024" {
		t.Errorf("redlist: %+v", r)
	}
	if o := m.Flags.Objection; !o.Pending || o.Since != "2026-10-01" || len(o.RecordIDs) != 1 {
		t.Errorf("objection: %+v", o)
	}
	// Without the decision the revoked penalty counts; a one-year window drops the 2025 one.
	m = screen(t, f, ScreenOptions{PenaltyYears: 1}, hd)[0]
	if p := m.Flags.Penalties; p.Count != 2 || p.Latest != "2026-06-01" || p.MostSevere != "严重" {
		t.Errorf("penalties, 1 year, no overlay: %+v", p)
	}
	if m.Flags.Objection.Pending {
		t.Error("objection without an overlay")
	}
	// On 2025-03-01: the serious one, and the 2024 one still public; the objection not yet filed.
	m = screen(t, f, ScreenOptions{AsOf: "2025-03-01", Overlay: ov}, hd)[0]
	if p := m.Flags.Penalties; p.Count != 2 || p.Latest != "2025-02-01" {
		t.Errorf("penalties on 2025-03-01: %+v", p)
	}
	if m.Flags.DishonestDebtor.Listed || m.Flags.Objection.Pending {
		t.Errorf("2025-03-01: debtor %+v objection %+v", m.Flags.DishonestDebtor, m.Flags.Objection)
	}
	// A correction moving the removal date changes what was in force.
	qs := f.codes["福建青山纸业有限公司"]
	corr := fakeOverlay{corrected: map[string]map[string]string{f.ids["qs-black"]: {"removal_date": "2024-06-01"}}}
	if m := screen(t, f, ScreenOptions{AsOf: "2025-01-01", Overlay: corr}, Subject{Code: qs})[0]; m.Flags.Blacklist.Listed {
		t.Errorf("corrected removal ignored: %+v", m.Flags.Blacklist)
	}
	// Only the flags asked for.
	m = screen(t, f, ScreenOptions{Flags: []string{"blacklist,penalty"}}, hd)[0]
	if m.Flags.Blacklist == nil || m.Flags.Penalties == nil || m.Flags.Abnormal != nil || m.Flags.DishonestDebtor != nil || m.Flags.Objection != nil {
		t.Errorf("flags: %+v", m.Flags)
	}
	// The record-only debtor is flagged.
	m = screen(t, f, ScreenOptions{}, Subject{Code: f.codes["莆田鑫盛商贸有限公司"], Name: "莆田鑫盛商贸有限公司"})[0]
	if !m.Flags.DishonestDebtor.Listed || m.Entity.Name != "莆田鑫盛商贸有限公司" || len(m.Warnings) != 1 {
		t.Errorf("record-only: %+v %+v", m, m.Flags.DishonestDebtor)
	}
	// Candidates carry their flags: the unresolved namesake list is not a blind spot.
	m = screen(t, f, ScreenOptions{}, Subject{Name: "泉州恒达建设"})[0]
	if m.Status != StatusAmbiguous || len(m.Candidates) != 2 {
		t.Fatalf("泉州恒达建设: %s %s %+v", m.Status, m.Explanation, m.Candidates)
	}
	for _, c := range m.Candidates {
		if c.Code == f.codes["泉州恒达建设有限公司"] && !strings.Contains(strings.Join(c.Flagged, ","), FlagDebtor) {
			t.Errorf("candidate flags: %+v", c)
		}
	}
}

func TestScreenOptionsRejected(t *testing.T) {
	f := buildScreenCorpus(t)
	var bre *BadRequestError
	for _, o := range []ScreenOptions{{AsOf: "2026-13-01"}, {AsOf: "2026-11-23"}, {AsOf: "22.11.2026"}, {PenaltyYears: 11}, {PenaltyYears: -1}, {Flags: []string{"sanctions"}}} {
		sc, err := f.s.NewScreener(context.Background(), o)
		if !errors.As(err, &bre) {
			t.Errorf("%+v: %v", o, err)
		}
		if sc != nil {
			sc.Close()
		}
	}
	if _, err := (&Searcher{Live: &Live{}}).NewScreener(context.Background(), ScreenOptions{}); !errors.Is(err, ErrNotReady) {
		t.Errorf("no generation: %v", err)
	}
}

func TestScreenStreamKeepsOrder(t *testing.T) {
	f := buildScreenCorpus(t)
	sc, err := f.s.NewScreener(context.Background(), ScreenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer sc.Close()
	names := []string{"华为技术有限公司", "厦门银行股份有限公司", "不存在的公司", "福州华威建材有限公司"}
	const batches, per = 7, 3
	n := 0
	next := func() ([]Subject, error) {
		if n == batches {
			return nil, io.EOF
		}
		var b []Subject
		for i := 0; i < per; i++ {
			line := n*per + i + 1
			b = append(b, Subject{Line: line, Name: names[line%len(names)]})
		}
		n++
		return b, nil
	}
	var lines []int
	err = sc.Stream(context.Background(), next, func(ms []Match) error {
		for _, m := range ms {
			lines = append(lines, m.Line)
			if want := names[m.Line%len(names)]; (m.Entity == nil) != (want == "不存在的公司") {
				t.Errorf("line %d: %+v", m.Line, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range lines {
		if l != i+1 {
			t.Fatalf("order: %v", lines)
		}
	}
	if len(lines) != batches*per {
		t.Errorf("%d results", len(lines))
	}
	stop := errors.New("client gone")
	n = 0
	if err := sc.Stream(context.Background(), next, func([]Match) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("emit error: %v", err)
	}
}

func TestNameScore(t *testing.T) {
	s := newNameShape("华为技术股份有限公司")
	if got := s.score("华为技术有限公司"); got < CloseNameThreshold || got >= 1 {
		t.Errorf("legal form differs: %v", got)
	}
	if got := newNameShape("华为技术有限公司福州分公司").score("华为技术有限公司"); got >= CloseNameThreshold {
		t.Errorf("a branch is not its head office: %v", got)
	}
	if got := newNameShape("福州华威新材料科技有限公司").score("华威新材料科技（福州）有限公司"); got < CloseNameThreshold {
		t.Errorf("region moved: %v", got)
	}
	if got := newNameShape("華為技術有限公司").score("华为技术有限公司"); got != 1 {
		t.Errorf("traditional: %v", got)
	}
	if en, zh := foldingNote("華威（福建）", "华威（福建）"); en != "traditional characters" || zh != "繁体/简体字" {
		t.Errorf("folding note: %s / %s", en, zh)
	}
	if en, _ := foldingNote("华威(福建)", "华威（福建）"); en != "full-width characters and brackets" {
		t.Errorf("folding note: %s", en)
	}
	m, u := commonParts([]rune("华威新材料科技福州"), []rune("福州华威新材料"))
	if strings.Join(m, ",") != "华威新材料,福州" || strings.Join(u, ",") != "科技" {
		t.Errorf("commonParts: %v / %v", m, u)
	}
}
