package objection

import (
	"fmt"
	"strings"
	"time"
)

// A tip-off (举报) is anyone's report about an entity or one of its records: a published record
// that is wrong, a record that is missing, or dishonest conduct (失信举报). Unlike an objection
// it needs no standing, so it never marks anything public; the reviewers of the authority
// concerned verify it, and the reporter follows it by tracking number and check code.

// TipoffKind is what a tip-off reports.
type TipoffKind string

const (
	TipoffError     TipoffKind = "error"     // 信息错误
	TipoffMissing   TipoffKind = "missing"   // 记录遗漏
	TipoffDishonest TipoffKind = "dishonest" // 失信行为
)

// TipoffKinds in the order the form offers them.
var TipoffKinds = []TipoffKind{TipoffError, TipoffMissing, TipoffDishonest}

var tipoffKindLabels = map[TipoffKind]string{TipoffError: "公示信息错误", TipoffMissing: "应公示而未公示的记录", TipoffDishonest: "失信行为"}

// Label is the Chinese name of the kind.
func (k TipoffKind) Label() string { return tipoffKindLabels[k] }

// Valid reports whether k is known.
func (k TipoffKind) Valid() bool { return tipoffKindLabels[k] != "" }

// TipoffOutcome ends a tip-off.
type TipoffOutcome string

const (
	TipoffSubstantiated   TipoffOutcome = "substantiated"   // 属实，已处理
	TipoffUnsubstantiated TipoffOutcome = "unsubstantiated" // 不属实
	TipoffNotAccepted     TipoffOutcome = "not_accepted"    // 不予受理
)

// TipoffOutcomes in the order the back office offers them.
var TipoffOutcomes = []TipoffOutcome{TipoffSubstantiated, TipoffUnsubstantiated, TipoffNotAccepted}

var tipoffOutcomeLabels = map[TipoffOutcome]string{TipoffSubstantiated: "属实，已处理", TipoffUnsubstantiated: "经核查不属实", TipoffNotAccepted: "不予受理"}

// Label is the Chinese name of the outcome.
func (o TipoffOutcome) Label() string { return tipoffOutcomeLabels[o] }

// Valid reports whether o is known.
func (o TipoffOutcome) Valid() bool { return tipoffOutcomeLabels[o] != "" }

// NextTipoff returns the state a reviewer's action leads a tip-off to: 已提交 → 已受理 → 已办结,
// or 已提交 → 已办结 when it is not accepted (不予受理, the only outcome possible then).
func NextTipoff(from State, a Action, o TipoffOutcome) (State, error) {
	switch {
	case a == ActAccept && from == Submitted:
		return Accepted, nil
	case a == ActClose && from == Submitted && o == TipoffNotAccepted,
		a == ActClose && from == Accepted && o.Valid() && o != TipoffNotAccepted:
		return Closed, nil
	case a == ActClose && !o.Valid():
		return "", fmt.Errorf("办结须选择结果 / closing needs an outcome")
	case a == ActClose && from == Submitted:
		return "", fmt.Errorf("未受理的举报只能以“不予受理”办结 / a tip-off not accepted can only close as not_accepted")
	case a == ActClose && from == Accepted:
		return "", fmt.Errorf("已受理的举报应以核查结果办结 / an accepted tip-off closes with the result of the verification")
	case a != ActAccept && a != ActClose:
		return "", fmt.Errorf("unknown action %q", a)
	}
	return "", fmt.Errorf("当前状态（%s）不能执行该操作 / action %s is not possible in state %s", from.Label(), a, from)
}

// NewTipoffTrackingNumber returns a readable tracking number for a tip-off: JB (举报), the
// filing date and four random characters, e.g. JB-20261122-7Q4K.
func NewTipoffTrackingNumber(day time.Time) string {
	return "JB-" + day.Format("20060102") + "-" + randomString(4)
}

// ValidTipoffTrackingNumber reports whether s has the shape of a tip-off's tracking number.
func ValidTipoffTrackingNumber(s string) bool {
	return strings.HasPrefix(s, "JB-") && ValidTrackingNumber("YY-"+strings.TrimPrefix(s, "JB-"))
}
