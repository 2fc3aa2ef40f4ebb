-- wrk script: DynamoDB Query (JSON 1.0) of one random partition, a page of BENCH_PAGE (100) items.
-- The table (BenchQuery) was pre-filled by bench/run: partitions q<p> / g<p>, p in
-- 0..BENCH_PARTITIONS-1, each with more than BENCH_PAGE items. BENCH_INDEX set: the same Query
-- on that GSI (key gpk) instead of the table (key pk). A reply that is not a full page
-- counts as err_check, so an empty or short answer cannot pass for a page.
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local parts = tonumber(os.getenv("BENCH_PARTITIONS") or "20")
local page = tonumber(os.getenv("BENCH_PAGE") or "100")
local index = os.getenv("BENCH_INDEX")
local full_page = '"Count":%s*' .. page .. '[,}]'

function init(args)
  bench.dynamo_headers("Query")
  math.randomseed(os.time() * 100 + id)
end

function request()
  local p = math.random(0, parts - 1)
  local body
  if index and index ~= "" then
    body = '{"TableName":"' .. bench.table .. '","IndexName":"' .. index ..
      '","KeyConditionExpression":"gpk = :p","ExpressionAttributeValues":{":p":{"S":"g' .. p ..
      '"}},"Limit":' .. page .. '}'
  else
    body = '{"TableName":"' .. bench.table ..
      '","KeyConditionExpression":"pk = :p","ExpressionAttributeValues":{":p":{"S":"q' .. p ..
      '"}},"Limit":' .. page .. '}'
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  if status ~= 200 or not string.find(body, full_page) then
    check_failures_n = check_failures_n + 1
  end
end
