package opendata

import (
	"regexp"
	"strings"
)

// The formula guard of the CSV files. A spreadsheet that opens a CSV runs a cell starting with
// = + - or @ as a formula (CSV injection), and acts on a leading tab or carriage return; such a
// cell gets one leading apostrophe, which spreadsheets show as part of the text. A cell that
// already starts with an apostrophe gets one more, so the guard can always be undone: drop the
// first character of every cell that starts with an apostrophe and the exact value is back.
// Plain decimal numbers (-12.5, +3, -1e6) are left alone: a negative amount stays a number.
//
// The guard is the CSV's only: the JSON Lines files hold the exact values, and in the XLSX every
// value is a typed cell (a text cell is never a formula), so neither needs one.

// FormulaGuard is the character the guard puts in front of a cell.
const FormulaGuard = "'"

// formulaStarts are the first characters that make a cell guarded.
const formulaStarts = "=+-@\t\r" + FormulaGuard

var plainNumber = regexp.MustCompile(`^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// SafeCSVCell applies the formula guard to one cell.
func SafeCSVCell(v string) string {
	if v == "" || !strings.ContainsRune(formulaStarts, rune(v[0])) || plainNumber.MatchString(v) {
		return v
	}
	return FormulaGuard + v
}

// UnguardCSVCell undoes SafeCSVCell: a cell that starts with an apostrophe loses that one
// apostrophe.
func UnguardCSVCell(c string) string { return strings.TrimPrefix(c, FormulaGuard) }

// SafeCSVRow applies SafeCSVCell to every cell of a row, in place, and returns it.
func SafeCSVRow(row []string) []string {
	for i, v := range row {
		row[i] = SafeCSVCell(v)
	}
	return row
}
