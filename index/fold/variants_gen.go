//go:build ignore

// variants_gen derives Variants.txt from OpenCC's dictionaries: the variant characters that
// gongshi's traditional→simplified table (TSCharacters.txt) leaves apart from the form a
// registered name uses. See SOURCES.md for the rules; run it from index/fold with
//
//	go run variants_gen.go -git /path/to/OpenCC/.git -rev <commit> > Variants.txt
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/gongshi/gongshi/index/fold"
)

// accepted are GB 2312 second-level characters, in use in mainland text and so never folded
// by default, that denote the same character as their target wherever names use them.
var accepted = map[rune]string{
	'夥': "合夥 and 夥伴 are 合伙 and 伙伴; the sense 'many' does not occur in names",
	'锺': "the surname 鍾: 锺 in the 2013 standard table, 钟 in OpenCC and most registers",
	'谘': "諮 simplified: 谘询 is 咨询",
	'迳': "逕 simplified: place names write 迳 or 径",
	'馀': "餘 simplified where 余 would be ambiguous: one character",
	'麽': "麼 simplified: one character with 么",
	'鲶': "鯰, Taiwan's form of 鮎: the catfish 鲇",
	'稆': "穭 simplified twice (稆, 穞): one character",
}

// rejected are candidates that name a different character in mainland names, though OpenCC
// links them: they stay as they are.
var rejected = map[rune]string{
	'钜': "钜 is a 字号 character of its own (钜丰 and 巨丰 are different names)",
	'镟': "镟 (lathe work) is its own word, not 旋",
	'渖': "渖 (juice) is not the 沈 of 沈阳",
	'颚': "颚 and 腭 are separate standard characters",
	'於': "於 is a surname",
	'徵': "徵 is a surname and a musical note",
	'彷': "彷 of 彷徨",
	'薰': "薰 is standard (薰衣草)",
	'薹': "薹 of 蒜薹",
	'袷': "袷 (qiā) is not 夹",
	'拚': "拚 (pàn) is standard on its own",
	'麹': "麹 is a surname apart from 曲",
}

// turned are pairs OpenCC gives the other way round: the key, a rare second simplified
// form, folds into the common standard form the value names.
var turned = map[rune]rune{
	'筿': '筱', // 篠 → 筿 in TSCharacters; names write 筱
}

type pair struct {
	variant, standard rune
	source            string
}

func main() {
	gitDir := flag.String("git", "", "OpenCC git directory")
	rev := flag.String("rev", "HEAD", "OpenCC commit to read")
	flag.Parse()
	if *gitDir == "" {
		log.Fatal("-git is required")
	}
	read := func(name string) map[string][]string {
		out, err := exec.Command("git", "--git-dir", *gitDir, "show", *rev+":data/dictionary/"+name).Output()
		if err != nil {
			log.Fatalf("%s: %v", name, err)
		}
		d := map[string][]string{}
		sc := bufio.NewScanner(bytes.NewReader(out))
		for sc.Scan() {
			line := sc.Text()
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, "\t")
			if ok {
				d[k] = strings.Fields(v)
			}
		}
		return d
	}
	commit, err := exec.Command("git", "--git-dir", *gitDir, "rev-parse", *rev).Output()
	if err != nil {
		log.Fatal(err)
	}
	ts, st := read("TSCharacters.txt"), read("STCharacters.txt")
	simp := func(s string) rune { r, _ := utf8.DecodeRuneInString(fold.Simplified(s)); return r }
	one := func(s string) (rune, bool) {
		r, n := utf8.DecodeRuneInString(s)
		return r, n == len(s) && r != utf8.RuneError
	}

	var pairs []pair
	add := func(v, s string, source string) {
		vr, ok1 := one(v)
		sr, ok2 := one(s)
		if !ok1 || !ok2 {
			return
		}
		// Keys are characters as Simplified leaves them: the step runs after it.
		if simp(v) != vr {
			return
		}
		sr = simp(s)
		if vr != sr {
			pairs = append(pairs, pair{vr, sr, source})
		}
	}
	// 1. Second simplified forms of one traditional character (鍾 → 钟 锺), the traditional
	//    characters OpenCC also lists as simplified (夥 → 伙 夥), and characters the current
	//    table maps that gongshi's older copy does not (擡 → 抬).
	for t, cands := range ts {
		if _, ok := one(t); !ok || cands[0] == t {
			continue // a character OpenCC keeps as it is
		}
		for _, c := range cands[1:] {
			if c != t {
				add(c, cands[0], "TSCharacters "+t+" → "+strings.Join(cands, " "))
			}
		}
		if slices.Contains(cands, t) {
			add(t, cands[0], "TSCharacters "+t+" → "+strings.Join(cands, " "))
		} else if simp(t) != simp(cands[0]) {
			add(fold.Simplified(t), cands[0], "TSCharacters "+t+" → "+strings.Join(cands, " "))
		}
	}
	// 2. Traditional forms the TS table does not bring back (背 → 背 揹), and the other
	//    simplified form of a traditional character it maps elsewhere (锺 → 鍾, itself → 钟).
	for s, trads := range st {
		for _, t := range trads {
			switch {
			case t == s:
			case fold.Simplified(t) == t:
				add(t, s, "STCharacters "+s+" → "+strings.Join(trads, " "))
			case fold.Simplified(t) != fold.Simplified(s):
				add(s, fold.Simplified(t), "STCharacters "+s+" → "+strings.Join(trads, " "))
			}
		}
	}
	// 3. Taiwan and Hong Kong standard forms (衞 for 衛, 粧 for 妝).
	for _, name := range []string{"TWVariants.txt", "HKVariants.txt"} {
		for std, vars := range read(name) {
			for _, v := range vars {
				if v != std && fold.Simplified(v) != fold.Simplified(std) {
					add(fold.Simplified(v), std, strings.TrimSuffix(name, ".txt")+" "+std+" → "+v)
				}
			}
		}
	}

	byVariant := map[rune][]pair{}
	for _, p := range pairs {
		if to, ok := turned[p.standard]; ok && to == p.variant {
			p.variant, p.standard = p.standard, p.variant
		}
		byVariant[p.variant] = append(byVariant[p.variant], p)
	}
	var keys []rune
	for v := range byVariant {
		keys = append(keys, v)
	}
	slices.Sort(keys)
	table := map[rune]pair{}
	for _, v := range keys {
		ps := byVariant[v]
		if _, ok := rejected[v]; ok {
			continue
		}
		if c, ok := ts[string(v)]; ok && c[0] == string(v) {
			continue // OpenCC keeps it as itself (瞭, 祇, 藉, 邨)
		}
		switch gbLevel(v) {
		case 1:
			continue // common mainland characters are standard on their own (著, 乾, 借)
		case 2:
			if accepted[v] == "" {
				continue
			}
		}
		std := ps[0].standard
		var sources []string
		for _, p := range ps {
			if p.standard != std {
				log.Fatalf("%c has two standards: %c and %c", v, std, p.standard)
			}
			if !slices.Contains(sources, p.source) {
				sources = append(sources, p.source)
			}
		}
		slices.Sort(sources)
		table[v] = pair{v, std, strings.Join(sources, "; ")}
	}
	for v, p := range table {
		if _, chained := table[p.standard]; chained {
			log.Fatalf("%c → %c is itself a variant", v, p.standard)
		}
	}
	for v := range accepted {
		if _, ok := table[v]; !ok {
			log.Fatalf("accepted %c is no candidate", v)
		}
	}

	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	fmt.Fprintf(w, "# Variant characters folded after traditional→simplified: variant<TAB>standard<TAB>OpenCC entries it comes from.\n")
	fmt.Fprintf(w, "# Derived by variants_gen.go (rules in SOURCES.md) from OpenCC %s, data/dictionary/,\n", strings.TrimSpace(string(commit)))
	fmt.Fprintf(w, "# Apache-2.0, https://github.com/BYVoid/OpenCC. Do not edit by hand: change the generator's lists and rerun it.\n")
	for _, v := range keys {
		if p, ok := table[v]; ok {
			fmt.Fprintf(w, "%c\t%c\t%s\n", p.variant, p.standard, p.source)
		}
	}
}

// gbLevel is 1 for the 3,755 common characters of GB 2312, 2 for its 3,008 others, 0 for a
// character outside it.
func gbLevel(r rune) int {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(string(r)))
	if err != nil || len(b) != 2 || b[1] < 0xA1 {
		return 0
	}
	switch {
	case b[0] >= 0xB0 && b[0] <= 0xD7:
		return 1
	case b[0] >= 0xD8 && b[0] <= 0xF7:
		return 2
	}
	return 0
}
