package bench

import (
	"hash/fnv"
	"math/rand/v2"
)

// Named is an entity's code and published name: what the query generators draw from.
type Named struct{ Code, Name string }

// DrawQueries returns up to n query texts of one class (see Classes) drawn from random
// entities, the way the benchmark draws them, deterministically for a seed. Tools outside the
// package (the load test) use it to ask the portal realistic questions about its own data.
func DrawQueries(ents []Named, class string, n int, seed uint64) []string {
	es := make([]entity, len(ents))
	for i, e := range ents {
		es[i] = entity{code: e.Code, name: e.Name}
	}
	h := fnv.New64a()
	h.Write([]byte(class))
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	qs := draw(rng, es, class, n)
	out := make([]string, len(qs))
	for i, q := range qs {
		out[i] = q.text
	}
	return out
}
