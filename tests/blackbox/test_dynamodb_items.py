"""Black-box tests of the DynamoDB single-item operations (PutItem, GetItem,
DeleteItem, UpdateItem) against the real binary, with boto3, raw HTTP and the AWS CLI.

Every failing write is checked twice: the AWS error, and (by reading back) that
nothing changed.
"""

import json
import threading
import unittest

from botocore.exceptions import ClientError

from test_dynamodb_tables import DynamoTestCase, hash_key, hash_range, ON_DEMAND

MAX_ITEM = 400 * 1024


def S(v):
    return {'S': v}


def N(v):
    return {'N': str(v)}


class ItemTestCase(DynamoTestCase):
    """Tables: Items (pk S), Pairs (pk S, sk N), BinKeys (pk B, sk B)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb.create_table(TableName='Items', **hash_key('pk', 'S'), **ON_DEMAND)
        cls.ddb.create_table(TableName='Pairs', **hash_range('pk', 'S', 'sk', 'N'), **ON_DEMAND)
        cls.ddb.create_table(TableName='BinKeys', **hash_range('pk', 'B', 'sk', 'B'), **ON_DEMAND)

    def get(self, key, table='Items'):
        if isinstance(key, str):
            key = {'pk': S(key)}
        return self.ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get('Item')

    def put(self, item, table='Items', **kwargs):
        return self.ddb.put_item(TableName=table, Item=item, **kwargs)

    def assertUnchanged(self, key, expected, table='Items'):
        self.assertEqual(self.get(key, table), expected)

    def scan_all(self, table):
        return self.ddb.scan(TableName=table, ConsistentRead=True)['Items']


class RoundTripTest(ItemTestCase):

    def roundtrip(self, name, value, expected=None):
        item = {'pk': S('rt-' + name), 'v': value}
        self.put(item)
        got = self.get('rt-' + name)
        self.assertEqual(got, {'pk': S('rt-' + name), 'v': expected if expected is not None else value})

    def test_scalar_types(self):
        for name, value in [
                ('s', S('plain')),
                ('s-unicode', S('\u65e5\u672c\u8a9e \U0001F389 caf\u00e9 \u00dftra\u00dfe')),
                ('s-escapes', S('tab\t nl\n quote" backslash\\ nul\x00 del\x7f')),
                ('s-empty', S('')),
                ('b', {'B': b'\x00\x01\x02\x00\xff\xfe\x00'}),
                ('b-empty', {'B': b''}),
                ('b-all-bytes', {'B': bytes(range(256))}),
                ('bool-true', {'BOOL': True}),
                ('bool-false', {'BOOL': False}),
                ('null', {'NULL': True})]:
            with self.subTest(name=name):
                self.roundtrip(name, value)

    def test_numbers_come_back_canonical(self):
        digits38 = '12345678901234567890123456789012345678'
        for name, sent, expected in [
                ('int', '42', '42'),
                ('trailing-zeros', '1.50', '1.5'),
                ('leading-zeros', '007', '7'),
                ('plus', '+5', '5'),
                ('leading-dot', '.5', '0.5'),
                ('trailing-dot', '5.', '5'),
                ('neg-zero', '-0', '0'),
                ('zero-fraction', '0.000', '0'),
                ('exp', '1e2', '100'),
                ('exp-upper', '1.5E+3', '1500'),
                ('neg-exp', '-25e-3', '-0.025'),
                ('38-digits', digits38, digits38),
                ('neg-38-digits', '-' + digits38, '-' + digits38),
                ('38-digit-fraction', '0.' + digits38, '0.' + digits38),
                ('huge', '9.9999999999999999999999999999999999999E+125', '99999999999999999999999999999999999999' + '0' * 88),
                ('tiny', '1E-130', '0.' + '0' * 129 + '1'),
                ('neg-tiny', '-1e-130', '-0.' + '0' * 129 + '1'),
                ('big-int-exp', '1.2345678901234567890123456789012345678E+100',
                 digits38 + '0' * 63)]:
            with self.subTest(name=name, sent=sent):
                self.roundtrip('n-' + name, N(sent), N(expected))

    def test_sets(self):
        self.put({'pk': S('sets'), 'ss': {'SS': ['b', 'a', '\u00e9', '']},
                  'ns': {'NS': ['1.0', '-2', '3e1', '0.001']},
                  'bs': {'BS': [b'\x00', b'\x00\x00', b'\xff']}})
        got = self.get('sets')
        self.assertEqual(sorted(got['ss']['SS']), sorted(['b', 'a', '\u00e9', '']))
        self.assertEqual(sorted(got['ns']['NS']), sorted(['1', '-2', '30', '0.001']))
        self.assertEqual(sorted(got['bs']['BS']), sorted([b'\x00', b'\x00\x00', b'\xff']))

    def test_nested_documents(self):
        value = {'M': {
            'list': {'L': [S('x'), N('1.0'), {'BOOL': False}, {'NULL': True}, {'B': b'\x00'},
                           {'L': [{'L': []}, {'M': {}}]}, {'SS': ['q']}, {'NS': ['7']}]},
            'map': {'M': {'deep': {'M': {'deeper': {'M': {'n': N('-0.10')}}}}}},
            'empty_map': {'M': {}},
            'empty_list': {'L': []},
            '\u00fcnicode key': S('v'),
            '': S('empty name inside a map'),
        }}
        expected = json.loads(json.dumps(value, default=lambda b: b.hex()))
        self.put({'pk': S('nested'), 'doc': value})
        got = self.get('nested')['doc']
        # Numbers inside documents are canonical too.
        self.assertEqual(got['M']['map']['M']['deep']['M']['deeper']['M']['n'], N('-0.1'))
        self.assertEqual(got['M']['list']['L'][1], N('1'))
        got['M']['map']['M']['deep']['M']['deeper']['M']['n'] = N('-0.10')
        got['M']['list']['L'][1] = N('1.0')
        self.assertEqual(json.loads(json.dumps(got, default=lambda b: b.hex())), expected)

    def test_nesting_limit(self):
        def nest(depth):
            v = S('leaf')
            for _ in range(depth):
                v = {'M': {'m': v}}
            return v
        # 32 levels: 31 maps around a scalar (the item itself is not counted).
        self.put({'pk': S('depth-32'), 'v': nest(31)})
        self.assertEqual(self.get('depth-32')['v'], nest(31))
        self.assertEqual(self.ddb.scan(TableName='Items', FilterExpression='pk = :k',
                                       ExpressionAttributeValues={':k': S('depth-32')})['Items'][0]['v'], nest(31))
        for depth in (32, 60):
            self.assertAwsError(self.put, 'ValidationException', contains='Nesting Levels have exceeded supported limits',
                                item={'pk': S('too-deep'), 'v': nest(depth)})
        self.assertIsNone(self.get('too-deep'))
        # An update may not nest deeper either.
        self.assertAwsError(self.ddb.update_item, 'ValidationException', contains='Nesting Levels have exceeded',
                            TableName='Items', Key={'pk': S('depth-32')}, UpdateExpression='SET w = :v',
                            ExpressionAttributeValues={':v': nest(32)})
        self.assertNotIn('w', self.get('depth-32'))

    def test_binary_keys_with_zero_bytes(self):
        keys = [(b'\x00', b'\x00'), (b'\x00', b'\x00\x00'), (b'\x00\x00', b''), (b'a\x00b', b'\xff\x00')]
        for pk, sk in keys:
            if not sk:
                continue
            self.put({'pk': {'B': pk}, 'sk': {'B': sk}, 'v': S(repr((pk, sk)))}, table='BinKeys')
        for pk, sk in keys:
            if not sk:
                continue
            got = self.get({'pk': {'B': pk}, 'sk': {'B': sk}}, table='BinKeys')
            self.assertEqual(got['v'], S(repr((pk, sk))))
        self.assertIsNone(self.get({'pk': {'B': b'\x00'}, 'sk': {'B': b'\x00\x00\x00'}}, table='BinKeys'))

    def test_number_sort_key_equivalent_spellings(self):
        self.put({'pk': S('nk'), 'sk': N('1.0'), 'v': S('first')}, table='Pairs')
        self.put({'pk': S('nk'), 'sk': N('1'), 'v': S('second')}, table='Pairs')  # same key
        self.assertEqual(self.get({'pk': S('nk'), 'sk': N('10e-1')}, table='Pairs'),
                         {'pk': S('nk'), 'sk': N('1'), 'v': S('second')})
        q = self.ddb.query(TableName='Pairs', KeyConditionExpression='pk = :p',
                           ExpressionAttributeValues={':p': S('nk')})
        self.assertEqual(q['Count'], 1)

    def test_item_size_limit(self):
        # name 'pk' (2) + 'a' (1) + name 'v' (1) + value: exactly 400 KB is allowed.
        fill = MAX_ITEM - 4
        self.put({'pk': S('a'), 'v': S('x' * fill)})
        self.assertEqual(len(self.get('a')['v']['S']), fill)
        self.assertAwsError(self.put, 'ValidationException', 'Item size has exceeded the maximum allowed size',
                            item={'pk': S('b'), 'v': S('x' * (fill + 1))})
        self.assertIsNone(self.get('b'))
        # Multi-byte characters count in UTF-8 bytes.
        self.assertAwsError(self.put, 'ValidationException', 'Item size has exceeded the maximum allowed size',
                            item={'pk': S('c'), 'v': S('\u00e9' * (fill // 2 + 1))})
        self.assertIsNone(self.get('c'))
        # An update that would grow the item past the limit fails and changes nothing.
        self.assertAwsError(self.ddb.update_item, 'ValidationException',
                            contains='Item size to update has exceeded the maximum allowed size',
                            TableName='Items', Key={'pk': S('a')}, UpdateExpression='SET w = :w',
                            ExpressionAttributeValues={':w': S('yy')})
        self.assertNotIn('w', self.get('a'))


class PutDeleteConditionTest(ItemTestCase):

    def test_put_return_values_all_old(self):
        out = self.put({'pk': S('pv'), 'n': N('1.50')}, ReturnValues='ALL_OLD')
        self.assertNotIn('Attributes', out)
        out = self.put({'pk': S('pv'), 'n': N('2')}, ReturnValues='ALL_OLD')
        self.assertEqual(out['Attributes'], {'pk': S('pv'), 'n': N('1.5')})
        out = self.put({'pk': S('pv'), 'n': N('3')})
        self.assertNotIn('Attributes', out)
        self.assertEqual(self.get('pv'), {'pk': S('pv'), 'n': N('3')})
        self.assertAwsError(self.put, 'ValidationException', 'ReturnValues can only be ALL_OLD or NONE',
                            item={'pk': S('pv'), 'n': N('4')}, ReturnValues='ALL_NEW')
        self.assertEqual(self.get('pv')['n'], N('3'))

    def test_delete_item(self):
        self.put({'pk': S('del'), 'x': S('y')})
        out = self.ddb.delete_item(TableName='Items', Key={'pk': S('del')}, ReturnValues='ALL_OLD')
        self.assertEqual(out['Attributes'], {'pk': S('del'), 'x': S('y')})
        self.assertIsNone(self.get('del'))
        out = self.ddb.delete_item(TableName='Items', Key={'pk': S('del')}, ReturnValues='ALL_OLD')
        self.assertNotIn('Attributes', out)
        self.assertAwsError(self.ddb.delete_item, 'ValidationException', 'ReturnValues can only be ALL_OLD or NONE',
                            TableName='Items', Key={'pk': S('del')}, ReturnValues='UPDATED_NEW')

    def test_attribute_not_exists_prevents_overwrite(self):
        self.put({'pk': S('once'), 'v': S('first')}, ConditionExpression='attribute_not_exists(pk)')
        err = self.assertAwsError(self.put, 'ConditionalCheckFailedException', 'The conditional request failed',
                                  item={'pk': S('once'), 'v': S('second')},
                                  ConditionExpression='attribute_not_exists(pk)')
        self.assertNotIn('Item', err)
        self.assertUnchanged('once', {'pk': S('once'), 'v': S('first')})

    def test_attribute_exists_on_missing_item_creates_nothing(self):
        self.assertAwsError(self.put, 'ConditionalCheckFailedException',
                            item={'pk': S('ghost'), 'v': S('x')}, ConditionExpression='attribute_exists(pk)')
        self.assertIsNone(self.get('ghost'))
        self.assertAwsError(self.ddb.update_item, 'ConditionalCheckFailedException', TableName='Items',
                            Key={'pk': S('ghost')}, UpdateExpression='SET v = :v',
                            ConditionExpression='attribute_exists(pk)', ExpressionAttributeValues={':v': S('x')})
        self.assertIsNone(self.get('ghost'))
        self.assertAwsError(self.ddb.delete_item, 'ConditionalCheckFailedException', TableName='Items',
                            Key={'pk': S('ghost')}, ConditionExpression='attribute_exists(pk)')

    def test_comparison_conditions(self):
        self.put({'pk': S('ver'), 'version': N(3), 'state': S('open'), 'tags': {'SS': ['a', 'b']}})
        original = self.get('ver')
        failing = [('version = :v', {':v': N(2)}),
                   ('version > :v', {':v': N(3)}),
                   ('version <> :v', {':v': N('3.0')}),
                   ('version BETWEEN :a AND :b', {':a': N(4), ':b': N(9)}),
                   ('#s IN (:a, :b)', {':a': S('closed'), ':b': S('gone')}),
                   ('begins_with(#s, :p)', {':p': S('cl')}),
                   ('contains(tags, :t)', {':t': S('c')}),
                   ('size(tags) > :n', {':n': N(2)}),
                   ('attribute_type(version, :t)', {':t': S('S')}),
                   ('version = :v AND #s = :s', {':v': N(3), ':s': S('closed')}),
                   ('NOT (version = :v)', {':v': N(3)}),
                   ('version < :s', {':s': S('3')})]  # different types never compare
        for expr, values in failing:
            with self.subTest(expr=expr):
                names = {'#s': 'state'} if '#s' in expr else None
                kwargs = dict(ExpressionAttributeValues=values)
                if names:
                    kwargs['ExpressionAttributeNames'] = names
                self.assertAwsError(self.put, 'ConditionalCheckFailedException',
                                    item={'pk': S('ver'), 'version': N(99)}, ConditionExpression=expr, **kwargs)
                self.assertAwsError(self.ddb.delete_item, 'ConditionalCheckFailedException', TableName='Items',
                                    Key={'pk': S('ver')}, ConditionExpression=expr, **kwargs)
                self.assertUnchanged('ver', original)
        # The same kinds of conditions, true: the write happens.
        self.put({'pk': S('ver'), 'version': N(4), 'state': S('open')},
                 ConditionExpression='version = :v AND begins_with(#s, :p) AND size(tags) = :two',
                 ExpressionAttributeNames={'#s': 'state'},
                 ExpressionAttributeValues={':v': N('3.00'), ':p': S('op'), ':two': N(2)})
        self.assertEqual(self.get('ver')['version'], N(4))
        self.ddb.delete_item(TableName='Items', Key={'pk': S('ver')},
                             ConditionExpression='version >= :v OR attribute_not_exists(nope)',
                             ExpressionAttributeValues={':v': N(100)})
        self.assertIsNone(self.get('ver'))

    def test_return_values_on_condition_check_failure(self):
        self.put({'pk': S('rvf'), 'n': N('1.0'), 'b': {'B': b'\x00z'}})
        err = self.assertAwsError(self.put, 'ConditionalCheckFailedException',
                                  item={'pk': S('rvf')}, ConditionExpression='n = :two',
                                  ExpressionAttributeValues={':two': N(2)},
                                  ReturnValuesOnConditionCheckFailure='ALL_OLD')
        self.assertEqual(err['Item'], {'pk': S('rvf'), 'n': N('1'), 'b': {'B': b'\x00z'}})
        err = self.assertAwsError(self.ddb.update_item, 'ConditionalCheckFailedException', TableName='Items',
                                  Key={'pk': S('rvf')}, UpdateExpression='SET n = :two',
                                  ConditionExpression='n = :two', ExpressionAttributeValues={':two': N(2)},
                                  ReturnValuesOnConditionCheckFailure='ALL_OLD')
        self.assertEqual(err['Item']['n'], N('1'))
        err = self.assertAwsError(self.ddb.delete_item, 'ConditionalCheckFailedException', TableName='Items',
                                  Key={'pk': S('rvf')}, ConditionExpression='attribute_not_exists(n)',
                                  ReturnValuesOnConditionCheckFailure='NONE')
        self.assertNotIn('Item', err)
        # On a missing item there is nothing to return.
        err = self.assertAwsError(self.put, 'ConditionalCheckFailedException',
                                  item={'pk': S('rvf-missing')}, ConditionExpression='attribute_exists(pk)',
                                  ReturnValuesOnConditionCheckFailure='ALL_OLD')
        self.assertNotIn('Item', err)
        self.assertUnchanged('rvf', {'pk': S('rvf'), 'n': N('1'), 'b': {'B': b'\x00z'}})
        self.assertRawError('PutItem', {'TableName': 'Items', 'Item': {'pk': S('rvf')},
                                        'ReturnValuesOnConditionCheckFailure': 'SOME'},
                            'ValidationException', contains='Member must satisfy enum value set: [ALL_OLD, NONE]')


class UpdateItemTest(ItemTestCase):

    def update(self, pk, expr, values=None, names=None, **kwargs):
        args = dict(TableName='Items', Key={'pk': S(pk)}, UpdateExpression=expr, **kwargs)
        if values:
            args['ExpressionAttributeValues'] = values
        if names:
            args['ExpressionAttributeNames'] = names
        return self.ddb.update_item(**args)

    def test_set_arithmetic_if_not_exists_list_append(self):
        self.put({'pk': S('u1'), 'n': N(10), 'l': {'L': [N(1)]}, 'm': {'M': {'x': {'M': {}}}}})
        self.update('u1', 'SET n = n + :one, d = n - :twenty, c = if_not_exists(c, :zero), '
                          'n2 = if_not_exists(n, :zero), l = list_append(l, :more), m.x.y = :s, '
                          'front = list_append(:more, :more)',
                    {':one': N(1), ':twenty': N('20.5'), ':zero': N(0), ':more': {'L': [S('a'), N(2)]},
                     ':s': S('deep')})
        self.assertEqual(self.get('u1'), {
            'pk': S('u1'), 'n': N(11), 'd': N('-10.5'), 'c': N(0), 'n2': N(10),
            'l': {'L': [N(1), S('a'), N(2)]}, 'm': {'M': {'x': {'M': {'y': S('deep')}}}},
            'front': {'L': [S('a'), N(2), S('a'), N(2)]}})
        self.update('u1', 'SET l[0] = :v', {':v': S('zero')})
        self.update('u1', 'SET l = list_append(:first, l)', {':first': {'L': [N(-1)]}})
        self.assertEqual(self.get('u1')['l'], {'L': [N(-1), S('zero'), S('a'), N(2)]})
        # Index past the end appends.
        self.update('u1', 'SET l[10] = :v', {':v': S('end')})
        self.assertEqual(self.get('u1')['l']['L'][-1], S('end'))

    def test_big_number_arithmetic(self):
        big = '9' * 38
        self.put({'pk': S('big'), 'n': N(big), 'max': N('9.9999999999999999999999999999999999999E+125')})
        before = self.get('big')
        # 39 significant digits, or beyond the largest magnitude: refused, nothing changes.
        self.assertAwsError(self.update, 'ValidationException', pk='big', expr='SET n = n + :half',
                            values={':half': N('0.5')})
        self.assertAwsError(self.update, 'ValidationException', contains='Number overflow', pk='big',
                            expr='ADD #m :v', names={'#m': 'max'}, values={':v': N('1E+125')})
        self.assertEqual(self.get('big'), before)
        self.update('big', 'SET n = n + :one', {':one': N(1)})
        self.assertEqual(self.get('big')['n'], N('1' + '0' * 38))
        self.update('big', 'SET n = n - :n', {':n': N('1' + '0' * 38)})
        self.assertEqual(self.get('big')['n'], N(0))
        self.update('big', 'SET n = :a + :b', {':a': N('0.1'), ':b': N('0.2')})
        self.assertEqual(self.get('big')['n'], N('0.3'))
        self.update('big', 'SET n = :a - :b', {':a': N('-1e-130'), ':b': N('1e-130')})
        self.assertEqual(self.get('big')['n'], N('-0.' + '0' * 129 + '2'))

    def test_remove(self):
        self.put({'pk': S('u2'), 'a': S('x'), 'b': N(1), 'l': {'L': [N(0), N(1), N(2)]},
                  'm': {'M': {'k': S('v'), 'keep': S('w')}}})
        self.update('u2', 'REMOVE a, l[1], m.k, not_there')
        self.assertEqual(self.get('u2'), {'pk': S('u2'), 'b': N(1), 'l': {'L': [N(0), N(2)]},
                                          'm': {'M': {'keep': S('w')}}})

    def test_add_and_delete(self):
        self.put({'pk': S('u3'), 'n': N(5), 'ss': {'SS': ['a', 'b']}, 'ns': {'NS': ['1', '2']},
                  'bs': {'BS': [b'\x00']}})
        self.update('u3', 'ADD n :d, fresh :d, ss :ss, newset :ns, bs :bs',
                    {':d': N('-7.5'), ':ss': {'SS': ['c', 'a']}, ':ns': {'NS': ['3']}, ':bs': {'BS': [b'\x01']}})
        got = self.get('u3')
        self.assertEqual(got['n'], N('-2.5'))
        self.assertEqual(got['fresh'], N('-7.5'))
        self.assertEqual(sorted(got['ss']['SS']), ['a', 'b', 'c'])
        self.assertEqual(got['newset'], {'NS': ['3']})
        self.assertEqual(sorted(got['bs']['BS']), [b'\x00', b'\x01'])
        self.update('u3', 'DELETE ss :gone, ns :all, nowhere :gone', {':gone': {'SS': ['a', 'zz']},
                                                                     ':all': {'NS': ['1', '2.0']}})
        got = self.get('u3')
        self.assertEqual(sorted(got['ss']['SS']), ['b', 'c'])
        self.assertNotIn('ns', got)  # deleting every element removes the attribute
        self.assertNotIn('nowhere', got)
        # Wrong types: nothing changes.
        before = self.get('u3')
        self.assertAwsError(self.update, 'ValidationException', contains='An operand in the update expression has an incorrect data type',
                            pk='u3', expr='ADD ss :n', values={':n': N(1)})
        self.assertAwsError(self.update, 'ValidationException',
                            'Invalid UpdateExpression: Incorrect operand type for operator or function; '
                            'operator or function: +, operand type: S',
                            pk='u3', expr='SET n = n + :s', values={':s': S('1')})
        self.assertAwsError(self.update, 'ValidationException', contains='incorrect data type',
                            pk='u3', expr='DELETE ss :n', values={':n': {'NS': ['1']}})
        self.assertEqual(self.get('u3'), before)

    def test_return_values_variants(self):
        self.put({'pk': S('rv'), 'a': N(1), 'b': S('keep'), 'm': {'M': {'x': N(1), 'y': N(2)}}})
        out = self.update('rv', 'SET a = a + :one', {':one': N(1)})
        self.assertNotIn('Attributes', out)
        out = self.update('rv', 'SET a = a + :one', {':one': N(1)}, ReturnValues='NONE')
        self.assertNotIn('Attributes', out)
        out = self.update('rv', 'SET a = a + :one', {':one': N(1)}, ReturnValues='ALL_OLD')
        self.assertEqual(out['Attributes'], {'pk': S('rv'), 'a': N(3), 'b': S('keep'),
                                             'm': {'M': {'x': N(1), 'y': N(2)}}})
        out = self.update('rv', 'SET a = a + :one', {':one': N(1)}, ReturnValues='ALL_NEW')
        self.assertEqual(out['Attributes'], {'pk': S('rv'), 'a': N(5), 'b': S('keep'),
                                             'm': {'M': {'x': N(1), 'y': N(2)}}})
        out = self.update('rv', 'SET a = a + :one, c = :c', {':one': N(1), ':c': S('new')}, ReturnValues='UPDATED_OLD')
        self.assertEqual(out['Attributes'], {'a': N(5)})
        out = self.update('rv', 'SET a = a + :one REMOVE c', {':one': N(1)}, ReturnValues='UPDATED_NEW')
        self.assertEqual(out['Attributes'], {'a': N(7)})
        # Nested paths: only the updated part of the document comes back.
        out = self.update('rv', 'SET m.x = :v', {':v': N(10)}, ReturnValues='UPDATED_NEW')
        self.assertEqual(out['Attributes'], {'m': {'M': {'x': N(10)}}})
        out = self.update('rv', 'SET m.x = :v', {':v': N(11)}, ReturnValues='UPDATED_OLD')
        self.assertEqual(out['Attributes'], {'m': {'M': {'x': N(10)}}})
        self.assertAwsError(self.update, 'ValidationException',
                            "1 validation error detected: Value 'EVERYTHING' at 'returnValues' failed to satisfy "
                            "constraint: Member must satisfy enum value set: "
                            "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]",
                            pk='rv', expr='SET a = :v', values={':v': N(0)}, ReturnValues='EVERYTHING')
        self.assertEqual(self.get('rv')['a'], N(7))

    def test_upsert_creates_item(self):
        out = self.update('new', 'SET v = :v ADD n :one', {':v': S('x'), ':one': N(1)}, ReturnValues='ALL_NEW')
        self.assertEqual(out['Attributes'], {'pk': S('new'), 'v': S('x'), 'n': N(1)})
        self.assertEqual(self.get('new'), {'pk': S('new'), 'v': S('x'), 'n': N(1)})
        out = self.update('new2', 'REMOVE nothing', ReturnValues='ALL_OLD')
        self.assertNotIn('Attributes', out)
        self.assertEqual(self.get('new2'), {'pk': S('new2')})
        # No update expression at all: the item is created from its key.
        self.ddb.update_item(TableName='Pairs', Key={'pk': S('k'), 'sk': N('1.0')})
        self.assertEqual(self.get({'pk': S('k'), 'sk': N(1)}, table='Pairs'), {'pk': S('k'), 'sk': N(1)})

    def test_update_errors_change_nothing(self):
        self.put({'pk': S('ue'), 'n': N(1), 'l': {'L': []}, 's': S('str')})
        before = self.get('ue')
        cases = [
            ('SET pk = :v', {':v': S('other')}, None,
             'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key'),
            ('SET n = :v', {':v': N(1), ':unused': N(2)}, None,
             'Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}'),
            ('SET n = :undefined', {':v': N(1)}, None,
             'Invalid UpdateExpression: An expression attribute value used in expression is not defined; '
             'attribute value: :undefined'),
            ('SET #undefined = :v', {':v': N(1)}, None,
             'Invalid UpdateExpression: An expression attribute name used in the document path is not defined; '
             'attribute name: #undefined'),
            ('SET n = :v', {':v': N(1)}, {'#unused': 'x'},
             'Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}'),
            ('SET name = :v', {':v': N(1)}, None,
             'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: name'),
            ('SET n = ', None, None, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "= "'),
            ('SET n = :v REMOVE n', {':v': N(1)}, None,
             'Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of '
             'these paths; path one: [n], path two: [n]'),
            ('SET s = s + :v', {':v': N(1)}, None,
             'An operand in the update expression has an incorrect data type'),
            ('SET l[0].x = :v', {':v': N(1)}, None,
             'The document path provided in the update expression is invalid for update'),
            ('SET n = nope + :v', {':v': N(1)}, None,
             'The provided expression refers to an attribute that does not exist in the item'),
            ('SET n = :v', {':v': {'SS': []}}, None, None),
            ('SET n = :v', {':v': {'NS': ['1', '1.0']}}, None, None),
        ]
        for expr, values, names, message in cases:
            with self.subTest(expr=expr, values=values):
                self.assertAwsError(self.update, 'ValidationException', message=message,
                                    pk='ue', expr=expr, values=values, names=names)
                self.assertEqual(self.get('ue'), before)


class ConcurrentWriteTest(ItemTestCase):
    """Writes to one item from many connections: each read-modify-write is atomic."""

    def run_threads(self, count, work):
        results, errors = [None] * count, []
        # boto3 clients are thread-safe; this one keeps a connection per thread.
        ddb = self.server.client('dynamodb', max_pool_connections=count)

        def run(i):
            try:
                results[i] = work(i, ddb)
            except Exception as err:  # reported below, with the thread's index
                errors.append((i, err))
        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        self.assertEqual(errors, [])
        return results

    def test_concurrent_add_loses_no_increment(self):
        def work(i, ddb):
            for _ in range(25):
                ddb.update_item(TableName='Items', Key={'pk': S('counter')}, UpdateExpression='ADD n :one, ss :me',
                                ExpressionAttributeValues={':one': N(1), ':me': {'SS': ['t%d' % i]}})
        self.run_threads(8, work)
        got = self.get('counter')
        self.assertEqual(got['n'], N(200))
        self.assertEqual(sorted(got['ss']['SS']), sorted('t%d' % i for i in range(8)))

    def test_concurrent_conditional_create_has_one_winner(self):
        def work(i, ddb):
            try:
                ddb.put_item(TableName='Items', Item={'pk': S('race'), 'winner': N(i)},
                             ConditionExpression='attribute_not_exists(pk)')
                return True
            except ClientError as err:
                if err.response['Error']['Code'] != 'ConditionalCheckFailedException':
                    raise
                return False
        results = self.run_threads(10, work)
        self.assertEqual(results.count(True), 1, results)
        self.assertEqual(self.get('race')['winner'], N(results.index(True)))


class InvalidItemRequestTest(ItemTestCase):

    def assertNothingIn(self, table):
        self.assertEqual(self.scan_all(table), [])

    def test_put_item_key_errors(self):
        for item, message in [
                ({'other': S('x')}, 'One or more parameter values were invalid: Missing the key pk in the item'),
                ({'pk': N(1)}, 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N'),
                ({'pk': S('')}, 'One or more parameter values are not valid. The AttributeValue for a key attribute '
                                'cannot contain an empty string value. Key: pk'),
                ({'pk': {'SS': ['a']}}, 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: SS')]:
            with self.subTest(item=item):
                self.assertAwsError(self.put, 'ValidationException', message, table='Empty', item=item)
        for item, message in [
                ({'pk': S('a')}, 'One or more parameter values were invalid: Missing the key sk in the item'),
                ({'pk': S('a'), 'sk': S('1')}, 'One or more parameter values were invalid: Type mismatch for key sk expected: N actual: S')]:
            with self.subTest(item=item):
                self.assertAwsError(self.put, 'ValidationException', message, table='EmptyPairs', item=item)
        self.assertAwsError(self.put, 'ValidationException',
                            'One or more parameter values are not valid. The AttributeValue for a key attribute '
                            'cannot contain an empty binary value. Key: pk',
                            table='EmptyBin', item={'pk': {'B': b''}})
        for t in ('Empty', 'EmptyPairs', 'EmptyBin'):
            self.assertNothingIn(t)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb.create_table(TableName='Empty', **hash_key('pk', 'S'), **ON_DEMAND)
        cls.ddb.create_table(TableName='EmptyPairs', **hash_range('pk', 'S', 'sk', 'N'), **ON_DEMAND)
        cls.ddb.create_table(TableName='EmptyBin', **hash_key('pk', 'B'), **ON_DEMAND)

    def test_key_parameter_errors(self):
        schema_mismatch = 'The provided key element does not match the schema'
        for key, message in [
                ({}, schema_mismatch),
                ({'other': S('x')}, schema_mismatch),
                ({'pk': N(1)}, schema_mismatch),
                ({'pk': S('a'), 'extra': S('b')}, schema_mismatch),
                ({'pk': S('')}, 'One or more parameter values are not valid. The AttributeValue for a key attribute '
                                'cannot contain an empty string value. Key: pk')]:
            with self.subTest(key=key):
                self.assertAwsError(self.ddb.get_item, 'ValidationException', message, TableName='Empty', Key=key)
                self.assertAwsError(self.ddb.delete_item, 'ValidationException', message, TableName='Empty', Key=key)
                self.assertAwsError(self.ddb.update_item, 'ValidationException', message, TableName='Empty', Key=key,
                                    UpdateExpression='SET v = :v', ExpressionAttributeValues={':v': S('x')})
        for key in [{'pk': S('a')}, {'pk': S('a'), 'sk': S('1')}, {'sk': N(1)}]:
            with self.subTest(key=key):
                self.assertAwsError(self.ddb.update_item, 'ValidationException', schema_mismatch,
                                    TableName='EmptyPairs', Key=key)
        self.assertNothingIn('Empty')
        self.assertNothingIn('EmptyPairs')

    def test_unknown_table(self):
        for call, kwargs in [(self.ddb.put_item, {'Item': {'pk': S('a')}}),
                             (self.ddb.get_item, {'Key': {'pk': S('a')}}),
                             (self.ddb.delete_item, {'Key': {'pk': S('a')}}),
                             (self.ddb.update_item, {'Key': {'pk': S('a')}})]:
            with self.subTest(op=call.__name__):
                self.assertAwsError(call, 'ResourceNotFoundException', 'Requested resource not found',
                                    TableName='NoSuchTable', **kwargs)

    def test_condition_expression_errors(self):
        for expr, values, names, message in [
                ('attribute_exists(', None, None, 'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("'),
                ('a = :missing', {':v': S('x')}, None,
                 'Invalid ConditionExpression: An expression attribute value used in expression is not defined; '
                 'attribute value: :missing'),
                ('#n = :v', {':v': S('x')}, None,
                 'Invalid ConditionExpression: An expression attribute name used in the document path is not '
                 'defined; attribute name: #n'),
                ('a = :v', {':v': S('x'), ':w': S('y')}, None,
                 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}'),
                ('size = :v', {':v': S('x')}, None,
                 'Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: size'),
                ('nofunc(a)', None, None, 'Invalid ConditionExpression: Invalid function name; function: nofunc'),
                ('', None, None, 'Invalid ConditionExpression: The expression can not be empty;')]:
            with self.subTest(expr=expr):
                kwargs = {'ConditionExpression': expr}
                if values:
                    kwargs['ExpressionAttributeValues'] = values
                if names:
                    kwargs['ExpressionAttributeNames'] = names
                self.assertAwsError(self.put, 'ValidationException', message, table='Empty',
                                    item={'pk': S('c'), 'a': S('x')}, **kwargs)
                self.assertAwsError(self.ddb.delete_item, 'ValidationException', message, TableName='Empty',
                                    Key={'pk': S('c')}, **kwargs)
        # Values without any expression that could use them: AWS names the missing expression.
        self.assertAwsError(self.put, 'ValidationException',
                            'ExpressionAttributeValues can only be specified when using expressions: '
                            'ConditionExpression is null',
                            table='Empty', item={'pk': S('c')}, ExpressionAttributeValues={':v': S('x')})
        self.assertNothingIn('Empty')

    def test_expression_attribute_maps(self):
        for kwargs, message in [
                ({'ExpressionAttributeNames': {}}, 'ExpressionAttributeNames must not be empty'),
                ({'ExpressionAttributeValues': {}}, 'ExpressionAttributeValues must not be empty'),
                ({'ExpressionAttributeValues': {'v': S('x')}},
                 'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'),
                ({'ExpressionAttributeNames': {'n': 'x'}},
                 'ExpressionAttributeNames contains invalid key: Syntax error; key: "n"')]:
            with self.subTest(kwargs=kwargs):
                self.assertAwsError(self.put, 'ValidationException', message, table='Empty',
                                    item={'pk': S('m')}, ConditionExpression='attribute_not_exists(pk)', **kwargs)
        self.assertAwsError(self.put, 'ValidationException',
                            contains='ExpressionAttributeValues contains invalid value: One or more parameter values '
                                     'were invalid: An string set  may not be empty for key :v',
                            table='Empty', item={'pk': S('m')}, ConditionExpression='a = :v',
                            ExpressionAttributeValues={':v': {'SS': []}})
        self.assertNothingIn('Empty')

    def test_bad_attribute_values(self):
        for value, message in [
                ({'SS': []}, 'One or more parameter values were invalid: An string set  may not be empty'),
                ({'NS': []}, 'One or more parameter values were invalid: An number set  may not be empty'),
                ({'BS': []}, 'One or more parameter values were invalid: Binary sets should not be empty'),
                ({'SS': ['a', 'a']}, 'One or more parameter values were invalid: Input collection [a, a] contains duplicates.'),
                ({'NS': ['1', '1.0']}, None),
                ({'NULL': False}, 'One or more parameter values were invalid: Null attribute value types must have the value of true'),
                ({'N': 'abc'}, None),
                ({'N': ''}, None),
                ({'N': '1' * 39}, None),
                ({'N': '1e126'}, None),
                ({'N': '1e-131'}, None),
                ({'M': {'x': {'SS': []}}}, None),
                ({'L': [{'NULL': False}]}, None)]:
            with self.subTest(value=value):
                self.assertAwsError(self.put, 'ValidationException', message, table='Empty',
                                    item={'pk': S('bad'), 'v': value})
        self.assertNothingIn('Empty')

    def test_raw_malformed_requests(self):
        for body in (b'{not json', b'[]', b'"x"', b'{"TableName": "Empty", "Item": ', b''):
            with self.subTest(body=body):
                status, out = self.raw('PutItem', body)
                self.assertEqual(status, 400, out)
                self.assertEqual(out['__type'], 'com.amazon.coral.service#SerializationException', out)
        # Attribute values of the wrong shape.
        for value in ({'S': 'a', 'N': '1'}, {}, {'X': 'a'}, {'S': 1}, {'N': 1}, {'BOOL': 'true'},
                      {'B': 'not base64!'}, {'SS': 'a'}, {'M': []}, {'L': {}}, 'plain', None):
            with self.subTest(value=value):
                status, out = self.raw('PutItem', {'TableName': 'Empty', 'Item': {'pk': S('x'), 'v': value}})
                self.assertEqual(status, 400, out)
                self.assertIn(out['__type'].split('#')[-1], ('ValidationException', 'SerializationException'), out)
        self.assertRawError('PutItem', {'TableName': 'Empty'}, 'ValidationException',
                            "1 validation error detected: Value null at 'item' failed to satisfy constraint: "
                            "Member must not be null")
        self.assertRawError('GetItem', {'TableName': 'Empty'}, 'ValidationException',
                            "1 validation error detected: Value null at 'key' failed to satisfy constraint: "
                            "Member must not be null")
        self.assertRawError('PutItem', {'Item': {'pk': S('x')}}, 'ValidationException',
                            "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: "
                            "Member must not be null")
        self.assertNothingIn('Empty')

    def test_raw_unknown_operation(self):
        status, out = self.raw('FlyToTheMoon', {'TableName': 'Empty'})
        self.assertEqual(status, 400, out)
        self.assertEqual(out['__type'], 'com.amazon.coral.service#UnknownOperationException', out)
        status, out = self.raw('PutItem', {'TableName': 'Empty', 'Item': {'pk': S('ok')}})
        self.assertEqual(status, 200, out)
        self.assertEqual(out, {})


class AwsCliItemsTest(ItemTestCase):

    def test_cli_put_get_delete(self):
        s = self.server
        item = {'pk': S('cli'), 'n': N('1.50'), 'b': {'B': 'AAEC'}, 'l': {'L': [S('\u00e9'), {'NULL': True}]}}
        rc, out, err = s.aws('dynamodb', 'put-item', '--table-name', 'Items', '--item', json.dumps(item),
                             '--return-values', 'ALL_OLD')
        self.assertEqual(rc, 0, err)
        rc, out, err = s.aws('dynamodb', 'get-item', '--table-name', 'Items', '--key', json.dumps({'pk': S('cli')}))
        self.assertEqual(rc, 0, err)
        # CLI v1 sends the blob text itself as the bytes (it base64-encodes it on the wire).
        self.assertEqual(out['Item'], dict(item, n=N('1.5'), b={'B': 'QUFFQw=='}))
        self.assertEqual(self.get('cli')['b'], {'B': b'AAEC'})
        rc, out, err = s.aws('dynamodb', 'put-item', '--table-name', 'Items', '--item', json.dumps(item),
                             '--condition-expression', 'attribute_not_exists(pk)')
        self.assertNotEqual(rc, 0)
        self.assertIn('ConditionalCheckFailedException', err)
        rc, out, err = s.aws('dynamodb', 'delete-item', '--table-name', 'Items', '--key', json.dumps({'pk': S('cli')}))
        self.assertEqual(rc, 0, err)
        self.assertIsNone(self.get('cli'))


if __name__ == '__main__':
    unittest.main()
