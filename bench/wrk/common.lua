-- Shared by the wrk scripts here (loaded with dofile; BENCH_DIR names this folder).
-- Env: BENCH_TABLE (default BenchTable), BENCH_RUN (key prefix, default "r").

bench = {}
bench.table = os.getenv("BENCH_TABLE") or "BenchTable"
bench.run = os.getenv("BENCH_RUN") or "r"

-- Every thread gets its own id (for unique keys and its own random seed); done() reads
-- the threads' counters back.
local next_id = 0
local threads = {}
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- JSON 1.0 headers for one DynamoDB action. Well-formed but unsigned SigV4:
-- dynalite checks the shape, nobody here checks the signature.
function bench.dynamo_headers(action)
  local amz_date = os.date("!%Y%m%dT%H%M%SZ")
  wrk.method = "POST"
  wrk.path = "/"
  wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
  wrk.headers["X-Amz-Target"] = "DynamoDB_20120810." .. action
  wrk.headers["X-Amz-Date"] = amz_date
  wrk.headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=AKIDBENCH/" ..
    string.sub(amz_date, 1, 8) .. "/us-east-1/dynamodb/aws4_request, " ..
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" .. string.rep("0", 64)
end

-- Scripts that check response bodies count failures in the global check_failures_n
-- (reported as err_check; wrk's own err_status only counts statuses > 399).
check_failures_n = 0

-- One line "BENCH_JSON {...}": throughput, latency percentiles (us), errors.
-- wrk calls done() in its main Lua state, so per-thread counters are read with thread:get.

function done(summary, latency, requests)
  local e = summary.errors
  local check = 0
  for _, t in ipairs(threads) do
    check = check + (tonumber(t:get("check_failures_n")) or 0)
  end
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"rps":%.1f,"p50_us":%d,"p90_us":%d,' ..
    '"p99_us":%d,"max_us":%d,"err_connect":%d,"err_read":%d,"err_write":%d,' ..
    '"err_status":%d,"err_timeout":%d,"err_check":%d}\n',
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, check))
end
