"""Numbers and items (Developer Guide: "Supported data types", "Item sizes", "Service quotas"):
38 significant digits, the exponent range and AWS's errors, canonical forms, exact arithmetic,
sets (no duplicates, not empty), empty strings and binaries outside keys, key size limits,
nesting depth, item size as AWS computes it (seen through write units) and the 400 KB limit at
the exact boundary."""
import unittest

from capacity_cases import consumed
from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': v}  # noqa: E731
BAD = 'One or more parameter values were invalid: '


def number_size(text):
    """AWS documents "about 1 byte per 2 significant digits, plus 1 byte"; exactly, the digits are
    stored in base-100 pairs aligned on the decimal point, and a negative number has one more
    byte (its terminator). For positive integers of even alignment the two agree."""
    from decimal import Context, Decimal
    d = Decimal(text)
    if d == 0:
        return 1
    sign, digits, exp = d.normalize(Context(prec=50)).as_tuple()
    n = len(digits)
    sci = n - 1 + exp  # exponent of the leading digit
    pad = 1 if (sci + 1) % 2 else 0
    return 1 + (n + pad + 1) // 2 + (1 if sign else 0)


class NumbersAndItemsTest(ConformanceCase):
    t = None

    def setUp(self):
        if NumbersAndItemsTest.t is None:
            NumbersAndItemsTest.t = self.table()
        self.t = NumbersAndItemsTest.t

    def put_number(self, text):
        self.ddb.put_item(TableName=self.t, Item={'pk': S('num'), 'n': N(text)})
        return self.ddb.get_item(TableName=self.t, Key={'pk': S('num')}, ConsistentRead=True)['Item']['n']['N']

    def test_canonical_numbers(self):
        cases = [
            ('1', '1'), ('1.50', '1.5'), ('-0', '0'), ('0.0', '0'), ('1e2', '100'), ('1E+2', '100'),
            ('0.0010', '0.001'), ('00012', '12'), ('-1.000', '-1'), ('1.5e-3', '0.0015'), ('123e-2', '1.23'),
            ('12345678901234567890123456789012345678', '12345678901234567890123456789012345678'),
            ('-12345678901234567890123456789012345678', '-12345678901234567890123456789012345678'),
            ('1234567890123456789012345678901234567800000', '1234567890123456789012345678901234567800000'),
            ('0.00000000000000000000000000000000000001', '0.00000000000000000000000000000000000001'),
            ('9.9999999999999999999999999999999999999E+125', '99999999999999999999999999999999999999' + '0' * 88),
            ('1E-130', '0.' + '0' * 129 + '1'),
            ('-1E-130', '-0.' + '0' * 129 + '1'),
            # The forms Java's BigDecimal reads (DynamoDB's number syntax)
            ('.5', '0.5'), ('5.', '5'), ('+5', '5'), ('1E-0', '1'), ('0e5', '0'), ('-0.0e-200', '0'),
            ('10e-131', '0.' + '0' * 129 + '1'), ('1E+0125', '1' + '0' * 125),
            ('0' * 42 + '1', '1'), ('1.' + '0' * 41, '1'),
            # Leading and trailing zeros are not significant digits.
            ('0000012345678901234567890123456789012345678', '12345678901234567890123456789012345678'),
            ('-00001.23456789012345678901234567890123456780000', '-1.2345678901234567890123456789012345678'),
            ('0009.99999999999999999999999999999999999990000e125', '9' * 38 + '0' * 88),
            ('-0009.99999999999999999999999999999999999990000e125', '-' + '9' * 38 + '0' * 88),
            ('0001.000e-130', '0.' + '0' * 129 + '1'),
        ]
        for text, expected in cases:
            with self.subTest(text=text):
                self.assertEqual(self.put_number(text), expected)

    def test_number_errors(self):
        cases = [
            ('123456789012345678901234567890123456789', 'Attempting to store more than 38 significant digits in a '
                                                        'Number'),
            ('1.23456789012345678901234567890123456789', 'Attempting to store more than 38 significant digits in a '
                                                         'Number'),
            ('1E126', 'Number overflow. Attempting to store a number with magnitude larger than supported range'),
            ('-1E126', 'Number overflow. Attempting to store a number with magnitude larger than supported range'),
            ('1E-131', 'Number underflow. Attempting to store a number with magnitude smaller than supported range'),
            ('abc', 'The parameter cannot be converted to a numeric value: abc'),
            ('1.2.3', 'The parameter cannot be converted to a numeric value: 1.2.3'),
            ('NaN', 'The parameter cannot be converted to a numeric value: NaN'),
            ('Infinity', 'The parameter cannot be converted to a numeric value: Infinity'),
            ('0x10', 'The parameter cannot be converted to a numeric value: 0x10'),
            ('1e', 'The parameter cannot be converted to a numeric value: 1e'),
            ('--1', 'The parameter cannot be converted to a numeric value: --1'),
            ('-', 'The parameter cannot be converted to a numeric value: -'),
            ('', 'The parameter cannot be converted to a numeric value'),
            ('e5', 'The parameter cannot be converted to a numeric value: e5'),
            (' 1', 'The parameter cannot be converted to a numeric value:  1'),
            ('1_0', 'The parameter cannot be converted to a numeric value: 1_0'),
            ('10e125', 'Number overflow. Attempting to store a number with magnitude larger than supported range'),
            ('0.01e-129', 'Number underflow. Attempting to store a number with magnitude smaller than supported '
                          'range'),
        ]
        for text, message in cases:
            with self.subTest(text=text):
                self.assertError(lambda: self.ddb.put_item(TableName=self.t, Item={'pk': S('bad'), 'n': N(text)}),
                                 'ValidationException', message, unchanged=[self.t])

    def test_numbers_in_sets_and_keys_are_checked_too(self):
        nk = self.table(hash_key=('k', 'N'))
        cases = [
            (self.t, {'pk': S('x'), 'ns': {'NS': ['1', 'abc']}}, 'The parameter cannot be converted to a numeric '
                                                                 'value: abc'),
            (self.t, {'pk': S('x'), 'l': {'L': [N('1E200')]}}, 'Number overflow. Attempting to store a number with '
                                                               'magnitude larger than supported range'),
            (nk, {'k': N('1' * 39)}, 'Attempting to store more than 38 significant digits in a Number'),
        ]
        for table, item, message in cases:
            with self.subTest(item=item):
                self.assertError(lambda: self.ddb.put_item(TableName=table, Item=item), 'ValidationException',
                                 message, unchanged=[table])

    def test_number_keys_are_canonical(self):
        t = self.table(hash_key=('k', 'N'))
        self.ddb.put_item(TableName=t, Item={'k': N('1.0'), 'v': S('first')})
        self.ddb.put_item(TableName=t, Item={'k': N('1'), 'v': S('second')})
        self.assertEqual(self.items(t), [{'k': N('1'), 'v': S('second')}])
        self.assertEqual(self.ddb.get_item(TableName=t, Key={'k': N('1.000')})['Item']['v'], S('second'))

    def test_exact_arithmetic(self):
        cases = [
            ('0.1', '0.2', '0.3'),
            ('12345678901234567890123456789012345677', '1', '12345678901234567890123456789012345678'),
            ('99999999999999999999999999999999999999', '1', '100000000000000000000000000000000000000'),
            ('-5', '5', '0'),
            ('1E+100', '1E+100', '2' + '0' * 100),
            ('0.000000000000000000000000000000000001', '1', '1.000000000000000000000000000000000001'),
            ('-0.5', '0.25', '-0.25'),
        ]
        for a, b, total in cases:
            with self.subTest(a=a, b=b):
                self.ddb.put_item(TableName=self.t, Item={'pk': S('arith'), 'n': N(a)})
                out = self.ddb.update_item(TableName=self.t, Key={'pk': S('arith')}, UpdateExpression='ADD n :b',
                                           ExpressionAttributeValues={':b': N(b)}, ReturnValues='UPDATED_NEW')
                self.assertEqual(out['Attributes']['n'], N(total))
                out = self.ddb.update_item(TableName=self.t, Key={'pk': S('arith')}, UpdateExpression='SET n = n - :b',
                                           ExpressionAttributeValues={':b': N(b)}, ReturnValues='UPDATED_NEW')
                self.assertEqual(out['Attributes']['n'], N(self.put_number(a)))

    def test_arithmetic_beyond_38_digits_fails(self):
        self.ddb.put_item(TableName=self.t, Item={'pk': S('arith2'), 'n': N('1E+37')})
        self.assertError(lambda: self.ddb.update_item(TableName=self.t, Key={'pk': S('arith2')},
                                                      UpdateExpression='SET n = n + :b',
                                                      ExpressionAttributeValues={':b': N('0.1')}),
                         'ValidationException', message_contains='Number', unchanged=[self.t])

    def test_sets_reject_duplicates_and_empties(self):
        cases = [
            ({'SS': ['a', 'a']}, BAD + 'Input collection [a, a] contains duplicates.'),
            ({'SS': []}, BAD + 'An string set  may not be empty'),
            ({'NS': []}, BAD + 'An number set  may not be empty'),
            ({'BS': []}, BAD + 'Binary sets should not be empty'),
            ({'BS': [b'b', b'b']}, BAD + 'Input collection [Yg==, Yg==]of type BS contains duplicates.'),
        ]
        for value, message in cases:
            with self.subTest(value=value):
                self.assertError(lambda: self.ddb.put_item(TableName=self.t, Item={'pk': S('set'), 'v': value}),
                                 'ValidationException', message, unchanged=[self.t])

    def test_number_sets_with_equal_numbers_are_duplicates(self):
        self.assertError(lambda: self.ddb.put_item(TableName=self.t, Item={'pk': S('set'), 'v': {'NS': ['1', '1.0']}}),
                         'ValidationException', message_contains='contains duplicates', unchanged=[self.t])

    def test_empty_strings_and_binaries_outside_keys(self):
        item = {'pk': S('empty'), 's': S(''), 'b': {'B': b''}, 'l': {'L': [S(''), {'B': b''}]},
                'm': {'M': {'': S(''), 'x': {'B': b''}}}, 'ss': {'SS': ['']}, 'bs': {'BS': [b'']}}
        self.ddb.put_item(TableName=self.t, Item=item)
        self.assertEqual(self.ddb.get_item(TableName=self.t, Key={'pk': S('empty')}, ConsistentRead=True)['Item'], item)

    def test_attribute_value_shape_errors(self):
        cases = [
            ({'pk': {'S': 'x'}, 'v': {}}, 'ValidationException',
             'Supplied AttributeValue is empty, must contain exactly one of the supported datatypes'),
            ({'pk': {'S': 'x'}, 'v': {'S': 'a', 'N': '1'}}, 'ValidationException',
             'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported '
             'datatypes'),
            ({'pk': {'S': 'x'}, 'v': {'NULL': False}}, 'ValidationException',
             BAD + 'Null attribute value types must have the value of true'),
            ({'pk': {'S': 'x'}, 'v': {'S': 1}}, 'SerializationException', None),
            ({'pk': {'S': 'x'}, 'v': {'N': 1}}, 'SerializationException', None),
            ({'pk': {'S': 'x'}, 'v': {'BOOL': 'true'}}, 'SerializationException', None),
            ({'pk': {'S': 'x'}, 'v': {'SS': 'a'}}, 'SerializationException', None),
            ({'pk': {'S': 'x'}, 'v': {'L': {}}}, 'SerializationException', None),
        ]
        for item, code, message in cases:
            with self.subTest(item=item):
                self.assertRawError('PutItem', {'TableName': self.t, 'Item': item}, code, message, unchanged=[self.t])

    def test_key_size_limits(self):
        t = self.table(range_key=('sk', 'S'))
        self.ddb.put_item(TableName=t, Item={'pk': S('p' * 2048), 'sk': S('s' * 1024)})
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('p' * 2049), 'sk': S('s')}),
                         'ValidationException',
                         BAD + 'Size of hashkey has exceeded the maximum size limit of2048 bytes', unchanged=[t])
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('p'), 'sk': S('s' * 1025)}),
                         'ValidationException',
                         BAD + 'Aggregated size of all range keys has exceeded the size limit of 1024 bytes',
                         unchanged=[t])
        # Key sizes count UTF-8 bytes, not characters.
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('\u00e9' * 1025), 'sk': S('s')}),
                         'ValidationException',
                         BAD + 'Size of hashkey has exceeded the maximum size limit of2048 bytes', unchanged=[t])

    def test_nesting_depth(self):
        def nested(depth):
            v = S('leaf')
            for _ in range(depth):
                v = {'M': {'m': v}}
            return v
        # 32 levels: the top-level attribute is level 1, so 31 maps inside it put the leaf at 32.
        self.ddb.put_item(TableName=self.t, Item={'pk': S('deep'), 'v': nested(31)})
        self.assertError(lambda: self.ddb.put_item(TableName=self.t, Item={'pk': S('deep'), 'v': nested(32)}),
                         'ValidationException', 'Nesting Levels have exceeded supported limits: Attributes in the item '
                         'have nested levels beyond supported limit', unchanged=[self.t])

    # ----- item size -----------------------------------------------------------------

    def assertSize(self, item, size):
        """An item is `size` bytes as AWS counts: 1024 bytes is one write unit, 1025 two. Padding the
        item with a string attribute 'p' to exactly 1024 and 1025 bytes shows its size."""
        t = self.table(prefix='sz')
        for total, units in ((1024, 1.0), (1025, 2.0)):
            pad = total - size - 1  # the attribute name 'p' is one byte
            padded = dict(item, p=S('x' * pad))
            out = self.ddb.put_item(TableName=t, Item=padded, ReturnConsumedCapacity='TOTAL')
            self.assertEqual(out['ConsumedCapacity'], consumed(t, units), 'item %r at %d' % (item, total))

    def test_item_sizes(self):
        cases = [
            ({'pk': S('a')}, 3),
            ({'pk': S('\u00e9')}, 4),  # UTF-8 bytes
            ({'pk': S('a'), 'n': N('12345')}, 3 + 1 + number_size('12345')),
            ({'pk': S('a'), 'n': N('1')}, 3 + 1 + 2),
            ({'pk': S('a'), 'n': N('-1.5')}, 3 + 1 + number_size('-1.5')),
            ({'pk': S('a'), 'n': N('123.45')}, 3 + 1 + number_size('123.45')),
            ({'pk': S('a'), 'ns': {'NS': ['1', '22']}}, 3 + 2 + 2 + 2),
            ({'pk': S('a'), 'n': N('12345678901234567890123456789012345678')}, 3 + 1 + 20),
            ({'pk': S('a'), 'n': N('0.000012345678901234567890123456789012345678')}, 3 + 1 + number_size('0.000012345678901234567890123456789012345678')),
            ({'pk': S('a'), 'b': {'B': b'\x00' * 10}}, 3 + 1 + 10),
            ({'pk': S('a'), 't': {'BOOL': True}}, 3 + 1 + 1),
            ({'pk': S('a'), 'z': {'NULL': True}}, 3 + 1 + 1),
            ({'pk': S('a'), 'ss': {'SS': ['ab', 'cd']}}, 3 + 2 + 4),
            ({'pk': S('a'), 'l': {'L': []}}, 3 + 1 + 3),
            ({'pk': S('a'), 'm': {'M': {}}}, 3 + 1 + 3),
            ({'pk': S('a'), 'l': {'L': [S('ab'), S('cd')]}}, 3 + 1 + 3 + (1 + 2) * 2),
            ({'pk': S('a'), 'm': {'M': {'k': S('vv')}}}, 3 + 1 + 3 + 1 + 1 + 2),
            ({'pk': S('a'), 'e': S('')}, 3 + 1),
        ]
        for item, size in cases:
            with self.subTest(item=item):
                self.assertSize(item, size)

    def test_item_size_limit_at_the_boundary(self):
        limit = 400 * 1024
        base = len('pk') + len('big') + len('d')  # item {'pk': 'big', 'd': ...}
        self.ddb.put_item(TableName=self.t, Item={'pk': S('big'), 'd': S('x' * (limit - base))})
        self.assertError(lambda: self.ddb.put_item(TableName=self.t,
                                                   Item={'pk': S('big2'), 'd': S('x' * (limit - base + 1))}),
                         'ValidationException', 'Item size has exceeded the maximum allowed size',
                         unchanged=[self.t])
        out = self.ddb.get_item(TableName=self.t, Key={'pk': S('big')}, ReturnConsumedCapacity='TOTAL',
                                ConsistentRead=True)
        self.assertEqual(out['ConsumedCapacity'], consumed(self.t, 100.0))
        # An update that grows the item past the limit is refused too.
        self.assertError(lambda: self.ddb.update_item(TableName=self.t, Key={'pk': S('big')},
                                                      UpdateExpression='SET e = :v',
                                                      ExpressionAttributeValues={':v': S('')}),
                         'ValidationException', 'Item size to update has exceeded the maximum allowed size',
                         unchanged=[self.t])

    def test_number_sizes_at_the_400_kb_boundary(self):
        # Large-exponent numbers cost 1 byte plus their digit pairs: an item made exactly 400 KB with
        # the number's size is accepted, one byte more is refused.
        limit = 400 * 1024
        cases = [('1' + '0' * 125, 2), ('11' + '0' * 124, 2), ('11111' + '0' * 121, 4), ('111111' + '0' * 120, 4),
                 ('1111111' + '0' * 119, 5), ('1' * 38 + '0' * 88, 20), ('12.3456', 4), ('1', 2)]
        for number, size in cases:
            with self.subTest(number=number[:12], size=size):
                self.assertEqual(number_size(number), size)
                fixed = len('pk') + len('edge') + len('b') + len('c') + size
                item = {'pk': S('edge'), 'b': S('a' * (limit - fixed)), 'c': N(number)}
                self.ddb.put_item(TableName=self.t, Item=item)
                item['b'] = S('a' * (limit - fixed + 1))
                self.assertError(lambda: self.ddb.put_item(TableName=self.t, Item=item), 'ValidationException',
                                 'Item size has exceeded the maximum allowed size')

    def test_attribute_names(self):
        self.assertError(lambda: self.ddb.put_item(TableName=self.t, Item={'pk': S('n'), '': S('v')}),
                         'ValidationException', BAD + 'Empty attribute name', unchanged=[self.t])
        unicode_name = {'pk': S('n'), '\u00e9t\u00e9 \U0001F600': S('v')}
        self.ddb.put_item(TableName=self.t, Item=unicode_name)
        self.assertEqual(self.ddb.get_item(TableName=self.t, Key={'pk': S('n')}, ConsistentRead=True)['Item'],
                         unicode_name)


if __name__ == '__main__':
    unittest.main()
