"""Wire fidelity of the DynamoDB endpoint: x-amzn-RequestId and x-amz-crc32 on every answer
(errors too), gzip request bodies, and AWS's framework errors for unknown operations, missing
targets and bodies that are not JSON."""
import gzip
import http.client
import json
import unittest
import zlib

from conformance import ConformanceCase

TARGET = 'DynamoDB_20120810.'


class WireTest(ConformanceCase):
    def post(self, body, headers):
        """POSTs raw bytes; returns (status, headers (lower-cased names), body bytes)."""
        conn = http.client.HTTPConnection('127.0.0.1', self.server.port, timeout=30)
        try:
            hdrs = {'Content-Type': 'application/x-amz-json-1.0'}
            hdrs.update(headers)
            conn.request('POST', '/', body=body, headers=hdrs)
            res = conn.getresponse()
            return res.status, {k.lower(): v for k, v in res.getheaders()}, res.read()
        finally:
            conn.close()

    def assertAwsHeaders(self, headers, body):
        self.assertRegex(headers.get('x-amzn-requestid', ''), r'^[0-9a-f-]{36}$')
        self.assertEqual(headers.get('x-amz-crc32'), str(zlib.crc32(body) & 0xffffffff))
        self.assertEqual(headers.get('content-type'), 'application/x-amz-json-1.0')

    def test_headers_on_success_and_errors(self):
        t = self.table()
        cases = [
            ('ListTables', b'{}', 200),
            ('DescribeTable', json.dumps({'TableName': t}).encode(), 200),
            ('DescribeTable', b'{"TableName":"no-such-table"}', 400),
            ('GetItem', json.dumps({'TableName': t, 'Key': {'x': {'S': 'a'}}}).encode(), 400),
            ('NoSuchOperation', b'{}', 400),
            ('ListTables', b'not json', 400),
        ]
        for op, body, status in cases:
            with self.subTest(op=op, body=body[:30]):
                got, headers, out = self.post(body, {'X-Amz-Target': TARGET + op})
                self.assertEqual(got, status, out)
                self.assertAwsHeaders(headers, out)

    def test_request_ids_differ(self):
        ids = {self.post(b'{}', {'X-Amz-Target': TARGET + 'ListTables'})[1]['x-amzn-requestid'] for _ in range(3)}
        self.assertEqual(len(ids), 3)

    def test_unknown_operation(self):
        status, headers, out = self.post(b'{}', {'X-Amz-Target': TARGET + 'DropEverything'})
        self.assertEqual((status, json.loads(out)), (400, {'__type': 'com.amazon.coral.service#UnknownOperationException'}))

    def test_missing_or_foreign_target(self):
        for headers in ({}, {'X-Amz-Target': 'ListTables'}, {'X-Amz-Target': 'Kinesis_20131202.ListStreams'}):
            with self.subTest(headers=headers):
                status, h, out = self.post(b'{}', headers)
                self.assertEqual((status, json.loads(out)), (400, {'__type': 'com.amazon.coral.service#UnknownOperationException'}))
                self.assertAwsHeaders(h, out)

    def test_body_that_is_not_json(self):
        for body in (b'not json', b'{"TableName":', b'\xff\xfe'):
            with self.subTest(body=body):
                status, h, out = self.post(body, {'X-Amz-Target': TARGET + 'ListTables'})
                self.assertEqual((status, json.loads(out)), (400, {'__type': 'com.amazon.coral.service#SerializationException'}))
        # Checked before the target (as AWS).
        status, h, out = self.post(b'nope', {})
        self.assertEqual(json.loads(out)['__type'], 'com.amazon.coral.service#SerializationException')

    def test_json_that_is_not_an_object(self):
        status, h, out = self.post(b'[1,2]', {'X-Amz-Target': TARGET + 'ListTables'})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(out)['__type'], 'com.amazon.coral.service#SerializationException')

    def test_gzip_request_bodies(self):
        t = self.table()
        put = json.dumps({'TableName': t, 'Item': {'pk': {'S': 'zipped'}, 'v': {'S': 'x' * 5000}}}).encode()
        status, h, out = self.post(gzip.compress(put), {'X-Amz-Target': TARGET + 'PutItem', 'Content-Encoding': 'gzip'})
        self.assertEqual(status, 200, out)
        self.assertAwsHeaders(h, out)
        self.assertEqual(self.items(t)[0]['v']['S'], 'x' * 5000)
        status, h, out = self.post(gzip.compress(json.dumps({'TableName': t}).encode()),
                                   {'X-Amz-Target': TARGET + 'DescribeTable', 'Content-Encoding': 'GZIP'})
        self.assertEqual((status, json.loads(out)['Table']['ItemCount']), (200, 1))

    def test_bad_gzip_changes_nothing(self):
        t = self.table()
        put = json.dumps({'TableName': t, 'Item': {'pk': {'S': 'a'}}}).encode()
        for body in (b'plainly not gzip', gzip.compress(put)[:-12], gzip.compress(b'not json')):
            with self.subTest(body=body[:20]):
                status, h, out = self.post(body, {'X-Amz-Target': TARGET + 'PutItem', 'Content-Encoding': 'gzip'})
                self.assertEqual((status, json.loads(out)['__type']), (400, 'com.amazon.coral.service#SerializationException'))
                self.assertAwsHeaders(h, out)
        self.assertEqual(self.items(t), [])

    def test_gzip_bomb_is_refused(self):
        bomb = gzip.compress(b'{"TableName":"' + b'a' * (17 * 1024 * 1024) + b'"}')
        status, h, out = self.post(bomb, {'X-Amz-Target': TARGET + 'ListTables', 'Content-Encoding': 'gzip'})
        self.assertEqual(status, 400)
        self.assertTrue(self.server.healthy())

    def test_http_layer_errors_carry_the_headers_too(self):
        # A declared body over the 16 MB limit is refused by the HTTP layer before it is read.
        conn = http.client.HTTPConnection('127.0.0.1', self.server.port, timeout=30)
        try:
            conn.putrequest('POST', '/')
            conn.putheader('X-Amz-Target', TARGET + 'ListTables')
            conn.putheader('Content-Type', 'application/x-amz-json-1.0')
            conn.putheader('Content-Length', str(17 * 1024 * 1024))
            conn.endheaders()
            res = conn.getresponse()
            body = res.read()
            headers = {k.lower(): v for k, v in res.getheaders()}
        finally:
            conn.close()
        self.assertEqual(res.status, 413)
        self.assertEqual(json.loads(body)['__type'], 'com.amazon.coral.service#RequestEntityTooLargeException')
        self.assertAwsHeaders(headers, body)

    def test_streams_endpoint_headers(self):
        status, h, out = self.post(b'{}', {'X-Amz-Target': 'DynamoDBStreams_20120810.ListStreams'})
        self.assertEqual(status, 200)
        self.assertAwsHeaders(h, out)


if __name__ == '__main__':
    unittest.main()
