"""API Gateway authorizers and API keys, end to end: real Python functions as
TOKEN and REQUEST Lambda authorizers (allow, deny, Unauthorized, broken
output, context into a template and into a proxy event, result caching),
Cognito user pool and JWT tokens (unsigned with the start-up warning, signed
against a JWKS file, expired, wrong issuer, scopes), API keys with usage
plans (403, 429 rate, 429 quota)."""
import base64
import json
import os
import subprocess
import tempfile
import time
import unittest

from harness import Streamer, StackDir

HERE = os.path.dirname(os.path.abspath(__file__))
FUNCTIONS = os.path.join(HERE, 'fixtures', 'authorizers')
JWT_KEYS = os.path.join(HERE, '..', 'fixtures', 'jwt')
POOL_ARN = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool1'
POOL_ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool1'

GOLD_KEY = 'gold-key-0123456789abcdef'
QUOTA_KEY = 'quota-key-0123456789abcd'
OFF_KEY = 'disabled-key-0123456789ab'
OAS_KEY = 'oas-key-0123456789abcdefg'
LOOSE_KEY = 'loose-key-0123456789abcd'

CONTEXT_TEMPLATE = ('{"principal": "$context.authorizer.principalId", '
                    '"tier": "$context.authorizer.tier", "level": "$context.authorizer.level", '
                    '"admin": "$context.authorizer.admin"}')
CLAIMS_TEMPLATE = ('{"sub": "$context.authorizer.claims.sub", '
                   '"email": "$context.authorizer.claims.email", '
                   '"groups": "$context.authorizer.claims[\'cognito:groups\']"}')


def mock_route(template, **extra):
    route = {
        'integration': 'mock',
        'requestTemplates': {'application/json': '{"statusCode": 200}'},
        'responses': [{'status': 200, 'templates': {'application/json': template}}],
    }
    route.update(extra)
    return route


def stack_yaml(calls_file, jwks):
    fn = lambda handler, env=True: dict(
        {'runtime': 'python3.12', 'handler': handler, 'code': FUNCTIONS},
        **({'environment': {'CALLS_FILE': calls_file}} if env else {}))
    stack = {
        'name': 'auth',
        'functions': {
            'TokenAuth': fn('app.token'),
            'RequestAuth': fn('app.request'),
            'Echo': fn('app.echo', env=False),
        },
        'apiKeys': {
            'Gold': {'value': GOLD_KEY},
            'Quota': {'value': QUOTA_KEY},
            'Off': {'value': OFF_KEY, 'enabled': False},
            'Oas': {'value': OAS_KEY},
            'Loose': {'value': LOOSE_KEY},  # in no usage plan
        },
        'usagePlans': {
            # A tiny refill rate: the third quick request is throttled whatever the machine's speed.
            'Fast': {'apis': [{'api': 'web'}], 'rate': 0.001, 'burst': 2, 'apiKeys': ['Gold']},
            'Small': {'apis': [{'api': 'web'}], 'quota': {'limit': 3, 'period': 'DAY'}, 'apiKeys': ['Quota']},
            'OasPlan': {'apis': [{'api': 'oas'}], 'quota': {'limit': 2, 'period': 'MONTH'}, 'apiKeys': ['Oas']},
        },
        'apis': {
            'oas': {'stage': 'v2', 'openapi': 'api.json'},
            'web': {
                'stage': 'prod',
                'authorizers': {
                    'Tok': {'type': 'TOKEN', 'function': 'TokenAuth', 'ttl': 300},
                    'TokNoCache': {'type': 'TOKEN', 'function': 'TokenAuth', 'ttl': 0},
                    'Req': {'type': 'REQUEST', 'function': 'RequestAuth', 'ttl': 300,
                            'identitySource': 'method.request.header.X-User, method.request.querystring.tenant'},
                    'Pool': {'type': 'COGNITO_USER_POOLS', 'userPoolArns': [POOL_ARN]},
                    'PoolSigned': {'type': 'COGNITO_USER_POOLS', 'userPoolArns': [POOL_ARN], 'jwksFile': jwks},
                    'Jwt': {'type': 'JWT', 'issuer': 'https://issuer.example', 'audiences': ['api://one'],
                            'jwksFile': jwks},
                },
                'routes': {
                    'GET /token/{id}': mock_route(CONTEXT_TEMPLATE, authorizer='Tok'),
                    'POST /token/{id}': mock_route(CONTEXT_TEMPLATE, authorizer='Tok'),
                    'GET /nocache': mock_route(CONTEXT_TEMPLATE, authorizer='TokNoCache'),
                    'GET /request': {'integration': 'lambda:Echo', 'authorizer': 'Req'},
                    'GET /pool': mock_route(CLAIMS_TEMPLATE, authorizer='Pool'),
                    'GET /pool/scoped': mock_route(CLAIMS_TEMPLATE, authorizer='Pool', scopes=['links/write']),
                    'GET /signed': mock_route(CLAIMS_TEMPLATE, authorizer='PoolSigned'),
                    'GET /jwt': mock_route('{"iss": "$context.authorizer.claims.iss"}', authorizer='Jwt'),
                    'GET /keyed/fast': mock_route('{"ok": true}', apiKeyRequired=True),
                    'GET /keyed/quota': mock_route('{"ok": true}', apiKeyRequired=True),
                    'GET /keyed/any': mock_route('{"ok": true}', apiKeyRequired=True),
                },
            },
        },
    }
    return json.dumps(stack, indent=1)  # JSON is YAML


LAMBDA_URI = ('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/'
              'arn:aws:lambda:us-east-1:000000000000:function:{}/invocations')


def openapi_doc(jwks):
    """The same authorizers written as API Gateway imports them (OpenAPI 2.0)."""
    mock = lambda template: {
        'type': 'mock',
        'requestTemplates': {'application/json': '{"statusCode": 200}'},
        'responses': {'default': {'statusCode': '200', 'responseTemplates': {'application/json': template}}},
    }
    return {
        'swagger': '2.0',
        'info': {'title': 'oas', 'version': '1'},
        'x-amazon-apigateway-api-key-source': 'AUTHORIZER',
        'securityDefinitions': {
            'Tok': {
                'type': 'apiKey', 'name': 'Authorization', 'in': 'header',
                'x-amazon-apigateway-authtype': 'custom',
                'x-amazon-apigateway-authorizer': {
                    'type': 'token', 'authorizerUri': LAMBDA_URI.format('TokenAuth'),
                    'authorizerResultTtlInSeconds': 0,
                },
            },
            'Pool': {
                'type': 'apiKey', 'name': 'Authorization', 'in': 'header',
                'x-amazon-apigateway-authtype': 'cognito_user_pools',
                'x-amazon-apigateway-authorizer': {
                    'type': 'cognito_user_pools', 'providerARNs': [POOL_ARN], 'x-jwks-file': jwks,
                },
            },
            'api_key': {'type': 'apiKey', 'name': 'x-api-key', 'in': 'header'},
        },
        'paths': {
            '/oas/hello': {'get': {
                'security': [{'Tok': []}],
                'x-amazon-apigateway-integration': mock(CONTEXT_TEMPLATE),
            }},
            '/oas/claims': {'get': {
                'security': [{'Pool': []}],
                'x-amazon-apigateway-integration': mock(CLAIMS_TEMPLATE),
            }},
            '/oas/keyed': {'get': {
                'security': [{'Tok': [], 'api_key': []}],
                'x-amazon-apigateway-integration': mock('{"ok": true}'),
            }},
        },
    }


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def make_token(claims, key='rsa_private.pem', kid='test-rsa', signed=True):
    header = {'alg': 'RS256', 'typ': 'JWT', 'kid': kid}
    signing_input = b64url(json.dumps(header).encode()) + '.' + b64url(json.dumps(claims).encode())
    if not signed:
        return signing_input + '.' + b64url(b'not a signature')
    sig = subprocess.run(['openssl', 'dgst', '-sha256', '-sign', os.path.join(JWT_KEYS, key)],
                         input=signing_input.encode(), capture_output=True, check=True).stdout
    return signing_input + '.' + b64url(sig)


def id_claims(**over):
    claims = {'sub': 'user-1', 'iss': POOL_ISSUER, 'token_use': 'id', 'aud': 'client1',
              'email': 'a@example.com', 'cognito:groups': ['admin'], 'exp': int(time.time()) + 3600}
    claims.update(over)
    return claims


class GatewayAuthTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='streamer-auth-')
        cls.calls_file = os.path.join(cls.tmp, 'calls.jsonl')
        jwks = os.path.abspath(os.path.join(JWT_KEYS, 'jwks.json'))
        cls.stack = StackDir(stack_yaml(cls.calls_file, jwks), files={'api.json': json.dumps(openapi_doc(jwks))})
        cls.server = Streamer(stack_file=cls.stack.stack_file)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.close()
            cls.stack.remove()

    def calls(self):
        """The authorizer events so far (whole lines only)."""
        try:
            with open(self.calls_file) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        return [json.loads(line) for line in text.split('\n')[:-1]]

    def get(self, path, status, headers=None, method='GET', stage='/prod'):
        got, hdrs, body = self.server.gateway(method, stage + path, headers=headers)
        self.assertEqual(got, status, body)
        return json.loads(body) if body else None

    # ---- Lambda TOKEN authorizer ----

    def test_token_allow_puts_context_into_the_template(self):
        out = self.get('/token/1', 200, {'Authorization': 'allow-ann'})
        self.assertEqual(out, {'principal': 'ann', 'tier': 'gold', 'level': '3', 'admin': 'false'})
        event = [c for c in self.calls() if c.get('authorizationToken') == 'allow-ann'][0]
        self.assertEqual(event['type'], 'TOKEN')
        self.assertTrue(event['methodArn'].startswith('arn:aws:execute-api:'))
        self.assertTrue(event['methodArn'].endswith('/prod/GET/token/1'), event['methodArn'])

    def test_token_missing_is_401_without_a_call(self):
        before = len(self.calls())
        self.assertEqual(self.get('/token/1', 401), {'message': 'Unauthorized'})
        self.assertEqual(len(self.calls()), before)

    def test_token_deny_is_403(self):
        self.assertEqual(self.get('/token/1', 403, {'Authorization': 'deny'}),
                         {'message': 'User is not authorized to access this resource with an explicit deny'})

    def test_token_unauthorized_error_is_401(self):
        self.assertEqual(self.get('/token/1', 401, {'Authorization': 'unauthorized'}), {'message': 'Unauthorized'})

    def test_token_other_failures_are_500(self):
        for tok in ('broken', 'badcontext', 'explode'):
            got, hdrs, body = self.server.gateway('GET', '/prod/token/1', headers={'Authorization': tok})
            self.assertEqual(got, 500, (tok, body))
            # AWS's AUTHORIZER_CONFIGURATION_ERROR body has a null message.
            self.assertEqual(json.loads(body), {'message': None}, (tok, body))
            self.assertEqual(hdrs.get('x-amzn-ErrorType'), 'AuthorizerConfigurationException', (tok, body))

    def test_token_cache_ttl_and_policy_per_resource(self):
        tok = 'own-token/5'
        before = len([c for c in self.calls() if c.get('authorizationToken') == tok])
        self.assertEqual(before, 0)
        self.get('/token/5', 200, {'Authorization': tok})
        self.get('/token/5', 200, {'Authorization': tok})
        # The cached policy allows GET /token/5 only: another resource and method are denied, from the cache.
        self.get('/token/6', 403, {'Authorization': tok})
        self.get('/token/5', 403, {'Authorization': tok}, method='POST')
        self.assertEqual(len([c for c in self.calls() if c.get('authorizationToken') == tok]), 1)

    def test_ttl_zero_calls_every_time(self):
        tok = 'allow-nocache'
        for _ in range(3):
            self.get('/nocache', 200, {'Authorization': tok})
        self.assertEqual(len([c for c in self.calls() if c.get('authorizationToken') == tok]), 3)

    # ---- Lambda REQUEST authorizer ----

    def test_request_authorizer_event_context_and_cache(self):
        out = self.get('/request?tenant=t1', 200, {'X-User': 'alice'})
        auth = out['authorizer']
        self.assertEqual(auth['principalId'], 'alice')
        self.assertEqual(auth['tenant'], 't1')
        self.assertEqual(auth['path'], '/request')
        self.get('/request?tenant=t1', 200, {'X-User': 'alice'})
        events = [c for c in self.calls() if c.get('type') == 'REQUEST']
        self.assertEqual(len(events), 1)
        e = events[0]
        self.assertEqual(e['httpMethod'], 'GET')
        self.assertEqual(e['resource'], '/request')
        self.assertEqual(e['queryStringParameters'], {'tenant': 't1'})
        self.assertEqual(e['multiValueQueryStringParameters'], {'tenant': ['t1']})
        self.assertTrue(e['methodArn'].endswith('/prod/GET/request'))
        # Another identity: called again, and denied.
        self.get('/request?tenant=t2', 403, {'X-User': 'alice'})
        # A missing identity source (caching on): 401 without a call.
        n = len(self.calls())
        self.get('/request', 401, {'X-User': 'alice'})
        self.assertEqual(len(self.calls()), n)

    # ---- Cognito user pools and JWT ----

    def test_start_up_warns_about_unchecked_signatures(self):
        text = self.server.stdout_text() + self.server.stderr_tail(100000)
        self.assertIn('authorizer Pool: token signatures are not checked (local development); '
                      'set jwksFile to check them', text)
        self.assertNotIn('authorizer PoolSigned: token signatures are not checked', text)

    def test_cognito_unsigned_token_claims_into_the_template(self):
        token = make_token(id_claims(), signed=False)
        out = self.get('/pool', 200, {'Authorization': token})
        self.assertEqual(out, {'sub': 'user-1', 'email': 'a@example.com', 'groups': 'admin'})

    def test_cognito_missing_expired_wrong_issuer(self):
        self.assertEqual(self.get('/pool', 401), {'message': 'Unauthorized'})
        expired = make_token(id_claims(exp=int(time.time()) - 10), signed=False)
        self.assertEqual(self.get('/pool', 401, {'Authorization': expired}),
                         {'message': 'The incoming token has expired'})
        other = make_token(id_claims(iss='https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other'), signed=False)
        self.assertEqual(self.get('/pool', 401, {'Authorization': other}), {'message': 'Unauthorized'})
        self.get('/pool', 401, {'Authorization': 'not-a-jwt'})

    def test_cognito_scopes(self):
        access = {'sub': 'user-1', 'iss': POOL_ISSUER, 'token_use': 'access', 'client_id': 'client1',
                  'scope': 'openid links/write', 'exp': int(time.time()) + 3600}
        self.get('/pool/scoped', 200, {'Authorization': make_token(access, signed=False)})
        access['scope'] = 'openid links/read'
        self.get('/pool/scoped', 401, {'Authorization': make_token(access, signed=False)})

    def test_signed_tokens_checked_against_the_jwks(self):
        self.get('/signed', 200, {'Authorization': make_token(id_claims())})
        self.get('/signed', 200, {'Authorization': 'Bearer ' + make_token(id_claims())})
        self.get('/signed', 401, {'Authorization': make_token(id_claims(), signed=False)})
        self.get('/signed', 401, {'Authorization': make_token(id_claims(), key='other_rsa_private.pem')})

    def test_jwt_authorizer_issuer_and_audience(self):
        good = {'iss': 'https://issuer.example', 'aud': 'api://one', 'exp': int(time.time()) + 60}
        self.assertEqual(self.get('/jwt', 200, {'Authorization': 'Bearer ' + make_token(good)}),
                         {'iss': 'https://issuer.example'})
        self.get('/jwt', 401, {'Authorization': make_token(dict(good, aud='api://two'))})
        self.get('/jwt', 401, {'Authorization': make_token(dict(good, iss='https://evil.example'))})

    # ---- API keys and usage plans ----

    def test_api_key_missing_unknown_disabled_unplanned_is_403(self):
        for headers in ({}, {'x-api-key': 'unknown-key-0123456789ab'}, {'x-api-key': OFF_KEY},
                        {'x-api-key': LOOSE_KEY}, {'x-api-key': OAS_KEY}):  # OAS_KEY: a plan of another API
            self.assertEqual(self.get('/keyed/any', 403, headers), {'message': 'Forbidden'})

    def test_rate_and_burst_429(self):
        self.get('/keyed/fast', 200, {'x-api-key': GOLD_KEY})
        self.get('/keyed/fast', 200, {'x-api-key': GOLD_KEY})
        self.assertEqual(self.get('/keyed/fast', 429, {'x-api-key': GOLD_KEY}), {'message': 'Too Many Requests'})

    def test_quota_429(self):
        for _ in range(3):
            self.get('/keyed/quota', 200, {'x-api-key': QUOTA_KEY})
        self.assertEqual(self.get('/keyed/quota', 429, {'x-api-key': QUOTA_KEY}), {'message': 'Limit Exceeded'})


    # ---- The same, from an OpenAPI file ----

    def test_openapi_token_authorizer(self):
        out = self.get('/oas/hello', 200, {'Authorization': 'allow-oas'}, stage='/v2')
        self.assertEqual(out['principal'], 'oas')
        self.get('/oas/hello', 403, {'Authorization': 'deny'}, stage='/v2')
        self.get('/oas/hello', 401, stage='/v2')

    def test_openapi_cognito_authorizer(self):
        out = self.get('/oas/claims', 200, {'Authorization': make_token(id_claims())}, stage='/v2')
        self.assertEqual(out['sub'], 'user-1')
        self.get('/oas/claims', 401, {'Authorization': make_token(id_claims(), signed=False)}, stage='/v2')

    def test_openapi_api_key_from_the_authorizer(self):
        # apiKeySource AUTHORIZER: the key is the authorizer's usageIdentifierKey, not x-api-key.
        self.assertEqual(self.get('/oas/keyed', 403, {'Authorization': 'allow-nokey', 'x-api-key': OAS_KEY},
                                  stage='/v2'), {'message': 'Forbidden'})
        for _ in range(2):
            self.get('/oas/keyed', 200, {'Authorization': 'key-' + OAS_KEY}, stage='/v2')
        self.assertEqual(self.get('/oas/keyed', 429, {'Authorization': 'key-' + OAS_KEY}, stage='/v2'),
                         {'message': 'Limit Exceeded'})


if __name__ == '__main__':
    unittest.main()
