"""DynamoDB Streams API against the real binary: boto3 `dynamodbstreams` and the AWS CLI.

One server for the whole module; each test creates its own tables (unique names), so the
tests are independent of each other and of the seed stack's table.
"""

import itertools
import json
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from harness import StreamerTestCase

_counter = itertools.count()


def unique(prefix):
    return '%s-%d-%d' % (prefix, int(time.time() * 1000) % 100000, next(_counter))


class StreamsBase(StreamerTestCase):
    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb = cls.server.client('dynamodb')
        cls.streams = cls.server.client('dynamodbstreams')

    # ----- helpers ---------------------------------------------------------------------

    def create_table(self, view_type='NEW_AND_OLD_IMAGES', sort_key=False, prefix='T'):
        name = unique(prefix)
        attrs = [{'AttributeName': 'pk', 'AttributeType': 'S'}]
        keys = [{'AttributeName': 'pk', 'KeyType': 'HASH'}]
        if sort_key:
            attrs.append({'AttributeName': 'sk', 'AttributeType': 'N'})
            keys.append({'AttributeName': 'sk', 'KeyType': 'RANGE'})
        args = dict(TableName=name, AttributeDefinitions=attrs, KeySchema=keys,
                    BillingMode='PAY_PER_REQUEST')
        if view_type:
            args['StreamSpecification'] = {'StreamEnabled': True, 'StreamViewType': view_type}
        desc = self.ddb.create_table(**args)['TableDescription']
        return name, desc.get('LatestStreamArn')

    def shards(self, arn):
        return self.streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']

    def read_shard(self, arn, shard_id, iterator_type='TRIM_HORIZON', limit=None, **kw):
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                             ShardIteratorType=iterator_type, **kw)['ShardIterator']
        out = []
        for _ in range(10000):
            args = {'ShardIterator': it}
            if limit:
                args['Limit'] = limit
            page = self.streams.get_records(**args)
            if limit:
                self.assertLessEqual(len(page['Records']), limit)
            out.extend(page['Records'])
            self.assertIn('NextShardIterator', page)  # shards stay open
            it = page['NextShardIterator']
            if not page['Records']:
                return out
        self.fail('shard never ran dry')

    def read_all(self, arn, **kw):
        """Every record of the stream: {shard_id: [records]} (TRIM_HORIZON)."""
        return {s['ShardId']: self.read_shard(arn, s['ShardId'], **kw) for s in self.shards(arn)}

    def all_records(self, arn):
        return [r for recs in self.read_all(arn).values() for r in recs]

    def raw(self, operation, body):
        """A request botocore would refuse to send: returns (HTTP status, parsed body)."""
        req = urllib.request.Request(
            self.server.endpoint, data=json.dumps(body).encode(), method='POST',
            headers={'X-Amz-Target': 'DynamoDBStreams_20120810.' + operation,
                     'Content-Type': 'application/x-amz-json-1.0'})
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                return resp.status, json.loads(resp.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())

    def assert_raw_error(self, code, operation, body, need_message=True):
        status, out = self.raw(operation, body)
        self.assertEqual(status, 400, out)
        self.assertEqual(out['__type'].split('#')[-1], code, out)
        if need_message:
            self.assertTrue(out.get('message'), out)
        return out

    def assert_error(self, code, fn, *args, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        self.assertEqual(cm.exception.response['Error']['Code'], code,
                         cm.exception.response)
        return cm.exception.response


class ListAndDescribeTest(StreamsBase):

    def test_list_streams_filters_by_table(self):
        a, arn_a = self.create_table('NEW_IMAGE', prefix='ListA')
        b, _ = self.create_table(None, prefix='ListB')
        every = self.streams.list_streams()['Streams']
        arns = [s['StreamArn'] for s in every]
        self.assertIn(arn_a, arns)
        self.assertFalse(any(s['TableName'] == b for s in every), 'table without stream listed')
        only = self.streams.list_streams(TableName=a)['Streams']
        self.assertEqual(len(only), 1)
        self.assertEqual(only[0]['StreamArn'], arn_a)
        self.assertEqual(only[0]['TableName'], a)
        self.assertTrue(arn_a.endswith('/stream/' + only[0]['StreamLabel']), only[0])
        self.assertEqual(self.streams.list_streams(TableName=b)['Streams'], [])
        self.assertEqual(self.ddb.describe_table(TableName=a)['Table']['LatestStreamArn'], arn_a)

    def test_list_streams_unknown_table(self):
        self.assert_error('ResourceNotFoundException', self.streams.list_streams,
                          TableName='NoSuchTable-xyz')

    def test_list_streams_paging(self):
        for _ in range(3):
            self.create_table('KEYS_ONLY', prefix='Page')
        every = [s['StreamArn'] for s in self.streams.list_streams()['Streams']]
        self.assertGreaterEqual(len(every), 3)
        seen, start = [], None
        for _ in range(len(every) + 2):
            args = {'Limit': 1}
            if start:
                args['ExclusiveStartStreamArn'] = start
            page = self.streams.list_streams(**args)
            self.assertLessEqual(len(page['Streams']), 1)
            seen += [s['StreamArn'] for s in page['Streams']]
            start = page.get('LastEvaluatedStreamArn')
            if not start:
                break
        self.assertEqual(seen, every)
        self.assert_raw_error('ValidationException', 'ListStreams', {'Limit': 0})
        self.assert_raw_error('ValidationException', 'ListStreams', {'Limit': 101})

    def test_describe_stream(self):
        name, arn = self.create_table('NEW_AND_OLD_IMAGES', sort_key=True, prefix='Desc')
        d = self.streams.describe_stream(StreamArn=arn)['StreamDescription']
        self.assertEqual(d['StreamArn'], arn)
        self.assertEqual(d['TableName'], name)
        self.assertEqual(d['StreamViewType'], 'NEW_AND_OLD_IMAGES')
        self.assertEqual(d['StreamStatus'], 'ENABLED')
        self.assertEqual(d['KeySchema'], [{'AttributeName': 'pk', 'KeyType': 'HASH'},
                                          {'AttributeName': 'sk', 'KeyType': 'RANGE'}])
        self.assertIn('CreationRequestDateTime', d)
        self.assertTrue(arn.endswith(d['StreamLabel']))
        self.assertGreaterEqual(len(d['Shards']), 1)
        ids = [s['ShardId'] for s in d['Shards']]
        self.assertEqual(len(ids), len(set(ids)))
        for s in d['Shards']:
            self.assertTrue(s['ShardId'].startswith('shardId-'), s)
            self.assertTrue(s['SequenceNumberRange']['StartingSequenceNumber'].isdigit(), s)
            self.assertNotIn('EndingSequenceNumber', s['SequenceNumberRange'])  # open shard
        # Paging through shards with Limit / ExclusiveStartShardId.
        paged, start = [], None
        for _ in range(len(ids) + 2):
            args = {'StreamArn': arn, 'Limit': 1}
            if start:
                args['ExclusiveStartShardId'] = start
            page = self.streams.describe_stream(**args)['StreamDescription']
            paged += [s['ShardId'] for s in page['Shards']]
            start = page.get('LastEvaluatedShardId')
            if not start:
                break
        self.assertEqual(paged, ids)

    def test_describe_unknown_stream(self):
        name, arn = self.create_table('NEW_IMAGE', prefix='Unk')
        bogus = arn.rsplit('/', 1)[0] + '/2000-01-01T00:00:00.000'
        self.assert_error('ResourceNotFoundException', self.streams.describe_stream, StreamArn=bogus)
        self.assert_error('ResourceNotFoundException', self.streams.describe_stream,
                          StreamArn='arn:aws:dynamodb:us-east-1:000000000000:table/Nope/stream/x')
        self.assert_error('ResourceNotFoundException', self.streams.describe_stream,
                          StreamArn='not-an-arn-at-all-but-long-enough-for-the-min-length')

    def test_stream_of_deleted_table_is_gone(self):
        name, arn = self.create_table('NEW_IMAGE', prefix='Del')
        self.ddb.delete_table(TableName=name)
        arns = [s['StreamArn'] for s in self.streams.list_streams()['Streams']]
        self.assertNotIn(arn, arns)


class RecordsTest(StreamsBase):

    def expected_images(self, view_type):
        new = view_type in ('NEW_IMAGE', 'NEW_AND_OLD_IMAGES')
        old = view_type in ('OLD_IMAGE', 'NEW_AND_OLD_IMAGES')
        return new, old

    def test_view_types(self):
        for view_type in ('KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'):
            with self.subTest(view_type=view_type):
                name, arn = self.create_table(view_type, prefix=view_type.replace('_', ''))
                key = {'pk': {'S': 'k'}}
                v1 = dict(key, v={'N': '1'}, s={'S': 'one'})
                v2 = dict(key, v={'N': '2'}, l={'L': [{'S': 'x'}, {'BOOL': True}]})
                self.ddb.put_item(TableName=name, Item=v1)
                self.ddb.put_item(TableName=name, Item=v1)  # no change: no record
                self.ddb.put_item(TableName=name, Item=v2)
                self.ddb.delete_item(TableName=name, Key=key)
                self.ddb.delete_item(TableName=name, Key=key)  # nothing to delete: no record
                recs = self.all_records(arn)
                self.assertEqual([r['eventName'] for r in recs], ['INSERT', 'MODIFY', 'REMOVE'])
                want_new, want_old = self.expected_images(view_type)
                images = [(v1, None), (v2, v1), (None, v2)]  # (new, old)
                for rec, (new, old) in zip(recs, images):
                    d = rec['dynamodb']
                    self.assertEqual(rec['eventSource'], 'aws:dynamodb')
                    self.assertEqual(rec['awsRegion'], 'us-east-1')
                    self.assertTrue(rec['eventID'])
                    self.assertIn('eventVersion', rec)
                    self.assertEqual(d['Keys'], key)
                    self.assertEqual(d['StreamViewType'], view_type)
                    self.assertGreater(d['SizeBytes'], 0)
                    self.assertTrue(d['SequenceNumber'].isdigit())
                    self.assertIn('ApproximateCreationDateTime', d)
                    if want_new and new:
                        self.assertEqual(d.get('NewImage'), new)
                    else:
                        self.assertNotIn('NewImage', d)
                    if want_old and old:
                        self.assertEqual(d.get('OldImage'), old)
                    else:
                        self.assertNotIn('OldImage', d)
                self.assertEqual(len({r['eventID'] for r in recs}), 3)

    def test_update_item_and_conditions(self):
        name, arn = self.create_table('NEW_AND_OLD_IMAGES', prefix='Upd')
        key = {'pk': {'S': 'u'}}
        self.ddb.update_item(TableName=name, Key=key, UpdateExpression='SET n = :one',
                             ExpressionAttributeValues={':one': {'N': '1'}})
        self.ddb.update_item(TableName=name, Key=key, UpdateExpression='ADD n :one',
                             ExpressionAttributeValues={':one': {'N': '1'}})
        with self.assertRaises(ClientError):  # failed condition: no record
            self.ddb.put_item(TableName=name, Item=dict(key, n={'N': '9'}),
                              ConditionExpression='attribute_not_exists(pk)')
        with self.assertRaises(ClientError):
            self.ddb.delete_item(TableName=name, Key=key, ConditionExpression='n = :x',
                                 ExpressionAttributeValues={':x': {'N': '7'}})
        recs = self.all_records(arn)
        self.assertEqual([r['eventName'] for r in recs], ['INSERT', 'MODIFY'])
        self.assertEqual(recs[0]['dynamodb']['NewImage'], dict(key, n={'N': '1'}))
        self.assertNotIn('OldImage', recs[0]['dynamodb'])
        self.assertEqual(recs[1]['dynamodb']['OldImage'], dict(key, n={'N': '1'}))
        self.assertEqual(recs[1]['dynamodb']['NewImage'], dict(key, n={'N': '2'}))

    def test_batch_write_and_sort_keys(self):
        name, arn = self.create_table('KEYS_ONLY', sort_key=True, prefix='Batch')
        reqs = [{'PutRequest': {'Item': {'pk': {'S': 'b'}, 'sk': {'N': str(i)}}}} for i in range(5)]
        try:
            self.ddb.batch_write_item(RequestItems={name: reqs})
        except ClientError as err:
            if err.response['Error']['Code'] == 'UnknownOperationException':
                self.skipTest('BatchWriteItem is not implemented by the DynamoDB API yet')
            raise
        recs = self.all_records(arn)
        self.assertEqual(sorted(int(r['dynamodb']['Keys']['sk']['N']) for r in recs), list(range(5)))
        for r in recs:
            self.assertEqual(set(r['dynamodb']), {'ApproximateCreationDateTime', 'Keys',
                                                  'SequenceNumber', 'SizeBytes', 'StreamViewType'})

    def test_per_key_order_and_sequence_numbers(self):
        name, arn = self.create_table('NEW_IMAGE', prefix='Order')
        keys = ['k%d' % i for i in range(6)]
        for n in range(8):
            for k in keys:
                self.ddb.put_item(TableName=name, Item={'pk': {'S': k}, 'n': {'N': str(n)}})
        by_shard = self.read_all(arn)
        total = 0
        per_key = {}
        for shard_id, recs in by_shard.items():
            seqs = [int(r['dynamodb']['SequenceNumber']) for r in recs]
            self.assertEqual(seqs, sorted(seqs), shard_id)
            self.assertEqual(len(seqs), len(set(seqs)), shard_id)
            for r in recs:
                k = r['dynamodb']['Keys']['pk']['S']
                per_key.setdefault(k, set()).add(shard_id)
                total += 1
        self.assertEqual(total, len(keys) * 8)
        for k in keys:
            self.assertEqual(len(per_key[k]), 1, 'key %s spread over shards %s' % (k, per_key[k]))
        for shard_id, recs in by_shard.items():
            for k in keys:
                ns = [int(r['dynamodb']['NewImage']['n']['N']) for r in recs
                      if r['dynamodb']['Keys']['pk']['S'] == k]
                self.assertEqual(ns, sorted(ns))
            events = [r['eventName'] for r in recs]
            for k in keys:
                kev = [r['eventName'] for r in recs if r['dynamodb']['Keys']['pk']['S'] == k]
                if kev:
                    self.assertEqual(kev, ['INSERT'] + ['MODIFY'] * 7)
            del events

    def test_concurrent_updates_stream_in_commit_order(self):
        import threading
        name, arn = self.create_table('NEW_AND_OLD_IMAGES', prefix='Conc')
        errors = []

        def worker(key):
            try:
                ddb = self.server.client('dynamodb')
                for _ in range(25):
                    ddb.update_item(TableName=name, Key={'pk': {'S': key}},
                                    UpdateExpression='ADD n :one',
                                    ExpressionAttributeValues={':one': {'N': '1'}})
            except Exception as err:  # reported below
                errors.append(err)

        threads = [threading.Thread(target=worker, args=(k,)) for k in ('a', 'a', 'a', 'b', 'b')]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        recs = self.all_records(arn)
        for key, total in (('a', 75), ('b', 50)):
            mine = [r['dynamodb'] for r in recs if r['dynamodb']['Keys']['pk']['S'] == key]
            self.assertEqual([int(d['NewImage']['n']['N']) for d in mine],
                             list(range(1, total + 1)), key)
            self.assertNotIn('OldImage', mine[0])
            self.assertEqual([int(d['OldImage']['n']['N']) for d in mine[1:]],
                             list(range(1, total)), key)

    def test_get_records_stops_at_one_megabyte(self):
        name, arn = self.create_table('NEW_AND_OLD_IMAGES', prefix='Big')
        for n in range(5):
            self.ddb.put_item(TableName=name, Item={'pk': {'S': 'big'}, 'n': {'N': str(n)},
                                                    'blob': {'S': str(n) * 300000}})
        shard_id = next(s for s, recs in self.read_all(arn, limit=1).items() if recs)
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                             ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        pages = []
        while True:
            page = self.streams.get_records(ShardIterator=it)
            if not page['Records']:
                break
            pages.append([int(r['dynamodb']['NewImage']['n']['N']) for r in page['Records']])
            it = page['NextShardIterator']
        # INSERT ~300 KB, each MODIFY ~600 KB (old + new image): no page holds them all.
        self.assertGreater(len(pages), 2, pages)
        self.assertEqual([n for p in pages for n in p], list(range(5)))

    def test_iterator_types_and_paging(self):
        name, arn = self.create_table('NEW_IMAGE', prefix='Iter')
        for n in range(7):
            self.ddb.put_item(TableName=name, Item={'pk': {'S': 'same'}, 'n': {'N': str(n)}})
        by_shard = self.read_all(arn)
        shard_id, recs = next((s, r) for s, r in by_shard.items() if r)
        self.assertEqual(len(recs), 7)
        # Limit paging gives the same records, in the same order.
        paged = self.read_shard(arn, shard_id, limit=2)
        self.assertEqual([r['dynamodb']['SequenceNumber'] for r in paged],
                         [r['dynamodb']['SequenceNumber'] for r in recs])
        third = recs[2]['dynamodb']['SequenceNumber']
        at = self.read_shard(arn, shard_id, 'AT_SEQUENCE_NUMBER', SequenceNumber=third)
        self.assertEqual([r['dynamodb']['SequenceNumber'] for r in at],
                         [r['dynamodb']['SequenceNumber'] for r in recs[2:]])
        after = self.read_shard(arn, shard_id, 'AFTER_SEQUENCE_NUMBER', SequenceNumber=third)
        self.assertEqual([r['dynamodb']['SequenceNumber'] for r in after],
                         [r['dynamodb']['SequenceNumber'] for r in recs[3:]])
        last = recs[-1]['dynamodb']['SequenceNumber']
        self.assertEqual(self.read_shard(arn, shard_id, 'AFTER_SEQUENCE_NUMBER',
                                         SequenceNumber=last), [])
        # LATEST: nothing now; the next write shows up through the same iterator.
        latest = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                                 ShardIteratorType='LATEST')['ShardIterator']
        page = self.streams.get_records(ShardIterator=latest)
        self.assertEqual(page['Records'], [])
        self.ddb.put_item(TableName=name, Item={'pk': {'S': 'same'}, 'n': {'N': '100'}})
        page = self.streams.get_records(ShardIterator=page['NextShardIterator'])
        self.assertEqual([r['dynamodb']['NewImage']['n']['N'] for r in page['Records']], ['100'])
        # An old iterator can be reused: it reads from where it was issued.
        again = self.streams.get_records(ShardIterator=latest)
        self.assertEqual(len(again['Records']), 1)
        # TRIM_HORIZON with Limit=1 then the rest.
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id,
                                             ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        one = self.streams.get_records(ShardIterator=it, Limit=1)
        self.assertEqual(len(one['Records']), 1)
        rest = self.streams.get_records(ShardIterator=one['NextShardIterator'])
        self.assertEqual(len(rest['Records']), 7)

    def test_iterator_errors(self):
        name, arn = self.create_table('NEW_IMAGE', prefix='Err')
        self.ddb.put_item(TableName=name, Item={'pk': {'S': 'e'}})
        shard_id = self.shards(arn)[0]['ShardId']
        gsi = self.streams.get_shard_iterator
        self.assert_error('ResourceNotFoundException', gsi, StreamArn=arn,
                          ShardId='shardId-00000000000000000000-deadbeef',
                          ShardIteratorType='TRIM_HORIZON')
        self.assert_error('ResourceNotFoundException', gsi,
                          StreamArn=arn.rsplit('/', 1)[0] + '/1999-01-01T00:00:00.000',
                          ShardId=shard_id, ShardIteratorType='TRIM_HORIZON')
        self.assert_error('ValidationException', gsi, StreamArn=arn, ShardId=shard_id,
                          ShardIteratorType='SOMEWHERE')
        self.assert_error('ValidationException', gsi, StreamArn=arn, ShardId=shard_id,
                          ShardIteratorType='AT_SEQUENCE_NUMBER')  # no sequence number
        self.assert_raw_error('ValidationException', 'GetShardIterator', {
            'StreamArn': arn, 'ShardId': shard_id, 'ShardIteratorType': 'AFTER_SEQUENCE_NUMBER',
            'SequenceNumber': 'abc'})
        self.assert_raw_error('ValidationException', 'GetShardIterator', {
            'StreamArn': arn, 'ShardId': shard_id})  # no iterator type
        self.assert_raw_error('ValidationException', 'DescribeStream', {})
        self.assert_error('ValidationException', gsi, StreamArn=arn, ShardId=shard_id,
                          ShardIteratorType='AT_SEQUENCE_NUMBER',
                          SequenceNumber='9' * 21)  # beyond the end of the shard
        gr = self.streams.get_records
        self.assert_raw_error('ValidationException', 'GetRecords', {'ShardIterator': 'garbage'})
        self.assert_raw_error('ValidationException', 'GetRecords', {})
        self.assert_error('ValidationException', gr, ShardIterator='x' * 100)
        it = gsi(StreamArn=arn, ShardId=shard_id, ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        self.assert_raw_error('ValidationException', 'GetRecords', {'ShardIterator': it, 'Limit': 0})
        self.assert_raw_error('ValidationException', 'GetRecords',
                              {'ShardIterator': it, 'Limit': 1001})
        self.assertEqual(self.raw('GetRecords', {'ShardIterator': it, 'Limit': 1000})[0], 200)
        # The iterator of a stream whose table was deleted no longer reads.
        self.ddb.delete_table(TableName=name)
        resp = self.assert_error_any(('ResourceNotFoundException', 'TrimmedDataAccessException',
                                      'ExpiredIteratorException'), gr, ShardIterator=it)
        self.assertTrue(resp)

    def assert_error_any(self, codes, fn, *args, **kwargs):
        with self.assertRaises(ClientError) as cm:
            fn(*args, **kwargs)
        self.assertIn(cm.exception.response['Error']['Code'], codes)
        return cm.exception.response

    def test_unknown_operation(self):
        self.assert_raw_error('UnknownOperationException', 'Nope', {}, need_message=False)
        status, out = self.raw('ListStreams', [])
        self.assertEqual(status, 400, out)

class CliAndRestartTest(StreamsBase):

    def test_aws_cli(self):
        name, arn = self.create_table('NEW_AND_OLD_IMAGES', prefix='Cli')
        self.ddb.put_item(TableName=name, Item={'pk': {'S': 'cli'}, 'a': {'S': 'b'}})
        rc, out, err = self.server.aws('dynamodbstreams', 'list-streams', '--table-name', name)
        self.assertEqual(rc, 0, err)
        self.assertEqual([s['StreamArn'] for s in out['Streams']], [arn])
        rc, out, err = self.server.aws('dynamodbstreams', 'describe-stream', '--stream-arn', arn)
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['StreamDescription']['StreamViewType'], 'NEW_AND_OLD_IMAGES')
        # The CLI reads the one shard that holds the record (found with boto3: CLI calls are slow).
        shard_id = next(s for s, recs in self.read_all(arn).items() if recs)
        self.assertIn(shard_id, [s['ShardId'] for s in out['StreamDescription']['Shards']])
        rc, it, err = self.server.aws('dynamodbstreams', 'get-shard-iterator', '--stream-arn', arn,
                                      '--shard-id', shard_id, '--shard-iterator-type', 'TRIM_HORIZON')
        self.assertEqual(rc, 0, err)
        rc, recs, err = self.server.aws('dynamodbstreams', 'get-records', '--shard-iterator',
                                        it['ShardIterator'], '--limit', '5')
        self.assertEqual(rc, 0, err)
        self.assertIn('NextShardIterator', recs)
        found = recs['Records']
        self.assertEqual(len(found), 1)
        self.assertEqual(found[0]['eventName'], 'INSERT')
        self.assertEqual(found[0]['dynamodb']['NewImage'], {'pk': {'S': 'cli'}, 'a': {'S': 'b'}})
        rc, out, err = self.server.aws('dynamodbstreams', 'describe-stream', '--stream-arn',
                                       arn + 'x')
        self.assertNotEqual(rc, 0)
        self.assertIn('ResourceNotFoundException', err)
        rc, out, err = self.server.aws('dynamodbstreams', 'get-records', '--shard-iterator',
                                       'not-an-iterator')
        self.assertNotEqual(rc, 0)
        self.assertIn('ValidationException', err)

    def test_records_survive_restart(self):
        name, arn = self.create_table('NEW_IMAGE', prefix='Restart')
        for n in range(5):
            self.ddb.put_item(TableName=name, Item={'pk': {'S': 'r%d' % n}, 'n': {'N': str(n)}})
        before = self.read_all(arn)
        it = {}
        for shard_id, recs in before.items():
            if recs:
                it[shard_id] = self.streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard_id, ShardIteratorType='AFTER_SEQUENCE_NUMBER',
                    SequenceNumber=recs[-1]['dynamodb']['SequenceNumber'])['ShardIterator']
        self.server.restart()
        type(self).ddb = self.server.client('dynamodb')
        type(self).streams = self.server.client('dynamodbstreams')
        self.assertEqual(self.read_all(arn), before)
        self.server.restart(kill=True)
        type(self).ddb = self.server.client('dynamodb')
        type(self).streams = self.server.client('dynamodbstreams')
        self.assertEqual(self.read_all(arn), before)
        # Iterators issued before the restart still work; new writes get higher numbers.
        self.ddb.put_item(TableName=name, Item={'pk': {'S': 'r0'}, 'n': {'N': '99'}})
        after = self.read_all(arn)
        grown = [s for s in after if len(after[s]) == len(before[s]) + 1]
        self.assertEqual(len(grown), 1)
        shard_id = grown[0]
        new_rec = after[shard_id][-1]
        self.assertEqual(new_rec['eventName'], 'MODIFY')
        if before[shard_id]:
            self.assertGreater(int(new_rec['dynamodb']['SequenceNumber']),
                               int(before[shard_id][-1]['dynamodb']['SequenceNumber']))
            page = self.streams.get_records(ShardIterator=it[shard_id])
            self.assertEqual(page['Records'], [new_rec])


if __name__ == '__main__':
    unittest.main()
