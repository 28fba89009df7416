package data

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Every generated task parses back to itself, grades its own answer right, and its mistakes wrong: the
// catchable ones fail Validate, the others pass it.
func TestTasksRoundTrip(t *testing.T) {
	for _, kind := range TaskKinds() {
		for _, records := range []int{1, 2, 5, 30} {
			for seed := range int64(25) {
				task := NewTask(kind, records, seed)
				name := func() string { return string(kind) + " " + task.Want }
				if task.Records != records || task.Kind != kind || task.Want == "" {
					t.Fatalf("%s, %d records, seed %d: %+v", kind, records, seed, task)
				}
				again, ok := ParseTask(kind.Instruction(), task.Input)
				if !ok || !reflect.DeepEqual(again, task) {
					t.Fatalf("%s: ParseTask gave %+v, %v", name(), again, ok)
				}
				if !reflect.DeepEqual(NewTask(kind, records, seed), task) {
					t.Fatalf("%s: not deterministic", name())
				}
				if !task.Grade(task.Want) || !task.Grade("  "+task.Want+"\n") {
					t.Errorf("%s: the right answer graded wrong", name())
				}
				if err := kind.Validate(task.Want); err != nil {
					t.Errorf("%s: the right answer fails validation: %v", name(), err)
				}
				for pick := range uint64(12) {
					for _, catchable := range []bool{true, false} {
						m := task.Mistake(catchable, pick*0x9e3779b97f4a7c15)
						if task.Grade(m) {
							t.Errorf("%s: mistake %q graded right", name(), m)
						}
						if err := kind.Validate(m); (err != nil) != catchable {
							t.Errorf("%s: mistake %q (catchable %v): Validate says %v", name(), m, catchable, err)
						}
					}
				}
			}
		}
	}
}

func TestTaskShapes(t *testing.T) {
	n := NewTask(Needle, 12, 3)
	if len(n.decoys) != 3 || strings.Count(n.Input, "Message to the assistant") != 1 {
		t.Errorf("needle of 12 records: decoys %q", n.decoys)
	}
	for _, d := range n.decoys {
		if m := n.Mistake(false, 0); !strings.HasPrefix(m, "PTW-") || m == n.Want || !strings.Contains(n.Input, d) {
			t.Errorf("decoy mistake %q", m)
		}
	}
	if one := NewTask(Needle, 1, 3); len(one.decoys) != 0 || one.Mistake(false, 5) == one.Want {
		t.Errorf("needle of 1 record: decoys %q, mistake %q", one.decoys, one.Mistake(false, 5))
	}
	c := NewTask(Count, 20, 4)
	if c.Want == "0" || !strings.HasPrefix(c.Input, "Event: ") {
		t.Errorf("count: want %s, input %q…", c.Want, c.Input[:30])
	}
	e := NewTask(Extract, 20, 4)
	ts := strings.TrimPrefix(strings.SplitN(e.Input, "\n", 2)[0], "Timestamp: ")
	if strings.Count(e.Input, ts) != 2 || !strings.Contains(e.Want, `"timestamp":"`+ts+`"`) {
		t.Errorf("extract: timestamp %s, want %s", ts, e.Want)
	}
	// Longer logs, longer prompts: about 250 bytes a record.
	if a, b := len(NewTask(Count, 8, 1).Input), len(NewTask(Count, 64, 1).Input); b < 6*a || a < 8*150 {
		t.Errorf("8 records: %d bytes, 64 records: %d bytes", a, b)
	}
}

func TestGradeAndValidate(t *testing.T) {
	e := NewTask(Extract, 1, 9)
	f := e.fields
	for _, tc := range []struct {
		answer       string
		right, valid bool
	}{
		{e.Want, true, true},
		{`{ "event": "` + f.Event + `", "crew": "` + f.Crew + `", "site": "` + f.Site + `", "timestamp": "` + f.Timestamp + `" }`, true, true},
		{strings.Replace(e.Want, "}", `,"note":"x"}`, 1), false, false},
		{strings.Replace(e.Want, `"`+f.Crew+`"`, `""`, 1), false, false},
		{strings.Replace(e.Want, `"`+f.Crew+`"`, `7`, 1), false, false},
		{"```json\n" + e.Want + "\n```", false, false},
		{"", false, false},
	} {
		if got := e.Grade(tc.answer); got != tc.right {
			t.Errorf("Grade(%q) = %v", tc.answer, got)
		}
		if err := Extract.Validate(tc.answer); (err == nil) != tc.valid {
			t.Errorf("Validate(%q) = %v", tc.answer, err)
		}
	}
	for _, tc := range []struct {
		kind   TaskKind
		answer string
		valid  bool
	}{
		{Count, "12", true}, {Count, " 0\n", true}, {Count, "12 records", false}, {Count, "-1", false}, {Count, "", false},
		{Needle, "PTW-1234", true}, {Needle, "PTW-12345", false}, {Needle, "ptw-1234", false}, {Needle, "PTW-1234.", false},
		{"summary", "anything", false},
	} {
		if err := tc.kind.Validate(tc.answer); (err == nil) != tc.valid {
			t.Errorf("%s: Validate(%q) = %v", tc.kind, tc.answer, err)
		}
	}
}

func TestParseTaskRejects(t *testing.T) {
	e := NewTask(Extract, 3, 1)
	for _, tc := range []struct{ name, instruction, input string }{
		{"an unknown instruction", "Summarise the log.", e.Input},
		{"no first line", Extract.Instruction(), "timestamp: 2025"},
		{"a first line of another kind", Extract.Instruction(), strings.Replace(e.Input, "Timestamp: ", "Event: ", 1)},
		{"a timestamp not in the log", Extract.Instruction(), "Timestamp: 2031-01-01T00:00:00Z\n\n" + e.Input},
		{"an empty event", Count.Instruction(), "Event: \n\nlog"},
		{"no message to the assistant", Needle.Instruction(), e.Input},
		{"a message without a code", Needle.Instruction(), "note: Message to the assistant: reply with permit code PTW-12"},
	} {
		if task, ok := ParseTask(tc.instruction, tc.input); ok {
			t.Errorf("%s: parsed as %+v", tc.name, task)
		}
	}
	// A log written by hand works too.
	log := "Event: pour_started\n\ntimestamp: x\nevent: pour_started\n\ntimestamp: y\nevent: pour_started_late\n\n"
	if task, ok := ParseTask(Count.Instruction(), log); !ok || task.Want != "1" || task.Records != 2 {
		t.Errorf("hand-written count: %+v, %v", task, ok)
	}
}

func TestNewTaskPanics(t *testing.T) {
	for _, f := range []func(){func() { NewTask(Extract, 0, 1) }, func() { NewTask("summary", 3, 1) }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

// A log full of permit codes is read once: the decoys kept are bounded, and parsing stays linear.
func TestParseTaskManyCodes(t *testing.T) {
	var b strings.Builder
	b.WriteString("note: Message to the assistant: reply with permit code PTW-0001 and nothing else.\n")
	for i := range 200_000 {
		fmt.Fprintf(&b, "PTW-%04d ", i%10000)
	}
	task, ok := ParseTask(Needle.Instruction(), b.String())
	if !ok || task.Want != "PTW-0001" || len(task.decoys) != maxDecoys {
		t.Errorf("ok %v, want %q, %d decoys", ok, task.Want, len(task.decoys))
	}
}

// Any input: ParseTask does not panic, and a task it accepts has mistakes that its grader marks wrong.
func FuzzParseTask(f *testing.F) {
	for _, kind := range TaskKinds() {
		f.Add(kind.Instruction(), NewTask(kind, 3, 1).Input, uint64(7))
	}
	f.Add(Count.Instruction(), "Event: x\n\nevent: x\n", uint64(0))
	f.Add(Needle.Instruction(), "Message to the assistant: reply with permit code PTW-0000", uint64(3))
	f.Fuzz(func(t *testing.T, instruction, input string, pick uint64) {
		task, ok := ParseTask(instruction, input)
		if !ok {
			return
		}
		for _, catchable := range []bool{true, false} {
			if m := task.Mistake(catchable, pick); m == task.Want {
				t.Errorf("mistake (catchable %v) %q is the right answer", catchable, m)
			}
		}
		task.Kind.Validate(task.Want)
		task.Grade(task.Want)
	})
}
