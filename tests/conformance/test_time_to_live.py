"""UpdateTimeToLive / DescribeTimeToLive, and the sweeper that deletes expired items (run here
every 100 ms), with its REMOVE stream records naming the DynamoDB service."""
import time
import unittest

from conformance import ConformanceCase
from harness import Streamer


def ttl_spec(enabled, attr='exp'):
    return {'Enabled': enabled, 'AttributeName': attr}


class TimeToLiveTest(ConformanceCase):
    @classmethod
    def setUpClass(cls):
        # A fast sweeper, so the tests need not wait seconds.
        cls.server = Streamer(extra_args=['--ttl-sweep-interval-ms', '100'])
        cls.server.start()
        cls.ddb = cls.server.client('dynamodb')
        cls.streams = cls.server.client('dynamodbstreams')

    def describe(self, t):
        return self.ddb.describe_time_to_live(TableName=t)['TimeToLiveDescription']

    def wait_for(self, condition, timeout=5.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if condition():
                return True
            time.sleep(0.05)
        return False

    # ----- settings --------------------------------------------------------------------

    def test_disabled_by_default(self):
        self.assertEqual(self.describe(self.table()), {'TimeToLiveStatus': 'DISABLED'})

    def test_enable_and_disable(self):
        t = self.table()
        out = self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(True))
        self.assertEqual(out['TimeToLiveSpecification'], ttl_spec(True))
        self.assertEqual(self.describe(t), {'TimeToLiveStatus': 'ENABLED', 'AttributeName': 'exp'})
        out = self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(False))
        self.assertEqual(out['TimeToLiveSpecification'], ttl_spec(False))
        self.assertEqual(self.describe(t), {'TimeToLiveStatus': 'DISABLED'})

    def test_setting_errors(self):
        t = self.table()
        self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(True))
        plain = self.table()
        cases = [
            (t, ttl_spec(True), 'TimeToLive is already enabled'),
            (t, ttl_spec(True, 'other'), 'TimeToLive is active on a different AttributeName: current AttributeName is exp'),
            (t, ttl_spec(False, 'other'), 'TimeToLive is active on a different AttributeName: current AttributeName is exp'),
            (plain, ttl_spec(False), 'TimeToLive is already disabled'),
        ]
        for table, spec, message in cases:
            with self.subTest(spec=spec, table=table):
                before = self.describe(table)
                self.assertError(lambda: self.ddb.update_time_to_live(TableName=table, TimeToLiveSpecification=spec),
                                 'ValidationException', message)
                self.assertEqual(self.describe(table), before)

    def test_shape_errors(self):
        t = self.table()
        cases = [
            ({'TableName': t}, 'ValidationException',
             "1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null"),
            ({'TableName': t, 'TimeToLiveSpecification': {'Enabled': True}}, 'ValidationException',
             "1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null"),
            ({'TableName': t, 'TimeToLiveSpecification': {'AttributeName': 'x'}}, 'ValidationException',
             "1 validation error detected: Value null at 'timeToLiveSpecification.enabled' failed to satisfy constraint: Member must not be null"),
            ({'TableName': t, 'TimeToLiveSpecification': {'Enabled': True, 'AttributeName': ''}}, 'ValidationException',
             "1 validation error detected: Value '' at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({'TableName': t, 'TimeToLiveSpecification': {'Enabled': 'yes', 'AttributeName': 'x'}}, 'SerializationException', None),
            ({'TableName': t, 'TimeToLiveSpecification': 'on'}, 'SerializationException', None),
        ]
        for body, code, message in cases:
            with self.subTest(body=body):
                self.assertRawError('UpdateTimeToLive', body, code, message)
        self.assertEqual(self.describe(t), {'TimeToLiveStatus': 'DISABLED'})

    def test_describe_shape_errors(self):
        cases = [
            ({}, 'ValidationException',
             "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"),
            ({'TableName': 'ab'}, 'ValidationException',
             "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal to 3"),
            ({'TableName': 3}, 'SerializationException', None),
        ]
        for body, code, message in cases:
            with self.subTest(body=body):
                self.assertRawError('DescribeTimeToLive', body, code, message)

    def test_missing_table(self):
        self.assertError(lambda: self.ddb.update_time_to_live(TableName='no-ttl-table', TimeToLiveSpecification=ttl_spec(True)),
                         'ResourceNotFoundException', 'Requested resource not found: Table: no-ttl-table not found')
        self.assertError(lambda: self.ddb.describe_time_to_live(TableName='no-ttl-table'),
                         'ResourceNotFoundException', 'Requested resource not found: Table: no-ttl-table not found')

    def test_setting_survives_restart(self):
        t = self.table()
        self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(True, 'expires'))
        self.server.restart()
        self.assertEqual(self.describe(t), {'TimeToLiveStatus': 'ENABLED', 'AttributeName': 'expires'})

    # ----- the sweeper ------------------------------------------------------------------------

    def test_expired_items_are_deleted_others_kept(self):
        now = int(time.time())
        t = self.table()
        items = {
            'expired': {'N': str(now - 60)},
            'expired-fraction': {'N': '%d.5' % (now - 60)},
            'future': {'N': str(now + 3600)},
            'ancient': {'N': str(now - 6 * 365 * 86400)},  # more than 5 years ago: ignored (as AWS)
            'string': {'S': str(now - 60)},                # not a number: ignored
            'set': {'NS': [str(now - 60)]},
        }
        for k, v in items.items():
            self.ddb.put_item(TableName=t, Item={'pk': {'S': k}, 'exp': v})
        self.ddb.put_item(TableName=t, Item={'pk': {'S': 'no-attribute'}})
        # Before TTL is enabled nothing goes.
        time.sleep(0.4)
        self.assertEqual(len(self.items(t)), 7)
        self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(True))
        keys = lambda: sorted(i['pk']['S'] for i in self.items(t))
        self.assertTrue(self.wait_for(lambda: len(keys()) == 5), keys())
        self.assertEqual(keys(), ['ancient', 'future', 'no-attribute', 'set', 'string'])

    def test_disabled_ttl_deletes_nothing(self):
        t = self.table(items=[{'pk': {'S': 'a'}, 'exp': {'N': str(int(time.time()) - 5)}}])
        self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(True, 'other'))
        time.sleep(0.5)
        self.assertEqual(len(self.items(t)), 1)

    def test_item_expiring_later_is_deleted_then(self):
        t = self.table()
        self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(True))
        self.ddb.put_item(TableName=t, Item={'pk': {'S': 'soon'}, 'exp': {'N': str(int(time.time()) + 2)}})
        self.assertEqual(len(self.items(t)), 1)  # not yet expired
        self.assertTrue(self.wait_for(lambda: self.items(t) == [], timeout=6))

    def test_remove_record_names_the_service(self):
        t = self.table(StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'})
        arn = self.ddb.describe_table(TableName=t)['Table']['LatestStreamArn']
        self.ddb.put_item(TableName=t, Item={'pk': {'S': 'user-deleted'}})
        self.ddb.delete_item(TableName=t, Key={'pk': {'S': 'user-deleted'}})
        old = {'pk': {'S': 'ttl'}, 'exp': {'N': str(int(time.time()) - 1)}}
        self.ddb.put_item(TableName=t, Item=old)
        self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(True))
        self.assertTrue(self.wait_for(lambda: self.items(t) == []))
        records = []
        for shard in self.streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']:
            it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                                 ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            records += self.streams.get_records(ShardIterator=it)['Records']
        removes = {r['dynamodb']['Keys']['pk']['S']: r for r in records if r['eventName'] == 'REMOVE'}
        self.assertEqual(sorted(removes), ['ttl', 'user-deleted'])
        self.assertEqual(removes['ttl']['userIdentity'], {'PrincipalId': 'dynamodb.amazonaws.com', 'Type': 'Service'})
        self.assertEqual(removes['ttl']['dynamodb']['OldImage'], old)
        self.assertNotIn('userIdentity', removes['user-deleted'])

    def test_lambda_event_of_a_ttl_delete(self):
        # The built-in stack's table streams to a logging function: a TTL delete reaches it with
        # Lambda's spelling of the service identity.
        t = 'TheDynamoStreamer'
        key = self.ddb.describe_table(TableName=t)['Table']['KeySchema'][0]['AttributeName']
        mark = self.server.stdout_mark()
        self.ddb.put_item(TableName=t, Item={key: {'S': 'ttl-lambda'}, 'exp': {'N': str(int(time.time()) - 1)}})
        self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(True))

        def removes():
            return [r for e in self.server.handler_events(since=mark) for r in e['Records']
                    if r['eventName'] == 'REMOVE']
        self.assertTrue(self.wait_for(lambda: removes(), timeout=10))
        record = removes()[0]
        self.assertEqual(record['userIdentity'], {'type': 'Service', 'principalId': 'dynamodb.amazonaws.com'})
        self.assertEqual(record['dynamodb']['Keys'], {key: {'S': 'ttl-lambda'}})
        self.ddb.update_time_to_live(TableName=t, TimeToLiveSpecification=ttl_spec(False))

    def test_reads_see_expired_items_until_swept(self):
        t = self.table()
        past = str(int(time.time()) - 30)
        self.ddb.put_item(TableName=t, Item={'pk': {'S': 'a'}, 'exp': {'N': past}})
        # TTL not yet enabled: the expired item is still read, as AWS reads it until deleted.
        self.assertEqual(self.ddb.get_item(TableName=t, Key={'pk': {'S': 'a'}})['Item']['exp']['N'], past)


if __name__ == '__main__':
    unittest.main()
