package index

// Screening flags: the records of every matched entity and candidate, and the credit flags they
// give as the public saw them on as_of (hidden records, corrections, pending objections).

import (
	"context"
	"sort"
)

// addFlags fetches the records of every matched entity and candidate of the batch at once and
// computes their flags as of the day.
func (sc *Screener) addFlags(ctx context.Context, items []*screenItem) error {
	var codes []string
	for _, it := range items {
		switch {
		case it.entity != nil:
			codes = append(codes, it.entity.Code)
		case it.recordOnly != nil:
			codes = append(codes, it.recordOnly.Code)
		}
		for _, c := range it.m.Candidates {
			codes = append(codes, c.Code)
		}
	}
	recs := map[string][]*Record{}
	if len(codes) > 0 && len(sc.types) > 0 {
		var err error
		if recs, err = sc.g.Docs.RecordsOfMany(ctx, codes, sc.types...); err != nil {
			return err
		}
	}
	for _, it := range items {
		switch {
		case it.entity != nil:
			e := screenEntity(it.entity)
			it.m.Entity = &e
		case it.recordOnly != nil:
			it.m.Entity = it.recordOnly
		}
		if it.m.Entity != nil {
			it.m.Flags = sc.flagsFor(it.m.Entity.Code, recs[it.m.Entity.Code])
		}
		for i := range it.m.Candidates {
			c := &it.m.Candidates[i]
			c.Flagged = sc.flagsFor(c.Code, recs[c.Code]).Any()
		}
	}
	return nil
}

// severityRank orders penalty severities: 严重 > 一般 > 轻微 > unknown.
var severityRank = map[string]int{"严重": 3, "一般": 2, "轻微": 1}

// flagsFor computes the flags of one entity on as_of from its records, as the public saw them
// that day: records hidden by a decision never count, a record counts only from its date and
// while it is public (public_until), a list entry is in force until its removal.
func (sc *Screener) flagsFor(code string, recs []*Record) *Flags {
	f := &Flags{}
	if sc.flags[FlagBlacklist] {
		f.Blacklist = &ListFlag{}
	}
	if sc.flags[FlagAbnormal] {
		f.Abnormal = &ListFlag{}
	}
	if sc.flags[FlagDebtor] {
		f.DishonestDebtor = &ListFlag{}
	}
	if sc.flags[FlagPenalties] {
		f.Penalties = &PenaltyFlag{From: sc.penaltyFrom}
	}
	if sc.flags[FlagRedlist] {
		f.Redlist = &RedlistFlag{}
	}
	for _, r := range recs {
		if _, gone := sc.hidden[r.ID]; gone {
			continue
		}
		r = sc.correct(r)
		if r.Date == "" || r.Date > sc.asOf || !r.PublicOn(sc.asOf) {
			continue
		}
		switch r.Type {
		case TypeBlacklist:
			addListEntry(f.Blacklist, r, sc.asOf)
		case TypeAbnormal:
			addListEntry(f.Abnormal, r, sc.asOf)
		case TypeDishonestDebtor:
			addListEntry(f.DishonestDebtor, r, sc.asOf)
		case TypePenalty:
			p := f.Penalties
			if p == nil || r.Date < sc.penaltyFrom {
				continue
			}
			p.Count++
			p.RecordIDs = append(p.RecordIDs, r.ID)
			if r.Date > p.Latest {
				p.Latest = r.Date
			}
			if severityRank[r.Severity] > severityRank[p.MostSevere] {
				p.MostSevere = r.Severity
			}
		case TypeRedlist:
			if f.Redlist != nil {
				f.Redlist.Listed = true
				if y := r.Fields["year"]; y != "" && !contains(f.Redlist.Years, y) {
					f.Redlist.Years = append(f.Redlist.Years, y)
				}
			}
		}
	}
	if sc.flags[FlagObjection] {
		o := &ObjectionFlag{}
		ids := make([]string, 0, len(sc.pending[code]))
		for id := range sc.pending[code] {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			if day := sc.pending[code][id]; day <= sc.asOf {
				o.Pending = true
				if id != code {
					o.RecordIDs = append(o.RecordIDs, id)
				}
				if o.Since == "" || day < o.Since {
					o.Since = day
				}
			}
		}
		f.Objection = o
	}
	return f
}

func addListEntry(l *ListFlag, r *Record, asOf string) {
	if l == nil {
		return
	}
	e := ListEntry{RecordID: r.ID, ListDate: r.Date, RemovalDate: r.Removed, Authority: r.Authority,
		Reason: r.Fields["reason"], CaseNo: r.Fields["case_no"]}
	e.InForce = r.Date <= asOf && (r.Removed == "" || r.Removed > asOf)
	if e.InForce {
		l.Listed = true
		if l.Since == "" || r.Date < l.Since {
			l.Since = r.Date
		}
	}
	l.Entries = append(l.Entries, e)
}

// correct applies a reviewer's corrected values (更正) to the dates a flag depends on.
func (sc *Screener) correct(r *Record) *Record {
	c := sc.corrected[r.ID]
	if len(c) == 0 {
		return r
	}
	cp := *r
	if v, ok := c["public_until"]; ok {
		cp.PublicUntil = v
	}
	if v, ok := c["removal_date"]; ok {
		cp.Removed = v
	}
	if v, ok := c["severity"]; ok {
		cp.Severity = v
	}
	if sch := SchemaOf(r.Type); sch != nil && sch.DateKey != "" {
		if v, ok := c[sch.DateKey]; ok {
			cp.Date = v
		}
	}
	return &cp
}
