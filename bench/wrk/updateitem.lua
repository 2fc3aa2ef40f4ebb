-- wrk script: DynamoDB UpdateItem (JSON 1.0): a counter increment (ADD hits :one) on one of
-- BENCH_KEYS (1000) random keys "u-<i>" of BenchTable (created by the first ADD).
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local keys = tonumber(os.getenv("BENCH_KEYS") or "1000")

function init(args)
  bench.dynamo_headers("UpdateItem")
  math.randomseed(os.time() * 100 + id)
end

function request()
  local body = '{"TableName":"' .. bench.table .. '","Key":{"pk":{"S":"u-' ..
    math.random(0, keys - 1) .. '"}},"UpdateExpression":"ADD hits :one",' ..
    '"ExpressionAttributeValues":{":one":{"N":"1"}}}'
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 then
    check_failures_n = check_failures_n + 1
  end
end
