package loadtest

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // the generation's docs.db

	"github.com/gongshi/gongshi/importer/devtools/bench"
	"github.com/gongshi/gongshi/importer/opendata"
	"github.com/gongshi/gongshi/index"
)

// searchClasses are the query classes of the search share and their weights: what people type
// into a company register's search box, drawn from the index's own names and codes by the
// benchmark's generators.
var searchClasses = []struct {
	class  string
	weight float64
}{
	{bench.ClassNameExact, 20}, // a full name copied from a document
	{bench.ClassFrag2, 20},     // a brand, e.g. 华为
	{bench.ClassFrag4, 20},     // the distinctive part of a name
	{bench.ClassDistinctive, 10},
	{bench.ClassPinyin, 10},
	{bench.ClassFrag1, 5}, // the broadest and most expensive queries
	{bench.ClassTraditional, 5},
	{bench.ClassCode, 10}, // a USCC
}

// Pool is everything the targeter draws from, collected before the attack.
type Pool struct {
	Codes     []string // entity codes sampled from the store
	Queries   []string // search texts, in proportion to searchClasses
	Provinces []string // two-digit region prefixes seen in the sample, for search filters
	Frag2     []string // two-character name fragments (brands such as 华为): broad searches
	Lists     []string // /lists/… paths with filters and cursors
	Downloads []Download
}

// Download is one /data/ request: a path and, for Range and conditional requests, a header.
type Download struct {
	Path   string
	Size   int64  // bytes of the file, 0 for metadata whose size is not in the catalog
	ETag   string // for If-None-Match
	Whole  bool   // may be fetched whole (not larger than the limit)
	Ranged bool   // a data file: a Range request makes sense
}

// SampleEntities reads up to n distinct entities at random positions of a generation's
// document store (opened read-only; the server may be reading it at the same time).
func SampleEntities(ctx context.Context, docsPath string, n int, seed uint64) ([]bench.Named, []string, error) {
	db, err := sql.Open("sqlite", "file:"+docsPath+"?mode=ro&_pragma=busy_timeout(10000)&_pragma=query_only(1)")
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	var maxRow sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(rowid) FROM entities`).Scan(&maxRow); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", docsPath, err)
	}
	if !maxRow.Valid || maxRow.Int64 == 0 {
		return nil, nil, fmt.Errorf("%s: no entities", docsPath)
	}
	stmt, err := db.PrepareContext(ctx, `SELECT code, doc FROM entities WHERE rowid >= ? ORDER BY rowid LIMIT 1`)
	if err != nil {
		return nil, nil, err
	}
	defer stmt.Close()
	rng := rand.New(rand.NewPCG(seed, 0x656e74)) // "ent"
	seen := map[string]bool{}
	var out []bench.Named
	provSeen := map[string]bool{}
	var provinces []string
	for tries := 0; len(out) < n && tries < 3*n; tries++ {
		var code string
		var doc []byte
		err := stmt.QueryRowContext(ctx, 1+rng.Int64N(maxRow.Int64)).Scan(&code, &doc)
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if seen[code] {
			continue
		}
		var e struct{ Name, Region string }
		if json.Unmarshal(doc, &e) != nil || e.Name == "" {
			continue
		}
		seen[code] = true
		out = append(out, bench.Named{Code: code, Name: e.Name})
		if len(e.Region) >= 2 && !provSeen[e.Region[:2]] {
			provSeen[e.Region[:2]] = true
			provinces = append(provinces, e.Region[:2])
		}
	}
	sort.Strings(provinces)
	return out, provinces, nil
}

// drawQueries draws about total search texts over searchClasses.
func drawQueries(ents []bench.Named, total int, seed uint64) []string {
	sum := 0.0
	for _, c := range searchClasses {
		sum += c.weight
	}
	var out []string
	for _, c := range searchClasses {
		n := int(float64(total)*c.weight/sum + 0.5)
		out = append(out, bench.DrawQueries(ents, c.class, n, seed)...)
	}
	return out
}

// fetchJSON GETs base+path into v.
func fetchJSON(ctx context.Context, c *http.Client, base, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	if err != nil {
		return err
	}
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// listPage is the part of /api/v1/lists/{list} the pool needs.
type listPage struct {
	Total  uint64 `json:"total"`
	Facets map[string][]struct {
		Value string `json:"value"`
		Count int    `json:"count"`
	} `json:"facets"`
	NextCursor string `json:"next_cursor"`
}

// maxPages is how deep the pool pages into a list (cursor pages 2…maxPages).
const maxPages = 5

// listTargets asks the server for every list's first page and facets and returns list-page
// paths: unfiltered, filtered by each of the largest facet values (region, year, authority,
// state) and by a name fragment, and later pages of these through their cursors.
func listTargets(ctx context.Context, c *http.Client, base string, frags []string, rng *rand.Rand) ([]string, error) {
	var out []string
	for _, l := range index.Lists {
		var first listPage
		if err := fetchJSON(ctx, c, base, "/api/v1/lists/"+l.Name, &first); err != nil {
			return nil, err
		}
		if first.Total == 0 {
			continue
		}
		filters := []url.Values{{}}
		for _, facet := range []string{"region", "year", "authority", "state"} {
			vals := first.Facets[facet]
			sort.SliceStable(vals, func(i, j int) bool { return vals[i].Count > vals[j].Count })
			for i, v := range vals {
				if i >= 4 || v.Value == "" {
					break
				}
				filters = append(filters, url.Values{facet: {v.Value}})
			}
		}
		for i := 0; i < 3 && len(frags) > 0; i++ {
			filters = append(filters, url.Values{"name": {frags[rng.IntN(len(frags))]}})
		}
		for i, f := range filters {
			out = append(out, "/lists/"+l.Name+query(f))
			// Later pages: follow the cursors of the unfiltered list and of every third filter.
			if i%3 != 0 {
				continue
			}
			p := url.Values{}
			for k, v := range f {
				p[k] = v
			}
			for page := 2; page <= maxPages; page++ {
				var pg listPage
				if err := fetchJSON(ctx, c, base, "/api/v1/lists/"+l.Name+query(p), &pg); err != nil {
					return nil, err
				}
				if pg.NextCursor == "" {
					break
				}
				p.Set("cursor", pg.NextCursor)
				out = append(out, "/lists/"+l.Name+query(p))
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("every list is empty")
	}
	return out, nil
}

func query(v url.Values) string {
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// downloadTargets reads the catalog and returns the files of every list's latest version:
// data files (whole when at most wholeMax bytes, else only by Range), changes, datapackage.json
// and SHA256SUMS, plus the catalog itself.
func downloadTargets(ctx context.Context, c *http.Client, base string, wholeMax int64) ([]Download, error) {
	var cat opendata.Catalog
	if err := fetchJSON(ctx, c, base, "/data/catalog.json", &cat); err != nil {
		return nil, fmt.Errorf("open data catalog: %w", err)
	}
	out := []Download{{Path: "/data/catalog.json", Whole: true}}
	for _, ds := range cat.Datasets {
		if len(ds.Versions) == 0 {
			continue
		}
		v := ds.Versions[0]
		for _, f := range v.Files {
			d := Download{Path: "/data/" + ds.Name + "/latest/" + Undated(ds.Name, v.ID, f.Name), Size: f.Bytes, ETag: `"` + f.SHA256 + `"`}
			d.Whole = f.Bytes <= wholeMax
			d.Ranged = f.Rows != nil && f.Bytes > 0
			out = append(out, d)
		}
		out = append(out, Download{Path: "/data/" + ds.Name + "/latest/SHA256SUMS", Whole: true})
	}
	if len(out) == 1 {
		return nil, fmt.Errorf("the open data catalog lists no files")
	}
	return out, nil
}

// Undated is the name of a version's file under /data/{list}/latest/ (the inverse of
// opendata.DatedName): penalties-2026-11-22.2.csv.gz → penalties.csv.gz.
func Undated(list, version, name string) string {
	for _, ext := range []string{".csv.gz", ".jsonl.gz", ".xlsx"} {
		if name == list+"-"+version+ext {
			return list + ext
		}
	}
	if name == "changes-"+version+".jsonl" {
		return "changes.jsonl"
	}
	return name
}

// rangeChunk is the size of one Range request: a resumed or parallel download's piece.
const rangeChunk = 64 << 10

// targeter draws every request from the pool; safe for vegeta's concurrent workers.
type targeter struct {
	mu   sync.Mutex
	rng  *rand.Rand
	mix  Mix
	base string
	pool *Pool
}

// next fills method, URL and header of the next request.
func (t *targeter) next() (string, http.Header) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pool
	switch t.mix.Pick(t.rng.Float64()) {
	case CatSearch:
		v := url.Values{"q": {p.Queries[t.rng.IntN(len(p.Queries))]}}
		if len(p.Provinces) > 0 && t.rng.IntN(10) == 0 {
			v.Set("region", p.Provinces[t.rng.IntN(len(p.Provinces))]) // a filtered search
		}
		path := "/search?"
		if t.rng.IntN(2) == 0 {
			path = "/api/v1/search?"
		}
		return t.base + path + v.Encode(), nil
	case CatEntity:
		return t.base + "/entities/" + p.Codes[t.rng.IntN(len(p.Codes))], nil
	case CatList:
		return t.base + p.Lists[t.rng.IntN(len(p.Lists))], nil
	}
	path, h := downloadRequest(p, t.rng)
	return t.base + path, h
}

// downloadRequest draws one /data/ request: a tenth conditional (a harvester that has the
// version already: 304), most of the rest a 64 KiB Range of a data file, the others whole.
func downloadRequest(p *Pool, rng *rand.Rand) (string, http.Header) {
	d := p.Downloads[rng.IntN(len(p.Downloads))]
	h := http.Header{}
	r := rng.IntN(10)
	switch {
	case r < 1 && d.ETag != "": // a harvester that has this version already: 304
		h.Set("If-None-Match", d.ETag)
	case d.Ranged && (r < 6 || !d.Whole): // a piece of a data file
		off := int64(0)
		if d.Size > rangeChunk {
			off = rng.Int64N(d.Size - rangeChunk)
		}
		h.Set("Range", fmt.Sprintf("bytes=%d-%d", off, off+rangeChunk-1))
	case !d.Whole: // too big to fetch whole and not a data file: its first piece
		h.Set("Range", fmt.Sprintf("bytes=0-%d", rangeChunk-1))
	}
	return d.Path, h
}

// BuildPool samples the store and asks the server for list cursors and the download catalog.
func BuildPool(ctx context.Context, c *http.Client, base, docsPath string, sample int, seed uint64, wholeMax int64) (*Pool, error) {
	ents, provinces, err := SampleEntities(ctx, docsPath, sample, seed)
	if err != nil {
		return nil, err
	}
	if len(ents) == 0 {
		return nil, fmt.Errorf("%s: no entity sampled", docsPath)
	}
	p := &Pool{Provinces: provinces}
	for _, e := range ents {
		p.Codes = append(p.Codes, e.Code)
	}
	p.Queries = drawQueries(ents, max(1000, sample/4), seed)
	if len(p.Queries) == 0 {
		return nil, fmt.Errorf("no search query could be drawn")
	}
	frags := bench.DrawQueries(ents, bench.ClassFrag2, 20, seed+1)
	if p.Frag2 = bench.DrawQueries(ents, bench.ClassFrag2, 200, seed+2); len(p.Frag2) == 0 {
		return nil, fmt.Errorf("no two-character fragment could be drawn")
	}
	rng := rand.New(rand.NewPCG(seed, 0x6c697374)) // "list"
	if p.Lists, err = listTargets(ctx, c, base, frags, rng); err != nil {
		return nil, err
	}
	if p.Downloads, err = downloadTargets(ctx, c, base, wholeMax); err != nil {
		return nil, err
	}
	return p, nil
}

// describe says what the pool holds, for the log.
func (p *Pool) describe() string {
	ranged := 0
	for _, d := range p.Downloads {
		if d.Ranged {
			ranged++
		}
	}
	return strings.Join([]string{
		fmt.Sprintf("%d entity codes", len(p.Codes)),
		fmt.Sprintf("%d search queries", len(p.Queries)),
		fmt.Sprintf("%d list pages", len(p.Lists)),
		fmt.Sprintf("%d downloads (%d data files)", len(p.Downloads), ranged),
	}, ", ")
}
