"""Secondary indexes (GSI, LSI): CreateTable/DescribeTable validation, index maintenance through every
write (PutItem, UpdateItem, DeleteItem, transactions), sparse indexes, projections, Query and Scan with
IndexName, paging, multi-attribute GSI keys. Written from the DynamoDB Developer Guide (GSI.html, LSI.html,
GSI.DesignPattern.MultiAttributeKeys.html) and API Reference (CreateTable, Query, Scan)."""
import unittest

from conformance import ConformanceCase


def S(v):
    return {'S': v}


def N(v):
    return {'N': str(v)}


def gsi(name, hash_key, range_key=None, projection=None, **extra):
    schema = [{'AttributeName': h, 'KeyType': 'HASH'} for h in (hash_key if isinstance(hash_key, list) else [hash_key])]
    if range_key:
        schema += [{'AttributeName': r, 'KeyType': 'RANGE'} for r in (range_key if isinstance(range_key, list) else [range_key])]
    d = {'IndexName': name, 'KeySchema': schema, 'Projection': projection or {'ProjectionType': 'ALL'}}
    d.update(extra)
    return d


def lsi(name, range_key, projection=None, hash_key='pk'):
    return {'IndexName': name,
            'KeySchema': [{'AttributeName': hash_key, 'KeyType': 'HASH'}, {'AttributeName': range_key, 'KeyType': 'RANGE'}],
            'Projection': projection or {'ProjectionType': 'ALL'}}


def defs(**types):
    return [{'AttributeName': n, 'AttributeType': t} for n, t in types.items()]


class SecondaryIndexTest(ConformanceCase):
    # ----- helpers ------------------------------------------------------------------------

    def gsi_table(self, projection=None, items=(), **kw):
        """pk (S) table with GSI 'byG' on g (S) / gs (N)."""
        return self.table(AttributeDefinitions=defs(g='S', gs='N'),
                          GlobalSecondaryIndexes=[gsi('byG', 'g', 'gs', projection)], items=items, **kw)

    def lsi_table(self, projection=None, items=(), **kw):
        """pk (S) / sk (S) table with LSI 'byL' on pk / l (N)."""
        return self.table(range_key=('sk', 'S'), AttributeDefinitions=defs(l='N'),
                          LocalSecondaryIndexes=[lsi('byL', 'l', projection)], items=items, **kw)

    def query_all(self, **kw):
        out, kw = [], dict(kw)
        while True:
            page = self.ddb.query(**kw)
            out.extend(page['Items'])
            if 'LastEvaluatedKey' not in page:
                return out
            kw['ExclusiveStartKey'] = page['LastEvaluatedKey']

    def index_items(self, table, index):
        out, kw = [], dict(TableName=table, IndexName=index)
        while True:
            page = self.ddb.scan(**kw)
            out.extend(page['Items'])
            if 'LastEvaluatedKey' not in page:
                break
            kw['ExclusiveStartKey'] = page['LastEvaluatedKey']
        return sorted(out, key=lambda i: repr(sorted(i.items())))

    def create_error(self, message, code='ValidationException', **create):
        name = 'bad-%d' % id(create)
        create.setdefault('KeySchema', [{'AttributeName': 'pk', 'KeyType': 'HASH'}])
        create.setdefault('AttributeDefinitions', defs(pk='S'))
        create.setdefault('BillingMode', 'PAY_PER_REQUEST')
        self.assertError(lambda: self.ddb.create_table(TableName=name, **create), code, message)
        self.assertNotIn(name, self.ddb.list_tables()['TableNames'])

    # ----- CreateTable / DescribeTable -------------------------------------------------------

    def test_describe_shows_gsi(self):
        t = self.gsi_table()
        d = self.ddb.describe_table(TableName=t)['Table']
        [g] = d['GlobalSecondaryIndexes']
        self.assertEqual(g['IndexName'], 'byG')
        self.assertEqual(g['KeySchema'], [{'AttributeName': 'g', 'KeyType': 'HASH'}, {'AttributeName': 'gs', 'KeyType': 'RANGE'}])
        self.assertEqual(g['Projection'], {'ProjectionType': 'ALL'})
        self.assertEqual(g['IndexStatus'], 'ACTIVE')
        self.assertEqual(g['ProvisionedThroughput'], {'NumberOfDecreasesToday': 0, 'ReadCapacityUnits': 0, 'WriteCapacityUnits': 0})
        self.assertEqual(g['IndexArn'], d['TableArn'] + '/index/byG')
        self.assertEqual((g['IndexSizeBytes'], g['ItemCount']), (0, 0))
        self.assertNotIn('LocalSecondaryIndexes', d)
        self.assertEqual(sorted(a['AttributeName'] for a in d['AttributeDefinitions']), ['g', 'gs', 'pk'])

    def test_describe_counts_index_entries(self):
        # Sparse: only items with both index key attributes are in the index.
        items = [{'pk': {'S': 'a'}, 'g': {'S': 'x'}, 'gs': {'N': '1'}},
                 {'pk': {'S': 'b'}, 'g': {'S': 'x'}, 'gs': {'N': '2'}, 'v': {'S': 'hello'}},
                 {'pk': {'S': 'c'}, 'g': {'S': 'x'}}]
        t = self.gsi_table(items=items)
        d = self.ddb.describe_table(TableName=t)['Table']
        [g] = d['GlobalSecondaryIndexes']
        self.assertEqual(d['ItemCount'], 3)
        self.assertEqual(g['ItemCount'], 2)
        # Projection ALL: the entries are the items, sized as AWS sizes items
        # (name bytes + value: 'pk'+'a' 3, 'g'+'x' 2, 'gs'+1 as N 2+2, 'v'+'hello' 6).
        self.assertEqual(g['IndexSizeBytes'], (3 + 2 + 4) + (3 + 2 + 4 + 6))

    def test_item_collection_metrics_on_lsi_tables(self):
        t = self.lsi_table()
        item = {'pk': {'S': 'p1'}, 'sk': {'S': 'a'}, 'l': {'N': '1'}}
        want = {'ItemCollectionKey': {'pk': {'S': 'p1'}}, 'SizeEstimateRangeGB': [0.0, 1.0]}
        out = self.ddb.put_item(TableName=t, Item=item, ReturnItemCollectionMetrics='SIZE')
        self.assertEqual(out['ItemCollectionMetrics'], want)
        out = self.ddb.update_item(TableName=t, Key={'pk': {'S': 'p1'}, 'sk': {'S': 'a'}}, UpdateExpression='SET v = :v',
                                   ExpressionAttributeValues={':v': {'S': 'x'}}, ReturnItemCollectionMetrics='SIZE')
        self.assertEqual(out['ItemCollectionMetrics'], want)
        out = self.ddb.delete_item(TableName=t, Key={'pk': {'S': 'p1'}, 'sk': {'S': 'a'}}, ReturnItemCollectionMetrics='SIZE')
        self.assertEqual(out['ItemCollectionMetrics'], want)
        # NONE (the default) and tables without LSIs: no metrics.
        self.assertNotIn('ItemCollectionMetrics', self.ddb.put_item(TableName=t, Item=item))
        g = self.gsi_table()
        out = self.ddb.put_item(TableName=g, Item={'pk': {'S': 'p1'}}, ReturnItemCollectionMetrics='SIZE')
        self.assertNotIn('ItemCollectionMetrics', out)

    def test_create_response_shows_indexes(self):
        name = 'idx-create-response'
        d = self.ddb.create_table(TableName=name, KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}],
                                  AttributeDefinitions=defs(pk='S', sk='S', l='N', g='S'), BillingMode='PAY_PER_REQUEST',
                                  LocalSecondaryIndexes=[lsi('byL', 'l', {'ProjectionType': 'KEYS_ONLY'})],
                                  GlobalSecondaryIndexes=[gsi('byG', 'g', projection={'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['a', 'b']})])['TableDescription']
        [l] = d['LocalSecondaryIndexes']
        self.assertEqual(set(l), {'IndexName', 'KeySchema', 'Projection', 'IndexSizeBytes', 'ItemCount', 'IndexArn'})
        self.assertEqual(l['Projection'], {'ProjectionType': 'KEYS_ONLY'})
        [g] = d['GlobalSecondaryIndexes']
        self.assertEqual(g['Projection'], {'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['a', 'b']})
        self.assertEqual(g['KeySchema'], [{'AttributeName': 'g', 'KeyType': 'HASH'}])

    def test_provisioned_gsi_throughput(self):
        t = self.table(AttributeDefinitions=defs(g='S'), BillingMode='PROVISIONED',
                       ProvisionedThroughput={'ReadCapacityUnits': 5, 'WriteCapacityUnits': 5},
                       GlobalSecondaryIndexes=[gsi('byG', 'g', ProvisionedThroughput={'ReadCapacityUnits': 3, 'WriteCapacityUnits': 4})])
        [g] = self.ddb.describe_table(TableName=t)['Table']['GlobalSecondaryIndexes']
        self.assertEqual(g['ProvisionedThroughput'], {'NumberOfDecreasesToday': 0, 'ReadCapacityUnits': 3, 'WriteCapacityUnits': 4})

    def test_multi_attribute_gsi_describe(self):
        t = self.table(AttributeDefinitions=defs(a='S', b='N', c='S', d='S'),
                       GlobalSecondaryIndexes=[gsi('multi', ['a', 'b'], ['c', 'd'])])
        [g] = self.ddb.describe_table(TableName=t)['Table']['GlobalSecondaryIndexes']
        self.assertEqual([(k['AttributeName'], k['KeyType']) for k in g['KeySchema']],
                         [('a', 'HASH'), ('b', 'HASH'), ('c', 'RANGE'), ('d', 'RANGE')])

    def test_create_validation(self):
        P = 'One or more parameter values were invalid: '
        cases = [
            ('undefined gsi key', P + 'Some index key attributes are not defined in AttributeDefinitions. Keys: [g], AttributeDefinitions: [pk]',
             dict(GlobalSecondaryIndexes=[gsi('byG', 'g')])),
            ('unused definition', P + 'Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions',
             dict(AttributeDefinitions=defs(pk='S', g='S', x='S'), GlobalSecondaryIndexes=[gsi('byG', 'g')])),
            ('duplicate index name', P + 'Duplicate index name: dup',
             dict(AttributeDefinitions=defs(pk='S', g='S', h='S'), GlobalSecondaryIndexes=[gsi('dup', 'g'), gsi('dup', 'h')])),
            ('duplicate across gsi and lsi', P + 'Duplicate index name: dup',
             dict(KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}],
                  AttributeDefinitions=defs(pk='S', sk='S', g='S', l='S'), GlobalSecondaryIndexes=[gsi('dup', 'g')],
                  LocalSecondaryIndexes=[lsi('dup', 'l')])),
            ('lsi on hash-only table', P + 'Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex',
             dict(AttributeDefinitions=defs(pk='S', l='S'), LocalSecondaryIndexes=[lsi('byL', 'l')])),
            ('lsi other hash key', P + 'Index KeySchema does not have the same leading hash key as table KeySchema for index: byL. index hash key: x, table hash key: pk',
             dict(KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}],
                  AttributeDefinitions=defs(pk='S', sk='S', x='S', l='S'), LocalSecondaryIndexes=[lsi('byL', 'l', hash_key='x')])),
            ('lsi without range key', P + 'Index KeySchema does not have a range key for index: byL',
             dict(KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}],
                  AttributeDefinitions=defs(pk='S', sk='S'),
                  LocalSecondaryIndexes=[{'IndexName': 'byL', 'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'}],
                                          'Projection': {'ProjectionType': 'ALL'}}])),
            ('include without non-key attributes', P + 'ProjectionType is INCLUDE, but NonKeyAttributes is not specified',
             dict(AttributeDefinitions=defs(pk='S', g='S'), GlobalSecondaryIndexes=[gsi('byG', 'g', projection={'ProjectionType': 'INCLUDE'})])),
            ('all with non-key attributes', P + 'ProjectionType is ALL, but NonKeyAttributes is specified',
             dict(AttributeDefinitions=defs(pk='S', g='S'),
                  GlobalSecondaryIndexes=[gsi('byG', 'g', projection={'ProjectionType': 'ALL', 'NonKeyAttributes': ['a']})])),
            ('keys_only with non-key attributes', P + 'ProjectionType is KEYS_ONLY, but NonKeyAttributes is specified',
             dict(AttributeDefinitions=defs(pk='S', g='S'),
                  GlobalSecondaryIndexes=[gsi('byG', 'g', projection={'ProjectionType': 'KEYS_ONLY', 'NonKeyAttributes': ['a']})])),
            ('bad projection type', "1 validation error detected: Value 'SOME' at 'globalSecondaryIndexes.1.member.projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]",
             dict(AttributeDefinitions=defs(pk='S', g='S'), GlobalSecondaryIndexes=[gsi('byG', 'g', projection={'ProjectionType': 'SOME'})])),
            ('too many projected attributes', P + 'Number of projected attributes in all indexes exceeds limit of 100',
             dict(AttributeDefinitions=defs(pk='S', g='S', h='S'),
                  GlobalSecondaryIndexes=[gsi('byG', 'g', projection={'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['a%d' % i for i in range(60)]}),
                                          gsi('byH', 'h', projection={'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['b%d' % i for i in range(41)]})])),
            ('pay per request with index throughput', P + 'ProvisionedThroughput should not be specified for index: byG when BillingMode is PAY_PER_REQUEST',
             dict(AttributeDefinitions=defs(pk='S', g='S'),
                  GlobalSecondaryIndexes=[gsi('byG', 'g', ProvisionedThroughput={'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})])),
            ('provisioned without index throughput', P + 'ProvisionedThroughput must be specified for index: byG',
             dict(AttributeDefinitions=defs(pk='S', g='S'), BillingMode='PROVISIONED',
                  ProvisionedThroughput={'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1}, GlobalSecondaryIndexes=[gsi('byG', 'g')])),
            ('index name pattern', "1 validation error detected: Value 'by g' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
             dict(AttributeDefinitions=defs(pk='S', g='S'), GlobalSecondaryIndexes=[gsi('by g', 'g')])),
            ('index name too long', "1 validation error detected: Value '%s' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length less than or equal to 255" % ('x' * 256),
             dict(AttributeDefinitions=defs(pk='S', g='S'), GlobalSecondaryIndexes=[gsi('x' * 256, 'g')])),
            ('gsi range first', 'Invalid KeySchema: The first KeySchemaElement is not a HASH key type',
             dict(AttributeDefinitions=defs(pk='S', g='S'),
                  GlobalSecondaryIndexes=[{'IndexName': 'byG', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'RANGE'}], 'Projection': {'ProjectionType': 'ALL'}}])),
            ('gsi hash after range', P + 'Index KeySchema: HASH key attributes must precede RANGE key attributes for index: byG',
             dict(AttributeDefinitions=defs(pk='S', g='S', h='S', i='S'),
                  GlobalSecondaryIndexes=[{'IndexName': 'byG', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}, {'AttributeName': 'h', 'KeyType': 'RANGE'},
                                                                             {'AttributeName': 'i', 'KeyType': 'HASH'}], 'Projection': {'ProjectionType': 'ALL'}}])),
            ('gsi same hash and range', 'Both the Hash Key and the Range Key element in the KeySchema have the same name',
             dict(AttributeDefinitions=defs(pk='S', g='S'), GlobalSecondaryIndexes=[gsi('byG', 'g', 'g')])),
            ('five hash attributes', P + 'Index KeySchema has more than 4 HASH key attributes for index: byG',
             dict(AttributeDefinitions=defs(pk='S', a='S', b='S', c='S', d='S', e='S'), GlobalSecondaryIndexes=[gsi('byG', ['a', 'b', 'c', 'd', 'e'])])),
            ('five range attributes', P + 'Index KeySchema has more than 4 RANGE key attributes for index: byG',
             dict(AttributeDefinitions=defs(pk='S', a='S', b='S', c='S', d='S', e='S', f='S'), GlobalSecondaryIndexes=[gsi('byG', 'f', ['a', 'b', 'c', 'd', 'e'])])),
            ('empty gsi list', P + 'List of GlobalSecondaryIndexes is empty', dict(GlobalSecondaryIndexes=[])),
            ('empty lsi list', P + 'List of LocalSecondaryIndexes is empty',
             dict(KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}],
                  AttributeDefinitions=defs(pk='S', sk='S'), LocalSecondaryIndexes=[])),
            ('21 gsis', P + 'Number of GlobalSecondaryIndexes exceeds per-table limit of 20',
             dict(AttributeDefinitions=defs(pk='S', g='S'), GlobalSecondaryIndexes=[gsi('byG%d' % i, 'g') for i in range(21)])),
            ('6 lsis', P + 'Number of LocalSecondaryIndexes exceeds per-table limit of 5',
             dict(KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'sk', 'KeyType': 'RANGE'}],
                  AttributeDefinitions=defs(pk='S', sk='S', l='S'), LocalSecondaryIndexes=[lsi('byL%d' % i, 'l') for i in range(6)])),
            ('bad key type', "1 validation error detected: Value 'PARTITION' at 'globalSecondaryIndexes.1.member.keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]",
             dict(AttributeDefinitions=defs(pk='S', g='S'),
                  GlobalSecondaryIndexes=[{'IndexName': 'byG', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'PARTITION'}], 'Projection': {'ProjectionType': 'ALL'}}])),
        ]
        for label, message, create in cases:
            with self.subTest(label):
                self.create_error(message, **create)

    def test_create_raw_shapes(self):
        base = {'KeySchema': [{'AttributeName': 'pk', 'KeyType': 'HASH'}], 'BillingMode': 'PAY_PER_REQUEST',
                'AttributeDefinitions': [{'AttributeName': 'pk', 'AttributeType': 'S'}, {'AttributeName': 'g', 'AttributeType': 'S'}]}
        cases = [
            ('not a list', {'GlobalSecondaryIndexes': {'IndexName': 'x'}}, 'SerializationException', None),
            ('member not an object', {'GlobalSecondaryIndexes': ['x']}, 'SerializationException', None),
            ('no projection', {'GlobalSecondaryIndexes': [{'IndexName': 'byG', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}]}]},
             'ValidationException', "1 validation error detected: Value null at 'globalSecondaryIndexes.1.member.projection' failed to satisfy constraint: Member must not be null"),
            ('no key schema', {'GlobalSecondaryIndexes': [{'IndexName': 'byG', 'Projection': {'ProjectionType': 'ALL'}}]},
             'ValidationException', "1 validation error detected: Value null at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must not be null"),
            ('no index name', {'GlobalSecondaryIndexes': [{'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}], 'Projection': {'ProjectionType': 'ALL'}}]},
             'ValidationException', "1 validation error detected: Value null at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must not be null"),
            ('empty key schema', {'GlobalSecondaryIndexes': [{'IndexName': 'byG', 'KeySchema': [], 'Projection': {'ProjectionType': 'ALL'}}]},
             'ValidationException', "1 validation error detected: Value '[]' at 'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ('non-key attributes not a list', {'GlobalSecondaryIndexes': [{'IndexName': 'byG', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}],
                                                                          'Projection': {'ProjectionType': 'INCLUDE', 'NonKeyAttributes': 'a'}}]},
             'SerializationException', None),
        ]
        cases.append(('index name too short', {'GlobalSecondaryIndexes': [gsi('ab', 'g')]}, 'ValidationException',
                      "1 validation error detected: Value 'ab' at 'globalSecondaryIndexes.1.member.indexName' failed to satisfy constraint: Member must have length greater than or equal to 3"))
        for i, (label, extra, code, message) in enumerate(cases):
            with self.subTest(label):
                body = dict(base, TableName='raw-bad-%d' % i, **extra)
                self.assertRawError('CreateTable', body, code, message)
                self.assertNotIn('raw-bad-%d' % i, self.ddb.list_tables()['TableNames'])

    def test_max_indexes_accepted(self):
        t = self.table(range_key=('sk', 'S'), AttributeDefinitions=defs(g='S', l='S'),
                       GlobalSecondaryIndexes=[gsi('byG%02d' % i, 'g') for i in range(20)],
                       LocalSecondaryIndexes=[lsi('byL%d' % i, 'l') for i in range(5)])
        d = self.ddb.describe_table(TableName=t)['Table']
        self.assertEqual((len(d['GlobalSecondaryIndexes']), len(d['LocalSecondaryIndexes'])), (20, 5))

    # ----- maintenance ------------------------------------------------------------------------

    def test_put_update_delete_maintain_gsi(self):
        t = self.gsi_table()
        self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'g': S('x'), 'gs': N(1), 'v': S('one')})
        self.assertEqual(self.index_items(t, 'byG'), [{'pk': S('a'), 'g': S('x'), 'gs': N(1), 'v': S('one')}])
        # Change a non-key attribute: the entry follows.
        self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET v = :v', ExpressionAttributeValues={':v': S('two')})
        self.assertEqual(self.index_items(t, 'byG'), [{'pk': S('a'), 'g': S('x'), 'gs': N(1), 'v': S('two')}])
        # Change the index key: the old entry goes, the new one comes.
        self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET g = :g', ExpressionAttributeValues={':g': S('y')})
        self.assertEqual(self.query_all(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')}), [])
        self.assertEqual(self.query_all(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('y')}),
                         [{'pk': S('a'), 'g': S('y'), 'gs': N(1), 'v': S('two')}])
        # Remove an index key attribute: the item leaves the index (sparse).
        self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='REMOVE gs')
        self.assertEqual(self.index_items(t, 'byG'), [])
        self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET gs = :n', ExpressionAttributeValues={':n': N(5)})
        self.assertEqual(len(self.index_items(t, 'byG')), 1)
        self.ddb.delete_item(TableName=t, Key={'pk': S('a')})
        self.assertEqual(self.index_items(t, 'byG'), [])

    def test_put_replaces_entry(self):
        t = self.gsi_table(items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1)}])
        self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'g': S('z'), 'gs': N(2)})
        self.assertEqual(self.index_items(t, 'byG'), [{'pk': S('a'), 'g': S('z'), 'gs': N(2)}])
        self.ddb.put_item(TableName=t, Item={'pk': S('a')})
        self.assertEqual(self.index_items(t, 'byG'), [])

    def test_sparse_index(self):
        t = self.gsi_table(items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1)}, {'pk': S('b'), 'g': S('x')},
                                  {'pk': S('c'), 'gs': N(3)}, {'pk': S('d')}])
        self.assertEqual([i['pk'] for i in self.index_items(t, 'byG')], [S('a')])
        self.assertEqual(len(self.items(t)), 4)

    def test_index_key_type_mismatch_refused(self):
        t = self.gsi_table(items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1)}])
        msg = 'One or more parameter values were invalid: Type mismatch for Index Key gs Expected: N Actual: S IndexName: byG'
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('b'), 'gs': S('1')}), 'ValidationException', msg, unchanged=[t])
        self.assertError(lambda: self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET gs = :s',
                                                      ExpressionAttributeValues={':s': S('1')}), 'ValidationException', msg, unchanged=[t])
        self.assertEqual(len(self.index_items(t, 'byG')), 1)

    def test_index_key_empty_string_refused(self):
        t = self.gsi_table()
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('b'), 'g': S('')}), 'ValidationException',
                         'One or more parameter values are not valid. A value specified for a secondary index key is not supported. '
                         'The AttributeValue for a key attribute cannot contain an empty string value. IndexName: byG, IndexKey: g',
                         unchanged=[t])

    def test_transaction_maintains_index(self):
        t = self.gsi_table(items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1)}])
        try:
            self.ddb.transact_write_items(TransactItems=[
                {'Put': {'TableName': t, 'Item': {'pk': S('b'), 'g': S('x'), 'gs': N(2)}}},
                {'Delete': {'TableName': t, 'Key': {'pk': S('a')}}}])
        except self.ddb.exceptions.ClientError as e:
            if e.response['Error']['Code'] == 'UnknownOperationException':
                self.skipTest('TransactWriteItems not in this build')
            raise
        self.assertEqual(self.index_items(t, 'byG'), [{'pk': S('b'), 'g': S('x'), 'gs': N(2)}])

    def test_conditional_failure_leaves_index(self):
        t = self.gsi_table(items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1)}])
        self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'g': S('y'), 'gs': N(1)},
                                                   ConditionExpression='attribute_not_exists(pk)'),
                         'ConditionalCheckFailedException', unchanged=[t])
        self.assertEqual(self.index_items(t, 'byG'), [{'pk': S('a'), 'g': S('x'), 'gs': N(1)}])

    def test_lsi_maintained(self):
        t = self.lsi_table(items=[{'pk': S('p'), 'sk': S('1'), 'l': N(30)}, {'pk': S('p'), 'sk': S('2'), 'l': N(10)},
                                  {'pk': S('p'), 'sk': S('3')}, {'pk': S('q'), 'sk': S('1'), 'l': N(20)}])
        got = self.ddb.query(TableName=t, IndexName='byL', KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')})
        self.assertEqual([i['sk'] for i in got['Items']], [S('2'), S('1')])
        self.ddb.delete_item(TableName=t, Key={'pk': S('p'), 'sk': S('2')})
        got = self.ddb.query(TableName=t, IndexName='byL', KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')})
        self.assertEqual([i['sk'] for i in got['Items']], [S('1')])

    def test_delete_table_removes_entries(self):
        t = self.gsi_table(items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1)}])
        self.ddb.delete_table(TableName=t)
        self.ddb.create_table(TableName=t, KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],
                              AttributeDefinitions=defs(pk='S', g='S', gs='N'), BillingMode='PAY_PER_REQUEST',
                              GlobalSecondaryIndexes=[gsi('byG', 'g', 'gs')])
        self.assertEqual(self.index_items(t, 'byG'), [])

    def test_write_sequences(self):
        """Each row: writes applied in order to a fresh GSI (g S / gs N, INCLUDE v) table, then the index content."""
        put = lambda item: ('put', item)  # noqa: E731
        upd = lambda key, expr, values=None: ('update', key, expr, values)  # noqa: E731
        dele = lambda key: ('delete', key)  # noqa: E731
        A = {'pk': S('a')}
        entry = lambda g, gs, **more: dict({'pk': S('a'), 'g': S(g), 'gs': N(gs)}, **more)  # noqa: E731
        cases = [
            ('put then identical put', [put(entry('x', 1, v=S('1'))), put(entry('x', 1, v=S('1')))], [entry('x', 1, v=S('1'))]),
            ('unprojected change keeps entry', [put(entry('x', 1, w=S('1'))), upd(A, 'SET w = :w', {':w': S('2')})], [entry('x', 1)]),
            ('projected attribute added', [put(entry('x', 1)), upd(A, 'SET v = :v', {':v': S('new')})], [entry('x', 1, v=S('new'))]),
            ('projected attribute removed', [put(entry('x', 1, v=S('1'))), upd(A, 'REMOVE v')], [entry('x', 1)]),
            ('sort key changed', [put(entry('x', 1)), upd(A, 'SET gs = gs + :one', {':one': N(1)})], [entry('x', 2)]),
            ('number canonical form', [put(entry('x', '1.50'))], [entry('x', '1.5')]),
            ('enter index by update', [put({'pk': S('a')}), upd(A, 'SET g = :g, gs = :n', {':g': S('x'), ':n': N(7)})], [entry('x', 7)]),
            ('leave index by put without keys', [put(entry('x', 1)), put({'pk': S('a'), 'v': S('1')})], []),
            ('delete missing item', [dele({'pk': S('zz')})], []),
            ('delete then put back', [put(entry('x', 1)), dele(A), put(entry('y', 2))], [entry('y', 2)]),
            ('update creating the item', [upd(A, 'SET g = :g, gs = :n, v = :v', {':g': S('x'), ':n': N(3), ':v': S('v')})], [entry('x', 3, v=S('v'))]),
            ('two items same index key', [put(entry('x', 1)), put({'pk': S('b'), 'g': S('x'), 'gs': N(1)})],
             [entry('x', 1), {'pk': S('b'), 'g': S('x'), 'gs': N(1)}]),
        ]
        for label, writes, expected in cases:
            with self.subTest(label):
                t = self.gsi_table({'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['v']})
                for w in writes:
                    if w[0] == 'put':
                        self.ddb.put_item(TableName=t, Item=w[1])
                    elif w[0] == 'update':
                        kw = dict(TableName=t, Key=w[1], UpdateExpression=w[2])
                        if w[3]:
                            kw['ExpressionAttributeValues'] = w[3]
                        self.ddb.update_item(**kw)
                    else:
                        self.ddb.delete_item(TableName=t, Key=w[1])
                self.assertEqual(self.index_items(t, 'byG'), sorted(expected, key=lambda i: repr(sorted(i.items()))))

    def test_index_key_types(self):
        for label, typ, values in [('S', 'S', [S('b'), S('a'), S('c')]), ('N', 'N', [N(10), N(-2), N('3.5')]),
                                   ('B', 'B', [{'B': b'\x02'}, {'B': b'\x00\x01'}, {'B': b'\xff'}])]:
            with self.subTest(label):
                t = self.table(AttributeDefinitions=defs(g='S', s=typ), GlobalSecondaryIndexes=[gsi('byG', 'g', 's')],
                               items=[{'pk': S(str(i)), 'g': S('x'), 's': v} for i, v in enumerate(values)])
                got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')})
                if typ == 'N':
                    self.assertEqual([float(i['s']['N']) for i in got['Items']], [-2, 3.5, 10])
                else:
                    self.assertEqual([i['s'] for i in got['Items']], sorted(values, key=lambda v: v[typ]))
                t2 = self.table(AttributeDefinitions=defs(g=typ), GlobalSecondaryIndexes=[gsi('byG', 'g')],
                                items=[{'pk': S(str(i)), 'g': v} for i, v in enumerate(values)])
                got = self.ddb.query(TableName=t2, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': values[1]})
                self.assertEqual(got['Items'], [{'pk': S('1'), 'g': values[1]}])

    def test_gsi_on_table_keys(self):
        t = self.table(range_key=('sk', 'N'), GlobalSecondaryIndexes=[gsi('bySk', 'sk', 'pk', {'ProjectionType': 'KEYS_ONLY'})],
                       items=[{'pk': S(p), 'sk': N(n), 'v': S('v')} for p in 'ab' for n in (1, 2)])
        got = self.ddb.query(TableName=t, IndexName='bySk', KeyConditionExpression='sk = :n', ExpressionAttributeValues={':n': N(2)},
                             ScanIndexForward=False)
        self.assertEqual(got['Items'], [{'pk': S('b'), 'sk': N(2)}, {'pk': S('a'), 'sk': N(2)}])
        page = self.ddb.query(TableName=t, IndexName='bySk', KeyConditionExpression='sk = :n', ExpressionAttributeValues={':n': N(2)}, Limit=1)
        self.assertEqual(page['LastEvaluatedKey'], {'pk': S('a'), 'sk': N(2)})

    def test_lsi_sort_conditions_and_include(self):
        t = self.lsi_table({'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['v']},
                           items=[{'pk': S('p'), 'sk': S('s%d' % i), 'l': N(i * 10), 'v': S('v%d' % i), 'w': S('w')} for i in range(6)])
        q = dict(TableName=t, IndexName='byL')
        for label, expr, values, expected in [
            ('range', 'pk = :p AND l BETWEEN :a AND :b', {':a': N(15), ':b': N(40)}, [20, 30, 40]),
            ('less', 'pk = :p AND l < :a', {':a': N(15)}, [0, 10]),
            ('equal', 'pk = :p AND l = :a', {':a': N(50)}, [50]),
        ]:
            with self.subTest(label):
                got = self.ddb.query(KeyConditionExpression=expr, ExpressionAttributeValues=dict(values, **{':p': S('p')}), **q)
                self.assertEqual([int(i['l']['N']) for i in got['Items']], expected)
                self.assertTrue(all(set(i) == {'pk', 'sk', 'l', 'v'} for i in got['Items']))
        got = self.ddb.query(KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')}, ScanIndexForward=False,
                             Limit=2, **q)
        self.assertEqual([int(i['l']['N']) for i in got['Items']], [50, 40])

    def test_stream_has_one_record_per_write(self):
        t = self.gsi_table(StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'})
        self.ddb.put_item(TableName=t, Item={'pk': S('a'), 'g': S('x'), 'gs': N(1)})
        self.ddb.update_item(TableName=t, Key={'pk': S('a')}, UpdateExpression='SET g = :g', ExpressionAttributeValues={':g': S('y')})
        streams = self.server.client('dynamodbstreams')
        arn = self.ddb.describe_table(TableName=t)['Table']['LatestStreamArn']
        records = []
        for shard in streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'], ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            records += streams.get_records(ShardIterator=it)['Records']
        self.assertEqual([r['eventName'] for r in records], ['INSERT', 'MODIFY'])

    # ----- projections -------------------------------------------------------------------------

    def test_projections(self):
        item = {'pk': S('a'), 'g': S('x'), 'gs': N(1), 'a': S('A'), 'b': S('B'), 'c': S('C')}
        keys = {'pk': S('a'), 'g': S('x'), 'gs': N(1)}
        for label, projection, expected in [
            ('ALL', {'ProjectionType': 'ALL'}, item),
            ('KEYS_ONLY', {'ProjectionType': 'KEYS_ONLY'}, keys),
            ('INCLUDE', {'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['a', 'c', 'missing']}, dict(keys, a=S('A'), c=S('C'))),
        ]:
            with self.subTest(label):
                t = self.gsi_table(projection, items=[item])
                got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')})
                self.assertEqual(got['Items'], [expected])
                got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')},
                                     Select='ALL_PROJECTED_ATTRIBUTES')
                self.assertEqual(got['Items'], [expected])
                self.assertEqual(self.index_items(t, 'byG'), [expected])

    def test_gsi_all_attributes_refused_when_not_projected(self):
        t = self.gsi_table({'ProjectionType': 'KEYS_ONLY'})
        self.assertError(lambda: self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g',
                                                ExpressionAttributeValues={':g': S('x')}, Select='ALL_ATTRIBUTES'),
                         'ValidationException',
                         'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byG because its projection type is not ALL')
        self.assertError(lambda: self.ddb.scan(TableName=t, IndexName='byG', Select='ALL_ATTRIBUTES'), 'ValidationException',
                         'One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global secondary index byG because its projection type is not ALL')

    def test_gsi_all_attributes_allowed_when_projected(self):
        t = self.gsi_table(items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1), 'v': S('v')}])
        got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')},
                             Select='ALL_ATTRIBUTES')
        self.assertEqual(got['Items'], [{'pk': S('a'), 'g': S('x'), 'gs': N(1), 'v': S('v')}])

    def test_lsi_fetches_unprojected_attributes(self):
        item = {'pk': S('p'), 'sk': S('1'), 'l': N(1), 'v': S('V'), 'w': S('W')}
        t = self.lsi_table({'ProjectionType': 'KEYS_ONLY'}, items=[item])
        q = dict(TableName=t, IndexName='byL', KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')})
        self.assertEqual(self.ddb.query(**q)['Items'], [{'pk': S('p'), 'sk': S('1'), 'l': N(1)}])
        self.assertEqual(self.ddb.query(Select='ALL_ATTRIBUTES', **q)['Items'], [item])
        self.assertEqual(self.ddb.query(ProjectionExpression='v, l', **q)['Items'], [{'v': S('V'), 'l': N(1)}])
        got = self.ddb.query(FilterExpression='w = :w', **dict(q, ExpressionAttributeValues={':p': S('p'), ':w': S('W')}))
        self.assertEqual(got['Count'], 1)

    def test_gsi_projection_expression_on_unprojected(self):
        t = self.gsi_table({'ProjectionType': 'KEYS_ONLY'}, items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1), 'v': S('v')}])
        got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')},
                             ProjectionExpression='pk, v')
        self.assertEqual(got['Items'], [{'pk': S('a')}])

    def test_select_count_on_index(self):
        t = self.gsi_table(items=[{'pk': S(str(i)), 'g': S('x'), 'gs': N(i)} for i in range(5)])
        got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')}, Select='COUNT')
        self.assertEqual((got['Count'], got['ScannedCount'], 'Items' in got), (5, 5, False))

    # ----- Query ---------------------------------------------------------------------------------

    def test_query_gsi_sort_conditions(self):
        t = self.gsi_table(items=[{'pk': S('p%d' % i), 'g': S('x' if i < 8 else 'y'), 'gs': N(i)} for i in range(10)])
        cases = [
            ('g = :g', {}, list(range(8))),
            ('g = :g AND gs = :a', {':a': N(3)}, [3]),
            ('g = :g AND gs < :a', {':a': N(3)}, [0, 1, 2]),
            ('g = :g AND gs <= :a', {':a': N(3)}, [0, 1, 2, 3]),
            ('g = :g AND gs > :a', {':a': N(5)}, [6, 7]),
            ('g = :g AND gs >= :a', {':a': N(5)}, [5, 6, 7]),
            ('g = :g AND gs BETWEEN :a AND :b', {':a': N(2), ':b': N(4)}, [2, 3, 4]),
            (':a < gs AND g = :g', {':a': N(6)}, [7]),
            ('g = :g AND gs > :a', {':a': N(100)}, []),
        ]
        for expr, values, expected in cases:
            with self.subTest(expr):
                got = self.query_all(TableName=t, IndexName='byG', KeyConditionExpression=expr,
                                     ExpressionAttributeValues=dict(values, **{':g': S('x')}))
                self.assertEqual([int(i['gs']['N']) for i in got], expected)
                rev = self.query_all(TableName=t, IndexName='byG', KeyConditionExpression=expr, ScanIndexForward=False,
                                     ExpressionAttributeValues=dict(values, **{':g': S('x')}))
                self.assertEqual([int(i['gs']['N']) for i in rev], expected[::-1])

    def test_query_begins_with_on_string_sort(self):
        t = self.table(AttributeDefinitions=defs(g='S', s='S'), GlobalSecondaryIndexes=[gsi('byG', 'g', 's')],
                       items=[{'pk': S(str(i)), 'g': S('x'), 's': S(v)} for i, v in enumerate(['ab', 'abc', 'b', 'a', 'abd'])])
        got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g AND begins_with(s, :p)',
                             ExpressionAttributeValues={':g': S('x'), ':p': S('ab')})
        self.assertEqual([i['s']['S'] for i in got['Items']], ['ab', 'abc', 'abd'])

    def test_equal_index_keys_all_returned(self):
        t = self.gsi_table(items=[{'pk': S('p%d' % i), 'g': S('x'), 'gs': N(1)} for i in range(6)])
        got = self.query_all(TableName=t, IndexName='byG', KeyConditionExpression='g = :g AND gs = :s',
                             ExpressionAttributeValues={':g': S('x'), ':s': N(1)}, Limit=2)
        self.assertEqual(sorted(i['pk']['S'] for i in got), ['p%d' % i for i in range(6)])

    def test_query_index_paging(self):
        t = self.gsi_table(items=[{'pk': S('p%02d' % i), 'g': S('x'), 'gs': N(i % 4)} for i in range(20)])
        page = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')}, Limit=3)
        self.assertEqual(len(page['Items']), 3)
        self.assertEqual(set(page['LastEvaluatedKey']), {'pk', 'g', 'gs'})
        last = page['Items'][-1]
        self.assertEqual(page['LastEvaluatedKey'], {'pk': last['pk'], 'g': last['g'], 'gs': last['gs']})
        for forward in (True, False):
            with self.subTest(forward=forward):
                got = self.query_all(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ScanIndexForward=forward,
                                     ExpressionAttributeValues={':g': S('x')}, Limit=3)
                self.assertEqual(len(got), 20)
                self.assertEqual(len({i['pk']['S'] for i in got}), 20)
                order = [int(i['gs']['N']) for i in got]
                self.assertEqual(order, sorted(order, reverse=not forward))

    def test_lsi_paging_key(self):
        t = self.lsi_table(items=[{'pk': S('p'), 'sk': S('%02d' % i), 'l': N(i)} for i in range(5)])
        page = self.ddb.query(TableName=t, IndexName='byL', KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')}, Limit=2)
        self.assertEqual(page['LastEvaluatedKey'], {'pk': S('p'), 'sk': S('01'), 'l': N(1)})
        got = self.query_all(TableName=t, IndexName='byL', KeyConditionExpression='pk = :p', ExpressionAttributeValues={':p': S('p')}, Limit=2)
        self.assertEqual([i['l']['N'] for i in got], [str(i) for i in range(5)])

    def test_query_errors(self):
        t = self.gsi_table(items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1)}])
        q = dict(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')})
        cases = [
            ('unknown index', dict(q, IndexName='nope'), 'The table does not have the specified index: nope'),
            ('consistent read on gsi', dict(q, ConsistentRead=True), 'Consistent reads are not supported on global secondary indexes'),
            ('table key in key condition', dict(q, KeyConditionExpression='pk = :g'), 'Query condition missed key schema element: g'),
            ('sort key only', dict(q, KeyConditionExpression='gs = :n', ExpressionAttributeValues={':n': N(1)}),
             'Query condition missed key schema element: g'),
            ('wrong type', dict(q, ExpressionAttributeValues={':g': N(1)}),
             'One or more parameter values were invalid: Condition parameter type does not match schema type'),
            ('filter on index key', dict(q, FilterExpression='gs > :n', ExpressionAttributeValues={':g': S('x'), ':n': N(0)}),
             'Filter Expression can only contain non-primary key attributes: Primary key attribute: gs'),
            ('bad start key', dict(q, ExclusiveStartKey={'pk': S('a')}),
             'The provided starting key is invalid: The provided key element does not match the schema'),
            ('start key wrong type', dict(q, ExclusiveStartKey={'pk': S('a'), 'g': S('x'), 'gs': S('1')}),
             'The provided starting key is invalid: The provided key element does not match the schema'),
            ('start key extra attribute', dict(q, ExclusiveStartKey={'pk': S('a'), 'g': S('x'), 'gs': N(1), 'z': S('1')}),
             'The provided starting key is invalid: The provided key element does not match the schema'),
            ('all projected on table', dict(TableName=t, KeyConditionExpression='pk = :g', ExpressionAttributeValues={':g': S('x')},
                                            Select='ALL_PROJECTED_ATTRIBUTES'),
             'ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName'),
        ]
        for label, request, message in cases:
            with self.subTest(label):
                self.assertError(lambda: self.ddb.query(**request), 'ValidationException', message)

    def test_query_index_name_too_short_raw(self):
        t = self.gsi_table()
        self.assertRawError('Query', {'TableName': t, 'IndexName': 'ab', 'KeyConditionExpression': 'g = :g',
                                      'ExpressionAttributeValues': {':g': S('x')}}, 'ValidationException',
                            "1 validation error detected: Value 'ab' at 'indexName' failed to satisfy constraint: Member must have length greater than or equal to 3")

    def test_filter_on_table_key_allowed_on_gsi(self):
        t = self.gsi_table(items=[{'pk': S('a'), 'g': S('x'), 'gs': N(1)}, {'pk': S('b'), 'g': S('x'), 'gs': N(2)}])
        got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', FilterExpression='pk = :p',
                             ExpressionAttributeValues={':g': S('x'), ':p': S('b')})
        self.assertEqual((got['Count'], got['ScannedCount']), (1, 2))

    def test_lsi_consistent_read_allowed(self):
        t = self.lsi_table(items=[{'pk': S('p'), 'sk': S('1'), 'l': N(1)}])
        got = self.ddb.query(TableName=t, IndexName='byL', KeyConditionExpression='pk = :p AND l > :z',
                             ExpressionAttributeValues={':p': S('p'), ':z': N(0)}, ConsistentRead=True)
        self.assertEqual(got['Count'], 1)

    # ----- Scan ----------------------------------------------------------------------------------

    def test_scan_index(self):
        items = [{'pk': S('p%d' % i), 'g': S('g%d' % (i % 3)), 'gs': N(i)} for i in range(9)] + [{'pk': S('none')}]
        t = self.gsi_table(items=items)
        got = self.index_items(t, 'byG')
        self.assertEqual(len(got), 9)
        page = self.ddb.scan(TableName=t, IndexName='byG', Limit=4)
        self.assertEqual(len(page['Items']), 4)
        self.assertEqual(set(page['LastEvaluatedKey']), {'pk', 'g', 'gs'})
        got = self.ddb.scan(TableName=t, IndexName='byG', FilterExpression='gs >= :n', ExpressionAttributeValues={':n': N(6)})
        self.assertEqual((got['Count'], got['ScannedCount']), (3, 9))

    def test_scan_index_segments(self):
        t = self.gsi_table(items=[{'pk': S('p%d' % i), 'g': S('x'), 'gs': N(i)} for i in range(30)])
        seen = []
        for segment in range(3):
            kw = dict(TableName=t, IndexName='byG', Segment=segment, TotalSegments=3)
            while True:
                page = self.ddb.scan(**kw)
                seen.extend(i['pk']['S'] for i in page['Items'])
                if 'LastEvaluatedKey' not in page:
                    break
                kw['ExclusiveStartKey'] = page['LastEvaluatedKey']
        self.assertEqual(sorted(seen), sorted('p%d' % i for i in range(30)))

    def test_scan_errors(self):
        t = self.gsi_table()
        self.assertError(lambda: self.ddb.scan(TableName=t, IndexName='nope'), 'ValidationException',
                         'The table does not have the specified index: nope')
        self.assertError(lambda: self.ddb.scan(TableName=t, IndexName='byG', ConsistentRead=True), 'ValidationException',
                         'Consistent reads are not supported on global secondary indexes')

    # ----- multi-attribute GSI keys -------------------------------------------------------------

    def multi_table(self):
        items = []
        n = 0
        for tour in ('T1', 'T2'):
            for region in ('EU', 'NA'):
                for rnd in (1, 2, 3):
                    for bracket in ('LOWER', 'UPPER'):
                        items.append({'pk': S('m%02d' % n), 'tour': S(tour), 'region': S(region), 'round': N(rnd), 'bracket': S(bracket)})
                        n += 1
        items.append({'pk': S('partial'), 'tour': S('T1'), 'round': N(1), 'bracket': S('UPPER')})  # no region: not indexed
        return self.table(AttributeDefinitions=defs(tour='S', region='S', round='N', bracket='S'),
                          GlobalSecondaryIndexes=[gsi('byMatch', ['tour', 'region'], ['round', 'bracket'])], items=items)

    def test_multi_attribute_queries(self):
        t = self.multi_table()
        base = {':t': S('T1'), ':r': S('EU')}
        cases = [
            ('tour = :t AND #r = :r', {}, [(1, 'LOWER'), (1, 'UPPER'), (2, 'LOWER'), (2, 'UPPER'), (3, 'LOWER'), (3, 'UPPER')]),
            ('tour = :t AND #r = :r AND #n = :n', {':n': N(2)}, [(2, 'LOWER'), (2, 'UPPER')]),
            ('tour = :t AND #r = :r AND #n >= :n', {':n': N(2)}, [(2, 'LOWER'), (2, 'UPPER'), (3, 'LOWER'), (3, 'UPPER')]),
            ('tour = :t AND #r = :r AND #n BETWEEN :a AND :b', {':a': N(1), ':b': N(2)}, [(1, 'LOWER'), (1, 'UPPER'), (2, 'LOWER'), (2, 'UPPER')]),
            ('tour = :t AND #r = :r AND #n = :n AND bracket = :b', {':n': N(3), ':b': S('UPPER')}, [(3, 'UPPER')]),
            ('tour = :t AND #r = :r AND #n = :n AND bracket > :b', {':n': N(3), ':b': S('LOWER')}, [(3, 'UPPER')]),
            ('tour = :t AND #r = :r AND #n = :n AND begins_with(bracket, :b)', {':n': N(1), ':b': S('LO')}, [(1, 'LOWER')]),
            ('tour = :t AND #r = :r AND #n < :n', {':n': N(1)}, []),
        ]
        for expr, values, expected in cases:
            with self.subTest(expr):
                names = {'#r': 'region'}
                if '#n' in expr:
                    names['#n'] = 'round'
                got = self.query_all(TableName=t, IndexName='byMatch', KeyConditionExpression=expr,
                                     ExpressionAttributeNames=names, ExpressionAttributeValues=dict(base, **values))
                self.assertEqual([(int(i['round']['N']), i['bracket']['S']) for i in got], expected)
                self.assertTrue(all(i['tour'] == S('T1') and i['region'] == S('EU') for i in got))

    def test_multi_attribute_query_errors(self):
        t = self.multi_table()
        names = {'#r': 'region', '#n': 'round'}
        cases = [
            ('missing partition attribute', 'tour = :t', {':t': S('T1')}, 'Query condition missed key schema element: region'),
            ('skipped sort attribute', 'tour = :t AND #r = :r AND bracket = :b', {':t': S('T1'), ':r': S('EU'), ':b': S('UPPER')},
             'Query condition missed key schema element: round'),
            ('range before the last', 'tour = :t AND #r = :r AND #n > :n AND bracket = :b',
             {':t': S('T1'), ':r': S('EU'), ':n': N(1), ':b': S('UPPER')}, 'Query key condition not supported'),
            ('range on partition', 'tour = :t AND #r > :r', {':t': S('T1'), ':r': S('EU')}, 'Query key condition not supported'),
            ('wrong type', 'tour = :t AND #r = :r AND #n = :n', {':t': S('T1'), ':r': S('EU'), ':n': S('1')},
             'One or more parameter values were invalid: Condition parameter type does not match schema type'),
        ]
        for label, expr, values, message in cases:
            with self.subTest(label):
                used = {k: v for k, v in names.items() if k in expr}
                kw = dict(TableName=t, IndexName='byMatch', KeyConditionExpression=expr, ExpressionAttributeValues=values)
                if used:
                    kw['ExpressionAttributeNames'] = used
                self.assertError(lambda: self.ddb.query(**kw), 'ValidationException', message)

    def test_multi_attribute_paging_and_sparse(self):
        t = self.multi_table()
        got = self.query_all(TableName=t, IndexName='byMatch', KeyConditionExpression='tour = :t AND #r = :r',
                             ExpressionAttributeNames={'#r': 'region'}, ExpressionAttributeValues={':t': S('T1'), ':r': S('EU')}, Limit=4)
        self.assertEqual(len(got), 6)
        self.assertEqual(len(self.index_items(t, 'byMatch')), 24)
        page = self.ddb.scan(TableName=t, IndexName='byMatch', Limit=1)
        self.assertEqual(set(page['LastEvaluatedKey']), {'pk', 'tour', 'region', 'round', 'bracket'})


if __name__ == '__main__':
    unittest.main()
