"""The write path's defects, each kept fixed by a test that failed before:

- a slow reply (a response mapping template) must not stall other writes: replies run on the
  I/O threads, not on the one syncer thread;
- each table's stream shard layout is saved with it: restarting with another --shards loses
  no stream record and keeps per-key order.
"""
import json
import threading
import time
import unittest
import urllib.request

from harness import Streamer, StackDir

SLOW_STACK = """
name: slow-replies
tables:
  Items:
    partitionKey: id
    stream: NEW_IMAGE
apis:
  Api:
    stage: prod
    routes:
      POST /slow:
        integration: dynamodb:PutItem
        requestTemplates:
          application/json: '{"TableName":"Items","Item":{"id":{"S":"$context.requestId"}}}'
        responses:
          - status: 200
            templates:
              application/json: >-
                #set($s = "")#foreach($i in [1..1000])#foreach($j in [1..3000])#set($s = "x")#end#end{"done": "$s"}
"""


def put(server, table, item):
    return server.client().put_item(TableName=table, Item=item)


class SlowReplyDoesNotStallWrites(unittest.TestCase):
    def test_put_item_latency_while_a_slow_response_template_renders(self):
        with StackDir(SLOW_STACK) as d, Streamer(stack_file=d.path('stack.yaml'), extra_args=['--shards', '1']) as s:
            ddb = s.client()
            # How long one slow reply takes on its own.
            t0 = time.monotonic()
            with urllib.request.urlopen(urllib.request.Request(
                    s.gateway_url + '/slow', data=b'{}', headers={'Content-Type': 'application/json'},
                    method='POST'), timeout=60) as r:
                self.assertEqual(r.status, 200)
            slow = time.monotonic() - t0
            self.assertGreater(slow, 0.15, 'the template is not slow enough to show a stall (%.3fs)' % slow)

            stop = threading.Event()

            def slow_loop():
                while not stop.is_set():
                    req = urllib.request.Request(s.gateway_url + '/slow', data=b'{}',
                                                 headers={'Content-Type': 'application/json'}, method='POST')
                    with urllib.request.urlopen(req, timeout=60) as r:
                        r.read()

            t = threading.Thread(target=slow_loop)
            t.start()
            try:
                time.sleep(slow / 2)
                latencies = []
                for i in range(40):
                    t0 = time.monotonic()
                    ddb.put_item(TableName='Items', Item={'id': {'S': 'fast-%d' % i}})
                    latencies.append(time.monotonic() - t0)
            finally:
                stop.set()
                t.join()
            latencies.sort()
            median = latencies[len(latencies) // 2]
            # Before the fix every PutItem waited for a whole slow reply (~slow).
            self.assertLess(median, slow / 3,
                            'PutItem median %.3fs while slow replies (%.3fs each) rendered' % (median, slow))


class ShardLayoutIsSaved(unittest.TestCase):
    def read_stream(self, server, table):
        """Every record of every shard, through the Streams API, in shard order then sequence."""
        streams = server.client('dynamodbstreams')
        arn = server.client().describe_table(TableName=table)['Table']['LatestStreamArn']
        desc = streams.describe_stream(StreamArn=arn)['StreamDescription']
        out = []
        self.by_shard = {}
        for shard in desc['Shards']:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                            ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            while True:
                page = streams.get_records(ShardIterator=it, Limit=1000)
                out.extend(page['Records'])
                self.by_shard.setdefault(shard['ShardId'], []).extend(page['Records'])
                if not page['Records']:
                    break
                it = page['NextShardIterator']
        return out, len(desc['Shards'])

    def test_changing_shards_between_runs_loses_nothing_and_keeps_order(self):
        s = Streamer(extra_args=['--shards', '4'])
        try:
            s.start()
            ddb = s.client()
            ddb.create_table(TableName="Tbl", KeySchema=[{'AttributeName': 'k', 'KeyType': 'HASH'}],
                             AttributeDefinitions=[{'AttributeName': 'k', 'AttributeType': 'S'}],
                             BillingMode='PAY_PER_REQUEST',
                             StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_IMAGE'})
            expected = {}
            version = 0
            for shards in (4, 1, 3, 2):
                if shards != 4:
                    s.extra_args = ['--shards', str(shards)]
                    s.restart()
                    ddb = s.client()
                for i in range(40):
                    version += 1
                    key = 'key-%d' % (i % 10)
                    ddb.put_item(TableName="Tbl", Item={'k': {'S': key}, 'v': {'N': str(version)}})
                    expected.setdefault(key, []).append(version)
                records, shard_count = self.read_stream(s, "Tbl")
                by_shard = self.by_shard
                self.assertEqual(shard_count, 4, 'the layout saved at creation stays')
                self.assertEqual(len(records), version, 'every write is in the stream exactly once')
                seen = {}
                for r in records:
                    img = r['dynamodb']['NewImage']
                    seen.setdefault(img['k']['S'], []).append(int(img['v']['N']))
                self.assertEqual(seen, expected, 'per-key order across runs with %d writers' % shards)
                for shard_records in by_shard.values():
                    seqs = [int(r['dynamodb']['SequenceNumber']) for r in shard_records]
                    self.assertEqual(seqs, sorted(set(seqs)), 'strictly increasing within a shard')
        finally:
            s.close()


if __name__ == '__main__':
    unittest.main()
