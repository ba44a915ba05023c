package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/store"
)

// tipoffForm is a tip-off (举报) as anyone submits it, from the page or the API. No account and
// no standing are needed; contact details are optional and never public.
type tipoffForm struct {
	Entity        string `json:"entity"`    // the entity's code, in any form the search takes
	RecordID      string `json:"record_id"` // optional: the record reported
	Kind          string `json:"kind"`
	Content       string `json:"content"`
	ReporterName  string `json:"reporter_name"`
	ReporterPhone string `json:"reporter_phone"`
	ReporterEmail string `json:"reporter_email"`
	Website       string `json:"website"` // honeypot
}

const (
	minTipoffRunes = 10
	maxTipoffRunes = 5000
)

// readTipoffForm reads a tip-off from JSON or from a form with attachments.
func readTipoffForm(c *gin.Context) (*tipoffForm, []*multipart.FileHeader, error) {
	f := &tipoffForm{}
	if strings.HasPrefix(c.ContentType(), "application/json") {
		dec := json.NewDecoder(http.MaxBytesReader(c.Writer, c.Request.Body, maxJSONBody))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f); err != nil {
			if isTooLarge(err) {
				return nil, nil, errTooLarge
			}
			return nil, nil, fieldErrors{"body": "请求体不是有效的 JSON：" + trimErr(err)}
		}
		return f, nil, nil
	}
	form, err := c.MultipartForm()
	switch {
	case err != nil && isTooLarge(err):
		return nil, nil, errTooLarge
	case err != nil && c.ContentType() == "application/x-www-form-urlencoded":
		c.Request.ParseForm()
	case err != nil:
		return nil, nil, fieldErrors{"body": "请以 multipart/form-data 或 application/json 提交。"}
	}
	get := c.PostForm
	f.Entity, f.RecordID, f.Kind, f.Content = get("entity"), get("record_id"), get("kind"), get("content")
	f.ReporterName, f.ReporterPhone, f.ReporterEmail, f.Website = get("reporter_name"), get("reporter_phone"), get("reporter_email"), get("website")
	var files []*multipart.FileHeader
	if form != nil {
		for _, fh := range form.File["files"] {
			if fh.Size > 0 || fh.Filename != "" {
				files = append(files, fh)
			}
		}
	}
	return f, files, nil
}

// tipoffSubject is what a tip-off is about, and the authority whose reviewers receive it: the
// record's deciding authority, or for a tip-off about the entity its registration authority.
type tipoffSubject struct {
	Entity    *index.Entity
	Record    *index.Record
	Authority string
}

// validateTipoff checks the form and resolves its subject.
func (s *Server) validateTipoff(ctx context.Context, g *index.Generation, f *tipoffForm) (*tipoffSubject, fieldErrors) {
	fe := fieldErrors{}
	for _, p := range []*string{&f.Entity, &f.RecordID, &f.Kind, &f.Content, &f.ReporterName, &f.ReporterPhone, &f.ReporterEmail} {
		*p = strings.TrimSpace(*p)
	}
	if f.Website != "" {
		fe["website"] = "提交被拒绝。"
		return nil, fe
	}
	for field, v := range map[string]string{"entity": f.Entity, "record_id": f.RecordID, "kind": f.Kind,
		"reporter_name": f.ReporterName, "reporter_phone": f.ReporterPhone, "reporter_email": f.ReporterEmail} {
		if !plainText(v, false) {
			fe[field] = "含有无法识别的字符（控制字符或无效编码），请重新填写。"
		}
	}
	if !plainText(f.Content, true) {
		fe["content"] = "含有无法识别的字符（控制字符或无效编码），请重新填写。"
	}
	if len(fe) > 0 {
		return nil, fe
	}
	sub := &tipoffSubject{}
	if f.RecordID != "" {
		if len(f.RecordID) > 64 || index.RecordTypeOfID(f.RecordID) == "" {
			fe["record_id"] = "记录编号无效。"
		} else if r, err := g.Docs.Record(ctx, f.RecordID); err != nil || r == nil || !r.PublicOn(s.today()) {
			fe["record_id"] = "未找到该公示记录，或该记录已不再公示。"
		} else {
			sub.Record = r
			if f.Entity == "" {
				f.Entity = r.EntityCode
			}
		}
	}
	var code string
	if f.Entity != "" && len(f.Entity) <= 64 {
		code, _ = g.ResolveCode(ctx, f.Entity)
	}
	switch {
	case f.Entity == "":
		fe["entity"] = "请填写被举报企业的统一社会信用代码（或注册号）。"
	case code == "":
		fe["entity"] = "未找到该代码对应的市场主体，请核对代码。"
	case sub.Record != nil && sub.Record.EntityCode != code:
		fe["record_id"] = "该记录不属于所填企业。"
	default:
		if e, err := g.Docs.Entity(ctx, code); err == nil && e != nil {
			sub.Entity = e
		} else {
			fe["entity"] = "未找到该代码对应的市场主体，请核对代码。"
		}
	}
	if !objection.TipoffKind(f.Kind).Valid() {
		fe["kind"] = "请选择举报类型。"
	}
	switch n := utf8.RuneCountInString(f.Content); {
	case n < minTipoffRunes:
		fe["content"] = fmt.Sprintf("请具体说明举报内容（至少 %d 字）：哪条信息有误、遗漏了什么，或失信行为的时间、地点和经过。", minTipoffRunes)
	case n > maxTipoffRunes:
		fe["content"] = fmt.Sprintf("举报内容不能超过 %d 字（现为 %d 字）。", maxTipoffRunes, n)
	}
	if utf8.RuneCountInString(f.ReporterName) > 50 {
		fe["reporter_name"] = "姓名不能超过 50 字。"
	}
	if phone := strings.ReplaceAll(f.ReporterPhone, " ", ""); phone != "" && !reMobile.MatchString(phone) && !reLandline.MatchString(phone) {
		fe["reporter_phone"] = "电话号码格式不正确（如 13800000000 或 0591-87654321）。"
	}
	if f.ReporterEmail != "" {
		if a, err := mail.ParseAddress(f.ReporterEmail); err != nil || a.Address != f.ReporterEmail || len(f.ReporterEmail) > 200 {
			fe["reporter_email"] = "电子邮箱格式不正确。"
		}
	}
	if len(fe) > 0 {
		return nil, fe
	}
	sub.Authority = sub.Entity.Fields["authority"]
	if sub.Record != nil && sub.Record.Authority != "" {
		sub.Authority = sub.Record.Authority
	}
	return sub, nil
}

// tipoffFiling is the answer to a stored tip-off: the reporter's only way back to it.
type tipoffFiling struct {
	Tracking  string
	CheckCode string
	Tipoff    *store.Tipoff
}

// fileTipoff validates and stores a tip-off with its attachments; nothing is stored unless
// everything is. It marks nothing public.
func (s *Server) fileTipoff(ctx context.Context, f *tipoffForm, files []*multipart.FileHeader, ip string) (*tipoffFiling, error) {
	g := s.live.Acquire()
	if g == nil {
		return nil, index.ErrNotReady
	}
	defer g.Release()
	sub, fe := s.validateTipoff(ctx, g, f)
	if len(fe) > 0 {
		return nil, fe
	}
	st := s.sqlStore()
	if st == nil {
		return nil, errNoStore
	}
	day := s.cfg.Now().In(index.ChinaTime)
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		tracking := objection.NewTipoffTrackingNumber(day)
		atts, cleanup, err := s.saveAttachments(tracking, files)
		if err != nil {
			return nil, err
		}
		t := &store.Tipoff{Tracking: tracking, Kind: objection.TipoffKind(f.Kind), EntityCode: sub.Entity.Code, EntityName: sub.Entity.Name,
			Authority: sub.Authority, Content: f.Content, ReporterName: f.ReporterName, ReporterPhone: f.ReporterPhone, ReporterEmail: f.ReporterEmail}
		if sub.Record != nil {
			t.RecordID, t.RecordType = sub.Record.ID, string(sub.Record.Type)
		}
		code := objection.NewCheckCode()
		if err := st.CreateTipoff(ctx, t, code, atts, ip); err != nil {
			cleanup()
			lastErr = err
			if strings.Contains(strings.ToLower(err.Error()), "unique") {
				continue // a tracking number collision: draw another
			}
			return nil, err
		}
		return &tipoffFiling{Tracking: tracking, CheckCode: code, Tipoff: t}, nil
	}
	return nil, lastErr
}

// tipoffView is a tip-off as its reporter sees it (with the check code) and, with Reporter
// and Content, as its reviewers see it. The public never sees a tip-off, only the statistics.
type tipoffView struct {
	Tracking      string           `json:"tracking_number"`
	Kind          string           `json:"kind"`
	KindLabel     string           `json:"kind_label"`
	EntityCode    string           `json:"entity_code"`
	EntityName    string           `json:"entity_name"`
	RecordID      string           `json:"record_id,omitempty"`
	State         objection.State  `json:"state"`
	StateLabel    string           `json:"state_label"`
	Outcome       string           `json:"outcome,omitempty"`
	OutcomeLabel  string           `json:"outcome_label,omitempty"`
	OutcomeReason string           `json:"outcome_reason,omitempty"`
	FiledAt       time.Time        `json:"filed_at"`
	Deadline      string           `json:"deadline,omitempty"`
	Overdue       bool             `json:"overdue"`
	Timeline      []eventView      `json:"timeline"`
	Attachments   []attachmentView `json:"attachments"`
	// Reviewer-only fields.
	Authority string        `json:"authority,omitempty"`
	Content   string        `json:"content,omitempty"`
	Reporter  *reporterView `json:"reporter,omitempty"`
}

type reporterView struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

var tipoffActionLabels = map[string]string{"file": "提交举报", string(objection.ActAccept): "受理", string(objection.ActClose): "办结"}

func (s *Server) tipoffView(ctx context.Context, t *store.Tipoff, reviewer bool) (*tipoffView, error) {
	st := s.sqlStore()
	if st == nil {
		return nil, errNoStore
	}
	v := &tipoffView{Tracking: t.Tracking, Kind: string(t.Kind), KindLabel: t.Kind.Label(), EntityCode: t.EntityCode, EntityName: t.EntityName,
		RecordID: t.RecordID, State: t.State, StateLabel: t.State.Label(), Outcome: string(t.Outcome), OutcomeLabel: t.Outcome.Label(),
		OutcomeReason: t.OutcomeReason, FiledAt: t.FiledAt, Deadline: t.Deadline, Overdue: t.Overdue(s.today()),
		Timeline: []eventView{}, Attachments: []attachmentView{}}
	evs, err := st.TipoffEvents(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range evs {
		actor := "审核人员"
		if e.Actor == "reporter" {
			actor = "举报人"
		}
		if reviewer {
			actor = e.Actor
		}
		v.Timeline = append(v.Timeline, eventView{At: e.At, Actor: actor, Action: tipoffActionLabels[e.Action], From: e.From.Label(), To: e.To.Label(), Note: e.Note})
	}
	atts, err := st.TipoffAttachments(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		v.Attachments = append(v.Attachments, attachmentView{ID: a.ID, Name: a.Name, MIME: a.MIME, Size: a.Size})
	}
	if reviewer {
		v.Authority, v.Content = t.Authority, t.Content
		v.Reporter = &reporterView{Name: t.ReporterName, Phone: t.ReporterPhone, Email: t.ReporterEmail}
	}
	return v, nil
}

// checkedTipoff finds a tip-off by tracking number and check code (header X-Check-Code, or form).
func (s *Server) checkedTipoff(c *gin.Context) (*store.Tipoff, error) {
	tracking := c.Param("tracking")
	code := c.GetHeader("X-Check-Code")
	if code == "" {
		code = c.PostForm("check_code")
	}
	if !objection.ValidTipoffTrackingNumber(tracking) || code == "" || len(code) > 64 {
		return nil, store.ErrNotFound
	}
	st := s.sqlStore()
	if st == nil {
		return nil, errNoStore
	}
	return st.CheckTipoff(c.Request.Context(), tracking, strings.ToUpper(strings.TrimSpace(code)))
}

// tipoffErrorStatus maps tip-off failures to a status and messages, as storeErrorStatus does
// for objections, with the tip-off's own words where they differ.
func tipoffErrorStatus(err error) (int, string, string, string) {
	status, code, en, zh := storeErrorStatus(err)
	switch {
	case errors.Is(err, store.ErrNotFound):
		en, zh = "no such tip-off, or the check code is wrong", "未找到该举报，或查询码不正确。"
	case errors.Is(err, errNoStore), errors.Is(err, store.ErrUnavailable):
		en = "tip-offs cannot be filed or read right now; nothing was stored; please try again later"
		zh = "举报服务暂时不可用，本次提交未被保存，请稍后再试。搜索和下载不受影响。"
	}
	return status, code, en, zh
}
