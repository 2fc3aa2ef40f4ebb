#!/usr/bin/env python3
"""Functions benchmark (issue 12): the half of the pattern that runs after the data is saved.

  (a) latency: PutItem acknowledged -> a warm Python Lambda handler invoked with its record,
      p50/p99, at a steady rate (one record per batch, as a quiet table delivers them);
  (b) throughput: records per second through a Python batch function (BatchSize 100) over the
      Runtime API, a mapping created with TRIM_HORIZON on a table already holding the records;
  (c) cold start: the first Invoke of a new Python and a new Node.js function (spawn, bootstrap,
      import, first answer), measured at the client.

The handler stamps time.time_ns() (CLOCK_REALTIME, the same clock as this script) into a file;
the function is declared in a native stack (a) or created through the Lambda API (b, c), so both
paths are measured. Rounds are interleaved and medians reported (this machine is noisy).

No peer runs these locally: moto's Lambda needs Docker (none here), dynalite has no Lambda, and
`sam local` has no stream triggers; the table compares with the issue's floors instead.

Usage: bench/functions [--rounds 3] [--latency-count 400] [--records 20000]
Exit code: 0 ok, 1 a measurement failed, 2 a floor not met.
"""

import argparse
import base64
import http.client
import io
import json
import os
import statistics
import sys
import tempfile
import textwrap
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (BENCH_DIR, Server, dynamo_call, fake_auth_headers, git_commit, loadavg,  # noqa: E402
                     log)

FLOORS = {  # (metric, bound, "le"/"ge")
    'latency_p50_ms': (2.0, 'le'),
    'latency_p99_ms': (20.0, 'le'),
    'records_per_s': (20000.0, 'ge'),
    'cold_python_ms': (150.0, 'le'),
    'cold_node_ms': (150.0, 'le'),
}

PROBE_PY = textwrap.dedent('''\
    import os, time
    _out = open(os.environ['BENCH_OUT'], 'a', buffering=1)

    def handler(event, context):
        now = time.time_ns()
        for r in event['Records']:
            _out.write('%s %d\\n' % (r['dynamodb']['Keys']['pk']['S'], now))
        return None
''')

COUNT_PY = textwrap.dedent('''\
    import os, time
    _out = open(os.environ['BENCH_OUT'], 'a', buffering=1)

    def handler(event, context):
        _out.write('%d %d\\n' % (len(event['Records']), time.time_ns()))
        return None
''')

HELLO_PY = 'def handler(event, context):\n    return {"ok": True}\n'
HELLO_NODE = 'exports.handler = async (event) => ({ ok: true });\n'


def zip_of(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w', zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return base64.b64encode(buf.getvalue()).decode()


def lambda_call(port, method, path, body=None, headers=None, timeout=30):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        h = {'Content-Type': 'application/json'}
        h.update(fake_auth_headers())
        h.update(headers or {})
        conn.request(method, path, body=None if body is None else
                     (body if isinstance(body, (bytes, str)) else json.dumps(body)), headers=h)
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, data, dict(resp.getheaders())
    finally:
        conn.close()


def create_function(port, name, runtime, files, handler, env=None, timeout=30):
    body = {'FunctionName': name, 'Runtime': runtime, 'Handler': handler,
            'Role': 'arn:aws:iam::000000000000:role/bench', 'Timeout': timeout,
            'Code': {'ZipFile': zip_of(files)}}
    if env:
        body['Environment'] = {'Variables': env}
    status, data, _ = lambda_call(port, 'POST', '/2015-03-31/functions', body)
    if status not in (200, 201):
        raise RuntimeError('CreateFunction %s: %s %s' % (name, status, data[:300]))


def percentile(values, p):
    values = sorted(values)
    if not values:
        return None
    k = min(len(values) - 1, max(0, -(-p * len(values) // 100) - 1))
    return values[int(k)]


def read_lines(path):
    try:
        with open(path) as f:
            return [line.split() for line in f if line.strip()]
    except FileNotFoundError:
        return []


def bench_latency(workdir, args):
    code = os.path.join(workdir, 'probe')
    os.makedirs(code, exist_ok=True)
    with open(os.path.join(code, 'app.py'), 'w') as f:
        f.write(PROBE_PY)
    out = os.path.join(workdir, 'latency-%d.out' % time.monotonic_ns())
    stack = os.path.join(workdir, 'latency-stack.yaml')
    with open(stack, 'w') as f:
        f.write(textwrap.dedent('''\
            name: bench-functions
            tables:
              BenchFn: {partitionKey: pk, stream: NEW_IMAGE}
            functions:
              Probe:
                runtime: python3.12
                handler: app.handler
                code: ./probe
                timeout: 30
                environment: {BENCH_OUT: %s}
            events:
              - function: Probe
                table: BenchFn
                startingPosition: LATEST
                batchSize: 100
            ''' % out))
    srv = Server('streamer', workdir, stack=stack)
    try:
        srv.start()
        conn = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=10)
        # Warm the worker: the first record pays the cold start.
        dynamo_call(srv.port, 'PutItem', {'TableName': 'BenchFn', 'Item': {'pk': {'S': 'warm'}}}, conn=conn)
        deadline = time.monotonic() + 20
        while not any(l[0] == 'warm' for l in read_lines(out)):
            if time.monotonic() > deadline:
                raise RuntimeError('the warm-up record never reached the handler')
            time.sleep(0.01)
        acks = {}
        for i in range(args.latency_count):
            key = 'k%d' % i
            status, body = dynamo_call(srv.port, 'PutItem', {'TableName': 'BenchFn', 'Item': {
                'pk': {'S': key}, 'v': {'S': 'x' * 100}}}, conn=conn)
            acks[key] = time.time_ns()
            if status != 200:
                raise RuntimeError('PutItem: %s %s' % (status, body))
            time.sleep(1.0 / args.latency_rate)
        deadline = time.monotonic() + 20
        seen = {}
        while time.monotonic() < deadline:
            seen = {l[0]: int(l[1]) for l in read_lines(out)}
            if all(k in seen for k in acks):
                break
            time.sleep(0.05)
        lat = [(seen[k] - t) / 1e6 for k, t in acks.items() if k in seen]
        missing = len(acks) - len(lat)
        return {'latency_p50_ms': percentile(lat, 50), 'latency_p99_ms': percentile(lat, 99),
                'latency_missing': missing}
    finally:
        srv.stop()


def bench_throughput(workdir, args):
    out = os.path.join(workdir, 'count-%d.out' % time.monotonic_ns())
    srv = Server('streamer', workdir)
    try:
        srv.start()
        conn = http.client.HTTPConnection('127.0.0.1', srv.port, timeout=30)
        status, body = dynamo_call(srv.port, 'CreateTable', {
            'TableName': 'BenchCount', 'BillingMode': 'PAY_PER_REQUEST',
            'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'}],
            'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'}],
            'StreamSpecification': {'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'}}, conn=conn)
        if status != 200:
            raise RuntimeError('CreateTable: %s %s' % (status, body))
        stream_arn = body['TableDescription']['LatestStreamArn']
        for start in range(0, args.records, 25):
            reqs = [{'PutRequest': {'Item': {'pk': {'S': 'r%d' % i}, 'v': {'S': 'x' * 100}}}}
                    for i in range(start, min(args.records, start + 25))]
            status, body = dynamo_call(srv.port, 'BatchWriteItem', {'RequestItems': {'BenchCount': reqs}}, conn=conn)
            if status != 200 or body.get('UnprocessedItems'):
                raise RuntimeError('BatchWriteItem: %s %s' % (status, str(body)[:200]))
        create_function(srv.port, 'Counter', 'python3.12', {'app.py': COUNT_PY}, 'app.handler',
                        env={'BENCH_OUT': out})
        status, data, _ = lambda_call(srv.port, 'POST', '/2015-03-31/event-source-mappings/', {
            'FunctionName': 'Counter', 'EventSourceArn': stream_arn, 'BatchSize': 100,
            'StartingPosition': 'TRIM_HORIZON'})
        if status not in (200, 202):
            raise RuntimeError('CreateEventSourceMapping: %s %s' % (status, data[:300]))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            lines = read_lines(out)
            if sum(int(l[0]) for l in lines) >= args.records:
                break
            time.sleep(0.05)
        lines = read_lines(out)
        total = sum(int(l[0]) for l in lines)
        if total < args.records or len(lines) < 2:
            raise RuntimeError('only %d of %d records reached the function' % (total, args.records))
        # From the end of the first batch to the end of the last: the batches in between.
        span = (int(lines[-1][1]) - int(lines[0][1])) / 1e9
        return {'records_per_s': (total - int(lines[0][0])) / span if span > 0 else None,
                'batches': len(lines)}
    finally:
        srv.stop()


def bench_cold_start(workdir, args):
    srv = Server('streamer', workdir)
    res = {}
    try:
        srv.start()
        # A variable the interpreter reads only at start: no spare started before the function
        # fits, so its first Invoke waits for an interpreter started at CreateFunction.
        for label, runtime, files, handler, env in (
                ('python', 'python3.12', {'app.py': HELLO_PY}, 'app.handler', None),
                ('node', 'nodejs20.x', {'index.js': HELLO_NODE}, 'index.handler', None),
                ('python_fresh', 'python3.12', {'app.py': HELLO_PY}, 'app.handler',
                 {'PYTHONDONTWRITEBYTECODE': '1'}),
                ('node_fresh', 'nodejs20.x', {'index.js': HELLO_NODE}, 'index.handler',
                 {'NODE_NO_WARNINGS': '1'})):
            colds, warms = [], []
            for i in range(args.cold_runs):
                name = 'cold-%s-%d' % (label.replace('_', '-'), i)
                create_function(srv.port, name, runtime, files, handler, env=env)
                for kind in ('cold', 'warm'):
                    t0 = time.monotonic()
                    status, data, headers = lambda_call(srv.port, 'POST',
                                                        '/2015-03-31/functions/%s/invocations' % name, b'{}')
                    took = (time.monotonic() - t0) * 1000
                    if status != 200 or 'X-Amz-Function-Error' in headers:
                        raise RuntimeError('Invoke %s: %s %s' % (name, status, data[:300]))
                    (colds if kind == 'cold' else warms).append(took)
            res['cold_%s_ms' % label] = statistics.median(colds)
            res['warm_%s_ms' % label] = statistics.median(warms)
        return res
    finally:
        srv.stop()


def fmt(v):
    if v is None:
        return '-'
    return '%.2f' % v if v < 100 else '%.0f' % v


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--latency-count', type=int, default=400)
    p.add_argument('--latency-rate', type=float, default=200.0, help='PutItems per second in (a)')
    p.add_argument('--records', type=int, default=20000)
    p.add_argument('--cold-runs', type=int, default=3)
    p.add_argument('--out', help='write the markdown here instead of bench/results/')
    args = p.parse_args()
    workdir = tempfile.mkdtemp(prefix='streamer-bench-fn-')
    load_start = loadavg()
    rounds, errors = [], []
    for n in range(args.rounds):
        r = {}
        for what in (bench_latency, bench_throughput, bench_cold_start):
            log('--- round %d/%d: %s (load average %s)' % (n + 1, args.rounds, what.__name__, loadavg()))
            try:
                r.update(what(workdir, args))
            except Exception as err:  # one part failing must not hide the others
                errors.append('round %d, %s: %s: %s' % (n + 1, what.__name__, type(err).__name__, err))
                log('ERROR ' + errors[-1])
        log('round %d: %s' % (n + 1, json.dumps({k: round(v, 2) if isinstance(v, float) else v
                                                  for k, v in r.items()})))
        rounds.append(r)
    rows = [('(a) write ack -> warm Python handler, p50 (ms)', 'latency_p50_ms'),
            ('(a) write ack -> warm Python handler, p99 (ms)', 'latency_p99_ms'),
            ('(b) records/s, Python batch function, BatchSize 100', 'records_per_s'),
            ('(c) cold start, Python, first Invoke (ms)', 'cold_python_ms'),
            ('(c) cold start, Node.js, first Invoke (ms)', 'cold_node_ms'),
            ('    cold start, Python, function with its own startup variable (ms)', 'cold_python_fresh_ms'),
            ('    cold start, Node.js, function with its own startup variable (ms)', 'cold_node_fresh_ms'),
            ('    warm Invoke, Python (ms)', 'warm_python_ms'),
            ('    warm Invoke, Node.js (ms)', 'warm_node_ms')]
    floor_ok = True
    md = ['# Functions benchmark', '',
          'commit %s, %s, %d rounds, load average %s -> %s' % (
              git_commit(), time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()), args.rounds,
              load_start, loadavg()), '',
          '| metric | median | per round | floor | ok |', '|---|---|---|---|---|']
    for label, key in rows:
        vals = [r.get(key) for r in rounds]
        got = [v for v in vals if v is not None]
        med = statistics.median(got) if got else None
        floor = FLOORS.get(key)
        ok = ''
        if floor:
            bound, how = floor
            good = med is not None and (med <= bound if how == 'le' else med >= bound)
            floor_ok &= good
            ok = 'yes' if good else 'NO'
        md.append('| %s | %s | %s | %s | %s |' % (label, fmt(med), ' / '.join(fmt(v) for v in vals),
                                                 ('%s %s' % ('<=' if floor[1] == 'le' else '>=', fmt(floor[0])))
                                                 if floor else '', ok))
    missing = [r.get('latency_missing') for r in rounds]
    md += ['', '- (a): %d PutItems per round at %.0f/s after a warm-up record; records that never '
           'arrived per round: %s' % (args.latency_count, args.latency_rate, missing),
           '- (b): %d records preloaded; a mapping created through the Lambda API with TRIM_HORIZON; '
           'rate over the batches after the first' % args.records,
           '- (c): median of %d new functions each, created through the Lambda API; the warm '
           'Invoke is the second call. A cold start takes a pre-started interpreter (a spare, '
           'docs/ARCHITECTURE.md) when the function allows it; "its own startup variable" sets a '
           'variable read only at start (PYTHONDONTWRITEBYTECODE / NODE_NO_WARNINGS), so no shared '
           'spare fits: its interpreter starts when CreateFunction answers and the first Invoke '
           '(sent right after) waits for it, about the cost of a fresh process' % args.cold_runs,
           '- No peer runs stream-triggered functions locally (moto: needs Docker; dynalite: no '
           'Lambda; sam local: no stream triggers), so the floors of the issue are the comparison.']
    if errors:
        md += ['', 'Errors:'] + ['- ' + e for e in errors]
    text = '\n'.join(md) + '\n'
    results = os.path.join(BENCH_DIR, 'results')
    os.makedirs(results, exist_ok=True)
    paths = [args.out] if args.out else [os.path.join(results, 'functions-latest.md'),
                                         os.path.join(results, 'functions-%s-%s.md' % (
                                             time.strftime('%Y%m%d-%H%M'), git_commit()))]
    for path in paths:
        with open(path, 'w') as f:
            f.write(text)
    print(text)
    if errors:
        return 1
    return 0 if floor_ok else 2


if __name__ == '__main__':
    sys.exit(main())
