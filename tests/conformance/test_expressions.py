"""Expressions (Developer Guide: "Condition and filter expressions, operators, and functions",
"Update expressions", "Document paths", "Expression attribute names/values"): every comparator,
BETWEEN, IN, AND/OR/NOT precedence, parentheses, the functions, document paths, the update
actions (SET with + - if_not_exists list_append, REMOVE, ADD, DELETE) and the errors AWS gives
for bad expressions. Conditions are evaluated through a Scan filter and a ConditionExpression,
which must agree."""
import unittest

from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': v}  # noqa: E731
B = lambda v: {'B': v}  # noqa: E731

DOC = {
    'pk': S('doc'), 'n': N('5'), 's': S('hello'), 'b': B(b'\x01\x02'), 't': {'BOOL': True}, 'z': {'NULL': True},
    'ss': {'SS': ['a', 'b', 'c']}, 'ns': {'NS': ['1', '2', '3']}, 'bs': {'BS': [b'\x01', b'\x02']},
    'l': {'L': [N('1'), S('two'), {'M': {'c': S('deep')}}, {'L': [N('0')]}]},
    'm': {'M': {'a': {'M': {'b': {'L': [N('0'), N('1'), {'M': {'c': S('x')}}]}}}, 'k': S('v')}},
    'e': S(''), 'a.b': S('dot'), 'neg': N('-2.5'),
}

VALUES = {
    ':0': N('0'), ':1': N('1'), ':2': N('2'), ':3': N('3'), ':4': N('4'), ':5': N('5'), ':6': N('6'),
    ':n5s': S('5'), ':hello': S('hello'), ':hellp': S('hellp'), ':he': S('he'), ':ell': S('ell'), ':x': S('x'),
    ':a': S('a'), ':z': S('z'), ':two': S('two'), ':deep': S('deep'), ':v': S('v'), ':empty': S(''),
    ':b1': B(b'\x01'), ':b2': B(b'\x02'), ':b13': B(b'\x01\x03'), ':true': {'BOOL': True}, ':false': {'BOOL': False},
    ':null': {'NULL': True}, ':cba': {'SS': ['c', 'b', 'a']}, ':ab': {'SS': ['a', 'b']}, ':l0': {'L': [N('0')]},
    ':T_N': S('N'), ':T_S': S('S'), ':T_B': S('B'), ':T_SS': S('SS'), ':T_NS': S('NS'), ':T_BS': S('BS'),
    ':T_L': S('L'), ':T_M': S('M'), ':T_BOOL': S('BOOL'), ':T_NULL': S('NULL'), ':m25': N('-2.5'),
    ':mk': {'M': {'k': S('v')}}, ':big': N('1E+2'), ':n500': N('5.00'),
}
NAMES = {'#ab': 'a.b', '#n': 'n', '#m': 'm', '#size': 'size'}

# (condition, expected) evaluated against DOC.
CONDITIONS = [
    # comparators, numbers
    ('n = :5', True), ('n <> :5', False), ('n < :6', True), ('n < :5', False), ('n <= :5', True),
    ('n > :4', True), ('n > :5', False), ('n >= :5', True), ('n >= :6', False), ('n <> :4', True),
    ('n = :n500', True), ('neg < :0', True), ('neg = :m25', True), (':big > n', True),
    # strings and binaries compare by bytes; mismatched types compare false (and <> true)
    ('s = :hello', True), ('s < :hellp', True), ('s > :he', True), ('s = :n5s', False), ('n = :n5s', False),
    ('n < :hello', False), ('n <> :n5s', True), ('b < :b13', True), ('b > :b1', True), ('b = :b1', False),
    # other types
    ('t = :true', True), ('t = :false', False), ('z = :null', True), ('ss = :cba', True), ('ss = :ab', False),
    ('l[3] = :l0', True), ('m.k = :v', True), ('l[2] = :mk', False), ('e = :empty', True),
    # BETWEEN, IN
    ('n BETWEEN :4 AND :6', True), ('n BETWEEN :5 AND :5', True), ('n BETWEEN :6 AND :6', False),
    ('s BETWEEN :a AND :z', True), ('s BETWEEN :hellp AND :z', False), ('n BETWEEN :a AND :z', False),
    ('n IN (:4, :5)', True), ('n IN (:4)', False), ('s IN (:x, :hello, :a)', True), ('n IN (:n5s)', False),
    # precedence: NOT binds tighter than AND, AND tighter than OR; parentheses override
    ('n = :4 AND n = :4 OR n = :5', True), ('n = :4 AND (n = :4 OR n = :5)', False),
    ('n = :5 OR n = :4 AND n = :4', True), ('(n = :5 OR n = :4) AND n = :4', False),
    ('NOT n = :4 AND n = :4', False), ('NOT (n = :4 AND n = :4)', True), ('NOT n = :5', False),
    ('NOT NOT n = :5', True), ('n = :5 AND s = :hello AND t = :true', True),
    ('n = :4 OR s = :x OR z = :null', True), ('(n = :5) AND (s = :hello)', True),
    ('n = :5 and s = :hello', True), ('not n = :4', True), ('n between :4 and :6', True),
    # functions
    ('attribute_exists(n)', True), ('attribute_exists(nope)', False), ('attribute_not_exists(nope)', True),
    ('attribute_not_exists(n)', False), ('attribute_exists(m.a.b[2].c)', True),
    ('attribute_exists(m.a.b[5])', False), ('attribute_exists(l[1])', True), ('attribute_exists(l[9])', False),
    ('attribute_exists(#ab)', True), ('attribute_exists(a.b)', False), ('attribute_exists(m.k.x)', False),
    ('attribute_exists(s[0])', False), ('attribute_exists(z)', True),
    ('attribute_type(n, :T_N)', True), ('attribute_type(s, :T_S)', True), ('attribute_type(b, :T_B)', True),
    ('attribute_type(ss, :T_SS)', True), ('attribute_type(ns, :T_NS)', True), ('attribute_type(bs, :T_BS)', True),
    ('attribute_type(l, :T_L)', True), ('attribute_type(m, :T_M)', True), ('attribute_type(t, :T_BOOL)', True),
    ('attribute_type(z, :T_NULL)', True), ('attribute_type(s, :T_N)', False), ('attribute_type(nope, :T_S)', False),
    ('attribute_type(l[2], :T_M)', True),
    ('begins_with(s, :he)', True), ('begins_with(s, :hello)', True), ('begins_with(s, :x)', False),
    ('begins_with(s, :empty)', True), ('begins_with(b, :b1)', True), ('begins_with(b, :b2)', False),
    ('begins_with(l[1], :two)', True), ('begins_with(nope, :he)', False),
    ('contains(s, :ell)', True), ('contains(s, :x)', False), ('contains(ss, :a)', True), ('contains(ss, :z)', False),
    ('contains(ns, :2)', True), ('contains(ns, :5)', False), ('contains(bs, :b1)', True), ('contains(l, :two)', True),
    ('contains(l, :1)', True), ('contains(l, :x)', False), ('contains(nope, :a)', False), ('contains(ss, :1)', False),
    ('size(s) = :5', True), ('size(ss) = :3', True), ('size(ns) < :4', True), ('size(l) = :4', True),
    ('size(m) = :2', True), ('size(b) = :2', True), ('size(e) = :0', True), ('size(bs) = :2', True),
    ('size(m.a.b) = :3', True), ('size(nope) = :0', False), ('size(s) > size(b)', True),
    ('size(l[1]) BETWEEN :2 AND :3', True), ('size(ss) IN (:1, :3)', True),
    # document paths and names
    ('m.a.b[2].c = :x', True), ('l[2].c = :deep', True), ('l[3][0] = :0', True), ('#m.k = :v', True),
    ('#n = :5', True), ('#ab = :x', False), ('l[0] < l[3][0]', False), ('n > m.a.b[1]', True),
]

# (expression, values used, names used, the message after the "Invalid FilterExpression: " prefix)
BAD_CONDITIONS = [
    ('n = :nope', {}, {}, 'An expression attribute value used in expression is not defined; attribute value: :nope'),
    ('#nope = :5', {':5'}, {}, 'An expression attribute name used in the document path is not defined; attribute '
                               'name: #nope'),
    ('name = :5', {':5'}, {}, 'Attribute name is a reserved keyword; reserved keyword: name'),
    ('foo(n)', {}, {}, 'Invalid function name; function: foo'),
    ('begins_with(s)', {}, {}, 'Incorrect number of operands for operator or function; operator or function: '
                               'begins_with, number of operands: 1'),
    ('attribute_exists(n, s)', {}, {}, 'Incorrect number of operands for operator or function; operator or '
                                       'function: attribute_exists, number of operands: 2'),
    ('size(s)', {}, {}, 'The function is not allowed to be used this way in an expression; function: size'),
    ('attribute_exists(:5)', {':5'}, {}, 'Operator or function requires a document path; operator or function: '
                                         'attribute_exists'),
    ('n BETWEEN :6 AND :4', {':6', ':4'}, {}, 'The BETWEEN operator requires upper bound to be greater than or '
                                              'equal to lower bound; lower bound operand: AttributeValue: {N:6}, '
                                              'upper bound operand: AttributeValue: {N:4}'),
    ('n BETWEEN :5 AND :x', {':5', ':x'}, {}, 'The BETWEEN operator requires same data type for lower and upper '
                                              'bounds; lower bound operand: AttributeValue: {N:5}, upper bound '
                                              'operand: AttributeValue: {S:x}'),
    ('((n = :5))', {':5'}, {}, 'The expression has redundant parentheses;'),
    ('begins_with(s, :5)', {':5'}, {}, 'Incorrect operand type for operator or function; operator or function: '
                                       'begins_with, operand type: N'),
    ('attribute_type(n, :x)', {':x'}, {}, 'Invalid attribute type name found; type: x, valid types: '
                                          '{B,NULL,SS,BOOL,L,BS,N,NS,S,M}'),
    ('n = n', {}, {}, 'The first operand must be distinct from the remaining operands for this operator or '
                      'function; operator: =, first operand: [n]'),
    ('n =', {}, {}, 'Syntax error; token: "<EOF>", near: "="'),
    ('n = :5 AND', {':5'}, {}, 'Syntax error; token: "<EOF>", near: "AND"'),
]

# (update expression, extra values, the item after it, starting from DOC)
UPDATES = [
    ('SET n = :6', {}, {'n': N('6')}),
    ('SET n = n + :1', {}, {'n': N('6')}),
    ('SET n = n - :6', {}, {'n': N('-1')}),
    ('SET n = :1 + :2', {}, {'n': N('3')}),
    ('SET neg = neg + :big', {}, {'neg': N('97.5')}),
    ('SET cp = s', {}, {'cp': S('hello')}),
    ('SET cp = m.a.b[2]', {}, {'cp': {'M': {'c': S('x')}}}),
    ('SET n = if_not_exists(n, :0)', {}, {}),
    ('SET fresh = if_not_exists(fresh, :0)', {}, {'fresh': N('0')}),
    ('SET fresh = if_not_exists(fresh, :0) + :1', {}, {'fresh': N('1')}),
    ('SET l = list_append(l, :more)', {':more': {'L': [S('end')]}},
     {'l': {'L': DOC['l']['L'] + [S('end')]}}),
    ('SET l = list_append(:more, l)', {':more': {'L': [S('start')]}},
     {'l': {'L': [S('start')] + DOC['l']['L']}}),
    ('SET fresh = list_append(if_not_exists(fresh, :nil), :more)', {':nil': {'L': []}, ':more': {'L': [N('1')]}},
     {'fresh': {'L': [N('1')]}}),
    ('SET l[1] = :x', {':x': S('x')}, {'l': {'L': [N('1'), S('x')] + DOC['l']['L'][2:]}}),
    ('SET l[10] = :x', {':x': S('x')}, {'l': {'L': DOC['l']['L'] + [S('x')]}}),
    # Indexes past the end append in index order, not in the order written.
    ('SET l[9] = :x, l[7] = :1', {':x': S('x')}, {'l': {'L': DOC['l']['L'] + [N('1'), S('x')]}}),
    ('ADD l[9] :ns, l[5] :1', {':ns': {'NS': ['1']}}, {'l': {'L': DOC['l']['L'] + [N('1'), {'NS': ['1']}]}}),
    ('SET l[2].c = :x', {':x': S('x')}, {'l': {'L': DOC['l']['L'][:2] + [{'M': {'c': S('x')}}, DOC['l']['L'][3]]}}),
    ('SET m.k = :x, m.nw = :x', {':x': S('x')},
     {'m': {'M': {'a': DOC['m']['M']['a'], 'k': S('x'), 'nw': S('x')}}}),
    ('SET m.a.b[0] = :x', {':x': S('x')},
     {'m': {'M': {'a': {'M': {'b': {'L': [S('x'), N('1'), {'M': {'c': S('x')}}]}}}, 'k': S('v')}}}),
    ('SET #ab = :x', {':x': S('x')}, {'a.b': S('x')}),
    ('SET nested = :m', {':m': {'M': {'in': {'L': [{'NULL': True}]}}}}, {'nested': {'M': {'in': {'L': [{'NULL': True}]}}}}),
    ('REMOVE s', {}, {'s': None}),
    ('REMOVE s, n, nope', {}, {'s': None, 'n': None}),
    ('REMOVE l[0], l[2]', {}, {'l': {'L': [S('two'), {'L': [N('0')]}]}}),
    ('REMOVE l[9]', {}, {}),
    ('REMOVE m.k', {}, {'m': {'M': {'a': DOC['m']['M']['a']}}}),
    ('REMOVE m.a.b[1]', {}, {'m': {'M': {'a': {'M': {'b': {'L': [N('0'), {'M': {'c': S('x')}}]}}}, 'k': S('v')}}}),
    ('ADD n :2', {}, {'n': N('7')}),
    ('ADD neg :big', {}, {'neg': N('97.5')}),
    ('ADD newnum :3', {}, {'newnum': N('3')}),
    ('ADD ss :more', {':more': {'SS': ['c', 'd']}}, {'ss': {'SS': ['a', 'b', 'c', 'd']}}),
    ('ADD ns :more', {':more': {'NS': ['4', '1.0']}}, {'ns': {'NS': ['1', '2', '3', '4']}}),
    ('ADD newset :more', {':more': {'SS': ['q']}}, {'newset': {'SS': ['q']}}),
    ('DELETE ss :less', {':less': {'SS': ['a', 'zz']}}, {'ss': {'SS': ['b', 'c']}}),
    ('DELETE ss :less', {':less': {'SS': ['a', 'b', 'c']}}, {'ss': None}),
    ('DELETE bs :less', {':less': {'BS': [b'\x02']}}, {'bs': {'BS': [b'\x01']}}),
    ('DELETE nothere :less', {':less': {'NS': ['1']}}, {}),
    ('SET n = :6 REMOVE s ADD newnum :1 DELETE ns :less', {':less': {'NS': ['2']}},
     {'n': N('6'), 's': None, 'newnum': N('1'), 'ns': {'NS': ['1', '3']}}),
    ('set n = :6 remove s', {}, {'n': N('6'), 's': None}),
    ('REMOVE s SET n = :6', {}, {'n': N('6'), 's': None}),
    ('SET n = :6, s = :x', {':x': S('x')}, {'n': N('6'), 's': S('x')}),
]

# (update expression, values, message) for updates AWS refuses before or while applying them.
BAD_UPDATES = [
    ('SET n = :1, n = :2', {}, 'Invalid UpdateExpression: Two document paths overlap with each other; must remove or '
                               'rewrite one of these paths; path one: [n], path two: [n]'),
    ('SET m.k = :1 REMOVE m', {}, 'Invalid UpdateExpression: Two document paths overlap with each other; must remove '
                                  'or rewrite one of these paths; path one: [m, k], path two: [m]'),
    ('SET n = :1 SET s = :2', {}, 'Invalid UpdateExpression: The "SET" section can only be used once in an update '
                                  'expression;'),
    ('SET n = n + :x', {':x': S('x')}, 'Invalid UpdateExpression: Incorrect operand type for operator or function; '
                                       'operator or function: +, operand type: S'),
    ('SET x = foo(n)', {}, 'Invalid UpdateExpression: Invalid function name; function: foo'),
    ('SET x = attribute_exists(n)', {}, 'Invalid UpdateExpression: The function is not allowed in an update '
                                        'expression; function: attribute_exists'),
    ('SET copy = :1', {}, 'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: copy'),
    ('SET #nope = :1', {}, 'Invalid UpdateExpression: An expression attribute name used in the document path is not '
                           'defined; attribute name: #nope'),
    ('SET s = s + :1', {}, 'An operand in the update expression has an incorrect data type'),
    ('SET x = nope + :1', {}, 'The provided expression refers to an attribute that does not exist in the item'),
    ('SET x = nope', {}, 'The provided expression refers to an attribute that does not exist in the item'),
    ('ADD s :1', {}, 'An operand in the update expression has an incorrect data type'),
    ('ADD n :x', {':x': S('x')}, 'Invalid UpdateExpression: Incorrect operand type for operator or function; '
                                 'operator: ADD, operand type: STRING'),
    ('DELETE ss :1', {}, 'Invalid UpdateExpression: Incorrect operand type for operator or function; operator: '
                         'DELETE, operand type: NUMBER'),
    ('DELETE ss :ns', {':ns': {'NS': ['1']}}, 'An operand in the update expression has an incorrect data type'),
    ('ADD ss :ns', {':ns': {'NS': ['1']}}, 'An operand in the update expression has an incorrect data type'),
    ('SET m.x.y = :1', {}, 'The document path provided in the update expression is invalid for update'),
    ('SET s.x = :1', {}, 'The document path provided in the update expression is invalid for update'),
    ('SET l = list_append(l, :1)', {}, 'Invalid UpdateExpression: Incorrect operand type for operator or function; '
                                       'operator or function: list_append, operand type: N'),
    ('SET x = size(s)', {}, 'Invalid UpdateExpression: The function is not allowed in an update expression; '
                            'function: size'),
    ('SET x = if_not_exists(:1, n)', {}, 'Invalid UpdateExpression: Operator or function requires a document path; '
                                         'operator or function: if_not_exists'),
    ('', {}, 'Invalid UpdateExpression: The expression can not be empty;'),
    ('SET l[0] = :1, l[0] = :2', {}, 'Invalid UpdateExpression: Two document paths overlap with each other; must '
                                     'remove or rewrite one of these paths; path one: [l, [0]], path two: [l, [0]]'),
    ('SET l[0] = :1 REMOVE l[0]', {}, 'Invalid UpdateExpression: Two document paths overlap with each other; must '
                                      'remove or rewrite one of these paths; path one: [l, [0]], path two: [l, [0]]'),
    ('SET m.a = :1, m[0] = :2', {}, 'Invalid UpdateExpression: Two document paths conflict with each other; must '
                                    'remove or rewrite one of these paths; path one: [m, a], path two: [m, [0]]'),
    ('SET m.a = :1, m.a.b = :2', {}, 'Invalid UpdateExpression: Two document paths overlap with each other; must '
                                     'remove or rewrite one of these paths; path one: [m, a], path two: [m, a, b]'),
    ('SET l[0] = :1, l.a = :2, m.a = :1 REMOVE m', {}, 'Invalid UpdateExpression: Two document paths overlap with '
                                                        'each other; must remove or rewrite one of these paths; path '
                                                        'one: [m, a], path two: [m]'),
    ('SET m[0] = :1', {}, 'The document path provided in the update expression is invalid for update'),
    ('SET l.a = :1', {}, 'The document path provided in the update expression is invalid for update'),
    ('REMOVE m.zz.q', {}, 'The document path provided in the update expression is invalid for update'),
    ('ADD l :more', {':more': {'L': [S('x')]}}, 'Invalid UpdateExpression: Incorrect operand type for operator or '
                                                'function; operator: ADD, operand type: LIST'),
    ('ADD l[1] :1', {}, 'An operand in the update expression has an incorrect data type'),
    ('SET', {}, 'Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"'),
]


# One value of every type, for the operand-type errors of update actions and functions.
TYPED = {':s': S('a'), ':n': N('1'), ':b': B(b'a'), ':t': {'BOOL': True}, ':z': {'NULL': True}, ':ss': {'SS': ['a']},
         ':ns': {'NS': ['1']}, ':bs': {'BS': [b'a']}, ':m': {'M': {'a': N('1')}}, ':l': {'L': [N('1')]}}
INCORRECT = 'Invalid UpdateExpression: Incorrect operand type for operator or function; '
OPERAND_TYPES = (
    [('ADD x ' + v, INCORRECT + 'operator: ADD, operand type: ' + name)
     for v, name in ((':s', 'STRING'), (':z', 'NULL'), (':t', 'BOOLEAN'), (':b', 'BINARY'), (':m', 'MAP'),
                     (':l', 'LIST'))] +
    [('DELETE x ' + v, INCORRECT + 'operator: DELETE, operand type: ' + name)
     for v, name in ((':s', 'STRING'), (':n', 'NUMBER'), (':z', 'NULL'), (':t', 'BOOLEAN'), (':b', 'BINARY'),
                     (':m', 'MAP'), (':l', 'LIST'))] +
    [('SET x = list_append(%s, l)' % v, INCORRECT + 'operator or function: list_append, operand type: ' + name)
     for v, name in ((':s', 'S'), (':n', 'N'), (':ss', 'SS'), (':m', 'M'), (':t', 'BOOL'), (':z', 'NULL'))] +
    [('SET x = n %s %s' % (op, v), INCORRECT + 'operator or function: %s, operand type: %s' % (op, name))
     for op in '+-' for v, name in ((':s', 'S'), (':b', 'B'), (':ss', 'SS'), (':ns', 'NS'), (':l', 'L'), (':m', 'M'),
                                    (':z', 'NULL'), (':t', 'BOOL'))] +
    [('SET x = :s + :n', INCORRECT + 'operator or function: +, operand type: S'),
     ('SET x = if_not_exists(n)', 'Invalid UpdateExpression: Incorrect number of operands for operator or function; '
                                  'operator or function: if_not_exists, number of operands: 1'),
     ('SET x = list_append(l)', 'Invalid UpdateExpression: Incorrect number of operands for operator or function; '
                                'operator or function: list_append, number of operands: 1'),
     ('SET x = if_not_exists(if_not_exists(n, :n), :n)', 'Invalid UpdateExpression: Operator or function requires a '
                                                         'document path; operator or function: if_not_exists')]
)
# Paths through something that is not a map or list (s is a string, m a map, l a list, y missing).
INVALID_PATHS = ['SET s.a = :s', 'SET s[1] = :s', 'SET y.a = :s', 'SET y[0] = :s', 'SET m[0] = :s', 'SET l.#one = :s',
                 'SET l[1].x = :s', 'REMOVE s.a', 'REMOVE s[0]', 'REMOVE y.a', 'REMOVE y[0]', 'REMOVE m[0]',
                 'REMOVE l.#one', 'DELETE s.a :ss', 'DELETE y.a :ss', 'DELETE m[0] :ss', 'ADD s.a :n', 'ADD y[0] :n',
                 'ADD l.#one :n']


class ExpressionTest(ConformanceCase):
    t = None

    def setUp(self):
        if ExpressionTest.t is None:
            ExpressionTest.t = self.table(items=[DOC])
        self.t = ExpressionTest.t

    @staticmethod
    def used(expr, pool, prefix):
        # Longest first, so ':n5s' is not taken for ':n5' and so on.
        import re
        tokens = set(re.findall(re.escape(prefix) + r'[A-Za-z0-9_]+', expr))
        return {k: v for k, v in pool.items() if k in tokens}

    def condition_kwargs(self, expr):
        kwargs = {}
        values, names = self.used(expr, VALUES, ':'), self.used(expr, NAMES, '#')
        if values:
            kwargs['ExpressionAttributeValues'] = values
        if names:
            kwargs['ExpressionAttributeNames'] = names
        return kwargs

    def test_conditions_as_filters(self):
        for expr, expected in CONDITIONS:
            with self.subTest(expr=expr):
                out = self.ddb.scan(TableName=self.t, FilterExpression=expr, **self.condition_kwargs(expr))
                self.assertEqual(out['Count'], 1 if expected else 0)

    def test_conditions_on_writes(self):
        for expr, expected in CONDITIONS:
            with self.subTest(expr=expr):
                call = lambda: self.ddb.put_item(TableName=self.t, Item=DOC, ConditionExpression=expr,  # noqa: E731
                                                 **self.condition_kwargs(expr))
                if expected:
                    call()
                else:
                    self.assertError(call, 'ConditionalCheckFailedException', 'The conditional request failed',
                                     unchanged=[self.t])

    def test_bad_conditions(self):
        for expr, values, names, message in BAD_CONDITIONS:
            for member, prefix in (('FilterExpression', 'Invalid FilterExpression: '),
                                   ('ConditionExpression', 'Invalid ConditionExpression: ')):
                with self.subTest(expr=expr, member=member):
                    kwargs = {member: expr}
                    if values:
                        kwargs['ExpressionAttributeValues'] = {k: VALUES[k] for k in values}
                    if names:
                        kwargs['ExpressionAttributeNames'] = {k: NAMES[k] for k in names}
                    call = (lambda: self.ddb.scan(TableName=self.t, **kwargs)) if member == 'FilterExpression' else \
                        (lambda: self.ddb.put_item(TableName=self.t, Item=DOC, **kwargs))
                    self.assertError(call, 'ValidationException', prefix + message, unchanged=[self.t])

    def test_paths_inside_key_attributes(self):
        # The key attributes are scalars: a path that looks inside one is refused wherever it is used.
        t = self.table(range_key=('sk', 'S'), items=[{'pk': S('p'), 'sk': S('s'), 'm': {'M': {'a': S('x')}}}])
        msg = "Key attributes must be scalars; list random access '[]' and map lookup '.' are not allowed: Key: "
        key = {'pk': S('p'), 'sk': S('s')}
        cases = [
            (lambda: self.ddb.get_item(TableName=t, Key=key, ProjectionExpression='pk.a'), 'pk'),
            (lambda: self.ddb.get_item(TableName=t, Key=key, ProjectionExpression='m, sk[0]'), 'sk'),
            (lambda: self.ddb.get_item(TableName=t, Key=key, ProjectionExpression='sk.b, #k[1]',
                                       ExpressionAttributeNames={'#k': 'pk'}), 'pk'),
            (lambda: self.ddb.scan(TableName=t, ProjectionExpression='pk.a'), 'pk'),
            (lambda: self.ddb.scan(TableName=t, FilterExpression='attribute_exists(pk.a.b)'), 'pk'),
            (lambda: self.ddb.scan(TableName=t, FilterExpression='attribute_exists(m.a) AND sk[0] = :v',
                                   ExpressionAttributeValues={':v': S('x')}), 'sk'),
            (lambda: self.ddb.query(TableName=t, KeyConditionExpression='pk = :p', ProjectionExpression='sk.x',
                                    ExpressionAttributeValues={':p': S('p')}), 'sk'),
            (lambda: self.ddb.update_item(TableName=t, Key=key, UpdateExpression='SET m = pk.a'), 'pk'),
            (lambda: self.ddb.update_item(TableName=t, Key=key, UpdateExpression='SET m = list_append(sk[0], m)'),
             'sk'),
            (lambda: self.ddb.update_item(TableName=t, Key=key, UpdateExpression='SET m = if_not_exists(pk.b, m)'),
             'pk'),
        ]
        for i, (call, name) in enumerate(cases):
            with self.subTest(case=i):
                self.assertError(call, 'ValidationException', msg + name, unchanged=[t])
        # Updating the key itself through a nested path names it as part of the key.
        self.assertError(lambda: self.ddb.update_item(TableName=t, Key=key, UpdateExpression='SET pk.a = :v',
                                                      ExpressionAttributeValues={':v': S('x')}),
                         'ValidationException', 'One or more parameter values were invalid: Cannot update attribute pk. '
                         'This attribute is part of the key', unchanged=[t])
        # Scalar uses of the key attributes are fine.
        out = self.ddb.scan(TableName=t, FilterExpression='pk = :p AND size(sk) = :one',
                            ExpressionAttributeValues={':p': S('p'), ':one': N('1')}, ProjectionExpression='pk, sk')
        self.assertEqual(out['Items'], [key])

    def test_size_of_a_string_counts_characters(self):
        # AWS: size() of a String is "the length of the string": characters, not UTF-8 bytes.
        t = self.table(items=[{'pk': S('1'), 'b': S('ab\u00ff')}, {'pk': S('2'), 'b': S('abcd')},
                              {'pk': S('3'), 'b': N('123')}, {'pk': S('4'), 'b': B(b'abc')},
                              {'pk': S('5'), 'b': S('\u65e5\u672c\u8a9e')}])
        for expr in ('size(b) = :three', '(size(b)) = :three', '((size(b)) = :three)'):
            with self.subTest(expr=expr):
                out = self.ddb.scan(TableName=t, FilterExpression=expr, ExpressionAttributeValues={':three': N('3')})
                self.assertEqual(sorted(i['pk']['S'] for i in out['Items']), ['1', '4', '5'])

    def test_in_takes_at_most_100_operands(self):
        values = {':v%d' % i: N(str(i)) for i in range(101)}
        ok = 'n IN (%s)' % ', '.join(list(values)[:100])
        out = self.ddb.scan(TableName=self.t, FilterExpression=ok,
                            ExpressionAttributeValues={k: values[k] for k in list(values)[:100]})
        self.assertEqual(out['Count'], 1)
        self.assertError(lambda: self.ddb.scan(TableName=self.t, FilterExpression='n IN (%s)' % ', '.join(values),
                                               ExpressionAttributeValues=values),
                         'ValidationException', 'Invalid FilterExpression: The IN operator is provided with too many '
                         'operands; number of operands: 101')

    def test_expression_size_limit(self):
        pad = ' ' * (4096 - len('n = :5'))
        self.ddb.scan(TableName=self.t, FilterExpression='n = :5' + pad, ExpressionAttributeValues={':5': N('5')})
        self.assertError(lambda: self.ddb.put_item(TableName=self.t, Item=DOC, ConditionExpression='n = :5' + pad + ' ',
                                                   ExpressionAttributeValues={':5': N('5')}),
                         'ValidationException', 'Invalid ConditionExpression: Expression size has exceeded the maximum '
                         'allowed size; expression size: 4097', unchanged=[self.t])

    def test_document_path_nesting_limit(self):
        ok = 'attribute_exists(' + '.'.join(['a'] * 32) + ')'
        self.ddb.scan(TableName=self.t, FilterExpression=ok)
        deep = 'attribute_exists(' + '.'.join(['a'] * 33) + ')'
        self.assertError(lambda: self.ddb.scan(TableName=self.t, FilterExpression=deep), 'ValidationException',
                         'Invalid FilterExpression: The document path has too many nesting levels; nesting levels: 33')

    def test_operator_count_limit(self):
        ok = ' AND '.join(['n = :5'] * 150)  # 150 comparisons + 149 ANDs = 299 operators
        self.ddb.scan(TableName=self.t, FilterExpression=ok, ExpressionAttributeValues={':5': N('5')})
        over = ' AND '.join(['n = :5'] * 151)  # 301
        self.assertError(lambda: self.ddb.scan(TableName=self.t, FilterExpression=over,
                                               ExpressionAttributeValues={':5': N('5')}),
                         'ValidationException', 'Invalid FilterExpression: The expression contains too many operators; '
                         'operator count: 301')

    def test_placeholder_map_errors(self):
        cases = [
            (dict(FilterExpression='n = :5', ExpressionAttributeValues={':5': N('5'), ':u': N('1')}),
             'Value provided in ExpressionAttributeValues unused in expressions: keys: {:u}'),
            (dict(FilterExpression='n = :5', ExpressionAttributeValues={':5': N('5')},
                  ExpressionAttributeNames={'#u': 'u'}),
             'Value provided in ExpressionAttributeNames unused in expressions: keys: {#u}'),
            (dict(FilterExpression='n = :5', ExpressionAttributeValues={':5': N('5'), 'bad': N('1')}),
             'ExpressionAttributeValues contains invalid key: Syntax error; key: "bad"'),
            (dict(FilterExpression='#n = :5', ExpressionAttributeValues={':5': N('5')},
                  ExpressionAttributeNames={'#n': 'n', 'bad': 'x'}),
             'ExpressionAttributeNames contains invalid key: Syntax error; key: "bad"'),
            (dict(FilterExpression='n = :5', ExpressionAttributeValues={}),
             'ExpressionAttributeValues must not be empty'),
            (dict(FilterExpression='n = :5', ExpressionAttributeValues={':5': N('5')}, ExpressionAttributeNames={}),
             'ExpressionAttributeNames must not be empty'),
            (dict(FilterExpression='contains(ss, :s)', ExpressionAttributeValues={':s': {'SS': []}}),
             'ExpressionAttributeValues contains invalid value: One or more parameter values were invalid: An string '
             'set  may not be empty for key :s'),
        ]
        for kwargs, message in cases:
            with self.subTest(message=message):
                self.assertError(lambda: self.ddb.scan(TableName=self.t, **kwargs), 'ValidationException', message)

    def test_maps_without_expressions(self):
        t = self.t
        names_only = 'ExpressionAttributeNames can only be specified when using expressions'
        cases = [
            (lambda: self.ddb.put_item(TableName=t, Item=DOC, ExpressionAttributeValues={':v': S('x')}),
             'ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null'),
            (lambda: self.ddb.put_item(TableName=t, Item=DOC, ExpressionAttributeNames={'#n': 'n'}), names_only),
            (lambda: self.ddb.delete_item(TableName=t, Key={'pk': S('doc')}, ExpressionAttributeValues={':v': S('x')}),
             'ExpressionAttributeValues can only be specified when using expressions: ConditionExpression is null'),
            (lambda: self.ddb.update_item(TableName=t, Key={'pk': S('doc')}, ExpressionAttributeValues={':v': S('x')}),
             'ExpressionAttributeValues can only be specified when using expressions: UpdateExpression and '
             'ConditionExpression are null'),
            (lambda: self.ddb.update_item(TableName=t, Key={'pk': S('doc')}, ExpressionAttributeNames={'#n': 'n'}),
             names_only),
            (lambda: self.ddb.get_item(TableName=t, Key={'pk': S('doc')}, ExpressionAttributeNames={'#n': 'n'}),
             names_only),
            (lambda: self.ddb.scan(TableName=t, ExpressionAttributeValues={':v': S('x')}),
             'ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null'),
            (lambda: self.ddb.scan(TableName=t, ExpressionAttributeNames={'#n': 'n'}), names_only),
            (lambda: self.ddb.query(TableName=t, ExpressionAttributeValues={':v': S('x')}),
             'ExpressionAttributeValues can only be specified when using expressions: FilterExpression and '
             'KeyConditionExpression are null'),
            (lambda: self.ddb.query(TableName=t, ExpressionAttributeNames={'#n': 'n'}), names_only),
            # Checked before the maps themselves: an empty map gets the same answer.
            (lambda: self.ddb.put_item(TableName=t, Item=DOC, ExpressionAttributeNames={}), names_only),
            # Values with only a projection (which takes no values).
            (lambda: self.ddb.scan(TableName=t, ProjectionExpression='n', ExpressionAttributeValues={':v': S('x')}),
             'ExpressionAttributeValues can only be specified when using expressions: FilterExpression is null'),
        ]
        for i, (call, message) in enumerate(cases):
            with self.subTest(case=i):
                self.assertError(call, 'ValidationException', message, unchanged=[t])

    def test_updates(self):
        for expr, values, changes in UPDATES:
            with self.subTest(expr=expr):
                t = self.table(items=[DOC], prefix='u')
                pool = dict(VALUES, **values)
                kwargs = {}
                used = self.used(expr, pool, ':')
                if used:
                    kwargs['ExpressionAttributeValues'] = used
                names = self.used(expr, NAMES, '#')
                if names:
                    kwargs['ExpressionAttributeNames'] = names
                out = self.ddb.update_item(TableName=t, Key={'pk': S('doc')}, UpdateExpression=expr,
                                           ReturnValues='ALL_NEW', **kwargs)
                expected = dict(DOC)
                for k, v in changes.items():
                    if v is None:
                        expected.pop(k)
                    else:
                        expected[k] = v
                self.assertEqual(self.canonical(out['Attributes']), self.canonical(expected))
                self.assertEqual([self.canonical(i) for i in self.items(t)], [self.canonical(expected)])

    @staticmethod
    def canonical(item):
        """Sets compare as sets (AWS does not promise an order)."""
        def fix(v):
            if isinstance(v, dict):
                out = {}
                for k, x in v.items():
                    out[k] = sorted(x) if k in ('SS', 'NS', 'BS') else fix(x)
                return out
            if isinstance(v, list):
                return [fix(x) for x in v]
            return v
        return fix(item)

    def test_operand_type_errors(self):
        import re
        for expr, message in OPERAND_TYPES:
            with self.subTest(expr=expr):
                values = {k: v for k, v in TYPED.items() if re.search(re.escape(k) + r'(?![a-z])', expr)}
                kwargs = {'ExpressionAttributeValues': values} if values else {}
                self.assertError(lambda: self.ddb.update_item(TableName=self.t, Key={'pk': S('doc')},
                                                              UpdateExpression=expr, **kwargs),
                                 'ValidationException', message, unchanged=[self.t])

    def test_paths_invalid_for_update(self):
        import re
        for expr in INVALID_PATHS:
            with self.subTest(expr=expr):
                kwargs = {}
                values = {k: v for k, v in TYPED.items() if re.search(re.escape(k) + r'(?![a-z])', expr)}
                if values:
                    kwargs['ExpressionAttributeValues'] = values
                if '#one' in expr:
                    kwargs['ExpressionAttributeNames'] = {'#one': '1'}
                self.assertError(lambda: self.ddb.update_item(TableName=self.t, Key={'pk': S('doc')},
                                                              UpdateExpression=expr, **kwargs),
                                 'ValidationException',
                                 'The document path provided in the update expression is invalid for update',
                                 unchanged=[self.t])

    def test_bad_updates(self):
        for expr, values, message in BAD_UPDATES:
            with self.subTest(expr=expr):
                pool = dict(VALUES, **values)
                used = self.used(expr, pool, ':')
                kwargs = {'ExpressionAttributeValues': used} if used else {}
                self.assertError(lambda: self.ddb.update_item(TableName=self.t, Key={'pk': S('doc')},
                                                              UpdateExpression=expr, **kwargs),
                                 'ValidationException', message, unchanged=[self.t])


if __name__ == '__main__':
    unittest.main()
