package opendata_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
)

// shaclTool returns node and the folder of the DCAT-AP validator (testdata/shacl/validate.mjs,
// its npm packages pinned in package-lock.json), installing the packages when missing. It
// needs node and npm; without them it fails rather than skips, except with -short.
func shaclTool(t *testing.T) (node, dir string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the DCAT-AP check runs node")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed for the DCAT-AP check (Debian: apt-get install nodejs npm)")
	}
	dir, _ = filepath.Abs(filepath.Join("testdata", "shacl"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "rdf-validate-shacl", "package.json")); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			t.Fatal("npm is needed to install the DCAT-AP validator (Debian: apt-get install npm)")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	return node, dir
}

type shaclResult struct {
	File, Shapes, Severity, Focus, Path, Value, Message, Shape, Component string
}

type shaclCounts struct {
	File            string `json:"file"`
	Triples         int    `json:"triples"`
	TriplesWithBase int    `json:"triples_with_base"`
}

// validateDCAT runs the validator on files and returns its results and, per file, the triples
// read without and with a base IRI. The validator's exit status only says whether it found
// anything; a file without its line of counts means it did not finish.
func validateDCAT(t *testing.T, files ...string) ([]shaclResult, map[string]shaclCounts) {
	t.Helper()
	node, dir := shaclTool(t)
	var stderr bytes.Buffer
	cmd := exec.Command(node, append([]string{filepath.Join(dir, "validate.mjs")}, files...)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil && cmd.ProcessState.ExitCode() != 1 {
		t.Fatalf("validate.mjs: %v\n%s", err, stderr.Bytes())
	}
	var results []shaclResult
	counts := map[string]shaclCounts{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var line struct {
			Result *shaclResult `json:"result"`
			shaclCounts
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("validate.mjs printed %q: %v", sc.Bytes(), err)
		}
		if line.Result != nil {
			results = append(results, *line.Result)
		} else {
			counts[line.File] = line.shaclCounts
		}
	}
	for _, f := range files {
		if _, ok := counts[f]; !ok {
			t.Fatalf("validate.mjs did not finish %s:\n%s\n%s", f, out, stderr.Bytes())
		}
	}
	return results, counts
}

const (
	spdxNS = "http://spdx.org/rdf/terms#"
	dctNS  = "http://purl.org/dc/terms/"
	dcatNS = "http://www.w3.org/ns/dcat#"
)

// acceptedSHACL are the only results the published catalogue may give, each with the reason it
// is right as it is. Any other result, of any severity, fails the test.
var acceptedSHACL = []struct {
	shapes, severity, path, focusSuffix, why string
}{
	{"mdr-vocabularies.shape.ttl", "Violation", spdxNS + "algorithm", "",
		"the shape wants an algorithm IRI starting https://spdx.org/rdf/terms, but the SPDX terms (and DCAT-AP 3.0.1's own JSON-LD context) are http://spdx.org/rdf/terms#: spdx:checksumAlgorithm_sha256 is the right term, and ranges.ttl, range.ttl and dcat-ap-SHACL.ttl accept it"},
	{"mdr-vocabularies.shape.ttl", "Warning", dctNS + "publisher", "",
		"the publisher is not an institution of the EU, so it has no term in the EU corporate-body table"},
	{"shapes_recommended.ttl", "Warning", dcatNS + "startDate", "",
		"a list holds every record still public, some published years ago; the catalogue states the end of the period (the snapshot date), not the oldest record's date"},
	{"shapes_recommended.ttl", "Warning", dcatNS + "bbox", "/country/CHN",
		"the spatial coverage is the EU country table's term for China, whose geometry is the table's"},
	{"shapes_recommended.ttl", "Warning", dcatNS + "centroid", "/country/CHN",
		"as bbox"},
	{"shapes_recommended.ttl", "Warning", dctNS + "type", "/data/#publisher",
		"the kind of publisher (ADMS publisher type) depends on who runs the portal, which the configuration does not say"},
	{"shapes_recommended.ttl", "Warning", dctNS + "issued", "/data/dcat.jsonld",
		"when the catalogue was first published is not kept: retention prunes the oldest versions"},
}

func acceptedResult(r shaclResult) bool {
	for _, a := range acceptedSHACL {
		if r.Shapes == a.shapes && r.Severity == a.severity && r.Path == a.path && strings.HasSuffix(r.Focus, a.focusSuffix) {
			return true
		}
	}
	return false
}

// TestDCATAPShapes validates the dcat.jsonld that Publish writes, with the public URL set and
// with the default, against the official DCAT-AP 3.0.1 SHACL shapes, and checks that a
// JSON-LD processor reads every triple of it without a base IRI. Doctored copies show that the
// check catches what it is for: a relative IRI, a format given as text, a checksum not typed
// xsd:hexBinary.
func TestDCATAPShapes(t *testing.T) {
	dir := t.TempDir()
	set, _ := published(t, opendata.Options{BaseURL: "https://gongshi.example.org/"})
	def, _ := published(t, opendata.Options{})
	read := func(dd index.DataDir) []byte {
		b, err := os.ReadFile(filepath.Join(opendata.Root(dd), opendata.DCATName))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	withURL, withDefault := read(set), read(def)
	if bytes.Contains(withURL, []byte("localhost")) || !bytes.Contains(withDefault, []byte(`"`+opendata.DefaultPublicURL+`/data/dcat.jsonld"`)) {
		t.Fatalf("the public URL does not reach dcat.jsonld:\n%.600s\n%.600s", withURL, withDefault)
	}

	// Doctored: one dataset's IRI made relative, the CSV's format a literal, its checksum a string.
	bad := bytes.Replace(withURL, []byte(`"@id": "https://gongshi.example.org/data/blacklist/"`), []byte(`"@id": "/data/blacklist/"`), 1)
	var doc map[string]any
	if err := json.Unmarshal(bad, &doc); err != nil {
		t.Fatal(err)
	}
	var damaged int
	for _, d := range doc["dcat:dataset"].([]any) {
		for _, x := range d.(map[string]any)["dcat:distribution"].([]any) {
			dist := x.(map[string]any)
			if strings.HasSuffix(dist["@id"].(string), "/blacklist.csv.gz") {
				dist["dct:format"] = "CSV"
				sum := dist["spdx:checksum"].(map[string]any)
				sum["spdx:checksumValue"] = sum["spdx:checksumValue"].(map[string]any)["@value"]
				damaged++
			}
		}
	}
	if damaged != 1 || bytes.Equal(bad, withURL) {
		t.Fatalf("doctoring the catalogue changed %d distributions", damaged)
	}
	bad, _ = json.Marshal(doc)

	files := map[string][]byte{"set.jsonld": withURL, "default.jsonld": withDefault, "bad.jsonld": bad}
	var paths []string
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	results, counts := validateDCAT(t, paths...)

	for _, name := range []string{"set.jsonld", "default.jsonld"} {
		c := counts[filepath.Join(dir, name)]
		// 8 datasets of 7 distributions each, with their vocabulary: well over a thousand.
		if c.Triples < 1000 || c.Triples != c.TriplesWithBase {
			t.Errorf("%s: %d triples without a base IRI, %d with one", name, c.Triples, c.TriplesWithBase)
		}
	}
	for _, r := range results {
		if filepath.Base(r.File) != "bad.jsonld" && !acceptedResult(r) {
			t.Errorf("%s: %s %s: %s %s %s: %s (%s)", filepath.Base(r.File), r.Shapes, r.Severity, r.Focus, r.Path, r.Value, r.Message, r.Shape)
		}
	}

	c := counts[filepath.Join(dir, "bad.jsonld")]
	if c.Triples >= c.TriplesWithBase {
		t.Errorf("a relative dataset IRI went unnoticed: %d triples without a base, %d with one", c.Triples, c.TriplesWithBase)
	}
	caught := map[string]bool{}
	for _, r := range results {
		if filepath.Base(r.File) == "bad.jsonld" && r.Severity == "Violation" && !acceptedResult(r) {
			caught[r.Path] = true
		}
	}
	if !caught[dctNS+"format"] || !caught[spdxNS+"checksumValue"] {
		t.Errorf("the shapes did not catch a literal format or an untyped checksum: %v", caught)
	}
}
