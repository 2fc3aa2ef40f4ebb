"""Scan (API Reference: Scan): every item once, Limit and ExclusiveStartKey/LastEvaluatedKey,
1 MB pages, FilterExpression (Count vs ScannedCount), Select, ProjectionExpression, parallel scan
(Segment/TotalSegments), ConsistentRead, and read capacity."""
import unittest

from capacity_cases import consumed
from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': v}  # noqa: E731


class ScanTest(ConformanceCase):
    t = None

    def setUp(self):
        if ScanTest.t is None:
            ScanTest.t = self.table(range_key=('sk', 'N'),
                                    items=[{'pk': S('p%d' % (i % 7)), 'sk': N(str(i)), 'v': N(str(i % 4))}
                                           for i in range(40)])
        self.t = ScanTest.t

    def keys(self, items):
        return sorted((i['pk']['S'], int(i['sk']['N'])) for i in items)

    def all_keys(self):
        return sorted(('p%d' % (i % 7), i) for i in range(40))

    def test_scan_reads_everything(self):
        out = self.ddb.scan(TableName=self.t)
        self.assertEqual(self.keys(out['Items']), self.all_keys())
        self.assertEqual((out['Count'], out['ScannedCount']), (40, 40))
        self.assertNotIn('LastEvaluatedKey', out)

    def test_empty_table(self):
        t = self.table()
        out = self.ddb.scan(TableName=t)
        self.assertEqual((out['Items'], out['Count'], out['ScannedCount']), ([], 0, 0))
        self.assertNotIn('LastEvaluatedKey', out)

    def test_paging_with_limit(self):
        for limit in (1, 7, 13, 40, 41):
            with self.subTest(limit=limit):
                seen, start, pages = [], None, 0
                while True:
                    kwargs = {'Limit': limit}
                    if start:
                        kwargs['ExclusiveStartKey'] = start
                    out = self.ddb.scan(TableName=self.t, **kwargs)
                    pages += 1
                    self.assertLessEqual(out['ScannedCount'], limit)
                    seen += out['Items']
                    start = out.get('LastEvaluatedKey')
                    if start:
                        last = out['Items'][-1]
                        self.assertEqual(start, {'pk': last['pk'], 'sk': last['sk']})
                    else:
                        break
                self.assertEqual(self.keys(seen), self.all_keys())
                self.assertEqual(pages, 40 // limit + 1)

    def test_filter_counts_and_limit(self):
        out = self.ddb.scan(TableName=self.t, FilterExpression='v = :z', ExpressionAttributeValues={':z': N('0')})
        self.assertEqual((out['Count'], out['ScannedCount']), (10, 40))
        self.assertTrue(all(i['v'] == N('0') for i in out['Items']))
        out = self.ddb.scan(TableName=self.t, FilterExpression='v = :z', ExpressionAttributeValues={':z': N('0')},
                            Limit=5)
        self.assertEqual(out['ScannedCount'], 5)
        self.assertIn('LastEvaluatedKey', out)
        # Scan may filter on key attributes (unlike Query).
        out = self.ddb.scan(TableName=self.t, FilterExpression='pk = :p AND sk < :n',
                            ExpressionAttributeValues={':p': S('p0'), ':n': N('10')})
        self.assertEqual(self.keys(out['Items']), [('p0', 0), ('p0', 7)])

    def test_select(self):
        out = self.ddb.scan(TableName=self.t, Select='COUNT', FilterExpression='v = :z',
                            ExpressionAttributeValues={':z': N('1')})
        self.assertNotIn('Items', out)
        self.assertEqual((out['Count'], out['ScannedCount']), (10, 40))
        out = self.ddb.scan(TableName=self.t, Select='SPECIFIC_ATTRIBUTES', ProjectionExpression='sk',
                            FilterExpression='pk = :p', ExpressionAttributeValues={':p': S('p1')})
        self.assertEqual(sorted(int(i['sk']['N']) for i in out['Items']), [1, 8, 15, 22, 29, 36])
        self.assertTrue(all(set(i) == {'sk'} for i in out['Items']))
        out = self.ddb.scan(TableName=self.t, Select='ALL_ATTRIBUTES', Limit=1)
        self.assertEqual(set(out['Items'][0]), {'pk', 'sk', 'v'})

    def test_select_errors(self):
        cases = [
            (dict(Select='COUNT', ProjectionExpression='v'),
             'Cannot specify the ProjectionExpression when choosing to get only the Count'),
            (dict(Select='ALL_ATTRIBUTES', ProjectionExpression='v'),
             'Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES'),
            (dict(Select='SPECIFIC_ATTRIBUTES'),
             "1 validation error detected: Value 'SPECIFIC_ATTRIBUTES' at 'select' failed to satisfy constraint: "
             'Select type SPECIFIC_ATTRIBUTES requires ProjectionExpression or AttributesToGet'),
            (dict(Select='ALL_PROJECTED_ATTRIBUTES'),
             'ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName'),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=kwargs):
                self.assertError(lambda: self.ddb.scan(TableName=self.t, **kwargs), 'ValidationException', message)

    def test_parallel_scan_segments_partition_the_table(self):
        for total in (1, 2, 3, 8, 50):
            with self.subTest(total=total):
                seen = []
                for segment in range(total):
                    start = None
                    while True:
                        kwargs = {'Segment': segment, 'TotalSegments': total, 'Limit': 9}
                        if start:
                            kwargs['ExclusiveStartKey'] = start
                        out = self.ddb.scan(TableName=self.t, **kwargs)
                        seen += out['Items']
                        start = out.get('LastEvaluatedKey')
                        if not start:
                            break
                # Every item in exactly one segment.
                self.assertEqual(self.keys(seen), self.all_keys())

    def test_segment_errors(self):
        cases = [
            ({'Segment': 0}, 'The TotalSegments parameter is required but was not present in the request when '
                             'Segment parameter is present'),
            ({'TotalSegments': 2}, 'The Segment parameter is required but was not present in the request when '
                                   'parameter TotalSegments is present'),
            ({'Segment': 2, 'TotalSegments': 2}, 'The Segment parameter is zero-based and must be less than '
                                                 'parameter TotalSegments: Segment: 2 is not less than '
                                                 'TotalSegments: 2'),
            ({'Segment': 0, 'TotalSegments': 0}, "1 validation error detected: Value '0' at 'totalSegments' failed "
                                                 'to satisfy constraint: Member must have value greater than or '
                                                 'equal to 1'),
            ({'Segment': 0, 'TotalSegments': 1000001},
             "1 validation error detected: Value '1000001' at 'totalSegments' failed to satisfy constraint: Member "
             'must have value less than or equal to 1000000'),
            ({'Segment': -1, 'TotalSegments': 2}, "1 validation error detected: Value '-1' at 'segment' failed to "
                                                  'satisfy constraint: Member must have value greater than or equal '
                                                  'to 0'),
            ({'Limit': 0}, "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member "
                           'must have value greater than or equal to 1'),
        ]
        for members, message in cases:
            with self.subTest(members=members):
                self.assertRawError('Scan', dict(TableName=self.t, **members), 'ValidationException', message)

    def test_exclusive_start_key(self):
        first = self.ddb.scan(TableName=self.t, Limit=10)
        rest = self.ddb.scan(TableName=self.t, ExclusiveStartKey=first['LastEvaluatedKey'])
        self.assertEqual(self.keys(first['Items'] + rest['Items']), self.all_keys())
        self.assertEqual(rest['Count'], 30)
        for esk in ({'pk': S('p1')}, {'pk': S('p1'), 'sk': S('1')}, {'pk': S('p1'), 'sk': N('1'), 'v': N('1')},
                    {'pk': S('p1'), 'x': N('1')}, {'pk': N('1'), 'sk': N('1')}, {}):
            with self.subTest(esk=esk):
                self.assertError(lambda: self.ddb.scan(TableName=self.t, ExclusiveStartKey=esk),
                                 'ValidationException',
                                 'The provided starting key is invalid: The provided key element does not match the '
                                 'schema')

    def test_start_key_of_another_segment(self):
        # Find an item of segment 1 (of 2) and offer it as the start of segment 0.
        items = self.ddb.scan(TableName=self.t, Segment=1, TotalSegments=2)['Items']
        esk = {'pk': items[0]['pk'], 'sk': items[0]['sk']}
        self.ddb.scan(TableName=self.t, Segment=1, TotalSegments=2, ExclusiveStartKey=esk)
        self.assertError(lambda: self.ddb.scan(TableName=self.t, Segment=0, TotalSegments=2, ExclusiveStartKey=esk),
                         'ValidationException',
                         'The provided starting key is invalid: Invalid ExclusiveStartKey. Please use ExclusiveStartKey '
                         'with correct Segment. TotalSegments: 2 Segment: 0')

    def test_start_key_value_errors(self):
        cases = [
            ({'pk': {}, 'sk': {'N': '1'}}, 'The provided starting key is invalid: Supplied AttributeValue is empty, must '
                                           'contain exactly one of the supported datatypes'),
            ({'pk': {'S': 'a'}, 'sk': {'N': 'x'}}, 'The parameter cannot be converted to a numeric value: x'),
            ({'pk': {'S': 'a'}, 'sk': {'NULL': False}}, 'The provided starting key is invalid: One or more parameter '
                                                        'values were invalid: Null attribute value types must have the '
                                                        'value of true'),
        ]
        for esk, message in cases:
            with self.subTest(esk=esk):
                self.assertRawError('Scan', {'TableName': self.t, 'ExclusiveStartKey': esk}, 'ValidationException',
                                    message)

    def test_consistent_read_and_projection(self):
        for consistent in (True, False):
            with self.subTest(consistent=consistent):
                out = self.ddb.scan(TableName=self.t, ConsistentRead=consistent, ProjectionExpression='#v',
                                    ExpressionAttributeNames={'#v': 'v'})
                self.assertEqual(out['Count'], 40)
                self.assertTrue(all(set(i) == {'v'} for i in out['Items']))

    def test_filter_errors(self):
        cases = [
            ('v = :x', {':z': N('1')}, 'Invalid FilterExpression: An expression attribute value used in expression '
                                       'is not defined; attribute value: :x'),
            ('v = :z', {':z': N('1'), ':w': N('2')},
             'Value provided in ExpressionAttributeValues unused in expressions: keys: {:w}'),
        ]
        for f, values, message in cases:
            with self.subTest(filter=f):
                self.assertError(lambda: self.ddb.scan(TableName=self.t, FilterExpression=f,
                                                       ExpressionAttributeValues=values),
                                 'ValidationException', message)

    def test_syntax_error_names_the_token(self):
        self.assertError(lambda: self.ddb.scan(TableName=self.t, FilterExpression='v = = :z',
                                               ExpressionAttributeValues={':z': N('1')}),
                         'ValidationException', message_contains='Invalid FilterExpression: Syntax error; token: "="')

    def test_missing_table(self):
        self.assertError(lambda: self.ddb.scan(TableName='no-such-table'), 'ResourceNotFoundException',
                         message_contains='Requested resource not found')

    def test_one_megabyte_pages(self):
        t = self.table()
        big = 'y' * (300 * 1024)
        for i in range(5):
            self.ddb.put_item(TableName=t, Item={'pk': S('k%d' % i), 'd': S(big)})
        out = self.ddb.scan(TableName=t, ProjectionExpression='pk')
        self.assertIn('LastEvaluatedKey', out)
        self.assertIn(out['Count'], (3, 4))
        rest = self.ddb.scan(TableName=t, ProjectionExpression='pk', ExclusiveStartKey=out['LastEvaluatedKey'])
        self.assertEqual(out['Count'] + rest['Count'], 5)
        self.assertNotIn('LastEvaluatedKey', rest)

    # ----- consumed capacity -------------------------------------------------------------

    def test_capacity(self):
        t = self.table()
        for i in range(4):  # 4 x 2000 bytes = 8000 bytes: 2 units consistent, 1 eventual
            self.ddb.put_item(TableName=t, Item={'pk': S('k%d' % i), 'd': S('x' * (2000 - 2 - 2 - 1))})
        cases = [(dict(ConsistentRead=True), 2.0), (dict(ConsistentRead=False), 1.0), ({}, 1.0),
                 (dict(ConsistentRead=True, Select='COUNT'), 2.0),
                 (dict(ConsistentRead=True, FilterExpression='attribute_exists(nope)'), 2.0),
                 (dict(ConsistentRead=True, Limit=2), 1.0), (dict(ConsistentRead=True, Limit=3), 2.0)]
        for kwargs, units in cases:
            for report in ('TOTAL', 'INDEXES'):
                with self.subTest(kwargs=kwargs, report=report):
                    out = self.ddb.scan(TableName=t, ReturnConsumedCapacity=report, **kwargs)
                    self.assertEqual(out['ConsumedCapacity'], consumed(t, units, report))
        empty = self.table()
        out = self.ddb.scan(TableName=empty, ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'], consumed(empty, 0.5))


if __name__ == '__main__':
    unittest.main()
