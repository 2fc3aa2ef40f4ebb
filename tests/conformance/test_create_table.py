"""CreateTable: billing modes, streams, SSE, tags, deletion protection, table class (cases from
the DynamoDB API Reference, CreateTable, and AWS's observed messages)."""
import itertools
import unittest

from conformance import ConformanceCase

_n = itertools.count()
KEY = dict(AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],
           KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}])
PPR = dict(BillingMode='PAY_PER_REQUEST', **KEY)
INVALID = 'One or more parameter values were invalid: '


def name():
    return 'create-%d' % next(_n)


class CreateTableTest(ConformanceCase):
    def create(self, **kw):
        kw.setdefault('TableName', name())
        return kw['TableName'], self.ddb.create_table(**kw)['TableDescription']

    # ----- billing ---------------------------------------------------------------

    def test_provisioned_is_the_default_and_keeps_throughput(self):
        n, d = self.create(ProvisionedThroughput={'ReadCapacityUnits': 3, 'WriteCapacityUnits': 4}, **KEY)
        self.assertEqual(d['ProvisionedThroughput'],
                         {'NumberOfDecreasesToday': 0, 'ReadCapacityUnits': 3, 'WriteCapacityUnits': 4})
        self.assertNotIn('BillingModeSummary', d)
        self.assertEqual(d['TableStatus'], 'ACTIVE')

    def test_pay_per_request_shows_zero_throughput_and_summary(self):
        n, d = self.create(**PPR)
        self.assertEqual(d['ProvisionedThroughput'],
                         {'NumberOfDecreasesToday': 0, 'ReadCapacityUnits': 0, 'WriteCapacityUnits': 0})
        self.assertEqual(d['BillingModeSummary']['BillingMode'], 'PAY_PER_REQUEST')
        self.assertEqual(d['BillingModeSummary']['LastUpdateToPayPerRequestDateTime'], d['CreationDateTime'])

    def test_billing_rules(self):
        cases = [
            (dict(**KEY), INVALID + 'ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED'),
            (dict(BillingMode='PROVISIONED', **KEY), INVALID + 'ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED'),
            (dict(ProvisionedThroughput={'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1}, **PPR),
             INVALID + 'Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST'),
            (dict(BillingMode='ON_DEMAND', **KEY),
             "1 validation error detected: Value 'ON_DEMAND' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"),
        ]
        for kw, message in cases:
            with self.subTest(kw=kw):
                n = name()
                self.assertError(lambda: self.ddb.create_table(TableName=n, **kw), 'ValidationException', message)
                self.assertNotIn(n, self.ddb.list_tables()['TableNames'])

    def test_capacity_below_one_raw(self):
        for member in ('ReadCapacityUnits', 'WriteCapacityUnits'):
            with self.subTest(member=member):
                n = name()
                pt = {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1, member: 0}
                field = member[0].lower() + member[1:]
                self.assertRawError('CreateTable', dict(TableName=n, ProvisionedThroughput=pt, **KEY), 'ValidationException',
                                    "1 validation error detected: Value '0' at 'provisionedThroughput.%s' failed to satisfy constraint: Member must have value greater than or equal to 1" % field)
                self.assertNotIn(n, self.ddb.list_tables()['TableNames'])

    # ----- streams ------------------------------------------------------------------

    def test_stream_enabled_gets_label_and_arn(self):
        n, d = self.create(StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'}, **PPR)
        self.assertEqual(d['StreamSpecification'], {'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})
        self.assertEqual(d['LatestStreamArn'], d['TableArn'] + '/stream/' + d['LatestStreamLabel'])

    def test_stream_disabled_is_no_stream(self):
        n, d = self.create(StreamSpecification={'StreamEnabled': False}, **PPR)
        self.assertNotIn('StreamSpecification', d)
        self.assertNotIn('LatestStreamArn', d)

    def test_stream_view_types(self):
        for view in ('KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'):
            with self.subTest(view=view):
                n, d = self.create(StreamSpecification={'StreamEnabled': True, 'StreamViewType': view}, **PPR)
                self.assertEqual(d['StreamSpecification']['StreamViewType'], view)

    def test_stream_errors(self):
        cases = [
            ({'StreamEnabled': True}, 'ValidationException',
             INVALID + 'Table is being created with a stream enabled, UpdateViewType is required'),
            ({'StreamEnabled': False, 'StreamViewType': 'KEYS_ONLY'}, 'ValidationException',
             INVALID + 'Table is being created with a stream disabled, UpdateViewType should not be specified'),
            ({'StreamEnabled': True, 'StreamViewType': 'ALL'}, 'ValidationException',
             "1 validation error detected: Value 'ALL' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]"),
        ]
        for spec, code, message in cases:
            with self.subTest(spec=spec):
                n = name()
                self.assertError(lambda: self.ddb.create_table(TableName=n, StreamSpecification=spec, **PPR), code, message)
                self.assertNotIn(n, self.ddb.list_tables()['TableNames'])

    def test_stream_raw_errors(self):
        base = dict(TableName=name(), BillingMode='PAY_PER_REQUEST', **KEY)
        self.assertRawError('CreateTable', dict(base, StreamSpecification={}), 'ValidationException',
                            "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null")
        self.assertRawError('CreateTable', dict(base, StreamSpecification={'StreamEnabled': 'yes'}), 'SerializationException')
        self.assertNotIn(base['TableName'], self.ddb.list_tables()['TableNames'])

    # ----- encryption, protection, class, throughput modes ------------------------------

    def test_sse_enabled_is_described(self):
        n, d = self.create(SSESpecification={'Enabled': True}, **PPR)
        sse = d['SSEDescription']
        self.assertEqual((sse['Status'], sse['SSEType']), ('ENABLED', 'KMS'))
        self.assertTrue(sse['KMSMasterKeyArn'].startswith('arn:aws:kms:us-east-1:'))

    def test_sse_with_customer_key(self):
        key = 'arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab'
        n, d = self.create(SSESpecification={'Enabled': True, 'SSEType': 'KMS', 'KMSMasterKeyId': key}, **PPR)
        self.assertEqual(d['SSEDescription']['KMSMasterKeyArn'], key)

    def test_sse_disabled_is_not_described(self):
        n, d = self.create(SSESpecification={'Enabled': False}, **PPR)
        self.assertNotIn('SSEDescription', d)

    def test_sse_errors(self):
        cases = [
            ({'Enabled': False, 'SSEType': 'KMS'}, INVALID + 'SSEType can not be specified if Enabled is false'),
            ({'Enabled': False, 'KMSMasterKeyId': 'k'}, INVALID + 'KMSMasterKeyId can not be specified if Enabled is false'),
            ({'Enabled': True, 'KMSMasterKeyId': 'k'}, INVALID + 'SSEType KMS is required if KMSMasterKeyId is specified'),
            ({'Enabled': True, 'SSEType': 'AES256'}, INVALID + 'SSEType AES256 is not supported'),
            ({'Enabled': True, 'SSEType': 'DES'},
             "1 validation error detected: Value 'DES' at 'sSESpecification.sSEType' failed to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]"),
        ]
        for spec, message in cases:
            with self.subTest(spec=spec):
                n = name()
                self.assertError(lambda: self.ddb.create_table(TableName=n, SSESpecification=spec, **PPR),
                                 'ValidationException', message)
                self.assertNotIn(n, self.ddb.list_tables()['TableNames'])

    def test_deletion_protection_and_table_class(self):
        n, d = self.create(DeletionProtectionEnabled=True, TableClass='STANDARD_INFREQUENT_ACCESS', **PPR)
        self.assertTrue(d['DeletionProtectionEnabled'])
        self.assertEqual(d['TableClassSummary'], {'TableClass': 'STANDARD_INFREQUENT_ACCESS'})
        n, d = self.create(**PPR)
        self.assertFalse(d['DeletionProtectionEnabled'])
        self.assertNotIn('TableClassSummary', d)

    def test_bad_table_class(self):
        n = name()
        self.assertRawError('CreateTable', dict(TableName=n, TableClass='GLACIER', BillingMode='PAY_PER_REQUEST', **KEY),
                            'ValidationException',
                            'Invalid table-class parameter provided. Please try again with a valid table-class value: [STANDARD, STANDARD_INFREQUENT_ACCESS].')
        self.assertRawError('CreateTable', dict(TableName=n, DeletionProtectionEnabled='true', BillingMode='PAY_PER_REQUEST', **KEY),
                            'SerializationException')
        self.assertNotIn(n, self.ddb.list_tables()['TableNames'])

    def test_on_demand_and_warm_throughput_accepted(self):
        n, d = self.create(OnDemandThroughput={'MaxReadRequestUnits': 100, 'MaxWriteRequestUnits': 50},
                           WarmThroughput={'ReadUnitsPerSecond': 12000, 'WriteUnitsPerSecond': 4000}, **PPR)
        self.assertEqual(d['OnDemandThroughput'], {'MaxReadRequestUnits': 100, 'MaxWriteRequestUnits': 50})
        self.assertEqual(d['WarmThroughput']['ReadUnitsPerSecond'], 12000)

    # ----- tags ------------------------------------------------------------------------

    def test_tags_are_stored(self):
        n, d = self.create(Tags=[{'Key': 'team', 'Value': 'a'}, {'Key': 'env', 'Value': ''}], **PPR)
        tags = self.ddb.list_tags_of_resource(ResourceArn=d['TableArn'])['Tags']
        self.assertEqual(sorted((t['Key'], t['Value']) for t in tags), [('env', ''), ('team', 'a')])

    def test_tag_errors(self):
        cases = [
            ([{'Key': 'k' * 129, 'Value': 'v'}],
             "1 validation error detected: Value '%s' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128" % ('k' * 129)),
            ([{'Key': 'a', 'Value': 'v'}, {'Key': 'b', 'Value': 'v' * 257}],
             "1 validation error detected: Value '%s' at 'tags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256" % ('v' * 257)),
            ([{'Key': 'aws:x', 'Value': 'v'}], 'Tag Key cannot be prefixed with aws:, Key: aws:x'),
            ([{'Key': 'a', 'Value': '1'}, {'Key': 'a', 'Value': '2'}],
             'Duplicate Tag Keys provided as input: Duplicate Tag Key found a'),
            ([{'Key': 'k%d' % i, 'Value': 'v'} for i in range(51)],
             'Number of Tags exceed the current limit for the provided ResourceArn'),
        ]
        for tags, message in cases:
            with self.subTest(message=message[:60]):
                n = name()
                self.assertError(lambda: self.ddb.create_table(TableName=n, Tags=tags, **PPR), 'ValidationException', message)
                self.assertNotIn(n, self.ddb.list_tables()['TableNames'])

    def test_fifty_tags_are_fine(self):
        n, d = self.create(Tags=[{'Key': 'k%d' % i, 'Value': 'v'} for i in range(50)], **PPR)
        self.assertEqual(len(self.ddb.list_tags_of_resource(ResourceArn=d['TableArn'])['Tags']), 50)

    def test_tag_missing_value_raw(self):
        n = name()
        self.assertRawError('CreateTable', dict(TableName=n, Tags=[{'Key': 'a'}], BillingMode='PAY_PER_REQUEST', **KEY),
                            'ValidationException',
                            "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null")
        self.assertRawError('CreateTable', dict(TableName=n, Tags={'a': 'b'}, BillingMode='PAY_PER_REQUEST', **KEY),
                            'SerializationException')

    # ----- the table itself --------------------------------------------------------------

    def test_existing_name_is_in_use(self):
        n, d = self.create(**PPR)
        self.assertError(lambda: self.ddb.create_table(TableName=n, **PPR), 'ResourceInUseException',
                         'Table already exists: ' + n)

    def test_table_id_is_a_uuid_and_stable(self):
        n, d = self.create(**PPR)
        self.assertRegex(d['TableId'], r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
        self.assertEqual(self.ddb.describe_table(TableName=n)['Table']['TableId'], d['TableId'])
        n2, d2 = self.create(**PPR)
        self.assertNotEqual(d2['TableId'], d['TableId'])

    def test_recreated_table_gets_new_id(self):
        n, d = self.create(**PPR)
        self.ddb.delete_table(TableName=n)
        n, d2 = self.create(TableName=n, **PPR)
        self.assertNotEqual(d['TableId'], d2['TableId'])

    def test_description_members(self):
        n, d = self.create(**PPR)
        self.assertEqual(d['TableArn'], 'arn:aws:dynamodb:us-east-1:000000000000:table/' + n)
        self.assertEqual((d['ItemCount'], d['TableSizeBytes']), (0, 0))
        for member in ('AttributeDefinitions', 'KeySchema', 'CreationDateTime', 'TableId'):
            self.assertIn(member, d)


if __name__ == '__main__':
    unittest.main()
