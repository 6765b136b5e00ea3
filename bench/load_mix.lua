-- The load bench's requests for wrk (driven by bench/load.py; see docs/load.md).
--
--   wrk -t T -c C -d Ds --latency --timeout 30s -s bench/load_mix.lua URL -- DATA MODE
--
-- DATA is a Lua file written by bench/load.py that returns
--   { key = "<API key>", seed = 0, terms = { "<url-encoded prefix>", ... },
--     people = { "<url-encoded person id>", ... } }
-- MODE is "mix" (45% search, 45% depth-2 neighborhood of a random person, 10% cached
-- centrality) or "health" (GET /health alone: the baseline).
--
-- Every request carries the key as a bearer token. response() counts the answers per HTTP
-- status; done() prints one line "WRK_JSON {...}" with wrk's totals, socket errors,
-- latency percentiles (microseconds) and those status counts, for bench/load.py to read.

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

local mode, terms, people
local SEARCH_SHARE, NEIGHBORHOOD_SHARE = 0.45, 0.90 -- cumulative: 45% search, 45% neighborhood

statuses = {} -- per thread; read by done() through thread:get

function init(args)
  local data = dofile(args[1])
  mode = args[2] or "mix"
  terms, people = data.terms, data.people
  wrk.headers["Authorization"] = "Bearer " .. data.key
  math.randomseed((data.seed or 0) * 1000 + id)
end

function request()
  if mode == "health" then
    return wrk.format("GET", "/health")
  end
  local r = math.random()
  local path
  if r < SEARCH_SHARE then
    path = "/entities?q=" .. terms[math.random(#terms)] .. "&limit=20"
  elseif r < NEIGHBORHOOD_SHARE then
    path = "/entities/" .. people[math.random(#people)] .. "/neighborhood?depth=2&limit=50"
  else
    path = "/analytics/centrality?measure=degree&top=10"
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local k = tostring(status)
  statuses[k] = (statuses[k] or 0) + 1
end

local function encode(value)
  local t = type(value)
  if t == "table" then
    local parts = {}
    for k, v in pairs(value) do
      table.insert(parts, string.format("%q", tostring(k)) .. ":" .. encode(v))
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif t == "number" then
    return string.format("%.17g", value)
  else
    return string.format("%q", tostring(value))
  end
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("statuses") or {}) do
      merged[k] = (merged[k] or 0) + v
    end
  end
  local out = {
    duration_us = summary.duration,
    requests = summary.requests,
    bytes = summary.bytes,
    errors = summary.errors,
    statuses = merged,
    latency_us = {
      min = latency.min, max = latency.max, mean = latency.mean, stdev = latency.stdev,
      p50 = latency:percentile(50), p90 = latency:percentile(90),
      p99 = latency:percentile(99), p999 = latency:percentile(99.9),
    },
  }
  io.write("WRK_JSON " .. encode(out) .. "\n")
end
