-- GCRA, as governor computes it, on Redis's clock so that every instance agrees.
-- KEYS[1]: the client's key for one policy.
-- ARGV[1]: emission interval t, microseconds (one request's share of the quota).
-- ARGV[2]: tolerance tau = t * (burst - 1), microseconds.
-- Stored: the theoretical arrival time (TAT), microseconds since the epoch. It expires when
-- the TAT passes: a client with a full quota and one never seen are the same.
-- Returns {1, remaining, 0} when allowed, {0, 0, wait} (microseconds) when not.
local t = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
local earliest = tat - tau
if now < earliest then
  return {0, 0, earliest - now}
end
local next_tat = math.max(tat, now) + t
redis.call('SET', KEYS[1], string.format('%d', next_tat), 'PX', math.ceil((next_tat - now) / 1000))
local remaining = math.floor(math.min(now + tau + t - next_tat, tau + t) / t)
return {1, remaining, 0}
