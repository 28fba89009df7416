package mock

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter holds a request bucket and a token bucket per model family: a dated snapshot shares its family's
// buckets, and the families are a fixed list, so the table is bounded. Each bucket holds up to a minute's
// allowance and refills continuously at that allowance per minute, as OpenAI's limits do. A family's buckets
// start with (1 − startUsed) of their allowance, as a key whose minute is already partly used would.
type limiter struct {
	rpm, tpm  int
	startUsed float64
	mu        sync.Mutex
	models    map[string]*buckets // by family id; at most len(knownModels) entries
}

type buckets struct {
	requests, tokens float64 // available now
	last             time.Time
}

func (l *limiter) init(rpm, tpm int, startUsed float64) {
	l.rpm, l.tpm = max(rpm, 0), max(tpm, 0)
	l.startUsed = min(max(startUsed, 0), 1)
	l.models = make(map[string]*buckets, len(knownModels))
}

// verdict is the outcome of asking the limiter for one request.
type verdict struct {
	limited                  string // "" (allowed), "requests" or "tokens"
	tooLarge                 bool   // the request alone exceeds the token limit
	cost                     int    // tokens the request asked for
	wait                     time.Duration
	remainingReq, remainingT int
	resetReq, resetT         time.Duration
}

// unlimited is what the x-ratelimit-limit-* and -remaining-* headers report for a limit that is not set.
const unlimited = 1_000_000_000

// take charges family one request and cost tokens if both buckets have room.
func (l *limiter) take(family string, cost int, now time.Time) verdict {
	v := verdict{cost: cost, remainingReq: unlimited, remainingT: unlimited}
	if l.rpm == 0 && l.tpm == 0 {
		return v
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketsOf(family, now)
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
	if l.rpm > 0 {
		v.remainingReq, v.resetReq = int(b.requests), refill(float64(l.rpm)-b.requests, l.rpm)
	}
	if l.tpm > 0 {
		v.remainingT, v.resetT = int(b.tokens), refill(float64(l.tpm)-b.tokens, l.tpm)
	}
	return v
}

// giveBack returns n tokens to family's token bucket: the part of an admission charge the answer did not use.
func (l *limiter) giveBack(family string, n int, now time.Time) {
	if l.tpm == 0 || n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketsOf(family, now)
	b.tokens = math.Min(float64(l.tpm), b.tokens+float64(n))
}

// bucketsOf returns family's buckets refilled up to now, creating them on first use. l.mu is held.
func (l *limiter) bucketsOf(family string, now time.Time) *buckets {
	b := l.models[family]
	if b == nil {
		left := 1 - l.startUsed
		b = &buckets{requests: left * float64(l.rpm), tokens: left * float64(l.tpm), last: now}
		l.models[family] = b
	}
	if dt := now.Sub(b.last).Minutes(); dt > 0 {
		b.requests = math.Min(float64(l.rpm), b.requests+dt*float64(l.rpm))
		b.tokens = math.Min(float64(l.tpm), b.tokens+dt*float64(l.tpm))
		b.last = now
	}
	return b
}

// refill is how long a bucket with a per-minute allowance takes to gain amount.
func refill(amount float64, perMinute int) time.Duration {
	if perMinute <= 0 || amount <= 0 {
		return 0
	}
	return time.Duration(math.Ceil(amount / float64(perMinute) * float64(time.Minute)))
}

// limitOrUnlimited is a limit as its header reports it.
func limitOrUnlimited(perMinute int) int {
	if perMinute == 0 {
		return unlimited
	}
	return perMinute
}

// setHeaders writes the six x-ratelimit-* headers of v, whatever limits are set: an unset limit reports
// 1,000,000,000 as its limit and remaining, and a reset of 0s.
func (l *limiter) setHeaders(h http.Header, v verdict) {
	h.Set("x-ratelimit-limit-requests", strconv.Itoa(limitOrUnlimited(l.rpm)))
	h.Set("x-ratelimit-remaining-requests", strconv.Itoa(v.remainingReq))
	h.Set("x-ratelimit-reset-requests", resetString(v.resetReq))
	h.Set("x-ratelimit-limit-tokens", strconv.Itoa(limitOrUnlimited(l.tpm)))
	h.Set("x-ratelimit-remaining-tokens", strconv.Itoa(v.remainingT))
	h.Set("x-ratelimit-reset-tokens", resetString(v.resetT))
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

// chatCharge is what a chat request costs at admission, by OpenAI's documented rule: its prompt tokens plus the
// most it may answer, max_tokens (or max_completion_tokens) for each of its n choices. A request without a cap is
// charged the answer it will get (the mock knows it in advance).
func chatCharge(req *chatRequest, prompt, completion int) int {
	if m := req.maxOut(); m > 0 {
		return prompt + m*req.choices()
	}
	return prompt + completion
}

// admit charges a request of model for cost tokens against its family's buckets and writes the x-ratelimit
// headers. Over a limit it writes the 429 and returns ok = false. Otherwise the caller must call settle with the
// tokens the request really used once its answer is complete (before its last bytes go out, so a client that
// has the answer finds the bucket settled; later calls do nothing): the unused part of the charge goes back.
// (OpenAI documents only the admission rule; settling like this is what week 4's limiter assumes.)
func (s *Server) admit(w http.ResponseWriter, model string, cost int) (settle func(used int), ok bool) {
	fam := family(model)
	v := s.limits.take(fam, cost, time.Now())
	s.limits.setHeaders(w.Header(), v)
	if v.limited != "" {
		s.writeLimited(w, fam, v)
		return nil, false
	}
	settled := false
	return func(used int) {
		if !settled {
			settled = true
			s.limits.giveBack(fam, cost-used, time.Now())
		}
	}, true
}

// writeLimited sends the 429 of a request over the RPM or TPM limit of a model family, worded as OpenAI words it.
func (s *Server) writeLimited(w http.ResponseWriter, family string, v verdict) {
	s.stats.rateLimited.Add(1)
	var msg string
	switch {
	case v.tooLarge:
		msg = "Request too large for " + family + " on tokens per min (TPM): Limit " + strconv.Itoa(s.limits.tpm) +
			", Requested " + strconv.Itoa(v.cost) + ". The input or output tokens must be reduced in order to run successfully."
		v.wait = time.Minute
	case v.limited == "requests":
		msg = "Rate limit reached for " + family + " on requests per min (RPM): Limit " + strconv.Itoa(s.limits.rpm) +
			", Used " + strconv.Itoa(s.limits.rpm-v.remainingReq) + ", Requested 1. Please try again in " + resetString(v.wait) + "."
	default:
		msg = "Rate limit reached for " + family + " on tokens per min (TPM): Limit " + strconv.Itoa(s.limits.tpm) +
			", Used " + strconv.Itoa(s.limits.tpm-v.remainingT) + ", Requested " + strconv.Itoa(v.cost) +
			". Please try again in " + resetString(v.wait) + "."
	}
	setRetryAfter(w.Header(), v.wait)
	writeError(w, http.StatusTooManyRequests, apiError{Message: msg, Type: v.limited, Code: "rate_limit_exceeded"})
}
