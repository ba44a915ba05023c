package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	libredis "github.com/redis/go-redis/v9"

	"github.com/gongshi/gongshi/portal/store"
)

// Login throttling. Failed logins are counted per (account, client address) and per client
// address, never per account alone: failures from other addresses cannot keep a reviewer with
// the right password out of the back office. Beyond a few free failures each further attempt
// waits twice as long as the last, up to a cap; a counter is forgotten a day after its last
// failure, and a successful login clears its (account, address) counter.
const (
	loginPairFree  = 5  // failures of one account from one address before the first delay
	loginAddrFree  = 20 // failures from one address, over all accounts (password spraying)
	loginFirstWait = time.Second
	loginMaxWait   = 15 * time.Minute
	loginForget    = 24 * time.Hour
)

// loginUntil is when a counter of n failures, the last at last, lets the next attempt through:
// at once for the first free failures, then 1 s, 2 s, 4 s … after the last, up to loginMaxWait.
func loginUntil(n int64, last time.Time, free int64) time.Time {
	if n < free {
		return time.Time{}
	}
	wait := loginMaxWait
	if shift := n - free; shift < 20 {
		wait = min(loginFirstWait<<shift, loginMaxWait)
	}
	return last.Add(wait)
}

// loginAddress is the address failures are counted under: an IPv6 client counts by its /64,
// which a single subscriber usually holds whole, so that it cannot rotate through it.
func loginAddress(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	if a = a.Unmap(); a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func loginPairKey(name, addr string) string {
	h := sha256.Sum256([]byte(strings.ToLower(name)))
	return "pair:" + hex.EncodeToString(h[:12]) + ":" + addr
}

func loginAddrKey(addr string) string { return "addr:" + addr }

// loginCount is one counter: failures and the time of the last.
type loginCount struct {
	n    int64
	last time.Time
}

// loginCounters keeps the counters where the rate limits keep theirs: in Redis when the
// replicas share one, else in process.
type loginCounters interface {
	get(ctx context.Context, now time.Time, keys ...string) ([]loginCount, error)
	fail(ctx context.Context, now time.Time, keys ...string) ([]loginCount, error)
	clear(ctx context.Context, key string) error
}

// memoryLoginCounters are the in-process counters, also used while Redis fails.
type memoryLoginCounters struct {
	mu      sync.Mutex
	m       map[string]loginCount
	sweepAt int
}

func newMemoryLoginCounters() *memoryLoginCounters {
	return &memoryLoginCounters{m: map[string]loginCount{}}
}

func (m *memoryLoginCounters) get(_ context.Context, now time.Time, keys ...string) ([]loginCount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]loginCount, len(keys))
	for i, k := range keys {
		if c := m.m[k]; now.Sub(c.last) < loginForget {
			out[i] = c
		}
	}
	return out, nil
}

func (m *memoryLoginCounters) fail(_ context.Context, now time.Time, keys ...string) ([]loginCount, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.m) >= m.sweepAt { // amortised: the map stays within twice its live counters
		for k, c := range m.m {
			if now.Sub(c.last) >= loginForget {
				delete(m.m, k)
			}
		}
		m.sweepAt = max(1024, 2*len(m.m))
	}
	out := make([]loginCount, len(keys))
	for i, k := range keys {
		c := m.m[k]
		if now.Sub(c.last) >= loginForget {
			c = loginCount{}
		}
		c.n++
		c.last = now
		m.m[k], out[i] = c, c
	}
	return out, nil
}

func (m *memoryLoginCounters) clear(_ context.Context, key string) error {
	m.mu.Lock()
	delete(m.m, key)
	m.mu.Unlock()
	return nil
}

// redisLoginCounters share the counters between replicas: a hash {n, last} per key that
// expires a day after its last failure.
type redisLoginCounters struct{ r *libredis.Client }

const redisLoginPrefix = "gongshi:login:"

func (r redisLoginCounters) get(ctx context.Context, _ time.Time, keys ...string) ([]loginCount, error) {
	cmds := make([]*libredis.SliceCmd, len(keys))
	_, err := r.r.Pipelined(ctx, func(p libredis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.HMGet(ctx, redisLoginPrefix+k, "n", "last")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]loginCount, len(keys))
	for i, cmd := range cmds {
		v := cmd.Val()
		if len(v) != 2 {
			continue
		}
		ns, _ := v[0].(string)
		ls, _ := v[1].(string)
		n, _ := strconv.ParseInt(ns, 10, 64)
		ms, _ := strconv.ParseInt(ls, 10, 64)
		out[i] = loginCount{n: n, last: time.UnixMilli(ms)}
	}
	return out, nil
}

func (r redisLoginCounters) fail(ctx context.Context, now time.Time, keys ...string) ([]loginCount, error) {
	cmds := make([]*libredis.IntCmd, len(keys))
	_, err := r.r.TxPipelined(ctx, func(p libredis.Pipeliner) error {
		for i, k := range keys {
			cmds[i] = p.HIncrBy(ctx, redisLoginPrefix+k, "n", 1)
			p.HSet(ctx, redisLoginPrefix+k, "last", now.UnixMilli())
			p.PExpire(ctx, redisLoginPrefix+k, loginForget)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]loginCount, len(keys))
	for i, cmd := range cmds {
		out[i] = loginCount{n: cmd.Val(), last: now}
	}
	return out, nil
}

func (r redisLoginCounters) clear(ctx context.Context, key string) error {
	return r.r.Del(ctx, redisLoginPrefix+key).Err()
}

// loginCounted runs op on the shared counters, or in process while they fail (the same
// fail-open-to-local rule as the rate limits: a Redis outage must not open the back office to
// unlimited guessing, nor close it).
func (s *Server) loginCounted(ctx context.Context, op func(context.Context, loginCounters) ([]loginCount, error)) []loginCount {
	if s.rl.redis != nil && time.Now().UnixNano() >= s.rl.sharedDownUntil.Load() {
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		out, err := op(rctx, redisLoginCounters{s.rl.redis})
		cancel()
		if err == nil {
			return out
		}
		s.metrics.rateStoreErrors.Inc()
		s.rl.sharedDownUntil.Store(time.Now().Add(sharedRetry).UnixNano())
		s.log.Warn("login counters unavailable in Redis; counting failed logins in this process", "err", err)
	}
	out, _ := op(ctx, s.logins)
	return out
}

// loginThrottleWait is how long a login of the account from the address must still wait; zero
// when it may try now.
func (s *Server) loginThrottleWait(ctx context.Context, name, addr string) time.Duration {
	if s.rl.off {
		return 0
	}
	now := s.cfg.Now()
	cs := s.loginCounted(ctx, func(ctx context.Context, lc loginCounters) ([]loginCount, error) {
		return lc.get(ctx, now, loginPairKey(name, addr), loginAddrKey(addr))
	})
	if len(cs) != 2 {
		return 0
	}
	until := loginUntil(cs[0].n, cs[0].last, loginPairFree)
	if u := loginUntil(cs[1].n, cs[1].last, loginAddrFree); u.After(until) {
		until = u
	}
	return until.Sub(now)
}

// loginThrottleFail counts a wrong password against the (account, address) and the address,
// and returns how long the next attempt must wait. Each new wait is written to the audit log as
// login.throttled, with the account and the client's address (ip; addr is what it is counted
// under), for the account's owner and the admins.
func (s *Server) loginThrottleFail(ctx context.Context, st *store.Store, name, addr, ip string) time.Duration {
	if s.rl.off {
		return 0
	}
	now := s.cfg.Now()
	cs := s.loginCounted(ctx, func(ctx context.Context, lc loginCounters) ([]loginCount, error) {
		return lc.fail(ctx, now, loginPairKey(name, addr), loginAddrKey(addr))
	})
	if len(cs) != 2 {
		return 0
	}
	var wait time.Duration
	for i, scope := range []struct {
		name string
		free int64
	}{{"account+address", loginPairFree}, {"address", loginAddrFree}} {
		until := loginUntil(cs[i].n, cs[i].last, scope.free)
		if until.IsZero() {
			continue
		}
		w := until.Sub(now)
		wait = max(wait, w)
		st.Audit(ctx, store.AuditEntry{Actor: "system", Action: "login.throttled", Subject: trimForAudit(name), IP: ip,
			Detail: fmt.Sprintf("scope=%s counted=%s failures=%d wait=%s", scope.name, addr, cs[i].n, w)})
	}
	return wait
}

// loginThrottleClear clears the (account, address) counter: the owner got in from there. The
// address counter stays, or one valid account would reset a sprayer's count.
func (s *Server) loginThrottleClear(ctx context.Context, name, addr string) {
	if s.rl.off {
		return
	}
	s.loginCounted(ctx, func(ctx context.Context, lc loginCounters) ([]loginCount, error) {
		return nil, lc.clear(ctx, loginPairKey(name, addr))
	})
}
