package opendata_test

import (
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
	"github.com/gongshi/gongshi/index"
)

// A delta republishes only the lists it touched: the others keep their newest version, byte
// for byte, and are not read again.
func TestADeltaRepublishesOnlyTheListsItTouched(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	root := opendata.Root(dd)
	ctx := context.Background()
	opts := opendata.Options{Now: fixed}
	before := map[string]map[string]string{}
	for _, l := range []string{"entities", "blacklist", "penalties"} {
		before[l] = hashFolder(t, opendata.VersionDir(root, l, "2026-11-22"))
	}
	delta := opendatatest.Write(t, t.TempDir(), "厦门市思明区市场监督管理局", "2026-11-22", "delta",
		opendatatest.File{Type: index.TypePenalty, Header: opendatatest.PenaltyHeader, Rows: [][]string{{
			opendatatest.Name(6), opendatatest.Code(6), "思市监罚〔2026〕6号", "罚款", "罚款1万元", "1", "2026-10-01", "2027-10-01", opendatatest.Authority}}})
	reps, err := importer.Import(ctx, []string{delta}, importer.Options{Data: dd, Shards: 2})
	if err != nil {
		t.Fatal(err)
	}
	if c := reps[0].Changes; len(c) != 1 || c[0].Added != 1 {
		t.Fatalf("the delta's changes: %+v, issues %+v", c, reps[0].Issues)
	}
	cur, _ := dd.Current()
	if info, _ := index.ReadInfo(dd.Generation(cur)); !info.Incremental || !slices.Equal(info.Touched, []string{"penalty"}) {
		t.Fatalf("the delta's generation: incremental %v, touched %v", info.Incremental, info.Touched)
	}
	if _, err := opendata.Publish(ctx, dd, "2026-11-22", index.NoOverlay{}, opts); err != nil {
		t.Fatal(err)
	}
	if got := opendata.Versions(root, "penalties"); got[0] != "2026-11-22.2" {
		t.Fatalf("penalties versions %v, want a new 2026-11-22.2", got)
	}
	changes := readChanges(t, dd, "penalties", "2026-11-22.2")
	if len(changes) != 1 || changes[0].Change != opendata.Added || changes[0].EntityCode != opendatatest.Code(6) {
		t.Errorf("penalties 2026-11-22.2 changes: %v", summary(changes))
	}
	page, err := opendata.ReadChanges(root, "penalties", -1, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if last := page.Changes[len(page.Changes)-1]; last.Version != "2026-11-22.2" || last.EntityCode != opendatatest.Code(6) {
		t.Errorf("the change log does not end with the delta's penalty: %+v", last)
	}
	for _, l := range []string{"entities", "blacklist"} {
		if got := opendata.Versions(root, l); got[0] != "2026-11-22" {
			t.Errorf("%s: versions %v, want none added", l, got)
		}
		if got := hashFolder(t, opendata.VersionDir(root, l, "2026-11-22")); !maps.Equal(got, before[l]) {
			t.Errorf("%s: the files of 2026-11-22 changed", l)
		}
		b, err := os.ReadFile(filepath.Join(root, l, ".published.json"))
		if err != nil {
			t.Fatal(err)
		}
		var st struct{ Version, Generation string }
		json.Unmarshal(b, &st)
		if st.Version != "2026-11-22" || st.Generation != cur {
			t.Errorf("%s: recorded %+v, want 2026-11-22 found identical in %s", l, st, cur)
		}
	}
	if got := hashFolder(t, opendata.VersionDir(root, "penalties", "2026-11-22")); !maps.Equal(got, before["penalties"]) {
		t.Errorf("penalties: the earlier version of the day changed")
	}

	// A decision changes what a list publishes whatever the generation: the list is read again.
	b3 := opendatatest.BlacklistID(3, "2025-03-10")
	ov := opendatatest.Overlay{HiddenIDs: map[string]string{b3: opendata.ReasonRevoked}}
	if _, err := opendata.Publish(ctx, dd, "2026-11-22", ov, opts); err != nil {
		t.Fatal(err)
	}
	if got := summary(readChanges(t, dd, "blacklist", "2026-11-22.2")); !slices.Equal(got, []string{"removed " + b3 + " 撤销"}) {
		t.Errorf("blacklist after a decision: %q", got)
	}
	if got := opendata.Versions(root, "entities"); got[0] != "2026-11-22" {
		t.Errorf("entities: versions %v, want none added", got)
	}
}
