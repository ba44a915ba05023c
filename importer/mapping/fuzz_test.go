package mapping

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
)

// FuzzRead feeds arbitrary bytes to the --columns reader (and to the manifest's per-file
// mapping through Spec.Check): it never panics; what it accepts resolves against any header
// without panicking, names only keys of its type, and writes back to the same mapping.
func FuzzRead(f *testing.F) {
	f.Add(`{"type": "abnormal", "columns": {"LRRQ": "list_date", "DH": "withhold"}, "values": {"reason": {"1": "x"}}, "withhold": ["SFZ"]}`)
	f.Add(`{"type": "penalty", "columns": {"CF_XDR_LB": "subject_kind", "CF_WSH": "行政处罚决定书文号", "x": ""}}`)
	f.Add(`{"columns": {"a": "b"}}`)
	f.Add(`{"type": "entity", "values": {"status": {"１": "存续"}}, "proposal": {"note": "n", "confidence": {"a": 1}}}`)
	f.Add(`{"type": "license", "columns": {"a": "ignore"}} trailing`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := Read(strings.NewReader(s))
		if err != nil {
			return
		}
		if m.Type != "" && !m.Type.Valid() {
			t.Fatalf("accepted type %q", m.Type)
		}
		types := index.RecordTypes
		if m.Type != "" {
			types = []index.RecordType{m.Type}
		}
		var header []string
		for h := range m.Columns {
			header = append(header, h)
		}
		header = append(header, m.Withhold...)
		for _, typ := range types {
			if m.Type != "" {
				for src, to := range m.Columns {
					if _, err := target(typ, to); err != nil {
						t.Fatalf("accepted %q → %q for %s: %v", src, to, typ, err)
					}
				}
			}
			r, err := Resolve(typ, header, &m.Spec)
			if err != nil {
				continue
			}
			row := make([]string, len(header))
			copy(row, header)
			if got := r.Apply(row); len(got) != len(row) {
				t.Fatalf("Apply changed the row's width")
			}
			r.NaturalPerson(row)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Read(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("written mapping does not read back: %v\n%s", err, b)
		}
		if len(back.Columns)+len(m.Columns) > 0 && !reflect.DeepEqual(back.Columns, m.Columns) || back.Type != m.Type ||
			len(back.Withhold) != len(m.Withhold) || len(back.Values) != len(m.Values) {
			t.Fatalf("round trip changed the mapping:\n%+v\n%+v", m.Spec, back.Spec)
		}
	})
}

// FuzzPropose feeds arbitrary headers and cells to the inference: it never panics, every
// confidence is between 0 and 1, and the mapping it writes reads back and resolves against
// the same header.
func FuzzPropose(f *testing.F) {
	f.Add("主体代码|单位|时间点", "91350200M000000192|厦门鹭岛食品有限公司|2024-07-15", "||", "")
	f.Add("CF_XDR_MC|cf_wsh|X", "某某公司|厦市监罚〔2026〕1号|350102199001011238", "a|b", "penalty")
	f.Add("||", "|||||", "", "abnormal")
	f.Fuzz(func(t *testing.T, head, row1, row2, typ string) {
		rt := index.RecordType(typ)
		if rt != "" && !rt.Valid() {
			return
		}
		header := strings.Split(head, "|")
		if len(header) > 64 {
			return
		}
		rows := [][]string{strings.Split(row1, "|"), strings.Split(row2, "|")}
		m, err := Propose(rt, header, rows, "f.csv", nil)
		if err != nil {
			t.Fatalf("Propose: %v", err)
		}
		for h, c := range m.Proposal.Confidence {
			if c < 0 || c > 1 {
				t.Fatalf("%q: confidence %v", h, c)
			}
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Read(strings.NewReader(string(b)))
		if err != nil {
			t.Fatalf("proposal does not read back: %v\n%s", err, b)
		}
		if _, err := Resolve(back.Type, header, &back.Spec); err != nil {
			t.Fatalf("proposal does not resolve against its own header: %v\n%s", err, b)
		}
	})
}
