package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles of back-office users.
const (
	RoleReviewer = "reviewer"
	RoleAdmin    = "admin"
)

// User is a reviewer or administrator.
type User struct {
	ID        int64
	Name      string
	Role      string
	Authority string // a reviewer limited to the records of one authority; "" = all
}

// ErrBadCredentials hides whether the name or the password was wrong.
var ErrBadCredentials = errors.New("wrong name or password")

// CreateUser adds a user with a bcrypt-hashed password.
func (s *Store) CreateUser(ctx context.Context, name, role, authority, password, actor string) (*User, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 64 {
		return nil, fmt.Errorf("user name must be 1–64 characters")
	}
	if role != RoleReviewer && role != RoleAdmin {
		return nil, fmt.Errorf("role must be reviewer or admin")
	}
	if len(password) < 12 {
		return nil, fmt.Errorf("password must have at least 12 characters")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return nil, err
	}
	u := &User{Name: name, Role: role, Authority: strings.TrimSpace(authority)}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.q(`INSERT INTO users(name, role, authority, password_hash, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`),
			u.Name, u.Role, u.Authority, string(hash), s.now()).Scan(&u.ID); err != nil {
			return fmt.Errorf("add user %s: %w", name, err)
		}
		return s.appendAudit(ctx, tx, AuditEntry{Actor: actor, Action: "user.add", Subject: name, Detail: "role=" + role + " authority=" + u.Authority})
	})
	return u, err
}

// Authenticate checks a password.
func (s *Store) Authenticate(ctx context.Context, name, password string) (*User, error) {
	var u User
	var hash string
	var disabled int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, name, role, authority, password_hash, disabled FROM users WHERE name = ?`), name).
		Scan(&u.ID, &u.Name, &u.Role, &u.Authority, &hash, &disabled)
	if err == sql.ErrNoRows {
		// Spend the same time as a real check, so names cannot be probed by timing.
		bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return nil, ErrBadCredentials
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	if disabled == 1 || bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) != nil {
		return nil, ErrBadCredentials
	}
	return &u, nil
}

var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a password"), bcrypt.DefaultCost)
	return h
})

func newToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession starts a back-office session and returns its token (stored only hashed).
func (s *Store) CreateSession(ctx context.Context, u *User, ttl time.Duration) (string, error) {
	tok := newToken()
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO sessions(token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`),
		hashSecret(tok), u.ID, s.now(), fmtTime(s.Now().Add(ttl)))
	return tok, err
}

// UserBySession returns the user of a live session.
func (s *Store) UserBySession(ctx context.Context, token string) (*User, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNotFound
	}
	var u User
	var expires string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT u.id, u.name, u.role, u.authority, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = ? AND u.disabled = 0`), hashSecret(token)).Scan(&u.ID, &u.Name, &u.Role, &u.Authority, &expires)
	if err == sql.ErrNoRows || err == nil && parseTime(expires).Before(s.Now()) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return &u, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, s.q(`DELETE FROM sessions WHERE token_hash = ?`), hashSecret(token))
	return err
}

// CreateToken issues an API token for a user's integration; the token is shown once.
func (s *Store) CreateToken(ctx context.Context, userName, label string) (string, error) {
	tok := "gst_" + newToken()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var uid int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM users WHERE name = ? AND disabled = 0`), userName).Scan(&uid); err != nil {
			if err == sql.ErrNoRows {
				return fmt.Errorf("no user %q", userName)
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO api_tokens(token_hash, user_id, name, created_at) VALUES (?, ?, ?, ?)`),
			hashSecret(tok), uid, label, s.now()); err != nil {
			return err
		}
		return s.appendAudit(ctx, tx, AuditEntry{Actor: "admin-cli", Action: "token.create", Subject: userName, Detail: "label=" + label})
	})
	return tok, err
}

// UserByToken returns the user of an API token.
func (s *Store) UserByToken(ctx context.Context, token string) (*User, error) {
	if !strings.HasPrefix(token, "gst_") || len(token) > 100 {
		return nil, ErrNotFound
	}
	var u User
	err := s.db.QueryRowContext(ctx, s.q(`SELECT u.id, u.name, u.role, u.authority FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND u.disabled = 0`), hashSecret(token)).Scan(&u.ID, &u.Name, &u.Role, &u.Authority)
	if err == sql.ErrNoRows {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	return &u, nil
}
