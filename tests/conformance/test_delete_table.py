"""DeleteTable: the description it answers, data and streams gone, deletion protection, errors,
and the table-not-exists waiters."""
import unittest

from conformance import ConformanceCase


class DeleteTableTest(ConformanceCase):
    def test_answers_deleting_description(self):
        t = self.table(items=[{'pk': {'S': 'a'}}])
        d = self.ddb.delete_table(TableName=t)['TableDescription']
        self.assertEqual((d['TableName'], d['TableStatus']), (t, 'DELETING'))
        self.assertEqual(d['ItemCount'], 1)
        self.assertNotIn(t, self.ddb.list_tables()['TableNames'])
        self.assertError(lambda: self.ddb.describe_table(TableName=t), 'ResourceNotFoundException')

    def test_recreated_table_is_empty(self):
        t = self.table(items=[{'pk': {'S': 'a'}}])
        self.ddb.delete_table(TableName=t)
        self.ddb.create_table(TableName=t, BillingMode='PAY_PER_REQUEST',
                              AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],
                              KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}])
        self.assertEqual(self.items(t), [])

    def test_missing_table(self):
        self.assertError(lambda: self.ddb.delete_table(TableName='never-was'), 'ResourceNotFoundException',
                         'Requested resource not found: Table: never-was not found')

    def test_deletion_protection(self):
        t = self.table(items=[{'pk': {'S': 'a'}}], DeletionProtectionEnabled=True)
        self.assertError(lambda: self.ddb.delete_table(TableName=t), 'ValidationException',
                         'Resource cannot be deleted as it is currently protected against deletion. '
                         'Disable deletion protection first.', unchanged=[t])
        self.assertIn(t, self.ddb.list_tables()['TableNames'])

    def test_shape_errors(self):
        cases = [
            ({}, 'ValidationException',
             "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"),
            ({'TableName': 'x' * 256}, 'ValidationException',
             "1 validation error detected: Value '%s' at 'tableName' failed to satisfy constraint: Member must have length less than or equal to 255" % ('x' * 256)),
            ({'TableName': ['a']}, 'SerializationException', None),
        ]
        for body, code, message in cases:
            with self.subTest(body=str(body)[:40]):
                self.assertRawError('DeleteTable', body, code, message)

    def test_stream_of_deleted_table_is_gone(self):
        streams = self.server.client('dynamodbstreams')
        t = self.table(StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'})
        arn = self.ddb.describe_table(TableName=t)['Table']['LatestStreamArn']
        self.ddb.delete_table(TableName=t)
        with self.assertRaises(Exception) as ctx:
            streams.describe_stream(StreamArn=arn)
        self.assertEqual(ctx.exception.response['Error']['Code'], 'ResourceNotFoundException')

    def test_boto3_waiter(self):
        t = self.table()
        self.ddb.delete_table(TableName=t)
        self.ddb.get_waiter('table_not_exists').wait(TableName=t, WaiterConfig={'Delay': 1, 'MaxAttempts': 3})

    def test_cli_waiter(self):
        t = self.table()
        rc, out, err = self.server.aws('dynamodb', 'delete-table', '--table-name', t)
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.aws('dynamodb', 'wait', 'table-not-exists', '--table-name', t)
        self.assertEqual(rc, 0, err)


if __name__ == '__main__':
    unittest.main()
