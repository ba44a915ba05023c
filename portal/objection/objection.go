// Package objection holds the rules of objections (异议), credit repair (信用修复) and tip-offs (举报): kinds,
// states and their transitions, outcomes, tracking numbers, deadlines in working days, and who
// may repair what. It has no storage and no HTTP; the store and handlers apply these rules.
package objection

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"
)

// Kind is what the applicant asks for.
type Kind string

const (
	KindWrong        Kind = "wrong"        // 信息错误
	KindMissing      Kind = "missing"      // 信息遗漏
	KindDuplicate    Kind = "duplicate"    // 重复公示
	KindNotPublic    Kind = "not_public"   // 不应公示
	KindOverdue      Kind = "overdue"      // 超期公示
	KindInconsistent Kind = "inconsistent" // 与认定机关不一致
	KindRepair       Kind = "repair"       // 信用修复申请
)

// Kinds in the order the form offers them.
var Kinds = []Kind{KindWrong, KindMissing, KindDuplicate, KindNotPublic, KindOverdue, KindInconsistent, KindRepair}

var kindLabels = map[Kind]string{
	KindWrong: "信息错误", KindMissing: "信息遗漏", KindDuplicate: "重复公示", KindNotPublic: "不应公示",
	KindOverdue: "超期公示", KindInconsistent: "与认定机关不一致", KindRepair: "信用修复申请",
}

// Label is the Chinese name of the kind.
func (k Kind) Label() string { return kindLabels[k] }

// Valid reports whether k is known.
func (k Kind) Valid() bool { return kindLabels[k] != "" }

// State of a case.
type State string

const (
	Submitted State = "submitted"  // 已提交
	NeedsMore State = "needs_more" // 待补正
	Accepted  State = "accepted"   // 已受理
	Verifying State = "verifying"  // 核查中
	Closed    State = "closed"     // 已办结
)

var stateLabels = map[State]string{Submitted: "已提交", NeedsMore: "待补正", Accepted: "已受理", Verifying: "核查中", Closed: "已办结"}

// Label is the Chinese name of the state.
func (s State) Label() string { return stateLabels[s] }

// Pending reports whether the case is still open (in the reviewers' queue, counted as open in
// the statistics). An open case does not by itself mark the record: see Marks.
func (s State) Pending() bool { return s != Closed && s != "" }

// MarkingStates are the states in which an objection marks its record as disputed (存在异议):
// a reviewer has accepted it for review (受理) and has neither closed it nor sent it back for
// more material. Filing alone marks nothing, so nobody can brand a record disputed without a
// reviewer's decision. A case past its answer deadline keeps the mark: it is still in review,
// and the delay is the agency's, shown as overdue in the queue and on the tracking page.
var MarkingStates = []State{Accepted, Verifying}

// Marks reports whether a case of kind k in state s marks its record as disputed. A credit-repair
// application does not dispute the record (it asks that an accurate record stop being published early), so it
// never marks.
func Marks(k Kind, s State) bool {
	if k == KindRepair {
		return false
	}
	for _, m := range MarkingStates {
		if s == m {
			return true
		}
	}
	return false
}

// Outcome of a closed case.
type Outcome string

const (
	Corrected    Outcome = "corrected"    // 更正
	Revoked      Outcome = "revoked"      // 撤销
	Upheld       Outcome = "upheld"       // 维持
	Undetermined Outcome = "undetermined" // 无法确认
	Repaired     Outcome = "repaired"     // 准予修复
	NotRepaired  Outcome = "not_repaired" // 不予修复
)

var outcomeLabels = map[Outcome]string{Corrected: "更正", Revoked: "撤销", Upheld: "维持", Undetermined: "无法确认", Repaired: "准予修复", NotRepaired: "不予修复"}

// Label is the Chinese name of the outcome.
func (o Outcome) Label() string { return outcomeLabels[o] }

// ValidFor reports whether an outcome can end a case of the kind.
func (o Outcome) ValidFor(k Kind) bool {
	if k == KindRepair {
		return o == Repaired || o == NotRepaired
	}
	return o == Corrected || o == Revoked || o == Upheld || o == Undetermined
}

// Hides reports whether the outcome takes the record out of public view.
func (o Outcome) Hides() bool { return o == Revoked || o == Repaired }

// Action is a reviewer's (or applicant's) step.
type Action string

const (
	ActRequestMore Action = "request_more" // reviewer: 要求补正
	ActSupplement  Action = "supplement"   // applicant: adds material
	ActAccept      Action = "accept"       // reviewer: 受理
	ActVerify      Action = "verify"       // reviewer: 转交核查
	ActClose       Action = "close"        // reviewer: 办结 with an outcome
)

var transitions = map[Action]struct {
	from []State
	to   State
}{
	ActRequestMore: {[]State{Submitted, Accepted}, NeedsMore},
	ActSupplement:  {[]State{NeedsMore}, Submitted},
	ActAccept:      {[]State{Submitted}, Accepted},
	ActVerify:      {[]State{Accepted}, Verifying},
	ActClose:       {[]State{Submitted, Accepted, Verifying}, Closed},
}

// Next returns the state an action leads to from the current one, or an error in Chinese and
// English saying why the action is not possible now.
func Next(from State, a Action) (State, error) {
	t, ok := transitions[a]
	if !ok {
		return "", fmt.Errorf("unknown action %q", a)
	}
	for _, f := range t.from {
		if f == from {
			return t.to, nil
		}
	}
	return "", fmt.Errorf("当前状态（%s）不能执行该操作 / action %s is not possible in state %s", from.Label(), a, from)
}

// trackingAlphabet leaves out characters people confuse (0/O, 1/I/L, 2/Z, 5/S, 8/B).
const trackingAlphabet = "34679ACDEFGHJKMNPQRTUVWXY"

func randomString(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		x, err := rand.Int(rand.Reader, big.NewInt(int64(len(trackingAlphabet))))
		if err != nil {
			panic(err) // crypto/rand does not fail on Linux
		}
		b.WriteByte(trackingAlphabet[x.Int64()])
	}
	return b.String()
}

// NewTrackingNumber returns a readable tracking number: YY (异议) or XF (修复), the filing date
// and four random characters, e.g. YY-20261122-7Q4K.
func NewTrackingNumber(k Kind, day time.Time) string {
	prefix := "YY"
	if k == KindRepair {
		prefix = "XF"
	}
	return prefix + "-" + day.Format("20060102") + "-" + randomString(4)
}

// NewCheckCode returns the private check code given to the applicant once (12 characters,
// ~55 bits: stored only as a hash).
func NewCheckCode() string { return randomString(12) }

// ValidTrackingNumber reports whether s has the shape of a tracking number.
func ValidTrackingNumber(s string) bool {
	if len(s) != 16 || (s[:3] != "YY-" && s[:3] != "XF-") || s[11] != '-' {
		return false
	}
	if _, err := time.Parse("20060102", s[3:11]); err != nil {
		return false
	}
	for _, c := range s[12:] {
		if !strings.ContainsRune(trackingAlphabet, c) {
			return false
		}
	}
	return true
}

// AddWorkingDays returns the day n working days (Monday–Friday, except the holidays given)
// after from.
func AddWorkingDays(from time.Time, n int, holidays map[string]bool) time.Time {
	d := from
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday || holidays[d.Format(time.DateOnly)] {
			continue
		}
		n--
	}
	return d
}
