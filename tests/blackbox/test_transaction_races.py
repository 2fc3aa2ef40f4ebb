"""Transactions racing single-item writes on the same keys, on a server with 4 writer shards.

Threads move one unit at a time between counters (TransactWriteItems: two Updates with a
condition, the counters on different shards), other threads bump another attribute of the same
counters with single UpdateItems, a reader takes TransactGetItems snapshots, and a stream reader
follows every shard with GetRecords. At the end: no lost update (the moved total is unchanged,
every single update and every committed move counted), no snapshot ever saw half a move, and the
stream holds both records of every move and never showed one without the other.
"""
import random
import threading
import time
import unittest

from botocore.exceptions import ClientError

from harness import Streamer

COUNTERS = 8
START = 1000
SECONDS = 6


def S(v):
    return {'S': v}


def N(v):
    return {'N': str(v)}


class TransactionRaceTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.server = Streamer(extra_args=['--shards', '4'])
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        try:
            cls.server.stop(check=True)
        finally:
            cls.server.close()

    def client(self, service='dynamodb'):
        return self.server.client(service, read_timeout=60)

    def test_no_lost_update_and_no_partial_transaction(self):
        ddb = self.client()
        table = 'races'
        ddb.create_table(TableName=table, KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}],
                         AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],
                         BillingMode='PAY_PER_REQUEST',
                         StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'})
        keys = ['c%d' % i for i in range(COUNTERS)]
        for k in keys:
            ddb.put_item(TableName=table, Item={'pk': S(k), 'v': N(START), 'moves': N(0), 'touches': N(0)})
        arn = ddb.describe_table(TableName=table)['Table']['LatestStreamArn']

        stop = threading.Event()
        lock = threading.Lock()
        committed = []       # tx ids of committed moves
        touches = [0]        # single UpdateItems that succeeded
        snapshots = [0]
        problems = []

        def mover(seed):
            c = self.client()
            rnd = random.Random(seed)
            n = 0
            while not stop.is_set():
                a, b = rnd.sample(keys, 2)
                tx = 'm%d-%d' % (seed, n)
                n += 1
                try:
                    c.transact_write_items(TransactItems=[
                        {'Update': {'TableName': table, 'Key': {'pk': S(a)},
                                    'UpdateExpression': 'SET v = v - :one, tx = :tx ADD moves :one',
                                    'ConditionExpression': 'v >= :one',
                                    'ExpressionAttributeValues': {':one': N(1), ':tx': S(tx)}}},
                        {'Update': {'TableName': table, 'Key': {'pk': S(b)},
                                    'UpdateExpression': 'SET v = v + :one, tx = :tx ADD moves :one',
                                    'ExpressionAttributeValues': {':one': N(1), ':tx': S(tx)}}}])
                except ClientError as e:
                    with lock:
                        problems.append('move %s: %s' % (tx, e.response['Error']))
                    continue
                with lock:
                    committed.append(tx)

        def toucher(seed):
            c = self.client()
            rnd = random.Random(seed)
            while not stop.is_set():
                c.update_item(TableName=table, Key={'pk': S(rnd.choice(keys))}, UpdateExpression='ADD touches :one',
                              ExpressionAttributeValues={':one': N(1)})
                with lock:
                    touches[0] += 1

        def reader():
            c = self.client()
            while not stop.is_set():
                out = c.transact_get_items(TransactItems=[{'Get': {'TableName': table, 'Key': {'pk': S(k)}}}
                                                          for k in keys])
                items = [r['Item'] for r in out['Responses']]
                total = sum(int(i['v']['N']) for i in items)
                moves = sum(int(i['moves']['N']) for i in items)
                if total != START * COUNTERS or moves % 2:
                    with lock:
                        problems.append('snapshot saw a partial move: total %d, moves %d' % (total, moves))
                with lock:
                    snapshots[0] += 1

        # The stream: a pass reads every shard up to its end. A move committed
        # before a pass began must be whole by that pass's end, whatever the order
        # in which the shards were read.
        streams = self.client('dynamodbstreams')
        shard_ids = [s['ShardId'] for s in streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']]
        self.assertEqual(len(shard_ids), 4)
        iterators = {s: streams.get_shard_iterator(StreamArn=arn, ShardId=s, ShardIteratorType='TRIM_HORIZON')['ShardIterator']
                     for s in shard_ids}
        seen = {}  # tx -> records of it

        def stream_pass():
            for s in shard_ids:
                while True:
                    out = streams.get_records(ShardIterator=iterators[s])
                    iterators[s] = out['NextShardIterator']
                    for r in out['Records']:
                        img = r['dynamodb']
                        old, new = img.get('OldImage', {}), img.get('NewImage', {})
                        if 'tx' in new and old.get('moves') != new.get('moves'):
                            seen.setdefault(new['tx']['S'], []).append(img['Keys']['pk']['S'])
                    if not out['Records']:
                        break

        threads = [threading.Thread(target=mover, args=(i,)) for i in range(4)]
        threads += [threading.Thread(target=toucher, args=(100 + i,)) for i in range(2)]
        threads.append(threading.Thread(target=reader))
        for t in threads:
            t.start()
        passes = 0
        deadline = time.time() + SECONDS
        partial_before = set()
        try:
            while time.time() < deadline:
                stream_pass()
                passes += 1
                still = {tx for tx in partial_before if len(seen[tx]) != 2}
                if still:
                    problems.append('stream showed half of %s after a full pass' % sorted(still)[:5])
                partial_before = {tx for tx, recs in seen.items() if len(recs) != 2}
        finally:
            stop.set()
            for t in threads:
                t.join(60)
        stream_pass()

        self.assertEqual(problems, [])
        items = [ddb.get_item(TableName=table, Key={'pk': S(k)}, ConsistentRead=True)['Item'] for k in keys]
        self.assertEqual(sum(int(i['v']['N']) for i in items), START * COUNTERS)
        self.assertEqual(sum(int(i['touches']['N']) for i in items), touches[0])
        self.assertEqual(sum(int(i['moves']['N']) for i in items), 2 * len(committed))
        self.assertEqual(sorted(seen), sorted(committed))
        self.assertTrue(all(len(recs) == 2 and recs[0] != recs[1] for recs in seen.values()))
        # Enough happened for the race to mean something.
        self.assertGreater(len(committed), 50)
        self.assertGreater(touches[0], 50)
        self.assertGreater(snapshots[0], 20)
        self.assertGreater(passes, 5)
        print('\n%d moves, %d single updates, %d snapshots, %d stream passes' %
              (len(committed), touches[0], snapshots[0], passes))


if __name__ == '__main__':
    unittest.main()
