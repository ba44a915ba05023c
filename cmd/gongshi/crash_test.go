package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
)

// Crash safety with real processes: an import is killed (SIGKILL) while it loads, while it
// indexes and while it publishes the open-data files; after each, the data folder still
// serves what it served before, nothing half-built or half-written is ever served, and the
// same import, redone, succeeds.

// crashEntities makes the big snapshot's import take a few seconds on two cores: long enough
// to be killed in each phase, short enough for `make test`.
const crashEntities = 6000

func TestCrashDuringImportKeepsServingAndRedoes(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a few thousand entities four times (about 20 s)")
	}
	data := t.TempDir()
	dd := index.DataDir(data)
	if out, err := run(t, "", "import", "--data", data, "--max-rejected", "0.4", fixture); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	gen0 := current(t, dd)
	info0, err := index.ReadInfo(dd.Generation(gen0))
	if err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(t.TempDir(), "big")
	if out, err := run(t, "", "generate", "--entities", fmt.Sprint(crashEntities), "--seed", "7", "--date", "2026-11-15", "--out", big); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}

	// 1. Killed while loading the snapshot into the new generation's document store, then
	// while indexing it. Each kill leaves an incomplete generation and the import lock file;
	// the next import removes the incomplete generation before it starts.
	killImportWhen(t, data, big, "loading", func() bool {
		g := newGeneration(dd, gen0)
		return g != "" && size(filepath.Join(g, "docs.db-wal")) > 256<<10 && !exists(filepath.Join(g, "shard-0.bleve"))
	})
	out := killImportWhen(t, data, big, "indexing", func() bool {
		g := newGeneration(dd, gen0)
		if g == "" {
			return false
		}
		zaps, _ := filepath.Glob(filepath.Join(g, "shard-*.bleve", "store", "*.zap"))
		return len(zaps) > 0 && !exists(filepath.Join(g, "generation.json"))
	})
	if got := current(t, dd); got != gen0 {
		t.Fatalf("current is %s after the kills, want %s", got, gen0)
	}
	if n := strings.Count(out, ", left by an interrupted import"); n != 1 {
		t.Errorf("the second import removed %d incomplete generations, want 1:\n%s", n, out)
	}
	entries, _ := os.ReadDir(dd.Generations())
	if len(entries) != 2 || !exists(filepath.Join(data, "import.lock")) {
		t.Fatalf("expected the serving generation, an incomplete one and import.lock; have %v", entries)
	}

	// serve starts and serves the first generation: same data date, same entities.
	addr := freeAddr(t)
	base := "http://" + addr
	srv := serve(t, data, addr)
	if r := readyz(t, base); r.Generation != gen0 || r.DataDate != "2026-11-01" || r.Entities != info0.Entities {
		t.Fatalf("after the kills serve answers %+v, want %s of 2026-11-01 with %d entities", r, gen0, info0.Entities)
	}
	var e struct{ Name string }
	getJSONProc(t, base+"/api/v1/entities/91350102MA2XYW015U", &e)
	if e.Name != "福州华威新材料科技有限公司" {
		t.Errorf("entity after the kills: %+v", e)
	}

	// The same import, redone while serving, is not blocked by the dead import's lock, removes
	// what the killed ones left, succeeds, and the server picks up its generation.
	redo := time.Now()
	out, err = run(t, "", "import", "--data", data, big)
	if err != nil {
		t.Fatalf("redone import: %v\n%s", err, out)
	}
	if n := strings.Count(out, ", left by an interrupted import"); n != 1 {
		t.Errorf("the redone import removed %d incomplete generations, want 1:\n%s", n, out)
	}
	gen1 := current(t, dd)
	info1, _ := index.ReadInfo(dd.Generation(gen1))
	if entries, _ := os.ReadDir(dd.Generations()); gen1 == gen0 || len(entries) != 2 {
		t.Fatalf("after the redone import: current %s, generations %v", gen1, entries)
	}
	t.Logf("redone import: %.1fs", time.Since(redo).Seconds())
	r := waitReady(t, base, gen1)
	t.Logf("serve picked up the new generation %.1fs after the import began", time.Since(redo).Seconds())
	if r.DataDate != "2026-11-15" || r.Entities != info1.Entities || r.Entities < crashEntities {
		t.Errorf("after the redone import serve answers %+v, want 2026-11-15 with %d entities", r, info1.Entities)
	}
	srv.Process.Signal(syscall.SIGKILL)
	srv.Wait()

	// 2. A snapshot on top of the served data (a thousand more entities with their records)
	// is applied to a copy that shares the serving generation's segment files. Killed while
	// loading it and while indexing the changed documents into the shared shards, the data
	// folder still serves the generation before it, untouched.
	more := filepath.Join(t.TempDir(), "more")
	if out, err := run(t, "", "generate", "--entities", fmt.Sprint(crashEntities+1000), "--seed", "7", "--date", "2026-11-15", "--out", more); err != nil {
		t.Fatalf("generate: %v\n%s", err, out)
	}
	served := treeSums(t, dd.Generation(gen1))
	killImportWhen(t, data, more, "loading a delta", func() bool {
		g := newGeneration(dd, gen0, gen1)
		// The serving store copied whole, the snapshot's rows going in, no shard yet.
		return g != "" && size(filepath.Join(g, "docs.db")) == size(index.DocStorePath(dd.Generation(gen1))) &&
			!exists(filepath.Join(g, "shard-0.bleve"))
	})
	killImportWhen(t, data, more, "indexing a delta", func() bool {
		g := newGeneration(dd, gen0, gen1)
		return g != "" && exists(filepath.Join(g, "shard-0.bleve")) && !exists(filepath.Join(g, "generation.json"))
	})
	if got := current(t, dd); got != gen1 {
		t.Fatalf("current is %s after the kills of the delta, want %s", got, gen1)
	}
	// The files the killed imports linked are the served generation's own: not one byte moved.
	// (Readers leave a -shm file beside the store; only the generation's own files count.)
	if after := treeSums(t, dd.Generation(gen1)); !maps.Equal(after, served) {
		t.Errorf("the served generation's files changed under the killed delta:\nbefore %v\nafter  %v", served, after)
	}

	// 3. Killed while publishing the open-data files: the new generation is current already,
	// the files being written are in hidden staging folders. What else a crash or a damaged
	// disk could leave is added by hand: a temporary file inside a version, a version folder
	// without SHA256SUMS holding a truncated file, a listed file truncated in place.
	killImportWhen(t, data, more, "publishing", func() bool {
		if g, _ := dd.Current(); g == gen1 {
			return false
		}
		tmps, _ := filepath.Glob(filepath.Join(opendata.Root(dd), "*", ".staging-*", ".*.tmp-*"))
		for _, p := range tmps {
			if size(p) > 64<<10 {
				return true
			}
		}
		return false
	})
	gen2 := current(t, dd)
	root := opendata.Root(dd)
	partials, _ := filepath.Glob(filepath.Join(root, "*", ".staging-*", ".*.tmp-*"))
	if gen2 == gen1 || len(partials) == 0 {
		t.Fatalf("kill during publication: current %s (was %s), %d half-written files", gen2, gen1, len(partials))
	}
	var cat opendata.Catalog
	readJSONFile(t, filepath.Join(root, opendata.CatalogName), &cat)
	day := cat.Datasets[0].Latest
	next := nextDay(t, opendata.VersionDay(day))
	half, _ := os.ReadFile(partials[0])
	entDir := opendata.VersionDir(root, "entities", day)
	damaged := map[string]bool{"/data/entities/" + day + "/entities-" + day + ".xlsx": true}
	for path, body := range map[string][]byte{
		filepath.Join(entDir, ".entities-"+day+".csv.gz.tmp-0badf00d"):                         half,
		filepath.Join(opendata.VersionDir(root, "entities", next), "entities-"+next+".csv.gz"): half,
	} {
		os.MkdirAll(filepath.Dir(path), 0o755)
		if err := os.WriteFile(path, body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Truncate(filepath.Join(entDir, "entities-"+day+".xlsx"), 1000); err != nil {
		t.Fatal(err)
	}

	// A restart (jobs off: nothing republishes) serves the new generation, every catalogued
	// file with the bytes of its checksum, and none of the half-written ones.
	srv = serve(t, data, addr, "--jobs", "off")
	if r := readyz(t, base); r.Generation != gen2 {
		t.Errorf("after the kill during publication serve answers %+v, want %s", r, gen2)
	}
	checkCatalogued(t, base, damaged)
	staging := strings.TrimPrefix(partials[0], root)
	for _, target := range []string{
		"/data" + filepath.ToSlash(staging),
		"/data/entities/" + day + "/.entities-" + day + ".csv.gz.tmp-0badf00d",
		"/data/entities/" + next + "/entities-" + next + ".csv.gz",
		"/data/entities/" + day + "/entities-" + day + ".xlsx",
	} {
		if code := status(t, base+target); code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", target, code)
		}
	}
	srv.Process.Signal(syscall.SIGKILL)
	srv.Wait()

	// The next start (jobs on) sees that the files were made from an older generation and
	// publishes again: the leftovers are swept, and since a published version never changes,
	// the damaged one stays refused while a new, whole version of the same data becomes latest.
	restart := time.Now()
	serve(t, data, addr)
	deadline := time.Now().Add(45 * time.Second)
	for cat.Generation != gen2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		cat = opendata.Catalog{}
		readJSONFile(t, filepath.Join(root, opendata.CatalogName), &cat)
	}
	if cat.Generation != gen2 {
		t.Fatalf("catalog.json still describes generation %s, want %s", cat.Generation, gen2)
	}
	t.Logf("republished %.1fs after the restart", time.Since(restart).Seconds())
	// catalog.json is written before dcat.jsonld: let the publication finish.
	for busy := true; busy && time.Now().Before(deadline); {
		tmps, _ := filepath.Glob(filepath.Join(root, ".*.tmp-*"))
		if busy = len(tmps) > 0; busy {
			time.Sleep(50 * time.Millisecond)
		}
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && (strings.HasPrefix(d.Name(), ".staging-") || strings.Contains(d.Name(), ".tmp-") || d.Name() == next) {
			t.Errorf("left behind after the next publication: %s", p)
		}
		return nil
	})
	checkCatalogued(t, base, damaged)
	for _, ds := range cat.Datasets {
		if ds.Name == "entities" && ds.Latest == day {
			t.Errorf("entities: latest is still the damaged version %s", day)
		}
	}

	// 4. The same snapshot once more (a scheduler that cannot tell it succeeded): recognised
	// by its id and not applied twice.
	out, err = run(t, "", "import", "--data", data, more)
	if err != nil {
		t.Fatalf("repeated import: %v\n%s", err, out)
	}
	if got := current(t, dd); got != gen2 || !strings.Contains(out, "already applied as data sequence 3") {
		t.Errorf("the repeated import made generation %s (serving %s):\n%s", got, gen2, out)
	}
}

// killImportWhen starts `gongshi import` of snap and kills it with SIGKILL as soon as ready
// says it has reached the phase, and returns its output; it fails when the import ends first.
func killImportWhen(t *testing.T, data, snap, phase string, ready func() bool) string {
	t.Helper()
	cmd := exec.Command(binary, "import", "--data", data, snap)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	for !ready() {
		select {
		case <-done:
			t.Fatalf("the import ended before it was killed %s: %v\n%s", phase, cmd.ProcessState, out.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-done
	t.Logf("import killed while %s, after %.1fs", phase, time.Since(started).Seconds())
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the import was not killed %s: %v\n%s", phase, cmd.ProcessState, out.String())
	}
	return out.String()
}

// newGeneration is the folder of a generation other than the old ones, "" when there is none.
func newGeneration(dd index.DataDir, old ...string) string {
	entries, _ := os.ReadDir(dd.Generations())
	for _, e := range entries {
		if !slices.Contains(old, e.Name()) {
			return dd.Generation(e.Name())
		}
	}
	return ""
}

func current(t *testing.T, dd index.DataDir) string {
	t.Helper()
	id, err := dd.Current()
	if err != nil || id == "" {
		t.Fatalf("current: %q %v", id, err)
	}
	return id
}

// treeSums maps each file under dir (but SQLite's shared-memory index) to its SHA-256.
func treeSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "-shm") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[strings.TrimPrefix(p, dir)] = fmt.Sprintf("%x", sha256.Sum256(b))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

func size(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

type ready struct {
	Generation string `json:"generation"`
	Entities   int    `json:"entities"`
	DataDate   string `json:"data_date"`
}

func readyz(t *testing.T, base string) ready {
	t.Helper()
	var r ready
	getJSONProc(t, base+"/readyz", &r)
	return r
}

// waitReady waits until the server serves generation gen (it looks every 5 seconds).
func waitReady(t *testing.T, base, gen string) ready {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := readyz(t, base)
		if r.Generation == gen || time.Now().After(deadline) {
			if r.Generation != gen {
				t.Fatalf("serve did not pick up generation %s: %+v", gen, r)
			}
			return r
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func readJSONFile(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func nextDay(t *testing.T, day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatalf("day %q: %v", day, err)
	}
	return d.AddDate(0, 0, 1).Format(time.DateOnly)
}

func status(t *testing.T, url string) int {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// checkCatalogued downloads every file the served catalog.json lists: each comes whole, with the
// catalog's size and SHA-256 (also in X-Content-SHA256), except the damaged ones, which are 404.
func checkCatalogued(t *testing.T, base string, damaged map[string]bool) {
	t.Helper()
	var cat opendata.Catalog
	getJSONProc(t, base+"/data/catalog.json", &cat)
	n := 0
	for _, ds := range cat.Datasets {
		for _, v := range ds.Versions {
			for _, f := range v.Files {
				res, err := http.Get(base + f.URL)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(res.Body)
				res.Body.Close()
				sum := sha256.Sum256(body)
				switch {
				case damaged[f.URL]:
					if res.StatusCode != http.StatusNotFound {
						t.Errorf("%s (damaged on disk): %d, want 404", f.URL, res.StatusCode)
					}
				case res.StatusCode != 200 || int64(len(body)) != f.Bytes || hex.EncodeToString(sum[:]) != f.SHA256 || res.Header.Get("X-Content-SHA256") != f.SHA256:
					t.Errorf("%s: %d, %d bytes (catalog %d), sha256 %x (catalog %s)", f.URL, res.StatusCode, len(body), f.Bytes, sum[:4], f.SHA256[:8])
				default:
					n++
				}
			}
		}
	}
	if n < 8*5 {
		t.Errorf("only %d catalogued files served", n)
	}
}
