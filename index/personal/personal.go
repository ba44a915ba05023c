// Package personal recognises natural persons' data that is never published, resident identity
// numbers (GB 11643) and mobile numbers, as whole codes and inside free text, and masks them.
package personal

import (
	"sync"
	"time"
	"unicode/utf8"

	"github.com/gongshi/gongshi/index/region"
)

// IsResidentID reports whether code (half-width digits, no separators) is a resident identity
// number: 18 characters with a known province, a real birth date and the GB 11643 check
// character, or the pre-1999 15 digits with a known province and birth date. A 15-digit value
// that passes the 注册号 check (GS15-2006) is a registration number, not an ID.
func IsResidentID(code string) bool { return isResidentID(code) }

// IsMobile reports whether s is exactly a mainland mobile number: 1[3-9] and nine more digits.
func IsMobile(s string) bool { return isMobile(s) }

type digits interface{ ~string | ~[]byte }

func isResidentID[T digits](s T) bool {
	switch len(s) {
	case 18:
		return allDigits(s[:17]) && province(s) && birthDate(s[6:14]) && idCheckChar(s[:17]) == upper(s[17])
	case 15:
		return allDigits(s) && province(s) && birthDate19(s[6:12]) && !regNoCheckPasses(s)
	}
	return false
}

func isMobile[T digits](s T) bool {
	return len(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && allDigits(s)
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckChar is the GB 11643 (ISO 7064 MOD 11-2) check character of the first 17 digits.
func idCheckChar[T digits](first17 T) byte {
	sum := 0
	for i := range 17 {
		sum += int(first17[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// regNoCheckPasses applies the 注册号's ISO 7064 MOD 11,10 check to 15 digits: old IDs and
// registration numbers share the shape, and only this check tells a registration number.
func regNoCheckPasses[T digits](s T) bool {
	p := 10
	for i := range 14 {
		sum := (p + int(s[i]-'0')) % 10
		if sum == 0 {
			sum = 10
		}
		p = 2 * sum % 11
	}
	return (11-p)%10 == int(s[14]-'0')
}

// provinces holds the two-digit prefixes a division code may start with: the provinces of the
// divisions table, plus Taiwan (71), Hong Kong (81) and Macao (82), which GB/T 2260 lists but the
// table leaves out, and 83, under which Taiwan residents' residence permits are numbered.
var provinces = sync.OnceValue(func() (p [100]bool) {
	for code := range region.Provinces() {
		if len(code) == 6 && code[0] >= '0' && code[0] <= '9' && code[1] >= '0' && code[1] <= '9' {
			p[int(code[0]-'0')*10+int(code[1]-'0')] = true
		}
	}
	p[71], p[81], p[82], p[83] = true, true, true, true
	return p
})

// province checks only the division's province: an ID keeps the county code of the person's
// first registration, often one revoked long ago and missing from today's table.
func province[T digits](s T) bool {
	return provinces()[int(s[0]-'0')*10+int(s[1]-'0')]
}

func birthDate[T digits](yyyymmdd T) bool {
	return realDate(atoi(yyyymmdd[:4]), atoi(yyyymmdd[4:6]), atoi(yyyymmdd[6:8]))
}

// birthDate19 reads the 15-digit form's YYMMDD, which is always in the 1900s.
func birthDate19[T digits](yymmdd T) bool {
	return realDate(1900+atoi(yymmdd[:2]), atoi(yymmdd[2:4]), atoi(yymmdd[4:6]))
}

func realDate(y, m, d int) bool {
	if y < 1900 || m < 1 || m > 12 || d < 1 || d > 31 {
		return false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	// A day of slack: a person born today in China may still be "tomorrow" in UTC.
	return t.Day() == d && !t.After(time.Now().Add(24*time.Hour))
}

func atoi[T digits](s T) int {
	n := 0
	for i := range len(s) {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func allDigits[T digits](s T) bool {
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func upper(c byte) byte {
	if c == 'x' {
		return 'X'
	}
	return c
}

// Mask hides every resident ID and mobile number in free text, the way gsxt shows them: an
// ID keeps its division code and check character (350102***********8, the birth date and
// sequence gone), a 15-digit ID its division code, a mobile number its first three and last
// four digits (138****5678). It finds them however agencies write them: with spaces or hyphens
// between the groups, in full-width digits, glued to Latin letters or underscores. A 15-digit
// ID or a mobile number must be a whole run of digit groups, not part of a longer number; an
// 18-character ID is found anywhere, its check character makes a chance match rare.
func Mask(text string) string {
	for {
		masked, changed := maskOnce(text)
		if !changed {
			return text
		}
		// Masking splits digit runs, and a rest of a run may itself read as a whole mobile
		// number or ID: go again until nothing more is found.
		text = masked
	}
}

// maxSeparators is how many spaces or hyphens may stand between two digit groups of one number
// ("350102 - 19900101").
const maxSeparators = 3

// digit is one digit of a run: where it is in the text and its ASCII value.
type digit struct {
	off, size int
	value     byte
	group     int // digits of one group stand next to each other
}

func maskOnce(text string) (string, bool) {
	var (
		run   []digit
		hide  []digit // digits to replace, in text order
		group int
		seps  = -1 // -1: not inside a run; 0: right after a digit; n: n separators since the last digit
	)
	end := func(checkX bool) {
		if len(run) >= 11 {
			hide = appendHidden(hide, run, checkX)
		}
		run, seps = run[:0], -1
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case r >= '0' && r <= '9' || r >= '０' && r <= '９':
			if seps != 0 {
				group++
			}
			v := byte(r)
			if r >= '０' {
				v = byte(r - '０' + '0')
			}
			run = append(run, digit{off: i, size: size, value: v, group: group})
			seps = 0
		case (r == 'X' || r == 'x' || r == 'Ｘ' || r == 'ｘ') && seps == 0:
			end(true)
		case isSeparator(r) && seps >= 0 && seps < maxSeparators:
			seps++
		default:
			end(false)
		}
		i += size
	}
	end(false)
	if len(hide) == 0 {
		return text, false
	}
	out := make([]byte, 0, len(text))
	last := 0
	for _, d := range hide {
		out = append(out, text[last:d.off]...)
		out = append(out, '*')
		last = d.off + d.size
	}
	return string(append(out, text[last:]...)), true
}

func isSeparator(r rune) bool {
	switch r {
	case ' ', '\t', '-', '\u00a0', '\u3000', '－', '‐', '‑', '‒', '–', '—', '―':
		return true
	}
	return false
}

// appendHidden finds the IDs and mobile numbers in one run of digit groups and appends the
// digits to hide. checkX says the run is directly followed by an X, an ID's check character.
func appendHidden(hide, run []digit, checkX bool) []digit {
	n := len(run)
	s := make([]byte, n, n+1)
	for i, d := range run {
		s[i] = d.value
	}
	masked := make([]bool, n)
	mark := func(from, to int) {
		for i := from; i < to; i++ {
			masked[i] = true
		}
	}
	for i := 0; i+18 <= n; i++ {
		if isResidentID(s[i : i+18]) {
			mark(i+6, i+17)
		}
	}
	if checkX && n >= 17 {
		if id := append(s[n-17:n:n], 'X'); isResidentID(id) {
			mark(n-17+6, n)
		}
	}
	starts := func(i int) bool { return i == 0 || run[i-1].group != run[i].group }
	ends := func(j int) bool { return j == n || run[j].group != run[j-1].group }
	for i := range n {
		// A mobile number may carry the country code 86 in the same group.
		prefixed := i >= 2 && starts(i-2) && run[i-1].group == run[i].group && s[i-2] == '8' && s[i-1] == '6'
		if !starts(i) && !prefixed {
			continue
		}
		if i+15 <= n && ends(i+15) && starts(i) && isResidentID(s[i:i+15]) {
			mark(i+6, i+15)
		}
		if i+11 <= n && ends(i+11) && isMobile(s[i:i+11]) {
			mark(i+3, i+7)
		}
	}
	for i, m := range masked {
		if m {
			hide = append(hide, run[i])
		}
	}
	return hide
}
