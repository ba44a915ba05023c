package opendata

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/atomicfile"
)

// A small import changes one or two lists; the others must keep their files (same bytes, same
// ETag) and cost nothing to republish. A dataset's content on a day depends only on the
// documents of its type and on the reviewers' decisions, so a publication records, beside each
// list's versions, what its newest version was made from; the next publication on the same day
// skips the list without reading it when the generations since then did not touch its type
// (each generation names the types it changed from the one it was built on) and the decisions
// are the same.

// publishedStateName is the bookkeeping file in a list's folder (not part of any version).
const publishedStateName = ".published.json"

// publishedState is what a list's newest version was made from.
type publishedState struct {
	Version    string `json:"version"`    // the newest version when the state was written
	Generation string `json:"generation"` // the generation it was found identical to
	Decisions  string `json:"decisions"`  // fingerprint of the decisions applied
}

func readState(listDir string) (publishedState, bool) {
	var st publishedState
	b, err := os.ReadFile(filepath.Join(listDir, publishedStateName))
	if err != nil || json.Unmarshal(b, &st) != nil {
		return st, false
	}
	return st, true
}

func writeState(listDir string, st publishedState) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(listDir, publishedStateName), b, 0o644)
}

// fingerprint identifies the decisions' content.
func (d *decisions) fingerprint() string {
	h := sha256.New()
	flat := func(tag string, m map[string]string) {
		for _, k := range slices.Sorted(mapKeys(m)) {
			h.Write([]byte(tag + "\x00" + k + "\x00" + m[k] + "\x00"))
		}
	}
	flat("h", d.hidden)
	flat("p", d.pending)
	for _, id := range slices.Sorted(mapKeys(d.corrected)) {
		flat("c"+id, d.corrected[id])
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// maxChain bounds how many generations back an unchanged list is traced.
const maxChain = 64

// unchangedSince says whether no generation from the current one back to (not including)
// the generation since touched documents of type t: each names its base and the types it
// changed. A chain that breaks (a generation pruned, or built from scratch) says no.
func unchangedSince(dd index.DataDir, cur index.GenerationInfo, since string, t index.RecordType) bool {
	info := cur
	for range maxChain {
		if info.ID == since {
			return true
		}
		if info.Base == "" || slices.Contains(info.Touched, string(t)) {
			return false
		}
		next, err := index.ReadInfo(dd.Generation(info.Base))
		if err != nil {
			return false
		}
		info = next
	}
	return false
}
