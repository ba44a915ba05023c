package opendata_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer/opendata"
)

// TestOpenDataFrictionless validates every datapackage.json and CSV, as published, with the
// Frictionless Data JavaScript libraries (npm datapackage, pinned in
// testdata/frictionless/package-lock.json).
// It needs node and npm; without them it fails rather than skips, except with -short.
func TestOpenDataFrictionless(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the Frictionless check runs node")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed for the Frictionless check (Debian: apt-get install nodejs npm)")
	}
	tool, _ := filepath.Abs(filepath.Join("testdata", "frictionless"))
	if _, err := os.Stat(filepath.Join(tool, "node_modules", "datapackage", "package.json")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			t.Fatal("npm is needed to install the Frictionless validator (Debian: apt-get install npm)")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = tool
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", tool, err, out)
		}
	}
	dd, _ := published(t, opendata.Options{})
	root := opendata.Root(dd)
	var dirs []string
	for _, l := range opendata.Lists() {
		for _, day := range opendata.Versions(root, l.Name) {
			dirs = append(dirs, opendata.VersionDir(root, l.Name, day))
		}
	}
	if len(dirs) != 16 {
		t.Fatalf("%d version folders, want 16", len(dirs))
	}
	cmd := exec.Command(node, append([]string{filepath.Join(tool, "validate.js")}, dirs...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("Frictionless validation failed: %v\n%s", err, out)
	}

	// The check reads what the descriptor declares, so it must catch a CSV with a byte-order
	// mark declared as plain "utf-8": a reader trusting that keeps the mark in the first header.
	bad := t.TempDir()
	src := dirs[0]
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "datapackage.json" {
			b = bytes.ReplaceAll(b, []byte(`"encoding": "utf-8-sig"`), []byte(`"encoding": "utf-8"`))
		}
		if err := os.WriteFile(filepath.Join(bad, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, err = exec.Command(node, filepath.Join(tool, "validate.js"), bad).CombinedOutput()
	// tableschema's own complaint: the schema's first field is not among the headers it read.
	if err == nil || !strings.Contains(string(out), "The column header name '统一社会信用代码' is missing") {
		t.Fatalf("a byte-order mark declared as utf-8 was not caught: %v\n%s", err, out)
	}
}
