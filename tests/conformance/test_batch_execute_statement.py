"""BatchExecuteStatement: up to 25 PartiQL statements, each reading or writing one
item by its full key; Responses in order, a statement that fails answers its own
Error {Code, Message} (API reference: BatchExecuteStatement, BatchStatementResponse,
BatchStatementError)."""
import json
import unittest

from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': str(v)}  # noqa: E731


class BatchExecuteStatementTest(ConformanceCase):

    def batch(self, *statements, **kwargs):
        reqs = []
        for s in statements:
            if isinstance(s, str):
                reqs.append({'Statement': s})
            elif isinstance(s, tuple):
                reqs.append({'Statement': s[0], 'Parameters': s[1]})
            else:
                reqs.append(s)
        out = self.ddb.batch_execute_statement(Statements=reqs, **kwargs)
        return out['Responses']

    def test_reads_in_order(self):
        t = self.table(items=[{'pk': S('a'), 'x': N(1)}, {'pk': S('b'), 'x': N(2)}])
        out = self.batch("SELECT * FROM \"%s\" WHERE pk = 'b'" % t,
                         ("SELECT x FROM \"%s\" WHERE pk = ?" % t, [S('a')]),
                         "SELECT * FROM \"%s\" WHERE pk = 'zz'" % t)
        self.assertEqual(out, [{'TableName': t, 'Item': {'pk': S('b'), 'x': N(2)}},
                               {'TableName': t, 'Item': {'x': N(1)}},
                               {'TableName': t}])

    def test_reads_across_tables_with_consistent_read(self):
        t = self.table(items=[{'pk': S('a')}])
        c = self.table(range_key=('sk', 'N'), items=[{'pk': S('a'), 'sk': N(1), 'v': S('c')}])
        out = self.batch({'Statement': "SELECT * FROM \"%s\" WHERE pk = 'a'" % t, 'ConsistentRead': True},
                         "SELECT v FROM \"%s\" WHERE pk = 'a' AND sk = 1" % c)
        self.assertEqual(out, [{'TableName': t, 'Item': {'pk': S('a')}}, {'TableName': c, 'Item': {'v': S('c')}}])

    def test_writes(self):
        t = self.table(items=[{'pk': S('u'), 'n': N(1)}, {'pk': S('d')}])
        out = self.batch("INSERT INTO \"%s\" VALUE {'pk': 'i'}" % t,
                         "UPDATE \"%s\" SET n = n + 1 WHERE pk = 'u'" % t,
                         "DELETE FROM \"%s\" WHERE pk = 'd'" % t)
        self.assertEqual(out, [{'TableName': t}] * 3)
        self.assertEqual(self.items(t), [{'pk': S('u'), 'n': N(2)}, {'pk': S('i')}])

    def test_each_write_fails_alone(self):
        t = self.table(items=[{'pk': S('dup')}, {'pk': S('c'), 'n': N(1)}])
        out = self.batch("INSERT INTO \"%s\" VALUE {'pk': 'dup', 'x': 1}" % t,
                         "INSERT INTO \"%s\" VALUE {'pk': 'new'}" % t,
                         "UPDATE \"%s\" SET x = 1 WHERE pk = 'missing'" % t,
                         "DELETE FROM \"%s\" WHERE pk = 'c' AND n = 5" % t)
        self.assertEqual(out, [
            {'Error': {'Code': 'DuplicateItem', 'Message': 'Duplicate primary key exists in table'}},
            {'TableName': t},
            {'Error': {'Code': 'ConditionalCheckFailed', 'Message': 'The conditional request failed'}},
            {'Error': {'Code': 'ConditionalCheckFailed', 'Message': 'The conditional request failed'}},
        ])
        self.assertEqual(self.items(t), [{'pk': S('c'), 'n': N(1)}, {'pk': S('dup')}, {'pk': S('new')}])

    def test_condition_failure_returns_the_item_when_asked(self):
        t = self.table(items=[{'pk': S('c'), 'n': N(1)}])
        out = self.batch({'Statement': "UPDATE \"%s\" SET n = 2 WHERE pk = 'c' AND n = 5" % t,
                          'ReturnValuesOnConditionCheckFailure': 'ALL_OLD'})
        self.assertEqual(out, [{'Error': {'Code': 'ConditionalCheckFailed', 'Message': 'The conditional request failed',
                                          'Item': {'pk': S('c'), 'n': N(1)}}}])

    def test_statement_errors_are_per_statement(self):
        t = self.table(items=[{'pk': S('a')}])
        c = self.table(range_key=('sk', 'N'), items=[{'pk': S('a'), 'sk': N(1)}])
        out = self.batch("SELECT * FROM \"%s\" WHERE pk = 'a'" % t,
                         "SELECT * FROM \"%s\" WHERE" % t,
                         "SELECT * FROM \"nope-nope\" WHERE pk = 'a'",
                         "SELECT * FROM \"%s\" WHERE pk = 'a'" % c,
                         "SELECT * FROM \"%s\"" % t,
                         ("SELECT * FROM \"%s\" WHERE pk = ?" % t, [S('a'), S('b')]))
        self.assertEqual(out, [
            {'TableName': t, 'Item': {'pk': S('a')}},
            {'Error': {'Code': 'ValidationError',
                       'Message': "Statement wasn't well formed, can't be processed: unexpected end of statement"}},
            {'Error': {'Code': 'ResourceNotFound', 'Message': 'Requested resource not found'}},
            {'Error': {'Code': 'ValidationError',
                       'Message': 'Where clause does not contain a mandatory equality on all key attributes'}},
            {'Error': {'Code': 'ValidationError',
                       'Message': 'Where clause does not contain a mandatory equality on all key attributes'}},
            {'Error': {'Code': 'ValidationError', 'Message': "Number of parameters in request and statement don't match."}},
        ])

    def test_write_errors_leave_the_other_writes(self):
        t = self.table(items=[{'pk': S('a')}])
        out = self.batch("UPDATE \"%s\" SET x = 1 WHERE pk = 'a'" % t,
                         "UPDATE \"%s\" SET pk = 'b' WHERE pk = 'a'" % t,
                         "UPDATE \"%s\" SET x = 1 WHERE x = 2" % t)
        self.assertEqual(out[0], {'TableName': t})
        self.assertEqual(out[1]['Error']['Code'], 'ValidationError')
        self.assertEqual(out[2], {'Error': {'Code': 'ValidationError',
                                            'Message': 'Where clause does not contain a mandatory equality on all key attributes'}})
        self.assertEqual(self.items(t), [{'pk': S('a'), 'x': N(1)}])

    def test_twenty_five_statements(self):
        t = self.table()
        out = self.batch(*["INSERT INTO \"%s\" VALUE {'pk': 'k%02d'}" % (t, i) for i in range(25)])
        self.assertEqual(out, [{'TableName': t}] * 25)
        self.assertEqual(len(self.items(t)), 25)

    def test_reads_and_writes_do_not_mix(self):
        t = self.table(items=[{'pk': S('a')}])
        self.assertError(lambda: self.batch("SELECT * FROM \"%s\" WHERE pk = 'a'" % t,
                                            "DELETE FROM \"%s\" WHERE pk = 'a'" % t),
                         'ValidationException',
                         'Unsupported operation: A batch must contain either only read statements or only write statements',
                         unchanged=[t])

    def test_exists_is_not_a_batch_statement(self):
        t = self.table(items=[{'pk': S('a')}])
        out = self.batch("EXISTS(SELECT * FROM \"%s\" WHERE pk = 'a')" % t)
        self.assertEqual(out, [{'Error': {'Code': 'ValidationError',
                                          'Message': 'Unsupported operation: EXISTS is only supported in ExecuteTransaction'}}])

    def test_raw_request_errors(self):
        t = self.table(items=[{'pk': S('a')}])
        one = {'Statement': "DELETE FROM \"%s\" WHERE pk = 'a'" % t}
        cases = [
            ({}, 'ValidationException',
             "1 validation error detected: Value null at 'statements' failed to satisfy constraint: Member must not be null"),
            ({'Statements': []}, 'ValidationException',
             "1 validation error detected: Value '[]' at 'statements' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({'Statements': [one] * 26}, 'ValidationException', None),
            ({'Statements': one}, 'SerializationException', None),
            ({'Statements': ['x']}, 'SerializationException', None),
            ({'Statements': [{}]}, 'ValidationException',
             "1 validation error detected: Value null at 'statements.1.member.statement' failed to satisfy constraint: Member must not be null"),
            ({'Statements': [one, {'Statement': ''}]}, 'ValidationException',
             "1 validation error detected: Value '' at 'statements.2.member.statement' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({'Statements': [dict(one, Parameters=[])]}, 'ValidationException',
             "1 validation error detected: Value '[]' at 'statements.1.member.parameters' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({'Statements': [dict(one, ConsistentRead='x')]}, 'SerializationException', None),
            ({'Statements': [dict(one, ReturnValuesOnConditionCheckFailure='ALL_NEW')]}, 'ValidationException',
             "1 validation error detected: Value 'ALL_NEW' at 'statements.1.member.returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"),
            ({'Statements': [one], 'ReturnConsumedCapacity': 'ALL'}, 'ValidationException', None),
        ]
        for body, code, message in cases:
            with self.subTest(json.dumps(body)[:80]):
                self.assertRawError('BatchExecuteStatement', body, code, message, unchanged=[t])

    def test_update_returning_answers_the_item(self):
        t = self.table(items=[{'pk': S('a'), 'n': N(1)}, {'pk': S('b'), 'n': N(5)}])
        out = self.batch("UPDATE \"%s\" SET n = n + 1 WHERE pk = 'a' RETURNING ALL NEW *" % t,
                         "DELETE FROM \"%s\" WHERE pk = 'b' RETURNING ALL OLD *" % t)
        self.assertEqual(out, [{'TableName': t, 'Item': {'pk': S('a'), 'n': N(2)}},
                               {'TableName': t, 'Item': {'pk': S('b'), 'n': N(5)}}])

    def test_a_read_with_more_than_the_key_is_refused(self):
        t = self.table(items=[{'pk': S('a'), 'x': N(1)}])
        out = self.batch("SELECT * FROM \"%s\" WHERE pk = 'a' AND x = 1" % t)
        self.assertEqual(out, [{'Error': {'Code': 'ValidationError',
                                          'Message': 'Where clause does not contain a mandatory equality on all key attributes'}}])

    def test_consumed_capacity_sums_the_statements_per_table(self):
        t = self.table(items=[{'pk': S('a'), 'v': S('x' * 6000)}, {'pk': S('b')}])
        out = self.ddb.batch_execute_statement(
            Statements=[{'Statement': "SELECT * FROM \"%s\" WHERE pk = '%s'" % (t, k)} for k in 'ab'],
            ReturnConsumedCapacity='TOTAL')
        singles = [self.ddb.get_item(TableName=t, Key={'pk': S(k)}, ReturnConsumedCapacity='TOTAL').get('ConsumedCapacity')
                   for k in 'ab']
        if singles[0] is None:
            self.assertNotIn('ConsumedCapacity', out)
            return
        want = dict(singles[0])
        for key, value in singles[1].items():
            if isinstance(value, (int, float)):
                want[key] = want[key] + value
        self.assertEqual(out['ConsumedCapacity'], [want])


if __name__ == '__main__':
    unittest.main()
