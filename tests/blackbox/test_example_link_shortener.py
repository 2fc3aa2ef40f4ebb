"""examples/link-shortener end to end: the example's stack file and OpenAPI document served as
they are; every route driven over HTTP with Cognito-shaped ID tokens (unsigned: the example
configures no JWKS file), the table checked with boto3. Bad bodies, missing or expired tokens
and another owner's changes are answered as API Gateway answers them and change nothing."""
import base64
import json
import os
import time
import unittest

from harness import Streamer

EXAMPLE = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                                       'examples', 'link-shortener', 'stack.yaml'))
POOL = 'us-east-1_Links'
ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/' + POOL
ALICE = 'alice@example.com'
BOB = 'bob@example.com'


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b'=').decode()


def id_token(email, expires_in=3600, **extra):
    """A Cognito user pool ID token's shape: header.payload.signature, base64url."""
    now = int(time.time())
    header = {'kid': 'test-key', 'alg': 'RS256'}
    claims = {'sub': 'sub-' + email.split('@')[0], 'email_verified': True, 'iss': ISSUER,
              'cognito:username': email.split('@')[0], 'aud': 'links-client', 'token_use': 'id',
              'auth_time': now - 60, 'iat': now - 60, 'exp': now + expires_in,
              'jti': 'jti-' + email, 'email': email}
    claims.update(extra)
    return '.'.join([b64url(json.dumps(header).encode()), b64url(json.dumps(claims).encode()),
                     b64url(b'not-a-real-signature')])


class LinkShortenerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Streamer(stack_file=EXAMPLE)
        cls.server.start()
        cls.ddb = cls.server.client('dynamodb')

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.close()

    # ----- helpers -----------------------------------------------------------------------

    def call(self, method, path, user=None, token=None, **kw):
        headers = dict(kw.pop('headers', {}))
        if user:
            headers['Authorization'] = id_token(user)
        if token is not None:
            headers['Authorization'] = token
        return self.server.gateway(method, path, headers=headers, **kw)

    def json_call(self, method, path, expect, user=None, **kw):
        status, headers, body = self.call(method, path, user=user, **kw)
        self.assertEqual(status, expect, body)
        return headers, json.loads(body)

    def item(self, link_id):
        item = self.ddb.get_item(TableName='Links', Key={'id': {'S': link_id}},
                                 ConsistentRead=True).get('Item')
        return None if item is None else {k: v['S'] for k, v in item.items()}

    def all_items(self):
        items = self.ddb.scan(TableName='Links', ConsistentRead=True)['Items']
        return sorted(({k: v['S'] for k, v in i.items()} for i in items), key=lambda i: i['id'])

    def create(self, link_id, url, user=ALICE):
        return self.json_call('POST', '/app', 200, user=user, json={'id': link_id, 'url': url})[1]

    def assert_unchanged(self, before):
        self.assertEqual(self.all_items(), before)

    # ----- create ------------------------------------------------------------------------

    def test_create_writes_the_link_with_its_owner(self):
        headers_doc = self.json_call('POST', '/app', 200, user=ALICE,
                                     json={'id': 'docs', 'url': 'https://example.com/docs?q=1'})
        headers, doc = headers_doc
        self.assertEqual(headers.get('Access-Control-Allow-Origin'), '*')
        self.assertEqual(doc['id'], 'docs')
        self.assertEqual(doc['url'], 'https://example.com/docs?q=1')
        self.assertEqual(doc['owner'], ALICE)
        # $context.requestTime: dd/MMM/yyyy:HH:mm:ss +0000
        self.assertRegex(doc['created'], r'^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$')
        self.assertEqual(self.item('docs'), {'id': 'docs', 'url': 'https://example.com/docs?q=1',
                                             'owner': ALICE, 'created': doc['created']})

    def test_a_taken_id_answers_200_with_an_error_and_keeps_the_first(self):
        first = self.create('taken', 'https://example.com/first')
        status, headers, body = self.call('POST', '/app', user=BOB,
                                          json={'id': 'taken', 'url': 'https://example.com/second'})
        self.assertEqual(status, 200, body)  # 400 from DynamoDB, overridden by the template
        self.assertEqual(json.loads(body), {'error': True, 'message': 'This link id is taken'})
        self.assertEqual(headers.get('Access-Control-Allow-Origin'), '*')
        self.assertEqual(self.item('taken'), {'id': 'taken', 'url': 'https://example.com/first',
                                              'owner': ALICE, 'created': first['created']})

    def test_bad_bodies_are_refused_by_the_validator(self):
        self.create('valid-one', 'https://example.com/')
        before = self.all_items()
        bad = [
            {'id': 'x1', 'url': 'not a url'},
            {'id': 'x2', 'url': 'ftp://example.com/file'},
            {'id': 'x3', 'url': 'https://example.com/"quoted"'},
            {'id': 'x4', 'url': 'https://' + 'a' * 2100 + '.com'},
            {'id': 'x5'},
            {'url': 'https://example.com/'},
            {'id': 'has space', 'url': 'https://example.com/'},
            {'id': '', 'url': 'https://example.com/'},
            {'id': 7, 'url': 'https://example.com/'},
            {'id': 'x6', 'url': ['https://example.com/']},
            [],
            'just a string',
        ]
        for body in bad:
            with self.subTest(body=body):
                headers, doc = self.json_call('POST', '/app', 400, user=ALICE, json=body)
                self.assertEqual(doc, {'message': 'Invalid request body'})
                self.assertEqual(headers.get('Access-Control-Allow-Origin'), '*')
        for raw in (b'{"id": "x7", "url": ', b'', b'\xff\xfe'):
            with self.subTest(raw=raw):
                status, _, body = self.call('POST', '/app', user=ALICE, data=raw,
                                            headers={'Content-Type': 'application/json'})
                self.assertEqual(status, 400, body)
                self.assertEqual(json.loads(body), {'message': 'Invalid request body'})
        self.assert_unchanged(before)

    # ----- authorizer --------------------------------------------------------------------

    def test_tokens_missing_expired_or_garbled_are_401_and_write_nothing(self):
        self.create('auth-check', 'https://example.com/')
        before = self.all_items()
        body = {'id': 'intruder', 'url': 'https://example.com/'}
        cases = {
            'missing': None,
            'expired': id_token(ALICE, expires_in=-600),
            'not a jwt': 'Bearer nonsense',
            'bad base64': 'a.b.c',
            'wrong issuer': id_token(ALICE, iss='https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other'),
        }
        for name, token in cases.items():
            for method, path, kw in (('POST', '/app', {'json': body}), ('GET', '/app', {}),
                                     ('PUT', '/app/auth-check', {'json': {'url': 'https://evil.example/'}}),
                                     ('DELETE', '/app/auth-check', {})):
                with self.subTest(token=name, method=method):
                    status, headers, text = self.call(method, path, token=token, **kw)
                    self.assertEqual(status, 401, text)
                    self.assertIn('message', json.loads(text))
                    self.assertEqual(headers.get('Access-Control-Allow-Origin'), '*')
        status, _, text = self.call('GET', '/app')
        self.assertEqual(json.loads(text), {'message': 'Unauthorized'})
        self.assert_unchanged(before)

    # ----- list --------------------------------------------------------------------------

    def test_list_shows_only_the_callers_links_through_the_gsi(self):
        carol, dave = 'carol@example.com', 'dave@example.org'
        self.create('c-1', 'https://example.com/c1', user=carol)
        self.create('c-2', 'https://example.com/c2#top', user=carol)
        self.create('d-1', 'https://example.org/d1', user=dave)
        headers, links = self.json_call('GET', '/app', 200, user=carol)
        self.assertEqual(headers.get('Access-Control-Allow-Origin'), '*')
        self.assertEqual(sorted((l['id'], l['url'], l['owner']) for l in links),
                         [('c-1', 'https://example.com/c1', carol),
                          ('c-2', 'https://example.com/c2#top', carol)])
        self.assertEqual([l['id'] for l in self.json_call('GET', '/app', 200, user=dave)[1]], ['d-1'])
        self.assertEqual(self.json_call('GET', '/app', 200, user='nobody@example.com')[1], [])

    # ----- redirect ----------------------------------------------------------------------

    def test_redirect_is_a_301_to_the_url_without_a_token(self):
        self.create('go', 'https://example.com/target?x=1&y=2')
        status, headers, _ = self.call('GET', '/go')
        self.assertEqual(status, 301)
        self.assertEqual(headers.get('Location'), 'https://example.com/target?x=1&y=2')

    def test_redirect_of_an_unknown_id_is_404(self):
        for link_id in ('no-such-link', 'quote%22d', 'x' * 300):
            with self.subTest(link_id=link_id[:20]):
                status, headers, body = self.call('GET', '/' + link_id)
                self.assertEqual(status, 404, body)
                self.assertNotIn('Location', headers)
                self.assertEqual(json.loads(body), {'message': 'No link with this id'})

    # ----- update ------------------------------------------------------------------------

    def test_owner_updates_the_url(self):
        created = self.create('upd', 'https://example.com/old')
        _, doc = self.json_call('PUT', '/app/upd', 200, user=ALICE,
                                json={'url': 'https://example.com/new'})
        self.assertEqual(doc, {'id': 'upd', 'url': 'https://example.com/new', 'owner': ALICE,
                               'created': created['created']})
        self.assertEqual(self.item('upd')['url'], 'https://example.com/new')
        status, headers, _ = self.call('GET', '/upd')
        self.assertEqual((status, headers.get('Location')), (301, 'https://example.com/new'))

    def test_another_owner_cannot_update_and_nothing_changes(self):
        self.create('mine', 'https://example.com/mine')
        before = self.all_items()
        headers, doc = self.json_call('PUT', '/app/mine', 400, user=BOB,
                                      json={'url': 'https://evil.example/'})
        self.assertEqual(doc, {'error': True, 'message': 'No such link of yours'})
        self.assertEqual(headers.get('Access-Control-Allow-Origin'), '*')
        # A link that does not exist is not created by an update.
        self.json_call('PUT', '/app/never-created', 400, user=ALICE,
                       json={'url': 'https://example.com/'})
        for body in ({'url': 'javascript:alert(1)'}, {}, {'url': 5}):
            with self.subTest(body=body):
                _, doc = self.json_call('PUT', '/app/mine', 400, user=ALICE, json=body)
                self.assertEqual(doc, {'message': 'Invalid request body'})
        self.assert_unchanged(before)

    # ----- delete ------------------------------------------------------------------------

    def test_delete_by_another_owner_fails_then_the_owner_deletes(self):
        self.create('del', 'https://example.com/del')
        before = self.all_items()
        headers, doc = self.json_call('DELETE', '/app/del', 400, user=BOB)
        self.assertEqual(doc, {'error': True, 'message': 'No such link of yours'})
        self.assert_unchanged(before)
        self.assertEqual(self.json_call('DELETE', '/app/del', 200, user=ALICE)[1],
                         {'id': 'del', 'deleted': True})
        self.assertIsNone(self.item('del'))
        self.assertEqual(self.call('GET', '/del')[0], 404)
        self.json_call('DELETE', '/app/del', 400, user=ALICE)  # already gone

    # ----- CORS --------------------------------------------------------------------------

    def test_preflights_answer_cors_headers_without_a_token(self):
        for path, methods in (('/app', 'GET,POST,OPTIONS'), ('/app/anything', 'PUT,DELETE,OPTIONS')):
            with self.subTest(path=path):
                status, headers, _ = self.call('OPTIONS', path, headers={
                    'Origin': 'https://client.example', 'Access-Control-Request-Method': 'POST',
                    'Access-Control-Request-Headers': 'authorization,content-type'})
                self.assertEqual(status, 200)
                self.assertEqual(headers.get('Access-Control-Allow-Origin'), '*')
                self.assertEqual(headers.get('Access-Control-Allow-Methods'), methods)
                self.assertEqual(headers.get('Access-Control-Allow-Headers'),
                                 'Authorization,Content-Type')

    def test_routes_not_in_the_api_are_403_missing_authentication_token(self):
        for method, path in (('PATCH', '/app'), ('GET', '/app/x/y'), ('POST', '/go')):
            with self.subTest(method=method, path=path):
                status, headers, body = self.call(method, path, user=ALICE)
                self.assertEqual(status, 403, body)
                self.assertEqual(json.loads(body), {'message': 'Missing Authentication Token'})


if __name__ == '__main__':
    unittest.main()
