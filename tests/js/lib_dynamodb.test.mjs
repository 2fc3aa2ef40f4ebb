// @aws-sdk/lib-dynamodb (DynamoDBDocumentClient) against the real binary: native JS values in
// and out (marshalling options), put/get/update/delete, query/scan paginators, batchWrite /
// batchGet and transactWrite (needs the batch + transactions work), error types.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  paginateQuery,
  paginateScan,
} from '@aws-sdk/lib-dynamodb';

import { startStreamer } from './server.mjs';

const TABLE = 'DocOrders';
let server;
let ddb;
let doc;        // default marshalling
let docLoose;   // removeUndefinedValues + convertEmptyValues + convertClassInstanceToMap
let docExact;   // wrapNumbers: numbers come back as NumberValue (exact digits)

before(async () => {
  server = await startStreamer();
  ddb = new DynamoDBClient(server.clientConfig);
  // One base client each: a document client stores its options in the base client's config.
  doc = DynamoDBDocumentClient.from(new DynamoDBClient(server.clientConfig));
  docLoose = DynamoDBDocumentClient.from(new DynamoDBClient(server.clientConfig), {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: true,
      convertClassInstanceToMap: true },
  });
  docExact = DynamoDBDocumentClient.from(new DynamoDBClient(server.clientConfig),
    { unmarshallOptions: { wrapNumbers: true } });
  await ddb.send(new CreateTableCommand({
    TableName: TABLE,
    AttributeDefinitions: [
      { AttributeName: 'customer', AttributeType: 'S' },
      { AttributeName: 'order', AttributeType: 'N' },
    ],
    KeySchema: [
      { AttributeName: 'customer', KeyType: 'HASH' },
      { AttributeName: 'order', KeyType: 'RANGE' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
  }));
});

after(async () => {
  for (const c of [ddb, doc, docLoose, docExact]) c?.destroy();
  if (server) {
    const { code, stderr } = await server.stop();
    assert.equal(code, 0, `streamer exit code after SIGTERM; stderr:\n${stderr}`);
  }
});

test('put and get round-trip every native type', async () => {
  const item = {
    customer: 'alice', order: 1,
    total: 12.5, neg: -3, big: 9007199254740991,
    name: 'Alice', empty: '', ok: true, missing: null,
    tags: new Set(['a', 'b']), sizes: new Set([1, 2.5]),
    blob: new Uint8Array([0, 1, 254, 255]),
    parts: [{ sku: 'x', qty: 2 }, 'free text', [1, [2]]],
    address: { city: 'Paris', zip: '75001', geo: { lat: 48.85, lng: 2.35 } },
  };
  const put = await doc.send(new PutCommand({ TableName: TABLE, Item: item }));
  assert.equal(put.$metadata.httpStatusCode, 200);
  assert.equal(put.Attributes, undefined);
  const got = await doc.send(new GetCommand({ TableName: TABLE, Key: { customer: 'alice', order: 1 } }));
  assert.deepEqual(got.Item, item);
});

test('ProjectionExpression with names and a nested path', async () => {
  const got = await doc.send(new GetCommand({
    TableName: TABLE, Key: { customer: 'alice', order: 1 },
    ProjectionExpression: '#n, address.geo.lat, parts[0].sku', ExpressionAttributeNames: { '#n': 'name' },
  }));
  assert.deepEqual(got.Item, { name: 'Alice', address: { geo: { lat: 48.85 } }, parts: [{ sku: 'x' }] });
});

test('marshalling options: undefined removed, empty values to NULL, class instances as maps', async () => {
  // Without removeUndefinedValues the client refuses before sending anything.
  await assert.rejects(doc.send(new PutCommand({ TableName: TABLE, Item: { customer: 'bob', order: 1, list: [undefined] } })),
    /removeUndefinedValues/);
  class Money { constructor() { this.amount = 5; this.currency = 'EUR'; } }
  await docLoose.send(new PutCommand({ TableName: TABLE, Item: {
    customer: 'bob', order: 1, x: undefined, note: '', price: new Money(), list: [undefined, 1],
  } }));
  const raw = await ddb.send(new GetItemCommand({
    TableName: TABLE, Key: { customer: { S: 'bob' }, order: { N: '1' } } }));
  assert.deepEqual(raw.Item, {
    customer: { S: 'bob' }, order: { N: '1' }, note: { NULL: true },
    price: { M: { amount: { N: '5' }, currency: { S: 'EUR' } } }, list: { L: [{ N: '1' }] },
  });
});

test('wrapNumbers keeps 38 significant digits exactly', async () => {
  const digits = '12345678901234567890123456789012345678';
  await doc.send(new PutCommand({ TableName: TABLE, Item: {
    customer: 'carol', order: 1, exact: NumberValue.from(digits), tiny: NumberValue.from('0.000000000000000000000000000000000001'),
  } }));
  const got = await docExact.send(new GetCommand({ TableName: TABLE, Key: { customer: 'carol', order: 1 } }));
  assert.equal(got.Item.exact.toString(), digits);
  assert.match(got.Item.tiny.toString(), /^(0\.0{35}1|1E-36)$/i);
  // Without wrapNumbers an integer too big for a double comes back as a BigInt, exactly.
  const plain = await doc.send(new GetCommand({ TableName: TABLE, Key: { customer: 'carol', order: 1 } }));
  assert.equal(plain.Item.exact, BigInt(digits));
});

test('conditional put fails with ConditionalCheckFailedException and the old item', async () => {
  const err = await doc.send(new PutCommand({
    TableName: TABLE, Item: { customer: 'alice', order: 1, name: 'Mallory' },
    ConditionExpression: 'attribute_not_exists(customer)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  })).then(() => null, (e) => e);
  assert.ok(err instanceof ConditionalCheckFailedException, String(err));
  assert.equal(err.name, 'ConditionalCheckFailedException');
  assert.equal(err.message, 'The conditional request failed');
  assert.equal(err.$metadata.httpStatusCode, 400);
  assert.equal(err.Item.name.S, 'Alice'); // the error's Item is not unmarshalled by lib-dynamodb
  const got = await doc.send(new GetCommand({ TableName: TABLE, Key: { customer: 'alice', order: 1 } }));
  assert.equal(got.Item.name, 'Alice');
});

test('update: ADD a counter, SET nested paths, list_append, REMOVE, ALL_NEW / UPDATED_OLD', async () => {
  const key = { customer: 'dave', order: 7 };
  let res = await doc.send(new UpdateCommand({
    TableName: TABLE, Key: key,
    UpdateExpression: 'ADD visits :one SET profile = :p, history = :empty',
    ExpressionAttributeValues: { ':one': 1, ':p': { tier: 'gold', prefs: { mail: true } }, ':empty': [] },
    ReturnValues: 'ALL_NEW',
  }));
  assert.deepEqual(res.Attributes, { customer: 'dave', order: 7, visits: 1,
    profile: { tier: 'gold', prefs: { mail: true } }, history: [] });
  res = await doc.send(new UpdateCommand({
    TableName: TABLE, Key: key,
    UpdateExpression: 'ADD visits :one SET profile.tier = :t, history = list_append(history, :h) REMOVE profile.prefs',
    ConditionExpression: 'visits = :one',
    ExpressionAttributeValues: { ':one': 1, ':t': 'platinum', ':h': ['login'] },
    ReturnValues: 'UPDATED_OLD',
  }));
  assert.deepEqual(res.Attributes, { visits: 1, profile: { tier: 'gold', prefs: { mail: true } }, history: [] });
  const got = await doc.send(new GetCommand({ TableName: TABLE, Key: key }));
  assert.deepEqual(got.Item, { customer: 'dave', order: 7, visits: 2, profile: { tier: 'platinum' }, history: ['login'] });
  // ADD to a string set with a JS Set.
  res = await doc.send(new UpdateCommand({
    TableName: TABLE, Key: key, UpdateExpression: 'ADD labels :l',
    ExpressionAttributeValues: { ':l': new Set(['vip', 'eu']) }, ReturnValues: 'UPDATED_NEW',
  }));
  assert.deepEqual(res.Attributes, { labels: new Set(['eu', 'vip']) });
});

test('query with paginateQuery: 100-item pages, sort key order both ways, filters', async () => {
  // 250 orders of one customer (one PutCommand each: no batch needed).
  for (let i = 1; i <= 250; i++) {
    await doc.send(new PutCommand({ TableName: TABLE, Item: { customer: 'erin', order: i, even: i % 2 === 0 } }));
  }
  const pages = [];
  for await (const page of paginateQuery({ client: doc, pageSize: 100 }, {
    TableName: TABLE, KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: { ':c': 'erin' },
  })) pages.push(page);
  assert.deepEqual(pages.map((p) => p.Count), [100, 100, 50]);
  assert.deepEqual(pages[0].LastEvaluatedKey, { customer: 'erin', order: 100 });
  assert.equal(pages[2].LastEvaluatedKey, undefined);
  const orders = pages.flatMap((p) => p.Items.map((it) => it.order));
  assert.deepEqual(orders, Array.from({ length: 250 }, (_, i) => i + 1));

  const desc = await doc.send(new QueryCommand({
    TableName: TABLE, KeyConditionExpression: 'customer = :c AND #o BETWEEN :lo AND :hi',
    FilterExpression: 'even = :t', ExpressionAttributeNames: { '#o': 'order' },
    ExpressionAttributeValues: { ':c': 'erin', ':lo': 10, ':hi': 20, ':t': true },
    ScanIndexForward: false,
  }));
  assert.deepEqual(desc.Items.map((it) => it.order), [20, 18, 16, 14, 12, 10]);
  assert.equal(desc.Count, 6);
  assert.equal(desc.ScannedCount, 11);
});

test('scan with paginateScan visits every item once', async () => {
  const seen = [];
  for await (const page of paginateScan({ client: doc, pageSize: 64 }, { TableName: TABLE })) {
    assert.ok(page.Items.length <= 64);
    seen.push(...page.Items.map((it) => `${it.customer}/${it.order}`));
  }
  assert.equal(new Set(seen).size, seen.length);
  assert.equal(seen.length, 250 + 4); // erin's 250 + alice, bob, carol, dave
});

test('delete with ReturnValues ALL_OLD, then the item is gone', async () => {
  const res = await doc.send(new DeleteCommand({
    TableName: TABLE, Key: { customer: 'bob', order: 1 }, ReturnValues: 'ALL_OLD',
  }));
  assert.equal(res.Attributes.note, null);
  const got = await doc.send(new GetCommand({ TableName: TABLE, Key: { customer: 'bob', order: 1 } }));
  assert.equal(got.Item, undefined);
});

test('batchWrite and batchGet (25 puts and deletes, then read back)', async () => {
  const puts = Array.from({ length: 25 }, (_, i) => ({
    PutRequest: { Item: { customer: 'frank', order: i, amount: i * 10, tags: new Set([`t${i}`]) } } }));
  let res = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: puts } }));
  assert.deepEqual(res.UnprocessedItems, {});
  res = await doc.send(new BatchWriteCommand({ RequestItems: { [TABLE]: [
    { DeleteRequest: { Key: { customer: 'frank', order: 0 } } },
    { DeleteRequest: { Key: { customer: 'frank', order: 1 } } },
    { PutRequest: { Item: { customer: 'frank', order: 100, amount: 1 } } },
  ] } }));
  assert.deepEqual(res.UnprocessedItems, {});
  const get = await doc.send(new BatchGetCommand({ RequestItems: { [TABLE]: {
    Keys: [0, 1, 2, 24, 100].map((order) => ({ customer: 'frank', order })),
    ProjectionExpression: '#o, amount, tags', ExpressionAttributeNames: { '#o': 'order' },
  } } }));
  assert.deepEqual(get.UnprocessedKeys, {});
  const items = get.Responses[TABLE].sort((a, b) => a.order - b.order);
  assert.deepEqual(items, [
    { order: 2, amount: 20, tags: new Set(['t2']) },
    { order: 24, amount: 240, tags: new Set(['t24']) },
    { order: 100, amount: 1 },
  ]);
});

test('transactWrite: all or nothing, cancellation reasons per action', async () => {
  const ok = await doc.send(new TransactWriteCommand({ TransactItems: [
    { Put: { TableName: TABLE, Item: { customer: 'gina', order: 1, balance: 100 },
      ConditionExpression: 'attribute_not_exists(customer)' } },
    { Put: { TableName: TABLE, Item: { customer: 'hank', order: 1, balance: 0 } } },
  ] }));
  assert.equal(ok.$metadata.httpStatusCode, 200);
  // Move 30 from gina to hank.
  await doc.send(new TransactWriteCommand({ TransactItems: [
    { Update: { TableName: TABLE, Key: { customer: 'gina', order: 1 },
      UpdateExpression: 'SET balance = balance - :a', ConditionExpression: 'balance >= :a',
      ExpressionAttributeValues: { ':a': 30 } } },
    { Update: { TableName: TABLE, Key: { customer: 'hank', order: 1 },
      UpdateExpression: 'SET balance = balance + :a', ExpressionAttributeValues: { ':a': 30 } } },
  ] }));
  // Moving 500 fails on gina's condition: nothing changes, reasons in order.
  const err = await doc.send(new TransactWriteCommand({ TransactItems: [
    { Update: { TableName: TABLE, Key: { customer: 'hank', order: 1 },
      UpdateExpression: 'SET balance = balance + :a', ExpressionAttributeValues: { ':a': 500 } } },
    { Update: { TableName: TABLE, Key: { customer: 'gina', order: 1 },
      UpdateExpression: 'SET balance = balance - :a', ConditionExpression: 'balance >= :a',
      ExpressionAttributeValues: { ':a': 500 }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
  ] })).then(() => null, (e) => e);
  assert.ok(err instanceof TransactionCanceledException, String(err));
  assert.equal(err.message,
    'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed]');
  assert.deepEqual(err.CancellationReasons.map((r) => r.Code), ['None', 'ConditionalCheckFailed']);
  assert.equal(err.CancellationReasons[1].Message, 'The conditional request failed');
  assert.deepEqual(err.CancellationReasons[1].Item, {
    customer: { S: 'gina' }, order: { N: '1' }, balance: { N: '70' } });
  const g = await doc.send(new GetCommand({ TableName: TABLE, Key: { customer: 'gina', order: 1 } }));
  const h = await doc.send(new GetCommand({ TableName: TABLE, Key: { customer: 'hank', order: 1 } }));
  assert.equal(g.Item.balance, 70);
  assert.equal(h.Item.balance, 30);
});

test('errors keep their AWS types through the document client', async () => {
  const err = await doc.send(new GetCommand({ TableName: 'NoSuchTable', Key: { id: 'x' } })).then(() => null, (e) => e);
  assert.equal(err.name, 'ResourceNotFoundException');
  assert.equal(err.$metadata.httpStatusCode, 400);
  const bad = await doc.send(new GetCommand({ TableName: TABLE, Key: { customer: 'alice' } })).then(() => null, (e) => e);
  assert.equal(bad.name, 'ValidationException');
  assert.equal(bad.message, 'The provided key element does not match the schema');
});
