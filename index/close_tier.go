package index

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// The strict tiers find a name only if it holds every word of the query. A citizen who typed
// the whole name with one character wrong, missing, extra or two neighbours swapped got
// "nothing found" and concluded the company does not exist. The close tier answers such a
// query with the names that hold most of its bigrams (minimum should match), most shared
// first: one wrong character leaves all bigrams but the two around it, a missing or extra one
// all but one or two, and two swapped neighbours keep their pair reversed, which counts.
//
// A name holding m of the query's n bigrams holds at least two of any n-m+2 of them, so the
// candidates are the documents in two or more of the n-m+2 rarest bigrams' posting bitmaps
// (with the reversed pairs; two bitmap operations per bigram), under the request's filters;
// each is then checked in the columns, as the strict fragments are. Their number is capped
// (maxCloseCandidates, maxCloseExtra): past the cap, which only happens when the bigrams left
// are common words ("电子商务") that thousands of names share, the candidates holding one of
// the query's rarest characters are kept, and of those the first in document order checked.
// The tier's cost is bounded whatever the query.

// TierClose marks a result of the close tier: its name shares most of the query's bigrams
// but does not hold the query itself (相近名称).
const TierClose = "close"

// closeNeed is how many of the rarest bigrams a candidate must hold (of n-m+closeNeed): two
// spares checking the names that share a single common bigram with the query; three cost
// bitmap operations on common bigrams and made no measurable difference.
const closeNeed = 2

// maxCloseBigrams of a long query are enough to tell names apart.
const maxCloseBigrams = 12

// maxCloseCandidates bounds the names a shard checks for one close search, some 0.3 µs each.
// A short name with its trade name mistyped keeps only its industry word ("贸易有限公司"),
// which some 1,500 of 100,000 names share: they are all candidates, and the characters
// that survived the typo pick the company out.
const maxCloseCandidates = 8192

// maxCloseExtra is the bound when the query found something itself: the close names only
// fill its page, and a fragment of common words ("企业管理") would otherwise have every name
// holding them checked (0.8 ms at 100,000 entities with a bound of 1,024, 0.2 ms with 256).
const maxCloseExtra = 64

// closeQuery is what the close tier compares names with.
type closeQuery struct {
	bigrams  []string // each once; a name matches one forwards or reversed
	reversed []string // of each bigram
	chars    []rune   // the characters outside legal forms, each once: the tie-break
	// For pinyin, instead: the pairs of adjacent syllables of its best reading ("yi'bo"),
	// each once, counted on the bitmaps of pairField (FieldPinyinPairs); for initials the
	// pairs of adjacent letters ("h'w"), on FieldInitialPairs.
	pairs     []string
	pairField string
}

// closeQuery returns the close reading of a name query: the bigrams of what was typed, but
// not those inside a legal form (有限公司 is in a third of all names), and its characters
// outside legal forms; nil when there are fewer than two bigrams, or the query is not a name.
// A bigram across the end of a legal form is kept: "装有" of "民元服装有限公司" is still
// evidence when 服 was mistyped.
func (p *ParsedQuery) closeQuery() *closeQuery {
	if p.Class == ClassPinyin && len(p.Syllables) > 0 {
		// Pinyin that spans a legal form ("…jituan": 集团 is not in the indexed core) or
		// has a syllable wrong still shares most pairs with the name.
		pairs := dedupe(pairsOf(p.Syllables[0]))
		if len(pairs) < 2 {
			return nil
		}
		return &closeQuery{pairs: spread(pairs, maxCloseBigrams), pairField: FieldPinyinPairs}
	}
	if p.Class == ClassInitials {
		// Initials with a letter wrong, missing or extra ("hwxcm" for 华威新材料, hwxcl)
		// share most of their pairs of adjacent letters with the name's.
		pairs := dedupe(pairsOf(strings.Split(p.Initials, "")))
		if len(pairs) < 2 {
			return nil
		}
		return &closeQuery{pairs: spread(pairs, maxCloseBigrams), pairField: FieldInitialPairs}
	}
	if p.Class != ClassName {
		return nil
	}
	text := []rune(SearchText(p.Raw))
	legal := make([]bool, len(text))
	s := string(text)
	for _, lf := range legalForms {
		for from := 0; ; {
			i := strings.Index(s[from:], lf)
			if i < 0 {
				break
			}
			start := len([]rune(s[:from+i]))
			for k := range len([]rune(lf)) {
				legal[start+k] = true
			}
			from += i + len(lf)
		}
	}
	word := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	q := &closeQuery{}
	for i, r := range text {
		if word(r) && !legal[i] && !slices.Contains(q.chars, r) {
			q.chars = append(q.chars, r)
		}
		if i+1 < len(text) && word(r) && word(text[i+1]) && !(legal[i] && legal[i+1]) {
			if b := string(text[i : i+2]); !slices.Contains(q.bigrams, b) {
				q.bigrams = append(q.bigrams, b)
			}
		}
	}
	if len(q.bigrams) < 2 {
		return nil
	}
	q.bigrams = spread(q.bigrams, maxCloseBigrams)
	for _, b := range q.bigrams {
		q.reversed = append(q.reversed, reversed(b))
	}
	return q
}

// highlight marks the characters of name that stand in one of the query's bigrams, either way
// round: what the close name shares with the query. Each character is folded as it is
// indexed, so a match maps back to the name as written.
func (q *closeQuery) highlight(name string) []Part {
	orig := []rune(name)
	folded := make([]rune, 0, len(orig))
	from := make([]int, 0, len(orig))
	for i, r := range orig {
		for _, f := range searchTextOfRune(r) {
			if f != ' ' {
				folded = append(folded, f)
				from = append(from, i)
			}
		}
	}
	pairs := make([][]rune, len(q.bigrams))
	for k, b := range q.bigrams {
		pairs[k] = []rune(b)
	}
	mark := make([]bool, len(orig))
	for i := 0; i+1 < len(folded); i++ {
		for _, br := range pairs {
			if folded[i] == br[0] && folded[i+1] == br[1] || folded[i] == br[1] && folded[i+1] == br[0] {
				mark[from[i]], mark[from[i+1]] = true, true
				break
			}
		}
	}
	var parts []Part
	for i, r := range orig {
		if len(parts) > 0 && parts[len(parts)-1].Mark == mark[i] {
			parts[len(parts)-1].Text += string(r)
			continue
		}
		parts = append(parts, Part{Text: string(r), Mark: mark[i]})
	}
	return parts
}

// closeMinimum is how many of n bigrams a close name must hold: half, rounded up.
func closeMinimum(n int) int { return (n + 1) / 2 }

// score counts the bigrams (forwards, or reversed where rev[i]) and characters of q that a
// folded name holds; ok is false, and the characters not counted, when the bigrams are under
// minimum.
func (q *closeQuery) score(name string, minimum int, rev []bool) (bigrams, chars int, ok bool) {
	for i, b := range q.bigrams {
		if strings.Contains(name, b) || rev[i] && strings.Contains(name, q.reversed[i]) {
			bigrams++
		} else if len(q.bigrams)-i-1+bigrams < minimum {
			return bigrams, 0, false
		}
	}
	if bigrams < minimum {
		return bigrams, 0, false
	}
	for _, r := range q.chars {
		if strings.ContainsRune(name, r) {
			chars++
		}
	}
	return bigrams, chars, true
}

// tier orders close names: more shared bigrams first, then more shared characters, then (by
// tierKey) rank. 16 character steps per bigram step, enough for any query: it is capped at
// MaxQueryRunes characters, and the step saturates.
func (q *closeQuery) tier(bigrams, chars int) int {
	return (len(q.bigrams)-bigrams)*16 + min(15, len(q.chars)-chars)
}

// collectClose returns up to size entities under the filters fs whose current name holds at
// least half of the query's bigrams, best first (see closeQuery.tier), leaving out the strict
// hits. nil when the query has no close reading, or a filter cannot be evaluated on bitmaps
// (a penalty date range): then there is no close tier.
func (g *Generation) collectClose(ctx context.Context, pq *ParsedQuery, fs []query.Query, size int, strict []*search.DocumentMatch) (*tieredPage, error) {
	cq := pq.closeQuery()
	if cq == nil || g.cols == nil || size <= 0 || cq.pairs != nil && len(strict) > 0 {
		// Pinyin or initials found by the whole sequence have their answer; close names
		// would only pad the page, at a cost that doubled its median time.
		return nil, nil
	}
	skip := make([]*roaring.Bitmap, len(g.shards))
	for i := range skip {
		skip[i] = roaring.New()
	}
	for _, h := range strict {
		skip[ShardOf(h.ID, len(g.shards))].Add(uint32(h.IndexInternalID.Value()))
	}
	budget := maxCloseCandidates
	if len(strict) > 0 {
		budget = maxCloseExtra
	}
	pages := make([]*tieredPage, len(g.shards))
	errs := make([]error, len(g.shards))
	var wg sync.WaitGroup
	for i, sh := range g.shards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pages[i], errs[i] = closeShard(ctx, sh, g.cols[i], cq, fs, size, skip[i], budget)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out := &tieredPage{cards: map[string]*Entity{}}
	for _, p := range pages {
		if p == nil {
			return nil, nil // a shard could not answer: no close tier rather than half of one
		}
		out.hits = append(out.hits, p.hits...)
		out.total += p.total
		for code, e := range p.cards {
			out.cards[code] = e
		}
	}
	slices.SortStableFunc(out.hits, compareSort)
	if len(out.hits) > size {
		out.hits = out.hits[:size]
	}
	return out, nil
}

// closeShard is collectClose on one shard, checking up to budget candidates; nil, nil when
// the shard cannot be answered on bitmaps.
func closeShard(ctx context.Context, sh bleve.Index, cols *columns, cq *closeQuery, fs []query.Query, size int, skip *roaring.Bitmap, budget int) (*tieredPage, error) {
	adv, err := sh.Advanced()
	if err != nil {
		return nil, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	snap, ok := r.(*scorch.IndexSnapshot)
	if !ok || cols == nil || cols.entities == nil {
		return nil, nil
	}
	e := &bitsEval{segs: snap.Segments(), m: sh.Mapping(), cols: cols}
	within, ok, err := filterBits(e, fs)
	if !ok || err != nil {
		return nil, err
	}
	if cq.pairs != nil {
		return closePairs(ctx, r, e, cq, within, size, skip)
	}

	// The candidates: the documents in two of the n-m+2 rarest bigrams, each forwards or
	// reversed. Posting lists are counted before any is read into a bitmap.
	type slot struct {
		lists []postingList // of the bigram and its reversal, segment by segment
		count uint64
	}
	slots := make([]slot, len(cq.bigrams))
	rev := make([]bool, len(cq.bigrams)) // the reversed bigram is in some name of the shard
	for i, b := range cq.bigrams {
		terms := []string{b}
		if r := cq.reversed[i]; r != b {
			terms = append(terms, r)
		}
		for k, t := range terms {
			pls, err := e.postingLists(termBits{FieldName, t})
			if err != nil {
				return nil, err
			}
			for _, pl := range pls {
				slots[i].count += pl.Count()
				rev[i] = rev[i] || k == 1 && pl.Count() > 0
			}
			slots[i].lists = append(slots[i].lists, pls...)
		}
	}
	slices.SortStableFunc(slots, func(a, b slot) int { return cmp.Compare(a.count, b.count) })
	n := len(cq.bigrams)
	minimum := closeMinimum(n)
	need := min(minimum, closeNeed)
	atLeast := make([]*roaring.Bitmap, need+1) // atLeast[j]: in j of the slots so far, or more
	for j := 1; j <= need; j++ {
		atLeast[j] = roaring.New()
	}
	for i, s := range slots[:n-minimum+need] {
		bm, err := e.union(s.lists)
		if errors.Is(err, errNoBits) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		for j := min(i+1, need); j >= 2; j-- {
			atLeast[j].Or(roaring.And(atLeast[j-1], bm))
		}
		atLeast[1].Or(bm)
	}
	cand := atLeast[need]
	// Entities under the filters, strict hits out.
	cand.And(within)
	cand.AndNot(skip)
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	best := &bestHits{size: size, cols: cols, hits: make([]bestHit, 0, size+1)}
	var total uint64
	check := func(num uint64) {
		if b, c, ok := cq.score(cols.names.at(num), minimum, rev); ok {
			total++
			best.offer(tierKey(cq.tier(b, c), uint64(cols.orderOf(num))), num)
		}
	}
	if cand.GetCardinality() > uint64(budget) {
		if cand, err = narrowByChars(e, cand, cq.chars); err != nil {
			return nil, err
		}
	}
	checked := 0
	it := cand.Iterator()
	for it.HasNext() && checked < budget {
		check(uint64(it.Next()))
		checked++
	}
	return best.page(r, total)
}

// filterBits returns the entities under the filters fs (fs[0] is kind:e) as a bitmap; ok is
// false when a filter cannot be evaluated on bitmaps (a penalty date range).
func filterBits(e *bitsEval, fs []query.Query) (within *roaring.Bitmap, ok bool, err error) {
	if len(fs) <= 1 {
		return e.cols.entities, true, nil // read only: a caller that changes it clones it
	}
	plan := e.plan(bleve.NewConjunctionQuery(fs...))
	if plan == nil {
		return nil, false, nil
	}
	within, err = plan.eval(e)
	if errors.Is(err, errNoBits) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	within.And(e.cols.entities)
	return within, true, nil
}

// denseBand is the size past which a band of pinyin close names is walked in rank order
// rather than bit by bit: the page then fills after a few steps per hit.
const denseBand = 8192

// closePairs is the close tier of a pinyin or initials query on one shard: the entities within, skip
// out, holding at least half of its syllable pairs, more first, then by rank. With few pairs
// and their postings small, it is counted on bitmaps alone: atLeast[j], the documents holding
// j of the pairs or more, grows by atLeast[j] |= atLeast[j-1] & pair, and each band
// atLeast[j] \ atLeast[j+1] is a tier.
func closePairs(ctx context.Context, r index.IndexReader, e *bitsEval, cq *closeQuery, within *roaring.Bitmap, size int, skip *roaring.Bitmap) (*tieredPage, error) {
	if !hasField(e.m, "core", cq.pairField) {
		return nil, nil
	}
	cols := e.cols
	within = roaring.AndNot(within, skip)
	n := len(cq.pairs)
	atLeast := make([]*roaring.Bitmap, n+2)
	for j := range atLeast {
		atLeast[j] = roaring.New()
	}
	for i, p := range cq.pairs {
		bm, err := termBits{cq.pairField, p}.eval(e)
		if errors.Is(err, errNoBits) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		bm.And(within)
		for j := min(i+1, n); j >= 2; j-- {
			atLeast[j].Or(roaring.And(atLeast[j-1], bm))
		}
		atLeast[1].Or(bm)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	best := &bestHits{size: size, cols: cols, hits: make([]bestHit, 0, size+1)}
	var total uint64
	for j := n; j >= closeMinimum(n); j-- {
		band := roaring.AndNot(atLeast[j], atLeast[j+1])
		card := band.GetCardinality()
		total += card
		tier := (n - j) * 16
		if card == 0 || best.full(tier) {
			continue
		}
		if card <= denseBand {
			it := band.Iterator()
			for it.HasNext() {
				num := uint64(it.Next())
				best.offer(tierKey(tier, uint64(cols.orderOf(num))), num)
			}
			continue
		}
		found := 0
		for _, num := range cols.byOrder {
			if band.Contains(num) {
				best.offer(tierKey(tier, uint64(cols.orderOf(uint64(num)))), uint64(num))
				if found++; found == size {
					break
				}
			}
		}
	}
	return best.page(r, total)
}

// narrowByChars keeps the candidates that hold one of the query's two rarest characters, when
// some do: past the cap, the bigrams left are common words, and the characters a typo spared
// ("修" of "修庐科技" typed as "修芦科技") are what tells the company from the thousands of
// names ending in 科技有限公司.
func narrowByChars(e *bitsEval, cand *roaring.Bitmap, chars []rune) (*roaring.Bitmap, error) {
	type char struct {
		lists []postingList
		count uint64
	}
	cs := make([]char, 0, len(chars))
	for _, r := range chars {
		pls, err := e.postingLists(termBits{FieldName, string(r)})
		if err != nil {
			return nil, err
		}
		c := char{lists: pls}
		for _, pl := range pls {
			c.count += pl.Count()
		}
		if c.count > 0 {
			cs = append(cs, c)
		}
	}
	slices.SortStableFunc(cs, func(a, b char) int { return cmp.Compare(a.count, b.count) })
	narrow := roaring.New()
	for _, c := range cs[:min(2, len(cs))] {
		bm, err := e.union(c.lists)
		if err != nil {
			return nil, err
		}
		narrow.Or(bm)
	}
	narrow.And(cand)
	if narrow.IsEmpty() {
		return cand, nil
	}
	return narrow, nil
}

// reversed is a bigram with its characters swapped.
func reversed(bigram string) string {
	rs := []rune(bigram)
	if len(rs) != 2 {
		return bigram
	}
	return string([]rune{rs[1], rs[0]})
}
