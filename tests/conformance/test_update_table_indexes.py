"""UpdateTable's GlobalSecondaryIndexUpdates (Create, Update, Delete): an index created on a live table
appears CREATING with Backfilling, is maintained by writes from that moment, is backfilled from the
table's items, then becomes ACTIVE; an index deleted goes DELETING, then away. Written from the Developer
Guide (GSI.OnlineOps.html: "Adding a global secondary index to an existing table", "Deleting a global
secondary index") and the API Reference (UpdateTable, GlobalSecondaryIndexUpdate)."""
import random
import threading
import time
import unittest

from conformance import ConformanceCase


def S(v):
    return {'S': v}


def N(v):
    return {'N': str(v)}


def defs(**types):
    return [{'AttributeName': n, 'AttributeType': t} for n, t in types.items()]


def create_gsi(name, hash_key, range_key=None, projection=None, **extra):
    schema = [{'AttributeName': hash_key, 'KeyType': 'HASH'}]
    if range_key:
        schema.append({'AttributeName': range_key, 'KeyType': 'RANGE'})
    d = {'IndexName': name, 'KeySchema': schema, 'Projection': projection or {'ProjectionType': 'ALL'}}
    d.update(extra)
    return {'Create': d}


class IndexUpdateCase(ConformanceCase):
    def fill(self, table, items, threads=4):
        """Puts `items` from several clients at once (faster than one by one)."""
        items = list(items)

        def put(part):
            ddb = self.server.client('dynamodb')
            for item in items[part::threads]:
                ddb.put_item(TableName=table, Item=item)
        workers = [threading.Thread(target=put, args=(p,)) for p in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return table

    def index(self, table, name):
        for g in self.ddb.describe_table(TableName=table)['Table'].get('GlobalSecondaryIndexes', []):
            if g['IndexName'] == name:
                return g
        return None

    def wait_active(self, table, name, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            g = self.index(table, name)
            if g and g['IndexStatus'] == 'ACTIVE':
                return g
            time.sleep(0.05)
        self.fail('index %s of %s never became ACTIVE' % (name, table))

    def wait_gone(self, table, name, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.index(table, name) is None:
                return
            time.sleep(0.05)
        self.fail('index %s of %s never went away' % (name, table))

    def index_items(self, table, index):
        out, kw = [], dict(TableName=table, IndexName=index)
        while True:
            page = self.ddb.scan(**kw)
            out.extend(page['Items'])
            if 'LastEvaluatedKey' not in page:
                break
            kw['ExclusiveStartKey'] = page['LastEvaluatedKey']
        return sorted(out, key=lambda i: repr(sorted(i.items())))

    def expected_entries(self, table, keys, projected=None):
        """The items of the table that belong in an index on `keys` (sparse), projected."""
        out = []
        for item in self.items(table):
            if all(k in item for k in keys):
                out.append(item if projected is None else {k: v for k, v in item.items() if k in projected})
        return sorted(out, key=lambda i: repr(sorted(i.items())))


class UpdateTableIndexesTest(IndexUpdateCase):
    def test_create_on_populated_table(self):
        items = [{'pk': S('p%03d' % i), 'g': S('g%d' % (i % 7)), 'v': N(i)} for i in range(600)] + [{'pk': S('nog')}]
        t = self.fill(self.table(), items)
        d = self.ddb.update_table(TableName=t, AttributeDefinitions=defs(g='S'),
                                  GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g')])['TableDescription']
        [g] = d['GlobalSecondaryIndexes']
        self.assertEqual((g['IndexStatus'], g['Backfilling']), ('CREATING', True))
        self.assertEqual(d['TableStatus'], 'UPDATING')
        self.assertIn({'AttributeName': 'g', 'AttributeType': 'S'}, d['AttributeDefinitions'])
        g = self.wait_active(t, 'byG')
        self.assertNotIn('Backfilling', g)
        self.assertEqual(self.index_items(t, 'byG'), self.expected_entries(t, ['g']))
        got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('g3')})
        self.assertEqual(got['Count'], len([i for i in range(600) if i % 7 == 3]))

    def test_create_while_writing(self):
        """Writers race the backfill: every item must end in the index exactly as the table has it."""
        t = self.fill(self.table(), [{'pk': S('k%d' % i), 'g': S('a'), 'n': N(0)} for i in range(1000)])
        stop = threading.Event()
        errors = []

        def writer(seed):
            rnd = random.Random(seed)
            ddb = self.server.client('dynamodb')
            while not stop.is_set():
                k = S('k%d' % rnd.randrange(1200))
                try:
                    op = rnd.random()
                    if op < 0.5:
                        ddb.put_item(TableName=t, Item={'pk': k, 'g': S(rnd.choice('abc')), 'n': N(rnd.randrange(100))})
                    elif op < 0.7:
                        ddb.update_item(TableName=t, Key={'pk': k}, UpdateExpression='SET g = :g',
                                        ExpressionAttributeValues={':g': S(rnd.choice('abc'))})
                    elif op < 0.85:
                        ddb.update_item(TableName=t, Key={'pk': k}, UpdateExpression='REMOVE g')
                    else:
                        ddb.delete_item(TableName=t, Key={'pk': k})
                except Exception as e:  # noqa: BLE001 - reported below
                    errors.append(e)
                    return

        threads = [threading.Thread(target=writer, args=(s,)) for s in range(3)]
        for th in threads:
            th.start()
        try:
            time.sleep(0.3)
            self.ddb.update_table(TableName=t, AttributeDefinitions=defs(g='S'),
                                  GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g', projection={'ProjectionType': 'KEYS_ONLY'})])
            self.wait_active(t, 'byG')
            time.sleep(0.3)
        finally:
            stop.set()
            for th in threads:
                th.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.index_items(t, 'byG'), self.expected_entries(t, ['g'], projected={'pk', 'g'}))

    def test_delete_index(self):
        t = self.table(AttributeDefinitions=defs(g='S', h='S'),
                       GlobalSecondaryIndexes=[{'IndexName': 'byG', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}],
                                                'Projection': {'ProjectionType': 'ALL'}},
                                               {'IndexName': 'byH', 'KeySchema': [{'AttributeName': 'h', 'KeyType': 'HASH'}],
                                                'Projection': {'ProjectionType': 'ALL'}}],
                       items=[{'pk': S('a'), 'g': S('x'), 'h': S('y')}])
        d = self.ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[{'Delete': {'IndexName': 'byG'}}])['TableDescription']
        self.assertEqual({g['IndexName']: g['IndexStatus'] for g in d['GlobalSecondaryIndexes']}, {'byG': 'DELETING', 'byH': 'ACTIVE'})
        self.wait_gone(t, 'byG')
        d = self.ddb.describe_table(TableName=t)['Table']
        self.assertEqual(sorted(a['AttributeName'] for a in d['AttributeDefinitions']), ['h', 'pk'])
        self.assertError(lambda: self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g',
                                                ExpressionAttributeValues={':g': S('x')}),
                         'ValidationException', 'The table does not have the specified index: byG')
        # Writes go on; the other index is still maintained; a new index of the same name starts empty.
        self.ddb.put_item(TableName=t, Item={'pk': S('b'), 'g': S('x'), 'h': S('z')})
        self.assertEqual(len(self.index_items(t, 'byH')), 2)
        self.ddb.update_table(TableName=t, AttributeDefinitions=defs(g='S'),
                              GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g', projection={'ProjectionType': 'KEYS_ONLY'})])
        self.wait_active(t, 'byG')
        self.assertEqual(self.index_items(t, 'byG'), [{'pk': S('a'), 'g': S('x')}, {'pk': S('b'), 'g': S('x')}])

    def test_delete_last_index(self):
        t = self.table(AttributeDefinitions=defs(g='S'), items=[{'pk': S('a'), 'g': S('x')}],
                       GlobalSecondaryIndexes=[{'IndexName': 'byG', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}],
                                                'Projection': {'ProjectionType': 'ALL'}}])
        self.ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[{'Delete': {'IndexName': 'byG'}}])
        self.wait_gone(t, 'byG')
        d = self.ddb.describe_table(TableName=t)['Table']
        self.assertNotIn('GlobalSecondaryIndexes', d)
        self.assertEqual(d['AttributeDefinitions'], [{'AttributeName': 'pk', 'AttributeType': 'S'}])
        self.assertEqual(self.items(t), [{'pk': S('a'), 'g': S('x')}])

    def test_update_throughput(self):
        t = self.table(AttributeDefinitions=defs(g='S'), BillingMode='PROVISIONED',
                       ProvisionedThroughput={'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1},
                       GlobalSecondaryIndexes=[{'IndexName': 'byG', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}],
                                                'Projection': {'ProjectionType': 'ALL'},
                                                'ProvisionedThroughput': {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1}}])
        d = self.ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[
            {'Update': {'IndexName': 'byG', 'ProvisionedThroughput': {'ReadCapacityUnits': 7, 'WriteCapacityUnits': 8}}}])['TableDescription']
        [g] = d['GlobalSecondaryIndexes']
        self.assertEqual((g['ProvisionedThroughput']['ReadCapacityUnits'], g['ProvisionedThroughput']['WriteCapacityUnits']), (7, 8))
        self.assertEqual(g['IndexStatus'], 'ACTIVE')

    def test_create_provisioned_index(self):
        t = self.table(BillingMode='PROVISIONED', ProvisionedThroughput={'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})
        self.assertError(lambda: self.ddb.update_table(TableName=t, AttributeDefinitions=defs(g='S'),
                                                       GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g')]),
                         'ValidationException', 'One or more parameter values were invalid: ProvisionedThroughput must be specified for index: byG')
        self.ddb.update_table(TableName=t, AttributeDefinitions=defs(g='S'), GlobalSecondaryIndexUpdates=[
            create_gsi('byG', 'g', ProvisionedThroughput={'ReadCapacityUnits': 2, 'WriteCapacityUnits': 3})])
        g = self.wait_active(t, 'byG')
        self.assertEqual(g['ProvisionedThroughput']['WriteCapacityUnits'], 3)

    def test_multi_attribute_index_created_online(self):
        t = self.table(items=[{'pk': S('p%d' % i), 'a': S('x'), 'b': N(i % 2), 'c': N(i)} for i in range(20)])
        self.ddb.update_table(TableName=t, AttributeDefinitions=defs(a='S', b='N', c='N'), GlobalSecondaryIndexUpdates=[
            {'Create': {'IndexName': 'multi', 'KeySchema': [{'AttributeName': 'a', 'KeyType': 'HASH'}, {'AttributeName': 'b', 'KeyType': 'HASH'},
                                                            {'AttributeName': 'c', 'KeyType': 'RANGE'}],
                        'Projection': {'ProjectionType': 'KEYS_ONLY'}}}])
        self.wait_active(t, 'multi')
        got = self.ddb.query(TableName=t, IndexName='multi', KeyConditionExpression='a = :a AND b = :b AND c > :c',
                             ExpressionAttributeValues={':a': S('x'), ':b': N(1), ':c': N(10)})
        self.assertEqual([int(i['c']['N']) for i in got['Items']], [11, 13, 15, 17, 19])

    def test_validation(self):
        t = self.table(AttributeDefinitions=defs(h='S'), items=[{'pk': S('a')}],
                       GlobalSecondaryIndexes=[{'IndexName': 'byH', 'KeySchema': [{'AttributeName': 'h', 'KeyType': 'HASH'}],
                                                'Projection': {'ProjectionType': 'ALL'}}])
        P = 'One or more parameter values were invalid: '
        cases = [
            ('undefined key', dict(GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g')]), 'ValidationException',
             P + 'Some index key attributes are not defined in AttributeDefinitions. Keys: [g], AttributeDefinitions: [h, pk]'),
            ('existing name', dict(AttributeDefinitions=defs(g='S'), GlobalSecondaryIndexUpdates=[create_gsi('byH', 'g')]),
             'ValidationException', P + 'Index already exists: byH'),
            ('delete unknown', dict(GlobalSecondaryIndexUpdates=[{'Delete': {'IndexName': 'nope'}}]), 'ResourceNotFoundException',
             'Requested resource not found: Global Secondary Index: nope not found'),
            ('update unknown', dict(GlobalSecondaryIndexUpdates=[{'Update': {'IndexName': 'nope', 'ProvisionedThroughput': {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1}}}]),
             'ResourceNotFoundException', 'Requested resource not found: Global Secondary Index: nope not found'),
            ('two creates', dict(AttributeDefinitions=defs(g='S', i='S'), GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g'), create_gsi('byI', 'i')]),
             'LimitExceededException', 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table'),
            ('create and delete', dict(AttributeDefinitions=defs(g='S'), GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g'), {'Delete': {'IndexName': 'byH'}}]),
             'LimitExceededException', 'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table'),
            ('unused definition', dict(AttributeDefinitions=defs(g='S', z='S'), GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g')]),
             'ValidationException', P + 'Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions'),
            ('throughput on pay per request', dict(GlobalSecondaryIndexUpdates=[{'Update': {'IndexName': 'byH', 'ProvisionedThroughput': {'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1}}}]),
             'ValidationException', P + 'ProvisionedThroughput cannot be specified for index: byH when BillingMode is PAY_PER_REQUEST'),
            ('create with throughput on pay per request', dict(AttributeDefinitions=defs(g='S'), GlobalSecondaryIndexUpdates=[
                create_gsi('byG', 'g', ProvisionedThroughput={'ReadCapacityUnits': 1, 'WriteCapacityUnits': 1})]),
             'ValidationException', P + 'ProvisionedThroughput should not be specified for index: byG when BillingMode is PAY_PER_REQUEST'),
            ('include without attributes', dict(AttributeDefinitions=defs(g='S'), GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g', projection={'ProjectionType': 'INCLUDE'})]),
             'ValidationException', P + 'ProjectionType is INCLUDE, but NonKeyAttributes is not specified'),
            ('empty updates', dict(GlobalSecondaryIndexUpdates=[]), 'ValidationException', P + 'GlobalSecondaryIndexUpdates is empty'),
            ('empty update member', dict(GlobalSecondaryIndexUpdates=[{}]), 'ValidationException',
             P + 'One of GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Update or GlobalSecondaryIndexUpdate.Delete must be specified'),
            ('changed definition type', dict(AttributeDefinitions=defs(h='N'), GlobalSecondaryIndexUpdates=[create_gsi('byG', 'h')]),
             'ValidationException', P + 'Cannot change the type of attribute h (defined as S)'),
        ]
        for label, kw, code, message in cases:
            with self.subTest(label):
                self.assertError(lambda: self.ddb.update_table(TableName=t, **kw), code, message, unchanged=[t])
                self.assertEqual([g['IndexName'] for g in self.ddb.describe_table(TableName=t)['Table']['GlobalSecondaryIndexes']], ['byH'])

    def test_unknown_table(self):
        self.assertError(lambda: self.ddb.update_table(TableName='no-such-table', AttributeDefinitions=defs(g='S'),
                                                       GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g')]),
                         'ResourceNotFoundException', 'Requested resource not found: Table: no-such-table not found')

    def test_while_building(self):
        """While an index builds (5000 items): a second create is refused, and so is a read of the index."""
        t = self.fill(self.table(), [{'pk': S('p%04d' % i), 'g': S('x'), 'h': S('y'), 'pad': S('x' * 300)} for i in range(5000)],
                      threads=6)
        self.ddb.update_table(TableName=t, AttributeDefinitions=defs(g='S'), GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g')])
        self.assertError(lambda: self.ddb.update_table(TableName=t, AttributeDefinitions=defs(h='S'),
                                                       GlobalSecondaryIndexUpdates=[create_gsi('byH', 'h')]),
                         'LimitExceededException',
                         'Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table')
        self.assertError(lambda: self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g',
                                                ExpressionAttributeValues={':g': S('x')}),
                         'ValidationException', 'Cannot read from backfilling global secondary index: byG')
        self.wait_active(t, 'byG')
        self.assertEqual([g['IndexName'] for g in self.ddb.describe_table(TableName=t)['Table']['GlobalSecondaryIndexes']], ['byG'])
        total, kw = 0, dict(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')}, Select='COUNT')
        while True:  # 5000 items of ~330 bytes: two 1 MB pages
            page = self.ddb.query(**kw)
            total += page['Count']
            if 'LastEvaluatedKey' not in page:
                break
            kw['ExclusiveStartKey'] = page['LastEvaluatedKey']
        self.assertEqual(total, 5000)


class IndexBuildRestartTest(IndexUpdateCase):
    def test_restart_mid_backfill_finishes_the_build(self):
        count = 4000
        t = self.fill(self.table(), [{'pk': S('p%05d' % i), 'g': S('g%d' % (i % 5)), 'pad': S('x' * 200)} for i in range(count)], threads=6)
        self.ddb.update_table(TableName=t, AttributeDefinitions=defs(g='S'), GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g')])
        self.server.restart(kill=True)
        self.ddb = self.server.client('dynamodb')
        type(self).ddb = self.ddb
        self.wait_active(t, 'byG')
        # The kill came right after UpdateTable answered: the build was unfinished and resumed.
        self.assertIn('resuming the build of index byG of table ' + t, self.server.stderr_tail(100000))
        self.assertEqual(len(self.index_items(t, 'byG')), count)
        self.assertEqual(self.index_items(t, 'byG'), self.expected_entries(t, ['g']))

    def test_clean_stop_mid_backfill(self):
        """SIGTERM while an index builds: the server stops promptly and cleanly; the next start finishes it."""
        t = self.fill(self.table(), [{'pk': S('q%05d' % i), 'g': S('g%d' % (i % 3))} for i in range(3000)], threads=6)
        self.ddb.update_table(TableName=t, AttributeDefinitions=defs(g='S'), GlobalSecondaryIndexUpdates=[create_gsi('byG', 'g')])
        started = time.time()
        self.server.restart()  # stop() checks the exit code is 0
        self.assertLess(time.time() - started, 15)
        self.ddb = self.server.client('dynamodb')
        type(self).ddb = self.ddb
        self.wait_active(t, 'byG')
        self.assertEqual(self.index_items(t, 'byG'), self.expected_entries(t, ['g']))

    def test_index_survives_restart(self):
        t = self.table(AttributeDefinitions=[{'AttributeName': 'g', 'AttributeType': 'S'}],
                       GlobalSecondaryIndexes=[{'IndexName': 'byG', 'KeySchema': [{'AttributeName': 'g', 'KeyType': 'HASH'}],
                                                'Projection': {'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['v']}}],
                       items=[{'pk': S('a'), 'g': S('x'), 'v': S('1'), 'w': S('2')}])
        before = self.ddb.describe_table(TableName=t)['Table']['GlobalSecondaryIndexes']
        self.server.restart()
        self.ddb = self.server.client('dynamodb')
        type(self).ddb = self.ddb
        self.assertEqual(self.ddb.describe_table(TableName=t)['Table']['GlobalSecondaryIndexes'], before)
        self.ddb.put_item(TableName=t, Item={'pk': S('b'), 'g': S('x'), 'v': S('3')})
        got = self.ddb.query(TableName=t, IndexName='byG', KeyConditionExpression='g = :g', ExpressionAttributeValues={':g': S('x')})
        self.assertEqual(sorted(got['Items'], key=lambda i: i['pk']['S']),
                         [{'pk': S('a'), 'g': S('x'), 'v': S('1')}, {'pk': S('b'), 'g': S('x'), 'v': S('3')}])


if __name__ == '__main__':
    unittest.main()
