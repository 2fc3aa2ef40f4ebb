-- wrk script: raw PutItem of the seed's own item ({"message": "<unique>"}) into
-- TheDynamoStreamer, whose stream feeds the log function: the same work /InsertItem asks
-- for, without the gateway (bench/gateway's like-for-like baseline).
dofile((os.getenv("BENCH_DIR") or ".") .. "/wrk/common.lua")

local counter = 0

function init(args)
  bench.dynamo_headers("PutItem")
end

function request()
  counter = counter + 1
  return wrk.format(nil, nil, nil, '{"TableName":"TheDynamoStreamer","Item":{"message":{"S":"' ..
    bench.run .. "-t" .. id .. "-" .. counter .. '"}}}')
end
