-- wrk script: POST to a gateway route whose response template loops a lot (bench/stack.yaml:
-- /HeavyPut writes an item first, /HeavyMock does not). Path from BENCH_PATH. Each connection
-- waits BENCH_DELAY_MS between requests, so both routes see about the same request rate
-- (and cost the same CPU) instead of running as fast as their replies allow.
-- A reply that is not 200 with the template's {"len": ...} counts as err_check.
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local counter = 0
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

function init(args)
  wrk.method = "POST"
  wrk.path = os.getenv("BENCH_PATH") or "/HeavyPut"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"id":"' .. bench.run .. "-t" .. id .. "-" .. counter .. '"}')
end

function delay()
  return pause
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"len"', 1, true) then
    check_failures_n = check_failures_n + 1
  end
end
