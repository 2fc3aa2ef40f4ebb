"""The seed's own function files, unchanged, end to end: the Python handler and its Node.js
twin process the table's stream events, declared in a native stack and created through the
AWS CLI (`aws lambda create-function` + `create-event-source-mapping`), as on AWS."""

import io
import json
import os
import shutil
import tempfile
import time
import unittest
import zipfile

from harness import Streamer

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, 'fixtures', 'seed_functions')
ROLE = 'arn:aws:iam::000000000000:role/seed'

STACK = '''
name: seed-with-lambdas
tables:
  TheDynamoStreamer:
    partitionKey: message
    stream: NEW_IMAGE
functions:
  PySubscriber:
    runtime: python3.12
    handler: lambda.handler
    code: {py}
  NodeSubscriber:
    runtime: nodejs12.x
    handler: lambda.handler
    code: {node}
events:
  - function: PySubscriber
    table: TheDynamoStreamer
    startingPosition: LATEST
  - function: NodeSubscriber
    table: TheDynamoStreamer
    startingPosition: LATEST
apis:
  DynamoStreamerAPI:
    stage: prod
    routes:
      POST /InsertItem:
        integration: dynamodb:PutItem
        passthrough: NEVER
        requestTemplates:
          application/json: >-
            {{"TableName":"TheDynamoStreamer","Item":{{"message":{{"S":"$input.path('$.message')"}}}}}}
        responses:
          - status: 200
            templates:
              application/json: '{{"message": "item added to db"}}'
'''


def cli_major():
    import subprocess
    out = subprocess.run(['aws', '--version'], capture_output=True, text=True)
    text = (out.stdout or out.stderr).strip()  # "aws-cli/1.x.y ..." (v1 prints to stderr)
    return int(text.split('/')[1].split('.')[0])


def zip_dir(path, dest):
    with zipfile.ZipFile(dest, 'w', zipfile.ZIP_DEFLATED) as z:
        for name in os.listdir(path):
            z.write(os.path.join(path, name), name)
    return dest


class SeedFunctionsFromStackTest(unittest.TestCase):
    """The seed stack with its real functions (Python and Node twins) instead of `log`."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix='seed-fns-')
        stack = os.path.join(cls.tmp, 'stack.yaml')
        with open(stack, 'w') as f:
            f.write(STACK.format(py=os.path.join(SEED, 'python'), node=os.path.join(SEED, 'node')))
        cls.server = Streamer(stack_file=stack)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.close()
            shutil.rmtree(cls.tmp, ignore_errors=True)

    def test_insert_item_reaches_both_handlers(self):
        s = self.server
        mark = s.stdout_mark()
        status, _, body = s.gateway('POST', '/InsertItem', json={'message': 'hello from the seed'})
        self.assertEqual(status, 200, body)
        # Python: one line, `Event: {json}`, prefixed with the function's name.
        m = s.wait_for_output(r'^\[PySubscriber\].*Event: (\{.*\})$', timeout=30, since=mark)
        event = json.loads(m.group(1))
        rec = event['Records'][0]
        self.assertEqual(rec['eventName'], 'INSERT')
        self.assertEqual(rec['eventSource'], 'aws:dynamodb')
        self.assertEqual(rec['dynamodb']['NewImage']['message']['S'], 'hello from the seed')
        self.assertTrue(rec['eventSourceARN'].startswith(
            'arn:aws:dynamodb:us-east-1:000000000000:table/TheDynamoStreamer/stream/'))
        # Node: console.log of an indented document: "request:" then the lines of the JSON.
        s.wait_for_output(r'^\[NodeSubscriber\].*request: \{', timeout=30, since=mark)
        s.wait_for_output(r'^\[NodeSubscriber\].*"S": "hello from the seed"', timeout=30, since=mark)
        # Lambda's own lines for each invocation.
        s.wait_for_output(r'^\[PySubscriber\].*START RequestId: [0-9a-f-]{36} Version: \$LATEST', since=mark)
        s.wait_for_output(r'^\[PySubscriber\].*REPORT RequestId: [0-9a-f-]{36}\s+Duration: [0-9.]+ ms',
                          since=mark)

    def test_many_items_in_order_per_key(self):
        s = self.server
        mark = s.stdout_mark()
        ddb = s.client('dynamodb')
        for i in range(30):
            ddb.put_item(TableName='TheDynamoStreamer', Item={'message': {'S': 'bulk-%02d' % i}})
        deadline = time.monotonic() + 30
        seen = []
        while time.monotonic() < deadline:
            seen = []
            for line in s.stdout_text(mark).splitlines():
                if line.startswith('[PySubscriber]') and 'Event: ' in line:
                    ev = json.loads(line.split('Event: ', 1)[1])
                    seen += [r['dynamodb']['NewImage']['message']['S'] for r in ev['Records']]
            if len([m for m in seen if m.startswith('bulk-')]) >= 30:
                break
            time.sleep(0.2)
        self.assertEqual([m for m in seen if m.startswith('bulk-')], ['bulk-%02d' % i for i in range(30)])


class SeedFunctionsThroughCliTest(unittest.TestCase):
    """`aws lambda create-function --zip-file fileb://fn.zip` then `create-event-source-mapping
    --event-source-arn <stream arn>`, exactly as on AWS, with the seed's files."""

    def test_cli_create_function_and_mapping(self):
        tmp = tempfile.mkdtemp(prefix='seed-cli-')
        self.addCleanup(shutil.rmtree, tmp, True)
        with Streamer() as s:
            rc, out, err = s.aws('dynamodb', 'create-table', '--table-name', 'Seed',
                                 '--attribute-definitions', 'AttributeName=message,AttributeType=S',
                                 '--key-schema', 'AttributeName=message,KeyType=HASH',
                                 '--billing-mode', 'PAY_PER_REQUEST',
                                 '--stream-specification', 'StreamEnabled=true,StreamViewType=NEW_IMAGE')
            self.assertEqual(rc, 0, err)
            stream_arn = out['TableDescription']['LatestStreamArn']
            for name, runtime, folder in (('seed-py', 'python3.12', 'python'),
                                          ('seed-node', 'nodejs20.x', 'node')):
                z = zip_dir(os.path.join(SEED, folder), os.path.join(tmp, name + '.zip'))
                rc, out, err = s.aws('lambda', 'create-function', '--function-name', name,
                                     '--runtime', runtime, '--handler', 'lambda.handler',
                                     '--role', ROLE, '--zip-file', 'fileb://' + z)
                self.assertEqual(rc, 0, err)
                self.assertEqual(out['FunctionName'], name)
                self.assertEqual(out['Runtime'], runtime)
                self.assertEqual(out['FunctionArn'],
                                 'arn:aws:lambda:us-east-1:000000000000:function:' + name)
                rc, out, err = s.aws('lambda', 'create-event-source-mapping', '--function-name', name,
                                     '--event-source-arn', stream_arn, '--starting-position', 'LATEST')
                self.assertEqual(rc, 0, err)
                self.assertEqual(out['EventSourceArn'], stream_arn)
                uuid = out['UUID']
                deadline = time.monotonic() + 20
                while out.get('State') != 'Enabled' and time.monotonic() < deadline:
                    time.sleep(0.2)
                    rc, out, err = s.aws('lambda', 'get-event-source-mapping', '--uuid', uuid)
                    self.assertEqual(rc, 0, err)
                self.assertEqual(out['State'], 'Enabled')
            mark = s.stdout_mark()
            rc, out, err = s.aws('dynamodb', 'put-item', '--table-name', 'Seed',
                                 '--item', '{"message": {"S": "via the cli"}}')
            self.assertEqual(rc, 0, err)
            m = s.wait_for_output(r'^\[seed-py\].*Event: (\{.*\})$', timeout=30, since=mark)
            self.assertEqual(json.loads(m.group(1))['Records'][0]['dynamodb']['NewImage']['message']['S'],
                             'via the cli')
            s.wait_for_output(r'^\[seed-node\].*"S": "via the cli"', timeout=30, since=mark)

            # Invoke directly, with the log tail, as `aws lambda invoke` does.
            result = os.path.join(tmp, 'out.json')
            # (AWS CLI v1 takes --payload as text; v2 needs --cli-binary-format raw-in-base64-out.)
            binary_format = [] if cli_major() < 2 else ['--cli-binary-format', 'raw-in-base64-out']
            rc, out, err = s.aws('lambda', 'invoke', '--function-name', 'seed-py', *binary_format,
                                 '--payload', '{"Records": []}', '--log-type', 'Tail', result)
            self.assertEqual(rc, 0, err)
            self.assertEqual(out['StatusCode'], 200)
            self.assertNotIn('FunctionError', out)
            import base64
            tail = base64.b64decode(out['LogResult']).decode()
            self.assertIn('Event: {"Records": []}', tail)
            self.assertIn('REPORT RequestId:', tail)
            with open(result) as f:
                self.assertEqual(f.read().strip(), 'null')

            # Both survive a restart, mappings included.
            s.restart()
            mark = s.stdout_mark()
            rc, out, err = s.aws('dynamodb', 'put-item', '--table-name', 'Seed',
                                 '--item', '{"message": {"S": "after restart"}}')
            self.assertEqual(rc, 0, err)
            s.wait_for_output(r'^\[seed-py\].*Event: .*after restart', timeout=30, since=mark)
            s.wait_for_output(r'^\[seed-node\].*"S": "after restart"', timeout=30, since=mark)


if __name__ == '__main__':
    unittest.main()
