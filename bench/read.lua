-- wrk script: GET a random article's rating (or PATH for every request, e.g. the bare
-- baseline); FORWARDED=1 adds a random client address, for the rate-limiter case.
local articles = tonumber(os.getenv("ARTICLES") or "10000")
local fixed = os.getenv("PATH_ONLY")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local forwarded = os.getenv("FORWARDED") == "1"
local count = 0

function init(args)
  math.randomseed(os.time() * 1000 + math.floor(os.clock() * 1000000))
end

function request()
  local headers = {}
  if forwarded then
    headers["X-Forwarded-For"] = math.random(1, 223) .. "." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254)
  end
  local path = fixed or ("/v1/articles/a" .. math.random(0, articles - 1) .. "/rating")
  return wrk.format("GET", path, headers)
end

function delay()
  return delay_ms
end

function done(summary, latency, requests)
  io.write(string.format("P50_MS %.3f\nP99_MS %.3f\n", latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
