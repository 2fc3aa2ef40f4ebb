-- wrk script: POST /Proxy through the API gateway to a warm Python function (Lambda proxy,
-- payload 1.0); the function answers 200 {"ok": true, "n": <body length>}. A reply without
-- "ok" counts as a failed check.
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local counter = 0

function init(args)
  wrk.method = "POST"
  wrk.path = "/Proxy"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"id":"' .. bench.run .. "-t" .. id .. "-" .. counter .. '"}')
end

function response(status, headers, body)
  if status == 200 and not string.find(body, '"ok": true', 1, true) then
    check_failures_n = check_failures_n + 1
  end
end
