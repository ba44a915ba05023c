package opendata

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/atomicfile"
)

// Catalog is DATA/opendata/catalog.json: every dataset, every kept version and every file
// with its checksum, size and row count, for scripts that mirror or verify the open data.
type Catalog struct {
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Publisher   string    `json:"publisher"`
	Licence     string    `json:"licence"`
	LicenceURL  string    `json:"licence_url,omitempty"`
	Modified    time.Time `json:"modified"`
	// BaseURL is the site's public URL: the url fields below are paths on that site, and every
	// IRI in dcat.jsonld starts with it.
	BaseURL      string    `json:"base_url"`
	Generation   string    `json:"generation"`
	SnapshotDate string    `json:"snapshot_date"`
	Retention    int       `json:"retention"` // dated versions kept per dataset
	Schedule     string    `json:"schedule"`
	Datasets     []Dataset `json:"datasets"`
}

// Dataset is one list in the catalog.
type Dataset struct {
	Name        string           `json:"name"`
	Type        index.RecordType `json:"type"`
	Title       string           `json:"title"`
	TitleEN     string           `json:"title_en"`
	Description string           `json:"description"`
	Latest      string           `json:"latest"`     // id of the newest version
	LatestURL   string           `json:"latest_url"` // folder that always serves the newest version
	ChangesURL  string           `json:"changes_url"`
	FeedURL     string           `json:"feed_url"`
	Versions    []Version        `json:"versions"` // newest first
}

// Version is one published version of a dataset. Its files never change once published.
type Version struct {
	ID           string        `json:"version"` // 2026-11-22, then 2026-11-22.2, … for more publications that day
	Day          string        `json:"day"`     // China day it was published for
	Previous     string        `json:"previous_version,omitempty"`
	SnapshotDate string        `json:"snapshot_date"`
	Generation   string        `json:"generation"`
	URL          string        `json:"url"`
	Rows         int           `json:"rows"`
	Notes        []string      `json:"notes,omitempty"`
	Files        []CatalogFile `json:"files"`
}

// CatalogFile is one downloadable file. Rows is absent for metadata files.
type CatalogFile struct {
	Name         string    `json:"name"`  // also the name it downloads under and the one in SHA256SUMS
	Title        string    `json:"title"` // a Chinese title for people: 失信名单-2026-11-22.csv.gz
	URL          string    `json:"url"`
	Format       string    `json:"format"`
	MediaType    string    `json:"media_type"`
	SHA256       string    `json:"sha256"`
	Bytes        int64     `json:"bytes"`
	Rows         *int      `json:"rows,omitempty"`
	Modified     time.Time `json:"modified"`
	SnapshotDate string    `json:"snapshot_date"`
	Day          string    `json:"day"`
	Version      string    `json:"version"`
	Licence      string    `json:"licence"`
	Publisher    string    `json:"publisher"`
}

// Schedule says when the files change, for the catalog and the /data/ page.
const Schedule = "Regenerated after every import and daily at 00:05 China time (expired records drop out)."

// DataURL is the site path of a file or folder under /data/.
func DataURL(parts ...string) string { return "/data/" + strings.Join(parts, "/") }

// ReadCatalog reads DATA/opendata/catalog.json.
func ReadCatalog(root string) (*Catalog, error) {
	b, err := os.ReadFile(filepath.Join(root, CatalogName))
	if err != nil {
		return nil, err
	}
	var c Catalog
	return &c, json.Unmarshal(b, &c)
}

// buildCatalog describes every complete version on disk.
func buildCatalog(root string, opts *Options, info index.GenerationInfo) (*Catalog, error) {
	c := &Catalog{
		Title:       "公示 · 企业信用信息开放数据 (gongshi open data)",
		Description: "Every public list of gongshi as dated, checksummed downloads: CSV (UTF-8 with BOM), JSON Lines, XLSX, with a Frictionless datapackage.json, SHA256SUMS and the changes since the previous version.",
		Publisher:   opts.Publisher, Licence: opts.Licence, LicenceURL: opts.LicenceURL,
		Modified: opts.Now().UTC().Truncate(time.Second), BaseURL: opts.PublicBase(), Generation: info.ID, SnapshotDate: info.DataDate,
		Retention: opts.Retention, Schedule: Schedule, Datasets: []Dataset{},
	}
	for _, l := range Lists() {
		ds := Dataset{Name: l.Name, Type: l.Type, Title: l.Label, TitleEN: l.LabelEN, Description: l.About,
			LatestURL: DataURL(l.Name, "latest") + "/", ChangesURL: "/api/v1/changes?list=" + l.Name,
			FeedURL: "/feeds/" + l.Name + ".atom", Versions: []Version{}}
		ds.Latest, _ = Latest(root, l.Name)
		for _, id := range Versions(root, l.Name) {
			v, err := describeVersion(root, l, id, opts)
			if err != nil {
				continue // removed by retention meanwhile, or damaged: not offered
			}
			ds.Versions = append(ds.Versions, *v)
		}
		c.Datasets = append(c.Datasets, ds)
	}
	return c, nil
}

func describeVersion(root string, l List, id string, opts *Options) (*Version, error) {
	dir := VersionDir(root, l.Name, id)
	sums, err := ReadSums(dir)
	if err != nil {
		return nil, err
	}
	dp, err := readDataPackage(dir)
	if err != nil {
		return nil, err
	}
	res := map[string]dpResource{}
	for _, r := range dp.Resources {
		res[r.Path] = r
	}
	day := dp.Day
	if day == "" {
		day = VersionDay(id)
	}
	v := &Version{ID: id, Day: day, Previous: dp.Previous, SnapshotDate: dp.SnapshotDate, Generation: dp.Generation, URL: DataURL(l.Name, id) + "/",
		Notes: dp.Notes, Files: []CatalogFile{}}
	add := func(name, sum, format, media string, rows *int) error {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		v.Files = append(v.Files, CatalogFile{Name: name, Title: FileTitle(l, id, name), URL: DataURL(l.Name, id, name), Format: format, MediaType: media,
			SHA256: sum, Bytes: fi.Size(), Rows: rows, Modified: fi.ModTime().UTC().Truncate(time.Second), SnapshotDate: dp.SnapshotDate,
			Day: day, Version: id, Licence: opts.Licence, Publisher: opts.Publisher})
		return nil
	}
	for _, name := range sums.Names {
		r, ok := res[name]
		format, media := r.Format, r.Mediatype
		if !ok { // the descriptor itself
			format, media = "json", "application/json"
		}
		if err := add(name, sums.SHA[name], format, media, r.Rows); err != nil {
			return nil, err
		}
		if strings.HasSuffix(name, ".csv.gz") && r.Rows != nil {
			v.Rows = *r.Rows
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, SumsName))
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(b)
	lines := strings.Count(string(b), "\n")
	if err := add(SumsName, hex.EncodeToString(h[:]), "text", "text/plain", &lines); err != nil {
		return nil, err
	}
	return v, nil
}

// writeCatalog rewrites catalog.json and dcat.jsonld.
func writeCatalog(root string, opts *Options, info index.GenerationInfo) (*Catalog, error) {
	c, err := buildCatalog(root, opts, info)
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	if _, _, err := writeFileAtomic(filepath.Join(root, CatalogName), b); err != nil {
		return nil, err
	}
	if b, err = json.MarshalIndent(dcat(c, opts), "", "  "); err != nil {
		return nil, err
	}
	if _, _, err := writeFileAtomic(filepath.Join(root, DCATName), b); err != nil {
		return nil, err
	}
	return c, atomicfile.SyncDir(root)
}

// FileTitle is a file's name for people: the list's Chinese title in place of its ASCII name
// (失信名单-2026-11-22.csv.gz). Files download under their ASCII name, the one SHA256SUMS and
// datapackage.json use, so that `sha256sum -c` finds what a browser or wget saved.
func FileTitle(l List, version, name string) string {
	if rest, ok := strings.CutPrefix(name, l.Name+"-"+version); ok {
		return l.Label + "-" + version + rest
	}
	return name
}

// stableName is a file's name under latest/: the day left out ({list}-{day}.csv.gz →
// {list}.csv.gz), so scripts can fetch the newest version from one URL.
func stableName(list, day, name string) string {
	if rest, ok := strings.CutPrefix(name, list+"-"+day); ok {
		return list + rest
	}
	if rest, ok := strings.CutPrefix(name, "changes-"+day); ok {
		return "changes" + rest
	}
	return name
}

// StableName is exported for the portal, which resolves the names back.
func StableName(list, day, name string) string { return stableName(list, day, name) }

// DatedName maps a name under latest/ back to the file of the version; names that are
// already dated (or not data files) come back unchanged.
func DatedName(list, day, name string) string {
	for _, ext := range []string{".csv.gz", ".jsonl.gz", ".xlsx"} {
		if name == list+ext {
			return list + "-" + day + ext
		}
	}
	if name == "changes.jsonl" {
		return "changes-" + day + ".jsonl"
	}
	return name
}
