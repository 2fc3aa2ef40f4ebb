-- wrk script: POST /InsertItem {"message": "<unique>"} through the API gateway.
-- Env: BENCH_RUN (message prefix, default "r").
-- Prints one line "BENCH_JSON {...}" like putitem.lua.

local run = os.getenv("BENCH_RUN") or "r"
local next_id = 0
local counter = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  wrk.method = "POST"
  wrk.path = "/InsertItem"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"message":"' .. run .. "-t" .. id .. "-" .. counter .. '"}')
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,' ..
    '"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
