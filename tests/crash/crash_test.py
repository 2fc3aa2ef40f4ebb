#!/usr/bin/env python3
"""Crash test: kill -9 the server under write load; no acknowledged write or stream record may be lost.

Each cycle:
  1. start (or restart) `streamer` on the same data dir,
  2. several threads PutItem into table CrashTest (stream NEW_AND_OLD_IMAGES):
     unique keys `c{cycle}-k{thread}-{n}`, and shared keys `shared-{j}` whose attribute `ver`
     increases with every write (writes to one shared key are serialized by a client-side
     lock, so their commit order is the version order),
  3. SIGKILL at a random moment 0.5-2 s into the load,
  4. restart on the same data dir and check, for every cycle so far:
     - every acknowledged write is readable with GetItem (shared keys: stored version >= the
       last acknowledged one and <= the last attempted one),
     - the stream (all shards, from TRIM_HORIZON) holds every acknowledged write exactly once,
       no change twice, nothing that was never attempted; per key the versions increase and
       each record's OldImage is the previous record's NewImage; sequence numbers increase
       within each shard.

Exit code 0 when every cycle passes, 1 with a message naming each violation otherwise.
Usage: crash_test.py [--cycles 3] [--threads 4] [--seed N] [--durability fsync|wal]
"""

import argparse
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'blackbox'))
from harness import Streamer  # noqa: E402

from botocore.exceptions import BotoCoreError, ClientError  # noqa: E402

TABLE = 'CrashTest'
SHARED_KEYS = 8
PAYLOAD = 'x' * 64


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

    Returns a list of (shard_id, record)."""
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
    out = []
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
                # in case a server returns one empty page before the data).
                empty_pages = 0 if recs else empty_pages + 1
                if empty_pages >= 2:
                    break
    return out


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
    records = read_stream(server)
    seen = {}            # (key, ver) -> count
    per_key = {}         # key -> list of (old ver, new ver, eventName)
    last_seq = {}        # shard -> last sequence number
    other_tables = 0
    for shard_id, rec in records:
        ddb = rec.get('dynamodb', {})
        seq = int(ddb.get('SequenceNumber', '0'))
        if shard_id in last_seq and seq <= last_seq[shard_id]:
            problems.append('shard %s: sequence number %d after %d' % (shard_id, seq,
                                                                        last_seq[shard_id]))
        last_seq[shard_id] = seq
        key = ddb.get('Keys', {}).get('pk', {}).get('S')
        if key is None:
            other_tables += 1
            continue
        new_ver, old_ver = image_ver(ddb.get('NewImage')), image_ver(ddb.get('OldImage'))
        if rec.get('eventName') not in ('INSERT', 'MODIFY') or new_ver is None:
            problems.append('unexpected record for %s: %s NewImage ver %s'
                            % (key, rec.get('eventName'), new_ver))
            continue
        seen[(key, new_ver)] = seen.get((key, new_ver), 0) + 1
        per_key.setdefault(key, []).append((old_ver, new_ver, rec['eventName']))

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
    order_errors = []
    for key, changes in per_key.items():
        prev = None
        for old_ver, new_ver, name in changes:
            expect_name = 'INSERT' if prev is None else 'MODIFY'
            if prev is not None and new_ver <= prev:
                order_errors.append('%s: version %d after %d' % (key, new_ver, prev))
            elif old_ver != prev or name != expect_name:
                order_errors.append('%s v%d: %s with OldImage ver %s, expected %s with %s'
                                    % (key, new_ver, name, old_ver, expect_name, prev))
            prev = new_ver
    if order_errors:
        problems.append('%d per-key order/image errors, e.g. %s'
                        % (len(order_errors), order_errors[:5]))
    return len(records) - other_tables


def run(args):
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print('crash test: %d cycles, %d threads, seed %d' % (args.cycles, args.threads, seed),
          flush=True)
    ledger = Ledger()
    failed = False
    started = time.monotonic()
    with Streamer(durability=args.durability, data_dir=args.data) as server:
        ensure_table(server)
        for cycle in range(1, args.cycles + 1):
            t0 = time.monotonic()
            load = Load(server, ledger, cycle, args.threads, rng.randrange(1 << 30))
            acked_before = len(ledger.acked)
            kill_after = rng.uniform(0.5, 2.0)
            load.start()
            time.sleep(kill_after)
            if args.no_kill:
                load.stop_flag.set()
                load.join()
            else:
                load.killed.set()
                server.kill9()
                load.join()
            restart_s = server.restart() if not args.no_kill else 0.0
            problems = []
            if ledger.errors_before_kill:
                problems.append('%d writes failed before the kill, e.g. %s'
                                % (len(ledger.errors_before_kill),
                                   ledger.errors_before_kill[:3]))
                ledger.errors_before_kill.clear()
            try:
                if TABLE not in server.client('dynamodb').list_tables().get('TableNames', []):
                    raise Violation('table %s (made by CreateTable) is gone after the restart'
                                    % TABLE)
                checked_items = check_items(server, ledger, problems)
                stream_records = check_stream(server, ledger, problems)
            except (BotoCoreError, ClientError, Violation) as err:
                problems.append('verification failed: %r' % err)
                checked_items = stream_records = 0
            status = 'OK' if not problems else 'FAIL'
            what = 'load stopped' if args.no_kill else 'kill -9'
            print('cycle %d: %s  %s after %.2fs, %d writes acked this cycle (%d total), '
                  '%d items checked, %d stream records, restart %.2fs, cycle %.1fs'
                  % (cycle, status, what, kill_after, len(ledger.acked) - acked_before,
                     len(ledger.acked), checked_items, stream_records, restart_s,
                     time.monotonic() - t0), flush=True)
            for p in problems:
                print('  VIOLATION: ' + p, flush=True)
            if problems:
                failed = True
                break
        if failed:
            print('server log: %s (set STREAMER_KEEP_LOGS=1 to keep it)' % server.stderr_path)
    print('crash test %s in %.1fs (seed %d)' % ('FAILED' if failed else 'passed',
                                               time.monotonic() - started, seed), flush=True)
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cycles', type=int, default=3)
    ap.add_argument('--threads', type=int, default=4)
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
