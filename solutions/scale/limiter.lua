-- The buckets of one shared limit, kept in the hash KEYS[1]: for requests (1) and tokens (2), the level (l),
-- the running totals of what was charged (s) and given back (g), a limit the provider reported lower than the
-- one told (p, 0: none), the time of the last change (t, Redis's clock, in microseconds), and the hash's epoch
-- (e: a name given when it was made, so a caller can tell a charge made in it from one made in a hash Redis
-- lost since). A bucket refills
-- continuously up to its burst. A missing hash means full buckets: it expires only a minute after they would be
-- full again. ARGV[1], ARGV[2] are the told limits per minute (requests, tokens); ARGV[3], ARGV[4] the bursts.
-- Numbers are written with string.format: Lua's own conversion keeps 14 digits, too few for a time in µs.

local function now_us()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000000 + tonumber(t[2])
end

-- LAG (µs) is the most a request may take from the moment it is let go to its arrival at the provider. The
-- provider's bucket starts draining that much later than this one and so loses that much more refill while full:
-- a bucket that holds the provider's whole minute less LAG's refill never lets through what the provider would
-- refuse (see the package's tests), where one that holds the whole minute is a fraction of a token short now and
-- then.
local LAG = 100000

-- shape sets each bucket's limit, rate (per µs) and burst from the told limits and what the provider reported.
local function shape(b)
  for d = 1, 2 do
    local told = tonumber(ARGV[d])
    b.lim[d] = told
    if b.p[d] > 0 and b.p[d] < told then b.lim[d] = b.p[d] end
    b.rate[d] = b.lim[d] / 60e6
    b.burst[d] = math.min(tonumber(ARGV[2 + d]), b.lim[d] - b.rate[d] * LAG)
  end
end

-- load reads the buckets and refills them up to now. A missing hash starts full if init is negative, else in
-- debt of init µs of refill.
local function load(init)
  local h = redis.call('HMGET', KEYS[1], 't', 'l1', 'l2', 's1', 's2', 'g1', 'g2', 'p1', 'p2', 'e')
  local b = {now = now_us(), exists = h[1] ~= false, epoch = h[10], lvl = {}, spent = {}, given = {}, p = {}, lim = {},
    rate = {}, burst = {}}
  for d = 1, 2 do
    b.p[d] = tonumber(h[7 + d]) or 0
    b.spent[d] = tonumber(h[3 + d]) or 0
    b.given[d] = tonumber(h[5 + d]) or 0
  end
  shape(b)
  for d = 1, 2 do
    if b.exists then
      b.lvl[d] = math.min(b.burst[d], tonumber(h[1 + d]) + b.rate[d] * math.max(0, b.now - tonumber(h[1])))
    elseif tonumber(init) < 0 then
      b.lvl[d] = b.burst[d]
    else
      b.lvl[d] = -b.rate[d] * tonumber(init)
    end
  end
  return b
end

local function save(b)
  local f = string.format
  redis.call('HSET', KEYS[1], 't', f('%.0f', b.now), 'l1', f('%.6f', b.lvl[1]), 'l2', f('%.6f', b.lvl[2]),
    's1', f('%.0f', b.spent[1]), 's2', f('%.0f', b.spent[2]), 'g1', f('%.0f', b.given[1]), 'g2', f('%.0f', b.given[2]),
    'p1', f('%.0f', b.p[1]), 'p2', f('%.0f', b.p[2]), 'e', b.epoch)
  local full = 0
  for d = 1, 2 do full = math.max(full, (b.burst[d] - b.lvl[d]) / b.rate[d]) end
  redis.call('PEXPIRE', KEYS[1], math.ceil(full / 1000) + 60000)
end

-- beat records process id as alive at now (µs) in the sorted set key, forgets those not seen for window ms, and
-- returns how many it holds.
local function beat(key, id, window, now)
  local ms = math.floor(now / 1000)
  redis.call('ZADD', key, ms, id)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ms - window)
  redis.call('PEXPIRE', key, 2 * window)
  return redis.call('ZCARD', key)
end
