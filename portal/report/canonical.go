package report

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// Canonical returns v as canonical JSON (see the package documentation).
func Canonical(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return CanonicalBytes(raw)
}

// CanonicalBytes re-encodes a JSON text in canonical form. Going through a generic value is what
// sorts struct fields as well as map keys, so the form does not depend on Go declaration order.
func CanonicalBytes(raw []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // numbers keep their written form: no float round trip
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON value")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // names like “A&B公司” stay readable and hash the same everywhere
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// ContentHash is the hex SHA-256 of canonical bytes.
func ContentHash(canonical []byte) string {
	h := sha256.Sum256(canonical)
	return hex.EncodeToString(h[:])
}

// fileHash is the hex SHA-256 of a file as issued or presented.
func fileHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// SignedMessage is what the content signature covers.
func SignedMessage(number, hash string) []byte {
	return []byte(Format + "\n" + number + "\n" + hash)
}

// pdfSignedMessage is what the PDF file signature covers.
func pdfSignedMessage(number string, body []byte) []byte {
	return []byte("gongshi-report-pdf-v1\n" + number + "\n" + fileHash(body))
}

// Envelope is report.json: the report with its hash and signature.
type Envelope struct {
	Report    json.RawMessage `json:"report"`
	Hash      string          `json:"hash"`
	Signature string          `json:"signature"` // base64 (standard, padded) Ed25519 signature
	KeyID     string          `json:"key_id"`
}

// seal signs a report with the keyring's current key and returns the canonical envelope.
func seal(rep *Report, keys *KeyRing) (env []byte, e Envelope, err error) {
	content, err := Canonical(rep)
	if err != nil {
		return nil, e, fmt.Errorf("canonical report: %w", err)
	}
	e = Envelope{Report: content, Hash: ContentHash(content)}
	e.KeyID, e.Signature, err = keys.Sign(SignedMessage(rep.Number, e.Hash))
	if err != nil {
		return nil, e, err
	}
	env, err = Canonical(e)
	return env, e, err
}
