package concurrency

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
)

// Bubble runs f inside a testing/synctest bubble: time there is virtual, so a minute of sleeps, timers and
// rate limits passes in microseconds, and it moves only when every goroutine in the bubble is blocked.
//
// The bubble is also the suite's leak detector. When f returns, synctest waits for every goroutine f started;
// one that is blocked for good (on a channel nobody will use, a lock nobody will release) makes synctest panic
// with "deadlock: main bubble goroutine has exited but blocked goroutines remain". Bubble turns that panic, and
// the one for a bubble where everything is stuck, into one readable failure instead of a crash of the whole
// test binary.
func Bubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		msg := fmt.Sprint(r)
		switch {
		case strings.Contains(msg, "blocked goroutines remain"):
			t.Errorf("goroutines leaked: some goroutine was still blocked after the work returned "+
				"(a send nobody receives, a wait nobody ends, a context never cancelled) (%s)", msg)
		case strings.HasPrefix(msg, "deadlock"):
			t.Errorf("deadlock: every goroutine is blocked and no timer is pending, so nothing can ever move "+
				"(%s)", msg)
		default:
			panic(r)
		}
	}()
	synctest.Test(t, f)
}

// Gauge counts how many callers are inside a region at once and remembers the peak. The zero Gauge is ready.
type Gauge struct {
	mu        sync.Mutex
	now, peak int
	entered   int
}

// Enter records one more caller inside.
func (g *Gauge) Enter() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now++
	g.entered++
	g.peak = max(g.peak, g.now)
}

// Leave records one caller leaving.
func (g *Gauge) Leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.now--
}

// Peak is the largest number of callers that were inside at once.
func (g *Gauge) Peak() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.peak
}

// Now is how many callers are inside.
func (g *Gauge) Now() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.now
}

// Entered is how many times Enter was called.
func (g *Gauge) Entered() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.entered
}
