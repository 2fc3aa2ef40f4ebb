"""UpdateItem (API Reference: UpdateItem): upsert, every ReturnValues, conditions,
ReturnValuesOnConditionCheckFailure, key attributes, capacity (the larger of old and new item).
The update expression language itself is in test_expressions.py."""
import unittest

from capacity_cases import consumed, item_of_size
from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': v}  # noqa: E731


class UpdateItemTest(ConformanceCase):
    def test_creates_a_missing_item(self):
        t = self.table()
        out = self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET x = :v',
                                   ExpressionAttributeValues={':v': N('1')})
        self.assertNotIn('Attributes', out)
        self.assertEqual(self.items(t), [{'pk': S('a'), 'x': N('1')}])

    def test_no_update_expression_creates_the_key_only_item(self):
        t = self.table(range_key=('sk', 'N'))
        self.ddb.update_item(TableName=t, Key={'pk': S('a'), 'sk': N('2')})
        self.assertEqual(self.items(t), [{'pk': S('a'), 'sk': N('2')}])

    def test_return_values(self):
        old = {'pk': S('a'), 'x': N('1'), 'keep': S('k'), 'gone': S('g'), 'm': {'M': {'p': N('1'), 'q': N('2')}}}
        expr = 'SET x = x + :one, m.p = :v, added = :v REMOVE gone'
        values = {':one': N('1'), ':v': S('new')}
        new = {'pk': S('a'), 'x': N('2'), 'keep': S('k'), 'm': {'M': {'p': S('new'), 'q': N('2')}},
               'added': S('new')}
        cases = [
            ('NONE', None),
            ('ALL_OLD', old),
            ('ALL_NEW', new),
            # UPDATED_*: only the attributes the update names (nested paths keep their nesting).
            ('UPDATED_OLD', {'x': N('1'), 'm': {'M': {'p': N('1')}}, 'gone': S('g')}),
            ('UPDATED_NEW', {'x': N('2'), 'm': {'M': {'p': S('new')}}, 'added': S('new')}),
        ]
        for rv, expected in cases:
            with self.subTest(rv=rv):
                t = self.table(items=[old])
                out = self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression=expr,
                                           ExpressionAttributeValues=values, ReturnValues=rv)
                self.assertEqual(out.get('Attributes'), expected)
                self.assertEqual(self.items(t), [new])

    def test_updated_values_of_sets_lists_and_maps(self):
        item = {'pk': S('a'), 'ss': {'SS': ['a', 'b']}, 'l': {'L': [S('x'), S('y'), S('z')]}, 'm': {'M': {'a': N('1')}},
                'n': N('1')}
        cases = [
            ('ADD ss :s', {':s': {'SS': ['c']}}, 'UPDATED_NEW', {'ss': {'SS': ['a', 'b', 'c']}}),
            ('ADD ss :s', {':s': {'SS': ['c']}}, 'UPDATED_OLD', {'ss': {'SS': ['a', 'b']}}),
            # A set emptied by DELETE is removed: nothing new to show.
            ('DELETE ss :s', {':s': {'SS': ['a', 'b']}}, 'UPDATED_NEW', None),
            ('DELETE ss :s', {':s': {'SS': ['a', 'b']}}, 'UPDATED_OLD', {'ss': {'SS': ['a', 'b']}}),
            ('DELETE ss :s', {':s': {'SS': ['zz']}}, 'UPDATED_NEW', {'ss': {'SS': ['a', 'b']}}),
            ('SET l[1] = :v', {':v': S('Y')}, 'UPDATED_NEW', {'l': {'L': [S('Y')]}}),
            ('SET l[1] = :v', {':v': S('Y')}, 'UPDATED_OLD', {'l': {'L': [S('y')]}}),
            ('REMOVE l[0]', None, 'UPDATED_OLD', {'l': {'L': [S('x')]}}),
            ('SET m.b = if_not_exists(m.b, :v)', {':v': S('Y')}, 'UPDATED_NEW', {'m': {'M': {'b': S('Y')}}}),
            ('SET m.b = if_not_exists(m.b, :v)', {':v': S('Y')}, 'UPDATED_OLD', None),
            ('ADD m.a :v', {':v': N('2')}, 'UPDATED_NEW', {'m': {'M': {'a': N('3')}}}),
            # A value set to what it was is still "updated".
            ('SET n = :v', {':v': N('1')}, 'UPDATED_NEW', {'n': N('1')}),
            ('REMOVE n', None, 'UPDATED_NEW', None),
        ]
        for expr, values, rv, expected in cases:
            with self.subTest(expr=expr, rv=rv):
                t = self.table(items=[item])
                kwargs = {'ExpressionAttributeValues': values} if values else {}
                out = self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression=expr, ReturnValues=rv,
                                           **kwargs)
                got = out.get('Attributes')
                if got and 'ss' in got:
                    got['ss']['SS'].sort()
                self.assertEqual(got, expected)

    def test_every_operand_reads_the_item_before_the_update(self):
        # Right-hand sides see the old item; list indexes past the end append in index order; UPDATED_NEW
        # shows the written paths as they read in the new item.
        t = self.table()
        key = {'pk': S('k')}
        self.ddb.update_item(TableName=t, Key=key, UpdateExpression='SET b = :b, c = :c',
                             ExpressionAttributeValues={':b': {'M': {'a': N('1'), 'b': N('2'), 'c': N('3')}},
                                                        ':c': {'L': [N('1'), N('3')]}})
        out = self.ddb.update_item(
            TableName=t, Key=key, ReturnValues='UPDATED_NEW',
            UpdateExpression='SET b.c=((c[1])+(b.a)),b.a = pk,c[1] = pk, c[4] = b.a - b.b, c[2] = b.c '
                             'ADD c[8] :ss, c[6] :two',
            ExpressionAttributeValues={':two': N('2'), ':ss': {'SS': ['a']}})
        self.assertEqual(out['Attributes'], {'b': {'M': {'a': S('k'), 'c': N('4')}},
                                             'c': {'L': [S('k'), N('3'), N('2')]}})
        self.assertEqual(self.items(t), [{'pk': S('k'), 'b': {'M': {'a': S('k'), 'b': N('2'), 'c': N('4')}},
                                          'c': {'L': [N('1'), S('k'), N('3'), N('-1'), N('2'), {'SS': ['a']}]}}])

    def test_update_of_a_missing_item(self):
        t = self.table()
        cases = [
            ('SET l = list_append(:a, :b)', {':a': {'L': [N('1')]}, ':b': {'L': [N('2')]}},
             {'l': {'L': [N('1'), N('2')]}}),
            ('ADD n :v', {':v': N('-1')}, {'n': N('-1')}),
            ('REMOVE x', None, {}),
            ('DELETE s :v', {':v': {'SS': ['a']}}, {}),
        ]
        for i, (expr, values, attrs) in enumerate(cases):
            with self.subTest(expr=expr):
                kwargs = {'ExpressionAttributeValues': values} if values else {}
                out = self.ddb.update_item(TableName=t, Key={'pk': S('k%d' % i)}, UpdateExpression=expr,
                                           ReturnValues='ALL_NEW', **kwargs)
                self.assertEqual(out['Attributes'], dict({'pk': S('k%d' % i)}, **attrs))
        for expr, values, message in (
                ('SET m.x = :v', {':v': S('Y')}, 'The document path provided in the update expression is invalid for '
                                                 'update'),
                ('SET l[0] = :v', {':v': S('Y')}, 'The document path provided in the update expression is invalid '
                                                  'for update'),
                ('SET n = n + :v', {':v': N('1')}, 'The provided expression refers to an attribute that does not '
                                                   'exist in the item')):
            with self.subTest(expr=expr):
                self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('none')}, UpdateExpression=expr,
                                                              ExpressionAttributeValues=values),
                                 'ValidationException', message, unchanged=[t])

    def test_return_values_of_a_new_item(self):
        for rv, expected in (('ALL_OLD', None), ('UPDATED_OLD', None), ('ALL_NEW', {'pk': S('a'), 'x': N('5')}),
                             ('UPDATED_NEW', {'x': N('5')})):
            with self.subTest(rv=rv):
                t = self.table()
                out = self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET x = :v',
                                           ExpressionAttributeValues={':v': N('5')}, ReturnValues=rv)
                self.assertEqual(out.get('Attributes'), expected)

    def test_return_values_enum(self):
        t = self.table()
        self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('a')}, ReturnValues='EVERYTHING'),
                         'ValidationException',
                         "1 validation error detected: Value 'EVERYTHING' at 'returnValues' failed to satisfy "
                         'constraint: Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, '
                         'UPDATED_NEW]', unchanged=[t])

    def test_key_attributes_cannot_be_updated(self):
        t = self.table(range_key=('sk', 'S'), items=[{'pk': S('a'), 'sk': S('b')}])
        for expr, attr in (('SET pk = :v', 'pk'), ('SET sk = :v', 'sk'), ('REMOVE sk', 'sk'),
                           ('ADD pk :n', 'pk'), ('DELETE sk :ss', 'sk'), ('SET x = :v, pk = :v', 'pk')):
            with self.subTest(expr=expr):
                values = {k: v for k, v in {':v': S('z'), ':n': N('1'), ':ss': {'SS': ['b']}}.items() if k in expr}
                kwargs = {'ExpressionAttributeValues': values} if values else {}
                self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('a'), 'sk': S('b')},
                                                              UpdateExpression=expr, **kwargs),
                                 'ValidationException',
                                 'One or more parameter values were invalid: Cannot update attribute %s. This '
                                 'attribute is part of the key' % attr, unchanged=[t])

    def test_conditions(self):
        t = self.table(items=[{'pk': S('a'), 'v': N('1')}])
        self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET v = :n',
                                                      ConditionExpression='v = :n',
                                                      ExpressionAttributeValues={':n': N('2')}),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('b')}, UpdateExpression='SET v = :n',
                                                      ConditionExpression='attribute_exists(pk)',
                                                      ExpressionAttributeValues={':n': N('2')}),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        # The condition sees the item before the update.
        out = self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET v = v + :n',
                                   ConditionExpression='v = :one',
                                   ExpressionAttributeValues={':n': N('2'), ':one': N('1')}, ReturnValues='ALL_NEW')
        self.assertEqual(out['Attributes'], {'pk': S('a'), 'v': N('3')})

    def test_return_values_on_condition_check_failure(self):
        old = {'pk': S('a'), 'v': N('1')}
        t = self.table(items=[old])
        resp = self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('a')},
                                                             UpdateExpression='SET v = :n',
                                                             ConditionExpression='v = :n',
                                                             ExpressionAttributeValues={':n': N('2')},
                                                             ReturnValuesOnConditionCheckFailure='ALL_OLD'),
                                'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.assertEqual(resp['Item'], old)

    def test_condition_and_update_share_placeholders(self):
        t = self.table(items=[{'pk': S('a'), 'v': N('1')}])
        out = self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET #v = :n',
                                   ConditionExpression='#v < :n', ExpressionAttributeNames={'#v': 'v'},
                                   ExpressionAttributeValues={':n': N('9')}, ReturnValues='UPDATED_NEW')
        self.assertEqual(out['Attributes'], {'v': N('9')})

    def test_unused_placeholders(self):
        t = self.table(items=[{'pk': S('a')}])
        cases = [({'ExpressionAttributeValues': {':n': N('1'), ':x': N('2')}},
                  'Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}'),
                 ({'ExpressionAttributeValues': {':n': N('1')}, 'ExpressionAttributeNames': {'#y': 'y'}},
                  'Value provided in ExpressionAttributeNames unused in expressions: keys: {#y}')]
        for kwargs, message in cases:
            with self.subTest(message=message):
                self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('a')},
                                                              UpdateExpression='SET v = :n', **kwargs),
                                 'ValidationException', message, unchanged=[t])

    def test_key_checks(self):
        t = self.table(items=[{'pk': S('a')}])
        for key in ({'pk': N('1')}, {'x': S('a')}, {'pk': S('a'), 'x': S('b')}):
            with self.subTest(key=key):
                self.assertError(lambda: self.ddb.update_item(TableName=t, Key=key, UpdateExpression='SET v = :n',
                                                              ExpressionAttributeValues={':n': N('1')}),
                                 'ValidationException', 'The provided key element does not match the schema',
                                 unchanged=[t])

    def test_missing_table(self):
        self.assertError(lambda: self.ddb.update_item(TableName='no-such-table', Key={'pk': S('a')}),
                         'ResourceNotFoundException', message_contains='Requested resource not found')

    def test_item_size_limit(self):
        t = self.table(items=[item_of_size(300 * 1024)])
        self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET e = :v',
                                                      ExpressionAttributeValues={':v': S('y' * 150 * 1024)}),
                         'ValidationException', 'Item size to update has exceeded the maximum allowed size',
                         unchanged=[t])

    # ----- consumed capacity -------------------------------------------------------------

    def test_capacity_larger_of_old_and_new(self):
        t = self.table(items=[item_of_size(3000)])
        # Shrinking a 3000-byte item costs its old size; growing it costs the new size.
        out = self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='REMOVE d',
                                   ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 3.0))
        out = self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET d = :v',
                                   ExpressionAttributeValues={':v': S('z' * 5000)}, ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 5.0))
        out = self.ddb.update_item(TableName=t, Key={'pk': S('new')}, UpdateExpression='SET d = :v',
                                   ExpressionAttributeValues={':v': S('z')}, ReturnConsumedCapacity='INDEXES',
                                   ReturnValues='UPDATED_NEW')
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 1.0, 'INDEXES'))
        self.assertEqual(out['Attributes'], {'d': S('z')})

    def test_item_collection_metrics_absent(self):
        t = self.table()
        out = self.ddb.update_item(TableName=t, Key={'pk': S('a')}, ReturnItemCollectionMetrics='SIZE')
        self.assertNotIn('ItemCollectionMetrics', out)


if __name__ == '__main__':
    unittest.main()
