package index

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"

	"github.com/gongshi/gongshi/index/uscc"
)

// A built shard is one segment, however many batches went in: each further segment is one
// more term lookup for every term of every search.
func TestBuildMergesEachShardToOneSegment(t *testing.T) {
	dir := t.TempDir()
	const n = 600
	writeDocStore(t, dir, func(w *DocWriter) {
		for i := range n {
			c := code(t, fmt.Sprintf("91350102MA%07d", i))
			if err := w.PutEntity(&Entity{Code: c, Name: fmt.Sprintf("福州第%d贸易有限公司", i), Status: "存续", Region: uscc.Region(c), Fields: map[string]string{}}); err != nil {
				t.Fatal(err)
			}
		}
	})
	// Batches of two documents: hundreds of segments before the merge.
	ne, _, err := BuildShards(context.Background(), dir, BuildOptions{Shards: 2, BatchSize: 2})
	if err != nil || ne != n {
		t.Fatalf("built %d entities: %v", ne, err)
	}
	for i := range 2 {
		idx, err := bleve.Open(shardPath(dir, i))
		if err != nil {
			t.Fatal(err)
		}
		segs := rootSegments(idx)
		count, _ := idx.DocCount()
		idx.Close()
		if segs != 1 || count == 0 {
			t.Errorf("shard %d: %d segments, %d documents; want 1 segment", i, segs, count)
		}
	}
}

// Segment files a merge made obsolete are deleted before the shard is closed, even when a
// reader held them while the persister last cleaned up: without a further change to the
// index, Bleve's persister does not look again.
func TestObsoleteSegmentFilesAreDeletedAfterAReaderLetsGo(t *testing.T) {
	idx, err := bleve.New(t.TempDir()+"/shard.bleve", bleve.NewIndexMapping())
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	for i := range 5 { // five batches: five segments
		b := idx.NewBatch()
		for j := range 20 {
			if err := b.Index(fmt.Sprintf("d%d-%d", i, j), map[string]string{"name": fmt.Sprintf("福州第%d贸易", j)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := idx.Batch(b); err != nil {
			t.Fatal(err)
		}
	}
	adv, err := idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader() // holds the five segments through the merge
	if err != nil {
		t.Fatal(err)
	}
	if err := adv.(*scorch.Scorch).ForceMerge(context.Background(), &mergeplan.SingleSegmentMergePlanOptions); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the persister goes idle, and cleans up what it may
	r.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	waitForObsoleteFiles(ctx, idx)
	st, _ := idx.StatsMap()["index"].(map[string]interface{})
	files, _ := st["CurOnDiskFiles"].(uint64)
	live, _ := st["TotFileSegmentsAtRoot"].(uint64)
	if files > live+1 {
		t.Errorf("%d files on disk for %d live segments: obsolete segment files were left", files, live)
	}
}
