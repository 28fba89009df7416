package check

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/lessons/todo"
)

// Status is where an exercise stands after its suite ran.
type Status int

const (
	NotRun    Status = iota // the suite did not reach the exercise
	Done                    // the suite passes
	NotDone                 // the stub still stops with todo.Exercise
	Failing                 // the code runs, and the suite finds a mistake
	NoCompile               // the topic's package or its test does not compile
	Missing                 // the topic's folder does not exist
)

func (s Status) String() string {
	switch s {
	case Done:
		return "done"
	case NotDone:
		return "not done yet"
	case Failing:
		return "failing"
	case NoCompile:
		return "does not compile"
	case Missing:
		return "missing"
	default:
		return "not run"
	}
}

// Result is what one exercise's suite said.
type Result struct {
	Exercise course.Exercise
	Dir      string // the package folder that was tested, such as "exercises/caching"
	Status   Status
	Output   string        // the suite's words about this exercise: failures, compiler errors
	Elapsed  time.Duration // the subtest's own time, as go test reports it
	Note     string        // about how it was checked, such as the race detector being unavailable
	// Needs, for an exercise not done yet, are the exercises it is built from that are still stubs (the
	// capstone is built from the weeks' exercises): do those first.
	Needs []string
}

// Done reports whether the exercise passes its suite.
func (r Result) Done() bool { return r.Status == Done }

// Summary is a one-line account of the result.
func (r Result) Summary() string {
	e := r.Exercise
	switch r.Status {
	case Done:
		return fmt.Sprintf("%s: done ✓", e.Name)
	case NotDone:
		if len(r.Needs) > 0 {
			return fmt.Sprintf("%s: not done yet — it is built from your %s, which are not done yet: do them first "+
				"(go run ./cmd/workbook check %s), then read %q in %s", e.Name, strings.Join(r.Needs, ", "),
				r.Needs[0], e.Section, e.Notebook)
		}
		return fmt.Sprintf("%s: not done yet — read %q in %s, write your code in %s (hint: go run ./cmd/workbook hint %s)",
			e.Name, e.Section, e.Notebook, r.Dir, e.Name)
	case Failing:
		return fmt.Sprintf("%s: not passing yet — the suite found a mistake in %s", e.Name, r.Dir)
	case NoCompile:
		return fmt.Sprintf("%s: your code in %s does not compile yet:", e.Name, r.Dir)
	case Missing:
		if strings.Contains(r.Output, "no Go files") {
			return fmt.Sprintf("%s: %s has no Go files yet", e.Name, r.Dir)
		}
		return fmt.Sprintf("%s: %s does not exist yet", e.Name, r.Dir)
	default:
		return fmt.Sprintf("%s: the suite in %s did not run it", e.Name, r.Dir)
	}
}

// Runner runs exercises' suites with `go test -race` (plain `go test` where the race detector is not
// available: see Race). The zero value tests the learner's exercises/ in the repository found by Root.
type Runner struct {
	Root string   // repository root; "" finds it with Root
	Base string   // folder holding one package per topic: "exercises" (the default) or "solutions"
	Env  []string // extra environment for go test, such as "GOFLAGS=-count=1"
	// NoRace turns the race detector off even where it is available.
	NoRace bool
	// Pattern, when set, is the -run pattern instead of the one built from the exercises.
	Pattern string
	// Args are more arguments for go test, before the packages (such as "-overlay=file.json"), and TestArgs
	// arguments for the test binary (such as "-workbook.stuck=3s").
	Args, TestArgs []string
	// Timeout is go test's -timeout, a backstop behind the suites' own watchdog; 0 means DefaultTimeout.
	Timeout time.Duration
}

// DefaultTimeout is how long one go test of a Runner may take, compilation excluded, before go test stops it.
// The suites' watchdog (lessons/suite) reports a stuck exercise long before that.
const DefaultTimeout = 5 * time.Minute

// Run runs the suites of the given exercises with a single `go test -json` and returns one result per exercise,
// in order. One exercise alone runs only its own subtest. The error is for go test not running at all (no Go,
// no repository, a cancelled context); everything an exercise's code does is in its Result.
func (r Runner) Run(ctx context.Context, list ...course.Exercise) ([]Result, error) {
	root := r.Root
	if root == "" {
		var err error
		if root, err = Root(); err != nil {
			return nil, err
		}
	}
	base := r.Base
	if base == "" {
		base = "exercises"
	}
	results := make([]Result, len(list))
	var pkgs, suites []string
	seen := map[string]bool{}
	for i, e := range list {
		dir := base + "/" + e.Topic
		results[i] = Result{Exercise: e, Dir: dir}
		if st, err := os.Stat(filepath.Join(root, dir)); err != nil || !st.IsDir() {
			results[i].Status = Missing
			continue
		}
		if !seen[dir] {
			seen[dir] = true
			pkgs = append(pkgs, "./"+dir)
			suites = append(suites, e.SuiteTest())
		}
	}
	if len(pkgs) == 0 {
		return results, nil
	}
	pattern := "^(" + strings.Join(suites, "|") + ")$"
	if len(list) == 1 {
		pattern = list[0].RunPattern()
	}
	if r.Pattern != "" {
		pattern = r.Pattern
	}
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	args := []string{"test", "-json", "-run", pattern, "-timeout", timeout.String()}
	race, note := false, ""
	if !r.NoRace {
		race, note = Race(ctx)
	}
	if race {
		args = append(args, "-race")
	}
	args = append(append(args, r.Args...), pkgs...)
	if len(r.TestArgs) > 0 {
		args = append(append(args, "-args"), r.TestArgs...)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), r.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return nil, fmt.Errorf("running go test: %w", err)
	}
	log := parseEvents(stdout.Bytes())
	for i := range results {
		results[i].Note = note
		if results[i].Status != Missing {
			log.judge(&results[i], stderr.String())
		}
	}
	return results, nil
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	Test       string
	Output     string
	Elapsed    float64
	ImportPath string // build-output events name the package being built
	Key, Value string // "attr" events: a test attribute (testing.T.Attr)
}

type testLog struct {
	tests map[string]*testRecord // by package + " " + test ("" for the package itself)
	build map[string]*strings.Builder
	stray strings.Builder // lines that are not JSON
}

type testRecord struct {
	started bool   // go test said "run"
	action  string // "pass", "fail" or "skip"; "" if it never ended (the test binary died in it)
	elapsed float64
	output  strings.Builder
	notDone bool   // the test, or one below it, carries the todo attribute: a stub stopped it
	needs   string // the todo.AttrNeeds attribute of the test or one below it: the stubs it waits for
}

func parseEvents(out []byte) *testLog {
	l := &testLog{tests: map[string]*testRecord{}, build: map[string]*strings.Builder{}}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	for sc.Scan() {
		var ev event
		if json.Unmarshal(sc.Bytes(), &ev) != nil || ev.Action == "" {
			l.stray.Write(sc.Bytes())
			l.stray.WriteByte('\n')
			continue
		}
		ev.Package = fullPath(ev.Package)
		if ev.Action == "build-output" || ev.Action == "build-fail" {
			pkg, _, _ := strings.Cut(ev.ImportPath, " ")
			pkg = fullPath(pkg)
			b := l.build[pkg]
			if b == nil {
				b = &strings.Builder{}
				l.build[pkg] = b
			}
			b.WriteString(ev.Output)
			continue
		}
		rec := l.record(ev.Package, ev.Test)
		switch ev.Action {
		case "output":
			// A suite's checks are often subtests of the exercise's subtest (TestTopic/name/check): their
			// words belong to the exercise too, so output also goes to every test above it up to the
			// exercise's own, in event order. The top-level suite test keeps only its own output.
			rec.output.WriteString(ev.Output)
			for t := ev.Test; strings.Count(t, "/") > 1; {
				t = t[:strings.LastIndex(t, "/")]
				l.record(ev.Package, t).output.WriteString(ev.Output)
			}
		case "attr":
			// The todo attribute marks the test where a stub stopped; it belongs to every test above it too.
			if ev.Key == todo.AttrKey && ev.Value == todo.AttrValue {
				rec.notDone = true
				for t := ev.Test; strings.Contains(t, "/"); {
					t = t[:strings.LastIndex(t, "/")]
					l.record(ev.Package, t).notDone = true
				}
			}
			if ev.Key == todo.AttrNeeds {
				rec.needs = ev.Value
				for t := ev.Test; strings.Contains(t, "/"); {
					t = t[:strings.LastIndex(t, "/")]
					l.record(ev.Package, t).needs = ev.Value
				}
			}
		case "run":
			rec.started = true
		case "pass", "fail", "skip":
			rec.action, rec.elapsed = ev.Action, ev.Elapsed
		}
	}
	return l
}

// record returns the record of test in pkg, creating it.
func (l *testLog) record(pkg, test string) *testRecord {
	key := pkg + " " + test
	rec := l.tests[key]
	if rec == nil {
		rec = &testRecord{}
		l.tests[key] = rec
	}
	return rec
}

func (l *testLog) judge(r *Result, stderr string) {
	e := r.Exercise
	pkg := Module + "/" + r.Dir
	if rec := l.tests[pkg+" "+e.SuiteTest()+"/"+e.Name]; rec != nil && rec.started && rec.action == "" {
		// The test binary died inside this exercise: a fatal runtime error (concurrent map writes, a stack
		// overflow), a panic in a goroutine, or the suite's watchdog stopping a hang. There is no "fail" event
		// in the JSON stream, only the binary's last words.
		r.Status = Failing
		r.Output = present(rec.output.String(), e.Hint)
		if r.Output == "" {
			r.Output = "the test binary stopped in the middle of this exercise without a word"
		}
		return
	}
	if rec := l.tests[pkg+" "+e.SuiteTest()+"/"+e.Name]; rec != nil && rec.action != "" {
		r.Elapsed = time.Duration(rec.elapsed * float64(time.Second))
		r.Output = present(rec.output.String(), e.Hint)
		switch {
		case rec.action == "pass":
			r.Status = Done
		case rec.action == "skip":
			r.Status, r.Output = NotRun, "the suite skipped it:\n"+r.Output
		case rec.notDone:
			r.Status = NotDone
			if rec.needs != "" {
				r.Needs = strings.Split(rec.needs, ",")
			}
		default:
			r.Status = Failing
			if r.Output == "" { // a panic is reported in the output of the suite's top-level test
				if suite := l.tests[pkg+" "+e.SuiteTest()]; suite != nil {
					r.Output = present(suite.output.String(), e.Hint)
				}
			}
		}
		return
	}
	pkgOut := ""
	if rec := l.tests[pkg+" "]; rec != nil {
		pkgOut = rec.output.String()
	}
	if b := l.build[pkg]; b != nil || strings.Contains(pkgOut, "[build failed]") || strings.Contains(pkgOut, "[setup failed]") {
		r.Status = NoCompile
		if b != nil {
			r.Output = strings.TrimSpace(b.String())
		}
		if r.Output == "" {
			r.Output = strings.TrimSpace(stderr + l.stray.String())
		}
		if strings.Contains(r.Output, "no Go files in ") {
			r.Status = Missing
		}
		return
	}
	if name, words := l.crashed(pkg, e.SuiteTest()); name != "" {
		r.Status = Failing
		r.Output = fmt.Sprintf("the suite stopped before it reached this exercise: the test binary died in %q:\n%s",
			name, words)
		return
	}
	if rec := l.tests[pkg+" "+e.SuiteTest()]; rec != nil && (rec.action == "fail" || rec.started && rec.action == "") {
		// A suite that said something of its own, or a panic, ended before this subtest's turn.
		if said := cleanOutput(rec.output.String() + pkgOut); said != "" && (strings.Contains(said, "panic:") ||
			cleanOutput(rec.output.String()) != "") {
			r.Status = Failing
			r.Output = "the suite stopped before it reached this exercise:\n" + present(rec.output.String()+pkgOut, "")
			return
		}
	}
	r.Status = NotRun
	r.Output = strings.TrimSpace(fmt.Sprintf("%s has no subtest %s/%s\n%s%s%s",
		r.Dir, e.SuiteTest(), e.Name, cleanOutput(pkgOut), l.stray.String(), stderr))
}

// crashed finds the exercise of suite in pkg that the test binary died in, and the first line of what it said.
func (l *testLog) crashed(pkg, suite string) (name, words string) {
	prefix := pkg + " " + suite + "/"
	for key, rec := range l.tests {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok || strings.Contains(rest, "/") || !rec.started || rec.action != "" {
			continue
		}
		words, _ = crashLine(rec.output.String())
		if words == "" {
			words = present(rec.output.String(), "")
		}
		words, _, _ = strings.Cut(words, "\n")
		return rest, words
	}
	return "", ""
}

// fullPath turns a relative package path ("./exercises/caching", as go test names a package it could not
// load) into the import path.
func fullPath(pkg string) string {
	if rest, ok := strings.CutPrefix(pkg, "./"); ok {
		return Module + "/" + rest
	}
	return pkg
}
