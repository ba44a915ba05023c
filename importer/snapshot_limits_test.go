package importer

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/uscc"
)

// zipMember is one entry of a test snapshot zip: its content streams from body.
type zipMember struct {
	name string
	typ  index.RecordType // "" = not listed in the manifest
	rows int
	body func(w io.Writer)
}

// writeSnapshotZip writes a snapshot zip with a manifest listing the typed members, their
// checksums computed while they stream into the zip.
func writeSnapshotZip(t testing.TB, members ...zipMember) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "snapshot.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	m := Manifest{Publisher: "测试局", SnapshotDate: "2026-11-01", Kind: KindDelta}
	for _, mem := range members {
		w, err := zw.Create(mem.name)
		if err != nil {
			t.Fatal(err)
		}
		h := sha256.New()
		bw := bufio.NewWriterSize(io.MultiWriter(w, h), 1<<20)
		mem.body(bw)
		if err := bw.Flush(); err != nil {
			t.Fatal(err)
		}
		if mem.typ != "" {
			m.Files = append(m.Files, ManifestFile{Path: mem.name, Type: mem.typ, SHA256: hex.EncodeToString(h.Sum(nil)), Rows: mem.rows})
		}
	}
	w, err := zw.Create(ManifestName)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.NewEncoder(w).Encode(m); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// validCode makes the i-th of a series of valid unified social credit codes.
func validCode(t testing.TB, i int) string {
	t.Helper()
	first := fmt.Sprintf("91350102MA2X%05d", i)
	c, err := uscc.CheckChar(first)
	if err != nil {
		t.Fatal(err)
	}
	return first + string(c)
}

func entities(t testing.TB, n int, extra func(w io.Writer, i int)) func(w io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, "统一社会信用代码,企业名称\n")
		for i := range n {
			fmt.Fprintf(w, "%s,福州某某%d科技有限公司\n", validCode(t, i), i)
			if extra != nil {
				extra(w, i)
			}
		}
	}
}

func zeros(n int64) func(w io.Writer) {
	return func(w io.Writer) {
		io.WriteString(w, "统一社会信用代码,企业名称\n")
		io.CopyN(w, zeroReader{}, n)
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestZipSnapshotChecks(t *testing.T) {
	path := writeSnapshotZip(t, zipMember{name: "登记信息.csv", typ: index.TypeEntity, rows: 5, body: entities(t, 5, nil)})
	rep, err := Check(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if f := rep.Files[0]; f.Accepted != 5 {
		t.Errorf("file report %+v", f)
	}
}

// A zip bomb is refused from what its directory declares, before a byte is unpacked.
func TestZipBombRefusedUnread(t *testing.T) {
	path := writeSnapshotZip(t, zipMember{name: "登记信息.csv", typ: index.TypeEntity, rows: 1, body: zeros(64 << 20)})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Check(context.Background(), path, Options{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "登记信息.csv in the zip unpacks to") ||
		!strings.Contains(err.Error(), "more than 500 times its size") {
		t.Fatalf("got %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<20 {
		t.Errorf("refusing it allocated %d MiB", alloc>>20)
	}
}

func TestZipMemberCap(t *testing.T) {
	lim := defaultSnapshotLimits
	lim.memberBytes, lim.ratio = 1<<20, 1<<40
	path := writeSnapshotZip(t, zipMember{name: "登记信息.csv", typ: index.TypeEntity, rows: 1, body: zeros(8 << 20)})
	_, err := openSnapshot(path, BareOptions{}, lim)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("登记信息.csv in the zip unpacks to %d bytes, more than %d", len("统一社会信用代码,企业名称\n")+8<<20, 1<<20)) {
		t.Fatalf("got %v", err)
	}
}

func TestZipTotalCap(t *testing.T) {
	lim := defaultSnapshotLimits
	lim.totalBytes = 3 << 20
	var members []zipMember
	for i := range 3 {
		members = append(members, zipMember{name: fmt.Sprintf("f%d.csv", i), typ: index.TypeEntity, rows: -1,
			body: entities(t, 40000, nil)})
	}
	path := writeSnapshotZip(t, members...)
	if _, err := openSnapshot(path, BareOptions{}, defaultSnapshotLimits); err != nil {
		t.Fatalf("under the default limits: %v", err)
	}
	_, err := openSnapshot(path, BareOptions{}, lim)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("the zip unpacks to more than %d bytes", 3<<20)) {
		t.Fatalf("got %v", err)
	}
}

func TestZipMemberCount(t *testing.T) {
	lim := defaultSnapshotLimits
	lim.members = 3
	var members []zipMember
	for i := range 4 {
		members = append(members, zipMember{name: fmt.Sprintf("notes/%d.txt", i), body: func(w io.Writer) {}})
	}
	path := writeSnapshotZip(t, members...)
	if _, err := openSnapshot(path, BareOptions{}, lim); err == nil || !strings.Contains(err.Error(), "the zip has 5 entries, more than 3") {
		t.Fatalf("got %v", err)
	}
}

// A member that unpacks to more than it declares fails its read; it is never cut to the
// declared size and taken for a complete file.
func TestZipMemberBeyondDeclaredSize(t *testing.T) {
	body := []byte("统一社会信用代码,企业名称\n" + validCode(t, 1) + ",某公司\n" + strings.Repeat("x", 8<<20))
	declared := 60
	var deflated bytes.Buffer
	fw, _ := flate.NewWriter(&deflated, flate.BestCompression)
	fw.Write(body)
	fw.Close()
	sum := sha256.Sum256(body[:declared]) // what a reader stopping at the declared size would see
	path := filepath.Join(t.TempDir(), "s.zip")
	f, _ := os.Create(path)
	zw := zip.NewWriter(f)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "登记信息.csv", Method: zip.Deflate,
		CompressedSize64: uint64(deflated.Len()), UncompressedSize64: uint64(declared)}) // CRC32 0: not checked
	if err != nil {
		t.Fatal(err)
	}
	w.Write(deflated.Bytes())
	mw, _ := zw.Create(ManifestName)
	json.NewEncoder(mw).Encode(Manifest{Publisher: "p", SnapshotDate: "2026-11-01", Kind: KindDelta,
		Files: []ManifestFile{{Path: "登记信息.csv", Type: index.TypeEntity, SHA256: hex.EncodeToString(sum[:]), Rows: -1}}})
	zw.Close()
	f.Close()

	snap, err := OpenSnapshot(path, BareOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()
	err = snap.Verify()
	if err == nil || !strings.Contains(err.Error(), "登记信息.csv in the zip is damaged or unpacks to more than the size it declares") {
		t.Fatalf("got %v", err)
	}
}

func TestManifestCap(t *testing.T) {
	// White space that does not compress far, so that the size, not the ratio, refuses it.
	rng := rand.New(rand.NewPCG(1, 2))
	var pad strings.Builder
	for range 2 << 20 {
		pad.WriteByte(" \t\r\n"[rng.IntN(4)])
	}
	big := pad.String() + `{"publisher":"p","snapshot_date":"2026-11-01","kind":"full","files":[]}`
	if _, err := ReadManifest(strings.NewReader(big)); err == nil || err.Error() != fmt.Sprintf("manifest.json is larger than %d bytes", maxManifestBytes) {
		t.Fatalf("folder manifest: %v", err)
	}
	path := filepath.Join(t.TempDir(), "s.zip")
	f, _ := os.Create(path)
	zw := zip.NewWriter(f)
	w, _ := zw.Create(ManifestName)
	io.WriteString(w, big)
	zw.Close()
	f.Close()
	if _, err := OpenSnapshot(path, BareOptions{}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("manifest.json unpacks to %d bytes, more than %d", len(big), maxManifestBytes)) {
		t.Fatalf("zip manifest: %v", err)
	}
}

// One over-long row is rejected with its line; the rest of its file imports and is published.
func TestOverLongRowRestImports(t *testing.T) {
	const good = 30
	body := entities(t, good, func(w io.Writer, i int) {
		if i == 9 { // line 12: header, ten rows, then this one
			// Varied characters: a run of one would be refused as a zip bomb first.
			rng := rand.New(rand.NewPCG(1, 2))
			name := make([]rune, 4<<20/3)
			for j := range name {
				name[j] = rune(0x4E00 + rng.IntN(0x51A5))
			}
			fmt.Fprintf(w, "%s,%s\n", validCode(t, 9999), string(name))
		}
	})
	path := writeSnapshotZip(t, zipMember{name: "登记信息.csv", typ: index.TypeEntity, rows: good + 1, body: body})
	ctx := context.Background()
	opts := Options{Data: index.DataDir(t.TempDir()), Shards: 1}
	rep, err := Check(ctx, path, opts)
	if err != nil {
		t.Fatal(err)
	}
	is := findIssue(rep, "malformed_row", "登记信息.csv")
	if is == nil || is.Line != 12 || !strings.Contains(is.Reason, "record longer than") {
		t.Fatalf("issues %+v", rep.Issues)
	}
	if f := rep.Files[0]; f.Accepted != good || f.Rejected != 1 {
		t.Fatalf("file report %+v", f)
	}
	reps, err := Import(ctx, []string{path}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if f := reps[0].Files[0]; f.Accepted != good || reps[0].Generation == "" {
		t.Fatalf("import report %+v", reps[0])
	}
}

// FuzzOpenZipSnapshot opens arbitrary bytes as a .zip snapshot and checks it: no panic, no hang,
// and whatever is accepted stays within the limits.
func FuzzOpenZipSnapshot(f *testing.F) {
	var seeds [][]byte
	for _, body := range []func(w io.Writer){entities(f, 3, nil), func(w io.Writer) { io.WriteString(w, "a,b\n\"x\n") }} {
		b, err := os.ReadFile(writeSnapshotZip(f, zipMember{name: "e.csv", typ: index.TypeEntity, rows: 3, body: body}))
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	seeds = append(seeds, []byte("PK\x05\x06"+strings.Repeat("\x00", 18)))
	for _, s := range seeds {
		f.Add(s)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "s.zip")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		snap, err := OpenSnapshot(path, BareOptions{})
		if err != nil {
			return
		}
		defer snap.Close()
		if len(snap.zip.File) > defaultSnapshotLimits.members {
			t.Fatalf("%d members accepted", len(snap.zip.File))
		}
		for _, zf := range snap.zip.File {
			if zf.UncompressedSize64 > defaultSnapshotLimits.memberBytes {
				t.Fatalf("member of %d bytes accepted", zf.UncompressedSize64)
			}
		}
		Check(context.Background(), path, Options{})
	})
}
