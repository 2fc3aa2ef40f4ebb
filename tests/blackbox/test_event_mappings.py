"""Event source mapping options against the real binary, with exec functions (mapping_fixture.fn.py):
retries, MaximumRetryAttempts and the on-failure destinations (file, table, function, SQS file),
bisect, ReportBatchItemFailures, tumbling windows, two mappings on one stream, a disabled mapping,
AT_TIMESTAMP, and the stack's validation of every option."""

import json
import os
import time
import unittest

import harness
from harness import Streamer, StreamerTestCase
from mapping_fixture import (FN, check_per_key_order, delivered, read_lines, wait_for_lines, wait_for_ns,
                             wait_until)

ACCOUNT = '000000000000'
REGION = 'us-east-1'

STACK = """
name: mappings-test
tables:
  Flaky: {partitionKey: pk, stream: NEW_IMAGE}
  ToFile: {partitionKey: pk, stream: NEW_IMAGE}
  ToTable: {partitionKey: pk, stream: NEW_IMAGE}
  ToFunction: {partitionKey: pk, stream: NEW_IMAGE}
  ToQueue: {partitionKey: pk, stream: NEW_IMAGE}
  DeadLetters: {partitionKey: id}
  Bisect: {partitionKey: pk, stream: NEW_IMAGE}
  Report: {partitionKey: pk, stream: NEW_IMAGE}
  Windowed: {partitionKey: pk, stream: NEW_IMAGE}
  Shared: {partitionKey: pk, stream: NEW_IMAGE}
  Off: {partitionKey: pk, stream: NEW_IMAGE}
functions:
  FlakyFn:
    exec: [python3, fn.py]
    environment: {MODE: failfirst, FAILS: "3", COUNTER: flaky.count, OUT: flaky.jsonl, ATTEMPTS: flaky.attempts}
  FailToFile:
    exec: [python3, fn.py]
    environment: {MODE: fail, ATTEMPTS: tofile.attempts}
  FailToTable:
    exec: [python3, fn.py]
    environment: {MODE: fail}
  FailToFunction:
    exec: [python3, fn.py]
    environment: {MODE: fail}
  FailToQueue:
    exec: [python3, fn.py]
    environment: {MODE: fail}
  DeadFn:
    exec: [python3, fn.py]
    environment: {MODE: dest, OUT: deadfn.jsonl}
  PoisonFn:
    exec: [python3, fn.py]
    environment: {MODE: poison, OUT: bisect.jsonl, ATTEMPTS: bisect.attempts}
  ReportFn:
    exec: [python3, fn.py]
    environment: {MODE: report, OUT: report.jsonl, COUNTS: report.counts, ATTEMPTS: report.attempts}
  WindowFn:
    exec: [python3, fn.py]
    environment: {MODE: window, OUT: window.jsonl}
  ReaderA:
    exec: [python3, fn.py]
    environment: {OUT: shared-a.jsonl}
  ReaderB:
    exec: [python3, fn.py]
    environment: {OUT: shared-b.jsonl}
  OffFn:
    exec: [python3, fn.py]
    environment: {OUT: off.jsonl}
events:
  - function: FlakyFn
    table: Flaky
    startingPosition: TRIM_HORIZON
  - function: FailToFile
    table: ToFile
    startingPosition: TRIM_HORIZON
    batchSize: 10
    maximumBatchingWindow: 1
    maximumRetryAttempts: 2
    destinations: {onFailure: "file://dlq.jsonl"}
  - function: FailToTable
    table: ToTable
    startingPosition: TRIM_HORIZON
    maximumRetryAttempts: 0
    destinations: {onFailure: "arn:aws:dynamodb:us-east-1:000000000000:table/DeadLetters"}
  - function: FailToFunction
    table: ToFunction
    startingPosition: TRIM_HORIZON
    maximumRetryAttempts: 1
    destinations: {onFailure: "arn:aws:lambda:us-east-1:000000000000:function:DeadFn"}
  - function: FailToQueue
    table: ToQueue
    startingPosition: TRIM_HORIZON
    maximumRetryAttempts: 0
    destinations: {onFailure: "arn:aws:sqs:us-east-1:000000000000:failures"}
  - function: PoisonFn
    table: Bisect
    startingPosition: TRIM_HORIZON
    batchSize: 8
    maximumBatchingWindow: 2
    bisectBatchOnFunctionError: true
    maximumRetryAttempts: 1
    destinations: {onFailure: "file://bisect-dlq.jsonl"}
  - function: ReportFn
    table: Report
    startingPosition: TRIM_HORIZON
    batchSize: 10
    maximumBatchingWindow: 2
    functionResponseTypes: [ReportBatchItemFailures]
  - function: WindowFn
    table: Windowed
    startingPosition: TRIM_HORIZON
    tumblingWindow: 3
  - function: ReaderA
    table: Shared
    startingPosition: TRIM_HORIZON
  - function: ReaderB
    table: Shared
    startingPosition: TRIM_HORIZON
    batchSize: 3
  - function: OffFn
    table: Off
    startingPosition: TRIM_HORIZON
    enabled: false
"""


def put(ddb, table, key, n, **extra):
    item = {'pk': {'S': key}, 'n': {'N': str(n)}}
    for name, value in extra.items():
        item[name] = {'N': str(value)} if isinstance(value, int) else {'S': str(value)}
    ddb.put_item(TableName=table, Item=item)


class MappingOptionsTest(StreamerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.stack = harness.StackDir(STACK, files={'fn.py': FN}, prefix='streamer-esm-')
        cls.stack_file = cls.stack.stack_file
        super().setUpClass()
        cls.ddb = cls.server.client('dynamodb')

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.stack.remove()

    def path(self, name):
        return self.stack.path(name)

    def stream_arn(self, table):
        return self.ddb.describe_table(TableName=table)['Table']['LatestStreamArn']

    def check_batch_info(self, record, table, condition, function, seqs):
        self.assertEqual(record['version'], '1.0')
        self.assertRegex(record['timestamp'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$')
        ctx = record['requestContext']
        self.assertEqual(ctx['condition'], condition)
        self.assertEqual(ctx['functionArn'], 'arn:aws:lambda:%s:%s:function:%s' % (REGION, ACCOUNT, function))
        self.assertTrue(ctx['requestId'])
        self.assertEqual(record['responseContext']['statusCode'], 200)
        self.assertEqual(record['responseContext']['executedVersion'], '$LATEST')
        info = record['DDBStreamBatchInfo']
        self.assertEqual(info['streamArn'], self.stream_arn(table))
        self.assertEqual(info['startSequenceNumber'], seqs[0])
        self.assertEqual(info['endSequenceNumber'], seqs[-1])
        self.assertEqual(info['batchSize'], len(seqs))
        self.assertRegex(info['shardId'], r'^shardId-\d{20}-[0-9a-f]{8}$')
        shards = self.server.client('dynamodbstreams').describe_stream(
            StreamArn=self.stream_arn(table))['StreamDescription']['Shards']
        self.assertIn(info['shardId'], [s['ShardId'] for s in shards])
        for k in ('approximateArrivalOfFirstRecord', 'approximateArrivalOfLastRecord'):
            self.assertRegex(info[k], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$')

    def stream_seqs(self, table):
        """Every record's SequenceNumber on the table's stream, through the Streams API."""
        streams = self.server.client('dynamodbstreams')
        arn = self.stream_arn(table)
        seqs = []
        for shard in streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                            ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            while it:
                page = streams.get_records(ShardIterator=it)
                seqs += [r['dynamodb']['SequenceNumber'] for r in page['Records']]
                if not page['Records']:
                    break
                it = page.get('NextShardIterator')
        return seqs

    def test_retries_then_success(self):
        for i in range(5):
            put(self.ddb, 'Flaky', 'f%d' % (i % 2), i)
        recs = wait_for_ns(self.path('flaky.jsonl'), range(5))
        self.assertEqual(sorted(r['n'] for r in recs), list(range(5)), 'a record lost or delivered twice')
        attempts = read_lines(self.path('flaky.attempts'))
        self.assertGreaterEqual(len(attempts), 4)
        # The failed batch came back whole, from the same first record.
        first = attempts[0]['records'][0]['seq']
        for a in attempts[:4]:
            self.assertEqual(a['records'][0]['seq'], first)
        self.assertRegex(self.server.stderr_tail(20000), r'\[FlakyFn\] .*retry 1 in')

    def test_retries_exhausted_go_to_a_file_destination(self):
        for i in range(4):
            put(self.ddb, 'ToFile', 'k%d' % i, i)
        lines = wait_for_lines(self.path('dlq.jsonl'), 1)
        time.sleep(0.5)
        lines = read_lines(self.path('dlq.jsonl'))
        self.assertEqual(len(lines), 1, lines)
        seqs = self.stream_seqs('ToFile')
        self.assertEqual(len(seqs), 4)
        self.check_batch_info(lines[0], 'ToFile', 'RetryAttemptsExhausted', 'FailToFile', seqs)
        self.assertEqual(lines[0]['requestContext']['approximateInvokeCount'], 3)  # 1 + 2 retries
        self.assertEqual(lines[0]['responseContext']['functionError'], 'Unhandled')
        self.assertEqual(len(read_lines(self.path('tofile.attempts'))), 3)
        # Past the destination the mapping goes on: a new record is tried again.
        put(self.ddb, 'ToFile', 'later', 99)
        wait_for_lines(self.path('dlq.jsonl'), 2)

    def test_retries_exhausted_go_to_a_table(self):
        put(self.ddb, 'ToTable', 'x', 1)
        items = wait_until(lambda: self.ddb.scan(TableName='DeadLetters')['Items'], 30, 'a dead letter item')
        self.assertEqual(len(items), 1)
        item = items[0]
        self.assertEqual(item['id']['S'], item['requestContext']['M']['requestId']['S'])
        self.assertEqual(item['requestContext']['M']['condition']['S'], 'RetryAttemptsExhausted')
        self.assertEqual(item['requestContext']['M']['approximateInvokeCount']['N'], '1')
        info = item['DDBStreamBatchInfo']['M']
        self.assertEqual(info['batchSize']['N'], '1')
        self.assertEqual(info['startSequenceNumber']['S'], self.stream_seqs('ToTable')[0])
        self.assertEqual(info['streamArn']['S'], self.stream_arn('ToTable'))

    def test_retries_exhausted_go_to_a_function(self):
        put(self.ddb, 'ToFunction', 'x', 1)
        put(self.ddb, 'ToFunction', 'y', 2)
        lines = wait_until(lambda: read_lines(self.path('deadfn.jsonl')), 30, 'the destination function')
        seqs = self.stream_seqs('ToFunction')
        got = [s for l in read_lines(self.path('deadfn.jsonl'))
               for s in (l['DDBStreamBatchInfo']['startSequenceNumber'], l['DDBStreamBatchInfo']['endSequenceNumber'])]
        wait_until(lambda: {s for l in read_lines(self.path('deadfn.jsonl'))
                            for s in (l['DDBStreamBatchInfo']['startSequenceNumber'],
                                      l['DDBStreamBatchInfo']['endSequenceNumber'])} >= set(seqs), 30,
                   'both records at the destination function')
        line = read_lines(self.path('deadfn.jsonl'))[0]
        self.assertEqual(line['requestContext']['approximateInvokeCount'], 2)
        self.assertEqual(line['requestContext']['condition'], 'RetryAttemptsExhausted')
        del got, lines

    def test_sqs_destination_is_a_local_file_named_after_the_arn(self):
        put(self.ddb, 'ToQueue', 'q', 1)
        path = os.path.join(self.server.data_dir, 'destinations',
                            'arn_aws_sqs_us-east-1_000000000000_failures.jsonl')
        lines = wait_until(lambda: read_lines(path), 30, path)
        self.check_batch_info(lines[0], 'ToQueue', 'RetryAttemptsExhausted', 'FailToQueue', self.stream_seqs('ToQueue'))

    def test_bisect_isolates_a_poison_record(self):
        for i in range(8):
            if i == 5:
                put(self.ddb, 'Bisect', 'b%d' % i, i, poison='yes')
            else:
                put(self.ddb, 'Bisect', 'b%d' % i, i)
        dlq = wait_until(lambda: read_lines(self.path('bisect-dlq.jsonl')), 60, 'the poison record at the destination')
        recs = wait_for_ns(self.path('bisect.jsonl'), [0, 1, 2, 3, 4, 6, 7])
        self.assertEqual(sorted(r['n'] for r in recs), [0, 1, 2, 3, 4, 6, 7], 'each good record exactly once')
        time.sleep(0.5)
        dlq = read_lines(self.path('bisect-dlq.jsonl'))
        self.assertEqual(len(dlq), 1, dlq)
        seqs = self.stream_seqs('Bisect')
        self.assertEqual(dlq[0]['DDBStreamBatchInfo']['batchSize'], 1)
        self.assertEqual(dlq[0]['DDBStreamBatchInfo']['startSequenceNumber'], seqs[5])
        self.assertEqual(dlq[0]['DDBStreamBatchInfo']['endSequenceNumber'], seqs[5])
        sizes = [len(a['records']) for a in read_lines(self.path('bisect.attempts'))]
        self.assertEqual(sizes[0], 8, sizes)  # the whole batch first, then halves: 8, 4, 4, 2, 2, 1, 1, 1 (a retry)
        self.assertEqual(sorted(sizes), [1, 1, 1, 2, 2, 4, 4, 8], sizes)

    def test_report_batch_item_failures_retries_from_the_lowest_failure(self):
        for i in range(10):
            if i == 4:
                put(self.ddb, 'Report', 'r%d' % i, i, fail=2)
            elif i == 7:
                put(self.ddb, 'Report', 'r%d' % i, i, fail=3)
            else:
                put(self.ddb, 'Report', 'r%d' % i, i)
        recs = wait_for_ns(self.path('report.jsonl'), range(10), timeout=40)
        self.assertEqual([r['n'] for r in recs], list(range(10)), 'each record succeeded once, in order')
        attempts = [[r['n'] for r in a['records']] for a in read_lines(self.path('report.attempts'))]
        self.assertEqual(attempts[0], list(range(10)), attempts)
        self.assertEqual(attempts[1], list(range(4, 10)), attempts)  # from the lowest failed record
        self.assertEqual(attempts[2], list(range(4, 10)), attempts)
        self.assertEqual(attempts[3], list(range(7, 10)), attempts)

    def test_report_batch_item_failures_unknown_identifier_fails_the_whole_batch(self):
        put(self.ddb, 'Report', 'u0', 100)
        put(self.ddb, 'Report', 'u1', 101, bogus='yes')
        recs = wait_for_ns(self.path('report.jsonl'), [100, 101], timeout=40)
        self.assertEqual([r['n'] for r in recs if r['n'] >= 100], [100, 101])
        attempts = [[r['n'] for r in a['records']] for a in read_lines(self.path('report.attempts'))]
        mine = [a for a in attempts if a and a[0] >= 100]
        self.assertEqual(mine[:2], [[100, 101], [100, 101]], attempts)  # retried whole

    def test_tumbling_window_carries_state_and_ends_with_a_final_invocation(self):
        for i in range(6):
            put(self.ddb, 'Windowed', 'w%d' % (i % 2), i)
            time.sleep(0.3)
        finals = wait_until(lambda: (lambda f: f if sum(x['state'].get('count', 0) for x in f) >= 6 else None)(
            [e for e in read_lines(self.path('window.jsonl')) if e['isFinalInvokeForWindow']]), 30,
            'final invocations covering all 6 records')
        entries = read_lines(self.path('window.jsonl'))
        arn = self.stream_arn('Windowed')
        by_window = {}
        for e in entries:
            self.assertEqual(e['eventSourceARN'], arn)
            self.assertFalse(e['isWindowTerminatedEarly'])
            self.assertRegex(e['shardId'], r'^shardId-')
            by_window.setdefault(e['window']['start'], []).append(e)
        all_ns = []
        for start, es in by_window.items():
            count = 0
            ns = []
            for e in es:
                self.assertEqual(e['state'].get('count', 0), count, 'state carried within %s' % start)
                self.assertEqual(e['state'].get('ns', []), ns)
                if e['isFinalInvokeForWindow']:
                    self.assertEqual(e['records'], [])
                    self.assertIs(e, es[-1])
                for r in e['records']:
                    self.assertLess(r['created'], time.mktime(time.strptime(e['window']['end'], '%Y-%m-%dT%H:%M:%SZ')) - time.timezone + 1)
                count += len(e['records'])
                ns += [r['n'] for r in e['records']]
            all_ns += ns
        self.assertEqual(sorted(all_ns), list(range(6)))
        self.assertEqual(sum(f['state']['count'] for f in finals), 6)

    def test_two_mappings_on_one_stream_each_get_every_record(self):
        keys = {'s%d' % k: [] for k in range(3)}
        for n in range(15):
            k = 's%d' % (n % 3)
            put(self.ddb, 'Shared', k, n)
            keys[k].append(n)
        a = [r for r in wait_for_ns(self.path('shared-a.jsonl'), range(15)) if r['k'] in keys]
        b = [r for r in wait_for_ns(self.path('shared-b.jsonl'), range(15)) if r['k'] in keys]
        self.assertEqual(sorted(r['n'] for r in a), list(range(15)))
        self.assertEqual(sorted(r['n'] for r in b), list(range(15)))
        check_per_key_order(self, a, keys)
        check_per_key_order(self, b, keys)
        self.assertTrue(all(len(x['records']) <= 3 for x in read_lines(self.path('shared-b.jsonl'))))

    def test_disabled_mapping_delivers_nothing(self):
        put(self.ddb, 'Off', 'o', 1)
        put(self.ddb, 'Shared', 'marker-off', 1000)  # another mapping proves records flow
        wait_for_ns(self.path('shared-a.jsonl'), [1000])
        time.sleep(1.0)
        self.assertFalse(os.path.exists(self.path('off.jsonl')))


AT_TIMESTAMP_STACK = """
name: at-timestamp
tables:
  Timed: {partitionKey: pk, stream: NEW_IMAGE}
functions:
  Reader:
    exec: [python3, fn.py]
    environment: {OUT: timed.jsonl}
%s
"""


class AtTimestampTest(unittest.TestCase):

    def test_at_timestamp_starts_at_the_first_record_of_that_time(self):
        stack = harness.StackDir(AT_TIMESTAMP_STACK % '', files={'fn.py': FN}, prefix='streamer-esm-at-')
        self.addCleanup(stack.remove)
        with Streamer(stack_file=stack.stack_file) as s:
            ddb = s.client('dynamodb')
            for i in range(3):
                put(ddb, 'Timed', 'a%d' % i, i)
            # The next whole second: creation times are whole seconds.
            time.sleep(1.05 - time.time() % 1)
            at = int(time.time())
            for i in range(3, 6):
                put(ddb, 'Timed', 'a%d' % i, i)
            s.stop()
            stack.write('stack.yaml', AT_TIMESTAMP_STACK % (
                'events:\n  - {function: Reader, table: Timed, startingPosition: AT_TIMESTAMP,'
                ' startingPositionTimestamp: %d.5}\n' % at))
            s.start()
            recs = wait_for_ns(stack.path('timed.jsonl'), [3, 4, 5])
            self.assertEqual(sorted(r['n'] for r in recs), [3, 4, 5])


FILTER_STACK = """
name: filters-test
tables:
  Filtered: {partitionKey: pk, stream: NEW_AND_OLD_IMAGES}
functions:
  Picky:
    exec: [python3, fn.py]
    environment: {OUT: picky.jsonl}
events:
  - function: Picky
    table: Filtered
    startingPosition: TRIM_HORIZON
    filters:
      - {eventName: [MODIFY]}
      - '{"eventName": ["INSERT"], "dynamodb": {"Keys": {"pk": {"S": [{"prefix": "keep-"}]}}}}'
"""


class FilterTest(unittest.TestCase):

    def test_only_records_matching_a_filter_are_delivered(self):
        stack = harness.StackDir(FILTER_STACK, files={'fn.py': FN}, prefix='streamer-esm-filter-')
        self.addCleanup(stack.remove)
        s = Streamer(stack_file=stack.stack_file)
        self.addCleanup(s.close)
        s.start()
        ddb = s.client('dynamodb')
        put(ddb, 'Filtered', 'drop-1', 1)    # INSERT, no keep- prefix: filtered out
        put(ddb, 'Filtered', 'keep-1', 2)    # INSERT with the prefix: delivered
        put(ddb, 'Filtered', 'drop-1', 3)    # MODIFY: delivered
        ddb.delete_item(TableName='Filtered', Key={'pk': {'S': 'keep-1'}})  # REMOVE: filtered out
        put(ddb, 'Filtered', 'keep-2', 4)    # delivered
        recs = wait_for_ns(stack.path('picky.jsonl'), [2, 3, 4])
        self.assertEqual([(r['k'], r['n']) for r in recs], [('keep-1', 2), ('drop-1', 3), ('keep-2', 4)])
        # After a restart nothing comes again (the checkpoint is past every record).
        s.stop()
        s.start()
        put(s.client('dynamodb'), 'Filtered', 'keep-3', 5)
        recs = wait_for_ns(stack.path('picky.jsonl'), [5])
        self.assertEqual([r['n'] for r in recs], [2, 3, 4, 5])



API_STACK = """
name: api-mappings
tables:
  ApiFailing: {partitionKey: pk, stream: NEW_IMAGE}
  ApiFine: {partitionKey: pk, stream: NEW_IMAGE}
functions:
  Failing:
    exec: [python3, fn.py]
    environment: {MODE: fail}
  Fine:
    exec: [python3, fn.py]
    environment: {OUT: fine.jsonl}
"""


class ApiMappingTest(unittest.TestCase):
    """The same mappings created through the Lambda API (boto3): options take effect and
    GetEventSourceMapping shows LastProcessingResult."""

    def test_options_and_last_processing_result_through_the_lambda_api(self):
        stack = harness.StackDir(API_STACK, files={'fn.py': FN}, prefix='streamer-esm-api-')
        self.addCleanup(stack.remove)
        with Streamer(stack_file=stack.stack_file) as s:
            ddb, lam = s.client('dynamodb'), s.client('lambda')
            arn = lambda t: ddb.describe_table(TableName=t)['Table']['LatestStreamArn']
            failing = lam.create_event_source_mapping(
                FunctionName='Failing', EventSourceArn=arn('ApiFailing'), StartingPosition='TRIM_HORIZON',
                BatchSize=4, MaximumRetryAttempts=1, BisectBatchOnFunctionError=True, ParallelizationFactor=2,
                DestinationConfig={'OnFailure': {'Destination': 'arn:aws:sns:us-east-1:000000000000:alarms'}})
            fine = lam.create_event_source_mapping(
                FunctionName='Fine', EventSourceArn=arn('ApiFine'), StartingPosition='TRIM_HORIZON')
            self.assertEqual(lam.get_event_source_mapping(UUID=fine['UUID'])['LastProcessingResult'],
                             'No records processed')
            put(ddb, 'ApiFailing', 'a', 1)
            put(ddb, 'ApiFine', 'b', 2)
            wait_for_ns(stack.path('fine.jsonl'), [2])
            wait_until(lambda: lam.get_event_source_mapping(UUID=fine['UUID'])['LastProcessingResult'] == 'OK',
                       10, 'LastProcessingResult OK')
            path = os.path.join(s.data_dir, 'destinations', 'arn_aws_sns_us-east-1_000000000000_alarms.jsonl')
            lines = wait_until(lambda: read_lines(path), 30, path)
            self.assertEqual(lines[0]['requestContext']['condition'], 'RetryAttemptsExhausted')
            self.assertEqual(lines[0]['requestContext']['approximateInvokeCount'], 2)
            self.assertEqual(lines[0]['DDBStreamBatchInfo']['streamArn'], arn('ApiFailing'))
            self.assertEqual(lam.get_event_source_mapping(UUID=failing['UUID'])['LastProcessingResult'],
                             'PROBLEM: Function call failed')


BAD_EVENTS = [
    ('batchSize: 0', 'batchSize: must be between 1 and 10000'),
    ('batchSize: 10001', 'batchSize: must be between 1 and 10000'),
    ('maximumBatchingWindow: 301', 'maximumBatchingWindow: must be between 0 and 300'),
    ('maximumRetryAttempts: -2', 'maximumRetryAttempts: must be between -1 and 10000'),
    ('maximumRetryAttempts: 10001', 'maximumRetryAttempts: must be between -1 and 10000'),
    ('maximumRecordAge: 59', 'maximumRecordAge: must be -1 (forever) or between 60 and 604800'),
    ('maximumRecordAge: 604801', 'maximumRecordAge: must be between -1 and 604800'),
    ('parallelizationFactor: 0', 'parallelizationFactor: must be between 1 and 10'),
    ('parallelizationFactor: 11', 'parallelizationFactor: must be between 1 and 10'),
    ('tumblingWindow: 901', 'tumblingWindow: must be between 0 and 900'),
    ('bisectBatchOnFunctionError: maybe', 'bisectBatchOnFunctionError: expected true or false'),
    ('functionResponseTypes: [Everything]', 'functionResponseTypes[0]: unknown function response type'),
    ('functionResponseTypes: ReportBatchItemFailures', 'functionResponseTypes: expected a list'),
    ('startingPosition: AT_TIMESTAMP', "AT_TIMESTAMP needs 'startingPositionTimestamp'"),
    ('startingPositionTimestamp: 5', 'startingPositionTimestamp: only with startingPosition: AT_TIMESTAMP'),
    ('destinations: {onFailure: "arn:aws:s3:::bucket"}', 'destinations.onFailure: expected a function, table'),
    ('destinations: {onSuccess: "file://x"}', "destinations.onSuccess: unknown key 'onSuccess'"),
    ('filters: [1, 2, 3, 4, 5, 6]', 'filters: at most 5 filters'),
    ('filters: [hello]', 'filters[0]: expected a filter pattern'),
    ('retries: 3', 'unknown key'),
    ('filters: [{eventName: INSERT}]', 'Invalid filter pattern definition'),
    ('filters: [{eventName: [{wildcard: "IN*"}]}]', 'Invalid filter pattern definition'),
]


class StackValidationTest(unittest.TestCase):

    def test_bad_options_are_refused_with_the_file_line_and_key(self):
        for option, message in BAD_EVENTS:
            with self.subTest(option=option):
                yaml = ('name: bad\ntables:\n  Tab: {partitionKey: pk, stream: NEW_IMAGE}\n'
                        'functions:\n  F: {exec: ["true"]}\nevents:\n  - function: F\n    table: Tab\n'
                        '    %s\n' % option)
                with harness.StackDir(yaml, prefix='streamer-esm-bad-') as stack:
                    s = Streamer(stack_file=stack.stack_file)
                    try:
                        with self.assertRaises(harness.StreamerError) as err:
                            s.start()
                    finally:
                        s.close()
                    self.assertIn('stack.yaml:', str(err.exception))
                    self.assertIn(message, str(err.exception))


if __name__ == '__main__':
    unittest.main()
