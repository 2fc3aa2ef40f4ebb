"""Shared base for the DynamoDB conformance suite (one file per action, cases
written from AWS's documentation). Each test class gets one real `streamer`
server; cases create their own tables (unique names) so they stay independent.

    class PutItemTest(ConformanceCase):
        def test_put_returns_nothing_by_default(self):
            t = self.table()                          # hash key pk (S)
            self.assertEqual(self.ddb.put_item(TableName=t, Item={'pk': {'S': 'a'}}).get('Attributes'), None)

        def test_missing_key_is_rejected(self):
            t = self.table(items=[{'pk': {'S': 'a'}}])
            self.assertError(lambda: self.ddb.put_item(TableName=t, Item={'x': {'S': '1'}}),
                             'ValidationException',
                             'One or more parameter values were invalid: Missing the key pk in the item',
                             unchanged=[t])

`assertError` checks the error code and message and, for every table in
`unchanged`, that a consistent scan reads the same items before and after.
`raw()` sends a request body boto3 would refuse to build (wrong JSON types,
unknown members) and returns (HTTP status, parsed body).
"""

import itertools
import json
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'blackbox'))

from botocore.exceptions import ClientError  # noqa: E402

from harness import StreamerTestCase  # noqa: E402,F401

_names = itertools.count()


class ConformanceCase(StreamerTestCase):
    """One server per class; `self.ddb` is a boto3 client for it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ddb = cls.server.client('dynamodb')

    # ----- tables -----------------------------------------------------------------

    def table(self, hash_key=('pk', 'S'), range_key=None, items=(), prefix='t', **create):
        """Creates a table with a unique name (and puts `items`); returns its name.
        Extra keyword arguments go to CreateTable (GlobalSecondaryIndexes, StreamSpecification, ...);
        AttributeDefinitions for index keys may be given and are merged with the table's."""
        name = '%s-%s-%d' % (prefix, self.__class__.__name__[:40], next(_names))
        attrs = {hash_key[0]: hash_key[1]}
        schema = [{'AttributeName': hash_key[0], 'KeyType': 'HASH'}]
        if range_key:
            attrs[range_key[0]] = range_key[1]
            schema.append({'AttributeName': range_key[0], 'KeyType': 'RANGE'})
        for d in create.pop('AttributeDefinitions', []):
            attrs[d['AttributeName']] = d['AttributeType']
        create.setdefault('BillingMode', 'PAY_PER_REQUEST')
        self.ddb.create_table(TableName=name, KeySchema=schema,
                              AttributeDefinitions=[{'AttributeName': n, 'AttributeType': t}
                                                    for n, t in attrs.items()], **create)
        for item in items:
            self.ddb.put_item(TableName=name, Item=item)
        return name

    def items(self, table, **scan):
        """Every item of the table (consistent scan, all pages), sorted for comparison."""
        out, kwargs = [], dict(TableName=table, ConsistentRead=True, **scan)
        while True:
            page = self.ddb.scan(**kwargs)
            out.extend(page.get('Items', []))
            if 'LastEvaluatedKey' not in page:
                break
            kwargs['ExclusiveStartKey'] = page['LastEvaluatedKey']
        return sorted(out, key=lambda i: json.dumps(i, sort_keys=True, default=repr))  # B values are bytes

    # ----- assertions -----------------------------------------------------------------

    def assertError(self, call, code, message=None, unchanged=(), message_contains=None):
        """`call()` must fail with `code` (and exactly `message`, when given) and leave every
        table in `unchanged` as it was. Returns the botocore error response."""
        before = {t: self.items(t) for t in unchanged}
        with self.assertRaises(ClientError) as ctx:
            call()
        err = ctx.exception.response['Error']
        self.assertEqual(err['Code'], code, err.get('Message'))
        if message is not None:
            self.assertEqual(err['Message'], message)
        if message_contains is not None:
            self.assertIn(message_contains, err['Message'])
        for t in unchanged:
            self.assertEqual(self.items(t), before[t], 'table %s changed' % t)
        return ctx.exception.response

    def raw(self, operation, body, headers=None):
        """POSTs `body` (dict, str or bytes) as DynamoDB_20120810.<operation>; returns (status, JSON)."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        hdrs = {'Content-Type': 'application/x-amz-json-1.0',
                'X-Amz-Target': 'DynamoDB_20120810.' + operation,
                'Authorization': 'AWS4-HMAC-SHA256 Credential=AKIDSTREAMERTEST/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0'}
        hdrs.update(headers or {})
        req = urllib.request.Request(self.server.endpoint, data=body, method='POST', headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                status, data = resp.status, resp.read()
        except urllib.error.HTTPError as err:
            status, data = err.code, err.read()
        return status, (json.loads(data) if data else None)

    def assertRawError(self, operation, body, code, message=None, unchanged=()):
        """Like assertError for a raw request: 400 with __type ending in #code."""
        before = {t: self.items(t) for t in unchanged}
        status, out = self.raw(operation, body)
        self.assertEqual(status, 400, out)
        self.assertEqual(out['__type'].split('#')[-1], code, out)
        if message is not None:
            self.assertEqual(out.get('message', out.get('Message')), message)
        for t in unchanged:
            self.assertEqual(self.items(t), before[t], 'table %s changed' % t)
        return out
