package portal

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/portal/report"
)

// reportJSON: GET /entities/:code/report.json — the signed envelope, byte for byte as issued.
func (s *Server) reportJSON(c *gin.Context) {
	is, ok := s.issueReport(c, true)
	if !ok {
		return
	}
	s.reports.Served("json")
	c.Header("X-Report-Number", is.Report.Number)
	setDownload(c, "attachment", "信用报告-"+is.Report.Number+".json")
	c.Data(http.StatusOK, "application/json; charset=utf-8", is.JSON)
}

// PublicKeysJSON is /reports/public-key: every key that signed reports, current first.
type PublicKeysJSON struct {
	Algorithm     string          `json:"algorithm"`
	CurrentKeyID  string          `json:"current_key_id"`
	SignedMessage string          `json:"signed_message"`
	KeyIDRule     string          `json:"key_id_rule"`
	Keys          []PublicKeyJSON `json:"keys"`
}

// PublicKeyJSON is one published key.
type PublicKeyJSON struct {
	KeyID        string `json:"key_id"`
	Algorithm    string `json:"algorithm"`
	Status       string `json:"status"` // current | retired
	PublicKeyHex string `json:"public_key_hex"`
	PublicKeyPEM string `json:"public_key_pem"`
	ValidFrom    string `json:"valid_from"`
	ValidUntil   string `json:"valid_until,omitempty"`
}

// reportPublicKey: GET /reports/public-key
func (s *Server) reportPublicKey(c *gin.Context) {
	if s.reports == nil {
		s.apiFail(c, index.ErrNotReady)
		return
	}
	out := PublicKeysJSON{Algorithm: "Ed25519", SignedMessage: report.Format + "\\n{number}\\n{hash}",
		KeyIDRule: "hex(SHA-256(hex(public key))[0:8])", Keys: []PublicKeyJSON{}}
	for _, k := range s.reports.Keys().Keys() {
		st := "retired"
		if k.Current() {
			st, out.CurrentKeyID = "current", k.ID
		}
		out.Keys = append(out.Keys, PublicKeyJSON{KeyID: k.ID, Algorithm: k.Algorithm, Status: st, PublicKeyHex: k.PublicKey,
			PublicKeyPEM: k.PEM(), ValidFrom: k.ValidFrom, ValidUntil: k.ValidUntil})
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.JSON(http.StatusOK, out)
}

// reportPublicKeyPEM: GET /reports/public-key.pem — the same keys for `verify-report --key`.
func (s *Server) reportPublicKeyPEM(c *gin.Context) {
	if s.reports == nil {
		s.apiFail(c, index.ErrNotReady)
		return
	}
	var b strings.Builder
	for _, k := range s.reports.Keys().Keys() {
		b.WriteString(k.PEM())
	}
	c.Header("Cache-Control", "public, max-age=300")
	setDownload(c, "inline", "gongshi-report-keys.pem")
	c.Data(http.StatusOK, "application/x-pem-file", []byte(b.String()))
}

// ReportJSON is /api/v1/reports/{number}: what the registry recorded about an issued report.
type ReportJSON struct {
	Number         string          `json:"number"`
	EntityCode     string          `json:"entity_code"`
	EntityName     string          `json:"entity_name"`
	AsOf           string          `json:"as_of"`
	GeneratedAt    string          `json:"generated_at"`
	GenerationID   string          `json:"generation_id"`
	DataDate       string          `json:"data_date"`
	OverlayVersion string          `json:"overlay_version"`
	ContentHash    string          `json:"content_hash"`
	KeyID          string          `json:"key_id"`
	KeyStatus      string          `json:"key_status"`
	Signature      string          `json:"signature"`
	SignatureValid bool            `json:"signature_valid"`
	Files          []report.File   `json:"files"`
	VerifyURL      string          `json:"verify_url"`
	Report         json.RawMessage `json:"report"` // the original content, as signed
}

// apiReport: GET /api/v1/reports/{number}
func (s *Server) apiReport(c *gin.Context) {
	if s.reports == nil {
		s.apiFail(c, index.ErrNotReady)
		return
	}
	rec, err := s.reports.Lookup(c.Request.Context(), c.Param("number"))
	if err != nil {
		s.apiFail(c, err)
		return
	}
	if rec == nil {
		abortError(c, errorOf(msgReportNotFound))
		return
	}
	e := rec.Entry
	c.JSON(http.StatusOK, ReportJSON{Number: e.Number, EntityCode: e.EntityCode, EntityName: e.EntityName, AsOf: e.AsOf,
		GeneratedAt: rec.Report.GeneratedAt, GenerationID: e.GenerationID, DataDate: e.DataDate, OverlayVersion: e.OverlayVersion,
		ContentHash: e.ContentHash, KeyID: e.KeyID, KeyStatus: rec.KeyStatus, Signature: e.Signature, SignatureValid: rec.SignatureOK,
		Files: rec.Files, VerifyURL: s.reports.ShortURL(e.Number), Report: rec.Envelope.Report})
}
