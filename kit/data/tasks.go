package data

import (
	"encoding/json"
	"fmt"
	"strconv"

	openai "github.com/sashabaranov/go-openai"
)

// A Task is graded work: a prompt over a generated site log whose right answer is known from the prompt alone,
// so a model's answer can be marked right or wrong by a program (Grade), and its form checked by one that does
// not know the answer (TaskKind.Validate). The mock server recognises these prompts and answers them as well as
// the model asked for would (see mock's README: each model family has a documented accuracy per task kind and
// prompt length).
//
// A task's prompt is two messages: the kind's Instruction as the system message and Input as the user message.
type Task struct {
	Kind    TaskKind
	Input   string // the user message: for extract and count a first line saying what to look for, a blank line, then the log
	Records int    // how many log records Input holds
	Want    string // the right answer, in the form Grade compares with

	fields siteFields // extract: the named record's fields
	count  int        // count: the right count
	code   string     // needle: the permit code asked for
	decoys []string   // needle: the other permit codes in the log, in order of appearance (at most maxDecoys)
}

// TaskKind names a kind of graded task.
type TaskKind string

// The kinds of graded task. Each reads a site log of one or more records; they differ in what the answer needs
// from it: one record's fields, every record, or one line among many.
const (
	// Extract: copy four fields of the record with a given timestamp as JSON,
	// e.g. {"timestamp":"2025-03-03T06:12:40Z","site":"Riverside Depot","crew":"concrete-2","event":"pour_started"}.
	Extract TaskKind = "extract"
	// Count: how many records have a given event, in digits, e.g. 3.
	Count TaskKind = "count"
	// Needle: one record's note asks the assistant to reply with a permit code, e.g. PTW-4821; other records
	// mention other permit codes.
	Needle TaskKind = "needle"
)

// TaskKinds lists the kinds in the order the course shows them.
func TaskKinds() []TaskKind { return []TaskKind{Extract, Count, Needle} }

// Instruction is the system message of the kind's tasks. It is fixed: a server recognises a graded task by it.
func (k TaskKind) Instruction() string {
	switch k {
	case Extract:
		return extractInstruction
	case Count:
		return countInstruction
	case Needle:
		return needleInstruction
	}
	return ""
}

const (
	extractInstruction = "Find the record of the site log below whose timestamp is given on the first line. Reply " +
		"with a JSON object of exactly four string fields copied from that record: timestamp, site, crew and " +
		"event. Reply with the JSON object only."
	countInstruction = "Count the records of the site log below whose event is the one named on the first line. " +
		"Reply with the number only, in digits."
	needleInstruction = "One line of the site log below is a message to the assistant. Do what it asks and reply " +
		"with nothing else."
)

// TaskKindOf recognises a graded task by its system message: the kind whose Instruction it is, or false.
func TaskKindOf(instruction string) (TaskKind, bool) {
	switch instruction {
	case extractInstruction:
		return Extract, true
	case countInstruction:
		return Count, true
	case needleInstruction:
		return Needle, true
	}
	return "", false
}

// Messages is the task's prompt: the Instruction as the system message, Input as the user message.
func (t Task) Messages() []openai.ChatCompletionMessage {
	return []openai.ChatCompletionMessage{
		{Role: openai.ChatMessageRoleSystem, Content: t.Kind.Instruction()},
		{Role: openai.ChatMessageRoleUser, Content: t.Input},
	}
}

// NewTask generates a task of kind over a log of records records (at least 1), from seed: the same arguments
// always give the same task. A record is about 60 tokens, so records sets the prompt's length: 8 records make a
// prompt of about 550 tokens, 64 about 4,000. It panics on an unknown kind or records < 1.
func NewTask(kind TaskKind, records int, seed int64) Task {
	if records < 1 {
		panic(fmt.Sprintf("data: NewTask needs at least 1 record, got %d", records))
	}
	var stream uint64
	switch kind {
	case Extract:
		stream = 11
	case Count:
		stream = 12
	case Needle:
		stream = 13
	default:
		panic(fmt.Sprintf("data: NewTask: unknown task kind %q", kind))
	}
	l := &siteLog{r: newRNG(seed, stream), t: logEpoch, day: -1}
	recs := make([]string, records)
	for i := range recs {
		recs[i] = string(l.taskRecord(nil))
	}
	pick := l.r.intn(records) // the record the task is about
	var head string
	switch kind {
	case Extract:
		head = "Timestamp: " + fieldsOf(recs[pick]).Timestamp + "\n\n"
	case Count:
		ev := fieldsOf(recs[pick]).Event
		head = "Event: " + ev + "\n\n"
	case Needle:
		codes := permitCodes(&l.r, 1+min(3, records-1))
		recs[pick] = withNote(recs[pick], "Message to the assistant: reply with permit code "+codes[0]+
			" and nothing else.")
		// The decoys go in the action lines of other records, picked at random.
		others := make([]int, 0, records-1)
		for i := range records {
			if i != pick {
				others = append(others, i)
			}
		}
		for i, c := range codes[1:] {
			j := i + l.r.intn(len(others)-i)
			others[i], others[j] = others[j], others[i]
			rec := others[i]
			recs[rec] = withAction(recs[rec], fillOne(&l.r, pick1(&l.r, decoyTemplates), l.minute(), c))
		}
	}
	n := len(head)
	for _, r := range recs {
		n += len(r)
	}
	b := make([]byte, 0, n)
	b = append(b, head...)
	for _, r := range recs {
		b = append(b, r...)
	}
	t, ok := ParseTask(kind.Instruction(), string(b))
	if !ok {
		panic("data: NewTask made a task it cannot parse") // checked by the package's tests
	}
	return t
}

// taskRecord appends one record as SiteLog writes them, without SiteLog's occasional very long note, so a task's
// length is set by its number of records.
func (l *siteLog) taskRecord(dst []byte) []byte {
	dst, ev := l.header(dst)
	dst = pick(&l.r, noteTemplates[ev]).fill(dst, &l.r, l.minute())
	if l.r.intn(4) == 0 {
		dst = append(dst, "\naction: "...)
		dst = pick(&l.r, actionTemplates).fill(dst, &l.r, l.minute())
	}
	return append(dst, "\n\n"...)
}

func pick1(r *rng, ts []template) template { return ts[r.intn(len(ts))] }

// decoyTemplates mention a permit code ({n} here stands for the code) without asking anything.
var decoyTemplates = parseTemplates([]string{
	"Hot works permit {n} closed by {who}.",
	"Permit {n} issued for the {equip}; valid until {hhmm}.",
	"Permit to work {n} extended to {hhmm} for {crew}.",
})

// fillOne fills a template whose {n} slot is the text code.
func fillOne(r *rng, t template, minute int, code string) string {
	var b []byte
	for _, s := range t {
		if s.slot == slotN {
			b = append(b, code...)
			continue
		}
		b = template{s}.fill(b, r, minute)
	}
	return string(b)
}

// permitCodes returns n distinct codes PTW-1000 … PTW-9999.
func permitCodes(r *rng, n int) []string {
	seen := map[int]bool{}
	var codes []string
	for len(codes) < n {
		c := 1000 + r.intn(9000)
		if !seen[c] {
			seen[c] = true
			codes = append(codes, "PTW-"+strconv.Itoa(c))
		}
	}
	return codes
}

// withNote replaces a record's note with note.
func withNote(rec, note string) string {
	i := indexLine(rec, "note: ")
	end := i + lineLen(rec[i:])
	return rec[:i] + "note: " + note + rec[end:]
}

// withAction sets a record's action line to action (adding one if it has none).
func withAction(rec, action string) string {
	if i := indexLine(rec, "action: "); i >= 0 {
		end := i + lineLen(rec[i:])
		return rec[:i] + "action: " + action + rec[end:]
	}
	return rec[:len(rec)-2] + "\naction: " + action + "\n\n" // before the blank line that ends the record
}

// siteFields are the fields an extract task copies, in the order of its answer.
type siteFields struct {
	Timestamp string `json:"timestamp"`
	Site      string `json:"site"`
	Crew      string `json:"crew"`
	Event     string `json:"event"`
}

func (f siteFields) json() string {
	b, err := json.Marshal(f)
	if err != nil {
		panic(err) // four strings always marshal
	}
	return string(b)
}

// fieldsOf reads the fields of one record (text from its timestamp line on).
func fieldsOf(rec string) siteFields {
	return siteFields{
		Timestamp: lineValue(rec, "timestamp: "),
		Site:      lineValue(rec, "site: "),
		Crew:      lineValue(rec, "crew: "),
		Event:     lineValue(rec, "event: "),
	}
}
