package index

import "context"

// Overlay is what the portal knows about records beyond the snapshots: decisions taken since the
// serving generation was built, and objections in progress. Search, pages and open-data files
// apply it at once; every later generation build applies the decisions again for good.
type Overlay interface {
	// Hidden returns the records no longer public because of a decision, with the reason
	// (撤销 revoked, 信用修复 credit repair), by record id.
	Hidden(ctx context.Context) (map[string]string, error)
	// Corrected returns corrected field values by record id (更正), and notes shown with the
	// record (无法确认) under the key "correction_note".
	Corrected(ctx context.Context) (map[string]map[string]string, error)
	// Pending returns the records marked as disputed (存在异议) and the day the mark began: an
	// objection a reviewer has accepted for review and not yet decided, never one merely filed.
	Pending(ctx context.Context) (map[string]string, error)
}

// NoOverlay is an empty overlay.
type NoOverlay struct{}

func (NoOverlay) Hidden(context.Context) (map[string]string, error) { return nil, nil }
func (NoOverlay) Corrected(context.Context) (map[string]map[string]string, error) {
	return nil, nil
}
func (NoOverlay) Pending(context.Context) (map[string]string, error) { return nil, nil }

// ApplyOverlay returns the records without those hidden by a decision, with corrections applied
// and pending objections marked. Changed records are copies; the input is not modified.
func ApplyOverlay(ctx context.Context, recs []*Record, ov Overlay) ([]*Record, error) {
	if ov == nil || len(recs) == 0 {
		return recs, nil
	}
	hidden, err := ov.Hidden(ctx)
	if err != nil {
		return nil, err
	}
	corrected, err := ov.Corrected(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := ov.Pending(ctx)
	if err != nil {
		return nil, err
	}
	if len(hidden)+len(corrected)+len(pending) == 0 {
		return recs, nil
	}
	out := make([]*Record, 0, len(recs))
	for _, r := range recs {
		if _, gone := hidden[r.ID]; gone {
			continue
		}
		fix, isFixed := corrected[r.ID]
		since, isPending := pending[r.ID]
		if isFixed || isPending {
			c := *r
			c.Fields = make(map[string]string, len(r.Fields)+len(fix))
			for k, v := range r.Fields {
				c.Fields[k] = v
			}
			for k, v := range fix {
				c.Fields[k] = v
			}
			if v, ok := fix["removal_date"]; ok && r.Type.IsList() {
				c.Removed = v // removed by a decision (credit repair): no longer in force, as a build records it
			}
			c.ObjectionSince = since
			r = &c
		}
		out = append(out, r)
	}
	return out, nil
}
