-- wrk script: DynamoDB BatchWriteItem (JSON 1.0): 25 PutRequests per call, unique keys,
-- 100-byte payload, into BenchTable. A reply with UnprocessedItems left (or not 200) counts
-- as err_check: only fully applied batches count.
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local payload = string.rep("p", 100)
local counter = 0

function init(args)
  bench.dynamo_headers("BatchWriteItem")
end

function request()
  counter = counter + 1
  local puts = {}
  for j = 1, 25 do
    puts[j] = '{"PutRequest":{"Item":{"pk":{"S":"' .. bench.run .. "-t" .. id .. "-" .. counter ..
      "-" .. j .. '"},"payload":{"S":"' .. payload .. '"}}}}'
  end
  local body = '{"RequestItems":{"' .. bench.table .. '":[' .. table.concat(puts, ",") .. ']}}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"UnprocessedItems":%s*{}') then
    check_failures_n = check_failures_n + 1
  end
end
