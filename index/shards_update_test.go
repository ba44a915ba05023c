package index

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"github.com/gongshi/gongshi/index/uscc"
)

// Small updates add small segments beside a shard's large one, and compaction keeps their
// number bounded. Each step's segment files are the previous generation's, linked, and never
// written: the previous generation keeps its bytes.
func TestUpdatesKeepSegmentsFewAndTheBaseUntouched(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	entity := func(i int, name string) *Entity {
		c := code(t, fmt.Sprintf("91350102MA%07d", i))
		return &Entity{Code: c, Name: name, Status: "存续", Region: uscc.Region(c), Fields: map[string]string{}}
	}
	const n = 2000
	gen := func(step int) string { return filepath.Join(root, fmt.Sprint(step)) }
	os.MkdirAll(gen(0), 0o755)
	writeDocStore(t, gen(0), func(w *DocWriter) {
		for i := range n {
			if err := w.PutEntity(entity(i, fmt.Sprintf("福州第%d贸易有限公司", i))); err != nil {
				t.Fatal(err)
			}
		}
	})
	ents, recs, err := BuildShards(ctx, gen(0), BuildOptions{Shards: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := WriteInfo(gen(0), GenerationInfo{ID: "0", Shards: 1, Entities: ents, Records: recs}); err != nil {
		t.Fatal(err)
	}
	segments := func(dir string) (uint64, uint64) {
		idx, err := bleve.OpenUsing(shardPath(dir, 0), map[string]any{"read_only": true})
		if err != nil {
			t.Fatal(err)
		}
		defer idx.Close()
		docs, _ := idx.DocCount()
		return rootSegments(idx), docs
	}
	maxSegs := uint64(0)
	for step := 1; step <= 12; step++ {
		before := fileSums(t, gen(step-1))
		os.MkdirAll(gen(step), 0o755)
		if err := CopyDocStore(gen(step-1), gen(step)); err != nil {
			t.Fatal(err)
		}
		docs, err := OpenDocStore(DocStorePath(gen(step)), false)
		if err != nil {
			t.Fatal(err)
		}
		w, err := docs.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// 10 renamed entities a step (half a percent of the shard): a small segment each.
		for i := range 10 {
			if _, err := w.ApplyEntity(entity(step*30+i, fmt.Sprintf("厦门第%d步%d号科技有限公司", step, i))); err != nil {
				t.Fatal(err)
			}
		}
		touched := w.Touched()
		if err := w.Commit(); err != nil {
			t.Fatal(err)
		}
		if err := docs.FinishUpdate(); err != nil {
			t.Fatal(err)
		}
		docs.Close()
		ents, recs, err := UpdateShards(ctx, gen(step-1), gen(step), touched, BuildOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteInfo(gen(step), GenerationInfo{ID: fmt.Sprint(step), Shards: 1, Entities: ents, Records: recs}); err != nil {
			t.Fatal(err)
		}
		segs, count := segments(gen(step))
		if count != n || ents != n {
			t.Fatalf("step %d: %d documents in the shard, %d entities counted; want %d", step, count, ents, n)
		}
		if segs > 1+maxSmallSegments {
			t.Errorf("step %d: %d segments, want at most %d", step, segs, 1+maxSmallSegments)
		}
		maxSegs = max(maxSegs, segs)
		if after := fileSums(t, gen(step-1)); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("step %d changed the files of the generation it was built on", step)
		}
	}
	if maxSegs < 2 {
		t.Errorf("segments peaked at %d: the updates were not added as segments of their own", maxSegs)
	}
	// The last generation answers like a build from its store.
	g, err := OpenGeneration(gen(12))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	s := &Searcher{Live: &Live{}}
	s.Live.Swap(g)
	res, err := s.Search(ctx, SearchRequest{Query: "厦门第12步7号科技", Size: 5})
	if err != nil || res.Total != 1 || res.Results[0].Code != code(t, fmt.Sprintf("91350102MA%07d", 12*30+7)) {
		t.Errorf("search after the updates: %+v %v", res, err)
	}
	if res, _ := s.Search(ctx, SearchRequest{Query: fmt.Sprintf("福州第%d贸易", 12*30+7), Size: 5}); res.Total != 0 {
		t.Errorf("the old name still finds the renamed entity: %+v", res.Results)
	}
}

// fileSums maps each file under dir to its size and FNV hash, but SQLite's journal and
// shared-memory files, which a reader of the store may create beside it.
func fileSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "-shm") || strings.HasSuffix(p, "-wal") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h := fnv.New64a()
		h.Write(b)
		out[p] = fmt.Sprintf("%d-%x", len(b), h.Sum64())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
