"""Request validation end to end: an OpenAPI 3 API with x-amazon-apigateway-request-validators,
JSON-schema models (pattern, enum, required, a $ref to another model), required query string and
header parameters; AWS's exact 400 answers, and nothing reaching the table when they are given."""

import http.client
import json
import unittest

from harness import StackDir, Streamer

STACK = """
name: validation-test
tables:
  Links:
    partitionKey: id
apis:
  LinksApi:
    stage: prod
    openapi: api.yaml
"""

# Kept as YAML text as a user writes it; the validators by name, one default for the API.
OPENAPI = r"""
openapi: 3.0.1
info: {title: links, version: '1'}
x-amazon-apigateway-request-validators:
  all:
    validateRequestBody: true
    validateRequestParameters: true
  params-only:
    validateRequestBody: false
    validateRequestParameters: true
  body-only:
    validateRequestBody: true
    validateRequestParameters: false
x-amazon-apigateway-gateway-responses:
  BAD_REQUEST_PARAMETERS:
    statusCode: 400
    responseTemplates:
      application/json: '{"error":"$context.error.message","kind":"params"}'
paths:
  /links:
    post:
      x-amazon-apigateway-request-validator: all
      parameters:
        - {name: owner, in: query, required: true, schema: {type: string}}
        - {name: X-Tenant, in: header, required: true, schema: {type: string}}
        - {name: note, in: query, required: false, schema: {type: string}}
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Link'}
      responses:
        '200': {description: ok}
      x-amazon-apigateway-integration:
        type: aws
        httpMethod: POST
        uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
        passthroughBehavior: never
        requestTemplates:
          application/json: >-
            {"TableName":"Links","Item":{"id":{"S":"$input.path('$.id')"},
            "url":{"S":"$input.path('$.url')"},"owner":{"S":"$input.params('owner')"}}}
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: '{"created":true}'
  /checked:
    post:
      x-amazon-apigateway-request-validator: body-only
      parameters:
        - {name: owner, in: query, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Link'}
      responses:
        '200': {description: ok}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: '{"mock":true}'
  /loose:
    post:
      x-amazon-apigateway-request-validator: params-only
      parameters:
        - {name: owner, in: query, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Link'}
      responses:
        '200': {description: ok}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates:
          application/json: '{"statusCode": 200}'
        responses:
          default:
            statusCode: '200'
            responseTemplates:
              application/json: '{"mock":true}'
components:
  schemas:
    Link:
      type: object
      required: [id, url]
      additionalProperties: false
      properties:
        id: {type: string, pattern: '^[a-z0-9-]{3,20}$'}
        url: {type: string, pattern: '^https?://[^\s/$.?#].[^\s]*$', maxLength: 200}
        kind: {type: string, enum: [permanent, temporary]}
        tags:
          type: array
          maxItems: 3
          uniqueItems: true
          items: {$ref: '#/components/schemas/Tag'}
    Tag:
      type: string
      minLength: 1
      maxLength: 10
"""

GOOD = {'id': 'abc-1', 'url': 'https://example.com/a', 'kind': 'permanent', 'tags': ['x', 'y']}
PARAMS = '?owner=me'
HEADERS = {'X-Tenant': 't1'}


class GatewayValidationTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.stack = StackDir(STACK, files={'api.yaml': OPENAPI})
        cls.server = Streamer(stack_file=cls.stack.stack_file)
        cls.server.start()
        cls.ddb = cls.server.client('dynamodb')

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.close()
            cls.stack.remove()

    def items(self):
        return self.ddb.scan(TableName='Links', ConsistentRead=True)['Items']

    def post(self, path, body, headers=None, content_type='application/json'):
        hdrs = dict(HEADERS if headers is None else headers)
        if content_type:
            hdrs['Content-Type'] = content_type
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        if isinstance(data, str):
            data = data.encode()
        # http.client sends exactly these headers (urllib would add a form Content-Type).
        conn = http.client.HTTPConnection('127.0.0.1', self.server.gateway_port, timeout=30)
        try:
            conn.request('POST', path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def assert_answer(self, response, status, body):
        got_status, headers, got_body = response
        self.assertEqual(got_status, status, got_body)
        self.assertEqual(json.loads(got_body), body)
        ctype = {k.lower(): v for k, v in headers.items()}.get('content-type', '')
        self.assertTrue(ctype.startswith('application/json'), headers)

    def assert_invalid_body(self, response):
        self.assert_answer(response, 400, {'message': 'Invalid request body'})

    def test_valid_request_reaches_the_table(self):
        body = dict(GOOD, id='valid-1')
        status, _, out = self.post('/prod/links' + PARAMS, body)
        self.assertEqual(status, 200, out)
        item = self.ddb.get_item(TableName='Links', Key={'id': {'S': 'valid-1'}},
                                 ConsistentRead=True).get('Item')
        self.assertEqual(item, {'id': {'S': 'valid-1'}, 'url': {'S': GOOD['url']},
                                'owner': {'S': 'me'}})

    def test_invalid_bodies_answer_400_and_write_nothing(self):
        before = self.items()
        bad = [
            {'url': 'https://example.com'},                              # id missing (required)
            dict(GOOD, id='AB'),                                         # pattern
            dict(GOOD, id='ok-id', url='example.com'),                   # pattern (no scheme)
            dict(GOOD, id='ok-id', kind='forever'),                      # enum
            dict(GOOD, id='ok-id', extra=1),                             # additionalProperties
            dict(GOOD, id='ok-id', tags=['a', 'a']),                     # uniqueItems
            dict(GOOD, id='ok-id', tags=['a', 'b', 'c', 'd']),           # maxItems
            dict(GOOD, id='ok-id', tags=['much-too-long-tag']),          # the Tag model's maxLength
            dict(GOOD, id='ok-id', tags=['']),                           # the Tag model's minLength
            dict(GOOD, id=12345),                                        # type
            dict(GOOD, id='ok-id', url='https://e.com/' + 'x' * 200),    # maxLength
            ['not', 'an', 'object'],
            'null',
        ]
        for body in bad:
            with self.subTest(body=body):
                self.assert_invalid_body(self.post('/prod/links' + PARAMS, body))
        for raw in ['{"id": "abc-2", "url": ', 'not json', '{"id":"abc-3","url":"https://e.com"} x', '']:
            with self.subTest(raw=raw):
                self.assert_invalid_body(self.post('/prod/links' + PARAMS, raw))
        self.assertEqual(self.items(), before)

    def test_no_content_type_is_validated_as_json(self):
        before = self.items()
        self.assert_invalid_body(self.post('/prod/links' + PARAMS, {'id': 'x'}, content_type=None))
        self.assertEqual(self.items(), before)

    def test_missing_parameters_use_the_gateway_response_template(self):
        before = self.items()
        # Both missing: one answer naming both (headers first, then the query string).
        self.assert_answer(self.post('/prod/links', GOOD, headers={}), 400,
                           {'error': 'Missing required request parameters: [X-Tenant, owner]',
                            'kind': 'params'})
        # A blank value is missing too; the header name matches in any case.
        self.assert_answer(self.post('/prod/links?owner=', GOOD, headers={'x-tenant': 't'}), 400,
                           {'error': 'Missing required request parameters: [owner]',
                            'kind': 'params'})
        # Parameters are checked before the body: a bad body with a missing parameter.
        self.assert_answer(self.post('/prod/links', 'not json', headers=HEADERS), 400,
                           {'error': 'Missing required request parameters: [owner]',
                            'kind': 'params'})
        self.assertEqual(self.items(), before)

    def test_body_only_validator_ignores_parameters(self):
        status, _, out = self.post('/prod/checked', GOOD, headers={})
        self.assertEqual(status, 200, out)
        self.assertEqual(json.loads(out), {'mock': True})
        self.assert_invalid_body(self.post('/prod/checked', {'id': 'x'}, headers={}))

    def test_params_only_validator_ignores_the_body(self):
        status, _, out = self.post('/prod/loose' + PARAMS, {'anything': [1, 2]}, headers={})
        self.assertEqual(status, 200, out)
        self.assert_answer(self.post('/prod/loose', GOOD, headers={}), 400,
                           {'error': 'Missing required request parameters: [owner]',
                            'kind': 'params'})

    def test_content_type_without_a_model_is_not_validated(self):
        # No model for text/plain (and no $default): validation does not apply; the
        # integration's passthrough NEVER then refuses the media type, as AWS does.
        before = self.items()
        status, _, out = self.post('/prod/links' + PARAMS, 'id=x', content_type='text/plain')
        self.assertEqual(status, 415, out)
        self.assertEqual(self.items(), before)


if __name__ == '__main__':
    unittest.main()
