package index

import (
	"context"
	"encoding/json"
	"strings"
)

// Batch lookups for screening: thousands of subjects resolve in a few round trips instead of
// one query each. Every method chunks its keys so that one statement binds at most
// batchLookupChunk parameters (well under SQLite's limit, and small enough to stay fast).

const batchLookupChunk = 500

// inChunks calls fn with consecutive chunks of keys, deduplicated and without "".
func inChunks(keys []string, fn func(chunk []any, placeholders string) error) error {
	seen := make(map[string]bool, len(keys))
	args := make([]any, 0, min(len(keys), batchLookupChunk))
	flush := func() error {
		if len(args) == 0 {
			return nil
		}
		err := fn(args, "?"+strings.Repeat(",?", len(args)-1))
		args = args[:0]
		return err
	}
	for _, k := range keys {
		if k == "" || seen[k] {
			continue
		}
		seen[k] = true
		args = append(args, k)
		if len(args) == batchLookupChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// EntitiesByCodes returns the entities with the given codes, by code; unknown codes are absent.
func (s *DocStore) EntitiesByCodes(ctx context.Context, codes []string) (map[string]*Entity, error) {
	out := make(map[string]*Entity, len(codes))
	err := inChunks(codes, func(args []any, ph string) error {
		rows, err := s.db.QueryContext(ctx, `SELECT doc FROM entities WHERE code IN (`+ph+`)`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				return err
			}
			var e Entity
			if err := json.Unmarshal(b, &e); err != nil {
				return err
			}
			out[e.Code] = &e
		}
		return rows.Err()
	})
	return out, err
}

// CodesForMany resolves 注册号 and organisation codes to the entity codes they belong to: every
// owner, so that a caller can tell an ambiguous old code from a unique one.
func (s *DocStore) CodesForMany(ctx context.Context, alts []string) (map[string][]string, error) {
	return s.pairs(ctx, `SELECT alt, code FROM entity_codes WHERE alt IN (%s) ORDER BY alt, code`, alts)
}

// CodesByNameKeys returns the codes of the entities whose folded name (fold.Key) is each key.
// At most maxPerKey codes are kept per key: a name shared by more is ambiguous either way.
func (s *DocStore) CodesByNameKeys(ctx context.Context, keys []string, maxPerKey int) (map[string][]string, error) {
	out, err := s.pairs(ctx, `SELECT name_key, code FROM entities WHERE name_key IN (%s) ORDER BY name_key, code`, keys)
	if maxPerKey > 0 {
		for k, v := range out {
			if len(v) > maxPerKey {
				out[k] = v[:maxPerKey]
			}
		}
	}
	return out, err
}

func (s *DocStore) pairs(ctx context.Context, q string, keys []string) (map[string][]string, error) {
	out := map[string][]string{}
	err := inChunks(keys, func(args []any, ph string) error {
		rows, err := s.db.QueryContext(ctx, strings.Replace(q, "%s", ph, 1), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			out[k] = append(out[k], v)
		}
		return rows.Err()
	})
	return out, err
}

// RecordsOfMany returns the records of the given types (all types when none are given) about
// each entity code, newest first within a type.
func (s *DocStore) RecordsOfMany(ctx context.Context, codes []string, types ...RecordType) (map[string][]*Record, error) {
	typeFilter := ""
	var typeArgs []any
	if len(types) > 0 {
		typeFilter = ` AND type IN (?` + strings.Repeat(",?", len(types)-1) + `)`
		for _, t := range types {
			typeArgs = append(typeArgs, string(t))
		}
	}
	out := make(map[string][]*Record, len(codes))
	err := inChunks(codes, func(args []any, ph string) error {
		recs, err := s.queryRecords(ctx, `SELECT doc FROM records WHERE entity_code IN (`+ph+`)`+typeFilter+
			` ORDER BY entity_code, type, date DESC, id`, append(args, typeArgs...)...)
		if err != nil {
			return err
		}
		for _, r := range recs {
			out[r.EntityCode] = append(out[r.EntityCode], r)
		}
		return nil
	})
	return out, err
}

// RecordsByIDs returns the records with the given ids, by id (chunked Records).
func (s *DocStore) RecordsByIDs(ctx context.Context, ids []string) (map[string]*Record, error) {
	out := make(map[string]*Record, len(ids))
	err := inChunks(ids, func(args []any, ph string) error {
		recs, err := s.queryRecords(ctx, `SELECT doc FROM records WHERE id IN (`+ph+`)`, args...)
		for _, r := range recs {
			out[r.ID] = r
		}
		return err
	})
	return out, err
}
