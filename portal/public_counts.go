package portal

import (
	"context"
	"sync"

	"github.com/gongshi/gongshi/index"
)

// The counts beside each list on the home and statistics pages are what its page shows today:
// penalties still inside their publication period, list entries not hidden by a decision. The
// generation's statistics count every record it holds, expired ones included, which overstated
// "仍在公示期内" by more than half. Publication periods end by the day, so the counts are taken
// from the list engine once per generation and China day.
type publicCounts struct {
	mu     sync.Mutex
	key    string // generation id and day of counts
	counts map[index.RecordType]int
}

// publicCounts returns the number of records each list's page shows today.
func (s *Server) publicCounts(ctx context.Context, g *index.Generation) (map[index.RecordType]int, error) {
	day := s.today()
	key := g.Info.ID + "/" + day
	pc := &s.counts
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if pc.key == key {
		return pc.counts, nil
	}
	counts := make(map[index.RecordType]int, len(index.Lists))
	for _, l := range index.Lists {
		res, err := s.searcher.List(ctx, index.ListRequest{Type: l.Type, Size: 1, Today: day})
		if err != nil {
			return nil, err
		}
		counts[l.Type] = int(res.Total)
	}
	pc.key, pc.counts = key, counts
	return counts, nil
}
