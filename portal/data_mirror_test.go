package portal

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/importer/opendata/opendatatest"
)

// mirrorScript is the daily mirror the README and the /data/ page give: it asks latest/ which
// version is newest (the id in the name of its change file), downloads that version's folder
// from its immutable URLs and checks it.
const mirrorScript = `V=$(wget -qO- "$S/$L/latest/SHA256SUMS" | sed -n 's/^[0-9a-f]*  changes-\(.*\)\.jsonl$/\1/p') &&
mkdir -p "$L/$V" && cd "$L/$V" && wget -q -nc "$S/$L/$V/SHA256SUMS" &&
sed "s|^[0-9a-f]*  |$S/$L/$V/|" SHA256SUMS | wget -q -nc -i - && sha256sum -c --strict SHA256SUMS`

// TestDataMirrorScript runs the mirror line with the real wget, sed and sha256sum, before and
// after a second publication on the same day.
func TestDataMirrorScript(t *testing.T) {
	for _, tool := range []string{"bash", "wget", "sed", "sha256sum"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip("no " + tool)
		}
	}
	s, ts, _ := openDataServer(t, opendata.Options{})
	dir := t.TempDir()
	mirror := func(wantVersion string) {
		t.Helper()
		cmd := exec.Command("bash", "-c", mirrorScript)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "S="+ts.URL+"/data", "L=blacklist")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("mirror: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "blacklist-"+wantVersion+".csv.gz: OK") {
			t.Errorf("mirror of %s:\n%s", wantVersion, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "blacklist", wantVersion, "changes-"+wantVersion+".jsonl")); err != nil {
			t.Error(err)
		}
	}
	mirror("2026-11-22")
	ov := opendatatest.Overlay{PendingIDs: map[string]string{opendatatest.BlacklistID(3, "2025-03-10"): "2026-11-22"}}
	if _, err := opendata.Publish(context.Background(), s.cfg.Data, "2026-11-22", ov, s.openDataOptions()); err != nil {
		t.Fatal(err)
	}
	mirror("2026-11-22.2")
	mirror("2026-11-22.2") // again: nothing to fetch, still verified
}
