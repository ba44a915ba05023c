package portal

import (
	"context"
	"errors"
	"mime/multipart"
	"strings"
	"time"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/store"
)

// filing is the answer to a stored objection: the applicant's only way back to it.
type filing struct {
	Tracking  string
	CheckCode string
	Case      *store.Case
}

// fileObjection validates and stores an objection with its attachments. A validation problem
// comes back as fieldErrors; nothing is stored unless everything is.
func (s *Server) fileObjection(ctx context.Context, f *objectionForm, files []*multipart.FileHeader, ip string) (*filing, error) {
	g := s.live.Acquire()
	if g == nil {
		return nil, index.ErrNotReady
	}
	defer g.Release()
	rec, fe := s.validateObjection(ctx, g, f)
	if rec != nil && rec.Type.IsList() && objection.Kind(f.Kind) == objection.KindRepair && len(files) == 0 && fe["files"] == "" {
		fe["files"] = "名单信用修复申请须附证明材料（如已补报年度报告、已履行义务或住所可联系的证明）。"
	}
	if len(fe) > 0 {
		return nil, fe
	}
	st := s.sqlStore()
	if st == nil {
		return nil, errNoStore
	}
	kind := objection.Kind(f.Kind)
	day := s.cfg.Now().In(index.ChinaTime)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		tracking := objection.NewTrackingNumber(kind, day)
		atts, cleanup, err := s.saveAttachments(tracking, files)
		if err != nil {
			return nil, err
		}
		c := &store.Case{Tracking: tracking, Kind: kind, RecordID: rec.ID, RecordType: string(rec.Type),
			EntityCode: rec.EntityCode, EntityName: rec.EntityName, Authority: rec.Authority,
			ApplicantName: f.ApplicantName, ApplicantCode: f.ApplicantCode, ContactPerson: f.ContactPerson,
			ContactPhone: f.ContactPhone, ContactEmail: f.ContactEmail, Statement: f.Statement, Commitment: f.Commitment}
		code := objection.NewCheckCode()
		if err := st.CreateCase(ctx, c, code, atts, ip); err != nil {
			cleanup()
			lastErr = err
			if strings.Contains(strings.ToLower(err.Error()), "unique") {
				continue // a tracking number collision: draw another
			}
			return nil, err
		}
		s.overlay.invalidate()
		return &filing{Tracking: tracking, CheckCode: code, Case: c}, nil
	}
	return nil, lastErr
}

// caseView is the public view of a case: everything but the applicant's contact details.
type caseView struct {
	Tracking      string            `json:"tracking_number"`
	Kind          objection.Kind    `json:"kind"`
	KindLabel     string            `json:"kind_label"`
	RecordID      string            `json:"record_id"`
	RecordType    string            `json:"record_type"`
	EntityCode    string            `json:"entity_code"`
	EntityName    string            `json:"entity_name"`
	State         objection.State   `json:"state"`
	StateLabel    string            `json:"state_label"`
	Outcome       objection.Outcome `json:"outcome,omitempty"`
	OutcomeLabel  string            `json:"outcome_label,omitempty"`
	OutcomeReason string            `json:"outcome_reason,omitempty"`
	FiledAt       time.Time         `json:"filed_at"`
	Deadline      string            `json:"deadline,omitempty"`
	Overdue       bool              `json:"overdue"`
	Timeline      []eventView       `json:"timeline"`
	Attachments   []attachmentView  `json:"attachments"`
	// Marked tells the filer whether the record shows 存在异议 now: only from acceptance until
	// the case is closed or sent back for material (objection.Marks).
	Marked bool `json:"-"`
	// Reviewer-only fields.
	Contact   *contactView `json:"contact,omitempty"`
	Statement string       `json:"statement,omitempty"`
}

type eventView struct {
	At     time.Time `json:"at"`
	Actor  string    `json:"actor"` // 申请人 / 审核人员: names of reviewers stay internal
	Action string    `json:"action"`
	From   string    `json:"from,omitempty"`
	To     string    `json:"to"`
	Note   string    `json:"note,omitempty"`
}

type attachmentView struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	MIME string `json:"mime"`
	Size int64  `json:"size"`
}

type contactView struct {
	ApplicantName string `json:"applicant_name"`
	ApplicantCode string `json:"applicant_code"`
	Person        string `json:"person"`
	Phone         string `json:"phone,omitempty"`
	Email         string `json:"email,omitempty"`
	Commitment    bool   `json:"commitment"`
}

var actionLabels = map[string]string{
	"file": "提交申请", string(objection.ActRequestMore): "要求补正材料", string(objection.ActSupplement): "补正材料",
	string(objection.ActAccept): "受理", string(objection.ActVerify): "转交信息提供单位核查", string(objection.ActClose): "办结",
}

func (s *Server) caseView(ctx context.Context, c *store.Case, reviewer bool) (*caseView, error) {
	st := s.sqlStore()
	if st == nil {
		return nil, errNoStore
	}
	v := &caseView{Tracking: c.Tracking, Kind: c.Kind, KindLabel: c.Kind.Label(), RecordID: c.RecordID, RecordType: c.RecordType,
		EntityCode: c.EntityCode, EntityName: c.EntityName, State: c.State, StateLabel: c.State.Label(),
		Outcome: c.Outcome, OutcomeLabel: c.Outcome.Label(), OutcomeReason: c.OutcomeReason,
		FiledAt: c.FiledAt, Deadline: c.Deadline, Overdue: c.Overdue(s.today()), Timeline: []eventView{}, Attachments: []attachmentView{},
		Marked: objection.Marks(c.Kind, c.State)}
	evs, err := st.Events(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		actor := "审核人员"
		if e.Actor == "applicant" {
			actor = "申请人"
		}
		if reviewer {
			actor = e.Actor
		}
		label := actionLabels[e.Action]
		if label == "" {
			label = e.Action
		}
		v.Timeline = append(v.Timeline, eventView{At: e.At, Actor: actor, Action: label, From: e.From.Label(), To: e.To.Label(), Note: e.Note})
	}
	atts, err := st.Attachments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		v.Attachments = append(v.Attachments, attachmentView{ID: a.ID, Name: a.Name, MIME: a.MIME, Size: a.Size})
	}
	if reviewer {
		v.Statement = c.Statement
		v.Contact = &contactView{ApplicantName: c.ApplicantName, ApplicantCode: c.ApplicantCode, Person: c.ContactPerson,
			Phone: c.ContactPhone, Email: c.ContactEmail, Commitment: c.Commitment}
	}
	return v, nil
}

// decide applies a reviewer's or an applicant's step and refreshes what the portal shows.
func (s *Server) decide(ctx context.Context, tracking string, step store.Step) (*store.Case, error) {
	st := s.sqlStore()
	if st == nil {
		return nil, errNoStore
	}
	step.DeadlineDays, step.Holidays = s.cfg.Objections.DeadlineDays, s.cfg.Objections.Holidays
	if step.Action == objection.ActClose && step.Outcome == objection.Repaired {
		if err := s.stillRepairable(ctx, st, tracking); err != nil {
			return nil, err
		}
	}
	c, err := st.Transition(ctx, tracking, step)
	if err != nil {
		return nil, err
	}
	s.overlay.invalidate()
	return c, nil
}

// stillRepairable checks a repair's conditions again when a reviewer grants it: since the
// filing the subject may have had another repair granted or a heavier penalty, or the entry may
// have been removed, and the rules hold on the day of the decision.
func (s *Server) stillRepairable(ctx context.Context, st *store.Store, tracking string) error {
	c, err := st.CaseByTracking(ctx, tracking)
	if err != nil || c.Kind != objection.KindRepair {
		return nil // the transition reports what is wrong
	}
	g := s.live.Acquire()
	if g == nil {
		return index.ErrNotReady
	}
	defer g.Release()
	rec, err := g.Docs.Record(ctx, c.RecordID)
	if err != nil || rec == nil {
		return nil // the record left the data: the decision stays on file (importer.Corrections)
	}
	if err := s.repairEligible(ctx, g, rec); err != nil {
		return &store.RuleError{Msg: "已不符合信用修复条件，不能准予修复：" + err.Error()}
	}
	return nil
}

// storeError maps store failures to a status and a message pair.
func storeErrorStatus(err error) (int, string, string, string) {
	var rule *store.RuleError
	var fe fieldErrors
	switch {
	case errors.As(err, &fe):
		return 400, "validation_failed", "the form has errors; see fields", "表单有误，请按提示修改。"
	case errors.As(err, &rule):
		return 409, "not_allowed", rule.Msg, rule.Msg
	case errors.Is(err, store.ErrNotFound):
		return 404, "not_found", "no such case, or the check code is wrong", "未找到该申请，或查询码不正确。"
	case errors.Is(err, errNoStore), errors.Is(err, store.ErrUnavailable):
		return 503, "store_unavailable", "objections cannot be filed or read right now; nothing was stored; please try again later",
			"异议服务暂时不可用，本次提交未被保存，请稍后再试。搜索和下载不受影响。"
	case errors.Is(err, index.ErrNotReady):
		return 503, "not_ready", "the index is loading; try again shortly", "数据正在加载，请稍后再试。"
	}
	return 500, "internal", "internal error; it has been logged", "服务器内部错误，已记录。"
}
