package bench

// Hostile inputs: files built to make the importer hold or scan far more than they weigh. Each
// runs in its own `gongshi check` or `gongshi import` process, so its peak resident memory
// (getrusage's ru_maxrss of the child) is the importer's alone.

import (
	"archive/zip"
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/gongshi/gongshi/importer"
	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/uscc"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// HostileCase is one hostile input and the command that reads it.
type HostileCase struct {
	Name string
	File string // file name in the work folder
	// Args are the gongshi arguments; "FILE" stands for the input, "DATA" for a new data folder.
	Args  []string
	Write func(path string) error
}

// HostileCases are the inputs the importer must read in bounded memory and time. Imports
// publish what they accept, which is where an over-long value used to cost the most (bigrams and
// pinyin pairs per character); checks stop after validation.
func HostileCases() []HostileCase {
	check := []string{"check", "--type", "entity", "FILE"}
	imp := []string{"import", "--data", "DATA", "--type", "entity", "FILE"}
	return []HostileCase{
		{"csv-20MiB-field", "entities.csv", imp, func(p string) error { return writeLongFieldCSV(p, 20<<20, false) }},
		{"csv-4MiB-field", "entities.csv", imp, func(p string) error { return writeLongFieldCSV(p, 4<<20, false) }},
		{"gb18030-csv-20MiB-field", "entities.csv", check, func(p string) error { return writeLongFieldCSV(p, 20<<20, true) }},
		{"jsonl-20MiB-line", "entities.jsonl", check, func(p string) error { return writeLongJSONL(p, 20<<20) }},
		{"xlsx-200MB-inline-cell", "entities.xlsx", check, func(p string) error { return writeInlineCellXLSX(p, 200e6) }},
		{"zip-bomb-2GiB-member", "snapshot.zip", []string{"check", "FILE"}, func(p string) error { return writeZipBomb(p, 2<<30) }},
	}
}

// HostileResult is what one case cost.
type HostileResult struct {
	Case       string
	Command    string  // check or import
	InputBytes int64   // the file on disk
	PeakRSS    int64   // ru_maxrss of the child, bytes
	Seconds    float64 // wall time of the child
	Exit       int     // exit status (3: refused)
	Killed     bool    // stopped for going over HostileOptions.MaxRSS
	Verdict    string  // from the report: refused and why, or rows accepted and rejected
}

// HostileOptions configure Hostile.
type HostileOptions struct {
	Bin    string   // the gongshi binary to run
	Dir    string   // work folder for the inputs and data folders
	MaxRSS int64    // a child resident above this is killed (default 4 GiB), sparing a shared machine
	Cases  []string // names to run; all when empty
	Out    io.Writer
	Log    io.Writer
}

// Hostile writes each case's input, runs the binary on it and reports what it cost.
func Hostile(ctx context.Context, opts HostileOptions) ([]HostileResult, error) {
	if opts.MaxRSS <= 0 {
		opts.MaxRSS = 4 << 30
	}
	var out []HostileResult
	for _, c := range HostileCases() {
		if len(opts.Cases) > 0 && !contains(opts.Cases, c.Name) {
			continue
		}
		dir := filepath.Join(opts.Dir, c.Name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return out, err
		}
		input := filepath.Join(dir, c.File)
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "hostile: writing %s\n", c.Name)
		}
		if err := c.Write(input); err != nil {
			return out, fmt.Errorf("%s: write input: %w", c.Name, err)
		}
		r, err := runHostile(ctx, opts, c, dir, input)
		os.Remove(input)
		if err != nil {
			return out, fmt.Errorf("%s: %w", c.Name, err)
		}
		out = append(out, r)
		if opts.Log != nil {
			fmt.Fprintf(opts.Log, "hostile: %s: %d MiB peak, %.1f s, exit %d, %s\n", c.Name, r.PeakRSS>>20, r.Seconds, r.Exit, r.Verdict)
		}
	}
	if opts.Out != nil {
		PrintHostile(opts.Out, out)
	}
	return out, nil
}

func runHostile(ctx context.Context, opts HostileOptions, c HostileCase, dir, input string) (HostileResult, error) {
	st, err := os.Stat(input)
	if err != nil {
		return HostileResult{}, err
	}
	res := HostileResult{Case: c.Name, Command: c.Args[0], InputBytes: st.Size()}
	report := filepath.Join(dir, "report.json")
	args := make([]string, 0, len(c.Args)+2)
	for _, a := range c.Args {
		switch a {
		case "FILE":
			args = append(args, "--report", report, input)
		case "DATA":
			args = append(args, filepath.Join(dir, "data"))
		default:
			args = append(args, a)
		}
	}
	cmd := exec.CommandContext(ctx, opts.Bin, args...)
	var stderr tailBuffer
	cmd.Stdout, cmd.Stderr = io.Discard, &stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return res, err
	}
	done := make(chan struct{})
	killed := make(chan bool, 1)
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				killed <- false
				return
			case <-t.C:
				if m, err := ReadProcMem(cmd.Process.Pid); err == nil && m.RSS > opts.MaxRSS {
					cmd.Process.Kill()
					killed <- true
					return
				}
			}
		}
	}()
	werr := cmd.Wait()
	close(done)
	res.Killed = <-killed
	res.Seconds = time.Since(start).Seconds()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.PeakRSS = ru.Maxrss << 10 // kilobytes on Linux
	}
	res.Exit = cmd.ProcessState.ExitCode()
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		return res, werr
	}
	// The work folder's path says nothing; the input's name is enough.
	res.Verdict = verdict(report, strings.ReplaceAll(stderr.String(), input, filepath.Base(input)), res)
	return res, nil
}

// verdict sums up the child's answer from its report, or from its last words.
func verdict(report, stderr string, r HostileResult) string {
	if r.Killed {
		return "killed above the memory ceiling"
	}
	var rep importer.Report
	if b, err := os.ReadFile(report); err == nil && json.Unmarshal(b, &rep) == nil {
		if rep.Refused {
			return "refused: " + clipText(strings.ReplaceAll(rep.RefusedReason, rep.Path, filepath.Base(rep.Path)), 110)
		}
		t := rep.Totals()
		v := fmt.Sprintf("accepted %d, rejected %d", t.Accepted, t.Rejected)
		for _, is := range rep.Issues {
			if is.Severity == importer.SeverityError {
				return v + fmt.Sprintf(" (line %d: %s)", is.Line, clipText(is.Reason, 70))
			}
		}
		return v
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "gongshi: ") { // the command's own error, e.g. a refusal
			return clipText(strings.TrimPrefix(l, "gongshi: "), 110)
		}
	}
	return clipText(lines[len(lines)-1], 110)
}

// PrintHostile prints the results as a table.
func PrintHostile(w io.Writer, rs []HostileResult) {
	fmt.Fprintf(w, "%-24s %-7s %10s %5s %10s %8s  %s\n", "case", "command", "input", "exit", "peak RSS", "seconds", "verdict")
	for _, r := range rs {
		peak := fmt.Sprintf("%d MiB", r.PeakRSS>>20)
		if r.Killed {
			peak = "≥" + peak
		}
		fmt.Fprintf(w, "%-24s %-7s %10s %5d %10s %8.1f  %s\n", r.Case, r.Command, sizeText(r.InputBytes), r.Exit, peak, r.Seconds, r.Verdict)
	}
}

func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// tailBuffer keeps the last 4 KiB written to it.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 4<<10 {
		t.b = append(t.b[:0], t.b[len(t.b)-4<<10:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// Writers of the hostile inputs. Each streams to disk: the generator never holds the big part.

// hostileCode is the i-th of a series of valid unified social credit codes.
func hostileCode(i int) string {
	first := fmt.Sprintf("91350102MA2X%05d", i)
	c, _ := uscc.CheckChar(first)
	return first + string(c)
}

// writeLongFieldCSV writes an entity CSV of 20 good rows around one whose name is n bytes.
func writeLongFieldCSV(path string, n int64, gb18030 bool) error {
	return writeFile(path, func(w io.Writer) error {
		if gb18030 {
			w = simplifiedchinese.GB18030.NewEncoder().Writer(w)
		}
		io.WriteString(w, "统一社会信用代码,企业名称\n")
		for i := range 20 {
			fmt.Fprintf(w, "%s,福州某某%d科技有限公司\n", hostileCode(i), i)
			if i == 9 {
				fmt.Fprintf(w, "%s,", hostileCode(999))
				repeatTo(w, "华为技术有限公司", n)
				io.WriteString(w, "\n")
			}
		}
		if c, ok := w.(io.Closer); ok {
			return c.Close()
		}
		return nil
	})
}

// writeLongJSONL writes entity JSON Lines around one line with an n-byte name.
func writeLongJSONL(path string, n int64) error {
	return writeFile(path, func(w io.Writer) error {
		for i := range 20 {
			fmt.Fprintf(w, `{"统一社会信用代码":%q,"企业名称":"福州某某%d科技有限公司"}`+"\n", hostileCode(i), i)
			if i == 9 {
				fmt.Fprintf(w, `{"统一社会信用代码":%q,"企业名称":"`, hostileCode(999))
				repeatTo(w, "华为技术有限公司", n)
				io.WriteString(w, "\"}\n")
			}
		}
		return nil
	})
}

// writeInlineCellXLSX writes a workbook whose second row has an n-byte inline-string cell.
func writeInlineCellXLSX(path string, n int64) error {
	return writeFile(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		const rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
		parts := []struct{ name, body string }{
			{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
				`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
				`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
				`<Default Extension="xml" ContentType="application/xml"/>` +
				`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
				`<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`},
			{"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
				`<Relationship Id="rId1" Type="` + rel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
			{"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="` + rel + `">` +
				`<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`},
			{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
				`<Relationship Id="rId1" Type="` + rel + `/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`},
		}
		for _, p := range parts {
			pw, err := zw.Create(p.name)
			if err != nil {
				return err
			}
			io.WriteString(pw, p.body)
		}
		pw, err := zw.Create("xl/worksheets/sheet1.xml")
		if err != nil {
			return err
		}
		bw := bufio.NewWriterSize(pw, 1<<20)
		cell := func(ref, v string) string { return `<c r="` + ref + `" t="inlineStr"><is><t>` + v + `</t></is></c>` }
		io.WriteString(bw, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`)
		io.WriteString(bw, `<row r="1">`+cell("A1", "统一社会信用代码")+cell("B1", "企业名称")+`</row>`)
		io.WriteString(bw, `<row r="2">`+cell("A2", hostileCode(999))+`<c r="B2" t="inlineStr"><is><t>`)
		repeatTo(bw, "x", n)
		io.WriteString(bw, `</t></is></c></row>`)
		io.WriteString(bw, `<row r="3">`+cell("A3", hostileCode(1))+cell("B3", "福州某某科技有限公司")+`</row>`)
		io.WriteString(bw, `</sheetData></worksheet>`)
		if err := bw.Flush(); err != nil {
			return err
		}
		return zw.Close()
	})
}

// writeZipBomb writes a snapshot zip whose one entity file is a header and n zero bytes.
func writeZipBomb(path string, n int64) error {
	return writeFile(path, func(w io.Writer) error {
		zw := zip.NewWriter(w)
		fw, err := zw.Create("登记信息.csv")
		if err != nil {
			return err
		}
		h := sha256.New()
		mw := io.MultiWriter(fw, h)
		io.WriteString(mw, "统一社会信用代码,企业名称\n")
		if _, err := io.Copy(mw, io.LimitReader(zeroes{}, n)); err != nil {
			return err
		}
		m := importer.Manifest{Publisher: "hostile", SnapshotDate: "2026-11-01", Kind: importer.KindDelta,
			Files: []importer.ManifestFile{{Path: "登记信息.csv", Type: index.TypeEntity, SHA256: hex.EncodeToString(h.Sum(nil)), Rows: 1}}}
		mf, err := zw.Create(importer.ManifestName)
		if err != nil {
			return err
		}
		if err := json.NewEncoder(mf).Encode(m); err != nil {
			return err
		}
		return zw.Close()
	})
}

type zeroes struct{}

func (zeroes) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// repeatTo writes whole copies of s, n bytes' worth rounded down, so no character is cut.
func repeatTo(w io.Writer, s string, n int64) {
	chunk := []byte(strings.Repeat(s, max(1, (64<<10)/len(s))))
	for n -= n % int64(len(s)); n > 0; {
		k := min(int64(len(chunk)), n)
		w.Write(chunk[:k])
		n -= k
	}
}

func writeFile(path string, fill func(w io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := fill(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
