"""Legacy (pre-expression) parameters: Expected, ConditionalOperator, AttributeUpdates,
AttributesToGet, KeyConditions, QueryFilter, ScanFilter, and the rule that a request
may not mix them with expression parameters.

Written from the DynamoDB Developer Guide ("Legacy conditional parameters",
"Writing conditions with legacy parameters") and the API Reference (Condition,
ExpectedAttributeValue, AttributeValueUpdate, ComparisonOperator). Sections by
action; every error case checks the exact message and that nothing changed.
"""
import unittest

from conformance import ConformanceCase

INVALID = 'One or more parameter values were invalid: '
MIXING = 'Can not use both expression and non-expression parameters in the same request: '


def mixing(legacy, expressions):
    return MIXING + 'Non-expression parameters: {%s} Expression parameters: {%s}' % (legacy, expressions)


def cond(op, *values):
    c = {'ComparisonOperator': op}
    if values:
        c['AttributeValueList'] = list(values)
    return c


S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': v}  # noqa: E731
B = lambda v: {'B': v}  # noqa: E731

# The item the Expected cases are checked against.
# (Binary values are compared in the Scan cases: the unchanged-table check
# serializes items as JSON.)
ITEM = {'pk': S('k'), 's': S('hello'), 'n': N('5'), 'ss': {'SS': ['a', 'b']},
        'ns': {'NS': ['1', '2']}, 'l': {'L': [S('x'), N('1')]}, 'm': {'M': {'a': S('1')}}, 'flag': {'BOOL': True}}

# (Expected, does the condition hold for ITEM?)
EXPECTED_CASES = [
    ({'s': {'Value': S('hello')}}, True),
    ({'s': {'Value': S('nope')}}, False),
    ({'zz': {'Value': S('hello')}}, False),
    ({'s': {'Exists': True, 'Value': S('hello')}}, True),
    ({'s': {'Exists': True, 'Value': S('other')}}, False),
    ({'zz': {'Exists': False}}, True),
    ({'s': {'Exists': False}}, False),
    ({'s': {'ComparisonOperator': 'EQ', 'Value': S('hello')}}, True),
    ({'n': cond('EQ', N('5.0'))}, True),
    ({'n': cond('EQ', S('5'))}, False),
    ({'ss': cond('EQ', {'SS': ['b', 'a']})}, True),
    ({'ns': cond('EQ', {'NS': ['1']})}, False),
    ({'zz': cond('EQ', S('x'))}, False),
    ({'s': cond('NE', S('x'))}, True),
    ({'s': cond('NE', S('hello'))}, False),
    ({'zz': cond('NE', S('x'))}, True),
    ({'n': cond('NE', S('5'))}, True),
    ({'n': cond('LT', N('6'))}, True),
    ({'n': cond('LT', N('5'))}, False),
    ({'n': cond('LE', N('5'))}, True),
    ({'n': cond('GT', N('4.99'))}, True),
    ({'n': cond('GE', N('6'))}, False),
    ({'s': cond('GT', S('a'))}, True),
    ({'s': cond('LT', S('a'))}, False),
    ({'zz': cond('GE', N('0'))}, False),
    ({'n': cond('LT', S('9'))}, False),
    ({'s': cond('NOT_NULL')}, True),
    ({'zz': cond('NOT_NULL')}, False),
    ({'zz': cond('NULL')}, True),
    ({'s': cond('NULL')}, False),
    ({'s': cond('CONTAINS', S('ell'))}, True),
    ({'s': cond('CONTAINS', S('xyz'))}, False),
    ({'ss': cond('CONTAINS', S('a'))}, True),
    ({'ss': cond('CONTAINS', S('z'))}, False),
    ({'ns': cond('CONTAINS', N('2'))}, True),
    ({'l': cond('CONTAINS', S('x'))}, True),
    ({'zz': cond('CONTAINS', S('x'))}, False),
    ({'s': cond('NOT_CONTAINS', S('xyz'))}, True),
    ({'s': cond('NOT_CONTAINS', S('ell'))}, False),
    ({'ss': cond('NOT_CONTAINS', S('a'))}, False),
    ({'ss': cond('NOT_CONTAINS', S('z'))}, True),
    ({'zz': cond('NOT_CONTAINS', S('x'))}, False),
    ({'s': cond('BEGINS_WITH', S('he'))}, True),
    ({'s': cond('BEGINS_WITH', S('lo'))}, False),
    ({'zz': cond('BEGINS_WITH', S('a'))}, False),
    ({'s': cond('IN', S('x'), S('hello'))}, True),
    ({'n': cond('IN', N('1'), N('2'))}, False),
    ({'n': cond('IN', N('5'))}, True),
    ({'n': cond('BETWEEN', N('1'), N('5'))}, True),
    ({'n': cond('BETWEEN', N('6'), N('9'))}, False),
    ({'s': cond('BETWEEN', S('a'), S('i'))}, True),
    ({'zz': cond('BETWEEN', N('1'), N('9'))}, False),
    # Several conditions: AND by default.
    ({'s': {'Value': S('hello')}, 'n': cond('GT', N('1'))}, True),
    ({'s': {'Value': S('hello')}, 'n': cond('GT', N('9'))}, False),
]

# (one condition, message) for every operator's arity and type rules.
COMPARISON_ERRORS = [
    (cond('EQ'), INVALID + 'Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a'),
    ({'ComparisonOperator': 'EQ', 'AttributeValueList': []}, INVALID + 'Invalid number of argument(s) for the EQ ComparisonOperator'),
    (cond('EQ', S('x'), S('y')), INVALID + 'Invalid number of argument(s) for the EQ ComparisonOperator'),
    (cond('NE', S('x'), S('y')), INVALID + 'Invalid number of argument(s) for the NE ComparisonOperator'),
    (cond('LT', N('1'), N('2')), INVALID + 'Invalid number of argument(s) for the LT ComparisonOperator'),
    (cond('LE', N('1'), N('2')), INVALID + 'Invalid number of argument(s) for the LE ComparisonOperator'),
    (cond('GT', N('1'), N('2')), INVALID + 'Invalid number of argument(s) for the GT ComparisonOperator'),
    (cond('GE', N('1'), N('2')), INVALID + 'Invalid number of argument(s) for the GE ComparisonOperator'),
    (cond('NULL', S('x')), INVALID + 'Invalid number of argument(s) for the NULL ComparisonOperator'),
    (cond('NOT_NULL', S('x')), INVALID + 'Invalid number of argument(s) for the NOT_NULL ComparisonOperator'),
    (cond('CONTAINS', S('x'), S('y')), INVALID + 'Invalid number of argument(s) for the CONTAINS ComparisonOperator'),
    (cond('NOT_CONTAINS', S('x'), S('y')), INVALID + 'Invalid number of argument(s) for the NOT_CONTAINS ComparisonOperator'),
    (cond('BEGINS_WITH', S('x'), S('y')), INVALID + 'Invalid number of argument(s) for the BEGINS_WITH ComparisonOperator'),
    ({'ComparisonOperator': 'IN', 'AttributeValueList': []}, INVALID + 'Invalid number of argument(s) for the IN ComparisonOperator'),
    (cond('BETWEEN', N('1')), INVALID + 'Invalid number of argument(s) for the BETWEEN ComparisonOperator'),
    (cond('BETWEEN', N('1'), N('2'), N('3')), INVALID + 'Invalid number of argument(s) for the BETWEEN ComparisonOperator'),
    (cond('LT', {'SS': ['a']}), INVALID + 'ComparisonOperator LT is not valid for SS AttributeValue type'),
    (cond('LE', {'NULL': True}), INVALID + 'ComparisonOperator LE is not valid for NULL AttributeValue type'),
    (cond('GT', {'BOOL': True}), INVALID + 'ComparisonOperator GT is not valid for BOOL AttributeValue type'),
    (cond('GE', {'L': []}), INVALID + 'ComparisonOperator GE is not valid for L AttributeValue type'),
    (cond('IN', {'M': {}}), INVALID + 'ComparisonOperator IN is not valid for M AttributeValue type'),
    (cond('CONTAINS', {'NS': ['1']}), INVALID + 'ComparisonOperator CONTAINS is not valid for NS AttributeValue type'),
    (cond('NOT_CONTAINS', {'BS': [b'a']}), INVALID + 'ComparisonOperator NOT_CONTAINS is not valid for BS AttributeValue type'),
    (cond('BEGINS_WITH', N('1')), INVALID + 'ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type'),
    (cond('BETWEEN', {'SS': ['a']}, {'SS': ['b']}), INVALID + 'ComparisonOperator BETWEEN is not valid for SS AttributeValue type'),
    (cond('IN', S('a'), N('1')), INVALID + 'AttributeValues inside AttributeValueList must be of same type'),
    (cond('BETWEEN', N('1'), S('a')), INVALID + 'AttributeValues inside AttributeValueList must be of same type'),
    (cond('BETWEEN', N('9'), N('1')), 'The BETWEEN condition was provided a range where the lower bound is greater than the upper bound'),
    (cond('BETWEEN', S('b'), S('a')), 'The BETWEEN condition was provided a range where the lower bound is greater than the upper bound'),
]

# Expected's own forms (Value / Exists) and their errors.
EXPECTED_FORM_ERRORS = [
    ({}, INVALID + 'Value must be provided when Exists is null for Attribute: a'),
    ({'Exists': True}, INVALID + 'Value must be provided when Exists is true for Attribute: a'),
    ({'Exists': False, 'Value': S('x')}, INVALID + 'Value cannot be used when Exists is false for Attribute: a'),
    ({'Value': S('x'), 'AttributeValueList': [S('x')]},
     INVALID + 'Value and AttributeValueList cannot be used together for Attribute: a'),
    ({'Value': S('x'), 'AttributeValueList': [S('x')], 'ComparisonOperator': 'EQ'},
     INVALID + 'Value and AttributeValueList cannot be used together for Attribute: a'),
    ({'Exists': True, 'ComparisonOperator': 'EQ', 'Value': S('x')},
     INVALID + 'Exists and ComparisonOperator cannot be used together for Attribute: a'),
    ({'AttributeValueList': [S('x')]},
     INVALID + 'AttributeValueList can only be used with a ComparisonOperator for Attribute: a'),
    ({'ComparisonOperator': 'BETWEEN', 'Value': N('1')},
     INVALID + 'Invalid number of argument(s) for the BETWEEN ComparisonOperator'),
    ({'ComparisonOperator': 'NULL', 'Value': N('1')},
     INVALID + 'Invalid number of argument(s) for the NULL ComparisonOperator'),
    ({'ComparisonOperator': 'LIKE', 'Value': N('1')},
     "1 validation error detected: Value 'LIKE' at 'expected.a.member.comparisonOperator' failed to satisfy "
     'constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, '
     'LE, BEGINS_WITH, GE, CONTAINS]'),
]


class PutDeleteExpectedTest(ConformanceCase):
    """PutItem / DeleteItem with Expected (and ConditionalOperator)."""

    def test_expected_conditions(self):
        t = self.table(items=[ITEM])
        for expected, holds in EXPECTED_CASES:
            with self.subTest(expected=expected):
                new = dict(ITEM, v=N('1'))
                call = lambda: self.ddb.put_item(TableName=t, Item=new, Expected=expected)  # noqa: E731
                if holds:
                    call()
                    self.assertEqual(self.items(t), [new])
                    self.ddb.put_item(TableName=t, Item=ITEM)
                else:
                    self.assertError(call, 'ConditionalCheckFailedException', 'The conditional request failed',
                                     unchanged=[t])

    def test_expected_on_missing_item(self):
        t = self.table()
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a')},
                                                   Expected={'pk': {'Value': S('a')}}),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.ddb.put_item(TableName=t, Item={'pk': S('a')}, Expected={'pk': {'Exists': False}})
        self.assertEqual(self.items(t), [{'pk': S('a')}])
        # The same condition now fails: the item exists.
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'x': S('1')},
                                                   Expected={'pk': {'Exists': False}}),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])

    def test_comparison_errors(self):
        t = self.table(items=[ITEM])
        for c, message in COMPARISON_ERRORS:
            with self.subTest(condition=c):
                self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('k')}, Expected={'a': c}),
                                 'ValidationException', message, unchanged=[t])

    def test_expected_form_errors(self):
        t = self.table(items=[ITEM])
        for c, message in EXPECTED_FORM_ERRORS:
            with self.subTest(condition=c):
                self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('k')}, Expected={'a': c}),
                                 'ValidationException', message, unchanged=[t])

    def test_invalid_value_in_expected(self):
        t = self.table(items=[ITEM])
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('k')},
                                                   Expected={'n': {'Value': N('abc')}}),
                         'ValidationException', message_contains='numeric value', unchanged=[t])

    def test_conditional_operator(self):
        t = self.table(items=[ITEM])
        one_true_one_false = {'s': {'Value': S('hello')}, 'n': cond('GT', N('9'))}
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('k')}, Expected=one_true_one_false,
                                                   ConditionalOperator='AND'),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.ddb.put_item(TableName=t, Item={'pk': S('k'), 'v': N('2')}, Expected=one_true_one_false,
                          ConditionalOperator='OR')
        self.assertEqual(self.items(t), [{'pk': S('k'), 'v': N('2')}])
        both_false = {'s': {'Value': S('x')}, 'v': cond('GT', N('9'))}
        self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('k')}, Expected=both_false,
                                                      ConditionalOperator='OR'),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])

    def test_conditional_operator_errors(self):
        t = self.table(items=[ITEM])
        cases = [
            (dict(ConditionalOperator='AND'), 'ConditionalOperator cannot be used without Filter or Expected'),
            (dict(ConditionalOperator='OR', Expected={}), 'ConditionalOperator cannot be used without Filter or Expected'),
            (dict(ConditionalOperator='AND', Expected={'s': {'Value': S('hello')}}),
             'ConditionalOperator can only be used when Filter or Expected has two or more elements'),
            (dict(ConditionalOperator='XOR', Expected={'s': {'Value': S('hello')}, 'n': {'Value': N('5')}}),
             "1 validation error detected: Value 'XOR' at 'conditionalOperator' failed to satisfy constraint: "
             'Member must satisfy enum value set: [AND, OR]'),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('k')}, **kwargs),
                                 'ValidationException', message, unchanged=[t])
                self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('k')}, **kwargs),
                                 'ValidationException', message, unchanged=[t])

    def test_delete_with_expected(self):
        t = self.table(items=[ITEM])
        out = self.ddb.delete_item(TableName=t, Key={'pk': S('k')}, Expected={'n': cond('EQ', N('5'))},
                                   ReturnValues='ALL_OLD')
        self.assertEqual(out['Attributes'], ITEM)
        self.assertEqual(self.items(t), [])

    def test_failed_check_returns_old_item(self):
        t = self.table(items=[ITEM])
        resp = self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('k')},
                                                          Expected={'n': {'Value': N('6')}},
                                                          ReturnValuesOnConditionCheckFailure='ALL_OLD'),
                                'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.assertEqual(resp['Item'], ITEM)

    def test_mixing(self):
        t = self.table(items=[ITEM])
        cases = [
            (dict(Expected={'s': {'Value': S('hello')}}, ConditionExpression='attribute_exists(pk)'),
             mixing('Expected', 'ConditionExpression')),
            (dict(ConditionalOperator='AND', ConditionExpression='attribute_exists(pk)'),
             mixing('ConditionalOperator', 'ConditionExpression')),
            (dict(Expected={'s': {'Value': S('hello')}}, ConditionalOperator='AND',
                  ConditionExpression='attribute_exists(pk)'),
             mixing('Expected, ConditionalOperator', 'ConditionExpression')),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('k')}, **kwargs),
                                 'ValidationException', message, unchanged=[t])
                self.assertError(lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('k')}, **kwargs),
                                 'ValidationException', message, unchanged=[t])

    def test_wrong_json_types(self):
        t = self.table(items=[ITEM])
        for expected in ['x', {'a': 'x'}, {'a': {'Exists': 'yes'}}, {'a': {'ComparisonOperator': 1}},
                         {'a': {'ComparisonOperator': 'EQ', 'AttributeValueList': {'S': 'x'}}}]:
            with self.subTest(expected=expected):
                self.assertRawError('PutItem', {'TableName': t, 'Item': {'pk': S('k')}, 'Expected': expected},
                                    'SerializationException', unchanged=[t])


class UpdateItemAttributeUpdatesTest(ConformanceCase):
    """UpdateItem with AttributeUpdates (PUT / ADD / DELETE) and Expected."""

    BASE = {'pk': S('k'), 's': S('x'), 'n': N('5'), 'ss': {'SS': ['a', 'b']}, 'ns': {'NS': ['1', '2']}}

    def test_actions(self):
        BASE = self.BASE
        cases = [
            ({'t': {'Action': 'PUT', 'Value': S('new')}}, dict(BASE, t=S('new'))),
            ({'s': {'Action': 'PUT', 'Value': N('1')}}, dict(BASE, s=N('1'))),
            ({'s': {'Value': S('default is PUT')}}, dict(BASE, s=S('default is PUT'))),
            ({'n': {'Action': 'ADD', 'Value': N('3')}}, dict(BASE, n=N('8'))),
            ({'n': {'Action': 'ADD', 'Value': N('-5.5')}}, dict(BASE, n=N('-0.5'))),
            ({'c': {'Action': 'ADD', 'Value': N('3')}}, dict(BASE, c=N('3'))),
            ({'ss': {'Action': 'ADD', 'Value': {'SS': ['b', 'c']}}}, dict(BASE, ss={'SS': ['a', 'b', 'c']})),
            ({'new': {'Action': 'ADD', 'Value': {'NS': ['7']}}}, dict(BASE, new={'NS': ['7']})),
            ({'s': {'Action': 'DELETE'}}, {k: v for k, v in BASE.items() if k != 's'}),
            ({'zz': {'Action': 'DELETE'}}, BASE),
            ({'ss': {'Action': 'DELETE', 'Value': {'SS': ['a', 'z']}}}, dict(BASE, ss={'SS': ['b']})),
            ({'ns': {'Action': 'DELETE', 'Value': {'NS': ['1', '2']}}}, {k: v for k, v in BASE.items() if k != 'ns'}),
            ({'zz': {'Action': 'DELETE', 'Value': {'SS': ['a']}}}, BASE),
            ({'s': {'Action': 'DELETE'}, 'n': {'Action': 'ADD', 'Value': N('1')}, 't': {'Value': S('t')}},
             dict({k: v for k, v in BASE.items() if k != 's'}, n=N('6'), t=S('t'))),
        ]
        for updates, after in cases:
            with self.subTest(updates=updates):
                t = self.table(items=[self.BASE])
                self.ddb.update_item(TableName=t, Key={'pk': S('k')}, AttributeUpdates=updates)
                got = self.items(t)
                self.assertEqual(len(got), 1)
                # Sets come back in any order.
                norm = lambda i: {k: ({kk: sorted(vv)} if kk in ('SS', 'NS') else v)  # noqa: E731
                                  for k, v in i.items() for kk, vv in v.items()}
                self.assertEqual(norm(got[0]), norm(after))

    def test_add_creates_missing_item(self):
        t = self.table()
        self.ddb.update_item(TableName=t, Key={'pk': S('new')},
                             AttributeUpdates={'count': {'Action': 'ADD', 'Value': N('1')}})
        self.ddb.update_item(TableName=t, Key={'pk': S('new')},
                             AttributeUpdates={'count': {'Action': 'ADD', 'Value': N('1')}})
        self.assertEqual(self.items(t), [{'pk': S('new'), 'count': N('2')}])

    def test_return_values(self):
        t = self.table(items=[self.BASE])
        out = self.ddb.update_item(TableName=t, Key={'pk': S('k')}, ReturnValues='UPDATED_NEW',
                                   AttributeUpdates={'n': {'Action': 'ADD', 'Value': N('1')}})
        self.assertEqual(out['Attributes'], {'n': N('6')})
        out = self.ddb.update_item(TableName=t, Key={'pk': S('k')}, ReturnValues='UPDATED_OLD',
                                   AttributeUpdates={'s': {'Value': S('y')}})
        self.assertEqual(out['Attributes'], {'s': S('x')})

    def test_with_expected(self):
        t = self.table(items=[self.BASE])
        self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('k')},
                                                      AttributeUpdates={'s': {'Value': S('y')}},
                                                      Expected={'n': {'Value': N('6')}}),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])
        self.ddb.update_item(TableName=t, Key={'pk': S('k')}, AttributeUpdates={'s': {'Value': S('y')}},
                             Expected={'n': {'Value': N('5')}, 'zz': {'Exists': False}}, ConditionalOperator='AND')
        self.assertEqual(self.items(t)[0]['s'], S('y'))

    def test_create_only_once(self):
        t = self.table()
        create = lambda: self.ddb.update_item(TableName=t, Key={'pk': S('n')},  # noqa: E731
                                              AttributeUpdates={'v': {'Value': N('1')}},
                                              Expected={'pk': {'Exists': False}})
        create()
        self.assertEqual(self.items(t), [{'pk': S('n'), 'v': N('1')}])
        self.assertError(create, 'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])

    def test_expected_with_update_expression_is_mixing(self):
        t = self.table(items=[self.BASE])
        self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('k')}, UpdateExpression='SET s = :v',
                                                      ExpressionAttributeValues={':v': S('y')},
                                                      Expected={'n': {'Value': N('5')}}),
                         'ValidationException', mixing('Expected', 'UpdateExpression'), unchanged=[t])

    def test_errors(self):
        cases = [
            ({'s': {'Action': 'PUT'}}, INVALID + 'Only DELETE action is allowed when no attribute value is specified'),
            ({'s': {}}, INVALID + 'Only DELETE action is allowed when no attribute value is specified'),
            ({'n': {'Action': 'ADD'}}, INVALID + 'Only DELETE action is allowed when no attribute value is specified'),
            ({'s': {'Action': 'ADD', 'Value': S('x')}}, INVALID + 'Action ADD is not supported for the type S'),
            ({'s': {'Action': 'ADD', 'Value': {'BOOL': True}}}, INVALID + 'Action ADD is not supported for the type BOOL'),
            ({'s': {'Action': 'ADD', 'Value': {'M': {}}}}, INVALID + 'Action ADD is not supported for the type M'),
            ({'s': {'Action': 'DELETE', 'Value': S('x')}}, INVALID + 'Action DELETE is not supported for the type S'),
            ({'n': {'Action': 'DELETE', 'Value': N('5')}}, INVALID + 'Action DELETE is not supported for the type N'),
            ({'l': {'Action': 'DELETE', 'Value': {'L': []}}}, INVALID + 'Action DELETE is not supported for the type L'),
            ({'pk': {'Value': S('other')}}, INVALID + 'Cannot update attribute pk. This attribute is part of the key'),
            ({'pk': {'Action': 'DELETE'}}, INVALID + 'Cannot update attribute pk. This attribute is part of the key'),
            ({'s': {'Action': 'REPLACE', 'Value': S('x')}},
             "1 validation error detected: Value 'REPLACE' at 'attributeUpdates.s.member.action' failed to satisfy "
             'constraint: Member must satisfy enum value set: [ADD, PUT, DELETE]'),
            ({'s': {'Action': 'ADD', 'Value': N('1')}}, 'Type mismatch for attribute to update'),
            ({'n': {'Action': 'ADD', 'Value': {'NS': ['1']}}}, 'Type mismatch for attribute to update'),
            ({'ss': {'Action': 'ADD', 'Value': {'NS': ['1']}}}, 'Type mismatch for attribute to update'),
            ({'ns': {'Action': 'DELETE', 'Value': {'SS': ['1']}}}, 'Type mismatch for attribute to update'),
        ]
        t = self.table(items=[self.BASE])
        for updates, message in cases:
            with self.subTest(updates=updates):
                self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('k')},
                                                              AttributeUpdates=updates),
                                 'ValidationException', message, unchanged=[t])

    def test_mixing(self):
        t = self.table(items=[self.BASE])
        put = {'s': {'Value': S('v'), 'Action': 'PUT'}}
        cases = [
            (dict(AttributeUpdates=put, UpdateExpression='SET s = :v', ExpressionAttributeValues={':v': S('x')}),
             mixing('AttributeUpdates', 'UpdateExpression')),
            (dict(AttributeUpdates=put, ConditionExpression='attribute_exists(pk)'),
             mixing('AttributeUpdates', 'ConditionExpression')),
            (dict(ConditionalOperator='AND', UpdateExpression='SET s = :v', ExpressionAttributeValues={':v': S('x')}),
             mixing('ConditionalOperator', 'UpdateExpression')),
            (dict(AttributeUpdates=put, Expected={'s': cond('EQ', S('x'))}, ConditionalOperator='AND',
                  UpdateExpression='SET s = :v', ConditionExpression='attribute_exists(pk)',
                  ExpressionAttributeValues={':v': S('x')}),
             mixing('AttributeUpdates, Expected, ConditionalOperator', 'UpdateExpression, ConditionExpression')),
            (dict(ConditionalOperator='AND', AttributeUpdates=put),
             'ConditionalOperator cannot be used without Filter or Expected'),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('k')}, **kwargs),
                                 'ValidationException', message, unchanged=[t])

    def test_wrong_json_types(self):
        t = self.table(items=[self.BASE])
        for updates in ['x', {'s': 'x'}, {'s': {'Action': 1, 'Value': S('x')}}]:
            with self.subTest(updates=updates):
                self.assertRawError('UpdateItem', {'TableName': t, 'Key': {'pk': S('k')}, 'AttributeUpdates': updates},
                                    'SerializationException', unchanged=[t])


class GetItemAttributesToGetTest(ConformanceCase):
    ITEM = {'pk': S('k'), 'a': S('1'), 'b': N('2'), 'c': {'M': {'d': S('3')}}}

    def test_returns_named_attributes(self):
        t = self.table(items=[self.ITEM])
        cases = [
            (['a'], {'a': S('1')}),
            (['a', 'c', 'missing'], {'a': S('1'), 'c': {'M': {'d': S('3')}}}),
            (['pk'], {'pk': S('k')}),
            (['missing'], {}),
            (['c.d'], {}),  # a name, not a document path
        ]
        for names, item in cases:
            with self.subTest(names=names):
                out = self.ddb.get_item(TableName=t, Key={'pk': S('k')}, AttributesToGet=names)
                self.assertEqual(out['Item'], item)

    def test_missing_item(self):
        t = self.table()
        out = self.ddb.get_item(TableName=t, Key={'pk': S('k')}, AttributesToGet=['a'])
        self.assertNotIn('Item', out)

    def test_errors(self):
        t = self.table(items=[self.ITEM])
        cases = [
            (dict(AttributesToGet=['a', 'a']), INVALID + 'Duplicate value in attribute name: a'),
            (dict(AttributesToGet=['a'], ProjectionExpression='b'), mixing('AttributesToGet', 'ProjectionExpression')),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.ddb.get_item(TableName=t, Key={'pk': S('k')}, **kwargs),
                                 'ValidationException', message)

    def test_empty_list(self):
        t = self.table(items=[self.ITEM])
        self.assertRawError('GetItem', {'TableName': t, 'Key': {'pk': S('k')}, 'AttributesToGet': []},
                            'ValidationException',
                            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy "
                            'constraint: Member must have length greater than or equal to 1')

    def test_wrong_json_types(self):
        t = self.table(items=[self.ITEM])
        for names in ['a', [1], {'a': 1}]:
            with self.subTest(names=names):
                self.assertRawError('GetItem', {'TableName': t, 'Key': {'pk': S('k')}, 'AttributesToGet': names},
                                    'SerializationException')


class QueryLegacyTest(ConformanceCase):
    """Query with KeyConditions, QueryFilter, ConditionalOperator and AttributesToGet."""

    def setUp(self):
        self.t = self.table(range_key=('sk', 'N'), items=[
            {'pk': S('a'), 'sk': N(str(i)), 'x': N(str(i * 10)), 'tag': S('even' if i % 2 == 0 else 'odd')}
            for i in range(1, 7)] + [{'pk': S('b'), 'sk': N('1')}])

    def sks(self, **kwargs):
        out = self.ddb.query(TableName=self.t, **kwargs)
        return [int(i['sk']['N']) for i in out['Items']]

    def test_key_conditions(self):
        pk = {'pk': cond('EQ', S('a'))}
        cases = [
            ({}, [1, 2, 3, 4, 5, 6]),
            ({'sk': cond('EQ', N('3'))}, [3]),
            ({'sk': cond('LT', N('3'))}, [1, 2]),
            ({'sk': cond('LE', N('3'))}, [1, 2, 3]),
            ({'sk': cond('GT', N('4'))}, [5, 6]),
            ({'sk': cond('GE', N('4'))}, [4, 5, 6]),
            ({'sk': cond('BETWEEN', N('2'), N('4'))}, [2, 3, 4]),
            ({'sk': cond('BETWEEN', N('4'), N('4'))}, [4]),
            ({'sk': cond('GT', N('100'))}, []),
        ]
        for sort, expected in cases:
            with self.subTest(sort=sort):
                self.assertEqual(self.sks(KeyConditions=dict(pk, **sort)), expected)
        self.assertEqual(self.sks(KeyConditions=pk, ScanIndexForward=False), [6, 5, 4, 3, 2, 1])

    def test_begins_with_on_string_sort_key(self):
        t = self.table(range_key=('sk', 'S'), items=[{'pk': S('a'), 'sk': S(s)} for s in ['ab', 'abc', 'b', 'a']])
        out = self.ddb.query(TableName=t, KeyConditions={'pk': cond('EQ', S('a')), 'sk': cond('BEGINS_WITH', S('ab'))})
        self.assertEqual([i['sk']['S'] for i in out['Items']], ['ab', 'abc'])

    def test_query_filter(self):
        pk = {'pk': cond('EQ', S('a'))}
        cases = [
            (dict(QueryFilter={'tag': cond('EQ', S('even'))}), [2, 4, 6]),
            (dict(QueryFilter={'x': cond('GT', N('35'))}), [4, 5, 6]),
            (dict(QueryFilter={'tag': cond('EQ', S('even')), 'x': cond('GT', N('35'))}), [4, 6]),
            (dict(QueryFilter={'tag': cond('EQ', S('even')), 'x': cond('GT', N('35'))}, ConditionalOperator='AND'),
             [4, 6]),
            (dict(QueryFilter={'tag': cond('EQ', S('even')), 'x': cond('GT', N('35'))}, ConditionalOperator='OR'),
             [2, 4, 5, 6]),
            (dict(QueryFilter={'missing': cond('NULL')}), [1, 2, 3, 4, 5, 6]),
        ]
        for kwargs, expected in cases:
            with self.subTest(kwargs=kwargs):
                self.assertEqual(self.sks(KeyConditions=pk, **kwargs), expected)

    def test_filter_counts_and_limit(self):
        out = self.ddb.query(TableName=self.t, KeyConditions={'pk': cond('EQ', S('a'))}, Limit=3,
                             QueryFilter={'tag': cond('EQ', S('odd'))})
        self.assertEqual((out['Count'], out['ScannedCount']), (2, 3))
        self.assertEqual(out['LastEvaluatedKey'], {'pk': S('a'), 'sk': N('3')})

    def test_pages(self):
        pages, kwargs = [], dict(KeyConditions={'pk': cond('EQ', S('a')), 'sk': cond('GT', N('1'))}, Limit=2,
                                 QueryFilter={'tag': cond('EQ', S('even'))})
        while True:
            out = self.ddb.query(TableName=self.t, **kwargs)
            pages.append([int(i['sk']['N']) for i in out['Items']])
            if 'LastEvaluatedKey' not in out:
                break
            kwargs['ExclusiveStartKey'] = out['LastEvaluatedKey']
        self.assertEqual(pages, [[2], [4], [6]])  # sk 2..6, two scanned per page

    def test_attributes_to_get(self):
        out = self.ddb.query(TableName=self.t, KeyConditions={'pk': cond('EQ', S('b'))}, AttributesToGet=['sk', 'x'])
        self.assertEqual(out['Items'], [{'sk': N('1')}])
        out = self.ddb.query(TableName=self.t, KeyConditions={'pk': cond('EQ', S('a')), 'sk': cond('EQ', N('2'))},
                             AttributesToGet=['tag'], Select='SPECIFIC_ATTRIBUTES')
        self.assertEqual(out['Items'], [{'tag': S('even')}])

    def test_key_conditions_with_expressions(self):
        # KeyConditions mixes only with KeyConditionExpression.
        out = self.ddb.query(TableName=self.t, KeyConditions={'pk': cond('EQ', S('a'))},
                             FilterExpression='x > :v', ExpressionAttributeValues={':v': N('45')},
                             ProjectionExpression='sk')
        self.assertEqual(out['Items'], [{'sk': N('5')}, {'sk': N('6')}])

    def test_key_condition_errors(self):
        hash_only = self.table(items=[{'pk': S('a')}])
        cases = [
            (self.t, {'sk': cond('EQ', N('1'))}, 'Query condition missed key schema element: pk'),
            (self.t, {'pk': cond('EQ', S('a')), 'x': cond('EQ', N('1'))},
             'Query condition missed key schema element: sk'),
            (self.t, {'pk': cond('EQ', S('a')), 'sk': cond('EQ', N('1')), 'x': cond('EQ', N('1'))},
             'Conditions can be of length 1 or 2 only'),
            (self.t, {}, 'Conditions can be of length 1 or 2 only'),
            (self.t, {'pk': cond('NE', S('a'))}, 'Attempted conditional constraint is not an indexable operation'),
            (self.t, {'pk': cond('NOT_NULL')}, 'Attempted conditional constraint is not an indexable operation'),
            (self.t, {'pk': cond('EQ', S('a')), 'sk': cond('IN', N('1'))},
             'Attempted conditional constraint is not an indexable operation'),
            (self.t, {'pk': cond('EQ', S('a')), 'sk': cond('CONTAINS', N('1'))},
             'Attempted conditional constraint is not an indexable operation'),
            (self.t, {'pk': cond('GT', S('a'))}, 'Query key condition not supported'),
            (self.t, {'pk': cond('BEGINS_WITH', S('a'))}, 'Query key condition not supported'),
            (hash_only, {'pk': cond('EQ', S('a')), 'x': cond('EQ', S('a'))}, 'Query key condition not supported'),
            (self.t, {'pk': cond('EQ', N('1'))}, INVALID + 'Condition parameter type does not match schema type'),
            (self.t, {'pk': cond('EQ', S('a')), 'sk': cond('GT', S('1'))},
             INVALID + 'Condition parameter type does not match schema type'),
            (self.t, {'pk': cond('EQ', S('a'), S('b'))}, INVALID + 'Invalid number of argument(s) for the EQ ComparisonOperator'),
            (self.t, {'pk': cond('EQ', S('a')), 'sk': cond('BEGINS_WITH', N('1'))},
             INVALID + 'ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type'),
            (self.t, {'pk': cond('EQ', S('a')), 'sk': cond('BETWEEN', N('5'), N('1'))},
             'The BETWEEN condition was provided a range where the lower bound is greater than the upper bound'),
        ]
        for table, conditions, message in cases:
            with self.subTest(conditions=conditions):
                self.assertError(lambda: self.ddb.query(TableName=table, KeyConditions=conditions),
                                 'ValidationException', message)

    def test_other_errors(self):
        pk = {'pk': cond('EQ', S('a'))}
        cases = [
            (dict(KeyConditions=pk, QueryFilter={'sk': cond('EQ', N('1'))}),
             'QueryFilter can only contain non-primary key attributes: Primary key attribute: sk'),
            (dict(KeyConditions=pk, QueryFilter={'x': cond('EQ', N('1'))}, ConditionalOperator='AND'),
             'ConditionalOperator can only be used when Filter or Expected has two or more elements'),
            (dict(KeyConditions=pk, ConditionalOperator='AND'),
             'ConditionalOperator cannot be used without Filter or Expected'),
            (dict(ConditionalOperator='AND'), 'ConditionalOperator cannot be used without Filter or Expected'),
            (dict(QueryFilter={'x': cond('EQ', N('1'))}),
             'Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.'),
            (dict(KeyConditions=pk, QueryFilter={'x': cond('LT', {'BOOL': True})}),
             INVALID + 'ComparisonOperator LT is not valid for BOOL AttributeValue type'),
            (dict(KeyConditions=pk, AttributesToGet=['x'], Select='COUNT'),
             'Cannot specify the AttributesToGet when choosing to get only the Count'),
            (dict(KeyConditions=pk, AttributesToGet=['x'], Select='ALL_ATTRIBUTES'),
             'Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES'),
            (dict(KeyConditions=pk, AttributesToGet=['x', 'x']), INVALID + 'Duplicate value in attribute name: x'),
            (dict(KeyConditions=pk, QueryFilter={'x': {'ComparisonOperator': 'ABOUT'}}),
             "1 validation error detected: Value 'ABOUT' at 'queryFilter.x.member.comparisonOperator' failed to "
             'satisfy constraint: Member must satisfy enum value set: [IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, '
             'NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS]'),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.ddb.query(TableName=self.t, **kwargs), 'ValidationException', message)

    def test_mixing(self):
        pk = {'pk': cond('EQ', S('a'))}
        kce = dict(KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('a')})
        cases = [
            (dict(QueryFilter={'x': cond('EQ', N('1'))}, **kce), mixing('QueryFilter', 'KeyConditionExpression')),
            (dict(AttributesToGet=['x'], **kce), mixing('AttributesToGet', 'KeyConditionExpression')),
            (dict(KeyConditions=pk, **kce), mixing('KeyConditions', 'KeyConditionExpression')),
            (dict(ConditionalOperator='AND', **kce), mixing('ConditionalOperator', 'KeyConditionExpression')),
            (dict(KeyConditions=pk, QueryFilter={'x': cond('EQ', N('1'))}, FilterExpression='x = :p',
                  ExpressionAttributeValues={':p': S('a')}),
             mixing('QueryFilter', 'FilterExpression')),
            (dict(KeyConditions=pk, AttributesToGet=['x'], ProjectionExpression='x'),
             mixing('AttributesToGet', 'ProjectionExpression')),
            (dict(KeyConditions=pk, QueryFilter={'tag': cond('EQ', S('a'))}, ConditionalOperator='AND',
                  KeyConditionExpression='pk = :p', FilterExpression='x = :v', ProjectionExpression='sk',
                  ExpressionAttributeValues={':p': S('a'), ':v': N('1')}),
             mixing('QueryFilter, ConditionalOperator, KeyConditions',
                    'ProjectionExpression, FilterExpression, KeyConditionExpression')),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.ddb.query(TableName=self.t, **kwargs), 'ValidationException', message)


class ScanFilterTest(ConformanceCase):
    """Scan with ScanFilter: every comparison operator over a few items."""

    ITEMS = [
        {'pk': S('1'), 's': S('apple'), 'n': N('1'), 'ss': {'SS': ['a', 'b']}, 'l': {'L': [S('x')]}, 'b': B(b'\x00\x01')},
        {'pk': S('2'), 's': S('banana'), 'n': N('2'), 'ss': {'SS': ['c']}, 'b': B(b'\x02')},
        {'pk': S('3'), 's': N('7')},
        {'pk': S('4')},
    ]

    FILTERS = [
        ({'s': cond('EQ', S('apple'))}, ['1']),
        ({'s': cond('NE', S('apple'))}, ['2', '3', '4']),
        ({'n': cond('LT', N('2'))}, ['1']),
        ({'n': cond('LE', N('2'))}, ['1', '2']),
        ({'n': cond('GT', N('1'))}, ['2']),
        ({'n': cond('GE', N('1'))}, ['1', '2']),
        ({'s': cond('GT', S('apple'))}, ['2']),
        ({'b': cond('GE', B(b'\x01'))}, ['2']),
        ({'s': cond('NOT_NULL')}, ['1', '2', '3']),
        ({'s': cond('NULL')}, ['4']),
        ({'s': cond('CONTAINS', S('an'))}, ['2']),
        ({'ss': cond('CONTAINS', S('c'))}, ['2']),
        ({'l': cond('CONTAINS', S('x'))}, ['1']),
        ({'s': cond('NOT_CONTAINS', S('an'))}, ['1', '3']),
        ({'ss': cond('NOT_CONTAINS', S('a'))}, ['2']),
        ({'s': cond('BEGINS_WITH', S('ban'))}, ['2']),
        ({'b': cond('BEGINS_WITH', B(b'\x00'))}, ['1']),
        ({'s': cond('IN', S('apple'), S('cherry'), S('banana'))}, ['1', '2']),
        ({'s': cond('IN', N('7'))}, ['3']),
        ({'n': cond('BETWEEN', N('2'), N('3'))}, ['2']),
        ({'s': cond('BETWEEN', S('a'), S('b'))}, ['1']),
        ({'s': cond('BEGINS_WITH', S('a')), 'n': cond('EQ', N('1'))}, ['1']),
        ({'pk': cond('EQ', S('4'))}, ['4']),
    ]

    def pks(self, t, **kwargs):
        return sorted(i['pk']['S'] for i in self.ddb.scan(TableName=t, **kwargs)['Items'])

    def test_scan_filter(self):
        t = self.table(items=self.ITEMS)
        for scan_filter, expected in self.FILTERS:
            with self.subTest(scan_filter=scan_filter):
                self.assertEqual(self.pks(t, ScanFilter=scan_filter), expected)

    def test_parallel_segments(self):
        t = self.table(items=self.ITEMS)
        found = []
        for segment in range(3):
            out = self.ddb.scan(TableName=t, Segment=segment, TotalSegments=3, ScanFilter={'s': cond('NOT_NULL')})
            found.extend(i['pk']['S'] for i in out['Items'])
        self.assertEqual(sorted(found), ['1', '2', '3'])

    def test_conditional_operator(self):
        t = self.table(items=self.ITEMS)
        f = {'s': cond('EQ', S('apple')), 'n': cond('EQ', N('2'))}
        self.assertEqual(self.pks(t, ScanFilter=f, ConditionalOperator='OR'), ['1', '2'])
        self.assertEqual(self.pks(t, ScanFilter=f, ConditionalOperator='AND'), [])
        self.assertEqual(self.pks(t, ScanFilter=f), [])

    def test_attributes_to_get(self):
        t = self.table(items=self.ITEMS)
        out = self.ddb.scan(TableName=t, ScanFilter={'n': cond('EQ', N('2'))}, AttributesToGet=['s', 'zz'])
        self.assertEqual(out['Items'], [{'s': S('banana')}])
        out = self.ddb.scan(TableName=t, ScanFilter={'n': cond('NOT_NULL')}, Select='COUNT')
        self.assertEqual((out['Count'], out['ScannedCount']), (2, 4))

    def test_comparison_errors(self):
        t = self.table(items=self.ITEMS)
        for c, message in COMPARISON_ERRORS:
            if 'Value or AttributeValueList' in message:
                continue  # an Expected-only form
            with self.subTest(condition=c):
                self.assertError(lambda: self.ddb.scan(TableName=t, ScanFilter={'a': c}), 'ValidationException',
                                 message)

    def test_errors(self):
        t = self.table(items=self.ITEMS)
        cases = [
            (dict(ScanFilter={'a': cond('EQ', S('x'))}, ConditionalOperator='OR'),
             'ConditionalOperator can only be used when Filter or Expected has two or more elements'),
            (dict(ConditionalOperator='OR'), 'ConditionalOperator cannot be used without Filter or Expected'),
            (dict(ScanFilter={}, ConditionalOperator='AND'), 'ConditionalOperator cannot be used without Filter or Expected'),
            (dict(AttributesToGet=['a'], ConditionalOperator='AND'),
             'ConditionalOperator cannot be used without Filter or Expected'),
            (dict(AttributesToGet=['a'], Select='ALL_ATTRIBUTES'),
             'Cannot specify the AttributesToGet when choosing to get ALL_ATTRIBUTES'),
            (dict(ScanFilter={'a': cond('EQ', S('x')), 'b': cond('EQ', S('y'))}, ConditionalOperator='NAND'),
             "1 validation error detected: Value 'NAND' at 'conditionalOperator' failed to satisfy constraint: "
             'Member must satisfy enum value set: [AND, OR]'),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.ddb.scan(TableName=t, **kwargs), 'ValidationException', message)

    def test_missing_comparison_operator(self):
        t = self.table(items=self.ITEMS)
        self.assertRawError('Scan', {'TableName': t, 'ScanFilter': {'a': {'AttributeValueList': [S('x')]}}},
                            'ValidationException',
                            "1 validation error detected: Value null at 'scanFilter.a.member.comparisonOperator' "
                            'failed to satisfy constraint: Member must not be null')

    def test_mixing(self):
        t = self.table(items=self.ITEMS)
        cases = [
            (dict(ScanFilter={'a': cond('EQ', S('x'))}, ProjectionExpression='s'),
             mixing('ScanFilter', 'ProjectionExpression')),
            (dict(AttributesToGet=['a'], FilterExpression='s = :v', ExpressionAttributeValues={':v': S('x')}),
             mixing('AttributesToGet', 'FilterExpression')),
            (dict(ConditionalOperator='AND', FilterExpression='s = :v',
                  ExpressionAttributeValues={':v': S('x'), ':unused': S('y')}),
             mixing('ConditionalOperator', 'FilterExpression')),
            (dict(AttributesToGet=['a'], ScanFilter={'a': cond('EQ', S('x'))}, ConditionalOperator='AND',
                  FilterExpression='a = :v', ProjectionExpression='b', ExpressionAttributeValues={':v': S('x')}),
             mixing('AttributesToGet, ScanFilter, ConditionalOperator', 'ProjectionExpression, FilterExpression')),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.ddb.scan(TableName=t, **kwargs), 'ValidationException', message)

    def test_wrong_json_types(self):
        t = self.table(items=self.ITEMS)
        for body in [{'ScanFilter': 'x'}, {'ScanFilter': {'a': []}}, {'ConditionalOperator': 1},
                     {'ScanFilter': {'a': {'ComparisonOperator': 'EQ', 'AttributeValueList': 'x'}}}]:
            with self.subTest(body=body):
                self.assertRawError('Scan', dict(TableName=t, **body), 'SerializationException')


if __name__ == '__main__':
    unittest.main()
