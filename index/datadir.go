package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gongshi/gongshi/index/atomicfile"
)

// DataDir is the layout of a gongshi data folder:
//
//	snapshots/<id>/        accepted snapshots, archived unchanged
//	generations/<id>/      index generations (shards + docs.db + generation.json)
//	current                the id of the generation to serve
//	reports/               import reports
type DataDir string

func (d DataDir) Snapshots() string   { return filepath.Join(string(d), "snapshots") }
func (d DataDir) Generations() string { return filepath.Join(string(d), "generations") }
func (d DataDir) Reports() string     { return filepath.Join(string(d), "reports") }
func (d DataDir) Generation(id string) string {
	return filepath.Join(d.Generations(), id)
}

// Init creates the folders.
func (d DataDir) Init() error {
	for _, p := range []string{d.Snapshots(), d.Generations(), d.Reports()} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// Current returns the id of the generation to serve, or "" when none has been built.
func (d DataDir) Current() (string, error) {
	b, err := os.ReadFile(filepath.Join(string(d), "current"))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if id == "" || strings.ContainsAny(id, `/\`) || id == "." || id == ".." {
		return "", fmt.Errorf("data folder: current names an invalid generation %q", id)
	}
	return id, nil
}

// SetCurrent points current at a complete generation, atomically (write + rename).
func (d DataDir) SetCurrent(id string) error {
	if _, err := ReadInfo(d.Generation(id)); err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(string(d), "current"), []byte(id+"\n"), 0o644)
}

// CompleteGenerations lists the ids of complete generations, oldest first.
func (d DataDir) CompleteGenerations() []string {
	entries, _ := os.ReadDir(d.Generations())
	var ids []string
	for _, e := range entries {
		if e.IsDir() {
			if _, err := ReadInfo(d.Generation(e.Name())); err == nil {
				ids = append(ids, e.Name())
			}
		}
	}
	sort.Strings(ids) // ids start with their build time
	return ids
}

// Prune removes incomplete generations (left by a crash) and all but the newest keep complete
// ones, never the current one.
func (d DataDir) Prune(keep int) ([]string, error) {
	cur, err := d.Current()
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(d.Generations())
	if err != nil {
		return nil, err
	}
	complete := d.CompleteGenerations()
	keepSet := map[string]bool{cur: true}
	for i := len(complete) - 1; i >= 0 && len(complete)-i <= keep; i-- {
		keepSet[complete[i]] = true
	}
	var removed []string
	for _, e := range entries {
		if e.IsDir() && !keepSet[e.Name()] {
			if err := os.RemoveAll(d.Generation(e.Name())); err != nil {
				return removed, err
			}
			removed = append(removed, e.Name())
		}
	}
	return removed, nil
}

// RemoveIncomplete deletes what an interrupted import leaves in the data folder: generation
// folders without generation.json (a build killed while loading or indexing) and the temporary
// file of an interrupted write of current. It never touches the current generation. Call it only
// while holding the import lock: then no build is in progress and every incomplete generation
// is debris. It returns what it removed, relative to the data folder.
func (d DataDir) RemoveIncomplete() ([]string, error) {
	cur, err := d.Current()
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(d.Generations())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	var removed []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == cur {
			continue
		}
		if _, err := ReadInfo(d.Generation(e.Name())); err == nil {
			continue
		}
		if err := os.RemoveAll(d.Generation(e.Name())); err != nil {
			return removed, err
		}
		removed = append(removed, filepath.Join("generations", e.Name()))
	}
	tmps, _ := filepath.Glob(filepath.Join(string(d), ".current.tmp-*"))
	for _, p := range tmps {
		if err := os.Remove(p); err == nil {
			removed = append(removed, filepath.Base(p))
		}
	}
	return removed, nil
}
