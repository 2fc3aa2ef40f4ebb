"""BatchWriteItem, from the DynamoDB API Reference (BatchWriteItem, WriteRequest, PutRequest, DeleteRequest):
up to 25 puts or deletes over one or more tables; the whole batch is refused when a table does not exist,
a key does not match the schema, one item is named twice, there are more than 25 requests, or an item
is over 400 KB. UnprocessedItems is always present (we never throttle)."""
import json
import unittest

from conformance import ConformanceCase


def S(v):
    return {'S': v}


def N(v):
    return {'N': str(v)}


UNION = 'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes'


def P(item):
    return {'PutRequest': {'Item': item}}


def D(key):
    return {'DeleteRequest': {'Key': key}}


class BatchWriteItemTest(ConformanceCase):

    def test_puts_and_deletes_over_two_tables(self):
        a = self.table(items=[{'pk': S('gone')}])
        b = self.table(hash_key=('id', 'N'), range_key=('sk', 'S'))
        out = self.ddb.batch_write_item(RequestItems={
            a: [P({'pk': S('x'), 'v': N(1)}), D({'pk': S('gone')})],
            b: [P({'id': N(1), 'sk': S('a')}), P({'id': N(1), 'sk': S('b'), 'l': {'L': [S('q')]}})]})
        self.assertEqual(out['UnprocessedItems'], {})
        self.assertNotIn('ConsumedCapacity', out)
        self.assertNotIn('ItemCollectionMetrics', out)
        self.assertEqual(self.items(a), [{'pk': S('x'), 'v': N(1)}])
        self.assertEqual(len(self.items(b)), 2)

    def test_put_replaces_the_whole_item(self):
        t = self.table(items=[{'pk': S('a'), 'old': S('1')}])
        self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('a'), 'new': S('2')})]})
        self.assertEqual(self.items(t), [{'pk': S('a'), 'new': S('2')}])

    def test_delete_of_a_missing_item_succeeds(self):
        t = self.table()
        out = self.ddb.batch_write_item(RequestItems={t: [D({'pk': S('nothing')})]})
        self.assertEqual(out['UnprocessedItems'], {})

    def test_twenty_five_requests(self):
        t = self.table()
        self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('i%02d' % i)}) for i in range(25)]})
        self.assertEqual(len(self.items(t)), 25)

    def test_twenty_five_over_several_tables(self):
        ts = [self.table() for _ in range(5)]
        self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('i%d' % i)}) for i in range(5)] for t in ts})
        self.assertEqual(sum(len(self.items(t)) for t in ts), 25)

    def test_all_attribute_types_are_stored(self):
        t = self.table()
        item = {'pk': S('a'), 'n': N('1.50'), 'b': {'B': b'\x00\x01'}, 'ss': {'SS': ['x', 'y']}, 'ns': {'NS': ['1', '2']},
                'm': {'M': {'k': {'BOOL': True}}}, 'nul': {'NULL': True}, 'l': {'L': [N(1), S('')]}}
        self.ddb.batch_write_item(RequestItems={t: [P(item)]})
        got = self.ddb.get_item(TableName=t, Key={'pk': S('a')})['Item']
        self.assertEqual(got['n'], N('1.5'))
        self.assertEqual(got['b'], {'B': b'\x00\x01'})
        self.assertEqual(sorted(got['ss']['SS']), ['x', 'y'])
        self.assertEqual(got['m'], {'M': {'k': {'BOOL': True}}})

    def test_consumed_capacity_total(self):
        a, b = self.table(), self.table()
        out = self.ddb.batch_write_item(RequestItems={a: [P({'pk': S('1')}), P({'pk': S('2'), 'x': S('y' * 1500)})],
                                                      b: [D({'pk': S('none')})]}, ReturnConsumedCapacity='TOTAL')
        got = {c['TableName']: c for c in out['ConsumedCapacity']}
        self.assertEqual(got[a], {'TableName': a, 'CapacityUnits': 3.0})
        self.assertEqual(got[b], {'TableName': b, 'CapacityUnits': 1.0})

    def test_consumed_capacity_counts_the_larger_of_old_and_new(self):
        t = self.table(items=[{'pk': S('big'), 'x': S('y' * 3000)}])
        out = self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('big')})]}, ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'][0]['CapacityUnits'], 3.0)
        t2 = self.table(items=[{'pk': S('big'), 'x': S('y' * 3000)}])
        out = self.ddb.batch_write_item(RequestItems={t2: [D({'pk': S('big')})]}, ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'][0]['CapacityUnits'], 3.0)

    def test_consumed_capacity_indexes(self):
        t = self.table()
        out = self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('1')})]}, ReturnConsumedCapacity='INDEXES')
        self.assertEqual(out['ConsumedCapacity'], [{'TableName': t, 'CapacityUnits': 1.0,
                                                    'Table': {'CapacityUnits': 1.0}}])

    def test_consumed_capacity_none(self):
        t = self.table()
        out = self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('1')})]}, ReturnConsumedCapacity='NONE')
        self.assertNotIn('ConsumedCapacity', out)

    def test_item_collection_metrics_without_local_indexes(self):
        t = self.table()
        out = self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('1')})]}, ReturnItemCollectionMetrics='SIZE')
        self.assertEqual(out['ItemCollectionMetrics'], {})
        out = self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('1')})]}, ReturnItemCollectionMetrics='NONE')
        self.assertNotIn('ItemCollectionMetrics', out)

    def test_stream_records_for_each_write(self):
        t = self.table(items=[{'pk': S('old')}],
                       StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'})
        self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('a')}), P({'pk': S('old'), 'v': N(1)}),
                                                    D({'pk': S('missing')})]})
        streams = self.server.client('dynamodbstreams')
        arn = self.ddb.describe_table(TableName=t)['Table']['LatestStreamArn']
        events = []
        for shard in streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                            ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            events += [(r['eventName'], r['dynamodb']['Keys']['pk']['S']) for r in streams.get_records(ShardIterator=it)['Records']]
        # The delete of a missing item changes nothing and streams nothing.
        self.assertEqual(sorted(events), [('INSERT', 'a'), ('INSERT', 'old'), ('MODIFY', 'old')])

    def test_boto3_batch_writer(self):
        t = self.table()
        table = self.server.resource('dynamodb').Table(t) if hasattr(self.server, 'resource') else None
        if table is None:
            import boto3
            table = boto3.resource('dynamodb', endpoint_url=self.server.endpoint, region_name='us-east-1',
                                   aws_access_key_id='x', aws_secret_access_key='x').Table(t)
        with table.batch_writer() as w:
            for i in range(60):
                w.put_item(Item={'pk': 'p%d' % i, 'n': i})
        self.assertEqual(len(self.items(t)), 60)

    def test_aws_cli(self):
        t = self.table()
        rc, out, err = self.server.aws('dynamodb', 'batch-write-item', '--request-items', json.dumps(
            {t: [P({'pk': S('cli-%d' % i)}) for i in range(3)]}), '--return-consumed-capacity', 'TOTAL')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['UnprocessedItems'], {})
        self.assertEqual(out['ConsumedCapacity'][0]['CapacityUnits'], 3.0)
        self.assertEqual(len(self.items(t)), 3)
        rc, out, err = self.server.aws('dynamodb', 'batch-write-item', '--request-items', json.dumps(
            {t: [P({'pk': S('d')}), D({'pk': S('d')})]}))
        self.assertNotEqual(rc, 0)
        self.assertIn('Provided list of item keys contains duplicates', err)

    # ----- validation: the whole batch is refused --------------------------------------------

    def test_request_errors(self):
        t = self.table(items=[{'pk': S('keep')}])
        r = self.table(range_key=('sk', 'N'))
        cases = [
            ({}, 'ValidationException', "1 validation error detected: Value null at 'requestItems' failed to satisfy "
                                        "constraint: Member must not be null"),
            ({'RequestItems': {}}, 'ValidationException', 'The requestItems parameter is required for BatchWriteItem'),
            ({'RequestItems': {'no-such-table': [P({'pk': S('a')})]}, 'ReturnConsumedCapacity': 'BOGUS'},
             'ValidationException', "1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' failed to "
             "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            ({'RequestItems': {'bad!name': [P({'pk': S('a')})]}, 'ReturnConsumedCapacity': 'BOGUS'},
             'ValidationException', "1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' failed to "
             "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            ({'RequestItems': {t: [D({'pk': {'L': [S('x')]}})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: [D({'other': S('x')})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: [P({'pk': {'L': [S('x')]}})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {'no-such-table': [P({'pk': S('a')})]}}, 'ResourceNotFoundException',
             'Requested resource not found'),
            ({'RequestItems': {t: [P({'pk': S('a')})], 'no-such-table': [P({'pk': S('a')})]}},
             'ResourceNotFoundException', 'Requested resource not found'),
            ({'RequestItems': {t: [P({'pk': S('a')})]}, 'ReturnConsumedCapacity': 'SOME'}, 'ValidationException',
             "1 validation error detected: Value 'SOME' at 'returnConsumedCapacity' failed to satisfy constraint: "
             "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            ({'RequestItems': {t: [P({'pk': S('a')})]}, 'ReturnItemCollectionMetrics': 'ALL'}, 'ValidationException',
             "1 validation error detected: Value 'ALL' at 'returnItemCollectionMetrics' failed to satisfy constraint: "
             "Member must satisfy enum value set: [SIZE, NONE]"),
            ({'RequestItems': {t: [{}]}}, 'ValidationException', UNION),
            ({'RequestItems': {t: [{'PutRequest': {'Item': {'pk': S('a')}}, 'DeleteRequest': {'Key': {'pk': S('b')}}}]}},
             'ValidationException', UNION),
            ({'RequestItems': {t: [{'PutRequest': {}}]}}, 'ValidationException',
             "1 validation error detected: Value null at 'requestItems.%s.member.1.member.putRequest.item' failed to "
             "satisfy constraint: Member must not be null" % t),
            ({'RequestItems': {t: [P({'pk': S('a')}), {'DeleteRequest': {}}]}}, 'ValidationException',
             "1 validation error detected: Value null at 'requestItems.%s.member.2.member.deleteRequest.key' failed to "
             "satisfy constraint: Member must not be null" % t),
            # A put names its item by key: a missing or mistyped key attribute is a key that does not match.
            ({'RequestItems': {t: [P({'x': S('a')})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: [P({})]}}, 'ValidationException', 'The provided key element does not match the schema'),
            ({'RequestItems': {t: [P({'pk': N(1)})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: [P({'pk': {'SS': ['a']}})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {r: [P({'pk': S('a')})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: [P({'pk': S('x' * 2049)})]}}, 'ValidationException', None),  # key size: the single-item message
            # Attribute values and item sizes are checked before the tables exist.
            ({'RequestItems': {'no-such-table': [P({'pk': {'S': 'a', 'N': '1'}})]}}, 'ValidationException',
             'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes'),
            ({'RequestItems': {'no-such-table': [D({'pk': {'N': 'b'}})]}}, 'ValidationException',
             'The parameter cannot be converted to a numeric value: b'),
            ({'RequestItems': {'no-such-table': [P({'pk': S('a'), 'b': S('x' * 410000)})]}}, 'ValidationException',
             'Item size has exceeded the maximum allowed size'),
            ({'RequestItems': {'no-such-table': [{}]}}, 'ValidationException', UNION),
            ({'RequestItems': {'no-such-table': [P({})]}}, 'ResourceNotFoundException', 'Requested resource not found'),
            ({'RequestItems': {t: [P({'pk': S('')})]}}, 'ValidationException',
             'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an '
             'empty string value. Key: pk'),
            ({'RequestItems': {t: [D({'pk': N(1)})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: [D({'pk': S('keep'), 'x': S('y')})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {r: [D({'pk': S('a')})]}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: [P({'pk': S('big'), 'b': S('x' * 410000)})]}}, 'ValidationException',
             'Item size has exceeded the maximum allowed size'),
            ({'RequestItems': {t: [P({'pk': S('a'), 'bad': {'SS': []}})]}}, 'ValidationException',
             'One or more parameter values were invalid: An string set  may not be empty'),
            ({'RequestItems': {t: [P({'pk': S('a')}), P({'pk': S('a')})]}}, 'ValidationException',
             'Provided list of item keys contains duplicates'),
            ({'RequestItems': {t: [P({'pk': S('keep')}), D({'pk': S('keep')})]}}, 'ValidationException',
             'Provided list of item keys contains duplicates'),
            ({'RequestItems': {t: [D({'pk': S('keep')}), D({'pk': S('keep')})]}}, 'ValidationException',
             'Provided list of item keys contains duplicates'),
            ({'RequestItems': {r: [P({'pk': S('a'), 'sk': N('1')}), D({'pk': S('a'), 'sk': N('1.00')})]}},
             'ValidationException', 'Provided list of item keys contains duplicates'),
            ({'RequestItems': {t: [P({'pk': S('a')})], 'ab': [P({'pk': S('a')})]}}, 'ValidationException', None),
            ({'RequestItems': {t: {'PutRequest': {'Item': {'pk': S('a')}}}}}, 'SerializationException', None),
            ({'RequestItems': [P({'pk': S('a')})]}, 'SerializationException', None),
            ({'RequestItems': {t: ['put']}}, 'SerializationException', None),
            ({'RequestItems': {t: [{'PutRequest': 'item'}]}}, 'SerializationException', None),
            ({'RequestItems': {t: [{'PutRequest': {'Item': {'pk': {'S': 1}}}}]}}, 'SerializationException', None),
        ]
        for body, code, msg in cases:
            with self.subTest(body=json.dumps(body)[:150]):
                self.assertRawError('BatchWriteItem', body, code, msg, unchanged=[t, r])

    def test_empty_list_for_a_table(self):
        t = self.table()
        self.assertRawError('BatchWriteItem', {'RequestItems': {t: []}}, 'ValidationException',
                            "1 validation error detected: Value '{%s=[]}' at 'requestItems' failed to satisfy constraint: "
                            "Map value must satisfy constraint: [Member must have length less than or equal to 25, Member "
                            "must have length greater than or equal to 1]" % t, unchanged=[t])

    def test_null_member_is_absent(self):
        t = self.table()
        status, out = self.raw('BatchWriteItem', {'RequestItems': {t: [
            {'PutRequest': {'Item': {'pk': S('b')}}, 'DeleteRequest': None}]}, 'ReturnConsumedCapacity': None})
        self.assertEqual((status, out), (200, {'UnprocessedItems': {}}))
        self.assertEqual(self.items(t), [{'pk': S('b')}])

    def test_twenty_six_requests_in_one_table(self):
        t = self.table()
        self.assertError(lambda: self.ddb.batch_write_item(RequestItems={t: [P({'pk': S('i%d' % i)}) for i in range(26)]}),
                         'ValidationException',
                         "1 validation error detected: Value at 'RequestItems.%s.member' failed to satisfy constraint: "
                         "Member must have length less than or equal to 25" % t, unchanged=[t])

    def test_twenty_six_requests_over_two_tables(self):
        a, b = self.table(), self.table()
        self.assertError(lambda: self.ddb.batch_write_item(RequestItems={
            a: [P({'pk': S('i%d' % i)}) for i in range(13)], b: [P({'pk': S('i%d' % i)}) for i in range(13)]}),
            'ValidationException', 'Too many items requested for the BatchWriteItem call', unchanged=[a, b])

    def test_bad_table_name(self):
        t = self.table()
        for name in ['ab', 'bad name!', 'x' * 256]:
            with self.subTest(name=name[:20]):
                self.assertError(lambda: self.ddb.batch_write_item(RequestItems={name: [P({'pk': S('a')})], t: [P({'pk': S('a')})]}),
                                 'ValidationException', message_contains="at 'requestItems' failed to satisfy "
                                 "constraint: Map keys must satisfy constraint:", unchanged=[t])

    def test_error_late_in_the_batch_writes_nothing_earlier(self):
        a, b = self.table(items=[{'pk': S('k')}]), self.table()
        self.assertError(lambda: self.ddb.batch_write_item(RequestItems={
            a: [P({'pk': S('new')}), D({'pk': S('k')})], b: [P({'pk': S('fine')}), P({'wrong': S('x')})]}),
            'ValidationException', 'The provided key element does not match the schema', unchanged=[a, b])

    def test_same_key_in_two_tables_is_not_a_duplicate(self):
        a, b = self.table(), self.table()
        self.ddb.batch_write_item(RequestItems={a: [P({'pk': S('k')})], b: [D({'pk': S('k')}), P({'pk': S('j')})]})
        self.assertEqual(len(self.items(a)), 1)


if __name__ == '__main__':
    unittest.main()
