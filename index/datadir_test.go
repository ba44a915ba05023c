package index

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestRemoveIncomplete: what an import killed part-way leaves (a generation without
// generation.json, a temporary current) goes; complete generations and the current one stay.
func TestRemoveIncomplete(t *testing.T) {
	d := DataDir(t.TempDir())
	if err := d.Init(); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"20261101T000000-aaaaaa", "20261102T000000-bbbbbb"} {
		os.MkdirAll(d.Generation(id), 0o755)
		if err := WriteInfo(d.Generation(id), GenerationInfo{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := d.SetCurrent("20261101T000000-aaaaaa"); err != nil {
		t.Fatal(err)
	}
	partial := d.Generation("20261103T000000-cccccc")
	os.MkdirAll(filepath.Join(partial, "shard-0.bleve"), 0o755)
	os.WriteFile(filepath.Join(partial, "docs.db"), []byte("half"), 0o644)
	os.WriteFile(filepath.Join(string(d), ".current.tmp-123"), []byte("2026"), 0o644)

	removed, err := d.RemoveIncomplete()
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"generations/20261103T000000-cccccc", ".current.tmp-123"}; !slices.Equal(removed, want) {
		t.Errorf("removed %q, want %q", removed, want)
	}
	if got := d.CompleteGenerations(); len(got) != 2 {
		t.Errorf("complete generations left: %v", got)
	}
	if cur, _ := d.Current(); cur != "20261101T000000-aaaaaa" {
		t.Errorf("current is %q", cur)
	}
}
