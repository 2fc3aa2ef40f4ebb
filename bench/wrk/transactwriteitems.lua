-- wrk script: DynamoDB TransactWriteItems (JSON 1.0): 4 conditional puts of new keys (so on
-- different stream shards), 100-byte payload each, committed atomically.
-- (Not yet a metric of bench/run; run by hand against a server with BenchTable.)
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local payload = string.rep("p", 100)
local counter = 0

function init(args)
  bench.dynamo_headers("TransactWriteItems")
end

function request()
  counter = counter + 1
  local puts = {}
  for i = 1, 4 do
    puts[i] = '{"Put":{"TableName":"' .. bench.table .. '","ConditionExpression":"attribute_not_exists(pk)",' ..
      '"Item":{"pk":{"S":"' .. bench.run .. "-x" .. id .. "-" .. counter .. "-" .. i ..
      '"},"payload":{"S":"' .. payload .. '"}}}}'
  end
  return wrk.format(nil, nil, nil, '{"TransactItems":[' .. table.concat(puts, ",") .. ']}')
end
