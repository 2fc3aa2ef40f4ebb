"""DynamoDB Streams against the real binary, what needs time: retention (records trimmed in the
background, TRIM_HORIZON moving, TrimmedDataAccessException, the horizon kept across restarts),
expired shard iterators, and trimming while writers and readers run. boto3 and the AWS CLI.

The servers run with a short retention (`--stream-retention-hours` takes fractions) and a short
iterator lifetime (the hidden `--stream-iterator-ttl-seconds`); the API reference cases are in
tests/conformance/test_dynamodb_streams.py.
"""

import itertools
import threading
import time
import unittest

from botocore.exceptions import ClientError

from harness import Streamer

_counter = itertools.count()

RETENTION_SECONDS = 18  # long enough to read a fresh record after a restart on a slow machine


def unique(prefix):
    return '%s-%d-%d' % (prefix, int(time.time() * 1000) % 100000, next(_counter))


class StreamsServerCase(unittest.TestCase):
    extra_args = ()
    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = Streamer(extra_args=['--shards', '1'] + list(cls.extra_args))
        cls.server.start()
        cls.connect()

    @classmethod
    def connect(cls):
        cls.ddb = cls.server.client('dynamodb')
        cls.streams = cls.server.client('dynamodbstreams')

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.server:
                cls.server.stop(check=True)
        finally:
            if cls.server:
                cls.server.close()

    def create_table(self, prefix):
        name = unique(prefix)
        desc = self.ddb.create_table(
            TableName=name, BillingMode='PAY_PER_REQUEST',
            AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],
            KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],
            StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})['TableDescription']
        arn = desc['LatestStreamArn']
        shard_id = self.streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards'][0]['ShardId']
        return name, arn, shard_id

    def iterator(self, arn, shard_id, kind='TRIM_HORIZON', **kw):
        return self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind,
                                               **kw)['ShardIterator']

    def read(self, arn, shard_id, kind='TRIM_HORIZON', **kw):
        it = self.iterator(arn, shard_id, kind, **kw)
        out = []
        while it:
            page = self.streams.get_records(ShardIterator=it)
            out += page['Records']
            if not page['Records']:
                break
            it = page.get('NextShardIterator')
        return out

    def seqs(self, records):
        return [r['dynamodb']['SequenceNumber'] for r in records]

    def assertCode(self, code, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        err = ctx.exception.response['Error']
        self.assertEqual(err['Code'], code, err)
        self.assertTrue(err.get('Message'), err)
        return err['Message']


class RetentionTest(StreamsServerCase):
    extra_args = ('--stream-retention-hours', str(RETENTION_SECONDS / 3600.0), '--stream-trim-interval-ms', '200')

    def test_old_records_are_trimmed_and_the_horizon_survives_restarts(self):
        name, arn, shard = self.create_table('Trim')
        closed, closed_arn, closed_shard = self.create_table('TrimClosed')
        for n in range(5):
            self.ddb.put_item(TableName=name, Item={'pk': {'S': 'k%d' % n}})
        self.ddb.put_item(TableName=closed, Item={'pk': {'S': 'c'}})
        self.ddb.update_table(TableName=closed, StreamSpecification={'StreamEnabled': False})
        written = time.time()
        old = self.seqs(self.read(arn, shard))
        self.assertEqual(len(old), 5)
        self.assertEqual(len(self.read(closed_arn, closed_shard)), 1)
        horizon_it = self.iterator(arn, shard)
        at_it = self.iterator(arn, shard, 'AT_SEQUENCE_NUMBER', SequenceNumber=old[2])
        past_last_it = self.iterator(arn, shard, 'AFTER_SEQUENCE_NUMBER', SequenceNumber=old[-1])

        # Gone once older than the retention, and not before (records carry whole seconds).
        deadline = written + RETENTION_SECONDS + 60
        while self.read(arn, shard) and time.time() < deadline:
            time.sleep(0.25)
        trimmed_after = time.time() - written
        self.assertEqual(self.read(arn, shard), [], 'records never trimmed')
        self.assertGreater(trimmed_after, RETENTION_SECONDS - 1)

        # Iterators into what was trimmed fail; one after the last trimmed record missed nothing.
        self.assertIn('oldest stream record', self.assertCode('TrimmedDataAccessException',
                                                              self.streams.get_records, ShardIterator=horizon_it))
        self.assertCode('TrimmedDataAccessException', self.streams.get_records, ShardIterator=at_it)
        self.assertCode('TrimmedDataAccessException', self.streams.get_shard_iterator, StreamArn=arn,
                        ShardId=shard, ShardIteratorType='AT_SEQUENCE_NUMBER', SequenceNumber=old[0])
        self.assertCode('TrimmedDataAccessException', self.streams.get_shard_iterator, StreamArn=arn,
                        ShardId=shard, ShardIteratorType='AFTER_SEQUENCE_NUMBER', SequenceNumber=old[-2])
        after_last = self.iterator(arn, shard, 'AFTER_SEQUENCE_NUMBER', SequenceNumber=old[-1])
        self.assertEqual(self.streams.get_records(ShardIterator=past_last_it)['Records'], [])

        # New records: TRIM_HORIZON starts at the horizon and reads them; the shard starts there.
        self.ddb.put_item(TableName=name, Item={'pk': {'S': 'fresh'}})
        fresh = self.read(arn, shard)
        self.assertEqual([r['dynamodb']['Keys']['pk']['S'] for r in fresh], ['fresh'])
        self.assertGreater(int(fresh[0]['dynamodb']['SequenceNumber']), int(old[-1]))
        self.assertEqual(self.streams.get_records(ShardIterator=after_last)['Records'], fresh)
        self.assertEqual(self.streams.get_records(ShardIterator=past_last_it)['Records'], fresh)
        d = self.streams.describe_stream(StreamArn=arn)['StreamDescription']
        self.assertEqual(d['Shards'][0]['SequenceNumberRange']['StartingSequenceNumber'], self.seqs(fresh)[0])

        # The disabled stream was trimmed too: still listed, its shard closed and empty.
        page = self.streams.get_records(ShardIterator=self.iterator(closed_arn, closed_shard))
        self.assertEqual(page['Records'], [])
        self.assertNotIn('NextShardIterator', page)
        rng = self.streams.describe_stream(StreamArn=closed_arn)['StreamDescription']['Shards'][0]['SequenceNumberRange']
        self.assertIn('EndingSequenceNumber', rng)

        # The horizon is kept across a clean restart and a kill -9.
        for kill in (False, True):
            with self.subTest(kill=kill):
                self.server.restart(kill=kill)
                self.connect()
                self.assertCode('TrimmedDataAccessException', self.streams.get_records, ShardIterator=horizon_it)
                self.assertCode('TrimmedDataAccessException', self.streams.get_shard_iterator, StreamArn=arn,
                                ShardId=shard, ShardIteratorType='AT_SEQUENCE_NUMBER', SequenceNumber=old[0])
                self.assertEqual(self.read(arn, shard), fresh)
                self.assertEqual(self.streams.get_records(ShardIterator=past_last_it)['Records'], fresh)

        # The AWS CLI gets the same error.
        rc, out, err = self.server.aws('dynamodbstreams', 'get-shard-iterator', '--stream-arn', arn,
                                       '--shard-id', shard, '--shard-iterator-type', 'AT_SEQUENCE_NUMBER',
                                       '--sequence-number', old[0])
        self.assertNotEqual(rc, 0)
        self.assertIn('TrimmedDataAccessException', err)


class IteratorExpiryTest(StreamsServerCase):
    extra_args = ('--stream-iterator-ttl-seconds', '2')

    def test_iterators_expire(self):
        name, arn, shard = self.create_table('Exp')
        self.ddb.put_item(TableName=name, Item={'pk': {'S': 'a'}})
        it = self.iterator(arn, shard)
        page = self.streams.get_records(ShardIterator=it, Limit=1)
        self.assertEqual(len(page['Records']), 1)
        nxt = page['NextShardIterator']
        time.sleep(3.5)
        message = self.assertCode('ExpiredIteratorException', self.streams.get_records, ShardIterator=it)
        self.assertIn('Iterator expired', message)
        self.assertIn('2000 milliseconds', message)
        self.assertCode('ExpiredIteratorException', self.streams.get_records, ShardIterator=nxt)
        rc, out, err = self.server.aws('dynamodbstreams', 'get-records', '--shard-iterator', it)
        self.assertNotEqual(rc, 0)
        self.assertIn('ExpiredIteratorException', err)
        # A new iterator reads; each NextShardIterator is issued anew.
        self.ddb.put_item(TableName=name, Item={'pk': {'S': 'b'}})
        it = self.iterator(arn, shard, 'AFTER_SEQUENCE_NUMBER',
                          SequenceNumber=self.seqs(self.read(arn, shard))[0])
        page = self.streams.get_records(ShardIterator=it)
        self.assertEqual([r['dynamodb']['Keys']['pk']['S'] for r in page['Records']], ['b'])
        for _ in range(3):
            time.sleep(1.2)
            page = self.streams.get_records(ShardIterator=page['NextShardIterator'])


class TrimUnderLoadTest(StreamsServerCase):
    # About a second of retention, trimmed every 50 ms: trims race writers and readers.
    extra_args = ('--stream-retention-hours', '0.0003', '--stream-trim-interval-ms', '50')

    def test_readers_and_writers_while_trimming(self):
        name, arn, shard = self.create_table('Load')
        stop = threading.Event()
        errors, trimmed, pages = [], [0], [0]

        def writer():
            ddb = self.server.client('dynamodb')
            n = 0
            try:
                while not stop.is_set():
                    ddb.put_item(TableName=name, Item={'pk': {'S': 'k%d' % (n % 5)}, 'n': {'N': str(n)}})
                    n += 1
            except Exception as err:  # reported below
                errors.append(err)

        def reader():
            streams = self.server.client('dynamodbstreams')
            last = {}
            try:
                while not stop.is_set():
                    try:
                        it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                                        ShardIteratorType='TRIM_HORIZON')['ShardIterator']
                        while it and not stop.is_set():
                            page = streams.get_records(ShardIterator=it, Limit=7)
                            pages[0] += 1
                            for r in page['Records']:
                                key = r['dynamodb']['Keys']['pk']['S']
                                n = int(r['dynamodb']['NewImage']['n']['N'])
                                if n <= last.get(key, -1):
                                    errors.append('order: %s %d after %d' % (key, n, last[key]))
                                last[key] = n
                            if not page['Records']:
                                break
                            it = page['NextShardIterator']
                    except ClientError as err:
                        if err.response['Error']['Code'] != 'TrimmedDataAccessException':
                            raise
                        trimmed[0] += 1
                    last.clear()
            except Exception as err:  # reported below
                errors.append(err)

        threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader) for _ in range(2)]
        for t in threads:
            t.start()
        time.sleep(8)
        stop.set()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        self.assertGreater(pages[0], 0)
        self.assertTrue(self.server.healthy())
        # With the writes stopped, everything goes within the retention (plus a second).
        deadline = time.time() + 30
        while self.read(arn, shard) and time.time() < deadline:
            time.sleep(0.25)
        self.assertEqual(self.read(arn, shard), [])


if __name__ == '__main__':
    unittest.main()
