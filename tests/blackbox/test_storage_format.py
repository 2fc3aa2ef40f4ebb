"""The on-disk format: items stored in the binary encoding under a format_version key.

- a data directory written by the JSON-storing build (format 0, fixtures/format0_data.tar.gz,
  made by streamer 1ca1816 with fixtures/make_format0_fixture.py) opens migrated, data intact;
- a directory of a newer format is refused with a clear message;
- a corrupt item row is answered as a 500 naming corruption (and logged), never skipped.
The last two edit a stopped server's RocksDB directory with RocksDB's own `ldb` tool
(Debian rocksdb-tools).
"""

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import unittest

from botocore.exceptions import ClientError

from harness import Streamer, StreamerError

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'fixtures'))
from format0_items import LEGACY_ITEMS, SEED_ITEM  # noqa: E402

LDB = shutil.which('ldb')


def ldb(data_dir, *args):
    out = subprocess.run([LDB, '--db=' + data_dir] + list(args), capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        raise AssertionError('ldb %s failed: %s %s' % (args, out.stdout, out.stderr))
    return out.stdout


def key_of(item):
    return {'pk': item['pk'], 'sk': item['sk']}


class Format0MigrationTest(unittest.TestCase):

    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix='streamer-format0-')
        with tarfile.open(os.path.join(HERE, 'fixtures', 'format0_data.tar.gz')) as tar:
            tar.extractall(self.data_dir)

    def tearDown(self):
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def test_opens_migrated_with_data_intact(self):
        with Streamer(data_dir=self.data_dir) as s:
            self.assertRegex(s.stderr_tail(), r'migrated 4 items from storage format 0 \(JSON\) to 1')
            ddb = s.client('dynamodb')
            for item in LEGACY_ITEMS:
                got = ddb.get_item(TableName='Legacy', Key=key_of(item), ConsistentRead=True)
                self.assertEqual(got['Item'], item)
            page = ddb.query(TableName='Legacy', KeyConditionExpression='pk = :a',
                             ExpressionAttributeValues={':a': {'S': 'a'}})
            self.assertEqual(page['Items'], LEGACY_ITEMS[:2])
            seed = ddb.scan(TableName='TheDynamoStreamer')['Items']
            self.assertEqual(seed, [SEED_ITEM])

            # A migrated item is a normal item: conditions, updates and stream images see it.
            ddb.update_item(TableName='Legacy', Key=key_of(LEGACY_ITEMS[2]),
                            UpdateExpression='SET added = :v', ConditionExpression='#o = :o',
                            ExpressionAttributeNames={'#o': 'only'},
                            ExpressionAttributeValues={':v': {'N': '5'}, ':o': {'S': 'keys and one'}})
            arn = ddb.describe_table(TableName='Legacy')['Table']['LatestStreamArn']
            streams = s.client('dynamodbstreams')
            records = []
            for shard in streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']:
                it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                                ShardIteratorType='TRIM_HORIZON')['ShardIterator']
                records += streams.get_records(ShardIterator=it)['Records']
            # The format-0 records (3 INSERTs, stored as JSON then and now) and the new MODIFY.
            self.assertEqual([r['eventName'] for r in records], ['INSERT'] * 3 + ['MODIFY'])
            modify = records[-1]['dynamodb']
            self.assertEqual(modify['OldImage'], LEGACY_ITEMS[2])
            self.assertEqual(modify['NewImage'], dict(LEGACY_ITEMS[2], added={'N': '5'}))

            # Migrated once: a restart finds format 1 and does nothing.
            s.restart()
            self.assertEqual(len(re.findall(r'migrated \d+ items', s.stderr_tail(100000))), 1)
            got = s.client('dynamodb').get_item(TableName='Legacy', Key=key_of(LEGACY_ITEMS[0]))
            self.assertEqual(got['Item'], LEGACY_ITEMS[0])


@unittest.skipIf(LDB is None, 'needs ldb (Debian package rocksdb-tools) to edit a data directory')
class FormatGuardTest(unittest.TestCase):

    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix='streamer-format-')

    def tearDown(self):
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def test_a_new_directory_gets_the_version_key(self):
        with Streamer(data_dir=self.data_dir) as s:
            self.assertNotIn('migrated', s.stderr_tail())
        self.assertIn('0x666F726D61745F76657273696F6E : 0x00000001',
                      ldb(self.data_dir, 'scan', '--hex'))

    def test_a_newer_format_is_refused(self):
        with Streamer(data_dir=self.data_dir):
            pass
        ldb(self.data_dir, 'put', '--hex', '0x666F726D61745F76657273696F6E', '0x00000002')
        s = Streamer(data_dir=self.data_dir)
        try:
            with self.assertRaises(StreamerError) as err:
                s.start()
            self.assertIn('data directory is in storage format 2, newer than this streamer reads (up to 1)',
                          str(err.exception))
        finally:
            s.close()

    def test_a_corrupt_row_is_an_error_not_skipped(self):
        items = [{'message': {'S': 'm%d' % i}, 'n': {'N': str(i)}} for i in range(3)]
        with Streamer(data_dir=self.data_dir) as s:
            for item in items:
                s.client('dynamodb').put_item(TableName='TheDynamoStreamer', Item=item)
        # Overwrite the stored value of one item (m1) with bytes of format 1 that do not decode.
        rows = ldb(self.data_dir, '--column_family=items', 'scan', '--hex').split('\n')
        keys = [line.split(' : ')[0] for line in rows if ' : ' in line]
        self.assertEqual(len(keys), 3)
        victim = [k for k in keys if '6D31' in k.upper()][0]  # 'm1'
        ldb(self.data_dir, '--column_family=items', 'put', '--hex', victim, '0x010101416363')
        with Streamer(data_dir=self.data_dir) as s:
            ddb = s.client('dynamodb')
            for call in (lambda: ddb.get_item(TableName='TheDynamoStreamer', Key={'message': {'S': 'm1'}}),
                         lambda: ddb.scan(TableName='TheDynamoStreamer'),
                         lambda: ddb.put_item(TableName='TheDynamoStreamer',
                                              Item={'message': {'S': 'm1'}, 'x': {'S': 'y'}},
                                              ConditionExpression='attribute_exists(message)')):
                with self.assertRaises(ClientError) as err:
                    call()
                e = err.exception.response
                self.assertEqual(e['ResponseMetadata']['HTTPStatusCode'], 500)
                self.assertEqual(e['Error']['Code'], 'InternalServerError')
                self.assertIn('corrupt item in store: bad type tag', e['Error']['Message'])
            # The other items are fine, and the corruption is in the log with its table.
            got = ddb.get_item(TableName='TheDynamoStreamer', Key={'message': {'S': 'm2'}})
            self.assertEqual(got['Item'], items[2])
            self.assertRegex(s.stderr_tail(), r'table TheDynamoStreamer: item at key [0-9a-f]+: '
                                              r'corrupt item in store: bad type tag')
            # A write that does not read the old item (unconditional, NEW_IMAGE stream) replaces it.
            ddb.put_item(TableName='TheDynamoStreamer', Item={'message': {'S': 'm1'}, 'x': {'S': 'y'}})
            got = ddb.get_item(TableName='TheDynamoStreamer', Key={'message': {'S': 'm1'}})
            self.assertEqual(got['Item'], {'message': {'S': 'm1'}, 'x': {'S': 'y'}})
            self.assertEqual(len(ddb.scan(TableName='TheDynamoStreamer')['Items']), 3)


if __name__ == '__main__':
    unittest.main()
