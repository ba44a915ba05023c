package importer

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index"
	"github.com/gongshi/gongshi/index/personal"
)

// issueValueChars is how much of an over-long value its issue quotes: enough to find the row,
// not the megabytes themselves in every report.
const issueValueChars = 40

// overLong checks one cell against its field's length limit (index.Field.MaxChars) and returns
// the issue that rejects the row, or nil when the value fits. col is the 0-based column. It runs
// before normalisation, so an over-long value costs one pass over its bytes and nothing more.
// The quoted value has its ID numbers masked before it is cut: a cut one would no longer be
// recognised as an ID number and would leak its digits.
func (c *converter) overLong(line, col int, f *index.Field, raw string) *Issue {
	limit := f.MaxChars()
	v := strings.TrimSpace(raw)
	if len(v) <= limit { // no character is shorter than a byte
		return nil
	}
	n := utf8.RuneCountInString(v)
	if n <= limit {
		return nil
	}
	is := c.issue(line, f, "too_long",
		fmt.Sprintf("%s过长（第 %d 列）：共 %d 字符，超过 %d 字符", f.Label, col+1, n, limit),
		clipValue(personal.Mask(v), issueValueChars), SeverityError)
	return &is
}

// clipValue keeps the first n characters of s, marking the cut.
func clipValue(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}
