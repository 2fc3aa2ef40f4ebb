"""PutItem (API Reference: PutItem): replaces the whole item, conditions, ReturnValues
(NONE / ALL_OLD only), ReturnValuesOnConditionCheckFailure, key checks, consumed capacity."""
import unittest

from capacity_cases import consumed, item_of_size, write_units
from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': v}  # noqa: E731
ENUM = 'Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]'


class PutItemTest(ConformanceCase):
    def test_new_item_answers_nothing(self):
        t = self.table()
        out = self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'x': N('1')})
        self.assertNotIn('Attributes', out)
        self.assertNotIn('ConsumedCapacity', out)
        self.assertNotIn('ItemCollectionMetrics', out)
        self.assertEqual(self.items(t), [{'pk': S('a'), 'x': N('1')}])

    def test_put_replaces_the_whole_item(self):
        t = self.table(items=[{'pk': S('a'), 'x': N('1'), 'y': S('old')}])
        self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'z': {'BOOL': True}})
        self.assertEqual(self.items(t), [{'pk': S('a'), 'z': {'BOOL': True}}])

    def test_return_values_none_and_all_old(self):
        old = {'pk': S('a'), 'x': N('1')}
        t = self.table(items=[old])
        cases = [('NONE', old, None), ('ALL_OLD', {'pk': S('a'), 'x': N('2')}, old)]
        for rv, item, expected in cases:
            with self.subTest(rv=rv):
                out = self.ddb.put_item(TableName=t, Item=item, ReturnValues=rv)
                self.assertEqual(out.get('Attributes'), expected)

    def test_all_old_of_a_new_item_is_absent(self):
        t = self.table()
        out = self.ddb.put_item(TableName=t, Item={'pk': S('new')}, ReturnValues='ALL_OLD')
        self.assertNotIn('Attributes', out)

    def test_return_values_put_does_not_allow(self):
        t = self.table(items=[{'pk': S('a')}])
        for rv in ('ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW'):
            with self.subTest(rv=rv):
                self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'x': N('1')},
                                                           ReturnValues=rv),
                                 'ValidationException', 'ReturnValues can only be ALL_OLD or NONE', unchanged=[t])

    def test_return_values_outside_the_enum(self):
        t = self.table()
        for rv in ('all_old', 'BOGUS', ''):
            with self.subTest(rv=rv):
                self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')}, ReturnValues=rv),
                                 'ValidationException',
                                 "1 validation error detected: Value '%s' at 'returnValues' failed to satisfy "
                                 'constraint: %s' % (rv, ENUM), unchanged=[t])

    def test_condition_passes_and_fails(self):
        t = self.table(items=[{'pk': S('a'), 'v': N('1')}])
        self.ddb.put_item(TableName=t, Item={'pk': S('b')}, ConditionExpression='attribute_not_exists(pk)')
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')},
                                                   ConditionExpression='attribute_not_exists(pk)'),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'v': N('2')}, ConditionExpression='v = :one',
                          ExpressionAttributeValues={':one': N('1')})
        self.assertEqual(self.items(t), [{'pk': S('a'), 'v': N('2')}, {'pk': S('b')}])

    def test_condition_on_a_missing_item_sees_no_attributes(self):
        t = self.table()
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')},
                                                   ConditionExpression='attribute_exists(pk)'),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])

    def test_return_values_on_condition_check_failure(self):
        old = {'pk': S('a'), 'v': N('1')}
        t = self.table(items=[old])
        resp = self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')},
                                                          ConditionExpression='attribute_not_exists(pk)',
                                                          ReturnValuesOnConditionCheckFailure='ALL_OLD'),
                                'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.assertEqual(resp.get('Item'), old)
        resp = self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')},
                                                          ConditionExpression='attribute_not_exists(pk)',
                                                          ReturnValuesOnConditionCheckFailure='NONE'),
                                'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.assertNotIn('Item', resp)

    def test_return_values_on_condition_check_failure_of_a_missing_item(self):
        t = self.table()
        resp = self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')},
                                                          ConditionExpression='attribute_exists(pk)',
                                                          ReturnValuesOnConditionCheckFailure='ALL_OLD'),
                                'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.assertNotIn('Item', resp)

    def test_return_values_on_condition_check_failure_enum(self):
        t = self.table()
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')},
                                                   ReturnValuesOnConditionCheckFailure='ALL_NEW'),
                         'ValidationException',
                         "1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' "
                         'failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]',
                         unchanged=[t])

    def test_key_checks(self):
        t = self.table(range_key=('sk', 'N'), items=[{'pk': S('k'), 'sk': N('1')}])
        bad = 'One or more parameter values were invalid: '
        cases = [
            ({'sk': N('1')}, bad + 'Missing the key pk in the item'),
            ({'pk': S('a')}, bad + 'Missing the key sk in the item'),
            ({'pk': N('1'), 'sk': N('1')}, bad + 'Type mismatch for key pk expected: S actual: N'),
            ({'pk': S('a'), 'sk': S('1')}, bad + 'Type mismatch for key sk expected: N actual: S'),
            ({'pk': {'B': b'a'}, 'sk': N('1')}, bad + 'Type mismatch for key pk expected: S actual: B'),
            ({'pk': {'SS': ['a']}, 'sk': N('1')}, bad + 'Type mismatch for key pk expected: S actual: SS'),
            ({'pk': S(''), 'sk': N('1')},
             'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain '
             'an empty string value. Key: pk'),
        ]
        for item, message in cases:
            with self.subTest(item=item):
                self.assertError(lambda: self.ddb.put_item(TableName=t, Item=item), 'ValidationException', message,
                                 unchanged=[t])

    def test_empty_binary_key(self):
        t = self.table(hash_key=('pk', 'B'))
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': {'B': b''}}), 'ValidationException',
                         'One or more parameter values are not valid. The AttributeValue for a key attribute cannot '
                         'contain an empty binary value. Key: pk', unchanged=[t])

    def test_missing_table(self):
        self.assertError(lambda: self.ddb.put_item(TableName='no-such-table', Item={'pk': S('a')}),
                         'ResourceNotFoundException', message_contains='Requested resource not found')

    def test_item_member_required(self):
        t = self.table()
        self.assertRawError('PutItem', {'TableName': t}, 'ValidationException',
                            "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
                            'Member must not be null', unchanged=[t])

    def test_failed_condition_keeps_item(self):
        t = self.table(items=[{'pk': S('a'), 'v': N('5')}])
        cases = [('v > :x', {':x': N('5')}), ('v = :x', {':x': N('6')}), ('attribute_not_exists(v)', None),
                 ('NOT v = :x', {':x': N('5')}), ('v <> :x', {':x': N('5')}), ('v = :x', {':x': S('5')})]
        for cond, values in cases:
            with self.subTest(cond=cond, values=values):
                kwargs = {'ExpressionAttributeValues': values} if values else {}
                self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')},
                                                           ConditionExpression=cond, **kwargs),
                                 'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])

    # ----- consumed capacity -------------------------------------------------------------

    def test_consumed_capacity_by_size(self):
        # 1 KB write units of the item's size: 1024 bytes is one unit, 1025 two.
        t = self.table()
        for size, units in ((6, 1.0), (1024, 1.0), (1025, 2.0), (2048, 2.0), (10 * 1024 + 1, 11.0)):
            with self.subTest(size=size):
                out = self.ddb.put_item(TableName=t, Item=item_of_size(size, pk='s%d' % size),
                                        ReturnConsumedCapacity='TOTAL')
                self.assertEqual(out['ConsumedCapacity'], consumed(t, units))
                self.assertEqual(units, write_units(size))

    def test_overwrite_costs_the_larger_of_old_and_new(self):
        t = self.table(items=[item_of_size(5000)])
        out = self.ddb.put_item(TableName=t, Item={'pk': S('a')}, ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 5.0))
        out = self.ddb.put_item(TableName=t, Item=item_of_size(3000), ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 3.0))

    def test_consumed_capacity_indexes_and_none(self):
        t = self.table()
        out = self.ddb.put_item(TableName=t, Item={'pk': S('a')}, ReturnConsumedCapacity='INDEXES')
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 1.0, 'INDEXES'))
        out = self.ddb.put_item(TableName=t, Item={'pk': S('a')}, ReturnConsumedCapacity='NONE')
        self.assertNotIn('ConsumedCapacity', out)

    def test_consumed_capacity_with_all_old(self):
        t = self.table(items=[{'pk': S('a'), 'x': N('1')}])
        out = self.ddb.put_item(TableName=t, Item={'pk': S('a')}, ReturnValues='ALL_OLD',
                                ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['Attributes'], {'pk': S('a'), 'x': N('1')})
        self.assertEqual(out['ConsumedCapacity'], consumed(t, 1.0))

    def test_consumed_capacity_enum(self):
        t = self.table()
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')}, ReturnConsumedCapacity='ALL'),
                         'ValidationException',
                         "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy "
                         'constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]', unchanged=[t])

    def test_item_collection_metrics_absent_without_local_indexes(self):
        t = self.table(range_key=('sk', 'S'))
        out = self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'sk': S('b')}, ReturnItemCollectionMetrics='SIZE')
        self.assertNotIn('ItemCollectionMetrics', out)
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'sk': S('b')},
                                                   ReturnItemCollectionMetrics='ALL'),
                         'ValidationException',
                         "1 validation error detected: Value 'ALL' at 'returnItemCollectionMetrics' failed to "
                         'satisfy constraint: Member must satisfy enum value set: [SIZE, NONE]', unchanged=[t])

    def test_failed_write_answers_no_capacity(self):
        t = self.table(items=[{'pk': S('a')}])
        resp = self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')},
                                                          ConditionExpression='attribute_not_exists(pk)',
                                                          ReturnConsumedCapacity='TOTAL'),
                                'ConditionalCheckFailedException', unchanged=[t])
        self.assertNotIn('ConsumedCapacity', resp)


if __name__ == '__main__':
    unittest.main()
