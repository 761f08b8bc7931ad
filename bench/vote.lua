-- wrk script: each request a new vote by a fresh voter, on one of ARTICLES articles (or only
-- on "hot" when HOT=1). Counts acknowledged (2xx) votes, so the harness can check them
-- against the database. DELAY_MS throttles each connection (for latency at a set rate).
local articles = tonumber(os.getenv("ARTICLES") or "10000")
local hot = os.getenv("HOT") == "1"
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
-- JITTER=1 waits a random time averaging DELAY_MS instead of exactly it: paced connections
-- answered by one commit would otherwise vote again together, in waves, unlike readers.
local jitter = os.getenv("JITTER") == "1"
local forwarded = os.getenv("FORWARDED") == "1"
local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + id)
  acked, refused = 0, 0
end

local function hex(n)
  local t = {}
  for i = 1, n do t[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(t)
end

function request()
  local voter = hex(8) .. "-" .. hex(4) .. "-4" .. hex(3) .. "-a" .. hex(3) .. "-" .. hex(12)
  local article = hot and "hot" or ("a" .. math.random(0, articles - 1))
  local headers = { ["Content-Type"] = "application/json" }
  if forwarded then
    headers["X-Forwarded-For"] = math.random(1, 223) .. "." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  end
  local body = '{"voter":"' .. voter .. '","stars":' .. math.random(1, 5) .. '}'
  return wrk.format("POST", "/v1/articles/" .. article .. "/votes", headers, body)
end

function response(status)
  if status >= 200 and status < 300 then acked = acked + 1 else refused = refused + 1 end
end

function delay()
  if jitter then return math.random(0, 2 * delay_ms) end
  return delay_ms
end

function done(summary, latency, requests)
  local a, r = 0, 0
  for _, thread in ipairs(threads) do
    a = a + thread:get("acked")
    r = r + thread:get("refused")
  end
  io.write(string.format("ACKED %d\nREFUSED %d\n", a, r))
  io.write(string.format("P50_MS %.3f\nP99_MS %.3f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
