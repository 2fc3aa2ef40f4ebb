"""Event source mappings with exec functions, against the real binary: batches and per-key
order, retries of a failing function, checkpoints across kill -9, starting positions."""

import collections
import json
import os
import time
import unittest

import harness
from harness import Streamer, StreamerTestCase

# One handler for every test: appends one JSON line per successful batch to $OUT.
# $COUNTER/$FAILS: fail (exit 1) the first FAILS invocations. $SLEEP: seconds after writing.
RECORDER = r'''
import json, os, sys, time
raw = sys.stdin.read()
event = json.loads(raw)
counter = os.environ.get('COUNTER')
if counter:
    n = int(open(counter).read()) if os.path.exists(counter) else 0
    with open(counter, 'w') as f:
        f.write(str(n + 1))
    if n < int(os.environ.get('FAILS', '0')):
        print('failing on purpose, invocation %d' % (n + 1), file=sys.stderr)
        sys.exit(1)
recs = []
for r in event['Records']:
    d = r['dynamodb']
    recs.append({'k': d['Keys']['pk']['S'], 'n': d.get('NewImage', {}).get('n', {}).get('N'),
                 'seq': d['SequenceNumber'], 'ev': r['eventName'], 'arn': r['eventSourceARN'],
                 'old': d.get('OldImage', {}).get('n', {}).get('N')})
with open(os.environ['OUT'], 'a') as f:
    f.write(json.dumps({'records': recs, 'bytes': len(raw)}) + '\n')
    f.flush()
    os.fsync(f.fileno())
print(json.dumps({'ok': len(recs)}))
time.sleep(float(os.environ.get('SLEEP', '0')))
'''


def read_batches(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith('\n') and line.strip()]  # whole lines only


def wait_for_distinct(path, expected, timeout=30.0, quiet=1.0):
    """Waits until every n in `expected` was delivered (redeliveries do not count) and then
    nothing new arrived for `quiet` seconds (a batch in flight has finished); returns the batches."""
    deadline = time.monotonic() + timeout
    last_size, last_change = -1, time.monotonic()
    while True:
        batches = read_batches(path)
        seen = {int(r['n']) for b in batches for r in b['records']}
        size = sum(len(b['records']) for b in batches)
        if size != last_size:
            last_size, last_change = size, time.monotonic()
        if set(expected) <= seen and time.monotonic() - last_change >= quiet:
            return batches
        if time.monotonic() > deadline:
            raise AssertionError('missing %s in %s after %.0fs' % (sorted(set(expected) - seen), path, timeout))
        time.sleep(0.05)


def wait_for_records(path, count, timeout=20.0):
    """Waits until the handler wrote at least `count` records; returns the batches."""
    deadline = time.monotonic() + timeout
    while True:
        batches = read_batches(path)
        got = sum(len(b['records']) for b in batches)
        if got >= count:
            return batches
        if time.monotonic() > deadline:
            raise AssertionError('%d/%d records delivered to %s within %.0fs'
                                 % (got, count, path, timeout))
        time.sleep(0.05)


def StackDir(stack_yaml):
    """A stack folder holding the recorder handler too."""
    return harness.StackDir(stack_yaml, files={'recorder.py': RECORDER}, prefix='streamer-fn-')


BATCH_STACK = """
name: functions-test
tables:
  FnEvents:
    partitionKey: pk
    stream: NEW_AND_OLD_IMAGES
  FnFlaky:
    partitionKey: pk
    stream: NEW_IMAGE
  FnWindow:
    partitionKey: pk
    stream: NEW_IMAGE
  FnBig:
    partitionKey: pk
    stream: NEW_IMAGE
functions:
  Recorder:
    exec: ["python3", "recorder.py"]
    environment: {OUT: events.jsonl}
  Flaky:
    exec: ["python3", "recorder.py"]
    environment: {OUT: flaky.jsonl, COUNTER: flaky.count, FAILS: "3"}
  Windowed:
    exec: ["python3", "recorder.py"]
    environment: {OUT: window.jsonl}
  BigRecorder:
    exec: ["python3", "recorder.py"]
    environment: {OUT: big.jsonl}
    timeout: 30
events:
  - function: Recorder
    table: FnEvents
    startingPosition: TRIM_HORIZON
    batchSize: 5
  - function: Flaky
    table: FnFlaky
    startingPosition: TRIM_HORIZON
    batchSize: 10
  - function: Windowed
    table: FnWindow
    batchSize: 100
    batchWindow: 1
  - function: BigRecorder
    table: FnBig
    batchSize: 100
    batchWindow: 2
"""


class BatchAndRetryTest(StreamerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.stack = StackDir(BATCH_STACK)
        cls.stack_file = cls.stack.stack_file
        super().setUpClass()
        cls.ddb = cls.server.client('dynamodb')

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.stack.remove()

    def stream_arn(self, table):
        return self.ddb.describe_table(TableName=table)['Table']['LatestStreamArn']

    def test_batches_in_per_key_order(self):
        keys = ['key-%d' % i for i in range(6)]
        rounds = 10
        for n in range(rounds):
            for k in keys:
                self.ddb.put_item(TableName='FnEvents', Item={'pk': {'S': k}, 'n': {'N': str(n)}})
        for k in keys[:2]:
            self.ddb.delete_item(TableName='FnEvents', Key={'pk': {'S': k}})
        total = len(keys) * rounds + 2
        batches = wait_for_records(self.stack.path('events.jsonl'), total)
        time.sleep(0.3)  # nothing more may arrive
        batches = read_batches(self.stack.path('events.jsonl'))
        records = [r for b in batches for r in b['records']]
        self.assertEqual(len(records), total, 'duplicates or extra records')
        arn = self.stream_arn('FnEvents')
        for b in batches:
            self.assertGreaterEqual(len(b['records']), 1)
            self.assertLessEqual(len(b['records']), 5)
            seqs = [int(r['seq']) for r in b['records']]
            self.assertEqual(seqs, sorted(seqs), 'a batch out of sequence order')
            for r in b['records']:
                self.assertEqual(r['arn'], arn)
        by_key = collections.defaultdict(list)
        for r in records:
            by_key[r['k']].append(r)
        for k in keys:
            evs = by_key[k]
            expected = ['INSERT'] + ['MODIFY'] * (rounds - 1) + (['REMOVE'] if k in keys[:2] else [])
            self.assertEqual([r['ev'] for r in evs], expected, k)
            ns = [int(r['n']) for r in evs if r['n'] is not None]
            self.assertEqual(ns, list(range(rounds)), k)
            # NEW_AND_OLD_IMAGES: each MODIFY's old image is the previous new image.
            for prev, cur in zip(evs, evs[1:]):
                self.assertEqual(cur['old'], prev['n'], k)

    def test_failing_function_is_retried_without_skipping(self):
        for i in range(12):
            self.ddb.put_item(TableName='FnFlaky', Item={'pk': {'S': 'f%d' % (i % 3)},
                                                         'n': {'N': str(i)}})
        batches = wait_for_records(self.stack.path('flaky.jsonl'), 12, timeout=30)
        with open(self.stack.path('flaky.count')) as f:
            invocations = int(f.read())
        self.assertGreaterEqual(invocations, 4)  # 3 failures, then success(es)
        records = [r for b in batches for r in b['records']]
        self.assertEqual(sorted(int(r['n']) for r in records), list(range(12)))
        for k in ('f0', 'f1', 'f2'):
            ns = [int(r['n']) for r in records if r['k'] == k]
            self.assertEqual(ns, sorted(ns))
        self.assertIn('failing on purpose', self.server.stderr_tail(20000) +
                      self.server.stdout_text())
        self.assertRegex(self.server.stderr_tail(20000), r'batch of \d+ records failed')

    def test_batching_window_collects_a_batch(self):
        start = time.monotonic()
        for i in range(6):
            self.ddb.put_item(TableName='FnWindow', Item={'pk': {'S': 'w'}, 'n': {'N': str(i)}})
        batches = wait_for_records(self.stack.path('window.jsonl'), 6, timeout=10)
        elapsed = time.monotonic() - start
        self.assertEqual(len(batches), 1, batches)  # one key = one shard = one batch
        self.assertEqual([int(r['n']) for r in batches[0]['records']], list(range(6)))
        self.assertGreaterEqual(elapsed, 0.9)  # held back for the window

    def test_batches_stay_under_lambdas_payload_limit(self):
        # 20 records of ~350 KB on one key (one shard): ~7 MB, over Lambda's 6 MB.
        for n in range(20):
            self.ddb.put_item(TableName='FnBig', Item={'pk': {'S': 'big'}, 'n': {'N': str(n)},
                                                       'blob': {'S': 'z' * 350000}})
        batches = wait_for_records(self.stack.path('big.jsonl'), 20, timeout=30)
        self.assertGreaterEqual(len(batches), 2)
        for b in batches:
            self.assertLessEqual(b['bytes'], 6 * 1024 * 1024)
        self.assertEqual([int(r['n']) for b in batches for r in b['records']], list(range(20)))


DURABLE_STACK = """
name: durable-test
tables:
  FnDurable:
    partitionKey: pk
    stream: NEW_IMAGE
functions:
  Slow:
    exec: ["python3", "recorder.py"]
    environment: {OUT: durable.jsonl, SLEEP: "0.15"}
events:
  - function: Slow
    table: FnDurable
    startingPosition: LATEST
    batchSize: 2
"""


class CheckpointDurabilityTest(unittest.TestCase):

    def test_kill9_mid_stream_resumes_without_skipping(self):
        stack = StackDir(DURABLE_STACK)
        server = Streamer(stack_file=stack.stack_file)
        try:
            server.start()
            ddb = server.client('dynamodb')
            out = stack.path('durable.jsonl')
            total = 30
            for i in range(total):
                ddb.put_item(TableName='FnDurable', Item={'pk': {'S': 'd%d' % (i % 4)},
                                                          'n': {'N': str(i)}})
            wait_for_records(out, 4)  # some batches done, most still pending
            server.kill9()
            delivered_before = sum(len(b['records']) for b in read_batches(out))
            self.assertLess(delivered_before, total, 'killed too late to test anything')
            time.sleep(0.4)  # an orphaned handler finishes its batch
            server.start()
            ddb = server.client('dynamodb')
            ddb.put_item(TableName='FnDurable', Item={'pk': {'S': 'd0'}, 'n': {'N': str(total)}})
            # Redelivered records must not count towards "all delivered".
            batches = wait_for_distinct(out, range(total + 1), timeout=60)
            records = [r for b in batches for r in b['records']]
            counts = collections.Counter(int(r['n']) for r in records)
            self.assertEqual(sorted(counts), list(range(total + 1)), 'a record was skipped')
            # At least once: only a batch in flight at the kill (<= 2 records per shard)
            # may come again.
            dups = [n for n, c in counts.items() if c > 1]
            self.assertLessEqual(len(dups), 2 * 4, dups)
            self.assertTrue(all(c <= 2 for c in counts.values()), counts)
            for k in ('d0', 'd1', 'd2', 'd3'):
                ns = [int(r['n']) for r in records if r['k'] == k]
                firsts = list(dict.fromkeys(ns))  # order of first delivery
                self.assertEqual(firsts, sorted(firsts), k)
            # A clean restart after everything was delivered delivers nothing again.
            server.restart()
            time.sleep(0.8)
            self.assertEqual(len(read_batches(out)), len(batches))
        finally:
            server.close()
            stack.remove()


TABLE_ONLY_STACK = """
name: starting-position
tables:
  FnStart:
    partitionKey: pk
    stream: KEYS_ONLY
"""

MAPPED_STACK = """
name: starting-position
tables:
  FnStart:
    partitionKey: pk
    stream: KEYS_ONLY
functions:
  FromStart:
    exec: ["python3", "recorder.py"]
    environment: {OUT: trim.jsonl}
  FromNow:
    exec: ["python3", "recorder.py"]
    environment: {OUT: latest.jsonl}
events:
  - function: FromStart
    table: FnStart
    startingPosition: TRIM_HORIZON
  - function: FromNow
    table: FnStart
    startingPosition: LATEST
"""


class StartingPositionTest(unittest.TestCase):

    def test_trim_horizon_vs_latest(self):
        stack = StackDir(TABLE_ONLY_STACK)
        mapped = stack.write('mapped.yaml', MAPPED_STACK)
        server = Streamer(stack_file=stack.stack_file)
        try:
            server.start()
            ddb = server.client('dynamodb')
            for i in range(5):
                ddb.put_item(TableName='FnStart', Item={'pk': {'S': 'old-%d' % i}})
            server.stop()
            server.stack_file = mapped  # same data dir: the table and its records stay
            server.start()
            ddb = server.client('dynamodb')
            ddb.put_item(TableName='FnStart', Item={'pk': {'S': 'new-0'}})
            trim = wait_for_records(stack.path('trim.jsonl'), 6)
            latest = wait_for_records(stack.path('latest.jsonl'), 1)
            time.sleep(0.4)
            trim_keys = sorted(r['k'] for b in read_batches(stack.path('trim.jsonl'))
                               for r in b['records'])
            latest_keys = [r['k'] for b in read_batches(stack.path('latest.jsonl'))
                           for r in b['records']]
            self.assertEqual(trim_keys, ['new-0'] + ['old-%d' % i for i in range(5)])
            self.assertEqual(latest_keys, ['new-0'])
            del trim, latest
            # After a restart, LATEST resumes from its checkpoint, not from "now".
            server.restart()
            ddb = server.client('dynamodb')
            ddb.put_item(TableName='FnStart', Item={'pk': {'S': 'new-1'}})
            wait_for_records(stack.path('latest.jsonl'), 2)
            wait_for_records(stack.path('trim.jsonl'), 7)
            time.sleep(0.3)
            latest_keys = [r['k'] for b in read_batches(stack.path('latest.jsonl'))
                           for r in b['records']]
            self.assertEqual(latest_keys, ['new-0', 'new-1'])
            self.assertEqual(sum(len(b['records']) for b in
                                 read_batches(stack.path('trim.jsonl'))), 7)
            server.stop()
        finally:
            server.close()
            stack.remove()


if __name__ == '__main__':
    unittest.main()
