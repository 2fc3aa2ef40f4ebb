"""API Gateway emulation against the real binary: the seed flow end to end, routing errors,
passthrough behaviours, and a custom stack exercising templates, integrations and responses."""

import http.client
import json
import time
import unittest

from botocore.exceptions import ClientError

from harness import StackDir, StreamerTestCase

SEED_OK = b'{"message": "item added to db"}'
MISSING_TOKEN = {'message': 'Missing Authentication Token'}


def request(server, method, path, body=None, headers=None, timeout=30):
    """One request with headers sent exactly as given (http.client keeps their case).

    Returns (status, {lower-case header: value}, body bytes)."""
    conn = http.client.HTTPConnection('127.0.0.1', server.gateway_port, timeout=timeout)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            headers = dict({'Content-Type': 'application/json'}, **(headers or {}))
        elif isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


class SeedGatewayTest(StreamerTestCase):
    """The seed stack: POST /InsertItem -> PutItem -> stream -> DynamoLambdaHandler."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb = cls.server.client('dynamodb')

    def item_count(self):
        return self.ddb.scan(TableName='TheDynamoStreamer', Select='COUNT')['Count']

    def test_insert_item_end_to_end(self):
        message = 'hello-%d' % time.time_ns()
        mark = self.server.stdout_mark()
        status, headers, body = request(self.server, 'POST', '/InsertItem', {'message': message})
        self.assertEqual(status, 200, body)
        self.assertEqual(body, SEED_OK)
        self.assertEqual(headers['content-type'], 'application/json')
        self.assertIn('x-amzn-requestid', headers)
        item = self.ddb.get_item(TableName='TheDynamoStreamer',
                                 Key={'message': {'S': message}}, ConsistentRead=True)
        self.assertEqual(item.get('Item'), {'message': {'S': message}})

        self.server.wait_for_output(r'^\[DynamoLambdaHandler\] request: .*%s' % message,
                                    since=mark)
        events = self.server.handler_events(since=mark)
        records = [r for e in events for r in e['Records']
                   if r['dynamodb'].get('NewImage', {}).get('message', {}).get('S') == message]
        self.assertEqual(len(records), 1, events)
        rec = records[0]
        arn = self.ddb.describe_table(TableName='TheDynamoStreamer')['Table']['LatestStreamArn']
        self.assertEqual(rec['eventName'], 'INSERT')
        self.assertEqual(rec['eventSource'], 'aws:dynamodb')
        self.assertEqual(rec['eventSourceARN'], arn)
        self.assertEqual(rec['awsRegion'], 'us-east-1')
        self.assertTrue(rec['eventID'])
        self.assertEqual(rec['eventVersion'], '1.1')
        d = rec['dynamodb']
        self.assertEqual(d['Keys'], {'message': {'S': message}})
        self.assertEqual(d['NewImage'], {'message': {'S': message}})
        self.assertNotIn('OldImage', d)
        self.assertEqual(d['StreamViewType'], 'NEW_IMAGE')
        self.assertTrue(d['SequenceNumber'].isdigit())
        self.assertIsInstance(d['SizeBytes'], int)
        self.assertGreater(d['SizeBytes'], 0)
        self.assertLess(abs(d['ApproximateCreationDateTime'] - time.time()), 120)
        # The same change, read through the Streams API, has the same identity.
        streams = self.server.client('dynamodbstreams')
        for shard in streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']:
            try:
                it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                                ShardIteratorType='AT_SEQUENCE_NUMBER',
                                                SequenceNumber=d['SequenceNumber'])
            except ClientError as err:  # beyond the end of a shard that never got that far
                self.assertEqual(err.response['Error']['Code'], 'ValidationException')
                continue
            got = streams.get_records(ShardIterator=it['ShardIterator'], Limit=1)['Records']
            if got and got[0]['eventID'] == rec['eventID']:
                break
        else:
            self.fail('record %s not found through the Streams API' % rec['eventID'])

    def test_stage_prefix_and_charset(self):
        message = 'staged-%d' % time.time_ns()
        status, _, body = request(self.server, 'POST', '/prod/InsertItem',
                                  json.dumps({'message': message}),
                                  {'Content-Type': 'application/json; charset=UTF-8'})
        self.assertEqual((status, body), (200, SEED_OK))
        item = self.ddb.get_item(TableName='TheDynamoStreamer', Key={'message': {'S': message}})
        self.assertIn('Item', item)

    def test_no_content_type_means_json(self):
        message = 'plain-%d' % time.time_ns()
        status, _, body = request(self.server, 'POST', '/InsertItem',
                                  json.dumps({'message': message}))
        self.assertEqual((status, body), (200, SEED_OK))
        self.assertIn('Item', self.ddb.get_item(TableName='TheDynamoStreamer',
                                                Key={'message': {'S': message}}))

    def test_unknown_route(self):
        for method, path in [('POST', '/Nope'), ('GET', '/InsertItem'), ('DELETE', '/InsertItem'),
                             ('POST', '/InsertItem/extra'), ('GET', '/'), ('POST', '/insertitem'),
                             ('POST', '/dev/InsertItem')]:
            with self.subTest(method=method, path=path):
                status, headers, body = request(self.server, method, path, {'message': 'x'})
                self.assertEqual(status, 403)
                self.assertEqual(json.loads(body), MISSING_TOKEN)
                self.assertEqual(headers.get('x-amzn-errortype'),
                                 'MissingAuthenticationTokenException')

    def test_unsupported_media_type(self):
        before = self.item_count()
        for ctype in ('text/plain', 'application/xml', 'application/x-www-form-urlencoded'):
            with self.subTest(ctype=ctype):
                status, _, body = request(self.server, 'POST', '/InsertItem', '{"message":"m"}',
                                          {'Content-Type': ctype})
                self.assertEqual(status, 415, body)
                self.assertEqual(json.loads(body), {'message': 'Unsupported Media Type'})
        self.assertEqual(self.item_count(), before)

    def test_failed_put_still_answers_default_200(self):
        # {} renders an empty key; DynamoDB rejects it (400 ValidationException). The seed's
        # selection pattern '^\[BadRequest\].*' is matched against the status code "400", as
        # AWS does for AWS-service integrations, so the default 200 response is used.
        before = self.item_count()
        mark = self.server.stdout_mark()
        for body in ({}, {'other': 1}, {'message': ''}):
            with self.subTest(body=body):
                status, _, out = request(self.server, 'POST', '/InsertItem', body)
                self.assertEqual((status, out), (200, SEED_OK))
        # A message that breaks the template's JSON: DynamoDB says SerializationException.
        status, _, out = request(self.server, 'POST', '/InsertItem', {'message': 'say "hi"'})
        self.assertEqual((status, out), (200, SEED_OK))
        self.assertEqual(self.item_count(), before)
        time.sleep(0.3)
        self.assertEqual(self.server.handler_events(since=mark), [])

    def test_malformed_json_body(self):
        before = self.item_count()
        status, headers, body = request(self.server, 'POST', '/InsertItem', '{"message": ',
                                        {'Content-Type': 'application/json'})
        self.assertEqual(status, 400, body)
        self.assertIn('message', json.loads(body))
        self.assertEqual(self.item_count(), before)
        self.assertTrue(self.server.healthy())

    def test_body_over_limit(self):
        import socket

        def answer(head, body_chunks):
            with socket.create_connection(('127.0.0.1', self.server.gateway_port),
                                          timeout=10) as conn:
                conn.sendall(head)
                try:
                    for chunk in body_chunks:
                        conn.sendall(chunk)
                except OSError:
                    pass  # the server answered and closed before reading it all
                data = b''
                while b'\r\n\r\n' not in data:
                    more = conn.recv(4096)
                    if not more:
                        break
                    data += more
                return data

        # A declared length over API Gateway's 10 MB: refused before the body is read.
        out = answer(b'POST /InsertItem HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n'
                     b'Content-Length: 10485761\r\n\r\n', [])
        self.assertTrue(out.startswith(b'HTTP/1.1 413'), out[:200])
        # A chunked body that grows past it.
        chunk = b'x' * (1024 * 1024)
        out = answer(b'POST /InsertItem HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n'
                     b'Transfer-Encoding: chunked\r\n\r\n',
                     [b'%x\r\n' % len(chunk) + chunk + b'\r\n'] * 11)
        self.assertTrue(out.startswith(b'HTTP/1.1 413'), out[:200])
        self.assertTrue(self.server.healthy())
        status, _, body = request(self.server, 'POST', '/InsertItem', {'message': 'after-big'})
        self.assertEqual((status, body), (200, SEED_OK))
        # Just under the limit is accepted (DynamoDB then refuses the 10 MB item: still 200).
        just = b'{"message":"' + b'y' * (10 * 1024 * 1024 - 20) + b'"}'
        status, _, body = request(self.server, 'POST', '/InsertItem', just,
                                  {'Content-Type': 'application/json'})
        self.assertEqual((status, body), (200, SEED_OK))

    def test_many_requests_keep_alive(self):
        conn = http.client.HTTPConnection('127.0.0.1', self.server.gateway_port, timeout=10)
        try:
            for i in range(20):
                conn.request('POST', '/InsertItem', body=json.dumps({'message': 'ka-%d' % i}),
                             headers={'Content-Type': 'application/json'})
                resp = conn.getresponse()
                self.assertEqual((resp.status, resp.read()), (200, SEED_OK))
        finally:
            conn.close()


CUSTOM_STACK = r"""
name: gateway-test

tables:
  GwItems:
    partitionKey: id
    stream: NEW_AND_OLD_IMAGES

apis:
  GwAPI:
    stage: v1
    routes:
      PUT /items/{id}:
        integration: dynamodb:PutItem
        passthrough: NEVER
        requestTemplates:
          application/json: |
            #set($tags = $input.path('$.tags'))
            {"TableName": "GwItems", "Item": {
              "id": {"S": "$input.params('id')"},
              "owner": {"S": "$input.params('X-Owner')"},
              "color": {"S": "$input.params().querystring.get('color')"},
              "tags": {"L": [#foreach($t in $tags){"S": "$util.escapeJavaScript($t)"}#if($foreach.hasNext),#end#end]},
              "count": {"N": "$tags.size()"}
            }}
        responses:
          - status: 200
            templates:
              application/json: '{"stored": "$input.params(''id'')"}'
            headers:
              Cache-Control: "'no-store'"
              X-Static: "'static value'"
          - pattern: '4\d{2}'
            status: 400
            templates:
              application/json: '{"error": "$util.escapeJavaScript($input.path(''$.message''))", "type": "$input.path(''$.__type'')"}'
            headers:
              X-Error: "'yes'"
      GET /items/{id}:
        integration: dynamodb:GetItem
        requestTemplates:
          application/json: '{"TableName": "GwItems", "Key": {"id": {"S": "$input.params(''id'')"}}}'
        responses:
          - status: 200
            templates:
              application/json: |
                #set($item = $input.path('$.Item'))
                #if("$!item.id.S" != "")
                {"id": "$item.id.S", "owner": "$item.owner.S", "color": "$item.color.S", "tags": [#foreach($t in $item.tags.L)"$t.S"#if($foreach.hasNext),#end#end]}
                #else
                #set($context.responseOverride.status = 404)
                #set($context.responseOverride.header.X-Reason = "no such item")
                {"error": "not found"}
                #end
            headers:
              X-Item-Owner: integration.response.body.Item.owner.S
              X-Item-Tags: integration.response.body.Item.tags.L
              X-Backend-Type: integration.response.header.content-type
      DELETE /items/{id}:
        integration: dynamodb:DeleteItem
        requestTemplates:
          application/json: '{"TableName": "GwItems", "Key": {"id": {"S": "$input.params(''id'')"}}, "ReturnValues": "ALL_OLD"}'
        responses:
          - status: 200
            templates:
              application/json: '{"deleted": $input.json(''$.Attributes.id.S'')}'
      POST /echo:
        integration: mock
        passthrough: WHEN_NO_TEMPLATES
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          - status: 200
            templates:
              application/json: '{"mock": true, "method": "$context.httpMethod", "resource": "$context.resourcePath", "stage": "$context.stage", "path": "$context.path"}'
      GET /status/{code}:
        integration: mock
        requestTemplates:
          application/json: '{"statusCode": $input.params(''code'')}'
        responses:
          - status: 200
            templates:
              application/json: '{"ok": true}'
          - pattern: '5\d{2}'
            status: 502
            templates:
              application/json: '{"ok": false}'
            headers:
              Retry-After: "'5'"
          - pattern: '404'
            status: 404
      POST /raw:
        integration: dynamodb:PutItem
        passthrough: WHEN_NO_MATCH
        requestTemplates:
          application/xml: '{"TableName": "GwItems", "Item": {"id": {"S": "from-xml"}}}'
      POST /strict:
        integration: dynamodb:PutItem
        passthrough: WHEN_NO_TEMPLATES
        requestTemplates:
          application/xml: '{"TableName": "GwItems", "Item": {"id": {"S": "strict-xml"}}}'
      POST /notemplates:
        integration: dynamodb:PutItem
        passthrough: WHEN_NO_TEMPLATES
      ANY /files/{path+}:
        integration: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          - status: 200
            templates:
              application/json: '{"method": "$context.httpMethod", "path": "$input.params(''path'')"}'
      GET /files/special:
        integration: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          - status: 200
            templates:
              application/json: '{"special": true}'
"""


class CustomStackGatewayTest(StreamerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.stack = StackDir(CUSTOM_STACK, prefix='streamer-gw-stack-')
        cls.stack_file = cls.stack.stack_file
        super().setUpClass()
        cls.ddb = cls.server.client('dynamodb')

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.stack.remove()

    def get_item(self, key):
        return self.ddb.get_item(TableName='GwItems', Key={'id': {'S': key}},
                                 ConsistentRead=True).get('Item')

    def test_path_query_header_foreach(self):
        status, headers, body = request(self.server, 'PUT', '/items/abc-1?color=blue&x=1',
                                        {'tags': ['red', 'quote"d', 'back\\slash']},
                                        {'x-owner': 'alice'})  # header name case differs
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {'stored': 'abc-1'})
        self.assertEqual(headers.get('cache-control'), 'no-store')
        self.assertEqual(headers.get('x-static'), 'static value')
        self.assertEqual(headers.get('content-type'), 'application/json')
        self.assertEqual(self.get_item('abc-1'), {
            'id': {'S': 'abc-1'}, 'owner': {'S': 'alice'}, 'color': {'S': 'blue'},
            'tags': {'L': [{'S': 'red'}, {'S': 'quote"d'}, {'S': 'back\\slash'}]},
            'count': {'N': '3'}})
        # Percent-encoded path and query values arrive decoded.
        status, _, body = request(self.server, 'PUT', '/v1/items/with%20space?color=dark%20red',
                                  {'tags': []}, {'X-Owner': 'bob'})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {'stored': 'with space'})
        item = self.get_item('with space')
        self.assertEqual(item['color'], {'S': 'dark red'})
        self.assertEqual(item['tags'], {'L': []})

    def test_get_item_response_template(self):
        request(self.server, 'PUT', '/items/g1?color=green', {'tags': ['a', 'b']},
                {'X-Owner': 'carol'})
        status, headers, body = request(self.server, 'GET', '/items/g1')
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {'id': 'g1', 'owner': 'carol', 'color': 'green',
                                            'tags': ['a', 'b']})
        # Response parameters mapped from the integration response.
        self.assertEqual(headers.get('x-item-owner'), 'carol')
        self.assertEqual(json.loads(headers.get('x-item-tags')), [{'S': 'a'}, {'S': 'b'}])
        self.assertEqual(headers.get('x-backend-type'), 'application/x-amz-json-1.0')
        status, headers, body = request(self.server, 'GET', '/items/missing')
        self.assertEqual(status, 404, body)
        self.assertEqual(json.loads(body), {'error': 'not found'})
        self.assertEqual(headers.get('x-reason'), 'no such item')
        self.assertNotIn('x-item-owner', headers)

    def test_delete_with_return_values(self):
        request(self.server, 'PUT', '/items/d1', {'tags': []})
        status, _, body = request(self.server, 'DELETE', '/items/d1')
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {'deleted': 'd1'})
        self.assertIsNone(self.get_item('d1'))

    def test_error_selection_pattern(self):
        # The rendered request is invalid JSON for DynamoDB only if tags is not a list:
        # a string tag list makes "count" non-numeric -> ValidationException (HTTP 400).
        status, headers, body = request(self.server, 'PUT', '/items/bad', {'tags': 'notalist'})
        self.assertEqual(status, 400, body)
        out = json.loads(body)
        self.assertIn('ValidationException', out['type'])
        self.assertTrue(out['error'])
        self.assertEqual(headers.get('x-error'), 'yes')
        self.assertNotIn('cache-control', headers)
        self.assertIsNone(self.get_item('bad'))

    def test_mock_integration(self):
        status, _, body = request(self.server, 'POST', '/echo', {'anything': 1})
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {'mock': True, 'method': 'POST', 'resource': '/echo',
                                            'stage': 'v1', 'path': '/v1/echo'})
        status, _, body = request(self.server, 'POST', '/v1/echo', {'anything': 1})
        self.assertEqual(json.loads(body)['path'], '/v1/echo')
        # WHEN_NO_TEMPLATES with a template defined: another content type -> 415.
        status, _, body = request(self.server, 'POST', '/echo', 'x', {'Content-Type': 'text/plain'})
        self.assertEqual(status, 415, body)

    def test_mock_status_selection(self):
        status, _, body = request(self.server, 'GET', '/status/200')
        self.assertEqual((status, json.loads(body)), (200, {'ok': True}))
        status, headers, body = request(self.server, 'GET', '/status/503')
        self.assertEqual((status, json.loads(body)), (502, {'ok': False}))
        self.assertEqual(headers.get('retry-after'), '5')
        status, _, body = request(self.server, 'GET', '/status/404')
        self.assertEqual(status, 404, body)
        # A status no pattern matches: the default response.
        status, _, body = request(self.server, 'GET', '/status/418')
        self.assertEqual((status, json.loads(body)), (200, {'ok': True}))

    def test_passthrough_when_no_match(self):
        # No template for application/json: the body goes to DynamoDB unchanged.
        raw = {'TableName': 'GwItems', 'Item': {'id': {'S': 'passed-through'}}}
        status, _, body = request(self.server, 'POST', '/raw', raw)
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {})  # no response template: PutItem's own body
        self.assertIsNotNone(self.get_item('passed-through'))
        # The template's content type: the template is used.
        status, _, body = request(self.server, 'POST', '/raw', '<x/>',
                                  {'Content-Type': 'application/xml'})
        self.assertEqual(status, 200, body)
        self.assertIsNotNone(self.get_item('from-xml'))

    def test_passthrough_when_no_templates(self):
        # Templates exist but none for this type: 415.
        raw = {'TableName': 'GwItems', 'Item': {'id': {'S': 'strict-json'}}}
        status, _, body = request(self.server, 'POST', '/strict', raw)
        self.assertEqual(status, 415, body)
        self.assertEqual(json.loads(body), {'message': 'Unsupported Media Type'})
        self.assertIsNone(self.get_item('strict-json'))
        status, _, body = request(self.server, 'POST', '/strict', '<x/>',
                                  {'Content-Type': 'application/xml'})
        self.assertEqual(status, 200, body)
        self.assertIsNotNone(self.get_item('strict-xml'))
        # No templates at all: anything passes through.
        raw = {'TableName': 'GwItems', 'Item': {'id': {'S': 'no-templates'}}}
        status, _, body = request(self.server, 'POST', '/notemplates', json.dumps(raw),
                                  {'Content-Type': 'text/plain'})
        self.assertEqual(status, 200, body)
        self.assertIsNotNone(self.get_item('no-templates'))

    def test_greedy_path_and_literal_precedence(self):
        status, _, body = request(self.server, 'DELETE', '/files/a/b/c.txt')
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body), {'method': 'DELETE', 'path': 'a/b/c.txt'})
        status, _, body = request(self.server, 'GET', '/files/special')
        self.assertEqual((status, json.loads(body)), (200, {'special': True}))
        status, _, body = request(self.server, 'POST', '/files/special')  # only ANY matches
        self.assertEqual((status, json.loads(body)), (200, {'method': 'POST', 'path': 'special'}))
        status, _, body = request(self.server, 'GET', '/files')
        self.assertEqual((status, json.loads(body)), (403, MISSING_TOKEN))

    def test_malformed_json_with_input_path(self):
        status, _, body = request(self.server, 'PUT', '/items/m1', '{"tags": [',
                                  {'Content-Type': 'application/json'})
        self.assertEqual(status, 400, body)
        self.assertIn('message', json.loads(body))
        self.assertIsNone(self.get_item('m1'))

    def test_route_errors(self):
        for method, path in [('PATCH', '/items/x'), ('GET', '/items'), ('GET', '/items/x/y'),
                             ('GET', '/echo'), ('POST', '/nothing')]:
            with self.subTest(method=method, path=path):
                status, _, body = request(self.server, method, path)
                self.assertEqual((status, json.loads(body)), (403, MISSING_TOKEN))


if __name__ == '__main__':
    unittest.main()
