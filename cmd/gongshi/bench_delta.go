package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/blevesearch/bleve/v2"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/devtools/demo"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
)

// gongshi bench-delta measures what a small snapshot costs on data folders of growing size:
// the same delta (new penalties about the first entities of the generated register, which
// every size shares) is imported by a child process, its wall time and peak RSS taken, while
// a running server is polled for the moment the new penalty is searchable, on the entity's
// page, in the list API, in the change log and in the day's open-data files. For the full
// import of each size it prints the indexing rate beside a plain Bleve index of the same
// entity names with the same batch size, built in the same run.

type deltaResult struct {
	Entities      int     `json:"entities"`
	FullSeconds   float64 `json:"full_import_seconds"`
	FullDocsPerS  float64 `json:"full_import_docs_per_second"`
	BleveDocsPerS float64 `json:"plain_bleve_docs_per_second"`
	DeltaRows     int     `json:"delta_rows"`
	DeltaSeconds  float64 `json:"delta_import_seconds"`
	DeltaRSSMB    float64 `json:"delta_import_peak_rss_mb"`
	Incremental   bool    `json:"incremental"`
	// Seconds from the start of the delta's import until the server showed it, per place.
	Visible map[string]float64 `json:"visible_after_seconds"`
}

func cmdBenchDelta(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench-delta", flag.ExitOnError)
	sizes := fs.String("sizes", "20000,200000", "data folder sizes, in entities")
	rows := fs.Int("rows", 1000, "rows of the delta")
	dir := fs.String("dir", "bench-delta", "work folder (generated snapshots and data folders are kept and reused)")
	jsonOut := fs.String("json", "", "write the results as JSON to this file")
	compactions := fs.Int("compaction", 0, "then apply this many deltas to a copy of the first size's data folder and compare search latency with a rebuild of the same data")
	compactionRows := fs.Int("compaction-rows", 100, "rows of each of those deltas")
	fs.Parse(args)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var results []deltaResult
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < *rows {
			return fmt.Errorf("--sizes: %q is not a number of entities of at least --rows", s)
		}
		r, err := benchDeltaAt(ctx, self, filepath.Join(*dir, strconv.Itoa(n)), n, *rows)
		if err != nil {
			return fmt.Errorf("%d entities: %w", n, err)
		}
		results = append(results, r)
		printDeltaResult(os.Stdout, r)
	}
	if len(results) > 1 {
		first, last := results[0], results[len(results)-1]
		fmt.Printf("delta time at %d entities / at %d: %.2f\n", last.Entities, first.Entities, last.DeltaSeconds/first.DeltaSeconds)
	}
	var compaction *compactionResult
	if *compactions > 0 {
		first := results[0]
		c, err := benchCompaction(ctx, filepath.Join(*dir, strconv.Itoa(first.Entities)), first.Entities, *compactions, *compactionRows, os.Stdout)
		if err != nil {
			return fmt.Errorf("compaction: %w", err)
		}
		compaction = &c
		fmt.Printf("after %d deltas of %d rows at %d entities (%.0fs applying) against a rebuild of the same data, ms:\n", c.Deltas, c.Rows, c.Entities, c.Seconds)
		fmt.Printf("  %-12s %9s %9s %9s %9s %7s %7s\n", "class", "p50", "rebuilt", "p99", "rebuilt", "p50 ×", "p99 ×")
		for _, class := range []string{"name", "code", "fragment_2", "fragment_4"} {
			l := c.Classes[class]
			fmt.Printf("  %-12s %9.3f %9.3f %9.3f %9.3f %7.2f %7.2f\n", class, l.AfterDeltasP50, l.RebuiltP50, l.AfterDeltasP99, l.RebuiltP99,
				l.AfterDeltasP50/l.RebuiltP50, l.AfterDeltasP99/l.RebuiltP99)
		}
	}
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(map[string]any{"deltas": results, "compaction": compaction}, "", "  ")
		return os.WriteFile(*jsonOut, b, 0o644)
	}
	return nil
}

func printDeltaResult(w io.Writer, r deltaResult) {
	fmt.Fprintf(w, "%d entities: full import %.1fs (%.0f docs/s; plain Bleve %.0f docs/s, ratio %.2f)\n",
		r.Entities, r.FullSeconds, r.FullDocsPerS, r.BleveDocsPerS, r.FullDocsPerS/r.BleveDocsPerS)
	fmt.Fprintf(w, "  delta of %d rows: %.2fs, peak RSS %.0f MB, incremental %v\n", r.DeltaRows, r.DeltaSeconds, r.DeltaRSSMB, r.Incremental)
	for _, k := range []string{"search", "entity", "list", "changes", "files"} {
		fmt.Fprintf(w, "  visible in %-8s after %.2fs\n", k, r.Visible[k])
	}
}

func benchDeltaAt(ctx context.Context, self, work string, n, rows int) (deltaResult, error) {
	res := deltaResult{Entities: n, DeltaRows: rows, Visible: map[string]float64{}}
	snap, data := filepath.Join(work, "snapshot"), filepath.Join(work, "data")
	date := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	if _, err := os.Stat(filepath.Join(snap, importer.ManifestName)); err != nil {
		if err := generate(ctx, snap, demo.Options{Entities: n, Seed: 1, Date: date}); err != nil {
			return res, err
		}
	}
	dd := index.DataDir(data)
	fullFile := filepath.Join(work, "full-import.json") // the full import's numbers, for later runs
	if cur, _ := dd.Current(); cur == "" {
		start := time.Now()
		if out, err := exec.CommandContext(ctx, self, "import", "--data", data, snap).CombinedOutput(); err != nil {
			return res, fmt.Errorf("full import: %v\n%s", err, out)
		}
		res.FullSeconds = time.Since(start).Seconds()
		cur, _ := dd.Current()
		info, err := index.ReadInfo(dd.Generation(cur))
		if err != nil {
			return res, err
		}
		res.FullDocsPerS = float64(info.Entities+info.Records) / res.FullSeconds
		b, _ := json.Marshal(res)
		if err := os.WriteFile(fullFile, b, 0o644); err != nil {
			return res, err
		}
	} else if b, err := os.ReadFile(fullFile); err == nil {
		var full deltaResult
		if err := json.Unmarshal(b, &full); err != nil {
			return res, err
		}
		res.FullSeconds, res.FullDocsPerS = full.FullSeconds, full.FullDocsPerS
	}
	cur, _ := dd.Current()
	info, err := index.ReadInfo(dd.Generation(cur))
	if err != nil {
		return res, err
	}
	if res.BleveDocsPerS, err = plainBleveRate(filepath.Join(snap, "entities.csv"), work); err != nil {
		return res, err
	}

	codes, names, err := firstEntities(filepath.Join(snap, "entities.csv"), rows)
	if err != nil {
		return res, err
	}
	seq := info.Seq + 1
	// The decision numbers are new on every run: the same rows again would be a snapshot
	// already applied, which changes nothing.
	delta, docNo, err := writePenaltyDelta(filepath.Join(work, fmt.Sprintf("delta-%d", seq)), codes, names, time.Now().UnixNano())
	if err != nil {
		return res, err
	}

	recordID := index.RecordID(index.TypePenalty, deltaAuthority, docNo(0))
	addr, err := freeLocalAddr()
	if err != nil {
		return res, err
	}
	srv := exec.CommandContext(ctx, self, "serve", "--data", data, "--addr", addr, "--jobs", "off", "--rate-limit", "off")
	srv.Stdout, srv.Stderr = io.Discard, io.Discard
	if err := srv.Start(); err != nil {
		return res, err
	}
	defer func() { srv.Process.Signal(syscall.SIGTERM); srv.Wait() }()
	base := "http://" + addr
	if err := waitFor(ctx, 2*time.Minute, func() bool { return httpOK(base + "/readyz") }); err != nil {
		return res, errors.New("the server did not become ready")
	}

	imp := exec.CommandContext(ctx, self, "import", "--data", data, delta)
	var out strings.Builder
	imp.Stdout, imp.Stderr = &out, &out
	start := time.Now()
	if err := imp.Start(); err != nil {
		return res, err
	}
	done := make(chan error, 1)
	go func() { done <- imp.Wait() }()
	checks := map[string]func() bool{
		// A search answer names the data version it was made from.
		"search":  func() bool { return answeredFrom(base+"/api/v1/search?q="+url.QueryEscape(names[0])) >= seq },
		"entity":  func() bool { return bodyHas(base+"/api/v1/entities/"+codes[0], docNo(0)) },
		"list":    func() bool { return bodyHas(base+"/api/v1/lists/penalties?name="+url.QueryEscape(names[0]), docNo(0)) },
		"changes": func() bool { return changeLogHas(base, recordID) },
		"files": func() bool {
			root := opendata.Root(dd)
			v, err := opendata.Latest(root, "penalties")
			if err != nil || v == "" {
				return false
			}
			b, _ := os.ReadFile(filepath.Join(opendata.VersionDir(root, "penalties", v), "changes-"+v+".jsonl"))
			return strings.Contains(string(b), recordID)
		},
	}
	imported := false
	// The child's peak RSS is sampled from its own memory map: the kernel's rusage of a child
	// starts from its parent's peak at the exec (Go forks by sharing the parent's memory), and
	// this process held the plain Bleve index of the whole register.
	hwm := func() {
		if kb := vmHWM(imp.Process.Pid); kb > 0 {
			res.DeltaRSSMB = max(res.DeltaRSSMB, float64(kb)/1024)
		}
	}
	for len(res.Visible) < len(checks) && time.Since(start) < 10*time.Minute {
		hwm()
		select {
		case err := <-done:
			if err != nil {
				return res, fmt.Errorf("delta import: %v\n%s", err, out.String())
			}
			res.DeltaSeconds = time.Since(start).Seconds()
			res.Incremental = strings.Contains(out.String(), "index updated for the changed documents")
			imported = true
			if !strings.Contains(out.String(), "imported as data sequence") {
				return res, fmt.Errorf("the delta was not applied:\n%s", out.String())
			}
		default:
		}
		for k, check := range checks {
			if _, seen := res.Visible[k]; !seen && check() {
				res.Visible[k] = time.Since(start).Seconds()
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !imported {
		for waiting := true; waiting; {
			select {
			case err := <-done:
				if err != nil {
					return res, fmt.Errorf("delta import: %v\n%s", err, out.String())
				}
				waiting = false
			case <-time.After(50 * time.Millisecond):
				hwm()
			}
		}
		res.DeltaSeconds = time.Since(start).Seconds()
		res.Incremental = strings.Contains(out.String(), "index updated for the changed documents")
	}
	return res, nil
}

// plainBleveRate indexes the register's names into a plain Bleve index (default mapping,
// batches of 5,000 as the build uses) and returns documents per second.
func plainBleveRate(entitiesCSV, work string) (float64, error) {
	f, err := os.Open(entitiesCSV)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	if _, err := r.Read(); err != nil {
		return 0, err
	}
	var names []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
		names = append(names, rec[1])
	}
	path := filepath.Join(work, "plain.bleve")
	os.RemoveAll(path)
	defer os.RemoveAll(path)
	start := time.Now()
	idx, err := bleve.New(path, bleve.NewIndexMapping())
	if err != nil {
		return 0, err
	}
	b := idx.NewBatch()
	for i, name := range names {
		if err := b.Index(strconv.Itoa(i), map[string]string{"name": name}); err != nil {
			return 0, err
		}
		if b.Size() >= 5000 {
			if err := idx.Batch(b); err != nil {
				return 0, err
			}
			b.Reset()
		}
	}
	if err := idx.Batch(b); err != nil {
		return 0, err
	}
	if err := idx.Close(); err != nil {
		return 0, err
	}
	return float64(len(names)) / time.Since(start).Seconds(), nil
}

// firstEntities reads the codes and names of the register's first n entities.
func firstEntities(entitiesCSV string, n int) (codes, names []string, err error) {
	f, err := os.Open(entitiesCSV)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(f))
	r.FieldsPerRecord = -1
	if _, err := r.Read(); err != nil {
		return nil, nil, err
	}
	for len(codes) < n {
		rec, err := r.Read()
		if err != nil {
			return nil, nil, err
		}
		codes, names = append(codes, rec[0]), append(names, rec[1])
	}
	return codes, names, nil
}

const deltaAuthority = "基准测试市市场监督管理局"

// writePenaltyDelta writes a delta snapshot of one penalty about each entity; run makes the
// decision numbers new each time, so that every run adds records.
func writePenaltyDelta(dir string, codes, names []string, run int64) (string, func(int) string, error) {
	docNo := func(i int) string { return fmt.Sprintf("基准增量罚〔2026〕%d-%d号", run, i+1) }
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", nil, err
	}
	var sb strings.Builder
	w := csv.NewWriter(&sb)
	w.Write([]string{"行政相对人名称", "统一社会信用代码", "行政处罚决定书文号", "处罚类别", "处罚内容", "罚款金额（万元）", "处罚决定日期", "公示截止期", "处罚机关"})
	for i := range codes {
		w.Write([]string{names[i], codes[i], docNo(i), "罚款", "罚款人民币10000元", "1.00", "2026-11-02", "2029-11-02", deltaAuthority})
	}
	w.Flush()
	if err := os.WriteFile(filepath.Join(dir, "penalties.csv"), []byte(sb.String()), 0o644); err != nil {
		return "", nil, err
	}
	sum := sha256.Sum256([]byte(sb.String()))
	m := importer.Manifest{Publisher: deltaAuthority, SnapshotDate: "2026-11-02", Kind: importer.KindDelta,
		Files: []importer.ManifestFile{{Path: "penalties.csv", Type: index.TypePenalty, SHA256: hex.EncodeToString(sum[:]), Rows: len(codes)}}}
	b, _ := json.MarshalIndent(m, "", "  ")
	return dir, docNo, os.WriteFile(filepath.Join(dir, importer.ManifestName), b, 0o644)
}

func freeLocalAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitFor(ctx context.Context, limit time.Duration, ok func() bool) error {
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return errors.New("timed out")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func httpOK(u string) bool {
	res, err := http.Get(u)
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

func bodyHas(u, s string) bool {
	res, err := http.Get(u)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode == http.StatusOK && strings.Contains(string(b), s)
}

// vmHWM is a process's peak resident memory in KiB as its memory map counts it (0 if gone).
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb
		}
	}
	return 0
}

// answeredFrom is the data version (X-Data-Version) of a successful answer, 0 otherwise.
func answeredFrom(u string) int64 {
	res, err := http.Get(u)
	if err != nil {
		return 0
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0
	}
	v, _ := strconv.ParseInt(res.Header.Get("X-Data-Version"), 10, 64)
	return v
}

// changeLogHas pages through the penalties' change log for a record id.
func changeLogHas(base, id string) bool {
	cursor := ""
	for range 1000 {
		res, err := http.Get(base + "/api/v1/changes?list=penalties&size=1000&cursor=" + url.QueryEscape(cursor))
		if err != nil {
			return false
		}
		var page struct {
			Changes []struct {
				ID string `json:"id"`
			} `json:"changes"`
			NextCursor string `json:"next_cursor"`
			HasMore    bool   `json:"has_more"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil {
			return false
		}
		for _, c := range page.Changes {
			if c.ID == id {
				return true
			}
		}
		if !page.HasMore {
			return false
		}
		cursor = page.NextCursor
	}
	return false
}
