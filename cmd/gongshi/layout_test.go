package main

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/gongshi/gongshi"

// isDevTool reports whether a package of this module is a development tool: the demo generator,
// the benchmarks, the load test and the temporary PostgreSQL and Redis (everything under a
// devtools/ folder), or a test-fixture package (named …test, like net/http/httptest).
func isDevTool(pkg string) bool {
	rel, ok := strings.CutPrefix(pkg, module+"/")
	if !ok {
		return false
	}
	if strings.HasPrefix(rel, "devtools/") || strings.Contains(rel, "/devtools/") {
		return true
	}
	last := rel[strings.LastIndex(rel, "/")+1:]
	return strings.HasSuffix(last, "test") && last != "test"
}

// isProduct reports whether a package of this module is product code: everything but the
// commands (which may wire the tools in) and the tools themselves.
func isProduct(pkg string) bool {
	rel, ok := strings.CutPrefix(pkg, module+"/")
	return ok && !strings.HasPrefix(rel, "cmd/") && !isDevTool(pkg)
}

func TestIsDevTool(t *testing.T) {
	for pkg, want := range map[string]bool{
		module + "/importer/devtools/demo":         true,
		module + "/importer/devtools/bench":        true,
		module + "/portal/devtools/pgtemp":         true,
		module + "/portal/devtools/loadtest":       true,
		module + "/importer/opendata/opendatatest": true,
		module + "/portal":                         false,
		module + "/portal/store":                   false,
		module + "/index/atomicfile":               false,
		module + "/importer/opendata":              false,
		"github.com/other/devtools/x":              false,
	} {
		if got := isDevTool(pkg); got != want {
			t.Errorf("isDevTool(%s) = %v, want %v", pkg, got, want)
		}
	}
	if isProduct(module+"/cmd/gongshi") || !isProduct(module+"/portal") || isProduct(module+"/portal/devtools/redistemp") {
		t.Error("isProduct: the command and the tools are not product code; portal is")
	}
}

// TestProductCodeLinksNoDevTool keeps the development tools out of what `gongshi serve` and
// `gongshi import` run: no non-test file of portal, importer or index may import one, directly
// or through another package. Only cmd/ and tests may.
func TestProductCodeLinksNoDevTool(t *testing.T) {
	// -deps=false: one line per package of the module, with its transitive non-test imports.
	out, err := exec.Command("go", "list", "-e", "-f", "{{.ImportPath}}{{range .Deps}} {{.}}{{end}}", module+"/...").Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	products, tools := 0, 0
	var cmdDeps []string
	for line := range strings.Lines(strings.TrimSpace(string(out))) {
		f := strings.Fields(line)
		pkg, deps := f[0], f[1:]
		switch {
		case isDevTool(pkg):
			tools++
			continue
		case pkg == module+"/cmd/gongshi":
			cmdDeps = deps
		}
		if !isProduct(pkg) {
			continue
		}
		products++
		for _, d := range deps {
			if isDevTool(d) {
				t.Errorf("%s links the development tool %s: only cmd/ and tests may import it", pkg, d)
			}
		}
	}
	// The check sees what it should: product packages, tool packages, and a command that does
	// link the tools (so a tool in the dependencies would be noticed).
	if products < 10 || tools < 5 {
		t.Fatalf("go list found %d product and %d tool packages; is the pattern right?", products, tools)
	}
	if !slices.Contains(cmdDeps, module+"/portal/devtools/loadtest") || !slices.Contains(cmdDeps, module+"/importer/devtools/demo") {
		t.Fatalf("cmd/gongshi does not link the load test and the demo generator: the dependency lists are not what this test expects")
	}
}
