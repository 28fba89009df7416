// Package scale is the course's answer to "one key, many processes": several processes — web workers, batch jobs,
// cron — that call one provider with one API key share its rate limit and a response cache through Redis.
//
// Each process's own limiter and cache (weeks 2 and 4) see only that process: together the processes overrun the
// key's limits, and each pays for answers another already has. The pieces here keep what matters in Redis:
//
//   - [Limiter]: one requests-per-minute and tokens-per-minute budget for all of them, in buckets that change
//     only inside Lua scripts (atomic in Redis), kept in step with the provider's rate-limit headers, and a
//     [concurrency.Admitter] like week 4's Limiter, so a [concurrency.Sender] takes either. If Redis fails, each
//     process keeps 1/N of the limits on its own and says so once; when Redis is back they share again.
//   - [Cache]: an exact-key response cache with a TTL, where identical misses in flight in different processes
//     make one upstream call: the first takes a short-lived lock, the others wait for its answer, and a leader
//     that dies lets its lock expire so another takes over. If Redis fails, calls go straight upstream.
//   - [Client]: week 2's caching client (same key, same policy) on a Cache.
//   - [Connect]: a go-redis client that notices a lost Redis within half a second.
//
// The tests run a real redis-server (kit/redislocal) and real processes; notebook 07-scale measures four
// `workbook batch` processes against one rate-limited mock, with and without the shared limiter.
package scale

import "github.com/llmperf/workbook/solutions/concurrency"

var _ concurrency.Admitter = (*Limiter)(nil)
