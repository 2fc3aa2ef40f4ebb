"""AWS's own runtime interface client (npm `aws-lambda-ric`) as a `provided.al2023`
bootstrap, fed by a table's stream through an event source mapping: every record arrives,
in order per item key, with ParallelizationFactor > 1 and several warm workers."""

import os
import shutil
import tempfile
import time
import unittest

from harness import Streamer

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, 'fixtures', 'ric_stream')
RIC = os.path.normpath(os.path.join(HERE, '..', 'lambda_ric', 'node_modules', '.bin', 'aws-lambda-ric'))

STACK = '''
name: ric-stream
tables:
  Events:
    partitionKey: pk
    stream: NEW_IMAGE
functions:
  RicConsumer:
    runtime: provided.al2023
    handler: app.handler
    code: {code}
    timeout: 30
    environment:
      OUT: {out}
      LAMBDA_RIC: {ric}
events:
  - function: RicConsumer
    table: Events
    startingPosition: TRIM_HORIZON
    batchSize: 10
    parallelizationFactor: 4
'''

KEYS = 8
UPDATES = 25


@unittest.skipUnless(os.access(RIC, os.X_OK), 'aws-lambda-ric is not installed: run `npm ci` in '
                                              'tests/lambda_ric (scripts/test does)')
class LambdaRicStreamTest(unittest.TestCase):

    def test_records_in_order_per_key(self):
        tmp = tempfile.mkdtemp(prefix='ric-stream-')
        self.addCleanup(shutil.rmtree, tmp, True)
        code = os.path.join(tmp, 'code')
        shutil.copytree(FIXTURE, code)
        out = os.path.join(tmp, 'out.txt')
        stack = os.path.join(tmp, 'stack.yaml')
        with open(stack, 'w') as f:
            f.write(STACK.format(code=code, out=out, ric=RIC))
        with Streamer(stack_file=stack) as s:
            ddb = s.client('dynamodb')
            for n in range(UPDATES):
                for k in range(KEYS):
                    ddb.put_item(TableName='Events', Item={'pk': {'S': 'key-%d' % k}, 'n': {'N': str(n)}})
            deadline = time.monotonic() + 60
            lines = []
            while time.monotonic() < deadline:
                if os.path.exists(out):
                    with open(out) as f:
                        lines = [l.split() for l in f if l.strip()]
                if len(lines) >= KEYS * UPDATES:
                    break
                time.sleep(0.2)
            self.assertEqual(len(lines), KEYS * UPDATES, 'records delivered: %d' % len(lines))
            per_key = {}
            for key, n, event_name in lines:
                per_key.setdefault(key, []).append(int(n))
                self.assertEqual(event_name, 'INSERT' if n == '0' else 'MODIFY')
            self.assertEqual(sorted(per_key), ['key-%d' % k for k in range(KEYS)])
            for key, ns in per_key.items():
                self.assertEqual(ns, list(range(UPDATES)), key)
            # Lambda's lines for the invocations, from the ric's worker.
            s.wait_for_output(r'^\[RicConsumer\].*REPORT RequestId: [0-9a-f-]{36}', timeout=10)


if __name__ == '__main__':
    unittest.main()
