"""The conformance base itself: tables, errors, unchanged checks."""
import unittest

from conformance import ConformanceCase


class SmokeTest(ConformanceCase):
    def test_table_and_items(self):
        t = self.table(items=[{'pk': {'S': 'a'}}])
        self.assertEqual(self.items(t), [{'pk': {'S': 'a'}}])

    def test_error_leaves_table_unchanged(self):
        t = self.table(items=[{'pk': {'S': 'a'}}])
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'x': {'S': '1'}}),
                         'ValidationException',
                         'One or more parameter values were invalid: Missing the key pk in the item',
                         unchanged=[t])

    def test_raw_wrong_type(self):
        t = self.table()
        self.assertRawError('PutItem', {'TableName': t, 'Item': {'pk': {'S': 1}}}, 'SerializationException',
                            unchanged=[t])


if __name__ == '__main__':
    unittest.main()
