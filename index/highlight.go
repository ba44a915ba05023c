package index

import (
	"html"
	"strings"
	"sync"
)

// Part is a piece of a highlighted name; Mark is true for the part the query matched.
type Part struct {
	Text string
	Mark bool
}

// Highlight marks where the folded query words occur in name. The name is folded rune by rune,
// so a match found in the folded form ("华为") maps back to the original characters ("華為").
func Highlight(name string, words []string) []Part {
	orig := []rune(name)
	var folded []rune
	var from []int // folded rune → original rune index
	for i, r := range orig {
		for _, f := range searchTextOfRune(r) {
			if f == ' ' {
				continue
			}
			folded = append(folded, f)
			from = append(from, i)
		}
	}
	mark := make([]bool, len(orig))
	for _, w := range words {
		wr := []rune(strings.ReplaceAll(w, " ", ""))
		if len(wr) == 0 {
			continue
		}
		for i := 0; i+len(wr) <= len(folded); i++ {
			if string(folded[i:i+len(wr)]) == string(wr) {
				for j := i; j < i+len(wr); j++ {
					mark[from[j]] = true
				}
			}
		}
	}
	var parts []Part
	for i, r := range orig {
		if len(parts) > 0 && parts[len(parts)-1].Mark == mark[i] {
			parts[len(parts)-1].Text += string(r)
			continue
		}
		parts = append(parts, Part{Text: string(r), Mark: mark[i]})
	}
	return parts
}

// foldedRunes caches SearchText of single characters for Highlight: folding a character
// runs through several transformers, and a page of hits folds every character of ten names
// and their former names. Names are written with some tens of thousands of distinct
// characters, so the cache stays small.
var foldedRunes sync.Map // rune → string

func searchTextOfRune(r rune) string {
	if v, ok := foldedRunes.Load(r); ok {
		return v.(string)
	}
	f := SearchText(string(r))
	foldedRunes.Store(r, f)
	return f
}

func anyMark(parts []Part) bool {
	for _, p := range parts {
		if p.Mark {
			return true
		}
	}
	return false
}

// PartsHTML renders parts as escaped HTML with <mark> around matches.
func PartsHTML(parts []Part) string {
	var b strings.Builder
	for _, p := range parts {
		if p.Mark {
			b.WriteString("<mark>" + html.EscapeString(p.Text) + "</mark>")
		} else {
			b.WriteString(html.EscapeString(p.Text))
		}
	}
	return b.String()
}
