"""A realistic AWS CLI session against the real binary, step by step as a user types it:
create-table with GSIs, wait table-exists, put-item (and a failed conditional put),
batch-write-item from a JSON file, query on an index, scan with the CLI's own pagination
(--max-items / --starting-token), update-item, transact-write-items (a good one and a cancelled
one), get-item, delete-table, wait table-not-exists.

Needs: secondary indexes (wt-idx) for the GSI steps, BatchWriteItem and TransactWriteItems (wt-txn).
Steps are numbered: each builds on the ones before (one server for the class)."""

import json
import os
import tempfile
import unittest

from harness import StreamerTestCase

TABLE = 'CliOrders'
# The CLI's exit code when the service answered with an error: 254 (CLI v2), 255 (CLI v1).
AWS_SERVICE_ERRORS = (254, 255)


def order(customer, order_id, status, placed, qty):
    return {'customer': {'S': customer}, 'orderId': {'S': order_id}, 'status': {'S': status},
            'placedAt': {'S': placed}, 'qty': {'N': str(qty)}}


class CliSessionTest(StreamerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.files = tempfile.mkdtemp(prefix='streamer-cli-')

    @classmethod
    def tearDownClass(cls):
        for name in os.listdir(cls.files):
            os.remove(os.path.join(cls.files, name))
        os.rmdir(cls.files)
        super().tearDownClass()

    def cli(self, *args):
        """Runs `aws dynamodb ...`; the step must succeed. Returns the parsed JSON output."""
        rc, out, err = self.server.aws('dynamodb', *args)
        self.assertEqual(rc, 0, 'aws dynamodb %s: rc %d\n%s' % (args[0], rc, err))
        return out

    def cli_fails(self, *args):
        rc, out, err = self.server.aws('dynamodb', *args)
        self.assertIn(rc, AWS_SERVICE_ERRORS, 'expected a service error, got rc %d: %s %s' % (rc, out, err))
        return err

    def file(self, name, value):
        path = os.path.join(self.files, name)
        with open(path, 'w') as f:
            json.dump(value, f)
        return 'file://' + path

    def test_01_create_table_with_gsis(self):
        out = self.cli(
            'create-table', '--table-name', TABLE,
            '--attribute-definitions', 'AttributeName=customer,AttributeType=S',
            'AttributeName=orderId,AttributeType=S', 'AttributeName=status,AttributeType=S',
            'AttributeName=placedAt,AttributeType=S',
            '--key-schema', 'AttributeName=customer,KeyType=HASH', 'AttributeName=orderId,KeyType=RANGE',
            '--billing-mode', 'PAY_PER_REQUEST',
            '--global-secondary-indexes', self.file('gsis.json', [
                {'IndexName': 'byStatus', 'Projection': {'ProjectionType': 'ALL'},
                 'KeySchema': [{'AttributeName': 'status', 'KeyType': 'HASH'},
                               {'AttributeName': 'placedAt', 'KeyType': 'RANGE'}]},
                {'IndexName': 'byOrder', 'Projection': {'ProjectionType': 'KEYS_ONLY'},
                 'KeySchema': [{'AttributeName': 'orderId', 'KeyType': 'HASH'}]}]))
        desc = out['TableDescription']
        self.assertEqual(desc['TableName'], TABLE)
        self.assertEqual(desc['BillingModeSummary']['BillingMode'], 'PAY_PER_REQUEST')
        self.assertEqual(sorted(i['IndexName'] for i in desc['GlobalSecondaryIndexes']),
                         ['byOrder', 'byStatus'])

    def test_02_wait_table_exists_and_describe(self):
        self.assertEqual(self.server.aws('dynamodb', 'wait', 'table-exists', '--table-name', TABLE)[0], 0)
        table = self.cli('describe-table', '--table-name', TABLE)['Table']
        self.assertEqual(table['TableStatus'], 'ACTIVE')
        self.assertEqual({i['IndexName']: i['IndexStatus'] for i in table['GlobalSecondaryIndexes']},
                         {'byStatus': 'ACTIVE', 'byOrder': 'ACTIVE'})
        self.assertIn(TABLE, self.cli('list-tables')['TableNames'])

    def test_03_put_item_and_a_failed_conditional_put(self):
        item = order('ann', 'o-001', 'open', '2026-11-01', 1)
        self.assertEqual(self.cli('put-item', '--table-name', TABLE, '--item', json.dumps(item)), '')
        err = self.cli_fails('put-item', '--table-name', TABLE,
                             '--item', json.dumps(order('ann', 'o-001', 'void', '2026-11-01', 9)),
                             '--condition-expression', 'attribute_not_exists(orderId)')
        self.assertIn('An error occurred (ConditionalCheckFailedException) when calling the PutItem '
                      'operation: The conditional request failed', err)
        got = self.cli('get-item', '--table-name', TABLE, '--key',
                       json.dumps({'customer': {'S': 'ann'}, 'orderId': {'S': 'o-001'}}))
        self.assertEqual(got['Item'], item)

    def test_04_batch_write_item_from_a_file(self):
        puts = [{'PutRequest': {'Item': order('c%d' % (i % 5), 'o-%03d' % i,
                                              'shipped' if i % 3 == 0 else 'open',
                                              '2026-11-%02d' % (1 + i % 28), i)}}
                for i in range(2, 26)]
        puts.append({'DeleteRequest': {'Key': {'customer': {'S': 'nobody'}, 'orderId': {'S': 'x'}}}})
        self.assertEqual(len(puts), 25)
        out = self.cli('batch-write-item', '--request-items', self.file('batch.json', {TABLE: puts}))
        self.assertEqual(out['UnprocessedItems'], {})
        self.assertEqual(self.cli('scan', '--table-name', TABLE, '--select', 'COUNT')['Count'], 25)

    def test_05_query_an_index(self):
        out = self.cli('query', '--table-name', TABLE, '--index-name', 'byStatus',
                       '--key-condition-expression', '#s = :s AND placedAt BETWEEN :a AND :b',
                       '--expression-attribute-names', '{"#s": "status"}',
                       '--expression-attribute-values',
                       '{":s": {"S": "shipped"}, ":a": {"S": "2026-11-01"}, ":b": {"S": "2026-11-20"}}',
                       '--no-scan-index-forward')
        # shipped: i in 3, 6, ..., 24 -> placedAt 2026-11-(1 + i); those up to the 20th
        expected = sorted(('2026-11-%02d' % (1 + i), 'o-%03d' % i) for i in range(3, 26, 3)
                          if 1 + i <= 20)
        self.assertEqual([(it['placedAt']['S'], it['orderId']['S']) for it in out['Items']],
                         expected[::-1])
        self.assertEqual(out['Count'], len(expected))
        keys = self.cli('query', '--table-name', TABLE, '--index-name', 'byOrder',
                        '--key-condition-expression', 'orderId = :o',
                        '--expression-attribute-values', '{":o": {"S": "o-007"}}')
        self.assertEqual(keys['Items'], [{'customer': {'S': 'c2'}, 'orderId': {'S': 'o-007'}}])

    def test_06_scan_with_cli_pagination(self):
        seen, token, calls = [], None, 0
        while True:
            args = ['scan', '--table-name', TABLE, '--max-items', '7', '--page-size', '3',
                    '--projection-expression', 'orderId']
            if token:
                args += ['--starting-token', token]
            out = self.cli(*args)
            calls += 1
            self.assertLessEqual(len(out['Items']), 7)
            seen += [it['orderId']['S'] for it in out['Items']]
            token = out.get('NextToken')
            if not token:
                break
        self.assertEqual(calls, 4)  # 7 + 7 + 7 + 4
        self.assertEqual(sorted(seen), ['o-%03d' % i for i in range(1, 26)])
        # Without --max-items the CLI follows every page itself.
        everything = self.cli('scan', '--table-name', TABLE, '--page-size', '4')
        self.assertEqual(everything['Count'], 25)
        self.assertEqual(len(everything['Items']), 25)

    def test_07_update_item(self):
        out = self.cli('update-item', '--table-name', TABLE,
                       '--key', '{"customer": {"S": "ann"}, "orderId": {"S": "o-001"}}',
                       '--update-expression', 'SET #s = :s, notes = list_append(if_not_exists(notes, :e), :n) ADD qty :one',
                       '--condition-expression', '#s = :open',
                       '--expression-attribute-names', '{"#s": "status"}',
                       '--expression-attribute-values', json.dumps({
                           ':s': {'S': 'shipped'}, ':open': {'S': 'open'}, ':one': {'N': '1'},
                           ':e': {'L': []}, ':n': {'L': [{'S': 'packed'}]}}),
                       '--return-values', 'UPDATED_NEW')
        self.assertEqual(out['Attributes'], {'status': {'S': 'shipped'}, 'qty': {'N': '2'},
                                             'notes': {'L': [{'S': 'packed'}]}})
        err = self.cli_fails('update-item', '--table-name', TABLE,
                             '--key', '{"customer": {"S": "ann"}, "orderId": {"S": "o-001"}}',
                             '--update-expression', 'SET qty = :q', '--condition-expression', '#s = :open',
                             '--expression-attribute-names', '{"#s": "status"}',
                             '--expression-attribute-values', '{":q": {"N": "0"}, ":open": {"S": "open"}}')
        self.assertIn('ConditionalCheckFailedException', err)

    def test_08_transact_write_items(self):
        key = {'customer': {'S': 'ann'}, 'orderId': {'S': 'o-001'}}
        good = [
            {'Put': {'TableName': TABLE, 'Item': order('zed', 'o-100', 'open', '2026-11-30', 5),
                     'ConditionExpression': 'attribute_not_exists(orderId)'}},
            {'Update': {'TableName': TABLE, 'Key': key, 'UpdateExpression': 'ADD qty :n',
                        'ExpressionAttributeValues': {':n': {'N': '10'}}}},
            {'Delete': {'TableName': TABLE, 'Key': {'customer': {'S': 'c2'}, 'orderId': {'S': 'o-002'}}}},
            {'ConditionCheck': {'TableName': TABLE, 'Key': {'customer': {'S': 'c3'}, 'orderId': {'S': 'o-003'}},
                                'ConditionExpression': 'attribute_exists(orderId)'}},
        ]
        self.cli('transact-write-items', '--transact-items', self.file('tx1.json', good),
                 '--client-request-token', 'cli-session-tx-1')
        got = self.cli('get-item', '--table-name', TABLE, '--key', json.dumps(key))['Item']
        self.assertEqual(got['qty'], {'N': '12'})
        # The same Put again fails its condition: nothing of the transaction is applied.
        bad = [good[1], good[0]]
        err = self.cli_fails('transact-write-items', '--transact-items', self.file('tx2.json', bad))
        self.assertIn('TransactionCanceledException', err)
        self.assertIn('[None, ConditionalCheckFailed]', err)
        got = self.cli('get-item', '--table-name', TABLE, '--key', json.dumps(key),
                       '--consistent-read', '--projection-expression', 'qty')
        self.assertEqual(got['Item'], {'qty': {'N': '12'}})
        self.assertEqual(self.cli('scan', '--table-name', TABLE, '--select', 'COUNT')['Count'], 25)

    def test_09_errors_the_cli_shows(self):
        err = self.cli_fails('get-item', '--table-name', 'NoSuchTable', '--key', '{"id": {"S": "x"}}')
        self.assertIn('An error occurred (ResourceNotFoundException) when calling the GetItem operation', err)
        err = self.cli_fails('query', '--table-name', TABLE, '--index-name', 'noSuchIndex',
                             '--key-condition-expression', 'a = :a',
                             '--expression-attribute-values', '{":a": {"S": "x"}}')
        self.assertIn('An error occurred (ValidationException) when calling the Query operation: '
                      'The table does not have the specified index: noSuchIndex', err)

    def test_10_delete_table_and_wait_until_gone(self):
        out = self.cli('delete-table', '--table-name', TABLE)
        self.assertEqual(out['TableDescription']['TableName'], TABLE)
        self.assertEqual(self.server.aws('dynamodb', 'wait', 'table-not-exists', '--table-name', TABLE)[0], 0)
        self.assertNotIn(TABLE, self.cli('list-tables')['TableNames'])
        err = self.cli_fails('describe-table', '--table-name', TABLE)
        self.assertIn('ResourceNotFoundException', err)


if __name__ == '__main__':
    unittest.main()
