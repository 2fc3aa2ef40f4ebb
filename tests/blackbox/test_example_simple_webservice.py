"""examples/simple-webservice end to end: the example's own stack file served as it is, called
over HTTP through the Lambda proxy routes, the table checked with boto3."""
import json
import os
import unittest

from harness import Streamer

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'examples',
                       'simple-webservice', 'stack.yaml')


class SimpleWebserviceTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Streamer(stack_file=os.path.abspath(EXAMPLE))
        cls.server.start()
        cls.ddb = cls.server.client('dynamodb')

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.close()

    def call(self, method, path, **kw):
        status, headers, body = self.server.gateway(method, path, **kw)
        self.assertEqual(headers.get('Content-Type'), 'application/json', body)
        return status, json.loads(body)

    def hits(self, path):
        item = self.ddb.get_item(TableName='Hits', Key={'path': {'S': path}},
                                 ConsistentRead=True).get('Item')
        return None if item is None else int(item['hits']['N'])

    def test_root_route_counts_hits(self):
        before = self.hits('/') or 0
        status, doc = self.call('GET', '/')
        self.assertEqual(status, 200)
        self.assertEqual(doc, {'message': 'You have connected with the Lambda!', 'path': '/',
                               'hits': before + 1})
        self.assertEqual(self.hits('/'), before + 1)

    def test_greedy_route_counts_each_path_with_any_method(self):
        self.assertEqual(self.call('GET', '/orders/7')[1]['hits'], 1)
        self.assertEqual(self.call('POST', '/orders/7', json={'ignored': True})[1]['hits'], 2)
        self.assertEqual(self.call('PUT', '/orders/7?x=1')[1]['hits'], 3)
        self.assertEqual(self.hits('/orders/7'), 3)
        self.assertIsNone(self.hits('/orders'))  # a prefix is another path

    def test_function_reads_what_a_client_wrote(self):
        self.ddb.put_item(TableName='Hits', Item={'path': {'S': '/seeded'}, 'hits': {'N': '41'}})
        status, doc = self.call('GET', '/seeded')
        self.assertEqual((status, doc['hits']), (200, 42))
        self.assertEqual(self.hits('/seeded'), 42)

    def test_stats_scans_the_table(self):
        self.call('GET', '/stats-a')
        self.call('GET', '/stats-b')
        self.call('GET', '/stats-b')
        status, doc = self.call('GET', '/_stats')
        self.assertEqual(status, 200)
        self.assertEqual(doc['paths']['/stats-a'], 1)
        self.assertEqual(doc['paths']['/stats-b'], 2)
        self.assertEqual(list(doc['paths']), sorted(doc['paths']))
        scanned = self.ddb.scan(TableName='Hits', ConsistentRead=True)['Items']
        self.assertEqual({i['path']['S']: int(i['hits']['N']) for i in scanned}, doc['paths'])

    def test_delete_removes_the_counter(self):
        self.call('GET', '/gone')
        self.call('GET', '/gone')
        self.assertEqual(self.call('DELETE', '/gone'), (200, {'path': '/gone', 'hits': 2}))
        self.assertIsNone(self.hits('/gone'))
        self.assertEqual(self.call('DELETE', '/gone'), (404, {'message': 'no hits for /gone'}))
        self.assertIsNone(self.hits('/gone'))

    def test_a_key_dynamodb_refuses_is_a_400_and_writes_nothing(self):
        count = self.ddb.scan(TableName='Hits', Select='COUNT', ConsistentRead=True)['Count']
        status, doc = self.call('GET', '/' + 'x' * 3000)
        self.assertEqual(status, 400)
        self.assertIn('2048 bytes', doc['message'])
        self.assertEqual(self.ddb.scan(TableName='Hits', Select='COUNT',
                                       ConsistentRead=True)['Count'], count)
        self.assertEqual(self.call('GET', '/after-refusal')[1]['hits'], 1)  # still serving


if __name__ == '__main__':
    unittest.main()
