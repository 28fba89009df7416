package mock

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter holds a request bucket and a token bucket per model. Each bucket holds up to a minute's allowance
// and refills continuously at that allowance per minute, as OpenAI's limits do.
type limiter struct {
	rpm, tpm int
	mu       sync.Mutex
	models   map[string]*buckets
}

type buckets struct {
	requests, tokens float64 // available now
	last             time.Time
}

func (l *limiter) init(rpm, tpm int) {
	l.rpm, l.tpm = max(rpm, 0), max(tpm, 0)
	l.models = map[string]*buckets{}
}

// verdict is the outcome of asking the limiter for one request.
type verdict struct {
	limited                  string // "" (allowed), "requests" or "tokens"
	tooLarge                 bool   // the request alone exceeds the token limit
	wait                     time.Duration
	remainingReq, remainingT int
	resetReq, resetT         time.Duration
}

// take charges model one request and cost tokens if both buckets have room.
func (l *limiter) take(model string, cost int, now time.Time) verdict {
	if l.rpm == 0 && l.tpm == 0 {
		return verdict{}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.models[model]
	if b == nil {
		b = &buckets{requests: float64(l.rpm), tokens: float64(l.tpm), last: now}
		l.models[model] = b
	}
	if dt := now.Sub(b.last).Minutes(); dt > 0 {
		b.requests = math.Min(float64(l.rpm), b.requests+dt*float64(l.rpm))
		b.tokens = math.Min(float64(l.tpm), b.tokens+dt*float64(l.tpm))
		b.last = now
	}
	var v verdict
	switch {
	case l.rpm > 0 && b.requests < 1:
		v.limited, v.wait = "requests", refill(1-b.requests, l.rpm)
	case l.tpm > 0 && cost > l.tpm:
		v.limited, v.tooLarge = "tokens", true
	case l.tpm > 0 && b.tokens < float64(cost):
		v.limited, v.wait = "tokens", refill(float64(cost)-b.tokens, l.tpm)
	default:
		if l.rpm > 0 {
			b.requests--
		}
		if l.tpm > 0 {
			b.tokens -= float64(cost)
		}
	}
	v.remainingReq, v.remainingT = int(b.requests), int(b.tokens)
	v.resetReq, v.resetT = refill(float64(l.rpm)-b.requests, l.rpm), refill(float64(l.tpm)-b.tokens, l.tpm)
	return v
}

// refill is how long a bucket with a per-minute allowance takes to gain amount.
func refill(amount float64, perMinute int) time.Duration {
	if perMinute <= 0 || amount <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(amount / float64(perMinute) * float64(time.Minute)))
}

// setHeaders writes the x-ratelimit-* headers of v.
func (l *limiter) setHeaders(h http.Header, v verdict) {
	if l.rpm > 0 {
		h.Set("x-ratelimit-limit-requests", strconv.Itoa(l.rpm))
		h.Set("x-ratelimit-remaining-requests", strconv.Itoa(v.remainingReq))
		h.Set("x-ratelimit-reset-requests", resetString(v.resetReq))
	}
	if l.tpm > 0 {
		h.Set("x-ratelimit-limit-tokens", strconv.Itoa(l.tpm))
		h.Set("x-ratelimit-remaining-tokens", strconv.Itoa(v.remainingT))
		h.Set("x-ratelimit-reset-tokens", resetString(v.resetT))
	}
}

// resetString formats a reset time as OpenAI does: "20ms", "1s", "6m0s".
func resetString(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Second:
		return strconv.FormatInt(int64(math.Ceil(float64(d)/float64(time.Millisecond))), 10) + "ms"
	}
	return d.Round(time.Millisecond).String()
}

// setRetryAfter writes retry-after (whole seconds, rounded up, at least 1) and retry-after-ms.
func setRetryAfter(h http.Header, d time.Duration) {
	ms := int64(math.Ceil(float64(d) / float64(time.Millisecond)))
	h.Set("retry-after-ms", strconv.FormatInt(max(ms, 1), 10))
	h.Set("retry-after", strconv.FormatInt(max(int64(math.Ceil(d.Seconds())), 1), 10))
}
