"""Hostile input found against a fresh `streamer serve`, one test per class of attack.

Each request goes over raw HTTP (boto3 would refuse most of them before sending). Every
answer must be an AWS-shaped 4xx with the expected type (and message where AWS documents
one), nothing may be written, and the server must keep serving.
"""

import http.client
import json
import time
import unittest

from harness import StreamerTestCase

TABLE = 'Hostile'
TARGET = 'DynamoDB_20120810.'
EMPTY_AV = 'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'
TWO_TYPES = ('Supplied AttributeValue has more than one datatypes set, '
             'must contain exactly one of the supported datatypes')


def nest(value, depth, kind):
    """`value` inside `depth` containers, alternating M and L from `kind`."""
    for i in range(depth):
        if (kind == 'M') == (i % 2 == 0):
            value = {'M': {'x': value}}
        else:
            value = {'L': [{'S': 'pad'}, value]}
    return value


# Attribute values that must never get past validation: nulls and wrong JSON types.
BAD_VALUES = [
    ({'SS': [None]}, 'ValidationException'),
    ({'NS': ['1', None]}, 'ValidationException'),
    ({'BS': [None]}, 'ValidationException'),
    ({'SS': ['a', 1]}, 'SerializationException'),
    ({'L': [None]}, 'ValidationException'),
    ({'M': {'a': None}}, 'ValidationException'),
    ({'S': None}, 'ValidationException'),
    ({'N': True}, 'SerializationException'),
    ({'BOOL': 'true'}, 'SerializationException'),
    ({'NULL': False}, 'ValidationException'),
    ({'M': []}, 'SerializationException'),
    ({'L': {}}, 'SerializationException'),
    ({}, 'ValidationException'),
    ({'S': 'a', 'N': '1'}, 'ValidationException'),
]


class HostileInput(StreamerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb = cls.server.client('dynamodb')
        cls.ddb.create_table(
            TableName=TABLE, BillingMode='PAY_PER_REQUEST',
            AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'},
                                  {'AttributeName': 'sk', 'AttributeType': 'S'}],
            KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'},
                       {'AttributeName': 'sk', 'KeyType': 'RANGE'}])
        cls.ddb.put_item(TableName=TABLE, Item={'pk': {'S': 'base'}, 'sk': {'S': '0'},
                                                'n': {'NS': ['1']}, 'l': {'L': []}})

    def setUp(self):
        host, port = self.server.endpoint.split('//')[1].split(':')
        self.conn = http.client.HTTPConnection(host, int(port), timeout=60)

    def tearDown(self):
        self.conn.close()

    def call(self, op, request):
        body = json.dumps(request).encode()
        self.conn.request('POST', '/', body=body, headers={
            'X-Amz-Target': TARGET + op, 'Content-Type': 'application/x-amz-json-1.0'})
        resp = self.conn.getresponse()
        return resp.status, json.loads(resp.read() or b'{}')

    def assert_error(self, op, request, type_, message=None, contains=None):
        status, doc = self.call(op, request)
        what = '%s %s' % (op, json.dumps(request)[:300])
        self.assertTrue(400 <= status < 500, '%s -> %d %r' % (what, status, doc))
        self.assertTrue(doc.get('__type', '').endswith('#' + type_), '%s -> %r' % (what, doc))
        if message is not None:
            self.assertEqual(doc.get('message'), message, what)
        if contains is not None:
            self.assertIn(contains, doc.get('message', ''), what)
        return doc

    def scan_all(self):
        return self.ddb.scan(TableName=TABLE, ConsistentRead=True)['Items']

    def assert_only_base_item(self):
        items = self.scan_all()
        self.assertEqual([(i['pk']['S'], i['sk']['S']) for i in items], [('base', '0')])
        self.assertEqual(items[0]['n'], {'NS': ['1']})

    # --- 1. Attribute values validated completely, everywhere ---

    def test_bad_values_at_every_depth_in_every_parameter(self):
        for bad, type_ in BAD_VALUES:
            for depth in (0, 1, 2, 5):
                for kind in ('M', 'L'):
                    v = nest(bad, depth, kind)
                    key = {'pk': {'S': 'k'}, 'sk': {'S': 's'}}
                    requests = [
                        ('PutItem', {'TableName': TABLE, 'Item': dict(key, a=v)}),
                        ('PutItem', {'TableName': TABLE, 'Item': dict(key),
                                     'ConditionExpression': 'a <> :v', 'ExpressionAttributeValues': {':v': v}}),
                        ('UpdateItem', {'TableName': TABLE, 'Key': key, 'UpdateExpression': 'SET a = :v',
                                        'ExpressionAttributeValues': {':v': v}}),
                        ('UpdateItem', {'TableName': TABLE, 'Key': {'pk': {'S': 'base'}, 'sk': {'S': '0'}},
                                        'UpdateExpression': 'ADD n :v', 'ExpressionAttributeValues': {':v': v}}),
                        ('DeleteItem', {'TableName': TABLE, 'Key': {'pk': {'S': 'base'}, 'sk': {'S': '0'}},
                                        'ConditionExpression': 'a <> :v', 'ExpressionAttributeValues': {':v': v}}),
                        ('Query', {'TableName': TABLE, 'KeyConditionExpression': 'pk = :p',
                                   'FilterExpression': 'a = :v',
                                   'ExpressionAttributeValues': {':p': {'S': 'base'}, ':v': v}}),
                        ('Scan', {'TableName': TABLE, 'FilterExpression': 'a = :v',
                                  'ExpressionAttributeValues': {':v': v}}),
                    ]
                    if depth == 0:  # key attributes hold scalars only
                        requests += [
                            ('GetItem', {'TableName': TABLE, 'Key': {'pk': v, 'sk': {'S': 's'}}}),
                            ('DeleteItem', {'TableName': TABLE, 'Key': {'pk': {'S': 'k'}, 'sk': v}}),
                            ('UpdateItem', {'TableName': TABLE, 'Key': {'pk': v, 'sk': {'S': 's'}}}),
                            ('Scan', {'TableName': TABLE, 'ExclusiveStartKey': {'pk': {'S': 'k'}, 'sk': v}}),
                            ('Query', {'TableName': TABLE, 'KeyConditionExpression': 'pk = :p',
                                       'ExpressionAttributeValues': {':p': v}}),
                        ]
                    for op, request in requests:
                        self.assert_error(op, request, type_)
        self.assert_only_base_item()

    def test_null_set_member_messages(self):
        key = {'pk': {'S': 'k'}, 'sk': {'S': 's'}}
        self.assert_error('PutItem', {'TableName': TABLE, 'Item': dict(key, n={'NS': [None]})}, 'ValidationException',
                          'One or more parameter values were invalid: A number set may not contain null')
        self.assert_error('PutItem', {'TableName': TABLE, 'Item': dict(key, n={'S': 'a', 'SS': ['b']})},
                          'ValidationException', TWO_TYPES)
        self.assert_error('PutItem', {'TableName': TABLE, 'Item': dict(key, n={'junk': 'x'})},
                          'ValidationException', EMPTY_AV)
        # The crash used to come later: ADD on the stored value. Now the set is intact and ADD works.
        status, _ = self.call('UpdateItem', {'TableName': TABLE, 'Key': {'pk': {'S': 'base'}, 'sk': {'S': '0'}},
                                             'UpdateExpression': 'ADD n :v',
                                             'ExpressionAttributeValues': {':v': {'NS': ['2']}},
                                             'ReturnValues': 'NONE'})
        self.assertEqual(status, 200)
        status, _ = self.call('UpdateItem', {'TableName': TABLE, 'Key': {'pk': {'S': 'base'}, 'sk': {'S': '0'}},
                                             'UpdateExpression': 'DELETE n :v',
                                             'ExpressionAttributeValues': {':v': {'NS': ['2']}}})
        self.assertEqual(status, 200)
        self.assert_only_base_item()

    def test_unknown_members_are_ignored_and_never_stored(self):
        # AWS's deserializer ignores unknown members: the value is its type member alone.
        # 1 MB of junk must neither be stored nor count towards the 400 KB item limit.
        key = {'pk': {'S': 'junk'}, 'sk': {'S': '1'}}
        status, doc = self.call('PutItem', {'TableName': TABLE, 'Item': dict(
            key, a={'S': 'x', 'junk': 'y' * (1024 * 1024)}, m={'M': {'b': {'N': '01', 'more': [1, 2]}}, 'z': None})})
        self.assertEqual(status, 200, doc)
        status, doc = self.call('GetItem', {'TableName': TABLE, 'Key': key})
        self.assertEqual(doc['Item'], dict(key, a={'S': 'x'}, m={'M': {'b': {'N': '1'}}}))
        # Values in expressions compare by their type member too.
        status, doc = self.call('GetItem', {'TableName': TABLE, 'Key': dict(pk={'S': 'junk', 'x': 1}, sk={'S': '1'})})
        self.assertEqual(status, 200, doc)
        self.assertIn('Item', doc)
        status, doc = self.call('DeleteItem', {'TableName': TABLE, 'Key': key, 'ConditionExpression': 'a = :v',
                                               'ExpressionAttributeValues': {':v': {'S': 'x', 'junk': 1}}})
        self.assertEqual(status, 200, doc)
        self.assert_only_base_item()

    # --- 2./3. Expressions: AWS's limits, no stack overflow, linear evaluation ---

    def test_deep_and_long_expressions_are_refused(self):
        key = {'pk': {'S': 'base'}, 'sk': {'S': '0'}}
        v = {':v': {'N': '1'}}
        cases = [
            ('(' * 10000 + 'a = :v' + ')' * 10000, 'Expression size has exceeded the maximum allowed size'),
            ('NOT ' * 20000 + 'a = :v', 'Expression size has exceeded the maximum allowed size'),
            ('size(' * 100000 + 'a' + ')' * 100000 + ' = :v', 'Expression size has exceeded the maximum allowed size'),
            ('(' * 2000 + 'a = :v' + ')' * 2000, 'nested too deeply'),
            ('NOT ' * 1000 + 'a = :v', 'too many operators'),
            ('a = :v' + ' AND a = :v' * 150, 'The expression contains too many operators; operator count: 301'),
        ]
        for text, message in cases:
            self.assert_error('DeleteItem', {'TableName': TABLE, 'Key': key, 'ConditionExpression': text,
                                             'ExpressionAttributeValues': v}, 'ValidationException',
                              contains=message)
            self.assert_error('Scan', {'TableName': TABLE, 'FilterExpression': text,
                                       'ExpressionAttributeValues': v}, 'ValidationException', contains=message)
        update = 'SET l = ' + 'list_append(' * 20000 + 'l' + ', :l)' * 20000
        self.assert_error('UpdateItem', {'TableName': TABLE, 'Key': key, 'UpdateExpression': update,
                                         'ExpressionAttributeValues': {':l': {'L': []}}}, 'ValidationException',
                          'Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; '
                          'expression size: %d' % len(update))
        self.assert_error('GetItem', {'TableName': TABLE, 'Key': key, 'ProjectionExpression': 'a' + '.b' * 40},
                          'ValidationException',
                          'Invalid ProjectionExpression: The document path has too many nesting levels; '
                          'nesting levels: 33')
        self.assert_only_base_item()

    def test_nested_list_append_is_fast(self):
        # As deep as 4 KB allows, over a 400-element list: one pass, not a copy per level.
        key = {'pk': {'S': 'lists'}, 'sk': {'S': '1'}}
        update = 'SET l = ' + 'list_append(' * 250 + ':l' + ',:l)' * 250
        self.assertLessEqual(len(update), 4096)
        values = {':l': {'L': [{'BOOL': True}] * 400}}
        start = time.monotonic()
        status, doc = self.call('UpdateItem', {'TableName': TABLE, 'Key': key, 'UpdateExpression': update,
                                               'ExpressionAttributeValues': values})
        took = time.monotonic() - start
        self.assertEqual(status, 200, doc)
        self.assertLess(took, 3.0)
        status, doc = self.call('GetItem', {'TableName': TABLE, 'Key': key, 'ProjectionExpression': 'pk'})
        self.assertEqual(status, 200)
        self.ddb.delete_item(TableName=TABLE, Key=key)

    # --- 4. Limits ---

    def test_key_size_limits(self):
        hash_message = ('One or more parameter values were invalid: Size of hashkey has exceeded the maximum size '
                        'limit of2048 bytes')  # AWS: no space in "of2048"
        range_message = ('One or more parameter values were invalid: Aggregated size of all range keys has exceeded '
                         'the size limit of 1024 bytes')
        big_pk = {'pk': {'S': 'p' * 2049}, 'sk': {'S': 's'}}
        big_sk = {'pk': {'S': 'p'}, 'sk': {'S': 's' * 1025}}
        for key, message in ((big_pk, hash_message), (big_sk, range_message)):
            self.assert_error('PutItem', {'TableName': TABLE, 'Item': key}, 'ValidationException', message)
            self.assert_error('GetItem', {'TableName': TABLE, 'Key': key}, 'ValidationException', message)
            self.assert_error('DeleteItem', {'TableName': TABLE, 'Key': key}, 'ValidationException', message)
            self.assert_error('UpdateItem', {'TableName': TABLE, 'Key': key}, 'ValidationException', message)
            self.assert_error('Scan', {'TableName': TABLE, 'ExclusiveStartKey': key}, 'ValidationException', message)
        # Multi-byte characters count in UTF-8 bytes: 683 x 3 bytes = 2049.
        self.assert_error('PutItem', {'TableName': TABLE, 'Item': {'pk': {'S': '\u20ac' * 683}, 'sk': {'S': 's'}}},
                          'ValidationException', hash_message)
        # At the limits: accepted.
        at_limit = {'pk': {'S': 'p' * 2048}, 'sk': {'S': 's' * 1024}}
        self.assertEqual(self.call('PutItem', {'TableName': TABLE, 'Item': at_limit})[0], 200)
        self.assertEqual(self.call('DeleteItem', {'TableName': TABLE, 'Key': at_limit})[0], 200)
        self.assert_only_base_item()

    def test_empty_attribute_names(self):
        key = {'pk': {'S': 'k'}, 'sk': {'S': 's'}}
        self.assert_error('PutItem', {'TableName': TABLE, 'Item': dict(key, **{'': {'S': 'x'}})},
                          'ValidationException', 'One or more parameter values were invalid: Empty attribute name')
        self.assert_error('UpdateItem', {'TableName': TABLE, 'Key': key, 'UpdateExpression': 'SET #n = :v',
                                         'ExpressionAttributeNames': {'#n': ''},
                                         'ExpressionAttributeValues': {':v': {'S': 'x'}}},
                          'ValidationException',
                          'ExpressionAttributeNames contains invalid value: Empty attribute name for key #n')
        self.assert_error('CreateTable', {
            'TableName': 'EmptyName', 'BillingMode': 'PAY_PER_REQUEST',
            'AttributeDefinitions': [{'AttributeName': '', 'AttributeType': 'S'}],
            'KeySchema': [{'AttributeName': '', 'KeyType': 'HASH'}]}, 'ValidationException',
            "1 validation error detected: Value '' at 'attributeDefinitions.1.member.attributeName' failed to "
            "satisfy constraint: Member must have length greater than or equal to 1")
        self.assertNotIn('EmptyName', self.ddb.list_tables()['TableNames'])
        self.assert_only_base_item()

    def test_parameter_types_and_enums(self):
        key = {'pk': {'S': 'base'}, 'sk': {'S': '0'}}
        for op, request in [('GetItem', {'Key': key}), ('Scan', {}),
                            ('Query', {'KeyConditionExpression': 'pk = :p',
                                       'ExpressionAttributeValues': {':p': {'S': 'base'}}})]:
            for wrong in ('true', 1, [], {}):
                self.assert_error(op, dict(request, TableName=TABLE, ConsistentRead=wrong), 'SerializationException')
            self.assert_error(op, dict(request, TableName=TABLE, ReturnConsumedCapacity='X'), 'ValidationException',
                              "1 validation error detected: Value 'X' at 'returnConsumedCapacity' failed to satisfy "
                              "constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")
            self.assert_error(op, dict(request, TableName=TABLE, ReturnConsumedCapacity=5), 'SerializationException')
            status, _ = self.call(op, dict(request, TableName=TABLE, ConsistentRead=True,
                                           ReturnConsumedCapacity='TOTAL'))
            self.assertEqual(status, 200)
        for op, request in [('PutItem', {'Item': dict(key, n={'NS': ['1']})}), ('DeleteItem', {'Key': {
                'pk': {'S': 'none'}, 'sk': {'S': 'none'}}}), ('UpdateItem', {'Key': key})]:
            self.assert_error(op, dict(request, TableName=TABLE, ReturnItemCollectionMetrics='ALL'),
                              'ValidationException',
                              "1 validation error detected: Value 'ALL' at 'returnItemCollectionMetrics' failed to "
                              "satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]")
            self.assert_error(op, dict(request, TableName=TABLE, ReturnItemCollectionMetrics=True),
                              'SerializationException')
            self.assert_error(op, dict(request, TableName=TABLE, ReturnConsumedCapacity={}), 'SerializationException')
        for select, message in (('COUNT', 'Cannot specify the ProjectionExpression when choosing to get only the Count'),
                                ('ALL_ATTRIBUTES',
                                 'Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES')):
            self.assert_error('Scan', {'TableName': TABLE, 'Select': select, 'ProjectionExpression': 'pk'},
                              'ValidationException', message)
        self.assert_error('Scan', {'TableName': TABLE, 'Select': 'ALL_PROJECTED_ATTRIBUTES'}, 'ValidationException',
                          'ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName')
        self.assert_error('Scan', {'TableName': TABLE, 'Limit': 0}, 'ValidationException', contains='limit')
        self.assert_error('ListTables', {'ExclusiveStartTableName': 'a'}, 'ValidationException',
                          contains='exclusiveStartTableName')
        create = {'TableName': 'Typed', 'BillingMode': 'PAY_PER_REQUEST',
                  'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'}],
                  'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'}]}
        for member, wrong in (('StreamSpecification', {'StreamEnabled': 'true', 'StreamViewType': 'KEYS_ONLY'}),
                              ('Tags', {}), ('SSESpecification', []), ('DeletionProtectionEnabled', 'no'),
                              ('TableClass', 1), ('ResourcePolicy', {})):
            self.assert_error('CreateTable', dict(create, **{member: wrong}), 'SerializationException')
        # AWS's own wording for an unknown class (observed), not the generic enum message.
        self.assert_error('CreateTable', dict(create, TableClass='GLACIER'), 'ValidationException',
                          "Invalid table-class parameter provided. Please try again with a valid table-class value: "
                          "[STANDARD, STANDARD_INFREQUENT_ACCESS].")
        self.assert_error('CreateTable', dict(create, KeySchema=[{'AttributeName': 'p' * 256, 'KeyType': 'HASH'}]),
                          'ValidationException', contains="at 'keySchema.1.member.attributeName'")
        self.assertNotIn('Typed', self.ddb.list_tables()['TableNames'])
        self.assert_only_base_item()

    def test_streams_parameter_lengths(self):
        host, port = self.server.endpoint.split('//')[1].split(':')
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        for op, request, field in [
                ('DescribeStream', {'StreamArn': 'short'}, 'streamArn'),
                ('GetShardIterator', {'StreamArn': 'a' * 40, 'ShardId': 's', 'ShardIteratorType': 'LATEST'}, 'shardId'),
                ('GetRecords', {'ShardIterator': 'x' * 3000}, 'shardIterator'),
                ('ListStreams', {'TableName': 'ab'}, 'tableName')]:
            conn.request('POST', '/', body=json.dumps(request), headers={
                'X-Amz-Target': 'DynamoDBStreams_20120810.' + op, 'Content-Type': 'application/x-amz-json-1.0'})
            resp = conn.getresponse()
            doc = json.loads(resp.read())
            self.assertEqual(resp.status, 400, (op, doc))
            self.assertIn("at '%s' failed to satisfy constraint" % field, doc.get('message', ''), (op, doc))
        conn.close()

    # --- The seed's gateway route carried the set-null crash too ---

    def test_set_null_through_the_gateway_seed_route(self):
        payload = b'{"message":"x\\"},\\"n\\":{\\"SS\\":[null]},\\"y\\":{\\"S\\":\\"z"}'
        for _ in range(3):
            status, _, body = self.server.gateway('POST', '/InsertItem', data=payload,
                                                  headers={'Content-Type': 'application/json'})
            self.assertLess(status, 500, body)
        seed = self.ddb.scan(TableName='TheDynamoStreamer', ConsistentRead=True)['Items']
        self.assertFalse([i for i in seed if 'n' in i or 'y' in i], seed)
        self.assertEqual(self.server.gateway('POST', '/InsertItem', json={'message': 'alive'})[0], 200)
        seed = self.ddb.scan(TableName='TheDynamoStreamer', ConsistentRead=True)['Items']
        self.assertIn({'message': {'S': 'alive'}}, seed)


if __name__ == '__main__':
    unittest.main()
