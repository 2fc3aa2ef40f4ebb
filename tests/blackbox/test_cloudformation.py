"""CloudFormation templates served unchanged: a table with a stream and a GSI,
an inline-ZipFile Python function fed by an EventSourceMapping, a RestApi whose
OpenAPI Body writes with PutItem into the table named by Fn::Sub; `validate`
and `ls`; bad templates answered with their exact error."""
import json
import os
import subprocess
import time
import unittest

from harness import DEFAULT_BIN, Streamer
from test_gateway import request

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, '..', 'fixtures', 'cloudformation')
LINKS = os.path.join(FIXTURES, 'good', 'links.yaml')


def run(*args):
    p = subprocess.run([DEFAULT_BIN] + list(args), capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


class CloudFormationTest(unittest.TestCase):
    def test_serve_links_template_end_to_end(self):
        with Streamer(LINKS, extra_args=['--stack-name', 'links']) as s:
            s.wait_for_output(r'TableName = links-LinksTable-', timeout=10)
            s.wait_for_output(r'Url = https://\w+\.execute-api\.us-east-1\.amazonaws\.com/v1', timeout=5)
            ddb = s.client('dynamodb')
            tables = ddb.list_tables()['TableNames']
            self.assertIn('links-audit', tables)
            links = [t for t in tables if t.startswith('links-LinksTable-')]
            self.assertEqual(len(links), 1)
            desc = ddb.describe_table(TableName=links[0])['Table']
            self.assertEqual(desc['StreamSpecification']['StreamViewType'], 'NEW_AND_OLD_IMAGES')
            self.assertEqual(desc['GlobalSecondaryIndexes'][0]['IndexName'], 'byOwner')
            status, _, body = request(s, 'POST', '/v1/links', {'id': 'abc', 'owner': 'ann'})
            self.assertEqual(status, 200, body)
            item = ddb.get_item(TableName=links[0], Key={'id': {'S': 'abc'}})['Item']
            self.assertEqual(item['owner'], {'S': 'ann'})
            # The stream feeds the inline function, which writes the audit table.
            deadline = time.time() + 60
            while time.time() < deadline:
                got = ddb.get_item(TableName='links-audit', Key={'id': {'S': 'abc'}}).get('Item')
                if got:
                    break
                time.sleep(0.2)
            self.assertEqual(got, {'id': {'S': 'abc'}, 'seen': {'S': 'yes'}})

    def test_serve_sam_template_end_to_end(self):
        sam = os.path.join(FIXTURES, 'sam', 'template.yaml')
        with Streamer(sam, extra_args=['--stack-name', 'short']) as s:
            s.wait_for_output(r'ApiUrl = https://\w+\.execute-api\.us-east-1\.amazonaws\.com/dev', timeout=10)
            s.wait_for_output(r'Sessions \(AWS::Serverless::SimpleTable\): its Condition is false', timeout=5)
            ddb = s.client('dynamodb')
            table = [t for t in ddb.list_tables()['TableNames'] if t.startswith('short-Links-')][0]
            status, _, body = request(s, 'GET', '/dev/hello')
            self.assertEqual(status, 200, body)
            self.assertEqual(json.loads(body), {'greeting': 'hello from dev', 'path': '/hello', 'table': table})
            status, _, body = request(s, 'POST', '/dev/links', {'code': 'xyz'})
            self.assertEqual(status, 200, body)
            self.assertIn('Item', ddb.get_item(TableName=table, Key={'code': {'S': 'xyz'}}))
            s.wait_for_output(r'stream INSERT xyz', timeout=60)

    def test_validate_and_ls(self):
        rc, out, err = run('validate', LINKS)
        self.assertEqual(rc, 0, err)
        self.assertIn("valid template 'links': 2 tables, 1 functions, 1 event source mappings, 1 APIs", out)
        self.assertIn('Role (AWS::IAM::Role): skipped', out)
        rc, out, err = run('ls', LINKS)
        self.assertEqual(rc, 0, err)
        self.assertRegex(out, r'LinksTable\s+links-LinksTable-\w+ stream=NEW_AND_OLD_IMAGES')
        self.assertRegex(out, r'AuditMapping\s+links-LinksTable-\w+ -> links-Audit-\w+ batch=5 start=TRIM_HORIZON')
        self.assertRegex(out, r'Api\s+POST /v1/links AWS')
        rc, out, err = run('ls', LINKS, '--parameter-overrides', 'Env=prod', 'BatchSize=7')
        self.assertEqual(rc, 0, err)
        self.assertIn('batch=7', out)
        rc, out, err = run('validate', LINKS, '--parameter-overrides', 'Env=qa')
        self.assertEqual(rc, 2)
        self.assertIn("Parameters.Env: value 'qa' is not one of AllowedValues [dev, prod]", err)

    def test_bad_templates_give_their_exact_error(self):
        bad = os.path.join(FIXTURES, 'bad')
        names = sorted(n for n in os.listdir(bad) if n.endswith('.yaml'))
        self.assertGreaterEqual(len(names), 5)
        for name in names:
            with self.subTest(name):
                with open(os.path.join(bad, name[:-5] + '.error')) as f:
                    expected = f.read().strip()
                rc, out, err = run('validate', os.path.join(bad, name))
                self.assertEqual(rc, 2, out)
                self.assertIn(expected, err)
                # serve refuses it the same way, without starting
                rc, out, err = run('serve', os.path.join(bad, name), '--port', '0', '--gateway-port', '0')
                self.assertEqual(rc, 2, out)
                self.assertIn(expected, err)


if __name__ == '__main__':
    unittest.main()
