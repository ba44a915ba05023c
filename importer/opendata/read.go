package opendata

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gongshi/gongshi/index"
)

// Root is the open-data folder of a data folder: DATA/opendata.
func Root(dd index.DataDir) string { return filepath.Join(string(dd), "opendata") }

// Files of the open-data folder and of each version folder.
const (
	CatalogName     = "catalog.json"
	DCATName        = "dcat.jsonld"
	SumsName        = "SHA256SUMS"
	DataPackageName = "datapackage.json"
	latestName      = "LATEST"
)

var dayPattern = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// ValidDay reports whether s is a real YYYY-MM-DD date.
func ValidDay(s string) bool {
	if !dayPattern.MatchString(s) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// VersionDir is the folder of one dated version of a dataset.
func VersionDir(root, list, day string) string { return filepath.Join(root, list, day) }

// Latest returns the day of a dataset's newest complete version ("" when none): the day in
// its LATEST file.
func Latest(root, list string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, list, latestName))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	day := strings.TrimSpace(string(b))
	if !ValidDay(day) {
		return "", fmt.Errorf("%s/%s names no day: %q", list, latestName, day)
	}
	return day, nil
}

// Behind reports whether the files need publishing for day: some list has no version of day
// yet, or its version of day was made from another generation than the one being served — an
// import switched generations and was stopped (killed) before its publication finished.
func Behind(root, day, generation string) bool {
	for _, l := range Lists() {
		latest, _ := Latest(root, l.Name)
		if latest < day {
			return true
		}
		if latest == day && generation != "" {
			dp, err := readDataPackage(VersionDir(root, l.Name, day))
			if err != nil || dp.Generation != generation {
				return true
			}
		}
	}
	return false
}

// Versions returns the days of a dataset's complete versions, newest first. A folder is
// complete when its SHA256SUMS exists: that file is written last.
func Versions(root, list string) []string {
	entries, _ := os.ReadDir(filepath.Join(root, list))
	var out []string
	for _, e := range entries {
		if !e.IsDir() || !ValidDay(e.Name()) {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, list, e.Name(), SumsName)); err == nil {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	slices.Reverse(out)
	return out
}

// Sums is a parsed SHA256SUMS file: the files of a version and their checksums, in order.
type Sums struct {
	Names []string
	SHA   map[string]string
}

// ReadSums reads a version folder's SHA256SUMS. Only the files it lists belong to the version;
// anything else in the folder (a temporary file left by a crash) is not published.
func ReadSums(dir string) (*Sums, error) {
	f, err := os.Open(filepath.Join(dir, SumsName))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := &Sums{SHA: map[string]string{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		sum, name, ok := strings.Cut(line, " ")
		if !ok || len(sum) != 64 {
			return nil, fmt.Errorf("%s: bad line %q", dir, line)
		}
		name = strings.TrimPrefix(strings.TrimPrefix(name, " "), "*")
		if name == "" || strings.ContainsAny(name, "/\\") || strings.HasPrefix(name, ".") {
			return nil, fmt.Errorf("%s: bad file name %q", dir, name)
		}
		s.Names = append(s.Names, name)
		s.SHA[name] = sum
	}
	return s, sc.Err()
}

// formatSums renders SHA256SUMS in the format `sha256sum -c` reads.
func formatSums(files []FileMeta) []byte {
	var b strings.Builder
	for _, f := range files {
		b.WriteString(f.SHA256 + "  " + f.Name + "\n")
	}
	return []byte(b.String())
}
