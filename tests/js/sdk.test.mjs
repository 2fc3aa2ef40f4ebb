// The AWS SDK for JavaScript v3 against the real binary (node --test).
// One `streamer serve` (STREAMER_BIN) for the file, started by server.mjs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListStreamsCommand,
} from '@aws-sdk/client-dynamodb-streams';

import { startStreamer } from './server.mjs';

let server;
let ddb;
let streams;

before(async () => {
  server = await startStreamer();
  ddb = new DynamoDBClient(server.clientConfig);
  streams = new DynamoDBStreamsClient(server.clientConfig);
});

after(async () => {
  ddb?.destroy();
  streams?.destroy();
  if (server) {
    const { code, stderr } = await server.stop();
    assert.equal(code, 0, `streamer exit code after SIGTERM; stderr:\n${stderr}`);
  }
});

const TABLE = 'JsOrders';

// Every record of a stream, all shards, from TRIM_HORIZON.
async function readStream(arn) {
  const desc = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  const out = [];
  for (const shard of desc.StreamDescription.Shards) {
    let { ShardIterator: it } = await streams.send(new GetShardIteratorCommand({
      StreamArn: arn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON',
    }));
    for (;;) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: it, Limit: 3 }));
      out.push(...page.Records);
      if (page.Records.length === 0) break;
      it = page.NextShardIterator;
    }
  }
  return out;
}

test('CreateTable with a stream', async () => {
  const res = await ddb.send(new CreateTableCommand({
    TableName: TABLE,
    AttributeDefinitions: [
      { AttributeName: 'customer', AttributeType: 'S' },
      { AttributeName: 'ts', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'customer', KeyType: 'HASH' },
      { AttributeName: 'ts', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
  }));
  assert.equal(res.TableDescription.TableName, TABLE);
  assert.match(res.TableDescription.LatestStreamArn, /:table\/JsOrders\/stream\//);
  const desc = await ddb.send(new DescribeTableCommand({ TableName: TABLE }));
  assert.equal(desc.Table.StreamSpecification.StreamViewType, 'NEW_AND_OLD_IMAGES');
});

const ALL_TYPES = {
  customer: { S: 'alice' },
  ts: { N: '1' },
  str: { S: 'héllo "wörld" \u2603' },
  num: { N: '-12.5' },
  big: { N: '12345678901234567890123456789012345678' },
  bin: { B: new Uint8Array([0, 1, 2, 253, 254, 255]) },
  yes: { BOOL: true },
  nothing: { NULL: true },
  strs: { SS: ['a', 'b'] },
  nums: { NS: ['1', '2.5'] },
  bins: { BS: [new Uint8Array([1]), new Uint8Array([2, 3])] },
  list: { L: [{ S: 'x' }, { N: '2' }, { M: { deep: { BOOL: false } } }] },
  map: { M: { a: { S: 'b' }, n: { L: [] } } },
};

test('PutItem / GetItem round trip of every type', async () => {
  await ddb.send(new PutItemCommand({ TableName: TABLE, Item: ALL_TYPES }));
  const got = await ddb.send(new GetItemCommand({
    TableName: TABLE, Key: { customer: { S: 'alice' }, ts: { N: '1' } }, ConsistentRead: true,
  }));
  const item = got.Item;
  assert.deepEqual(Object.keys(item).sort(), Object.keys(ALL_TYPES).sort());
  for (const k of ['customer', 'ts', 'str', 'num', 'big', 'yes', 'nothing', 'list', 'map']) {
    assert.deepEqual(item[k], ALL_TYPES[k], k);
  }
  assert.deepEqual([...item.bin.B], [0, 1, 2, 253, 254, 255]);
  assert.deepEqual([...item.strs.SS].sort(), ['a', 'b']);
  assert.deepEqual([...item.nums.NS].sort(), ['1', '2.5']);
  assert.deepEqual(item.bins.BS.map((b) => [...b]).sort(), [[1], [2, 3]]);
  const missing = await ddb.send(new GetItemCommand({
    TableName: TABLE, Key: { customer: { S: 'nobody' }, ts: { N: '1' } },
  }));
  assert.equal(missing.Item, undefined);
});

test('ConditionalCheckFailedException', async () => {
  await assert.rejects(
    ddb.send(new PutItemCommand({
      TableName: TABLE,
      Item: { customer: { S: 'alice' }, ts: { N: '1' } },
      ConditionExpression: 'attribute_not_exists(customer)',
    })),
    (err) => {
      assert.ok(err instanceof ConditionalCheckFailedException, err.name);
      assert.equal(err.name, 'ConditionalCheckFailedException');
      assert.equal(err.$metadata.httpStatusCode, 400);
      return true;
    },
  );
  await assert.rejects(
    ddb.send(new GetItemCommand({ TableName: 'NoSuchTable', Key: { k: { S: 'x' } } })),
    (err) => err instanceof ResourceNotFoundException,
  );
});

test('Query a partition with a sort key range', async () => {
  for (let ts = 2; ts <= 6; ts++) {
    await ddb.send(new PutItemCommand({
      TableName: TABLE, Item: { customer: { S: 'bob' }, ts: { N: String(ts) }, v: { N: String(ts * 10) } },
    }));
  }
  const res = await ddb.send(new QueryCommand({
    TableName: TABLE,
    KeyConditionExpression: 'customer = :c AND ts BETWEEN :lo AND :hi',
    ExpressionAttributeValues: { ':c': { S: 'bob' }, ':lo': { N: '3' }, ':hi': { N: '5' } },
  }));
  assert.equal(res.Count, 3);
  assert.deepEqual(res.Items.map((i) => i.ts.N), ['3', '4', '5']);
  const desc = await ddb.send(new QueryCommand({
    TableName: TABLE,
    KeyConditionExpression: 'customer = :c',
    ExpressionAttributeValues: { ':c': { S: 'bob' } },
    ScanIndexForward: false,
    Limit: 2,
  }));
  assert.deepEqual(desc.Items.map((i) => i.ts.N), ['6', '5']);
  assert.ok(desc.LastEvaluatedKey, 'a limited query returns LastEvaluatedKey');
});

test('stream records through the Streams client', async () => {
  await ddb.send(new UpdateItemCommand({
    TableName: TABLE,
    Key: { customer: { S: 'carol' }, ts: { N: '1' } },
    UpdateExpression: 'SET v = :v',
    ExpressionAttributeValues: { ':v': { S: 'first' } },
  }));
  await ddb.send(new UpdateItemCommand({
    TableName: TABLE,
    Key: { customer: { S: 'carol' }, ts: { N: '1' } },
    UpdateExpression: 'SET v = :v',
    ExpressionAttributeValues: { ':v': { S: 'second' } },
  }));
  await ddb.send(new DeleteItemCommand({
    TableName: TABLE, Key: { customer: { S: 'carol' }, ts: { N: '1' } },
  }));
  const listed = await streams.send(new ListStreamsCommand({ TableName: TABLE }));
  assert.equal(listed.Streams.length, 1);
  const arn = listed.Streams[0].StreamArn;
  const records = await readStream(arn);
  const carol = records.filter((r) => r.dynamodb.Keys.customer.S === 'carol');
  assert.deepEqual(carol.map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
  assert.equal(carol[0].dynamodb.NewImage.v.S, 'first');
  assert.equal(carol[1].dynamodb.OldImage.v.S, 'first');
  assert.equal(carol[1].dynamodb.NewImage.v.S, 'second');
  assert.equal(carol[2].dynamodb.OldImage.v.S, 'second');
  assert.equal(carol[2].dynamodb.NewImage, undefined);
  for (const r of carol) {
    assert.equal(r.eventSource, 'aws:dynamodb');
    assert.equal(r.dynamodb.StreamViewType, 'NEW_AND_OLD_IMAGES');
    assert.ok(r.dynamodb.ApproximateCreationDateTime instanceof Date);
    assert.match(r.dynamodb.SequenceNumber, /^\d+$/);
  }
  // The all-types item's stream image decodes like the item itself.
  const alice = records.find((r) => r.dynamodb.Keys.customer.S === 'alice');
  assert.equal(alice.eventName, 'INSERT');
  assert.deepEqual([...alice.dynamodb.NewImage.bin.B], [0, 1, 2, 253, 254, 255]);
  assert.deepEqual(alice.dynamodb.NewImage.map, ALL_TYPES.map);
  // bob's 5 puts + alice + carol's 3.
  assert.equal(records.length, 9);
});
