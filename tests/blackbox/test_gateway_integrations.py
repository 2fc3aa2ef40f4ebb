"""API Gateway integrations against the real binary: HTTP and HTTP_PROXY to a real local HTTP
server, AWS integrations by uri (DynamoDB, and Lambda without proxy with error selection),
request parameters, stage variables, binary media types, gateway responses, the integration
timeout, template errors, the payload limit and the access log."""

import base64
import http.client
import http.server
import json
import os
import re
import socket
import threading
import time
import unittest

from harness import StackDir, Streamer

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures', 'gateway')


class Backend(http.server.ThreadingHTTPServer):
    """A real HTTP server in a thread: /echo/... answers what it received, /slow sleeps."""
    daemon_threads = True

    def __init__(self):
        self.seen = []
        super().__init__(('127.0.0.1', 0), BackendHandler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return 'http://127.0.0.1:%d' % self.server_address[1]


class BackendHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def answer(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        if self.path.startswith('/slow'):
            time.sleep(3)
        seen = {'method': self.command, 'path': self.path,
                'headers': {k.lower(): v for k, v in self.headers.items()},
                'body_text': body.decode('utf-8', 'replace'),
                'body_b64': base64.b64encode(body).decode()}
        self.server.seen.append(seen)
        status = 200
        m = re.search(r'[?&]status=(\d+)', self.path)
        if m:
            status = int(m.group(1))
        seen['status'] = status
        out = json.dumps(seen).encode()
        self.send_response(status)
        self.send_header('Content-Type', 'application/json')
        self.send_header('X-Backend', 'yes')
        self.send_header('Set-Cookie', 'a=1')
        self.send_header('Content-Length', str(len(out)))
        self.end_headers()
        if self.command != 'HEAD':
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = answer


def closed_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


STACK = r'''
name: gwint
tables:
  GwInt:
    partitionKey: {name: id, type: S}
functions:
  Lookup:
    runtime: python3.12
    handler: app.lookup
    code: %(fixtures)s
  ProxyEcho:
    runtime: python3.12
    handler: app.proxy_echo
    code: %(fixtures)s
apis:
  int:
    stage: test
    stageVariables: {backend: '%(backend)s', table: GwInt, fn: Lookup}
    binaryMediaTypes: [application/octet-stream, 'image/*']
    gatewayResponses:
      DEFAULT_4XX:
        headers: {Access-Control-Allow-Origin: "'*'", X-Req: context.requestId, X-Var: stageVariables.table}
        templates:
          application/json: '{"error":$context.error.messageString,"type":"$context.error.responseType"}'
      INTEGRATION_TIMEOUT:
        templates:
          application/json: '{"timeout":$context.error.messageString}'
    routes:
      ANY /proxy/{proxy+}:
        integration: HTTP_PROXY
        uri: ${stageVariables.backend}/echo/{proxy}
        httpMethod: ANY
        requestParameters:
          integration.request.path.proxy: method.request.path.proxy
          integration.request.header.X-Table: stageVariables.table
      POST /http/{id}:
        integration: HTTP
        uri: %(backend)s/echo/items/{id}
        httpMethod: PUT
        requestParameters:
          integration.request.path.id: method.request.path.id
          integration.request.querystring.src: "'gateway'"
          integration.request.querystring.status: method.request.querystring.status
          integration.request.header.X-Caller: method.request.header.X-User
          integration.request.header.X-Request: context.requestId
        requestTemplates:
          application/json: '{"wrapped": $input.json(''$''), "stage": "$context.stage", "var": "$stageVariables.table"}'
        responses:
          - status: 200
            headers:
              X-Backend: integration.response.header.X-Backend
              X-Method: integration.response.body.method
              X-Static: "'fixed'"
            templates:
              application/json: '{"backendSaw": $input.json(''$.body_text''), "path": $input.json(''$.path'')}'
          - pattern: '4\d\d'
            status: 400
            templates:
              application/json: '{"backendStatus": $input.json(''$.status'')}'
      POST /override/{id}:
        integration: HTTP
        uri: %(backend)s/echo/over/{id}
        httpMethod: POST
        requestParameters:
          integration.request.path.id: method.request.path.id
          integration.request.header.X-Mapped: "'mapped'"
        requestTemplates:
          application/json: |
            #set($context.requestOverride.header.X-Mapped = "overridden")
            #set($context.requestOverride.header.X-New = $input.path('$.h'))
            #set($context.requestOverride.querystring.q = "v w")
            #set($context.requestOverride.path.id = "p2")
            {"ok": true}
      POST /binary:
        integration: HTTP
        uri: %(backend)s/echo/binary
        httpMethod: POST
        contentHandling: CONVERT_TO_TEXT
      GET /b64:
        integration: HTTP
        uri: %(backend)s/echo/b64
        responses:
          - status: 200
            contentHandling: CONVERT_TO_TEXT
      GET /refused:
        integration: HTTP
        uri: http://127.0.0.1:%(closed)d/x
      GET /slow:
        integration: HTTP
        uri: %(backend)s/slow
        timeoutInMillis: 500
      PUT /items/{id}:
        integration: AWS
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
        requestTemplates:
          application/json: '{"TableName": "$stageVariables.table", "Item": {"id": {"S": "$input.params(''id'')"}, "note": {"S": $input.json(''$.note'')}}}'
        responses:
          - status: 200
            templates: {application/json: '{"stored": "$input.params(''id'')"}'}
          - pattern: '4\d\d'
            status: 400
            templates: {application/json: '{"type": $input.json(''$.__type'')}'}
      GET /items/{id}:
        integration: AWS
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem
        requestTemplates:
          application/json: '{"TableName": "$stageVariables.table", "Key": {"id": {"S": "$input.params(''id'')"}}}'
        responses:
          - status: 200
            headers: {X-Note: integration.response.body.Item.note.S}
            templates: {application/json: '{"note": $input.json(''$.Item.note.S'')}'}
      POST /lookup/{id}:
        integration: AWS
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${stageVariables.fn}/invocations
        requestTemplates:
          application/json: '{"id": "$input.params(''id'')", "stage": "$context.stage", "a": $input.json(''$.a''), "b": $input.json(''$.b'')}'
        responses:
          - status: 200
          - pattern: 'Not Found:.*'
            status: 404
            templates: {application/json: '{"error": $input.json(''$.errorMessage''), "type": $input.json(''$.errorType'')}'}
      POST /lp/{id}:
        integration: AWS_PROXY
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:ProxyEcho/invocations
      GET /context:
        integration: MOCK
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          - status: 200
            templates:
              application/json: |
                {"requestId": "$context.requestId", "extendedRequestId": "$context.extendedRequestId",
                 "path": "$context.path", "resourcePath": "$context.resourcePath", "resourceId": "$context.resourceId",
                 "stage": "$context.stage", "apiId": "$context.apiId", "accountId": "$context.accountId",
                 "httpMethod": "$context.httpMethod", "protocol": "$context.protocol",
                 "domainName": "$context.domainName", "domainPrefix": "$context.domainPrefix",
                 "epoch": $context.requestTimeEpoch, "time": "$context.requestTime",
                 "sourceIp": "$context.identity.sourceIp", "userAgent": "$context.identity.userAgent",
                 "caller": "$context.identity.caller", "table": "$stageVariables.table",
                 "authorizer": "$!context.authorizer.principalId"}
      GET /never:
        integration: MOCK
        passthrough: NEVER
        requestTemplates: {application/xml: '{"statusCode": 200}'}
      GET /broken:
        integration: MOCK
        requestTemplates: {application/json: '#foreach($i in [1..2000000])$i#end'}
      GET /broken-response:
        integration: MOCK
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          - status: 200
            templates: {application/json: '#set($x = [1..5000000])$x'}
'''


def request(port, method, path, body=None, headers=None, timeout=30):
    conn = http.client.HTTPConnection('127.0.0.1', port, timeout=timeout)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers = dict({'Content-Type': 'application/json'}, **(headers or {}))
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


class GatewayIntegrationsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.backend = Backend()
        cls.stack = StackDir(STACK % {'fixtures': FIXTURES, 'backend': cls.backend.url,
                                      'closed': closed_port()}, prefix='streamer-gwint-')
        cls.server = Streamer(stack_file=cls.stack.stack_file, extra_args=['--gateway-access-log'])
        cls.server.start()
        cls.port = cls.server.gateway_port

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop()
            cls.server.close()
        finally:
            cls.stack.remove()
            cls.backend.shutdown()
            cls.backend.server_close()

    def call(self, method, path, body=None, headers=None, timeout=30):
        return request(self.port, method, path, body, headers, timeout)

    # ---- HTTP_PROXY ----
    def test_http_proxy_passes_everything_through(self):
        status, headers, body = self.call('PATCH', '/proxy/a/b%20c/d?x=1&x=2&y=%C3%A9', b'raw \x00 bytes',
                                          {'Content-Type': 'text/plain', 'X-Custom': 'v'})
        self.assertEqual(status, 200, body)
        seen = json.loads(body)
        self.assertEqual(seen['method'], 'PATCH')
        self.assertEqual(seen['path'], '/echo/a/b%20c/d?x=1&x=2&y=%C3%A9')
        self.assertEqual(seen['headers']['x-custom'], 'v')
        self.assertEqual(seen['headers']['content-type'], 'text/plain')
        self.assertEqual(seen['headers']['x-table'], 'GwInt')  # mapped from a stage variable
        self.assertEqual(base64.b64decode(seen['body_b64']), b'raw \x00 bytes')
        # The backend's own headers come back.
        self.assertEqual(headers['x-backend'], 'yes')
        self.assertEqual(headers['set-cookie'], 'a=1')
        self.assertIn('x-amzn-requestid', headers)
        # The backend's status is the answer, whatever it is; with the stage prefix too.
        status, _, body = self.call('GET', '/test/proxy/x?status=418')
        self.assertEqual(status, 418, body)
        self.assertEqual(json.loads(body)['path'], '/echo/x?status=418')

    # ---- HTTP (templates, parameters, selection on the backend status) ----
    def test_http_with_mappings(self):
        status, headers, body = self.call('POST', '/http/it%2042?ignored=1', {'k': 'v'}, {'X-User': 'ann'})
        self.assertEqual(status, 200, body)
        out = json.loads(body)
        self.assertEqual(json.loads(out['backendSaw']), {'wrapped': {'k': 'v'}, 'stage': 'test', 'var': 'GwInt'})
        # Only mapped query parameters; the path variable from the method request, encoded.
        self.assertEqual(out['path'], '/echo/items/it%2042?src=gateway')
        self.assertEqual(headers['x-backend'], 'yes')
        self.assertEqual(headers['x-method'], 'PUT')
        self.assertEqual(headers['x-static'], 'fixed')
        seen = self.backend.seen[-1]
        self.assertEqual(seen['method'], 'PUT')
        self.assertEqual(seen['headers']['x-caller'], 'ann')
        self.assertEqual(seen['headers']['x-request'], headers['x-amzn-requestid'])
        # A 404 from the backend matches '4\d\d'.
        status, _, body = self.call('POST', '/http/z?status=404', {'k': 1})
        self.assertEqual(status, 400, body)
        self.assertEqual(json.loads(body), {'backendStatus': 404})
        # A 5xx from the backend matches no pattern: the default response (200) as API Gateway.
        status, _, body = self.call('POST', '/http/z?status=503', {'k': 1})
        self.assertEqual(status, 200, body)

    def test_request_override(self):
        status, _, body = self.call('POST', '/override/p1', {'h': 'from-body'})
        self.assertEqual(status, 200, body)
        seen = self.backend.seen[-1]
        self.assertEqual(seen['path'], '/echo/over/p2?q=v%20w')
        self.assertEqual(seen['headers']['x-mapped'], 'overridden')
        self.assertEqual(seen['headers']['x-new'], 'from-body')
        self.assertEqual(json.loads(seen['body_text']), {'ok': True})

    def test_binary_request_converted_to_text(self):
        payload = bytes(range(256))
        status, _, body = self.call('POST', '/binary', payload, {'Content-Type': 'application/octet-stream'})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)['body_text'], base64.b64encode(payload).decode())

    def test_response_converted_to_text(self):
        status, _, body = self.call('GET', '/b64')
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(base64.b64decode(body))['path'], '/echo/b64')

    def test_connection_refused_is_500(self):
        status, headers, body = self.call('GET', '/refused')
        self.assertEqual(status, 500, body)
        self.assertEqual(json.loads(body), {'message': 'Internal server error'})

    def test_integration_timeout_is_504(self):
        started = time.time()
        status, _, body = self.call('GET', '/slow')
        self.assertEqual(status, 504, body)
        self.assertEqual(json.loads(body), {'timeout': 'Endpoint request timed out'})
        self.assertLess(time.time() - started, 2.8)  # not the backend's 3 s
        # The server stays responsive while the backend still sleeps.
        status, _, _ = self.call('GET', '/context')
        self.assertEqual(status, 200)

    # ---- AWS integrations by uri ----
    def test_dynamodb_by_uri(self):
        status, _, body = self.call('PUT', '/items/n1', {'note': 'hello "q"'})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {'stored': 'n1'})
        status, headers, body = self.call('GET', '/items/n1')
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {'note': 'hello "q"'})
        self.assertEqual(headers['x-note'], 'hello "q"')
        # A bad item (note not a string) -> DynamoDB's 400 -> the '4\d\d' response.
        status, _, body = self.call('PUT', '/items/n2', {'note': 5})
        self.assertEqual(status, 400, body)
        self.assertRegex(json.loads(body)['type'], r'(Validation|Serialization)Exception')

    def test_lambda_without_proxy(self):
        status, _, body = self.call('POST', '/lookup/abc', {'a': 2, 'b': 3})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {'id': 'abc', 'stage': 'test', 'sum': 5})
        # The error message matches 'Not Found:.*'.
        status, _, body = self.call('POST', '/lookup/missing-7', {'a': 1, 'b': 1})
        self.assertEqual(status, 404, body)
        out = json.loads(body)
        self.assertIn('Not Found: missing-7', out['error'])
        self.assertEqual(out['type'], 'NotFound')
        # An error no pattern matches: the default response, the error document as its body.
        status, _, body = self.call('POST', '/lookup/boom', {'a': 1, 'b': 1})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)['errorMessage'], 'something else broke')

    def test_lambda_proxy_by_uri_with_stage_variables_and_binary(self):
        status, headers, body = self.call('POST', '/lp/7?q=1', b'\x89PNG\x00', {'Content-Type': 'image/png'})
        self.assertEqual(status, 200, body)
        event = json.loads(body)
        self.assertEqual(event['stageVariables'], {'backend': self.backend.url, 'table': 'GwInt', 'fn': 'Lookup'})
        self.assertEqual(event['pathParameters'], {'id': '7'})
        self.assertTrue(event['isBase64Encoded'])  # image/* is a binary media type
        self.assertEqual(base64.b64decode(event['body']), b'\x89PNG\x00')
        rc = event['requestContext']
        self.assertEqual(rc['requestId'], headers['x-amzn-requestid'])
        self.assertEqual((rc['stage'], rc['resourcePath'], rc['path']), ('test', '/lp/{id}', '/test/lp/7'))
        self.assertIsNone(rc['identity']['caller'])
        self.assertNotIn('authorizer', rc)  # no authorizer on this route
        # Text that is not a binary media type arrives as text.
        status, _, body = self.call('POST', '/lp/8', {'a': 1})
        event = json.loads(body)
        self.assertFalse(event['isBase64Encoded'])
        self.assertEqual(json.loads(event['body']), {'a': 1})

    # ---- $context and stage variables ----
    def test_context(self):
        status, headers, body = self.call('GET', '/context', headers={'User-Agent': 'ctx-test/1'})
        self.assertEqual(status, 200, body)
        c = json.loads(body)
        self.assertEqual(c['requestId'], headers['x-amzn-requestid'])
        self.assertEqual(c['extendedRequestId'], c['requestId'])
        self.assertEqual((c['path'], c['resourcePath'], c['stage'], c['apiId']), ('/test/context', '/context', 'test', 'int'))
        self.assertEqual(c['httpMethod'], 'GET')
        self.assertEqual(c['protocol'], 'HTTP/1.1')
        self.assertEqual(c['accountId'], '000000000000')
        self.assertEqual((c['domainName'], c['domainPrefix']), ('127.0.0.1', '127'))
        self.assertLess(abs(c['epoch'] / 1000 - time.time()), 120)
        self.assertRegex(c['time'], r'^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$')
        self.assertEqual(c['sourceIp'], '127.0.0.1')
        self.assertEqual(c['userAgent'], 'ctx-test/1')
        self.assertEqual(c['caller'], '')  # null, rendered as API Gateway renders null
        self.assertEqual(c['table'], 'GwInt')
        self.assertEqual(c['authorizer'], '')
        self.assertTrue(c['resourceId'])

    # ---- gateway responses ----
    def test_missing_route_through_default_4xx(self):
        status, headers, body = self.call('GET', '/nowhere')
        self.assertEqual(status, 403, body)
        self.assertEqual(json.loads(body), {'error': 'Missing Authentication Token',
                                            'type': 'MISSING_AUTHENTICATION_TOKEN'})
        self.assertEqual(headers['access-control-allow-origin'], '*')
        self.assertEqual(headers['x-req'], headers['x-amzn-requestid'])
        self.assertEqual(headers['x-var'], 'GwInt')
        self.assertEqual(headers['x-amzn-errortype'], 'MissingAuthenticationTokenException')

    def test_unsupported_media_type(self):
        status, headers, body = self.call('GET', '/never', {'a': 1})
        self.assertEqual(status, 415, body)
        self.assertEqual(json.loads(body), {'error': 'Unsupported Media Type', 'type': 'UNSUPPORTED_MEDIA_TYPE'})
        self.assertEqual(headers['access-control-allow-origin'], '*')

    def test_template_errors_are_500_and_logged(self):
        for path, which in (('/broken', 'request template'), ('/broken-response', 'response template')):
            status, _, body = self.call('GET', path)
            self.assertEqual(status, 500, body)
            self.assertEqual(json.loads(body), {'message': 'Internal server error'})
            deadline = time.time() + 10
            while which not in self.server.stderr_tail(20000) and time.time() < deadline:
                time.sleep(0.1)
            self.assertRegex(self.server.stderr_tail(20000),
                             r'template error in API int, route GET %s: %s \(application/json' % (path, which))
            # ... and where in the template (line 1, column 1: each template is one directive).
            self.assertRegex(self.server.stderr_tail(20000),
                             r'template error in API int, route GET %s: %s .*\(at line 1, column 1\)' % (path, which))

    def test_payload_limit(self):
        big = b'x' * (10 * 1024 * 1024 + 1)
        try:
            status, _, body = self.call('POST', '/http/big', big, {'Content-Type': 'application/json'})
        except (ConnectionError, http.client.HTTPException):
            return  # the server may close while the client still sends; nothing was forwarded
        self.assertEqual(status, 413, body)
        self.assertFalse(any(s['path'].startswith('/echo/items/big') for s in self.backend.seen))

    def test_access_log(self):
        mark = self.server.stdout_mark()
        status, headers, _ = self.call('GET', '/context')
        self.assertEqual(status, 200)
        rid = headers['x-amzn-requestid']
        self.server.wait_for_output(
            r'^127\.0\.0\.1 - - \[[^\]]+\] "GET /context HTTP/1\.1" 200 \d+ %s$' % re.escape(rid), since=mark)
        status, headers, _ = self.call('GET', '/nowhere/else')
        self.server.wait_for_output(
            r'^127\.0\.0\.1 - - \[[^\]]+\] "GET /nowhere/else HTTP/1\.1" 403 \d+ %s$'
            % re.escape(headers['x-amzn-requestid']), since=mark)

    def test_bad_inputs_change_nothing(self):
        # Hostile paths, methods and bodies: AWS-shaped answers, the server stays up.
        for method, path, body, hdrs in (
                ('GET', '/items/%00', None, {}),
                ('PUT', '/items/x', b'{not json', {'Content-Type': 'application/json'}),
                ('POST', '/lookup/x', b'[', {'Content-Type': 'application/json'}),
                ('POST', '/http/x', b'\xff\xfe', {'Content-Type': 'application/json'}),
                ('DELETE', '/context', None, {}),
                ('GET', '/proxy/' + 'a/' * 500, None, {}),
        ):
            status, _, out = self.call(method, path, body, hdrs)
            self.assertIn(status, (200, 400, 403, 404, 500), (method, path, out))
            if status >= 400:  # DEFAULT_4XX has its own template here
                self.assertIn('message' if status >= 500 else 'error', json.loads(out))
        self.assertEqual(self.call('GET', '/context')[0], 200)


if __name__ == '__main__':
    unittest.main()
