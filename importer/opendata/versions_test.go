package opendata_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
)

// hashFolder maps every file of a folder to its SHA-256.
func hashFolder(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.Sum256(b)
		out[e.Name()] = hex.EncodeToString(h[:])
	}
	return out
}

func sha256sumCheck(t *testing.T, dir string) {
	t.Helper()
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("no sha256sum")
	}
	cmd := exec.Command("sha256sum", "--check", "--strict", opendata.SumsName)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s: sha256sum -c: %v\n%s", dir, err, out)
	}
}

// withoutPosition drops what only the log (seq) or only a change file (the version compared
// with) carries, so that the two can be compared entry for entry.
func withoutPosition(cs []opendata.Change) []opendata.Change {
	out := slices.Clone(cs)
	for i := range out {
		out[i].Seq, out[i].PreviousDay, out[i].PreviousVersion = 0, "", ""
	}
	return out
}

func changesEqual(a, b []opendata.Change) bool {
	return slices.EqualFunc(withoutPosition(a), withoutPosition(b), func(x, y opendata.Change) bool {
		return x.Day == y.Day && x.Version == y.Version && x.Change == y.Change && x.Reason == y.Reason && x.ID == y.ID &&
			x.EntityCode == y.EntityCode && slices.Equal(x.FieldsChanged, y.FieldsChanged)
	})
}

// TestOpenDataVersionsAreImmutable: a second and third publication on one China day are new
// versions (day.2, day.3) beside the first, whose files keep their bytes; LATEST moves to the
// newest; every version's change file is exactly the log's entries for that version; the
// catalog lists each version under its own id.
func TestOpenDataVersionsAreImmutable(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	root := opendata.Root(dd)
	ctx := context.Background()
	first := hashFolder(t, opendata.VersionDir(root, "blacklist", "2026-11-22"))

	b3 := opendatatest.BlacklistID(3, "2025-03-10")
	opts := opendata.Options{Now: fixed}
	ov := opendatatest.Overlay{PendingIDs: map[string]string{b3: "2026-11-22"}}
	if _, err := opendata.Publish(ctx, dd, "2026-11-22", ov, opts); err != nil {
		t.Fatal(err)
	}
	ov = opendatatest.Overlay{HiddenIDs: map[string]string{b3: opendata.ReasonRevoked}}
	cat, err := opendata.Publish(ctx, dd, "2026-11-22", ov, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-11-22.3", "2026-11-22.2", "2026-11-22", "2026-11-21"}
	if got := opendata.Versions(root, "blacklist"); !slices.Equal(got, want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
	if l, _ := opendata.Latest(root, "blacklist"); l != "2026-11-22.3" {
		t.Errorf("LATEST = %q", l)
	}
	// Entities did not change: no copy under a new id.
	if got := opendata.Versions(root, "entities"); !slices.Equal(got, []string{"2026-11-22", "2026-11-21"}) {
		t.Errorf("entities versions %v", got)
	}
	if got := hashFolder(t, opendata.VersionDir(root, "blacklist", "2026-11-22")); !maps.Equal(got, first) {
		t.Errorf("the first version of the day changed:\n%v\n%v", got, first)
	}
	for _, v := range want {
		dir := opendata.VersionDir(root, "blacklist", v)
		sha256sumCheck(t, dir)
		for _, name := range []string{"blacklist-" + v + ".csv.gz", "blacklist-" + v + ".jsonl.gz", "blacklist-" + v + ".xlsx", "changes-" + v + ".jsonl"} {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Errorf("%s: %v", v, err)
			}
		}
	}
	if got := summary(readChanges(t, dd, "blacklist", "2026-11-22.2")); !slices.Equal(got, []string{"modified " + b3 + "  objection_pending_since"}) {
		t.Errorf("2026-11-22.2 changes: %q", got)
	}
	if got := summary(readChanges(t, dd, "blacklist", "2026-11-22.3")); !slices.Equal(got, []string{"removed " + b3 + " 撤销"}) {
		t.Errorf("2026-11-22.3 changes: %q", got)
	}
	for _, c := range readChanges(t, dd, "blacklist", "2026-11-22.3") {
		if c.Day != "2026-11-22" || c.Version != "2026-11-22.3" || c.PreviousVersion != "2026-11-22.2" || c.PreviousDay != "2026-11-22" {
			t.Errorf("change entry: %+v", c)
		}
	}
	// The log, cut at each version, is each version's change file.
	page, err := opendata.ReadChanges(root, "blacklist", -1, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range want {
		var logged []opendata.Change
		for _, c := range page.Changes {
			if c.Version == v {
				logged = append(logged, c)
			}
		}
		if file := readChanges(t, dd, "blacklist", v); !changesEqual(file, logged) {
			t.Errorf("%s: change file %v, log %v", v, summary(file), summary(logged))
		}
	}
	for _, ds := range cat.Datasets {
		if ds.Name != "blacklist" {
			continue
		}
		if ds.Latest != "2026-11-22.3" || len(ds.Versions) != 4 {
			t.Fatalf("catalog: latest %q, %d versions", ds.Latest, len(ds.Versions))
		}
		v := ds.Versions[0]
		if v.ID != "2026-11-22.3" || v.Day != "2026-11-22" || v.Previous != "2026-11-22.2" || v.URL != "/data/blacklist/2026-11-22.3/" {
			t.Errorf("catalog version: %+v", v)
		}
		for _, f := range v.Files {
			if f.Version != v.ID || f.Day != "2026-11-22" || !strings.HasPrefix(f.URL, v.URL) ||
				(strings.HasSuffix(f.Name, ".csv.gz") && f.Title != ds.Title+"-2026-11-22.3.csv.gz") {
				t.Errorf("catalog file: %+v", f)
			}
		}
	}
	// The next day follows the newest version of the day before.
	if _, err := opendata.Publish(ctx, dd, "2026-11-23", ov, opts); err != nil {
		t.Fatal(err)
	}
	for _, c := range readChanges(t, dd, "penalties", "2026-11-23") {
		if c.PreviousVersion != "2026-11-22" {
			t.Errorf("penalties 2026-11-23 compared with %q", c.PreviousVersion)
		}
	}
	if got := readChanges(t, dd, "blacklist", "2026-11-23"); len(got) != 0 {
		t.Errorf("blacklist 2026-11-23 should compare with 2026-11-22.3 and find nothing: %v", summary(got))
	}
	// A late run for an older day adds no version.
	if _, err := opendata.Publish(ctx, dd, "2026-11-21", ov, opts); err != nil {
		t.Fatal(err)
	}
	if got := opendata.Versions(root, "blacklist"); got[0] != "2026-11-23" || len(got) != 5 {
		t.Errorf("after a late run: %v", got)
	}
}

// TestOpenDataRetentionCountsVersions: retention keeps the newest N versions, however many
// a day has, and the change log is cut with them; a day of which an earlier version's entries
// were cut is no longer offered as `since` (its changes are no longer all there).
func TestOpenDataRetentionCountsVersions(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	root := opendata.Root(dd)
	ctx := context.Background()
	b3 := opendatatest.BlacklistID(3, "2025-03-10")
	opts := opendata.Options{Now: fixed, Retention: 2}
	for _, ov := range []opendatatest.Overlay{
		{PendingIDs: map[string]string{b3: "2026-11-22"}},
		{HiddenIDs: map[string]string{b3: opendata.ReasonRevoked}},
	} {
		if _, err := opendata.Publish(ctx, dd, "2026-11-22", ov, opts); err != nil {
			t.Fatal(err)
		}
	}
	if got := opendata.Versions(root, "blacklist"); !slices.Equal(got, []string{"2026-11-22.3", "2026-11-22.2"}) {
		t.Fatalf("kept %v", got)
	}
	var gone *opendata.ErrGone
	if _, err := opendata.ReadChanges(root, "blacklist", -1, "2026-11-22", 10); !errors.As(err, &gone) || gone.OldestDay != "2026-11-23" {
		t.Errorf("since a day whose first version's entries are cut: %v", err)
	}
	page, err := opendata.ReadChanges(root, "blacklist", -1, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Changes) != 2 || page.Changes[0].Version != "2026-11-22.2" {
		t.Errorf("log after retention: %+v", page.Changes)
	}
}

// TestOpenDataInstallCompletedAfterCrash: a publication stopped after moving its version into
// place but before the log and LATEST followed is completed by the next one, without
// duplicating entries or making another version.
func TestOpenDataInstallCompletedAfterCrash(t *testing.T) {
	dd, _ := published(t, opendata.Options{})
	root := opendata.Root(dd)
	list := filepath.Join(root, "blacklist")
	log := filepath.Join(list, "changes.log.jsonl")
	before, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	b3 := opendatatest.BlacklistID(3, "2025-03-10")
	ov := opendatatest.Overlay{PendingIDs: map[string]string{b3: "2026-11-22"}}
	if _, err := opendata.Publish(context.Background(), dd, "2026-11-22", ov, opendata.Options{Now: fixed}); err != nil {
		t.Fatal(err)
	}
	// Undo the log append and LATEST, as if the process had died right after the rename.
	if err := os.WriteFile(log, before, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(list, "LATEST"), []byte("2026-11-22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := opendata.Publish(context.Background(), dd, "2026-11-22", ov, opendata.Options{Now: fixed}); err != nil {
		t.Fatal(err)
	}
	if got := opendata.Versions(root, "blacklist"); got[0] != "2026-11-22.2" {
		t.Errorf("versions %v", got)
	}
	if l, _ := opendata.Latest(root, "blacklist"); l != "2026-11-22.2" {
		t.Errorf("LATEST = %q", l)
	}
	page, _ := opendata.ReadChanges(root, "blacklist", -1, "", 100)
	if len(page.Changes) != 5 || page.Changes[4].Version != "2026-11-22.2" || page.Changes[4].Seq != 5 {
		t.Errorf("log: %+v", page.Changes)
	}
}

func TestOpenDataVersionIDs(t *testing.T) {
	for _, s := range []string{"2026-11-22", "2026-11-22.2", "2026-11-22.10"} {
		if !opendata.ValidVersion(s) {
			t.Errorf("%q refused", s)
		}
	}
	for _, s := range []string{"2026-11-22.1", "2026-11-22.0", "2026-11-22.02", "2026-02-30", "2026-11-22.", "latest", "../x"} {
		if opendata.ValidVersion(s) {
			t.Errorf("%q accepted", s)
		}
	}
	ids := []string{"2026-11-23", "2026-11-22.10", "2026-11-22", "2026-11-22.2"}
	slices.SortFunc(ids, opendata.CompareVersions)
	if want := []string{"2026-11-22", "2026-11-22.2", "2026-11-22.10", "2026-11-23"}; !slices.Equal(ids, want) {
		t.Errorf("order %v", ids)
	}
}
