package demo

import (
	"math/rand/v2"
	"sort"
)

// rng is the per-entity random source. It is reseeded from (seed, entity index) for every
// entity, so an entity's data depends on nothing generated before it: output is the same
// whatever the buffering, and a future parallel generator can split the index range.
type rng struct {
	pcg rand.PCG
	r   *rand.Rand
}

func newRNG() *rng {
	g := &rng{}
	g.r = rand.New(&g.pcg)
	return g
}

// splitmix64 decorrelates consecutive entity indices before they seed PCG, whose state
// would otherwise start one apart for neighbouring entities.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (g *rng) seed(seed uint64, i int) {
	g.pcg.Seed(splitmix64(seed^0x6a09e667f3bcc909)^splitmix64(uint64(i)), splitmix64(uint64(i)^seed))
}

func (g *rng) n(k int) int            { return g.r.IntN(k) }
func (g *rng) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) } // inclusive
func (g *rng) chance(p float64) bool  { return g.r.Float64() < p }
func (g *rng) f() float64             { return g.r.Float64() }

func pick[T any](g *rng, xs []T) T { return xs[g.r.IntN(len(xs))] }

// day picks a day in [lo, hi], or lo when the range is empty.
func (g *rng) day(lo, hi day) day {
	if hi <= lo {
		return lo
	}
	return lo + day(g.r.IntN(int(hi-lo)+1))
}

// count draws how many records of a kind an entity has: none with probability 1-p,
// else 1 plus a geometric tail, so a few entities carry several records as in real lists.
func (g *rng) count(p, more float64) int {
	if g.r.Float64() >= p {
		return 0
	}
	n := 1
	for n < 8 && g.r.Float64() < more {
		n++
	}
	return n
}

// wtable picks indices with given weights by binary search over cumulative weights.
type wtable struct {
	cum   []uint32
	total uint32
}

func newWTable(w []float64) wtable {
	t := wtable{cum: make([]uint32, len(w))}
	var acc uint32
	for i, x := range w {
		acc += uint32(x*1000 + 0.5)
		t.cum[i] = acc
	}
	t.total = acc
	return t
}

func (t *wtable) pick(g *rng) int {
	v := g.r.Uint32N(t.total)
	return sort.Search(len(t.cum), func(i int) bool { return t.cum[i] > v })
}

// ws is a string with a weight, the shape of most curated vocabularies.
type ws struct {
	s string
	w float64
}

// perm is a keyed bijection on [0, 1e8): a four-round Feistel network on 27 bits with
// cycle walking. It gives every entity a distinct organisation-code number without
// remembering which numbers were used, so codes are unique at any size with no state.
type perm struct{ keys [4]uint64 }

const permDomain = 100_000_000

func newPerm(seed uint64) perm {
	var p perm
	for i := range p.keys {
		p.keys[i] = splitmix64(seed + uint64(i)*0x9e3779b97f4a7c15)
	}
	return p
}

func (p *perm) apply(x uint64) uint64 {
	for {
		l, r := x>>14, x&(1<<14-1) // 13 + 14 bits
		for i, k := range p.keys {
			if i%2 == 0 {
				l ^= splitmix64(r^k) & (1<<13 - 1)
			} else {
				r ^= splitmix64(l^k) & (1<<14 - 1)
			}
		}
		x = l<<14 | r
		if x < permDomain {
			return x
		}
	}
}
