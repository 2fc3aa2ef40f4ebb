-- wrk script: DynamoDB PutItem (JSON 1.0) with a unique key per request, 100-byte payload.
-- BENCH_WITH_G=1 adds "g": one of 100 values (the GSI key of the PutItem-with-a-GSI runs; the
-- run without the GSI sends the same items).
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local payload = string.rep("p", 100)
local counter = 0
local with_g = os.getenv("BENCH_WITH_G") == "1"

function init(args)
  bench.dynamo_headers("PutItem")
end

function request()
  counter = counter + 1
  local g = with_g and (',"g":{"S":"g' .. (counter % 100) .. '"}') or ""
  local body = '{"TableName":"' .. bench.table .. '","Item":{"pk":{"S":"' .. bench.run .. "-t" ..
    id .. "-" .. counter .. '"},"payload":{"S":"' .. payload .. '"}' .. g .. '}}'
  return wrk.format(nil, nil, nil, body)
end
