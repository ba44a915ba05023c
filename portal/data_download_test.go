package portal

import (
	"bufio"
	"bytes"
	"mime"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer/opendata"
)

// savedName is the name a browser or `wget --content-disposition` saves an answer under:
// filename* when there is one (RFC 6266 says clients prefer it), else filename, else the last
// segment of the URL.
func savedName(t *testing.T, url, cd string) string {
	t.Helper()
	if cd == "" {
		return url[strings.LastIndexByte(url, '/')+1:]
	}
	_, params, err := mime.ParseMediaType(cd)
	if err != nil {
		t.Fatalf("%s: Content-Disposition %q: %v", url, cd, err)
	}
	// mime.ParseMediaType decodes filename* into "filename", so a filename* would show here.
	return params["filename"]
}

// TestDataDownloadsPassSha256sum: every file of a version, fetched from the dated folder and
// from latest/ under the short names, saved under the name the server gives it, passes
// `sha256sum -c SHA256SUMS` in the download folder.
func TestDataDownloadsPassSha256sum(t *testing.T) {
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("no sha256sum")
	}
	_, ts, _ := openDataServer(t, opendata.Options{})
	for _, folder := range []string{"/data/blacklist/2026-11-22/", "/data/penalties/latest/"} {
		dir := t.TempDir()
		save := func(u string) string {
			res, body := get(t, ts.URL+u)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d", u, res.StatusCode)
			}
			name := savedName(t, u, res.Header.Get("Content-Disposition"))
			if err := os.WriteFile(filepath.Join(dir, name), body, 0o644); err != nil {
				t.Fatal(err)
			}
			return name
		}
		if got := save(folder + opendata.SumsName); got != opendata.SumsName {
			t.Fatalf("SHA256SUMS saved as %q", got)
		}
		sums, _ := os.ReadFile(filepath.Join(dir, opendata.SumsName))
		sc := bufio.NewScanner(bytes.NewReader(sums))
		n := 0
		for sc.Scan() {
			name := sc.Text()[66:]
			u := folder + name
			if strings.HasSuffix(folder, "/latest/") {
				// The short names under latest/, as the /data/ page links them.
				u = folder + opendata.StableName("penalties", "2026-11-22", name)
			}
			if got := save(u); got != name {
				t.Errorf("%s saved as %q, SHA256SUMS says %q", u, got, name)
			}
			n++
		}
		if n != 5 {
			t.Errorf("%s: %d files in SHA256SUMS", folder, n)
		}
		cmd := exec.Command("sha256sum", "-c", "--strict", opendata.SumsName)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("%s: sha256sum -c: %v\n%s", folder, err, out)
		}
	}
}
