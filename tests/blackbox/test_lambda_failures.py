"""A Python Lambda function behind a stream mapping that crashes its worker and then
overruns its timeout: each failed batch is retried on a fresh worker, nothing is lost or
recorded twice, order holds, and the console says what happened, as Lambda's logs do."""

import os
import shutil
import tempfile
import time
import unittest

from harness import Streamer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, 'fixtures', 'failing_python')

STACK = '''
name: failing-lambda
tables:
  Work:
    partitionKey: pk
    stream: KEYS_ONLY
functions:
  Flaky:
    runtime: python3.12
    handler: app.handler
    code: {code}
    timeout: 2
    environment:
      STATE: {state}
events:
  - function: Flaky
    table: Work
    startingPosition: TRIM_HORIZON
    batchSize: 2
'''


class LambdaFailuresTest(unittest.TestCase):

    def test_crash_and_timeout_are_retried_without_loss(self):
        tmp = tempfile.mkdtemp(prefix='lambda-fail-')
        self.addCleanup(shutil.rmtree, tmp, True)
        state = os.path.join(tmp, 'state')
        os.makedirs(state)
        stack = os.path.join(tmp, 'stack.yaml')
        with open(stack, 'w') as f:
            f.write(STACK.format(code=FIXTURE, state=state))
        keys = ['a-1', 'crash-1', 'a-2', 'a-3', 'slow-1', 'a-4', 'a-5']
        with Streamer(stack_file=stack, extra_args=['--shards', '1']) as s:
            ddb = s.client('dynamodb')
            for k in keys:
                ddb.put_item(TableName='Work', Item={'pk': {'S': k}})
            out = os.path.join(state, 'out.txt')
            deadline = time.monotonic() + 60
            got = []
            while time.monotonic() < deadline:
                if os.path.exists(out):
                    with open(out) as f:
                        got = f.read().split()
                if len(got) >= len(keys):
                    break
                time.sleep(0.2)
            time.sleep(1)  # nothing more may arrive
            with open(out) as f:
                got = f.read().split()
            # One shard: the stream order is the write order.
            self.assertEqual(got, keys)
            self.assertTrue(os.path.exists(os.path.join(state, 'crash-1.crashed')))
            self.assertTrue(os.path.exists(os.path.join(state, 'slow-1.slept')))
            console = s.stdout_text() + s.stderr_tail(100000)
            self.assertIn('Runtime.ExitError', console)
            self.assertIn('Task timed out after 2.00 seconds', console)


if __name__ == '__main__':
    unittest.main()
