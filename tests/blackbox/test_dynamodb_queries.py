"""Black-box tests of DynamoDB Query and Scan against the real binary, with boto3,
raw HTTP and the AWS CLI.

Expected results are computed in Python from the items put (sorted by DynamoDB's
key order: numbers numerically, strings and binaries by bytes) and compared in
order, both directions, whole and page by page.
"""

import json
import unittest
from decimal import Decimal, localcontext

from test_dynamodb_tables import DynamoTestCase, hash_range, ON_DEMAND


def S(v):
    return {'S': v}


def N(v):
    return {'N': str(v)}


def B(v):
    return {'B': v}


# Sort keys per type, deliberately unordered; strings share prefixes, numbers
# straddle zero with tiny and huge magnitudes, binaries contain zero bytes.
SORT_KEYS = {
    'S': ['b', 'a', 'ab', 'abc', 'abd', 'abc\x00', 'ba', 'B', 'a b', '\u00e9', '\u00e9t\u00e9', 'z', '0', '~',
          '\U0001F389'],
    'N': ['-1E+20', '-100', '-10', '-1.5', '-1', '-0.001', '-1e-100', '0', '1e-100', '0.001', '1', '1.5', '2', '10',
          '100', '1E+20', '99999999999999999999999999999999999999'],
    'B': [b'\x00', b'\x00\x00', b'\x00\x01', b'\x01', b'a', b'ab', b'abc', b'b', b'\xff', b'\xff\x00', b'\xfe\xff'],
}
# Operands for the comparisons: present values and values between them.
PIVOTS = {
    'S': ['a', 'ab', 'abc', 'abc\x00', 'aa', 'b', '\u00e9', '', 'zz', 'A'],
    'N': ['-100', '-1.5', '-1.25', '-0.0001', '0', '1e-100', '1.5', '10', '1E+21', '-1E+21'],
    'B': [b'\x00', b'\x00\x00', b'\x00\x00\x00', b'a', b'ab', b'\xff', b'\x80'],
}


def order_key(type_, value):
    if type_ == 'N':
        return Decimal(value)
    if type_ == 'S':
        return value.encode('utf-8')
    return value


def canonical_n(text):
    """DynamoDB's canonical form of a number (plain notation, no trailing zeros)."""
    with localcontext() as ctx:
        ctx.prec = 200  # the default (28 digits) would round 38-digit numbers
        d = Decimal(text)
        return '0' if d == 0 else format(d.normalize(ctx), 'f')


def wrap(type_, value):
    return {type_: canonical_n(value) if type_ == 'N' else value}


class QueryTestCase(DynamoTestCase):
    """Tables QryS / QryN / QryB: hash key pk (S), range key sk of type S / N / B.

    Partition 'p' holds SORT_KEYS[type]; partitions 'pp' and 'p\\x00' (sharing a
    prefix with 'p') and 'q' hold decoys that must never leak into 'p'."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for type_ in ('S', 'N', 'B'):
            table = 'Qry' + type_
            cls.ddb.create_table(TableName=table, **hash_range('pk', 'S', 'sk', type_), **ON_DEMAND)
            for i, sk in enumerate(SORT_KEYS[type_]):
                cls.ddb.put_item(TableName=table, Item={
                    'pk': S('p'), 'sk': {type_: sk}, 'i': N(i), 'even': {'BOOL': i % 2 == 0},
                    'doc': {'M': {'tag': S('t%d' % (i % 3)), 'list': {'L': [N(i), S('x')]}}}})
            for decoy in ('pp', 'p\x00', 'q', 'P'):
                for sk in SORT_KEYS[type_][:3]:
                    cls.ddb.put_item(TableName=table, Item={'pk': S(decoy), 'sk': {type_: sk}, 'decoy': {'BOOL': True}})

    def sorted_keys(self, type_):
        return sorted(SORT_KEYS[type_], key=lambda v: order_key(type_, v))

    def query_all(self, table, **kwargs):
        """Every page of a query (following LastEvaluatedKey by hand); returns (items, pages)."""
        items, pages, start = [], 0, None
        while True:
            args = dict(kwargs)
            if start:
                args['ExclusiveStartKey'] = start
            page = self.ddb.query(TableName=table, **args)
            pages += 1
            items += page.get('Items', [])
            start = page.get('LastEvaluatedKey')
            if not start:
                return items, pages
            self.assertLess(pages, 200, 'pagination does not end')


class KeyConditionTest(QueryTestCase):

    def check(self, type_, key_expr, values, predicate):
        table = 'Qry' + type_
        expected = [sk for sk in self.sorted_keys(type_) if predicate(order_key(type_, sk))]
        for forward in (True, False):
            with self.subTest(type=type_, expr=key_expr, values=values, forward=forward):
                out = self.ddb.query(TableName=table, KeyConditionExpression=key_expr,
                                     ExpressionAttributeValues=values, ScanIndexForward=forward)
                got = [item['sk'] for item in out['Items']]
                want = [wrap(type_, sk) for sk in (expected if forward else list(reversed(expected)))]
                self.assertEqual(got, want)
                self.assertEqual(out['Count'], len(want))
                self.assertEqual(out['ScannedCount'], len(want))
                self.assertNotIn('LastEvaluatedKey', out)
                for item in out['Items']:
                    self.assertEqual(item['pk'], S('p'))

    def test_hash_only_condition(self):
        for type_ in ('S', 'N', 'B'):
            self.check(type_, 'pk = :p', {':p': S('p')}, lambda k: True)
            out = self.ddb.query(TableName='Qry' + type_, KeyConditionExpression='pk = :p',
                                 ExpressionAttributeValues={':p': S('nobody')})
            self.assertEqual((out['Items'], out['Count']), ([], 0))

    def test_comparison_operators(self):
        ops = {'=': lambda a, b: a == b, '<': lambda a, b: a < b, '<=': lambda a, b: a <= b,
               '>': lambda a, b: a > b, '>=': lambda a, b: a >= b}
        for type_ in ('S', 'N', 'B'):
            for pivot in PIVOTS[type_]:
                if type_ == 'S' and pivot == '':
                    continue  # an empty key operand is its own error (below)
                bound = order_key(type_, pivot)
                for op, fn in ops.items():
                    self.check(type_, 'pk = :p AND sk %s :v' % op, {':p': S('p'), ':v': {type_: pivot}},
                               lambda k, fn=fn, bound=bound: fn(k, bound))
                # Operands reversed: the key on the right.
                self.check(type_, ':v > sk AND pk = :p', {':p': S('p'), ':v': {type_: pivot}},
                           lambda k, bound=bound: k < bound)

    def test_between(self):
        for type_ in ('S', 'N', 'B'):
            pivots = sorted(PIVOTS[type_], key=lambda v: order_key(type_, v))
            for lo, hi in zip(pivots, pivots[1:] + pivots[-1:]):
                if type_ == 'S' and '' in (lo, hi):
                    continue
                a, b = order_key(type_, lo), order_key(type_, hi)
                self.check(type_, 'pk = :p AND sk BETWEEN :lo AND :hi',
                           {':p': S('p'), ':lo': {type_: lo}, ':hi': {type_: hi}},
                           lambda k, a=a, b=b: a <= k <= b)

    def test_between_reversed_bounds_is_an_error(self):
        self.assertAwsError(self.ddb.query, 'ValidationException',
                            contains='Invalid KeyConditionExpression: The BETWEEN operator requires upper bound '
                                     'to be greater than or equal to lower bound',
                            TableName='QryN', KeyConditionExpression='pk = :p AND sk BETWEEN :lo AND :hi',
                            ExpressionAttributeValues={':p': S('p'), ':lo': N(5), ':hi': N(1)})

    def test_begins_with(self):
        for type_, prefixes in (('S', ['a', 'ab', 'abc', 'abc\x00', 'b', '\u00e9', 'zz', '\U0001F389', 'A']),
                                ('B', [b'\x00', b'\x00\x00', b'a', b'ab', b'\xff', b'\x80'])):
            for prefix in prefixes:
                p = order_key(type_, prefix)
                self.check(type_, 'pk = :p AND begins_with(sk, :pre)', {':p': S('p'), ':pre': {type_: prefix}},
                           lambda k, p=p: k.startswith(p))
        out = self.ddb.query(TableName='QryS', KeyConditionExpression='#p = :p AND begins_with(#s, :pre)',
                             ExpressionAttributeNames={'#p': 'pk', '#s': 'sk'},
                             ExpressionAttributeValues={':p': S('p'), ':pre': S('ab')})
        self.assertEqual([i['sk']['S'] for i in out['Items']], ['ab', 'abc', 'abc\x00', 'abd'])

    def test_other_partitions_with_shared_prefixes(self):
        for decoy in ('pp', 'p\x00', 'P'):
            out = self.ddb.query(TableName='QryS', KeyConditionExpression='pk = :p',
                                 ExpressionAttributeValues={':p': S(decoy)})
            self.assertEqual(len(out['Items']), 3, decoy)
            self.assertTrue(all(i['pk'] == S(decoy) for i in out['Items']))

    def test_bad_key_conditions(self):
        cases = [
            # Values with no expression that could use them are refused first (AWS's order).
            ('QryS', None, {':p': S('p')},
             'ExpressionAttributeValues can only be specified when using expressions: FilterExpression and '
             'KeyConditionExpression are null'),
            ('QryS', 'sk = :s', {':s': S('a')}, 'Query condition missed key schema element: pk'),
            ('QryS', 'pk > :p', {':p': S('p')}, 'Query key condition not supported'),
            ('QryS', 'pk = :p OR sk = :s', {':p': S('p'), ':s': S('a')}, None),
            ('QryS', 'pk = :p AND sk <> :s', {':p': S('p'), ':s': S('a')}, None),
            ('QryS', 'pk = :p AND sk = :s AND sk = :t', {':p': S('p'), ':s': S('a'), ':t': S('b')}, None),
            ('QryS', 'pk = :p AND other = :s', {':p': S('p'), ':s': S('a')}, None),
            ('QryS', 'pk = :p AND contains(sk, :s)', {':p': S('p'), ':s': S('a')}, None),
            ('QryN', 'pk = :p AND begins_with(sk, :s)', {':p': S('p'), ':s': N(1)}, None),
            ('QryS', 'pk = :n', {':n': N(1)},
             'One or more parameter values were invalid: Condition parameter type does not match schema type'),
            ('QryN', 'pk = :p AND sk < :s', {':p': S('p'), ':s': S('1')},
             'One or more parameter values were invalid: Condition parameter type does not match schema type'),
            ('QryS', 'pk = :p AND sk = :s', {':p': S('p'), ':s': S('')},
             'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain '
             'an empty string value. Key: sk'),
            ('QryS', 'pk = :p', {':p': S('')},
             'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain '
             'an empty string value. Key: pk'),
            ('QryS', 'pk = :p AND', {':p': S('p')}, None),
            ('QryS', 'pk = :p', {':p': S('p'), ':x': S('unused')},
             'Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}'),
            ('QryS', 'pk = :undefined', {':p': S('p')},
             'Invalid KeyConditionExpression: An expression attribute value used in expression is not defined; '
             'attribute value: :undefined'),
        ]
        for table, expr, values, message in cases:
            with self.subTest(expr=expr):
                kwargs = {'TableName': table, 'ExpressionAttributeValues': values}
                if expr is not None:
                    kwargs['KeyConditionExpression'] = expr
                err = self.assertAwsError(self.ddb.query, 'ValidationException', message, **kwargs)
                if ' OR ' in (expr or ''):
                    self.assertIn('Invalid operator used in KeyConditionExpression: OR', err['Error']['Message'])
        self.assertAwsError(self.ddb.query, 'ValidationException',
                            'Either the KeyConditions or KeyConditionExpression parameter must be specified in the '
                            'request.', TableName='QryS')
        self.assertAwsError(self.ddb.query, 'ResourceNotFoundException', TableName='NoSuchQueryTable',
                            KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')})
        self.assertRawError('Query', {'TableName': 'QryS', 'KeyConditionExpression': 'pk = :p', 'Limit': 0,
                                      'ExpressionAttributeValues': {':p': S('p')}}, 'ValidationException',
                            contains='Member must have value greater than or equal to 1')
        self.assertRawError('Query', {'TableName': 'QryS', 'KeyConditionExpression': 'pk = :p',
                                      'ScanIndexForward': 'no', 'ExpressionAttributeValues': {':p': S('p')}},
                            'SerializationException')


class PaginationTest(QueryTestCase):

    def test_limit_and_last_evaluated_key(self):
        for type_ in ('S', 'N', 'B'):
            want = [wrap(type_, sk) for sk in self.sorted_keys(type_)]
            for forward in (True, False):
                for limit in (1, 2, 5, len(want), len(want) + 1):
                    with self.subTest(type=type_, forward=forward, limit=limit):
                        items, pages = self.query_all('Qry' + type_, KeyConditionExpression='pk = :p',
                                                      ExpressionAttributeValues={':p': S('p')},
                                                      ScanIndexForward=forward, Limit=limit)
                        self.assertEqual([i['sk'] for i in items], want if forward else want[::-1])
                        # A full last page still carries a LastEvaluatedKey (as AWS): one more, empty call.
                        self.assertEqual(pages, len(want) // limit + 1)

    def test_last_evaluated_key_is_the_primary_key(self):
        out = self.ddb.query(TableName='QryN', KeyConditionExpression='pk = :p AND sk > :z',
                             ExpressionAttributeValues={':p': S('p'), ':z': N(0)}, Limit=2)
        self.assertEqual(out['LastEvaluatedKey'], {'pk': S('p'), 'sk': N('0.001')})
        nxt = self.ddb.query(TableName='QryN', KeyConditionExpression='pk = :p AND sk > :z',
                             ExpressionAttributeValues={':p': S('p'), ':z': N(0)}, Limit=2,
                             ExclusiveStartKey=out['LastEvaluatedKey'])
        self.assertEqual([i['sk'] for i in nxt['Items']], [N(1), N('1.5')])
        # A start key that is not an item resumes after where it would be.
        out = self.ddb.query(TableName='QryN', KeyConditionExpression='pk = :p',
                             ExpressionAttributeValues={':p': S('p')}, Limit=2,
                             ExclusiveStartKey={'pk': S('p'), 'sk': N('1.25')})
        self.assertEqual([i['sk'] for i in out['Items']], [N('1.5'), N(2)])
        out = self.ddb.query(TableName='QryN', KeyConditionExpression='pk = :p', ScanIndexForward=False,
                             ExpressionAttributeValues={':p': S('p')}, Limit=2,
                             ExclusiveStartKey={'pk': S('p'), 'sk': N('1.25')})
        self.assertEqual([i['sk'] for i in out['Items']], [N(1), N('0.001')])

    def test_bad_exclusive_start_key(self):
        for esk in ({'pk': S('p')}, {'pk': S('p'), 'sk': S('1')}, {'pk': S('p'), 'other': N(1)},
                    {'pk': S('p'), 'sk': N(1), 'x': N(2)}):
            with self.subTest(esk=esk):
                self.assertAwsError(self.ddb.query, 'ValidationException', contains='The provided starting key is invalid',
                                    TableName='QryN', KeyConditionExpression='pk = :p',
                                    ExpressionAttributeValues={':p': S('p')}, ExclusiveStartKey=esk)
                self.assertAwsError(self.ddb.scan, 'ValidationException', contains='The provided starting key is invalid',
                                    TableName='QryN', ExclusiveStartKey=esk)

    def test_boto3_paginator(self):
        paginator = self.ddb.get_paginator('query')
        for type_ in ('S', 'N', 'B'):
            want = [wrap(type_, sk) for sk in self.sorted_keys(type_)]
            for forward in (True, False):
                with self.subTest(type=type_, forward=forward):
                    seen = []
                    for page in paginator.paginate(TableName='Qry' + type_, KeyConditionExpression='pk = :p',
                                                   ExpressionAttributeValues={':p': S('p')},
                                                   ScanIndexForward=forward, PaginationConfig={'PageSize': 3}):
                        self.assertLessEqual(len(page['Items']), 3)
                        seen += [i['sk'] for i in page['Items']]
                    self.assertEqual(seen, want if forward else want[::-1])

    def test_limit_counts_items_before_the_filter(self):
        # Limit bounds the items read; the filter then drops some: Count <= ScannedCount.
        out = self.ddb.query(TableName='QryN', KeyConditionExpression='pk = :p', Limit=4,
                             FilterExpression='even = :t', ExpressionAttributeValues={':p': S('p'), ':t': {'BOOL': True}})
        self.assertEqual(out['ScannedCount'], 4)
        self.assertEqual(out['Count'], len(out['Items']))
        self.assertTrue(all(i['even'] == {'BOOL': True} for i in out['Items']))
        self.assertIn('LastEvaluatedKey', out)
        items, _ = self.query_all('QryN', KeyConditionExpression='pk = :p', Limit=4, FilterExpression='even = :t',
                                  ExpressionAttributeValues={':p': S('p'), ':t': {'BOOL': True}})
        want = [wrap('N', sk) for sk in self.sorted_keys('N')
                if SORT_KEYS['N'].index(sk) % 2 == 0]
        self.assertEqual([i['sk'] for i in items], want)


class FilterProjectionSelectTest(QueryTestCase):

    def test_filter_expression(self):
        out = self.ddb.query(TableName='QryS', KeyConditionExpression='pk = :p',
                             FilterExpression='doc.tag = :t AND i >= :min',
                             ExpressionAttributeValues={':p': S('p'), ':t': S('t1'), ':min': N(3)})
        want = [wrap('S', sk) for sk in self.sorted_keys('S')
                if SORT_KEYS['S'].index(sk) % 3 == 1 and SORT_KEYS['S'].index(sk) >= 3]
        self.assertEqual([i['sk'] for i in out['Items']], want)
        self.assertEqual(out['Count'], len(want))
        self.assertEqual(out['ScannedCount'], len(SORT_KEYS['S']))
        # A filter on a key attribute is refused in Query.
        self.assertAwsError(self.ddb.query, 'ValidationException',
                            contains='Filter Expression can only contain non-primary key attributes',
                            TableName='QryS', KeyConditionExpression='pk = :p', FilterExpression='sk = :s',
                            ExpressionAttributeValues={':p': S('p'), ':s': S('a')})
        self.assertAwsError(self.ddb.query, 'ValidationException',
                            contains='Invalid FilterExpression: Syntax error',
                            TableName='QryS', KeyConditionExpression='pk = :p', FilterExpression='i = = :s',
                            ExpressionAttributeValues={':p': S('p'), ':s': S('a')})

    def test_projection_expression(self):
        out = self.ddb.query(TableName='QryN', KeyConditionExpression='pk = :p AND sk = :s',
                             ProjectionExpression='#i, doc.#l[1], doc.nothing, absent',
                             ExpressionAttributeNames={'#i': 'i', '#l': 'list'},
                             ExpressionAttributeValues={':p': S('p'), ':s': N(2)})
        i = SORT_KEYS['N'].index('2')
        self.assertEqual(out['Items'], [{'i': N(i), 'doc': {'M': {'list': {'L': [S('x')]}}}}])
        got = self.ddb.get_item(TableName='QryN', Key={'pk': S('p'), 'sk': N(2)}, ProjectionExpression='sk, doc.tag')
        self.assertEqual(got['Item'], {'sk': N(2), 'doc': {'M': {'tag': S('t%d' % (i % 3))}}})
        self.assertAwsError(self.ddb.query, 'ValidationException',
                            'Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name',
                            TableName='QryN', KeyConditionExpression='pk = :p', ProjectionExpression='name',
                            ExpressionAttributeValues={':p': S('p')})
        self.assertAwsError(self.ddb.scan, 'ValidationException',
                            'Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}',
                            TableName='QryN', ProjectionExpression='i', ExpressionAttributeNames={'#x': 'x'})

    def test_select(self):
        out = self.ddb.query(TableName='QryB', KeyConditionExpression='pk = :p', Select='COUNT',
                             ExpressionAttributeValues={':p': S('p')})
        self.assertNotIn('Items', out)
        self.assertEqual(out['Count'], len(SORT_KEYS['B']))
        out = self.ddb.scan(TableName='QryB', Select='COUNT', FilterExpression='attribute_exists(decoy)')
        self.assertNotIn('Items', out)
        self.assertEqual(out['Count'], 4 * 3)
        self.assertEqual(out['ScannedCount'], len(SORT_KEYS['B']) + 4 * 3)
        out = self.ddb.query(TableName='QryB', KeyConditionExpression='pk = :p', Select='ALL_ATTRIBUTES',
                             ExpressionAttributeValues={':p': S('p')}, Limit=1)
        self.assertEqual(set(out['Items'][0]), {'pk', 'sk', 'i', 'even', 'doc'})
        out = self.ddb.query(TableName='QryB', KeyConditionExpression='pk = :p', Select='SPECIFIC_ATTRIBUTES',
                             ProjectionExpression='i', ExpressionAttributeValues={':p': S('p')}, Limit=1)
        self.assertEqual(set(out['Items'][0]), {'i'})
        self.assertAwsError(self.ddb.query, 'ValidationException', contains='SPECIFIC_ATTRIBUTES',
                            TableName='QryB', KeyConditionExpression='pk = :p', Select='SPECIFIC_ATTRIBUTES',
                            ExpressionAttributeValues={':p': S('p')})
        self.assertAwsError(self.ddb.query, 'ValidationException',
                            contains="Value 'SOME' at 'select' failed to satisfy constraint",
                            TableName='QryB', KeyConditionExpression='pk = :p', Select='SOME',
                            ExpressionAttributeValues={':p': S('p')})


class ScanTest(QueryTestCase):

    def all_keys(self, type_):
        keys = [(sk, 'p') for sk in SORT_KEYS[type_]]
        keys += [(sk, d) for d in ('pp', 'p\x00', 'q', 'P') for sk in SORT_KEYS[type_][:3]]
        return keys

    def test_scan_pagination_sees_every_item_once(self):
        for type_ in ('S', 'N', 'B'):
            expected = sorted((pk, canonical_n(sk) if type_ == 'N' else sk) for sk, pk in self.all_keys(type_))
            for limit in (1, 4, 100):
                with self.subTest(type=type_, limit=limit):
                    seen, start, pages = [], None, 0
                    while True:
                        kwargs = {'Limit': limit}
                        if start:
                            kwargs['ExclusiveStartKey'] = start
                        page = self.ddb.scan(TableName='Qry' + type_, **kwargs)
                        pages += 1
                        self.assertLessEqual(len(page['Items']), limit)
                        seen += page['Items']
                        start = page.get('LastEvaluatedKey')
                        if not start:
                            break
                    got = sorted((i['pk']['S'], i['sk'][type_]) for i in seen)
                    self.assertEqual(len(seen), len(expected))
                    self.assertEqual(len({json.dumps(i, sort_keys=True, default=repr) for i in seen}), len(seen))
                    self.assertEqual(sorted(got), sorted(expected))
            seen = []
            for page in self.ddb.get_paginator('scan').paginate(TableName='Qry' + type_,
                                                                PaginationConfig={'PageSize': 5}):
                seen += page['Items']
            self.assertEqual(len(seen), len(expected))

    def test_scan_filter_and_projection(self):
        out = self.ddb.scan(TableName='QryS', FilterExpression='attribute_exists(decoy) AND pk IN (:a, :b)',
                            ProjectionExpression='pk, sk', ExpressionAttributeValues={':a': S('pp'), ':b': S('P')})
        self.assertEqual(out['Count'], 6)
        self.assertTrue(all(set(i) == {'pk', 'sk'} and i['pk']['S'] in ('pp', 'P') for i in out['Items']))
        self.assertEqual(out['ScannedCount'], len(SORT_KEYS['S']) + 12)

    def test_parallel_scan_segments_partition_the_table(self):
        everything = sorted(json.dumps(i, sort_keys=True) for i in self.ddb.scan(TableName='QryS')['Items'])
        for total in (1, 2, 3, 7):
            with self.subTest(total=total):
                seen, per_partition = [], {}
                for segment in range(total):
                    for page in self.ddb.get_paginator('scan').paginate(
                            TableName='QryS', Segment=segment, TotalSegments=total,
                            PaginationConfig={'PageSize': 4}):
                        for item in page['Items']:
                            seen.append(json.dumps(item, sort_keys=True))
                            per_partition.setdefault(item['pk']['S'], set()).add(segment)
                self.assertEqual(sorted(seen), everything)  # every item exactly once
                # A partition is never split across segments.
                self.assertTrue(all(len(segs) == 1 for segs in per_partition.values()), per_partition)
        self.assertAwsError(self.ddb.scan, 'ValidationException',
                            'The Segment parameter is zero-based and must be less than parameter TotalSegments: '
                            'Segment: 2 is not less than TotalSegments: 2',
                            TableName='QryS', Segment=2, TotalSegments=2)
        self.assertAwsError(self.ddb.scan, 'ValidationException',
                            'The TotalSegments parameter is required but was not present in the request when '
                            'Segment parameter is present', TableName='QryS', Segment=0)
        self.assertAwsError(self.ddb.scan, 'ValidationException',
                            'The Segment parameter is required but was not present in the request when parameter '
                            'TotalSegments is present', TableName='QryS', TotalSegments=2)

    def test_scan_errors(self):
        self.assertAwsError(self.ddb.scan, 'ResourceNotFoundException', TableName='NoSuchScanTable')
        self.assertAwsError(self.ddb.scan, 'ValidationException', contains='Invalid FilterExpression',
                            TableName='QryS', FilterExpression='size(')
        self.assertRawError('Scan', {'TableName': 'QryS', 'Limit': 0}, 'ValidationException',
                            contains='Member must have value greater than or equal to 1')

    def test_scan_pages_stop_near_one_megabyte(self):
        self.ddb.create_table(TableName='BigScan', **hash_range('pk', 'S', 'sk', 'N'), **ON_DEMAND)
        blob = 'x' * (300 * 1024)
        for i in range(10):
            self.ddb.put_item(TableName='BigScan', Item={'pk': S('big'), 'sk': N(i), 'v': S(blob)})
        page = self.ddb.scan(TableName='BigScan')
        self.assertIn('LastEvaluatedKey', page)
        self.assertLess(len(page['Items']), 10)
        self.assertGreaterEqual(len(page['Items']), 3)
        items, pages = self.query_all('BigScan', KeyConditionExpression='pk = :p',
                                      ExpressionAttributeValues={':p': S('big')})
        self.assertEqual([i['sk'] for i in items], [N(i) for i in range(10)])
        self.assertGreater(pages, 2)


class AwsCliQueryTest(QueryTestCase):

    def test_cli_query_and_scan(self):
        rc, out, err = self.server.aws(
            'dynamodb', 'query', '--table-name', 'QryN', '--key-condition-expression', 'pk = :p AND sk BETWEEN :a AND :b',
            '--expression-attribute-values', json.dumps({':p': S('p'), ':a': N(-1), ':b': N(1)}),
            '--no-scan-index-forward')
        self.assertEqual(rc, 0, err)
        self.assertEqual([i['sk']['N'] for i in out['Items']],
                         ['1', '0.001', '0.' + '0' * 99 + '1', '0', '-0.' + '0' * 99 + '1', '-0.001', '-1'])
        # The CLI paginates scan by itself (--page-size): it must still see every item once.
        rc, out, err = self.server.aws('dynamodb', 'scan', '--table-name', 'QryB', '--page-size', '4')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['Count'], len(SORT_KEYS['B']) + 12)
        self.assertEqual(len(out['Items']), len(SORT_KEYS['B']) + 12)
        rc, out, err = self.server.aws('dynamodb', 'query', '--table-name', 'QryN',
                                       '--key-condition-expression', 'pk > :p',
                                       '--expression-attribute-values', json.dumps({':p': S('p')}))
        self.assertNotEqual(rc, 0)
        self.assertIn('ValidationException', err)
        self.assertIn('Query key condition not supported', err)


if __name__ == '__main__':
    unittest.main()
