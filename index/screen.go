package index

// Batch screening: a list of subjects (a code and/or a name each) matched against the serving
// generation in batches, each matched entity with its public credit flags as of a date. The
// portal streams the matches out; nothing about a screening request is stored.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index/uscc"
)

// Screening limits and thresholds.
const (
	// ScreenBatchSize subjects are resolved together: one SQL statement per lookup kind, and
	// the unit of memory (a request never holds more than ScreenWorkers+1 batches).
	ScreenBatchSize = 500
	// ScreenWorkers batches are screened at once: one per core of the reference machine.
	ScreenWorkers = 2
	// MaxScreenCandidates caps the candidates shown for an ambiguous or close match.
	MaxScreenCandidates = 5
	// DefaultPenaltyYears is the penalty window: most penalties stay public 3 years.
	DefaultPenaltyYears = 3
	MaxPenaltyYears     = 10
	// CloseNameThreshold is the similarity from which a close name counts as a match. Set so that
	// a differing legal form (股份有限公司 vs 有限公司) or a moved region (福州华威 vs 华威（福州）)
	// still matches, while a branch (…福州分公司) does not match its head office.
	CloseNameThreshold = 0.85
	// AmbiguityMargin: a runner-up this close to the best close match makes the result ambiguous.
	AmbiguityMargin = 0.05
	// candidateFloor drops search hits too unlike the input to be worth showing.
	candidateFloor = 0.3
	// maxSubjectNameRunes: longer "names" are not names (a pasted paragraph).
	maxSubjectNameRunes = 200
	maxExactPerName     = 20
)

// ScreenOptions configure a screening.
type ScreenOptions struct {
	AsOf         string   // YYYY-MM-DD; "" = today in China. Not after today.
	Flags        []string // from ScreenFlags; nil = all
	PenaltyYears int      // 0 = DefaultPenaltyYears
	// Overlay supplies decisions (hidden records don't count) and pending objections; nil = the
	// searcher's own.
	Overlay Overlay
}

// Screener screens batches against one generation, which it holds until Close.
type Screener struct {
	g           *Generation
	asOf        string
	penaltyFrom string
	flags       map[string]bool
	types       []RecordType
	hidden      map[string]string
	corrected   map[string]map[string]string
	// pending objections by the entity they concern: record id (or the entity code) → filed day.
	pending map[string]map[string]string
}

// AsOf is the day the flags are computed for.
func (sc *Screener) AsOf() string { return sc.asOf }

// PenaltyFrom is the first day of the penalty window.
func (sc *Screener) PenaltyFrom() string { return sc.penaltyFrom }

// Flags are the flags computed, in ScreenFlags order.
func (sc *Screener) Flags() []string {
	var out []string
	for _, f := range ScreenFlags {
		if sc.flags[f] {
			out = append(out, f)
		}
	}
	return out
}

// NewScreener validates the options and takes hold of the serving generation. A bad option is
// a *BadRequestError.
func (s *Searcher) NewScreener(ctx context.Context, opts ScreenOptions) (*Screener, error) {
	today := s.today("")
	asOf := strings.TrimSpace(opts.AsOf)
	if asOf == "" {
		asOf = today
	}
	day, err := time.Parse(time.DateOnly, asOf)
	if err != nil {
		return nil, badRequest("bad_as_of", "as_of 日期格式应为 YYYY-MM-DD，例如 "+today+"。", "as_of must be a date YYYY-MM-DD, e.g. "+today)
	}
	if asOf > today {
		return nil, badRequest("bad_as_of", "as_of 不能晚于今天（"+today+"）：只能查询当时已公示的信息。", "as_of must not be after today ("+today+")")
	}
	if asOf < "1990-01-01" {
		return nil, badRequest("bad_as_of", "as_of 不能早于 1990-01-01。", "as_of must not be before 1990-01-01")
	}
	years := opts.PenaltyYears
	if years == 0 {
		years = DefaultPenaltyYears
	}
	if years < 1 || years > MaxPenaltyYears {
		return nil, badRequest("bad_penalty_years", fmt.Sprintf("penalty_years 应为 1–%d 的整数。", MaxPenaltyYears),
			fmt.Sprintf("penalty_years must be an integer from 1 to %d", MaxPenaltyYears))
	}
	flags, err := ParseScreenFlags(opts.Flags)
	if err != nil {
		return nil, err
	}
	sc := &Screener{asOf: asOf, penaltyFrom: day.AddDate(-years, 0, 1).Format(time.DateOnly), flags: map[string]bool{}}
	for _, f := range flags {
		sc.flags[f] = true
	}
	for f, t := range map[string]RecordType{FlagBlacklist: TypeBlacklist, FlagAbnormal: TypeAbnormal, FlagDebtor: TypeDishonestDebtor,
		FlagPenalties: TypePenalty, FlagRedlist: TypeRedlist} {
		if sc.flags[f] {
			sc.types = append(sc.types, t)
		}
	}
	sort.Slice(sc.types, func(i, j int) bool { return sc.types[i] < sc.types[j] })
	ov := opts.Overlay
	if ov == nil {
		ov = s.Overlay
	}
	if ov == nil {
		ov = NoOverlay{}
	}
	if sc.hidden, err = ov.Hidden(ctx); err != nil {
		return nil, err
	}
	if sc.corrected, err = ov.Corrected(ctx); err != nil {
		return nil, err
	}
	pending, err := ov.Pending(ctx)
	if err != nil {
		return nil, err
	}
	g := s.Live.Acquire()
	if g == nil {
		return nil, ErrNotReady
	}
	sc.g = g
	if err := sc.loadPending(ctx, pending); err != nil {
		sc.Close()
		return nil, err
	}
	return sc, nil
}

// loadPending files pending objections under the entity they concern: an objection points at a
// record (or at the register entry itself, by its code).
func (sc *Screener) loadPending(ctx context.Context, pending map[string]string) error {
	sc.pending = map[string]map[string]string{}
	if len(pending) == 0 {
		return nil
	}
	ids := make([]string, 0, len(pending))
	for id := range pending {
		ids = append(ids, id)
	}
	recs, err := sc.g.Docs.RecordsByIDs(ctx, ids)
	if err != nil {
		return err
	}
	for id, day := range pending {
		code := id
		if r := recs[id]; r != nil {
			if _, gone := sc.hidden[id]; gone {
				continue
			}
			code = r.EntityCode
		}
		if sc.pending[code] == nil {
			sc.pending[code] = map[string]string{}
		}
		sc.pending[code][id] = day
	}
	return nil
}

// Close releases the generation.
func (sc *Screener) Close() {
	if sc.g != nil {
		sc.g.Release()
		sc.g = nil
	}
}

// Stream screens the subjects next returns (a batch at a time, io.EOF at the end) and hands
// the matches of each batch to emit in input order. ScreenWorkers batches are in flight at once;
// next and emit are called on the caller's goroutine.
func (sc *Screener) Stream(ctx context.Context, next func() ([]Subject, error), emit func([]Match) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type job struct {
		done chan struct{}
		res  []Match
		err  error
	}
	var (
		queue []*job
		wg    sync.WaitGroup
		eof   bool
	)
	defer wg.Wait()
	for {
		for !eof && len(queue) < ScreenWorkers {
			batch, err := next()
			if err == io.EOF {
				eof = true
			} else if err != nil {
				return err
			}
			if len(batch) == 0 {
				continue
			}
			j := &job{done: make(chan struct{})}
			queue = append(queue, j)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer close(j.done)
				j.res, j.err = sc.Screen(ctx, batch)
			}()
		}
		if len(queue) == 0 {
			return nil
		}
		j := queue[0]
		queue = queue[1:]
		<-j.done
		if j.err != nil {
			return j.err
		}
		if err := emit(j.res); err != nil {
			return err
		}
	}
}

// screenItem is a subject being resolved.
type screenItem struct {
	m        Match
	code     string // normalised; "" when none given
	rawCode  string
	kind     uscc.Kind
	checkErr *uscc.CheckDigitError
	// badPair: a USCC whose first two characters are not a registration authority and one
	// of its organisation categories (GB 32100); no such code is issued.
	badPair    bool
	name       string
	entity     *Entity // the matched register entry
	recordOnly *ScreenEntity
	// codeMissed says the code resolved to nothing; a name may still decide.
	codeMissed bool
	cands      []string // candidate codes (ambiguous exact or former name)
	via        string   // how cands were found
}

// Screen resolves one batch (at most a few ScreenBatchSize subjects) and returns a match for
// each subject, in order.
func (sc *Screener) Screen(ctx context.Context, subjects []Subject) ([]Match, error) {
	if sc.g == nil {
		return nil, errors.New("screener is closed")
	}
	items := make([]*screenItem, len(subjects))
	for i, s := range subjects {
		items[i] = prepareSubject(s)
	}
	if err := sc.resolveCodes(ctx, items); err != nil {
		return nil, err
	}
	if err := sc.resolveNames(ctx, items); err != nil {
		return nil, err
	}
	if err := sc.addFlags(ctx, items); err != nil {
		return nil, err
	}
	out := make([]Match, len(items))
	for i, it := range items {
		out[i] = it.m
	}
	return out, nil
}

func prepareSubject(s Subject) *screenItem {
	it := &screenItem{m: Match{Line: s.Line}}
	code := strings.TrimSpace(s.Code)
	name := strings.TrimSpace(s.Name)
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	// A code typed into the name column is still a code.
	if code == "" && codeLike(name) && uscc.Classify(uscc.Normalize(name)) != uscc.KindNone {
		code, name = name, ""
	}
	it.name = name
	if code == "" {
		return it
	}
	it.rawCode = code
	it.code = uscc.Normalize(code)
	if len(it.code) > 32 {
		it.code = it.code[:32]
	}
	it.kind = uscc.Classify(it.code)
	if it.kind == uscc.KindUSCC {
		it.badPair = !uscc.AssignedPair(it.code)
		var cd *uscc.CheckDigitError
		if errors.As(uscc.Validate(it.code), &cd) {
			it.checkErr = cd
		}
	}
	return it
}

// entities fetches register entries, leaving out any a decision has hidden.
func (sc *Screener) entities(ctx context.Context, codes []string) (map[string]*Entity, error) {
	ents, err := sc.g.Docs.EntitiesByCodes(ctx, codes)
	for c := range ents {
		if _, gone := sc.hidden[c]; gone {
			delete(ents, c)
		}
	}
	return ents, err
}
