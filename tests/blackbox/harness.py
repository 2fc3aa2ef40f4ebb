"""Black-box test harness: runs the real `streamer` binary and talks to it with real clients.

Usage (stdlib unittest, boto3, AWS CLI):

    from harness import Streamer

    with Streamer() as s:                       # default seed stack, fresh temp data dir
        ddb = s.client('dynamodb')
        ddb.list_tables()
        rc, out, err = s.aws('dynamodb', 'list-tables')
        s.gateway('POST', '/InsertItem', json={'message': 'hello'})
        s.wait_for_output(r'\\[DynamoLambdaHandler\\] request: .*hello', timeout=10)
        s.kill9(); s.restart()                  # same data dir, same ports

Environment:
    STREAMER_BIN        binary to run (default build/release/streamer of this checkout)
    STREAMER_KEEP_LOGS  if set, temp dirs (data and logs) are kept after the test

Only the standard library plus boto3/botocore (and requests, optional) are used.
"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import textwrap
import time
import unittest
import urllib.error
import urllib.request

DEFAULT_BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'build', 'release', 'streamer')

# Dummy credentials: the server accepts any; these keep clients away from real config.
DUMMY_ENV = {
    'AWS_ACCESS_KEY_ID': 'AKIDSTREAMERTEST',
    'AWS_SECRET_ACCESS_KEY': 'streamer-test-secret',
    'AWS_SESSION_TOKEN': '',
    'AWS_DEFAULT_REGION': 'us-east-1',
    'AWS_REGION': 'us-east-1',
    'AWS_PAGER': '',
    'AWS_MAX_ATTEMPTS': '1',
    'AWS_CONFIG_FILE': '/nonexistent/streamer-test-aws-config',
    'AWS_SHARED_CREDENTIALS_FILE': '/nonexistent/streamer-test-aws-credentials',
}


def free_port():
    """A port the kernel considers free right now (bind to 0, read it, release it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class StreamerError(AssertionError):
    """The server did not behave (failed to start, wrong exit code, output never appeared)."""


class Streamer:
    """One `streamer serve` process with its own ports, data dir and captured output.

    Ports and data dir stay the same across restart()/kill9(), so durability can be tested.
    """

    def __init__(self, stack_file=None, data_dir=None, durability=None, port=None,
                 gateway_port=None, extra_args=(), env=None, binary=None,
                 health_timeout=30.0):
        self.binary = binary or os.environ.get('STREAMER_BIN', DEFAULT_BIN)
        self.stack_file = stack_file
        self.durability = durability
        self.extra_args = list(extra_args)
        self.env = dict(env or {})
        self.health_timeout = health_timeout
        self._owned_dirs = []
        if data_dir is None:
            data_dir = tempfile.mkdtemp(prefix='streamer-data-')
            self._owned_dirs.append(data_dir)
        self.data_dir = data_dir
        self.log_dir = tempfile.mkdtemp(prefix='streamer-logs-')
        self._owned_dirs.append(self.log_dir)
        self.stdout_path = os.path.join(self.log_dir, 'stdout.log')
        self.stderr_path = os.path.join(self.log_dir, 'stderr.log')
        self._fixed_ports = port is not None or gateway_port is not None
        self.port = port or free_port()
        self.gateway_port = gateway_port or free_port()
        self.proc = None
        self._killed = False
        self.starts = 0
        # Offset into stdout.log where the current process's output begins.
        self._stdout_start = 0
        self._clients = {}

    # ----- lifecycle -------------------------------------------------------------------

    @property
    def endpoint(self):
        return 'http://127.0.0.1:%d' % self.port

    @property
    def gateway_url(self):
        return 'http://127.0.0.1:%d' % self.gateway_port

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def command(self):
        cmd = [self.binary, 'serve']
        if self.stack_file:
            cmd.append(str(self.stack_file))
        cmd += ['--data', self.data_dir, '--port', str(self.port),
                '--gateway-port', str(self.gateway_port)]
        if self.durability:
            cmd += ['--durability', self.durability]
        return cmd + self.extra_args

    def start(self):
        """Start the process and wait for GET /health == 200. Returns seconds to healthy."""
        if self.proc and self.proc.poll() is None:
            raise StreamerError('streamer already running (pid %d)' % self.proc.pid)
        if not os.path.exists(self.binary):
            raise StreamerError('streamer binary not found: %s (set STREAMER_BIN)' % self.binary)
        attempts = 1 if (self._fixed_ports or self.starts) else 3
        for attempt in range(attempts):
            try:
                return self._start_once()
            except StreamerError as err:
                # A fresh instance may lose a port race with another process; retry on new ports.
                if attempt + 1 < attempts and 'address' in str(err).lower():
                    self.port, self.gateway_port = free_port(), free_port()
                    continue
                raise

    def _start_once(self):
        env = dict(os.environ)
        env.update(DUMMY_ENV)
        env.update(self.env)
        with open(self.stdout_path, 'ab') as out:
            self._stdout_start = out.tell()
        with open(self.stdout_path, 'ab') as out, open(self.stderr_path, 'ab') as err:
            err.write(('\n=== start #%d: %s\n' % (self.starts + 1, ' '.join(self.command()))).encode())
            err.flush()
            started = time.monotonic()
            self.proc = subprocess.Popen(self.command(), stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, env=env)
        self.starts += 1
        self._killed = False
        deadline = started + self.health_timeout
        while time.monotonic() < deadline:
            code = self.proc.poll()
            if code is not None:
                raise StreamerError('streamer exited with %s before becoming healthy; stderr:\n%s'
                                    % (code, self.stderr_tail()))
            if self.healthy():
                return time.monotonic() - started
            time.sleep(0.01)
        self._kill()
        raise StreamerError('streamer not healthy after %.0fs; stderr:\n%s'
                            % (self.health_timeout, self.stderr_tail()))

    def healthy(self):
        try:
            with urllib.request.urlopen(self.endpoint + '/health', timeout=1) as resp:
                return resp.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def stop(self, timeout=15.0, check=True):
        """SIGTERM and wait. With check=True, a non-zero exit (or a hang) is a StreamerError.

        Returns the exit code (None if it had to be killed)."""
        if not self.proc:
            return None
        if self._killed:
            return self.proc.returncode  # kill9() was deliberate; its -9 is not a failure
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._kill()
                if check:
                    raise StreamerError('streamer ignored SIGTERM for %.0fs; killed it' % timeout)
                return None
        code = self.proc.returncode
        if check and code != 0:
            raise StreamerError('streamer exited with %s after SIGTERM; stderr:\n%s'
                                % (code, self.stderr_tail()))
        return code

    def kill9(self):
        """SIGKILL, as a crash would: nothing gets flushed or closed cleanly."""
        self._killed = True
        self._kill()

    def _kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def restart(self, kill=False):
        """Stop (cleanly, or with SIGKILL if kill=True) and start again on the same data and ports."""
        if kill:
            self.kill9()
        else:
            self.stop()
        self._clients.clear()
        return self.start()

    def close(self):
        try:
            if self.proc and self.proc.poll() is None:
                self.stop(check=False)
        finally:
            if not os.environ.get('STREAMER_KEEP_LOGS'):
                for path in self._owned_dirs:
                    shutil.rmtree(path, ignore_errors=True)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    # ----- output ----------------------------------------------------------------------

    def stdout_text(self, since=None):
        """Captured stdout; by default only the current process's (since its last start)."""
        start = self._stdout_start if since is None else since
        try:
            with open(self.stdout_path, 'rb') as f:
                f.seek(start)
                return f.read().decode('utf-8', 'replace')
        except FileNotFoundError:
            return ''

    def stdout_mark(self):
        """An offset to pass as `since` to wait_for_output: only output after this call counts."""
        try:
            return os.path.getsize(self.stdout_path)
        except FileNotFoundError:
            return 0

    def stderr_tail(self, chars=4000):
        try:
            with open(self.stderr_path, 'rb') as f:
                data = f.read()
            return data[-chars:].decode('utf-8', 'replace')
        except FileNotFoundError:
            return ''

    def wait_for_output(self, regex, timeout=10.0, since=None, count=1):
        """Wait until `regex` (re.MULTILINE) matches `count` times in captured stdout.

        Returns the list of match objects if count > 1, else the single match."""
        pattern = re.compile(regex, re.MULTILINE)
        deadline = time.monotonic() + timeout
        while True:
            matches = list(pattern.finditer(self.stdout_text(since)))
            if len(matches) >= count:
                return matches[:count] if count > 1 else matches[0]
            if time.monotonic() >= deadline:
                raise StreamerError('output %r seen %d/%d times within %.1fs; stdout tail:\n%s'
                                    % (regex, len(matches), count, timeout,
                                       self.stdout_text(since)[-3000:]))
            if self.proc and self.proc.poll() is not None:
                # One last scan already happened above; the process cannot print more.
                raise StreamerError('streamer exited (%s) while waiting for %r; stderr:\n%s'
                                    % (self.proc.returncode, regex, self.stderr_tail()))
            time.sleep(0.02)

    def handler_events(self, function='DynamoLambdaHandler', since=None):
        """Parsed events from `[<function>] request: {...}` lines in captured stdout."""
        prefix = '[%s] request: ' % function
        events = []
        for line in self.stdout_text(since).splitlines():
            if line.startswith(prefix):
                events.append(json.loads(line[len(prefix):]))
        return events

    # ----- clients ---------------------------------------------------------------------

    def client(self, service='dynamodb', **config):
        """A boto3 client for this server: dummy creds, us-east-1, no retries."""
        import boto3
        from botocore.config import Config
        cfg = Config(retries={'max_attempts': 1}, connect_timeout=config.pop('connect_timeout', 5),
                     read_timeout=config.pop('read_timeout', 30), **config)
        return boto3.session.Session().client(
            service, endpoint_url=self.endpoint, region_name='us-east-1',
            aws_access_key_id=DUMMY_ENV['AWS_ACCESS_KEY_ID'],
            aws_secret_access_key=DUMMY_ENV['AWS_SECRET_ACCESS_KEY'], config=cfg)

    def aws(self, *args, input=None, timeout=60):
        """Run the real AWS CLI against this server: returns (rc, JSON or text, stderr)."""
        cmd = ['aws'] + [str(a) for a in args] + ['--endpoint-url', self.endpoint,
                                                  '--output', 'json']
        env = dict(os.environ)
        env.update(DUMMY_ENV)
        res = subprocess.run(cmd, input=input, capture_output=True, text=True, env=env,
                             timeout=timeout)
        out = res.stdout
        if out.strip():
            try:
                out = json.loads(out)
            except ValueError:
                pass
        return res.returncode, out, res.stderr

    def gateway(self, method, path, json=None, data=None, headers=None, timeout=30):
        """One HTTP request to the API gateway port. Returns (status, headers, body bytes)."""
        body = data
        hdrs = dict(headers or {})
        if json is not None:
            body = _json_dumps(json).encode()
            hdrs.setdefault('Content-Type', 'application/json')
        if isinstance(body, str):
            body = body.encode()
        req = urllib.request.Request(self.gateway_url + path, data=body, method=method,
                                     headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, dict(resp.headers), resp.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()


def _json_dumps(value):
    return json.dumps(value, separators=(',', ':'))


class StackDir:
    """A temp folder holding a stack file (dedented) and any files its functions need."""

    def __init__(self, stack_yaml, files=None, prefix='streamer-stack-'):
        self.dir = tempfile.mkdtemp(prefix=prefix)
        for name, text in (files or {}).items():
            self.write(name, text)
        self.stack_file = self.write('stack.yaml', stack_yaml)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(text))
        return path

    def path(self, name):
        return os.path.join(self.dir, name)

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class StreamerTestCase(unittest.TestCase):
    """Base class: one server for the whole class (setUpClass), stopped cleanly at the end.

    Set `stack_file` (and `durability`) on the subclass; `self.server` is the Streamer."""

    stack_file = None
    durability = None
    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = Streamer(stack_file=cls.stack_file, durability=cls.durability)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.server:
                cls.server.stop(check=True)  # a clean shutdown is part of every test class
        finally:
            if cls.server:
                cls.server.close()
            super().tearDownClass()
