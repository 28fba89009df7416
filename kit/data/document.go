package data

import (
	"strings"
	"unicode"
)

// Document returns prose of exactly words words (as strings.Fields counts them) about running a building site,
// in paragraphs of 40–120 words separated by blank lines: input for chunking and for token counts. Sentences
// are generated, so the text reads plausibly but says nothing in particular. words ≤ 0 gives "".
func Document(words int, seed int64) string {
	if words <= 0 {
		return ""
	}
	r := newRNG(seed, 3)
	var b strings.Builder
	b.Grow(words * 7)
	var sentence []byte
	left, para := words, 40+r.intn(81)
	for left > 0 {
		sentence = proseSentence(sentence[:0], &r)
		ws := strings.Fields(string(sentence))
		if len(ws) >= left { // the last sentence: cut to fit and close it
			ws = ws[:left]
			last := strings.TrimRightFunc(ws[left-1], func(c rune) bool { return !unicode.IsLetter(c) && !unicode.IsDigit(c) })
			if last == "" {
				last = "done"
			}
			ws[left-1] = last + "."
		}
		if b.Len() > 0 {
			if para <= 0 {
				b.WriteString("\n\n")
				para = 40 + r.intn(81)
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(strings.Join(ws, " "))
		left -= len(ws)
		para -= len(ws)
	}
	return b.String()
}

func proseSentence(dst []byte, r *rng) []byte {
	if r.intn(4) == 0 { // now and then a concrete example from the site log
		ev := r.intn(len(events))
		return pick(r, noteTemplates[ev]).fill(dst, r, 8*60+r.intn(9*60))
	}
	if r.intn(3) == 0 {
		dst = append(dst, pick(r, connectors)...)
		dst = append(dst, ' ')
		s := pick(r, subjects)
		dst = append(dst, strings.ToLower(s[:1])...)
		dst = append(dst, s[1:]...)
	} else {
		dst = append(dst, pick(r, subjects)...)
	}
	dst = append(dst, ' ')
	dst = append(dst, pick(r, verbs)...)
	dst = append(dst, ' ')
	dst = append(dst, pick(r, objects)...)
	dst = append(dst, ' ')
	dst = append(dst, pick(r, clauses)...)
	return append(dst, '.')
}
