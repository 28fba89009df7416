package scale

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/llmperf/workbook/solutions/concurrency"
	"github.com/redis/go-redis/v9"
)

//go:embed limiter.lua
var prelude string

//go:embed admit.lua
var admitSrc string

//go:embed done.lua
var doneSrc string

//go:embed cancel.lua
var cancelSrc string

var (
	admitScript  = redis.NewScript(prelude + admitSrc)
	doneScript   = redis.NewScript(prelude + doneSrc)
	cancelScript = redis.NewScript(prelude + cancelSrc)
)

// Limits are a key's limits per minute, as a provider sets them.
type Limits struct {
	RPM, TPM int
	// MaxTokens is the largest request, in tokens: the token bucket's burst (0: TPM, a whole minute at once).
	// Requests are spaced evenly (a burst of one), as concurrency.NewLimiter spaces them.
	MaxTokens int
}

// Options configure a Limiter; the zero value is ready.
type Options struct {
	// Name tells limits apart: one per API key and model family (a provider's limits apply per model). Processes
	// that use the same Redis, Prefix and Name share one limit. Default "default".
	Name string
	// Prefix starts every Redis key; default "llmperf:scale".
	Prefix string
	// Processes is the share to fall back to if Redis fails before it has said how many processes use the limit
	// (it says so at every admission); default 1, the whole limit.
	Processes int
	// RetryEvery is how often a process that lost Redis tries it again; default 1 s.
	RetryEvery time.Duration
	// Warnings gets the one line a process writes when it loses Redis, and the one when it is back; nil: os.Stderr.
	Warnings io.Writer
}

func (o Options) withDefaults() Options {
	if o.Name == "" {
		o.Name = "default"
	}
	if o.Prefix == "" {
		o.Prefix = DefaultPrefix
	}
	if o.Processes < 1 {
		o.Processes = 1
	}
	if o.RetryEvery <= 0 {
		o.RetryEvery = time.Second
	}
	if o.Warnings == nil {
		o.Warnings = os.Stderr
	}
	return o
}

// DefaultPrefix starts every key this package writes.
const DefaultPrefix = "llmperf:scale"

// memberWindow: a process not seen for this long no longer counts among those sharing a limit.
const memberWindow = 5 * time.Second

// Limiter keeps every process that shares it inside one requests-per-minute and one tokens-per-minute limit. Its
// buckets live in Redis and change only inside Lua scripts, which Redis runs one at a time: a charge and the
// refill before it are one atomic step, whichever process asks. A caller is charged at once and told how long to
// wait before it sends (the buckets go into debt, as a GCRA's theoretical arrival time runs ahead), so callers
// of every process are served in the order they asked and an admission costs one round trip, not polling.
//
// It plugs in where week 4's concurrency.Limiter does: it is a concurrency.Admitter for concurrency.Sender, and
// has Wait and Settle. Done reconciles a reply as Limiter.Done does, reading the provider's headers with
// concurrency's own parser: a limit the provider reports lower than the one told replaces it, and when what the
// provider says remains is less than the shared bucket holds (something that does not share it uses the key
// too) the bucket comes down to it.
//
// When Redis fails, the process goes on alone: it writes one warning and keeps 1/N of the limits with a local
// concurrency.Limiter, N being the number of processes Redis last showed sharing it. It tries Redis again every
// Options.RetryEvery; when Redis answers, it writes one line and shares again. Buckets that Redis lost (a
// restart) start empty, since the processes used the key meanwhile. No request is refused for a failure of
// Redis. Safe for concurrent use.
type Limiter struct {
	rdb    redis.Scripter
	limits Limits
	opt    Options
	keys   []string // the buckets, the processes, the recent charges
	id     string   // this process in the set of processes
	burst  int

	mu         sync.Mutex
	local      *concurrency.Limiter // the fallback while Redis is down
	localBurst int                  // the largest request it lets through
	share      int                  // 1/share of the limits
	waiting    map[*shared]struct{} // admitted through Redis, waiting for their turn
	lostRedis  chan struct{}        // closed when Redis fails (a new one when it is back)
	down       bool
	lost       bool // Redis failed since the buckets were last seen: a missing hash starts empty
	retryAt    time.Time
	processes  int        // how many share the limit, as Redis last said
	limit      [2]float64 // the limits in force, as Redis last said
}

// NewLimiter returns a limiter for limits shared through rdb (Connect makes a client that notices a lost Redis
// quickly). RPM and TPM must be positive, MaxTokens between 0 and TPM.
func NewLimiter(rdb redis.Scripter, l Limits, o Options) (*Limiter, error) {
	if l.MaxTokens == 0 {
		l.MaxTokens = l.TPM
	}
	switch {
	case rdb == nil:
		return nil, errors.New("scale: NewLimiter needs a Redis client")
	case l.RPM < 1 || l.TPM < 1:
		return nil, fmt.Errorf("scale: NewLimiter(rpm=%d, tpm=%d): limits must be at least 1 per minute", l.RPM, l.TPM)
	case l.MaxTokens < 1 || l.MaxTokens > l.TPM:
		return nil, fmt.Errorf("scale: NewLimiter: MaxTokens=%d must be between 1 and tpm=%d", l.MaxTokens, l.TPM)
	}
	o = o.withDefaults()
	name := "{" + strings.NewReplacer("{", "_", "}", "_").Replace(o.Name) + "}" // one hash slot for both keys
	var id [6]byte
	rand.Read(id[:])
	host, _ := os.Hostname()
	return &Limiter{rdb: rdb, limits: l, opt: o, burst: l.MaxTokens,
		keys: []string{o.Prefix + ":limit:" + name, o.Prefix + ":limit:" + name + ":processes",
			o.Prefix + ":limit:" + name + ":charges"},
		id:        fmt.Sprintf("%s:%d:%s", host, os.Getpid(), hex.EncodeToString(id[:])),
		processes: o.Processes, waiting: map[*shared]struct{}{}, lostRedis: make(chan struct{}), limit: [2]float64{float64(l.RPM), float64(l.TPM)}}, nil
}

// shared is the limiter's record of a request admitted through Redis, kept in its Ticket's Ext.
type shared struct {
	at     int64 // Redis's clock, µs: when it was charged
	cost   int
	epoch  string   // of the hash it was charged in
	sentAt int64    // Redis's clock, µs: when the request was let go (its charge plus its wait)
	given  [2]int64 // what the buckets had been given back by its charge
}

// local is the Ext of a ticket that a fallback limiter let through, for 1/n of the limits.
type local struct {
	lim *concurrency.Limiter
	n   int
}

// share is what a process that falls back to 1/n of the limits passes on to its local limiter: h with the
// provider's limits divided by n, and without what remains of them. What remains is the provider's bucket for
// all n processes; a local limiter that followed it would take the others' share too.
func share(h http.Header, n int) http.Header {
	if h == nil {
		return nil
	}
	h = h.Clone()
	for _, dim := range []string{"requests", "tokens"} {
		h.Del("x-ratelimit-remaining-" + dim)
		key := "x-ratelimit-limit-" + dim
		if v, err := strconv.ParseFloat(h.Get(key), 64); err == nil && n > 1 {
			h.Set(key, strconv.FormatFloat(v/float64(n), 'f', 0, 64))
		}
	}
	return h
}

// redisTimeout bounds each script call, whatever the client's own timeouts.
const redisTimeout = 2 * time.Second

// Admit waits until a request estimated at estimate tokens may be sent, or ctx ends (then it takes nothing and
// returns ctx's error). A request larger than MaxTokens can never pass, and a wait that cannot end before ctx's
// deadline would only fail later: both fail at once. Pass the ticket to Done with the reply.
func (l *Limiter) Admit(ctx context.Context, estimate int) (concurrency.Ticket, error) {
	if estimate < 0 || estimate > l.burst {
		return concurrency.Ticket{}, fmt.Errorf("scale: a request of %d tokens can never pass a limiter whose "+
			"largest request is %d (raise MaxTokens, or split the request)", estimate, l.burst)
	}
	for {
		if err := ctx.Err(); err != nil {
			return concurrency.Ticket{}, err
		}
		if try, init := l.plan(); try {
			t, err, redisErr := l.admitShared(ctx, estimate, init)
			if redisErr == nil || ctx.Err() != nil {
				return t, err
			}
			l.failed(redisErr)
		}
		lim, n, burst, retryAt := l.fallback()
		if estimate > burst { // larger than this process's share: wait for Redis
			if err := concurrency.Sleep(ctx, time.Until(retryAt)); err != nil {
				return concurrency.Ticket{}, err
			}
			continue
		}
		// Wait in the share until it is time to try Redis again: a process that stayed in its share after the
		// others shared again would take its share on top of their whole limit.
		lctx, cancel := context.WithDeadline(ctx, retryAt)
		t, err := lim.Admit(lctx, estimate)
		cancel()
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			if err := concurrency.Sleep(ctx, time.Until(retryAt)); err != nil {
				return concurrency.Ticket{}, err
			}
			continue
		}
		t.Ext = local{lim, n}
		return t, err
	}
}

// plan says whether to ask Redis, and how a missing hash starts (see admit.lua): full, or — when Redis failed
// since this process last saw the buckets, and so may have lost them — in debt of RetryEvery and the time a
// request takes to reach the provider: the processes went on with their shares meanwhile, and the last to
// notice that Redis is back may go on for that long.
func (l *Limiter) plan() (try bool, init int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down && time.Now().Before(l.retryAt) {
		return false, 0
	}
	if l.lost {
		return true, (l.opt.RetryEvery + reorderWindow).Microseconds()
	}
	return true, -1
}

// admitShared admits through Redis; redisErr is set when Redis failed (err is then set too).
func (l *Limiter) admitShared(ctx context.Context, estimate int, init int64) (_ concurrency.Ticket, err, redisErr error) {
	maxWait := int64(-1)
	if deadline, ok := ctx.Deadline(); ok {
		maxWait = max(0, time.Until(deadline).Microseconds())
	}
	rctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	reply, err := admitScript.Run(rctx, l.rdb, l.keys, l.args(estimate, maxWait, init, l.id, memberWindow.Milliseconds(),
		newToken())...).Slice()
	r, epoch, err := numbers(reply, err)
	if err != nil {
		return concurrency.Ticket{}, err, err
	}
	l.up(r[7], r[8], r[9])
	wait := time.Duration(r[1]) * time.Microsecond
	if r[0] == 0 {
		return concurrency.Ticket{}, fmt.Errorf("scale: a request of %d tokens would wait %v, past the context's "+
			"deadline: %w", estimate, wait.Round(time.Millisecond), context.DeadlineExceeded), nil
	}
	s := &shared{at: r[2], cost: estimate, epoch: epoch, sentAt: r[2] + r[1], given: [2]int64{r[5], r[6]}}
	l.mu.Lock()
	l.waiting[s] = struct{}{}
	lost := l.lostRedis
	l.mu.Unlock()
	l.carry(epoch)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		err = ctx.Err()
	case <-lost:
		// Redis failed while this request waited its turn: it waits again in this process's share, so that
		// the share counts it and a Redis that comes back empty has nothing outstanding.
		err = errFailedOver
	}
	l.mu.Lock()
	delete(l.waiting, s)
	epoch = s.epoch
	l.mu.Unlock()
	switch {
	case err == errFailedOver:
		return concurrency.Ticket{}, err, err
	case err != nil:
		l.giveBack(estimate, epoch)
		return concurrency.Ticket{}, err, nil
	}
	return concurrency.Ticket{Ext: s}, nil, nil
}

var errFailedOver = errors.New("scale: Redis failed while the request waited its turn")

// numbers reads the admission script's reply: ten numbers and the epoch.
func numbers(reply []any, err error) ([]int64, string, error) {
	if err != nil {
		return nil, "", err
	}
	if len(reply) != 11 {
		return nil, "", fmt.Errorf("scale: the admission script answered %d values, want 11", len(reply))
	}
	r := make([]int64, 10)
	for i := range r {
		n, ok := reply[i].(int64)
		if !ok {
			return nil, "", fmt.Errorf("scale: the admission script answered %T where a number belongs", reply[i])
		}
		r[i] = n
	}
	epoch, _ := reply[10].(string)
	return r, epoch, nil
}

// carry charges the hash of epoch with the requests of this process that were admitted in a hash Redis has lost
// since and still wait for their turn: they will be sent, and the new hash must count them.
func (l *Limiter) carry(epoch string) {
	l.mu.Lock()
	tokens := 0
	for s := range l.waiting {
		if s.epoch != epoch {
			s.epoch = epoch
			tokens += s.cost
		}
	}
	l.mu.Unlock()
	if tokens > 0 {
		l.done(tokens, 0, noLimits, nil)
	}
}

var noLimits = concurrency.ProviderLimits{Requests: -1, Tokens: -1, RemainingRequests: -1, RemainingTokens: -1}

func (l *Limiter) args(extra ...any) []any {
	return append([]any{l.limits.RPM, l.limits.TPM, 1, l.burst}, extra...)
}

// giveBack returns what a caller that will not send was charged in the hash of epoch.
func (l *Limiter) giveBack(tokens int, epoch string) {
	ctx, cancel := context.WithTimeout(context.Background(), redisTimeout)
	defer cancel()
	if err := cancelScript.Run(ctx, l.rdb, l.keys[:1], l.args(tokens, epoch)...).Err(); err != nil && !errors.Is(err, redis.Nil) {
		l.failed(err)
	}
}

// Done reconciles a request Admit let through with its reply: a success is charged the tokens it used (beyond
// its estimate charged, the rest given back), a refused request gives its tokens back, a request with no reply
// keeps its charge; and the provider's headers (or a 429's message) bring the shared limits and buckets down to
// what the provider says, if that is less.
func (l *Limiter) Done(t concurrency.Ticket, r concurrency.Reply) {
	switch e := t.Ext.(type) {
	case local:
		r.Header = share(r.Header, e.n)
		e.lim.Done(t, r)
	case *shared:
		extra, refused := 0, 0
		switch {
		case !r.Charged():
			extra, refused = -e.cost, e.cost
		case r.Status >= 200 && r.Status < 300 && r.Used > 0:
			extra = r.Used - e.cost
		}
		l.done(extra, refused, r.Limits(), e)
	}
}

// done runs the done script: extra tokens charged (given back if negative), of which refused were given back
// because the provider refused the request; what the provider said; and the request's record (nil: none).
func (l *Limiter) done(extra, refused int, p concurrency.ProviderLimits, e *shared) {
	var sentAt int64
	var given [2]int64
	epoch := ""
	if e != nil {
		l.mu.Lock()
		sentAt, given, epoch = e.sentAt, e.given, e.epoch
		l.mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), redisTimeout)
	defer cancel()
	r, err := doneScript.Run(ctx, l.rdb, []string{l.keys[0], l.keys[2], l.keys[1]}, l.args(extra, whole(p.Requests),
		whole(p.Tokens), whole(p.RemainingRequests), whole(p.RemainingTokens), sentAt, reorderWindow.Microseconds(),
		given[0], given[1], l.id, memberWindow.Milliseconds(), epoch, refused)...).Int64Slice()
	if err == nil && len(r) != 4 {
		err = fmt.Errorf("scale: the done script answered %d numbers, want 4", len(r))
	}
	if err != nil {
		l.failed(err)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if r[3] > 0 {
		l.processes = int(r[3])
	}
	if r[0] == 1 {
		l.limit = [2]float64{float64(r[1]), float64(r[2])}
	}
	l.back()
}

// reorderWindow: a request reaches the provider within this long of being let go, so a charge made later than
// that is surely not in what the provider's reply to it says remains (concurrency.Limiter assumes the same).
const reorderWindow = 100 * time.Millisecond

// whole rounds down a count a reply reported; -1 stays "not said".
func whole(v float64) int64 {
	if v < 0 {
		return -1
	}
	return int64(v)
}

// Wait is Admit without a ticket, for code written against week 4's Limiter contract.
func (l *Limiter) Wait(ctx context.Context, estimate int) error {
	t, err := l.Admit(ctx, estimate)
	if err == nil {
		if e, ok := t.Ext.(local); ok { // a local ticket must be done, or its limiter waits for the reply
			e.lim.Done(t, concurrency.Reply{})
		}
	}
	return err
}

// Settle reconciles a request that Wait let through with estimate tokens: actual is the usage the API reported
// (0 if the request never reached it).
func (l *Limiter) Settle(estimate, actual int) {
	l.mu.Lock()
	lim, down := l.local, l.down
	l.mu.Unlock()
	if down && lim != nil {
		lim.Settle(estimate, actual)
		return
	}
	l.done(actual-estimate, 0, noLimits, nil)
}

// Limits reports the limits in force, per minute: as told, or lower if the provider said so. While Redis is down
// they are this process's share.
func (l *Limiter) Limits() (rpm, tpm float64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.down && l.local != nil {
		return l.local.Limits()
	}
	return l.limit[0], l.limit[1]
}

// Shared reports whether the limiter works through Redis (false while it falls back to a local share).
func (l *Limiter) Shared() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.down
}

// Processes is how many processes Redis last said share the limit (Options.Processes before it said).
func (l *Limiter) Processes() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.processes
}

// up records a successful admission through Redis.
func (l *Limiter) up(processes, rpm, tpm int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if processes > 0 {
		l.processes = int(processes)
	}
	l.limit = [2]float64{float64(rpm), float64(tpm)}
	l.lost = false
	l.back()
}

// back ends a fallback, with one line, when Redis answers again. l.mu is held.
func (l *Limiter) back() {
	if l.down {
		l.down, l.local = false, nil
		l.lostRedis = make(chan struct{})
		fmt.Fprintf(l.opt.Warnings, "scale: Redis answers again: limit %q is shared again (processes back so far: %d)\n",
			l.opt.Name, l.processes)
	}
}

// Leave tells Redis at once that this process no longer shares the limit (otherwise the others count it for
// 5 s after its last call), so that their fallback share, if Redis fails, is as large as it can be.
func (l *Limiter) Leave(ctx context.Context) error {
	zrem, ok := l.rdb.(interface {
		ZRem(ctx context.Context, key string, members ...any) *redis.IntCmd
	})
	if !ok {
		return nil
	}
	return zrem.ZRem(ctx, l.keys[1], l.id).Err()
}

// failed records a failed script call: the first failure starts the fallback, with one warning.
func (l *Limiter) failed(err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.retryAt = time.Now().Add(l.opt.RetryEvery)
	l.lost = true
	if l.down {
		return
	}
	l.down = true
	n := max(l.processes, 1)
	rpm, tpm := max(1, l.limits.RPM/n), max(1, l.limits.TPM/n)
	l.localBurst = min(l.burst, tpm)
	l.local, _ = concurrency.NewLimiter(rpm, tpm, l.localBurst)
	// Its share starts empty, less what this process has admitted through Redis and not sent yet: the key was
	// in use up to its limit until now.
	l.local.Wait(context.Background(), l.localBurst)
	close(l.lostRedis)
	l.share = n
	fmt.Fprintf(l.opt.Warnings, "scale: Redis failed (%v): until it answers again, this process keeps to its own "+
		"share of limit %q, 1/%d: %d RPM, %d TPM (trying Redis every %v)\n", err, l.opt.Name, n, rpm, tpm, l.opt.RetryEvery)
}

// fallback returns the local limiter, the share it keeps, the largest request it lets through, and when to try
// Redis again.
func (l *Limiter) fallback() (*concurrency.Limiter, int, int, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.local, l.share, l.localBurst, l.retryAt
}
