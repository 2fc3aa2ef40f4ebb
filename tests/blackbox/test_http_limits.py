"""Hostile input at the HTTP layer, against a real `streamer serve`, with raw sockets.

- descriptors: more connections than `ulimit -n` allows must not exhaust the
  process's descriptors (the store needs them): the cap refuses the surplus.
- memory: many connections each sending most of a 15 MB body must not make
  the process hold them all (a global budget for bodies in flight).
- transfer codings other than chunked get 501, nothing processed.
- chunk extensions and trailers count against the header limit (431).
"""

import json
import os
import socket
import stat
import tempfile
import time
import unittest

from harness import DEFAULT_BIN, Streamer, StreamerTestCase

TABLE = 'TheDynamoStreamer'  # the seed stack's table, partition key "message" (S)
MiB = 1024 * 1024


def connect(port, timeout=10):
    sock = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock, timeout=10):
    """(status, headers dict lower-cased, body bytes) of one response, or None on EOF/reset."""
    sock.settimeout(timeout)
    data = b''
    try:
        while b'\r\n\r\n' not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, rest = data.partition(b'\r\n\r\n')
        lines = head.decode('latin-1').split('\r\n')
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(':')
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get('content-length', '0'))
        while len(rest) < length:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            rest += chunk
        return status, headers, rest[:length]
    except (ConnectionResetError, BrokenPipeError):
        return None


def closed_by_server(sock, timeout=5):
    """True when the server closes the connection (EOF or reset) within the timeout."""
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def aws_head(target, length=None, extra=''):
    head = ('POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n'
            'X-Amz-Target: DynamoDB_20120810.%s\r\n' % target)
    if length is not None:
        head += 'Content-Length: %d\r\n' % length
    return (head + extra + '\r\n').encode()


def put_body(message):
    return json.dumps({'TableName': TABLE, 'Item': {'message': {'S': message}}}).encode()


def chunked(body, pieces=4, extension=''):
    step = max(1, len(body) // pieces)
    out = b''
    for i in range(0, len(body), step):
        part = body[i:i + step]
        out += ('%x%s\r\n' % (len(part), extension)).encode() + part + b'\r\n'
    return out


def rss_bytes(pid):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    raise AssertionError('no VmRSS for pid %d' % pid)


def open_fds(pid):
    return len(os.listdir('/proc/%d/fd' % pid))


class TransferCodingAndHeaderLimitTest(StreamerTestCase):
    def request(self, data):
        with connect(self.server.port) as sock:
            sock.sendall(data)
            res = read_response(sock)
            self.assertIsNotNone(res, 'no response')
            closed = res[1].get('connection', '').lower() == 'close' and closed_by_server(sock)
            return res, closed

    def item(self, message):
        got = self.server.client().get_item(TableName=TABLE, Key={'message': {'S': message}})
        return got.get('Item')

    def test_plain_chunked_is_processed(self):
        (status, _, body), _ = self.request(
            aws_head('PutItem', extra='Transfer-Encoding: chunked\r\n') + chunked(put_body('te-ok')) + b'0\r\n\r\n')
        self.assertEqual(status, 200, body)
        self.assertIsNotNone(self.item('te-ok'))

    def test_gzip_chunked_gets_501_and_nothing_is_written(self):
        for coding in ('gzip, chunked', 'deflate,chunked', 'chunked, chunked'):
            with self.subTest(coding=coding):
                key = 'te-' + coding.replace(' ', '').replace(',', '-')
                (status, headers, body), closed = self.request(
                    aws_head('PutItem', extra='Transfer-Encoding: %s\r\n' % coding) +
                    chunked(put_body(key)) + b'0\r\n\r\n')
                self.assertEqual(status, 501, body)
                self.assertTrue(json.loads(body)['__type'].endswith('#NotImplementedException'), body)
                self.assertTrue(closed)
                self.assertIsNone(self.item(key))

    def test_chunk_extensions_count_against_the_header_limit(self):
        body = put_body('ext-small')
        (status, _, text), _ = self.request(
            aws_head('PutItem', extra='Transfer-Encoding: chunked\r\n') +
            chunked(body, pieces=8, extension=';a=b') + b'0;last=1\r\n\r\n')
        self.assertEqual(status, 200, text)
        # 20 chunks with 1 KB of extensions each: 20 KB, over the 16 KB header limit.
        body = put_body('ext-huge')
        (status, _, text), closed = self.request(
            aws_head('PutItem', extra='Transfer-Encoding: chunked\r\n') +
            chunked(body, pieces=20, extension=';x=' + 'y' * 1024) + b'0\r\n\r\n')
        self.assertEqual(status, 431, text)
        self.assertTrue(closed)
        self.assertIsNone(self.item('ext-huge'))

    def test_one_endless_chunk_line_is_refused_early(self):
        with connect(self.server.port) as sock:
            # 256 KiB of one chunk extension, never a CRLF: answered 431 once the
            # read buffer (header limit + one read) is full, not buffered without end.
            sock.sendall(aws_head('PutItem', extra='Transfer-Encoding: chunked\r\n') + b'5;x=' +
                         b'z' * (256 * 1024))
            res = read_response(sock)
            self.assertIsNotNone(res, 'no answer to an endless chunk line')
            self.assertEqual(res[0], 431, res)

    def test_trailers_count_against_the_limit_and_are_not_headers(self):
        # A trailer must not pose as a header: X-Amz-Target only in the trailer.
        head = ('POST / HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-amz-json-1.0\r\n'
                'Transfer-Encoding: chunked\r\n\r\n').encode()
        (status, _, text), _ = self.request(
            head + chunked(put_body('trailer-target')) +
            b'0\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\n\r\n')
        self.assertEqual(status, 400, text)
        self.assertIn('UnknownOperationException', text.decode())
        self.assertIsNone(self.item('trailer-target'))
        trailers = ''.join('X-T%d: %s\r\n' % (i, 'v' * 1000) for i in range(20)).encode()
        (status, _, text), closed = self.request(
            aws_head('PutItem', extra='Transfer-Encoding: chunked\r\n') +
            chunked(put_body('trailer-huge')) + b'0\r\n' + trailers + b'\r\n')
        self.assertEqual(status, 431, text)
        self.assertTrue(closed)
        self.assertIsNone(self.item('trailer-huge'))


class DescriptorLimitTest(unittest.TestCase):
    """`ulimit -n 256` and 300 idle connections: the store keeps its descriptors."""

    LIMIT = 256

    def setUp(self):
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft < 1024 and (hard == resource.RLIM_INFINITY or hard >= 1024):
            resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))
        binary = os.environ.get('STREAMER_BIN', DEFAULT_BIN)
        self.wrapper_dir = tempfile.mkdtemp(prefix='streamer-ulimit-')
        self.wrapper = os.path.join(self.wrapper_dir, 'streamer')
        with open(self.wrapper, 'w') as f:
            f.write('#!/bin/sh\nulimit -n %d || exit 97\nexec "%s" "$@"\n' % (self.LIMIT, os.path.abspath(binary)))
        os.chmod(self.wrapper, stat.S_IRWXU)
        self.server = Streamer(binary=self.wrapper)
        self.server.start()
        self.sockets = []

    def tearDown(self):
        for s in self.sockets:
            s.close()
        try:
            self.server.stop(check=True)
        finally:
            self.server.close()
            os.unlink(self.wrapper)
            os.rmdir(self.wrapper_dir)

    def put(self, sock, message):
        body = put_body(message)
        sock.sendall(aws_head('PutItem', len(body)) + body)
        res = read_response(sock)
        self.assertIsNotNone(res)
        return res

    def test_connections_over_the_limit_are_refused_and_writes_go_on(self):
        pid = self.server.pid
        keeper = connect(self.server.port)  # opened before the flood, kept alive
        self.sockets.append(keeper)
        self.assertEqual(self.put(keeper, 'before')[0], 200)
        refused = 0
        for i in range(300):
            port = self.server.port if i % 2 else self.server.gateway_port  # the cap spans both ports
            self.sockets.append(connect(port))
        time.sleep(1.0)
        fds = open_fds(pid)
        self.assertLess(fds, self.LIMIT - 32, 'the server holds %d descriptors of %d' % (fds, self.LIMIT))
        for s in self.sockets[1:]:
            s.settimeout(0.05)
            try:
                data = s.recv(4096)
                if not data or b' 503 ' in data.split(b'\r\n')[0]:
                    refused += 1
            except socket.timeout:
                pass
            except ConnectionResetError:
                refused += 1
        self.assertGreater(refused, 100, 'connections over the cap must be refused at once')
        # While the idle connections are open, writes still get descriptors.
        self.assertEqual(self.put(keeper, 'during')[0], 200)
        for s in self.sockets:
            s.close()
        self.sockets = []
        time.sleep(0.5)
        ddb = self.server.client()
        ddb.put_item(TableName=TABLE, Item={'message': {'S': 'after'}})
        for key in ('before', 'during', 'after'):
            self.assertIn('Item', ddb.get_item(TableName=TABLE, Key={'message': {'S': key}}), key)
        log = self.server.stderr_tail(100000)
        self.assertEqual(log.count('refusing new connections'), 1, log)
        self.assertTrue(self.server.healthy())


class BodyBudgetTest(unittest.TestCase):
    """40 connections each sending 15 MB of an unfinished body."""

    def setUp(self):
        self.server = Streamer()
        self.server.start()
        self.sockets = []

    def tearDown(self):
        for s in self.sockets:
            s.close()
        try:
            self.server.stop(check=True)
        finally:
            self.server.close()

    def test_unfinished_bodies_cannot_take_the_memory(self):
        pid = self.server.pid
        ddb = self.server.client()
        ddb.put_item(TableName=TABLE, Item={'message': {'S': 'warm-up'}})
        before = rss_bytes(pid)
        length = 15 * MiB
        piece = b'{' * MiB
        for _ in range(40):
            sock = connect(self.server.port)
            self.sockets.append(sock)
            sock.sendall(aws_head('BatchWriteItem', length))
            try:
                for _ in range(length // MiB - 1):  # all but the last MiB: never finished
                    sock.sendall(piece)
            except (ConnectionResetError, BrokenPipeError, socket.timeout):
                pass  # refused: answered 503 and closed after a while
        time.sleep(0.5)
        grown = rss_bytes(pid) - before
        self.assertLess(grown, 160 * MiB, 'RSS grew by %d MiB' % (grown // MiB))
        # Small requests still fit beside the held bodies ...
        ddb.put_item(TableName=TABLE, Item={'message': {'S': 'during-attack'}})
        # ... a large one is answered 503 at once, in DynamoDB's shape, without its body.
        with connect(self.server.port) as sock:
            sock.sendall(aws_head('BatchWriteItem', 8 * MiB))
            status, headers, body = read_response(sock)
            self.assertEqual(status, 503, body)
            self.assertTrue(json.loads(body)['__type'].endswith('#ServiceUnavailableException'), body)
        # The attackers gone, the budget is back.
        for s in self.sockets:
            s.close()
        self.sockets = []
        time.sleep(0.5)
        with connect(self.server.port) as sock:
            sock.sendall(aws_head('BatchWriteItem', 8 * MiB) + b'{' * (8 * MiB))
            status, _, body = read_response(sock, timeout=30)
            self.assertEqual(status, 400, body)  # a bad body, no longer over budget
        self.assertIn('Item', ddb.get_item(TableName=TABLE, Key={'message': {'S': 'during-attack'}}))


if __name__ == '__main__':
    unittest.main()
