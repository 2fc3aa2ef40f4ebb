"""DescribeTable: every member AWS shows, live ItemCount/TableSizeBytes, errors, and the
table-exists waiters of boto3 and the AWS CLI."""
import unittest

from conformance import ConformanceCase


class DescribeTableTest(ConformanceCase):
    def test_members_of_an_on_demand_table(self):
        t = self.table(range_key=('sk', 'N'))
        d = self.ddb.describe_table(TableName=t)['Table']
        self.assertEqual(d['TableName'], t)
        self.assertEqual(d['TableStatus'], 'ACTIVE')
        self.assertEqual(d['KeySchema'], [{'AttributeName': 'pk', 'KeyType': 'HASH'},
                                          {'AttributeName': 'sk', 'KeyType': 'RANGE'}])
        self.assertEqual(sorted(a['AttributeName'] for a in d['AttributeDefinitions']), ['pk', 'sk'])
        self.assertEqual(d['TableArn'], 'arn:aws:dynamodb:us-east-1:000000000000:table/' + t)
        self.assertEqual(d['BillingModeSummary']['BillingMode'], 'PAY_PER_REQUEST')
        self.assertEqual(d['ProvisionedThroughput'], {'NumberOfDecreasesToday': 0, 'ReadCapacityUnits': 0,
                                                      'WriteCapacityUnits': 0})
        self.assertFalse(d['DeletionProtectionEnabled'])
        for absent in ('StreamSpecification', 'LatestStreamArn', 'LatestStreamLabel', 'SSEDescription',
                       'GlobalSecondaryIndexes', 'LocalSecondaryIndexes'):
            self.assertNotIn(absent, d)

    def test_item_count_and_size_are_live(self):
        t = self.table()
        items = [{'pk': {'S': 'a'}, 'n': {'N': '1'}}, {'pk': {'S': 'bb'}, 's': {'S': 'xyz'}}]
        for i in items:
            self.ddb.put_item(TableName=t, Item=i)
        d = self.ddb.describe_table(TableName=t)['Table']
        # Item sizes as DynamoDB counts them: name + value; a number is 1 byte per 2 digits + 1.
        self.assertEqual(d['ItemCount'], 2)
        self.assertEqual(d['TableSizeBytes'], (2 + 1) + (1 + 2) + (2 + 2) + (1 + 3))
        self.ddb.delete_item(TableName=t, Key={'pk': {'S': 'a'}})
        d = self.ddb.describe_table(TableName=t)['Table']
        self.assertEqual((d['ItemCount'], d['TableSizeBytes']), (1, (2 + 2) + (1 + 3)))

    def test_stream_members(self):
        t = self.table(StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'})
        d = self.ddb.describe_table(TableName=t)['Table']
        self.assertEqual(d['StreamSpecification'], {'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'})
        self.assertRegex(d['LatestStreamLabel'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}$')
        self.assertEqual(d['LatestStreamArn'], d['TableArn'] + '/stream/' + d['LatestStreamLabel'])

    def test_provisioned_members(self):
        t = self.table(BillingMode='PROVISIONED', ProvisionedThroughput={'ReadCapacityUnits': 2, 'WriteCapacityUnits': 3})
        d = self.ddb.describe_table(TableName=t)['Table']
        self.assertNotIn('BillingModeSummary', d)
        self.assertEqual(d['ProvisionedThroughput'], {'NumberOfDecreasesToday': 0, 'ReadCapacityUnits': 2,
                                                      'WriteCapacityUnits': 3})

    def test_errors(self):
        cases = [
            ({'TableName': 'missing-table'}, 'ResourceNotFoundException',
             'Requested resource not found: Table: missing-table not found'),
            ({}, 'ValidationException',
             "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"),
            ({'TableName': 'ab'}, 'ValidationException',
             "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"),
            ({'TableName': 'a b c'}, 'ValidationException',
             "1 validation error detected: Value 'a b c' at 'tableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
            ({'TableName': 7}, 'SerializationException', None),
        ]
        for body, code, message in cases:
            with self.subTest(body=body):
                self.assertRawError('DescribeTable', body, code, message)

    def test_boto3_waiter(self):
        t = self.table()
        self.ddb.get_waiter('table_exists').wait(TableName=t, WaiterConfig={'Delay': 1, 'MaxAttempts': 3})

    def test_cli_waiter(self):
        t = self.table()
        rc, out, err = self.server.aws('dynamodb', 'wait', 'table-exists', '--table-name', t)
        self.assertEqual(rc, 0, err)


if __name__ == '__main__':
    unittest.main()
