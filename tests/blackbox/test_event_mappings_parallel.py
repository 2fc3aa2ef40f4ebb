"""Event source mappings under ParallelizationFactor, and across kill -9: per-key order with many
keys and batches really in flight together; a crash mid-batch loses nothing and keeps per-key order."""

import time
import unittest

import harness
from harness import Streamer
from mapping_fixture import FN, check_per_key_order, delivered, read_lines, wait_for_ns, wait_until

STACK = """
name: parallel-test
tables:
  Busy: {partitionKey: pk, stream: NEW_IMAGE}
functions:
  Slow:
    exec: [python3, fn.py]
    environment: {OUT: busy.jsonl, SLEEP: "%s"}
    timeout: 60
events:
  - function: Slow
    table: Busy
    startingPosition: TRIM_HORIZON
    batchSize: %d
    parallelizationFactor: %d
"""


def write_rounds(ddb, keys, rounds, start=0):
    expected = {k: [] for k in keys}
    for n in range(start, start + rounds):
        for k in keys:
            ddb.put_item(TableName='Busy', Item={'pk': {'S': k}, 'n': {'N': str(n)}})
            expected[k].append(n)
    return expected


def max_overlap(batches):
    """The most invocations whose [start, end] intervals overlap at one instant."""
    points = sorted([(b['start'], 1) for b in batches] + [(b['end'], -1) for b in batches])
    best = cur = 0
    for _, d in points:
        cur += d
        best = max(best, cur)
    return best


class ParallelizationTest(unittest.TestCase):

    def test_factor_10_keeps_per_key_order_with_batches_in_parallel(self):
        stack = harness.StackDir(STACK % ('0.3', 4, 10), files={'fn.py': FN}, prefix='streamer-esm-par-')
        self.addCleanup(stack.remove)
        with Streamer(stack_file=stack.stack_file) as s:
            ddb = s.client('dynamodb')
            keys = ['key-%02d' % i for i in range(40)]
            expected = write_rounds(ddb, keys, 6)
            total = sum(len(v) for v in expected.values())
            recs = wait_for_ns(stack.path('busy.jsonl'), range(6), timeout=120, quiet=1.0)
            wait_until(lambda: len(delivered(stack.path('busy.jsonl'))) >= total, 120, 'all records')
            recs = delivered(stack.path('busy.jsonl'))
            self.assertEqual(len(recs), total, 'no record twice without a failure')
            check_per_key_order(self, recs, expected)
            batches = read_lines(stack.path('busy.jsonl'))
            for b in batches:
                self.assertLessEqual(len(b['records']), 4)
            overlap = max_overlap(batches)
            self.assertGreaterEqual(overlap, 3, 'batches of one shard should run in parallel lanes')
            self.assertLessEqual(overlap, 10 * len({r['arn'] for r in recs}) *
                                 max(1, len(s.client('dynamodbstreams').describe_stream(
                                     StreamArn=recs[0]['arn'])['StreamDescription']['Shards'])))

    def test_kill9_mid_batch_then_restart_loses_nothing_and_keeps_per_key_order(self):
        stack = harness.StackDir(STACK % ('0.2', 5, 4), files={'fn.py': FN}, prefix='streamer-esm-kill-')
        self.addCleanup(stack.remove)
        s = Streamer(stack_file=stack.stack_file)
        self.addCleanup(s.close)
        s.start()
        ddb = s.client('dynamodb')
        keys = ['k%02d' % i for i in range(20)]
        expected = write_rounds(ddb, keys, 10)
        # Some batches done, others in flight: crash.
        wait_until(lambda: len(delivered(stack.path('busy.jsonl'))) >= 30, 60, 'some deliveries')
        s.kill9()
        # The function processes of the killed server (their own process
        # groups) may hold its inherited listening sockets until they finish.
        time.sleep(1.0)
        before = len(delivered(stack.path('busy.jsonl')))
        s.start()
        more = write_rounds(s.client('dynamodb'), keys, 2, start=10)
        for k in keys:
            expected[k] += more[k]
        wait_for_ns(stack.path('busy.jsonl'), range(12), timeout=120, quiet=1.0)
        wait_until(lambda: all(set(expected[k]) <= {r['n'] for r in delivered(stack.path('busy.jsonl'))
                                                    if r['k'] == k} for k in keys), 120, 'every record')
        recs = delivered(stack.path('busy.jsonl'))
        check_per_key_order(self, recs, expected)
        self.assertLess(before, sum(len(v) for v in expected.values()))
        s.stop()


if __name__ == '__main__':
    unittest.main()
