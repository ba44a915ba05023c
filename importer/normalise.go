package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/width"
)

// Text normalises a free-text cell: full-width Latin letters and digits become half-width
// (Chinese punctuation such as （） stays as published), white space is collapsed and trimmed.
func Text(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' {
			space = b.Len() > 0
			continue
		}
		if r >= 0xFF01 && r <= 0xFF5E && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			r = []rune(width.Narrow.String(string(r)))[0]
		}
		if r == '\ufeff' || r == 0 {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

var (
	reDateSep  = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$`)
	reDateFlat = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	reMonth    = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$`)
)

// Date parses the ways agencies write a date (2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日,
// 20240305, with or without a time) into YYYY-MM-DD. "" stays "".
func Date(s string) (string, error) {
	s = strings.TrimSpace(width.Fold.String(s))
	if s == "" || s == "长期" || s == "永久" || s == "-" || s == "无" {
		return "", nil
	}
	var y, m, d string
	if p := reDateSep.FindStringSubmatch(s); p != nil {
		y, m, d = p[1], p[2], p[3]
	} else if p := reDateFlat.FindStringSubmatch(s); p != nil {
		y, m, d = p[1], p[2], p[3]
	} else if p := reMonth.FindStringSubmatch(s); p != nil {
		y, m, d = p[1], p[2], "1"
	} else {
		return "", fmt.Errorf("not a date: %q (write YYYY-MM-DD)", s)
	}
	yi, _ := strconv.Atoi(y)
	mi, _ := strconv.Atoi(m)
	di, _ := strconv.Atoi(d)
	t := time.Date(yi, time.Month(mi), di, 0, 0, 0, 0, time.UTC)
	if t.Year() != yi || int(t.Month()) != mi || t.Day() != di || yi < 1900 || yi > 2200 {
		return "", fmt.Errorf("no such date: %q", s)
	}
	return t.Format(time.DateOnly), nil
}

// Money parses an amount such as "1.50", "1,500.00", "0" into a canonical decimal string.
func Money(s string) (string, error) {
	s = strings.TrimSpace(width.Fold.String(s))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "万元"), "元")
	s = strings.ReplaceAll(s, ",", "")
	if s == "" {
		return "", nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 {
		return "", fmt.Errorf("not an amount: %q", s)
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// Int parses a whole number.
func Int(s string) (string, error) {
	s = strings.TrimSpace(width.Fold.String(s))
	if s == "" {
		return "", nil
	}
	s = strings.TrimSuffix(strings.TrimSuffix(s, "年"), "年度")
	n, err := strconv.Atoi(s)
	if err != nil {
		return "", fmt.Errorf("not a whole number: %q", s)
	}
	return strconv.Itoa(n), nil
}

// Names splits a list of names ("甲公司；乙公司") into its parts.
func Names(s string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == '；' || r == ';' || r == '、' || r == '\n' || r == '|' }) {
		if p = Text(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
