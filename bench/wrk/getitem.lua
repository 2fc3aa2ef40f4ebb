-- wrk script: DynamoDB GetItem (JSON 1.0) of random existing keys.
-- The table was pre-filled with keys "<BENCH_KEY_PREFIX><i>", i in 0..BENCH_KEYS-1 (bench/run
-- does that); a reply without "Item" counts as err_check, so misses cannot pass for reads.
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local keys = tonumber(os.getenv("BENCH_KEYS") or "10000")
local prefix = os.getenv("BENCH_KEY_PREFIX") or "g-"

function init(args)
  bench.dynamo_headers("GetItem")
  math.randomseed(os.time() * 100 + id)
end

function request()
  local body = '{"TableName":"' .. bench.table .. '","Key":{"pk":{"S":"' .. prefix ..
    math.random(0, keys - 1) .. '"}}}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"Item"', 1, true) then
    check_failures_n = check_failures_n + 1
  end
end
