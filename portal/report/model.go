package report

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/region"
)

// Format names the report content version and prefixes its signed message.
const Format = "gongshi-report-v1"

// Issuer is who signs the reports.
const Issuer = "公示（gongshi）企业信用信息公开平台"

// Report is the content of a credit report. Every field is always present (no omitempty) so
// that the shape, and thus the canonical bytes, depends only on the data.
type Report struct {
	Format      string       `json:"format"`
	Number      string       `json:"number"`
	Title       string       `json:"title"`
	Issuer      string       `json:"issuer"`
	GeneratedAt string       `json:"generated_at"` // RFC 3339, China time
	AsOf        string       `json:"as_of"`
	VerifyURL   string       `json:"verify_url"`
	Data        DataVersion  `json:"data_version"`
	Entity      Entity       `json:"entity"`
	ListStatus  []ListStatus `json:"list_status"`
	Sections    []Section    `json:"sections"`
	Objections  []Objection  `json:"pending_objections"`
	Corrections []Correction `json:"corrections"`
	Sources     []Source     `json:"data_sources"`
	Coverage    Coverage     `json:"coverage"`
}

// DataVersion names the data the report was built from.
type DataVersion struct {
	GenerationID string `json:"generation_id"`
	DataDate     string `json:"data_date"`
	// OverlayVersion fingerprints the decisions and pending objections applied to this entity's
	// records ("none" when there are none).
	OverlayVersion string `json:"overlay_version"`
}

// Entity is the registration basics.
type Entity struct {
	Code        string   `json:"code"`
	Name        string   `json:"name"`
	Status      string   `json:"status"`
	EntityType  string   `json:"entity_type"`
	RegionName  string   `json:"region_name"`
	FormerNames []string `json:"former_names"`
	Fields      []Field  `json:"fields"`
	Source      Source   `json:"source"`
}

// Field is one labelled value, in the schema's order.
type Field struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Value string `json:"value"`
}

// ListStatus is the entity's standing on one list on as_of.
type ListStatus struct {
	List    string      `json:"list"` // record type
	Label   string      `json:"label"`
	Listed  bool        `json:"listed"`
	Summary string      `json:"summary"`
	History []ListEvent `json:"history"` // listings and removals up to as_of, oldest first
}

// ListEvent is one listing, with its removal if that happened by as_of.
type ListEvent struct {
	RecordID         string `json:"record_id"`
	ListDate         string `json:"list_date"`
	Authority        string `json:"authority"`
	Reason           string `json:"reason"`
	Removed          string `json:"removed"`
	RemovalAuthority string `json:"removal_authority"`
	RemovalReason    string `json:"removal_reason"`
}

// Section is the public records of one type.
type Section struct {
	Type    string   `json:"type"`
	Label   string   `json:"label"`
	Records []Record `json:"records"`
}

// Record is one public record as the report shows it.
type Record struct {
	ID        string `json:"id"`
	Title     string `json:"title"`
	Date      string `json:"date"`
	DateLabel string `json:"date_label"`
	// PublicUntil is the last day of publication; empty means open-ended, explained by
	// PublicUntilNote.
	PublicUntil      string  `json:"public_until"`
	PublicUntilNote  string  `json:"public_until_note"`
	Removed          string  `json:"removed"` // removal from a list, if by as_of
	Fields           []Field `json:"fields"`
	PendingObjection string  `json:"pending_objection"` // day a reviewer accepted (受理) an objection still being reviewed
	CorrectionNote   string  `json:"correction_note"`
	Source           Source  `json:"source"`
}

// Objection is a pending objection on a record in the report.
type Objection struct {
	RecordID    string `json:"record_id"`
	RecordType  string `json:"record_type"`
	RecordTitle string `json:"record_title"`
	Filed       string `json:"filed"`
	Note        string `json:"note"`
}

// Correction is a decision noted on a record in the report.
type Correction struct {
	RecordID    string `json:"record_id"`
	RecordTitle string `json:"record_title"`
	Note        string `json:"note"`
}

// Source is a snapshot the data came from.
type Source struct {
	Publisher    string `json:"publisher"`
	SnapshotDate string `json:"snapshot_date"`
}

// Coverage says in plain language what the report covers and what it does not.
type Coverage struct {
	Covers   []string `json:"covers"`
	Excludes []string `json:"excludes"`
}

// Input is everything a report is built from.
type Input struct {
	Entity  *index.Entity
	Records []*index.Record // every record of the entity in the generation, public or not
	Info    index.GenerationInfo
	Overlay OverlayState
	AsOf    string
}

// OverlayState is the part of the overlay about one entity's records.
type OverlayState struct {
	Hidden    map[string]string            `json:"hidden"`
	Corrected map[string]map[string]string `json:"corrected"`
	Pending   map[string]string            `json:"pending"`
}

// Version fingerprints the state: a decision or objection on any of the entity's records
// changes it, and with it the cache key and the report number.
func (o OverlayState) Version() string {
	if len(o.Hidden)+len(o.Corrected)+len(o.Pending) == 0 {
		return "none"
	}
	b, _ := Canonical(o)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// listTypes are the lists whose status the report states, most serious first.
var listTypes = []index.RecordType{index.TypeBlacklist, index.TypeAbnormal, index.TypeDishonestDebtor, index.TypeRedlist}

// removalKeys are the fields of a removal, blanked when the removal came after as_of.
var removalKeys = []string{"removal_date", "removal_reason", "removal_authority"}

// Build assembles the report content. It is pure: the same input gives the same report.
func Build(in Input, number, generatedAt, verifyURL string) *Report {
	asOf := in.AsOf
	e := in.Entity
	rep := &Report{
		Format: Format, Number: number, Title: "企业信用报告", Issuer: Issuer,
		GeneratedAt: generatedAt, AsOf: asOf, VerifyURL: verifyURL,
		Data: DataVersion{GenerationID: in.Info.ID, DataDate: in.Info.DataDate, OverlayVersion: in.Overlay.Version()},
		Entity: Entity{Code: e.Code, Name: e.Name, Status: e.Status, EntityType: e.EntityType,
			RegionName: region.FullName(e.Region), FormerNames: nonNil(e.FormerNames), Fields: []Field{},
			Source: Source(e.Source)},
		ListStatus: []ListStatus{}, Sections: []Section{}, Objections: []Objection{}, Corrections: []Correction{},
		Sources: []Source{},
	}
	for _, f := range index.SchemaOf(index.TypeEntity).Fields {
		if v := e.Fields[f.Key]; v != "" && f.Key != "former_names" {
			rep.Entity.Fields = append(rep.Entity.Fields, Field{Key: f.Key, Label: f.Label, Value: v})
		}
	}

	var shown []*index.Record
	for _, r := range in.Records {
		if r.Type == index.TypeEntity {
			continue
		}
		if _, hidden := in.Overlay.Hidden[r.ID]; hidden {
			continue // revoked or repaired: no longer public, not even for an earlier day
		}
		r = corrected(r, in.Overlay.Corrected[r.ID])
		if r.Date != "" && r.Date > asOf {
			continue // decided or listed after as_of
		}
		if r.PublicUntil != "" && asOf > r.PublicUntil {
			continue // publication had ended
		}
		if r.Removed != "" && r.Removed > asOf {
			r = withoutRemoval(r) // the removal had not happened yet on as_of
		}
		shown = append(shown, r)
	}
	order := map[index.RecordType]int{}
	for i, t := range index.RecordTypes {
		order[t] = i
	}
	sort.SliceStable(shown, func(i, j int) bool {
		a, b := shown[i], shown[j]
		if order[a.Type] != order[b.Type] {
			return order[a.Type] < order[b.Type]
		}
		if a.Date != b.Date {
			return a.Date > b.Date
		}
		return a.ID < b.ID
	})

	for _, r := range shown {
		rr := recordOf(r)
		if filed := in.Overlay.Pending[r.ID]; filed != "" && filed <= asOf {
			rr.PendingObjection = filed
			rep.Objections = append(rep.Objections, Objection{RecordID: r.ID, RecordType: r.Type.Label(), RecordTitle: rr.Title,
				Filed: filed, Note: "存在异议，异议处理中（" + filed + " 受理），该记录的内容可能被更正或撤销。"})
		}
		if note := in.Overlay.Corrected[r.ID]["correction_note"]; note != "" {
			rr.CorrectionNote = note
			rep.Corrections = append(rep.Corrections, Correction{RecordID: r.ID, RecordTitle: rr.Title, Note: note})
		}
		if n := len(rep.Sections); n == 0 || rep.Sections[n-1].Type != string(r.Type) {
			rep.Sections = append(rep.Sections, Section{Type: string(r.Type), Label: r.Type.Label(), Records: []Record{}})
		}
		sec := &rep.Sections[len(rep.Sections)-1]
		sec.Records = append(sec.Records, rr)
	}
	for _, t := range listTypes {
		rep.ListStatus = append(rep.ListStatus, listStatus(t, shown, asOf))
	}

	snaps := append([]index.SnapshotRef(nil), in.Info.Snapshots...)
	sort.SliceStable(snaps, func(i, j int) bool { return snaps[i].SnapshotDate < snaps[j].SnapshotDate })
	seen := map[Source]bool{}
	for _, s := range snaps {
		src := Source{Publisher: s.Publisher, SnapshotDate: s.SnapshotDate}
		if !seen[src] {
			seen[src] = true
			rep.Sources = append(rep.Sources, src)
		}
	}
	rep.Coverage = coverage(asOf, in.Info)
	return rep
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// corrected applies a 更正 decision to a copy of the record. A corrected date or end of
// publication moves the record in time as well.
func corrected(r *index.Record, fix map[string]string) *index.Record {
	if len(fix) == 0 {
		return r
	}
	c := *r
	c.Fields = make(map[string]string, len(r.Fields))
	for k, v := range r.Fields {
		c.Fields[k] = v
	}
	sc := index.SchemaOf(r.Type)
	for k, v := range fix {
		if k == "correction_note" {
			continue
		}
		c.Fields[k] = v
		switch {
		case sc != nil && k == sc.DateKey:
			c.Date = v
		case k == "public_until":
			c.PublicUntil = v
		case k == "removal_date":
			c.Removed = v
		}
	}
	return &c
}

func withoutRemoval(r *index.Record) *index.Record {
	c := *r
	c.Removed = ""
	c.Fields = make(map[string]string, len(r.Fields))
	for k, v := range r.Fields {
		c.Fields[k] = v
	}
	for _, k := range removalKeys {
		delete(c.Fields, k)
	}
	return &c
}

// reportSkip are fields shown elsewhere in a record: the subject (the report is about it), the
// end of publication, and the date field (Record.Date).
var reportSkip = map[string]bool{"code": true, "name": true, "public_until": true}

func recordOf(r *index.Record) Record {
	sc := index.SchemaOf(r.Type)
	out := Record{ID: r.ID, Title: r.Title(), Date: r.Date, PublicUntil: r.PublicUntil, Removed: r.Removed,
		Fields: []Field{}, Source: Source(r.Source)}
	dateKey := ""
	if sc != nil {
		dateKey = sc.DateKey
		if f := sc.Field(dateKey); f != nil {
			out.DateLabel = f.Label
		}
	}
	if r.Type == index.TypeRedlist {
		// Dated by its year only; the importer's 1 January is not a decision date.
		dateKey, out.Date, out.DateLabel = "year", r.Fields["year"], "公示年度"
	}
	if sc != nil {
		for _, f := range sc.Fields {
			if reportSkip[f.Key] || f.Key == dateKey || r.Fields[f.Key] == "" {
				continue
			}
			out.Fields = append(out.Fields, Field{Key: f.Key, Label: f.Label, Value: r.Fields[f.Key]})
		}
	}
	if out.PublicUntil == "" {
		if r.Type.IsList() {
			out.PublicUntilNote = "无固定截止日期：在名单期间持续公示，移出后列入与移出记录作为历史继续公示"
		} else {
			out.PublicUntilNote = "未载明（按公示期限规定执行）"
		}
	}
	return out
}

func firstOf(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func listStatus(t index.RecordType, shown []*index.Record, asOf string) ListStatus {
	st := ListStatus{List: string(t), Label: t.Label(), History: []ListEvent{}}
	var mine []*index.Record
	for _, r := range shown {
		if r.Type == t {
			mine = append(mine, r)
		}
	}
	sort.SliceStable(mine, func(i, j int) bool { return mine[i].Date < mine[j].Date })
	switch t {
	case index.TypeBlacklist, index.TypeAbnormal:
		var current, removed []string
		for _, r := range mine {
			f := r.Fields
			st.History = append(st.History, ListEvent{RecordID: r.ID, ListDate: r.Date, Authority: firstOf(f["authority"], r.Authority),
				Reason: f["reason"], Removed: r.Removed, RemovalAuthority: f["removal_authority"], RemovalReason: f["removal_reason"]})
			if r.Listed(asOf) {
				st.Listed = true
				current = append(current, r.Date+" 由"+firstOf(f["authority"], r.Authority, "决定机关")+"列入（"+firstOf(f["reason"], "原因未载明")+"）")
			} else if r.Removed != "" {
				removed = append(removed, r.Date+" 列入、"+r.Removed+" 移出")
			}
		}
		switch {
		case st.Listed:
			st.Summary = "截至 " + asOf + " 在" + t.Label() + "中：" + strings.Join(current, "；")
			if len(removed) > 0 {
				st.Summary += "。另有已移出记录：" + strings.Join(removed, "；")
			}
		case len(removed) > 0:
			st.Summary = "截至 " + asOf + " 不在" + t.Label() + "中；曾列入，已移出（" + strings.Join(removed, "；") + "）"
		default:
			st.Summary = "截至 " + asOf + " 未列入" + t.Label()
		}
	case index.TypeDishonestDebtor:
		st.Listed = len(mine) > 0
		if st.Listed {
			var cases []string
			for _, r := range mine {
				cases = append(cases, firstOf(r.Fields["case_no"], r.Date))
			}
			st.Summary = "截至 " + asOf + " 被公布为失信被执行人（" + strings.Join(cases, "；") + "）"
		} else {
			st.Summary = "截至 " + asOf + " 未被公布为失信被执行人"
		}
	case index.TypeRedlist:
		st.Listed = len(mine) > 0
		if st.Listed {
			var years []string
			for _, r := range mine {
				years = append(years, firstOf(r.Fields["year"], r.Date)+" 年度（"+firstOf(r.Fields["authority"], r.Authority)+"）")
			}
			st.Summary = "列入守信红名单：" + strings.Join(years, "；")
		} else {
			st.Summary = "截至 " + asOf + " 未列入守信红名单"
		}
	}
	return st
}

func coverage(asOf string, info index.GenerationInfo) Coverage {
	return Coverage{
		Covers: []string{
			"本报告列出该市场主体在 " + asOf + " 当日处于公示期内的信用信息：登记基本信息、行政处罚、行政许可、经营异常名录、严重违法失信名单、失信被执行人、抽查检查结果和守信红名单。",
			"名单类信息列出截至 " + asOf + " 的列入记录，以及当日及以前的移出记录；" + asOf + " 之后作出的决定、列入或移出不在本报告中。",
			"内容按数据版本 " + info.ID + "（数据日期 " + info.DataDate + "）中各记录的决定日期和公示截止期还原；本平台已作出的更正、撤销、信用修复决定和处理中的异议按报告生成时的状态一并适用。",
		},
		Excludes: []string{
			"不包括本平台未公示的信息，例如纳税、社保、公积金、金融信贷记录以及失信被执行人名单以外的司法信息。",
			"不包括已届满公示期、经信用修复或被撤销而停止公示的记录，也不包括依规不予公示的轻微违法信息（如仅予警告的处罚）。",
			"登记基本信息为该数据版本中的登记信息，不单独还原 " + asOf + " 当日的历史登记状态。",
			"本报告不是信用评级或评价，不对市场主体作出推荐或否定；各项信息以原决定机关的决定文书为准。",
		},
	}
}
