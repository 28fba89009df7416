package suite

import (
	"flag"
	"fmt"
	"runtime"
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
	var waiting []string
	for _, g := range check.Goroutines(string(buf)) {
		w := g.Where()
		if w == "" || g.State == "running" || strings.Contains(w, "suite.stuckMessage") {
			continue
		}
		waiting = append(waiting, fmt.Sprintf("  - %s (goroutine %d) at %s", g.State, g.ID, w))
	}
	if len(waiting) > 6 {
		waiting = append(waiting[:6], fmt.Sprintf("  - … and %d more", len(waiting)-6))
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
