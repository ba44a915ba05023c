package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
)

// TestImportPublicURL: the public URL given to an import, by --public-url or GONGSHI_PUBLIC_URL,
// is where every IRI of the catalogue it publishes points; without one they point to the
// default; a URL that is not absolute is refused before anything is imported.
func TestImportPublicURL(t *testing.T) {
	importWith := func(env string, args ...string) (string, string, error) {
		data := t.TempDir()
		cmd := exec.Command(binary, append(append([]string{"import", "--data", data, "--max-rejected", "0.5"}, args...), fixture)...)
		cmd.Env = append(os.Environ(), "GONGSHI_PUBLIC_URL="+env)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		return data, out.String(), err
	}
	dcatOf := func(data string) string {
		b, err := os.ReadFile(filepath.Join(opendata.Root(index.DataDir(data)), opendata.DCATName))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, c := range []struct {
		name, env string
		args      []string
		want      string
	}{
		{"flag", "https://env.example.org", []string{"--public-url", "https://gongshi.example.org/"}, "https://gongshi.example.org"},
		{"environment", "https://env.example.org", nil, "https://env.example.org"},
		{"default", "", nil, opendata.DefaultPublicURL},
	} {
		data, out, err := importWith(c.env, c.args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, out)
		}
		d := dcatOf(data)
		if !strings.Contains(d, `"@id": "`+c.want+`/data/dcat.jsonld"`) || strings.Count(d, `"/data/`) != 0 {
			t.Errorf("%s: dcat.jsonld is not under %s:\n%.500s", c.name, c.want, d)
		}
		for _, other := range []string{"https://gongshi.example.org", "https://env.example.org", opendata.DefaultPublicURL} {
			if other != c.want && strings.Contains(d, other) {
				t.Errorf("%s: dcat.jsonld mentions %s", c.name, other)
			}
		}
		if !strings.Contains(out, "IRIs under "+c.want) {
			t.Errorf("%s: the import does not say where the IRIs point:\n%s", c.name, out)
		}
	}

	data, out, err := importWith("", "--public-url", "gongshi.example.org")
	if err == nil || !strings.Contains(out, "--public-url") {
		t.Fatalf("a relative public URL was accepted: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(data, "current")); !os.IsNotExist(err) {
		t.Errorf("a refused public URL still imported: %v", err)
	}
}
