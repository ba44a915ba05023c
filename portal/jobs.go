package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
)

// JobsConfig configures the scheduled jobs that serve runs: watching the inbox for snapshots,
// the daily regeneration of the open-data files, and pruning.
type JobsConfig struct {
	Disabled bool
	// Inbox is the folder watched for snapshots (default DATA/inbox). A snapshot folder with a
	// manifest.json, or a .zip, is imported once it has not changed for StableFor (default
	// one minute), then moved to inbox/done/ or inbox/refused/ with its report beside it.
	Inbox     string
	StableFor time.Duration
	// InboxEvery is how often the inbox is looked at (default one minute).
	InboxEvery time.Duration
	// MaxWithdrawnShare is the share of a publisher's documents of a type that a full snapshot
	// in the inbox may withdraw (default the importer's, 0.2). The inbox never allows more: a
	// larger shrink is refused and left for an operator's gongshi import --allow-shrink.
	MaxWithdrawnShare float64
	// KeepGenerations complete index generations are kept by the daily prune (default 2).
	KeepGenerations int
	// Clock drives the scheduler (a fake clock in tests); nil: the real clock.
	Clock clockwork.Clock
	// Elector, when set, lets only the elected replica run jobs (gocron's distributed
	// elector, e.g. PGElector on a PostgreSQL advisory lock); nil: this process runs them.
	// An elector with a Leading() bool method shows it as gongshi_jobs_leader in /metrics.
	Elector gocron.Elector
}

// Names of the jobs, as logged and as the job label in /metrics.
const (
	jobInbox   = "inbox-watch"
	jobDaily   = "opendata-daily"
	jobCatchUp = "opendata-catch-up"
)

// jobs is the portal's scheduler and what its jobs remember between runs.
type jobs struct {
	s         *Server
	cfg       JobsConfig
	clock     clockwork.Clock
	sched     gocron.Scheduler
	once      sync.Once
	runs      *prometheus.CounterVec
	failures  *prometheus.CounterVec
	lastOK    *prometheus.GaugeVec
	mu        sync.Mutex
	seen      map[string]inboxSighting // inbox entry → how it looked and since when
	policyErr error
	policy    importer.Policy
	leading   func() bool // whether this replica runs the jobs now
}

type inboxSighting struct {
	fingerprint string
	since       time.Time
}

// newJobs builds the scheduler and registers the job metrics; start runs it.
func (s *Server) newJobs() (*jobs, error) {
	cfg := s.cfg.Jobs
	if cfg.Inbox == "" {
		cfg.Inbox = filepath.Join(string(s.cfg.Data), "inbox")
	}
	if cfg.StableFor <= 0 {
		cfg.StableFor = time.Minute
	}
	if cfg.InboxEvery <= 0 {
		cfg.InboxEvery = time.Minute
	}
	if cfg.KeepGenerations <= 0 {
		cfg.KeepGenerations = 2
	}
	j := &jobs{s: s, cfg: cfg, clock: cfg.Clock, seen: map[string]inboxSighting{}}
	// Imports use the operator's publication regime, the one objections are judged by.
	j.policy, j.policyErr = importer.PolicyFor(s.cfg.Objections.Regime)
	if j.policyErr != nil {
		return nil, j.policyErr
	}
	j.runs = registerOnce(s.metrics.reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gongshi_job_runs_total", Help: "Scheduled job runs, by job."}, []string{"job"}))
	j.failures = registerOnce(s.metrics.reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "gongshi_job_failures_total", Help: "Scheduled job runs that failed, by job."}, []string{"job"}))
	j.lastOK = registerOnce(s.metrics.reg, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "gongshi_job_last_success_timestamp_seconds", Help: "When each scheduled job last succeeded."}, []string{"job"}))
	for _, name := range []string{jobInbox, jobDaily, jobCatchUp} {
		j.runs.WithLabelValues(name)
		j.failures.WithLabelValues(name)
	}
	j.leading = func() bool { return true }
	if l, ok := cfg.Elector.(interface{ Leading() bool }); ok {
		j.leading = l.Leading
	}
	registerOnce(s.metrics.reg, prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "gongshi_jobs_leader", Help: "1 on the replica that runs the scheduled jobs (the elected leader), 0 on the others."},
		func() float64 {
			if j := s.jobs.Load(); j != nil && j.leading() {
				return 1
			}
			return 0
		}))

	opts := []gocron.SchedulerOption{gocron.WithLocation(index.ChinaTime), gocron.WithStopTimeout(30 * time.Second)}
	if cfg.Clock != nil {
		opts = append(opts, gocron.WithClock(cfg.Clock))
	}
	if cfg.Elector != nil {
		opts = append(opts, gocron.WithDistributedElector(cfg.Elector))
	}
	sched, err := gocron.NewScheduler(opts...)
	if err != nil {
		return nil, err
	}
	j.sched = sched
	// Every job is a singleton: a run still going when the next is due is not doubled, the
	// next one is rescheduled (an import never overlaps itself).
	single := gocron.WithSingletonMode(gocron.LimitModeReschedule)
	for _, d := range []struct {
		name string
		def  gocron.JobDefinition
		fn   func(context.Context) error
	}{
		{jobInbox, gocron.DurationJob(cfg.InboxEvery), j.watchInbox},
		{jobDaily, gocron.DailyJob(1, gocron.NewAtTimes(gocron.NewAtTime(0, 5, 0))), j.daily},
		{jobCatchUp, gocron.OneTimeJob(gocron.OneTimeJobStartImmediately()), j.catchUp},
	} {
		if _, err := sched.NewJob(d.def, gocron.NewTask(j.run, d.name, d.fn), gocron.WithName(d.name), single); err != nil {
			sched.Shutdown()
			return nil, fmt.Errorf("job %s: %w", d.name, err)
		}
	}
	return j, nil
}

// registerOnce registers a collector, or returns the one registered before under that name.
func registerOnce[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if old, ok := are.ExistingCollector.(C); ok {
				return old
			}
		}
		panic(err)
	}
	return c
}

// startJobs starts the scheduler for Run; nil when jobs are disabled.
func (s *Server) startJobs() (*jobs, error) {
	if s.cfg.Jobs.Disabled {
		return nil, nil
	}
	j, err := s.newJobs()
	if err != nil {
		return nil, err
	}
	s.jobs.Store(j)
	j.sched.Start()
	s.log.Info("scheduled jobs started", "inbox", j.cfg.Inbox, "elected", j.cfg.Elector != nil)
	return j, nil
}

// stop ends the scheduler: running jobs see their context cancelled and are waited for.
func (j *jobs) stop(ctx context.Context) error {
	if j == nil {
		return nil
	}
	var err error
	j.once.Do(func() { err = j.sched.ShutdownWithContext(ctx) })
	return err
}

// run is every job's wrapper: it logs, counts and never lets a panic take the process down.
func (j *jobs) run(ctx context.Context, name string, fn func(context.Context) error) (err error) {
	start := time.Now()
	j.runs.WithLabelValues(name).Inc()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
		if err != nil {
			j.failures.WithLabelValues(name).Inc()
			j.s.log.Error("job failed", "job", name, "err", err, "seconds", time.Since(start).Seconds())
			return
		}
		j.lastOK.WithLabelValues(name).Set(float64(j.now().Unix()))
		j.s.log.Info("job done", "job", name, "seconds", time.Since(start).Seconds())
	}()
	return fn(ctx)
}

func (j *jobs) now() time.Time {
	if j.clock != nil {
		return j.clock.Now()
	}
	return j.s.cfg.Now()
}

func (j *jobs) today() string { return j.now().In(index.ChinaTime).Format(time.DateOnly) }

// publish regenerates the open-data files for today. No generation yet is not a failure.
func (j *jobs) publish(ctx context.Context) error {
	opts := j.s.openDataOptions()
	opts.Now = j.now
	day := j.today()
	cat, err := opendata.Publish(ctx, j.s.cfg.Data, day, j.s.overlay, opts)
	if errors.Is(err, opendata.ErrNoGeneration) {
		j.s.log.Info("open data: nothing to publish yet")
		return nil
	}
	if err != nil {
		return err
	}
	j.s.log.Info("open data published", "day", day, "generation", cat.Generation, "snapshot_date", cat.SnapshotDate)
	return nil
}

// daily regenerates the files for the new day, so that records whose publication period
// ended yesterday are gone from them, and prunes old generations (versions are pruned by
// Publish).
func (j *jobs) daily(ctx context.Context) error {
	if err := j.publish(ctx); err != nil {
		return err
	}
	return j.pruneGenerations()
}

// catchUp publishes at start when today's files are missing (the portal was down at 00:05,
// or the data folder was imported by an older binary) or were made from an older generation
// (an import was killed between switching generations and publishing).
func (j *jobs) catchUp(ctx context.Context) error {
	cur, _ := j.s.cfg.Data.Current()
	if opendata.Behind(opendata.Root(j.s.cfg.Data), j.today(), cur) {
		return j.publish(ctx)
	}
	return nil
}

// pruneGenerations removes old generations under the import lock: an import in progress
// (here or in a `gongshi import` process) has an incomplete generation that Prune would
// otherwise take for crash debris.
func (j *jobs) pruneGenerations() error {
	f, err := os.OpenFile(filepath.Join(string(j.s.cfg.Data), "import.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		j.s.log.Info("prune skipped: an import is running")
		return nil
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	removed, err := j.s.cfg.Data.Prune(j.cfg.KeepGenerations)
	if len(removed) > 0 {
		j.s.log.Info("pruned generations", "removed", removed)
	}
	return err
}

// watchInbox imports every snapshot in the inbox that has stopped changing.
func (j *jobs) watchInbox(ctx context.Context) error {
	inbox := j.cfg.Inbox
	for _, d := range []string{inbox, filepath.Join(inbox, "done"), filepath.Join(inbox, "refused")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(inbox)
	if err != nil {
		return err
	}
	now := j.now()
	present := map[string]bool{}
	var ready []string
	j.mu.Lock()
	for _, e := range entries {
		name := e.Name()
		if name == "done" || name == "refused" || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".report.json") {
			continue
		}
		fp, ok := snapshotFingerprint(filepath.Join(inbox, name), e)
		if !ok {
			continue
		}
		present[name] = true
		prev, seen := j.seen[name]
		if !seen || prev.fingerprint != fp {
			j.seen[name] = inboxSighting{fingerprint: fp, since: now}
			continue
		}
		// A little slack: the scans are StableFor apart, give or take the scheduler's jitter,
		// and a snapshot unchanged across two scans should not wait for a third.
		if now.Sub(prev.since)+j.cfg.StableFor/20 >= j.cfg.StableFor {
			ready = append(ready, name)
		}
	}
	for name := range j.seen {
		if !present[name] {
			delete(j.seen, name)
		}
	}
	j.mu.Unlock()
	slices.Sort(ready) // snapshot names usually carry their date: oldest first
	var errs []error
	for _, name := range ready {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := j.importInbox(ctx, name); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

// snapshotFingerprint sums up a snapshot's files (names, sizes, modification times); ok is
// false for what is no snapshot (yet): a folder without manifest.json, any file but a .zip.
func snapshotFingerprint(path string, e fs.DirEntry) (string, bool) {
	if !e.IsDir() {
		if !strings.EqualFold(filepath.Ext(e.Name()), ".zip") {
			return "", false
		}
		fi, err := e.Info()
		if err != nil {
			return "", false
		}
		return fmt.Sprintf("%d/%d", fi.Size(), fi.ModTime().UnixNano()), true
	}
	if _, err := os.Stat(filepath.Join(path, importer.ManifestName)); err != nil {
		return "", false
	}
	var b strings.Builder
	filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if fi, err := d.Info(); err == nil {
			fmt.Fprintf(&b, "%s:%d/%d;", p, fi.Size(), fi.ModTime().UnixNano())
		}
		return nil
	})
	return b.String(), true
}

// importInbox imports one snapshot, publishes the files and files the snapshot away with its
// report. An error that is not the snapshot's fault (the data folder locked by another
// import, a full disk) leaves it in the inbox for the next run.
func (j *jobs) importInbox(ctx context.Context, name string) error {
	src := filepath.Join(j.cfg.Inbox, name)
	log := j.s.log.With("job", jobInbox, "snapshot", name)
	opts := importer.Options{Data: j.s.cfg.Data, Policy: j.policy, MaxWithdrawnShare: j.cfg.MaxWithdrawnShare}
	if st := j.s.sqlStore(); st != nil {
		opts.Corrections = st // decisions survive the agency's next file
	}
	reps, err := importer.Import(ctx, []string{src}, opts)
	dest := "done"
	switch {
	case err == nil:
	case errors.Is(err, importer.ErrRefused):
		dest = "refused"
	default:
		return err
	}
	target := filepath.Join(j.cfg.Inbox, dest, name)
	if _, serr := os.Stat(target); serr == nil {
		target += "-" + j.now().UTC().Format("20060102T150405")
	}
	if merr := os.Rename(src, target); merr != nil {
		return merr
	}
	j.mu.Lock()
	delete(j.seen, name)
	j.mu.Unlock()
	report := any(reps)
	if len(reps) == 1 {
		report = reps[0]
	} else if len(reps) == 0 {
		report = map[string]any{"snapshot": name, "refused": true, "refused_reason": err.Error()}
	}
	b, _ := json.MarshalIndent(report, "", "  ")
	if werr := os.WriteFile(target+".report.json", b, 0o644); werr != nil {
		log.Warn("cannot write the report", "err", werr)
	}
	if dest == "refused" {
		log.Warn("snapshot refused", "reason", err.Error(), "moved_to", target)
		return nil // the snapshot's fault, reported beside it: not a failure of the job
	}
	log.Info("snapshot imported", "moved_to", target, "generation", reps[0].Generation)
	if err := j.s.LoadCurrent(); err != nil {
		log.Warn("cannot load the new generation yet", "err", err)
	}
	return j.publish(ctx)
}
