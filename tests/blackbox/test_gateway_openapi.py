"""A native stack whose API is an OpenAPI 3 document with API Gateway's extensions: the routes
it declares run (MOCK, DynamoDB through a GSI, CORS preflights synthesized from
x-amazon-apigateway-cors), what it cannot honour is said once on stdout, and a bad document
stops start-up naming the file and line."""

import json
import os
import re
import subprocess
import unittest

from harness import DEFAULT_BIN, StackDir, Streamer

from test_gateway import request

STACK = """\
functions:
  Echo:
    runtime: python3.12
    handler: app.echo
tables:
  Links:
    partitionKey: id
    indexes:
      - {name: OwnerIndex, partitionKey: owner, projection: ALL}
apis:
  LinksApi:
    stage: prod
    openapi: api.yaml
    routes:                        # native routes add to the document's
      GET /native:
        integration: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          - status: 200
            templates: {application/json: '{"native": true}'}
"""

API = """\
openapi: 3.0.1
info: {title: links, version: "1"}
x-amazon-apigateway-policy: {Version: "2012-10-17", Statement: []}
x-amazon-apigateway-cors:
  allowOrigins: ["https://app.example"]
  allowHeaders: [Content-Type, Authorization]
  maxAge: 300
paths:
  /links:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Link"}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
        passthroughBehavior: never
        requestTemplates:
          application/json: |
            {"TableName": "Links",
             "Item": {"id": {"S": "$input.path('$.id')"},
                      "owner": {"S": "$input.path('$.owner')"},
                      "url": {"S": "$util.escapeJavaScript($input.path('$.url'))"}}}
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              # $input here is PutItem's answer ({}), as on AWS.
              application/json: '{"created": true, "answer": $input.json(''$'')}'
  /links/{id}:
    get:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      x-amazon-apigateway-integration:
        type: AWS
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/GetItem
        requestTemplates:
          application/json: '{"TableName": "Links", "Key": {"id": {"S": "$input.params(''id'')"}}}'
        responses:
          default:
            statusCode: 200
            responseTemplates:
              application/json: '{"url": "$input.path(''$.Item.url.S'')"}'
  /owners/{owner}/links:
    get:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/Query
        requestTemplates:
          application/json: |
            {"TableName": "Links", "IndexName": "OwnerIndex",
             "KeyConditionExpression": "#o = :o",
             "ExpressionAttributeNames": {"#o": "owner"},
             "ExpressionAttributeValues": {":o": {"S": "$input.params('owner')"}}}
        responses:
          default:
            statusCode: 200
            responseTemplates:
              application/json: |
                #set($items = $input.path('$.Items'))
                [#foreach($i in $items)"$i.id.S"#if($foreach.hasNext),#end#end]
  /mock:
    x-amazon-apigateway-any-method:
      x-amazon-apigateway-integration:
        type: MOCK
        requestTemplates: {application/json: '{"statusCode": 202}'}
        responses:
          "202":
            statusCode: 202
            responseParameters:
              method.response.header.X-Mocked: "'yes'"
            responseTemplates: {application/json: '{"mocked": "$context.httpMethod"}'}
  /echo/{proxy+}:
    post:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Echo/invocations
  /unfinished:
    get:
      summary: no integration yet
  /bucket:
    get:
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: GET
        uri: arn:aws:apigateway:us-east-1:s3:path/bucket/key
components:
  schemas:
    Link:
      type: object
      required: [id, url]
      properties: {id: {type: string}, url: {type: string}, owner: {type: string}}
"""


APP = """\
import json

def echo(event, context):
    return {"statusCode": 201, "headers": {"X-Fn": "echo"},
            "body": json.dumps({"path": event["path"], "resource": event["resource"],
                                "proxy": event["pathParameters"]["proxy"], "body": event["body"]})}
"""


def body_json(body):
    return json.loads(body.decode())


class OpenApiStackTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.stack = StackDir(STACK, files={'api.yaml': API, 'app.py': APP})
        cls.server = Streamer(stack_file=cls.stack.stack_file)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.close()
            cls.stack.remove()

    def test_mock_any_method(self):
        for method in ('GET', 'DELETE', 'PATCH'):
            with self.subTest(method=method):
                status, headers, body = request(self.server, method, '/mock')
                self.assertEqual(status, 202, body)
                self.assertEqual(body_json(body), {'mocked': method})
                self.assertEqual(headers.get('x-mocked'), 'yes')
                # x-amazon-apigateway-cors adds the origin to the other methods' responses.
                self.assertEqual(headers.get('access-control-allow-origin'), 'https://app.example')

    def test_native_routes_add_to_the_document(self):
        status, _, body = request(self.server, 'GET', '/native')
        self.assertEqual(status, 200, body)
        self.assertEqual(body_json(body), {'native': True})

    def test_dynamodb_put_get_and_query_through_the_index(self):
        for i, owner in ((1, 'ann'), (2, 'ann'), (3, 'bob')):
            status, _, body = request(self.server, 'POST', '/links',
                                      {'id': 'l%d' % i, 'owner': owner, 'url': 'https://x/%d' % i})
            self.assertEqual(status, 200, body)
            self.assertEqual(body_json(body), {'created': True, 'answer': {}})
        item = self.server.client('dynamodb').get_item(TableName='Links', Key={'id': {'S': 'l2'}},
                                                       ConsistentRead=True)['Item']
        self.assertEqual(item, {'id': {'S': 'l2'}, 'owner': {'S': 'ann'}, 'url': {'S': 'https://x/2'}})
        status, _, body = request(self.server, 'GET', '/links/l3')
        self.assertEqual(status, 200, body)
        self.assertEqual(body_json(body), {'url': 'https://x/3'})
        status, _, body = request(self.server, 'GET', '/owners/ann/links')
        self.assertEqual(status, 200, body)
        self.assertEqual(sorted(body_json(body)), ['l1', 'l2'])

    def test_table_has_the_declared_index(self):
        table = self.server.client('dynamodb').describe_table(TableName='Links')['Table']
        self.assertEqual([g['IndexName'] for g in table['GlobalSecondaryIndexes']], ['OwnerIndex'])

    def test_cors_preflight_is_synthesized(self):
        status, headers, body = request(self.server, 'OPTIONS', '/links/abc',
                                        headers={'Origin': 'https://app.example',
                                                 'Access-Control-Request-Method': 'GET'})
        self.assertEqual(status, 200, body)
        self.assertEqual(headers.get('access-control-allow-origin'), 'https://app.example')
        self.assertEqual(headers.get('access-control-allow-methods'), 'GET,OPTIONS')
        self.assertEqual(headers.get('access-control-allow-headers'), 'Content-Type,Authorization')
        self.assertEqual(headers.get('access-control-max-age'), '300')
        status, headers, _ = request(self.server, 'OPTIONS', '/links')
        self.assertEqual(status, 200)
        self.assertEqual(headers.get('access-control-allow-methods'), 'POST,OPTIONS')

    def test_lambda_proxy_by_uri(self):
        status, headers, body = request(self.server, 'POST', '/echo/a/b', 'hi')
        self.assertEqual(status, 201, body)
        self.assertEqual(headers.get('x-fn'), 'echo')
        self.assertEqual(body_json(body), {'path': '/echo/a/b', 'resource': '/echo/{proxy+}', 'proxy': 'a/b',
                                           'body': 'hi'})

    def test_method_without_integration_or_service_answers_500(self):
        for path in ('/unfinished', '/bucket'):
            with self.subTest(path=path):
                status, _, body = request(self.server, 'GET', path)
                self.assertEqual(status, 500, body)
                self.assertEqual(body_json(body), {'message': 'Internal server error'})

    def test_unknown_route_is_still_missing_token(self):
        status, _, body = request(self.server, 'GET', '/nope')
        self.assertEqual(status, 403, body)
        self.assertEqual(body_json(body), {'message': 'Missing Authentication Token'})

    def test_warnings_appear_once_on_stdout(self):
        out = self.server.stdout_text(since=0)
        warnings = [l for l in out.splitlines() if l.startswith('warning: ')]
        api = os.path.join(self.stack.dir, 'api.yaml')
        policy = [w for w in warnings if 'x-amazon-apigateway-policy: not supported' in w]
        self.assertEqual(len(policy), 1, out)
        self.assertTrue(policy[0].startswith('warning: %s:3: ' % api), policy[0])
        unfinished = [w for w in warnings if 'paths./unfinished.get: no x-amazon-apigateway-integration' in w]
        self.assertEqual(len(unfinished), 1, out)
        self.assertEqual(len([w for w in warnings if "AWS service 's3' is not emulated" in w]), 1, out)
        self.assertEqual(len(warnings), 3, out)


class BadOpenApiTest(unittest.TestCase):

    def start_fails(self, api_text, expected):
        with StackDir(STACK, files={'api.yaml': api_text, 'app.py': APP}) as stack:
            server = Streamer(stack_file=stack.stack_file)
            try:
                res = subprocess.run(server.command(), capture_output=True, text=True, timeout=60,
                                     stdin=subprocess.DEVNULL)
            finally:
                server.close()
            self.assertEqual(res.returncode, 2, res.stdout + res.stderr)
            self.assertRegex(res.stderr, expected)
            # Nothing was served or created.
            self.assertNotIn('serving stack', res.stdout)

    def test_bad_integration_type_names_file_and_line(self):
        bad = API.replace('type: MOCK', 'type: SQS')
        line = bad.splitlines().index('        type: SQS') + 1
        self.start_fails(bad, r'stack\.yaml:\d+:\d+: apis\.LinksApi\.openapi: .*api\.yaml:%d:\d+: '
                              r'paths\./mock\.x-amazon-apigateway-any-method\.x-amazon-apigateway-integration\.type: '
                              r"unknown integration type 'SQS'" % line)

    def test_unknown_function_names_file_and_line(self):
        bad = API.replace('function:Echo/', 'function:Ghost/')
        line = [i for i, l in enumerate(bad.splitlines(), 1) if 'function:Ghost/' in l][0]
        self.start_fails(bad, r"api\.yaml:%d:\d+: paths\./echo/\{proxy\+\}\.post\.x-amazon-apigateway-integration\.uri: "
                              r"unknown function 'Ghost'" % line)

    def test_syntax_error_names_file_and_line(self):
        self.start_fails(API.replace('info: {title: links, version: "1"}', 'info: {title: links'),
                         r'api\.yaml:\d+:\d+: YAML/JSON syntax error')

    def test_missing_file(self):
        with StackDir(STACK.replace('api.yaml', 'nothere.yaml'), files={'app.py': APP}) as stack:
            res = subprocess.run([os.environ.get('STREAMER_BIN', DEFAULT_BIN), 'serve', stack.stack_file,
                                  '--data', os.path.join(stack.dir, 'data')],
                                 capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
            self.assertEqual(res.returncode, 2)
            self.assertRegex(res.stderr, r"cannot read OpenAPI file '.*nothere\.yaml'")


TABLES = """\
tables:
  Orders:
    partitionKey: customer
    sortKey: {name: ts, type: N}
    ttl: expiresAt
    indexes:
      - {name: ByStatus, partitionKey: status, sortKey: {name: ts, type: N}}
      - {name: ByRegion, partitionKey: region, projection: {include: [total]}}
    localIndexes:
      - {name: ByTotal, sortKey: {name: total, type: N}, projection: KEYS_ONLY}
"""


class StackTableIndexesTest(unittest.TestCase):
    """Tables declared with indexes and TTL are created with them; a restart with other
    indexes keeps the table's (and says so), while TTL follows the stack."""

    def test_create_query_and_restart_with_other_declarations(self):
        with StackDir(TABLES) as stack, Streamer(stack_file=stack.stack_file) as server:
            ddb = server.client('dynamodb')
            table = ddb.describe_table(TableName='Orders')['Table']
            gsis = {g['IndexName']: g for g in table['GlobalSecondaryIndexes']}
            self.assertEqual(set(gsis), {'ByStatus', 'ByRegion'})
            self.assertEqual(gsis['ByRegion']['Projection'],
                             {'ProjectionType': 'INCLUDE', 'NonKeyAttributes': ['total']})
            self.assertEqual([l['IndexName'] for l in table['LocalSecondaryIndexes']], ['ByTotal'])
            self.assertEqual(ddb.describe_time_to_live(TableName='Orders')['TimeToLiveDescription'],
                             {'TimeToLiveStatus': 'ENABLED', 'AttributeName': 'expiresAt'})
            ddb.put_item(TableName='Orders', Item={'customer': {'S': 'c1'}, 'ts': {'N': '1'},
                                                   'status': {'S': 'open'}, 'total': {'N': '5'}})
            found = ddb.query(TableName='Orders', IndexName='ByStatus',
                              KeyConditionExpression='#s = :s', ExpressionAttributeNames={'#s': 'status'},
                              ExpressionAttributeValues={':s': {'S': 'open'}})['Items']
            self.assertEqual([i['customer']['S'] for i in found], ['c1'])
            self.assertNotIn('indexes differ', server.stdout_text())
            self.assertNotIn('TTL set', server.stdout_text())

            # The same stack again: nothing to say.
            server.restart()
            self.assertNotIn('indexes differ', server.stdout_text())
            self.assertNotIn('TTL set', server.stdout_text())

            stack.write('stack.yaml', TABLES.replace('ByRegion', 'ByArea').replace('ttl: expiresAt', 'ttl: gone'))
            server.restart()
            out = server.stdout_text()
            self.assertIn("table Orders: its indexes differ from the stack's and are kept (only in the table: "
                          "ByRegion (global, region S, INCLUDE [total]); only in the stack: ByArea (global, "
                          "region S, INCLUDE [total]))", out)
            self.assertIn('table Orders: TTL set to gone, as the stack declares', out)
            ddb = server.client('dynamodb')
            table = ddb.describe_table(TableName='Orders')['Table']
            self.assertEqual({g['IndexName'] for g in table['GlobalSecondaryIndexes']}, {'ByStatus', 'ByRegion'})
            self.assertEqual(ddb.describe_time_to_live(TableName='Orders')['TimeToLiveDescription'],
                             {'TimeToLiveStatus': 'ENABLED', 'AttributeName': 'gone'})
            self.assertEqual(len(ddb.scan(TableName='Orders')['Items']), 1)


CORS_API = """\
openapi: 3.0.1
info: {title: cors, version: "1"}
x-amazon-apigateway-cors:
  allowOrigins: ["https://a.example", "https://b.example"]
  allowMethods: [GET, OPTIONS]
paths:
  /thing:
    get:
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses:
          default:
            statusCode: 200
            responseTemplates: {application/json: '{"thing": 1}'}
"""


class CorsSeveralOriginsTest(unittest.TestCase):
    """Several allowOrigins: the matching Origin is echoed (preflight and the method itself)."""

    def test_matching_origin_is_echoed(self):
        stack_yaml = 'apis:\n  Cors:\n    openapi: api.yaml\n'
        with StackDir(stack_yaml, files={'api.yaml': CORS_API}) as stack, \
                Streamer(stack_file=stack.stack_file) as server:
            for origin in ('https://a.example', 'https://b.example'):
                with self.subTest(origin=origin):
                    status, headers, body = request(server, 'OPTIONS', '/thing', headers={'Origin': origin})
                    self.assertEqual(status, 200, body)
                    self.assertEqual(body, b'')
                    self.assertEqual(headers.get('access-control-allow-origin'), origin)
                    self.assertEqual(headers.get('access-control-allow-methods'), 'GET,OPTIONS')
                    self.assertEqual(headers.get('vary'), 'Origin')
                    status, headers, body = request(server, 'GET', '/thing', headers={'Origin': origin})
                    self.assertEqual(status, 200, body)
                    self.assertEqual(body_json(body), {'thing': 1})
                    self.assertEqual(headers.get('access-control-allow-origin'), origin)
            status, headers, _ = request(server, 'OPTIONS', '/thing', headers={'Origin': 'https://evil.example'})
            self.assertEqual(status, 200)
            self.assertNotIn('access-control-allow-origin', headers)
            status, headers, _ = request(server, 'GET', '/thing')
            self.assertNotIn('access-control-allow-origin', headers)


if __name__ == '__main__':
    unittest.main()
