"""TransactGetItems, from the DynamoDB API Reference (TransactGetItems, TransactGetItem, Get,
ItemResponse): up to 100 Get actions read as one snapshot, Responses in request order ({} for a
missing item), ConsumedCapacity at twice the strongly consistent read units."""
import json
import unittest

from conformance import ConformanceCase


def S(v):
    return {'S': v}


def N(v):
    return {'N': str(v)}


def get(t, key, **kw):
    return {'Get': dict(TableName=t, Key=key, **kw)}


class TransactGetItemsTest(ConformanceCase):

    def seeded(self, n=5):
        return self.table(items=[{'pk': S('k%d' % i), 'v': N(i), 'm': {'M': {'a': S('x'), 'b': N(i)}}}
                                 for i in range(n)])

    def test_responses_in_request_order(self):
        a = self.seeded()
        b = self.table(hash_key=('id', 'N'), range_key=('sk', 'S'), items=[{'id': N(7), 'sk': S('s'), 'z': S('1')}])
        out = self.ddb.transact_get_items(TransactItems=[get(a, {'pk': S('k3')}), get(b, {'id': N(7), 'sk': S('s')}),
                                                         get(a, {'pk': S('k0')})])
        self.assertEqual([r['Item'] for r in out['Responses']], [
            {'pk': S('k3'), 'v': N(3), 'm': {'M': {'a': S('x'), 'b': N(3)}}},
            {'id': N(7), 'sk': S('s'), 'z': S('1')},
            {'pk': S('k0'), 'v': N(0), 'm': {'M': {'a': S('x'), 'b': N(0)}}}])
        self.assertNotIn('ConsumedCapacity', out)

    def test_missing_item_is_an_empty_response(self):
        t = self.seeded()
        out = self.ddb.transact_get_items(TransactItems=[get(t, {'pk': S('none')}), get(t, {'pk': S('k1')})])
        self.assertEqual(out['Responses'][0], {})
        self.assertEqual(out['Responses'][1]['Item']['pk'], S('k1'))

    def test_raw_response_shape(self):
        t = self.seeded()
        status, out = self.raw('TransactGetItems', {'TransactItems': [get(t, {'pk': S('none')}),
                                                                      get(t, {'pk': S('k2')}, ProjectionExpression='v')]})
        self.assertEqual((status, out), (200, {'Responses': [{}, {'Item': {'v': N(2)}}]}))

    def test_projection(self):
        t = self.seeded()
        out = self.ddb.transact_get_items(TransactItems=[get(t, {'pk': S('k2')}, ProjectionExpression='#m.b, pk',
                                                             ExpressionAttributeNames={'#m': 'm'})])
        self.assertEqual(out['Responses'][0]['Item'], {'pk': S('k2'), 'm': {'M': {'b': N(2)}}})

    def test_hundred_gets(self):
        t = self.seeded(5)
        out = self.ddb.transact_get_items(TransactItems=[get(t, {'pk': S('k%d' % i)}) for i in range(100)])
        self.assertEqual(len(out['Responses']), 100)
        self.assertEqual(sum(1 for r in out['Responses'] if 'Item' in r), 5)

    def test_same_key_in_two_tables(self):
        a, b = self.seeded(1), self.seeded(1)
        out = self.ddb.transact_get_items(TransactItems=[get(a, {'pk': S('k0')}), get(b, {'pk': S('k0')})])
        self.assertEqual(len([r for r in out['Responses'] if 'Item' in r]), 2)

    def test_consumed_capacity_is_two_units_per_4kb(self):
        a = self.table(items=[{'pk': S('big'), 'x': S('y' * 5000)}, {'pk': S('small')}])
        b = self.seeded(1)
        out = self.ddb.transact_get_items(TransactItems=[get(a, {'pk': S('big')}), get(a, {'pk': S('small')}),
                                                         get(b, {'pk': S('k0')})], ReturnConsumedCapacity='TOTAL')
        got = {c['TableName']: c for c in out['ConsumedCapacity']}
        self.assertEqual(got, {a: {'TableName': a, 'CapacityUnits': 6.0, 'ReadCapacityUnits': 6.0},
                               b: {'TableName': b, 'CapacityUnits': 2.0, 'ReadCapacityUnits': 2.0}})

    def test_consumed_capacity_indexes(self):
        t = self.seeded(1)
        out = self.ddb.transact_get_items(TransactItems=[get(t, {'pk': S('k0')})], ReturnConsumedCapacity='INDEXES')
        self.assertEqual(out['ConsumedCapacity'], [{'TableName': t, 'CapacityUnits': 2.0, 'ReadCapacityUnits': 2.0,
                                                    'Table': {'CapacityUnits': 2.0, 'ReadCapacityUnits': 2.0}}])

    def test_sees_a_committed_transaction_entirely(self):
        t = self.seeded(4)
        self.ddb.transact_write_items(TransactItems=[
            {'Update': {'TableName': t, 'Key': {'pk': S('k%d' % i)}, 'UpdateExpression': 'SET v = :n',
                        'ExpressionAttributeValues': {':n': N(100)}}} for i in range(4)])
        out = self.ddb.transact_get_items(TransactItems=[get(t, {'pk': S('k%d' % i)}) for i in range(4)])
        self.assertEqual([r['Item']['v'] for r in out['Responses']], [N(100)] * 4)

    def test_aws_cli(self):
        t = self.seeded(2)
        rc, out, err = self.server.aws('dynamodb', 'transact-get-items', '--transact-items', json.dumps([
            get(t, {'pk': S('k1')}, ProjectionExpression='v'), get(t, {'pk': S('none')})]))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['Responses'], [{'Item': {'v': N(1)}}, {}])

    # ----- validation -----------------------------------------------------------------------------

    def test_request_errors(self):
        t = self.seeded(2)
        r = self.table(range_key=('sk', 'S'))
        ok = get(t, {'pk': S('k0')})
        cases = [
            ({}, 'ValidationException', "1 validation error detected: Value null at 'transactItems' failed to satisfy "
                                        "constraint: Member must not be null"),
            ({'TransactItems': []}, 'ValidationException',
             "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must "
             "have length greater than or equal to 1"),
            ({'TransactItems': [{}]}, 'ValidationException',
             "1 validation error detected: Value null at 'transactItems.1.member.get' failed to satisfy constraint: "
             "Member must not be null"),
            ({'TransactItems': [ok, {'Get': {'TableName': t}}]}, 'ValidationException',
             "1 validation error detected: Value null at 'transactItems.2.member.get.key' failed to satisfy "
             "constraint: Member must not be null"),
            ({'TransactItems': [{'Get': {'Key': {'pk': S('k0')}}}]}, 'ValidationException',
             "1 validation error detected: Value null at 'transactItems.1.member.get.tableName' failed to satisfy "
             "constraint: Member must not be null"),
            ({'TransactItems': [get('no-such-table', {'pk': S('a')})]}, 'ResourceNotFoundException',
             'Requested resource not found'),
            ({'TransactItems': [ok, ok]}, 'ValidationException',
             'Transaction request cannot include multiple operations on one item'),
            ({'TransactItems': [get(r, {'pk': S('a'), 'sk': S('b')}), get(r, {'sk': S('b'), 'pk': S('a')})]},
             'ValidationException', 'Transaction request cannot include multiple operations on one item'),
            ({'TransactItems': [get(t, {'pk': {'S': 'a', 'N': '1'}})]}, 'ValidationException',
             'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported '
             'datatypes'),
            ({'TransactItems': [get('no-such-table', {'pk': S('a')})], 'ReturnConsumedCapacity': 'BOGUS'},
             'ValidationException', "1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' failed to "
             "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            ({'TransactItems': [ok, ok], 'ReturnConsumedCapacity': 'BOGUS'},
             'ValidationException', "1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' failed to "
             "satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            ({'TransactItems': [get('no-such-table', {'pk': S('a')}), get(t, {'pk': S('k0')}, ProjectionExpression='!!!')]},
             'ValidationException', 'Invalid ProjectionExpression: Syntax error; token: "!", near: "!!"'),
            ({'TransactItems': [get(t, {'pk': S('')})]}, 'ValidationException',
             'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an '
             'empty string value. Key: pk'),
            ({'TransactItems': [get(t, {'pk': S('k0')}, ProjectionExpression='#a')]}, 'ValidationException',
             'Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; '
             'attribute name: #a'),
            ({'TransactItems': [get(t, {'pk': S('k0')}, ExpressionAttributeNames={'#a': 'a'})]}, 'ValidationException',
             'Value provided in ExpressionAttributeNames unused in expressions: keys: {#a}'),
            ({'TransactItems': [ok], 'ReturnConsumedCapacity': 'SOME'}, 'ValidationException',
             "1 validation error detected: Value 'SOME' at 'returnConsumedCapacity' failed to satisfy constraint: "
             "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            ({'TransactItems': [get('ab', {'pk': S('k0')})]}, 'ValidationException',
             "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have "
             "length greater than or equal to 3"),
            ({'TransactItems': ok}, 'SerializationException', None),
            ({'TransactItems': [{'Get': 'x'}]}, 'SerializationException', None),
            ({'TransactItems': [get(t, {'pk': {'S': 1}})]}, 'SerializationException', None),
        ]
        for body, code, msg in cases:
            with self.subTest(body=json.dumps(body)[:150]):
                self.assertRawError('TransactGetItems', body, code, msg)

    def test_keys_that_do_not_fit_the_schema_cancel_the_transaction(self):
        t = self.seeded(2)
        r = self.table(range_key=('sk', 'S'))
        for key_get in [get(t, {}), get(t, {'pk': N(1)}), get(r, {'pk': S('a')}), get(t, {'pk': S('k0'), 'v': N(0)}),
                        get(t, {'pk': {'L': [S('x')]}})]:
            with self.subTest(get=json.dumps(key_get)):
                status, body = self.raw('TransactGetItems', {'TransactItems': [get(t, {'pk': S('k1')}), key_get]})
                self.assertEqual(status, 400)
                self.assertEqual(body['__type'], 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException')
                self.assertEqual(body['message'], 'Transaction cancelled, please refer cancellation reasons for '
                                                  'specific reasons [None, ValidationError]')
                self.assertEqual(body['CancellationReasons'], [
                    {'Code': 'None'},
                    {'Code': 'ValidationError', 'Message': 'The provided key element does not match the schema'}])

    def test_projection_matching_nothing_leaves_no_item(self):
        t = self.seeded(1)
        out = self.ddb.transact_get_items(TransactItems=[get(t, {'pk': S('k0')}, ProjectionExpression='nothing'),
                                                         get(t, {'pk': S('none')}, ProjectionExpression='v')])
        self.assertEqual(out['Responses'], [{}, {}])

    def test_more_than_100_gets(self):
        t = self.seeded(1)
        self.assertError(lambda: self.ddb.transact_get_items(
            TransactItems=[get(t, {'pk': S('i%d' % i)}) for i in range(101)]), 'ValidationException',
            "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have "
            "length less than or equal to 100")


if __name__ == '__main__':
    unittest.main()
