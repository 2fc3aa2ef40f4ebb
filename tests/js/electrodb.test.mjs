// ElectroDB (a popular DynamoDB modelling library) running a single-table design against the real
// binary: three entities in one table with composite keys, two GSIs, a collection query across
// entities, a transaction through ElectroDB's transaction API, batch get/put, pagination with
// cursors. Needs secondary indexes (wt-idx) and batch + transactions (wt-txn).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { CreateTableCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Entity, Service } from 'electrodb';

import { startStreamer } from './server.mjs';

const TABLE = 'ShopTable';
let server;
let ddb;
let shop;

function model(client) {
  const config = { table: TABLE, client };
  const customer = new Entity({
    model: { entity: 'customer', version: '1', service: 'shop' },
    attributes: {
      customerId: { type: 'string', required: true },
      name: { type: 'string', required: true },
      email: { type: 'string', required: true },
      tier: { type: ['free', 'pro'], default: 'free' },
      visits: { type: 'number', default: 0 },
    },
    indexes: {
      byId: { collection: 'account',
        pk: { field: 'pk', composite: ['customerId'] }, sk: { field: 'sk', composite: [] } },
      byEmail: { index: 'gsi2',
        pk: { field: 'gsi2pk', composite: ['email'] }, sk: { field: 'gsi2sk', composite: [] } },
    },
  }, config);
  const order = new Entity({
    model: { entity: 'order', version: '1', service: 'shop' },
    attributes: {
      customerId: { type: 'string', required: true },
      orderId: { type: 'string', required: true },
      status: { type: ['open', 'shipped'], required: true },
      placedAt: { type: 'string', required: true },
      total: { type: 'number', required: true },
      lines: { type: 'list', items: { type: 'map', properties: {
        productId: { type: 'string' }, qty: { type: 'number' } } } },
    },
    indexes: {
      byCustomer: { collection: 'account',
        pk: { field: 'pk', composite: ['customerId'] }, sk: { field: 'sk', composite: ['orderId'] } },
      byStatus: { index: 'gsi1',
        pk: { field: 'gsi1pk', composite: ['status'] }, sk: { field: 'gsi1sk', composite: ['placedAt', 'orderId'] } },
    },
  }, config);
  const product = new Entity({
    model: { entity: 'product', version: '1', service: 'shop' },
    attributes: {
      productId: { type: 'string', required: true },
      category: { type: 'string', required: true },
      name: { type: 'string', required: true },
      stock: { type: 'number', required: true },
      tags: { type: 'set', items: 'string' },
    },
    indexes: {
      byId: { pk: { field: 'pk', composite: ['productId'] }, sk: { field: 'sk', composite: [] } },
      byCategory: { index: 'gsi1',
        pk: { field: 'gsi1pk', composite: ['category'] }, sk: { field: 'gsi1sk', composite: ['name'] } },
    },
  }, config);
  return new Service({ customer, order, product }, config);
}

before(async () => {
  server = await startStreamer();
  ddb = new DynamoDBClient(server.clientConfig);
  const gsi = (name) => ({ IndexName: name, Projection: { ProjectionType: 'ALL' }, KeySchema: [
    { AttributeName: `${name}pk`, KeyType: 'HASH' }, { AttributeName: `${name}sk`, KeyType: 'RANGE' }] });
  await ddb.send(new CreateTableCommand({
    TableName: TABLE, BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk']
      .map((n) => ({ AttributeName: n, AttributeType: 'S' })),
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [gsi('gsi1'), gsi('gsi2')],
  }));
  shop = model(DynamoDBDocumentClient.from(new DynamoDBClient(server.clientConfig)));
});

after(async () => {
  ddb?.destroy();
  shop?.entities.customer.client?.destroy?.();
  if (server) {
    const { code, stderr } = await server.stop();
    assert.equal(code, 0, `streamer exit code after SIGTERM; stderr:\n${stderr}`);
  }
});

test('create entities; the stored keys are ElectroDB composite keys', async () => {
  const c = await shop.entities.customer.create({ customerId: 'c1', name: 'Ada', email: 'ada@example.com' }).go();
  assert.deepEqual(c.data, { customerId: 'c1', name: 'Ada', email: 'ada@example.com', tier: 'free', visits: 0 });
  // create is a conditional put: the same key again is refused.
  await assert.rejects(shop.entities.customer.create({ customerId: 'c1', name: 'Eve', email: 'eve@example.com' }).go(),
    /The conditional request failed/);
  await shop.entities.customer.create({ customerId: 'c2', name: 'Bob', email: 'bob@example.com', tier: 'pro' }).go();
  await shop.entities.product.put([
    { productId: 'p1', category: 'books', name: 'Dune', stock: 5, tags: ['scifi', 'classic'] },
    { productId: 'p2', category: 'books', name: 'Emma', stock: 1 },
    { productId: 'p3', category: 'games', name: 'Go', stock: 9 },
  ]).go();
  const raw = await ddb.send(new ScanCommand({ TableName: TABLE }));
  const c1 = raw.Items.find((it) => it.customerId?.S === 'c1');
  assert.equal(c1.pk.S, '$shop#customerid_c1');
  assert.equal(c1.sk.S, '$account#customer_1');
  assert.equal(c1.gsi2pk.S, '$shop#email_ada@example.com');
  assert.equal(raw.Count, 5);
});

test('get, batch get and the GSI lookups by email and by category', async () => {
  const got = await shop.entities.customer.get({ customerId: 'c2' }).go();
  assert.equal(got.data.name, 'Bob');
  const many = await shop.entities.product.get([{ productId: 'p1' }, { productId: 'p3' }, { productId: 'nope' }]).go();
  assert.deepEqual(many.data.map((p) => p.name).sort(), ['Dune', 'Go']);
  assert.deepEqual(many.unprocessed, []);
  const byEmail = await shop.entities.customer.query.byEmail({ email: 'ada@example.com' }).go();
  assert.deepEqual(byEmail.data.map((c) => c.customerId), ['c1']);
  const books = await shop.entities.product.query.byCategory({ category: 'books' }).go();
  assert.deepEqual(books.data.map((p) => p.name), ['Dune', 'Emma']);
  assert.deepEqual(books.data[0].tags.sort(), ['classic', 'scifi']);
  const e = await shop.entities.product.query.byCategory({ category: 'books' }).begins({ name: 'E' }).go();
  assert.deepEqual(e.data.map((p) => p.productId), ['p2']);
});

test('a transaction places an order and takes stock, or does nothing', async () => {
  const place = (orderId, productId, qty) => shop.transaction.write(({ order: o, product: p }) => [
    o.create({ customerId: 'c1', orderId, status: 'open', placedAt: '2026-11-01T10:00:00Z',
      total: qty * 10, lines: [{ productId, qty }] }).commit(),
    p.patch({ productId }).subtract({ stock: qty })
      .where(({ stock }, { gte }) => gte(stock, qty)).commit({ response: 'all_old' }),
  ]).go();
  const ok = await place('o-1', 'p1', 2);
  assert.equal(ok.canceled, false);
  assert.equal((await shop.entities.product.get({ productId: 'p1' }).go()).data.stock, 3);
  // Only 1 Emma left: the condition fails, the order is not created.
  const no = await place('o-2', 'p2', 3);
  assert.equal(no.canceled, true);
  assert.deepEqual(no.data.map((r) => [r.rejected, r.code]),
    [[false, 'None'], [true, 'ConditionalCheckFailed']]);
  assert.equal(no.data[1].item.stock, 1);
  assert.equal((await shop.entities.order.get({ customerId: 'c1', orderId: 'o-2' }).go()).data, null);
  assert.equal((await shop.entities.product.get({ productId: 'p2' }).go()).data.stock, 1);
});

test('update: add, set and append through ElectroDB expressions', async () => {
  const res = await shop.entities.customer.update({ customerId: 'c1' })
    .add({ visits: 1 }).set({ tier: 'pro' }).go({ response: 'all_new' });
  assert.equal(res.data.visits, 1);
  assert.equal(res.data.tier, 'pro');
  const o = await shop.entities.order.update({ customerId: 'c1', orderId: 'o-1' })
    .append({ lines: [{ productId: 'p3', qty: 1 }] }).add({ total: 10 }).go({ response: 'all_new' });
  assert.equal(o.data.lines.length, 2);
  assert.equal(o.data.total, 30);
  // A patch of a missing item fails (patch = update that must find the item).
  await assert.rejects(shop.entities.customer.patch({ customerId: 'ghost' }).set({ name: 'x' }).go(),
    /The conditional request failed/);
});

test('collection query: a customer and their orders in one Query', async () => {
  for (let i = 2; i <= 4; i++) {
    await shop.entities.order.create({ customerId: 'c1', orderId: `o-${i}`, status: 'shipped',
      placedAt: `2026-11-0${i}T10:00:00Z`, total: i }).go();
  }
  const acct = await shop.collections.account({ customerId: 'c1' }).go();
  assert.deepEqual(acct.data.customer.map((c) => c.name), ['Ada']);
  assert.deepEqual(acct.data.order.map((o) => o.orderId), ['o-1', 'o-2', 'o-3', 'o-4']);
  assert.equal(acct.data.product, undefined);
  const other = await shop.collections.account({ customerId: 'c2' }).go();
  assert.deepEqual(other.data.order, []);
  assert.deepEqual(other.data.customer.map((c) => c.name), ['Bob']);
});

test('pagination with cursors over a GSI, sort key range and filter', async () => {
  for (let i = 0; i < 45; i++) {
    const day = String(10 + (i % 20)).padStart(2, '0');
    await shop.entities.order.put({ customerId: 'c2', orderId: `p-${String(i).padStart(2, '0')}`,
      status: 'open', placedAt: `2026-11-${day}T00:00:00Z`, total: i }).go();
  }
  const seen = [];
  let cursor = null;
  let pages = 0;
  do {
    const page = await shop.entities.order.query.byStatus({ status: 'open' }).go({ cursor, limit: 10 });
    assert.ok(page.data.length <= 10);
    seen.push(...page.data.map((o) => o.orderId));
    cursor = page.cursor;
    pages++;
  } while (cursor);
  assert.equal(seen.length, 46); // 45 + o-1
  assert.equal(new Set(seen).size, 46);
  assert.ok(pages >= 5, `pages ${pages}`);
  // In GSI sort key order (placedAt, then orderId).
  const all = await shop.entities.order.query.byStatus({ status: 'open' }).go({ pages: 'all' });
  const keys = all.data.map((o) => `${o.placedAt}#${o.orderId}`);
  assert.deepEqual(keys, [...keys].sort());
  const range = await shop.entities.order.query.byStatus({ status: 'open' })
    .begins({ placedAt: '2026-11-10' })
    .where(({ total }, { gt }) => gt(total, 0)).go({ pages: 'all' });
  assert.deepEqual(range.data.map((o) => o.orderId).sort(), ['p-20', 'p-40']);
});

test('delete and remove', async () => {
  await shop.entities.order.delete({ customerId: 'c1', orderId: 'o-4' }).go();
  await assert.rejects(shop.entities.order.remove({ customerId: 'c1', orderId: 'o-4' }).go(),
    /The conditional request failed/);
  const acct = await shop.collections.account({ customerId: 'c1' }).go();
  assert.deepEqual(acct.data.order.map((o) => o.orderId), ['o-1', 'o-2', 'o-3']);
});
