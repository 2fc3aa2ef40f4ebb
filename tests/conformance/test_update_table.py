"""UpdateTable: billing, throughput, streams (new label and ARN on re-enable, the old stream stays
readable as DISABLED), SSE, deletion protection, table class, and AWS's "nothing to update" and
"must be the only operation" errors."""
import unittest

from conformance import ConformanceCase

INVALID = 'One or more parameter values were invalid: '
NOTHING = ('At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, '
           'SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, '
           'DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required')
PT = {'ReadCapacityUnits': 5, 'WriteCapacityUnits': 5}


class UpdateTableTest(ConformanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.streams = cls.server.client('dynamodbstreams')

    def provisioned(self, **kw):
        return self.table(BillingMode='PROVISIONED', ProvisionedThroughput=dict(PT), **kw)

    def describe(self, t):
        return self.ddb.describe_table(TableName=t)['Table']

    def stream_keys(self, arn):
        """Every record's keys of a stream, in order, over all shards."""
        out = []
        for shard in self.streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']:
            it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                                 ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            out += [r['dynamodb']['Keys']['pk']['S'] for r in self.streams.get_records(ShardIterator=it)['Records']]
        return sorted(out)

    # ----- nothing to do / not found ---------------------------------------------------

    def test_nothing_to_update(self):
        t = self.table()
        self.assertError(lambda: self.ddb.update_table(TableName=t), 'ValidationException', NOTHING)
        self.assertError(lambda: self.ddb.update_table(TableName=t, AttributeDefinitions=[
            {'AttributeName': 'pk', 'AttributeType': 'S'}]), 'ValidationException', NOTHING)

    def test_unknown_table(self):
        self.assertError(lambda: self.ddb.update_table(TableName='no-such-table', BillingMode='PAY_PER_REQUEST'),
                         'ResourceNotFoundException', 'Requested resource not found: Table: no-such-table not found')

    def test_shape_errors_come_first(self):
        self.assertRawError('UpdateTable', {'TableName': 'no-such-table', 'BillingMode': 'FREE'}, 'ValidationException',
                            "1 validation error detected: Value 'FREE' at 'billingMode' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]")
        self.assertRawError('UpdateTable', {'TableName': 'x'}, 'ValidationException',
                            "1 validation error detected: Value 'x' at 'tableName' failed to satisfy constraint: "
                            "Member must have length greater than or equal to 3")
        self.assertRawError('UpdateTable', {'TableName': 'abc', 'ProvisionedThroughput': 5}, 'SerializationException')
        self.assertRawError('UpdateTable', {'TableName': 'abc', 'ProvisionedThroughput': {'ReadCapacityUnits': 1}},
                            'ValidationException',
                            "1 validation error detected: Value null at 'provisionedThroughput.writeCapacityUnits' "
                            "failed to satisfy constraint: Member must not be null")

    # ----- billing and throughput -----------------------------------------------------

    def test_switch_to_on_demand_and_back(self):
        t = self.provisioned(items=[{'pk': {'S': 'a'}}])
        d = self.ddb.update_table(TableName=t, BillingMode='PAY_PER_REQUEST')['TableDescription']
        self.assertEqual(d['BillingModeSummary']['BillingMode'], 'PAY_PER_REQUEST')
        self.assertEqual((d['ProvisionedThroughput']['ReadCapacityUnits'], d['ProvisionedThroughput']['WriteCapacityUnits']), (0, 0))
        self.assertGreaterEqual(d['BillingModeSummary']['LastUpdateToPayPerRequestDateTime'], d['CreationDateTime'])
        d = self.ddb.update_table(TableName=t, BillingMode='PROVISIONED',
                                  ProvisionedThroughput={'ReadCapacityUnits': 7, 'WriteCapacityUnits': 8})['TableDescription']
        self.assertEqual(d['BillingModeSummary']['BillingMode'], 'PROVISIONED')
        self.assertEqual(d['ProvisionedThroughput']['ReadCapacityUnits'], 7)
        self.assertEqual(self.items(t), [{'pk': {'S': 'a'}}])

    def test_billing_errors(self):
        t = self.table()  # on demand
        p = self.provisioned()
        cases = [
            (t, dict(ProvisionedThroughput=PT),
             INVALID + 'Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST'),
            (p, dict(BillingMode='PAY_PER_REQUEST', ProvisionedThroughput=PT),
             INVALID + 'Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST'),
            (t, dict(BillingMode='PROVISIONED'),
             INVALID + 'ProvisionedThroughput must be specified when BillingMode is PROVISIONED'),
            (p, dict(ProvisionedThroughput=PT),
             'The provisioned throughput for the table will not change. The requested value equals the current value. '
             'Current ReadCapacityUnits provisioned for the table: 5. Requested ReadCapacityUnits: 5. '
             'Current WriteCapacityUnits provisioned for the table: 5. Requested WriteCapacityUnits: 5. '
             'Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.'),
        ]
        for table, kw, message in cases:
            with self.subTest(kw=kw, table=table):
                before = self.describe(table)
                self.assertError(lambda: self.ddb.update_table(TableName=table, **kw), 'ValidationException', message)
                self.assertEqual(self.describe(table), before)

    def test_throughput_increase_and_decrease_are_recorded(self):
        t = self.provisioned()
        d = self.ddb.update_table(TableName=t, ProvisionedThroughput={'ReadCapacityUnits': 10, 'WriteCapacityUnits': 10})['TableDescription']
        self.assertIn('LastIncreaseDateTime', d['ProvisionedThroughput'])
        self.assertEqual(d['ProvisionedThroughput']['NumberOfDecreasesToday'], 0)
        d = self.ddb.update_table(TableName=t, ProvisionedThroughput={'ReadCapacityUnits': 2, 'WriteCapacityUnits': 10})['TableDescription']
        pt = d['ProvisionedThroughput']
        self.assertEqual((pt['ReadCapacityUnits'], pt['WriteCapacityUnits'], pt['NumberOfDecreasesToday']), (2, 10, 1))
        self.assertIn('LastDecreaseDateTime', pt)
        self.ddb.update_table(TableName=t, ProvisionedThroughput={'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
        self.assertEqual(self.describe(t)['ProvisionedThroughput']['NumberOfDecreasesToday'], 2)

    # ----- streams ------------------------------------------------------------------------

    def test_enable_disable_reenable(self):
        t = self.table()
        d = self.ddb.update_table(TableName=t, StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})['TableDescription']
        first = d['LatestStreamArn']
        self.assertEqual(d['StreamSpecification'], {'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})
        self.assertEqual(first, d['TableArn'] + '/stream/' + d['LatestStreamLabel'])
        self.ddb.put_item(TableName=t, Item={'pk': {'S': 'one'}})
        d = self.ddb.update_table(TableName=t, StreamSpecification={'StreamEnabled': False})['TableDescription']
        self.assertNotIn('StreamSpecification', d)
        self.assertEqual(d['LatestStreamArn'], first)  # the latest stream is still named
        self.ddb.put_item(TableName=t, Item={'pk': {'S': 'unstreamed'}})
        d = self.ddb.update_table(TableName=t, StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'})['TableDescription']
        second = d['LatestStreamArn']
        self.assertNotEqual(second, first)
        self.assertEqual(d['StreamSpecification']['StreamViewType'], 'KEYS_ONLY')
        self.ddb.put_item(TableName=t, Item={'pk': {'S': 'two'}})
        # The old stream: readable, DISABLED, with its own records only; the new one has its own.
        old = self.streams.describe_stream(StreamArn=first)['StreamDescription']
        new = self.streams.describe_stream(StreamArn=second)['StreamDescription']
        self.assertEqual((old['StreamStatus'], old['StreamViewType']), ('DISABLED', 'NEW_IMAGE'))
        self.assertEqual((new['StreamStatus'], new['StreamViewType']), ('ENABLED', 'KEYS_ONLY'))
        self.assertNotEqual(old['Shards'][0]['ShardId'], new['Shards'][0]['ShardId'])
        self.assertEqual(self.stream_keys(first), ['one'])
        self.assertEqual(self.stream_keys(second), ['two'])
        listed = [s['StreamArn'] for s in self.streams.list_streams(TableName=t)['Streams']]
        self.assertEqual(sorted(listed), sorted([first, second]))

    def test_disabled_stream_shards_are_closed(self):
        t = self.table(StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'})
        arn = self.describe(t)['LatestStreamArn']
        self.ddb.put_item(TableName=t, Item={'pk': {'S': 'a'}})
        live = self.streams.describe_stream(StreamArn=arn)['StreamDescription']
        self.assertTrue(all('EndingSequenceNumber' not in s['SequenceNumberRange'] for s in live['Shards']))
        self.ddb.update_table(TableName=t, StreamSpecification={'StreamEnabled': False})
        closed = self.streams.describe_stream(StreamArn=arn)['StreamDescription']
        ends = [s['SequenceNumberRange'].get('EndingSequenceNumber') for s in closed['Shards']]
        self.assertTrue(all(ends), ends)  # every shard is closed
        # The one shard with a record ends at it; the others never had one.
        shard = next(s for s in closed['Shards'] if int(s['SequenceNumberRange']['EndingSequenceNumber']))
        self.assertEqual(len([e for e in ends if int(e)]), 1)
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                             ShardIteratorType='TRIM_HORIZON')['ShardIterator']
        page = self.streams.get_records(ShardIterator=it)
        self.assertEqual([r['dynamodb']['SequenceNumber'] for r in page['Records']],
                         [shard['SequenceNumberRange']['EndingSequenceNumber']])
        page = self.streams.get_records(ShardIterator=page['NextShardIterator'])
        self.assertEqual(page['Records'], [])
        self.assertNotIn('NextShardIterator', page)  # read to its end: no more iterators

    def test_stream_errors(self):
        t = self.table(StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})
        plain = self.table()
        cases = [
            (t, {'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'}, 'Table already has an enabled stream: TableName: ' + t),
            (t, {'StreamEnabled': True, 'StreamViewType': 'OLD_IMAGE'}, 'Table already has an enabled stream: TableName: ' + t),
            (t, {'StreamEnabled': False, 'StreamViewType': 'NEW_IMAGE'},
             INVALID + 'If stream is being disabled, then UpdateViewType must not be specified'),
            (plain, {'StreamEnabled': False}, 'Table has no stream to disable: TableName: ' + plain),
            (plain, {'StreamEnabled': True}, INVALID + 'If stream is being enabled then UpdateViewType is required'),
        ]
        for table, spec, message in cases:
            with self.subTest(spec=spec, table=table):
                before = self.describe(table)
                self.assertError(lambda: self.ddb.update_table(TableName=table, StreamSpecification=spec),
                                 'ValidationException', message)
                self.assertEqual(self.describe(table), before)

    def test_stream_and_throughput_together(self):
        t = self.provisioned()
        d = self.ddb.update_table(TableName=t, ProvisionedThroughput={'ReadCapacityUnits': 6, 'WriteCapacityUnits': 6},
                                  StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'})['TableDescription']
        self.assertEqual(d['ProvisionedThroughput']['ReadCapacityUnits'], 6)
        self.assertTrue(d['StreamSpecification']['StreamEnabled'])

    # ----- settings taken only alone ------------------------------------------------------------

    def test_deletion_protection(self):
        t = self.table()
        d = self.ddb.update_table(TableName=t, DeletionProtectionEnabled=True)['TableDescription']
        self.assertTrue(d['DeletionProtectionEnabled'])
        self.assertError(lambda: self.ddb.delete_table(TableName=t), 'ValidationException',
                         'Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.')
        self.ddb.update_table(TableName=t, DeletionProtectionEnabled=False)
        self.ddb.delete_table(TableName=t)

    def test_table_class(self):
        t = self.table()
        d = self.ddb.update_table(TableName=t, TableClass='STANDARD_INFREQUENT_ACCESS')['TableDescription']
        self.assertEqual(d['TableClassSummary']['TableClass'], 'STANDARD_INFREQUENT_ACCESS')
        self.assertEqual(self.describe(t)['TableClassSummary']['TableClass'], 'STANDARD_INFREQUENT_ACCESS')

    def test_sse(self):
        t = self.table()
        d = self.ddb.update_table(TableName=t, SSESpecification={'Enabled': True})['TableDescription']
        self.assertEqual(d['SSEDescription']['Status'], 'ENABLED')
        d = self.ddb.update_table(TableName=t, SSESpecification={'Enabled': True, 'SSEType': 'KMS', 'KMSMasterKeyId': 'alias/mine'})['TableDescription']
        self.assertEqual(d['SSEDescription']['KMSMasterKeyArn'], 'arn:aws:kms:us-east-1:000000000000:alias/mine')
        self.assertError(lambda: self.ddb.update_table(TableName=t, SSESpecification={'Enabled': True, 'SSEType': 'KMS', 'KMSMasterKeyId': 'alias/mine'}),
                         'ValidationException',
                         INVALID + 'Table is already encrypted with given KMSMasterKeyId. Use KMSMasterKeyId parameter if you want to change Master Key')
        d = self.ddb.update_table(TableName=t, SSESpecification={'Enabled': False})['TableDescription']
        self.assertNotIn('SSEDescription', d)
        self.assertError(lambda: self.ddb.update_table(TableName=t, SSESpecification={'Enabled': False}),
                         'ValidationException', INVALID + 'Table is already encrypted by default')

    def test_only_operation_rules(self):
        t = self.table()
        cases = [
            (dict(SSESpecification={'Enabled': True}, DeletionProtectionEnabled=True), 'Server-Side Encryption modification'),
            (dict(TableClass='STANDARD', BillingMode='PAY_PER_REQUEST'), 'TableClass modification'),
            (dict(DeletionProtectionEnabled=True, StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'}),
             'DeletionProtection modification'),
            (dict(WarmThroughput={'ReadUnitsPerSecond': 13000}, BillingMode='PAY_PER_REQUEST'), 'WarmThroughput'),
        ]
        for kw, what in cases:
            with self.subTest(what=what):
                before = self.describe(t)
                self.assertError(lambda: self.ddb.update_table(TableName=t, **kw), 'ValidationException',
                                 INVALID + what + ' must be the only operation in the request')
                self.assertEqual(self.describe(t), before)

    def test_wrong_json_types_change_nothing(self):
        t = self.table()
        cases = [
            {'BillingMode': 1}, {'ProvisionedThroughput': []}, {'ProvisionedThroughput': {'ReadCapacityUnits': '5', 'WriteCapacityUnits': 5}},
            {'StreamSpecification': 'on'}, {'StreamSpecification': {'StreamEnabled': 1}},
            {'StreamSpecification': {'StreamEnabled': True, 'StreamViewType': 3}},
            {'SSESpecification': True}, {'SSESpecification': {'Enabled': 'true'}}, {'SSESpecification': {'Enabled': True, 'KMSMasterKeyId': 5}},
            {'DeletionProtectionEnabled': 'yes'}, {'TableClass': ['STANDARD']}, {'OnDemandThroughput': 5},
            {'WarmThroughput': 'hot'}, {'GlobalSecondaryIndexUpdates': {}}, {'AttributeDefinitions': 'pk'},
        ]
        before = self.describe(t)
        for change in cases:
            with self.subTest(change=change):
                self.assertRawError('UpdateTable', dict({'TableName': t}, **change), 'SerializationException')
        self.assertEqual(self.describe(t), before)

    def test_bad_table_class(self):
        t = self.table()
        self.assertRawError('UpdateTable', {'TableName': t, 'TableClass': 'COLD'}, 'ValidationException',
                            'Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].')

    def test_on_demand_throughput(self):
        t = self.table()
        d = self.ddb.update_table(TableName=t, OnDemandThroughput={'MaxReadRequestUnits': 10, 'MaxWriteRequestUnits': 10})['TableDescription']
        self.assertEqual(d['OnDemandThroughput'], {'MaxReadRequestUnits': 10, 'MaxWriteRequestUnits': 10})

    def test_deleting_a_missing_index_is_not_found(self):
        t = self.table()
        self.assertError(lambda: self.ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[{'Delete': {'IndexName': 'idx'}}]),
                         'ResourceNotFoundException', unchanged=[t])

    def test_index_update_with_a_stream_change_applies_both(self):
        t = self.table(items=[{'pk': {'S': 'a'}, 'g': {'S': 'x'}}])
        d = self.ddb.update_table(
            TableName=t, StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'},
            AttributeDefinitions=[{'AttributeName': 'g', 'AttributeType': 'S'}],
            GlobalSecondaryIndexUpdates=[{'Create': {'IndexName': 'gidx', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}],
                                                     'Projection': {'ProjectionType': 'ALL'}}}])['TableDescription']
        self.assertEqual(d['StreamSpecification'], {'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'})
        self.assertEqual([i['IndexName'] for i in d['GlobalSecondaryIndexes']], ['gidx'])

    def test_update_survives_restart(self):
        t = self.provisioned()
        self.ddb.update_table(TableName=t, ProvisionedThroughput={'ReadCapacityUnits': 9, 'WriteCapacityUnits': 3})
        self.ddb.update_table(TableName=t, StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})
        self.ddb.update_table(TableName=t, DeletionProtectionEnabled=True)
        before = self.describe(t)
        self.server.restart()
        after = self.describe(t)
        self.assertEqual(after, before)
        self.ddb.update_table(TableName=t, DeletionProtectionEnabled=False)


if __name__ == '__main__':
    unittest.main()
