#!/usr/bin/env python3
"""Crash test: kill -9 the server under write load; no acknowledged write or stream record may be lost.

The server runs a stack: table CrashTest (stream NEW_AND_OLD_IMAGES) and an event source mapping
that feeds its stream to a slow `exec` function appending every record it is given to a file.
Each cycle:
  1. start (or restart) `streamer` on the same data dir, with the cycle's `--shards` (the shard
     count changes across cycles, e.g. 4, 1, 3, 2: a table's stream keeps its old shards,
     closed, and continues in child shards),
  2. several threads PutItem into table CrashTest:
     unique keys `c{cycle}-k{thread}-{n}`, and shared keys `shared-{j}` whose attribute `ver`
     increases with every write (writes to one shared key are serialized by a client-side
     lock, so their commit order is the version order),
  3. SIGKILL at a random moment 0.5-2 s into the load, while the function is running a batch
     (mid-batch: delivered, not yet checkpointed),
  4. restart on the same data dir (with the next cycle's shard count) and check, for every
     cycle so far:
     - every acknowledged write is readable with GetItem (shared keys: stored version >= the
       last acknowledged one and <= the last attempted one),
     - the stream (DescribeStream: every shard, parents before children by ParentShardId,
       each from TRIM_HORIZON) holds every acknowledged write exactly once, no change twice,
       nothing that was never attempted; per key, across the shard lineage, the versions
       increase and each record's OldImage is the previous record's NewImage; sequence numbers
       increase within each shard,
     - once the mapping has caught up: every stream record was delivered to the function at
       least once, none skipped; per key the first deliveries come in version order; nothing
       was delivered that is not in the stream (a function never sees a change a crash took
       back).

Exit code 0 when every cycle passes, 1 with a message naming each violation otherwise.
Usage: crash_test.py [--cycles 3] [--threads 4] [--shards 4,1,3,2] [--seed N]
                     [--durability fsync|wal]
"""

import argparse
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'blackbox'))
from harness import StackDir, Streamer  # noqa: E402

from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402

TABLE = 'CrashTest'
SHARED_KEYS = 8
PAYLOAD = 'x' * 64
BATCH_SIZE = 100

STACK = """
name: crash-test
tables:
  CrashTest:
    partitionKey: pk
    stream: NEW_AND_OLD_IMAGES
functions:
  Recorder:
    exec: ["python3", "recorder.py"]
    environment: {OUT: "%(out)s", SLEEP: "0.05"}
    timeout: 30
events:
  - function: Recorder
    table: CrashTest
    startingPosition: TRIM_HORIZON
    batchSize: %(batch)d
"""

# Appends one line per batch: [[key, ver, sequence number], ...], in one write(2), then sleeps
# so that a kill usually finds a batch delivered but not yet checkpointed. An event cut short
# (the server died writing it) is a failed invocation, as Lambda would see it.
RECORDER = r"""
import json, os, sys, time
try:
    event = json.loads(sys.stdin.read())
except ValueError:
    sys.exit('truncated event')
recs = [[r['dynamodb']['Keys']['pk']['S'], int(r['dynamodb']['NewImage']['ver']['N']),
         r['dynamodb']['SequenceNumber']] for r in event['Records']]
fd = os.open(os.environ['OUT'], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
os.write(fd, (json.dumps(recs) + '\n').encode())
os.close(fd)
time.sleep(float(os.environ['SLEEP']))
"""


class Violation(Exception):
    pass


class Ledger:
    """What the clients attempted and what the server acknowledged, across all cycles."""

    def __init__(self):
        self.lock = threading.Lock()
        self.attempted = set()      # (key, ver) sent at least once
        self.acked = set()          # (key, ver) answered with HTTP 200
        self.acked_unique = []      # unique keys acknowledged (ver is always 1)
        self.shared_locks = [threading.Lock() for _ in range(SHARED_KEYS)]
        self.shared_next = [1] * SHARED_KEYS       # next version to write
        self.shared_acked = [0] * SHARED_KEYS      # last acknowledged version
        self.errors_before_kill = []

    def attempt(self, key, ver):
        with self.lock:
            self.attempted.add((key, ver))

    def ack(self, key, ver):
        with self.lock:
            self.acked.add((key, ver))


class Load:
    """Writer threads; they stop at the first failed request (the server is gone) or on stop()."""

    def __init__(self, server, ledger, cycle, threads, rng_seed):
        self.server = server
        self.ledger = ledger
        self.cycle = cycle
        self.stop_flag = threading.Event()
        self.killed = threading.Event()
        self.clients = [server.client('dynamodb', connect_timeout=2, read_timeout=10)
                        for _ in range(threads)]
        self.threads = [threading.Thread(target=self._run, args=(i, rng_seed + i), daemon=True)
                        for i in range(threads)]
        self.counts = [0] * threads

    def start(self):
        for t in self.threads:
            t.start()

    def join(self, timeout=20):
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        if any(t.is_alive() for t in self.threads):
            raise Violation('writer threads still blocked %.0fs after the kill' % timeout)

    def _put(self, client, key, ver):
        self.ledger.attempt(key, ver)
        try:
            client.put_item(TableName=TABLE, Item={
                'pk': {'S': key}, 'ver': {'N': str(ver)}, 'payload': {'S': PAYLOAD}})
        except (BotoCoreError, ClientError, OSError) as err:
            if not self.killed.is_set():
                with self.ledger.lock:
                    self.ledger.errors_before_kill.append('%s v%d: %r' % (key, ver, err))
            return False
        self.ledger.ack(key, ver)
        return True

    def _run(self, index, seed):
        rng = random.Random(seed)
        client = self.clients[index]
        n = 0
        while not self.stop_flag.is_set():
            if rng.random() < 0.25:
                j = rng.randrange(SHARED_KEYS)
                with self.ledger.shared_locks[j]:
                    ver = self.ledger.shared_next[j]
                    self.ledger.shared_next[j] += 1
                    ok = self._put(client, 'shared-%d' % j, ver)
                    if ok:
                        self.ledger.shared_acked[j] = ver
            else:
                n += 1
                key = 'c%d-k%d-%d' % (self.cycle, index, n)
                ok = self._put(client, key, 1)
                if ok:
                    with self.ledger.lock:
                        self.ledger.acked_unique.append(key)
            if not ok:
                return
            self.counts[index] += 1


def ensure_table(server):
    ddb = server.client('dynamodb')
    if TABLE in ddb.list_tables().get('TableNames', []):
        return
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],
        AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],
        BillingMode='PAY_PER_REQUEST',
        StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'})
    deadline = time.monotonic() + 15
    while ddb.describe_table(TableName=TABLE)['Table']['TableStatus'] != 'ACTIVE':
        if time.monotonic() > deadline:
            raise Violation('table %s not ACTIVE after 15s' % TABLE)
        time.sleep(0.05)


def check_items(server, ledger, problems):
    """Every acknowledged write readable; shared keys at a version in [last acked, last sent]."""
    clients = [server.client('dynamodb') for _ in range(4)]

    def get(args):
        i, key = args
        resp = clients[i % len(clients)].get_item(TableName=TABLE, Key={'pk': {'S': key}},
                                                   ConsistentRead=True)
        item = resp.get('Item')
        return key, (int(item['ver']['N']) if item and 'ver' in item else None)

    keys = list(ledger.acked_unique) + ['shared-%d' % j for j in range(SHARED_KEYS)]
    with ThreadPoolExecutor(len(clients)) as pool:
        results = dict(pool.map(get, enumerate(keys)))
    missing = [k for k in ledger.acked_unique if results[k] != 1]
    if missing:
        problems.append('%d acknowledged items missing after restart, e.g. %s'
                        % (len(missing), missing[:5]))
    for j in range(SHARED_KEYS):
        key, got = 'shared-%d' % j, results['shared-%d' % j]
        lo, hi = ledger.shared_acked[j], ledger.shared_next[j] - 1
        if lo == 0 and got is None:
            continue
        if got is None or got < lo or got > hi:
            problems.append('%s: stored version %s, expected between last acknowledged %d '
                            'and last sent %d' % (key, got, lo, hi))
    return len(keys)


def read_stream(server):
    """All records of the table's stream(s), shards ordered parents first.

    Returns (records, depths): records a list of (shard_id, record), depths the number of
    ancestors of each shard (by ParentShardId, among the shards described)."""
    streams = server.client('dynamodbstreams')
    arns, start = [], None
    while True:
        kw = {'TableName': TABLE}
        if start:
            kw['ExclusiveStartStreamArn'] = start
        resp = streams.list_streams(**kw)
        arns += [s['StreamArn'] for s in resp.get('Streams', [])]
        start = resp.get('LastEvaluatedStreamArn')
        if not start:
            break
    if not arns:
        raise Violation('ListStreams returned no stream for %s' % TABLE)
    out, depths = [], {}
    for arn in arns:
        shards, start = [], None
        while True:
            kw = {'StreamArn': arn}
            if start:
                kw['ExclusiveStartShardId'] = start
            desc = streams.describe_stream(**kw)['StreamDescription']
            shards += desc.get('Shards', [])
            start = desc.get('LastEvaluatedShardId')
            if not start:
                break
        depths.update(lineage_depths(shards))
        for shard in order_parents_first(shards):
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                            ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            empty_pages = 0
            while it:
                resp = streams.get_records(ShardIterator=it, Limit=1000)
                recs = resp.get('Records', [])
                out += [(shard['ShardId'], r) for r in recs]
                it = resp.get('NextShardIterator')
                # An open shard never ends: stop once it runs dry (a second empty page in a row,
                # in case a server returns one empty page before the data). A closed shard
                # ends with no NextShardIterator.
                empty_pages = 0 if recs else empty_pages + 1
                if empty_pages >= 2:
                    break
    return out, depths


def lineage_depths(shards):
    """Shard id -> how many ancestors it has among `shards` (0 for a shard without a parent)."""
    parent = {s['ShardId']: s.get('ParentShardId') for s in shards}
    depths = {}
    for sid in parent:
        depth, p, seen = 0, parent[sid], {sid}
        while p in parent and p not in seen:
            seen.add(p)
            depth += 1
            p = parent[p]
        depths[sid] = depth
    return depths


def order_parents_first(shards):
    by_id = {s['ShardId']: s for s in shards}
    done, ordered = set(), []

    def visit(shard, depth=0):
        sid = shard['ShardId']
        if sid in done or depth > len(shards):
            return
        parent = shard.get('ParentShardId')
        if parent in by_id:
            visit(by_id[parent], depth + 1)
        done.add(sid)
        ordered.append(shard)

    for s in shards:
        visit(s)
    return ordered


def image_ver(image):
    if not image or 'ver' not in image:
        return None
    return int(image['ver']['N'])


def check_stream(server, ledger, problems):
    """Returns the stream's records of the table as a list of (key, ver)."""
    records, depths = read_stream(server)
    seen = {}            # (key, ver) -> count
    per_key = {}         # key -> list of (lineage depth, read index, old ver, new ver, eventName)
    last_seq = {}        # shard -> last sequence number
    shard_of = {}        # key -> shards its records are in (for messages)
    in_stream = []
    for index, (shard_id, rec) in enumerate(records):
        ddb = rec.get('dynamodb', {})
        seq = int(ddb.get('SequenceNumber', '0'))
        if shard_id in last_seq and seq <= last_seq[shard_id]:
            problems.append('shard %s: sequence number %d after %d' % (shard_id, seq,
                                                                        last_seq[shard_id]))
        last_seq[shard_id] = seq
        key = ddb.get('Keys', {}).get('pk', {}).get('S')
        if key is None:
            continue
        new_ver, old_ver = image_ver(ddb.get('NewImage')), image_ver(ddb.get('OldImage'))
        if rec.get('eventName') not in ('INSERT', 'MODIFY') or new_ver is None:
            problems.append('unexpected record for %s: %s NewImage ver %s'
                            % (key, rec.get('eventName'), new_ver))
            continue
        seen[(key, new_ver)] = seen.get((key, new_ver), 0) + 1
        in_stream.append((key, new_ver))
        per_key.setdefault(key, []).append((depths.get(shard_id, 0), index, old_ver, new_ver,
                                            rec['eventName']))
        shard_of.setdefault(key, set()).add(shard_id)

    dupes = [kv for kv, n in seen.items() if n > 1]
    if dupes:
        problems.append('%d changes appear more than once in the stream, e.g. %s'
                        % (len(dupes), sorted(dupes)[:5]))
    lost = ledger.acked - set(seen)
    if lost:
        problems.append('%d acknowledged writes missing from the stream, e.g. %s'
                        % (len(lost), sorted(lost)[:5]))
    unknown = set(seen) - ledger.attempted
    if unknown:
        problems.append('%d stream records for writes never sent, e.g. %s'
                        % (len(unknown), sorted(unknown)[:5]))
    # Per key, in lineage order. A key lives in one shard per shard layout, and every shard
    # made by a change of shard count is a child (ParentShardId) of a shard of the layout
    # before, one level deeper: so a key's records sort by (lineage depth, position in shard).
    order_errors = []
    for key, changes in per_key.items():
        prev = None
        for _, _, old_ver, new_ver, name in sorted(changes):
            expect_name = 'INSERT' if prev is None else 'MODIFY'
            if prev is not None and new_ver <= prev:
                order_errors.append('%s: version %d after %d (shards %s)'
                                    % (key, new_ver, prev, sorted(shard_of[key])))
            elif old_ver != prev or name != expect_name:
                order_errors.append('%s v%d: %s with OldImage ver %s, expected %s with %s'
                                    % (key, new_ver, name, old_ver, expect_name, prev))
            prev = new_ver
    if order_errors:
        problems.append('%d per-key order/image errors, e.g. %s'
                        % (len(order_errors), order_errors[:5]))
    return in_stream


def read_deliveries(path):
    """The function's deliveries, in order: a list of (key, ver); truncated lines are skipped
    (the recorder writes each line in one write(2), so there should be none)."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            try:
                batch = json.loads(line)
            except ValueError:
                continue
            out += [(key, ver) for key, ver, _ in batch]
    return out


def check_deliveries(path, in_stream, problems, timeout):
    """Waits for the mapping to deliver every stream record; checks at-least-once and order."""
    wanted = set(in_stream)
    deadline = time.monotonic() + timeout
    while True:
        delivered = read_deliveries(path)
        missing = wanted - set(delivered)
        if not missing or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    if missing:
        problems.append('%d stream records never delivered to the function within %.0fs '
                        '(skipped?), e.g. %s' % (len(missing), timeout, sorted(missing)[:5]))
    phantom = set(delivered) - wanted
    if phantom:
        problems.append('%d records delivered to the function that are not in the stream '
                        '(a change the crash took back?), e.g. %s'
                        % (len(phantom), sorted(phantom)[:5]))
    first_seen, order_errors = {}, []
    for key, ver in delivered:
        firsts = first_seen.setdefault(key, [])
        if ver in firsts:
            continue  # delivered again: at least once
        if firsts and ver < firsts[-1]:
            order_errors.append('%s: v%d first delivered after v%d' % (key, ver, firsts[-1]))
        firsts.append(ver)
    if order_errors:
        problems.append('%d per-key delivery order errors, e.g. %s'
                        % (len(order_errors), order_errors[:5]))
    return len(delivered), len(delivered) - len(set(delivered))


def handler_running(pid):
    """Whether the server has a child process (the function, mid-batch)."""
    try:
        for tid in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/children' % (pid, tid)) as f:
                if f.read().strip():
                    return True
    except OSError:
        pass
    return False


def run(args):
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    shard_counts = [int(n) for n in args.shards.split(',')]
    print('crash test: %d cycles, %d threads, shards %s, seed %d'
          % (args.cycles, args.threads, args.shards, seed), flush=True)
    ledger = Ledger()
    failed = False
    started = time.monotonic()
    stack = StackDir('', files={'recorder.py': RECORDER}, prefix='streamer-crash-')
    deliveries = stack.path('delivered.jsonl')
    stack.write('stack.yaml', STACK % {'out': deliveries, 'batch': BATCH_SIZE})
    server = Streamer(stack_file=stack.stack_file, durability=args.durability,
                      data_dir=args.data, extra_args=['--shards', str(shard_counts[0])])
    try:
        server.start()
        ensure_table(server)
        for cycle in range(1, args.cycles + 1):
            t0 = time.monotonic()
            shards_now = server.extra_args[-1]
            load = Load(server, ledger, cycle, args.threads, rng.randrange(1 << 30))
            acked_before = len(ledger.acked)
            kill_after = rng.uniform(0.5, 2.0)
            load.start()
            time.sleep(kill_after)
            # Kill while the function runs a batch (delivered, not yet checkpointed).
            wait_until = time.monotonic() + 1.0
            while not handler_running(server.pid) and time.monotonic() < wait_until:
                time.sleep(0.005)
            mid_batch = handler_running(server.pid)
            if args.no_kill:
                load.stop_flag.set()
                load.join()
            else:
                load.killed.set()
                server.kill9()
                load.join()
            server.extra_args = ['--shards', str(shard_counts[cycle % len(shard_counts)])]
            restart_s = server.restart() if not args.no_kill else 0.0
            problems = []
            if ledger.errors_before_kill:
                problems.append('%d writes failed before the kill, e.g. %s'
                                % (len(ledger.errors_before_kill),
                                   ledger.errors_before_kill[:3]))
                ledger.errors_before_kill.clear()
            delivered = redelivered = 0
            try:
                if TABLE not in server.client('dynamodb').list_tables().get('TableNames', []):
                    raise Violation('table %s (made by CreateTable) is gone after the restart'
                                    % TABLE)
                checked_items = check_items(server, ledger, problems)
                in_stream = check_stream(server, ledger, problems)
                stream_records = len(in_stream)
                delivered, redelivered = check_deliveries(deliveries, in_stream, problems,
                                                          args.delivery_timeout)
            except (BotoCoreError, ClientError, Violation) as err:
                problems.append('verification failed: %r' % err)
                checked_items = stream_records = 0
            status = 'OK' if not problems else 'FAIL'
            what = 'load stopped' if args.no_kill else 'kill -9'
            print('cycle %d: %s  %d shards, %s after %.2fs%s, %d writes acked this cycle '
                  '(%d total), %d items checked, %d stream records, %d delivered (%d again), '
                  'restart %.2fs, cycle %.1fs'
                  % (cycle, status, int(shards_now), what, kill_after,
                     ' mid-batch' if mid_batch else '', len(ledger.acked) - acked_before,
                     len(ledger.acked), checked_items, stream_records, delivered, redelivered,
                     restart_s, time.monotonic() - t0), flush=True)
            for p in problems:
                print('  VIOLATION: ' + p, flush=True)
            if problems:
                failed = True
                break
        if failed:
            print('server log: %s (set STREAMER_KEEP_LOGS=1 to keep it)' % server.stderr_path)
    finally:
        server.close()
        if not os.environ.get('STREAMER_KEEP_LOGS'):
            stack.remove()
    print('crash test %s in %.1fs (seed %d)' % ('FAILED' if failed else 'passed',
                                               time.monotonic() - started, seed), flush=True)
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cycles', type=int, default=3)
    ap.add_argument('--threads', type=int, default=4)
    ap.add_argument('--shards', default='4,1,3,2',
                    help='--shards of the server, cycle by cycle (comma separated, repeats)')
    ap.add_argument('--delivery-timeout', type=float, default=60.0,
                    help='seconds the mapping gets to deliver every stream record after a restart')
    ap.add_argument('--seed', type=int, default=None)
    ap.add_argument('--durability', choices=['fsync', 'wal'], default=None,
                    help='passed to streamer serve (default: the server default)')
    ap.add_argument('--data', default=None, help='data dir (default: a fresh temp dir)')
    ap.add_argument('--no-kill', action='store_true',
                    help='stop the load instead of killing the server (checks the checker)')
    args = ap.parse_args()
    try:
        return run(args)
    except Exception as err:  # a harness/server failure must still give a clear, non-zero exit
        print('crash test ERROR: %s: %s' % (type(err).__name__, err), flush=True)
        return 1


if __name__ == '__main__':
    sys.exit(main())
