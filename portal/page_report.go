package portal

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/report"
)

// maxReportUpload is the largest copy the verify form takes: a report PDF is well below it.
const maxReportUpload = 1 << 20

// pageReport: GET /entities/:code/report?as_of= — the report as a print-friendly page.
func (s *Server) pageReport(c *gin.Context) {
	is, ok := s.issueReport(c, false)
	if !ok {
		return
	}
	r := is.Report
	if c.Param("code") != r.Entity.Code {
		c.Redirect(http.StatusMovedPermanently, reportURL(r.Entity.Code, c.Query("as_of"), ""))
		return
	}
	s.reports.Served("html")
	qr, err := report.QRSVG(s.reports.ShortURL(r.Number), "核验二维码："+s.reports.ShortURL(r.Number))
	if err != nil {
		s.pageFail(c, err)
		return
	}
	earliest := ""
	if info, ok := s.live.Current(); ok {
		earliest = earliestSnapshotDate(info)
	}
	c.Header("X-Report-Number", r.Number)
	s.render(c, http.StatusOK, "report", layoutView{
		Title:       "企业信用报告 " + r.Number + " · " + r.Entity.Name,
		Description: r.Entity.Name + "（" + r.Entity.Code + "）截至 " + r.AsOf + " 的公示信用信息，可核验的信用报告。",
		Data: reportPage{R: r, Env: is.Envelope, QR: template.HTML(qr), ShortURL: s.reports.ShortURL(r.Number),
			PDFURL: reportURL(r.Entity.Code, r.AsOf, ".pdf"), JSONURL: reportURL(r.Entity.Code, r.AsOf, ".json"),
			VerifyPath: verifyURL(r.Number), EntityURL: entityURL(r.Entity.Code, ""), Today: s.today(), Earliest: earliest,
			Generated: displayGenerated(r.GeneratedAt)},
	})
}

type reportPage struct {
	R                                                *report.Report
	Env                                              report.Envelope
	QR                                               template.HTML
	ShortURL, PDFURL, JSONURL, VerifyPath, EntityURL string
	Today, Earliest                                  string // bounds of the as_of picker
	Generated                                        string
}

// displayGenerated shows a report's RFC 3339 generation time as China time to the minute.
func displayGenerated(v string) string {
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return formatDateTime(t) + "（北京时间）"
	}
	return v
}

func earliestSnapshotDate(info index.GenerationInfo) string {
	first := info.DataDate
	for _, sn := range info.Snapshots {
		if sn.SnapshotDate != "" && sn.SnapshotDate < first {
			first = sn.SnapshotDate
		}
	}
	return first
}

// reportPDF: GET /entities/:code/report.pdf
func (s *Server) reportPDF(c *gin.Context) {
	is, ok := s.issueReport(c, false)
	if !ok {
		return
	}
	s.reports.Served("pdf")
	c.Header("Content-Type", "application/pdf")
	c.Header("X-Report-Number", is.Report.Number)
	setDownload(c, "inline", "信用报告-"+is.Report.Number+".pdf")
	tag := is.Envelope.Hash // read back from reports.db: do not trust its length
	if len(tag) > 16 {
		tag = tag[:16]
	}
	c.Header("ETag", `"`+tag+`-pdf"`)
	c.Header("Cache-Control", "private, max-age=300")
	http.ServeContent(c.Writer, c.Request, "", time.Time{}, bytes.NewReader(is.PDF))
}

// reportShortLink: GET /r/:number — the QR code's short URL.
func (s *Server) reportShortLink(c *gin.Context) {
	number, ok := report.NormalizeNumber(c.Param("number"))
	if !ok {
		s.htmlError(c, http.StatusNotFound, "报告编号有误", "报告编号由 XY、8 位日期和 8 位字母数字组成，例如 XY20261122ABCD1234。请核对后重试。")
		return
	}
	c.Redirect(http.StatusFound, verifyURL(number))
}

// reportVerifyPage is the verify page: the recorded report, and the check of a presented copy.
type reportVerifyPage struct {
	Rec          *report.RecordInfo
	R            *report.Report
	KeyStatus    string
	Generated    string
	Records      int
	Check        *report.Check
	CheckKind    string
	Error        string
	ReportURL    string
	PublicKeyURL string
}

func (s *Server) verifyView(rec *report.RecordInfo) reportVerifyPage {
	v := reportVerifyPage{Rec: rec, R: rec.Report, KeyStatus: keyStatusLabel(rec.KeyStatus),
		ReportURL: reportURL(rec.Report.Entity.Code, rec.Report.AsOf, ""), PublicKeyURL: "/reports/public-key"}
	v.Generated = displayGenerated(rec.Report.GeneratedAt)
	for _, sec := range rec.Report.Sections {
		v.Records += len(sec.Records)
	}
	return v
}

func keyStatusLabel(st string) string {
	switch st {
	case "current":
		return "当前签名密钥"
	case "retired":
		return "已轮换的历史密钥（仍可核验其签发的报告）"
	}
	return "未知密钥"
}

// lookupReport finds the report of the :number parameter, answering 404 itself.
func (s *Server) lookupReport(c *gin.Context) (*report.RecordInfo, bool) {
	if s.reports == nil {
		s.pageFail(c, index.ErrNotReady)
		return nil, false
	}
	rec, err := s.reports.Lookup(c.Request.Context(), c.Param("number"))
	if err != nil {
		s.pageFail(c, err)
		return nil, false
	}
	if rec == nil {
		s.htmlError(c, http.StatusNotFound, "未找到该报告",
			"本平台没有签发编号为“"+c.Param("number")+"”的信用报告。请核对报告编号（XY 开头，共 18 位）；如编号无误而仍查不到，该报告不是本平台签发的。")
		return nil, false
	}
	return rec, true
}

// pageReportVerify: GET /reports/verify/:number
func (s *Server) pageReportVerify(c *gin.Context) {
	rec, ok := s.lookupReport(c)
	if !ok {
		return
	}
	s.renderVerify(c, http.StatusOK, s.verifyView(rec))
}

func (s *Server) renderVerify(c *gin.Context, status int, v reportVerifyPage) {
	s.render(c, status, "report_verify", layoutView{Title: "核验信用报告 " + v.Rec.Entry.Number,
		Description: "核验信用报告 " + v.Rec.Entry.Number + " 的真伪：签发记录、内容哈希、签名，以及上传的副本是否一致。", Data: v})
}

// pageReportVerifyCopy: POST /reports/verify/:number — compare an uploaded or pasted copy.
func (s *Server) pageReportVerifyCopy(c *gin.Context) {
	rec, ok := s.lookupReport(c)
	if !ok {
		return
	}
	v := s.verifyView(rec)
	data, status, msg := readPresentedCopy(c)
	if msg != "" {
		v.Error = msg
		s.renderVerify(c, status, v)
		return
	}
	check, err := s.reports.VerifyCopy(c.Request.Context(), rec, data)
	if errors.Is(err, report.ErrUnknownFormat) {
		v.Error = "只能核验本平台签发的 PDF 或 JSON 文件；所选文件不是 PDF，也不是 JSON。"
		s.renderVerify(c, http.StatusUnsupportedMediaType, v)
		return
	}
	if err != nil {
		s.pageFail(c, err)
		return
	}
	if check.Result.Malformed {
		// Nothing could be compared: the request is at fault, not a report that differs.
		v.Error = "文件已损坏或格式有误，读不出其中的信用报告，因此与报告 " + rec.Entry.Number + " 不一致。" +
			strings.Join(check.Result.Problems, "") + "请上传从本平台下载的原始 PDF 或 JSON 文件。"
		s.renderVerify(c, http.StatusUnprocessableEntity, v)
		return
	}
	v.Check, v.CheckKind = check, strings.ToUpper(check.Result.Kind)
	s.renderVerify(c, http.StatusOK, v)
}

// readPresentedCopy takes the uploaded file, or else the pasted text, size-limited and
// type-checked by content; msg is the Chinese error to show when there is none usable.
func readPresentedCopy(c *gin.Context) (data []byte, status int, msg string) {
	tooLarge := "文件超过 1 MB，不是本平台签发的报告文件。"
	fh, err := c.FormFile("file")
	switch {
	case isTooLarge(err):
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	case err == nil:
		if fh.Size > maxReportUpload {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		f, err := fh.Open()
		if err != nil {
			return nil, http.StatusBadRequest, "无法读取上传的文件，请重试。"
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, maxReportUpload+1)); err != nil || len(data) > maxReportUpload {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
	default:
		data = []byte(strings.TrimSpace(c.PostForm("content")))
		if isTooLarge(c.Request.ParseForm()) {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
	}
	if len(data) == 0 {
		return nil, http.StatusBadRequest, "请选择要核验的 PDF 或 JSON 文件，或粘贴 JSON 内容。"
	}
	if report.Sniff(data) == "" {
		return nil, http.StatusUnsupportedMediaType, "只能核验本平台签发的 PDF 或 JSON 文件；所选文件不是 PDF，也不是 JSON。"
	}
	return data, http.StatusOK, ""
}
