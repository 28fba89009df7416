-- Cancel: give back one request and ARGV[5] tokens that a caller was charged, in the hash of epoch ARGV[6], and
-- will not send.
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local b = load(-1)
if ARGV[6] ~= b.epoch then return 0 end
local back = {1, tonumber(ARGV[5])}
for d = 1, 2 do
  b.lvl[d] = math.min(b.burst[d], b.lvl[d] + back[d])
  b.given[d] = b.given[d] + back[d]
end
save(b)
return 1
