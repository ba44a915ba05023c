package index

import (
	"context"
	"fmt"
	"testing"

	"github.com/blevesearch/bleve/v2"

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
