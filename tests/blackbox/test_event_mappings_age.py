"""MaximumRecordAgeInSeconds (its minimum is 60 s, so this test takes a minute): a record that is
never processed successfully goes to the on-failure destination as RecordAgeExceeded once it is older
than the limit, while its retries (unlimited) go on until then."""

import time
import unittest

import harness
from harness import Streamer
from mapping_fixture import FN, read_lines, wait_until

STACK = """
name: age-test
tables:
  Aging: {partitionKey: pk, stream: NEW_IMAGE}
functions:
  AlwaysFails:
    exec: [python3, fn.py]
    environment: {MODE: fail, ATTEMPTS: attempts.jsonl}
events:
  - function: AlwaysFails
    table: Aging
    startingPosition: TRIM_HORIZON
    maximumRecordAge: 60
    maximumRetryAttempts: -1
    destinations: {onFailure: "file://expired.jsonl"}
"""


class RecordAgeTest(unittest.TestCase):

    def test_records_older_than_the_maximum_age_go_to_the_destination(self):
        stack = harness.StackDir(STACK, files={'fn.py': FN}, prefix='streamer-esm-age-')
        self.addCleanup(stack.remove)
        with Streamer(stack_file=stack.stack_file) as s:
            ddb = s.client('dynamodb')
            written = time.time()
            ddb.put_item(TableName='Aging', Item={'pk': {'S': 'old'}, 'n': {'N': '1'}})
            lines = wait_until(lambda: read_lines(stack.path('expired.jsonl')), 120, 'the expired record', 0.5)
            waited = time.time() - written
            self.assertGreaterEqual(waited, 59, 'a record younger than the limit was given up')
            rec = lines[0]
            self.assertEqual(rec['requestContext']['condition'], 'RecordAgeExceeded')
            self.assertEqual(rec['DDBStreamBatchInfo']['batchSize'], 1)
            arn = ddb.describe_table(TableName='Aging')['Table']['LatestStreamArn']
            self.assertEqual(rec['DDBStreamBatchInfo']['streamArn'], arn)
            # Retried (unlimited attempts) until then, and never after.
            attempts = len(read_lines(stack.path('attempts.jsonl')))
            self.assertGreaterEqual(attempts, 5)
            time.sleep(6)
            self.assertEqual(len(read_lines(stack.path('attempts.jsonl'))), attempts)
            self.assertEqual(len(read_lines(stack.path('expired.jsonl'))), 1)


if __name__ == '__main__':
    unittest.main()
