"""The `streamer` process itself: CLI, /health, signals and persistence, startup errors,
the AWS port's dispatch."""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import zlib

from harness import DEFAULT_BIN, DUMMY_ENV, StackDir, Streamer, StreamerTestCase

BIN = os.environ.get('STREAMER_BIN', DEFAULT_BIN)


def run(*args, timeout=20):
    env = dict(os.environ)
    env.update(DUMMY_ENV)
    return subprocess.run([BIN] + list(args), capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, env=env)


def post(url, body, headers, timeout=10):
    req = urllib.request.Request(url, data=body, method='POST', headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


class CliTest(unittest.TestCase):

    def test_version(self):
        res = run('--version')
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertRegex(res.stdout.strip(), r'^\d+\.\d+\.\d+')

    def test_help(self):
        res = run('--help')
        self.assertEqual(res.returncode, 0, res.stderr)
        self.assertIn('serve', res.stdout)
        res = run('serve', '--help')
        self.assertEqual(res.returncode, 0, res.stderr)
        for option in ('--data', '--port', '--gateway-port', '--durability'):
            self.assertIn(option, res.stdout)

    def test_usage_errors(self):
        for args in ([], ['bogus'], ['serve', '--port', '70000'], ['serve', '--durability', 'x'],
                     ['serve', '--no-such-flag']):
            with self.subTest(args=args):
                res = run(*args)
                self.assertEqual(res.returncode, 2, res.stderr)
                self.assertIn('--help', res.stderr)

    def test_missing_stack_file(self):
        res = run('serve', '/nonexistent/stack.yaml', '--port', '0', '--gateway-port', '0')
        self.assertNotEqual(res.returncode, 0)
        self.assertIn('/nonexistent/stack.yaml', res.stderr)

    def test_bad_stack_file(self):
        tmp = tempfile.mkdtemp(prefix='streamer-bad-stack-')
        try:
            cases = {
                'view.yaml': ('tables:\n  Foo:\n    partitionKey: id\n    stream: NEW\n',
                              r'view\.yaml:4:\d+: tables\.Foo\.stream: unknown view type'),
                'syntax.yaml': ('tables: [\n', r'syntax\.yaml:\d+:\d+: .*YAML'),
                'key.yaml': ('tablez: {}\n', r'key\.yaml:1:\d+: .*tablez'),
                'mapping.yaml': ('functions:\n  F: {handler: log}\nevents:\n'
                                 '  - {function: F, table: Missing}\n', r'mapping\.yaml:\d+:\d+:'),
            }
            for name, (text, pattern) in cases.items():
                with self.subTest(name=name):
                    path = os.path.join(tmp, name)
                    with open(path, 'w') as f:
                        f.write(text)
                    res = run('serve', path, '--data', os.path.join(tmp, 'data'), '--port', '0',
                              '--gateway-port', '0')
                    self.assertNotEqual(res.returncode, 0)
                    self.assertRegex(res.stderr, pattern)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def test_data_dir_is_a_file(self):
        with tempfile.NamedTemporaryFile() as f:
            res = run('serve', '--data', f.name, '--port', '0', '--gateway-port', '0')
            self.assertNotEqual(res.returncode, 0)
            self.assertIn(f.name, res.stderr)


class PortAndDataConflictTest(unittest.TestCase):

    def test_port_in_use(self):
        with socket.socket() as sock:
            sock.bind(('0.0.0.0', 0))
            sock.listen()
            busy = sock.getsockname()[1]
            data = tempfile.mkdtemp(prefix='streamer-port-')
            try:
                for flag in ('--port', '--gateway-port'):
                    with self.subTest(flag=flag):
                        other = '--gateway-port' if flag == '--port' else '--port'
                        res = run('serve', '--data', data, flag, str(busy), other, '0')
                        self.assertNotEqual(res.returncode, 0)
                        self.assertIn(str(busy), res.stderr)
                        self.assertIn('in use', res.stderr)
            finally:
                shutil.rmtree(data, ignore_errors=True)

    def test_data_dir_in_use(self):
        with Streamer() as first:
            res = run('serve', '--data', first.data_dir, '--port', '0', '--gateway-port', '0',
                      timeout=30)
            self.assertNotEqual(res.returncode, 0)
            self.assertIn(first.data_dir, res.stderr)
            self.assertIn('in use by another streamer', res.stderr)
            self.assertTrue(first.healthy())

    def test_stack_table_conflicts_with_data(self):
        tmp = tempfile.mkdtemp(prefix='streamer-conflict-')
        try:
            a = os.path.join(tmp, 'a.yaml')
            b = os.path.join(tmp, 'b.yaml')
            with open(a, 'w') as f:
                f.write('tables:\n  Shared:\n    partitionKey: pk\n    stream: NEW_IMAGE\n')
            with open(b, 'w') as f:
                f.write('tables:\n  Shared:\n    partitionKey: other\n    stream: NEW_IMAGE\n')
            s = Streamer(stack_file=a, data_dir=os.path.join(tmp, 'data'))
            try:
                s.start()
                s.stop()
            finally:
                s.close()
            res = run('serve', b, '--data', os.path.join(tmp, 'data'), '--port', '0',
                      '--gateway-port', '0')
            self.assertNotEqual(res.returncode, 0)
            self.assertIn('Shared', res.stderr)
            self.assertIn('key schema', res.stderr)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class HealthAndDispatchTest(StreamerTestCase):


    def test_health(self):
        with urllib.request.urlopen(self.server.endpoint + '/health', timeout=5) as resp:
            self.assertEqual(resp.status, 200)
            self.assertEqual(json.loads(resp.read()), {'status': 'ok'})
        with urllib.request.urlopen(self.server.endpoint + '/health?probe=1', timeout=5) as resp:
            self.assertEqual(resp.status, 200)
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(self.server.endpoint + '/nothing-here', timeout=5)
        self.assertEqual(cm.exception.code, 404)

    def aws_post(self, body, target=None):
        headers = {'Content-Type': 'application/x-amz-json-1.0'}
        if target:
            headers['X-Amz-Target'] = target
        return post(self.server.endpoint + '/', body, headers)

    def test_missing_target(self):
        status, headers, body = self.aws_post(b'{}')
        self.assertEqual(status, 400)
        self.assertTrue(json.loads(body)['__type'].endswith('UnknownOperationException'), body)

    def test_unknown_targets(self):
        for target in ('DynamoDB_20120810.Nope', 'DynamoDBStreams_20120810.Nope',
                       'Kinesis_20131202.ListStreams', 'DynamoDB_20120810'):
            with self.subTest(target=target):
                status, _, body = self.aws_post(b'{}', target)
                self.assertEqual(status, 400)
                self.assertTrue(json.loads(body)['__type'].endswith('UnknownOperationException'))

    def test_malformed_bodies(self):
        for target in ('DynamoDB_20120810.ListTables', 'DynamoDBStreams_20120810.ListStreams'):
            for body in (b'{', b'[]', b'not json'):
                with self.subTest(target=target, body=body):
                    status, _, out = self.aws_post(body, target)
                    self.assertEqual(status, 400)
                    self.assertTrue(json.loads(out)['__type'].endswith('SerializationException'),
                                    out)
        self.assertTrue(self.server.healthy())

    def test_crc32_header(self):
        status, headers, body = self.aws_post(b'{}', 'DynamoDB_20120810.ListTables')
        self.assertEqual(status, 200)
        self.assertEqual(int(headers['x-amz-crc32']), zlib.crc32(body))
        self.assertEqual(headers['Content-Type'], 'application/x-amz-json-1.0')
        self.assertIn('x-amzn-RequestId', headers)

    def test_gateway_port_does_not_serve_aws_apis(self):
        status, _, body = post(self.server.gateway_url + '/', b'{}',
                               {'X-Amz-Target': 'DynamoDB_20120810.ListTables'})
        self.assertEqual(status, 403)


class SignalTest(unittest.TestCase):

    def check_signal(self, sig):
        s = Streamer()
        try:
            s.start()
            ddb = s.client('dynamodb')
            ddb.put_item(TableName='TheDynamoStreamer', Item={'message': {'S': 'kept-%d' % sig}})
            status, _, _ = s.gateway('POST', '/InsertItem', json={'message': 'gw-%d' % sig})
            self.assertEqual(status, 200)
            s.wait_for_output(r'gw-%d' % sig)
            s.proc.send_signal(sig)
            code = s.proc.wait(15)
            self.assertEqual(code, 0, s.stderr_tail())
            out = s.stdout_text()
            self.assertIn('shutting down', out)
            self.assertIn('stopped', out)
            s.start()
            ddb = s.client('dynamodb')
            for key in ('kept-%d' % sig, 'gw-%d' % sig):
                item = ddb.get_item(TableName='TheDynamoStreamer', Key={'message': {'S': key}})
                self.assertIn('Item', item, key)
            # The seed mapping starts at LATEST, but a restart resumes from its checkpoint:
            # nothing delivered before is delivered again.
            time.sleep(0.3)
            self.assertEqual(s.handler_events(), [])
            s.stop()
        finally:
            s.close()

    def test_sigterm(self):
        self.check_signal(signal.SIGTERM)

    def test_sigint(self):
        self.check_signal(signal.SIGINT)

    def test_sigterm_with_a_function_that_always_fails(self):
        with StackDir('tables:\n  Fails:\n    partitionKey: pk\n    stream: KEYS_ONLY\n'
                      'functions:\n  Bad:\n    exec: "exit 3"\n'
                      'events:\n  - {function: Bad, table: Fails}\n') as stack:
            s = Streamer(stack_file=stack.stack_file)
            try:
                s.start()
                s.client('dynamodb').put_item(TableName='Fails', Item={'pk': {'S': 'x'}})
                deadline = time.monotonic() + 10
                while 'failed' not in s.stderr_tail() and time.monotonic() < deadline:
                    time.sleep(0.05)
                self.assertIn('failed', s.stderr_tail())
                started = time.monotonic()
                self.assertEqual(s.stop(timeout=10), 0)
                self.assertLess(time.monotonic() - started, 5)
            finally:
                s.close()

    def test_sigterm_does_not_wait_for_a_long_running_function(self):
        """Shutdown cancels the batch in flight instead of waiting up to the function's
        timeout; the batch was not checkpointed, so it is delivered again after a restart."""
        with StackDir('tables:\n  Slow:\n    partitionKey: pk\n    stream: KEYS_ONLY\n'
                      'functions:\n  Sleeper:\n    exec: "sleep 6"\n    timeout: 60\n'
                      'events:\n  - {function: Sleeper, table: Slow}\n') as stack:
            s = Streamer(stack_file=stack.stack_file)
            try:
                s.start()
                s.client('dynamodb').put_item(TableName='Slow', Item={'pk': {'S': 'x'}})
                time.sleep(0.5)  # the function is running now
                started = time.monotonic()
                self.assertEqual(s.stop(timeout=20), 0)
                self.assertLess(time.monotonic() - started, 3)
            finally:
                s.close()

if __name__ == '__main__':
    unittest.main()
