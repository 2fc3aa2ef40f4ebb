-- wrk script: POST to a gateway route whose response template loops a lot (bench/stack.yaml:
-- /HeavyPut writes an item first, /HeavyMock does not). Path from BENCH_PATH.
-- A reply that is not 200 with the template's {"len": ...} counts as err_check.
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local counter = 0

function init(args)
  wrk.method = "POST"
  wrk.path = os.getenv("BENCH_PATH") or "/HeavyPut"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"id":"' .. bench.run .. "-t" .. id .. "-" .. counter .. '"}')
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"len"', 1, true) then
    check_failures_n = check_failures_n + 1
  end
end
