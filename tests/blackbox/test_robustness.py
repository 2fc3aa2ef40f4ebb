"""Nothing a client sends crashes the server, and a bad request changes nothing.

Seeded random mutations of valid requests (every operation, Streams too, and the gateway) go
to the real binary over raw HTTP. Every answer must be a 200, or a 4xx with an AWS-shaped
body; never a 5xx, a dropped connection or a dead server. Afterwards the table holds exactly
the items the accepted writes put there, and every stored value is a well-formed attribute
value (one type member of the right JSON type, no null anywhere).

Besides random mutations: nulls and wrong JSON types at every depth of M and L in every
parameter that holds attribute values, deep and long expressions, over-long keys, and the
set-null payload through the gateway's seed route.
"""

import http.client
import json
import random
import unittest

from harness import StreamerTestCase

SEED = 20261124
TABLE = 'Fuzz'
TARGET = 'DynamoDB_20120810.'

VALID = {
    'PutItem': {'TableName': TABLE, 'Item': {'pk': {'S': 'a'}, 'sk': {'N': '1'}, 'v': {'L': [{'N': '2'}]}}},
    'GetItem': {'TableName': TABLE, 'Key': {'pk': {'S': 'a'}, 'sk': {'N': '1'}},
                'ProjectionExpression': '#v', 'ExpressionAttributeNames': {'#v': 'v'}},
    'DeleteItem': {'TableName': TABLE, 'Key': {'pk': {'S': 'zz'}, 'sk': {'N': '9'}},
                   'ConditionExpression': 'attribute_exists(pk)'},
    'UpdateItem': {'TableName': TABLE, 'Key': {'pk': {'S': 'b'}, 'sk': {'N': '2'}},
                   'UpdateExpression': 'SET #c = if_not_exists(#c, :z) + :one',
                   'ExpressionAttributeNames': {'#c': 'c'},
                   'ExpressionAttributeValues': {':z': {'N': '0'}, ':one': {'N': '1'}}},
    'Query': {'TableName': TABLE, 'KeyConditionExpression': 'pk = :p AND sk BETWEEN :a AND :b',
              'ExpressionAttributeValues': {':p': {'S': 'a'}, ':a': {'N': '0'}, ':b': {'N': '5'}},
              'Limit': 3},
    'Scan': {'TableName': TABLE, 'FilterExpression': 'size(v) > :n',
             'ExpressionAttributeValues': {':n': {'N': '0'}},
             'ExclusiveStartKey': {'pk': {'S': '0'}, 'sk': {'N': '0'}},
             'ConsistentRead': True, 'ReturnConsumedCapacity': 'TOTAL'},
    'DescribeTable': {'TableName': TABLE},
    'ListTables': {'Limit': 5},
}

NASTY_VALUES = [
    None, True, 0, -1, 2 ** 70, 1.5e308, '', 'x' * 70000, '\u0000', '\ud7ff\ue000', [], {}, [[]],
    {'S': None}, {'N': 'NaN'}, {'N': '1e999'}, {'B': '!!!'}, {'SS': []}, {'M': {'a': {}}},
    {'L': [{'NULL': False}]}, {'S': 'a', 'N': '1'}, {'BOOL': 'yes'},
    json.loads('{"M":' * 40 + '{}' + '}' * 40),
    # Nulls and wrong JSON types inside values (a null set member crashed the server once).
    {'SS': [None]}, {'NS': ['1', None]}, {'BS': [None]}, {'SS': ['a', 1]}, {'L': [None]}, {'M': {'a': None}},
    {'L': [{'M': {'a': {'SS': [None]}}}]}, {'M': {'a': {'L': [{'NS': [None]}]}}}, {'NULL': None}, {'N': True},
    # Unknown members (ignored, never stored) and over-long key values.
    {'S': 'x', 'junk': 'y' * 1000}, {'N': '1', 'Z': None}, {'S': 'p' * 2049}, {'N': '1' * 39},
]
NASTY_EXPRESSIONS = [
    '', '(', ')', 'a = ', '#', ':', 'size(', 'attribute_exists()', 'a BETWEEN :a', 'NOT NOT NOT',
    'a.b[99999999999999999999]', 'SET', 'REMOVE ,', 'a = :a AND' * 50, '((((((((((((((((((((a))))))))))))))))))))',
    'begins_with(a, :a, :b)', 'a IN ()', 'SET a = b + c + d - e', '\u00e9 = :v', 'a[0][0][0].b.c = :v',
    # Deep and long: each of these overflowed the stack or stalled the writer once.
    '(' * 10000 + 'a = :a' + ')' * 10000, '(' * 2000 + 'a' + ')' * 2000 + ' = :a', 'NOT ' * 20000 + 'a = :a',
    'NOT ' * 900 + 'a = :a', 'size(' * 100000 + 'a' + ')' * 100000, 'size(' * 700 + 'a' + ')' * 700 + ' > :n',
    'SET v = ' + 'list_append(' * 20000 + 'v, :l)' * 20000, 'SET v = ' + 'list_append(' * 250 + 'v' + ',v)' * 250,
    'a' + '.b' * 40, 'a = :a' + ' OR a = :a' * 200,
]


def mutate(rng, value, depth=0):
    """One random change somewhere inside a JSON request."""
    if isinstance(value, dict) and value and depth < 6 and rng.random() < 0.7:
        key = rng.choice(sorted(value))
        copy = dict(value)
        choice = rng.random()
        if choice < 0.2:
            del copy[key]
        elif choice < 0.3:
            copy[key + 'X'] = copy[key]
        else:
            copy[key] = mutate(rng, copy[key], depth + 1)
        return copy
    if isinstance(value, list) and value and depth < 6 and rng.random() < 0.7:
        copy = list(value)
        i = rng.randrange(len(copy))
        copy[i] = mutate(rng, copy[i], depth + 1)
        return copy
    if isinstance(value, str) and rng.random() < 0.5:
        return rng.choice(NASTY_EXPRESSIONS)
    return rng.choice(NASTY_VALUES)


class Robustness(StreamerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb = cls.server.client('dynamodb')
        cls.ddb.create_table(
            TableName=TABLE, BillingMode='PAY_PER_REQUEST',
            AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'},
                                  {'AttributeName': 'sk', 'AttributeType': 'N'}],
            KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'},
                       {'AttributeName': 'sk', 'KeyType': 'RANGE'}],
            StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'})

    def connection(self):
        host, port = self.server.endpoint.split('//')[1].split(':')
        return http.client.HTTPConnection(host, int(port), timeout=10)

    def send(self, conn, target, body, content_type='application/x-amz-json-1.0'):
        conn.request('POST', '/', body=body,
                     headers={'X-Amz-Target': target, 'Content-Type': content_type})
        resp = conn.getresponse()
        return resp.status, resp.read()

    def assert_aws_shaped(self, status, payload, what):
        self.assertTrue(status == 200 or 400 <= status < 500, '%s -> HTTP %d %r' % (what, status, payload[:300]))
        doc = json.loads(payload)
        if status != 200:
            self.assertIn('__type', doc, what)
            self.assertIn('#', doc['__type'], what)

    def test_mutated_requests_get_aws_errors_and_change_nothing_unexpected(self):
        rng = random.Random(SEED)
        conn = self.connection()
        accepted_writes = {}
        for i in range(1500):
            op = rng.choice(sorted(VALID))
            request = mutate(rng, VALID[op])
            body = json.dumps(request).encode()
            status, payload = self.send(conn, TARGET + op, body)
            self.assert_aws_shaped(status, payload, '#%d %s %s' % (i, op, body[:200]))
            if status == 200 and op in ('PutItem', 'UpdateItem'):
                key = request['Item'] if op == 'PutItem' else request['Key']
                accepted_writes[(key['pk']['S'], key['sk']['N'])] = True
        # Also raw garbage bodies and framing.
        for body in [b'', b'{', b'[]', b'null', b'"x"', b'\xff\xfe', b'{"TableName":' + b'[' * 5000,
                     json.dumps({'TableName': TABLE, 'Item': {}}).encode() * 3]:
            for op in ('PutItem', 'Query', 'Scan'):
                status, payload = self.send(conn, TARGET + op, body)
                self.assert_aws_shaped(status, payload, '%s %r' % (op, body[:60]))
        conn.close()
        # Still alive and consistent: every stored item came from an accepted write.
        items = self.ddb.scan(TableName=TABLE, ConsistentRead=True)['Items']
        self.assertTrue(items)
        for item in items:
            key = (item['pk']['S'], item['sk']['N'])
            self.assertIn(key, accepted_writes, 'an item no accepted write wrote: %r' % item)
        self.assert_store_well_formed()

    def test_bad_values_at_every_depth_of_every_attribute_value_parameter(self):
        """Every place a request holds attribute values, with each bad value nested 0..6 deep in M and L."""
        bad_values = [{'SS': [None]}, {'NS': [None]}, {'BS': [None]}, {'SS': [1]}, {'L': [None]},
                      {'M': {'a': None}}, None, 7, 'x', [], {}, {'S': None}, {'S': 'a', 'N': '1'}, {'B': 5}]
        conn = self.connection()
        for op, request in sorted(VALID.items()):
            for path in attribute_value_paths(request):
                for bad in bad_values:
                    for depth in range(0, 7):
                        for kind in ('M', 'L'):
                            value = nested(bad, depth, kind)
                            body = json.dumps(replace_at(request, path, value)).encode()
                            status, payload = self.send(conn, TARGET + op, body)
                            what = '%s %s <- %s' % (op, '/'.join(map(str, path)), json.dumps(value)[:120])
                            self.assert_aws_shaped(status, payload, what)
                            self.assertNotEqual(status, 200, what)
        conn.close()
        self.assert_store_well_formed()

    def assert_store_well_formed(self):
        conn = self.connection()
        status, payload = self.send(conn, TARGET + 'Scan', json.dumps({'TableName': TABLE}).encode())
        conn.close()
        self.assertEqual(status, 200, payload[:300])
        for item in json.loads(payload)['Items']:
            for name, value in item.items():
                self.assertTrue(name, item)
                self.assertTrue(well_formed(value), 'malformed stored value %s=%r' % (name, value))

    def test_mutated_streams_requests(self):
        rng = random.Random(SEED + 1)
        streams = self.server.client('dynamodbstreams')
        arn = streams.list_streams(TableName=TABLE)['Streams'][0]['StreamArn']
        shard = streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards'][0]['ShardId']
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard,
                                              ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        valid = {
            'DescribeStream': {'StreamArn': arn, 'Limit': 2},
            'GetShardIterator': {'StreamArn': arn, 'ShardId': shard,
                                 'ShardIteratorType': 'AT_SEQUENCE_NUMBER', 'SequenceNumber': '1'},
            'GetRecords': {'ShardIterator': iterator, 'Limit': 10},
            'ListStreams': {'TableName': TABLE},
        }
        conn = self.connection()
        for i in range(400):
            op = rng.choice(sorted(valid))
            body = json.dumps(mutate(rng, valid[op])).encode()
            status, payload = self.send(conn, 'DynamoDBStreams_20120810.' + op, body)
            self.assert_aws_shaped(status, payload, '#%d %s %s' % (i, op, body[:200]))
        conn.close()

    def test_gateway_survives_garbage(self):
        rng = random.Random(SEED + 2)
        host, port = self.server.gateway_url.split('//')[1].split(':')
        for i in range(300):
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            body = rng.choice([b'', b'{', b'{"message": 1}', b'{"message": {"a": [1, 2]}}',
                               # The message is pasted into the item JSON by the seed's template.
                               b'{"message":"x\\"},\\"n\\":{\\"SS\\":[null]},\\"y\\":{\\"S\\":\\"z"}',
                               b'{"message":"x\\"},\\"n\\":{\\"S\\":\\"a\\",\\"junk\\":[1]},\\"y\\":{\\"S\\":\\"z"}',
                               b'{"message":"' + b'p' * 3000 + b'"}',
                               b'{"message": "' + b'\\u0000' * 10 + b'"}', bytes(rng.randrange(256) for _ in range(64)),
                               json.dumps({'message': 'x' * 5000}).encode()])
            path = rng.choice(['/InsertItem', '/prod/InsertItem', '/insertitem', '/', '/InsertItem/x',
                               '/%ff%fe', '/InsertItem?a=%zz', '//InsertItem'])
            ctype = rng.choice(['application/json', 'text/plain', '', 'application/json; charset=utf-8'])
            headers = {'Content-Type': ctype} if ctype else {}
            conn.request(rng.choice(['POST', 'GET', 'PUT', 'DELETE']), path, body=body, headers=headers)
            resp = conn.getresponse()
            payload = resp.read()
            self.assertLess(resp.status, 500, '#%d %s %r -> %d %r' % (i, path, body[:80], resp.status, payload[:200]))
            conn.close()
        self.assertEqual(self.server.gateway('POST', '/InsertItem', json={'message': 'still-alive'})[0], 200)
        # The template pastes the message into the item JSON (as API Gateway would), so attributes
        # can be smuggled in; but only well-formed ones (no null set, no unknown member) and only
        # keys within the 2048-byte limit.
        conn = self.connection()
        status, payload = self.send(conn, TARGET + 'Scan', json.dumps({'TableName': 'TheDynamoStreamer'}).encode())
        conn.close()
        self.assertEqual(status, 200)
        for item in json.loads(payload)['Items']:
            for name, value in item.items():
                self.assertTrue(well_formed(value), item)
            self.assertNotIn({'SS': [None]}, item.values())
            self.assertLessEqual(len(item['message']['S'].encode()), 2048)


TYPES = {'S', 'N', 'B', 'BOOL', 'NULL', 'M', 'L', 'SS', 'NS', 'BS'}


def well_formed(value):
    """A stored attribute value: one known type member, of the right JSON type, at every depth."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (t, p), = value.items()
    if t in ('S', 'N', 'B'):
        return isinstance(p, str)
    if t in ('BOOL', 'NULL'):
        return isinstance(p, bool)
    if t in ('SS', 'NS', 'BS'):
        return isinstance(p, list) and bool(p) and all(isinstance(e, str) for e in p)
    if t == 'L':
        return isinstance(p, list) and all(well_formed(e) for e in p)
    if t == 'M':
        return isinstance(p, dict) and all(well_formed(e) for e in p.values())
    return False


def attribute_value_paths(request):
    """Paths (tuples of keys) of the attribute values a request holds."""
    paths = []
    for member in ('Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey'):
        for name in sorted(request.get(member, {})):
            paths.append((member, name))
    return paths


def replace_at(request, path, value):
    copy = json.loads(json.dumps(request))
    target = copy
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return copy


def nested(value, depth, kind):
    """`value` inside `depth` containers, alternating M and L starting with `kind`."""
    for i in range(depth):
        if (kind == 'M') == (i % 2 == 0):
            value = {'M': {'x': value}}
        else:
            value = {'L': [{'N': '1'}, value]}
    return value


if __name__ == '__main__':
    unittest.main()
