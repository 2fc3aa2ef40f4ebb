"""TransactWriteItems, from the DynamoDB API Reference (TransactWriteItems, TransactionCanceledException,
CancellationReason) and the Developer Guide ("Amazon DynamoDB Transactions"). The server runs 4 writer
shards, so the items of one transaction sit on different shards and writers."""
import json
import time
import unittest

from conformance import ConformanceCase
from harness import Streamer, StreamerTestCase

EMPTY_KEY = ('One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an '
             'empty string value. Key: pk')
CANCELLED = 'Transaction cancelled, please refer cancellation reasons for specific reasons [%s]'
FAILED = 'The conditional request failed'


def S(v):
    return {'S': v}


def N(v):
    return {'N': str(v)}


class ShardedCase(ConformanceCase):
    """A server with 4 writers (the transaction's items on several shards)."""

    @classmethod
    def setUpClass(cls):
        super(StreamerTestCase, cls).setUpClass()
        cls.server = Streamer(extra_args=['--shards', '4'])
        cls.server.start()
        cls.ddb = cls.server.client('dynamodb')


def put(t, item, **kw):
    return {'Put': dict(TableName=t, Item=item, **kw)}


def delete(t, key, **kw):
    return {'Delete': dict(TableName=t, Key=key, **kw)}


def update(t, key, expr, **kw):
    return {'Update': dict(TableName=t, Key=key, UpdateExpression=expr, **kw)}


def check(t, key, cond, **kw):
    return {'ConditionCheck': dict(TableName=t, Key=key, ConditionExpression=cond, **kw)}


class TransactWriteItemsTest(ShardedCase):

    def seeded(self, n=8, **create):
        return self.table(items=[{'pk': S('k%d' % i), 'v': N(i)} for i in range(n)], **create)

    def get(self, t, pk):
        return self.ddb.get_item(TableName=t, Key={'pk': S(pk)}, ConsistentRead=True).get('Item')

    def cancelled(self, items, codes, unchanged, **kw):
        resp = self.assertError(lambda: self.ddb.transact_write_items(TransactItems=items, **kw),
                                'TransactionCanceledException', CANCELLED % ', '.join(codes), unchanged=unchanged)
        self.assertEqual([r['Code'] for r in resp['CancellationReasons']], codes)
        return resp['CancellationReasons']

    # ----- successful transactions -------------------------------------------------------------

    def test_puts_on_two_tables_commit_together(self):
        a, b = self.table(), self.table()
        out = self.ddb.transact_write_items(TransactItems=[put(a, {'pk': S('x'), 'n': N(1)}),
                                                           put(b, {'pk': S('y'), 'n': N(2)})])
        self.assertNotIn('ConsumedCapacity', out)
        self.assertNotIn('ItemCollectionMetrics', out)
        self.assertEqual(self.items(a), [{'pk': S('x'), 'n': N(1)}])
        self.assertEqual(self.items(b), [{'pk': S('y'), 'n': N(2)}])

    def test_every_action_kind_in_one_transaction(self):
        t = self.seeded(4)
        self.ddb.transact_write_items(TransactItems=[
            put(t, {'pk': S('k0'), 'new': S('yes')}),
            update(t, {'pk': S('k1')}, 'SET v = v + :d', ExpressionAttributeValues={':d': N(10)}),
            delete(t, {'pk': S('k2')}),
            check(t, {'pk': S('k3')}, 'v = :three', ExpressionAttributeValues={':three': N(3)}),
        ])
        self.assertEqual(self.items(t), sorted([{'pk': S('k0'), 'new': S('yes')}, {'pk': S('k1'), 'v': N(11)},
                                                {'pk': S('k3'), 'v': N(3)}], key=lambda i: json.dumps(i, sort_keys=True)))

    def test_update_of_missing_item_creates_it(self):
        t = self.table()
        self.ddb.transact_write_items(TransactItems=[update(t, {'pk': S('new')}, 'SET a = :a',
                                                            ExpressionAttributeValues={':a': S('b')})])
        self.assertEqual(self.get(t, 'new'), {'pk': S('new'), 'a': S('b')})

    def test_delete_of_missing_item_succeeds(self):
        t = self.seeded(1)
        self.ddb.transact_write_items(TransactItems=[delete(t, {'pk': S('none')})])
        self.assertEqual(len(self.items(t)), 1)

    def test_condition_check_writes_nothing(self):
        t = self.seeded(2)
        before = self.items(t)
        self.ddb.transact_write_items(TransactItems=[check(t, {'pk': S('k0')}, 'attribute_exists(pk)'),
                                                     put(t, {'pk': S('z')})])
        self.assertEqual(len(self.items(t)), 3)
        self.assertIn(before[0], self.items(t))

    def test_conditions_that_hold_let_the_writes_through(self):
        t = self.seeded(3)
        self.ddb.transact_write_items(TransactItems=[
            put(t, {'pk': S('k0'), 'v': N(100)}, ConditionExpression='v = :z', ExpressionAttributeValues={':z': N(0)}),
            delete(t, {'pk': S('k1')}, ConditionExpression='attribute_exists(v)'),
            put(t, {'pk': S('fresh')}, ConditionExpression='attribute_not_exists(pk)'),
            update(t, {'pk': S('k2')}, 'SET #w = :w', ConditionExpression='#v < :lim',
                   ExpressionAttributeNames={'#w': 'w', '#v': 'v'}, ExpressionAttributeValues={':w': N(1), ':lim': N(5)}),
        ])
        self.assertEqual(self.get(t, 'k0'), {'pk': S('k0'), 'v': N(100)})
        self.assertIsNone(self.get(t, 'k1'))
        self.assertEqual(self.get(t, 'fresh'), {'pk': S('fresh')})
        self.assertEqual(self.get(t, 'k2'), {'pk': S('k2'), 'v': N(2), 'w': N(1)})

    def test_hundred_actions_over_many_shards(self):
        t = self.table()
        self.ddb.transact_write_items(TransactItems=[put(t, {'pk': S('i%03d' % i), 'n': N(i)}) for i in range(100)])
        self.assertEqual(len(self.items(t)), 100)

    def test_same_key_in_two_tables_is_two_items(self):
        a, b = self.table(), self.table()
        self.ddb.transact_write_items(TransactItems=[put(a, {'pk': S('same')}), put(b, {'pk': S('same')})])
        self.assertEqual(len(self.items(a)) + len(self.items(b)), 2)

    def test_hash_and_range_table(self):
        t = self.table(range_key=('sk', 'N'))
        self.ddb.transact_write_items(TransactItems=[put(t, {'pk': S('a'), 'sk': N(1)}),
                                                     put(t, {'pk': S('a'), 'sk': N(2)}),
                                                     update(t, {'pk': S('a'), 'sk': N(3)}, 'SET x = :x',
                                                            ExpressionAttributeValues={':x': S('y')})])
        self.assertEqual(len(self.items(t)), 3)

    def test_consumed_capacity_total_is_two_units_per_small_item(self):
        a, b = self.table(), self.table()
        out = self.ddb.transact_write_items(TransactItems=[put(a, {'pk': S('1')}), put(a, {'pk': S('2')}),
                                                           put(b, {'pk': S('3')})], ReturnConsumedCapacity='TOTAL')
        got = {c['TableName']: c for c in out['ConsumedCapacity']}
        self.assertEqual(got, {a: {'TableName': a, 'CapacityUnits': 4.0, 'WriteCapacityUnits': 4.0},
                               b: {'TableName': b, 'CapacityUnits': 2.0, 'WriteCapacityUnits': 2.0}})

    def test_consumed_capacity_counts_item_size_in_kilobytes(self):
        t = self.table()
        out = self.ddb.transact_write_items(TransactItems=[put(t, {'pk': S('big'), 'b': S('x' * 2500)})],
                                            ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'][0]['CapacityUnits'], 6.0)  # 3 KB units, doubled

    def test_consumed_capacity_indexes_shows_table(self):
        t = self.table()
        out = self.ddb.transact_write_items(TransactItems=[put(t, {'pk': S('1')})], ReturnConsumedCapacity='INDEXES')
        self.assertEqual(out['ConsumedCapacity'], [{'TableName': t, 'CapacityUnits': 2.0, 'WriteCapacityUnits': 2.0,
                                                    'Table': {'CapacityUnits': 2.0, 'WriteCapacityUnits': 2.0}}])

    def test_consumed_capacity_none(self):
        t = self.table()
        out = self.ddb.transact_write_items(TransactItems=[put(t, {'pk': S('1')})], ReturnConsumedCapacity='NONE')
        self.assertNotIn('ConsumedCapacity', out)

    def test_item_collection_metrics_size_without_local_indexes_is_empty(self):
        t = self.table()
        out = self.ddb.transact_write_items(TransactItems=[put(t, {'pk': S('1')})], ReturnItemCollectionMetrics='SIZE')
        self.assertEqual(out['ItemCollectionMetrics'], {})

    # ----- cancellation ---------------------------------------------------------------------------

    def test_failed_condition_cancels_everything(self):
        t = self.seeded(3)
        reasons = self.cancelled([put(t, {'pk': S('new')}),
                                  update(t, {'pk': S('k1')}, 'SET v = :x', ExpressionAttributeValues={':x': N(9)}),
                                  check(t, {'pk': S('k2')}, 'v = :no', ExpressionAttributeValues={':no': N(7)})],
                                 ['None', 'None', 'ConditionalCheckFailed'], [t])
        self.assertEqual(reasons, [{'Code': 'None'}, {'Code': 'None'},
                                   {'Code': 'ConditionalCheckFailed', 'Message': FAILED}])

    def test_every_failing_action_is_reported_in_order(self):
        t = self.seeded(4)
        self.cancelled([put(t, {'pk': S('k0')}, ConditionExpression='attribute_not_exists(pk)'),
                        delete(t, {'pk': S('k1')}),
                        delete(t, {'pk': S('k2')}, ConditionExpression='v > :n', ExpressionAttributeValues={':n': N(50)}),
                        put(t, {'pk': S('other')})],
                       ['ConditionalCheckFailed', 'None', 'ConditionalCheckFailed', 'None'], [t])

    def test_all_old_returns_the_item_in_the_reason(self):
        t = self.seeded(2)
        reasons = self.cancelled([check(t, {'pk': S('k1')}, 'v = :z', ExpressionAttributeValues={':z': N(0)},
                                        ReturnValuesOnConditionCheckFailure='ALL_OLD')],
                                 ['ConditionalCheckFailed'], [t])
        self.assertEqual(reasons[0], {'Code': 'ConditionalCheckFailed', 'Message': FAILED,
                                      'Item': {'pk': S('k1'), 'v': N(1)}})

    def test_all_old_on_each_kind_of_action(self):
        t = self.seeded(4)
        cond = dict(ConditionExpression='v = :z', ExpressionAttributeValues={':z': N(-1)},
                    ReturnValuesOnConditionCheckFailure='ALL_OLD')
        reasons = self.cancelled([put(t, {'pk': S('k0')}, **cond), delete(t, {'pk': S('k1')}, **cond),
                                  update(t, {'pk': S('k2')}, 'REMOVE v', **cond),
                                  {'ConditionCheck': dict(TableName=t, Key={'pk': S('k3')}, **cond)}],
                                 ['ConditionalCheckFailed'] * 4, [t])
        self.assertEqual([r['Item']['pk'] for r in reasons], [S('k0'), S('k1'), S('k2'), S('k3')])

    def test_none_on_failure_returns_no_item(self):
        t = self.seeded(1)
        reasons = self.cancelled([check(t, {'pk': S('k0')}, 'attribute_not_exists(pk)',
                                        ReturnValuesOnConditionCheckFailure='NONE')], ['ConditionalCheckFailed'], [t])
        self.assertNotIn('Item', reasons[0])

    def test_all_old_of_a_missing_item_returns_no_item(self):
        t = self.seeded(1)
        reasons = self.cancelled([check(t, {'pk': S('missing')}, 'attribute_exists(pk)',
                                        ReturnValuesOnConditionCheckFailure='ALL_OLD')], ['ConditionalCheckFailed'], [t])
        self.assertEqual(reasons[0], {'Code': 'ConditionalCheckFailed', 'Message': FAILED})

    def test_update_that_fails_at_runtime_is_a_validation_error_reason(self):
        t = self.table(items=[{'pk': S('s'), 'v': S('text')}])
        reasons = self.cancelled([put(t, {'pk': S('other')}),
                                  update(t, {'pk': S('s')}, 'SET v = v + :one', ExpressionAttributeValues={':one': N(1)})],
                                 ['None', 'ValidationError'], [t])
        self.assertEqual(reasons[1]['Message'],
                         'An operand in the update expression has an incorrect data type')

    def test_cancelled_transaction_on_many_shards_changes_none_of_them(self):
        t = self.seeded(40)
        items = [update(t, {'pk': S('k%d' % i)}, 'SET v = :x', ExpressionAttributeValues={':x': N(0)}) for i in range(39)]
        items.append(check(t, {'pk': S('k39')}, 'v = :no', ExpressionAttributeValues={':no': N(0)}))
        self.cancelled(items, ['None'] * 39 + ['ConditionalCheckFailed'], [t])

    def test_cancelled_transaction_over_two_tables_changes_neither(self):
        a, b = self.seeded(2), self.seeded(2)
        self.cancelled([delete(a, {'pk': S('k0')}), delete(b, {'pk': S('k0')}),
                        check(b, {'pk': S('k1')}, 'attribute_not_exists(pk)')],
                       ['None', 'None', 'ConditionalCheckFailed'], [a, b])

    def test_cancellation_reasons_in_the_raw_body(self):
        t = self.seeded(1)
        status, body = self.raw('TransactWriteItems', {'TransactItems': [
            check(t, {'pk': S('k0')}, 'attribute_not_exists(pk)')]})
        self.assertEqual(status, 400)
        self.assertEqual(body['__type'], 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException')
        self.assertEqual(body['CancellationReasons'], [{'Code': 'ConditionalCheckFailed', 'Message': FAILED}])

    def test_aws_cli_cancellation(self):
        t = self.seeded(1)
        rc, out, err = self.server.aws('dynamodb', 'transact-write-items', '--transact-items', json.dumps([
            put(t, {'pk': S('cli')}), check(t, {'pk': S('k0')}, 'attribute_not_exists(pk)')]))
        self.assertNotEqual(rc, 0)
        self.assertIn('TransactionCanceledException', err)
        self.assertIn(CANCELLED % 'None, ConditionalCheckFailed', err)
        self.assertIsNone(self.get(t, 'cli'))
        rc, out, err = self.server.aws('dynamodb', 'transact-write-items', '--transact-items', json.dumps([
            put(t, {'pk': S('cli')}), check(t, {'pk': S('k0')}, 'attribute_exists(pk)')]))
        self.assertEqual(rc, 0, err)
        self.assertEqual(self.get(t, 'cli'), {'pk': S('cli')})

    # ----- idempotency (ClientRequestToken) -------------------------------------------------------

    def counter_update(self, t, token, **kw):
        return self.ddb.transact_write_items(
            ClientRequestToken=token,
            TransactItems=[update(t, {'pk': S('c')}, 'ADD n :one', ExpressionAttributeValues={':one': N(1)})], **kw)

    def test_same_token_same_request_writes_once(self):
        t = self.table()
        tok = 'tok-%s' % t[-12:]
        self.counter_update(t, tok)
        self.counter_update(t, tok)
        self.counter_update(t, tok)
        self.assertEqual(self.get(t, 'c'), {'pk': S('c'), 'n': N(1)})

    def test_same_token_other_request_is_a_mismatch(self):
        t = self.table()
        tok = 'mm-%s' % t[-12:]
        self.counter_update(t, tok)
        self.assertError(lambda: self.ddb.transact_write_items(ClientRequestToken=tok,
                                                               TransactItems=[put(t, {'pk': S('other')})]),
                         'IdempotentParameterMismatchException',
                         'The request uses the same client token as a previous, but non-identical request.',
                         unchanged=[t])

    def test_replay_may_ask_for_capacity(self):
        t = self.table()
        tok = 'cap-%s' % t[-12:]
        self.counter_update(t, tok)
        out = self.counter_update(t, tok, ReturnConsumedCapacity='TOTAL')
        self.assertEqual(out['ConsumedCapacity'][0]['TableName'], t)
        self.assertEqual(self.get(t, 'c')['n'], N(1))

    def test_different_tokens_write_twice(self):
        t = self.table()
        self.counter_update(t, 'one-%s' % t[-12:])
        self.counter_update(t, 'two-%s' % t[-12:])
        self.assertEqual(self.get(t, 'c')['n'], N(2))

    def test_token_constraints(self):
        t = self.table()
        for token, msg in [('', "1 validation error detected: Value '' at 'clientRequestToken' failed to satisfy "
                                "constraint: Member must have length greater than or equal to 1"),
                           ('x' * 37, "1 validation error detected: Value '%s' at 'clientRequestToken' failed to "
                                      "satisfy constraint: Member must have length less than or equal to 36" % ('x' * 37))]:
            with self.subTest(token=token):
                self.assertRawError('TransactWriteItems', {'ClientRequestToken': token,
                                                           'TransactItems': [put(t, {'pk': S('a')})]},
                                    'ValidationException', msg, unchanged=[t])

    def test_token_of_36_characters_is_accepted(self):
        t = self.table()
        self.counter_update(t, ('y' * 24) + t[-12:])
        self.assertEqual(self.get(t, 'c')['n'], N(1))

    # ----- streams: a transaction's records appear together --------------------------------------

    def stream_records(self, t):
        streams = self.server.client('dynamodbstreams')
        arn = self.ddb.describe_table(TableName=t)['Table']['LatestStreamArn']
        shards = streams.describe_stream(StreamArn=arn)['StreamDescription']['Shards']
        records = []
        for shard in shards:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard['ShardId'],
                                            ShardIteratorType='TRIM_HORIZON')['ShardIterator']
            records.extend(streams.get_records(ShardIterator=it)['Records'])
        return records, len(shards)

    def test_stream_records_of_a_transaction_are_all_visible_when_it_answers(self):
        t = self.table(items=[{'pk': S('k%d' % i), 'v': N(i)} for i in range(6)],
                       StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'NEW_AND_OLD_IMAGES'})
        before, shards = self.stream_records(t)
        self.assertEqual(shards, 4)
        self.ddb.transact_write_items(TransactItems=[
            put(t, {'pk': S('n%d' % i)}) for i in range(10)] + [
            update(t, {'pk': S('k0')}, 'SET v = :x', ExpressionAttributeValues={':x': N(99)}),
            delete(t, {'pk': S('k1')}),
            check(t, {'pk': S('k2')}, 'attribute_exists(pk)')])
        after, _ = self.stream_records(t)
        new = [r for r in after if r['eventID'] not in {b['eventID'] for b in before}]
        events = sorted((r['eventName'], r['dynamodb']['Keys']['pk']['S']) for r in new)
        self.assertEqual(events, sorted([('INSERT', 'n%d' % i) for i in range(10)] +
                                        [('MODIFY', 'k0'), ('REMOVE', 'k1')]))

    def test_cancelled_transaction_writes_no_stream_record(self):
        t = self.table(items=[{'pk': S('k0')}],
                       StreamSpecification={'StreamEnabled': True, 'StreamViewType': 'KEYS_ONLY'})
        before, _ = self.stream_records(t)
        self.cancelled([put(t, {'pk': S('n')}), check(t, {'pk': S('k0')}, 'attribute_not_exists(pk)')],
                       ['None', 'ConditionalCheckFailed'], [t])
        after, _ = self.stream_records(t)
        self.assertEqual(len(after), len(before))

    # ----- validation: the whole request is refused, nothing written ----------------------------

    def test_request_shape_errors(self):
        t = self.table()
        ok = put(t, {'pk': S('a')})
        cases = [
            ({}, 'ValidationException', "1 validation error detected: Value null at 'transactItems' failed to satisfy "
                                        "constraint: Member must not be null"),
            ({'TransactItems': []}, 'ValidationException',
             "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must "
             "have length greater than or equal to 1"),
            ({'TransactItems': [{}]}, 'ValidationException',
             'TransactItems can only contain one of Check, Put, Update or Delete'),
            ({'TransactItems': [{'Put': ok['Put'], 'Delete': {'TableName': t, 'Key': {'pk': S('a')}}}]},
             'ValidationException', 'TransactItems can only contain one of Check, Put, Update or Delete'),
            ({'TransactItems': [ok, {'ConditionCheck': check(t, {'pk': S('b')}, 'attribute_exists(pk)')['ConditionCheck'],
                                     'Update': update(t, {'pk': S('b')}, 'SET a = :a')['Update']}]},
             'ValidationException', 'TransactItems can only contain one of Check, Put, Update or Delete'),
            ({'TransactItems': [{'Put': {'TableName': t}}]}, 'ValidationException',
             "1 validation error detected: Value null at 'transactItems.1.member.put.item' failed to satisfy "
             "constraint: Member must not be null"),
            ({'TransactItems': [ok, {'Put': {'Item': {'pk': S('b')}}}]}, 'ValidationException',
             "1 validation error detected: Value null at 'transactItems.2.member.put.tableName' failed to satisfy "
             "constraint: Member must not be null"),
            ({'TransactItems': [{'Delete': {'TableName': t}}]}, 'ValidationException',
             "1 validation error detected: Value null at 'transactItems.1.member.delete.key' failed to satisfy "
             "constraint: Member must not be null"),
            ({'TransactItems': [{'Update': {'TableName': t, 'Key': {'pk': S('a')}}}]}, 'ValidationException',
             "1 validation error detected: Value null at 'transactItems.1.member.update.updateExpression' failed to "
             "satisfy constraint: Member must not be null"),
            ({'TransactItems': [{'ConditionCheck': {'TableName': t, 'Key': {'pk': S('a')}}}]}, 'ValidationException',
             "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' "
             "failed to satisfy constraint: Member must not be null"),
            ({'TransactItems': [{'ConditionCheck': {'TableName': t, 'ConditionExpression': 'attribute_exists(a)'}}]},
             'ValidationException', "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.key'"
                                    " failed to satisfy constraint: Member must not be null"),
            ({'TransactItems': [put('no-such-table', {'pk': S('a')})]}, 'ResourceNotFoundException',
             'Requested resource not found'),
            ({'TransactItems': [ok, delete('no-such-table', {'pk': S('a')})]}, 'ResourceNotFoundException',
             'Requested resource not found'),
            ({'TransactItems': [put('ab', {'pk': S('a')})]}, 'ValidationException',
             "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy constraint: Member must have "
             "length greater than or equal to 3"),
            ({'TransactItems': [ok], 'ReturnConsumedCapacity': 'ALL'}, 'ValidationException',
             "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: "
             "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            ({'TransactItems': [ok], 'ReturnItemCollectionMetrics': 'ALL'}, 'ValidationException',
             "1 validation error detected: Value 'ALL' at 'returnItemCollectionMetrics' failed to satisfy constraint: "
             "Member must satisfy enum value set: [SIZE, NONE]"),
            ({'TransactItems': [put(t, {'pk': S('a')}, ReturnValuesOnConditionCheckFailure='ALL_NEW')]},
             'ValidationException',
             "1 validation error detected: Value 'ALL_NEW' at 'transactItems.1.member.put."
             "returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: "
             "[ALL_OLD, NONE]"),
            ({'TransactItems': {'Put': ok['Put']}}, 'SerializationException', None),
            ({'TransactItems': ['Put']}, 'SerializationException', None),
            ({'TransactItems': [{'Put': 'item'}]}, 'SerializationException', None),
            ({'TransactItems': [ok], 'ClientRequestToken': 5}, 'SerializationException', None),
        ]
        for body, code, msg in cases:
            with self.subTest(body=json.dumps(body)[:120]):
                self.assertRawError('TransactWriteItems', body, code, msg, unchanged=[t])

    def test_more_than_100_actions(self):
        t = self.table()
        self.assertError(lambda: self.ddb.transact_write_items(
            TransactItems=[put(t, {'pk': S('i%d' % i)}) for i in range(101)]), 'ValidationException',
            "1 validation error detected: Value at 'TransactItems' failed to satisfy constraint: Member must have "
            "length less than or equal to 100", unchanged=[t])

    def test_two_actions_on_one_item(self):
        t = self.seeded(2)
        r = self.table(range_key=('sk', 'S'))
        msg = 'Transaction request cannot include multiple operations on one item'
        cases = [
            [put(t, {'pk': S('k0')}), delete(t, {'pk': S('k0')})],
            [check(t, {'pk': S('k1')}, 'attribute_exists(pk)'), put(t, {'pk': S('k1'), 'x': S('y')})],
            [update(t, {'pk': S('n')}, 'SET a = :a', ExpressionAttributeValues={':a': S('1')}),
             update(t, {'pk': S('n')}, 'SET b = :b', ExpressionAttributeValues={':b': S('1')})],
            [put(t, {'pk': S('a')}), put(t, {'pk': S('b')}), delete(t, {'pk': S('a')})],
            [put(r, {'pk': S('a'), 'sk': S('1')}), delete(r, {'pk': S('a'), 'sk': S('1')})],
            # The same number written two ways is one key.
            [put(self.table(hash_key=('pk', 'N')), {'pk': N('1.0')}), ],
        ]
        numeric = self.table(hash_key=('pk', 'N'))
        cases[-1] = [put(numeric, {'pk': N('1.0')}), delete(numeric, {'pk': N('1')})]
        for items in cases:
            with self.subTest(items=json.dumps(items)[:150]):
                self.assertError(lambda: self.ddb.transact_write_items(TransactItems=items), 'ValidationException',
                                 msg, unchanged=[t, r, numeric])

    def test_item_and_key_errors(self):
        t = self.seeded(1)
        r = self.table(range_key=('sk', 'N'))
        cases = [
            ([put(t, {'pk': S('ok')}), put(t, {'pk': S('big'), 'b': S('x' * 410000)})],
             'Item size has exceeded the maximum allowed size'),
            ([update(t, {'pk': S('k0')}, 'SET pk = :p', ExpressionAttributeValues={':p': S('z')})],
             'One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key'),
            ([update(t, {'pk': S('k0')}, 'SET a = :a')],
             'Invalid UpdateExpression: An expression attribute value used in expression is not defined; '
             'attribute value: :a'),
            ([check(t, {'pk': S('k0')}, 'v = :v')],
             'Invalid ConditionExpression: An expression attribute value used in expression is not defined; '
             'attribute value: :v'),
            ([put(t, {'pk': S('k0')}, ConditionExpression='attribute_exists(pk)',
                  ExpressionAttributeValues={':unused': S('x')})],
             'Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}'),
            ([delete(t, {'pk': S('k0')}, ExpressionAttributeNames={'#n': 'n'}, ConditionExpression='attribute_exists(pk)')],
             'Value provided in ExpressionAttributeNames unused in expressions: keys: {#n}'),
            ([update(t, {'pk': S('k0')}, 'SET #a = :a', ExpressionAttributeValues={':a': S('x')})],
             'Invalid UpdateExpression: An expression attribute name used in the document path is not defined; '
             'attribute name: #a'),
            ([put(t, {'pk': S('')})], EMPTY_KEY),
            ([update(t, {'pk': S('')}, 'SET a = :a', ExpressionAttributeValues={':a': S('x')})], EMPTY_KEY),
            ([delete(t, {'pk': S('')})], EMPTY_KEY),
            ([check(t, {'pk': S('')}, 'attribute_not_exists(pk)')], EMPTY_KEY),
            # An empty key is refused up front even next to a key of the wrong type.
            ([delete(t, {'pk': N(1)}), put(t, {'pk': S('')})], EMPTY_KEY),
            ([put(t, {'pk': S('a'), 'd': {'S': 'x', 'N': '1'}})],
             'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported '
             'datatypes'),
        ]
        for items, msg in cases:
            with self.subTest(msg=msg):
                self.assertError(lambda: self.ddb.transact_write_items(TransactItems=items), 'ValidationException',
                                 msg, unchanged=[t, r])

    def test_legacy_parameters_are_refused(self):
        t = self.seeded(1)
        self.assertRawError('TransactWriteItems', {'TransactItems': [
            {'Put': {'TableName': t, 'Item': {'pk': S('k0')}, 'Expected': {'pk': {'Exists': True}}}}]},
            'ValidationException', unchanged=[t])

    def test_aggregate_size_over_4_mb(self):
        t = self.table()
        big = 'x' * (390 * 1024)
        items = [put(t, {'pk': S('b%02d' % i), 'd': S(big)}) for i in range(11)]
        self.assertError(lambda: self.ddb.transact_write_items(TransactItems=items), 'ValidationException',
                         'Transaction request cannot be larger than 4 MB', unchanged=[t])
        self.ddb.transact_write_items(TransactItems=items[:10])  # 3.9 MB: fine
        self.assertEqual(len(self.items(t)), 10)

    def test_validation_error_in_a_later_action_writes_nothing(self):
        t = self.seeded(2)
        self.assertError(lambda: self.ddb.transact_write_items(TransactItems=[
            put(t, {'pk': S('new')}), delete(t, {'pk': S('k0')}), update(t, {'pk': S('k1')}, 'SET a = :a')]),
            'ValidationException', 'Invalid UpdateExpression: An expression attribute value used in expression is '
            'not defined; attribute value: :a', unchanged=[t])

    def test_keys_that_do_not_fit_the_schema_cancel_the_transaction(self):
        # AWS finds these while running the transaction: a ValidationError reason, not a refusal.
        t = self.seeded(2)
        r = self.table(range_key=('sk', 'N'))
        mismatch = 'The provided key element does not match the schema'
        cases = [
            ([put(t, {'pk': N(5)})], 'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N'),
            ([put(t, {'pk': {'L': [S('x')]}})],
             'One or more parameter values were invalid: Type mismatch for key pk expected: S actual: L'),
            ([put(t, {'x': S('1')})], 'One or more parameter values were invalid: Missing the key pk in the item'),
            ([put(r, {'pk': S('a')})], 'One or more parameter values were invalid: Missing the key sk in the item'),
            ([delete(t, {'pk': N(1)})], mismatch),
            ([delete(t, {'pk': {'L': [S('x')]}})], mismatch),
            ([delete(t, {'pk': S('a'), 'extra': S('b')})], mismatch),
            ([delete(r, {'pk': S('a')})], mismatch),
            ([check(t, {'other': S('a')}, 'attribute_exists(pk)')], mismatch),
            ([update(t, {'pk': N(5)}, 'SET a = :a', ExpressionAttributeValues={':a': S('x')})], mismatch),
        ]
        for items, msg in cases:
            with self.subTest(msg=msg, items=json.dumps(items)[:80]):
                reasons = self.cancelled(items, ['ValidationError'], [t, r])
                self.assertEqual(reasons, [{'Code': 'ValidationError', 'Message': msg}])
        # The other actions' reasons are None.
        reasons = self.cancelled([put(t, {'pk': S('fine')}), delete(t, {'pk': N(1)})], ['None', 'ValidationError'], [t])
        self.assertEqual(reasons[0], {'Code': 'None'})

    def test_validation_order(self):
        # Member constraints first (the token, then the enums), then every action's values and
        # expressions, then tables and keys, then duplicates.
        t = self.seeded(1)
        missing = put('no-such-table', {'pk': S('a')})
        unused = check(t, {'pk': S('k0')}, 'attribute_exists(pk)', ExpressionAttributeValues={':v': S('x')})
        UNUSED = 'Value provided in ExpressionAttributeValues unused in expressions: keys: {:v}'
        deep = S('leaf')
        for _ in range(32):
            deep = {'M': {'n': deep}}
        RCC = ("1 validation error detected: Value 'BOGUS' at 'returnConsumedCapacity' failed to satisfy constraint: "
               "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")
        cases = [
            ({'TransactItems': [missing], 'ReturnConsumedCapacity': 'BOGUS'}, RCC),
            ({'TransactItems': [put(t, {'pk': S('d')}), delete(t, {'pk': S('d')})], 'ReturnConsumedCapacity': 'BOGUS'},
             RCC),
            ({'TransactItems': [put(t, {'pk': S('a')})], 'ClientRequestToken': 'x' * 37, 'ReturnConsumedCapacity': 'BOGUS'},
             "1 validation error detected: Value '%s' at 'clientRequestToken' failed to satisfy constraint: Member "
             "must have length less than or equal to 36" % ('x' * 37)),
            ({'TransactItems': [missing, unused]}, UNUSED),
            ({'TransactItems': [unused, missing]}, UNUSED),
            ({'TransactItems': [put(t, {'pk': S('k0')}), unused]}, UNUSED),
            ({'TransactItems': [missing, check(t, {'pk': S('k0')}, 'attribute_not_exists(')]},
             'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("'),
            ({'TransactItems': [put(t, {'pk': S('deep'), 'data': deep}),
                                check(t, {'pk': S('k0')}, 'attribute_not_exists(')]},
             'Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond '
             'supported limit'),
            ({'TransactItems': [check(t, {'pk': S('k0')}, 'attribute_not_exists('),
                                put(t, {'pk': S('deep'), 'data': deep})]},
             'Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "("'),
            ({'TransactItems': [missing, put(t, {'pk': S('d')}), delete(t, {'pk': S('d')})]},
             'Requested resource not found'),
            ({'TransactItems': [put(t, {'pk': S('d')}), delete(t, {'pk': S('d')}), delete(t, {'pk': N(1)})]},
             'Transaction request cannot include multiple operations on one item'),
        ]
        for body, msg in cases:
            with self.subTest(msg=msg):
                out = self.assertRawError('TransactWriteItems', body,
                                          'ResourceNotFoundException' if 'resource' in msg else 'ValidationException',
                                          msg, unchanged=[t])


if __name__ == '__main__':
    unittest.main()
