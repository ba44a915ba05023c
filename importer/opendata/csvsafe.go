package opendata

import "strconv"

// SafeCSVCell keeps a spreadsheet from reading a text cell as a formula (CSV injection): a value
// starting with = + - @, a tab or a carriage return gets a leading apostrophe, unless it is a
// plain number (a negative amount stays a number). The JSON Lines files keep the exact value.
func SafeCSVCell(v string) string {
	if v == "" {
		return v
	}
	switch v[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(v, 64); err == nil {
			return v
		}
		return "'" + v
	}
	return v
}

// SafeCSVRow applies SafeCSVCell to every cell of a row, in place, and returns it.
func SafeCSVRow(row []string) []string {
	for i, v := range row {
		row[i] = SafeCSVCell(v)
	}
	return row
}
