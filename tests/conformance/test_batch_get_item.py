"""BatchGetItem, from the DynamoDB API Reference (BatchGetItem, KeysAndAttributes): up to 100 keys over
one or more tables, per-table ProjectionExpression/ExpressionAttributeNames/ConsistentRead, at most
16 MB of items per answer (the rest in UnprocessedKeys, in the request's own shape), missing items
simply absent, ConsumedCapacity per table."""
import json
import unittest

from conformance import ConformanceCase


def S(v):
    return {'S': v}


def N(v):
    return {'N': str(v)}


def by_pk(items):
    return sorted(items, key=lambda i: json.dumps(i, sort_keys=True))


class BatchGetItemTest(ConformanceCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.shared = None

    def seeded(self):
        if BatchGetItemTest.shared is None:
            t = self.table(items=[{'pk': S('k%d' % i), 'v': N(i), 'm': {'M': {'a': S('x'), 'b': N(i)}},
                                   'l': {'L': [S('l0'), S('l1')]}} for i in range(10)])
            BatchGetItemTest.shared = t
        return BatchGetItemTest.shared

    def test_items_from_two_tables(self):
        a = self.seeded()
        b = self.table(hash_key=('id', 'N'), range_key=('sk', 'S'),
                       items=[{'id': N(1), 'sk': S('a'), 'x': S('1')}, {'id': N(1), 'sk': S('b')}])
        out = self.ddb.batch_get_item(RequestItems={
            a: {'Keys': [{'pk': S('k1')}, {'pk': S('k2')}]},
            b: {'Keys': [{'id': N(1), 'sk': S('a')}, {'id': N('1.0'), 'sk': S('b')}]}})
        self.assertEqual(out['UnprocessedKeys'], {})
        self.assertNotIn('ConsumedCapacity', out)
        self.assertEqual([i['pk'] for i in by_pk(out['Responses'][a])], [S('k1'), S('k2')])
        self.assertEqual(by_pk(out['Responses'][b]), by_pk([{'id': N(1), 'sk': S('a'), 'x': S('1')},
                                                            {'id': N(1), 'sk': S('b')}]))

    def test_missing_items_are_left_out(self):
        t = self.seeded()
        out = self.ddb.batch_get_item(RequestItems={t: {'Keys': [{'pk': S('k3')}, {'pk': S('nope')}]}})
        self.assertEqual([i['pk'] for i in out['Responses'][t]], [S('k3')])

    def test_table_with_no_item_found_has_an_empty_list(self):
        t = self.table()
        out = self.ddb.batch_get_item(RequestItems={t: {'Keys': [{'pk': S('nope')}]}})
        self.assertEqual(out['Responses'], {t: []})

    def test_projection_expression(self):
        t = self.seeded()
        out = self.ddb.batch_get_item(RequestItems={t: {'Keys': [{'pk': S('k4')}],
                                                        'ProjectionExpression': 'v, m.b, l[1]'}})
        self.assertEqual(out['Responses'][t], [{'v': N(4), 'm': {'M': {'b': N(4)}}, 'l': {'L': [S('l1')]}}])

    def test_projection_with_names(self):
        t = self.seeded()
        out = self.ddb.batch_get_item(RequestItems={t: {'Keys': [{'pk': S('k5')}], 'ProjectionExpression': '#p, #m.#a',
                                                        'ExpressionAttributeNames': {'#p': 'pk', '#m': 'm', '#a': 'a'}}})
        self.assertEqual(out['Responses'][t], [{'pk': S('k5'), 'm': {'M': {'a': S('x')}}}])

    def test_projection_of_absent_attributes_is_an_empty_item(self):
        t = self.seeded()
        out = self.ddb.batch_get_item(RequestItems={t: {'Keys': [{'pk': S('k5')}], 'ProjectionExpression': 'nothing'}})
        self.assertEqual(out['Responses'][t], [{}])

    def test_consistent_read_per_table(self):
        a, b = self.seeded(), self.table(items=[{'pk': S('x')}])
        out = self.ddb.batch_get_item(RequestItems={a: {'Keys': [{'pk': S('k1')}], 'ConsistentRead': True},
                                                    b: {'Keys': [{'pk': S('x')}], 'ConsistentRead': False}},
                                      ReturnConsumedCapacity='TOTAL')
        got = {c['TableName']: c['CapacityUnits'] for c in out['ConsumedCapacity']}
        self.assertEqual(got, {a: 1.0, b: 0.5})

    def test_consumed_capacity_rounds_each_item_up(self):
        t = self.table(items=[{'pk': S('big'), 'x': S('y' * 5000)}, {'pk': S('small')}])
        out = self.ddb.batch_get_item(RequestItems={t: {'Keys': [{'pk': S('big')}, {'pk': S('small')}, {'pk': S('none')}],
                                                        'ConsistentRead': True}}, ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'], [{'TableName': t, 'CapacityUnits': 4.0}])

    def test_consumed_capacity_indexes(self):
        t = self.table(items=[{'pk': S('a')}])
        out = self.ddb.batch_get_item(RequestItems={t: {'Keys': [{'pk': S('a')}], 'ConsistentRead': True}},
                                      ReturnConsumedCapacity='INDEXES')
        self.assertEqual(out['ConsumedCapacity'], [{'TableName': t, 'CapacityUnits': 1.0,
                                                    'Table': {'CapacityUnits': 1.0}}])

    def test_hundred_keys(self):
        t = self.table()
        self.ddb.batch_write_item(RequestItems={t: [{'PutRequest': {'Item': {'pk': S('i%d' % i)}}} for i in range(25)]})
        out = self.ddb.batch_get_item(RequestItems={t: {'Keys': [{'pk': S('i%d' % i)} for i in range(100)]}})
        self.assertEqual(len(out['Responses'][t]), 25)

    def test_sixteen_megabytes_then_unprocessed_keys(self):
        t = self.table()
        big = 'x' * (390 * 1024)
        for i in range(0, 50, 10):
            self.ddb.batch_write_item(RequestItems={t: [{'PutRequest': {'Item': {'pk': S('b%02d' % j), 'd': S(big)}}}
                                                        for j in range(i, i + 10)]})
        keys = [{'pk': S('b%02d' % j)} for j in range(50)]
        req = {'Keys': keys, 'ProjectionExpression': 'pk, d', 'ConsistentRead': True}
        out = self.ddb.batch_get_item(RequestItems={t: req})
        got = len(out['Responses'][t])
        self.assertLess(got, 50)
        self.assertLessEqual(got * (390 * 1024), 16 * 1024 * 1024)
        left = out['UnprocessedKeys'][t]
        self.assertEqual(len(left['Keys']) + got, 50)
        # UnprocessedKeys keeps the request's projection and consistency, ready to send again.
        self.assertEqual(left['ProjectionExpression'], 'pk, d')
        self.assertTrue(left['ConsistentRead'])
        again = self.ddb.batch_get_item(RequestItems=out['UnprocessedKeys'])
        seen = {i['pk']['S'] for i in out['Responses'][t]} | {i['pk']['S'] for i in again['Responses'][t]}
        self.assertEqual(len(seen), 50)
        self.assertEqual(again['UnprocessedKeys'], {})

    def test_boto3_resource_batch_get(self):
        import boto3
        t = self.seeded()
        res = boto3.resource('dynamodb', endpoint_url=self.server.endpoint, region_name='us-east-1',
                             aws_access_key_id='x', aws_secret_access_key='x')
        out = res.batch_get_item(RequestItems={t: {'Keys': [{'pk': 'k1'}], 'ProjectionExpression': 'v'}})
        self.assertEqual(out['Responses'][t], [{'v': 1}])

    def test_aws_cli(self):
        t = self.seeded()
        rc, out, err = self.server.aws('dynamodb', 'batch-get-item', '--request-items', json.dumps(
            {t: {'Keys': [{'pk': S('k7')}], 'ProjectionExpression': 'v'}}))
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['Responses'], {t: [{'v': N(7)}]})
        self.assertEqual(out['UnprocessedKeys'], {})

    # ----- validation -----------------------------------------------------------------------------

    def test_request_errors(self):
        t = self.seeded()
        r = self.table(range_key=('sk', 'N'))
        ok = {'Keys': [{'pk': S('k1')}]}
        cases = [
            ({}, 'ValidationException', "1 validation error detected: Value null at 'requestItems' failed to satisfy "
                                        "constraint: Member must not be null"),
            ({'RequestItems': {}}, 'ValidationException',
             "1 validation error detected: Value at 'RequestItems' failed to satisfy constraint: Member must have "
             "length greater than or equal to 1"),
            ({'RequestItems': {t: {}}}, 'ValidationException',
             "1 validation error detected: Value null at 'requestItems.%s.member.keys' failed to satisfy constraint: "
             "Member must not be null" % t),
            ({'RequestItems': {t: {'Keys': []}}}, 'ValidationException',
             "1 validation error detected: Value at 'RequestItems.%s.member.Keys' failed to satisfy constraint: "
             "Member must have length greater than or equal to 1" % t),
            ({'RequestItems': {'no-such-table': ok}}, 'ResourceNotFoundException', 'Requested resource not found'),
            ({'RequestItems': {t: ok, 'no-such-table': ok}}, 'ResourceNotFoundException', 'Requested resource not found'),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1')}, {'pk': S('k1')}]}}}, 'ValidationException',
             'Provided list of item keys contains duplicates'),
            ({'RequestItems': {r: {'Keys': [{'pk': S('a'), 'sk': N('1')}, {'pk': S('a'), 'sk': N('1.0')}]}}},
             'ValidationException', 'Provided list of item keys contains duplicates'),
            ({'RequestItems': {t: {'Keys': [{'pk': N(1)}]}}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1'), 'x': S('y')}]}}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {r: {'Keys': [{'pk': S('a')}]}}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: {'Keys': [{}]}}}, 'ValidationException',
             'The provided key element does not match the schema'),
            ({'RequestItems': {t: {'Keys': [{'pk': S('')}]}}}, 'ValidationException',
             'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an '
             'empty string value. Key: pk'),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1')}], 'ProjectionExpression': '#x'}}}, 'ValidationException',
             'Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; '
             'attribute name: #x'),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1')}], 'ExpressionAttributeNames': {'#x': 'x'}}}},
             'ValidationException', 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}'),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1')}], 'ProjectionExpression': 'a,'}}}, 'ValidationException',
             None),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1')}], 'AttributesToGet': ['v'], 'ProjectionExpression': 'v'}}},
             'ValidationException', 'Can not use both expression and non-expression parameters in the same request: '
             'Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}'),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1')}], 'AttributesToGet': ['v', 'v']}}}, 'ValidationException',
             None),
            ({'RequestItems': {t: ok}, 'ReturnConsumedCapacity': 'ALL'}, 'ValidationException',
             "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: "
             "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            ({'RequestItems': {'bad!name': {'Keys': [{'pk': {'S': 'a'}}]}}}, 'ValidationException',
             "1 validation error detected: Value '{\"bad!name\":{\"Keys\":[{\"pk\":{\"S\":\"a\"}}]}}' at 'requestItems' "
             "failed to satisfy constraint: Map keys must satisfy constraint: [Member must have length less than or "
             "equal to 255, Member must have length greater than or equal to 3, Member must satisfy regular "
             "expression pattern: [a-zA-Z0-9_.-]+]"),
            ({'RequestItems': {'ab': ok}}, 'ValidationException', None),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1')}], 'ProjectionExpression': 'a, a'}}}, 'ValidationException',
             'Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one '
             'of these paths; path one: [a], path two: [a]'),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1')}], 'ProjectionExpression': 'v'},
                               r: {'Keys': [{'pk': S('a'), 'sk': N(1)}], 'ProjectionExpression': 'a, a.b'}}},
             'ValidationException', 'Invalid ProjectionExpression: Two document paths overlap with each other; must '
             'remove or rewrite one of these paths; path one: [a], path two: [a, b]'),
            ({'RequestItems': {'no-such-table': ok}, 'ReturnConsumedCapacity': 'BOGUS'}, 'ValidationException',
             "1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' failed to satisfy constraint: "
             "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            # Attribute values are checked before the tables exist.
            ({'RequestItems': {'no-such-table': {'Keys': [{'pk': {'S': 'a', 'N': '1'}}]}}}, 'ValidationException',
             'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes'),
            ({'RequestItems': {'no-such-table': {'Keys': [{'pk': {'N': '1e126'}}]}}}, 'ValidationException',
             'Number overflow. Attempting to store a number with magnitude larger than supported range'),
            ({'RequestItems': {'no-such-table': {'Keys': [{}]}}}, 'ResourceNotFoundException',
             'Requested resource not found'),
            ({'RequestItems': {t: {'Keys': [{'pk': S('x' * 2049)}]}}}, 'ValidationException', None),  # key size: the single-item message
            ({'RequestItems': [ok]}, 'SerializationException', None),
            ({'RequestItems': {t: [ok]}}, 'SerializationException', None),
            ({'RequestItems': {t: {'Keys': {'pk': S('k1')}}}}, 'SerializationException', None),
            ({'RequestItems': {t: {'Keys': ['k1']}}}, 'SerializationException', None),
            ({'RequestItems': {t: {'Keys': [{'pk': S('k1')}], 'ConsistentRead': 'yes'}}}, 'SerializationException', None),
            ({'RequestItems': {t: {'Keys': [{'pk': {'S': 5}}]}}}, 'SerializationException', None),
        ]
        for body, code, msg in cases:
            with self.subTest(body=json.dumps(body)[:150]):
                self.assertRawError('BatchGetItem', body, code, msg)

    def test_more_than_100_keys_in_one_table(self):
        t = self.seeded()
        self.assertRawError('BatchGetItem', {'RequestItems': {t: {'Keys': [{'pk': S('i%d' % i)} for i in range(101)]}}},
                            'ValidationException',
                            "1 validation error detected: Value at 'RequestItems.%s.member.Keys' failed to satisfy "
                            "constraint: Member must have length less than or equal to 100" % t)

    def test_too_many_keys_is_checked_before_the_tables(self):
        self.assertRawError('BatchGetItem', {'RequestItems': {
            'no-such-table-1': {'Keys': [{'pk': S('i%d' % i)} for i in range(100)]},
            'no-such-table-2': {'Keys': [{'pk': S('x')}]}}},
            'ValidationException', 'Too many items requested for the BatchGetItem call')

    def test_more_than_100_keys_over_two_tables(self):
        a, b = self.seeded(), self.table()
        self.assertError(lambda: self.ddb.batch_get_item(RequestItems={
            a: {'Keys': [{'pk': S('i%d' % i)} for i in range(60)]},
            b: {'Keys': [{'pk': S('i%d' % i)} for i in range(41)]}}),
            'ValidationException', 'Too many items requested for the BatchGetItem call')


class BatchGetItemLegacyTest(ConformanceCase):
    def test_attributes_to_get_projects_each_table(self):
        t = self.table(items=[{'pk': {'S': 'k1'}, 'v': {'S': 'x'}, 'w': {'N': '1'}}])
        out = self.ddb.batch_get_item(RequestItems={t: {'Keys': [{'pk': {'S': 'k1'}}], 'AttributesToGet': ['v', 'nope']}})
        self.assertEqual(out['Responses'][t], [{'v': {'S': 'x'}}])


if __name__ == '__main__':
    unittest.main()
