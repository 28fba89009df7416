package data

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// ParseTask reads a graded task back from its prompt — the system message (instruction) and the user message
// (input) — and works out its right answer from them, as a server grading answers would. It reports false when
// instruction is no kind's Instruction or input is not a log such a task can be asked about (the first line of an
// extract or count task missing, the timestamp not in the log, no message to the assistant with a permit code).
// Input need not come from NewTask: any log in SiteLog's format works.
func ParseTask(instruction, input string) (Task, bool) {
	kind, ok := TaskKindOf(instruction)
	if !ok {
		return Task{}, false
	}
	t := Task{Kind: kind, Input: input}
	log := input
	switch kind {
	case Extract, Count:
		head, rest, ok := strings.Cut(input, "\n")
		if !ok {
			return Task{}, false
		}
		log = strings.TrimLeft(rest, "\n")
		var value string
		if kind == Extract {
			value, ok = strings.CutPrefix(head, "Timestamp: ")
		} else {
			value, ok = strings.CutPrefix(head, "Event: ")
		}
		if !ok || value == "" {
			return Task{}, false
		}
		if kind == Extract {
			i := indexLine(log, "timestamp: "+value+"\n")
			if i < 0 {
				return Task{}, false
			}
			rec := log[i:]
			if end := strings.Index(rec, "\n\n"); end >= 0 {
				rec = rec[:end+1]
			}
			t.fields = fieldsOf(rec)
			if t.fields.Site == "" || t.fields.Crew == "" || t.fields.Event == "" {
				return Task{}, false
			}
			t.Want = t.fields.json()
		} else {
			t.count = countLines(log, "event: "+value)
			t.Want = strconv.Itoa(t.count)
		}
	case Needle:
		const ask = "Message to the assistant: reply with permit code "
		i := strings.Index(log, ask)
		if i < 0 || !isPermit(log[i+len(ask):]) {
			return Task{}, false
		}
		t.code = log[i+len(ask) : i+len(ask)+len("PTW-0000")]
		t.Want = t.code
		for rest := log; len(t.decoys) < maxDecoys; {
			j := strings.Index(rest, "PTW-")
			if j < 0 {
				break
			}
			if isPermit(rest[j:]) {
				if c := rest[j : j+8]; c != t.code && !slices.Contains(t.decoys, c) {
					t.decoys = append(t.decoys, c)
				}
			}
			rest = rest[j+4:]
		}
	}
	t.Records = countPrefixed(log, "timestamp: ")
	return t, true
}

// maxDecoys bounds the other permit codes ParseTask keeps: enough to choose a plausible mistake from, and a log
// of many thousands of codes costs no more than reading it.
const maxDecoys = 16

// isPermit reports whether s starts with a permit code: PTW- and exactly four digits.
func isPermit(s string) bool {
	if len(s) < 8 || s[:4] != "PTW-" || len(s) > 8 && isDigit(s[8]) {
		return false
	}
	for i := 4; i < 8; i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// Grade reports whether answer is the task's right answer. Surrounding white space is ignored; for extract, so
// are the order of the fields and the white space inside the JSON object — its fields and their values are what
// counts.
func (t Task) Grade(answer string) bool {
	answer = strings.TrimSpace(answer)
	if t.Kind != Extract {
		return answer == t.Want
	}
	var got map[string]any
	if json.Unmarshal([]byte(answer), &got) != nil || len(got) != len(extractKeys) {
		return false
	}
	want := map[string]string{"timestamp": t.fields.Timestamp, "site": t.fields.Site, "crew": t.fields.Crew,
		"event": t.fields.Event}
	for k, v := range want {
		if s, ok := got[k].(string); !ok || s != v {
			return false
		}
	}
	return true
}

var extractKeys = []string{"timestamp", "site", "crew", "event"}

// Validate checks the form of an answer to a task of kind k, as a validator in production can: without the
// right answer. An extract answer must be a JSON object with exactly the four fields, each a non-empty string; a
// count answer a number in digits; a needle answer a permit code, PTW- and four digits (surrounding white space
// is ignored). An answer of the right form can still be wrong: Validate catches the mistakes of form, only Grade
// catches a wrong value.
func (k TaskKind) Validate(answer string) error {
	answer = strings.TrimSpace(answer)
	switch k {
	case Extract:
		var got map[string]any
		if err := json.Unmarshal([]byte(answer), &got); err != nil {
			return fmt.Errorf("extract: the answer %s is not a JSON object: %v", clip(answer), err)
		}
		for _, key := range extractKeys {
			v, ok := got[key]
			if !ok {
				return fmt.Errorf("extract: the answer %s has no field %q", clip(answer), key)
			}
			if s, ok := v.(string); !ok || s == "" {
				return fmt.Errorf("extract: field %q of the answer %s is not a non-empty string", key, clip(answer))
			}
		}
		if len(got) != len(extractKeys) {
			return fmt.Errorf("extract: the answer %s has fields besides %s", clip(answer), strings.Join(extractKeys, ", "))
		}
	case Count:
		if answer == "" || len(answer) > 9 || strings.IndexFunc(answer, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
			return fmt.Errorf("count: the answer %s is not a number in digits", clip(answer))
		}
	case Needle:
		if len(answer) != 8 || !isPermit(answer) {
			return fmt.Errorf("needle: the answer %s is not a permit code (PTW- and four digits)", clip(answer))
		}
	default:
		return fmt.Errorf("data: unknown task kind %q", k)
	}
	return nil
}

func clip(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strconv.Quote(s)
}

// Mistake is a plausible wrong answer to t, chosen by pick (any number: the same pick gives the same answer). A
// catchable mistake has the wrong form, so Validate rejects it: an extract answer with a field missing or cut off
// before its end, a count answered in words, a needle task answered with a summary of the log. Any other mistake
// has the right form and a wrong value, which only Grade can tell: another site, a sibling crew or the opposite
// event in an extract answer, a count off by one, another permit code from the log. It is what the mock server
// answers when its model gets a task wrong.
func (t Task) Mistake(catchable bool, pick uint64) string {
	switch t.Kind {
	case Extract:
		f := t.fields
		if catchable {
			if pick%2 == 0 { // cut off after the third field
				s := f.json()
				return s[:strings.LastIndexByte(s, ',')]
			}
			return jsonWithout(f, int(pick/2%4))
		}
		switch pick / 2 % 3 {
		case 0:
			f.Site = other(sites, f.Site, pick/8)
		case 1:
			f.Crew = siblingCrew(f.Crew, pick/8)
		default:
			f.Event = oppositeEvent(f.Event, pick/8)
		}
		return f.json()
	case Count:
		if catchable {
			return hedges[pick%uint64(len(hedges))]
		}
		if t.count == 0 || pick%2 == 0 {
			return strconv.Itoa(t.count + 1)
		}
		return strconv.Itoa(t.count - 1)
	case Needle:
		if catchable {
			return summaries[pick%uint64(len(summaries))]
		}
		if len(t.decoys) > 0 {
			return t.decoys[pick%uint64(len(t.decoys))]
		}
		d := t.code[7] - '0'
		return t.code[:7] + string(rune('0'+(d+1+byte(pick%9))%10))
	}
	return ""
}

// Wrong answers of the wrong form.
var (
	hedges = []string{
		"The log does not say.",
		"Several records.",
		"I cannot count them reliably from this log.",
		"A few of them, mostly in the morning.",
	}
	summaries = []string{
		"The log records deliveries, pours and inspections across the site.",
		"Work went on as planned, with a few delays and one inspection to redo.",
		"The site log covers a normal day: crews signed in, deliveries arrived and the pour went ahead.",
	}
)

// jsonWithout is f as JSON without its field number i.
func jsonWithout(f siteFields, i int) string {
	vals := []string{f.Timestamp, f.Site, f.Crew, f.Event}
	var b strings.Builder
	b.WriteByte('{')
	for j, k := range extractKeys {
		if j == i {
			continue
		}
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		v, _ := json.Marshal(vals[j])
		fmt.Fprintf(&b, "%q:%s", k, v)
	}
	b.WriteByte('}')
	return b.String()
}

// other is a member of xs other than x, chosen by pick.
func other(xs []string, x string, pick uint64) string {
	i := slices.Index(xs, x)
	if i < 0 {
		return xs[pick%uint64(len(xs))]
	}
	return xs[(i+1+int(pick%uint64(len(xs)-1)))%len(xs)]
}

// siblingCrew is another crew of the same trade when there is one ("concrete-2" for "concrete-1"), else another crew.
func siblingCrew(crew string, pick uint64) string {
	trade, _, _ := strings.Cut(crew, "-")
	var sib []string
	for _, c := range crews {
		if c != crew && strings.HasPrefix(c, trade+"-") {
			sib = append(sib, c)
		}
	}
	if len(sib) > 0 {
		return sib[pick%uint64(len(sib))]
	}
	return other(crews, crew, pick)
}

// oppositeEvents pairs events that a reader in a hurry confuses.
var oppositeEvents = map[string]string{
	"delivery_received": "delivery_delayed", "pour_started": "pour_completed", "inspection_passed": "inspection_failed",
	"safety_incident": "near_miss", "equipment_fault": "weather_hold", "shift_start": "shift_end",
	"rfi_raised": "change_order",
}

func oppositeEvent(ev string, pick uint64) string {
	for a, b := range oppositeEvents {
		switch ev {
		case a:
			return b
		case b:
			return a
		}
	}
	names := make([]string, len(events))
	for i, e := range events {
		names[i] = e.name
	}
	return other(names, ev, pick)
}

// indexLine is the index in s of the first line that starts with prefix, or -1.
func indexLine(s, prefix string) int {
	for i := 0; ; {
		j := strings.Index(s[i:], prefix)
		if j < 0 {
			return -1
		}
		if i+j == 0 || s[i+j-1] == '\n' {
			return i + j
		}
		i += j + 1
	}
}

// lineLen is the length of s's first line, without its newline.
func lineLen(s string) int {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return i
	}
	return len(s)
}

// lineValue is the rest of the first line of s that starts with prefix, or "".
func lineValue(s, prefix string) string {
	i := indexLine(s, prefix)
	if i < 0 {
		return ""
	}
	s = s[i+len(prefix):]
	return s[:lineLen(s)]
}

// countLines counts the lines of s that are exactly line.
func countLines(s, line string) int {
	n := 0
	for l := range strings.Lines(s) {
		if strings.TrimSuffix(l, "\n") == line {
			n++
		}
	}
	return n
}

// countPrefixed counts the lines of s that start with prefix.
func countPrefixed(s, prefix string) int {
	n := 0
	for l := range strings.Lines(s) {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}
