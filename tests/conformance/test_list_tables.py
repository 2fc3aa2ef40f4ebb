"""ListTables: names in order, paging with Limit / ExclusiveStartTableName / LastEvaluatedTableName."""
import unittest

from conformance import ConformanceCase


class ListTablesTest(ConformanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.names = ['lt-%02d' % i for i in range(7)]
        for n in cls.names:
            cls.ddb.create_table(TableName=n, BillingMode='PAY_PER_REQUEST',
                                 AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],
                                 KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}])

    def all_names(self):
        return self.ddb.list_tables()['TableNames']

    def test_sorted_and_complete(self):
        names = self.all_names()
        self.assertEqual(names, sorted(names))
        for n in self.names:
            self.assertIn(n, names)

    def test_pages(self):
        everything = self.all_names()
        for limit in (1, 2, 3, 7, 100):
            with self.subTest(limit=limit):
                got, kwargs = [], {'Limit': limit}
                while True:
                    page = self.ddb.list_tables(**kwargs)
                    self.assertLessEqual(len(page['TableNames']), limit)
                    got += page['TableNames']
                    if 'LastEvaluatedTableName' not in page:
                        break
                    self.assertEqual(page['LastEvaluatedTableName'], page['TableNames'][-1])
                    kwargs['ExclusiveStartTableName'] = page['LastEvaluatedTableName']
                self.assertEqual(got, everything)

    def test_exclusive_start_need_not_exist(self):
        page = self.ddb.list_tables(ExclusiveStartTableName='lt-03a')
        self.assertEqual(page['TableNames'][:3], ['lt-04', 'lt-05', 'lt-06'])

    def test_start_after_last_is_empty(self):
        self.assertEqual(self.ddb.list_tables(ExclusiveStartTableName='zzz-last')['TableNames'], [])

    def test_boto3_paginator(self):
        names = []
        for page in self.ddb.get_paginator('list_tables').paginate(PaginationConfig={'PageSize': 2}):
            names += page['TableNames']
        self.assertEqual(names, self.all_names())

    def test_errors(self):
        cases = [
            ({'Limit': 0}, 'ValidationException',
             "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"),
            ({'Limit': 101}, 'ValidationException',
             "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"),
            ({'Limit': 'ten'}, 'SerializationException', None),
            ({'ExclusiveStartTableName': 'ab'}, 'ValidationException',
             "1 validation error detected: Value 'ab' at 'exclusiveStartTableName' failed to satisfy constraint: Member must have length greater than or equal to 3"),
            ({'ExclusiveStartTableName': 5}, 'SerializationException', None),
        ]
        for body, code, message in cases:
            with self.subTest(body=body):
                self.assertRawError('ListTables', body, code, message)

    def test_cli(self):
        rc, out, err = self.server.aws('dynamodb', 'list-tables')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['TableNames'], self.all_names())


if __name__ == '__main__':
    unittest.main()
