package portal

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/importer/opendata"
)

// dataPage is the /data/ page: what is published, under which licence, when it changes, how
// to verify it, and every dataset's columns and versions.
type dataPage struct {
	Licence, LicenceURL, Publisher string
	Retention                      int
	Published                      bool
	Modified                       time.Time
	SnapshotDate                   string
	Datasets                       []dataSetView
	SiteBase                       string // for the command examples
	ExampleDay                     string // a published day of the blacklist, for the examples
	// Folder is set on a folder's page (/data/{list}/ or /data/{list}/{day|latest}/): only
	// that dataset's files and versions are shown.
	Folder *dataSetView
	// FolderDay is the version a folder page shows ("" for the list of versions).
	FolderDay string
}

type dataSetView struct {
	opendata.List
	Latest      string
	LatestURL   string
	FeedURL     string
	ChangesURL  string
	LatestFiles []dataFileView
	Versions    []dataVersionView
	Columns     []opendata.Column
	Notes       []string
}

type dataFileView struct {
	Label, Name, URL, Size, Rows, SHA256 string
}

type dataVersionView struct {
	Day, URL, Rows string
	Files          []dataFileView
}

// pageData: GET /data/
func (s *Server) pageData(c *gin.Context) {
	v := s.dataPageView(c)
	s.render(c, http.StatusOK, "data", layoutView{Title: "开放数据", Section: "data",
		Description: "全部公示名单的批量下载：CSV、JSON Lines、Excel，带校验和、数据包描述和每日变更。", Data: v})
}

// renderFolder shows a dataset folder to a browser: the files of one version, or the versions.
// The URL stays as it is (scripts and people share the same links); an unknown version is a 404
// page that says what there is instead.
func (s *Server) renderFolder(c *gin.Context, l opendata.List, version string, ds *opendata.Dataset, ver *opendata.Version, found bool) {
	v := s.dataPageView(c)
	for i := range v.Datasets {
		if v.Datasets[i].Name == l.Name {
			v.Folder = &v.Datasets[i]
		}
	}
	status := http.StatusOK
	if !found {
		status = http.StatusNotFound
		v.Folder.Versions = nil // the page says so, and links the newest version
	}
	if ver != nil {
		v.FolderDay = ver.ID
		for _, vv := range v.Folder.Versions {
			if vv.Day == ver.ID {
				v.Folder.Versions = []dataVersionView{vv}
			}
		}
	}
	title := l.Label + " · 开放数据"
	if version != "" {
		title = l.Label + " · " + version
	}
	s.render(c, status, "data", layoutView{Title: title, Section: "data", Description: l.About, Data: v})
}

// dataPageView gathers what the /data/ page shows.
func (s *Server) dataPageView(c *gin.Context) dataPage {
	opts := s.openDataOptions()
	v := dataPage{Licence: opts.Licence, LicenceURL: opts.LicenceURL, Publisher: opts.Publisher, Retention: opts.Retention,
		Modified: s.dataModTime()}
	cat, err := opendata.ReadCatalog(s.openDataRoot())
	byName := map[string]opendata.Dataset{}
	if err == nil {
		v.Published, v.SnapshotDate = true, cat.SnapshotDate
		for _, ds := range cat.Datasets {
			byName[ds.Name] = ds
		}
	}
	for _, l := range opendata.Lists() {
		dv := dataSetView{List: l, Columns: opendata.Columns(l.Type), FeedURL: "/feeds/" + l.Name + ".atom",
			ChangesURL: "/api/v1/changes?list=" + l.Name, LatestURL: opendata.DataURL(l.Name, "latest") + "/"}
		ds := byName[l.Name]
		dv.Latest = ds.Latest
		for _, ver := range ds.Versions {
			vv := dataVersionView{Day: ver.ID, URL: ver.URL, Rows: formatNumber(ver.Rows)}
			for _, f := range ver.Files {
				vv.Files = append(vv.Files, dataFileView{Label: fileLabel(f.Name), Name: f.Name, URL: f.URL, Size: byteSize(f.Bytes), SHA256: f.SHA256})
			}
			dv.Versions = append(dv.Versions, vv)
			if ver.ID != ds.Latest {
				continue
			}
			dv.Notes = ver.Notes
			for _, f := range ver.Files {
				fv := dataFileView{Label: fileLabel(f.Name), Name: opendata.StableName(l.Name, ver.ID, f.Name),
					Size: byteSize(f.Bytes), SHA256: f.SHA256}
				fv.URL = opendata.DataURL(l.Name, "latest", fv.Name)
				if f.Rows != nil && f.Name != opendata.SumsName {
					fv.Rows = formatNumber(*f.Rows)
				}
				dv.LatestFiles = append(dv.LatestFiles, fv)
			}
		}
		v.Datasets = append(v.Datasets, dv)
	}
	v.SiteBase, v.ExampleDay = s.siteBase(c), "YYYY-MM-DD"
	if d := byName["blacklist"].Latest; d != "" {
		v.ExampleDay = d
	}
	return v
}

func fileLabel(name string) string {
	switch {
	case len(name) > 7 && name[len(name)-7:] == ".csv.gz":
		return "CSV（gzip）"
	case len(name) > 9 && name[len(name)-9:] == ".jsonl.gz":
		return "JSON Lines（gzip）"
	case len(name) > 5 && name[len(name)-5:] == ".xlsx":
		return "Excel"
	case len(name) > 8 && name[:8] == "changes-", name == "changes.jsonl":
		return "变更"
	case name == opendata.DataPackageName:
		return "数据包描述"
	case name == opendata.SumsName:
		return "校验和"
	}
	return name
}

// byteSize formats a size the way people read it (KB = 1024 bytes).
func byteSize(n int64) string {
	switch {
	case n < 1024:
		return strconv.FormatInt(n, 10) + " B"
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GB", float64(n)/(1<<30))
}
