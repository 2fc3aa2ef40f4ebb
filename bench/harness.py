"""Shared by bench/bench.py (bench/run) and bench/perf_profile.py (bench/profile): the servers under
test, raw DynamoDB JSON 1.0 calls, table setup and wrk runs."""

import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH_DIR)
STREAMER_BIN = os.environ.get('STREAMER_BIN', os.path.join(ROOT, 'build', 'release', 'streamer'))
DYNALITE_CLI = os.path.join(BENCH_DIR, 'node_modules', 'dynalite', 'cli.js')
SEED_STACK = os.path.join(ROOT, 'examples', 'seed', 'stack.yaml')
TABLE = 'BenchTable'
GET_KEY_PREFIX = 'g-'

FAKE_ENV = {'AWS_ACCESS_KEY_ID': 'AKIDBENCH', 'AWS_SECRET_ACCESS_KEY': 'bench',
            'AWS_DEFAULT_REGION': 'us-east-1', 'AWS_CONFIG_FILE': '/nonexistent',
            'AWS_SHARED_CREDENTIALS_FILE': '/nonexistent'}

# Two gateway routes whose response template loops LOOP times building a string. /HeavyPut
# writes an item first (its reply is produced when the write's commit completes); /HeavyMock
# renders the same template without a write: the control with the same CPU cost per reply.
HEAVY_TEMPLATE = ('#set($s = "")#foreach($i in [1..{loop}])#set($s = "$s$i,")#end'
                  '{{"len": $s.length()}}')
HEAVY_ROUTES = '''
      # --- added by bench/harness.py: routes with a response template that loops a lot
      POST /HeavyPut:
        integration: dynamodb:PutItem
        passthrough: NEVER
        requestTemplates:
          application/json: >-
            {{"TableName":"{table}","Item":{{"pk":{{"S":"$input.path('$.id')"}}}}}}
        responses:
          - status: 200
            templates:
              application/json: '{template}'
      POST /HeavyMock:
        integration: mock
        requestTemplates:
          application/json: '{{"statusCode": 200}}'
        responses:
          - status: 200
            templates:
              application/json: '{template}'
'''


def log(msg):
    print('[bench %s] %s' % (time.strftime('%H:%M:%S'), msg), file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def loadavg():
    with open('/proc/loadavg') as f:
        return ' '.join(f.read().split()[:3])


def git_commit():
    return subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'],
                          capture_output=True, text=True).stdout.strip() or '?'


def write_bench_stack(path, loop):
    """The seed stack (so POST /InsertItem is the seed's route) plus the two heavy routes,
    appended to the seed API's routes (the seed file ends inside that mapping)."""
    with open(SEED_STACK) as f:
        seed = f.read()
    tail = [l for l in seed.splitlines() if l.strip()][-1]
    if not tail.startswith(' ' * 8) or '\n    routes:\n' not in seed:
        raise RuntimeError('%s no longer ends inside its API routes; update HEAVY_ROUTES'
                           % SEED_STACK)
    template = HEAVY_TEMPLATE.format(loop=loop)
    with open(path, 'w') as f:
        f.write(seed.rstrip('\n') + '\n' + HEAVY_ROUTES.format(table=TABLE, template=template))


def moto_command():
    """How to start moto's server, or None: this python's moto, else moto_server on PATH."""
    probe = subprocess.run([sys.executable, '-c', 'import moto.server'], capture_output=True)
    if probe.returncode == 0:
        return [sys.executable, '-m', 'moto.server']
    exe = shutil.which('moto_server')
    return [exe] if exe else None


def fake_auth_headers():
    now = datetime.datetime.now(datetime.timezone.utc)
    amz_date = now.strftime('%Y%m%dT%H%M%SZ')
    return {'X-Amz-Date': amz_date,
            'Authorization': 'AWS4-HMAC-SHA256 Credential=AKIDBENCH/%s/us-east-1/dynamodb/'
                             'aws4_request, SignedHeaders=content-type;host;x-amz-date;'
                             'x-amz-target, Signature=%s' % (amz_date[:8], '0' * 64)}


def dynamo_call(port, op, body, timeout=5.0, conn=None):
    """One raw DynamoDB JSON 1.0 call; returns (status, parsed body). `conn` is reused if given."""
    headers = {'Content-Type': 'application/x-amz-json-1.0',
               'X-Amz-Target': 'DynamoDB_20120810.' + op}
    headers.update(fake_auth_headers())
    own = conn is None
    if own:
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        conn.request('POST', '/', body=json.dumps(body), headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        try:
            return resp.status, json.loads(data or b'{}')
        except ValueError:
            return resp.status, {'raw': data[:200]}
    finally:
        if own:
            conn.close()


def http_get_status(port, path):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=1)
    try:
        conn.request('GET', path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


class Server:
    """One server process under test; `kind` is streamer | dynalite | dynalite-mem | moto."""

    def __init__(self, kind, workdir, stdout_pipe=False, stack=None, moto_cmd=None):
        self.kind = kind
        self.port = free_port()
        self.gateway_port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix=kind + '-', dir=workdir)
        self.log_path = os.path.join(workdir, '%s-%d.log' % (kind, self.port))
        self.stdout_pipe = stdout_pipe
        self.stack = stack
        self.moto_cmd = moto_cmd
        self.proc = None

    def command(self):
        if self.kind == 'streamer':
            cmd = [STREAMER_BIN, 'serve']
            if self.stack:
                cmd.append(self.stack)
            return cmd + ['--data', self.data_dir, '--port', str(self.port),
                          '--gateway-port', str(self.gateway_port), '--durability', 'fsync']
        if self.kind in ('dynalite', 'dynalite-mem'):
            cmd = ['node', DYNALITE_CLI, '--port', str(self.port), '--createTableMs', '20']
            if self.kind == 'dynalite':
                cmd += ['--path', self.data_dir]  # on-disk LevelDB store, for a fair comparison
            return cmd
        if self.kind == 'moto':
            return self.moto_cmd + ['-H', '127.0.0.1', '-p', str(self.port)]
        raise ValueError(self.kind)

    def ready(self):
        try:
            if self.kind == 'streamer':
                return http_get_status(self.port, '/health') == 200
            status, _ = dynamo_call(self.port, 'ListTables', {}, timeout=5)
            return status == 200
        except OSError:
            return False

    def start(self, timeout=60.0):
        """Start and wait until ready; returns seconds from spawn to ready."""
        env = dict(os.environ)
        env.update(FAKE_ENV)
        logf = open(self.log_path, 'ab')
        stdout = subprocess.PIPE if self.stdout_pipe else logf
        t0 = time.monotonic()
        self.proc = subprocess.Popen(self.command(), stdout=stdout, stderr=logf,
                                     stdin=subprocess.DEVNULL, env=env)
        logf.close()
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError('%s exited with %s during startup; see %s'
                                   % (self.kind, self.proc.returncode, self.log_path))
            if self.ready():
                return time.monotonic() - t0
            time.sleep(0.002)
        raise RuntimeError('%s not ready after %.0fs' % (self.kind, timeout))

    def peak_rss_mib(self):
        with open('/proc/%d/status' % self.proc.pid) as f:
            for line in f:
                if line.startswith('VmHWM:'):
                    return int(line.split()[1]) / 1024.0
        return None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.data_dir, ignore_errors=True)


QUERY_TABLE = 'BenchQuery'   # pk S + sk N, GSI byGroup (gpk S + gsk N): the Query runs
QUERY_INDEX = 'byGroup'
GSI_TABLE = 'BenchGsi'       # pk S, GSI byG (g S): PutItem with one GSI
PLAIN_TABLE = 'BenchPlain'   # pk S, no index: the same PutItem without the GSI
TXN_TABLE = 'BenchTxn'       # pk S, starts empty: TransactWriteItems (moto copies the whole
                             # table per transaction, so a big table would measure only that)


def create_table(port, table=TABLE, range_key=None, indexes=(), stream=True):
    """Creates `table` (pk S, and `range_key` (name, type) if given; `indexes`: a list of
    (IndexName, [(attr, type), ...]) GSIs, projection ALL) and waits until it is ACTIVE.
    BenchTable has a NEW_IMAGE stream, like the seed's table."""
    attrs = {'pk': 'S'}
    schema = [{'AttributeName': 'pk', 'KeyType': 'HASH'}]
    if range_key:
        attrs[range_key[0]] = range_key[1]
        schema.append({'AttributeName': range_key[0], 'KeyType': 'RANGE'})
    body = {'TableName': table, 'KeySchema': schema, 'BillingMode': 'PAY_PER_REQUEST'}
    gsis = []
    for name, keys in indexes:
        for attr, typ in keys:
            attrs[attr] = typ
        gsis.append({'IndexName': name, 'Projection': {'ProjectionType': 'ALL'},
                     'KeySchema': [{'AttributeName': a, 'KeyType': k}
                                   for (a, _), k in zip(keys, ('HASH', 'RANGE'))]})
    if gsis:
        body['GlobalSecondaryIndexes'] = gsis
    body['AttributeDefinitions'] = [{'AttributeName': n, 'AttributeType': t}
                                    for n, t in attrs.items()]
    if stream:
        body['StreamSpecification'] = {'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'}
    status, body = dynamo_call(port, 'CreateTable', body)
    if status != 200:
        raise RuntimeError('CreateTable %s: HTTP %d %s' % (table, status, body))
    deadline = time.monotonic() + 30
    while True:
        status, body = dynamo_call(port, 'DescribeTable', {'TableName': table})
        desc = body.get('Table', {}) if status == 200 else {}
        if (desc.get('TableStatus') == 'ACTIVE'
                and all(i.get('IndexStatus', 'ACTIVE') == 'ACTIVE'
                        for i in desc.get('GlobalSecondaryIndexes', []))):
            return
        if time.monotonic() > deadline:
            raise RuntimeError('table %s not ACTIVE after 30s (%d %s)' % (table, status, body))
        time.sleep(0.02)


def settle(port, timeout=120.0):
    """Waits until the server answers a ListTables quickly again: a slow peer (moto) may still
    be working off the previous wrk run's backlog, which would starve the next run."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            t0 = time.monotonic()
            status, _ = dynamo_call(port, 'ListTables', {}, timeout=timeout)
            if status == 200 and time.monotonic() - t0 < 0.5:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError('server not answering ListTables after %.0fs' % timeout)
        time.sleep(0.1)


def supports(port, op, body):
    """Whether the server implements `op` (anything but UnknownOperationException)."""
    status, out = dynamo_call(port, op, body, timeout=60)
    return not (status == 400 and str(out.get('__type', '')).endswith('UnknownOperationException'))


def prefill(port, count, workers=8):
    """Writes items GET_KEY_PREFIX + 0..count-1 (100-byte payload) into BenchTable for the
    GetItem run; returns how ('BatchWriteItem' or 'PutItem')."""
    return prefill_items(port, TABLE, [
        {'pk': {'S': '%s%d' % (GET_KEY_PREFIX, i)}, 'payload': {'S': 'p' * 100}}
        for i in range(count)], workers)


def query_items(partitions, per_partition):
    """BenchQuery's items: partition q<p> (GSI partition g<p>), sort keys 0..per_partition-1."""
    return [{'pk': {'S': 'q%d' % p}, 'sk': {'N': str(i)}, 'gpk': {'S': 'g%d' % p},
             'gsk': {'N': str(i)}, 'payload': {'S': 'p' * 100}}
            for p in range(partitions) for i in range(per_partition)]


def prefill_items(port, table, items, workers=8):
    """Writes `items` into `table` over `workers` connections: BatchWriteItem (25 a call)
    where the server has it, else PutItem. Returns how."""
    first = items[:25]
    status, body = dynamo_call(port, 'BatchWriteItem', {'RequestItems': {table: [
        {'PutRequest': {'Item': it}} for it in first]}})
    batch = status == 200 and not body.get('UnprocessedItems')
    rest = items[len(first):] if batch else items
    errors = []

    def worker(w):
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
        try:
            if batch:
                for c in range(w * 25, len(rest), workers * 25):
                    req = {table: [{'PutRequest': {'Item': it}} for it in rest[c:c + 25]]}
                    for _ in range(20):
                        st, b = dynamo_call(port, 'BatchWriteItem', {'RequestItems': req}, conn=conn)
                        if st != 200:
                            raise RuntimeError('BatchWriteItem: HTTP %d %s' % (st, b))
                        req = b.get('UnprocessedItems') or {}
                        if not req:
                            break
                    else:
                        raise RuntimeError('BatchWriteItem: items still unprocessed')
            else:
                for i in range(w, len(rest), workers):
                    st, b = dynamo_call(port, 'PutItem', {'TableName': table, 'Item': rest[i]},
                                        conn=conn)
                    if st != 200:
                        raise RuntimeError('PutItem: HTTP %d %s' % (st, b))
        except Exception as err:  # reported by the caller
            errors.append(err)
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError('prefill %s: %s' % (table, errors[0]))
    return 'BatchWriteItem' if batch else 'PutItem'


class Wrk:
    """One wrk run in the background; result() waits and returns the BENCH_JSON dict with
    'errors' = every error count added up (socket, status > 399, failed body checks)."""

    def __init__(self, url, script, threads, connections, duration, run_id, env=None):
        e = dict(os.environ, BENCH_TABLE=TABLE, BENCH_RUN=run_id, BENCH_DIR=BENCH_DIR)
        e.update(env or {})
        # --timeout 10s: wrk's 2 s default would drop a slow peer's slowest replies from the
        # latency percentiles (they count as timeouts instead).
        cmd = ['wrk', '-t%d' % threads, '-c%d' % connections, '-d%ds' % duration,
               '--timeout', '10s', '--latency', '-s', os.path.join(BENCH_DIR, 'wrk', script), url]
        self.timeout = duration + 60
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=e)

    def result(self):
        try:
            out, err = self.proc.communicate(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        for line in out.splitlines():
            if line.startswith('BENCH_JSON '):
                res = json.loads(line[len('BENCH_JSON '):])
                res['errors'] = sum(v for k, v in res.items() if k.startswith('err_'))
                return res
        raise RuntimeError('wrk gave no result (rc %s): %s %s'
                           % (self.proc.returncode, out[-500:], err[-500:]))


def run_wrk(url, script, threads, connections, duration, run_id, env=None):
    return Wrk(url, script, threads, connections, duration, run_id, env).result()


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None
