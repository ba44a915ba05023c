package report

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gongshi/gongshi/index"
)

// Options configure a Service.
type Options struct {
	Data index.DataDir // keys in DATA/report-keys, registry in DATA/reports.db
	// PublicURL is the portal's public origin ("https://gongshi.example.cn") for the QR code and
	// short URL printed on reports. It is configuration, never the request's Host header: a
	// forged Host must not put someone else's verify link on a signed report.
	PublicURL string
	Now       func() time.Time
	Overlay   index.Overlay
	Registry  Registry // default: SQLite at RegistryPath(Data)
	CacheSize int      // reports kept in memory (PDF bytes included); default 64
}

// Service issues, records and verifies reports.
type Service struct {
	opts    Options
	keys    *KeyRing
	reg     Registry
	overlay atomic.Value // overlayBox

	issueMu sync.Mutex // one issue at a time: a cache miss must not hand out two numbers
	cache   *lru

	issued    prometheus.Counter
	downloads *prometheus.CounterVec
}

type overlayBox struct{ index.Overlay }

// ErrEntityNotFound is returned for a code that names no entity.
var ErrEntityNotFound = errors.New("no entity with this code")

// Open opens the key folder (creating the first key) and the registry.
func Open(opts Options) (*Service, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.CacheSize <= 0 {
		opts.CacheSize = 64
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	if opts.PublicURL == "" {
		opts.PublicURL = "http://localhost"
	}
	keys, err := OpenKeyRing(KeyDir(opts.Data), opts.Now)
	if err != nil {
		return nil, fmt.Errorf("report keys: %w", err)
	}
	reg := opts.Registry
	if reg == nil {
		if reg, err = OpenSQLiteRegistry(RegistryPath(opts.Data)); err != nil {
			return nil, err
		}
	}
	s := &Service{opts: opts, keys: keys, reg: reg, cache: newLRU(opts.CacheSize),
		issued: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gongshi_reports_issued_total", Help: "Credit reports issued (new report numbers).",
		}),
		downloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongshi_report_downloads_total", Help: "Credit reports served, by format.",
		}, []string{"format"}),
	}
	ov := opts.Overlay
	if ov == nil {
		ov = index.NoOverlay{}
	}
	s.overlay.Store(overlayBox{ov})
	return s, nil
}

// Close closes the registry.
func (s *Service) Close() error { return s.reg.Close() }

// SetOverlay sets where decisions and pending objections come from (the portal's store).
func (s *Service) SetOverlay(ov index.Overlay) {
	if ov == nil {
		ov = index.NoOverlay{}
	}
	s.overlay.Store(overlayBox{ov})
}

// Keys is the key ring (public keys for /reports/public-key).
func (s *Service) Keys() *KeyRing { return s.keys }

// Collectors are the service's Prometheus metrics.
func (s *Service) Collectors() []prometheus.Collector {
	return []prometheus.Collector{s.issued, s.downloads}
}

// Served counts one report served in a format ("html", "pdf", "json").
func (s *Service) Served(format string) { s.downloads.WithLabelValues(format).Inc() }

// ShortURL is the absolute short link to a report's verify page, printed as the QR code.
func (s *Service) ShortURL(number string) string { return s.opts.PublicURL + "/r/" + number }

// Issued is one report with its files.
type Issued struct {
	Entry    *Entry
	Report   *Report
	Envelope Envelope
	JSON     []byte // report.json as issued
	PDF      []byte // the signed PDF as issued
}

func (s *Service) today() string { return s.opts.Now().In(index.ChinaTime).Format(time.DateOnly) }

// ParseAsOf checks the as_of parameter: a real day, not in the future, not before the earliest
// snapshot (before it the portal cannot know what was public). Empty means today.
func (s *Service) ParseAsOf(v string, info index.GenerationInfo) (string, error) {
	today := s.today()
	if v == "" {
		return today, nil
	}
	d, err := time.Parse(time.DateOnly, v)
	if err != nil || d.Format(time.DateOnly) != v {
		return "", &index.BadRequestError{Code: "bad_as_of", Message: "参数 as_of 应为日期，格式为 YYYY-MM-DD，例如 " + today + "。",
			MessageEN: "as_of must be a date as YYYY-MM-DD"}
	}
	if v > today {
		return "", &index.BadRequestError{Code: "as_of_in_future", Message: "as_of 不能晚于今天（" + today + "）：报告只能说明已经公示的信息。",
			MessageEN: "as_of must not be after today (" + today + ", China time)"}
	}
	if first := earliestSnapshot(info); first != "" && v < first {
		return "", &index.BadRequestError{Code: "as_of_before_data", Message: "as_of 不能早于本平台最早的数据快照日期 " + first + "：在此之前公示了什么，本平台无从得知。",
			MessageEN: "as_of must not be before the earliest snapshot date " + first}
	}
	return v, nil
}

func earliestSnapshot(info index.GenerationInfo) string {
	first := ""
	for _, s := range info.Snapshots {
		if s.SnapshotDate != "" && (first == "" || s.SnapshotDate < first) {
			first = s.SnapshotDate
		}
	}
	if first == "" {
		first = info.DataDate
	}
	return first
}

// Issue returns the report on an entity (any form of its code) as of a day (already checked
// with ParseAsOf): the same report again while data, decisions and key are unchanged,
// otherwise a new one with a new number, recorded before it is returned.
func (s *Service) Issue(ctx context.Context, g *index.Generation, input, asOf string) (*Issued, error) {
	code, err := g.ResolveCode(ctx, input)
	if err != nil {
		return nil, err
	}
	if code == "" {
		return nil, ErrEntityNotFound
	}
	ent, err := g.Docs.Entity(ctx, code)
	if err != nil {
		return nil, err
	}
	if ent == nil {
		return nil, ErrEntityNotFound
	}
	recs, err := g.Docs.RecordsOf(ctx, code)
	if err != nil {
		return nil, err
	}
	ov, err := s.overlayFor(ctx, recs)
	if err != nil {
		return nil, fmt.Errorf("overlay: %w", err)
	}
	keyID, err := s.keys.CurrentID()
	if err != nil {
		return nil, err
	}
	key := IssueKey{EntityCode: code, AsOf: asOf, GenerationID: g.Info.ID, OverlayVersion: ov.Version(), KeyID: keyID}
	if is := s.cache.get(key); is != nil {
		return is, nil
	}
	s.issueMu.Lock()
	defer s.issueMu.Unlock()
	if is := s.cache.get(key); is != nil {
		return is, nil
	}
	is, err := s.fromRegistry(ctx, key)
	if err != nil {
		return nil, err
	}
	if is == nil {
		in := Input{Entity: ent, Records: recs, Info: g.Info, Overlay: ov, AsOf: asOf}
		if is, err = s.issueNew(ctx, in); err != nil {
			return nil, err
		}
	}
	s.cache.put(key, is)
	return is, nil
}

// overlayFor keeps the overlay's entries about these records only: the fingerprint then
// changes with this entity's decisions, not with every decision anywhere.
func (s *Service) overlayFor(ctx context.Context, recs []*index.Record) (OverlayState, error) {
	ov := s.overlay.Load().(overlayBox).Overlay
	st := OverlayState{Hidden: map[string]string{}, Corrected: map[string]map[string]string{}, Pending: map[string]string{}}
	hidden, err := ov.Hidden(ctx)
	if err != nil {
		return st, err
	}
	corrected, err := ov.Corrected(ctx)
	if err != nil {
		return st, err
	}
	pending, err := ov.Pending(ctx)
	if err != nil {
		return st, err
	}
	for _, r := range recs {
		if v, ok := hidden[r.ID]; ok {
			st.Hidden[r.ID] = v
		}
		if v, ok := corrected[r.ID]; ok && len(v) > 0 {
			st.Corrected[r.ID] = v
		}
		if v, ok := pending[r.ID]; ok {
			st.Pending[r.ID] = v
		}
	}
	return st, nil
}

// numberAlphabet is Crockford's base32: no I, L, O or U, so a number read aloud or typed from
// paper is not mistaken.
const numberAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newNumber is "XY" + issue day + 8 random base32 characters (40 bits).
func newNumber(now time.Time) string {
	var b [8]byte
	rand.Read(b[:])
	out := []byte("XY" + now.In(index.ChinaTime).Format("20060102"))
	for _, x := range b {
		out = append(out, numberAlphabet[x&31])
	}
	return string(out)
}

// NormalizeNumber upper-cases a number typed by a person and reports whether it is well formed.
func NormalizeNumber(v string) (string, bool) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if len(v) != 18 || !strings.HasPrefix(v, "XY") {
		return v, false
	}
	for i, c := range v[2:] {
		if i < 8 && (c < '0' || c > '9') || i >= 8 && !strings.ContainsRune(numberAlphabet, c) {
			return v, false
		}
	}
	return v, true
}

func (s *Service) issueNew(ctx context.Context, in Input) (*Issued, error) {
	now := s.opts.Now().In(index.ChinaTime).Truncate(time.Second)
	for attempt := 0; ; attempt++ {
		number := newNumber(now)
		rep := Build(in, number, now.Format(time.RFC3339), s.ShortURL(number))
		is, err := s.files(rep)
		if err != nil {
			return nil, err
		}
		e := &Entry{Number: number, EntityCode: rep.Entity.Code, EntityName: rep.Entity.Name, AsOf: rep.AsOf,
			GenerationID: rep.Data.GenerationID, DataDate: rep.Data.DataDate, OverlayVersion: rep.Data.OverlayVersion,
			ContentHash: is.Envelope.Hash, KeyID: is.Envelope.KeyID, Signature: is.Envelope.Signature, Envelope: is.JSON, Created: now}
		err = s.reg.Insert(ctx, e)
		if errors.Is(err, ErrNumberTaken) && attempt < 5 {
			continue // 40 random bits a day: practically never
		}
		if err != nil {
			return nil, fmt.Errorf("record report: %w", err)
		}
		is.Entry = e
		if err := s.recordFiles(ctx, is); err != nil {
			return nil, err
		}
		s.issued.Inc()
		return is, nil
	}
}

// files signs a report and renders its JSON and PDF files.
func (s *Service) files(rep *Report) (*Issued, error) {
	js, env, err := seal(rep, s.keys)
	if err != nil {
		return nil, err
	}
	return s.pdfFor(&Issued{Report: rep, Envelope: env, JSON: js})
}

func (s *Service) pdfFor(is *Issued) (*Issued, error) {
	body, err := RenderPDF(is.Report, is.JSON, is.Envelope)
	if err != nil {
		return nil, err
	}
	if is.PDF, err = SignPDF(body, is.Report.Number, s.keys); err != nil {
		return nil, err
	}
	return is, nil
}

func (s *Service) recordFiles(ctx context.Context, is *Issued) error {
	for _, f := range []File{{Format: "json", SHA256: fileHash(is.JSON)}, {Format: "pdf", SHA256: fileHash(is.PDF)}} {
		if err := s.reg.AddFile(ctx, is.Entry.Number, f); err != nil {
			return fmt.Errorf("record report file: %w", err)
		}
	}
	return nil
}

// fromRegistry rebuilds an issued report after a restart from its recorded envelope; the PDF
// is rendered again (deterministically) and its hash recorded, which it normally is already.
func (s *Service) fromRegistry(ctx context.Context, key IssueKey) (*Issued, error) {
	e, err := s.reg.Find(ctx, key)
	if err != nil || e == nil {
		return nil, err
	}
	is, err := issuedFromEntry(e)
	if err != nil {
		return nil, err
	}
	if _, err := s.pdfFor(is); err != nil {
		return nil, err
	}
	return is, s.recordFiles(ctx, is)
}

func issuedFromEntry(e *Entry) (*Issued, error) {
	is := &Issued{Entry: e, JSON: e.Envelope, Report: &Report{}}
	if err := json.Unmarshal(e.Envelope, &is.Envelope); err != nil {
		return nil, fmt.Errorf("report %s: recorded envelope: %w", e.Number, err)
	}
	if err := json.Unmarshal(is.Envelope.Report, is.Report); err != nil {
		return nil, fmt.Errorf("report %s: recorded content: %w", e.Number, err)
	}
	return is, nil
}

// Lookup finds an issued report by number; nil when there is none.
func (s *Service) Lookup(ctx context.Context, number string) (*RecordInfo, error) {
	number, ok := NormalizeNumber(number)
	if !ok {
		return nil, nil
	}
	e, err := s.reg.Get(ctx, number)
	if err != nil || e == nil {
		return nil, err
	}
	is, err := issuedFromEntry(e)
	if err != nil {
		return nil, err
	}
	files, err := s.reg.Files(ctx, number)
	if err != nil {
		return nil, err
	}
	res, err := Verify(e.Envelope, s.keys.Trusted())
	if err != nil {
		return nil, err
	}
	return &RecordInfo{Entry: e, Report: is.Report, Envelope: is.Envelope, Files: files, SignatureOK: res.Match(), KeyStatus: res.KeyStatus}, nil
}

// RecordInfo is a recorded report for the verify page and the metadata API.
type RecordInfo struct {
	Entry       *Entry
	Report      *Report
	Envelope    Envelope
	Files       []File
	SignatureOK bool   // the recorded envelope verifies under the ring's keys now
	KeyStatus   string // "current", "retired" or "unknown"
}

// Check is the verify page's answer about a presented copy.
type Check struct {
	Result     *Result
	IssuedFile bool // byte for byte a file issued for this number
	Match      bool
	Problems   []string
}

// VerifyCopy compares a presented PDF or JSON copy with the recorded report: the copy must be
// a file issued for this number, or carry valid signatures over the recorded content.
func (s *Service) VerifyCopy(ctx context.Context, rec *RecordInfo, b []byte) (*Check, error) {
	res, err := Verify(b, s.keys.Trusted())
	if err != nil {
		return nil, err
	}
	c := &Check{Result: res, Problems: append([]string(nil), res.Problems...)}
	for _, f := range rec.Files {
		if f.SHA256 == res.FileSHA256 {
			c.IssuedFile = true
		}
	}
	if res.Number != "" && res.Number != rec.Entry.Number {
		c.Problems = append(c.Problems, "该文件是报告 "+res.Number+"，不是报告 "+rec.Entry.Number+"。")
	} else if res.HashOK && res.Hash != rec.Entry.ContentHash {
		c.Problems = append(c.Problems, "文件内容与签发记录中的内容不同。")
	}
	// Signatures over the recorded content make a copy genuine even if its bytes were rendered
	// again (e.g. by a newer release); whether it is byte for byte an issued file is shown too.
	c.Match = res.Match() && res.Number == rec.Entry.Number && res.Hash == rec.Entry.ContentHash
	if c.Match {
		c.Problems = nil
	} else if !c.IssuedFile {
		c.Problems = append(c.Problems, "文件的 SHA-256 与本报告签发的任何文件都不相同。")
	}
	return c, nil
}

// IssuedPerDay counts the reports issued per day over the last days days, oldest first,
// including days without any.
func (s *Service) IssuedPerDay(ctx context.Context, days int) ([]DayCount, error) {
	if days <= 0 {
		days = 30
	}
	today := s.opts.Now().In(index.ChinaTime)
	since := today.AddDate(0, 0, -(days - 1)).Format(time.DateOnly)
	got, err := s.reg.IssuedPerDay(ctx, since)
	if err != nil {
		return nil, err
	}
	by := map[string]int{}
	for _, d := range got {
		by[d.Day] = d.Count
	}
	out := make([]DayCount, 0, days)
	for i := days - 1; i >= 0; i-- {
		day := today.AddDate(0, 0, -i).Format(time.DateOnly)
		out = append(out, DayCount{Day: day, Count: by[day]})
	}
	return out, nil
}

// lru is a small bounded cache of issued reports (PDF bytes included), most recent kept.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List // of *lruItem, front = most recent
	items map[IssueKey]*list.Element
}

type lruItem struct {
	key IssueKey
	is  *Issued
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: map[IssueKey]*list.Element{}}
}

func (c *lru) get(k IssueKey) *Issued {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		c.order.MoveToFront(el)
		return el.Value.(*lruItem).is
	}
	return nil
}

func (c *lru) put(k IssueKey, is *Issued) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		el.Value.(*lruItem).is = is
		c.order.MoveToFront(el)
		return
	}
	c.items[k] = c.order.PushFront(&lruItem{key: k, is: is})
	for c.order.Len() > c.max {
		old := c.order.Back()
		c.order.Remove(old)
		delete(c.items, old.Value.(*lruItem).key)
	}
}
