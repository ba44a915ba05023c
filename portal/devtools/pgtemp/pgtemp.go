// Package pgtemp starts a throw-away PostgreSQL cluster for tests and benchmarks: initdb into a
// temporary folder, postgres on a free loopback port, and everything removed again by Stop.
package pgtemp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Database is the name of the database Start creates.
const Database = "pgtemp"

// Cluster is a running throw-away PostgreSQL server.
type Cluster struct {
	DSN string // postgres://postgres@127.0.0.1:PORT/pgtemp?sslmode=disable
	Dir string // temporary folder: data/, the socket and postgres.log
	// Port is the loopback TCP port the server listens on.
	Port int

	cmd      *exec.Cmd
	exited   chan struct{} // closed when the postmaster process has been reaped
	bin      string        // folder of initdb and postgres
	cred     *syscall.Credential
	stopOnce sync.Once
	stopErr  error
}

// ErrNotInstalled is wrapped by Start when the PostgreSQL server binaries cannot be found.
var ErrNotInstalled = errors.New(`PostgreSQL server binaries (initdb, postgres) not found in PATH or /usr/lib/postgresql/*/bin: install the Debian package "postgresql" (apt-get install -y postgresql)`)

// SkipIfShort skips a test that needs PostgreSQL when it runs with -short (make test-short, on
// a machine without the service). Without -short a missing PostgreSQL fails the test in Start.
func SkipIfShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: needs PostgreSQL (make test runs it)")
	}
}

// startTimeout bounds initdb plus start-up; initdb alone takes a few seconds on a busy 2-core machine.
const startTimeout = 90 * time.Second

// Start runs initdb (UTF-8, locale C.UTF-8) into a new temporary folder, starts postgres on a
// free 127.0.0.1 port with fsync off, waits until it accepts connections and creates the
// database. Running as root, the server runs as the system user "postgres", because
// postgres refuses to run as root.
func Start(ctx context.Context) (*Cluster, error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	cred, owner, err := serverUser()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtemp-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, bin: bin, cred: cred}
	ok := false
	defer func() {
		if !ok {
			c.Stop()
		}
	}()
	if owner != nil {
		if err := os.Chown(dir, owner.uid, owner.gid); err != nil {
			return nil, fmt.Errorf("pgtemp: give %s to user postgres: %w", dir, err)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()

	data := filepath.Join(dir, "data")
	// --locale=C.UTF-8 rather than C: with LC_CTYPE=C, pg_trgm treats CJK characters as
	// non-word characters and drops them, so no Chinese name would ever be indexed.
	initdb := exec.CommandContext(ctx, filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pgtemp: initdb: %v\n%s", err, tail(out))
	}

	// A port picked by the kernel can be taken by someone else before postgres binds it; retry.
	for attempt := 0; ; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		err = c.startServer(ctx, bin, data, port, cred)
		if err == nil {
			break
		}
		if attempt >= 2 || ctx.Err() != nil || !strings.Contains(err.Error(), "in use") {
			return nil, err
		}
	}
	if err := c.createDatabase(ctx); err != nil {
		return nil, err
	}
	ok = true
	return c, nil
}

func (c *Cluster) startServer(ctx context.Context, bin, data string, port int, cred *syscall.Credential) error {
	logPath := filepath.Join(c.Dir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	// Not CommandContext: the server must outlive the start-up context; Stop ends it.
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", c.Dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=50")
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Credential: cred,
		// Own process group: Ctrl-C in a terminal reaches only us, and Stop shuts the server
		// down in order. Pdeathsig: a test binary killed by its timeout takes the server along.
		Setpgid:   true,
		Pdeathsig: syscall.SIGINT,
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtemp: start postgres: %w", err)
	}
	c.cmd, c.exited = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(c.exited) }()
	c.Port = port
	c.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, Database)
	admin := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable&connect_timeout=2", port)

	for {
		conn, err := pgx.Connect(ctx, admin)
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case <-c.exited:
			c.cmd = nil
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgtemp: postgres exited during start-up:\n%s", tail(log))
		case <-ctx.Done():
			log, _ := os.ReadFile(logPath)
			return fmt.Errorf("pgtemp: postgres did not accept connections: %v (last error: %v)\n%s", ctx.Err(), err, tail(log))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (c *Cluster) createDatabase(ctx context.Context) error {
	admin := strings.Replace(c.DSN, "/"+Database+"?", "/postgres?", 1)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return fmt.Errorf("pgtemp: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+Database+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"); err != nil {
		return fmt.Errorf("pgtemp: create database: %w", err)
	}
	db, err := pgx.Connect(ctx, c.DSN)
	if err != nil {
		return fmt.Errorf("pgtemp: %w", err)
	}
	defer db.Close(context.Background())
	// The reason for the locale: make sure it took, since a silent C ctype loses all CJK trigrams.
	var ctype, enc string
	if err := db.QueryRow(ctx, "SELECT current_setting('lc_ctype'), current_setting('server_encoding')").Scan(&ctype, &enc); err != nil {
		return fmt.Errorf("pgtemp: %w", err)
	}
	if enc != "UTF8" || !strings.Contains(strings.ToLower(strings.ReplaceAll(ctype, "-", "")), "utf8") {
		return fmt.Errorf("pgtemp: database has encoding %s and LC_CTYPE %q; need UTF8 and a UTF-8 ctype (is the C.UTF-8 locale available? see locale -a)", enc, ctype)
	}
	return nil
}

// Stop shuts the server down (fast shutdown: open sessions are cancelled) and removes Dir.
// It is safe to call more than once.
func (c *Cluster) Stop() error {
	c.stopOnce.Do(func() {
		if c.cmd != nil {
			c.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
			select {
			case <-c.exited:
			case <-time.After(30 * time.Second):
				c.cmd.Process.Kill()
				<-c.exited
				c.stopErr = errors.New("pgtemp: postgres did not shut down within 30 s; killed")
			}
		}
		if c.Dir != "" {
			if err := os.RemoveAll(c.Dir); err != nil && c.stopErr == nil {
				c.stopErr = err
			}
		}
	})
	return c.stopErr
}

// Pause shuts the server down (fast shutdown: open sessions are cancelled) and keeps its
// files, for tests of a database outage; Resume starts it again on the same port.
func (c *Cluster) Pause() error {
	if c.cmd == nil {
		return errors.New("pgtemp: not running")
	}
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		<-c.exited
	}
	c.cmd = nil
	return nil
}

// Resume starts a paused server again on the same port, with the same data.
func (c *Cluster) Resume(ctx context.Context) error {
	if c.cmd != nil {
		return errors.New("pgtemp: already running")
	}
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	return c.startServer(ctx, c.bin, filepath.Join(c.Dir, "data"), c.Port, c.cred)
}

// findBin returns the folder holding initdb and postgres: PATH first, then the newest
// /usr/lib/postgresql/*/bin, where Debian puts them (not on PATH).
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		d := filepath.Dir(p)
		if isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", ErrNotInstalled
}

func version(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExec(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

type ids struct{ uid, gid int }

// serverUser returns the credentials to run initdb and postgres with: none for an ordinary
// user, the "postgres" system user for root (postgres refuses to run as root).
func serverUser() (*syscall.Credential, *ids, error) {
	if os.Geteuid() != 0 {
		return nil, nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, nil, fmt.Errorf(`pgtemp: running as root, but postgres refuses to run as root and there is no "postgres" system user to run it as (the Debian package "postgresql" creates it; or run as an ordinary user): %w`, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, nil, fmt.Errorf("pgtemp: user postgres has non-numeric ids %s:%s", u.Uid, u.Gid)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, &ids{uid, gid}, nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pgtemp: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tail keeps the end of a log, where the reason for a failure is.
func tail(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// CreateDatabase makes another empty UTF-8 database in the cluster (one per test keeps tests
// independent) and returns its DSN.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) (string, error) {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return "", fmt.Errorf("pgtemp: database name %q: use a-z, 0-9 and _", name)
		}
	}
	admin := strings.Replace(c.DSN, "/"+Database+"?", "/postgres?", 1)
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", fmt.Errorf("pgtemp: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"); err != nil {
		return "", fmt.Errorf("pgtemp: create database: %w", err)
	}
	return strings.Replace(c.DSN, "/"+Database+"?", "/"+name+"?", 1), nil
}
