package portal

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gongshi/gongshi/portal/devtools/pgtemp"
)

// TestPGElectorOneLeader: of two electors on one database exactly one leads; when the
// leader's session is killed the other takes over, and the old one reconnects as a follower;
// closing the leader hands over at once.
func TestPGElectorOneLeader(t *testing.T) {
	pgtemp.SkipIfShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pg, err := pgtemp.Start(ctx)
	if err != nil {
		t.Fatal(err) // never skip: a missing PostgreSQL must be seen
	}
	defer pg.Stop()
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	every := 200 * time.Millisecond
	a, err := NewPGElector(ctx, pg.DSN, ElectorOptions{ID: "a", Every: every, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := NewPGElector(ctx, pg.DSN, ElectorOptions{ID: "b", Every: every, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	// a competed first, synchronously in NewPGElector: it leads.
	if a.IsLeader(ctx) != nil || b.IsLeader(ctx) == nil || !a.Leading() || b.Leading() {
		t.Fatalf("leading: a %v b %v", a.Leading(), b.Leading())
	}
	waitFor(t, 5*time.Second, "b logs who leads", func() bool { return strings.Contains(logs.String(), `leader="gongshi jobs a"`) })

	// Kill a's session from outside: PostgreSQL frees the lock, b takes it, a notices and follows.
	admin, err := pgx.Connect(ctx, pg.DSN)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'gongshi jobs a'`); err != nil {
		t.Fatal(err)
	}
	// IsLeader asks PostgreSQL, so a never answers nil once its session is gone.
	if a.IsLeader(ctx) == nil {
		t.Error("a still claims the lead with its session terminated")
	}
	// Whichever competes first wins (a reconnects, or b takes the free lock); never both.
	var leader, follower *PGElector
	waitFor(t, 5*time.Second, "a new leader", func() bool {
		la, lb := a.IsLeader(ctx) == nil, b.IsLeader(ctx) == nil
		if la && lb {
			t.Fatal("two leaders")
		}
		switch {
		case la:
			leader, follower = a, b
		case lb:
			leader, follower = b, a
		}
		return leader != nil
	})
	for range 10 {
		time.Sleep(every / 2)
		if follower.IsLeader(ctx) == nil || leader.IsLeader(ctx) != nil {
			t.Fatal("the lead moved or doubled without a reason")
		}
	}
	var n int
	admin.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE application_name LIKE 'gongshi jobs %'`).Scan(&n)
	if n != 2 {
		t.Errorf("%d elector sessions, want 2 (a reconnected once)", n)
	}

	// A graceful stop hands over without waiting for anything to time out.
	leader.Close()
	waitFor(t, 2*time.Second, "the follower takes over after the leader closes", func() bool { return follower.IsLeader(ctx) == nil })
	if t.Failed() {
		t.Log(logs.String())
	}
}

func waitFor(t *testing.T, d time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
