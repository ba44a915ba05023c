package index

import (
	"context"
	"testing"
)

// TestTierBitsAnswersTheUsualSearches checks which searches are collected on posting bitmaps:
// names, fragments, pinyin and initials, the empty query, with or without term filters and
// the penalty filter (a column check), are. TestCollectTieredMatchesTierByTierSearch checks
// that both ways give the same answers.
func TestTierBitsAnswersTheUsualSearches(t *testing.T) {
	dir := t.TempDir()
	buildCorpusIn(t, dir, corpus)
	g, err := OpenGeneration(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(g.Close)
	ctx := context.Background()
	for _, c := range []struct {
		q    string
		f    SearchRequest
		bits bool
	}{
		{"华为技术有限公司", SearchRequest{}, true},
		{"华", SearchRequest{}, true},
		{"有限公司", SearchRequest{Status: "active", Region: "35"}, true},
		{"chongqing", SearchRequest{}, true},               // two syllables: the pair term
		{"fuzhouhuawei", SearchRequest{}, true},            // four: pairs checked in the columns
		{"cqcj", SearchRequest{EntityType: "个体工商户"}, true}, // initials
		{"华为", SearchRequest{Has: []string{HasBlacklist}}, true},
		{"华为", SearchRequest{Has: []string{HasPenalty}}, true},
		{"", SearchRequest{Has: []string{HasPenalty}, Region: "3501"}, true},
	} {
		pq, err := ParseQuery(c.q)
		if err != nil {
			t.Fatal(err)
		}
		fs, err := c.f.filters("2026-11-22")
		if err != nil {
			t.Fatal(err)
		}
		tq := newTieredQuery(pq, fs)
		for i, sh := range g.shards {
			adv, _ := sh.Advanced()
			r, err := adv.Reader()
			if err != nil {
				t.Fatal(err)
			}
			bits, err := tierBits(ctx, r, sh.Mapping(), g.cols[i], tq)
			r.Close()
			if err != nil {
				t.Fatalf("%q: %v", c.q, err)
			}
			if (bits != nil) != c.bits {
				t.Errorf("%q %+v shard %d: on bitmaps %v, want %v", c.q, c.f, i, bits != nil, c.bits)
			}
			if bits != nil && len(bits) != len(tq.bands) {
				t.Errorf("%q: %d bitmaps for %d bands", c.q, len(bits), len(tq.bands))
			}
		}
	}
}
