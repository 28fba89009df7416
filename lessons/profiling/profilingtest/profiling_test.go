package profilingtest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/llmperf/workbook/lessons/profiling"
	"github.com/llmperf/workbook/lessons/profiling/profilingtest"
	"github.com/llmperf/workbook/lessons/todo"
	solprofiling "github.com/llmperf/workbook/solutions/profiling"
)

// The suite must accept the reference solution and reject implementations that are wrong in small ways.
func TestSuiteJudgesBuildPrompt(t *testing.T) {
	good := solprofiling.BuildPrompt
	tests := []struct {
		name                              string
		build                             profiling.BuildFunc
		wantOutput, wantCalls, wantAllocs bool // true: the check must pass
	}{
		{"reference solution", good, true, true, true},
		{"the slow version itself", profiling.SlowBuildPrompt, true, false, false},
		{"budget off by one", func(log string, count func(string) int, budget int) string {
			return good(log, count, budget+1)
		}, false, true, true},
		{"Unicode spaces collapsed (strings.Fields)", func(log string, count func(string) int, budget int) string {
			return good(strings.NewReplacer("\u00a0", " ", "\u2003", " ", "\u3000", " ").Replace(log), count, budget)
		}, false, true, true},
		{"JSON without HTML escaping", func(log string, count func(string) int, budget int) string {
			return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(good(log, count, budget))
		}, false, true, true},
		{"records recounted", func(log string, count func(string) int, budget int) string {
			for range strings.Count(log, "\n\n") {
				count(log)
			}
			return good(log, count, budget)
		}, true, false, true},
		{"allocates per byte", func(log string, count func(string) int, budget int) string {
			var sink []*byte
			for i := range len(log) {
				b := log[i]
				sink = append(sink[:0], &b)
			}
			_ = sink
			return good(log, count, budget)
		}, true, true, false},
		{"the slow version, remembering earlier answers", memoized(profiling.SlowBuildPrompt), true, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			verdict := func(check string, err error, wantPass bool) {
				if (err == nil) != wantPass {
					t.Errorf("%s check: passed = %v, want %v (error: %v)", check, err == nil, wantPass, err)
				}
			}
			verdict("output", profilingtest.CheckOutput(tt.build, profiling.Cases()), tt.wantOutput)
			verdict("token calls", profilingtest.CheckTokenCalls(tt.build), tt.wantCalls)
			verdict("allocations", profilingtest.CheckAllocs(tt.build), tt.wantAllocs)
		})
	}
}

// memoized wraps build in a cache of earlier answers: fast on a repeated input, and no faster on a new one.
func memoized(build profiling.BuildFunc) profiling.BuildFunc {
	type key struct {
		log    string
		budget int
	}
	seen := map[key]string{}
	return func(log string, count func(string) int, budget int) string {
		k := key{log, budget}
		if p, ok := seen[k]; ok {
			return p
		}
		p := build(log, count, budget)
		seen[k] = p
		return p
	}
}

func TestSuiteJudgesBenchmark(t *testing.T) {
	log := profiling.SampleLog(10, 1)
	good := func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			solprofiling.BuildPrompt(log, profiling.CountTokens, 500)
		}
	}
	empty := func(b *testing.B) {
		for b.Loop() {
		}
	}
	otherTokenizer := func(b *testing.B) {
		for b.Loop() {
			solprofiling.BuildPrompt(log, profiling.ApproxTokens, 500)
		}
	}
	outsideLoop := func(b *testing.B) {
		solprofiling.BuildPrompt(log, profiling.CountTokens, 500)
		for b.Loop() {
		}
	}
	failing := func(b *testing.B) { b.Fatal("broken") }
	inputInLoop := func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			solprofiling.BuildPrompt(profiling.SampleLog(10, 1), profiling.CountTokens, 500)
		}
	}
	for _, tt := range []struct {
		name  string
		bench func(*testing.B)
		pass  bool
	}{
		{"good", good, true}, {"empty loop", empty, false}, {"another tokenizer", otherTokenizer, false},
		{"call outside the loop", outsideLoop, false}, {"b.Fatal", failing, false},
		{"input built inside the loop", inputInLoop, false},
	} {
		err := profilingtest.CheckBenchmark(tt.bench)
		if (err == nil) != tt.pass {
			t.Errorf("%s: passed = %v, want %v (error: %v)", tt.name, err == nil, tt.pass, err)
		}
	}
}

// A stub's todo stop inside the benchmark goroutine must reach the suite's goroutine as a NotDone panic.
func TestBenchmarkStubStopIsReported(t *testing.T) {
	defer func() {
		var n todo.NotDone
		if r := recover(); r == nil || !errors.As(asError(r), &n) || n.Name != "benchmark" {
			t.Errorf("recovered %v, want todo.NotDone{benchmark}", r)
		}
	}()
	profilingtest.CheckBenchmark(func(b *testing.B) { todo.Exercise("benchmark") })
}

func asError(r any) error {
	if err, ok := r.(error); ok {
		return err
	}
	return fmt.Errorf("%v", r)
}

func TestCasesAreDeterministic(t *testing.T) {
	a, b := profiling.Cases(), profiling.Cases()
	if len(a) < 20 {
		t.Fatalf("only %d cases", len(a))
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("case %q differs between calls", a[i].Name)
		}
	}
	if profiling.SampleLog(50, 1) == profiling.SampleLog(50, 2) {
		t.Error("different seeds gave the same log")
	}
}

func ExampleSlowBuildPrompt() {
	log := "2026-03-04 07:12 [WARN] site=north-7\nCrane 2   stopped; call ops@example.com.\n\n\nPump <3> ok."
	fmt.Print(profiling.SlowBuildPrompt(log, profiling.ApproxTokens, 1000))
	// Output:
	// Summarize these construction-site log records for the site manager: risks first, then delays.
	// Each line is one record as JSON.
	//
	// {"level":"warn","n":1,"tags":{"site":"north-7"},"text":"Crane 2 stopped; call [email].","time":"2026-03-04 07:12"}
	// {"n":2,"text":"Pump \u003c3\u003e ok."}
	//
	// (2 of 2 records, 39 tokens)
}

// A benchmark of a BuildPrompt that is still a stub fails with advice, not with the stub's stop.
func TestBenchmarkOfStubBuildPrompt(t *testing.T) {
	stub := func(b *testing.B) {
		for b.Loop() {
			todo.Exercise("hotspots")
		}
	}
	err := profilingtest.CheckBenchmark(stub)
	if err == nil || !strings.Contains(err.Error(), "SlowBuildPrompt") {
		t.Errorf("got %v, want advice to start from SlowBuildPrompt", err)
	}
}

var (
	blankRE  = regexp.MustCompile(`\n\s*\n`)
	headerRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?) \[(\w+)\](.*)$`)
	spaceRE  = regexp.MustCompile(`\s+`)
	emailRE  = regexp.MustCompile(`[\w.+-]+@[\w-]+(?:\.[\w-]+)+`)
	phoneRE  = regexp.MustCompile(`\+?\d[\d ().-]{7,}\d`)
)

// fastBuilder is a correct fast BuildPrompt written differently from the reference (a regexp for the spaces, a
// map for the tags, a byte buffer), with switchable mistakes a learner makes when speeding it up.
type fastBuilder struct {
	fields     bool // collapses white space with strings.Fields, which also splits on \v and Unicode spaces
	noCR       bool // a hand-written collapse that forgets \r and \f
	phoneGuess int  // skips the phone regexp unless the record has this many digits (0: never skips)
}

type fastRecord struct {
	Level string            `json:"level,omitempty"`
	N     int               `json:"n"`
	Tags  map[string]string `json:"tags,omitempty"`
	Text  string            `json:"text"`
	Time  string            `json:"time,omitempty"`
}

func (f fastBuilder) collapse(s string) string {
	s = strings.TrimSpace(s)
	switch {
	case f.fields:
		return strings.Join(strings.Fields(s), " ")
	case f.noCR:
		var b strings.Builder
		gap := false
		for _, c := range []byte(s) {
			if c == ' ' || c == '\t' || c == '\n' {
				gap = true
				continue
			}
			if gap {
				b.WriteByte(' ')
				gap = false
			}
			b.WriteByte(c)
		}
		return b.String()
	}
	return spaceRE.ReplaceAllString(s, " ")
}

func (f fastBuilder) build(log string, count func(string) int, budget int) string {
	records := blankRE.Split(log, -1)
	total := 0
	for _, r := range records {
		if strings.TrimSpace(r) != "" {
			total++
		}
	}
	var out bytes.Buffer
	out.WriteString("Summarize these construction-site log records for the site manager: risks first, then delays.\n" +
		"Each line is one record as JSON.\n\n")
	kept, used, n := 0, 0, 0
	for _, r := range records {
		if r = strings.TrimSpace(r); r == "" {
			continue
		}
		n++
		rec := fastRecord{N: n}
		first, rest, _ := strings.Cut(r, "\n")
		if m := headerRE.FindStringSubmatch(strings.TrimSpace(first)); m != nil {
			rec.Time, rec.Level = m[1], strings.ToLower(m[2])
			for _, kv := range strings.Fields(m[3]) {
				if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
					if rec.Tags == nil {
						rec.Tags = map[string]string{}
					}
					rec.Tags[k] = v
				}
			}
		} else {
			rest = r
		}
		text := emailRE.ReplaceAllString(f.collapse(strings.ReplaceAll(rest, "\n", " ")), "[email]")
		digits := 0
		for _, c := range text {
			if c >= '0' && c <= '9' {
				digits++
			}
		}
		if f.phoneGuess == 0 || digits >= f.phoneGuess {
			text = phoneRE.ReplaceAllString(text, "[phone]")
		}
		rec.Text = text
		js, _ := json.Marshal(rec)
		line := string(js) + "\n"
		c := count(line)
		if used+c > budget {
			break
		}
		used += c
		kept++
		out.WriteString(line)
	}
	fmt.Fprintf(&out, "\n(%d of %d records, %d tokens)\n", kept, total, used)
	return out.String()
}

func TestSuiteJudgesFastBuilders(t *testing.T) {
	cases := append(profiling.Cases(), profilingtest.EdgeCases()...)
	if err := profilingtest.CheckOutput(fastBuilder{}.build, cases); err != nil {
		t.Errorf("a correct fast builder written differently fails: %v", err)
	}
	if err := profilingtest.CheckTokenCalls(fastBuilder{}.build); err != nil {
		t.Errorf("a correct fast builder written differently fails: %v", err)
	}
	for name, b := range map[string]fastBuilder{
		"strings.Fields for white space":   {fields: true},
		"a collapse that forgets \\r":      {noCR: true},
		"phone regexp only with 10 digits": {phoneGuess: 10},
	} {
		if err := profilingtest.CheckOutput(b.build, cases); err == nil {
			t.Errorf("%s: the suite accepted it", name)
		} else {
			t.Logf("%s: rejected: %v", name, strings.SplitN(err.Error(), "\n", 2)[0])
		}
	}
}
