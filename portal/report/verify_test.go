package report

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/md5"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// lengthOverflowPDF is a 190-byte PDF whose attachment declares /Length 9223372036854775807
// (math.MaxInt64): added to the stream's offset, that length wraps to a negative end.
func lengthOverflowPDF() []byte {
	return []byte("%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Length 9223372036854775807 /Filter /FlateDecode /Params << /CheckSum <" +
		strings.Repeat("0", 32) + "> /Size 2 >> >>\nstream\n\nendstream\nendobj\n%%EOF\n")
}

// attachmentPDF wraps stream bytes in the smallest PDF the verifier reads: one attachment with
// the dictionary fpdf writes, declaring length and size as given.
func attachmentPDF(length, size string, stream []byte) []byte {
	return fmt.Appendf(nil, "%%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Length %s /Filter /FlateDecode /Params << /CheckSum <%032x> /Size %s >> >>\nstream\n%s\nendstream\nendobj\n%%%%EOF\n",
		length, 0, size, stream)
}

// miniPDF is attachmentPDF around a real envelope, signed: a valid copy small enough that a
// fuzzer mutates its structure rather than font data.
func miniPDF(t testing.TB, env []byte, number string, keys *KeyRing) []byte {
	t.Helper()
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(env)
	zw.Close()
	body := fmt.Appendf(nil, "%%PDF-1.7\n1 0 obj\n<< /Type /EmbeddedFile /Length %d /Filter /FlateDecode /Params << /CheckSum <%x> /Size %d >> >>\nstream\n%s\nendstream\nendobj\n%%%%EOF\n",
		z.Len(), md5.Sum(env), len(env), z.Bytes())
	signed, err := SignPDF(body, number, keys)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// Lengths and sizes in an attachment's dictionary come from the file: none of them may crash
// the verifier, and each makes the copy malformed rather than a mismatch of a readable report.
func TestVerifyMalformedAttachment(t *testing.T) {
	overflow := lengthOverflowPDF()
	if len(overflow) != 190 {
		t.Fatalf("the /Length case is %d bytes, want 190", len(overflow))
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(`{"report":{}}`))
	zw.Close()
	for what, pdf := range map[string][]byte{
		"/Length MaxInt64":                overflow,
		"/Length MaxInt64, long file":     append(bytes.Clone(overflow), bytes.Repeat([]byte{' '}, 4096)...),
		"/Length above MaxInt64":          attachmentPDF("99999999999999999999", "2", nil),
		"/Length one past the end":        attachmentPDF(fmt.Sprint(z.Len()+len("\nendstream\nendobj\n%%EOF\n")+1), "13", z.Bytes()),
		"/Length 0":                       attachmentPDF("0", "13", z.Bytes()),
		"/Size MaxInt64":                  attachmentPDF(fmt.Sprint(z.Len()), "9223372036854775807", z.Bytes()),
		"/Size above MaxInt64":            attachmentPDF(fmt.Sprint(z.Len()), "99999999999999999999", z.Bytes()),
		"/Length cuts the zlib stream":    attachmentPDF(fmt.Sprint(z.Len()-3), "13", z.Bytes()),
		"attachment with an empty report": attachmentPDF(fmt.Sprint(z.Len()), "13", z.Bytes()),
		"two attachments":                 append(attachmentPDF("0", "0", nil), attachmentPDF("0", "0", nil)...),
	} {
		res, err := Verify(pdf, KeySet{})
		if err != nil {
			t.Errorf("%s: %v", what, err)
			continue
		}
		if !res.Malformed || res.Match() || len(res.Problems) == 0 {
			t.Errorf("%s: want a malformed copy, got %+v", what, res)
		}
	}
}

// A JSON copy is malformed when no envelope with a report object can be read from it.
func TestVerifyMalformedJSON(t *testing.T) {
	for _, js := range []string{`{`, `{}`, `{"report":null}`, `{"report":"XY20261122ABCD1234"}`, `{"report":[1]}`,
		`{"report":{"number":"x"}} {"report":{}}`, "\xef\xbb\xbf{\"report\":7}", `{"report":{"format":1}}`} {
		res, err := Verify([]byte(js), KeySet{})
		if err != nil || !res.Malformed || res.Match() {
			t.Errorf("%s: want a malformed copy, got %+v %v", js, res, err)
		}
	}
}

// issuedForFuzz issues 华威's report and returns it with the keys that trust it and a small
// signed PDF around the same envelope.
func issuedForFuzz(t testing.TB) (*Issued, KeySet, []byte) {
	dd := testData(t)
	g := openGeneration(t, dd)
	s := openService(t, dd, nil)
	is, err := s.Issue(context.Background(), g, huawei, "2026-11-22")
	if err != nil {
		t.Fatal(err)
	}
	return is, s.Keys().Trusted(), miniPDF(t, is.JSON, is.Report.Number, s.Keys())
}

// reencodeSignature rewrites the base64 signature sig inside b with the last character's
// unused bits set: a different string that a lax decoder reads as the same signature.
func reencodeSignature(t *testing.T, b []byte, sig string) []byte {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	if !strings.HasSuffix(sig, "==") || bytes.Count(b, []byte(sig)) != 1 {
		t.Fatalf("signature %q not found once", sig)
	}
	last := strings.IndexByte(alphabet, sig[len(sig)-3])
	other := sig[:len(sig)-3] + string(alphabet[last|1]) + "=="
	return bytes.Replace(b, []byte(sig), []byte(other), 1)
}

// Only the bytes as issued match: a signature written another way (unused bits set, a line
// break the decoder skips) would give a copy with another SHA-256 that still verifies.
func TestVerifyAcceptsOnlyTheIssuedSignatureEncoding(t *testing.T) {
	is, trusted, mini := issuedForFuzz(t)
	mustMatch(t, "small signed pdf", mini, trusted, true)
	pdfSig := string(is.PDF[bytes.LastIndexByte(is.PDF, ' ')+1 : len(is.PDF)-1])
	for what, b := range map[string][]byte{
		"json, content signature with unused bits": reencodeSignature(t, is.JSON, is.Envelope.Signature),
		"json, content signature with a line break": bytes.Replace(is.JSON, []byte(is.Envelope.Signature),
			[]byte(is.Envelope.Signature[:40]+`\n`+is.Envelope.Signature[40:]), 1),
		"pdf, file signature with unused bits": reencodeSignature(t, is.PDF, pdfSig),
	} {
		if bytes.Equal(b, is.JSON) || bytes.Equal(b, is.PDF) {
			t.Fatalf("%s: the copy was not changed", what)
		}
		mustMatch(t, what, b, trusted, false)
	}
}

// checkVerify is the fuzz targets' property: Verify answers for any bytes without panicking, a
// copy that does not match says why, and only the issued bytes (JSON: with a byte order mark
// or trailing white space) match.
func checkVerify(t *testing.T, b []byte, trusted KeySet, issued ...[]byte) {
	res, err := Verify(b, trusted)
	if err != nil {
		if !errors.Is(err, ErrUnknownFormat) || Sniff(b) != "" {
			t.Fatalf("Verify: %v", err)
		}
		return
	}
	if res.Kind != Sniff(b) || len(res.FileSHA256) != 64 {
		t.Fatalf("result %+v for a %q file", res, Sniff(b))
	}
	if !res.Match() {
		if len(res.Problems) == 0 {
			t.Fatalf("no match without a problem: %+v", res)
		}
		return
	}
	if res.Malformed {
		t.Fatalf("a malformed copy matches: %+v", res)
	}
	presented := b
	if res.Kind == "json" {
		presented = bytes.TrimRight(bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")), " \t\r\n")
	}
	for _, want := range issued {
		if bytes.Equal(presented, want) {
			return
		}
	}
	t.Fatalf("a copy that was not issued matches (SHA-256 %s)", res.FileSHA256)
}

// FuzzVerifyReportPDF: the PDF verifier reads its lengths, offsets and the attached envelope
// from the presented file.
func FuzzVerifyReportPDF(f *testing.F) {
	is, trusted, mini := issuedForFuzz(f)
	for _, seed := range [][]byte{is.PDF, mini, lengthOverflowPDF(), mini[:len(mini)/2], mini[:len(mini)-1],
		bytes.Replace(mini, []byte("/Length "), []byte("/Length 1"), 1), bytes.Replace(mini, []byte("/Size "), []byte("/Size 9"), 1),
		bytes.Replace(mini, []byte("stream\n"), []byte("stream\r\n"), 1), attachmentPDF("0", "0", nil), []byte("%PDF-")} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkVerify(t, b, trusted, is.PDF, mini)
	})
}

// FuzzVerifyReportJSON: the JSON verifier decodes and re-encodes the presented envelope.
func FuzzVerifyReportJSON(f *testing.F) {
	is, trusted, _ := issuedForFuzz(f)
	var pretty bytes.Buffer
	json.Indent(&pretty, is.JSON, "", "  ")
	for _, seed := range [][]byte{is.JSON, append([]byte("\xef\xbb\xbf"), is.JSON...), append(bytes.Clone(is.JSON), "\r\n"...),
		pretty.Bytes(), is.JSON[:len(is.JSON)-1], []byte(`{"report":null,"hash":"","signature":"","key_id":""}`),
		[]byte(`{"report":{"format":"gongshi-report-v1","number":"XY20261122ABCD1234"},"hash":"00","signature":"AA==","key_id":"` + is.Envelope.KeyID + `"}`),
		[]byte(`{"report":` + strings.Repeat("[", 10001) + `}`), []byte(` {"report":{"n":1e999999}}`)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkVerify(t, b, trusted, is.JSON)
	})
}

// FuzzParsePublicKeys: the --key file is whatever the user downloaded; every key it yields is
// a 32-byte Ed25519 key under the id derived from it.
func FuzzParsePublicKeys(f *testing.F) {
	k, err := OpenKeyRing(f.TempDir(), nil)
	if err != nil {
		f.Fatal(err)
	}
	pemKeys := k.Keys()[0].PEM()
	for _, seed := range []string{pemKeys, pemKeys + pemKeys, k.Keys()[0].PublicKey, strings.Replace(pemKeys, "PUBLIC KEY", "PRIVATE KEY", 2),
		"-----BEGIN PUBLIC KEY-----\nMAA=\n-----END PUBLIC KEY-----\n", strings.Repeat("0", 64) + "\n" + strings.Repeat("f", 62), ""} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ks, err := ParsePublicKeys(b)
		if err != nil {
			return
		}
		if len(ks) == 0 {
			t.Fatal("no keys and no error")
		}
		for id, key := range ks {
			if len(key.Pub) != 32 || KeyID(key.Pub) != id || key.Info.ID != id {
				t.Fatalf("key %s: %d bytes, derived id %s", id, len(key.Pub), KeyID(key.Pub))
			}
		}
	})
}
