package demo

import "time"

// day counts days since 1970-01-01 in the proleptic Gregorian calendar. The generator does
// all date arithmetic on plain integers because time.Time arithmetic and formatting would
// dominate the per-entity cost at millions of entities.
type day int32

// mkday converts a civil date (H. Hinnant's days_from_civil).
func mkday(y, m, d int) day {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := m + 9
	if m > 2 {
		mp = m - 3
	}
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return day(era*146097 + doe - 719468)
}

func dayOf(t time.Time) day { return mkday(t.Year(), int(t.Month()), t.Day()) }

// ymd converts back to a civil date (civil_from_days).
func (d day) ymd() (y, m, dd int) {
	z := int(d) + 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	dd = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if mp >= 10 {
		m = mp - 9
	}
	if m <= 2 {
		y++
	}
	return
}

func (d day) year() int { y, _, _ := d.ymd(); return y }

func monthLen(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// addMonths moves by calendar months, clamping to the end of a shorter month the way
// legal periods ("three months after the decision") are counted.
func (d day) addMonths(n int) day {
	y, m, dd := d.ymd()
	m += n
	y += (m - 1) / 12
	m = (m-1)%12 + 1
	if m <= 0 {
		m += 12
		y--
	}
	if l := monthLen(y, m); dd > l {
		dd = l
	}
	return mkday(y, m, dd)
}

func (d day) addYears(n int) day { return d.addMonths(12 * n) }

// iso formats YYYY-MM-DD.
func (d day) iso() string {
	y, m, dd := d.ymd()
	var b [10]byte
	b[0] = byte('0' + y/1000%10)
	b[1] = byte('0' + y/100%10)
	b[2] = byte('0' + y/10%10)
	b[3] = byte('0' + y%10)
	b[4] = '-'
	b[5] = byte('0' + m/10)
	b[6] = byte('0' + m%10)
	b[7] = '-'
	b[8] = byte('0' + dd/10)
	b[9] = byte('0' + dd%10)
	return string(b[:])
}

// Date spellings found in agency files besides ISO; used only in dirty mode.
const (
	dateSlash   = iota // 2024/3/5
	dateHan            // 2024年3月5日
	dateCompact        // 20240305
	nDateStyles
)

// odd reformats an ISO date cell in one of the non-ISO spellings; other cells pass through.
func oddDate(s string, style int) string {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return s
	}
	y, m, d := s[:4], trimZero(s[5:7]), trimZero(s[8:10])
	switch style {
	case dateSlash:
		return y + "/" + m + "/" + d
	case dateHan:
		return y + "年" + m + "月" + d + "日"
	default:
		return y + s[5:7] + s[8:10]
	}
}

func trimZero(s string) string {
	if len(s) == 2 && s[0] == '0' {
		return s[1:]
	}
	return s
}
