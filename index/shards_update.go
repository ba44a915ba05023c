package index

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
)

// A generation is immutable once served, so a small change is not written into the serving
// shards: the new generation's shards start as links to the serving generation's segment
// files (zap segments are never rewritten in place, only replaced by merges) with a private
// copy of each shard's small root file, and only the groups of documents that changed are
// indexed into them. The serving generation keeps its files; a crash leaves an incomplete
// generation that the next import removes. The cost follows the size of the change, not of
// the corpus.

// UpdateShards makes the shards of the generation at dir (whose document store is complete)
// from the shards of the generation at baseDir, re-indexing only the groups of documents
// named by codes: for each entity code, the entity and every record filed under it, read
// from dir's store, replacing what baseDir's store held under that code. It returns the new
// generation's entity and record counts, taken from the base's and the change.
func UpdateShards(ctx context.Context, baseDir, dir string, codes []string, opts BuildOptions) (entities, records int, err error) {
	base, err := ReadInfo(baseDir)
	if err != nil {
		return 0, 0, err
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 5000
	}
	for i := 0; i < base.Shards; i++ {
		if err := linkShard(shardPath(baseDir, i), shardPath(dir, i)); err != nil {
			return 0, 0, fmt.Errorf("shard %d: %w", i, err)
		}
	}
	oldDocs, err := ReadDocStore(DocStorePath(baseDir))
	if err != nil {
		return 0, 0, err
	}
	defer oldDocs.Close()
	newDocs, err := ReadDocStore(DocStorePath(dir))
	if err != nil {
		return 0, 0, err
	}
	defer newDocs.Close()

	byShard := make([][]string, base.Shards)
	for _, c := range codes {
		i := ShardOf(c, base.Shards)
		byShard[i] = append(byShard[i], c)
	}
	deltas := make([][2]int, base.Shards)
	errs := make([]error, base.Shards)
	var wg sync.WaitGroup
	for i, group := range byShard {
		if len(group) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			deltas[i], errs[i] = updateShard(ctx, shardPath(dir, i), group, oldDocs, newDocs, opts)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("shard %d: %w", i, errs[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, 0, err
	}
	entities, records = base.Entities, base.Records
	for _, d := range deltas {
		entities += d[0]
		records += d[1]
	}
	return entities, records, nil
}

// linkShard makes dst a copy of the shard at src that shares src's segment files.
func linkShard(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if strings.HasSuffix(path, ".zap") {
			if err := os.Link(path, target); err == nil {
				return nil
			}
			// Another file system (a generation copied elsewhere): copy instead.
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// updateShard replaces the groups of documents under codes in one shard and returns how many
// entities and records it gained (negative: lost).
func updateShard(ctx context.Context, path string, codes []string, oldDocs, newDocs *DocStore, opts BuildOptions) ([2]int, error) {
	var delta [2]int
	old, err := oldDocs.groupIDs(ctx, codes)
	if err != nil {
		return delta, err
	}
	ents, err := newDocs.EntitiesByCodes(ctx, codes)
	if err != nil {
		return delta, err
	}
	recs, err := newDocs.RecordsOfMany(ctx, codes)
	if err != nil {
		return delta, err
	}
	idx, err := bleve.Open(path)
	if err != nil {
		return delta, err
	}
	defer idx.Close()
	b := idx.NewBatch()
	flush := func(force bool) error {
		if b.Size() == 0 || (!force && b.Size() < opts.BatchSize) {
			return nil
		}
		if err := idx.Batch(b); err != nil {
			return err
		}
		b.Reset()
		return ctx.Err()
	}
	kept := map[string]bool{}
	for _, code := range codes {
		region := ""
		if e := ents[code]; e != nil {
			region = e.Region
			if err := b.Index(e.Code, newEntityDoc(e, recs[code])); err != nil {
				return delta, err
			}
			kept[e.Code] = true
			delta[0]++
		}
		for _, r := range recs[code] {
			if err := b.Index(r.ID, newRecordDoc(r, region)); err != nil {
				return delta, err
			}
			kept[r.ID] = true
			delta[1]++
			if err := flush(false); err != nil {
				return delta, err
			}
		}
	}
	// The documents the base held under these codes and the new store does not: gone. (A
	// record that moved to another code in the same shard was indexed above under its id.)
	for _, id := range old.entities {
		delta[0]--
		if !kept[id] {
			b.Delete(id)
		}
	}
	for _, id := range old.records {
		delta[1]--
		if !kept[id] {
			b.Delete(id)
		}
	}
	if err := flush(true); err != nil {
		return delta, err
	}
	return delta, compact(ctx, idx)
}

// groupIDs are the document ids a store holds under some entity codes.
type groupIDs struct{ entities, records []string }

func (s *DocStore) groupIDs(ctx context.Context, codes []string) (groupIDs, error) {
	var out groupIDs
	err := inChunks(codes, func(args []any, ph string) error {
		for _, q := range []struct {
			sql string
			to  *[]string
		}{
			{`SELECT code FROM entities WHERE code IN (` + ph + `)`, &out.entities},
			{`SELECT id FROM records WHERE entity_code IN (` + ph + `)`, &out.records},
		} {
			rows, err := s.db.QueryContext(ctx, q.sql, args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				*q.to = append(*q.to, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Compaction after an update. Each update adds a small segment beside the shard's large one;
// every search term is looked up once per segment, and a name search looks up many. After 200
// updates of 100 rows at 20,000 entities, allowing four small segments left name searches 2.4
// times slower at the median than a fresh build, and one small segment 0.97 times (see
// docs/benchmarks.md). So the small segments are merged into one after every update that
// leaves more than maxSmallSegments, and the whole shard into one segment when the small one
// (or the deleted documents) reaches rewriteShare of the large one: rewriting the large
// segment then costs a tenth of the updates that led to it, spread over them.
const (
	maxSmallSegments = 1
	rewriteShare     = 0.10
)

func compact(ctx context.Context, idx bleve.Index) error {
	adv, err := idx.Advanced()
	if err != nil {
		return err
	}
	sc, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	largest, small, smallDocs, deleted, err := segmentSizes(idx)
	if err != nil {
		return err
	}
	switch {
	case largest > 0 && float64(smallDocs+deleted) >= rewriteShare*float64(largest):
		err = mergeToOneSegment(ctx, idx)
	case small > maxSmallSegments:
		// Merge only the small segments: the planner leaves out a segment of half its maximum
		// size or more, which is the largest (the others are under a tenth of it).
		opts := mergeplan.SingleSegmentMergePlanOptions
		opts.MaxSegmentSize = int64(max(largest, 2))
		if err = sc.ForceMerge(ctx, &opts); err == nil {
			waitForObsoleteFiles(ctx, idx)
		}
	}
	return err
}

// segmentSizes reads a shard's segments: the largest one's live documents, how many others
// there are and their live documents, and the deleted documents still held in all of them.
func segmentSizes(idx bleve.Index) (largest uint64, small int, smallDocs, deleted uint64, err error) {
	adv, err := idx.Advanced()
	if err != nil {
		return
	}
	r, err := adv.Reader()
	if err != nil {
		return
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok {
		return
	}
	var counts []uint64
	for _, ss := range snap.Segments() {
		live := ss.Count()
		deleted += uint64(ss.FullSize()) - live
		counts = append(counts, live)
		largest = max(largest, live)
	}
	for _, c := range counts {
		smallDocs += c
	}
	smallDocs -= largest
	small = max(len(counts)-1, 0)
	return
}
