package index

import (
	"context"
	"encoding/base64"
	"errors"
	"testing"
)

// Paging cursors come back from clients as they like: decoded, checked and used to resume a
// search or a list after the last hit. Whatever a client sends, a search or list answers or refuses with a 400
// (BadRequestError); it never panics or fails otherwise.

// answerOrRefuse fails unless err is nil or a BadRequestError.
func answerOrRefuse(t *testing.T, what string, err error) {
	t.Helper()
	var bre *BadRequestError
	if err != nil && !errors.As(err, &bre) {
		t.Fatalf("%s: %v, want an answer or a BadRequestError", what, err)
	}
}

// firstCursors returns real next_cursor values of a search and a list, for the seeds.
func firstCursors(f *testing.F, s *Searcher) (search, list string) {
	res, err := s.Search(context.Background(), SearchRequest{Query: "华为", Size: 1})
	if err != nil || res.NextCursor == "" {
		f.Fatalf("seed search: %+v %v", res, err)
	}
	lres, err := s.List(context.Background(), ListRequest{Type: TypeBlacklist, Size: 1})
	if err != nil {
		f.Fatalf("seed list: %v", err)
	}
	return res.NextCursor, lres.NextCursor
}

// FuzzSearchCursor sends arbitrary cursor strings with a query.
func FuzzSearchCursor(f *testing.F) {
	s, _ := buildCorpus(f, corpus)
	real, _ := firstCursors(f, s)
	b64 := base64.RawURLEncoding.EncodeToString
	for _, c := range []string{real, real[:len(real)/2], real + "A", "", "%ff%fe", "??", "eyJ0IjoxfQ", b64([]byte(`{"t":3,"a":["1","T","x"],"n":5}`)),
		b64([]byte(`{"t":-1,"a":[],"h":""}`)), b64([]byte(`null`)), b64([]byte(`{"a":[null,1,{}]}`)), b64([]byte(`[1,2,3]`))} {
		f.Add("华为", c)
		f.Add("", c)
	}
	f.Fuzz(func(t *testing.T, q, cursor string) {
		_, err := s.Search(context.Background(), SearchRequest{Query: q, Size: 1, Cursor: cursor})
		answerOrRefuse(t, "search", err)
	})
}

// FuzzSearchCursorFields forges well-formed cursors for the query: the hash is not a secret
// (anyone can compute it), so the tier, the number and content of the search-after values and
// the total must be safe whatever they hold.
func FuzzSearchCursorFields(f *testing.F) {
	s, _ := buildCorpus(f, corpus)
	f.Add("华为", 1, uint8(1), "0000000400000091350102MA2XYW0165", "", "", uint64(5))
	f.Add("华为", 1, uint8(3), "\x00\x00\x00\x00\x00\x00\x00\x04", "T", "91350102MA2XYW0165", uint64(5))
	f.Add("华为", 3, uint8(0), "", "", "", uint64(0))
	f.Add("", 0, uint8(2), "9999999999", "F", "\xff", uint64(1<<63))
	f.Add("xiamen", 2, uint8(1), "-1", "x", "../../etc/passwd", uint64(1))
	f.Fuzz(func(t *testing.T, q string, tier int, n uint8, a0, a1, a2 string, total uint64) {
		r := SearchRequest{Query: q, Size: 1}
		c := cursor{Tier: tier, After: []string{a0, a1, a2}[:n%4], Total: total}
		r.Cursor = r.encodeCursor(c)
		res, err := s.Search(context.Background(), r)
		answerOrRefuse(t, "search", err)
		if err == nil && len(res.Results) > 1 {
			t.Fatalf("page of 1 with %d results", len(res.Results))
		}
	})
}

// FuzzListCursor sends arbitrary cursors, and forged well-formed ones, to a list.
func FuzzListCursor(f *testing.F) {
	s, _ := buildCorpus(f, corpus)
	_, real := firstCursors(f, s)
	for _, c := range []string{real, "", "??", "%ff", encodeListCursor([]string{"2025-01-01", "x"}), encodeListCursor([]string{"", ""}),
		encodeListCursor([]string{"\xff\xfe", "blacklist-../../x"}), encodeListCursor([]string{"99999999999", "a", "b"})} {
		f.Add(c, "", "")
	}
	f.Add("", "2025-01-01", "blacklist-0")
	f.Add("", "\x00\x00\x00", "")
	f.Fuzz(func(t *testing.T, cursor, after0, after1 string) {
		for _, c := range []string{cursor, encodeListCursor([]string{after0, after1})} {
			_, err := s.List(context.Background(), ListRequest{Type: TypeBlacklist, Size: 1, Cursor: c})
			answerOrRefuse(t, "list", err)
			if after, err := decodeListCursor(c); err == nil && (len(after) != len(listSort) || len(after[0]) > 10 || len(after[1]) > 64) {
				t.Fatalf("cursor %q accepted as %q", c, after)
			}
		}
	})
}
