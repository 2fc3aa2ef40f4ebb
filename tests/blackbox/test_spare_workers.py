"""Spare workers: python and node processes started before a function needs them, taken by a
cold start (src/functions/runtime/spare_workers.h). Against the real binary, functions created
with boto3: the function's environment and working directory reach a spare only through its
assignment; a spare serves one function; variables an interpreter reads at start (PYTHONPATH,
NODE_OPTIONS) make the function start its own worker, where they take effect; a spare that
died before its assignment is not used; no process outlives the server (SIGTERM or kill -9)."""

import io
import json
import os
import signal
import stat
import time
import unittest
import zipfile

from harness import Streamer, StreamerTestCase

ROLE = 'arn:aws:iam::000000000000:role/lambda-role'

PY_PROBE = '''
import os, sys, time
def handler(event, context):
    return {"pid": os.getpid(), "env": os.environ.get("ONLY_HERE"), "secret": os.environ.get("SECRET"),
            "cwd": os.getcwd(), "root": os.environ.get("LAMBDA_TASK_ROOT"), "files": sorted(os.listdir(".")),
            "tz": time.strftime("%z", time.localtime(0)), "argv": sys.argv,
            "api": os.environ.get("AWS_LAMBDA_RUNTIME_API")}
'''

NODE_PROBE = '''
const fs = require('fs');
exports.handler = async () => ({
  pid: process.pid, env: process.env.ONLY_HERE ?? null, secret: process.env.SECRET ?? null,
  cwd: process.cwd(), root: process.env.LAMBDA_TASK_ROOT, files: fs.readdirSync('.').sort(),
  tzOffset: new Date(0).getTimezoneOffset(), argv: process.argv,
  preloaded: globalThis.PRELOADED ?? null, api: process.env.AWS_LAMBDA_RUNTIME_API,
});
'''


def make_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o644 | stat.S_IFREG) << 16
            z.writestr(info, text)
    return buf.getvalue()


def proc_stat(pid):
    """(state, ppid) of a process, or None once it is gone."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            text = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(')') + 2:].split()
    return fields[0], int(fields[1])


def cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().split(b'\0')
    except (FileNotFoundError, ProcessLookupError):
        return []


def children(pid):
    out = []
    for name in os.listdir('/proc'):
        if name.isdigit():
            st = proc_stat(int(name))
            if st and st[1] == pid and st[0] != 'Z':
                out.append(int(name))
    return out


def dead(pid):
    st = proc_stat(pid)
    return st is None or st[0] == 'Z'


def wait_for(predicate, timeout=30.0, what='condition'):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError('timed out waiting for %s' % what)


class SpareWorkersTest(StreamerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = cls.server.client('lambda', read_timeout=60)

    workers = set()  # pids that answered an invocation (a used spare keeps its command line)

    def spares(self, runtime):
        """The server's spare processes of a runtime ('python' or 'node') now."""
        marker = b'bootstrap.py' if runtime == 'python' else b'bootstrap.mjs'
        return [p for p in children(self.server.pid) if p not in self.workers and
                b'--spare' in cmdline(p) and any(a.endswith(marker) for a in cmdline(p))]

    def wait_spares(self, runtime):
        """The spares of a runtime once both kept ones are there (the oldest is taken first)."""
        return set(wait_for(lambda: (lambda s: s if len(s) >= 2 else None)(self.spares(runtime)),
                            what='%s spares' % runtime))

    def create(self, name, runtime, files, handler, env=None):
        args = dict(FunctionName=name, Runtime=runtime, Handler=handler, Role=ROLE, Timeout=30,
                    Code={'ZipFile': make_zip(files)})
        if env:
            args['Environment'] = {'Variables': env}
        self.lam.create_function(**args)

    def invoke(self, name):
        r = self.lam.invoke(FunctionName=name, Payload=b'{}', LogType='Tail')
        body = json.loads(r['Payload'].read())
        self.assertNotIn('FunctionError', r, body)
        self.workers.add(body['pid'])
        return body

    def test_python_spare_gets_the_environment_and_cwd_only_through_its_assignment(self):
        self.create('spare-py-env', 'python3.12', {'app.py': PY_PROBE}, 'app.handler',
                    env={'ONLY_HERE': 'py-value', 'TZ': 'Asia/Tokyo'})
        spares = self.wait_spares('python')
        for spare in spares:
            with open('/proc/%d/environ' % spare, 'rb') as f:
                self.assertNotIn(b'ONLY_HERE=py-value', f.read())  # started before the function existed
        got = self.invoke('spare-py-env')
        self.assertIn(got['pid'], spares)  # the cold start took a spare
        spare = got['pid']
        self.assertEqual(got['env'], 'py-value')
        self.assertEqual(os.path.realpath(got['cwd']), os.path.realpath(got['root']))
        self.assertIn('app.py', got['files'])
        self.assertEqual(got['tz'], '+0900')  # TZ applied although the time module was loaded before
        self.assertEqual(len(got['argv']), 1)  # no --spare
        self.assertTrue(got['api'].startswith('127.0.0.1:'))
        self.assertEqual(self.invoke('spare-py-env')['pid'], spare)  # and it stays warm
        self.assertNotIn(spare, self.wait_spares('python'))  # a new spare took its place

    def test_node_spare_gets_the_environment_and_cwd_only_through_its_assignment(self):
        self.create('spare-node-env', 'nodejs20.x', {'index.js': NODE_PROBE}, 'index.handler',
                    env={'ONLY_HERE': 'node-value', 'TZ': 'Asia/Tokyo'})
        spares = self.wait_spares('node')
        got = self.invoke('spare-node-env')
        self.assertIn(got['pid'], spares)
        spare = got['pid']
        self.assertEqual(got['env'], 'node-value')
        self.assertEqual(os.path.realpath(got['cwd']), os.path.realpath(got['root']))
        self.assertIn('index.js', got['files'])
        self.assertEqual(got['tzOffset'], -540)
        self.assertEqual(len(got['argv']), 2)  # node, the bootstrap; no --spare
        self.assertEqual(self.invoke('spare-node-env')['pid'], spare)

    def test_two_functions_of_a_runtime_never_share_a_process(self):
        for runtime, files, handler in (('python3.11', {'app.py': PY_PROBE}, 'app.handler'),
                                        ('nodejs20.x', {'index.js': NODE_PROBE}, 'index.handler')):
            with self.subTest(runtime=runtime):
                a, b = 'share-a-' + runtime[:4], 'share-b-' + runtime[:4]
                self.create(a, runtime, files, handler, env={'SECRET': 'of-a'})
                self.create(b, runtime, files, handler)
                self.wait_spares('python' if runtime.startswith('python') else 'node')
                got_a = self.invoke(a)
                got_b = self.invoke(b)
                self.assertEqual(got_a['secret'], 'of-a')
                self.assertIsNone(got_b['secret'])
                self.assertNotEqual(got_a['pid'], got_b['pid'])
                self.assertEqual(self.invoke(a)['pid'], got_a['pid'])
                self.assertEqual(self.invoke(b)['pid'], got_b['pid'])

    def test_startup_variables_make_the_function_start_its_own_worker(self):
        self.create('own-py', 'python3.12',
                    {'app.py': 'import extra\ndef handler(e, c):\n    import os\n'
                               '    return {"pid": os.getpid(), "extra": extra.VALUE}\n',
                     'lib/extra.py': 'VALUE = "from PYTHONPATH"\n'},
                    'app.handler', env={'PYTHONPATH': 'lib'})
        spares = self.wait_spares('python')
        got = self.invoke('own-py')
        self.assertEqual(got['extra'], 'from PYTHONPATH')
        self.assertNotIn(got['pid'], spares)
        self.assertEqual(spares, set(self.spares('python')))  # none taken
        self.assertIn('its workers start without a spare: PYTHONPATH', self.server.stdout_text())

        self.create('own-node', 'nodejs20.x',
                    {'index.js': NODE_PROBE, 'preload.js': 'globalThis.PRELOADED = "by NODE_OPTIONS";\n'},
                    'index.handler', env={'NODE_OPTIONS': '--require ./preload.js'})
        spares = self.wait_spares('node')
        got = self.invoke('own-node')
        self.assertEqual(got['preloaded'], 'by NODE_OPTIONS')
        self.assertNotIn(got['pid'], spares)
        self.assertEqual(spares, set(self.spares('node')))

    def test_a_spare_that_died_before_its_assignment_is_not_used(self):
        self.create('after-death', 'python3.12', {'app.py': PY_PROBE}, 'app.handler')
        spares = self.wait_spares('python')
        for spare in spares:
            os.kill(spare, signal.SIGKILL)
        for spare in spares:
            wait_for(lambda: dead(spare), what='the spare to die')
        got = self.invoke('after-death')
        self.assertNotIn(got['pid'], spares)  # started for it
        self.assertIsNone(got['secret'])
        for spare in spares:
            wait_for(lambda: proc_stat(spare) is None, what='the dead spare to be reaped')
        self.assertFalse(spares & self.wait_spares('python'))  # replaced


class NoLeftoverProcessesTest(unittest.TestCase):

    def run_functions(self, server):
        lam = server.client('lambda', read_timeout=60)
        for name, runtime, files, handler in (
                ('left-py', 'python3.12', {'app.py': PY_PROBE}, 'app.handler'),
                ('left-node', 'nodejs20.x', {'index.js': NODE_PROBE}, 'index.handler')):
            lam.create_function(FunctionName=name, Runtime=runtime, Handler=handler, Role=ROLE,
                                Timeout=30, Code={'ZipFile': make_zip(files)})
            r = lam.invoke(FunctionName=name, Payload=b'{}')
            self.assertNotIn('FunctionError', r)
        # Two workers and, once started again, two spares of each runtime.
        return wait_for(lambda: (lambda kids: kids if len(kids) >= 6 else None)(children(server.pid)),
                        what='workers and spares')

    def test_nothing_outlives_a_clean_stop(self):
        with Streamer() as server:
            pids = self.run_functions(server)
            server.stop()
            for pid in pids:
                self.assertIsNone(proc_stat(pid), 'process %d outlived the server' % pid)

    def test_nothing_outlives_kill9(self):
        with Streamer() as server:
            pids = self.run_functions(server)
            server.kill9()
            for pid in pids:
                wait_for(lambda: dead(pid), timeout=15, what='process %d to die with the server' % pid)


if __name__ == '__main__':
    unittest.main()
