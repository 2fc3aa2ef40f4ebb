"""DeleteItem (API Reference: DeleteItem): deleting an item (or nothing), conditions,
ReturnValues (NONE / ALL_OLD), ReturnValuesOnConditionCheckFailure, key checks, capacity."""
import unittest

from capacity_cases import consumed, item_of_size
from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': v}  # noqa: E731


class DeleteItemTest(ConformanceCase):
    def test_deletes_the_item(self):
        t = self.table(items=[{'pk': S('a')}, {'pk': S('b')}])
        out = self.ddb.delete_item(TableName=t, Key={'pk': S('a')})
        self.assertNotIn('Attributes', out)
        self.assertEqual(self.items(t), [{'pk': S('b')}])

    def test_deleting_a_missing_item_succeeds(self):
        t = self.table(items=[{'pk': S('b')}])
        out = self.ddb.delete_item(TableName=t, Key={'pk': S('a')}, ReturnValues='ALL_OLD')
        self.assertNotIn('Attributes', out)
        self.assertEqual(self.items(t), [{'pk': S('b')}])

    def test_all_old(self):
        old = {'pk': S('a'), 'sk': N('1'), 'v': {'L': [S('x')]}}
        t = self.table(range_key=('sk', 'N'), items=[old])
        out = self.ddb.delete_item(TableName=t, Key={'pk': S('a'), 'sk': N('1')}, ReturnValues='ALL_OLD')
        self.assertEqual(out['Attributes'], old)
        self.assertEqual(self.items(t), [])

    def test_return_values_none(self):
        t = self.table(items=[{'pk': S('a')}])
        out = self.ddb.delete_item(TableName=t, Key={'pk': S('a')}, ReturnValues='NONE')
        self.assertNotIn('Attributes', out)

    def test_return_values_delete_does_not_allow(self):
        t = self.table(items=[{'pk': S('a')}])
        for rv in ('ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW'):
            with self.subTest(rv=rv):
                self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('a')}, ReturnValues=rv),
                                 'ValidationException', 'ReturnValues can only be ALL_OLD or NONE', unchanged=[t])

    def test_conditions(self):
        t = self.table(items=[{'pk': S('a'), 'v': N('3'), 'tags': {'SS': ['x', 'y']}}])
        failing = [('attribute_not_exists(pk)', None), ('v > :n', {':n': N('3')}),
                   ('contains(tags, :s)', {':s': S('z')}), ('size(tags) = :n', {':n': N('3')}),
                   ('attribute_type(v, :t)', {':t': S('S')})]
        for cond, values in failing:
            with self.subTest(cond=cond):
                kwargs = {'ExpressionAttributeValues': values} if values else {}
                self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('a')},
                                                              ConditionExpression=cond, **kwargs),
                                 'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.ddb.delete_item(TableName=t, Key={'pk': S('a')}, ConditionExpression='v = :n AND contains(tags, :s)',
                             ExpressionAttributeValues={':n': N('3'), ':s': S('y')})
        self.assertEqual(self.items(t), [])

    def test_condition_on_missing_item(self):
        t = self.table()
        self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('a')},
                                                      ConditionExpression='attribute_exists(pk)'),
                         'ConditionalCheckFailedException', 'The conditional request failed')
        self.ddb.delete_item(TableName=t, Key={'pk': S('a')}, ConditionExpression='attribute_not_exists(pk)')

    def test_return_values_on_condition_check_failure(self):
        old = {'pk': S('a'), 'v': N('1')}
        t = self.table(items=[old])
        resp = self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('a')},
                                                             ConditionExpression='v = :two',
                                                             ExpressionAttributeValues={':two': N('2')},
                                                             ReturnValuesOnConditionCheckFailure='ALL_OLD'),
                                'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.assertEqual(resp['Item'], old)

    def test_key_checks(self):
        t = self.table(range_key=('sk', 'S'), items=[{'pk': S('a'), 'sk': S('b')}])
        mismatch = 'The provided key element does not match the schema'
        for key in ({'pk': S('a')}, {'pk': S('a'), 'sk': N('1')}, {'pk': S('a'), 'sk': S('b'), 'x': S('c')},
                    {'sk': S('b')}, {'pk': {'B': b'a'}, 'sk': S('b')}):
            with self.subTest(key=key):
                self.assertError(lambda: self.ddb.delete_item(TableName=t, Key=key), 'ValidationException', mismatch,
                                 unchanged=[t])
        self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('a'), 'sk': S('')}),
                         'ValidationException',
                         'One or more parameter values are not valid. The AttributeValue for a key attribute cannot '
                         'contain an empty string value. Key: sk', unchanged=[t])

    def test_missing_table(self):
        self.assertError(lambda: self.ddb.delete_item(TableName='no-such-table', Key={'pk': S('a')}),
                         'ResourceNotFoundException', message_contains='Requested resource not found')

    def test_unused_placeholder(self):
        t = self.table(items=[{'pk': S('a')}])
        self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('a')},
                                                      ConditionExpression='attribute_exists(pk)',
                                                      ExpressionAttributeValues={':v': S('x')}),
                         'ValidationException',
                         'Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}',
                         unchanged=[t])

    # ----- consumed capacity -------------------------------------------------------------

    def test_capacity_is_the_deleted_items_size(self):
        t = self.table(items=[item_of_size(2500), item_of_size(100, pk='b')])
        for pk, units in (('a', 3.0), ('b', 1.0), ('missing', 1.0)):
            with self.subTest(pk=pk):
                out = self.ddb.delete_item(TableName=t, Key={'pk': S(pk)}, ReturnConsumedCapacity='TOTAL')
                self.assertEqual(out['ConsumedCapacity'], consumed(t, units))

    def test_capacity_indexes(self):
        t = self.table(items=[{'pk': S('a')}])
        out = self.ddb.delete_item(TableName=t, Key={'pk': S('a')}, ReturnConsumedCapacity='INDEXES',
                                   ReturnValues='ALL_OLD', ReturnItemCollectionMetrics='SIZE')
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 1.0, 'INDEXES'))
        self.assertEqual(out['Attributes'], {'pk': S('a')})
        self.assertNotIn('ItemCollectionMetrics', out)


if __name__ == '__main__':
    unittest.main()
