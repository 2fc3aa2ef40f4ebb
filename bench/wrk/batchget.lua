-- wrk script: DynamoDB BatchGetItem (JSON 1.0) of 100 distinct existing keys of BenchQuery
-- (pre-filled by bench/run: partitions q<p>, p in 0..BENCH_PARTITIONS-1, sort keys
-- 0..BENCH_PER_PARTITION-1). A reply without all 100 items, or with UnprocessedKeys left,
-- counts as err_check.
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local parts = tonumber(os.getenv("BENCH_PARTITIONS") or "20")
local per = tonumber(os.getenv("BENCH_PER_PARTITION") or "110")

function init(args)
  bench.dynamo_headers("BatchGetItem")
  math.randomseed(os.time() * 100 + id)
end

function request()
  -- Key j: partition j % parts, sort key (r + j // parts) % per: distinct while 100 / parts <= per.
  local r = math.random(0, per - 1)
  local keys = {}
  for j = 0, 99 do
    keys[j + 1] = '{"pk":{"S":"q' .. (j % parts) .. '"},"sk":{"N":"' ..
      ((r + math.floor(j / parts)) % per) .. '"}}'
  end
  return wrk.format(nil, nil, nil, '{"RequestItems":{"' .. bench.table .. '":{"Keys":[' ..
    table.concat(keys, ",") .. ']}}}')
end

function response(status, headers, body)
  local _, items = string.gsub(body, '"payload"', "")
  if status ~= 200 or items ~= 100 or not string.find(body, '"UnprocessedKeys":%s*{}') then
    check_failures_n = check_failures_n + 1
  end
end
