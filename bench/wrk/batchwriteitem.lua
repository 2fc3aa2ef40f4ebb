-- wrk script: DynamoDB BatchWriteItem (JSON 1.0), 25 puts of unique keys, 100-byte payload each.
-- (Not yet a metric of bench/run; run by hand against a server with BenchTable.)
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local payload = string.rep("p", 100)
local counter = 0

function init(args)
  bench.dynamo_headers("BatchWriteItem")
end

function request()
  counter = counter + 1
  local puts = {}
  for i = 1, 25 do
    puts[i] = '{"PutRequest":{"Item":{"pk":{"S":"' .. bench.run .. "-b" .. id .. "-" .. counter .. "-" .. i ..
      '"},"payload":{"S":"' .. payload .. '"}}}}'
  end
  local body = '{"RequestItems":{"' .. bench.table .. '":[' .. table.concat(puts, ",") .. ']}}'
  return wrk.format(nil, nil, nil, body)
end
