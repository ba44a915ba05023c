package opendata_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/gongshi/gongshi/importer/opendata"
)

// writeLog writes a dataset's change log (and retention state, when given) by hand, so that the
// positions at and around its end can be checked without publishing.
func writeLog(t *testing.T, root, list, log, state string) {
	t.Helper()
	dir := filepath.Join(root, list)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if log != "" {
		if err := os.WriteFile(filepath.Join(dir, "changes.log.jsonl"), []byte(log), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if state != "" {
		if err := os.WriteFile(filepath.Join(dir, "changes.state.json"), []byte(state), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadChangesCursorPastEnd(t *testing.T) {
	root := t.TempDir()
	writeLog(t, root, "blacklist", `{"seq":1,"day":"2026-11-22","version":"2026-11-22","change":"added","id":"a"}
{"seq":2,"day":"2026-11-22","version":"2026-11-22","change":"added","id":"b"}
{"seq":3,"day":"2026-11-23","version":"2026-11-23","change":"removed","id":"a"}
{"seq":4,"day":"2026-11-24","vers`, "") // a torn line: an append under way, never issued as a cursor
	writeLog(t, root, "penalties", "", `{"pruned_through_seq":5,"oldest_day":"2026-11-25"}`)
	writeLog(t, root, "entities", "", "")

	for _, tc := range []struct {
		list    string
		after   int64
		limit   int
		n       int
		pastEnd bool
	}{
		{"blacklist", -1, 10, 3, false},
		{"blacklist", 0, 10, 3, false},
		{"blacklist", 2, 10, 1, false},
		{"blacklist", 1, 1, 1, false},  // a full page: more follow, so the cursor is inside
		{"blacklist", 3, 10, 0, false}, // exactly at the end: up to date
		{"blacklist", 4, 10, 0, true},  // the torn entry does not count
		{"blacklist", 1 << 40, 10, 0, true},
		{"penalties", 5, 10, 0, false}, // everything cut: the end is where the cut was
		{"penalties", 6, 10, 0, true},
		{"entities", -1, 10, 0, false}, // no log yet
		{"entities", 0, 10, 0, false},
		{"entities", 1, 10, 0, true},
	} {
		page, err := opendata.ReadChanges(root, tc.list, tc.after, "", tc.limit)
		var past *opendata.ErrCursorPastEnd
		if tc.pastEnd {
			if !errors.As(err, &past) || past.After != tc.after {
				t.Errorf("%s after %d: err = %v, want past the end", tc.list, tc.after, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s after %d: %v", tc.list, tc.after, err)
			continue
		}
		if len(page.Changes) != tc.n {
			t.Errorf("%s after %d: %d changes, want %d", tc.list, tc.after, len(page.Changes), tc.n)
		}
	}
}
