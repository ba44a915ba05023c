package importer

import (
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/index"
)

func FuzzReadManifest(f *testing.F) {
	f.Add(`{"publisher":"p","snapshot_date":"2026-11-01","kind":"full","files":[{"path":"a.csv","type":"entity","sha256":"00","rows":1}]}`)
	f.Add(`{"publisher":"p","snapshot_date":"2026-11-01","kind":"delta","files":[{"path":"../../etc/passwd","type":"entity"}]}`)
	f.Add(`{}`)
	f.Add(`[`)
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ReadManifest(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, file := range m.Files {
			if strings.Contains(file.Path, "..") && !strings.Contains(file.Path, "...") {
				// No ".." element at all, even one that stays inside; a name merely containing ".." (a..b) is fine.
				for _, part := range strings.Split(file.Path, "/") {
					if part == ".." {
						t.Fatalf("accepted path escaping the snapshot: %q", file.Path)
					}
				}
			}
			if strings.HasPrefix(file.Path, "/") || !file.Type.Valid() {
				t.Fatalf("accepted bad file entry %+v", file)
			}
		}
	})
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2024-03-05", "2024年3月5日", "20240305", "2024/13/40", "", "９９９９"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Date(s)
		if err != nil || d == "" {
			return
		}
		if _, perr := time.Parse(time.DateOnly, d); perr != nil {
			t.Fatalf("Date(%q) = %q, not YYYY-MM-DD", s, d)
		}
	})
}

// FuzzConvertRow feeds arbitrary cells to the row validator of every record type: it must
// never panic, and an accepted row always has its required fields and a stable id.
func FuzzConvertRow(f *testing.F) {
	f.Add("penalty", "福州华威新材料科技有限公司", "91350102MA2XYW015U", "2024-01-02", "罚款")
	f.Add("blacklist", "x", "11010519491231002X", "2024/1/2", "")
	f.Add("entity", "", "９１", "20240102", "警告")
	f.Fuzz(func(t *testing.T, typ, a, b, c, d string) {
		rt := index.RecordType(typ)
		s := index.SchemaOf(rt)
		if s == nil {
			return
		}
		header := make([]string, len(s.Fields))
		values := make([]string, len(s.Fields))
		cells := []string{a, b, c, d}
		for i, fld := range s.Fields {
			header[i] = fld.Label
			values[i] = cells[i%len(cells)]
		}
		conv, _, err := newConverter("f.csv", rt, header)
		if err != nil {
			t.Fatal(err)
		}
		conv.policy = DefaultPolicy()
		ent, rec, _, v := conv.convert(2, values)
		if v != accepted {
			return
		}
		var fields map[string]string
		if ent != nil {
			fields = ent.Fields
		} else {
			fields = rec.Fields
			if rec.ID == "" || index.RecordTypeOfID(rec.ID) != rt {
				t.Fatalf("record id %q", rec.ID)
			}
		}
		for _, fld := range s.Fields {
			if fld.Required && fields[fld.Key] == "" {
				t.Fatalf("accepted without %s: %v", fld.Key, fields)
			}
		}
	})
}
