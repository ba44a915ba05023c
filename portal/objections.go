package portal

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gongshi/gongshi/portal/store"
)

// ObjectionConfig configures objections, credit repair and the back office.
type ObjectionConfig struct {
	// DB is a postgres:// URL shared by replicas; empty = SQLite in the data folder.
	DB string
	// Regime of publication periods ("gsxt" or "ndrc"), for credit-repair minimum periods.
	Regime string
	// DeadlineDays is the answer period in working days from acceptance (default 20).
	DeadlineDays int
	// Holidays are extra non-working days (YYYY-MM-DD).
	Holidays map[string]bool
	// MaxFileBytes and MaxFiles limit attachments (default 10 MB, 5 files).
	MaxFileBytes int64
	MaxFiles     int
}

func (c *ObjectionConfig) defaults() {
	if c.DeadlineDays <= 0 {
		c.DeadlineDays = 20
	}
	if c.MaxFileBytes <= 0 {
		c.MaxFileBytes = 10 << 20
	}
	if c.MaxFiles <= 0 {
		c.MaxFiles = 5
	}
	if c.Regime == "" {
		c.Regime = "gsxt"
	}
}

// maxUploadBody caps a whole filing with its attachments.
func (c *ObjectionConfig) maxUploadBody() int64 { return int64(c.MaxFiles)*c.MaxFileBytes + 1<<20 }

// errNoStore answers while the SQL store cannot be reached.
var errNoStore = errors.New("objection store unavailable")

// sqlStore returns the store, or nil while it is unreachable.
func (s *Server) sqlStore() *store.Store { return s.db.Load() }

// connectStore opens the SQL store; if that fails (PostgreSQL down), search keeps working and a
// background loop retries until it succeeds or ctx ends.
func (s *Server) connectStore(ctx context.Context) {
	try := func() bool {
		st, err := store.Open(ctx, s.cfg.Objections.DB, string(s.cfg.Data))
		if errors.Is(err, store.ErrSchemaNewer) {
			// Retrying cannot help: this binary is older than the database.
			s.log.Error("objection store refused; filing answers 503 until a gongshi that knows this schema runs", "err", err)
			return true
		}
		if err != nil {
			s.log.Warn("objection store unavailable; filing answers 503 until it is back", "err", err)
			return false
		}
		st.Now = s.cfg.Now
		s.db.Store(st)
		s.overlay.invalidate()
		return true
	}
	if try() {
		return
	}
	go func() {
		t := time.NewTicker(5 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if try() {
					return
				}
			}
		}
	}()
}

// overlayCache is the index.Overlay the searcher and pages use: the store's decisions and
// pending objections, re-read at most every two seconds (other replicas decide too) and at once
// after this replica's own decisions.
type overlayCache struct {
	s   *Server
	mu  sync.Mutex
	at  time.Time
	ver atomic.Int64

	hidden, pending map[string]string
	corrected       map[string]map[string]string
}

func (o *overlayCache) invalidate() {
	o.mu.Lock()
	o.at = time.Time{}
	o.mu.Unlock()
	o.ver.Add(1)
}

func (o *overlayCache) load(ctx context.Context) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if time.Since(o.at) < 2*time.Second {
		return nil
	}
	st := o.s.sqlStore()
	if st == nil {
		return nil // no decisions can be known: serve the generation as built
	}
	hidden, err := st.Hidden(ctx)
	if err != nil {
		return o.stale(err)
	}
	corrected, err := st.Corrected(ctx)
	if err != nil {
		return o.stale(err)
	}
	pending, err := st.Pending(ctx)
	if err != nil {
		return o.stale(err)
	}
	o.hidden, o.corrected, o.pending, o.at = hidden, corrected, pending, time.Now()
	o.ver.Add(1)
	return nil
}

// stale keeps serving the last known overlay when the store fails: a PostgreSQL outage must
// not take search down.
func (o *overlayCache) stale(err error) error {
	o.s.log.Warn("overlay refresh failed; serving the last known decisions", "err", err)
	o.at = time.Now()
	return nil
}

func (o *overlayCache) Hidden(ctx context.Context) (map[string]string, error) {
	err := o.load(ctx)
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.hidden, err
}

func (o *overlayCache) Corrected(ctx context.Context) (map[string]map[string]string, error) {
	err := o.load(ctx)
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.corrected, err
}

func (o *overlayCache) Pending(ctx context.Context) (map[string]string, error) {
	err := o.load(ctx)
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.pending, err
}

// Version changes whenever the overlay does (for caches keyed on it).
func (o *overlayCache) Version() int64 { return o.ver.Load() }

// overlayState is one consistent reading of the overlay cache: a version and the decisions of
// that version. The maps are replaced at each refresh, never changed in place, so they may be
// read after the cache's lock is released.
type overlayState struct {
	ver             int64
	hidden, pending map[string]string
	corrected       map[string]map[string]string
}

// current refreshes the overlay when a refresh is due and returns its version and decisions
// together, read under one lock.
func (o *overlayCache) current(ctx context.Context) overlayState {
	_ = o.load(ctx) // a failed refresh keeps the last known decisions (see stale)
	o.mu.Lock()
	defer o.mu.Unlock()
	return overlayState{ver: o.ver.Load(), hidden: o.hidden, corrected: o.corrected, pending: o.pending}
}
