package suite

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
)

// ErrLeaked is the error InBubble returns when a goroutine started inside the bubble is still blocked after the
// bubble's function returned: a send nobody receives, a wait nobody ends, a sweeper nobody stopped.
var ErrLeaked = errors.New("goroutines leaked: a goroutine was still blocked after the work returned " +
	"(a send nobody receives, a wait nobody ends, a context never cancelled, a background loop never stopped)")

// ErrDeadlock is the error InBubble returns when every goroutine in the bubble is blocked and no timer is
// pending, so nothing can ever move again.
var ErrDeadlock = errors.New("deadlock: every goroutine is blocked and no timer is pending, so nothing can " +
	"ever move again")

// InBubble runs f inside a testing/synctest bubble and returns f's error. Time there is virtual: a minute of
// sleeps, timers and rate limits passes in microseconds, and the clock moves only when every goroutine in the
// bubble is blocked.
//
// The bubble is also the suites' leak detector. When f returns, synctest waits for every goroutine f started;
// one that is blocked for good makes synctest panic. InBubble turns that panic, and the one for a bubble where
// everything is stuck, into ErrLeaked or ErrDeadlock instead of a crash of the whole test binary.
func InBubble(t *testing.T, f func(t *testing.T) error) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		msg := fmt.Sprint(r)
		switch {
		case strings.Contains(msg, "blocked goroutines remain"):
			err = ErrLeaked
		case strings.HasPrefix(msg, "deadlock"):
			err = ErrDeadlock
		default:
			panic(r)
		}
	}()
	synctest.Test(t, func(t *testing.T) { err = f(t) })
	return err
}

// Bubble runs f inside a bubble, as InBubble does, and reports a leak or a deadlock as a failure of t.
func Bubble(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	if err := InBubble(t, func(t *testing.T) error { f(t); return nil }); err != nil {
		t.Error(err)
	}
}
