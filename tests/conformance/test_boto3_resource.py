"""boto3's high-level resource API against the real binary: Table.put_item / get_item / query /
update_item / delete_item with Python values (Decimal, sets, bytes), the condition builders of
boto3.dynamodb.conditions (Key / Attr), batch_writer (with overwrite_by_pkeys), the client's
paginators for Query and Scan, and the table waiters.

batch_writer needs BatchWriteItem (wt-txn)."""

import unittest
from decimal import Decimal

import boto3
from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary
from botocore.config import Config
from botocore.exceptions import ClientError

from conformance import ConformanceCase


class Boto3ResourceCase(ConformanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dynamodb = boto3.session.Session().resource(
            'dynamodb', endpoint_url=cls.server.endpoint, region_name='us-east-1',
            aws_access_key_id='AKIDSTREAMERTEST', aws_secret_access_key='streamer-test-secret',
            config=Config(retries={'max_attempts': 1}))

    def resource_table(self, **kw):
        return self.dynamodb.Table(self.table(**kw))


class TableLifecycleTest(Boto3ResourceCase):
    def test_create_wait_load_delete_wait(self):
        table = self.dynamodb.create_table(
            TableName='boto3-lifecycle', BillingMode='PAY_PER_REQUEST',
            KeySchema=[{'AttributeName': 'id', 'KeyType': 'HASH'},
                       {'AttributeName': 'at', 'KeyType': 'RANGE'}],
            AttributeDefinitions=[{'AttributeName': 'id', 'AttributeType': 'S'},
                                  {'AttributeName': 'at', 'AttributeType': 'N'}])
        table.wait_until_exists()
        self.assertEqual(table.table_status, 'ACTIVE')
        self.assertEqual(table.key_schema, [{'AttributeName': 'id', 'KeyType': 'HASH'},
                                            {'AttributeName': 'at', 'KeyType': 'RANGE'}])
        self.assertEqual(table.billing_mode_summary['BillingMode'], 'PAY_PER_REQUEST')
        self.assertTrue(table.table_arn.endswith(':table/boto3-lifecycle'), table.table_arn)
        self.assertIn('boto3-lifecycle', [t.name for t in self.dynamodb.tables.all()])
        self.ddb.get_waiter('table_exists').wait(TableName='boto3-lifecycle',
                                                 WaiterConfig={'Delay': 1, 'MaxAttempts': 3})
        table.delete()
        table.wait_until_not_exists()
        self.ddb.get_waiter('table_not_exists').wait(TableName='boto3-lifecycle',
                                                     WaiterConfig={'Delay': 1, 'MaxAttempts': 3})
        with self.assertRaises(ClientError) as ctx:
            table.reload()
        self.assertEqual(ctx.exception.response['Error']['Code'], 'ResourceNotFoundException')

    def test_waiter_for_a_table_that_never_appears_gives_up(self):
        from botocore.exceptions import WaiterError
        with self.assertRaises(WaiterError):
            self.ddb.get_waiter('table_exists').wait(TableName='never-created',
                                                     WaiterConfig={'Delay': 1, 'MaxAttempts': 2})


class ItemRoundTripTest(Boto3ResourceCase):
    """Python values in, the same Python values out (numbers as Decimal)."""

    def test_every_type_round_trips(self):
        table = self.resource_table()
        item = {
            'pk': 'all-types', 'int': 42, 'neg': Decimal('-17.25'), 'zero': Decimal('0'),
            'text': 'héllo ✓', 'empty': '', 'flag': False, 'nothing': None,
            'bin': Binary(b'\x00\x01\xfe\xff'), 'raw': b'bytes too',
            'ss': {'a', 'b'}, 'ns': {Decimal('1'), Decimal('2.5')}, 'bs': {Binary(b'x'), Binary(b'y')},
            'list': [1, 'two', [Decimal('3.5')], {'k': None}],
            'map': {'nested': {'deeper': {'n': Decimal('1e-5')}}, 'tags': {'t'}},
        }
        table.put_item(Item=item)
        got = table.get_item(Key={'pk': 'all-types'}, ConsistentRead=True)['Item']
        expected = dict(item, int=Decimal(42), raw=Binary(b'bytes too'),
                        list=[Decimal(1), 'two', [Decimal('3.5')], {'k': None}],
                        map={'nested': {'deeper': {'n': Decimal('0.00001')}}, 'tags': {'t'}})
        self.assertEqual(got, expected)
        self.assertIsInstance(got['int'], Decimal)
        self.assertIsInstance(got['bin'], Binary)

    # (stored, read back, whether the text read back is exactly `back`): DynamoDB keeps 38
    # significant digits and trims leading and trailing zeroes (Developer Guide, "Number").
    # Small exponent forms are compared by value: AWS documents no text form for them.
    DECIMALS = [
        (Decimal('3.1415926535897932384626433832795028841'), '3.1415926535897932384626433832795028841', True),
        (Decimal('12345678901234567890123456789012345678'), '12345678901234567890123456789012345678', True),
        (Decimal('-0.00000000000000000000000000000000000001'), '-0.00000000000000000000000000000000000001', False),
        (Decimal('1E-130'), '1E-130', False),
        (Decimal('-1E-130'), '-1E-130', False),
        (Decimal('1E+2'), '100', True),
        (Decimal('1.500'), '1.5', True),
        (Decimal('123.4500'), '123.45', True),
        (Decimal('007'), '7', True),
        (Decimal('0.000'), '0', True),
        (Decimal('-0'), '0', True),
        (Decimal('100'), '100', True),
    ]

    def test_decimal_precision_and_normal_form(self):
        table = self.resource_table()
        for i, (stored, back, exact_text) in enumerate(self.DECIMALS):
            with self.subTest(stored=str(stored)):
                table.put_item(Item={'pk': 'n%d' % i, 'v': stored})
                got = table.get_item(Key={'pk': 'n%d' % i})['Item']['v']
                self.assertEqual(got, Decimal(back))
                raw = self.ddb.get_item(TableName=table.name, Key={'pk': {'S': 'n%d' % i}})['Item']['v']['N']
                if exact_text:
                    self.assertEqual(raw, back)

    def test_large_numbers_come_back_in_plain_digits(self):
        # AWS answers 1E+100 as "1" and 100 zeros (boto/boto3#2500), which the resource API's
        # deserializer cannot read (decimal.Rounded); the client reads the text as it is.
        table = self.resource_table()
        for i, (stored, digits) in enumerate([
                (Decimal('1E+100'), '1' + '0' * 100),
                (Decimal('9.9999999999999999999999999999999999999E+125'), '9' * 38 + '0' * 88),
                (Decimal('-1.5E+40'), '-15' + '0' * 39)]):
            with self.subTest(stored=str(stored)):
                table.put_item(Item={'pk': 'big%d' % i, 'v': stored})
                raw = self.ddb.get_item(TableName=table.name, Key={'pk': {'S': 'big%d' % i}})['Item']['v']['N']
                self.assertEqual(raw, digits)
                self.assertEqual(Decimal(raw), stored)

    def test_numbers_out_of_range_are_refused(self):
        table = self.resource_table(items=[{'pk': {'S': 'keep'}}])
        for value, message in [
                (Decimal('1E+126'), 'Number overflow. Attempting to store a number with magnitude '
                                    'larger than supported range'),
                (Decimal('-1E+126'), 'Number overflow. Attempting to store a number with magnitude '
                                     'larger than supported range'),
                (Decimal('1E-131'), 'Number underflow. Attempting to store a number with magnitude '
                                    'smaller than supported range')]:
            with self.subTest(value=str(value)):
                self.assertError(lambda: table.put_item(Item={'pk': 'x', 'v': value}),
                                 'ValidationException', message, unchanged=[table.name])

    def test_floats_need_decimal(self):
        # boto3 refuses floats before sending anything (the reason the resource API uses Decimal).
        table = self.resource_table()
        with self.assertRaises(TypeError):
            table.put_item(Item={'pk': 'f', 'v': 1.5})
        self.assertEqual(self.items(table.name), [])


class ConditionsTest(Boto3ResourceCase):
    """boto3.dynamodb.conditions builders: each compiles to an expression the server evaluates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.name = None

    def setUp(self):
        if ConditionsTest.name is None:
            rows = []
            for i in range(1, 21):
                row = {'pk': {'S': 'user'}, 'sk': {'S': 'item#%02d' % i}, 'n': {'N': str(i)},
                       'color': {'S': ['red', 'green', 'blue'][i % 3]},
                       'tags': {'SS': ['t%d' % (i % 4), 'all']}}
                if i % 5 == 0:
                    row['gift'] = {'BOOL': True}
                rows.append(row)
            rows.append({'pk': {'S': 'user'}, 'sk': {'S': 'profile'}, 'name': {'S': 'Ann Lee'}})
            rows.append({'pk': {'S': 'other'}, 'sk': {'S': 'item#01'}, 'n': {'N': '1'}})
            ConditionsTest.name = self.table(range_key=('sk', 'S'), hash_key=('pk', 'S'), items=rows)
        self.t = self.dynamodb.Table(ConditionsTest.name)

    def query_sks(self, key, **kw):
        out = self.t.query(KeyConditionExpression=key, **kw)
        return [it['sk'] for it in out['Items']]

    # (key condition, filter or None, expected sort keys in order)
    QUERIES = [
        (Key('pk').eq('user') & Key('sk').begins_with('item#0'), None,
         ['item#%02d' % i for i in range(1, 10)]),
        (Key('pk').eq('user') & Key('sk').between('item#05', 'item#07'), None,
         ['item#05', 'item#06', 'item#07']),
        (Key('pk').eq('user') & Key('sk').gt('item#18'), None, ['item#19', 'item#20', 'profile']),
        (Key('pk').eq('user') & Key('sk').gte('item#20'), None, ['item#20', 'profile']),
        (Key('pk').eq('user') & Key('sk').lt('item#02'), None, ['item#01']),
        (Key('pk').eq('user') & Key('sk').lte('item#02'), None, ['item#01', 'item#02']),
        (Key('pk').eq('user') & Key('sk').eq('profile'), None, ['profile']),
        (Key('pk').eq('user'), Attr('n').gt(17), ['item#18', 'item#19', 'item#20']),
        (Key('pk').eq('user'), Attr('gift').exists(), ['item#05', 'item#10', 'item#15', 'item#20']),
        (Key('pk').eq('user') & Key('sk').begins_with('item'), Attr('gift').not_exists() & Attr('n').lt(4),
         ['item#01', 'item#02', 'item#03']),
        (Key('pk').eq('user'), Attr('color').eq('red') & Attr('n').between(1, 10), ['item#03', 'item#06', 'item#09']),
        (Key('pk').eq('user'), Attr('color').is_in(['blue', 'nope']) & Attr('n').lte(6), ['item#02', 'item#05']),
        (Key('pk').eq('user'), Attr('tags').contains('t3') & Attr('n').ne(3),
         ['item#07', 'item#11', 'item#15', 'item#19']),
        (Key('pk').eq('user'), Attr('name').begins_with('Ann'), ['profile']),
        (Key('pk').eq('user'), Attr('name').contains('Lee') | Attr('n').eq(1), ['item#01', 'profile']),
        (Key('pk').eq('user'), Attr('name').size().gt(5), ['profile']),
        (Key('pk').eq('user'), Attr('gift').attribute_type('BOOL') & ~Attr('n').gt(10), ['item#05', 'item#10']),
        (Key('pk').eq('other'), None, ['item#01']),
        (Key('pk').eq('nobody'), None, []),
    ]

    def test_key_and_attr_conditions(self):
        for i, (key, filt, expected) in enumerate(self.QUERIES):
            with self.subTest(case=i):
                kw = {'FilterExpression': filt} if filt is not None else {}
                self.assertEqual(self.query_sks(key, **kw), expected)

    def test_reverse_order_limit_and_select_count(self):
        self.assertEqual(self.query_sks(Key('pk').eq('user') & Key('sk').begins_with('item'),
                                        ScanIndexForward=False, Limit=3),
                         ['item#20', 'item#19', 'item#18'])
        out = self.t.query(KeyConditionExpression=Key('pk').eq('user'), Select='COUNT',
                           FilterExpression=Attr('gift').eq(True))
        self.assertEqual((out['Count'], out['ScannedCount']), (4, 21))
        self.assertNotIn('Items', out)

    def test_scan_with_attr_filter_and_projection(self):
        out = self.t.scan(FilterExpression=Attr('n').eq(1), ProjectionExpression='pk, sk')
        self.assertEqual(sorted((it['pk'], it['sk']) for it in out['Items']),
                         [('other', 'item#01'), ('user', 'item#01')])

    def test_wrong_key_type_is_refused(self):
        self.assertError(lambda: self.t.query(KeyConditionExpression=Key('pk').eq(1)),
                         'ValidationException',
                         'One or more parameter values were invalid: Condition parameter type does '
                         'not match schema type')

    def test_filter_on_a_key_attribute_is_refused(self):
        self.assertError(lambda: self.t.query(KeyConditionExpression=Key('pk').eq('user'),
                                              FilterExpression=Attr('sk').eq('profile')),
                         'ValidationException',
                         'Filter Expression can only contain non-primary key attributes: '
                         'Primary key attribute: sk')


class WritesTest(Boto3ResourceCase):
    def test_conditional_put_update_delete(self):
        table = self.resource_table()
        table.put_item(Item={'pk': 'acct', 'balance': Decimal('10.50'), 'owner': 'ann'},
                       ConditionExpression=Attr('pk').not_exists())
        self.assertError(lambda: table.put_item(Item={'pk': 'acct', 'balance': 0},
                                                ConditionExpression=Attr('pk').not_exists()),
                         'ConditionalCheckFailedException', 'The conditional request failed',
                         unchanged=[table.name])
        out = table.update_item(Key={'pk': 'acct'},
                                UpdateExpression='ADD balance :d SET history = list_append(if_not_exists(history, :e), :h)',
                                ConditionExpression=Attr('owner').eq('ann') & Attr('balance').gte(Decimal('10')),
                                ExpressionAttributeValues={':d': Decimal('-0.25'), ':e': [], ':h': ['debit']},
                                ReturnValues='ALL_NEW')
        self.assertEqual(out['Attributes'], {'pk': 'acct', 'balance': Decimal('10.25'),
                                             'owner': 'ann', 'history': ['debit']})
        self.assertError(lambda: table.update_item(Key={'pk': 'acct'}, UpdateExpression='SET #o = :o',
                                                   ConditionExpression=Attr('owner').eq('bob'),
                                                   ExpressionAttributeNames={'#o': 'owner'},
                                                   ExpressionAttributeValues={':o': 'eve'}),
                         'ConditionalCheckFailedException', 'The conditional request failed',
                         unchanged=[table.name])
        err = self.assertError(lambda: table.delete_item(Key={'pk': 'acct'},
                                                         ConditionExpression=Attr('balance').lt(1),
                                                         ReturnValuesOnConditionCheckFailure='ALL_OLD'),
                               'ConditionalCheckFailedException', 'The conditional request failed',
                               unchanged=[table.name])
        self.assertEqual(err['Item']['balance'], {'N': '10.25'})
        out = table.delete_item(Key={'pk': 'acct'}, ConditionExpression=Attr('balance').gt(1),
                                ReturnValues='ALL_OLD')
        self.assertEqual(out['Attributes']['owner'], 'ann')
        self.assertNotIn('Item', table.get_item(Key={'pk': 'acct'}))

    def test_counter_increments(self):
        table = self.resource_table()
        for _ in range(5):
            table.update_item(Key={'pk': 'hits'}, UpdateExpression='ADD n :one',
                              ExpressionAttributeValues={':one': 1})
        self.assertEqual(table.get_item(Key={'pk': 'hits'})['Item'], {'pk': 'hits', 'n': Decimal(5)})


class BatchWriterTest(Boto3ResourceCase):
    """Table.batch_writer: buffers 25 per BatchWriteItem, resends UnprocessedItems (needs wt-txn)."""

    def test_batch_writer_puts_and_deletes_many(self):
        table = self.resource_table(range_key=('sk', 'N'))
        with table.batch_writer() as batch:
            for i in range(60):
                batch.put_item(Item={'pk': 'p%d' % (i % 3), 'sk': i, 'payload': 'x' * i})
        self.assertEqual(len(self.items(table.name)), 60)
        with table.batch_writer() as batch:
            for i in range(0, 60, 2):
                batch.delete_item(Key={'pk': 'p%d' % (i % 3), 'sk': i})
        left = self.items(table.name)
        self.assertEqual(sorted(int(it['sk']['N']) for it in left), list(range(1, 60, 2)))

    def test_overwrite_by_pkeys_keeps_the_last_write_per_key(self):
        table = self.resource_table(range_key=('sk', 'S'))
        with table.batch_writer(overwrite_by_pkeys=['pk', 'sk']) as batch:
            batch.put_item(Item={'pk': 'a', 'sk': '1', 'v': 'first'})
            batch.put_item(Item={'pk': 'a', 'sk': '1', 'v': 'second'})
            batch.put_item(Item={'pk': 'a', 'sk': '2', 'v': 'kept'})
            batch.delete_item(Key={'pk': 'a', 'sk': '2'})
            batch.put_item(Item={'pk': 'a', 'sk': '2', 'v': 'back'})
            batch.put_item(Item={'pk': 'b', 'sk': '1', 'v': 'gone'})
            batch.delete_item(Key={'pk': 'b', 'sk': '1'})
        self.assertEqual(self.items(table.name), [
            {'pk': {'S': 'a'}, 'sk': {'S': '1'}, 'v': {'S': 'second'}},
            {'pk': {'S': 'a'}, 'sk': {'S': '2'}, 'v': {'S': 'back'}}])

    def test_duplicate_keys_without_overwrite_are_refused(self):
        # Without overwrite_by_pkeys the two puts reach the server in one request: AWS refuses it.
        table = self.resource_table(items=[{'pk': {'S': 'keep'}}])
        with self.assertRaises(ClientError) as ctx:
            with table.batch_writer() as batch:
                batch.put_item(Item={'pk': 'dup', 'v': 1})
                batch.put_item(Item={'pk': 'dup', 'v': 2})
        err = ctx.exception.response['Error']
        self.assertEqual(err['Code'], 'ValidationException')
        self.assertEqual(err['Message'], 'Provided list of item keys contains duplicates')
        self.assertEqual(self.items(table.name), [{'pk': {'S': 'keep'}}])


class PaginatorTest(Boto3ResourceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.name = None

    def setUp(self):
        if PaginatorTest.name is None:
            PaginatorTest.name = self.table(range_key=('sk', 'N'), items=[
                {'pk': {'S': 'p%d' % (i % 2)}, 'sk': {'N': str(i)}, 'n': {'N': str(i)},
                 'odd': {'BOOL': i % 2 == 1}}
                for i in range(95)])

    def test_query_paginator_page_size(self):
        pages = list(self.ddb.get_paginator('query').paginate(
            TableName=self.name, KeyConditionExpression='pk = :p',
            ExpressionAttributeValues={':p': {'S': 'p0'}}, PaginationConfig={'PageSize': 10}))
        self.assertEqual([p['Count'] for p in pages], [10, 10, 10, 10, 8])
        self.assertEqual([int(it['sk']['N']) for p in pages for it in p['Items']], list(range(0, 95, 2)))
        self.assertEqual(pages[0]['LastEvaluatedKey'], {'pk': {'S': 'p0'}, 'sk': {'N': '18'}})
        self.assertNotIn('LastEvaluatedKey', pages[-1])

    def test_query_paginator_with_filter_counts_scanned(self):
        pages = list(self.ddb.get_paginator('query').paginate(
            TableName=self.name, KeyConditionExpression='pk = :p', FilterExpression='n < :n',
            ExpressionAttributeValues={':p': {'S': 'p1'}, ':n': {'N': '20'}},
            PaginationConfig={'PageSize': 25}))
        self.assertEqual([p['ScannedCount'] for p in pages], [25, 22])
        self.assertEqual(sum(p['Count'] for p in pages), 10)

    def test_scan_paginator_max_items_and_starting_token(self):
        paginator = self.ddb.get_paginator('scan')
        first = paginator.paginate(TableName=self.name,
                                   PaginationConfig={'MaxItems': 40, 'PageSize': 15}).build_full_result()
        self.assertEqual(len(first['Items']), 40)
        self.assertIn('NextToken', first)
        rest = paginator.paginate(TableName=self.name, PaginationConfig={
            'StartingToken': first['NextToken'], 'PageSize': 15}).build_full_result()
        self.assertEqual(len(rest['Items']), 55)
        self.assertNotIn('NextToken', rest)
        keys = [(it['pk']['S'], it['sk']['N']) for it in first['Items'] + rest['Items']]
        self.assertEqual(len(set(keys)), 95)

    def test_parallel_scan_segments_with_the_paginator(self):
        seen = []
        for segment in range(3):
            for page in self.ddb.get_paginator('scan').paginate(
                    TableName=self.name, Segment=segment, TotalSegments=3, PaginationConfig={'PageSize': 20}):
                seen += [(it['pk']['S'], it['sk']['N']) for it in page['Items']]
        self.assertEqual(len(seen), 95)
        self.assertEqual(len(set(seen)), 95)

    def test_resource_query_follows_last_evaluated_key(self):
        table = self.dynamodb.Table(self.name)
        items, kwargs = [], {'KeyConditionExpression': Key('pk').eq('p1') & Key('sk').gte(51), 'Limit': 7}
        while True:
            page = table.query(**kwargs)
            items += page['Items']
            if 'LastEvaluatedKey' not in page:
                break
            kwargs['ExclusiveStartKey'] = page['LastEvaluatedKey']
        self.assertEqual([int(it['sk']) for it in items], list(range(51, 95, 2)))
        self.assertTrue(all(it['odd'] is True for it in items))


if __name__ == '__main__':
    unittest.main()
