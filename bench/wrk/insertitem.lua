-- wrk script: POST /InsertItem {"message": "<unique>"} through the API gateway (seed route).
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local counter = 0

function init(args)
  wrk.method = "POST"
  wrk.path = "/InsertItem"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"message":"' .. bench.run .. "-t" .. id .. "-" .. counter .. '"}')
end
