package portal

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/report"
)

// openReports starts the credit-report service over the data folder. The public origin printed
// in QR codes is the configured public URL (serve --public-url, e.g. https://gongshi.example.cn), else the
// listen address; never from a request's Host header, which a client chooses.
func (s *Server) openReports() (*report.Service, error) {
	if s.cfg.Data == "" {
		return nil, nil
	}
	if err := os.MkdirAll(string(s.cfg.Data), 0o755); err != nil {
		return nil, fmt.Errorf("credit reports: %w", err)
	}
	svc, err := report.Open(report.Options{Data: s.cfg.Data, PublicURL: reportPublicURL(s.cfg.OpenData.BaseURL, s.cfg.Addr), Now: s.cfg.Now, Overlay: s.overlay})
	if err != nil {
		return nil, fmt.Errorf("credit reports: %w", err)
	}
	s.metrics.reg.MustRegister(svc.Collectors()...)
	return svc, nil
}

func reportPublicURL(public, addr string) string {
	if u := strings.TrimSpace(public); u != "" {
		return u
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// ReportsIssuedPerDay is the number of credit reports issued on each of the last days days
// (China time, oldest first), for the statistics page.
func (s *Server) ReportsIssuedPerDay(ctx context.Context, days int) ([]report.DayCount, error) {
	if s.reports == nil {
		return nil, errReportsOff
	}
	return s.reports.IssuedPerDay(ctx, days)
}

var errReportsOff = errors.New("credit reports need a data folder")

// issueReport resolves the entity and as_of of a report request and issues (or finds) the
// report, answering errors itself in the client's format; ok is false when it did.
func (s *Server) issueReport(c *gin.Context, asJSON bool) (*report.Issued, bool) {
	fail := s.pageFail
	if asJSON {
		fail = s.apiFail
	}
	if s.reports == nil {
		fail(c, index.ErrNotReady)
		return nil, false
	}
	g := s.live.Acquire()
	if g == nil {
		fail(c, index.ErrNotReady)
		return nil, false
	}
	defer g.Release()
	asOf, err := s.reports.ParseAsOf(c.Query("as_of"), g.Info)
	if err != nil {
		fail(c, err)
		return nil, false
	}
	is, err := s.reports.Issue(c.Request.Context(), g, c.Param("code"), asOf)
	if errors.Is(err, report.ErrEntityNotFound) {
		if asJSON {
			abortError(c, errorOf(msgEntityNotFound))
		} else {
			s.htmlError(c, http.StatusNotFound, "未找到该市场主体", "没有与“"+c.Param("code")+"”对应的市场主体，无法生成信用报告。请核对代码，或用名称搜索。")
		}
		return nil, false
	}
	if err != nil {
		fail(c, err)
		return nil, false
	}
	return is, true
}

// reportURL is the page of an entity's report, optionally for a day and in a format (".pdf",
// ".json").
func reportURL(code, asOf, ext string) string {
	u := "/entities/" + url.PathEscape(code) + "/report" + ext
	if asOf != "" {
		u += "?as_of=" + url.QueryEscape(asOf)
	}
	return u
}

func verifyURL(number string) string { return "/reports/verify/" + url.PathEscape(number) }

// setDownload names the file a browser saves (RFC 2231 encoding for the Chinese name).
func setDownload(c *gin.Context, disposition, filename string) {
	c.Header("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": filename}))
}
