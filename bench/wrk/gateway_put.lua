-- wrk script: POST <BENCH_PATH> {"id": "<unique>", "payload": "<100 bytes>"} through the API
-- gateway (bench/gateway's /Plain and /Checked routes: a PutItem template). BENCH_TOKEN, if set,
-- goes in the Authorization header (the JWT authorizer of /Checked).
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local payload = string.rep("p", 100)
local counter = 0

function init(args)
  wrk.method = "POST"
  wrk.path = os.getenv("BENCH_PATH") or "/Plain"
  wrk.headers["Content-Type"] = "application/json"
  local token = os.getenv("BENCH_TOKEN")
  if token and token ~= "" then
    wrk.headers["Authorization"] = token
  end
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"id":"' .. bench.run .. "-t" .. id .. "-" .. counter ..
    '","payload":"' .. payload .. '"}')
end
