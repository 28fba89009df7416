package suite

import (
	"flag"
	"fmt"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/llmperf/workbook/lessons/check"
)

// StuckAfter is how long one exercise's checks may run before the watchdog calls them stuck. Every suite's
// checks take well under two seconds, even with the race detector on a busy machine (virtual time makes a minute
// of waiting free), so an exercise still running after this is waiting for something that will never come.
const StuckAfter = 20 * time.Second

var stuckAfter = flag.Duration("workbook.stuck", StuckAfter,
	"how long one exercise's checks may run before the suite reports a deadlock and stops the test binary (0: never)")

// watch starts the watchdog of one exercise and returns the function that stops it.
//
// A hang inside a synctest bubble is not always a deadlock synctest can see: a goroutine waiting for a
// sync.Mutex is not "durably blocked", so the bubble's clock never moves and the test would wait for go test's
// 10-minute timeout. The watchdog turns that into a failure of the exercise, named, within seconds: it panics
// (in its own goroutine, so the test binary ends) with a message that says what was waiting where, which
// lessons/check shows as the exercise's failure.
func watch(name string, limit time.Duration) (stop func()) {
	if limit <= 0 {
		return func() {}
	}
	t := time.AfterFunc(limit, func() { panic(stuckMessage(name, limit)) })
	return func() { t.Stop() }
}

// stuckMessage says which exercise is stuck and what its goroutines were waiting for.
func stuckMessage(name string, limit time.Duration) string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	// What waits in the code under test comes first; goroutines waiting at the same place are counted once.
	type spot struct{ state, where string }
	count := map[spot]int{}
	var order []spot
	for _, g := range check.Goroutines(string(buf)) {
		w := g.Where()
		if w == "" || g.State == "running" || strings.Contains(w, "suite.") || testFunc.MatchString(w) {
			continue // the watchdog itself, the toolkit, a test function waiting for its subtests
		}
		s := spot{g.State, w}
		if count[s] == 0 {
			order = append(order, s)
		}
		count[s]++
	}
	sort.SliceStable(order, func(i, j int) bool { return underTest(order[i].where) && !underTest(order[j].where) })
	var waiting []string
	for _, s := range order {
		line := fmt.Sprintf("  - %s at %s", s.state, s.where)
		if n := count[s]; n > 1 {
			line += fmt.Sprintf(" (%d goroutines)", n)
		}
		waiting = append(waiting, line)
	}
	msg := fmt.Sprintf("deadlock: exercise %q was stopped after %v without finishing (its checks take under "+
		"a second when they work). What was waiting:\n%s\n"+
		"A goroutine waiting for a sync.Mutex never lets a synctest bubble's clock move: don't hold a lock "+
		"across a call that waits (an upstream call, a sleep, a channel), and unlock on every path (defer).",
		name, limit, strings.Join(waiting, "\n"))
	if len(waiting) == 0 {
		msg = strings.Replace(msg, "What was waiting:\n\n", "", 1)
	}
	return msg
}

var testFunc = regexp.MustCompile(`in \w+\.Test\w*$`)

// underTest reports whether a place is in the learner's code or the reference solution.
func underTest(where string) bool {
	return strings.HasPrefix(where, "exercises/") || strings.HasPrefix(where, "solutions/")
}
