package check

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// A Goroutine is one goroutine of a Go traceback: what the runtime prints when a program panics or hits a
// fatal error, and what runtime.Stack gives.
type Goroutine struct {
	ID     int
	State  string // what it was doing: "running", "sync.Mutex.Lock", "chan receive", …
	Frames []Frame
}

// A Frame is one call in a traceback.
type Frame struct {
	Func string // as printed: "github.com/llmperf/workbook/exercises/caching.(*LRU[...]).Put"
	File string // absolute path
	Line int
}

var (
	goroutineLine = regexp.MustCompile(`^goroutine (\d+)(?: gp=\S+ m=\S+(?: mp=\S+)?)? \[([^\]]*)\]:$`)
	fileLine      = regexp.MustCompile(`^\t(\S+\.go|\S+\.s):(\d+)(?: |$)`)
)

// Goroutines parses every goroutine of a traceback in text (other lines are ignored).
func Goroutines(text string) []Goroutine {
	var gs []Goroutine
	var cur *Goroutine
	pendingFunc := ""
	for _, line := range strings.Split(text, "\n") {
		if m := goroutineLine.FindStringSubmatch(line); m != nil {
			id, _ := strconv.Atoi(m[1])
			state, _, _ := strings.Cut(m[2], ",") // "sync.Mutex.Lock, 2 minutes, synctest bubble 1"
			gs = append(gs, Goroutine{ID: id, State: state})
			cur, pendingFunc = &gs[len(gs)-1], ""
			continue
		}
		if cur == nil {
			continue
		}
		switch m := fileLine.FindStringSubmatch(line); {
		case line == "":
			cur = nil
		case m != nil && pendingFunc != "":
			n, _ := strconv.Atoi(m[2])
			cur.Frames = append(cur.Frames, Frame{Func: pendingFunc, File: m[1], Line: n})
			pendingFunc = ""
		case strings.HasPrefix(line, "created by "):
			pendingFunc = "" // the creator is not a frame of this goroutine
		case !strings.HasPrefix(line, "\t") && strings.HasSuffix(strings.TrimSuffix(line, " ..."), ")"):
			pendingFunc = strings.TrimSuffix(line, " ...")
		}
	}
	return gs
}

// frameRank says how interesting a frame is to a learner: 2 for the code under test (exercises/, solutions/),
// 1 for the rest of the course (the suites, the mock), 0 for the Go runtime and standard library.
func frameRank(f Frame) int {
	switch {
	case strings.Contains(f.File, "/exercises/"), strings.Contains(f.File, "/solutions/"):
		return 2
	case strings.Contains(f.Func, Module+"/"), strings.HasSuffix(f.File, "_test.go"):
		return 1
	}
	return 0
}

// Where is the first frame of the code under test (else of the course), as "file.go:12 in Func", with the
// file's path from the repository root; "" when every frame is the runtime's.
func (g Goroutine) Where() string {
	for rank := 2; rank >= 1; rank-- {
		for _, f := range g.Frames {
			if frameRank(f) == rank {
				return f.String()
			}
		}
	}
	return ""
}

// String formats f as "exercises/caching/lru.go:40 in (*LRU[...]).Put".
func (f Frame) String() string {
	return fmt.Sprintf("%s:%d in %s", shortPath(f.File), f.Line, shortFunc(f.Func))
}

// shortPath cuts an absolute path to the part from the repository's top folders on.
func shortPath(path string) string {
	for _, top := range []string{"/exercises/", "/solutions/", "/lessons/", "/kit/", "/mock/", "/cmd/"} {
		if i := strings.LastIndex(path, top); i >= 0 {
			return path[i+1:]
		}
	}
	return path
}

var shapes = regexp.MustCompile(`\[[^\[\]]*go\.shape[^\[\]]*\]`)

// shortFunc drops the package path, the arguments and generic shapes: "caching.(*LRU[...]).Put".
func shortFunc(fn string) string {
	fn = shapes.ReplaceAllString(fn, "[...]")
	if i := strings.LastIndex(fn, "/"); i >= 0 {
		fn = fn[i+1:]
	}
	if i := strings.LastIndex(fn, "("); i > 0 && strings.HasSuffix(fn, ")") {
		fn = fn[:i]
	}
	return fn
}

// crashLine finds what a crashed test binary said first: the "panic: …" or "fatal error: …" line (with the
// panic message's following lines) and where in out it starts, or -1.
func crashLine(out string) (msg string, at int) {
	lines := strings.Split(out, "\n")
	for i, line := range lines {
		t := strings.TrimSpace(line)
		if !strings.HasPrefix(t, "panic: ") && !strings.HasPrefix(t, "fatal error: ") {
			continue
		}
		// A panic message runs until the blank line before the goroutines; skip go test's "[recovered]" echo.
		t = strings.TrimSuffix(strings.TrimSuffix(t, " [recovered, repanicked]"), " [recovered]")
		msgLines := []string{t}
		for _, next := range lines[i+1:] {
			n := strings.TrimSpace(next)
			if n == "" || strings.HasPrefix(n, "goroutine ") || strings.HasPrefix(n, "[signal ") {
				break
			}
			if strings.HasPrefix(n, "panic: ") {
				continue
			}
			// The runtime prints a multi-line panic message with a tab before each following line.
			msgLines = append(msgLines, strings.TrimPrefix(strings.TrimRight(next, " \t"), "\t"))
		}
		return strings.Join(msgLines, "\n"), i
	}
	return "", -1
}

// crashSummary turns the output of a test whose binary died (a fatal error such as concurrent map writes or a
// stack overflow, a panic in a goroutine, the suite's watchdog) into what a learner needs: the error, then
// where in their code it happened, then the hint. ok is false when out holds no crash.
func crashSummary(out, hint string) (summary string, ok bool) {
	msg, at := crashLine(out)
	if at < 0 {
		return "", false
	}
	var b strings.Builder
	watchdog := false
	if rest, ok := strings.CutPrefix(msg, "panic: "); ok && strings.HasPrefix(rest, "deadlock: ") {
		msg, watchdog = rest, true // the suite's watchdog: its message says what was waiting, where
	}
	b.WriteString(msg)
	gs := Goroutines(strings.Join(strings.Split(out, "\n")[at:], "\n"))
	if len(gs) > 0 && !watchdog {
		if w := gs[0].Where(); w != "" {
			fmt.Fprintf(&b, "\n  at %s", w)
			if calls := callers(gs[0], 2); calls != "" {
				b.WriteString(calls)
			}
		}
	}
	if hint != "" {
		b.WriteString("\nhint: " + strings.TrimSpace(hint))
	}
	return b.String(), true
}

// callers lists up to n more frames of g in the course's code after the first one Where named.
func callers(g Goroutine, n int) string {
	var b strings.Builder
	first := true
	for _, f := range g.Frames {
		if frameRank(f) == 0 {
			continue
		}
		if first {
			first = false
			continue
		}
		if n == 0 {
			break
		}
		fmt.Fprintf(&b, "\n  called from %s", f)
		n--
	}
	return b.String()
}

// raceSummary turns the race detector's reports in out into a few lines per race: the two accesses, each at
// the first frame in the course's code. ok is false when out holds no race report.
func raceSummary(out string) (summary string, ok bool) {
	if !strings.Contains(out, "WARNING: DATA RACE") {
		return "", false
	}
	seen := map[string]bool{}
	var races []string
	for _, report := range strings.Split(out, "WARNING: DATA RACE")[1:] {
		report, _, _ = strings.Cut(report, "==================")
		var accesses []string
		var access string
		var frames []Frame
		flush := func() {
			if access == "" {
				return
			}
			where := "(in the Go runtime)"
			g := Goroutine{Frames: frames}
			if w := g.Where(); w != "" {
				where = w
			}
			accesses = append(accesses, access+" at "+where)
			access, frames = "", nil
		}
		var fn string
		for _, line := range strings.Split(report, "\n") {
			t := strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(t, "Goroutine ") && strings.Contains(t, "created at"):
				flush()
				access = "" // creation stacks are not accesses
				fn = ""
			case strings.Contains(t, " at 0x") && strings.Contains(t, " by "):
				flush()
				access, _, _ = strings.Cut(t, " at 0x")
				access = strings.ToLower(access[:1]) + access[1:]
			case access != "" && strings.HasSuffix(t, "()"):
				fn = t
			case access != "" && fn != "" && strings.Contains(t, ".go:"):
				file, rest, _ := strings.Cut(t, ".go:")
				n, _ := strconv.Atoi(strings.Fields(rest)[0])
				frames = append(frames, Frame{Func: strings.TrimSuffix(fn, "()") + "()", File: file + ".go", Line: n})
				fn = ""
			}
		}
		flush()
		if len(accesses) == 0 {
			continue
		}
		text := strings.Join(accesses, "\n  and ")
		if !seen[text] {
			seen[text] = true
			races = append(races, "  "+text)
		}
	}
	if len(races) == 0 {
		return "", false
	}
	if len(races) > 3 {
		races = append(races[:3], fmt.Sprintf("  … and %d more", len(races)-3))
	}
	return "data race: two goroutines used the same memory at once, at least one of them writing, with " +
		"nothing ordering them (a mutex, a channel, sync/atomic):\n" + strings.Join(races, "\n"), true
}
