// Package region names the six-digit administrative division codes (GB/T 2260) found in
// positions 3–8 of a USCC, for facets and labels. Codes frozen at issue time may be unknown.
package region

import (
	_ "embed"
	"encoding/csv"
	"strings"
	"sync"
)

//go:embed divisions.csv
var divisionsCSV string

var (
	once  sync.Once
	names map[string]string
)

func load() {
	names = make(map[string]string, 3400)
	rows, err := csv.NewReader(strings.NewReader(divisionsCSV)).ReadAll()
	if err != nil {
		panic("region: embedded divisions.csv: " + err.Error())
	}
	for _, r := range rows[1:] {
		names[r[0]] = r[1]
	}
}

// Province returns the province code (xx0000) of a six-digit region code, or "".
func Province(code string) string {
	if len(code) != 6 {
		return ""
	}
	return code[:2] + "0000"
}

// City returns the prefecture code (xxxx00) of a six-digit region code, or "".
func City(code string) string {
	if len(code) != 6 {
		return ""
	}
	return code[:4] + "00"
}

// Name returns the division's name, or "" when the code is unknown (revoked codes are common).
func Name(code string) string {
	once.Do(load)
	return names[code]
}

// FullName joins province, prefecture and county names that are known: "福建省 福州市 鼓楼区".
func FullName(code string) string {
	once.Do(load)
	var parts []string
	for _, c := range []string{Province(code), City(code), code} {
		if n := names[c]; n != "" && (len(parts) == 0 || parts[len(parts)-1] != n) {
			parts = append(parts, n)
		}
	}
	return strings.Join(parts, " ")
}

// Provinces returns all province codes with their names.
func Provinces() map[string]string {
	once.Do(load)
	out := map[string]string{}
	for c, n := range names {
		if strings.HasSuffix(c, "0000") {
			out[c] = n
		}
	}
	return out
}
