package index

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
)

// cardColumns hold, for the entities of one shard, what a search hit or suggestion shows of
// them (Entity's code, name, status, type, region and former names): a page of hits then
// needs no document-store read. Ten card rows from SQLite took some 75 µs of a 200 µs search
// when the rows were warm, and 130–270 µs in a benchmark run whose rows were not; from these
// columns a card is a few slices. With the rank order and the entity bitmap they added 53 MB of
// live heap to the 1M-entity generation (141 → 194 MB).
//
// They are by document number, as the other columns; byCode finds a document by code. The
// code of an entity document is the end of its rank (see newEntityDoc), not kept twice.
type cardColumns struct {
	name                       textColumn // "" for records and entities without a card
	status, entityType, region dictColumn[uint16]
	former                     map[uint64][]string // the few entities with former names
	byCode                     []uint32            // the shard's entity documents in code order
}

// rankCodeAt is where an entity's code starts in its rank: name length (3 digits), then
// whether it is inactive (1 digit).
const rankCodeAt = 4

// codeOf returns the code of entity document num, "" for a record.
func (c *columns) codeOf(num uint64) string {
	r := c.rank.at(num)
	if len(r) <= rankCodeAt {
		return ""
	}
	return r[rankCodeAt:]
}

// cardAt returns the card of entity document num, or nil.
func (c *columns) cardAt(num uint64) *Entity {
	k := c.cards
	if k == nil || !k.name.has(num) {
		return nil
	}
	return &Entity{Code: c.codeOf(num), Name: k.name.at(num), Status: k.status.value(num), EntityType: k.entityType.value(num),
		Region: k.region.value(num), FormerNames: slices.Clone(k.former[num])}
}

// card returns the card of the entity with code, or nil. A binary search over a shard's
// entities misses the processor's caches at most of its steps: a search's hits, whose
// document numbers are known, use cardAt.
func (c *columns) card(code string) *Entity {
	if c.cards == nil {
		return nil
	}
	at, found := slices.BinarySearchFunc(c.cards.byCode, code, func(num uint32, code string) int {
		return strings.Compare(c.codeOf(uint64(num)), code)
	})
	if !found {
		return nil
	}
	return c.cardAt(uint64(c.cards.byCode[at]))
}

// card returns the card of the entity with code from the columns, or nil.
func (g *Generation) card(code string) *Entity {
	if g.cols == nil || code == "" {
		return nil
	}
	return g.cols[ShardOf(code, len(g.cols))].card(code)
}

// Cards returns the cards of the entities with these codes, by code, as DocStore.Cards
// does: from the columns where it can, the rest from the document store.
func (g *Generation) Cards(ctx context.Context, codes []string) (map[string]*Entity, error) {
	out := make(map[string]*Entity, len(codes))
	var rest []string
	for _, code := range codes {
		if e := g.card(code); e != nil {
			out[code] = e
			continue
		}
		rest = append(rest, code)
	}
	if len(rest) == 0 {
		return out, nil
	}
	more, err := g.Docs.Cards(ctx, rest)
	if err != nil {
		return nil, err
	}
	for code, e := range more {
		out[code] = e
	}
	return out, nil
}

// loadCards fills the card columns of every shard from the document store's entity_cards,
// read once in code order and joined with each shard's entities in code order.
func loadCards(ctx context.Context, docs *DocStore, cols []*columns) error {
	// A card as read, until the shard's columns are written in document order: its name is
	// names[start:end]. No pointers: a million small strings read once would leave the heap
	// fragmented for as long as the generation is served.
	type row struct {
		start, end                 uint32
		status, entityType, region uint16
	}
	type shardCards struct {
		cardColumns
		rows  []row // by document number
		names []byte
		next  int // place in byCode of the next entity to match
	}
	shards := make([]*shardCards, len(cols))
	for i, c := range cols {
		k := &shardCards{rows: make([]row, len(c.rank.end))}
		k.former = map[uint64][]string{}
		k.byCode = slices.Clone(c.byOrder) // every entity document
		slices.SortFunc(k.byCode, func(a, b uint32) int {
			return strings.Compare(c.codeOf(uint64(a)), c.codeOf(uint64(b)))
		})
		shards[i] = k
	}
	rows, err := docs.db.QueryContext(ctx, `SELECT code, name, status, entity_type, region, former FROM entity_cards ORDER BY code`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var code, name, status, etype, region, former sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&code, &name, &status, &etype, &region, &former); err != nil {
			return err
		}
		i := ShardOf(string(code), len(cols))
		k, c := shards[i], cols[i]
		for k.next < len(k.byCode) && c.codeOf(uint64(k.byCode[k.next])) < string(code) {
			k.next++
		}
		if k.next == len(k.byCode) || c.codeOf(uint64(k.byCode[k.next])) != string(code) {
			continue // an entity of the store that this generation's index does not hold
		}
		num := uint64(k.byCode[k.next])
		if len(k.names)+len(name) > math.MaxUint32 {
			return fmt.Errorf("a shard's entity names passed 4 GiB at %s: build the generation with more shards", code)
		}
		start := uint32(len(k.names))
		k.names = append(k.names, name...)
		k.rows[num] = row{start, uint32(len(k.names)), k.status.code(status), k.entityType.code(etype), k.region.code(region)}
		if len(former) > 0 {
			var names []string
			if err := json.Unmarshal(former, &names); err != nil {
				return fmt.Errorf("entity_cards: former names of %s: %w", code, err)
			}
			k.former[num] = names
		}
		k.next++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i, k := range shards {
		if k.status.overflow || k.entityType.overflow || k.region.overflow {
			continue // more distinct values than the columns hold: cards come from the store
		}
		var names columnBuilder
		names.b.Grow(len(k.names))
		for num, r := range k.rows {
			names.setBytes(uint64(num), k.names[r.start:r.end])
			k.status.set(uint64(num), r.status)
			k.entityType.set(uint64(num), r.entityType)
			k.region.set(uint64(num), r.region)
		}
		k.name = names.column()
		k.status.done()
		k.entityType.done()
		k.region.done()
		k.rows, k.names = nil, nil
		cols[i].cards = &k.cardColumns
	}
	return nil
}
