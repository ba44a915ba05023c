package portal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/atomicfile"
	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/uscc"
	"github.com/gongshi/gongshi/portal/objection"
	"github.com/gongshi/gongshi/portal/store"
)

// objectionForm is what an applicant submits, from the page or the API.
type objectionForm struct {
	RecordID      string `json:"record_id"`
	Kind          string `json:"kind"`
	ApplicantName string `json:"applicant_name"`
	ApplicantCode string `json:"applicant_code"`
	ContactPerson string `json:"contact_person"`
	ContactPhone  string `json:"contact_phone"`
	ContactEmail  string `json:"contact_email"`
	Statement     string `json:"statement"`
	Commitment    bool   `json:"commitment"`
	Website       string `json:"website"` // honeypot: people never see it, bots fill it in
}

// fieldErrors maps a form field to what is wrong with it, in Chinese.
type fieldErrors map[string]string

func (fe fieldErrors) Error() string {
	var parts []string
	for k, v := range fe {
		parts = append(parts, k+": "+v)
	}
	return strings.Join(parts, "; ")
}

var (
	reMobile   = regexp.MustCompile(`^1[3-9]\d{9}$`)
	reLandline = regexp.MustCompile(`^0\d{2,3}-?\d{7,8}(-\d{1,6})?$`)
)

const maxStatementRunes = 5000

// validate checks the form against the rules and the record it is about. It returns the record
// (nil if not found) and the problems per field.
func (s *Server) validateObjection(ctx context.Context, g *index.Generation, f *objectionForm) (*index.Record, fieldErrors) {
	fe := fieldErrors{}
	trim := func(p *string) { *p = strings.TrimSpace(*p) }
	for _, p := range []*string{&f.RecordID, &f.Kind, &f.ApplicantName, &f.ApplicantCode, &f.ContactPerson, &f.ContactPhone, &f.ContactEmail, &f.Statement} {
		trim(p)
	}
	if f.Website != "" {
		fe["website"] = "提交被拒绝。"
		return nil, fe
	}
	// Broken UTF-8 and control characters are refused per field: PostgreSQL would fail on a NUL
	// byte (a 500 instead of an answer), and nothing a person types needs them.
	for field, v := range map[string]string{"record_id": f.RecordID, "kind": f.Kind, "applicant_name": f.ApplicantName,
		"applicant_code": f.ApplicantCode, "contact_person": f.ContactPerson, "contact_phone": f.ContactPhone,
		"contact_email": f.ContactEmail} {
		if !plainText(v, false) {
			fe[field] = "含有无法识别的字符（控制字符或无效编码），请重新填写。"
		}
	}
	if !plainText(f.Statement, true) {
		fe["statement"] = "含有无法识别的字符（控制字符或无效编码），请重新填写。"
	}
	if len(fe) > 0 {
		return nil, fe
	}
	var rec *index.Record
	if f.RecordID == "" || len(f.RecordID) > 64 || index.RecordTypeOfID(f.RecordID) == "" {
		fe["record_id"] = "请从企业信息页面的记录旁点击“提出异议”，以确定异议针对的记录。"
	} else if r, err := g.Docs.Record(ctx, f.RecordID); err != nil || r == nil || !r.PublicOn(s.today()) {
		fe["record_id"] = "未找到该公示记录，或该记录已不再公示。"
	} else {
		hidden, _ := s.overlay.Hidden(ctx)
		if _, gone := hidden[r.ID]; gone {
			fe["record_id"] = "该记录已撤销或已修复，不再公示。"
		} else {
			rec = r
		}
	}
	kind := objection.Kind(f.Kind)
	if !kind.Valid() {
		fe["kind"] = "请选择异议类型或信用修复申请。"
	}
	if f.ApplicantName == "" || utf8.RuneCountInString(f.ApplicantName) > 100 {
		fe["applicant_name"] = "请填写申请企业的名称（100 字以内）。"
	}
	code := uscc.Normalize(f.ApplicantCode)
	switch {
	case code == "":
		fe["applicant_code"] = "请填写申请企业的统一社会信用代码。"
	case uscc.Validate(code) != nil && uscc.Classify(code) != uscc.KindRegNo && uscc.Classify(code) != uscc.KindOrgCode:
		if cd, ok := uscc.Validate(code).(*uscc.CheckDigitError); ok {
			fe["applicant_code"] = fmt.Sprintf("统一社会信用代码校验位有误，按国家标准应为 %c。", cd.Want)
		} else {
			fe["applicant_code"] = "统一社会信用代码应为 18 位数字或大写字母。"
		}
	case rec != nil && code != rec.EntityCode && code != rec.Fields["original_code"]:
		fe["applicant_code"] = "申请企业必须是该记录的主体：代码与记录不一致。"
	}
	if rec != nil && fe["applicant_name"] == "" && fe["applicant_code"] == "" {
		want := rec.EntityName
		if e, _ := g.Docs.Entity(ctx, rec.EntityCode); e != nil {
			want = e.Name
		}
		if want != "" && fold.Key(f.ApplicantName) != fold.Key(want) && fold.Key(f.ApplicantName) != fold.Key(rec.EntityName) {
			fe["applicant_name"] = "企业名称与该记录的主体（" + want + "）不一致。"
		}
	}
	if f.ContactPerson == "" || utf8.RuneCountInString(f.ContactPerson) > 50 {
		fe["contact_person"] = "请填写联系人（50 字以内）。"
	}
	phone := strings.ReplaceAll(f.ContactPhone, " ", "")
	switch {
	case phone == "" && f.ContactEmail == "":
		fe["contact_phone"] = "请至少填写电话或电子邮箱之一。"
	case phone != "" && !reMobile.MatchString(phone) && !reLandline.MatchString(phone):
		fe["contact_phone"] = "电话号码格式不正确（如 13800000000 或 0591-87654321）。"
	}
	if f.ContactEmail != "" {
		if a, err := mail.ParseAddress(f.ContactEmail); err != nil || a.Address != f.ContactEmail || len(f.ContactEmail) > 200 {
			fe["contact_email"] = "电子邮箱格式不正确。"
		}
	}
	if f.Statement == "" {
		fe["statement"] = "请说明异议理由或修复情况。"
	} else if n := utf8.RuneCountInString(f.Statement); n > maxStatementRunes {
		fe["statement"] = fmt.Sprintf("说明不能超过 %d 字（现为 %d 字）。", maxStatementRunes, n)
	}
	if kind == objection.KindRepair {
		if !f.Commitment {
			fe["commitment"] = "信用修复申请须勾选信用承诺书。"
		}
		if rec != nil {
			if err := s.repairEligible(ctx, g, rec); err != nil {
				fe["kind"] = err.Error()
			}
		}
	}
	return rec, fe
}

// repairEligible checks a credit-repair application against the rules of the record's type,
// with the subject's other records and its last granted repair, as decided so far: a list entry
// removed by a decision since the serving generation was built counts as removed.
func (s *Server) repairEligible(ctx context.Context, g *index.Generation, rec *index.Record) error {
	if !objection.Repairable(rec.Type) {
		return objection.RepairEligible(rec, objection.Facts{}, s.today(), s.cfg.Objections.Regime)
	}
	var f objection.Facts
	if rec.Type.IsList() {
		recs, err := g.PublicRecords(ctx, rec.EntityCode, s.today())
		if err != nil {
			return errRepairUnchecked
		}
		corrected, _ := s.overlay.Corrected(ctx)
		removed := func(r *index.Record) *index.Record {
			if v := corrected[r.ID]["removal_date"]; v != "" && r.Type.IsList() {
				c := *r
				c.Removed, c.Fields = v, maps.Clone(r.Fields)
				maps.Copy(c.Fields, corrected[r.ID])
				return &c
			}
			return r
		}
		rec = removed(rec)
		for _, r := range recs {
			f.Others = append(f.Others, removed(r))
		}
		if st := s.sqlStore(); st != nil {
			if f.LastRepair, err = st.LastRepair(ctx, rec.EntityCode); err != nil {
				return errRepairUnchecked
			}
		}
	}
	return objection.RepairEligible(rec, f, s.today(), s.cfg.Objections.Regime)
}

var errRepairUnchecked = errors.New("暂时无法核对信用修复条件，请稍后再试。")

// plainText reports whether s is text a person can type: valid UTF-8 without control
// characters (line breaks and tabs only where the field is multiline).
func plainText(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// allowedTypes are the attachment types accepted, by their content (not their name).
var allowedTypes = map[string]string{"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

// saveAttachments checks every uploaded file by its content and size and writes it outside the
// web root under DATA/attachments/<tracking>/. On any problem nothing is kept.
func (s *Server) saveAttachments(tracking string, files []*multipart.FileHeader) ([]store.Attachment, func(), error) {
	var saved []store.Attachment
	cleanup := func() {
		for _, a := range saved {
			os.Remove(a.Path)
		}
	}
	if len(files) > s.cfg.Objections.MaxFiles {
		return nil, cleanup, fieldErrors{"files": fmt.Sprintf("最多上传 %d 个附件。", s.cfg.Objections.MaxFiles)}
	}
	dir := filepath.Join(string(s.cfg.Data), "attachments", tracking)
	for i, fh := range files {
		name := cleanFileName(fh.Filename)
		if fh.Size > s.cfg.Objections.MaxFileBytes {
			cleanup()
			return nil, func() {}, fieldErrors{"files": fmt.Sprintf("附件“%s”超过 %d MB。", name, s.cfg.Objections.MaxFileBytes>>20)}
		}
		f, err := fh.Open()
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		body, err := io.ReadAll(io.LimitReader(f, s.cfg.Objections.MaxFileBytes+1))
		f.Close()
		if err != nil {
			cleanup()
			return nil, func() {}, err
		}
		if int64(len(body)) > s.cfg.Objections.MaxFileBytes {
			cleanup()
			return nil, func() {}, fieldErrors{"files": fmt.Sprintf("附件“%s”超过 %d MB。", name, s.cfg.Objections.MaxFileBytes>>20)}
		}
		mimeType := sniff(body)
		ext, ok := allowedTypes[mimeType]
		if !ok {
			cleanup()
			return nil, func() {}, fieldErrors{"files": fmt.Sprintf("附件“%s”不是 PDF、JPEG 或 PNG 文件（按文件内容判断，而非扩展名）。", name)}
		}
		sum := sha256.Sum256(body)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			cleanup()
			return nil, func() {}, err
		}
		path := filepath.Join(dir, fmt.Sprintf("%d-%s%s", i+1, hex.EncodeToString(sum[:6]), ext))
		if err := atomicfile.WriteFile(path, body, 0o600); err != nil {
			cleanup()
			return nil, func() {}, err
		}
		saved = append(saved, store.Attachment{Name: name, MIME: mimeType, Size: int64(len(body)), SHA256: hex.EncodeToString(sum[:]), Path: path})
	}
	return saved, cleanup, nil
}

// sniff identifies PDF, JPEG and PNG by their magic bytes; anything else is unknown.
func sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "application/pdf"
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return "image/jpeg"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "image/png"
	}
	return http.DetectContentType(b)
}

func cleanFileName(n string) string {
	n = filepath.Base(strings.ReplaceAll(n, `\`, "/"))
	n = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || strings.ContainsRune(`/\:*?"<>|`, r) {
			return '_'
		}
		return r
	}, n)
	if utf8.RuneCountInString(n) > 100 {
		n = string([]rune(n)[:100])
	}
	if n == "" || n == "." {
		n = "附件"
	}
	return n
}
