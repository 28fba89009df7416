package check

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/llmperf/workbook/kit/course"
	"github.com/llmperf/workbook/kit/redact"
	"github.com/llmperf/workbook/lessons/todo"
)

// fakeRepo writes a tiny module with the course's module path: a topic "demo" whose suite has one passing, one
// unfinished and one wrong exercise, a topic "broken" that does not compile, and no topic "gone".
func fakeRepo(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"go.mod":                 "module " + Module + "\n\ngo 1.25\n",
		"exercises/demo/demo.go": "package demo\n\nfunc Two() int { return 2 }\n",
		"exercises/demo/demo_test.go": `package demo

import "testing"

func TestDemo(t *testing.T) {
	t.Run("done", func(t *testing.T) {})
	t.Run("stub", func(t *testing.T) {
		t.Attr("workbook.status", "not-done") // what lessons/suite.Catch marks a stub's stop with
		t.Fatal("exercise \"stub\" is not done yet: read \"S\" in notebooks/demo.ipynb")
	})
	t.Run("wrong", func(t *testing.T) { t.Errorf("Two() = %d, want 3", Two()) })
}
`,
		"exercises/crash/crash_test.go": `package crash

import "testing"

func TestCrash(t *testing.T) {
	t.Run("boom", func(t *testing.T) { var m map[string]int; m["x"] = 1 })
	t.Run("after", func(t *testing.T) {})
}
`,
		"exercises/fatal/fatal_test.go": `package fatal

import "testing"

func deep(n int) int { return deep(n+1) + 1 }

func TestFatal(t *testing.T) {
	t.Run("overflow", func(t *testing.T) { deep(0) })
	t.Run("later", func(t *testing.T) {})
}
`,
		"exercises/gopanic/gopanic_test.go": `package gopanic

import (
	"sync"
	"testing"
)

func TestGopanic(t *testing.T) {
	t.Run("gopanic", func(t *testing.T) {
		var wg sync.WaitGroup
		wg.Go(func() { panic("boom in a goroutine") })
		wg.Wait()
	})
}
`,
		"exercises/racy/racy_test.go": `package racy

import (
	"sync"
	"testing"
)

func TestRacy(t *testing.T) {
	t.Run("racy", func(t *testing.T) {
		n := 0
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { n++ })
		}
		wg.Wait()
		_ = n
	})
}
`,
		"exercises/broken/broken.go":      "package broken\n\nfunc F() int { return undefinedName }\n",
		"exercises/broken/broken_test.go": "package broken\n\nimport \"testing\"\n\nfunc TestBroken(t *testing.T) { F() }\n",
	}
	for name, text := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(root, "exercises", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	return root
}

func ex(name, topic string) course.Exercise {
	return course.Exercise{Name: name, Topic: topic, Notebook: "notebooks/demo.ipynb", Section: "S", Hint: "h"}
}

func TestRunner(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	root := fakeRepo(t)
	list := []course.Exercise{
		ex("done", "demo"), ex("stub", "demo"), ex("wrong", "demo"), ex("absent", "demo"),
		ex("b", "broken"), ex("g", "gone"), ex("boom", "crash"), ex("after", "crash"), ex("e", "empty"),
	}
	results, err := Runner{Root: root}.Run(context.Background(), list...)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status Status
		output string // a piece the output must contain
	}{
		{Done, ""},
		{NotDone, "not done yet"},
		{Failing, "Two() = 2, want 3"},
		{NotRun, "no subtest TestDemo/absent"},
		{NoCompile, "undefinedName"},
		{Missing, ""},
		{Failing, "panic: assignment to entry in nil map\n  at exercises/crash/crash_test.go:6 in crash.TestCrash.func1\nhint: h"},
		{Failing, "the suite stopped before it reached this exercise"},
		{Missing, "no Go files"},
	}
	if len(results) != len(want) {
		t.Fatalf("got %d results, want %d", len(results), len(want))
	}
	for i, w := range want {
		r := results[i]
		if r.Exercise.Name != list[i].Name {
			t.Errorf("result %d is for %q, want %q", i, r.Exercise.Name, list[i].Name)
		}
		if r.Status != w.status || !strings.Contains(r.Output, w.output) {
			t.Errorf("%s: status %v, output %q; want %v with %q", list[i].Name, r.Status, r.Output, w.status, w.output)
		}
	}
	if !strings.Contains(results[5].Summary(), "exercises/gone does not exist yet") {
		t.Errorf("missing topic summary = %q", results[5].Summary())
	}
	if !strings.Contains(results[4].Summary(), "does not compile yet") {
		t.Errorf("compile error summary = %q", results[4].Summary())
	}
}

// A test binary that dies (a fatal runtime error, a panic in a goroutine) or finds a data race is reported
// as a failure of the exercise it was in, with the error first, then where in the code, then the hint.
func TestRunnerReportsCrashesAndRaces(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	root := fakeRepo(t)
	var list []course.Exercise
	var wants [][]string
	for _, tc := range []struct {
		e    course.Exercise
		want []string
	}{
		{ex("overflow", "fatal"), []string{"fatal error: stack overflow\n  at exercises/fatal/fatal_test.go:5 in fatal.deep", "hint: h"}},
		{ex("later", "fatal"), []string{"the suite stopped before it reached this exercise", `died in "overflow"`, "stack overflow"}},
		{ex("gopanic", "gopanic"), []string{"panic: boom in a goroutine\n  at exercises/gopanic/gopanic_test.go:11 in gopanic.TestGopanic.func1.1"}},
		{ex("racy", "racy"), []string{"data race:", "at exercises/racy/racy_test.go:13 in racy.TestRacy.func1.1"}},
	} {
		list = append(list, tc.e)
		wants = append(wants, tc.want)
	}
	results, err := Runner{Root: root}.Run(context.Background(), list...)
	if err != nil {
		t.Fatal(err)
	}
	raceOK, _ := Race(context.Background())
	for i, r := range results {
		if r.Exercise.Name == "racy" && !raceOK {
			continue
		}
		for _, w := range wants[i] {
			if r.Status != Failing || !strings.Contains(r.Output, w) {
				t.Errorf("%s: status %v, output:\n%s\nwant failing with %q", r.Exercise.Name, r.Status, r.Output, w)
			}
		}
	}
}

func TestRunnerOneExercise(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go test")
	}
	root := fakeRepo(t)
	// One exercise alone runs only its subtest: the wrong sibling must not turn it into a failure.
	results, err := Runner{Root: root}.Run(context.Background(), ex("done", "demo"))
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Status != Done {
		t.Errorf("status = %v (%s), want done", results[0].Status, results[0].Output)
	}
}

func TestFindRoot(t *testing.T) {
	root := fakeRepo(t)
	deep := filepath.Join(root, "exercises", "demo")
	if got, err := FindRoot(deep); err != nil || got != root {
		t.Errorf("FindRoot(%s) = %q, %v; want %q", deep, got, err, root)
	}
	other := t.TempDir()
	if err := os.WriteFile(filepath.Join(other, "go.mod"), []byte("module example.com/other\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := FindRoot(other); err == nil || !strings.Contains(err.Error(), "not inside the course repository") {
		t.Errorf("FindRoot in another module: err = %v", err)
	}
}

func TestRootIsThisRepository(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "kit", "course", "info.toml")); err != nil {
		t.Errorf("Root() = %s, which has no kit/course/info.toml", root)
	}
}

func TestOneUnknown(t *testing.T) {
	_, err := One(context.Background(), Runner{}, "no-such-exercise")
	if err == nil || !strings.Contains(err.Error(), "the exercises are: ") {
		t.Errorf("err = %v, want a list of the exercises", err)
	}
}

func TestRender(t *testing.T) {
	e := ex("lru", "caching")
	tests := []struct {
		r          Result
		text, html string
	}{
		{Result{Exercise: e, Dir: "exercises/caching", Status: Done}, "lru: done ✓", "done ✓"},
		{Result{Exercise: e, Dir: "exercises/caching", Status: NotDone}, "hint lru", "<details><summary>hint</summary>"},
		{Result{Exercise: e, Dir: "exercises/caching", Status: NoCompile, Output: "x.go:1:2: undefined: y"},
			"does not compile yet:\n    x.go:1:2: undefined: y", "undefined: y"},
		{Result{Exercise: e, Dir: "exercises/caching", Status: Failing, Output: "got <1>"}, "got <1>", "got &lt;1&gt;"},
	}
	for _, tt := range tests {
		var b strings.Builder
		Fprint(&b, tt.r, nil)
		if !strings.Contains(b.String(), tt.text) {
			t.Errorf("%v: text %q lacks %q", tt.r.Status, b.String(), tt.text)
		}
		if h := HTML(tt.r, nil); !strings.Contains(h, tt.html) {
			t.Errorf("%v: HTML %q lacks %q", tt.r.Status, h, tt.html)
		}
	}
}

func TestCleanOutput(t *testing.T) {
	in := "=== RUN   TestDemo/wrong\n    demo_test.go:8: got 2\n        want 3\n--- FAIL: TestDemo/wrong (0.00s)\n"
	if got, want := cleanOutput(in), "got 2\nwant 3 (at demo_test.go:8)"; got != want {
		t.Errorf("cleanOutput = %q, want %q", got, want)
	}
}

// A suite's checks are often subtests of the exercise's subtest; their failure words must reach the learner.
func TestNestedSubtestOutputReachesTheExercise(t *testing.T) {
	pkg := Module + "/exercises/caching"
	lines := []string{
		`{"Action":"run","Package":"` + pkg + `","Test":"TestCaching/lru"}`,
		`{"Action":"output","Package":"` + pkg + `","Test":"TestCaching/lru/evicts","Output":"    lru.go:9: Get(a) = 1, want a miss\n"}`,
		`{"Action":"fail","Package":"` + pkg + `","Test":"TestCaching/lru/evicts","Elapsed":0}`,
		`{"Action":"fail","Package":"` + pkg + `","Test":"TestCaching/lru","Elapsed":0.01}`,
	}
	log := parseEvents([]byte(strings.Join(lines, "\n")))
	r := Result{Exercise: ex("lru", "caching")}
	r.Dir = "exercises/caching"
	log.judge(&r, "")
	if r.Status != Failing || !strings.Contains(r.Output, "want a miss") {
		t.Errorf("status %v, output %q; want failing with the nested check's words", r.Status, r.Output)
	}
}

// An exercise built from others that are still stubs is not done, and says which ones to do first.
func TestNotDoneNamesWhatItNeeds(t *testing.T) {
	pkg := Module + "/exercises/pulse"
	lines := []string{
		`{"Action":"run","Package":"` + pkg + `","Test":"TestPulse/pulse"}`,
		`{"Action":"attr","Package":"` + pkg + `","Test":"TestPulse/pulse","Key":"` + todo.AttrKey + `","Value":"` + todo.AttrValue + `"}`,
		`{"Action":"attr","Package":"` + pkg + `","Test":"TestPulse/pulse","Key":"` + todo.AttrNeeds + `","Value":"lru,retry"}`,
		`{"Action":"fail","Package":"` + pkg + `","Test":"TestPulse/pulse","Elapsed":0.01}`,
	}
	log := parseEvents([]byte(strings.Join(lines, "\n")))
	r := Result{Exercise: ex("pulse", "pulse"), Dir: "exercises/pulse"}
	log.judge(&r, "")
	if r.Status != NotDone || strings.Join(r.Needs, " ") != "lru retry" {
		t.Fatalf("status %v, needs %q; want not done, needing lru and retry", r.Status, r.Needs)
	}
	for _, s := range []string{r.Summary(), HTML(r, nil)} {
		if !strings.Contains(s, "lru, retry") || !strings.Contains(s, "check lru") {
			t.Errorf("%q does not say that lru and retry come first", s)
		}
	}
}

// What a suite printed is shown without the API key or credentials in URLs, as text and as HTML.
func TestSentinelKeyNowhere(t *testing.T) {
	const key = "sk-sentinel-check-0123456789"
	redact.Add(key)
	r := Result{Exercise: ex("lru", "caching"), Dir: "exercises/caching", Status: Failing,
		Output: "lru_test.go:9: upstream said: bad key " + key + " at http://u:" + key + "@host/v1?token=" + key}
	for _, err := range []error{nil, errors.New("go test: " + key)} {
		var b strings.Builder
		Fprint(&b, r, err)
		for _, shown := range []string{b.String(), HTML(r, err)} {
			if strings.Contains(shown, key) || !strings.Contains(shown, redact.Mask) {
				t.Errorf("shown: %q", shown)
			}
		}
	}
}
