-- wrk script: DynamoDB PutItem (JSON 1.0) with a unique key per request, 100-byte payload.
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local payload = string.rep("p", 100)
local counter = 0

function init(args)
  bench.dynamo_headers("PutItem")
end

function request()
  counter = counter + 1
  local body = '{"TableName":"' .. bench.table .. '","Item":{"pk":{"S":"' .. bench.run .. "-t" ..
    id .. "-" .. counter .. '"},"payload":{"S":"' .. payload .. '"}}}'
  return wrk.format(nil, nil, nil, body)
end
