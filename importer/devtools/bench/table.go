package bench

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// engines returns the engines that have results, in the order they ran.
func (r *Result) engines() []string {
	var out []string
	for _, c := range r.Classes {
		if len(out) == 0 || out[len(out)-1] != c.Engine {
			out = append(out, c.Engine)
		}
	}
	return out
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func ms(d time.Duration) string { return fmt.Sprintf("%7.2f", float64(d.Microseconds())/1000) }

// groupWidth is the width of one engine's columns: " | h@1 h@10 p50ms p99ms mean".
const groupWidth = 3 + 4 + 1 + 4 + 3*(1+7)

// Print writes the table: build costs first, then hit rates and latency per class and engine.
func (r *Result) Print(w io.Writer, o Options) {
	fmt.Fprintf(w, "gongshi search benchmark: %d entities (seed %d, date %s), %d queries per class, top %d\n",
		r.Entities, o.Seed, o.Date.Format(time.DateOnly), o.Queries, topK)
	if r.ImportSeconds == 0 {
		fmt.Fprintf(w, "snapshot and generation reused from an earlier run (--reuse) · %d entities indexed\n", r.Indexed)
	} else {
		fmt.Fprintf(w, "generate %.1f s · import %.1f s (%.0f rows/s over all record files, import report) · %d entities indexed\n",
			r.GenerateSeconds, r.ImportSeconds, r.RowsPerSecond, r.Indexed)
	}
	fmt.Fprintf(w, "%-12s %9s %9s  %s\n", "engine", "build s", "size MB", "what")
	fmt.Fprintf(w, "%-12s %9.1f %9.1f  generation: Bleve shards %.1f MB + docs.db; all record files imported\n",
		EngineGongshi, r.BuildSeconds, mb(r.IndexBytes), mb(r.ShardBytes))
	for _, p := range r.Peers {
		what := "code + name: table, primary key, GIN gin_trgm_ops index"
		if p.Engine == EngineSQLite {
			what = "code + name: table, primary key, FTS5 trigram (external content)"
		}
		fmt.Fprintf(w, "%-12s %9.1f %9.1f  %s\n", p.Engine, p.BuildSeconds, mb(p.Bytes), what)
	}
	if r.PostgresSkipped != "" {
		fmt.Fprintf(w, "%-12s skipped: %s\n", EnginePgTrgm, r.PostgresSkipped)
	}
	fmt.Fprintln(w)

	engines := r.engines()
	fmt.Fprintf(w, "%-12s %5s", "", "")
	for _, e := range engines {
		fmt.Fprintf(w, " | %-*s", groupWidth-3, e)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-12s %5s", "class", "N")
	for range engines {
		fmt.Fprintf(w, " | %4s %4s %7s %7s %7s", "h@1", "h@10", "p50ms", "p99ms", "mean")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, strings.Repeat("-", 18+len(engines)*groupWidth))
	for _, class := range append(append([]string{}, Classes...), ClassAll) {
		n := 0
		if c := r.Class(EngineGongshi, class); c != nil {
			n = c.N
		}
		fmt.Fprintf(w, "%-12s %5d", class, n)
		for _, e := range engines {
			c := r.Class(e, class)
			if c == nil || c.N == 0 {
				fmt.Fprintf(w, " | %-*s", groupWidth-3, "-")
				continue
			}
			fmt.Fprintf(w, " | %4.2f %4.2f %s %s %s", c.Hit1, c.Hit10, ms(c.P50), ms(c.P99), ms(c.Mean))
		}
		fmt.Fprintln(w)
	}
	g := r.Class(EngineGongshi, ClassAll)
	var ratios []string
	for _, e := range engines[1:] {
		if c := r.Class(e, ClassAll); g != nil && c != nil && c.Mean > 0 {
			ratios = append(ratios, fmt.Sprintf("gongshi/%s %.2f", e, float64(g.Mean)/float64(c.Mean)))
		}
	}
	if r.PostgresSkipped != "" {
		ratios = append([]string{"gongshi/pg_trgm n/a (skipped)"}, ratios...)
	}
	fmt.Fprintf(w, "ratio of mean latency: %s\n", strings.Join(ratios, " · "))
	for _, c := range r.Classes {
		if c.Errors > 0 {
			fmt.Fprintf(w, "errors: %s %s: %d of %d queries failed (counted as misses)\n", c.Engine, c.Class, c.Errors, c.N)
		}
	}
	fmt.Fprintln(w, "h@k: share of queries with a relevant result at rank 1 / in the top k. Relevant: for frag* and cross_word,")
	fmt.Fprintln(w, "a name containing the fragment; for pinyin_cross, a name spelling the syllables; for name_exact,")
	fmt.Fprintln(w, "traditional, fullwidth, variant and typo_*, the target or a same-named entity; otherwise the target.")
	fmt.Fprintln(w, "Peers get the typed text unchanged and are told which queries")
	fmt.Fprintln(w, "are codes, and which are misspelt or in variant characters (variant, typo_*): for those, when their LIKE")
	fmt.Fprintln(w, "finds fewer than 10, pg_trgm adds its similarity matches (%) and FTS5 the names holding any trigram.")
	r.printZeros(w, engines)
}

// printZeros writes, per class, how many answers had no result at all, gongshi's hit@3, and
// what gongshi's answers would be without the close tier (close results dropped).
func (r *Result) printZeros(w io.Writer, engines []string) {
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-12s %5s | %-*s | %s\n", "", "", 8*len(engines)-1, "answers with no result", "gongshi")
	fmt.Fprintf(w, "%-12s %5s |", "class", "N")
	for _, e := range engines {
		fmt.Fprintf(w, " %7s", shortEngine(e))
	}
	fmt.Fprintf(w, " | %4s %12s %13s\n", "h@3", "strict h@10", "strict zero")
	fmt.Fprintln(w, strings.Repeat("-", 22+8*len(engines)+33))
	for _, class := range append(append([]string{}, Classes...), ClassAll) {
		g := r.Class(EngineGongshi, class)
		if g == nil {
			continue
		}
		fmt.Fprintf(w, "%-12s %5d |", class, g.N)
		for _, e := range engines {
			if c := r.Class(e, class); c != nil && c.N > 0 {
				fmt.Fprintf(w, " %7d", c.Zero)
			} else {
				fmt.Fprintf(w, " %7s", "-")
			}
		}
		fmt.Fprintf(w, " | %4.2f %12.2f %13d\n", g.Hit3, g.StrictHit10, g.StrictZero)
	}
	fmt.Fprintln(w, "strict: gongshi's same answers with the close tier's results (相近名称) dropped.")
}

// shortEngine fits an engine's name in a narrow column.
func shortEngine(e string) string {
	if len(e) > 7 {
		return e[:7]
	}
	return e
}

// PrintMisses lists a few gongshi queries per class whose answer was not in the top 10.
func (r *Result) PrintMisses(w io.Writer) {
	if w == nil || len(r.Misses) == 0 {
		return
	}
	fmt.Fprintln(w, "gongshi misses (up to 3 per class):")
	for _, m := range r.Misses {
		got := strings.Join(m.Got, "; ")
		if got == "" {
			got = "nothing"
		}
		if m.Err != "" {
			got += " (error: " + m.Err + ")"
		}
		fmt.Fprintf(w, "  %-11s %q (target %s %s) → %s\n", m.Class, m.Query, m.Target, m.TargetName, got)
	}
}
