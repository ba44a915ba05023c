package portal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/importer/opendata"
)

// openDataOptions are Config.OpenData with the defaults filled in. The files apply the same
// decisions and pending objections as pages and search: the server's overlay (s.overlay).
func (s *Server) openDataOptions() opendata.Options {
	o := s.cfg.OpenData
	if o.Now == nil {
		o.Now = s.cfg.Now
	}
	o.Defaults()
	return o
}

func (s *Server) openDataRoot() string { return opendata.Root(s.cfg.Data) }

// listNamePattern is the only shape a dataset name in a URL may have; anything else (dots,
// slashes, encoded traversal) is answered 404 before the file system is touched.
var listNamePattern = regexp.MustCompile(`^[a-z-]{1,32}$`)

// dataset resolves the {list} of a URL.
func dataset(name string) (opendata.List, bool) {
	if !listNamePattern.MatchString(name) {
		return opendata.List{}, false
	}
	return opendata.ListByName(name)
}

// versionDay resolves {version|latest} of a URL to a published version id (2026-11-22,
// 2026-11-22.2, …).
func (s *Server) versionDay(list, version string) (string, bool) {
	if version == "latest" {
		id, err := opendata.Latest(s.openDataRoot(), list)
		return id, err == nil && id != ""
	}
	return version, opendata.ValidVersion(version)
}

// dataFile: GET /data/{list}/{version|latest}/{file}. Only a file listed in its folder's
// SHA256SUMS is served (SHA256SUMS itself aside), and only while its bytes have that checksum:
// a temporary file, one left by a crash, or one damaged on disk never is. Range, If-Range,
// If-None-Match and If-Modified-Since come from http.ServeContent;
// the ETag is the file's SHA-256, the same one catalog.json and SHA256SUMS give.
func (s *Server) dataFile(c *gin.Context) {
	version, file := c.Param("version"), c.Param("file")
	l, ok := dataset(c.Param("list"))
	if !ok || file == "" || strings.ContainsAny(file, `/\`) || strings.HasPrefix(file, ".") {
		s.noRoute(c)
		return
	}
	day, ok := s.versionDay(l.Name, version)
	if !ok {
		s.noRoute(c)
		return
	}
	dir := opendata.VersionDir(s.openDataRoot(), l.Name, day)
	sums, err := opendata.ReadSums(dir)
	if err != nil {
		s.noRoute(c)
		return
	}
	name := file
	if version == "latest" {
		name = opendata.DatedName(l.Name, day, file)
	}
	var sum string
	var body []byte
	if name == opendata.SumsName {
		if body, err = os.ReadFile(filepath.Join(dir, name)); err != nil {
			s.noRoute(c)
			return
		}
		h := sha256.Sum256(body)
		sum = hex.EncodeToString(h[:])
	} else if sum, ok = sums.SHA[name]; !ok {
		s.noRoute(c)
		return
	}
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		s.noRoute(c) // removed by retention since SHA256SUMS was read
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		s.noRoute(c)
		return
	}
	if body == nil && !publishedFiles.matches(f, fi, sum) {
		// Not the bytes SHA256SUMS promises (truncated or changed on disk after publication):
		// never served under that checksum.
		s.log.Error("open-data file does not match its SHA256SUMS; not served", "file", filepath.Join(dir, name))
		s.noRoute(c)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", dataContentType(name))
	h.Set("Content-Disposition", contentDisposition(name))
	h.Set("ETag", `"`+sum+`"`)
	h.Set("X-Content-SHA256", sum)
	if version == "latest" {
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("Link", `<`+opendata.DataURL(l.Name, day, name)+`>; rel="canonical"`)
	} else {
		// A version's files never change: a later publication, even on the same day, is a new
		// version under its own id, and a pruned version's URLs answer 404 rather than other bytes.
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	}
	if body != nil {
		http.ServeContent(c.Writer, c.Request, name, fi.ModTime(), bytes.NewReader(body))
		return
	}
	http.ServeContent(c.Writer, c.Request, name, fi.ModTime(), f)
}

// dataContentType is the media type of a published file. Gzip files are served as what they
// are (application/gzip, no Content-Encoding), so that clients save them unchanged and the
// checksum matches; their real type is in the file name.
func dataContentType(name string) string {
	switch {
	case strings.HasSuffix(name, ".gz"):
		return "application/gzip"
	case strings.HasSuffix(name, ".xlsx"):
		return opendata.MediaXLSX
	case strings.HasSuffix(name, ".csv"):
		return "text/csv; charset=utf-8"
	case strings.HasSuffix(name, ".jsonl"):
		return "application/x-ndjson; charset=utf-8"
	case strings.HasSuffix(name, ".jsonld"):
		return "application/ld+json; charset=utf-8"
	case strings.HasSuffix(name, ".json"):
		return "application/json; charset=utf-8"
	}
	return "text/plain; charset=utf-8"
}

// contentDisposition names the saved file: its name in SHA256SUMS and datapackage.json, the
// dated one also under latest/, so that `sha256sum -c SHA256SUMS` finds what a browser, `wget
// --content-disposition` or `curl -OJ` saved. There is no filename* with the list's Chinese
// title: clients prefer it, and a file saved under it is one the checksum file does not name
// (the title is in catalog.json instead). Descriptors and checksums open in the browser; data
// files download.
func contentDisposition(name string) string {
	kind := "attachment"
	if name == opendata.SumsName || name == opendata.DataPackageName {
		kind = "inline"
	}
	return kind + `; filename="` + name + `"`
}

// serveRootFile serves catalog.json or dcat.jsonld with an ETag of its content.
func (s *Server) serveRootFile(c *gin.Context, name string) {
	path := filepath.Join(s.openDataRoot(), name)
	body, err := os.ReadFile(path)
	fi, serr := os.Stat(path)
	if err != nil || serr != nil {
		abortError(c, errorOf(msgNoOpenData))
		return
	}
	h := sha256.Sum256(body)
	c.Header("Content-Type", dataContentType(name))
	c.Header("ETag", `"`+hex.EncodeToString(h[:])+`"`)
	c.Header("Cache-Control", "public, max-age=300")
	http.ServeContent(c.Writer, c.Request, name, fi.ModTime(), bytes.NewReader(body))
}

// dataCatalog: GET /data/catalog.json
func (s *Server) dataCatalog(c *gin.Context) { s.serveRootFile(c, opendata.CatalogName) }

// dataDCAT: GET /data/dcat.jsonld
func (s *Server) dataDCAT(c *gin.Context) { s.serveRootFile(c, opendata.DCATName) }

// dataFolderRedirect: GET /data/{list} and /data/{list}/{version} — to the folder with its
// trailing slash, but only for names that exist: anything else is simply not found.
func (s *Server) dataFolderRedirect(c *gin.Context) {
	l, ok := dataset(c.Param("list"))
	target := "/data/" + l.Name + "/"
	if v := c.Param("version"); ok && v != "" {
		_, ok = s.versionDay(l.Name, v)
		target += v + "/"
	}
	if !ok {
		s.noRoute(c)
		return
	}
	c.Redirect(http.StatusMovedPermanently, target)
}

// dataVersions: GET /data/{list}/ — the dataset's versions as JSON; browsers go to its section
// of the /data/ page.
func (s *Server) dataVersions(c *gin.Context) {
	s.dataIndex(c, "")
}

// dataVersionIndex: GET /data/{list}/{day|latest}/ — one version's files as JSON.
func (s *Server) dataVersionIndex(c *gin.Context) {
	s.dataIndex(c, c.Param("version"))
}

func (s *Server) dataIndex(c *gin.Context, version string) {
	l, ok := dataset(c.Param("list"))
	if !ok {
		s.noRoute(c)
		return
	}
	day := ""
	if version != "" {
		if day, ok = s.versionDay(l.Name, version); !ok && version != "latest" {
			s.noRoute(c)
			return
		}
	}
	c.Header("Vary", "Accept")
	cat, err := opendata.ReadCatalog(s.openDataRoot())
	var ds *opendata.Dataset
	var ver *opendata.Version
	if err == nil {
		for i := range cat.Datasets {
			if cat.Datasets[i].Name == l.Name {
				ds = &cat.Datasets[i]
			}
		}
	}
	if ds != nil && day != "" {
		for i := range ds.Versions {
			if ds.Versions[i].ID == day {
				ver = &ds.Versions[i]
			}
		}
	}
	found := ds != nil && (version == "" || ver != nil)
	if wantsHTML(c) {
		s.renderFolder(c, l, version, ds, ver, found)
		return
	}
	switch {
	case !found:
		abortError(c, errorOf(msgListNotPublished))
	case ver == nil:
		c.JSON(http.StatusOK, ds)
	default:
		v := *ver
		if version == "latest" {
			v.URL = opendata.DataURL(l.Name, "latest") + "/"
		}
		c.JSON(http.StatusOK, v)
	}
}

// dataModTime is the catalog's age, for the /data/ page.
func (s *Server) dataModTime() time.Time {
	fi, err := os.Stat(filepath.Join(s.openDataRoot(), opendata.CatalogName))
	if err != nil {
		return time.Time{}
	}
	return fi.ModTime()
}

// publishedFiles remembers which published files were checked against their SHA256SUMS line.
var publishedFiles = &fileChecks{m: map[fileKey]*fileCheck{}}

// fileChecks hashes each published file once, on its first download, and remembers the answer
// for as long as the file keeps its size and modification time (a republished version is a new
// file). Concurrent first downloads of one file wait for one hash.
type fileChecks struct {
	mu sync.Mutex
	m  map[fileKey]*fileCheck
}

type fileKey struct {
	path, sum string
	size, mod int64
}

type fileCheck struct {
	once sync.Once
	ok   bool
}

// maxFileChecks bounds the memory: 30 versions of 8 lists with 6 files each fit many times.
const maxFileChecks = 10000

func (fc *fileChecks) matches(f *os.File, fi os.FileInfo, sum string) bool {
	k := fileKey{path: f.Name(), sum: sum, size: fi.Size(), mod: fi.ModTime().UnixNano()}
	fc.mu.Lock()
	e := fc.m[k]
	if e == nil {
		if len(fc.m) >= maxFileChecks {
			clear(fc.m)
		}
		e = &fileCheck{}
		fc.m[k] = e
	}
	fc.mu.Unlock()
	e.once.Do(func() {
		h := sha256.New()
		_, err := io.Copy(h, io.NewSectionReader(f, 0, fi.Size()))
		e.ok = err == nil && hex.EncodeToString(h.Sum(nil)) == sum
	})
	return e.ok
}
