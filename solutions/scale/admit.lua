-- Admit: charge one request and ARGV[5] tokens, and say how long the caller must wait before it sends (µs): the
-- time the buckets take to refill what they went into debt for. Callers are served in the order their charges
-- land, whichever process they are in. A caller whose wait would pass ARGV[6] µs (-1: no bound) is charged
-- nothing. ARGV[7] is how a missing hash starts: -1 full, else in debt of
-- that many µs of refill (after Redis lost its data: the key was in use meanwhile). ARGV[8] is this
-- process's id: it is recorded in the sorted set KEYS[2], which forgets ids not seen for ARGV[9] ms, and the
-- reply says how many processes it holds. Each charge is also noted in the list KEYS[3]
-- (newest first, the last 256: "time spent1 spent2"), for Done to tell charges made before a moment from those
-- made after it. ARGV[10] names the hash if this call makes it.
-- Reply: {admitted 0/1, wait µs, now µs, spent1, spent2, given1, given2, processes, limit1, limit2, epoch}.
local b = load(ARGV[7])
if not b.exists then b.epoch = ARGV[10] end
local cost = {1, tonumber(ARGV[5])}
local wait = 0
for d = 1, 2 do
  local after = b.lvl[d] - cost[d]
  if after < 0 then wait = math.max(wait, -after / b.rate[d]) end
end
local n = beat(KEYS[2], ARGV[8], tonumber(ARGV[9]), b.now)
local maxwait = tonumber(ARGV[6])
if maxwait >= 0 and wait > maxwait then
  return {0, math.ceil(wait), b.now, 0, 0, 0, 0, n, b.lim[1], b.lim[2], ''}
end
for d = 1, 2 do
  b.lvl[d] = b.lvl[d] - cost[d]
  b.spent[d] = b.spent[d] + cost[d]
end
save(b)
redis.call('LPUSH', KEYS[3], string.format('%.0f %.0f %.0f', b.now, b.spent[1], b.spent[2]))
redis.call('LTRIM', KEYS[3], 0, 255)
redis.call('PEXPIRE', KEYS[3], redis.call('PTTL', KEYS[1]))
return {1, math.ceil(wait), b.now, b.spent[1], b.spent[2], b.given[1], b.given[2], n, b.lim[1], b.lim[2], b.epoch}
