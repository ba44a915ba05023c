package importer

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gongshi/gongshi/index"
)

// ArchivedSnapshots lists the archived snapshots to rebuild the serving data from, in the order
// they were applied: the serving generation's own list when it can be read (it names what the
// serving data was built from, re-imports included), otherwise every archived snapshot by
// date. Every snapshot in the archive was accepted once, so a rebuild applies them all again
// under the importer's current rules.
func ArchivedSnapshots(dd index.DataDir) ([]string, error) {
	pathOf := func(id string) (string, error) {
		dir := filepath.Join(dd.Snapshots(), id)
		if _, err := os.Stat(filepath.Join(dir, "snapshot.zip")); err == nil {
			return filepath.Join(dir, "snapshot.zip"), nil
		}
		if _, err := os.Stat(filepath.Join(dir, ManifestName)); err != nil {
			return "", fmt.Errorf("archived snapshot %s: %w", id, err)
		}
		return dir, nil
	}
	var ids []string
	if cur, err := dd.Current(); err == nil && cur != "" {
		if info, err := index.ReadInfo(dd.Generation(cur)); err == nil {
			for _, s := range info.Snapshots {
				ids = append(ids, s.ID)
			}
		}
	}
	if len(ids) == 0 {
		entries, err := os.ReadDir(dd.Snapshots())
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() && !strings.HasSuffix(e.Name(), ".tmp") {
				ids = append(ids, e.Name()) // an id starts with the snapshot date
			}
		}
		sort.Strings(ids)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("no archived snapshots in %s to rebuild from", dd.Snapshots())
	}
	paths := make([]string, len(ids))
	for i, id := range ids {
		p, err := pathOf(id)
		if err != nil {
			return nil, err
		}
		paths[i] = p
	}
	return paths, nil
}
