package report

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
)

const pdfSigPrefix = "%GONGSHI-SIG-V1 "

// pdfSigLine matches the file signature line: number, key id, base64 Ed25519 signature.
var pdfSigLine = regexp.MustCompile(`\n%GONGSHI-SIG-V1 (XY[0-9]{8}[0-9A-Z]{8}) ([0-9a-f]{16}) ([A-Za-z0-9+/]{86}==)\n$`)

// SignPDF appends the file signature line to a rendered PDF body.
func SignPDF(body []byte, number string, keys *KeyRing) ([]byte, error) {
	if !bytes.HasSuffix(body, []byte("%%EOF\n")) {
		return nil, errors.New("PDF body does not end with %%EOF")
	}
	id, sig, err := keys.Sign(pdfSignedMessage(number, body))
	if err != nil {
		return nil, err
	}
	out := make([]byte, 0, len(body)+128)
	out = append(out, body...)
	return append(out, pdfSigPrefix+number+" "+id+" "+sig+"\n"...), nil
}

// pdfSignature splits a presented PDF into the signed body and its signature line's fields.
func pdfSignature(b []byte) (body []byte, number, keyID, sig string, ok bool) {
	tail := b
	if len(tail) > 256 {
		tail = tail[len(tail)-256:]
	}
	m := pdfSigLine.FindSubmatchIndex(tail)
	if m == nil {
		return nil, "", "", "", false
	}
	start := len(b) - len(tail) + m[0] + 1 // the body keeps its "%%EOF\n"
	return b[:start], string(tail[m[2]:m[3]]), string(tail[m[4]:m[5]]), string(tail[m[6]:m[7]]), true
}

// embeddedFile matches the dictionary fpdf writes for an attachment's stream.
var embeddedFile = regexp.MustCompile(`<< /Type /EmbeddedFile /Length (\d+) /Filter /FlateDecode /Params << /CheckSum <[0-9a-f]{32}> /Size (\d+) >> >>\n+stream\r?\n`)

// maxEnvelope bounds the inflated attachment: a hostile upload must not inflate without limit.
const maxEnvelope = 8 << 20

// extractEnvelope returns the report.json attached to a gongshi PDF.
func extractEnvelope(pdf []byte) ([]byte, error) {
	all := embeddedFile.FindAllSubmatchIndex(pdf, 2)
	switch len(all) {
	case 0:
		return nil, errors.New("no attached report.json")
	case 1:
	default:
		return nil, errors.New("more than one attached file")
	}
	m := all[0]
	stream := pdf[m[1]:] // the bytes after "stream\n": the declared length must fit in them
	// Both numbers come from the file. Compare them with what is left rather than adding to an
	// offset: /Length 9223372036854775807 plus the offset would wrap to a negative end.
	n, err := strconv.ParseInt(string(pdf[m[2]:m[3]]), 10, 64)
	if err != nil || n < 0 || n > int64(len(stream)) {
		return nil, errors.New("attached report.json is truncated or its /Length is wrong")
	}
	size, err := strconv.ParseInt(string(pdf[m[4]:m[5]]), 10, 64)
	if err != nil || size < 0 || size > maxEnvelope {
		return nil, fmt.Errorf("attached file declares a /Size that is negative or above %d bytes", maxEnvelope)
	}
	zr, err := zlib.NewReader(bytes.NewReader(stream[:n]))
	if err != nil {
		return nil, fmt.Errorf("attached report.json: %w", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxEnvelope+1))
	if err != nil {
		return nil, fmt.Errorf("attached report.json: %w", err)
	}
	if len(out) > maxEnvelope {
		return nil, errors.New("attached file too large")
	}
	return out, nil
}
