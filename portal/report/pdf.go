package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"
)

const (
	pageW, marginL, marginR, marginT, marginB = 210.0, 18.0, 18.0, 16.0, 18.0
	contentW                                  = pageW - marginL - marginR
	labelW                                    = 36.0
	qrMM                                      = 30.0
)

var (
	colInk    = [3]int{29, 36, 51}
	colMuted  = [3]int{91, 100, 116}
	colAccent = [3]int{180, 35, 24}
	colLine   = [3]int{217, 222, 231}
)

// pdfWriter lays the report out on A4 pages.
type pdfWriter struct {
	p      *fpdf.Fpdf
	size   float64                // current font size (pt)
	widths map[[2]float64]float64 // (rune, font size) → width, for wrapping
}

// RenderPDF lays out the report and attaches the signed envelope. The result is the PDF body;
// SignPDF appends the file signature. Output is deterministic for the same input.
func RenderPDF(rep *Report, envelope []byte, env Envelope) ([]byte, error) {
	p := fpdf.New("P", "mm", "A4", "")
	w := &pdfWriter{p: p, widths: map[[2]float64]float64{}}
	p.SetCatalogSort(true) // deterministic object order: a re-rendered PDF has the same bytes
	if t, err := time.Parse(time.RFC3339, rep.GeneratedAt); err == nil {
		p.SetCreationDate(t)
		p.SetModificationDate(t)
	}
	p.SetTitle("企业信用报告 "+rep.Number+" "+rep.Entity.Name, true)
	p.SetSubject(rep.Entity.Name+"（"+rep.Entity.Code+"）截至 "+rep.AsOf+" 的公示信用信息", true)
	p.SetAuthor(Issuer, true)
	p.SetCreator("gongshi", false)
	p.SetProducer("gongshi", false)
	p.SetKeywords(rep.Number+" "+env.Hash, false)
	p.SetLang("zh-CN")
	p.AddUTF8FontFromBytes(fontCJK, "", cjkTTF)
	p.AddUTF8FontFromBytes(fontLatin, "", latinTTF)
	p.SetMargins(marginL, marginT, marginR)
	p.SetAutoPageBreak(true, marginB)
	p.AliasNbPages("{nb}")
	p.SetAttachments([]fpdf.Attachment{{Content: envelope, Filename: "report-" + rep.Number + ".json",
		Description: "签名的报告内容（report.json）"}})
	p.SetHeaderFunc(func() {
		if p.PageNo() == 1 {
			return
		}
		w.font(8, colMuted)
		w.draw("企业信用报告 · "+rep.Entity.Name+" · 报告编号："+rep.Number, 5)
		p.Ln(5)
		w.rule()
		p.Ln(3)
	})
	p.SetFooterFunc(func() {
		p.SetY(-marginB + 4)
		w.rule()
		w.font(8, colMuted)
		text := "报告编号 " + rep.Number + "　页码 " + strconv.Itoa(p.PageNo()) + "/{nb}"
		p.SetX(marginL + (contentW-w.width(text))/2)
		w.draw(text, 5)
	})
	p.AddPage()
	if err := w.body(rep, env); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := p.Output(&buf); err != nil {
		return nil, fmt.Errorf("render PDF: %w", err)
	}
	return buf.Bytes(), nil
}

func (w *pdfWriter) font(size float64, col [3]int) {
	w.size = size
	w.p.SetTextColor(col[0], col[1], col[2])
}

// draw writes one line of text from the current position, each run in the face that has its
// characters, and leaves the position after it (no line break).
func (w *pdfWriter) draw(text string, h float64) {
	for _, r := range runs(text) {
		w.p.SetFont(r.face, "", w.size)
		w.p.CellFormat(w.p.GetStringWidth(r.text), h, r.text, "", 0, "L", false, 0, "")
	}
}

// line writes one line at x and moves to the next line.
func (w *pdfWriter) line(text string, x, h float64) {
	w.p.SetX(x)
	if text == "" {
		w.p.SetFont(fontLatin, "", w.size) // an empty cell still breaks the page if needed
		w.p.CellFormat(0, h, "", "", 0, "L", false, 0, "")
	}
	w.draw(text, h)
	w.p.Ln(h)
}

func (w *pdfWriter) width(text string) float64 {
	total := 0.0
	for _, r := range text {
		total += w.runeWidth(r)
	}
	return total
}

// rule draws a thin line across the text column at the current position.
func (w *pdfWriter) rule() {
	y := w.p.GetY()
	w.p.SetDrawColor(colLine[0], colLine[1], colLine[2])
	w.p.SetLineWidth(0.3)
	w.p.Line(marginL, y, marginL+contentW, y)
}

// bold draws text filled and stroked: a faux bold, since one embedded face is enough.
func (w *pdfWriter) bold(on bool) {
	if on {
		w.p.SetTextRenderingMode(2)
		w.p.SetLineWidth(0.12)
		w.p.SetDrawColor(w.p.GetTextColor())
	} else {
		w.p.SetTextRenderingMode(0)
	}
}

func (w *pdfWriter) runeWidth(r rune) float64 {
	k := [2]float64{float64(r), w.size}
	if v, ok := w.widths[k]; ok {
		return v
	}
	w.p.SetFont(faceFor(r), "", w.size)
	v := w.p.GetStringWidth(string(r))
	w.widths[k] = v
	return v
}

// wrap breaks text into lines no wider than width: between any two Chinese characters, and at
// a space inside Latin text where one is near. (fpdf's MultiCell drops a character at breaks
// in unspaced CJK text, so wrapping is done here.)
func (w *pdfWriter) wrap(s string, width float64) []string {
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		var line []rune
		lw := 0.0
		flush := func(rs []rune) {
			lines = append(lines, strings.TrimRight(string(rs), " "))
		}
		for _, r := range para {
			cw := w.runeWidth(r)
			if lw+cw > width && len(line) > 0 {
				cut := len(line)
				if r != ' ' && r < 0x2E80 {
					// Inside a Latin run (a date, a code): move the run to the next line whole,
					// cutting after the space or Chinese character before it, if near.
					for i := len(line) - 1; i > 0 && len(line)-i < 24; i-- {
						if line[i] == ' ' || line[i] >= 0x2E80 {
							cut = i + 1
							break
						}
					}
				}
				flush(line[:cut])
				line = append([]rune(nil), line[cut:]...)
				lw = 0
				for _, x := range line {
					lw += w.runeWidth(x)
				}
			}
			if r == ' ' && len(line) == 0 && len(lines) > 0 {
				continue
			}
			line = append(line, r)
			lw += cw
		}
		flush(line)
	}
	return lines
}

// para writes wrapped text at the left margin plus indent.
func (w *pdfWriter) para(text string, size, lh, indent float64, col [3]int) {
	w.font(size, col)
	for _, l := range w.wrap(text, contentW-indent) {
		w.line(l, marginL+indent, lh)
	}
}

// kv writes "label  value" with the value wrapped in its own column.
func (w *pdfWriter) kv(label, value string, indent float64) {
	const size, lh = 9.5, 5.2
	w.font(size, colInk)
	lines := w.wrap(value, contentW-indent-labelW)
	if len(lines) == 0 {
		lines = []string{""}
	}
	// Keep a short field together rather than leaving its label alone at a page end.
	if _, y := w.p.GetXY(); len(lines) <= 4 && y+lh*float64(len(lines)) > 297-marginB {
		w.p.AddPage()
	}
	for i, l := range lines {
		if i == 0 {
			w.p.SetX(marginL + indent)
			w.font(size, colMuted)
			w.draw(label, lh)
			w.font(size, colInk)
		}
		w.line(l, marginL+indent+labelW, lh)
	}
}

// heading starts a numbered part of the report, on a new page if little room is left.
func (w *pdfWriter) heading(text string) {
	if _, y := w.p.GetXY(); y > 297-marginB-30 {
		w.p.AddPage()
	}
	w.p.Ln(3)
	w.font(13, colAccent)
	w.bold(true)
	w.line(text, marginL, 8)
	w.bold(false)
	w.rule()
	w.p.Ln(2)
}

func (w *pdfWriter) subheading(text string, indent float64) {
	if _, y := w.p.GetXY(); y > 297-marginB-22 {
		w.p.AddPage()
	}
	w.p.Ln(1.5)
	w.font(10.5, colInk)
	w.bold(true)
	for _, l := range w.wrap(text, contentW-indent) {
		w.line(l, marginL+indent, 6)
	}
	w.bold(false)
}

func (w *pdfWriter) qr(text string, x, y float64) error {
	size, runs, err := qrRuns(text)
	if err != nil {
		return err
	}
	m := qrMM / float64(size+2*quietZone)
	w.p.SetFillColor(0, 0, 0)
	for _, r := range runs {
		w.p.Rect(x+float64(r[0]+quietZone)*m, y+float64(r[1]+quietZone)*m, float64(r[2])*m, m, "F")
	}
	return nil
}

func (w *pdfWriter) body(rep *Report, env Envelope) error {
	p := w.p
	// Title block with the QR code to the verify page on the right.
	top := p.GetY()
	if err := w.qr(rep.VerifyURL, marginL+contentW-qrMM, top); err != nil {
		return err
	}
	w.font(7.5, colMuted)
	p.SetXY(marginL+contentW-qrMM+(qrMM-w.width("扫码核验真伪"))/2, top+qrMM)
	w.draw("扫码核验真伪", 4)
	p.SetXY(marginL, top+2)
	w.font(22, colAccent)
	w.bold(true)
	w.line("企业信用报告", marginL, 11)
	w.bold(false)
	w.font(14, colInk)
	for _, l := range w.wrap(rep.Entity.Name, contentW-qrMM-4) {
		w.line(l, marginL, 8)
	}
	w.font(9.5, colInk)
	for _, l := range []string{
		"统一社会信用代码：" + rep.Entity.Code,
		"报告编号：" + rep.Number,
		"信息截止日（as_of）：" + rep.AsOf,
		"生成时间：" + displayTime(rep.GeneratedAt),
	} {
		w.line(l, marginL, 5.2)
	}
	if p.GetY() < top+qrMM+6 {
		p.SetY(top + qrMM + 6)
	}
	w.para("数据版本："+rep.Data.GenerationID+"（数据日期 "+rep.Data.DataDate+"；决定与异议版本 "+rep.Data.OverlayVersion+"）　签发："+rep.Issuer, 8.5, 4.6, 0, colMuted)
	w.para("核验网址："+rep.VerifyURL, 8.5, 4.6, 0, colMuted)

	w.heading("一、登记基本信息")
	w.kv("企业名称", rep.Entity.Name, 0)
	w.kv("统一社会信用代码", rep.Entity.Code, 0)
	if rep.Entity.RegionName != "" {
		w.kv("登记地区", rep.Entity.RegionName, 0)
	}
	for _, f := range rep.Entity.Fields {
		if f.Key == "code" || f.Key == "name" {
			continue
		}
		w.kv(f.Label, f.Value, 0)
	}
	if len(rep.Entity.FormerNames) > 0 {
		w.kv("曾用名", strings.Join(rep.Entity.FormerNames, "；"), 0)
	}
	w.para("来源："+rep.Entity.Source.Publisher+"（快照日期 "+rep.Entity.Source.SnapshotDate+"）", 8.5, 4.6, 0, colMuted)

	w.heading("二、名单状态（截至 " + rep.AsOf + "）")
	for _, st := range rep.ListStatus {
		mark := "否"
		if st.Listed {
			mark = "是"
		}
		w.kv(st.Label, mark+"。"+st.Summary, 0)
	}

	w.heading("三、公示记录（" + rep.AsOf + " 处于公示期内）")
	if len(rep.Sections) == 0 {
		w.para("截至 "+rep.AsOf+"，该市场主体没有处于公示期内的行政处罚、名单或其他记录。", 9.5, 5.2, 0, colInk)
	}
	for _, sec := range rep.Sections {
		w.subheading(fmt.Sprintf("%s（%d 条）", sec.Label, len(sec.Records)), 0)
		for i, r := range sec.Records {
			w.subheading(fmt.Sprintf("%d. %s", i+1, r.Title), 3)
			if r.PendingObjection != "" {
				w.para("【存在异议】异议处理中，"+r.PendingObjection+" 受理", 9, 5, 6, colAccent)
			}
			if r.CorrectionNote != "" {
				w.para("【更正说明】"+r.CorrectionNote, 9, 5, 6, colAccent)
			}
			if r.Date != "" {
				w.kv(r.DateLabel, r.Date, 6)
			}
			if r.Removed != "" {
				w.kv("移出日期", r.Removed, 6)
			}
			w.kv("公示截止期", firstOf(r.PublicUntil, r.PublicUntilNote), 6)
			for _, f := range r.Fields {
				if f.Key == "removal_date" {
					continue
				}
				w.kv(f.Label, f.Value, 6)
			}
			w.para("来源："+r.Source.Publisher+"（快照日期 "+r.Source.SnapshotDate+"）　记录标识："+r.ID, 8, 4.4, 6, colMuted)
		}
	}

	w.heading("四、处理中的异议")
	if len(rep.Objections) == 0 {
		w.para("截至 "+rep.AsOf+"，本报告所列记录没有处理中的异议。", 9.5, 5.2, 0, colInk)
	}
	for _, o := range rep.Objections {
		w.kv(o.RecordType, o.RecordTitle+"："+o.Note, 0)
	}

	w.heading("五、更正说明")
	if len(rep.Corrections) == 0 {
		w.para("本报告所列记录没有经异议处理作出的更正或说明。", 9.5, 5.2, 0, colInk)
	}
	for _, c := range rep.Corrections {
		w.kv(c.RecordTitle, c.Note, 0)
	}

	w.heading("六、数据来源")
	for _, s := range rep.Sources {
		w.kv("快照 "+s.SnapshotDate, s.Publisher, 0)
	}

	w.heading("七、报告说明")
	w.subheading("本报告包括", 0)
	for _, c := range rep.Coverage.Covers {
		w.para("· "+c, 9, 5, 3, colInk)
	}
	w.subheading("本报告不包括", 0)
	for _, c := range rep.Coverage.Excludes {
		w.para("· "+c, 9, 5, 3, colInk)
	}

	w.heading("八、核验信息")
	w.kv("报告编号", rep.Number, 0)
	w.kv("内容哈希 SHA-256", env.Hash, 0)
	w.kv("签名算法", "Ed25519，签名内容为 \""+Format+"\\n\" + 报告编号 + \"\\n\" + 内容哈希", 0)
	w.kv("签名密钥标识", env.KeyID, 0)
	w.kv("签名", env.Signature, 0)
	w.para("核验方法：扫描首页二维码或访问 "+rep.VerifyURL+"，上传本文件即可比对；也可使用 gongshi verify-report 命令和 /reports/public-key.pem 公布的公钥离线核验。本 PDF 附带签名的 report.json（附件），文件末尾另有对整个文件的签名，任何改动都会导致核验不通过。",
		8.5, 4.6, 0, colMuted)
	return p.Error()
}

// displayTime shows an RFC 3339 time as China time to the minute.
func displayTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.Format("2006-01-02 15:04:05") + "（北京时间）"
}
