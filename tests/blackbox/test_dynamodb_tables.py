"""Black-box tests of the DynamoDB table operations (CreateTable, DescribeTable,
ListTables, DeleteTable) against the real binary, with boto3, raw HTTP and the AWS CLI.

Every invalid request is checked twice: the AWS error (code, message, HTTP 400)
and that nothing was created.
"""

import json
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from harness import StreamerTestCase

TARGET_PREFIX = 'DynamoDB_20120810.'


def hash_key(name='pk', type_='S'):
    return dict(KeySchema=[{'AttributeName': name, 'KeyType': 'HASH'}],
                AttributeDefinitions=[{'AttributeName': name, 'AttributeType': type_}])


def hash_range(hname='pk', htype='S', rname='sk', rtype='N'):
    return dict(KeySchema=[{'AttributeName': hname, 'KeyType': 'HASH'},
                           {'AttributeName': rname, 'KeyType': 'RANGE'}],
                AttributeDefinitions=[{'AttributeName': hname, 'AttributeType': htype},
                                      {'AttributeName': rname, 'AttributeType': rtype}])


ON_DEMAND = {'BillingMode': 'PAY_PER_REQUEST'}


class DynamoTestCase(StreamerTestCase):
    """One server per class; helpers for errors and raw requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb = cls.server.client('dynamodb')

    def assertAwsError(self, call, code, message=None, contains=None, **kwargs):
        """`call(**kwargs)` fails with `code` (HTTP 400) and, if given, exactly `message`
        or a message containing `contains`. Returns the ClientError response."""
        with self.assertRaises(ClientError) as ctx:
            call(**kwargs)
        err = ctx.exception.response
        self.assertEqual(err['Error']['Code'], code, err['Error'].get('Message'))
        self.assertEqual(err['ResponseMetadata']['HTTPStatusCode'], 400)
        if message is not None:
            self.assertEqual(err['Error']['Message'], message)
        if contains is not None:
            self.assertIn(contains, err['Error']['Message'])
        return err

    def raw(self, operation, body):
        """POST a raw JSON 1.0 request (body: dict or bytes). Returns (status, parsed body)."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        req = urllib.request.Request(self.server.endpoint + '/', data=data, method='POST', headers={
            'Content-Type': 'application/x-amz-json-1.0',
            'X-Amz-Target': TARGET_PREFIX + operation,
        })
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                status, text = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, text = err.code, err.read()
        return status, (json.loads(text) if text else None)

    def assertRawError(self, operation, body, code, message=None, contains=None):
        status, out = self.raw(operation, body)
        self.assertEqual(status, 400, out)
        self.assertEqual(out['__type'].split('#')[-1], code, out)
        if message is not None:
            self.assertEqual(out.get('message', out.get('Message')), message)
        if contains is not None:
            self.assertIn(contains, out.get('message', out.get('Message', '')))
        return out

    def table_names(self):
        names, start = [], None
        while True:
            kwargs = {'ExclusiveStartTableName': start} if start else {}
            page = self.ddb.list_tables(**kwargs)
            names += page['TableNames']
            start = page.get('LastEvaluatedTableName')
            if not start:
                return names

    def assertNoTable(self, name):
        self.assertNotIn(name, self.table_names())
        self.assertAwsError(self.ddb.describe_table, 'ResourceNotFoundException', TableName=name)


class CreateDescribeTest(DynamoTestCase):

    def test_hash_only_string_key_on_demand(self):
        out = self.ddb.create_table(TableName='Hash_S.table-1', **hash_key('id', 'S'), **ON_DEMAND)
        d = out['TableDescription']
        self.assertEqual(d['TableName'], 'Hash_S.table-1')
        self.assertEqual(d['TableStatus'], 'ACTIVE')
        self.assertEqual(d['KeySchema'], [{'AttributeName': 'id', 'KeyType': 'HASH'}])
        self.assertEqual(d['AttributeDefinitions'], [{'AttributeName': 'id', 'AttributeType': 'S'}])
        self.assertEqual(d['BillingModeSummary']['BillingMode'], 'PAY_PER_REQUEST')
        self.assertEqual(d['ProvisionedThroughput']['ReadCapacityUnits'], 0)
        self.assertEqual(d['ProvisionedThroughput']['WriteCapacityUnits'], 0)
        self.assertEqual(d['TableArn'], 'arn:aws:dynamodb:us-east-1:000000000000:table/Hash_S.table-1')
        self.assertNotIn('StreamSpecification', d)
        self.assertNotIn('LatestStreamArn', d)

        got = self.ddb.describe_table(TableName='Hash_S.table-1')['Table']
        for field in ('TableName', 'KeySchema', 'AttributeDefinitions', 'TableArn', 'TableStatus',
                      'BillingModeSummary', 'CreationDateTime'):
            self.assertEqual(got[field], d[field], field)

    def test_hash_range_number_and_binary_provisioned(self):
        d = self.ddb.create_table(TableName='HashRange_NB', **hash_range('h', 'N', 'r', 'B'),
                                  ProvisionedThroughput={'ReadCapacityUnits': 5,
                                                         'WriteCapacityUnits': 7})['TableDescription']
        self.assertEqual(d['KeySchema'], [{'AttributeName': 'h', 'KeyType': 'HASH'},
                                          {'AttributeName': 'r', 'KeyType': 'RANGE'}])
        got = self.ddb.describe_table(TableName='HashRange_NB')['Table']
        self.assertEqual(got['ProvisionedThroughput']['ReadCapacityUnits'], 5)
        self.assertEqual(got['ProvisionedThroughput']['WriteCapacityUnits'], 7)
        self.assertNotEqual(got.get('BillingModeSummary', {}).get('BillingMode'), 'PAY_PER_REQUEST')
        self.assertEqual(sorted((a['AttributeName'], a['AttributeType'])
                                for a in got['AttributeDefinitions']), [('h', 'N'), ('r', 'B')])

    def test_binary_hash_key_holds_items(self):
        self.ddb.create_table(TableName='HashB', **hash_key('k', 'B'), **ON_DEMAND)
        self.ddb.put_item(TableName='HashB', Item={'k': {'B': b'\x00\x01'}, 'v': {'S': 'x'}})
        got = self.ddb.get_item(TableName='HashB', Key={'k': {'B': b'\x00\x01'}})
        self.assertEqual(got['Item']['v'], {'S': 'x'})

    def test_stream_specification(self):
        for view in ('KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'):
            with self.subTest(view=view):
                name = 'Streamed_' + view
                d = self.ddb.create_table(TableName=name, **hash_key(), **ON_DEMAND,
                                          StreamSpecification={'StreamEnabled': True,
                                                               'StreamViewType': view})['TableDescription']
                self.assertEqual(d['StreamSpecification'], {'StreamEnabled': True, 'StreamViewType': view})
                got = self.ddb.describe_table(TableName=name)['Table']
                self.assertEqual(got['StreamSpecification'], d['StreamSpecification'])
                self.assertTrue(got['LatestStreamArn'].startswith(got['TableArn'] + '/stream/'))
                self.assertEqual(got['LatestStreamArn'], got['TableArn'] + '/stream/' + got['LatestStreamLabel'])

    def test_stream_disabled_is_no_stream(self):
        d = self.ddb.create_table(TableName='NotStreamed', **hash_key(), **ON_DEMAND,
                                  StreamSpecification={'StreamEnabled': False})['TableDescription']
        self.assertNotIn('LatestStreamArn', d)
        self.assertNotIn('LatestStreamArn', self.ddb.describe_table(TableName='NotStreamed')['Table'])

    def test_waiter_table_exists_and_not_exists(self):
        self.ddb.create_table(TableName='Waited', **hash_key(), **ON_DEMAND)
        self.ddb.get_waiter('table_exists').wait(TableName='Waited',
                                                 WaiterConfig={'Delay': 1, 'MaxAttempts': 3})
        self.ddb.delete_table(TableName='Waited')
        self.ddb.get_waiter('table_not_exists').wait(TableName='Waited',
                                                     WaiterConfig={'Delay': 1, 'MaxAttempts': 3})

    def test_duplicate_is_resource_in_use_and_keeps_original(self):
        self.ddb.create_table(TableName='Dup', **hash_key('a', 'S'), **ON_DEMAND)
        self.ddb.put_item(TableName='Dup', Item={'a': {'S': 'kept'}})
        self.assertAwsError(self.ddb.create_table, 'ResourceInUseException',
                            contains='Dup', TableName='Dup', **hash_key('b', 'N'), **ON_DEMAND)
        got = self.ddb.describe_table(TableName='Dup')['Table']
        self.assertEqual(got['KeySchema'], [{'AttributeName': 'a', 'KeyType': 'HASH'}])
        self.assertIn('Item', self.ddb.get_item(TableName='Dup', Key={'a': {'S': 'kept'}}))

    def test_describe_missing_table(self):
        self.assertAwsError(self.ddb.describe_table, 'ResourceNotFoundException',
                            'Requested resource not found: Table: NoSuchTable not found',
                            TableName='NoSuchTable')

    def test_table_survives_restart(self):
        self.ddb.create_table(TableName='Durable', **hash_range('p', 'S', 's', 'N'), **ON_DEMAND,
                              StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})
        before = self.ddb.describe_table(TableName='Durable')['Table']
        self.ddb.put_item(TableName='Durable', Item={'p': {'S': 'x'}, 's': {'N': '1'}})
        self.server.restart()
        ddb = self.server.client('dynamodb')
        type(self).ddb = ddb
        after = ddb.describe_table(TableName='Durable')['Table']
        for field in ('KeySchema', 'AttributeDefinitions', 'TableArn', 'LatestStreamArn',
                      'StreamSpecification', 'CreationDateTime'):
            self.assertEqual(after[field], before[field], field)
        self.assertIn('Item', ddb.get_item(TableName='Durable', Key={'p': {'S': 'x'}, 's': {'N': '1'}}))


    def test_stack_table_stream_is_restored_at_restart(self):
        # The seed stack declares TheDynamoStreamer with a NEW_IMAGE stream; a
        # stream disabled through the API comes back (a new stream) at the next
        # start, and the seed's flow runs again.
        ddb = self.ddb
        old = ddb.describe_table(TableName='TheDynamoStreamer')['Table']['LatestStreamArn']
        ddb.update_table(TableName='TheDynamoStreamer', StreamSpecification={'StreamEnabled': False})
        self.assertNotIn('StreamSpecification', ddb.describe_table(TableName='TheDynamoStreamer')['Table'])
        self.server.restart()
        ddb = self.server.client('dynamodb')
        type(self).ddb = ddb
        table = ddb.describe_table(TableName='TheDynamoStreamer')['Table']
        self.assertEqual(table['StreamSpecification'], {'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})
        self.assertNotEqual(table['LatestStreamArn'], old)
        self.server.wait_for_output(r'table TheDynamoStreamer: stream set to NEW_IMAGE', timeout=5)
        status, _, _ = self.server.gateway('POST', '/InsertItem', json={'message': 'after-restore'})
        self.assertEqual(status, 200)
        self.server.wait_for_output(r'\[DynamoLambdaHandler\] request: .*after-restore', timeout=10)


class InvalidCreateTableTest(DynamoTestCase):
    """Each bad request: ValidationException (or the AWS error it is) and no table."""

    def check_rejected(self, name, kwargs, code='ValidationException', contains=None, message=None):
        with self.subTest(name=name, kwargs=kwargs):
            self.assertAwsError(self.ddb.create_table, code, message=message, contains=contains,
                                TableName=name, **kwargs)
            if 3 <= len(name) <= 255 and all(c.isalnum() and c.isascii() or c in '_.-' for c in name):
                self.assertNoTable(name)
            else:
                self.assertNotIn(name, self.table_names())

    def test_bad_table_names(self):
        for name, constraint in [
                ('ab', 'Member must have length greater than or equal to 3'),
                ('x' * 256, 'Member must have length less than or equal to 255'),
                ('has space', 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+'),
                ('bad$name', 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+'),
                ('t\u00e9l\u00e9', 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+')]:
            self.check_rejected(name, dict(**hash_key(), **ON_DEMAND),
                                message="1 validation error detected: Value '%s' at 'tableName' "
                                        "failed to satisfy constraint: %s" % (name, constraint))

    def test_key_schema_attribute_not_defined(self):
        self.check_rejected('BadKeys1', dict(
            KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],
            AttributeDefinitions=[{'AttributeName': 'other', 'AttributeType': 'S'}], **ON_DEMAND),
            message='One or more parameter values were invalid: Some index key attributes are not '
                    'defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [other]')

    def test_range_key_not_defined(self):
        self.check_rejected('BadKeys2', dict(
            KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'},
                       {'AttributeName': 'sk', 'KeyType': 'RANGE'}],
            AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}], **ON_DEMAND),
            contains='Some index key attributes are not defined in AttributeDefinitions')

    def test_extra_attribute_definition(self):
        self.check_rejected('BadKeys3', dict(
            KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],
            AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'},
                                  {'AttributeName': 'unused', 'AttributeType': 'N'}], **ON_DEMAND),
            message='One or more parameter values were invalid: Number of attributes in KeySchema does '
                    'not exactly match number of attributes defined in AttributeDefinitions')

    def test_bad_attribute_type(self):
        self.check_rejected('BadType1', dict(
            KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],
            AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'SS'}], **ON_DEMAND),
            message="1 validation error detected: Value 'SS' at 'attributeDefinitions.1.member.attributeType' "
                    "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]")
        self.check_rejected('BadType2', dict(
            KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}],
            AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'},
                                  {'AttributeName': 'sk', 'AttributeType': 'BOOL'}], **ON_DEMAND),
            contains="Value 'BOOL' at 'attributeDefinitions.2.member.attributeType'")

    def test_bad_key_type(self):
        self.check_rejected('BadKeyType', dict(
            KeySchema=[{'AttributeName': 'pk', 'KeyType': 'PRIMARY'}],
            AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}], **ON_DEMAND),
            contains="Value 'PRIMARY' at 'keySchema.1.member.keyType' failed to satisfy constraint: "
                     "Member must satisfy enum value set: [HASH, RANGE]")

    def test_key_schema_shapes(self):
        defs = [{'AttributeName': 'a', 'AttributeType': 'S'}, {'AttributeName': 'b', 'AttributeType': 'S'}]
        self.check_rejected('TwoHash', dict(
            KeySchema=[{'AttributeName': 'a', 'KeyType': 'HASH'}, {'AttributeName': 'b', 'KeyType': 'HASH'}],
            AttributeDefinitions=defs, **ON_DEMAND), contains='exactly one hash key')
        self.check_rejected('RangeFirst', dict(
            KeySchema=[{'AttributeName': 'a', 'KeyType': 'RANGE'}, {'AttributeName': 'b', 'KeyType': 'HASH'}],
            AttributeDefinitions=defs, **ON_DEMAND),
            message='Invalid KeySchema: The first KeySchemaElement is not a HASH key type')
        self.check_rejected('SameName', dict(
            KeySchema=[{'AttributeName': 'a', 'KeyType': 'HASH'}, {'AttributeName': 'a', 'KeyType': 'RANGE'}],
            AttributeDefinitions=defs[:1], **ON_DEMAND),
            message='Both the Hash Key and the Range Key element in the KeySchema have the same name')
        # boto3 refuses an empty KeySchema itself; the server must too.
        self.assertRawError('CreateTable', dict(TableName='EmptyKeys', KeySchema=[],
                                                AttributeDefinitions=defs[:1], **ON_DEMAND),
                            'ValidationException',
                            "1 validation error detected: Value '[]' at 'keySchema' failed to satisfy "
                            "constraint: Member must have length greater than or equal to 1")
        self.assertNoTable('EmptyKeys')
        self.check_rejected('ThreeKeys', dict(
            KeySchema=[{'AttributeName': 'a', 'KeyType': 'HASH'}, {'AttributeName': 'b', 'KeyType': 'RANGE'},
                       {'AttributeName': 'c', 'KeyType': 'RANGE'}],
            AttributeDefinitions=defs + [{'AttributeName': 'c', 'AttributeType': 'S'}], **ON_DEMAND),
            contains='Member must have length less than or equal to 2')
        self.check_rejected('DupDefs', dict(
            KeySchema=[{'AttributeName': 'a', 'KeyType': 'HASH'}],
            AttributeDefinitions=[defs[0], {'AttributeName': 'a', 'AttributeType': 'N'}], **ON_DEMAND),
            contains='Cannot have two attributes with the same name')

    def test_billing(self):
        self.check_rejected('NoThroughput', dict(**hash_key()),
                            message='One or more parameter values were invalid: ReadCapacityUnits and '
                                    'WriteCapacityUnits must both be specified when BillingMode is PROVISIONED')
        self.check_rejected('OnDemandWithThroughput', dict(
            **hash_key(), BillingMode='PAY_PER_REQUEST',
            ProvisionedThroughput={'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1}),
            message='One or more parameter values were invalid: Neither ReadCapacityUnits nor '
                    'WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST')
        # boto3 refuses capacity 0 itself; the server must too.
        self.assertRawError('CreateTable', dict(
            TableName='ZeroThroughput', **hash_key(),
            ProvisionedThroughput={'ReadCapacityUnits': 0, 'WriteCapacityUnits': 1}),
            'ValidationException',
            "1 validation error detected: Value '0' at 'provisionedThroughput.readCapacityUnits' failed "
            "to satisfy constraint: Member must have value greater than or equal to 1")
        self.assertNoTable('ZeroThroughput')
        self.check_rejected('BadBilling', dict(**hash_key(), BillingMode='FREE'),
                            contains='Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]')

    def test_stream_spec(self):
        self.check_rejected('StreamNoView', dict(**hash_key(), **ON_DEMAND,
                                                 StreamSpecification={'StreamEnabled': True}),
                            message='One or more parameter values were invalid: Table is being created with '
                                    'a stream enabled, UpdateViewType is required')  # AWS's observed wording
        self.check_rejected('StreamBadView', dict(**hash_key(), **ON_DEMAND,
                                                  StreamSpecification={'StreamEnabled': True,
                                                                       'StreamViewType': 'EVERYTHING'}),
                            contains="Value 'EVERYTHING' at 'streamSpecification.streamViewType'")

    def test_raw_wrong_member_types_and_missing_members(self):
        good = {'TableName': 'RawBad', 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'}],
                'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'}],
                'BillingMode': 'PAY_PER_REQUEST'}
        for change, code in [({'TableName': 5}, 'SerializationException'),
                             ({'KeySchema': 'pk'}, 'SerializationException'),
                             ({'AttributeDefinitions': {'pk': 'S'}}, 'SerializationException'),
                             ({'TableName': None}, 'ValidationException'),
                             ({'KeySchema': None}, 'ValidationException'),
                             ({'AttributeDefinitions': None}, 'ValidationException')]:
            with self.subTest(change=change):
                body = dict(good)
                body.update(change)
                body = {k: v for k, v in body.items() if v is not None}
                self.assertRawError('CreateTable', body, code)
                self.assertNoTable('RawBad')
        # The same body, well-formed, works: the checks above failed for the reason given.
        status, out = self.raw('CreateTable', good)
        self.assertEqual(status, 200, out)
        self.assertEqual(out['TableDescription']['TableName'], 'RawBad')


class ListDeleteTest(DynamoTestCase):

    def test_list_tables_pagination(self):
        mine = ['List_%02d' % i for i in range(7)]
        for name in reversed(mine):
            self.ddb.create_table(TableName=name, **hash_key(), **ON_DEMAND)
        everything = self.ddb.list_tables()['TableNames']
        self.assertEqual(everything, sorted(everything))
        for name in mine:
            self.assertIn(name, everything)
        # Pages of 2 from the start, then from an explicit start.
        pages, start = [], None
        while True:
            kwargs = {'Limit': 2}
            if start:
                kwargs['ExclusiveStartTableName'] = start
            page = self.ddb.list_tables(**kwargs)
            self.assertLessEqual(len(page['TableNames']), 2)
            pages.append(page['TableNames'])
            start = page.get('LastEvaluatedTableName')
            if start:
                self.assertEqual(start, page['TableNames'][-1])
            else:
                break
        self.assertEqual([n for p in pages for n in p], everything)
        after = self.ddb.list_tables(ExclusiveStartTableName='List_03', Limit=3)
        self.assertEqual(after['TableNames'], ['List_04', 'List_05', 'List_06'])
        # A start name that is not a table still works (names after it).
        self.assertEqual(self.ddb.list_tables(ExclusiveStartTableName='List_03x')['TableNames'][:3],
                         ['List_04', 'List_05', 'List_06'])
        # boto3's paginator sees every table exactly once.
        seen = []
        for page in self.ddb.get_paginator('list_tables').paginate(PaginationConfig={'PageSize': 3}):
            seen += page['TableNames']
        self.assertEqual(seen, everything)

    def test_list_tables_bad_limit(self):
        self.assertAwsError(self.ddb.list_tables, 'ValidationException',
                            contains="Value '101' at 'limit' failed to satisfy constraint: "
                                     "Member must have value less than or equal to 100", Limit=101)
        self.assertRawError('ListTables', {'Limit': 0}, 'ValidationException',
                            contains='Member must have value greater than or equal to 1')

    def test_delete_then_recreate_has_no_stale_items(self):
        self.ddb.create_table(TableName='Recreated', **hash_range('p', 'S', 's', 'N'), **ON_DEMAND)
        for i in range(20):
            self.ddb.put_item(TableName='Recreated', Item={'p': {'S': 'x'}, 's': {'N': str(i)},
                                                           'old': {'BOOL': True}})
        d = self.ddb.delete_table(TableName='Recreated')['TableDescription']
        self.assertEqual(d['TableName'], 'Recreated')
        self.assertEqual(d['TableStatus'], 'DELETING')
        self.assertNoTable('Recreated')
        self.assertAwsError(self.ddb.get_item, 'ResourceNotFoundException', TableName='Recreated',
                            Key={'p': {'S': 'x'}, 's': {'N': '1'}})
        self.assertAwsError(self.ddb.put_item, 'ResourceNotFoundException', TableName='Recreated',
                            Item={'p': {'S': 'x'}, 's': {'N': '1'}})
        self.assertAwsError(self.ddb.scan, 'ResourceNotFoundException', TableName='Recreated')

        self.ddb.create_table(TableName='Recreated', **hash_range('p', 'S', 's', 'N'), **ON_DEMAND)
        self.assertEqual(self.ddb.scan(TableName='Recreated')['Items'], [])
        self.assertNotIn('Item', self.ddb.get_item(TableName='Recreated', Key={'p': {'S': 'x'}, 's': {'N': '1'}}))
        q = self.ddb.query(TableName='Recreated', KeyConditionExpression='p = :p',
                           ExpressionAttributeValues={':p': {'S': 'x'}})
        self.assertEqual(q['Count'], 0)
        # Re-created with another schema: the new schema applies.
        self.ddb.delete_table(TableName='Recreated')
        self.ddb.create_table(TableName='Recreated', **hash_key('other', 'N'), **ON_DEMAND)
        self.ddb.put_item(TableName='Recreated', Item={'other': {'N': '1'}})
        self.assertEqual(self.ddb.scan(TableName='Recreated')['Items'], [{'other': {'N': '1'}}])

    def test_delete_missing_table(self):
        self.assertAwsError(self.ddb.delete_table, 'ResourceNotFoundException',
                            contains='Requested resource not found', TableName='NeverThere')


class AwsCliTablesTest(DynamoTestCase):

    def test_cli_create_describe_list_delete(self):
        s = self.server
        rc, out, err = s.aws('dynamodb', 'create-table', '--table-name', 'CliTable',
                             '--attribute-definitions', 'AttributeName=pk,AttributeType=S',
                             'AttributeName=sk,AttributeType=N',
                             '--key-schema', 'AttributeName=pk,KeyType=HASH', 'AttributeName=sk,KeyType=RANGE',
                             '--billing-mode', 'PAY_PER_REQUEST')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['TableDescription']['TableName'], 'CliTable')
        rc, out, err = s.aws('dynamodb', 'describe-table', '--table-name', 'CliTable')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['Table']['KeySchema'][1], {'AttributeName': 'sk', 'KeyType': 'RANGE'})
        rc, out, err = s.aws('dynamodb', 'list-tables')
        self.assertEqual(rc, 0, err)
        self.assertIn('CliTable', out['TableNames'])
        rc, out, err = s.aws('dynamodb', 'delete-table', '--table-name', 'CliTable')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['TableDescription']['TableStatus'], 'DELETING')
        self.assertNoTable('CliTable')

    def test_cli_errors(self):
        s = self.server
        rc, out, err = s.aws('dynamodb', 'create-table', '--table-name', 'CliBad',
                             '--attribute-definitions', 'AttributeName=x,AttributeType=S',
                             '--key-schema', 'AttributeName=pk,KeyType=HASH',
                             '--billing-mode', 'PAY_PER_REQUEST')
        self.assertNotEqual(rc, 0)
        self.assertIn('ValidationException', err)
        self.assertIn('Some index key attributes are not defined', err)
        self.assertNoTable('CliBad')


if __name__ == '__main__':
    unittest.main()
