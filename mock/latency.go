package mock

import (
	"context"
	"time"
)

// schedule is when a reply's tokens are due, measured from the request's arrival.
type schedule struct {
	start      time.Time
	ttft       time.Duration // first token
	interToken time.Duration // each further token
}

func (s *Server) schedule(start time.Time, d draws) schedule {
	sc := schedule{
		start:      start,
		ttft:       time.Duration(float64(s.cfg.TTFT) * d.ttftScale),
		interToken: time.Duration(float64(s.cfg.InterToken) * d.itlScale),
	}
	if d.tail {
		sc.ttft += s.cfg.TailDelay
	}
	return sc
}

// due is when token k (0 = the first) is ready.
func (sc schedule) due(k int) time.Time {
	return sc.start.Add(sc.ttft + time.Duration(k)*sc.interToken)
}

// zero reports whether no token ever waits.
func (sc schedule) zero() bool { return sc.ttft <= 0 && sc.interToken <= 0 }

// sleepUntil waits until t or until ctx ends, whichever is first; it reports whether t was reached. It uses a
// timer, so it runs on virtual time inside a testing/synctest bubble.
func sleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	return sleep(ctx, d)
}

// sleep waits for d or until ctx ends; it reports whether the whole d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
