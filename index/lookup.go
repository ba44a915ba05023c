package index

import (
	"context"
	"sort"

	"github.com/blevesearch/bleve/v2"

	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/uscc"
)

// Suggestion is one autocomplete entry.
type Suggestion struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// MaxSuggestions caps autocomplete answers.
const MaxSuggestions = 10

// Suggest completes a name: names starting with the input first (shortest first), then names
// containing it. The engine answers it as a search of two bands without facets, so cheaply
// enough for every keystroke.
func (s *Searcher) Suggest(ctx context.Context, input string, n int) ([]Suggestion, error) {
	if n <= 0 || n > MaxSuggestions {
		n = MaxSuggestions
	}
	pq, err := ParseQuery(input)
	if err != nil || pq.Key == "" || pq.Class == ClassEmpty {
		return []Suggestion{}, nil
	}
	g := s.Live.Acquire()
	if g == nil {
		return nil, ErrNotReady
	}
	defer g.Release()
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()

	entity := termQ(KindEntity, FieldKind, 0)
	tq := &tieredQuery{}
	if prefix := pq.PrefixQuery(); prefix != nil {
		tq.bands = append(tq.bands, bleve.NewConjunctionQuery(entity, prefix))
	}
	if pq.Class != ClassBadCode {
		tq.bands = append(tq.bands, bleve.NewConjunctionQuery(entity, pq.MatchQuery()))
	}
	if len(tq.bands) == 0 {
		return []Suggestion{}, nil
	}
	page, err := g.collectTiered(ctx, tq, n, nil, "")
	if err != nil {
		return nil, searchError(err)
	}
	var rest []string
	for _, h := range page.hits {
		if page.cards[h.ID] == nil {
			rest = append(rest, h.ID)
		}
	}
	ents, err := g.Cards(ctx, rest)
	if err != nil {
		return nil, err
	}
	out := make([]Suggestion, 0, len(page.hits))
	for _, h := range page.hits {
		e := page.cards[h.ID]
		if e == nil {
			e = ents[h.ID]
		}
		if e != nil {
			out = append(out, Suggestion{Code: e.Code, Name: e.Name})
		}
	}
	return out, nil
}

// ResolveCode turns any identifier a user may hold (USCC in any case or width, 注册号,
// organisation code with or without hyphen) into the entity code, or "".
func (g *Generation) ResolveCode(ctx context.Context, input string) (string, error) {
	e, err := g.ResolveEntity(ctx, input)
	if err != nil || e == nil {
		return "", err
	}
	return e.Code, nil
}

// ResolveEntity is ResolveCode returning the entity itself (nil if none or ambiguous).
func (g *Generation) ResolveEntity(ctx context.Context, input string) (*Entity, error) {
	code := uscc.Normalize(input)
	if code == "" || len(code) > 32 {
		return nil, nil
	}
	if e, err := g.Docs.Entity(ctx, code); err != nil || e != nil {
		return e, err
	}
	code, err := g.Docs.CodeFor(ctx, code)
	if err != nil || code == "" {
		return nil, err
	}
	return g.Docs.Entity(ctx, code)
}

// PublicRecords returns the records about an entity that are public on day, grouped by type
// in the order pages show them, newest first within a type.
func (g *Generation) PublicRecords(ctx context.Context, code, day string) ([]*Record, error) {
	recs, err := g.Docs.RecordsOf(ctx, code)
	if err != nil {
		return nil, err
	}
	order := map[RecordType]int{}
	for i, t := range RecordTypes {
		order[t] = i
	}
	out := recs[:0]
	for _, r := range recs {
		if r.PublicOn(day) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if order[a.Type] != order[b.Type] {
			return order[a.Type] < order[b.Type]
		}
		if a.Date != b.Date {
			return a.Date > b.Date
		}
		return a.ID < b.ID
	})
	return out, nil
}

// NameKey exposes the folding used for exact-name matches.
func NameKey(name string) string { return fold.Key(name) }
