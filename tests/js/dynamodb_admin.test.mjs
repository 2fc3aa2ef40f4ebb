// dynamodb-admin (the npm web UI for local DynamoDB) run unchanged against the real binary
// (DYNAMO_ENDPOINT), driven through its HTTP pages and the JSON calls its pages make, the
// way a user clicks through it: list tables, open a table, view items, page through them,
// create a table, add / edit / delete an item, purge and delete a table. The assertions
// check that the pages show our data and that the server really changed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

import { CREDENTIALS, freePort, startStreamer } from './server.mjs';

const ADMIN_CLI = fileURLToPath(new URL('./node_modules/dynamodb-admin/dist/dynamodb-admin.js', import.meta.url));
const TABLE = 'AdminUsers';
let server;
let ddb;
let admin;
let adminOut = '';
let base;

// EJS escapes what it prints with <%= %>; pages are compared after unescaping.
function unescapeHtml(s) {
  return s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

async function page(path) {
  const res = await fetch(base + path);
  return { status: res.status, type: res.headers.get('content-type'), body: unescapeHtml(await res.text()) };
}

async function call(method, path, body) {
  const res = await fetch(base + path, {
    method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text, json: () => JSON.parse(text) };
}

before(async () => {
  server = await startStreamer();
  ddb = new DynamoDBClient(server.clientConfig);
  await ddb.send(new CreateTableCommand({
    TableName: TABLE, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
  }));
  for (let i = 0; i < 30; i++) {
    await ddb.send(new PutItemCommand({ TableName: TABLE, Item: {
      id: { S: `user-${String(i).padStart(2, '0')}` }, age: { N: String(20 + i) },
      name: { S: `Name ${i}` }, roles: { SS: ['reader'] } } }));
  }
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  admin = spawn(process.execPath, [ADMIN_CLI, '--host', '127.0.0.1', '--port', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DYNAMO_ENDPOINT: server.endpoint, AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey },
  });
  admin.stdout.on('data', (d) => { adminOut += d; });
  admin.stderr.on('data', (d) => { adminOut += d; });
  const deadline = Date.now() + 30000;
  for (;;) {
    if (admin.exitCode !== null) throw new Error(`dynamodb-admin exited: ${adminOut}`);
    try {
      if ((await fetch(`${base}/api/tables`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`dynamodb-admin not up: ${adminOut}`);
    await new Promise((r) => setTimeout(r, 50));
  }
});

after(async () => {
  if (admin && admin.exitCode === null) {
    const exited = new Promise((resolve) => admin.once('exit', resolve));
    admin.kill('SIGTERM');
    await exited;
  }
  ddb?.destroy();
  if (server) {
    const { code, stderr } = await server.stop();
    assert.equal(code, 0, `streamer exit code after SIGTERM; stderr:\n${stderr}`);
  }
});

test('it talks to our endpoint', () => {
  assert.match(adminOut, new RegExp(`database endpoint:\\s+${server.endpoint.replace(/\./g, '\\.')}`));
});

test('the tables page lists our table', async () => {
  const home = await page('/');
  assert.equal(home.status, 200);
  assert.match(home.type, /text\/html/);
  assert.ok(home.body.includes(`data-table-name="${TABLE}"`), home.body.slice(0, 500));
  assert.ok(home.body.includes(`href='/tables/${TABLE}'`));
  const api = await call('GET', '/api/tables');
  assert.equal(api.status, 200);
  // Every table the server has (the seed stack's table too), each described.
  const tables = api.json();
  const { TableNames } = await ddb.send(new ListTablesCommand({}));
  assert.deepEqual(tables.map((t) => t.TableName), TableNames);
  const ours = tables.find((t) => t.TableName === TABLE);
  assert.deepEqual(ours.KeySchema, [{ AttributeName: 'id', KeyType: 'HASH' }]);
  assert.equal(ours.TableStatus, 'ACTIVE');
});

test('opening a table shows its page, its meta page and its get form', async () => {
  const scan = await page(`/tables/${TABLE}`);
  assert.equal(scan.status, 200);
  assert.ok(scan.body.includes(TABLE));
  const meta = await page(`/tables/${TABLE}/meta`);
  assert.equal(meta.status, 200);
  assert.ok(meta.body.includes(`"TableName": "${TABLE}"`), 'meta shows DescribeTable');
  assert.ok(meta.body.includes('"AttributeName": "id"'));
  const get = await page(`/tables/${TABLE}/get`);
  assert.equal(get.status, 200);
  const jump = await fetch(`${base}/tables/${TABLE}/get?hash=user-03`, { redirect: 'manual' });
  assert.equal(jump.status, 302);
  assert.equal(jump.headers.get('location'), `/tables/${TABLE}/items/user-03`);
});

test('viewing items pages through the table (Scan with Limit and ExclusiveStartKey)', async () => {
  const seen = [];
  let startKey = '';
  let pages = 0;
  for (;;) {
    const res = await call('GET', `/tables/${TABLE}/items?pageSize=12${startKey ? `&startKey=${startKey}` : ''}`);
    assert.equal(res.status, 200, res.body);
    const data = res.json();
    pages++;
    assert.ok(data.Items.length <= 12);
    assert.equal(data.uniqueKeys[0], 'id');
    assert.deepEqual([...data.uniqueKeys].sort(), ['age', 'id', 'name', 'roles']);
    seen.push(...data.Items.map((it) => it.id));
    if (!data.nextKey) break;
    startKey = data.nextKey; // already URI-encoded by dynamodb-admin
  }
  assert.equal(pages, 3);
  assert.deepEqual(seen.sort(), Array.from({ length: 30 }, (_, i) => `user-${String(i).padStart(2, '0')}`));
});

test('a filtered scan and a key query from the table page', async () => {
  const filters = encodeURIComponent(JSON.stringify({ age: { value: '45', type: 'N', operator: '>=' } }));
  let res = await call('GET', `/tables/${TABLE}/items?filters=${filters}`);
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json().Items.map((it) => it.age).sort(), [45, 46, 47, 48, 49]);
  const key = encodeURIComponent(JSON.stringify({ id: { value: 'user-07', type: 'S', operator: '=' } }));
  res = await call('GET', `/tables/${TABLE}/items?operationType=query&filters=${key}`);
  assert.equal(res.status, 200, res.body);
  // (a string set arrives as a JS Set, which JSON shows as {})
  assert.deepEqual(res.json().Items, [{ id: 'user-07', age: 27, name: 'Name 7', roles: {}, __key: { id: 'user-07' } }]);
});

test('an item page shows the item', async () => {
  const item = await page(`/tables/${TABLE}/items/user-05`);
  assert.equal(item.status, 200);
  assert.ok(item.body.includes('"name": "Name 5"'), 'item page shows the name');
  assert.ok(item.body.includes('"age": 25'));
  const missing = await page(`/tables/${TABLE}/items/nobody`);
  assert.equal(missing.status, 404);
});

test('add an item, edit it, delete it', async () => {
  const form = await page(`/tables/${TABLE}/add-item`);
  assert.equal(form.status, 200);
  assert.ok(form.body.includes('"id": ""'), 'the new-item form starts with the key');
  let res = await call('PUT', `/tables/${TABLE}/add-item`, { id: 'new-user', name: 'Neo', tags: { a: [1, 'two'] } });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json(), { id: 'new-user' });
  let got = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'new-user' } } }));
  assert.deepEqual(got.Item, { id: { S: 'new-user' }, name: { S: 'Neo' },
    tags: { M: { a: { L: [{ N: '1' }, { S: 'two' }] } } } });

  res = await call('PUT', `/tables/${TABLE}/items/new-user`, { id: 'new-user', name: 'Neo Anderson', level: 7 });
  assert.equal(res.status, 200, res.body);
  assert.deepEqual(res.json(), { id: 'new-user', name: 'Neo Anderson', level: 7 });
  const shown = await page(`/tables/${TABLE}/items/new-user`);
  assert.ok(shown.body.includes('"name": "Neo Anderson"'));
  assert.ok(!shown.body.includes('"tags"'), 'the edit replaced the whole item');

  res = await call('DELETE', `/tables/${TABLE}/items/new-user`);
  assert.equal(res.status, 204);
  got = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: 'new-user' } } }));
  assert.equal(got.Item, undefined);
  assert.equal((await page(`/tables/${TABLE}/items/new-user`)).status, 404);
});

test('a server error is shown as the admin\'s error reply, not a crash', async () => {
  // A key too long for DynamoDB: our ValidationException reaches the page as its message.
  const res = await call('PUT', `/tables/${TABLE}/add-item`, { id: 'x'.repeat(2049) });
  assert.equal(res.status, 500);
  assert.match(res.json().message, /Hash primary key values must be under 2048 bytes|2048/);
  assert.equal((await call('GET', '/api/tables')).status, 200);
});

test('create a table from the create-table form (hash + range)', async () => {
  assert.equal((await page('/create-table')).status, 200);
  const res = await call('POST', '/create-table', { TableDefinition: {
    TableName: 'AdminEvents', HashAttributeName: 'device', HashAttributeType: 'S',
    RangeAttributeName: 'at', RangeAttributeType: 'N', ReadCapacityUnits: 3, WriteCapacityUnits: 2 } });
  assert.equal(res.status, 204, res.body);
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'AdminEvents' }));
  assert.deepEqual(Table.KeySchema, [{ AttributeName: 'device', KeyType: 'HASH' }, { AttributeName: 'at', KeyType: 'RANGE' }]);
  assert.equal(Table.ProvisionedThroughput.ReadCapacityUnits, 3);
  assert.equal(Table.ProvisionedThroughput.WriteCapacityUnits, 2);
  const home = await page('/');
  assert.ok(home.body.includes('data-table-name="AdminEvents"'));
  // A number range key typed in the form's key path is cast to a number.
  await call('PUT', '/tables/AdminEvents/add-item', { device: 'd1', at: 17, temp: 21.5 });
  const item = await page('/tables/AdminEvents/items/d1,17');
  assert.equal(item.status, 200);
  assert.ok(item.body.includes('"temp": 21.5'));
});

test('the TTL page shows the table\'s time to live (needs wt-tbl)', async () => {
  let ttl = await page('/tables/AdminEvents/ttl');
  assert.equal(ttl.status, 200, ttl.body.slice(0, 300));
  assert.ok(ttl.body.includes('<span class="badge badge-secondary">DISABLED</span>'));
  await ddb.send(new UpdateTimeToLiveCommand({ TableName: 'AdminEvents',
    TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
  ttl = await page('/tables/AdminEvents/ttl');
  assert.equal(ttl.status, 200);
  assert.ok(ttl.body.includes('<span class="badge badge-success">ENABLED</span>'));
  assert.ok(ttl.body.includes('<td>expiresAt</td>'));
});

test('create a table with a global and a local secondary index (needs wt-idx)', async () => {
  const res = await call('POST', '/create-table', {
    TableDefinition: { TableName: 'AdminIndexed', HashAttributeName: 'pk', HashAttributeType: 'S',
      RangeAttributeName: 'sk', RangeAttributeType: 'S', ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    SecondaryIndexes: [
      { IndexName: 'byEmail', IndexType: 'global', HashAttributeName: 'email', HashAttributeType: 'S',
        ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
      { IndexName: 'byDate', IndexType: 'local', HashAttributeName: 'pk', HashAttributeType: 'S',
        RangeAttributeName: 'date', RangeAttributeType: 'S' },
    ] });
  assert.equal(res.status, 204, res.body);
  const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'AdminIndexed' }));
  assert.deepEqual(Table.GlobalSecondaryIndexes.map((i) => i.IndexName), ['byEmail']);
  assert.deepEqual(Table.LocalSecondaryIndexes.map((i) => i.IndexName), ['byDate']);
  await call('PUT', '/tables/AdminIndexed/add-item', { pk: 'u1', sk: 'profile', email: 'a@b.c', date: '2026-11-30' });
  const filters = encodeURIComponent(JSON.stringify({ email: { value: 'a@b.c', type: 'S', operator: '=' } }));
  const q = await call('GET', `/tables/AdminIndexed/items?operationType=query&queryableSelection=byEmail&filters=${filters}`);
  assert.equal(q.status, 200, q.body);
  assert.deepEqual(q.json().Items.map((it) => it.pk), ['u1']);
});

test('purge a table (BatchWriteItem deletes, needs wt-txn), then delete it', async () => {
  let res = await call('DELETE', `/tables/${TABLE}/all`);
  assert.equal(res.status, 200, res.body);
  const scan = await ddb.send(new ScanCommand({ TableName: TABLE }));
  assert.equal(scan.Count, 0);
  res = await call('DELETE', `/tables/${TABLE}`);
  assert.equal(res.status, 204, res.body);
  const names = (await ddb.send(new ListTablesCommand({}))).TableNames;
  assert.ok(!names.includes(TABLE));
  const home = await page('/');
  assert.ok(!home.body.includes(`data-table-name="${TABLE}"`));
});
