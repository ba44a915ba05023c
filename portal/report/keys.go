package report

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gongshi/gongshi/index"
)

// KeyDir is the folder of the report signing keys inside a data folder.
func KeyDir(d index.DataDir) string { return filepath.Join(string(d), "report-keys") }

const keysFile = "keys.json"

// KeyInfo is the public description of a signing key.
type KeyInfo struct {
	ID        string `json:"key_id"`
	Algorithm string `json:"algorithm"`
	PublicKey string `json:"public_key_hex"`
	// ValidFrom and ValidUntil bound the period in which the key signed reports (RFC 3339);
	// ValidUntil is empty for the current key.
	ValidFrom  string `json:"valid_from"`
	ValidUntil string `json:"valid_until,omitempty"`
}

// Current reports whether the key still signs new reports.
func (k KeyInfo) Current() bool { return k.ValidUntil == "" }

// PEM is the key's public part as a PEM block, with its id and validity as headers.
func (k KeyInfo) PEM() string {
	pub, _ := hex.DecodeString(k.PublicKey)
	der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(pub))
	if err != nil {
		return ""
	}
	h := map[string]string{"Key-Id": k.ID, "Valid-From": k.ValidFrom}
	if k.ValidUntil != "" {
		h["Valid-Until"] = k.ValidUntil
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Headers: h, Bytes: der}))
}

// KeyID derives a key's id from its public key (see the package documentation).
func KeyID(pub ed25519.PublicKey) string {
	h := sha256.Sum256([]byte(hex.EncodeToString(pub)))
	return hex.EncodeToString(h[:8])
}

// KeySet is a set of trusted public keys by id.
type KeySet map[string]TrustedKey

// TrustedKey is one public key a verifier trusts.
type TrustedKey struct {
	Info KeyInfo
	Pub  ed25519.PublicKey
}

// verify checks a base64 signature by the key named id.
func (ks KeySet) verify(id string, msg []byte, sigB64 string) (TrustedKey, bool) {
	k, ok := ks[id]
	if !ok {
		return k, false
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	// Only the one encoding the signer writes: the decoder skips CR and LF and the last
	// character's 4 unused bits, which would let a copy with other bytes (another file
	// SHA-256) verify as the original.
	if err != nil || len(sig) != ed25519.SignatureSize || base64.StdEncoding.EncodeToString(sig) != sigB64 {
		return k, false
	}
	return k, ed25519.Verify(k.Pub, msg, sig)
}

// ParsePublicKeys reads trusted keys from PEM "PUBLIC KEY" blocks (as served at
// /reports/public-key.pem) or lines of 64 hex characters. Key ids are always derived from the
// keys themselves; a Key-Id header is never believed.
func ParsePublicKeys(b []byte) (KeySet, error) {
	ks := KeySet{}
	add := func(pub ed25519.PublicKey, h map[string]string) {
		id := KeyID(pub)
		ks[id] = TrustedKey{Pub: pub, Info: KeyInfo{ID: id, Algorithm: "Ed25519", PublicKey: hex.EncodeToString(pub),
			ValidFrom: h["Valid-From"], ValidUntil: h["Valid-Until"]}}
	}
	rest := b
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "PUBLIC KEY" {
			continue
		}
		k, err := x509.ParsePKIXPublicKey(blk.Bytes)
		if err != nil {
			return nil, fmt.Errorf("public key: %w", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, errors.New("public key is not Ed25519")
		}
		add(pub, blk.Headers)
	}
	if len(ks) == 0 {
		for _, line := range strings.Fields(string(b)) {
			if raw, err := hex.DecodeString(line); err == nil && len(raw) == ed25519.PublicKeySize {
				add(ed25519.PublicKey(raw), nil)
			}
		}
	}
	if len(ks) == 0 {
		return nil, errors.New("no Ed25519 public key found (expected PEM \"PUBLIC KEY\" blocks or 64 hex characters)")
	}
	return ks, nil
}

// keyFile is keys.json.
type keyFile struct {
	Current string    `json:"current"`
	Keys    []KeyInfo `json:"keys"` // oldest first
}

// LoadPublicKeys reads the public keys of a key folder without touching private keys (for
// verify-report --data).
func LoadPublicKeys(dir string) (KeySet, error) {
	kf, err := readKeyFile(dir)
	if err != nil {
		return nil, err
	}
	return kf.keySet()
}

func readKeyFile(dir string) (*keyFile, error) {
	b, err := os.ReadFile(filepath.Join(dir, keysFile))
	if err != nil {
		return nil, err
	}
	var kf keyFile
	if err := json.Unmarshal(b, &kf); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, keysFile), err)
	}
	return &kf, nil
}

func (kf *keyFile) keySet() (KeySet, error) {
	ks := KeySet{}
	for _, k := range kf.Keys {
		raw, err := hex.DecodeString(k.PublicKey)
		if err != nil || len(raw) != ed25519.PublicKeySize || KeyID(raw) != k.ID {
			return nil, fmt.Errorf("keys.json: key %s is damaged", k.ID)
		}
		ks[k.ID] = TrustedKey{Info: k, Pub: raw}
	}
	return ks, nil
}

// KeyRing is the portal's signing key plus every earlier public key, kept in a key folder.
type KeyRing struct {
	dir string
	now func() time.Time

	mu    sync.RWMutex
	stamp string // size and mtime of keys.json when loaded: reload when another process rotates
	kf    *keyFile
	set   KeySet
	priv  ed25519.PrivateKey
}

// OpenKeyRing opens the key folder, creating it and a first key if there is none.
func OpenKeyRing(dir string, now func() time.Time) (*KeyRing, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	k := &KeyRing{dir: dir, now: now}
	err := k.locked(func() error {
		if _, err := os.Stat(filepath.Join(dir, keysFile)); errors.Is(err, os.ErrNotExist) {
			_, err := k.addKey(&keyFile{})
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return k, k.reload(true)
}

// locked runs fn holding the key folder's lock, so two processes never create or rotate at once.
func (k *KeyRing) locked(fn func() error) error {
	f, err := os.OpenFile(filepath.Join(k.dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	return fn()
}

func (k *KeyRing) privPath(id string) string { return filepath.Join(k.dir, id+".pem") }

// addKey makes a new current key: the private key file first (0600, never overwritten), then
// keys.json by atomic rename, so a crash leaves either the old or the new state.
func (k *KeyRing) addKey(kf *keyFile) (KeyInfo, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return KeyInfo{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return KeyInfo{}, err
	}
	id := KeyID(pub)
	f, err := os.OpenFile(k.privPath(id), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return KeyInfo{}, err
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return KeyInfo{}, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return KeyInfo{}, err
	}
	if err := f.Close(); err != nil {
		return KeyInfo{}, err
	}
	now := k.now().In(index.ChinaTime).Format(time.RFC3339)
	for i := range kf.Keys {
		if kf.Keys[i].ValidUntil == "" {
			kf.Keys[i].ValidUntil = now
		}
	}
	info := KeyInfo{ID: id, Algorithm: "Ed25519", PublicKey: hex.EncodeToString(pub), ValidFrom: now}
	kf.Keys = append(kf.Keys, info)
	kf.Current = id
	b, err := json.MarshalIndent(kf, "", "  ")
	if err != nil {
		return KeyInfo{}, err
	}
	tmp := filepath.Join(k.dir, keysFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return KeyInfo{}, err
	}
	return info, os.Rename(tmp, filepath.Join(k.dir, keysFile))
}

// Rotate makes a new signing key. The old public key stays trusted for the reports it signed;
// its private key is deleted, since nothing may be signed with it any more.
func (k *KeyRing) Rotate() (KeyInfo, error) {
	var info KeyInfo
	err := k.locked(func() error {
		kf, err := readKeyFile(k.dir)
		if err != nil {
			return err
		}
		old := kf.Current
		if info, err = k.addKey(kf); err != nil {
			return err
		}
		if old != "" {
			if err := os.Remove(k.privPath(old)); err != nil && !errors.Is(err, os.ErrNotExist) {
				return fmt.Errorf("new key %s is current, but the retired private key could not be deleted: %w", info.ID, err)
			}
		}
		return nil
	})
	if err != nil {
		return info, err
	}
	return info, k.reload(true)
}

func stampOf(fi os.FileInfo) string { return fmt.Sprint(fi.Size(), fi.ModTime().UnixNano()) }

// reload reads keys.json and the current private key again if keys.json changed.
func (k *KeyRing) reload(force bool) error {
	fi, err := os.Stat(filepath.Join(k.dir, keysFile))
	if err != nil {
		return err
	}
	k.mu.RLock()
	same := k.stamp == stampOf(fi)
	k.mu.RUnlock()
	if same && !force {
		return nil
	}
	kf, err := readKeyFile(k.dir)
	if err != nil {
		return err
	}
	set, err := kf.keySet()
	if err != nil {
		return err
	}
	cur, ok := set[kf.Current]
	if !ok {
		return fmt.Errorf("keys.json: current key %q is not listed", kf.Current)
	}
	path := k.privPath(kf.Current)
	pfi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("report signing key: %w", err)
	}
	if pfi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("report signing key %s is readable by other users (mode %o); run chmod 600 on it", path, pfi.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return fmt.Errorf("%s: no PEM private key", path)
	}
	pk, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	priv, ok := pk.(ed25519.PrivateKey)
	if !ok || !priv.Public().(ed25519.PublicKey).Equal(cur.Pub) {
		return fmt.Errorf("%s does not hold the private key of %s", path, kf.Current)
	}
	k.mu.Lock()
	k.kf, k.set, k.priv, k.stamp = kf, set, priv, stampOf(fi)
	k.mu.Unlock()
	return nil
}

// Sign signs msg with the current key and returns the key id and the base64 signature.
func (k *KeyRing) Sign(msg []byte) (keyID, sigB64 string, err error) {
	if err := k.reload(false); err != nil {
		return "", "", err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.kf.Current, base64.StdEncoding.EncodeToString(ed25519.Sign(k.priv, msg)), nil
}

// CurrentID is the id of the key that signs new reports.
func (k *KeyRing) CurrentID() (string, error) {
	if err := k.reload(false); err != nil {
		return "", err
	}
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.kf.Current, nil
}

// Trusted returns every public key of the ring (current and retired).
func (k *KeyRing) Trusted() KeySet {
	_ = k.reload(false) // on a read error keep verifying with the keys already loaded
	k.mu.RLock()
	defer k.mu.RUnlock()
	return k.set
}

// Keys lists the public keys, current first, then newest to oldest.
func (k *KeyRing) Keys() []KeyInfo {
	_ = k.reload(false)
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := append([]KeyInfo(nil), k.kf.Keys...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Current() != out[j].Current() {
			return out[i].Current()
		}
		return out[i].ValidFrom > out[j].ValidFrom
	})
	return out
}
