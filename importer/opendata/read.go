package opendata

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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

// A version id names one publication of a dataset: the China day it was published for, and
// for every further publication on that day a sequence number from 2 (2026-11-22,
// 2026-11-22.2, 2026-11-22.3, …). The first of a day keeps the bare day, so that links to
// /data/{list}/{day}/ made before there could be several versions a day still find it.
// Published versions never change: a new import on the same day is a new id.
var versionPattern = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:\.([2-9]|[1-9][0-9]{1,3}))?$`)

// ValidVersion reports whether s is a version id: a real day, optionally .N with N ≥ 2.
func ValidVersion(s string) bool {
	m := versionPattern.FindStringSubmatch(s)
	return m != nil && ValidDay(m[1])
}

// VersionDay is the day of a version id (the id itself when it has no sequence).
func VersionDay(id string) string {
	day, _, _ := strings.Cut(id, ".")
	return day
}

// versionSeq is the sequence of a version id within its day: 1 for the bare day.
func versionSeq(id string) int {
	_, seq, ok := strings.Cut(id, ".")
	if !ok {
		return 1
	}
	n, err := strconv.Atoi(seq)
	if err != nil {
		return 1
	}
	return n
}

// CompareVersions orders version ids by day, then sequence: 2026-11-22 < 2026-11-22.2 <
// 2026-11-22.10 < 2026-11-23 (plain string order would put .10 before .2; `sort -V` agrees
// with this order).
func CompareVersions(a, b string) int {
	if c := strings.Compare(VersionDay(a), VersionDay(b)); c != 0 {
		return c
	}
	return versionSeq(a) - versionSeq(b)
}

// versionID is the id of the seq-th version of day.
func versionID(day string, seq int) string {
	if seq <= 1 {
		return day
	}
	return day + "." + strconv.Itoa(seq)
}

// VersionDir is the folder of one version of a dataset.
func VersionDir(root, list, version string) string { return filepath.Join(root, list, version) }

// Latest returns the id of a dataset's newest complete version ("" when none): the id in its
// LATEST file.
func Latest(root, list string) (string, error) {
	b, err := os.ReadFile(filepath.Join(root, list, latestName))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	id := strings.TrimSpace(string(b))
	if !ValidVersion(id) {
		return "", fmt.Errorf("%s/%s names no version: %q", list, latestName, id)
	}
	return id, nil
}

// Behind reports whether the files need publishing for day: some list has no version of day
// yet, or its version of day was made from another generation than the one being served — an
// import switched generations and was stopped (killed) before its publication finished.
func Behind(root, day, generation string) bool {
	for _, l := range Lists() {
		latest, _ := Latest(root, l.Name)
		if latest == "" || VersionDay(latest) < day {
			return true
		}
		if VersionDay(latest) == day && generation != "" {
			dp, err := readDataPackage(VersionDir(root, l.Name, latest))
			if err != nil || dp.Generation != generation {
				return true
			}
		}
	}
	return false
}

// Versions returns the ids of a dataset's complete versions, newest first. A folder is
// complete when its SHA256SUMS exists: that file is written last.
func Versions(root, list string) []string {
	entries, _ := os.ReadDir(filepath.Join(root, list))
	var out []string
	for _, e := range entries {
		if !e.IsDir() || !ValidVersion(e.Name()) {
			continue
		}
		if _, err := os.Stat(filepath.Join(root, list, e.Name(), SumsName)); err == nil {
			out = append(out, e.Name())
		}
	}
	slices.SortFunc(out, func(a, b string) int { return CompareVersions(b, a) })
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
