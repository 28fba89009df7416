-- Done: reconcile a request with its reply. ARGV[5]: tokens to charge beyond what was charged (negative: given
-- back). ARGV[6], ARGV[7]: the limits the provider reported (requests, tokens; -1: not said); a lower one than
-- told replaces it until the provider reports otherwise. ARGV[8], ARGV[9]: what the provider said remained when
-- it admitted the request (-1: not said). ARGV[10]: when the request was let go (µs, Redis's clock); ARGV[11]:
-- how long after that it surely reached the provider (µs); ARGV[12], ARGV[13]: the totals given1, given2 just
-- after its charge; ARGV[14], ARGV[15]: this process's id and the window of the processes' set (see Admit).
-- ARGV[16]: the epoch of the hash the request was charged in ('': this one); a charge made in a hash Redis has
-- lost since is not this hash's to reconcile. ARGV[17]: tokens given back because the provider refused the
-- request (it never counted them, so they are not in what it said remains). KEYS[2]: the charges noted by Admit; KEYS[3]: the processes.
--
-- The provider's bucket now holds what it said, plus its refill since, minus the charges it had not seen yet,
-- plus what was given back since. When that is less than the shared bucket holds, something that does not share
-- it uses the key too (a process without it, a key partly used at the start): the bucket comes down to it. It
-- never goes up: the shared bucket sees every charge of every process that shares it. So where it is unsure, it
-- takes the larger figure: it subtracts only the charges made after the request surely arrived (others sent
-- about then may have reached the provider first and be in what it said), and adds back everything given back
-- since the request's charge.
-- Reply: {1 (0: no hash, nothing done), limit1, limit2, processes}.
local n = beat(KEYS[3], ARGV[14], tonumber(ARGV[15]), now_us())
if redis.call('EXISTS', KEYS[1]) == 0 then return {0, 0, 0, n} end
local b = load(-1)
if ARGV[16] ~= '' and ARGV[16] ~= b.epoch then return {0, b.lim[1], b.lim[2], n} end
for d = 1, 2 do
  local said = tonumber(ARGV[5 + d])
  if said > 0 then
    if said < tonumber(ARGV[d]) then b.p[d] = said else b.p[d] = 0 end
  end
end
shape(b)
for d = 1, 2 do b.lvl[d] = math.min(b.lvl[d], b.burst[d]) end
local extra = tonumber(ARGV[5])
b.lvl[2] = math.min(b.burst[2], b.lvl[2] - extra)
if extra > 0 then b.spent[2] = b.spent[2] + extra else b.given[2] = b.given[2] - extra end
local arrived = tonumber(ARGV[10]) + tonumber(ARGV[11])
local before = nil -- the totals charged by the time the request surely arrived
for _, m in ipairs(redis.call('LRANGE', KEYS[2], 0, -1)) do
  local t, s1, s2 = string.match(m, '(%d+) (%d+) (%d+)')
  before = {tonumber(s1), tonumber(s2)}
  if tonumber(t) <= arrived then break end
end
for d = 1, 2 do
  local rem = tonumber(ARGV[7 + d])
  if rem >= 0 and before then
    local held = math.min(b.lim[d], rem + b.rate[d] * math.max(0, b.now - tonumber(ARGV[10])))
      - (b.spent[d] - before[d]) + (b.given[d] - tonumber(ARGV[11 + d]))
    if d == 2 then held = held - tonumber(ARGV[17]) end
    if held < b.lvl[d] then b.lvl[d] = held end
  end
end
save(b)
return {1, b.lim[1], b.lim[2], n}
