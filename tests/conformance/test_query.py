"""Query (API Reference: Query): key conditions on the partition and sort key, ScanIndexForward,
Limit and ExclusiveStartKey/LastEvaluatedKey, 1 MB pages, FilterExpression (Count vs
ScannedCount), Select, ProjectionExpression, ConsistentRead, and read capacity (item sizes summed,
then rounded up to 4 KB)."""
import unittest

from capacity_cases import consumed, item_of_size
from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': v}  # noqa: E731


def item(pk, sk, **attrs):
    out = {'pk': S(pk), 'sk': N(str(sk))}
    out.update(attrs)
    return out


class QueryTest(ConformanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.rows = [item('a', i, v=N(str(i % 3))) for i in range(1, 11)] + [item('b', i) for i in (1, 2, 3)]
        cls.t = None

    def setUp(self):
        if QueryTest.t is None:
            QueryTest.t = self.table(range_key=('sk', 'N'), items=self.rows)
        self.t = QueryTest.t

    def q(self, expr, values, **kwargs):
        return self.ddb.query(TableName=self.t, KeyConditionExpression=expr, ExpressionAttributeValues=values,
                              **kwargs)

    def sks(self, out):
        return [int(i['sk']['N']) for i in out['Items']]

    def test_sort_key_conditions(self):
        cases = [
            ('pk = :p', {}, list(range(1, 11))),
            ('pk = :p AND sk = :x', {':x': N('4')}, [4]),
            ('pk = :p AND sk < :x', {':x': N('4')}, [1, 2, 3]),
            ('pk = :p AND sk <= :x', {':x': N('4')}, [1, 2, 3, 4]),
            ('pk = :p AND sk > :x', {':x': N('8')}, [9, 10]),
            ('pk = :p AND sk >= :x', {':x': N('8')}, [8, 9, 10]),
            ('pk = :p AND sk BETWEEN :x AND :y', {':x': N('3'), ':y': N('5')}, [3, 4, 5]),
            ('pk = :p AND sk BETWEEN :x AND :y', {':x': N('5'), ':y': N('5')}, [5]),
            ('pk = :p AND sk > :x', {':x': N('10')}, []),
            ('pk = :p AND sk < :x', {':x': N('-1.5')}, []),
            ('pk = :p AND sk >= :x', {':x': N('2.5')}, [3, 4, 5, 6, 7, 8, 9, 10]),
            ('sk = :x AND pk = :p', {':x': N('2')}, [2]),
            ('(pk = :p) AND (sk = :x)', {':x': N('2')}, [2]),
            ('#k = :p', {}, list(range(1, 11))),
        ]
        for expr, values, expected in cases:
            with self.subTest(expr=expr, values=values):
                kwargs = {'ExpressionAttributeNames': {'#k': 'pk'}} if '#k' in expr else {}
                out = self.q(expr, dict(values, **{':p': S('a')}), **kwargs)
                self.assertEqual(self.sks(out), expected)
                self.assertEqual(out['Count'], len(expected))
                self.assertEqual(out['ScannedCount'], len(expected))
                self.assertNotIn('LastEvaluatedKey', out)

    def test_missing_partition_is_empty(self):
        out = self.q('pk = :p', {':p': S('zzz')})
        self.assertEqual((out['Items'], out['Count'], out['ScannedCount']), ([], 0, 0))

    def test_begins_with_on_string_sort_keys(self):
        t = self.table(range_key=('sk', 'S'), items=[{'pk': S('p'), 'sk': S(s)} for s in
                                                     ('a', 'ab', 'abc', 'abd', 'b', 'ba', 'a\u00e9', '')[:-1]])
        for prefix, expected in (('ab', ['ab', 'abc', 'abd']), ('a', ['a', 'ab', 'abc', 'abd', 'a\u00e9']),
                                 ('abc', ['abc']), ('c', []), ('a\u00e9', ['a\u00e9'])):
            with self.subTest(prefix=prefix):
                out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p AND begins_with(sk, :s)',
                                     ExpressionAttributeValues={':p': S('p'), ':s': S(prefix)})
                self.assertEqual([i['sk']['S'] for i in out['Items']], expected)

    def test_binary_sort_keys_order_bytewise(self):
        vals = [b'\x00', b'\x01', b'\x7f', b'\x80', b'\xff', b'\xff\x00']
        t = self.table(range_key=('sk', 'B'), items=[{'pk': S('p'), 'sk': {'B': v}} for v in reversed(vals)])
        out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')})
        self.assertEqual([i['sk']['B'] for i in out['Items']], vals)
        out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p AND begins_with(sk, :b)',
                             ExpressionAttributeValues={':p': S('p'), ':b': {'B': b'\xff'}})
        self.assertEqual([i['sk']['B'] for i in out['Items']], [b'\xff', b'\xff\x00'])

    def test_numeric_sort_key_order(self):
        nums = ['-1e10', '-2', '-1.5', '-0.001', '0', '0.001', '1', '1.5', '2', '10', '1e10']
        t = self.table(range_key=('sk', 'N'), items=[{'pk': S('p'), 'sk': N(n)} for n in reversed(nums)])
        out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')})
        self.assertEqual([i['sk']['N'] for i in out['Items']],
                         ['-10000000000', '-2', '-1.5', '-0.001', '0', '0.001', '1', '1.5', '2', '10', '10000000000'])

    def test_scan_index_forward(self):
        for forward, expected in ((True, [3, 4, 5]), (False, [5, 4, 3])):
            with self.subTest(forward=forward):
                out = self.q('pk = :p AND sk BETWEEN :x AND :y', {':p': S('a'), ':x': N('3'), ':y': N('5')},
                             ScanIndexForward=forward)
                self.assertEqual(self.sks(out), expected)

    def test_limit_and_paging(self):
        for forward in (True, False):
            for limit in (1, 3, 4, 10, 11):
                with self.subTest(forward=forward, limit=limit):
                    seen, start, pages = [], None, 0
                    while True:
                        kwargs = {'Limit': limit, 'ScanIndexForward': forward}
                        if start:
                            kwargs['ExclusiveStartKey'] = start
                        out = self.q('pk = :p', {':p': S('a')}, **kwargs)
                        pages += 1
                        self.assertLessEqual(out['Count'], limit)
                        seen += self.sks(out)
                        start = out.get('LastEvaluatedKey')
                        if start:
                            self.assertEqual(start, {'pk': S('a'), 'sk': N(str(seen[-1]))})
                        else:
                            break
                    self.assertEqual(seen, list(range(1, 11)) if forward else list(range(10, 0, -1)))
                    # A page the limit fills answers LastEvaluatedKey even when nothing follows.
                    self.assertEqual(pages, 10 // limit + 1)

    def test_exclusive_start_key_inside_a_range(self):
        out = self.q('pk = :p AND sk BETWEEN :x AND :y', {':p': S('a'), ':x': N('3'), ':y': N('8')},
                     ExclusiveStartKey={'pk': S('a'), 'sk': N('5')})
        self.assertEqual(self.sks(out), [6, 7, 8])
        out = self.q('pk = :p', {':p': S('a')}, ExclusiveStartKey={'pk': S('a'), 'sk': N('5')},
                     ScanIndexForward=False)
        self.assertEqual(self.sks(out), [4, 3, 2, 1])
        # A start key between stored keys works too.
        out = self.q('pk = :p', {':p': S('a')}, ExclusiveStartKey={'pk': S('a'), 'sk': N('5.5')})
        self.assertEqual(self.sks(out), [6, 7, 8, 9, 10])

    def test_filter_counts(self):
        out = self.q('pk = :p', {':p': S('a'), ':z': N('0')}, FilterExpression='v = :z')
        self.assertEqual(self.sks(out), [3, 6, 9])
        self.assertEqual((out['Count'], out['ScannedCount']), (3, 10))
        # Limit counts items read, before the filter.
        out = self.q('pk = :p', {':p': S('a'), ':z': N('0')}, FilterExpression='v = :z', Limit=4)
        self.assertEqual(self.sks(out), [3])
        self.assertEqual((out['Count'], out['ScannedCount']), (1, 4))
        self.assertEqual(out['LastEvaluatedKey'], {'pk': S('a'), 'sk': N('4')})

    def test_filter_on_key_attributes_is_refused(self):
        for f, key in (('sk > :z', 'sk'), ('pk = :z', 'pk'), ('attribute_exists(sk)', 'sk')):
            with self.subTest(filter=f):
                values = {':p': S('a')}
                if ':z' in f:
                    values[':z'] = N('0')
                self.assertError(lambda: self.q('pk = :p', values, FilterExpression=f), 'ValidationException',
                                 'Filter Expression can only contain non-primary key attributes: Primary key '
                                 'attribute: ' + key)

    def test_select(self):
        out = self.q('pk = :p', {':p': S('a')}, Select='COUNT')
        self.assertNotIn('Items', out)
        self.assertEqual((out['Count'], out['ScannedCount']), (10, 10))
        out = self.q('pk = :p AND sk = :one', {':p': S('a'), ':one': N('1')}, Select='ALL_ATTRIBUTES')
        self.assertEqual(out['Items'], [item('a', 1, v=N('1'))])
        out = self.q('pk = :p AND sk = :one', {':p': S('a'), ':one': N('1')}, Select='SPECIFIC_ATTRIBUTES',
                     ProjectionExpression='v')
        self.assertEqual(out['Items'], [{'v': N('1')}])
        out = self.q('pk = :p AND sk = :one', {':p': S('a'), ':one': N('1')}, ProjectionExpression='sk, nope')
        self.assertEqual(out['Items'], [{'sk': N('1')}])

    def test_projection_of_items_without_the_attributes(self):
        t = self.table(range_key=('sk', 'N'), items=[
            {'pk': S('p'), 'sk': N('1'), 'e': {'M': {'a': S('b1'), 'd': S('b1')}}, 'f': {'L': [S('d1'), S('d2'), S('d3')]}},
            {'pk': S('p'), 'sk': N('2'), 'b': S('b2')},
            {'pk': S('p'), 'sk': N('3'), 'd': S('d3'), 'e': S('e3')}])
        out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')},
                             ProjectionExpression='#f[2], #f[0], e.d, e.#a, d',
                             ExpressionAttributeNames={'#f': 'f', '#a': 'a'})
        # An item with none of the paths is still counted and answered, as {}.
        self.assertEqual(out['Items'], [{'e': {'M': {'a': S('b1'), 'd': S('b1')}}, 'f': {'L': [S('d1'), S('d3')]}},
                                        {}, {'d': S('d3')}])
        self.assertEqual((out['Count'], out['ScannedCount']), (3, 3))

    def test_select_errors(self):
        v = {':p': S('a')}
        cases = [
            (dict(Select='COUNT', ProjectionExpression='v'),
             'Cannot specify the ProjectionExpression when choosing to get only the Count'),
            (dict(Select='ALL_ATTRIBUTES', ProjectionExpression='v'),
             'Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES'),
            (dict(Select='SPECIFIC_ATTRIBUTES'),
             "1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: "
             'Select type SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet'),
            (dict(Select='ALL_PROJECTED_ATTRIBUTES'),
             'ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName'),
            (dict(Select='SOME'),
             "1 validation error detected: Value 'SOME' at 'select' failed to satisfy constraint: Member must "
             'satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]'),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.q('pk = :p', v, **kwargs), 'ValidationException', message)

    def test_key_condition_errors(self):
        cases = [
            ('sk = :one', {':one': N('1')}, 'Query condition missed key schema element: pk'),
            ('pk = :p OR sk = :one', {':p': S('a'), ':one': N('1')},
             'Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: OR'),
            ('pk = :one', {':one': N('1')},
             'One or more parameter values were invalid: Condition parameter type does not match schema type'),
            ('pk = :p AND sk = :s', {':p': S('a'), ':s': S('1')},
             'One or more parameter values were invalid: Condition parameter type does not match schema type'),
            ('pk = :p AND begins_with(sk, :one)', {':p': S('a'), ':one': N('1')},
             'Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or '
             'function: begins_with, operand type: N'),
            ('pk = :p AND sk BETWEEN :y AND :x', {':p': S('a'), ':x': N('1'), ':y': N('5')},
             'Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or '
             'equal to lower bound; lower bound operand: AttributeValue: {N:5}, upper bound operand: '
             'AttributeValue: {N:1}'),
            ('pk = :p AND sk = :one AND sk = :one', {':p': S('a'), ':one': N('1')},
             'Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key'),
            ('pk = :p', {':p': S('a'), ':extra': S('x')},
             'Value provided in ExpressionAttributeValues unused in expressions: keys: {:extra}'),
            ('pk = :q', {':p': S('a')},
             'Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; '
             'attribute value: :q'),
            ('pk = :p', {':p': S('')},
             'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an '
             'empty string value. Key: pk'),
        ]
        for expr, values, message in cases:
            with self.subTest(expr=expr):
                self.assertError(lambda: self.q(expr, values), 'ValidationException', message)

    def test_limit_must_be_positive(self):
        for limit in (0, -1):
            with self.subTest(limit=limit):
                self.assertRawError('Query', {'TableName': self.t, 'KeyConditionExpression': 'pk = :p', 'Limit': limit,
                                              'ExpressionAttributeValues': {':p': {'S': 'a'}}},
                                    'ValidationException',
                                    "1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: "
                                    'Member must have value greater than or equal to 1' % limit)

    def test_more_key_condition_errors(self):
        hash_only = self.table()
        p, n = {':p': S('a')}, {':p': S('a'), ':n': N('1')}
        inv = 'Invalid KeyConditionExpression: '
        cases = [
            (self.t, 'pk = :p AND x = :n', n, 'Query condition missed key schema element: sk'),
            (self.t, 'x = :p', p, 'Query condition missed key schema element: pk'),
            (hash_only, 'pk = :p AND sk = :n', n, 'Query key condition not supported'),
            (self.t, 'pk < :p', p, 'Query key condition not supported'),
            (self.t, 'begins_with(pk, :p)', p, 'Query key condition not supported'),
            (self.t, 'pk = :p AND sk <> :n', n, inv + 'Invalid operator used in KeyConditionExpression: <>'),
            (self.t, 'pk = :p AND NOT sk = :n', n, inv + 'Invalid operator used in KeyConditionExpression: NOT'),
            (self.t, 'pk = :p AND sk IN (:n)', n, inv + 'Invalid operator used in KeyConditionExpression: IN'),
            (self.t, 'pk = :p AND attribute_exists(sk)', p,
             inv + 'Invalid operator used in KeyConditionExpression: attribute_exists'),
            (self.t, 'pk = :p AND contains(sk, :n)', n, inv + 'Invalid operator used in KeyConditionExpression: contains'),
            (self.t, 'pk.x = :p', p, inv + 'KeyConditionExpressions cannot have conditions on nested attributes'),
            (self.t, 'pk = :p AND pk = :p', p, inv + 'KeyConditionExpressions must only contain one condition per key'),
            (self.t, 'pk = :p AND size(sk) = :n', n, inv + 'KeyConditionExpressions cannot contain nested operations'),
            (self.t, 'pk = :p AND sk BETWEEN :n AND :s', dict(n, **{':s': S('x')}),
             inv + 'The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: '
                   'AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:x}'),
            (self.t, '', {}, inv + 'The expression can not be empty;'),
        ]
        for table, expr, values, message in cases:
            with self.subTest(expr=expr):
                kwargs = {'ExpressionAttributeValues': values} if values else {}
                self.assertError(lambda: self.ddb.query(TableName=table, KeyConditionExpression=expr, **kwargs),
                                 'ValidationException', message)

    def test_value_first_and_parenthesised_conditions(self):
        for expr in (':p = pk', 'pk = :p AND (sk = :n)', '(pk = :p AND sk = :n)'):
            with self.subTest(expr=expr):
                vals = {':p': S('a'), ':n': N('2')} if ':n' in expr else {':p': S('a')}
                out = self.q(expr, vals)
                self.assertEqual(self.sks(out), [2] if ':n' in expr else list(range(1, 11)))

    def test_key_condition_required(self):
        self.assertError(lambda: self.ddb.query(TableName=self.t), 'ValidationException',
                         'Either the KeyConditions or KeyConditionExpression parameter must be specified in the '
                         'request.')

    def test_exclusive_start_key_outside_the_key_condition(self):
        outside = 'The provided starting key is outside query boundaries based on provided conditions'
        predicate = 'The provided starting key does not match the range key predicate'
        one_row = 'The query can return at most one row and cannot be restarted'
        cases = [
            ('pk = :p', {':p': S('a')}, {'pk': S('b'), 'sk': N('1')}, outside),
            ('pk = :p AND sk > :n', {':p': S('a'), ':n': N('5')}, {'pk': S('a'), 'sk': N('5')}, predicate),
            ('pk = :p AND sk > :n', {':p': S('a'), ':n': N('5')}, {'pk': S('a'), 'sk': N('1')}, predicate),
            ('pk = :p AND sk < :n', {':p': S('a'), ':n': N('5')}, {'pk': S('a'), 'sk': N('7')}, predicate),
            ('pk = :p AND sk BETWEEN :n AND :m', {':p': S('a'), ':n': N('3'), ':m': N('5')},
             {'pk': S('a'), 'sk': N('6')}, predicate),
            ('pk = :p AND sk = :n', {':p': S('a'), ':n': N('3')}, {'pk': S('a'), 'sk': N('4')}, predicate),
            # The sort predicate is checked first, then the partition.
            ('pk = :p AND sk > :n', {':p': S('a'), ':n': N('5')}, {'pk': S('b'), 'sk': N('1')}, predicate),
            ('pk = :p AND sk < :n', {':p': S('a'), ':n': N('5')}, {'pk': S('b'), 'sk': N('1')}, one_row),
        ]
        for expr, values, esk, message in cases:
            with self.subTest(expr=expr, esk=esk):
                self.assertError(lambda: self.q(expr, values, ExclusiveStartKey=esk), 'ValidationException', message)
        t = self.table(range_key=('sk', 'S'), items=[{'pk': S('p'), 'sk': S(v)} for v in ('aa', 'ab', 'b')])
        self.assertError(lambda: self.ddb.query(TableName=t, KeyConditionExpression='pk = :p AND begins_with(sk, :a)',
                                                ExpressionAttributeValues={':p': S('p'), ':a': S('a')},
                                                ExclusiveStartKey={'pk': S('p'), 'sk': S('b')}),
                         'ValidationException', predicate)
        out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p AND begins_with(sk, :a)',
                             ExpressionAttributeValues={':p': S('p'), ':a': S('a')},
                             ExclusiveStartKey={'pk': S('p'), 'sk': S('aa')})
        self.assertEqual(out['Items'], [{'pk': S('p'), 'sk': S('ab')}])

    def test_bad_exclusive_start_key(self):
        # Query answers only "The provided starting key is invalid" (Scan adds why).
        for esk in ({'pk': S('a')}, {'pk': S('a'), 'sk': N('1'), 'x': S('y')}, {'pk': S('a'), 'x': N('1')},
                    {'pk': S('a'), 'sk': S('1')}, {'pk': N('1'), 'sk': N('1')}, {'sk': N('1')}):
            with self.subTest(esk=esk):
                self.assertError(lambda: self.q('pk = :p', {':p': S('a')}, ExclusiveStartKey=esk),
                                 'ValidationException', 'The provided starting key is invalid')
        # A start key of the wrong size is refused before the key condition is read.
        self.assertError(lambda: self.q('zz = :p', {':p': S('a')}, ExclusiveStartKey={'pk': S('a')}),
                         'ValidationException', 'The provided starting key is invalid')
        # One of the right size but wrong names lets the key condition's error through first.
        self.assertError(lambda: self.q('zz = :p', {':p': S('a')}, ExclusiveStartKey={'pk': S('a'), 'x': S('b')}),
                         'ValidationException', 'Query condition missed key schema element: pk')

    def test_missing_table(self):
        self.assertError(lambda: self.ddb.query(TableName='no-such-table', KeyConditionExpression='pk = :p',
                                                ExpressionAttributeValues={':p': S('a')}),
                         'ResourceNotFoundException', message_contains='Requested resource not found')

    def test_consistent_read(self):
        for consistent in (True, False):
            with self.subTest(consistent=consistent):
                out = self.q('pk = :p', {':p': S('b')}, ConsistentRead=consistent)
                self.assertEqual(self.sks(out), [1, 2, 3])

    def test_one_megabyte_pages(self):
        t = self.table(range_key=('sk', 'N'))
        big = 'x' * (100 * 1024)
        for i in range(12):
            self.ddb.put_item(TableName=t, Item={'pk': S('p'), 'sk': N(str(i)), 'd': S(big)})
        out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')},
                             Select='COUNT')
        # 12 items of ~100 KB: the first page stops once it has read 1 MB.
        self.assertIn('LastEvaluatedKey', out)
        self.assertIn(out['Count'], (10, 11))
        rest = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', Select='COUNT',
                              ExpressionAttributeValues={':p': S('p')}, ExclusiveStartKey=out['LastEvaluatedKey'])
        self.assertEqual(out['Count'] + rest['Count'], 12)
        self.assertNotIn('LastEvaluatedKey', rest)

    # ----- consumed capacity -------------------------------------------------------------

    def test_capacity_sums_sizes_before_rounding(self):
        t = self.table(range_key=('sk', 'N'))
        for i in range(3):  # 3 x 1500 bytes = 4500 bytes: 2 units, not 3
            it = {'pk': S('p'), 'sk': N(str(i))}
            it['d'] = S('x' * (1500 - 2 - 1 - 2 - 1 - 1))
            self.ddb.put_item(TableName=t, Item=it)
        for consistent, units in ((True, 2.0), (False, 1.0)):
            with self.subTest(consistent=consistent):
                out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', ConsistentRead=consistent,
                                     ExpressionAttributeValues={':p': S('p')}, ReturnConsumedCapacity='TOTAL')
                self.assertEqual(out['ConsumedCapacity'], consumed(t, units))

    def test_capacity_counts_filtered_items_and_minimum(self):
        t = self.table(range_key=('sk', 'N'), items=[dict(item_of_size(5000), sk=N('1'))])
        out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', FilterExpression='attribute_exists(z)',
                             ExpressionAttributeValues={':p': S('a')}, ConsistentRead=True,
                             ReturnConsumedCapacity='INDEXES')
        self.assertEqual(out['Count'], 0)
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 2.0, 'INDEXES'))
        out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('n')},
                             ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 0.5))
        out = self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('a')},
                             Select='COUNT', ReturnConsumedCapacity='NONE')
        self.assertNotIn('ConsumedCapacity', out)


if __name__ == '__main__':
    unittest.main()
