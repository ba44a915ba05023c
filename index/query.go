package index

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"

	"github.com/gongshi/gongshi/index/fold"
	"github.com/gongshi/gongshi/index/pinyin"
	"github.com/gongshi/gongshi/index/uscc"
)

func init() {
	// A query that expands to more terms than this (a regexp, a huge prefix) is refused
	// instead of costing seconds of CPU (engineering notes: name:/.*/ takes 11 s at 1M).
	searcher.DisjunctionMaxClauseCount = 1024
}

// MaxQueryRunes caps what a user may type; longer input is refused with a clear message.
const MaxQueryRunes = 100

// QueryClass is what the input looks like.
type QueryClass string

const (
	ClassEmpty    QueryClass = "empty"
	ClassCode     QueryClass = "code"     // USCC, 注册号 or organisation code
	ClassBadCode  QueryClass = "bad_code" // USCC shape with a wrong check character
	ClassName     QueryClass = "name"     // Chinese (or mixed) name fragments
	ClassPinyin   QueryClass = "pinyin"   // Latin letters read as pinyin syllables
	ClassInitials QueryClass = "initials" // Latin letters read as pinyin initials
	ClassBroad    QueryClass = "broad"    // only legal-form words such as 有限公司
)

// ErrQueryTooLong is returned for input over MaxQueryRunes.
var ErrQueryTooLong = fmt.Errorf("query longer than %d characters", MaxQueryRunes)

// Hint tells the user something about the input, such as a wrong check character.
type Hint struct {
	Kind       string `json:"kind"`
	Message    string `json:"message"`              // Chinese, for pages
	MessageEN  string `json:"message_en"`           // English, for the API
	Suggestion string `json:"suggestion,omitempty"` // the corrected input
}

// ParsedQuery is the understood form of a user's input.
type ParsedQuery struct {
	Raw       string
	Key       string // fold.Key of the input: compared with name_key for exact and prefix matches
	Class     QueryClass
	Code      string
	Words     []string   // folded name words that must match (legal forms stripped)
	Syllables [][]string // alternative pinyin segmentations
	Initials  string
	Hint      *Hint
	spans     []pinyinSpan // pinyin typed across a legal form
}

// legalForms do not drive the hit count: a third of all names contain 有限公司.
var legalForms = []string{"有限责任公司", "股份有限公司", "集团有限公司", "有限公司", "分公司", "个体工商户", "股份", "集团", "公司"}

// SearchText is the folded form of a name as indexed: Fold without punctuation, so that
// "华威(福建)科技" and "华威福建科技" index and query alike.
func SearchText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsPunct(r) || unicode.IsSymbol(r) {
			return -1
		}
		return r
	}, fold.Fold(s))
}

// CoreName removes legal-form words from a folded name (华为技术有限公司 → 华为技术); a name that
// is nothing but legal form stays as it is.
func CoreName(folded string) string {
	core := folded
	for _, lf := range legalForms {
		core = strings.ReplaceAll(core, lf, " ")
	}
	core = strings.Join(strings.Fields(core), " ")
	if core == "" {
		return folded
	}
	return core
}

// ParseQuery classifies and normalises user input.
func ParseQuery(raw string) (*ParsedQuery, error) {
	raw = strings.TrimSpace(raw)
	if utf8.RuneCountInString(raw) > MaxQueryRunes {
		return nil, ErrQueryTooLong
	}
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, "")
	}
	p := &ParsedQuery{Raw: raw, Key: fold.Key(raw)}
	text := SearchText(raw)
	if strings.TrimSpace(text) == "" {
		p.Class = ClassEmpty
		return p, nil
	}
	if capitalLetters18(raw) {
		// Letters only are no code (the second character, the organisation category, is a
		// digit), but eighteen capitals were typed as one: say what a code looks like, and
		// search the letters as a name or pinyin all the same.
		p.Hint = codeShapeHint()
	} else if codeLike(raw) {
		code := uscc.Normalize(raw)
		switch kind := uscc.Classify(code); kind {
		case uscc.KindUSCC:
			p.Code = code
			p.Class = ClassCode
			if h := authorityHint(code); h != nil {
				// A wrong pair is the first thing to fix: the check character's suggestion
				// would keep it, and no entity has such a code.
				p.Hint = h
				return p, nil
			}
			var cd *uscc.CheckDigitError
			if err := uscc.Validate(code); errors.As(err, &cd) {
				p.Class = ClassBadCode
				p.Hint = &Hint{Kind: "check_digit", Suggestion: cd.Suggestion(),
					Message:   fmt.Sprintf("统一社会信用代码 %s 的校验位（第18位）有误：按国家标准应为 %c，即 %s。", code, cd.Want, cd.Suggestion()),
					MessageEN: fmt.Sprintf("the check character of %s is wrong: it should be %c (%s)", code, cd.Want, cd.Suggestion())}
			}
			return p, nil
		case uscc.KindRegNo, uscc.KindOrgCode:
			p.Code = code
			p.Class = ClassCode
			return p, nil
		case uscc.KindResidentID:
			// The importer withholds every ID, so the code lookup finds nothing; say why.
			p.Code = code
			p.Class = ClassCode
			p.Hint = &Hint{Kind: "resident_id", Message: "这是居民身份证号码：自然人的身份证号码属于个人信息，本站不公示，也不能据此查询。请按企业名称或统一社会信用代码查询。",
				MessageEN: "this is a resident identity number: natural persons' ID numbers are personal data, neither published nor searchable here; search by name or unified social credit code"}
			return p, nil
		}
		if len(code) == 18 {
			p.Hint = codeShapeHint()
		} else if len(code) >= 14 && len(code) <= 20 && strings.ContainsAny(code, "0123456789") {
			p.Hint = &Hint{Kind: "code_length", Message: fmt.Sprintf("输入了 %d 位代码：统一社会信用代码为18位，注册号为15位，组织机构代码为9位。", len(code)),
				MessageEN: fmt.Sprintf("%d characters: a USCC has 18, a registration number 15, an organisation code 9", len(code))}
		}
	}
	if latin := latinOnly(text); latin != "" {
		compact := strings.NewReplacer(" ", "", "'", "").Replace(latin)
		if pinyin.LooksLikeInitials(compact) {
			p.Class, p.Initials = ClassInitials, compact
			if cut := cutLegalInitials(compact); cut != compact {
				// The core name's initials have no legal form: search what is left, and put
				// the names whose whole initials hold what was typed first.
				p.Initials = cut
				p.spans = []pinyinSpan{{cut: strings.Split(cut, ""), typed: strings.Split(compact, "")}}
			}
			return p, nil
		}
		if segs := pinyin.Segmentations(latin, 3); len(segs) > 0 {
			p.Class = ClassPinyin
			p.Syllables, p.spans = withoutLegalForms(segs)
			return p, nil
		}
	}
	p.Class = ClassName
	for _, w := range strings.Fields(text) {
		core := w
		for _, lf := range legalForms {
			core = strings.ReplaceAll(core, lf, " ")
		}
		p.Words = append(p.Words, strings.Fields(core)...)
	}
	if len(p.Words) == 0 {
		p.Class = ClassBroad
		p.Words = strings.Fields(text)
	}
	if len(p.Words) > 8 {
		p.Words = p.Words[:8] // each word is a clause; eight fragments identify any company
	}
	return p, nil
}

// authorityHint explains a USCC-shaped code whose first two characters are not a
// registration authority and one of its organisation categories (GB 32100); nil if they are.
func authorityHint(code string) *Hint {
	if uscc.AssignedPair(code) {
		return nil
	}
	a := uscc.AuthorityOf(code)
	if a == nil {
		return &Hint{Kind: "code_authority",
			Message:   fmt.Sprintf("统一社会信用代码 %s 的第1位是登记管理部门代码，只能是 1–9、A、N 或 Y（企业为 9），不能是 %c，请核对。", code, code[0]),
			MessageEN: fmt.Sprintf("the first character of a unified social credit code %s names the registration authority: 1-9, A, N or Y (9 for businesses), not %c", code, code[0])}
	}
	var zh, en []string
	for _, c := range a.Categories {
		zh = append(zh, fmt.Sprintf("%c %s", c.Code, c.Name))
		en = append(en, string(c.Code))
	}
	return &Hint{Kind: "code_authority",
		Message: fmt.Sprintf("统一社会信用代码 %s 的第2位是机构类别代码：登记管理部门 %c（%s）之下只有 %s，没有 %c，请核对。",
			code, a.Code, a.Name, strings.Join(zh, "、"), code[1]),
		MessageEN: fmt.Sprintf("the second character of %s is the organisation category: under registration authority %c it is one of %s, not %c",
			code, a.Code, strings.Join(en, ", "), code[1])}
}

// codeShapeHint says what a USCC looks like, for 18 characters that cannot be one.
func codeShapeHint() *Hint {
	return &Hint{Kind: "code_shape", Message: "统一社会信用代码由18位数字或大写字母组成，不含 I、O、S、V、Z，前两位为登记管理部门和机构类别代码（企业为 91），请核对。",
		MessageEN: "a unified social credit code has 18 characters of 0-9 and A-Y without I, O, S, V, Z, the first two naming the registration authority and organisation category (91 for a business)"}
}

// capitalLetters18 reports whether input is 18 capital Latin letters (any width, spaces and
// hyphens aside): the length of a USCC, typed in a code's capitals rather than as pinyin.
func capitalLetters18(s string) bool {
	n := 0
	for _, r := range fold.Width(s) {
		switch {
		case r >= 'A' && r <= 'Z':
			n++
		case r == ' ' || r == '-':
		default:
			return false
		}
	}
	return n == 18
}

// codeLike reports whether input consists of code characters only (digits, Latin letters,
// spaces and hyphens, any width) and has at least one digit.
func codeLike(s string) bool {
	digit := false
	for _, r := range fold.Width(s) {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == ' ', r == '-':
		default:
			return false
		}
	}
	return digit
}

// latinOnly returns s if it holds only Latin letters, spaces and apostrophes, else "".
func latinOnly(s string) string {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r == ' ' || r == '\'') {
			return ""
		}
	}
	return strings.TrimSpace(s)
}

func termQ(term, field string, boost float64) query.Query {
	q := bleve.NewTermQuery(term)
	q.SetField(field)
	if boost != 0 {
		q.SetBoost(boost)
	}
	return q
}

// fragmentQuery finds a folded fragment in a name field: a unigram term for one character,
// a bigram term for two, and for more the documents holding all its bigrams whose name
// contains it (see verifiedQuery).
func fragmentQuery(word, field string) query.Query {
	bigrams := bigramsOf(word)
	switch len(bigrams) {
	case 0:
		return termQ(lettersDigits(word), field, 0)
	case 1:
		return termQ(bigrams[0], field, 0)
	}
	return newVerifiedQuery(field, bigrams, word, false, phraseOf(word, field))
}

// MatchQuery is what a hit must match (no ranking clauses).
func (p *ParsedQuery) MatchQuery() query.Query {
	switch p.Class {
	case ClassCode:
		return termQ(p.Code, FieldCodes, 0)
	case ClassBadCode:
		// Show what the user probably meant: the code with the valid check character, and
		// any code sharing the first 17 characters.
		pq := bleve.NewPrefixQuery(p.Code[:17])
		pq.SetField(FieldCodes)
		return bleve.NewDisjunctionQuery(termQ(p.Hint.Suggestion, FieldCodes, 0), pq)
	case ClassPinyin:
		var alts []query.Query
		for _, seg := range p.Syllables {
			alts = append(alts, newPinyinQuery(FieldPinyin, seg, false, bleve.NewPhraseQuery(seg, FieldPinyin)))
		}
		// Latin letters may also be part of the name itself ("abc科技").
		alts = append(alts, fragmentQuery(strings.NewReplacer(" ", "", "'", "").Replace(fold.Fold(p.Raw)), FieldName))
		return bleve.NewDisjunctionQuery(alts...)
	case ClassInitials:
		letters := strings.Split(p.Initials, "")
		alts := []query.Query{newPinyinQuery(FieldInitials, letters, false, bleve.NewPhraseQuery(letters, FieldInitials))}
		typed := p.Initials
		for _, sp := range p.spans {
			// As typed too: a core name may hold the letters of a legal form.
			typed = strings.Join(sp.typed, "")
			alts = append(alts, newPinyinQuery(FieldInitials, sp.typed, false, bleve.NewPhraseQuery(sp.typed, FieldInitials)))
		}
		return bleve.NewDisjunctionQuery(append(alts, fragmentQuery(typed, FieldName))...)
	}
	var must []query.Query
	for _, w := range p.Words {
		must = append(must, bleve.NewDisjunctionQuery(fragmentQuery(w, FieldName), fragmentQuery(w, FieldFormer)))
	}
	if len(must) == 1 {
		return must[0]
	}
	return bleve.NewConjunctionQuery(must...)
}

// PrefixQuery matches names that start with the input: a phrase whose first term is the
// anchored first bigram (^福州) or character (^福), then the input's other bigrams; for pinyin,
// the anchored first syllable or initial, then the rest. nil when the input has no such reading.
func (p *ParsedQuery) PrefixQuery() query.Query {
	switch p.Class {
	case ClassPinyin:
		var alts []query.Query
		for _, seg := range p.Syllables {
			alts = append(alts, newPinyinQuery(FieldPinyin, seg, true, anchoredPhrase(seg, FieldPinyin)))
		}
		return bleve.NewDisjunctionQuery(alts...)
	case ClassInitials:
		letters := strings.Split(p.Initials, "")
		return newPinyinQuery(FieldInitials, letters, true, anchoredPhrase(letters, FieldInitials))
	case ClassName, ClassBroad:
	default:
		return nil
	}
	text := lettersDigits(SearchText(p.Raw))
	if text == "" {
		return nil
	}
	bigrams := bigramsOf(text)
	if len(bigrams) == 0 {
		return termQ(AnchorMark+text, FieldName, 0)
	}
	anchored := append([]string{AnchorMark + bigrams[0]}, bigrams[1:]...)
	if len(anchored) == 1 {
		return termQ(anchored[0], FieldName, 0)
	}
	return newVerifiedQuery(FieldName, anchored, text, true, anchoredPhrase(bigrams, FieldName))
}

func anchoredPhrase(terms []string, field string) query.Query {
	t := append([]string{AnchorMark + terms[0]}, terms[1:]...)
	if len(t) == 1 {
		return termQ(t[0], field, 0)
	}
	return bleve.NewPhraseQuery(t, field)
}

// wholeQuery matches names holding the input's letters and digits contiguously, when that is
// more than its words: the words leave legal forms out ("百货有限公司三江店" is 百货 and 三江店)
// and may be apart in a name, but a fragment typed across 公司 or 有限 is the name's text, and
// the names holding it as typed come before those that only hold its words. nil otherwise.
func (p *ParsedQuery) wholeQuery() query.Query {
	if p.Class != ClassName && p.Class != ClassBroad {
		return nil
	}
	whole := lettersDigits(SearchText(p.Raw))
	if len(p.Words) == 0 || len(p.Words) == 1 && p.Words[0] == whole {
		return nil
	}
	return fragmentQuery(whole, FieldName)
}

// currentNameQuery matches the words in the current name only (not in former names).
func (p *ParsedQuery) currentNameQuery() query.Query {
	if p.Class != ClassName && p.Class != ClassBroad {
		return nil
	}
	var must []query.Query
	for _, w := range p.Words {
		must = append(must, fragmentQuery(w, FieldName))
	}
	if len(must) == 1 {
		return must[0]
	}
	return bleve.NewConjunctionQuery(must...)
}

// Tier is one band of the ranking: every hit of an earlier tier ranks before any of a later one.
type Tier struct {
	Name  string
	Query query.Query
}

// Tiers returns the ranking bands of a query: the exact name (or former name), names that
// start with the input, names that contain it, then entities found only by a former name.
// Each tier excludes the earlier ones; within a tier hits are ordered by name length (shorter
// names are covered more by the query), active first, then code.
func (p *ParsedQuery) Tiers() []Tier {
	bands := p.bands()
	tiers := make([]Tier, len(bands))
	for i, b := range bands {
		if i == 0 {
			tiers[i] = b
			continue
		}
		q := bleve.NewBooleanQuery()
		q.AddMust(b.Query)
		for _, earlier := range bands[:i] {
			q.AddMustNot(earlier.Query)
		}
		tiers[i] = Tier{b.Name, q}
	}
	return tiers
}

// bands are the tiers' own queries, each matching its hits and possibly an earlier tier's.
func (p *ParsedQuery) bands() []Tier {
	match := p.MatchQuery()
	if p.Class == ClassCode || p.Class == ClassBadCode || p.Key == "" {
		return []Tier{{"match", match}}
	}
	type band struct {
		name string
		q    query.Query
	}
	var bands []band
	if p.Class == ClassName || p.Class == ClassBroad {
		bands = append(bands, band{"exact", bleve.NewDisjunctionQuery(termQ(p.Key, FieldNameKey, 0), termQ(p.Key, FieldFormerKey, 0))})
	}
	if span := p.spanQuery(); span != nil {
		bands = append(bands, band{"span", span}) // pinyin as typed, legal forms included
	}
	if b := p.bracketQuery(); b != nil {
		bands = append(bands, band{"brackets", b}) // the bracketed region narrows: those first
	}
	if prefix := p.PrefixQuery(); prefix != nil {
		bands = append(bands, band{"prefix", prefix}) // a name starting with the input contains it
	}
	if whole := p.wholeQuery(); whole != nil {
		bands = append(bands, band{"whole", whole})
	}
	if current := p.currentNameQuery(); current != nil {
		bands = append(bands, band{"name", current})
		if len(p.Words) == 1 {
			// One word: the last band is the former-name matches, which are few; excluding the
			// earlier bands only checks those candidates instead of re-running the broad match.
			bands = append(bands, band{"former", fragmentQuery(p.Words[0], FieldFormer)})
		} else {
			bands = append(bands, band{"match", match})
		}
	} else {
		bands = append(bands, band{"match", match})
	}
	out := make([]Tier, len(bands))
	for i, b := range bands {
		out[i] = Tier{b.name, b.q}
	}
	return out
}
