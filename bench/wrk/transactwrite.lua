-- wrk script: DynamoDB TransactWriteItems (JSON 1.0): 4 Puts on 4 different partitions
-- (unique keys), 100-byte payload, into BENCH_TABLE (bench/run: BenchTxn). Anything but 200
-- counts as err_check.
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local payload = string.rep("p", 100)
local counter = 0

function init(args)
  bench.dynamo_headers("TransactWriteItems")
end

function request()
  counter = counter + 1
  local puts = {}
  for j = 1, 4 do
    puts[j] = '{"Put":{"TableName":"' .. bench.table .. '","Item":{"pk":{"S":"' .. bench.run ..
      "-t" .. id .. "-" .. counter .. "-" .. j .. '"},"payload":{"S":"' .. payload .. '"}}}}'
  end
  return wrk.format(nil, nil, nil, '{"TransactItems":[' .. table.concat(puts, ",") .. ']}')
end

function response(status, headers, body)
  if status ~= 200 then
    check_failures_n = check_failures_n + 1
  end
end
