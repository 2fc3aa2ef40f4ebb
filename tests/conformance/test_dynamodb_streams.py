"""DynamoDB Streams API, case by case from AWS's API reference (ListStreams, DescribeStream,
GetShardIterator, GetRecords) and botocore's model of it (members, lengths, enums, ranges).

Every bad request is a case in a table: (operation, body, error code, exact message or None).
The server runs with three writers, so a new table's stream has three shards (paging).
Retention, expired iterators and restarts are in tests/blackbox/test_streams_api.py.
"""
import base64
import itertools
import json
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from conformance import ConformanceCase
from harness import Streamer

_names = itertools.count()


def constraint(value, field, rule):
    return "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s" % (value, field, rule)


def null(field):
    return "1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null" % field


SHARDS = 3


class StreamsCase(ConformanceCase):
    @classmethod
    def setUpClass(cls):
        # Not the default server: three stream shards per table, to page through.
        cls.server = Streamer(extra_args=['--shards', str(SHARDS)])
        cls.server.start()
        cls.ddb = cls.server.client('dynamodb')
        cls.streams = cls.server.client('dynamodbstreams')

    def stream_table(self, view='NEW_AND_OLD_IMAGES', prefix='s'):
        name = self.table(prefix=prefix, StreamSpecification={'StreamEnabled': True, 'StreamViewType': view})
        return name, self.ddb.describe_table(TableName=name)['Table']['LatestStreamArn']

    def shard_ids(self, arn):
        return [s['ShardId'] for s in self.streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']]

    def fill(self, name, arn, per_shard=2):
        """Puts items until every shard has at least `per_shard` records; returns {shard: [records]}."""
        records = {}
        for i in range(400):
            self.ddb.put_item(TableName=name, Item={'pk': {'S': 'k%d' % i}, 'n': {'N': str(i)}})
            records = self.read_all(arn)
            if len(records) == SHARDS and all(len(r) >= per_shard for r in records.values()):
                return records
        self.fail('keys never covered every shard: %r' % {s: len(r) for s, r in records.items()})

    def read_shard(self, arn, shard_id, kind='TRIM_HORIZON', **kw):
        """(records, whether the last page had a NextShardIterator)."""
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind,
                                             **kw)['ShardIterator']
        out = []
        for _ in range(1000):
            page = self.streams.get_records(ShardIterator=it)
            out += page['Records']
            if 'NextShardIterator' not in page:
                return out, False
            if not page['Records']:
                return out, True
            it = page['NextShardIterator']
        self.fail('shard never ran dry')

    def read_all(self, arn):
        out = {}
        for shard_id in self.shard_ids(arn):
            recs, _ = self.read_shard(arn, shard_id)
            if recs:
                out[shard_id] = recs
        return out

    def streams_raw(self, operation, body):
        if not isinstance(body, (str, bytes)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        req = urllib.request.Request(
            self.server.endpoint, data=body, method='POST',
            headers={'X-Amz-Target': 'DynamoDBStreams_20120810.' + operation,
                     'Content-Type': 'application/x-amz-json-1.0'})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def check_cases(self, cases):
        for operation, body, code, message in cases:
            with self.subTest(operation=operation, body=json.dumps(body)[:200]):
                status, out = self.streams_raw(operation, body)
                self.assertEqual(status, 400, out)
                self.assertEqual(out['__type'].split('#')[-1], code, out)
                if message is not None:
                    self.assertEqual(out.get('message', out.get('Message')), message)

    def assertStreamsError(self, code, fn, **kwargs):
        with self.assertRaises(ClientError) as ctx:
            fn(**kwargs)
        self.assertEqual(ctx.exception.response['Error']['Code'], code, ctx.exception.response)
        return ctx.exception.response['Error'].get('Message')


class ListStreamsTest(StreamsCase):

    def listed(self, **kw):
        out, kwargs = [], dict(kw)
        while True:
            page = self.streams.list_streams(**kwargs)
            if 'Limit' in kw:
                self.assertLessEqual(len(page['Streams']), kw['Limit'])
            out += page['Streams']
            if 'LastEvaluatedStreamArn' not in page:
                return out
            self.assertEqual(page['LastEvaluatedStreamArn'], page['Streams'][-1]['StreamArn'])
            kwargs['ExclusiveStartStreamArn'] = page['LastEvaluatedStreamArn']

    def test_every_stream_in_order_and_paged(self):
        a, arn_a = self.stream_table(prefix='la')
        b, arn_b1 = self.stream_table('KEYS_ONLY', prefix='lb')
        # b's stream disabled then a new one enabled: both listed, the old one first.
        self.ddb.update_table(TableName=b, StreamSpecification={'StreamEnabled': False})
        self.ddb.update_table(TableName=b, StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})
        arn_b2 = self.ddb.describe_table(TableName=b)['Table']['LatestStreamArn']
        self.assertNotEqual(arn_b1, arn_b2)
        c = self.table(prefix='lc')  # no stream: not listed
        everything = self.streams.list_streams()['Streams']
        keys = [(s['TableName'], s['StreamLabel']) for s in everything]
        self.assertEqual(keys, sorted(keys))
        arns = [s['StreamArn'] for s in everything]
        for arn in (arn_a, arn_b1, arn_b2):
            self.assertIn(arn, arns)
        self.assertLess(arns.index(arn_b1), arns.index(arn_b2))
        self.assertNotIn(c, [s['TableName'] for s in everything])
        for limit in (1, 2, 3, 100):
            with self.subTest(limit=limit):
                self.assertEqual(self.listed(Limit=limit), everything)
        self.assertEqual([s['StreamArn'] for s in self.listed(TableName=b, Limit=1)], [arn_b1, arn_b2])
        self.assertEqual(self.streams.list_streams(TableName=c)['Streams'], [])
        for s in everything:
            self.assertTrue(s['StreamArn'].endswith('/stream/' + s['StreamLabel']), s)

    def test_exclusive_start_of_a_deleted_stream_continues_after_it(self):
        x, arn_x = self.stream_table(prefix='lx')
        y, arn_y = self.stream_table(prefix='ly')
        self.ddb.delete_table(TableName=x)
        page = self.streams.list_streams(ExclusiveStartStreamArn=arn_x)['Streams']
        self.assertNotIn(arn_x, [s['StreamArn'] for s in page])
        self.assertIn(arn_y, [s['StreamArn'] for s in page])
        self.assertTrue(all((s['TableName'], s['StreamLabel']) > (x, '') for s in page))

    def test_errors(self):
        self.check_cases([
            ('ListStreams', {'Limit': 0}, 'ValidationException',
             constraint(0, 'limit', 'Member must have value greater than or equal to 1')),
            ('ListStreams', {'Limit': 101}, 'ValidationException',
             constraint(101, 'limit', 'Member must have value less than or equal to 100')),
            ('ListStreams', {'Limit': 'ten'}, 'SerializationException', None),
            ('ListStreams', {'TableName': 5}, 'SerializationException', None),
            ('ListStreams', {'TableName': 'ab'}, 'ValidationException',
             constraint('ab', 'tableName', 'Member must have length greater than or equal to 3')),
            ('ListStreams', {'TableName': 'bad name!'}, 'ValidationException',
             constraint('bad name!', 'tableName', 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+')),
            ('ListStreams', {'TableName': 'NoSuchTable-ls'}, 'ResourceNotFoundException',
             'Requested resource not found: Table: NoSuchTable-ls not found'),
            ('ListStreams', {'ExclusiveStartStreamArn': 'arn:short'}, 'ValidationException',
             constraint('arn:short', 'exclusiveStartStreamArn', 'Member must have length greater than or equal to 37')),
            ('ListStreams', {'ExclusiveStartStreamArn': 'x' * 40}, 'ValidationException',
             'Invalid ExclusiveStartStreamArn: ' + 'x' * 40),
            ('ListStreams', [], 'SerializationException', None),
            ('ListStreams', 'not json', 'SerializationException', None),
        ])


class DescribeStreamTest(StreamsCase):

    def test_description_and_shard_paging(self):
        name = self.table(prefix='d', range_key=('sk', 'N'),
                          StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'})
        arn = self.ddb.describe_table(TableName=name)['Table']['LatestStreamArn']
        d = self.streams.describe_stream(StreamArn=arn)['StreamDescription']
        self.assertEqual(d['StreamArn'], arn)
        self.assertEqual(d['TableName'], name)
        self.assertEqual(d['StreamStatus'], 'ENABLED')
        self.assertEqual(d['StreamViewType'], 'KEYS_ONLY')
        self.assertEqual(d['KeySchema'], [{'AttributeName': 'pk', 'KeyType': 'HASH'},
                                          {'AttributeName': 'sk', 'KeyType': 'RANGE'}])
        self.assertIn('CreationRequestDateTime', d)
        self.assertNotIn('LastEvaluatedShardId', d)
        ids = [s['ShardId'] for s in d['Shards']]
        self.assertEqual(len(ids), SHARDS)
        for s in d['Shards']:
            self.assertNotIn('ParentShardId', s)  # no lineage: no rollover
            self.assertNotIn('EndingSequenceNumber', s['SequenceNumberRange'])  # open
            self.assertEqual(len(s['SequenceNumberRange']['StartingSequenceNumber']), 21)
        for limit in (1, 2):
            with self.subTest(limit=limit):
                got, kwargs = [], {'StreamArn': arn, 'Limit': limit}
                while True:
                    page = self.streams.describe_stream(**kwargs)['StreamDescription']
                    self.assertLessEqual(len(page['Shards']), limit)
                    got += [s['ShardId'] for s in page['Shards']]
                    if 'LastEvaluatedShardId' not in page:
                        break
                    self.assertEqual(page['LastEvaluatedShardId'], got[-1])
                    kwargs['ExclusiveStartShardId'] = page['LastEvaluatedShardId']
                self.assertEqual(got, ids)
        last = self.streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=ids[-1])['StreamDescription']
        self.assertEqual(last['Shards'], [])
        # CHILD_SHARDS: nothing has a parent here.
        children = self.streams.describe_stream(StreamArn=arn, ShardFilter={'Type': 'CHILD_SHARDS',
                                                                            'ShardId': ids[0]})
        self.assertEqual(children['StreamDescription']['Shards'], [])

    def test_disabled_stream_has_closed_shards(self):
        name, arn = self.stream_table(prefix='dc')
        records = self.fill(name, arn)
        self.ddb.update_table(TableName=name, StreamSpecification={'StreamEnabled': False})
        d = self.streams.describe_stream(StreamArn=arn)['StreamDescription']
        self.assertEqual(d['StreamStatus'], 'DISABLED')
        self.assertEqual(d['StreamViewType'], 'NEW_AND_OLD_IMAGES')
        for s in d['Shards']:
            r = s['SequenceNumberRange']
            recs = records[s['ShardId']]
            self.assertEqual(r['StartingSequenceNumber'], recs[0]['dynamodb']['SequenceNumber'])
            self.assertEqual(r['EndingSequenceNumber'], recs[-1]['dynamodb']['SequenceNumber'])
        self.assertIn(arn, [s['StreamArn'] for s in self.streams.list_streams(TableName=name)['Streams']])

    def test_errors(self):
        name, arn = self.stream_table(prefix='de')
        shard = self.shard_ids(arn)[0]
        gone = arn.rsplit('/', 1)[0] + '/1999-01-01T00:00:00.000'
        self.check_cases([
            ('DescribeStream', {}, 'ValidationException', null('streamArn')),
            ('DescribeStream', {'StreamArn': 7}, 'SerializationException', None),
            ('DescribeStream', {'StreamArn': 'arn:short'}, 'ValidationException',
             constraint('arn:short', 'streamArn', 'Member must have length greater than or equal to 37')),
            ('DescribeStream', {'StreamArn': arn, 'Limit': 0}, 'ValidationException',
             constraint(0, 'limit', 'Member must have value greater than or equal to 1')),
            ('DescribeStream', {'StreamArn': arn, 'Limit': 101}, 'ValidationException',
             constraint(101, 'limit', 'Member must have value less than or equal to 100')),
            ('DescribeStream', {'StreamArn': arn, 'Limit': 'x'}, 'SerializationException', None),
            ('DescribeStream', {'StreamArn': arn, 'ExclusiveStartShardId': 'shardId-1'}, 'ValidationException',
             constraint('shardId-1', 'exclusiveStartShardId', 'Member must have length greater than or equal to 28')),
            ('DescribeStream', {'StreamArn': arn, 'ShardFilter': 'x'}, 'SerializationException', None),
            ('DescribeStream', {'StreamArn': arn, 'ShardFilter': {'Type': 'PARENT_SHARDS', 'ShardId': shard}},
             'ValidationException',
             constraint('PARENT_SHARDS', 'shardFilter.type', 'Member must satisfy enum value set: [CHILD_SHARDS]')),
            ('DescribeStream', {'StreamArn': arn, 'ShardFilter': {'Type': 'CHILD_SHARDS'}}, 'ValidationException',
             None),
            ('DescribeStream', {'StreamArn': arn, 'ShardFilter': {'Type': 'CHILD_SHARDS',
                                                                  'ShardId': 'shardId-00000000000000000000-deadbeef'}},
             'ResourceNotFoundException', None),
            ('DescribeStream', {'StreamArn': gone}, 'ResourceNotFoundException',
             'Requested resource not found: Stream: %s not found' % gone),
            ('DescribeStream', {'StreamArn': 'arn:aws:dynamodb:us-east-1:000000000000:table/Nope/stream/x'},
             'ResourceNotFoundException', None),
            ('DescribeStream', {'StreamArn': 'not-an-arn-at-all-but-long-enough-for-the-min'},
             'ResourceNotFoundException', None),
        ])


class GetShardIteratorTest(StreamsCase):

    def test_the_four_types(self):
        name, arn = self.stream_table(prefix='gi')
        records = self.fill(name, arn, per_shard=3)
        for shard_id, recs in records.items():
            seqs = [r['dynamodb']['SequenceNumber'] for r in recs]
            got = lambda kind, **kw: [r['dynamodb']['SequenceNumber'] for r in self.read_shard(arn, shard_id, kind, **kw)[0]]
            self.assertEqual(got('TRIM_HORIZON'), seqs)
            self.assertEqual(got('LATEST'), [])
            self.assertEqual(got('AT_SEQUENCE_NUMBER', SequenceNumber=seqs[1]), seqs[1:])
            self.assertEqual(got('AFTER_SEQUENCE_NUMBER', SequenceNumber=seqs[1]), seqs[2:])
            self.assertEqual(got('AFTER_SEQUENCE_NUMBER', SequenceNumber=seqs[-1]), [])

    def test_errors(self):
        name, arn = self.stream_table(prefix='ge')
        records = self.fill(name, arn)
        s0 = next(iter(records))
        # Sequence numbers count per writer, and another table's shards share the writers: after
        # writes to another table, shard s0's next record leaves a gap, a number no record of s0 has.
        other, other_arn = self.stream_table(prefix='go')
        self.fill(other, other_arn, per_shard=1)
        for i in range(400):
            self.ddb.put_item(TableName=name, Item={'pk': {'S': 'more%d' % i}})
            r0 = self.read_shard(arn, s0)[0]
            if len(r0) > len(records[s0]):
                break
        seqs = [int(r['dynamodb']['SequenceNumber']) for r in r0]
        foreign = next('%021d' % (a + 1) for a, b in zip(seqs, seqs[1:]) if b > a + 1)
        first = r0[0]['dynamodb']['SequenceNumber']
        base = {'StreamArn': arn, 'ShardId': s0}
        gone = arn.rsplit('/', 1)[0] + '/1999-01-01T00:00:00.000'
        enum = 'Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, LATEST, AT_SEQUENCE_NUMBER, TRIM_HORIZON]'
        self.check_cases([
            ('GetShardIterator', {'ShardId': s0, 'ShardIteratorType': 'LATEST'}, 'ValidationException', null('streamArn')),
            ('GetShardIterator', {'StreamArn': arn, 'ShardIteratorType': 'LATEST'}, 'ValidationException', null('shardId')),
            ('GetShardIterator', base, 'ValidationException', null('shardIteratorType')),
            ('GetShardIterator', dict(base, ShardIteratorType='SOMEWHERE'), 'ValidationException',
             constraint('SOMEWHERE', 'shardIteratorType', enum)),
            ('GetShardIterator', dict(base, ShardIteratorType=1), 'SerializationException', None),
            ('GetShardIterator', dict(base, ShardId='shardId-1', ShardIteratorType='LATEST'), 'ValidationException',
             constraint('shardId-1', 'shardId', 'Member must have length greater than or equal to 28')),
            ('GetShardIterator', dict(base, ShardIteratorType='AT_SEQUENCE_NUMBER'), 'ValidationException',
             'A sequence number is required for the iterator type AT_SEQUENCE_NUMBER'),
            ('GetShardIterator', dict(base, ShardIteratorType='TRIM_HORIZON', SequenceNumber=first),
             'ValidationException', None),
            ('GetShardIterator', dict(base, ShardIteratorType='AT_SEQUENCE_NUMBER', SequenceNumber='12'),
             'ValidationException',
             constraint('12', 'sequenceNumber', 'Member must have length greater than or equal to 21')),
            ('GetShardIterator', dict(base, ShardIteratorType='AT_SEQUENCE_NUMBER', SequenceNumber='x' * 21),
             'ValidationException', 'Invalid SequenceNumber: ' + 'x' * 21),
            ('GetShardIterator', dict(base, ShardIteratorType='AFTER_SEQUENCE_NUMBER', SequenceNumber='9' * 40),
             'ValidationException', 'Invalid SequenceNumber: ' + '9' * 40),
            ('GetShardIterator', dict(base, ShardIteratorType='AT_SEQUENCE_NUMBER', SequenceNumber='9' * 21),
             'ValidationException', 'Invalid SequenceNumber: ' + '9' * 21),  # past 2^64
            ('GetShardIterator', dict(base, ShardIteratorType='AT_SEQUENCE_NUMBER', SequenceNumber='000' + '9' * 18),
             'ValidationException', 'Invalid SequenceNumber: %s is beyond the end of shard %s' % ('000' + '9' * 18, s0)),
            ('GetShardIterator', dict(base, ShardIteratorType='AT_SEQUENCE_NUMBER', SequenceNumber=foreign),
             'ValidationException', 'Invalid SequenceNumber: %s is not a sequence number of shard %s' % (foreign, s0)),
            ('GetShardIterator', dict(base, ShardIteratorType='AFTER_SEQUENCE_NUMBER', SequenceNumber='0' * 21),
             'ValidationException', None),
            ('GetShardIterator', dict(base, ShardId='shardId-00000000000000000000-deadbeef',
                                      ShardIteratorType='TRIM_HORIZON'),
             'ResourceNotFoundException', 'Requested resource not found: Shard does not exist'),
            ('GetShardIterator', dict(base, StreamArn=gone, ShardIteratorType='TRIM_HORIZON'),
             'ResourceNotFoundException', 'Requested resource not found: Stream: %s not found' % gone),
        ])


class GetRecordsTest(StreamsCase):

    def iterator(self, arn, shard_id, kind='TRIM_HORIZON', **kw):
        return self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind,
                                               **kw)['ShardIterator']

    def test_limits_and_open_shards(self):
        name, arn = self.stream_table(prefix='gr')
        shard_id = None
        for i in range(12):
            self.ddb.put_item(TableName=name, Item={'pk': {'S': 'same'}, 'n': {'N': str(i)}})
        shard_id = next(s for s, r in self.read_all(arn).items() if r)
        it = self.iterator(arn, shard_id)
        page = self.streams.get_records(ShardIterator=it, Limit=5)
        self.assertEqual(len(page['Records']), 5)
        page = self.streams.get_records(ShardIterator=page['NextShardIterator'], Limit=1000)
        self.assertEqual(len(page['Records']), 7)
        # An open shard read to its end still has a next iterator; an empty shard too.
        page = self.streams.get_records(ShardIterator=page['NextShardIterator'])
        self.assertEqual(page['Records'], [])
        self.assertIn('NextShardIterator', page)
        empty = next(s for s in self.shard_ids(arn) if s != shard_id)
        page = self.streams.get_records(ShardIterator=self.iterator(arn, empty))
        self.assertEqual(page['Records'], [])
        self.assertIn('NextShardIterator', page)

    def test_closed_shard_ends_with_no_next_iterator(self):
        name, arn = self.stream_table(prefix='gc')
        records = self.fill(name, arn, per_shard=3)
        open_iterators = {s: self.iterator(arn, s, 'LATEST') for s in records}
        self.ddb.update_table(TableName=name, StreamSpecification={'StreamEnabled': False})
        for shard_id, recs in records.items():
            # Read to its end, a closed shard has no NextShardIterator (null: no more data, ever).
            page = self.streams.get_records(ShardIterator=self.iterator(arn, shard_id))
            self.assertEqual(page['Records'], recs)
            page = self.streams.get_records(ShardIterator=page['NextShardIterator'])
            self.assertEqual(page['Records'], [])
            self.assertNotIn('NextShardIterator', page)
            page = self.streams.get_records(ShardIterator=self.iterator(arn, shard_id), Limit=1)
            self.assertIn('NextShardIterator', page)  # more to come
            page = self.streams.get_records(ShardIterator=open_iterators[shard_id])
            self.assertEqual(page['Records'], [])
            self.assertNotIn('NextShardIterator', page)
            last = recs[-1]['dynamodb']['SequenceNumber']
            page = self.streams.get_records(ShardIterator=self.iterator(arn, shard_id, 'AFTER_SEQUENCE_NUMBER',
                                                                        SequenceNumber=last))
            self.assertEqual(page['Records'], [])
            self.assertNotIn('NextShardIterator', page)
        # Shards that never had a record are closed too.
        d = self.streams.describe_stream(StreamArn=arn)['StreamDescription']
        self.assertTrue(all('EndingSequenceNumber' in s['SequenceNumberRange'] for s in d['Shards']))

    def test_errors(self):
        name, arn = self.stream_table(prefix='gre')
        self.ddb.put_item(TableName=name, Item={'pk': {'S': 'e'}})
        shard_id = next(s for s, r in self.read_all(arn).items() if r)
        it = self.iterator(arn, shard_id)
        tampered = base64.b64encode(base64.b64decode(it).replace(b'|0|', b'|1|', 1)).decode()
        raw = base64.b64decode(it)
        changed_seq = base64.b64encode(raw[:-30] + bytes([raw[-30] ^ 1]) + raw[-29:]).decode()
        self.check_cases([
            ('GetRecords', {}, 'ValidationException', null('shardIterator')),
            ('GetRecords', {'ShardIterator': 5}, 'SerializationException', None),
            ('GetRecords', {'ShardIterator': ''}, 'ValidationException',
             constraint('', 'shardIterator', 'Member must have length greater than or equal to 1')),
            ('GetRecords', {'ShardIterator': 'x' * 2049}, 'ValidationException', None),
            ('GetRecords', {'ShardIterator': it, 'Limit': 0}, 'ValidationException',
             constraint(0, 'limit', 'Member must have value greater than or equal to 1')),
            ('GetRecords', {'ShardIterator': it, 'Limit': 1001}, 'ValidationException',
             constraint(1001, 'limit', 'Member must have value less than or equal to 1000')),
            ('GetRecords', {'ShardIterator': it, 'Limit': 'x'}, 'SerializationException', None),
            ('GetRecords', {'ShardIterator': 'garbage'}, 'ValidationException', 'Invalid ShardIterator'),
            ('GetRecords', {'ShardIterator': base64.b64encode(b'v2|a|b|c|d|e').decode()}, 'ValidationException',
             'Invalid ShardIterator'),
            ('GetRecords', {'ShardIterator': base64.b64encode(bytes(range(256))).decode()}, 'ValidationException',
             'Invalid ShardIterator'),
            ('GetRecords', {'ShardIterator': it[:-4]}, 'ValidationException', 'Invalid ShardIterator'),
            ('GetRecords', {'ShardIterator': changed_seq}, 'ValidationException', 'Invalid ShardIterator'),
        ])
        if tampered != it:
            self.check_cases([('GetRecords', {'ShardIterator': tampered}, 'ValidationException',
                               'Invalid ShardIterator')])
        self.assertEqual(self.streams_raw('GetRecords', {'ShardIterator': it, 'Limit': 1000})[0], 200)
        # The iterator of a deleted table's stream: the stream is gone.
        self.ddb.delete_table(TableName=name)
        self.check_cases([('GetRecords', {'ShardIterator': it}, 'ResourceNotFoundException', None)])


if __name__ == '__main__':
    unittest.main()
