-- wrk script: DynamoDB PutItem (JSON 1.0) with a unique key per request.
-- Env: BENCH_TABLE (default BenchTable), BENCH_RUN (key prefix, default "r").
-- Prints one line "BENCH_JSON {...}" with throughput, latency percentiles (us) and errors.

local tbl = os.getenv("BENCH_TABLE") or "BenchTable"
local run = os.getenv("BENCH_RUN") or "r"
local payload = string.rep("p", 100)
local next_id = 0
local counter = 0

function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
end

function init(args)
  local amz_date = os.date("!%Y%m%dT%H%M%SZ")
  wrk.method = "POST"
  wrk.path = "/"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
  wrk.headers["X-Amz-Target"] = "DynamoDB_20120810.PutItem"
  wrk.headers["X-Amz-Date"] = amz_date
  -- Well-formed but unsigned: dynalite checks the shape, nobody here checks the signature.
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/" ..
    string.sub(amz_date, 1, 8) .. "/us-east-1/dynamodb/aws4_request, " ..
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
end

function request()
  counter = counter + 1
  local body = '{"TableName":"' .. tbl .. '","Item":{"pk":{"S":"' .. run .. "-t" .. id .. "-" ..
    counter .. '"},"payload":{"S":"' .. payload .. '"}}}'
  return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,' ..
    '"err_status":%d,"err_timeout":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
