package portal

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/width"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/importer/devtools/demo"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/uscc"
)

// The screening benchmarks run on a generated generation of GONGSHI_SCREEN_BENCH_N entities
// (default 100,000), built once into $TMPDIR/gongshi-screen-bench-N (kept, so that later runs
// start at once; delete it to rebuild) and screen 10,000 subjects per operation:
//
//	go test ./portal/ -run '^$' -bench 'Screen' -benchtime 3x
//	GONGSHI_SCREEN_BENCH_N=1000000 go test ./portal/ -run '^$' -bench 'Screen' -benchtime 1x -timeout 2h

const benchSubjects = 10000

type screenBench struct {
	searcher *index.Searcher
	codes    []index.Subject
	names    []index.Subject
	hard     []index.Subject // no exact match: every name needs the close search
}

var (
	screenBenchOnce sync.Once
	screenBenchData *screenBench
	screenBenchErr  error
)

func loadScreenBench(b *testing.B) *screenBench {
	b.Helper()
	screenBenchOnce.Do(func() { screenBenchData, screenBenchErr = buildScreenBench() })
	if screenBenchErr != nil {
		b.Fatal(screenBenchErr)
	}
	return screenBenchData
}

func buildScreenBench() (*screenBench, error) {
	ctx := context.Background()
	n := 100000
	if v := os.Getenv("GONGSHI_SCREEN_BENCH_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			return nil, err
		}
	}
	date := time.Date(2026, 11, 1, 0, 0, 0, 0, index.ChinaTime)
	root := filepath.Join(os.TempDir(), fmt.Sprintf("gongshi-screen-bench-%d", n))
	dd := index.DataDir(filepath.Join(root, "data"))
	if id, _ := dd.Current(); id == "" {
		os.RemoveAll(root)
		snap := filepath.Join(root, "snapshot")
		start := time.Now()
		if _, err := demo.Generate(ctx, snap, demo.Options{Entities: n, Seed: 8, Date: date}); err != nil {
			return nil, err
		}
		if _, err := importer.Import(ctx, []string{snap}, importer.Options{Data: dd, Shards: 2}); err != nil {
			return nil, err
		}
		fmt.Fprintf(os.Stderr, "screen bench: generated and imported %d entities in %v (%s)\n", n, time.Since(start).Round(time.Second), root)
	}
	id, err := dd.Current()
	if err != nil {
		return nil, err
	}
	g, err := index.OpenGeneration(dd.Generation(id))
	if err != nil {
		return nil, err
	}
	live := &index.Live{}
	live.Swap(g)
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, index.ChinaTime)
	sb := &screenBench{searcher: &index.Searcher{Live: live, Now: func() time.Time { return now }}}

	// Every k-th entity, so the subjects spread over the whole register and both shards.
	type ent struct{ code, name, former string }
	var ents []ent
	step := max(1, g.Info.Entities/benchSubjects)
	i := 0
	err = g.Docs.EachEntity(ctx, func(e *index.Entity, _ []*index.Record) error {
		if e == nil {
			return nil
		}
		i++
		if i%step == 0 || len(e.FormerNames) > 0 && len(ents) < benchSubjects && i%3 == 0 {
			f := ""
			if len(e.FormerNames) > 0 {
				f = e.FormerNames[0]
			}
			ents = append(ents, ent{e.Code, e.Name, f})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(8, 8))
	rng.Shuffle(len(ents), func(i, j int) { ents[i], ents[j] = ents[j], ents[i] })
	// Codes as lists arrive: mostly clean, some lower-case, full-width or hyphenated, some with a
	// wrong check character, some unknown.
	for k := 0; k < benchSubjects; k++ {
		e := ents[k%len(ents)]
		c := e.code
		switch r := rng.IntN(100); {
		case r < 70:
		case r < 80:
			c = strings.ToLower(c)
		case r < 87:
			c = width.Widen.String(c)
		case r < 90:
			c = c[:8] + "-" + c[8:]
		case r < 95 && uscc.Classify(c) == uscc.KindUSCC:
			for _, x := range uscc.Alphabet {
				if byte(x) != c[17] {
					c = c[:17] + string(x)
					break
				}
			}
		default:
			w, _ := uscc.CheckChar(fmt.Sprintf("91990000MA%07d", k))
			c = fmt.Sprintf("91990000MA%07d%c", k, w)
		}
		sb.codes = append(sb.codes, index.Subject{Line: k + 1, Code: c})
	}
	// Names: exact (some traditional or full-width), former names, a changed legal form, unknown.
	for k := 0; k < benchSubjects; k++ {
		e := ents[(k*7+3)%len(ents)]
		nm := e.name
		switch r := rng.IntN(100); {
		case r < 55:
		case r < 62:
			nm = width.Widen.String(strings.NewReplacer("（", "(", "）", ")").Replace(nm))
		case r < 72 && e.former != "":
			nm = e.former
		case r < 82 && strings.HasSuffix(nm, "有限公司") && !strings.HasSuffix(nm, "股份有限公司"):
			nm = strings.TrimSuffix(nm, "有限公司") + "股份有限公司"
		case r < 90:
			nm = index.CoreName(fold.Fold(nm)) // legal form left out
		default:
			nm = fmt.Sprintf("不存在的%s测试%d有限公司", []string{"星河", "远航", "瑞丰", "汇通"}[k%4], k)
		}
		sb.names = append(sb.names, index.Subject{Line: k + 1, Name: nm})
		hard := index.CoreName(fold.Fold(e.name))
		if k%2 == 1 {
			hard = fmt.Sprintf("不存在的%s测试%d有限公司", []string{"星河", "远航", "瑞丰", "汇通"}[k%4], k)
		}
		sb.hard = append(sb.hard, index.Subject{Line: k + 1, Name: hard})
	}
	return sb, nil
}

func benchScreen(b *testing.B, subjects []index.Subject) {
	sb := loadScreenBench(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	var sum index.ScreenSummary
	for i := 0; i < b.N; i++ {
		sum = index.ScreenSummary{}
		sc, err := sb.searcher.NewScreener(ctx, index.ScreenOptions{})
		if err != nil {
			b.Fatal(err)
		}
		pos := 0
		next := func() ([]index.Subject, error) {
			if pos >= len(subjects) {
				return nil, io.EOF
			}
			end := min(pos+index.ScreenBatchSize, len(subjects))
			batch := subjects[pos:end]
			pos = end
			return batch, nil
		}
		err = sc.Stream(ctx, next, func(ms []index.Match) error {
			for i := range ms {
				sum.Add(&ms[i])
			}
			return nil
		})
		sc.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(len(subjects)*b.N)/elapsed.Seconds(), "subjects/s")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/10k")
	b.Logf("%d subjects: %+v", len(subjects), sum)
}

func BenchmarkScreenCodes(b *testing.B) { benchScreen(b, loadScreenBench(b).codes) }
func BenchmarkScreenNames(b *testing.B) { benchScreen(b, loadScreenBench(b).names) }

// BenchmarkScreenNamesUnmatched is the worst case: half the names lack their legal form, half
// are unknown, so every one goes through the close-name search (and the unknown ones through
// the loose retrieval too).
func BenchmarkScreenNamesUnmatched(b *testing.B) { benchScreen(b, loadScreenBench(b).hard) }
