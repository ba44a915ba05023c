// Package importer reads agency snapshots (folder or .zip with manifest.json, or bare CSV/XLSX/JSONL
// files), validates and normalises their rows, archives accepted snapshots and builds index generations.
package importer

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gongshi/gongshi/importer/mapping"
	"github.com/gongshi/gongshi/index"
)

// ManifestName is the file name of a snapshot's manifest.
const ManifestName = "manifest.json"

// Kind of a snapshot: a full snapshot replaces all records of the types it carries;
// a delta adds, changes or (with a "deleted" file) removes records.
const (
	KindFull  = "full"
	KindDelta = "delta"
)

// Manifest describes a snapshot.
type Manifest struct {
	Publisher    string         `json:"publisher"`
	SnapshotDate string         `json:"snapshot_date"` // YYYY-MM-DD
	Kind         string         `json:"kind"`          // full | delta
	Files        []ManifestFile `json:"files"`
	// AcceptedCheckFailures lists codes known to fail the GB 32100 check digit although they are
	// real (early pilot codes); rows with these codes import without a warning.
	AcceptedCheckFailures []string `json:"accepted_check_failures,omitempty"`
}

// ManifestFile is one file of a snapshot. Its column mapping ("columns", "values",
// "withhold") says which of the agency's columns is which field, for headers that are
// neither the standard names nor a built-in profile's field names.
type ManifestFile struct {
	Path   string           `json:"path"`
	Type   index.RecordType `json:"type"`
	SHA256 string           `json:"sha256"`
	Rows   int              `json:"rows"`             // data rows, header excluded
	Format string           `json:"format,omitempty"` // csv | xlsx | jsonl; default from the extension
	mapping.Spec
}

// maxManifestBytes caps manifest.json; a real one is a few hundred bytes.
const maxManifestBytes = 1 << 20

// ReadManifest decodes and checks a manifest.
func ReadManifest(r io.Reader) (*Manifest, error) {
	var m Manifest
	lr := &io.LimitedReader{R: r, N: maxManifestBytes + 1}
	dec := json.NewDecoder(lr)
	dec.DisallowUnknownFields()
	err := dec.Decode(&m)
	if lr.N <= 0 {
		// A cut-off manifest would otherwise be reported as broken JSON.
		return nil, fmt.Errorf("manifest.json is larger than %d bytes", maxManifestBytes)
	}
	if err != nil {
		return nil, fmt.Errorf("manifest.json: %w", err)
	}
	return &m, m.Check()
}

// Check reports the first problem with a manifest.
func (m *Manifest) Check() error {
	if m.Publisher == "" {
		return fmt.Errorf("manifest.json: publisher is empty")
	}
	if _, err := time.Parse(time.DateOnly, m.SnapshotDate); err != nil {
		return fmt.Errorf("manifest.json: snapshot_date %q is not YYYY-MM-DD", m.SnapshotDate)
	}
	if m.Kind != KindFull && m.Kind != KindDelta {
		return fmt.Errorf("manifest.json: kind %q must be full or delta", m.Kind)
	}
	if len(m.Files) == 0 {
		return fmt.Errorf("manifest.json: files is empty")
	}
	seen := map[string]bool{}
	for i, f := range m.Files {
		if !f.Type.Valid() {
			return fmt.Errorf("manifest.json: files[%d]: unknown type %q", i, f.Type)
		}
		if f.Path == "" || seen[f.Path] {
			return fmt.Errorf("manifest.json: files[%d]: path %q empty or repeated", i, f.Path)
		}
		// IsLocal accepts "a/../b"; a publisher's file list has no reason to step up at all, and
		// the same file named two ways would pass the repeated-path check.
		if !filepath.IsLocal(f.Path) || strings.Contains(f.Path, `\`) || slices.Contains(strings.Split(f.Path, "/"), "..") {
			return fmt.Errorf("manifest.json: files[%d]: path %q must stay inside the snapshot", i, f.Path)
		}
		// A key the type does not have is wrong whatever the file holds: say so before reading it.
		if err := f.Spec.Check(f.Type); err != nil {
			return fmt.Errorf("manifest.json: files[%d] (%s): %w", i, f.Path, err)
		}
		seen[f.Path] = true
	}
	return nil
}
