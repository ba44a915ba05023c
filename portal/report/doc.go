// Package report builds gongshi's verifiable credit reports (信用报告): what was public about one
// market entity on one day, as canonical JSON, HTML view data and a PDF, signed with the portal's
// Ed25519 key and recorded in a small registry so that anyone holding a copy can check it.
//
// # Content
//
// A Report is built from the serving generation and the portal's overlay (decisions and pending
// objections). It holds every record public on as_of: record date ≤ as_of, publication end empty
// or ≥ as_of, not hidden by a decision; list entries listed by as_of with their removal only if
// it happened by as_of. report.json is the canonical form; the HTML page and the PDF render the
// same Report value.
//
// # Canonical JSON and hashes
//
// Canonical JSON is the value decoded and re-encoded by encoding/json: object keys sorted
// byte-wise, no insignificant whitespace, no HTML escaping, numbers as written (the content has
// strings, booleans and arrays only). The content hash is the lower-case hex SHA-256 of the
// canonical bytes of the report object.
//
// # Signatures
//
// The content signature is Ed25519 over
//
//	"gongshi-report-v1\n" + number + "\n" + content hash
//
// with the key named by key_id. A key id is the lower-case hex of the first 8 bytes of
// SHA-256 over the lower-case hex of the 32-byte public key (16 hex characters).
//
// report.json is the canonical JSON of the envelope {report, hash, signature, key_id}; because
// the envelope is canonical, the bytes of its "report" value are the canonical report bytes, so a
// third party can hash them without re-implementing the canonical form. A JSON copy matches only
// if it is byte for byte in that canonical form (trailing whitespace aside): a re-formatted copy
// still carries authentic content, but is reported as not the issued file.
//
// The PDF embeds the same envelope as the attached file report-<number>.json (so the signed
// content travels with the document), and ends with one fixed-size comment line after %%EOF:
//
//	%GONGSHI-SIG-V1 <number> <key id> <base64 signature>\n
//
// whose signature is Ed25519 over "gongshi-report-pdf-v1\n" + number + "\n" + hex SHA-256 of
// every byte before that line. Readers ignore a comment after %%EOF; changing any byte of the
// file breaks either the file signature or the line itself. Offline verification
// (`gongshi verify-report`) checks both signatures and that they name the same report, and prints
// the file's SHA-256; the verify page also compares that hash with the files recorded as issued.
//
// Trust comes only from keys the verifier already holds: --key with the PEM published at
// /reports/public-key.pem, or the data folder's keys on the server. A key inside a presented file
// would prove nothing, so none is embedded.
//
// # Keys
//
// DATA/report-keys/ holds keys.json (public: every key with its validity period) and the current
// private key <key id>.pem (PKCS#8, mode 0600, never served). It is created on first start.
// Rotation (`gongshi report-key rotate`) adds a new key, closes the old key's validity period
// and deletes its private key; the old public key stays in keys.json, so reports it signed keep
// verifying. A running server notices the change on its next report.
//
// # Registry
//
// Every issued report is recorded in DATA/reports.db (SQLite, WAL), owned by this package and
// separate from the portal's SQL store: number, entity, as_of, generation id, overlay version,
// content hash, signature, key id, the envelope itself and the SHA-256 of every file issued.
// The verify page therefore works after a restart and after the data has moved on. Registry is
// an interface so that the table can move to the shared store later.
//
// The same (entity, as_of, generation, overlay version, signing key) gets the same report
// number: from an in-memory cache, else from the registry. PDF output is deterministic (fixed
// dates, sorted catalog), so a PDF rendered again after a restart has the recorded hash.
package report
