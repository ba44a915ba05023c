package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// The advisory lock the replicas compete for: pg_try_advisory_lock(int4, int4) with these two
// keys (in pg_locks: classid, objid, objsubid 2). Advisory locks are per database, so replicas
// of one portal share them and nothing else in the database uses them.
const (
	electorLockClass = 0x67736869 // "gshi"
	electorLockJobs  = 1
)

// errNotLeader is what IsLeader answers on every replica but the leader; gocron then skips
// the run and schedules the next one.
var errNotLeader = errors.New("another replica runs the scheduled jobs")

// PGElector is a gocron.Elector on a PostgreSQL session-level advisory lock: the replica whose
// dedicated connection holds the lock is the leader and runs the scheduled jobs; every other
// replica skips them. Each replica checks every few seconds: a follower tries to take the lock
// (it is free once the leader's session ends: shutdown, kill -9, a dropped connection), the
// leader checks its connection still holds it and, if the connection died, reconnects and
// competes again. Before every job run IsLeader asks PostgreSQL again, so a leader whose
// session ended since the last check never runs a job beside the new leader.
type PGElector struct {
	cfg   *pgx.ConnConfig
	id    string
	every time.Duration
	log   *slog.Logger

	mu     sync.Mutex // guards conn and leader: one query at a time on the connection
	conn   *pgx.Conn
	leader string // the leading replica's name as last seen by a follower, for the log

	leading atomic.Bool
	stop    context.CancelFunc
	done    chan struct{}
}

// ElectorOptions configures NewPGElector.
type ElectorOptions struct {
	// ID names this replica in PostgreSQL (application_name) and in the logs of the others.
	ID string
	// Every is how often a follower tries to take the lock and the leader checks it still
	// holds it (default 2 s): how long jobs wait for a new leader after the old one died.
	Every time.Duration
	Log   *slog.Logger
}

// NewPGElector connects to url (postgres://…) and competes for the lock at once, so that the
// jobs that run at start run on the leader; then it keeps competing in the background until
// Close. PostgreSQL being down is not an error: no replica leads until it is back.
func NewPGElector(ctx context.Context, url string, opts ElectorOptions) (*PGElector, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("elector: %w", err)
	}
	if opts.Every <= 0 {
		opts.Every = 2 * time.Second
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if cfg.ConnectTimeout == 0 || cfg.ConnectTimeout > 5*time.Second {
		cfg.ConnectTimeout = 5 * time.Second
	}
	// Keepalives: a leader cut off from PostgreSQL by the network loses its session (and the
	// lock) within a bounded time instead of the kernel's two hours.
	d := &net.Dialer{KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 15 * time.Second, Interval: 5 * time.Second, Count: 3}}
	cfg.DialFunc = d.DialContext
	name := "gongshi jobs"
	if opts.ID != "" {
		name += " " + opts.ID
	}
	if len(name) > 63 { // NAMEDATALEN - 1
		name = name[:63]
	}
	cfg.RuntimeParams["application_name"] = name
	e := &PGElector{cfg: cfg, id: opts.ID, every: opts.Every, log: opts.Log, done: make(chan struct{})}
	e.check(ctx)
	bg, stop := context.WithCancel(context.Background())
	e.stop = stop
	go e.loop(bg)
	return e, nil
}

func (e *PGElector) loop(ctx context.Context) {
	defer close(e.done)
	t := time.NewTicker(e.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			e.check(ctx)
		}
	}
}

// IsLeader implements gocron.Elector: nil only on the replica holding the lock, confirmed on
// its connection now.
func (e *PGElector) IsLeader(ctx context.Context) error {
	if !e.leading.Load() {
		return errNotLeader
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if err := e.verify(ctx); err != nil {
		e.lose(err)
		return errNotLeader
	}
	return nil
}

// Leading reports whether this replica led at the last check (for /metrics).
func (e *PGElector) Leading() bool { return e.leading.Load() }

// Close stops competing and ends the session, which frees the lock for another replica at once.
func (e *PGElector) Close() error {
	e.stop()
	<-e.done
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.leading.Swap(false) {
		e.log.Info("jobs: this replica stops leading", "replica", e.id)
	}
	if e.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	err := e.conn.Close(ctx)
	e.conn = nil
	return err
}

// check connects if needed, then either confirms the lock (leader) or tries to take it.
func (e *PGElector) check(ctx context.Context) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cctx, cancel := context.WithTimeout(ctx, e.cfg.ConnectTimeout+e.every)
	defer cancel()
	if e.conn == nil || e.conn.IsClosed() {
		e.conn = nil
		c, err := pgx.ConnectConfig(cctx, e.cfg)
		if err != nil {
			e.lose(err)
			return
		}
		e.conn = c
	}
	if e.leading.Load() {
		if err := e.verify(cctx); err != nil {
			e.lose(err)
		}
		return
	}
	var got bool
	if err := e.conn.QueryRow(cctx, "SELECT pg_try_advisory_lock($1, $2)", int32(electorLockClass), int32(electorLockJobs)).Scan(&got); err != nil {
		e.drop()
		return
	}
	if got {
		e.leading.Store(true)
		e.leader = ""
		e.log.Info("jobs: this replica leads and runs the scheduled jobs", "replica", e.id)
		return
	}
	// Someone else leads: say who, once per change.
	var who string
	err := e.conn.QueryRow(cctx, fmt.Sprintf(`SELECT coalesce(max(a.application_name), '') FROM pg_locks l
		LEFT JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.classid = %d AND l.objid = %d AND l.objsubid = 2`,
		electorLockClass, electorLockJobs)).Scan(&who)
	if err != nil {
		e.drop()
		return
	}
	if who != e.leader {
		e.leader = who
		if who == "" {
			who = "(unknown)"
		}
		e.log.Info("jobs: another replica leads; this one skips the scheduled jobs", "replica", e.id, "leader", who)
	}
}

// verify asks PostgreSQL whether this session still holds the lock. Caller holds mu.
func (e *PGElector) verify(ctx context.Context) error {
	if e.conn == nil || e.conn.IsClosed() {
		return errors.New("no connection")
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	var held bool
	err := e.conn.QueryRow(ctx, fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND pid = pg_backend_pid() AND classid = %d AND objid = %d AND objsubid = 2)`, electorLockClass, electorLockJobs)).Scan(&held)
	if err != nil {
		e.drop()
		return err
	}
	if !held {
		return errors.New("the advisory lock is no longer held")
	}
	return nil
}

// lose records that this replica no longer leads. Caller holds mu.
func (e *PGElector) lose(err error) {
	if e.leading.Swap(false) {
		e.log.Warn("jobs: this replica lost the lead; scheduled jobs pause here until it wins it again", "replica", e.id, "err", err)
		e.drop() // a session that may still hold the lock must not linger: end it
	} else if e.leader != "?" {
		e.leader = "?" // logged once per outage
		e.log.Warn("jobs: cannot reach PostgreSQL to elect a leader; no replica runs scheduled jobs until it is back", "replica", e.id, "err", err)
	}
}

// drop closes the connection (ending the session and any lock it held). Caller holds mu.
func (e *PGElector) drop() {
	if e.conn == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	e.conn.Close(ctx)
	e.conn = nil
}
