package report

import (
	"bytes"
	"encoding/json"
	"errors"
)

// Result is what offline verification found about a presented copy.
type Result struct {
	Kind       string `json:"kind"` // "pdf" | "json"
	FileSHA256 string `json:"file_sha256"`
	Number     string `json:"number"`
	EntityName string `json:"entity_name"`
	EntityCode string `json:"entity_code"`
	AsOf       string `json:"as_of"`
	Generated  string `json:"generated_at"`
	Hash       string `json:"hash"` // content hash computed from the copy
	KeyID      string `json:"key_id"`
	KeyStatus  string `json:"key_status"` // "current", "retired", or "unknown"

	HashOK      bool `json:"hash_ok"`      // the recorded hash is the hash of the content
	SignatureOK bool `json:"signature_ok"` // the content signature is valid under a trusted key
	FileIntact  bool `json:"file_intact"`  // PDF: file signature valid; JSON: bytes as issued
	// Malformed: no report could be read from the copy at all (a damaged file, a PDF without
	// the attached report.json, JSON that is not an envelope), as opposed to a report that
	// was read and does not match.
	Malformed bool `json:"malformed"`

	Problems []string `json:"problems"` // Chinese, why the copy does not match
	Report   *Report  `json:"-"`
}

// Match reports whether the copy is an unaltered report signed by a trusted key.
func (r *Result) Match() bool {
	return r.HashOK && r.SignatureOK && r.FileIntact && !r.Malformed && len(r.Problems) == 0
}

// ErrUnknownFormat is returned for a file that is neither a PDF nor JSON.
var ErrUnknownFormat = errors.New("not a PDF or JSON file")

// Sniff tells a PDF from a JSON copy by its first bytes, never by a name or a declared type.
func Sniff(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("%PDF-")):
		return "pdf"
	case bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n"), []byte("{")):
		return "json"
	}
	return ""
}

// Verify checks a presented PDF or JSON copy against trusted keys, offline.
func Verify(b []byte, trusted KeySet) (*Result, error) {
	res := &Result{FileSHA256: fileHash(b), KeyStatus: "unknown", Problems: []string{}}
	switch Sniff(b) {
	case "pdf":
		res.Kind = "pdf"
		verifyPDF(b, trusted, res)
	case "json":
		res.Kind = "json"
		verifyJSON(b, trusted, res, true)
	default:
		return nil, ErrUnknownFormat
	}
	return res, nil
}

func (r *Result) problem(msg string) { r.Problems = append(r.Problems, msg) }

// malformed records why no report could be read from the copy.
func (r *Result) malformed(msg string) {
	r.Malformed = true
	r.problem(msg)
}

func verifyPDF(b []byte, trusted KeySet, res *Result) {
	body, number, keyID, sig, ok := pdfSignature(b)
	if !ok {
		res.problem("文件末尾没有完整的 gongshi 文件签名：文件被改动、截断，或不是本平台签发的 PDF。")
		body = b
	} else if k, valid := trusted.verify(keyID, pdfSignedMessage(number, body), sig); !valid {
		if k.Pub == nil {
			res.problem("文件签名所用的密钥 " + keyID + " 不在可信公钥中。")
		} else {
			res.problem("PDF 文件签名无效：文件内容在签发后被改动。")
		}
	} else {
		res.FileIntact = true
	}
	env, err := extractEnvelope(body)
	if err != nil {
		res.malformed("无法取出 PDF 附带的签名内容（" + err.Error() + "）：文件已损坏，或不是本平台签发的 PDF。")
		return
	}
	verifyJSON(env, trusted, res, false)
	if ok && res.Number != "" && number != res.Number {
		res.FileIntact = false
		res.problem("文件签名属于报告 " + number + "，而附带的内容属于报告 " + res.Number + "。")
	}
}

// verifyJSON checks an envelope; exact asks that the bytes be the canonical form as issued.
func verifyJSON(b []byte, trusted KeySet, res *Result, exact bool) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil || len(env.Report) == 0 {
		res.malformed("内容不是完整的报告 JSON（应包含 report、hash、signature、key_id）。")
		return
	}
	content, err := CanonicalBytes(env.Report)
	if err != nil {
		res.malformed("报告内容不是有效的 JSON。")
		return
	}
	var rep Report
	// "report": null or a string decodes into an empty Report without error; it is no report.
	if !bytes.HasPrefix(content, []byte("{")) || json.Unmarshal(content, &rep) != nil || rep.Number == "" {
		res.malformed("报告内容的结构无法识别（没有报告编号等字段）。")
		return
	}
	res.Report = &rep
	res.Number, res.EntityName, res.EntityCode, res.AsOf, res.Generated = rep.Number, rep.Entity.Name, rep.Entity.Code, rep.AsOf, rep.GeneratedAt
	res.Hash, res.KeyID = ContentHash(content), env.KeyID
	if rep.Format != Format {
		res.problem("报告格式 " + rep.Format + " 无法识别。")
	}
	res.HashOK = res.Hash == env.Hash
	if !res.HashOK {
		res.problem("内容哈希不一致：报告内容在签发后被改动。")
	}
	k, valid := trusted.verify(env.KeyID, SignedMessage(rep.Number, env.Hash), env.Signature)
	switch {
	case k.Pub == nil:
		res.problem("签名密钥 " + env.KeyID + " 不在可信公钥中，无法确认签发者。")
	case !valid:
		res.problem("签名无效：报告编号、内容哈希或签名被改动。")
	default:
		res.SignatureOK = true
	}
	if k.Pub != nil {
		res.KeyStatus = "retired"
		if k.Info.Current() {
			res.KeyStatus = "current"
		}
	}
	if exact {
		canon, err := Canonical(env)
		res.FileIntact = err == nil && bytes.Equal(bytes.TrimRight(b, " \t\r\n"), canon)
		if !res.FileIntact {
			res.problem("文件不是签发时的原样（格式或字节被改动）。")
		}
	}
}
