"""The Lambda REST API on :8000 against the real binary, driven by the AWS CLI and boto3:
functions (create/get/list/update/delete, code unpacked and kept), Invoke, concurrency,
event source mappings that deliver stream records to a function, every validation error
(with nothing changed), and persistence across a clean restart and kill -9.

Functions created through the API are Lambda functions (runtime + handler + zip); until the
Lambda runtimes land, invocations and mappings use the stack's `exec` functions."""

import base64
import io
import json
import os
import stat
import time
import unittest
import zipfile

import botocore.exceptions

import harness
from harness import Streamer, StreamerTestCase

ROLE = 'arn:aws:iam::000000000000:role/lambda-role'

# Appends each event (one JSON line) to $OUT; fails when the event says so.
RECORDER = r'''
import json, os, sys
raw = sys.stdin.read()
event = json.loads(raw)
if isinstance(event, dict) and event.get('fail'):
    print('failing on purpose', file=sys.stderr)
    sys.exit(3)
with open(os.environ['OUT'], 'a') as f:
    f.write(json.dumps(event) + '\n')
    f.flush()
    os.fsync(f.fileno())
print(json.dumps({'got': event}))
'''

STACK = """
name: lambda-api-test
tables:
  LaEvents:
    partitionKey: pk
    stream: NEW_AND_OLD_IMAGES
  LaOther:
    partitionKey: pk
    stream: NEW_IMAGE
  LaNoStream:
    partitionKey: pk
functions:
  Recorder:
    exec: ["python3", "recorder.py"]
    environment: {OUT: events.jsonl}
  Second:
    exec: ["python3", "recorder.py"]
    environment: {OUT: second.jsonl}
  Closed:
    exec: ["python3", "recorder.py"]
    environment: {OUT: closed.jsonl}
    reservedConcurrency: 0
  Declared:
    handler: log
  Slow:
    exec: "sleep 3; cat"
    timeout: 20
    reservedConcurrency: 1
events:
  - function: Declared
    table: LaOther
"""


def make_zip(files, modes=None, symlinks=None):
    """A zip built with Python's zipfile: {name: text}, optional Unix modes and symlinks."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, 'w') as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = ((modes or {}).get(name, 0o644) | stat.S_IFREG) << 16
            z.writestr(info, text)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o777 | stat.S_IFLNK) << 16
            z.writestr(info, target)
    return buf.getvalue()


APP_ZIP = make_zip({'app.py': 'def handler(event, context):\n    return event\n',
                    'bootstrap': '#!/bin/sh\nexec python3 app.py\n',
                    'pkg/mod.py': 'X = 1\n'},
                   modes={'bootstrap': 0o755})


# A `provided.al2023` bootstrap: a Lambda Runtime API client with the standard library only.
# Echoes the event (with $KK), fails with Lambda's error document when the event says "fail",
# and appends each event to $OUT when set.
BOOTSTRAP = r'''#!/usr/bin/env python3
import json, os, sys, urllib.request
base = 'http://%s/2018-06-01/runtime' % os.environ['AWS_LAMBDA_RUNTIME_API']
while True:
    with urllib.request.urlopen(base + '/invocation/next') as r:
        request_id = r.headers['Lambda-Runtime-Aws-Request-Id']
        event = json.loads(r.read())
    print('handling', json.dumps(event)[:200], flush=True)
    if os.environ.get('OUT'):
        with open(os.environ['OUT'], 'a') as f:
            f.write(json.dumps(event) + '\n')
    if isinstance(event, dict) and event.get('fail'):
        path, body = '/error', {'errorMessage': 'failing on purpose', 'errorType': 'Boom', 'stackTrace': []}
    else:
        path, body = '/response', {'echo': event, 'env': os.environ.get('KK'),
                                   'fn': os.environ.get('AWS_LAMBDA_FUNCTION_NAME')}
    req = urllib.request.Request(base + '/invocation/' + request_id + path, data=json.dumps(body).encode(),
                                 method='POST')
    urllib.request.urlopen(req).read()
'''

PROVIDED_ZIP = make_zip({'bootstrap': BOOTSTRAP}, modes={'bootstrap': 0o755})


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(line) for line in f if line.endswith('\n') and line.strip()]  # whole lines only


def wait_for_lines(path, count, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        lines = read_lines(path)
        if len(lines) >= count:
            return lines
        if time.monotonic() > deadline:
            raise AssertionError('%d/%d lines in %s after %.0fs' % (len(lines), count, path, timeout))
        time.sleep(0.05)


def keys_of(lines):
    return [r['dynamodb']['Keys']['pk']['S'] for e in lines for r in e.get('Records', [])]


class LambdaApiTest(StreamerTestCase):

    @classmethod
    def setUpClass(cls):
        cls.stack = harness.StackDir(STACK, files={'recorder.py': RECORDER}, prefix='streamer-la-')
        cls.stack_file = cls.stack.stack_file
        super().setUpClass()
        cls.lam = cls.server.client('lambda')
        cls.ddb = cls.server.client('dynamodb')
        cls.zip_path = cls.stack.path('fn.zip')
        with open(cls.zip_path, 'wb') as f:
            f.write(APP_ZIP)

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.stack.remove()

    # --- helpers ---

    def stream_arn(self, table):
        return self.ddb.describe_table(TableName=table)['Table']['LatestStreamArn']

    def create(self, name, **extra):
        args = dict(FunctionName=name, Runtime='python3.12', Handler='app.handler', Role=ROLE,
                    Code={'ZipFile': APP_ZIP})
        args.update(extra)
        return self.lam.create_function(**args)

    def delete_quietly(self, name):
        try:
            self.lam.delete_function(FunctionName=name)
        except self.lam.exceptions.ResourceNotFoundException:
            pass

    def delete_mapping_quietly(self, uuid):
        try:
            self.lam.delete_event_source_mapping(UUID=uuid)
        except self.lam.exceptions.ResourceNotFoundException:
            pass

    def function_names(self):
        return sorted(f['FunctionName'] for f in self.lam.list_functions()['Functions'])

    def assert_error(self, code, status, call, *args, message=None, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call(*args, **kwargs)
        err = ctx.exception.response
        self.assertEqual(err['Error']['Code'], code, err)
        self.assertEqual(err['ResponseMetadata']['HTTPStatusCode'], status, err)
        if message:
            self.assertIn(message, err['Error']['Message'])
        return err

    def code_root(self, name):
        return os.path.join(self.server.data_dir, 'functions', name)

    # --- functions ---

    def test_cli_create_get_list_update_delete(self):
        name = 'cli-fn'
        self.addCleanup(self.delete_quietly, name)
        rc, out, err = self.server.aws('lambda', 'create-function', '--function-name', name,
                                       '--runtime', 'python3.12', '--handler', 'app.handler',
                                       '--role', ROLE, '--zip-file', 'fileb://' + self.zip_path,
                                       '--timeout', '10', '--memory-size', '256',
                                       '--environment', 'Variables={TABLE=LaEvents}')
        self.assertEqual(rc, 0, err)
        self.assertEqual(out['FunctionName'], name)
        self.assertEqual(out['FunctionArn'], 'arn:aws:lambda:us-east-1:000000000000:function:' + name)
        self.assertEqual(out['Runtime'], 'python3.12')
        self.assertEqual(out['Handler'], 'app.handler')
        self.assertEqual(out['Role'], ROLE)
        self.assertEqual(out['Timeout'], 10)
        self.assertEqual(out['MemorySize'], 256)
        self.assertEqual(out['Version'], '$LATEST')
        self.assertEqual(out['State'], 'Active')
        self.assertEqual(out['PackageType'], 'Zip')
        self.assertEqual(out['CodeSize'], len(APP_ZIP))
        import hashlib
        sha = base64.b64encode(hashlib.sha256(APP_ZIP).digest()).decode()
        self.assertEqual(out['CodeSha256'], sha)
        self.assertEqual(out['Environment'], {'Variables': {'TABLE': 'LaEvents'}})
        self.assertRegex(out['LastModified'], r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$')

        # Code unpacked under the data directory, exec bits kept.
        code_dirs = os.listdir(self.code_root(name))
        self.assertEqual(len(code_dirs), 1)
        code = os.path.join(self.code_root(name), code_dirs[0])
        self.assertEqual(open(os.path.join(code, 'pkg', 'mod.py')).read(), 'X = 1\n')
        self.assertTrue(os.access(os.path.join(code, 'bootstrap'), os.X_OK))
        self.assertFalse(os.access(os.path.join(code, 'app.py'), os.X_OK))

        # Get by name, ARN, partial ARN and with $LATEST.
        for ref in (name, out['FunctionArn'], '000000000000:function:' + name, name + ':$LATEST'):
            rc, got, err = self.server.aws('lambda', 'get-function', '--function-name', ref)
            self.assertEqual(rc, 0, err)
            self.assertEqual(got['Configuration']['CodeSha256'], sha)
        rc, cfg, err = self.server.aws('lambda', 'get-function-configuration', '--function-name', name)
        self.assertEqual(rc, 0, err)
        self.assertEqual(cfg['RevisionId'], out['RevisionId'])
        rc, listed, err = self.server.aws('lambda', 'list-functions')
        self.assertIn(name, [f['FunctionName'] for f in listed['Functions']])

        # New code: a new folder, the old one removed, a new sha and revision.
        new_zip = make_zip({'app.py': 'def handler(e, c):\n    return 2\n'})
        new_path = self.stack.path('fn2.zip')
        with open(new_path, 'wb') as f:
            f.write(new_zip)
        rc, upd, err = self.server.aws('lambda', 'update-function-code', '--function-name', name,
                                       '--zip-file', 'fileb://' + new_path)
        self.assertEqual(rc, 0, err)
        self.assertNotEqual(upd['CodeSha256'], sha)
        self.assertEqual(upd['CodeSize'], len(new_zip))
        self.assertNotEqual(upd['RevisionId'], out['RevisionId'])
        self.assertEqual(len(os.listdir(self.code_root(name))), 1)
        self.assertNotEqual(os.listdir(self.code_root(name))[0], code_dirs[0])

        rc, upd, err = self.server.aws('lambda', 'update-function-configuration', '--function-name', name,
                                       '--timeout', '30', '--description', 'changed',
                                       '--environment', 'Variables={AA=1,BB=2}')
        self.assertEqual(rc, 0, err)
        self.assertEqual((upd['Timeout'], upd['Description'], upd['MemorySize']), (30, 'changed', 256))
        self.assertEqual(upd['Environment'], {'Variables': {'AA': '1', 'BB': '2'}})

        rc, _, err = self.server.aws('lambda', 'delete-function', '--function-name', name)
        self.assertEqual(rc, 0, err)
        self.assertFalse(os.path.exists(self.code_root(name)))
        rc, _, err = self.server.aws('lambda', 'get-function', '--function-name', name)
        self.assertNotEqual(rc, 0)
        self.assertIn('ResourceNotFoundException', err)

    def test_list_functions_pages(self):
        names = ['page-%d' % i for i in range(5)]
        for n in names:
            self.addCleanup(self.delete_quietly, n)
            self.create(n)
        seen, marker = [], None
        while True:
            kw = {'MaxItems': 2}
            if marker:
                kw['Marker'] = marker
            page = self.lam.list_functions(**kw)
            self.assertLessEqual(len(page['Functions']), 2)
            seen += [f['FunctionName'] for f in page['Functions']]
            marker = page.get('NextMarker')
            if not marker:
                break
        self.assertEqual(sorted(seen), sorted(set(seen)), 'a function listed twice')
        for n in names + ['Recorder', 'Declared']:
            self.assertIn(n, seen)
        # The paginator (what the CLI uses) agrees.
        all_names = [f['FunctionName'] for p in self.lam.get_paginator('list_functions').paginate(
            PaginationConfig={'PageSize': 3}) for f in p['Functions']]
        self.assertEqual(sorted(all_names), sorted(seen))

    def test_create_errors_change_nothing(self):
        before = self.function_names()
        bad = [
            ('ValidationException', 400, dict(FunctionName='bad name')),
            ('ValidationException', 400, dict(FunctionName='x' * 65)),
            ('ValidationException', 400, dict(Role='not-a-role')),
            ('ValidationException', 400, dict(Timeout=901)),
            ('ValidationException', 400, dict(MemorySize=10241)),
            ('ValidationException', 400, dict(Description='d' * 257)),
            ('ValidationException', 400, dict(Runtime='cobol85')),
            ('ValidationException', 400, dict(Handler='has space')),
            ('InvalidParameterValueException', 400, dict(Runtime='python2.7')),
            ('InvalidParameterValueException', 400, dict(Runtime='java21')),
            ('InvalidParameterValueException', 400, dict(Environment={'Variables': {'AWS_REGION': 'x'}})),
            ('InvalidParameterValueException', 400, dict(Environment={'Variables': {'BIG': 'v' * 5000}})),
            ('ValidationException', 400, dict(Environment={'Variables': {'1BAD': 'v'}})),
            ('InvalidParameterValueException', 400, dict(Code={'ZipFile': b'not a zip at all'})),
            ('InvalidParameterValueException', 400, dict(Code={'ZipFile': make_zip({'../escape.py': 'x'})})),
            ('InvalidParameterValueException', 400, dict(Code={'ZipFile': make_zip({'a/../../escape.py': 'x'})})),
            ('InvalidParameterValueException', 400, dict(Code={'ZipFile': make_zip({'/abs.py': 'x'})})),
            ('InvalidParameterValueException', 400,
             dict(Code={'ZipFile': make_zip({}, symlinks={'link': '../../outside'})})),
            ('InvalidParameterValueException', 400, dict(Code={'S3Bucket': 'bucket', 'S3Key': 'k'})),
            ('InvalidParameterValueException', 400, dict(PackageType='Image', Code={'ImageUri': 'x'})),
            ('ValidationException', 400, dict(Architectures=['sparc'])),
        ]
        for code, status, extra in bad:
            with self.subTest(extra=str(extra)[:80]):
                name = extra.pop('FunctionName', 'bad-fn')
                self.assert_error(code, status, self.create, name, **extra)
        self.assertEqual(self.function_names(), before)
        self.assertFalse(os.path.exists(self.code_root('bad-fn')) and os.listdir(self.code_root('bad-fn')),
                         'a refused zip left code behind')
        # Nothing was written outside the folder by the zip-slip attempts.
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, 'functions', 'escape.py')))
        self.assertFalse(os.path.exists(os.path.join(self.server.data_dir, 'escape.py')))

    def test_conflicts(self):
        self.addCleanup(self.delete_quietly, 'dup')
        self.create('dup')
        err = self.assert_error('ResourceConflictException', 409, self.create, 'dup')
        self.assertEqual(err['Error']['Message'], 'Function already exist: dup')
        # A stack function's name is taken; the stack's functions are not the API's to change.
        self.assert_error('ResourceConflictException', 409, self.create, 'Recorder')
        self.assert_error('ResourceConflictException', 409, self.lam.delete_function, FunctionName='Recorder')
        self.assert_error('ResourceConflictException', 409, self.lam.update_function_configuration,
                          FunctionName='Recorder', Timeout=5)
        self.assertIn('Recorder', self.function_names())

    def test_not_found(self):
        arn = 'arn:aws:lambda:us-east-1:000000000000:function:nope'
        err = self.assert_error('ResourceNotFoundException', 404, self.lam.get_function, FunctionName='nope')
        self.assertEqual(err['Error']['Message'], 'Function not found: ' + arn)
        self.assert_error('ResourceNotFoundException', 404, self.lam.get_function_configuration, FunctionName='nope')
        self.assert_error('ResourceNotFoundException', 404, self.lam.delete_function, FunctionName='nope')
        self.assert_error('ResourceNotFoundException', 404, self.lam.update_function_code, FunctionName='nope',
                          ZipFile=APP_ZIP)
        self.assert_error('ResourceNotFoundException', 404, self.lam.update_function_configuration,
                          FunctionName='nope', Timeout=5)
        self.assert_error('ResourceNotFoundException', 404, self.lam.invoke, FunctionName='nope')
        self.assert_error('ResourceNotFoundException', 404, self.lam.get_function, FunctionName='Recorder:7')

    def test_update_errors_change_nothing(self):
        name = 'upd-errors'
        self.addCleanup(self.delete_quietly, name)
        created = self.create(name, Timeout=5)
        for code, extra in [('ValidationException', dict(Timeout=0 + 901)),
                            ('ValidationException', dict(MemorySize=64 + 10240 * 2)),
                            ('InvalidParameterValueException', dict(Environment={'Variables': {'AWS_LAMBDA_FUNCTION_NAME': 'x'}})),
                            ('InvalidParameterValueException', dict(Runtime='nodejs12.x')),
                            ('PreconditionFailedException', dict(RevisionId='not-the-revision', Timeout=6))]:
            with self.subTest(extra=extra):
                self.assert_error(code, 412 if code.startswith('Precondition') else 400,
                                  self.lam.update_function_configuration, FunctionName=name, **extra)
        self.assert_error('InvalidParameterValueException', 400, self.lam.update_function_code,
                          FunctionName=name, ZipFile=b'garbage')
        now = self.lam.get_function_configuration(FunctionName=name)
        self.assertEqual(now['Timeout'], 5)
        self.assertEqual(now['RevisionId'], created['RevisionId'])
        self.assertEqual(now['CodeSha256'], created['CodeSha256'])
        self.assertEqual(now.get('Environment'), None)
        # The right revision id is accepted.
        ok = self.lam.update_function_configuration(FunctionName=name, RevisionId=created['RevisionId'], Timeout=7)
        self.assertEqual(ok['Timeout'], 7)

    def test_concurrency(self):
        name = 'conc-fn'
        self.addCleanup(self.delete_quietly, name)
        self.create(name)
        self.assertNotIn('ReservedConcurrentExecutions', self.lam.get_function_concurrency(FunctionName=name))
        got = self.lam.put_function_concurrency(FunctionName=name, ReservedConcurrentExecutions=3)
        self.assertEqual(got['ReservedConcurrentExecutions'], 3)
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=name)['ReservedConcurrentExecutions'], 3)
        self.assertEqual(self.lam.get_function(FunctionName=name)['Concurrency'], {'ReservedConcurrentExecutions': 3})
        self.assert_error('InvalidParameterValueException', 400, self.lam.put_function_concurrency,
                          FunctionName=name, ReservedConcurrentExecutions=901)
        self.assertEqual(self.lam.get_function_concurrency(FunctionName=name)['ReservedConcurrentExecutions'], 3)
        self.lam.delete_function_concurrency(FunctionName=name)
        self.assertNotIn('ReservedConcurrentExecutions', self.lam.get_function_concurrency(FunctionName=name))
        self.assert_error('ResourceNotFoundException', 404, self.lam.put_function_concurrency,
                          FunctionName='nope', ReservedConcurrentExecutions=1)

    # --- invoke ---

    def test_python_function_through_the_api(self):
        name = 'py-fn'
        self.addCleanup(self.delete_quietly, name)
        code = make_zip({'pkg/__init__.py': '',
                         'pkg/app.py': 'import os\n'
                                       'def handler(event, context):\n'
                                       '    print("event", event)\n'
                                       '    if event.get("boom"):\n'
                                       '        raise ValueError("boom!")\n'
                                       '    return {"echo": event, "fn": context.function_name,\n'
                                       '            "env": os.environ.get("KK")}\n'})
        rc, out, err = self.server.aws('lambda', 'create-function', '--function-name', name, '--runtime',
                                       'python3.12', '--handler', 'pkg.app.handler', '--role', ROLE,
                                       '--environment', 'Variables={KK=kv}',
                                       '--zip-file', 'fileb://' + self._write('py.zip', code))
        self.assertEqual(rc, 0, err)
        r = self.lam.invoke(FunctionName=name, Payload=json.dumps({'a': 1}), LogType='Tail')
        self.assertNotIn('FunctionError', r)
        self.assertEqual(json.loads(r['Payload'].read()), {'echo': {'a': 1}, 'fn': name, 'env': 'kv'})
        tail = base64.b64decode(r['LogResult']).decode()
        self.assertIn("event {'a': 1}", tail)
        self.assertIn('REPORT RequestId:', tail)
        r = self.lam.invoke(FunctionName=name, Payload=json.dumps({'boom': True}))
        self.assertEqual(r['FunctionError'], 'Unhandled')
        doc = json.loads(r['Payload'].read())
        self.assertEqual((doc['errorType'], doc['errorMessage']), ('ValueError', 'boom!'))

    def _write(self, name, data):
        path = self.stack.path(name)
        with open(path, 'wb') as f:
            f.write(data)
        return path

    def test_provided_function_through_the_api(self):
        """A function created through the API runs from its unpacked code (bootstrap kept
        executable), is invoked, updated, and fed by a mapping."""
        name = 'provided-fn'
        out = self.stack.path('provided.jsonl')
        self.addCleanup(self.delete_quietly, name)
        self.lam.create_function(FunctionName=name, Runtime='provided.al2023', Handler='unused', Role=ROLE,
                                 Code={'ZipFile': PROVIDED_ZIP}, Timeout=10,
                                 Environment={'Variables': {'KK': 'one', 'OUT': out}})
        r = self.lam.invoke(FunctionName=name, Payload=json.dumps({'hi': 1}), LogType='Tail')
        body = json.loads(r['Payload'].read())
        self.assertNotIn('FunctionError', r, body)
        self.assertEqual(body, {'echo': {'hi': 1}, 'env': 'one', 'fn': name})
        self.assertIn('handling', base64.b64decode(r['LogResult']).decode())

        r = self.lam.invoke(FunctionName=name, Payload=json.dumps({'fail': 1}))
        self.assertEqual(r['FunctionError'], 'Unhandled')
        self.assertEqual(json.loads(r['Payload'].read()),
                         {'errorMessage': 'failing on purpose', 'errorType': 'Boom', 'stackTrace': []})

        # New configuration: the next invocation sees it.
        self.lam.update_function_configuration(FunctionName=name, Environment={'Variables': {'KK': 'two', 'OUT': out}})
        self.assertEqual(json.loads(self.lam.invoke(FunctionName=name, Payload=b'{}')['Payload'].read())['env'], 'two')

        # A mapping delivers the stream's records to it.
        m = self.lam.create_event_source_mapping(FunctionName=name, EventSourceArn=self.stream_arn('LaEvents'),
                                                 StartingPosition='LATEST', BatchSize=10)
        self.addCleanup(self.delete_mapping_quietly, m['UUID'])
        self.ddb.put_item(TableName='LaEvents', Item={'pk': {'S': 'to-provided'}})
        deadline = time.monotonic() + 30
        while 'to-provided' not in keys_of(read_lines(out)) and time.monotonic() < deadline:
            time.sleep(0.1)
        self.assertIn('to-provided', keys_of(read_lines(out)))

    def test_invoke_request_response_event_dry_run(self):
        out = self.stack.path('events.jsonl')
        start = len(read_lines(out))
        r = self.lam.invoke(FunctionName='Recorder', Payload=json.dumps({'hello': 'world'}))
        self.assertEqual(r['StatusCode'], 200)
        self.assertEqual(r['ExecutedVersion'], '$LATEST')
        self.assertNotIn('FunctionError', r)
        self.assertEqual(json.loads(r['Payload'].read()), {'got': {'hello': 'world'}})
        self.assertEqual(read_lines(out)[start:], [{'hello': 'world'}])

        r = self.lam.invoke(FunctionName='Recorder', InvocationType='Event', Payload=json.dumps({'async': 1}))
        self.assertEqual(r['StatusCode'], 202)
        self.assertEqual(wait_for_lines(out, start + 2)[start + 1], {'async': 1})

        r = self.lam.invoke(FunctionName='Recorder', InvocationType='DryRun', Payload=json.dumps({'dry': 1}))
        self.assertEqual(r['StatusCode'], 204)
        time.sleep(0.3)
        self.assertEqual(len(read_lines(out)), start + 2, 'DryRun ran the function')

        # By ARN, with the CLI.
        rc, res, err = self.server.aws('lambda', 'invoke', '--function-name',
                                       'arn:aws:lambda:us-east-1:000000000000:function:Recorder',
                                       '--payload', '{"cli": true}',
                                       self.stack.path('cli-out.json'))
        self.assertEqual(rc, 0, err)
        self.assertEqual(res['StatusCode'], 200)
        self.assertEqual(json.load(open(self.stack.path('cli-out.json'))), {'got': {'cli': True}})

    def test_invoke_function_error(self):
        r = self.lam.invoke(FunctionName='Recorder', Payload=json.dumps({'fail': True}), LogType='Tail')
        self.assertEqual(r['StatusCode'], 200)
        self.assertEqual(r['FunctionError'], 'Unhandled')
        doc = json.loads(r['Payload'].read())
        self.assertIn('errorMessage', doc)
        self.assertIn('errorType', doc)
        self.assertIn('failing on purpose', base64.b64decode(r['LogResult'], validate=True).decode())
        # Without LogType Tail: no log.
        r = self.lam.invoke(FunctionName='Recorder', Payload=json.dumps({'fail': True}))
        self.assertNotIn('LogResult', r)
        # The tail is the last 4 KB.
        big = self.lam.invoke(FunctionName='Recorder', Payload=json.dumps({'pad': 'p' * 10000}), LogType='Tail')
        tail = base64.b64decode(big['LogResult'])
        self.assertLessEqual(len(tail), 4096)
        self.assertTrue(tail.rstrip().endswith(b'}}'), tail[-100:])

    def test_invoke_errors(self):
        self.assert_error('InvalidRequestContentException', 400, self.lam.invoke, FunctionName='Recorder',
                          Payload=b'{not json')
        self.assert_error('TooManyRequestsException', 429, self.lam.invoke, FunctionName='Closed',
                          Payload=b'{}')
        self.assertEqual(read_lines(self.stack.path('closed.jsonl')), [])
        self.assert_error('RequestEntityTooLargeException', 413, self.lam.invoke, FunctionName='Recorder',
                          Payload=json.dumps({'x': 'y' * (6 * 1024 * 1024)}))
        self.assert_error('RequestEntityTooLargeException', 413, self.lam.invoke, FunctionName='Recorder',
                          InvocationType='Event', Payload=json.dumps({'x': 'y' * (1024 * 1024 + 10)}))
        self.assert_error('InvalidRequestContentException', 400, self.lam.invoke, FunctionName='Recorder',
                          Payload=b'{}', ClientContext='%%%not-base64')
        self.assert_error('ValidationException', 400, self.lam.invoke, FunctionName='bad name!')
        self.assert_error('ValidationException', 400, self.lam.invoke, FunctionName='Recorder',
                          InvocationType='Sometimes')

    # --- event source mappings ---

    def test_mapping_delivers_and_changes(self):
        arn = self.stream_arn('LaEvents')
        out = self.stack.path('second.jsonl')
        rc, m, err = self.server.aws('lambda', 'create-event-source-mapping', '--function-name', 'Second',
                                     '--event-source-arn', arn, '--starting-position', 'LATEST',
                                     '--batch-size', '10')
        self.assertEqual(rc, 0, err)
        uuid = m['UUID']
        self.addCleanup(self.delete_mapping_quietly, uuid)
        self.assertEqual(m['State'], 'Creating')
        self.assertEqual(m['EventSourceArn'], arn)
        self.assertEqual(m['FunctionArn'], 'arn:aws:lambda:us-east-1:000000000000:function:Second')
        self.assertEqual(m['BatchSize'], 10)
        self.assertEqual(m['StartingPosition'], 'LATEST')
        self.assertEqual(m['EventSourceMappingArn'],
                         'arn:aws:lambda:us-east-1:000000000000:event-source-mapping:' + uuid)
        self.assertIsInstance(m['LastModified'], (int, float))
        got = self.lam.get_event_source_mapping(UUID=uuid)
        self.assertEqual(got['State'], 'Enabled')
        self.assertEqual(got['MaximumRetryAttempts'], -1)
        self.assertEqual(got['MaximumRecordAgeInSeconds'], -1)
        self.assertEqual(got['ParallelizationFactor'], 1)

        self.ddb.put_item(TableName='LaEvents', Item={'pk': {'S': 'm1'}})
        self.assertIn('m1', keys_of(wait_for_lines(out, 1)))

        # Listed by function (name or ARN) and by stream.
        for kw in ({'FunctionName': 'Second'}, {'FunctionName': m['FunctionArn']}, {'EventSourceArn': arn}):
            listed = self.lam.list_event_source_mappings(**kw)['EventSourceMappings']
            self.assertIn(uuid, [x['UUID'] for x in listed], kw)
        self.assertNotIn(uuid, [x['UUID'] for x in self.lam.list_event_source_mappings(
            FunctionName='Recorder')['EventSourceMappings']])

        # Disabled: nothing delivered; enabled again: it picks up where it stopped.
        upd = self.lam.update_event_source_mapping(UUID=uuid, Enabled=False, BatchSize=5)
        self.assertEqual(upd['State'], 'Disabling')
        self.assertEqual(upd['BatchSize'], 5)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid)['State'], 'Disabled')
        self.ddb.put_item(TableName='LaEvents', Item={'pk': {'S': 'm2'}})
        time.sleep(1.0)
        self.assertNotIn('m2', keys_of(read_lines(out)))
        upd = self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        self.assertEqual(upd['State'], 'Enabling')
        self.assertIn('m2', keys_of(wait_for_lines(out, 2)))
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid)['BatchSize'], 5)

        # Deleted: no more deliveries.
        d = self.lam.delete_event_source_mapping(UUID=uuid)
        self.assertEqual(d['State'], 'Deleting')
        self.ddb.put_item(TableName='LaEvents', Item={'pk': {'S': 'm3'}})
        time.sleep(1.0)
        self.assertNotIn('m3', keys_of(read_lines(out)))
        self.assert_error('ResourceNotFoundException', 404, self.lam.get_event_source_mapping, UUID=uuid)

    def test_mapping_errors_change_nothing(self):
        arn = self.stream_arn('LaEvents')
        before = self.lam.list_event_source_mappings()['EventSourceMappings']
        base = dict(FunctionName='Recorder', EventSourceArn=arn, StartingPosition='TRIM_HORIZON')
        bad = [
            ('ResourceNotFoundException', 404, dict(FunctionName='nope')),
            ('ValidationException', 400, dict(FunctionName='bad name!')),
            ('InvalidParameterValueException', 400,
             dict(EventSourceArn=arn.replace('LaEvents', 'NoSuchTable'))),
            ('InvalidParameterValueException', 400, dict(EventSourceArn=arn[:-3] + '999')),
            ('InvalidParameterValueException', 400,
             dict(EventSourceArn='arn:aws:dynamodb:us-east-1:000000000000:table/LaNoStream/stream/2020-01-01T00:00:00.000')),
            ('InvalidParameterValueException', 400, dict(EventSourceArn='arn:aws:sqs:us-east-1:000000000000:q')),
            ('InvalidParameterValueException', 400, dict(StartingPosition=None)),
            ('ValidationException', 400, dict(StartingPosition='SOMEWHERE')),
            ('InvalidParameterValueException', 400, dict(StartingPosition='AT_TIMESTAMP')),
            ('InvalidParameterValueException', 400, dict(StartingPositionTimestamp=1700000000)),
            ('ValidationException', 400, dict(BatchSize=10001)),
            ('ValidationException', 400, dict(MaximumBatchingWindowInSeconds=301)),
            ('ValidationException', 400, dict(ParallelizationFactor=11)),
            ('ValidationException', 400, dict(MaximumRetryAttempts=10001)),
            ('ValidationException', 400, dict(MaximumRecordAgeInSeconds=604801)),
            ('InvalidParameterValueException', 400, dict(MaximumRecordAgeInSeconds=59)),
            ('ValidationException', 400, dict(TumblingWindowInSeconds=901)),
            ('ValidationException', 400, dict(FunctionResponseTypes=['ReportEverything'])),
            ('InvalidParameterValueException', 400, dict(FilterCriteria={'Filters': [{'Pattern': 'not json'}]})),
            ('InvalidParameterValueException', 400,
             dict(FilterCriteria={'Filters': [{'Pattern': '{"eventName": ["INSERT"]}'}] * 6})),
            ('InvalidParameterValueException', 400,
             dict(FilterCriteria={'Filters': [{'Pattern': '{"eventName": "INSERT"}'}]})),
            ('InvalidParameterValueException', 400,
             dict(FilterCriteria={'Filters': [{'Pattern': '{"dynamodb": {"n": [{"numeric": [">"]}]}}'}]})),
            ('InvalidParameterValueException', 400,
             dict(DestinationConfig={'OnFailure': {'Destination': 'arn:aws:s3:::bucket'}})),
            ('InvalidParameterValueException', 400,
             dict(DestinationConfig={'OnSuccess': {'Destination': 'arn:aws:sqs:us-east-1:000000000000:q'}})),
        ]
        for code, status, extra in bad:
            with self.subTest(extra=str(extra)[:100]):
                args = dict(base)
                args.update(extra)
                args = {k: v for k, v in args.items() if v is not None}
                self.assert_error(code, status, self.lam.create_event_source_mapping, **args)
        self.assertEqual(self.lam.list_event_source_mappings()['EventSourceMappings'], before)

    def test_mapping_every_option_is_kept(self):
        arn = self.stream_arn('LaEvents')
        m = self.lam.create_event_source_mapping(
            FunctionName='Recorder', EventSourceArn=arn, StartingPosition='TRIM_HORIZON', BatchSize=50,
            MaximumBatchingWindowInSeconds=2, ParallelizationFactor=4, MaximumRetryAttempts=3,
            MaximumRecordAgeInSeconds=3600, BisectBatchOnFunctionError=True, TumblingWindowInSeconds=60,
            FunctionResponseTypes=['ReportBatchItemFailures'],
            FilterCriteria={'Filters': [{'Pattern': json.dumps({'eventName': ['INSERT']})}]},
            DestinationConfig={'OnFailure': {'Destination': 'arn:aws:sqs:us-east-1:000000000000:dlq'}},
            Enabled=False)
        uuid = m['UUID']
        self.addCleanup(self.delete_mapping_quietly, uuid)
        got = self.lam.get_event_source_mapping(UUID=uuid)
        expected = {'BatchSize': 50, 'MaximumBatchingWindowInSeconds': 2, 'ParallelizationFactor': 4,
                    'MaximumRetryAttempts': 3, 'MaximumRecordAgeInSeconds': 3600,
                    'BisectBatchOnFunctionError': True, 'TumblingWindowInSeconds': 60,
                    'FunctionResponseTypes': ['ReportBatchItemFailures'],
                    'FilterCriteria': {'Filters': [{'Pattern': json.dumps({'eventName': ['INSERT']})}]},
                    'DestinationConfig': {'OnFailure': {'Destination': 'arn:aws:sqs:us-east-1:000000000000:dlq'}},
                    'State': 'Disabled', 'StartingPosition': 'TRIM_HORIZON'}
        for k, v in expected.items():
            self.assertEqual(got[k], v, k)
        # A second mapping of the same function and stream is a conflict.
        err = self.assert_error('ResourceConflictException', 409, self.lam.create_event_source_mapping,
                                FunctionName='Recorder', EventSourceArn=arn, StartingPosition='LATEST')
        self.assertIn(uuid, err['Error']['Message'])
        # A refused update changes nothing.
        self.assert_error('ValidationException', 400, self.lam.update_event_source_mapping, UUID=uuid,
                          BatchSize=20000)
        self.assert_error('ResourceNotFoundException', 404, self.lam.update_event_source_mapping, UUID=uuid,
                          FunctionName='nope')
        self.assert_error('ResourceNotFoundException', 404, self.lam.update_event_source_mapping,
                          UUID='00000000-0000-0000-0000-000000000000', BatchSize=5)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid)['BatchSize'], 50)
        # Clearing the filters and the destination.
        upd = self.lam.update_event_source_mapping(UUID=uuid, FilterCriteria={'Filters': []},
                                                   DestinationConfig={'OnFailure': {}})
        self.assertNotIn('FilterCriteria', upd)
        self.assertEqual(upd['DestinationConfig'], {'OnFailure': {}})

    def test_stack_mapping_is_listed_not_changed(self):
        arn = self.stream_arn('LaOther')
        listed = self.lam.list_event_source_mappings(EventSourceArn=arn)['EventSourceMappings']
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]['FunctionArn'], 'arn:aws:lambda:us-east-1:000000000000:function:Declared')
        uuid = listed[0]['UUID']
        self.assert_error('ResourceConflictException', 409, self.lam.delete_event_source_mapping, UUID=uuid)
        self.assert_error('ResourceConflictException', 409, self.lam.update_event_source_mapping, UUID=uuid,
                          BatchSize=3)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid)['State'], 'Enabled')

    def test_reserved_concurrency_throttles(self):
        import concurrent.futures
        lam = self.server.client('lambda', read_timeout=60)

        def invoke(_):
            try:
                r = lam.invoke(FunctionName='Slow', Payload=b'{"slow": 1}')
                return r['StatusCode']
            except botocore.exceptions.ClientError as e:
                return e.response['Error']['Code']

        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            results = list(pool.map(invoke, range(3)))
        # One at a time: the first runs (3 s), the others arrive meanwhile and are refused.
        self.assertEqual(sorted(map(str, results)), ['200', 'TooManyRequestsException', 'TooManyRequestsException'])
        self.assertEqual(lam.invoke(FunctionName='Slow', Payload=b'{}')['StatusCode'], 200)

    def raw(self, method, path, body=None, headers=None):
        import urllib.request
        req = urllib.request.Request(self.server.endpoint + path, method=method, data=body,
                                     headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                return res.status, dict(res.headers), res.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def test_malformed_requests_change_nothing(self):
        before = self.function_names()
        mappings = self.lam.list_event_source_mappings()['EventSourceMappings']
        zip64 = base64.b64encode(APP_ZIP).decode()
        good = {'FunctionName': 'raw-fn', 'Runtime': 'python3.12', 'Handler': 'app.handler', 'Role': ROLE,
                'Code': {'ZipFile': zip64}}
        cases = [
            ('POST', '/2015-03-31/functions', b'{', 400, 'InvalidRequestContentException'),
            ('POST', '/2015-03-31/functions', b'[1,2]', 400, 'InvalidRequestContentException'),
            ('POST', '/2015-03-31/functions', json.dumps(dict(good, Timeout='ten')).encode(), 400,
             'InvalidRequestContentException'),
            ('POST', '/2015-03-31/functions', json.dumps(dict(good, Code={'ZipFile': '***'})).encode(), 400,
             'InvalidRequestContentException'),
            ('POST', '/2015-03-31/functions', json.dumps(dict(good, Environment={'Variables': {'AA': 1}})).encode(),
             400, 'InvalidRequestContentException'),
            ('POST', '/2015-03-31/functions', json.dumps({k: v for k, v in good.items() if k != 'Role'}).encode(),
             400, 'ValidationException'),
            ('POST', '/2015-03-31/functions', json.dumps({k: v for k, v in good.items() if k != 'Code'}).encode(),
             400, 'ValidationException'),
            ('POST', '/2015-03-31/functions', json.dumps({k: v for k, v in good.items() if k != 'Handler'}).encode(),
             400, 'InvalidParameterValueException'),
            ('POST', '/2015-03-31/event-source-mappings', b'{"FunctionName": 5}', 400,
             'InvalidRequestContentException'),
            ('POST', '/2015-03-31/event-source-mappings', b'{}', 400, 'ValidationException'),
            ('PUT', '/2015-03-31/functions/Recorder/configuration', b'nope', 400, 'InvalidRequestContentException'),
            ('GET', '/2015-03-31/functions?MaxItems=0', None, 400, 'ValidationException'),
            ('GET', '/2015-03-31/functions?MaxItems=abc', None, 400, 'InvalidRequestContentException'),
            ('GET', '/2015-03-31/functions/' + 'x' * 200, None, 400, 'ValidationException'),
            ('GET', '/2015-03-31/functions/%ZZ', None, 400, 'ValidationException'),
            ('PATCH', '/2015-03-31/functions/Recorder', b'{}', 404, 'UnknownOperationException'),
            ('GET', '/2015-03-31/', None, 404, 'UnknownOperationException'),
            ('DELETE', '/2017-10-31/functions/Recorder/concurrency/extra', None, 404, 'UnknownOperationException'),
        ]
        for method, path, body, status, code in cases:
            with self.subTest(method=method, path=path[:60], body=(body or b'')[:60]):
                got_status, headers, payload = self.raw(method, path, body)
                self.assertEqual(got_status, status, payload)
                self.assertEqual(headers.get('x-amzn-ErrorType'), code, payload)
                doc = json.loads(payload)
                self.assertEqual(doc['Type'], 'User')
                self.assertIsInstance(doc['message'], str)
        self.assertEqual(self.function_names(), before)
        self.assertEqual(self.lam.list_event_source_mappings()['EventSourceMappings'], mappings)
        self.assertTrue(self.server.healthy())

    def test_list_mappings_pages(self):
        arn = self.stream_arn('LaEvents')
        uuids = []
        for fn in ('Recorder', 'Second', 'Slow'):
            m = self.lam.create_event_source_mapping(FunctionName=fn, EventSourceArn=arn,
                                                     StartingPosition='LATEST', Enabled=False)
            uuids.append(m['UUID'])
            self.addCleanup(self.delete_mapping_quietly, m['UUID'])
        seen, marker = [], None
        while True:
            kw = {'MaxItems': 1, 'EventSourceArn': arn}
            if marker:
                kw['Marker'] = marker
            page = self.lam.list_event_source_mappings(**kw)
            self.assertLessEqual(len(page['EventSourceMappings']), 1)
            seen += [m['UUID'] for m in page['EventSourceMappings']]
            marker = page.get('NextMarker')
            if not marker:
                break
        self.assertEqual(sorted(seen), sorted(uuids))
        # Moving a mapping onto a function that already reads the stream is a conflict.
        self.assert_error('ResourceConflictException', 409, self.lam.update_event_source_mapping,
                          UUID=uuids[0], FunctionName='Second')
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuids[0])['FunctionArn'].split(':')[-1], 'Recorder')

    def test_unknown_route(self):
        import urllib.request
        req = urllib.request.Request(self.server.endpoint + '/2015-03-31/nothing-here', method='GET')
        with self.assertRaises(urllib.error.HTTPError) as ctx:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(ctx.exception.code, 404)
        self.assertTrue(ctx.exception.headers['x-amzn-ErrorType'])
        # DynamoDB is still answered on the same port.
        self.assertIn('LaEvents', self.ddb.list_tables()['TableNames'])


class LambdaApiPersistenceTest(unittest.TestCase):
    """API-created functions and mappings come back after a clean restart and after kill -9."""

    def test_functions_and_mappings_survive_restarts(self):
        with harness.StackDir(STACK, files={'recorder.py': RECORDER}, prefix='streamer-la-p-') as stack, \
                Streamer(stack_file=stack.stack_file) as s:
            lam, ddb = s.client('lambda'), s.client('dynamodb')
            created = lam.create_function(FunctionName='kept', Runtime='python3.12', Handler='app.handler',
                                          Role=ROLE, Code={'ZipFile': APP_ZIP}, Environment={'Variables': {'KK': 'v'}})
            lam.put_function_concurrency(FunctionName='kept', ReservedConcurrentExecutions=2)
            arn = ddb.describe_table(TableName='LaEvents')['Table']['LatestStreamArn']
            m = lam.create_event_source_mapping(FunctionName='Second', EventSourceArn=arn,
                                                StartingPosition='TRIM_HORIZON', BatchSize=7)
            ddb.put_item(TableName='LaEvents', Item={'pk': {'S': 'before'}})
            out = stack.path('second.jsonl')
            wait_for_lines(out, 1)
            # The function wrote its line before it exited and the batch was checkpointed; a
            # shutdown in between cancels it and delivers it again (at least once).
            time.sleep(1.5)

            for kill in (False, True):
                with self.subTest(kill=kill):
                    # Code a crash left behind (a create that never saved its function) goes at start.
                    ghost = os.path.join(s.data_dir, 'functions', 'ghost', 'abc')
                    os.makedirs(ghost, exist_ok=True)
                    s.restart(kill=kill)
                    self.assertFalse(os.path.exists(os.path.dirname(ghost)))
                    lam, ddb = s.client('lambda'), s.client('dynamodb')
                    cfg = lam.get_function_configuration(FunctionName='kept')
                    self.assertEqual(cfg['CodeSha256'], created['CodeSha256'])
                    self.assertEqual(cfg['Environment'], {'Variables': {'KK': 'v'}})
                    self.assertEqual(lam.get_function_concurrency(FunctionName='kept')['ReservedConcurrentExecutions'], 2)
                    code_root = os.path.join(s.data_dir, 'functions', 'kept')
                    self.assertEqual(len(os.listdir(code_root)), 1)
                    got = lam.get_event_source_mapping(UUID=m['UUID'])
                    self.assertEqual(got['BatchSize'], 7)
                    self.assertEqual(got['State'], 'Enabled')
                    key = 'after-%s' % kill
                    ddb.put_item(TableName='LaEvents', Item={'pk': {'S': key}})
                    lines = wait_for_lines(out, 1)
                    deadline = time.monotonic() + 20
                    while key not in keys_of(lines) and time.monotonic() < deadline:
                        time.sleep(0.05)
                        lines = read_lines(out)
                    self.assertIn(key, keys_of(lines))
                    # Checkpoints held: 'before' was not delivered again by the resumed mapping.
                    self.assertEqual(keys_of(lines).count('before'), 1)
                    time.sleep(1.5)  # as above: the batch of `key` checkpointed before the next stop

            lam.delete_event_source_mapping(UUID=m['UUID'])
            lam.delete_function(FunctionName='kept')
            s.restart(kill=True)
            lam = s.client('lambda')
            self.assertNotIn('kept', [f['FunctionName'] for f in lam.list_functions()['Functions']])
            self.assertEqual([x for x in lam.list_event_source_mappings()['EventSourceMappings']
                              if x['UUID'] == m['UUID']], [])
            self.assertFalse(os.path.exists(os.path.join(s.data_dir, 'functions', 'kept')))

    def test_mapping_of_a_deleted_table_does_not_stop_the_server(self):
        with harness.StackDir(STACK, files={'recorder.py': RECORDER}, prefix='streamer-la-d-') as stack, \
                Streamer(stack_file=stack.stack_file) as s:
            lam, ddb = s.client('lambda'), s.client('dynamodb')
            t = ddb.create_table(TableName='Gone', AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],
                                 KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],
                                 BillingMode='PAY_PER_REQUEST',
                                 StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})
            m = lam.create_event_source_mapping(FunctionName='Recorder', StartingPosition='LATEST',
                                                EventSourceArn=t['TableDescription']['LatestStreamArn'])
            ddb.delete_table(TableName='Gone')
            s.restart(kill=True)
            lam = s.client('lambda')
            got = lam.get_event_source_mapping(UUID=m['UUID'])
            self.assertTrue(got['LastProcessingResult'].startswith('PROBLEM: '), got)
            # It can still be deleted.
            lam.delete_event_source_mapping(UUID=m['UUID'])
            with self.assertRaises(lam.exceptions.ResourceNotFoundException):
                lam.get_event_source_mapping(UUID=m['UUID'])


if __name__ == '__main__':
    unittest.main()
