"""ExecuteTransaction: up to 100 PartiQL statements run as one transaction, all reads
(a TransactGetItems) or all writes (a TransactWriteItems, with EXISTS(SELECT ...) as a
condition check). Cases from AWS's documentation (ExecuteTransaction API reference,
"Performing transactions with PartiQL for DynamoDB").

The cases that run a transaction need TransactWriteItems / TransactGetItems (written
in parallel by the transactions work); until the server has them they are skipped
with a message saying so. The request checks run either way."""
import json
import unittest

from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': str(v)}  # noqa: E731


def needs_transactions(test):
    def wrapper(self):
        if not self.has_transactions():
            self.skipTest('waiting for TransactWriteItems/TransactGetItems in this build')
        return test(self)
    wrapper.__name__ = test.__name__
    wrapper.__doc__ = test.__doc__
    return wrapper


class ExecuteTransactionTest(ConformanceCase):

    def has_transactions(self):
        status, out = self.raw('TransactGetItems', {'TransactItems': []})
        return not (status == 400 and out['__type'].endswith('UnknownOperationException'))

    def txn(self, *statements, **kwargs):
        reqs = []
        for s in statements:
            if isinstance(s, str):
                reqs.append({'Statement': s})
            elif isinstance(s, tuple):
                reqs.append({'Statement': s[0], 'Parameters': s[1]})
            else:
                reqs.append(s)
        out = self.ddb.execute_transaction(TransactStatements=reqs, **kwargs)
        out.pop('ResponseMetadata', None)
        return out

    # ----- reads -------------------------------------------------------------------

    @needs_transactions
    def test_reads(self):
        t = self.table(items=[{'pk': S('a'), 'x': N(1)}, {'pk': S('b')}])
        c = self.table(range_key=('sk', 'N'), items=[{'pk': S('a'), 'sk': N(1), 'v': S('c')}])
        out = self.txn("SELECT * FROM \"%s\" WHERE pk = 'a'" % t,
                       ("SELECT v FROM \"%s\" WHERE pk = ? AND sk = ?" % c, [S('a'), N(1)]),
                       "SELECT * FROM \"%s\" WHERE pk = 'zz'" % t)
        self.assertEqual(out, {'Responses': [{'Item': {'pk': S('a'), 'x': N(1)}}, {'Item': {'v': S('c')}}, {}]})

    # ----- writes ------------------------------------------------------------------

    @needs_transactions
    def test_writes_commit_together(self):
        t = self.table(items=[{'pk': S('u'), 'n': N(1)}, {'pk': S('d')}, {'pk': S('check')}])
        out = self.txn("INSERT INTO \"%s\" VALUE {'pk': 'i'}" % t,
                       "UPDATE \"%s\" SET n = n + 1 WHERE pk = 'u'" % t,
                       "DELETE FROM \"%s\" WHERE pk = 'd'" % t,
                       "EXISTS(SELECT * FROM \"%s\" WHERE pk = 'check')" % t)
        self.assertEqual(out, {})
        self.assertEqual(self.items(t), [{'pk': S('u'), 'n': N(2)}, {'pk': S('check')}, {'pk': S('i')}])

    @needs_transactions
    def test_a_failed_exists_cancels_everything(self):
        t = self.table(items=[{'pk': S('u'), 'n': N(1)}])
        resp = self.assertError(lambda: self.txn("UPDATE \"%s\" SET n = 5 WHERE pk = 'u'" % t,
                                                 "EXISTS(SELECT * FROM \"%s\" WHERE pk = 'nope')" % t),
                                'TransactionCanceledException',
                                'Transaction cancelled, please refer cancellation reasons for specific reasons '
                                '[None, ConditionalCheckFailed]', unchanged=[t])
        self.assertEqual([r['Code'] for r in resp['CancellationReasons']], ['None', 'ConditionalCheckFailed'])

    @needs_transactions
    def test_a_duplicate_insert_is_a_duplicate_item_reason(self):
        t = self.table(items=[{'pk': S('a')}])
        resp = self.assertError(lambda: self.txn("INSERT INTO \"%s\" VALUE {'pk': 'new'}" % t,
                                                 "INSERT INTO \"%s\" VALUE {'pk': 'a'}" % t),
                                'TransactionCanceledException',
                                'Transaction cancelled, please refer cancellation reasons for specific reasons '
                                '[None, DuplicateItem]', unchanged=[t])
        self.assertEqual(resp['CancellationReasons'][1],
                         {'Code': 'DuplicateItem', 'Message': 'Duplicate primary key exists in table'})

    @needs_transactions
    def test_update_of_a_missing_item_cancels(self):
        t = self.table(items=[{'pk': S('a')}])
        self.assertError(lambda: self.txn("UPDATE \"%s\" SET n = 1 WHERE pk = 'missing'" % t),
                         'TransactionCanceledException', unchanged=[t])

    @needs_transactions
    def test_condition_failure_returns_the_item_when_asked(self):
        t = self.table(items=[{'pk': S('a'), 'n': N(1)}])
        resp = self.assertError(lambda: self.txn({'Statement': "UPDATE \"%s\" SET n = 2 WHERE pk = 'a' AND n = 9" % t,
                                                  'ReturnValuesOnConditionCheckFailure': 'ALL_OLD'}),
                                'TransactionCanceledException', unchanged=[t])
        self.assertEqual(resp['CancellationReasons'][0].get('Item'), {'pk': S('a'), 'n': N(1)})

    @needs_transactions
    def test_client_request_token_is_accepted(self):
        t = self.table()
        self.txn("INSERT INTO \"%s\" VALUE {'pk': 'a'}" % t, ClientRequestToken='token-1')
        self.assertEqual(self.items(t), [{'pk': S('a')}])

    @needs_transactions
    def test_developer_guide_exists_example(self):
        m = self.table(hash_key=('Artist', 'S'), range_key=('SongTitle', 'S'),
                       items=[{'Artist': S('No One You Know'), 'SongTitle': S('Call Me Today')}])
        out = self.txn("EXISTS(SELECT * FROM \"%s\" where Artist='No One You Know' and SongTitle='Call Me Today' "
                       "and Awards is MISSING)" % m,
                       "INSERT INTO \"%s\" value {'Artist':'Acme Band','SongTitle':'Best Song'}" % m)
        self.assertEqual(out, {})
        self.assertEqual(len(self.items(m)), 2)
        self.ddb.update_item(TableName=m, Key={'Artist': S('No One You Know'), 'SongTitle': S('Call Me Today')},
                             UpdateExpression='SET Awards = :a', ExpressionAttributeValues={':a': N(1)})
        self.assertError(lambda: self.txn(
            "EXISTS(SELECT * FROM \"%s\" where Artist='No One You Know' and SongTitle='Call Me Today' "
            "and Awards is MISSING)" % m,
            "DELETE FROM \"%s\" WHERE Artist='Acme Band' AND SongTitle='Best Song'" % m),
            'TransactionCanceledException', unchanged=[m])

    # ----- statements refused before anything runs ---------------------------------

    def test_statement_errors_fail_the_whole_transaction(self):
        t = self.table(items=[{'pk': S('a')}])
        ok = "UPDATE \"%s\" SET x = 1 WHERE pk = 'a'" % t
        cases = [
            ((ok, "UPDATE \"%s\" SET x = 1" % t), 'ValidationException',
             "Statement wasn't well formed, can't be processed: expected WHERE, found end of statement"),
            ((ok, "UPDATE \"%s\" SET x = 1 WHERE x = 1" % t), 'ValidationException',
             'Where clause does not contain a mandatory equality on all key attributes'),
            ((ok, "DELETE FROM \"nope-nope\" WHERE pk = 'a'"), 'ResourceNotFoundException', 'Requested resource not found'),
            ((ok, "SELECT * FROM \"%s\" WHERE pk = 'a'" % t), 'ValidationException',
             'Unsupported operation: A transaction must contain either only read statements or only write statements'),
            (("SELECT * FROM \"%s\"" % t,), 'ValidationException',
             'Where clause does not contain a mandatory equality on all key attributes'),
            ((ok, "DELETE FROM \"%s\" WHERE pk = 'a' RETURNING ALL OLD *" % t), 'ValidationException',
             'Unsupported operation: RETURNING is not supported in ExecuteTransaction'),
            ((ok, ("DELETE FROM \"%s\" WHERE pk = ?" % t, [S('a'), S('b')])), 'ValidationException',
             "Number of parameters in request and statement don't match."),
        ]
        for statements, code, message in cases:
            with self.subTest(message):
                self.assertError(lambda: self.txn(*statements), code, message, unchanged=[t])

    def test_raw_request_errors(self):
        t = self.table(items=[{'pk': S('a')}])
        one = {'Statement': "DELETE FROM \"%s\" WHERE pk = 'a'" % t}
        cases = [
            ({}, 'ValidationException',
             "1 validation error detected: Value null at 'transactStatements' failed to satisfy constraint: Member must not be null"),
            ({'TransactStatements': []}, 'ValidationException',
             "1 validation error detected: Value '[]' at 'transactStatements' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({'TransactStatements': [one] * 101}, 'ValidationException', None),
            ({'TransactStatements': one}, 'SerializationException', None),
            ({'TransactStatements': [{}]}, 'ValidationException',
             "1 validation error detected: Value null at 'transactStatements.1.member.statement' failed to satisfy constraint: Member must not be null"),
            ({'TransactStatements': [one, dict(one, Parameters=[])]}, 'ValidationException',
             "1 validation error detected: Value '[]' at 'transactStatements.2.member.parameters' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({'TransactStatements': [one], 'ClientRequestToken': ''}, 'ValidationException',
             "1 validation error detected: Value '' at 'clientRequestToken' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({'TransactStatements': [one], 'ClientRequestToken': 'x' * 37}, 'ValidationException', None),
            ({'TransactStatements': [one], 'ReturnConsumedCapacity': 'ALL'}, 'ValidationException', None),
            ({'TransactStatements': [dict(one, ReturnValuesOnConditionCheckFailure='ALL_NEW')]}, 'ValidationException',
             "1 validation error detected: Value 'ALL_NEW' at 'transactStatements.1.member.returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"),
        ]
        for body, code, message in cases:
            with self.subTest(json.dumps(body)[:80]):
                self.assertRawError('ExecuteTransaction', body, code, message, unchanged=[t])


if __name__ == '__main__':
    unittest.main()
