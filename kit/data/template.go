package data

import (
	"strconv"
	"strings"
)

// A template is text with {slots}, parsed once into segments so filling it is a few appends.
type template []segment

type segment struct {
	lit  string
	slot slot // 0 for a literal
}

type slot byte

const (
	slotNone  slot = iota
	slotN          // a number 2–60
	slotMat        // a material
	slotWho        // a person
	slotCrew       // a crew
	slotGate       // a gate or area letter
	slotHHMM       // a time of day
	slotLevel      // a floor level
	slotGrid       // a grid reference like C-7
	slotEquip      // a piece of equipment
)

var slotNames = map[string]slot{"n": slotN, "mat": slotMat, "who": slotWho, "crew": slotCrew, "g": slotGate,
	"hhmm": slotHHMM, "lvl": slotLevel, "grid": slotGrid, "equip": slotEquip}

func parseTemplate(s string) template {
	var t template
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t = append(t, segment{lit: s})
			break
		}
		if i > 0 {
			t = append(t, segment{lit: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			panic("data: bad template " + s) // the templates are constants in this package
		}
		sl, ok := slotNames[s[i+1:i+j]]
		if !ok {
			panic("data: bad template " + s) // the templates are constants in this package
		}
		t = append(t, segment{slot: sl})
		s = s[i+j+1:]
	}
	return t
}

func parseTemplates(ss []string) []template {
	ts := make([]template, len(ss))
	for i, s := range ss {
		ts[i] = parseTemplate(s)
	}
	return ts
}

// fill appends t with its slots filled; minute is the minute of the day the text is written at, so times of
// day in the text come shortly after it.
func (t template) fill(dst []byte, r *rng, minute int) []byte {
	for _, s := range t {
		switch s.slot {
		case slotNone:
			dst = append(dst, s.lit...)
		case slotN:
			dst = strconv.AppendInt(dst, int64(2+r.intn(59)), 10)
		case slotMat:
			dst = append(dst, pick(r, materials)...)
		case slotWho:
			dst = append(dst, pick(r, people)...)
		case slotCrew:
			dst = append(dst, pick(r, crews)...)
		case slotGate:
			dst = append(dst, byte('A'+r.intn(6)))
		case slotHHMM:
			m := (minute/5*5 + 5 + 5*r.intn(24)) % (24 * 60)
			dst = append2(dst, m/60)
			dst = append(dst, ':')
			dst = append2(dst, m%60)
		case slotLevel:
			dst = strconv.AppendInt(dst, int64(r.intn(24)), 10)
		case slotGrid:
			dst = append(dst, byte('A'+r.intn(12)), '-')
			dst = strconv.AppendInt(dst, int64(1+r.intn(20)), 10)
		case slotEquip:
			dst = append(dst, pick(r, equipment)...)
		}
	}
	return dst
}

// append2 appends n (0–99) as two digits.
func append2(dst []byte, n int) []byte { return append(dst, byte('0'+n/10), byte('0'+n%10)) }
