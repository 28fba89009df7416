package concurrency

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llmperf/workbook/kit/tokens"
	openai "github.com/sashabaranov/go-openai"
)

// Limiter keeps calls inside a provider's requests-per-minute and tokens-per-minute limits, and keeps itself in
// step with what the provider says about them.
//
// It holds a bucket per limit that refills continuously, as OpenAI's do. Wait (or Admit) charges a request and
// its estimated tokens once both buckets hold enough; callers are let through in the order they asked (a large
// request is never overtaken for ever by small ones), a caller whose ctx ends leaves the queue and takes nothing,
// and one whose wait cannot end before ctx's deadline fails at once. Settle (or Done) reconciles the estimate with
// the usage the provider reported: tokens beyond it are charged, tokens not used are given back.
//
// Done also reads what the provider said: the x-ratelimit-limit/remaining-* headers of every reply, and the 429's
// retry-after and message ("Limit L, Used U, Requested R"). From the remaining count at the moment the provider
// admitted a request, plus the refill since, minus what this limiter let through after that request, it knows
// the provider's bucket now, so a key whose minute another process has partly used is followed from its first
// reply. Told limits (NewLimiter) are never exceeded, only lowered by a provider that reports less. An adaptive
// limiter (NewAdaptiveLimiter) is told nothing: it sends one request, learns the limits from its reply, and from
// then on runs as the provider's own buckets allow; when a provider sends no rate-limit headers and no limits in
// its 429s, it falls back to an AIMD controller (see Done).
//
// The exercise builds the same contract on golang.org/x/time/rate (RateLimiter); this one keeps its own buckets
// because a rate.Limiter cannot be told how many tokens are left.
type Limiter struct {
	mu       sync.Mutex
	b        [2]bucket // requests, tokens
	adaptive bool
	probing  bool     // adaptive, nothing learned yet: one request in flight at a time
	inflight []flying // tickets admitted and not yet Done, oldest first
	recent   []flying // the last tickets Done, for replies that overtook them (a ring of reorderRing)
	next     int      // where the ring writes next
	queue    []*waiter
	changed  chan struct{} // closed on every change that may let a waiter through; made by waiters, lazily
	synced   time.Time     // admission time of the newest ticket whose reply set the buckets
	seq      uint64
}

const (
	reqs = 0
	toks = 1
)

var dimNames = [2]string{"requests", "tokens"}

// bucket is one limit as the limiter sees it.
type bucket struct {
	known bool    // the rate is known (told, learned, or estimated by AIMD)
	told  bool    // the caller set the limit: the provider may lower it, never raise it
	limit float64 // per minute: as told, or the provider's x-ratelimit-limit-*
	rate  float64 // refill per second
	burst float64 // the most the bucket holds
	level float64 // available now; negative is debt
	last  time.Time
	// spent is every charge so far (admissions, and tokens used beyond an estimate) and given every token given
	// back, to line a reply up with what happened after the request it answers; marks records when they grew.
	spent, given float64
	marks        []mark

	aimd    bool      // no headers: the rate is estimated from 429s
	cutRate float64   // AIMD: the rate after the last decrease, which sets the additive step
	cutAt   time.Time // AIMD: when the last decrease happened
	// capped is the burst an adaptive limiter allows itself after 429s that its headers did not predict (a
	// provider that enforces its minute over shorter windows); 0 means the provider's whole minute.
	capped float64
}

// mark is the running totals of a bucket at a moment.
type mark struct {
	at           time.Time
	spent, given float64
}

// by returns the totals as they were at time at: the newest mark not after it. ok is false when the marks do
// not reach back that far.
func (b *bucket) by(at time.Time) (m mark, ok bool) {
	for i := len(b.marks) - 1; i >= 0; i-- {
		if !b.marks[i].at.After(at) {
			return b.marks[i], true
		}
	}
	return mark{}, false
}

// note records the totals after a change at now.
func (b *bucket) note(now time.Time) {
	if len(b.marks) == maxMarks {
		b.marks = append(b.marks[:0], b.marks[maxMarks/2:]...)
	}
	if n := len(b.marks); n > 0 && b.marks[n-1].at.Equal(now) {
		b.marks[n-1].spent, b.marks[n-1].given = b.spent, b.given
		return
	}
	b.marks = append(b.marks, mark{now, b.spent, b.given})
}

const maxMarks = 1024

// flying is a ticket whose reply has not come back, or came back just now.
type flying struct {
	seq  uint64
	at   time.Time
	cost [2]float64
}

// Requests sent within reorderWindow of each other may reach the provider in either order: a reply's remaining
// count may lack the charge of a request sent just before it. The limiter assumes it does (the safe side).
const (
	reorderWindow = 100 * time.Millisecond
	reorderRing   = 256
)

type waiter struct {
	cost [2]float64
}

// Ticket is one request Admit let through. Pass it to Done with the reply.
type Ticket struct {
	at   time.Time  // when it was let through
	cost [2]float64 // what it was charged
	base [2]float64 // bucket.spent right after its charge
	seq  uint64
	// Ext is where another Admitter keeps its own record of the request (solutions/scale's shared limiter does);
	// Limiter leaves it nil.
	Ext any
}

// Reply is what a limiter learns from the response to a request it let through.
type Reply struct {
	Status  int         // HTTP status; 0 when no response arrived (a connection error)
	Header  http.Header // the response's headers, or nil
	Used    int         // tokens the provider reported (usage.total_tokens); 0 if none
	Type    string      // for a 429: the error's type, "requests" or "tokens", if the provider says
	Message string      // for a 429: the error's message, which may say "Limit L, Used U, Requested R"
}

// NewLimiter returns a limiter for rpm requests and tpm tokens per minute whose largest request is maxTokens
// tokens (the token bucket's burst). Requests are spaced evenly (a burst of one), since providers enforce
// per-minute limits over shorter windows too. All three must be positive, and maxTokens at most tpm.
func NewLimiter(rpm, tpm, maxTokens int) (*Limiter, error) {
	switch {
	case rpm < 1 || tpm < 1:
		return nil, fmt.Errorf("concurrency: NewLimiter(rpm=%d, tpm=%d): limits must be at least 1 per minute", rpm, tpm)
	case maxTokens < 1 || maxTokens > tpm:
		return nil, fmt.Errorf("concurrency: NewLimiter: maxTokens=%d must be between 1 and tpm=%d", maxTokens, tpm)
	}
	now := time.Now()
	l := &Limiter{}
	l.b[reqs] = bucket{known: true, told: true, limit: float64(rpm), rate: float64(rpm) / 60, burst: 1, level: 1, last: now}
	l.b[toks] = bucket{known: true, told: true, limit: float64(tpm), rate: float64(tpm) / 60, burst: float64(maxTokens),
		level: float64(maxTokens), last: now}
	return l, nil
}

// NewAdaptiveLimiter returns a limiter that is told no limits: it lets one request through, learns the limits
// and what is left of them from the reply (pass every reply to Done), and from then on follows the provider's
// buckets. It needs Admit and Done; Wait and Settle alone tell it nothing.
func NewAdaptiveLimiter() *Limiter {
	now := time.Now()
	return &Limiter{adaptive: true, probing: true, b: [2]bucket{{last: now}, {last: now}}}
}

// Wait blocks until a request estimated at estimate tokens may start, or ctx ends. A request larger than the
// burst of a known token limit can never start: Wait says so at once. So does a wait that cannot end before ctx's
// deadline (the error wraps context.DeadlineExceeded). A Wait that fails takes nothing from the buckets.
func (l *Limiter) Wait(ctx context.Context, estimate int) error {
	_, err := l.admit(ctx, estimate, false)
	return err
}

// Settle reconciles a finished request that Wait let through with estimate tokens: actual is the usage the API
// reported (0 if the request never reached it). Tokens beyond the estimate are charged; tokens not used are
// given back.
func (l *Limiter) Settle(estimate, actual int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.refill(time.Now())
	l.correct(float64(actual - estimate))
	l.broadcast()
}

// Admit is Wait that returns a Ticket for Done, so that the reply can be lined up with the request.
func (l *Limiter) Admit(ctx context.Context, estimate int) (Ticket, error) {
	return l.admit(ctx, estimate, true)
}

func (l *Limiter) admit(ctx context.Context, estimate int, tracked bool) (Ticket, error) {
	if estimate < 0 {
		return Ticket{}, fmt.Errorf("concurrency: limiter: a request of %d tokens makes no sense", estimate)
	}
	if err := ctx.Err(); err != nil {
		return Ticket{}, err
	}
	w := &waiter{cost: [2]float64{1, float64(estimate)}}
	l.mu.Lock()
	if err := l.tooLarge(w); err != nil {
		l.mu.Unlock()
		return Ticket{}, err
	}
	l.queue = append(l.queue, w)
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	first := true
	for {
		now := time.Now()
		l.refill(now)
		if err := l.tooLarge(w); err != nil { // a limit learned while waiting
			l.leave(w)
			l.mu.Unlock()
			return Ticket{}, err
		}
		delay, known := l.delayOf(w)
		if l.queue[0] == w && known && delay <= 0 {
			t := l.take(w, now, tracked)
			l.mu.Unlock()
			return t, nil
		}
		if deadline, ok := ctx.Deadline(); ok && known && first && now.Add(delay).After(deadline) {
			l.leave(w)
			l.mu.Unlock()
			return Ticket{}, fmt.Errorf("concurrency: limiter: a request of %d tokens would wait %v, past the context's "+
				"deadline: %w", estimate, delay.Round(time.Millisecond), context.DeadlineExceeded)
		}
		first = false
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		changed := l.changed
		var wake <-chan time.Time
		if l.queue[0] == w && known {
			if timer == nil {
				timer = time.NewTimer(delay)
			} else {
				timer.Reset(delay)
			}
			wake = timer.C
		}
		l.mu.Unlock()
		select {
		case <-changed:
		case <-wake:
		case <-ctx.Done():
			l.mu.Lock()
			l.leave(w)
			l.mu.Unlock()
			return Ticket{}, ctx.Err()
		}
		l.mu.Lock()
	}
}

// tooLarge says when a request can never pass: more tokens than a known, fixed burst.
func (l *Limiter) tooLarge(w *waiter) error {
	b := &l.b[toks]
	if b.known && !b.aimd && w.cost[toks] > b.burst {
		return fmt.Errorf("concurrency: a request of %.0f tokens can never pass a limiter whose largest request is %.0f "+
			"(raise maxTokens, or split the request)", w.cost[toks], b.burst)
	}
	return nil
}

// delayOf is how long w must wait once every waiter ahead of it has gone, from the buckets as they are now;
// known is false while the limiter waits for an event instead (an adaptive limiter's first reply).
func (l *Limiter) delayOf(w *waiter) (delay time.Duration, known bool) {
	if l.probing && len(l.inflight) > 0 {
		return 0, false
	}
	var ahead [2]float64
	for _, q := range l.queue {
		if q == w {
			break
		}
		ahead[reqs] += q.cost[reqs]
		ahead[toks] += q.cost[toks]
	}
	for d := range l.b {
		b := &l.b[d]
		if !b.known || math.IsInf(b.rate, 1) {
			continue
		}
		need := ahead[d] + min(w.cost[d], b.burst) - b.level
		if need > 0 {
			delay = max(delay, time.Duration(math.Ceil(need/b.rate*float64(time.Second))))
		}
	}
	return delay, true
}

func (l *Limiter) take(w *waiter, now time.Time, tracked bool) Ticket {
	l.queue = l.queue[1:]
	l.seq++
	t := Ticket{at: now, cost: w.cost, seq: l.seq}
	for d := range l.b {
		l.b[d].level -= w.cost[d]
		l.b[d].spent += w.cost[d]
		l.b[d].note(now)
		t.base[d] = l.b[d].spent
	}
	if tracked {
		l.inflight = append(l.inflight, flying{t.seq, t.at, t.cost})
	}
	l.broadcast()
	return t
}

// leave takes w out of the queue: it was charged nothing.
func (l *Limiter) leave(w *waiter) {
	for i, q := range l.queue {
		if q == w {
			l.queue = append(l.queue[:i], l.queue[i+1:]...)
			break
		}
	}
	l.broadcast()
}

func (l *Limiter) broadcast() {
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// refill brings every bucket up to now; an AIMD rate also grows additively.
func (l *Limiter) refill(now time.Time) {
	for d := range l.b {
		b := &l.b[d]
		dt := now.Sub(b.last).Seconds()
		if dt <= 0 {
			continue
		}
		b.last = now
		if !b.known || math.IsInf(b.rate, 1) {
			continue
		}
		if b.aimd {
			b.rate += aimdIncrease * b.cutRate * dt
			b.burst = max(b.burst, b.rate*aimdBurst.Seconds())
		}
		b.level = min(b.burst, b.level+b.rate*dt)
	}
}

// correct charges extra tokens (negative: gives them back), capped at the burst.
func (l *Limiter) correct(extra float64) {
	b := &l.b[toks]
	b.level = min(b.burst, b.level-extra)
	switch {
	case extra > 0:
		b.spent += extra
	case extra < 0:
		b.given -= extra
	}
	b.note(b.last)
}

// Done reconciles a request Admit let through with its reply and learns from what the provider said.
//
//   - Usage: a success is charged the tokens it used (beyond the estimate charged, the rest given back). A reply
//     with another status gives its tokens back (a provider charges no tokens for a refused request); a request
//     with no reply at all keeps its charge, as the provider may have counted it.
//   - Headers: x-ratelimit-limit-* and -remaining-* say what the provider's bucket held when it admitted this
//     request. The limiter's bucket becomes that, plus the refill since, minus everything let through after this
//     request (only the newest admission counts; a reply of an older one says less). An adaptive limiter also
//     takes the limits; a told one lowers its rate if the provider reports less.
//   - A 429 without headers that says "Limit L, Used U" teaches the same. One that says nothing makes the limit
//     the limit it names (tokens if it names none) AIMD-controlled: the first one sets the rate from the
//     request's cost and the retry-after-ms (or retry-after) the provider asked for; each later one cuts the rate
//     by a fifth (once per round of requests), and the rate grows back by 0.5 % of itself per second. Either way
//     the bucket is emptied.
func (l *Limiter) Done(t Ticket, r Reply) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	l.refill(now)
	// Tickets sent just before this one may have reached the provider after it: their cost may be missing from
	// what this reply says remains.
	var earlier [2]float64
	just := func(f flying) bool { return f.seq < t.seq && !f.at.Before(t.at.Add(-reorderWindow)) }
	for i := 0; i < len(l.inflight); i++ {
		switch f := l.inflight[i]; {
		case f.seq == t.seq:
			l.inflight = append(l.inflight[:i], l.inflight[i+1:]...)
			i--
		case just(f):
			earlier[reqs] += f.cost[reqs]
			earlier[toks] += f.cost[toks]
		}
	}
	for _, f := range l.recent { // done already
		if just(f) {
			earlier[reqs] += f.cost[reqs]
			earlier[toks] += f.cost[toks]
		}
	}
	if len(l.recent) < reorderRing {
		l.recent = append(l.recent, flying{t.seq, t.at, t.cost})
	} else {
		l.recent[l.next] = flying{t.seq, t.at, t.cost}
		l.next = (l.next + 1) % reorderRing
	}
	defer l.broadcast()

	ok := r.Status >= 200 && r.Status < 300
	charged := ok || r.Status == 0 // did the provider count this request's tokens?
	switch {
	case ok && r.Used > 0:
		l.correct(float64(r.Used) - t.cost[toks])
	case !charged:
		l.correct(-t.cost[toks])
	}

	limits, careful := readLimits(r.Header), true
	if r.Status == http.StatusTooManyRequests && !limits.any() {
		limits, careful = limitsFromMessage(r.Message, r.Type), false
	}
	if limits.any() {
		l.probing = false
		l.sync(t, limits, now, earlier, careful)
	} else if l.probing && r.Status != 0 && r.Status != http.StatusTooManyRequests {
		// The provider answered and said nothing about its limits: from now on only 429s will tell.
		l.probing = false
		for d := range l.b {
			if !l.b[d].known {
				l.b[d] = bucket{known: true, aimd: true, rate: math.Inf(1), last: now}
			}
		}
	}
	if r.Status == http.StatusTooManyRequests {
		l.limited(t, r, limits, now)
	}
}

// limits is what a reply says about the provider's buckets; a field < 0 was not said.
type limits struct {
	limit, remaining [2]float64
}

func (p limits) any() bool {
	return p.limit[reqs] >= 0 || p.limit[toks] >= 0 || p.remaining[reqs] >= 0 || p.remaining[toks] >= 0
}

func readLimits(h http.Header) limits {
	p := limits{limit: [2]float64{-1, -1}, remaining: [2]float64{-1, -1}}
	for d, name := range dimNames {
		p.limit[d] = headerNumber(h, "x-ratelimit-limit-"+name)
		p.remaining[d] = headerNumber(h, "x-ratelimit-remaining-"+name)
	}
	return p
}

func headerNumber(h http.Header, key string) float64 {
	if h == nil {
		return -1
	}
	var n float64
	if _, err := fmt.Sscan(h.Get(key), &n); err != nil || n < 0 {
		return -1
	}
	return n
}

// sync sets the buckets from what the provider said when it admitted (or refused) ticket t.
func (l *Limiter) sync(t Ticket, p limits, now time.Time, earlier [2]float64, careful bool) {
	newest := !t.at.Before(l.synced)
	if newest {
		l.synced = t.at
	}
	for d := range l.b {
		b := &l.b[d]
		if p.limit[d] > 0 {
			switch {
			case b.told:
				if p.limit[d] < b.limit {
					b.limit, b.rate = p.limit[d], p.limit[d]/60
				}
			default:
				b.known, b.aimd, b.limit, b.rate = true, false, p.limit[d], p.limit[d]/60
				b.burst = p.limit[d]
				if b.capped > 0 {
					b.burst = min(b.burst, b.capped)
				}
			}
		}
		if p.remaining[d] < 0 || !newest || !b.known {
			continue
		}
		// What the provider's bucket holds now: what it said, plus its refill since, minus what was charged after
		// this request, plus what was given back after it. Requests sent, and tokens given back, about when this
		// request was sent may have reached the provider's count before it or after. Told by headers, which every
		// reply brings, assume the worse: charges sent just before count too, tokens given back just after do not.
		// Told by a 429's message, which comes only with the next 429, assume the better: a wrong guess then costs
		// one 429, where the other way would hold tokens back for good.
		serverRate, serverLimit := b.rate, b.limit
		if p.limit[d] > 0 {
			serverRate, serverLimit = p.limit[d]/60, p.limit[d]
		}
		held := min(serverLimit, p.remaining[d]+serverRate*now.Sub(t.at).Seconds())
		if careful {
			held -= b.spent - t.base[d] + earlier[d]
			if m, ok := b.by(t.at.Add(reorderWindow)); ok {
				held += b.given - m.given
			}
		} else {
			after, ok := b.by(t.at.Add(reorderWindow))
			if !ok {
				after.spent = t.base[d]
			}
			held -= b.spent - max(after.spent, t.base[d])
			if m, ok := b.by(t.at); ok {
				held += b.given - m.given
			}
		}
		b.level = min(b.burst, held)
	}
}

// limited learns from a 429 that ticket t drew.
func (l *Limiter) limited(t Ticket, r Reply, p limits, now time.Time) {
	kind := kindOf(r.Type, r.Message)
	if kind < 0 { // the headers may say which bucket ran dry
		for d := range l.b {
			if p.remaining[d] >= 0 && p.remaining[d] < t.cost[d] {
				kind = d
			}
		}
	}
	if kind < 0 && !p.any() {
		// Nothing says which limit: pace the tokens. Paced by tokens, requests of a steady size are paced too.
		kind = toks
	}
	for d := range l.b {
		if kind >= 0 && d != kind {
			continue
		}
		b := &l.b[d]
		switch {
		case kind == d && p.remaining[d] >= t.cost[d] && l.adaptive && !b.told:
			// The provider refused although its bucket had room: it enforces its minute over shorter windows.
			// Allow a smaller burst from now on.
			b.capped = max(t.cost[d], b.burst/2)
			b.burst = b.capped
			b.level = min(b.level, 0)
		case p.any():
			// Headers or message set the bucket already.
		default:
			l.aimdCut(b, t, r, d, now)
		}
	}
}

// kindOf is the bucket a 429 names: by its type, else by its message ("(RPM)", "(TPM)"); -1 if neither says.
func kindOf(typ, msg string) int {
	switch {
	case typ == "requests" || strings.Contains(msg, "(RPM)"):
		return reqs
	case typ == "tokens" || strings.Contains(msg, "(TPM)"):
		return toks
	}
	return -1
}

// limitsFromMessage reads a 429 message worded as OpenAI words it: "… on tokens per min (TPM): Limit 30000, Used
// 29500, Requested 1200. …". It gives the limit, and what remained, of the bucket the 429 names.
func limitsFromMessage(msg, typ string) limits {
	p := limits{limit: [2]float64{-1, -1}, remaining: [2]float64{-1, -1}}
	d := kindOf(typ, msg)
	if d < 0 {
		return p
	}
	if m := limitRE.FindStringSubmatch(msg); m != nil {
		p.limit[d], _ = strconv.ParseFloat(m[1], 64)
		if m[2] != "" {
			used, _ := strconv.ParseFloat(m[2], 64)
			p.remaining[d] = max(0, p.limit[d]-used)
		}
	}
	return p
}

var limitRE = regexp.MustCompile(`Limit (\d+)(?:, Used (\d+))?`)

const (
	aimdDecrease = 0.8             // a cut keeps four fifths of the rate
	aimdIncrease = 0.005           // per second, as a fraction of the rate after the last cut
	aimdBurst    = 2 * time.Second // the bucket holds this much of the rate
)

func (l *Limiter) aimdCut(b *bucket, t Ticket, r Reply, d int, now time.Time) {
	if !b.aimd {
		*b = bucket{known: true, aimd: true, rate: math.Inf(1), last: now, spent: b.spent, given: b.given, marks: b.marks}
	}
	wait := ServerWait(r.Header)
	switch {
	case math.IsInf(b.rate, 1) && wait > 0:
		b.rate = t.cost[d] / wait.Seconds() // the provider needs wait to refill this request's cost
	case math.IsInf(b.rate, 1):
		b.rate = t.cost[d] // nothing to go on: one such request a second
	case t.at.After(b.cutAt): // once per round: replies to requests sent before the last cut say nothing new
		b.rate *= aimdDecrease
	default:
		return
	}
	b.cutRate, b.cutAt = b.rate, now
	b.burst = max(t.cost[d], b.rate*aimdBurst.Seconds())
	b.level = min(b.level, 0)
}

// Limits reports the limits the limiter works with, per minute: as told, or as learned (0 while unknown).
func (l *Limiter) Limits() (rpm, tpm float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	per := func(b bucket) float64 {
		switch {
		case !b.known || math.IsInf(b.rate, 1):
			return 0
		case b.aimd:
			return b.rate * 60
		}
		return b.limit
	}
	return per(l.b[reqs]), per(l.b[toks])
}

// Estimate is the most a chat request can cost before it is sent: its prompt counted with the model's real
// tokenizer, plus the longest answer it allows (MaxCompletionTokens, else MaxTokens, else defaultOut) for each
// of its N choices. It is what a provider charges at admission.
func Estimate(req openai.ChatCompletionRequest, defaultOut int) int {
	out := defaultOut
	switch {
	case req.MaxCompletionTokens > 0:
		out = req.MaxCompletionTokens
	case req.MaxTokens > 0:
		out = req.MaxTokens
	}
	return tokens.CountChat(req.Model, req.Messages) + max(req.N, 1)*out
}
