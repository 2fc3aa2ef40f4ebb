"""GetItem (API Reference: GetItem): the item or nothing, ProjectionExpression, ConsistentRead,
key checks, and read capacity (4 KB units; half when eventually consistent; a missing item still
costs the minimum)."""
import unittest

from capacity_cases import consumed, item_of_size, read_units
from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': v}  # noqa: E731

DOC = {'pk': S('a'), 'n': N('1'), 'm': {'M': {'b': {'L': [N('0'), {'M': {'c': S('deep')}}, S('two')]},
                                              'x': S('y')}},
       'l': {'L': [S('l0'), S('l1'), S('l2')]}, 'name': S('reserved'), 'a.b': S('dotted')}


class GetItemTest(ConformanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()

    def setUp(self):
        self.t = self.table(items=[DOC])

    def test_whole_item_and_missing_item(self):
        self.assertEqual(self.ddb.get_item(TableName=self.t, Key={'pk': S('a')})['Item'], DOC)
        out = self.ddb.get_item(TableName=self.t, Key={'pk': S('zz')})
        self.assertNotIn('Item', out)
        self.assertNotIn('ConsumedCapacity', out)

    def test_consistent_read_either_way(self):
        for consistent in (True, False):
            with self.subTest(consistent=consistent):
                out = self.ddb.get_item(TableName=self.t, Key={'pk': S('a')}, ConsistentRead=consistent)
                self.assertEqual(out['Item'], DOC)

    def test_projection_expression(self):
        cases = [
            ('n', {'n': N('1')}),
            ('n, l', {'n': N('1'), 'l': DOC['l']}),
            ('l[1]', {'l': {'L': [S('l1')]}}),
            ('l[0], l[2]', {'l': {'L': [S('l0'), S('l2')]}}),
            ('m.x', {'m': {'M': {'x': S('y')}}}),
            ('m.b[1].c', {'m': {'M': {'b': {'L': [{'M': {'c': S('deep')}}]}}}}),
            ('nope', {}),
            ('l[7]', {}),
            ('m.nope', {}),
            ('n, nope', {'n': N('1')}),
            ('#n', {'name': S('reserved')}),
            ('#ab', {'a.b': S('dotted')}),
            ('pk', {'pk': S('a')}),
        ]
        names = {'#n': 'name', '#ab': 'a.b'}
        for proj, expected in cases:
            with self.subTest(projection=proj):
                kwargs = {}
                used = {k: v for k, v in names.items() if k in proj}
                if used:
                    kwargs['ExpressionAttributeNames'] = used
                out = self.ddb.get_item(TableName=self.t, Key={'pk': S('a')}, ProjectionExpression=proj, **kwargs)
                self.assertEqual(out['Item'], expected)

    def test_projection_keeps_document_order(self):
        # Paths in any order: list elements come back in list order, map members merged;
        # a path through a scalar (l[0].a, l[0][1]) matches nothing.
        for proj in ('m.k, l[2], m.x, l[1], l[0].a', 'l[1], m.x, l[0][1], l[2], m.k'):
            with self.subTest(projection=proj):
                out = self.ddb.get_item(TableName=self.t, Key={'pk': S('a')}, ProjectionExpression=proj,
                                        ConsistentRead=True)
                self.assertEqual(out['Item'], {'m': {'M': {'x': S('y')}}, 'l': {'L': [S('l1'), S('l2')]}})

    def test_projection_of_a_missing_item(self):
        out = self.ddb.get_item(TableName=self.t, Key={'pk': S('none')}, ProjectionExpression='n')
        self.assertNotIn('Item', out)

    def test_projection_errors(self):
        cases = [
            ('name', None, 'Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name'),
            ('#x', None, 'Invalid ProjectionExpression: An expression attribute name used in the document path is '
                         'not defined; attribute name: #x'),
            ('n', {'#x': 'n'}, 'Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}'),
            ('m, m.x', None, 'Invalid ProjectionExpression: Two document paths overlap with each other; must remove '
                             'or rewrite one of these paths; path one: [m], path two: [m, x]'),
            ('n, n', None, 'Invalid ProjectionExpression: Two document paths overlap with each other; must remove '
                           'or rewrite one of these paths; path one: [n], path two: [n]'),
            ('', None, 'Invalid ProjectionExpression: The expression can not be empty;'),
            ('l, #l[1]', {'#l': 'l'}, 'Invalid ProjectionExpression: Two document paths overlap with each other; '
                                      'must remove or rewrite one of these paths; path one: [l], path two: [l, [1]]'),
            ('m.b, #m[1], s', {'#m': 'm'}, 'Invalid ProjectionExpression: Two document paths conflict with each other; '
                                           'must remove or rewrite one of these paths; path one: [m, b], path two: '
                                           '[m, [1]]'),
            # An overlap anywhere is reported before a conflict.
            ('l[1], l.a, #m.b, m', {'#m': 'm'},
             'Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of '
             'these paths; path one: [m, b], path two: [m]'),
            # A map key spelled like an index prints the same, and still conflicts.
            ('m[3].b, m.#k.b', {'#k': '[3]'},
             'Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of '
             'these paths; path one: [m, [3], b], path two: [m, [3], b]'),
            ('n,', None, 'Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","'),
        ]
        for proj, names, message in cases:
            with self.subTest(projection=proj):
                kwargs = {'ExpressionAttributeNames': names} if names else {}
                self.assertError(lambda: self.ddb.get_item(TableName=self.t, Key={'pk': S('a')},
                                                           ProjectionExpression=proj, **kwargs),
                                 'ValidationException', message)

    def test_key_checks(self):
        t2 = self.table(range_key=('sk', 'N'))
        mismatch = 'The provided key element does not match the schema'
        cases = [
            (self.t, {}, mismatch),
            (self.t, {'pk': N('1')}, mismatch),
            (self.t, {'other': S('a')}, mismatch),
            (self.t, {'pk': S('a'), 'n': N('1')}, mismatch),
            (t2, {'pk': S('a')}, mismatch),
            (t2, {'pk': S('a'), 'sk': S('1')}, mismatch),
            (t2, {'pk': S('a'), 'x': N('1')}, mismatch),
            (self.t, {'pk': S('')}, 'One or more parameter values are not valid. The AttributeValue for a key '
                                    'attribute cannot contain an empty string value. Key: pk'),
        ]
        for table, key, message in cases:
            with self.subTest(key=key):
                self.assertError(lambda: self.ddb.get_item(TableName=table, Key=key), 'ValidationException', message)

    def test_missing_table(self):
        self.assertError(lambda: self.ddb.get_item(TableName='no-such-table', Key={'pk': S('a')}),
                         'ResourceNotFoundException', message_contains='Requested resource not found')

    def test_consistent_read_wrong_type(self):
        self.assertRawError('GetItem', {'TableName': self.t, 'Key': {'pk': {'S': 'a'}}, 'ConsistentRead': 'yes'},
                            'SerializationException')

    def test_key_member_required(self):
        self.assertRawError('GetItem', {'TableName': self.t}, 'ValidationException',
                            "1 validation error detected: Value null at 'key' failed to satisfy constraint: "
                            'Member must not be null')

    # ----- consumed capacity -------------------------------------------------------------

    def test_read_units_by_size_and_consistency(self):
        t = self.table()
        cases = []
        for size in (10, 4096, 4097, 8192, 8193, 100_000):
            self.ddb.put_item(TableName=t, Item=item_of_size(size, pk='k%06d' % size))
            for consistent in (False, True):
                cases.append((size, consistent))
        for size, consistent in cases:
            with self.subTest(size=size, consistent=consistent):
                out = self.ddb.get_item(TableName=t, Key={'pk': S('k%06d' % size)}, ConsistentRead=consistent,
                                        ReturnConsumedCapacity='TOTAL')
                self.assertEqual(out['ConsumedCapacity'], consumed(t, read_units(size, consistent)))

    def test_expected_units_table(self):
        # The Developer Guide's rule, written out: 4 KB units, halved when eventually consistent.
        for size, consistent, units in ((1, False, 0.5), (1, True, 1.0), (4096, True, 1.0), (4097, True, 2.0),
                                        (4097, False, 1.0), (12289, False, 2.0)):
            self.assertEqual(read_units(size, consistent), units)

    def test_missing_item_costs_the_minimum(self):
        for consistent, units in ((False, 0.5), (True, 1.0)):
            with self.subTest(consistent=consistent):
                out = self.ddb.get_item(TableName=self.t, Key={'pk': S('nothing')}, ConsistentRead=consistent,
                                        ReturnConsumedCapacity='TOTAL')
                self.assertNotIn('Item', out)
                self.assertEqual(out['ConsumedCapacity'], consumed(self.t, units))

    def test_projection_costs_the_whole_item(self):
        t = self.table(items=[item_of_size(9000)])
        out = self.ddb.get_item(TableName=t, Key={'pk': S('a')}, ProjectionExpression='pk', ConsistentRead=True,
                                ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['Item'], {'pk': S('a')})
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 3.0))

    def test_indexes_and_none(self):
        out = self.ddb.get_item(TableName=self.t, Key={'pk': S('a')}, ReturnConsumedCapacity='INDEXES')
        self.assertEqual(out['ConsumedCapacity'], consumed(self.t, 0.5, 'INDEXES'))
        out = self.ddb.get_item(TableName=self.t, Key={'pk': S('a')}, ReturnConsumedCapacity='NONE')
        self.assertNotIn('ConsumedCapacity', out)
        self.assertEqual(out['Item'], DOC)


if __name__ == '__main__':
    unittest.main()
