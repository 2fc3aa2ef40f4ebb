"""API Gateway's Lambda proxy integration (payload 1.0) in the native stack:
real Python and Node handlers behind `integration: lambda:<Function>` routes."""
import base64
import json
import os
import subprocess
import time
import unittest

from harness import Streamer, StackDir, StreamerError

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'proxy')

STACK = '''
name: proxy
functions:
  PyEcho:
    runtime: python3.12
    handler: app.echo
    code: {py}
  PyShaped:
    runtime: python3.12
    handler: app.shaped
    code: {py}
  PySlow:
    runtime: python3.12
    handler: app.shaped
    code: {py}
    timeout: 1
  PyPatient:
    runtime: python3.12
    handler: app.shaped
    code: {py}
    timeout: 20
  PyNone:
    runtime: python3.12
    handler: app.shaped
    code: {py}
    reservedConcurrency: 0
  NodeWeb:
    runtime: nodejs20.x
    handler: app.handler
    code: {node}
apis:
  web:
    stage: prod
    routes:
      ANY /echo: {{integration: 'lambda:PyEcho'}}
      GET /users/{{id}}/orders/{{order}}: {{integration: 'lambda:PyEcho'}}
      GET /shaped/{{case}}: {{integration: 'lambda:PyShaped'}}
      GET /slow/{{case}}: {{integration: 'lambda:PySlow'}}
      GET /patient/{{case}}:
        integration: 'lambda:PyPatient'
        timeoutInMillis: 1000
      GET /none/{{case}}:
        integration: {{type: AWS_PROXY, function: PyNone}}
      ANY /node/{{proxy+}}: {{integration: 'lambda:NodeWeb'}}
'''


class GatewayProxyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stack = StackDir(STACK.format(py=os.path.join(FIXTURES, 'python'),
                                          node=os.path.join(FIXTURES, 'node')))
        cls.server = Streamer(stack_file=cls.stack.stack_file)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.close()
            cls.stack.remove()

    def event(self, method, path, **kw):
        status, headers, body = self.server.gateway(method, path, **kw)
        self.assertEqual(status, 200, body)
        self.assertEqual(headers.get('X-Handler'), 'python')
        self.assertEqual(headers.get('Content-Type'), 'application/json')
        doc = json.loads(body)
        self.assertEqual(headers.get('x-amzn-RequestId'), doc['event']['requestContext']['requestId'])
        return doc['event']

    def assert_server_error(self, status, headers, body):
        self.assertEqual(status, 502, body)
        self.assertEqual(json.loads(body), {'message': 'Internal server error'})
        self.assertEqual(headers.get('x-amzn-ErrorType'), 'InternalServerErrorException')

    def test_event_shape_for_a_json_post(self):
        e = self.event('POST', '/echo?a=1&b=two%20words&a=3', json={'x': [1, 2]},
                       headers={'User-Agent': 'proxy-test/1', 'X-Multi': 'v'})
        self.assertEqual(e['resource'], '/echo')
        self.assertEqual(e['path'], '/echo')
        self.assertEqual(e['httpMethod'], 'POST')
        self.assertEqual(json.loads(e['body']), {'x': [1, 2]})
        self.assertIs(e['isBase64Encoded'], False)
        self.assertEqual(e['queryStringParameters'], {'a': '3', 'b': 'two words'})
        self.assertEqual(e['multiValueQueryStringParameters'], {'a': ['1', '3'], 'b': ['two words']})
        self.assertIsNone(e['pathParameters'])
        self.assertIsNone(e['stageVariables'])
        headers = {k.lower(): v for k, v in e['headers'].items()}
        self.assertEqual(headers['user-agent'], 'proxy-test/1')
        self.assertEqual(headers['x-multi'], 'v')
        self.assertEqual(headers['content-type'], 'application/json')
        multi = {k.lower(): v for k, v in e['multiValueHeaders'].items()}
        self.assertEqual(multi['x-multi'], ['v'])
        rc = e['requestContext']
        self.assertEqual(rc['resourcePath'], '/echo')
        self.assertEqual(rc['httpMethod'], 'POST')
        self.assertEqual(rc['stage'], 'prod')
        self.assertEqual(rc['path'], '/prod/echo')
        self.assertEqual(rc['accountId'], '000000000000')
        self.assertEqual(rc['apiId'], 'web')
        self.assertEqual(rc['protocol'], 'HTTP/1.1')
        self.assertEqual(rc['domainName'], '127.0.0.1')
        self.assertEqual(rc['identity']['sourceIp'], '127.0.0.1')
        self.assertEqual(rc['identity']['userAgent'], 'proxy-test/1')
        self.assertIsInstance(rc['requestTimeEpoch'], int)
        self.assertRegex(rc['requestTime'], r'^\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}$')
        self.assertTrue(rc['resourceId'])
        self.assertEqual(rc['extendedRequestId'], rc['requestId'])

    def test_get_without_body_or_query_has_nulls(self):
        e = self.event('GET', '/echo')
        self.assertIsNone(e['body'])
        self.assertIsNone(e['queryStringParameters'])
        self.assertIsNone(e['multiValueQueryStringParameters'])
        self.assertEqual(e['httpMethod'], 'GET')

    def test_path_parameters_and_stage_prefix(self):
        e = self.event('GET', '/prod/users/u%201/orders/42')
        self.assertEqual(e['pathParameters'], {'id': 'u 1', 'order': '42'})
        self.assertEqual(e['resource'], '/users/{id}/orders/{order}')
        self.assertTrue(e['path'].startswith('/users/'), e['path'])
        self.assertTrue(e['requestContext']['path'].startswith('/prod/users/'))

    def test_binary_body_is_base64(self):
        data = bytes(range(256))
        e = self.event('PUT', '/echo', data=data, headers={'Content-Type': 'application/octet-stream'})
        self.assertIs(e['isBase64Encoded'], True)
        self.assertEqual(base64.b64decode(e['body']), data)

    def test_status_and_headers_pass_through(self):
        status, headers, body = self.server.gateway('GET', '/shaped/created')
        self.assertEqual(status, 201)
        self.assertEqual(headers.get('Location'), '/items/7')
        self.assertEqual(json.loads(body), {'id': 7})
        self.assertEqual(headers.get('Content-Type'), 'application/json')
        status, headers, body = self.server.gateway('GET', '/shaped/string-status')
        self.assertEqual((status, body), (202, b'accepted'))
        status, _, body = self.server.gateway('GET', '/shaped/nobody')
        self.assertEqual((status, body), (204, b''))
        status, _, body = self.server.gateway('GET', '/shaped/elsewhere')
        self.assertEqual(status, 404)
        self.assertEqual(json.loads(body), {'unknown': 'elsewhere'})

    def test_multi_value_headers(self):
        status, headers, body = self.server.gateway('GET', '/shaped/multi')
        self.assertEqual((status, body), (200, b'ok'))
        # urllib folds repeated headers; read them raw.
        out = subprocess.run(['curl', '-s', '-i', self.server.gateway_url + '/shaped/multi'],
                             capture_output=True, text=True, timeout=30).stdout
        lines = [l.strip() for l in out.splitlines()]
        self.assertIn('Set-Cookie: a=1', lines)
        self.assertIn('Set-Cookie: b=2', lines)
        # multiValueHeaders win over headers for the same name.
        self.assertIn('X-One: m1', lines)
        self.assertIn('X-One: m2', lines)
        self.assertNotIn('X-One: h', lines)

    def test_base64_response_is_decoded(self):
        status, headers, body = self.server.gateway('GET', '/shaped/binary')
        self.assertEqual(status, 200)
        self.assertEqual(headers.get('Content-Type'), 'application/octet-stream')
        self.assertEqual(body, bytes(range(256)))

    def test_malformed_results_are_502(self):
        for case in ('no-status', 'bad-status', 'object-body', 'not-object', 'null', 'bad-headers'):
            with self.subTest(case=case):
                self.assert_server_error(*self.server.gateway('GET', '/shaped/' + case))

    def test_handler_that_throws_is_502(self):
        self.assert_server_error(*self.server.gateway('GET', '/shaped/throw'))
        self.assert_server_error(*self.server.gateway('GET', '/node/throw'))
        # The function still answers afterwards.
        status, _, _ = self.server.gateway('GET', '/shaped/created')
        self.assertEqual(status, 201)

    def test_function_timeout_is_502(self):
        self.assert_server_error(*self.server.gateway('GET', '/slow/sleep'))
        status, _, _ = self.server.gateway('GET', '/slow/created')
        self.assertEqual(status, 201)

    def test_integration_timeout_is_504(self):
        # The route's timeoutInMillis (1 s) passes long before the function (5 s) ends.
        started = time.monotonic()
        status, _, body = self.server.gateway('GET', '/patient/sleep')
        self.assertEqual(status, 504, body)
        self.assertEqual(json.loads(body), {'message': 'Endpoint request timed out'})
        self.assertLess(time.monotonic() - started, 4.5)
        status, _, _ = self.server.gateway('GET', '/echo')
        self.assertEqual(status, 200)

    def test_throttled_invocation_is_500(self):
        # Lambda refuses the invocation (reserved concurrency 0): API Gateway answers 500.
        status, headers, body = self.server.gateway('GET', '/none/created')
        self.assertEqual(status, 500, body)
        self.assertEqual(json.loads(body), {'message': 'Internal server error'})

    def test_node_handler_greedy_proxy(self):
        status, headers, body = self.server.gateway('POST', '/node/a/b/c?q=1', json={'n': 5})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers.get('X-Handler'), 'node')
        self.assertEqual(json.loads(body), {'method': 'POST', 'resource': '/node/{proxy+}',
                                            'path': '/node/a/b/c', 'proxy': 'a/b/c',
                                            'query': {'q': '1'}, 'body': {'n': 5}})

    def test_unknown_route_is_403(self):
        status, headers, body = self.server.gateway('GET', '/nowhere')
        self.assertEqual(status, 403)
        self.assertEqual(json.loads(body), {'message': 'Missing Authentication Token'})
        status, _, _ = self.server.gateway('DELETE', '/shaped/created')
        self.assertEqual(status, 403)


class GatewayProxyStackErrorsTest(unittest.TestCase):
    def start_fails(self, stack_yaml):
        with StackDir(stack_yaml) as d:
            server = Streamer(stack_file=d.stack_file)
            try:
                with self.assertRaises(StreamerError) as caught:
                    server.start()
            finally:
                server.close()
            return str(caught.exception)

    def test_unknown_function_names_the_route(self):
        msg = self.start_fails('''
            name: bad
            apis:
              web:
                routes:
                  GET /x:
                    integration: lambda:Missing
            ''')
        self.assertIn("stack.yaml:7:", msg)
        self.assertIn("GET /x", msg)
        self.assertIn("unknown function 'Missing'", msg)


if __name__ == '__main__':
    unittest.main()
