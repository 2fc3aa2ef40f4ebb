"""ExecuteStatement: DynamoDB's PartiQL, one statement at a time. Cases from AWS's
documentation (PartiQL select/insert/update/delete statements for DynamoDB, PartiQL
functions, the ExecuteStatement API reference)."""
import base64
import json
import unittest

from conformance import ConformanceCase

S = lambda v: {'S': v}  # noqa: E731
N = lambda v: {'N': str(v)}  # noqa: E731


class ExecuteStatementTest(ConformanceCase):

    def run_statement(self, statement, params=None, **kwargs):
        if params is not None:
            kwargs['Parameters'] = params
        out = self.ddb.execute_statement(Statement=statement, **kwargs)
        out.pop('ResponseMetadata', None)
        return out

    def composite(self, items=()):
        return self.table(range_key=('sk', 'N'), items=items)

    # ----- SELECT ------------------------------------------------------------------

    def test_select_by_key(self):
        t = self.table(items=[{'pk': S('a'), 'x': N(1)}, {'pk': S('b')}])
        self.assertEqual(self.run_statement('SELECT * FROM "%s" WHERE pk = \'a\'' % t),
                         {'Items': [{'pk': S('a'), 'x': N(1)}]})

    def test_select_missing_item_is_empty(self):
        t = self.table(items=[{'pk': S('a')}])
        self.assertEqual(self.run_statement('SELECT * FROM "%s" WHERE pk = \'zz\'' % t), {'Items': []})

    def test_select_with_parameter(self):
        t = self.table(items=[{'pk': S('a'), 'x': N(1)}])
        self.assertEqual(self.run_statement('SELECT * FROM "%s" WHERE pk = ?' % t, [S('a')]),
                         {'Items': [{'pk': S('a'), 'x': N(1)}]})

    def test_select_projection(self):
        t = self.table(items=[{'pk': S('a'), 'x': N(1), 'm': {'M': {'p': S('q'), 'r': S('s')}},
                               'l': {'L': [N(1), N(2)]}, 'y': S('no')}])
        out = self.run_statement('SELECT x, m.p, l[1] FROM "%s" WHERE pk = \'a\'' % t)
        self.assertEqual(out, {'Items': [{'x': N(1), 'm': {'M': {'p': S('q')}}, 'l': {'L': [N(2)]}}]})

    def test_select_partition_of_composite_table_in_sort_order(self):
        t = self.composite([{'pk': S('a'), 'sk': N(i)} for i in (3, 1, 2)] + [{'pk': S('b'), 'sk': N(1)}])
        out = self.run_statement('SELECT sk FROM "%s" WHERE pk = \'a\'' % t)
        self.assertEqual(out, {'Items': [{'sk': N(1)}, {'sk': N(2)}, {'sk': N(3)}]})

    def test_order_by_sort_key_desc(self):
        t = self.composite([{'pk': S('a'), 'sk': N(i)} for i in (3, 1, 2)])
        out = self.run_statement('SELECT sk FROM "%s" WHERE pk = \'a\' ORDER BY sk DESC' % t)
        self.assertEqual(out, {'Items': [{'sk': N(3)}, {'sk': N(2)}, {'sk': N(1)}]})

    def test_sort_key_conditions(self):
        t = self.composite([{'pk': S('a'), 'sk': N(i)} for i in range(1, 8)])
        cases = [
            ('sk > 5', [6, 7]), ('sk >= 6', [6, 7]), ('sk < 2', [1]), ('sk <= 2', [1, 2]), ('sk = 4', [4]),
            ('sk BETWEEN 3 AND 5', [3, 4, 5]), ('sk > 2 AND sk < 5', [3, 4]), ('sk <> 4 AND sk > 5', [6, 7]),
            ('sk IN [1, 7]', [1, 7]),
        ]
        for cond, want in cases:
            with self.subTest(cond):
                out = self.run_statement('SELECT sk FROM "%s" WHERE pk = \'a\' AND %s' % (t, cond))
                self.assertEqual(sorted(int(i['sk']['N']) for i in out['Items']), want)

    def test_where_operators_and_functions(self):
        t = self.table(items=[
            {'pk': S('a'), 'n': N(1), 's': S('apple'), 'tags': {'SS': ['red', 'green']}, 'l': {'L': [N(1), N(2), N(3)]},
             'm': {'M': {'k': S('v')}}},
            {'pk': S('b'), 'n': N(5), 's': S('banana'), 'nul': {'NULL': True}},
            {'pk': S('c'), 'n': N(9), 's': S('cherry'), 'b': {'BOOL': True}},
        ])
        cases = [
            ("n = 5", ['b']), ("n <> 5", ['a', 'c']), ("n != 5", ['a', 'c']), ("n < 5", ['a']), ("n <= 5", ['a', 'b']),
            ("n > 5", ['c']), ("n >= 5", ['b', 'c']), ("n BETWEEN 2 AND 9", ['b', 'c']),
            ("n NOT BETWEEN 2 AND 9", ['a']), ("s IN ['apple', 'cherry']", ['a', 'c']), ("n IN (1, 9)", ['a', 'c']),
            ("n NOT IN [1, 9]", ['b']), ("n = 1 OR n = 9", ['a', 'c']), ("NOT n = 1", ['b', 'c']),
            ("n > 1 AND n < 9", ['b']), ("(n = 1 OR n = 5) AND s = 'banana'", ['b']),
            ("tags IS MISSING", ['b', 'c']), ("tags IS NOT MISSING", ['a']), ("nul IS NULL", ['b']),
            ("begins_with(s, 'ba')", ['b']), ("contains(tags, 'red')", ['a']), ("contains(s, 'err')", ['c']),
            ("size(l) = 3", ['a']), ("size(s) > 5", ['b', 'c']), ("attribute_type(tags, 'SS')", ['a']),
            ("attribute_type(n, 'N')", ['a', 'b', 'c']), ("m.k = 'v'", ['a']), ("l[1] = 2", ['a']),
            ("b = TRUE", ['c']), ("pk = 'a' OR pk = 'c'", ['a', 'c']), ("pk IN ['b']", ['b']),
        ]
        for cond, want in cases:
            with self.subTest(cond):
                out = self.run_statement('SELECT pk FROM "%s" WHERE %s' % (t, cond))
                self.assertEqual(sorted(i['pk']['S'] for i in out['Items']), want)

    def test_scan_everything(self):
        t = self.table(items=[{'pk': S(c)} for c in 'abc'])
        out = self.run_statement('SELECT * FROM "%s"' % t)
        self.assertEqual(sorted(i['pk']['S'] for i in out['Items']), ['a', 'b', 'c'])
        self.assertNotIn('NextToken', out)

    def test_limit_and_next_token_page_through_a_scan(self):
        t = self.table(items=[{'pk': S('k%02d' % i)} for i in range(7)])
        seen, token, pages = [], None, 0
        while True:
            kwargs = {'Limit': 3}
            if token:
                kwargs['NextToken'] = token
            out = self.run_statement('SELECT * FROM "%s"' % t, **kwargs)
            pages += 1
            self.assertLessEqual(len(out['Items']), 3)
            seen.extend(i['pk']['S'] for i in out['Items'])
            token = out.get('NextToken')
            if not token:
                break
            self.assertIn('LastEvaluatedKey', out)
        self.assertEqual(sorted(seen), ['k%02d' % i for i in range(7)])
        self.assertEqual(pages, 3)

    def test_limit_on_a_query_returns_next_token(self):
        t = self.composite([{'pk': S('a'), 'sk': N(i)} for i in range(5)])
        out = self.run_statement('SELECT sk FROM "%s" WHERE pk = \'a\'' % t, Limit=2)
        self.assertEqual(out['Items'], [{'sk': N(0)}, {'sk': N(1)}])
        self.assertEqual(out['LastEvaluatedKey'], {'pk': S('a'), 'sk': N(1)})
        rest = self.run_statement('SELECT sk FROM "%s" WHERE pk = \'a\'' % t, NextToken=out['NextToken'])
        self.assertEqual(rest, {'Items': [{'sk': N(2)}, {'sk': N(3)}, {'sk': N(4)}]})

    def test_consistent_read_is_accepted(self):
        t = self.table(items=[{'pk': S('a')}])
        self.assertEqual(self.run_statement('SELECT * FROM "%s" WHERE pk = \'a\'' % t, ConsistentRead=True),
                         {'Items': [{'pk': S('a')}]})

    def test_lowercase_keywords_and_semicolon(self):
        t = self.table(items=[{'pk': S('a')}])
        self.assertEqual(self.run_statement('select * from "%s" where pk = \'a\';' % t), {'Items': [{'pk': S('a')}]})

    # ----- INSERT ------------------------------------------------------------------

    def test_insert(self):
        t = self.table()
        out = self.run_statement("INSERT INTO \"%s\" VALUE {'pk': 'a', 'n': 1, 'm': {'x': [1, TRUE, NULL]}, "
                                 "'ss': <<'p', 'q'>>, 'ns': <<1, 2>>}" % t)
        self.assertEqual(out, {'Items': []})
        self.assertEqual(self.items(t), [{'pk': S('a'), 'n': N(1), 'm': {'M': {'x': {'L': [N(1), {'BOOL': True}, {'NULL': True}]}}},
                                          'ss': {'SS': ['p', 'q']}, 'ns': {'NS': ['1', '2']}}])

    def test_insert_with_parameters(self):
        t = self.table()
        self.run_statement("INSERT INTO \"%s\" VALUE {'pk': ?, 'b': ?}" % t, [S('a'), {'B': b'\x01'}])
        # (read back with GetItem: the base's items() cannot sort binary values)
        self.assertEqual(self.ddb.get_item(TableName=t, Key={'pk': S('a')})['Item'], {'pk': S('a'), 'b': {'B': b'\x01'}})

    def test_insert_duplicate_key(self):
        t = self.table(items=[{'pk': S('a'), 'x': N(1)}])
        self.assertError(lambda: self.run_statement("INSERT INTO \"%s\" VALUE {'pk': 'a', 'x': 2}" % t),
                         'DuplicateItemException', 'Duplicate primary key exists in table', unchanged=[t])

    def test_insert_without_key(self):
        t = self.table()
        self.assertError(lambda: self.run_statement("INSERT INTO \"%s\" VALUE {'x': 2}" % t),
                         'ValidationException', 'One or more parameter values were invalid: Missing the key pk in the item',
                         unchanged=[t])

    def test_insert_key_of_wrong_type(self):
        t = self.table()
        self.assertError(lambda: self.run_statement("INSERT INTO \"%s\" VALUE {'pk': 1}" % t),
                         'ValidationException', unchanged=[t])

    # ----- UPDATE ------------------------------------------------------------------

    def test_update_set_and_increment(self):
        t = self.table(items=[{'pk': S('a'), 'n': N(1)}])
        self.assertEqual(self.run_statement("UPDATE \"%s\" SET n = n + 2 SET s = 'x' WHERE pk = 'a'" % t), {'Items': []})
        self.assertEqual(self.items(t), [{'pk': S('a'), 'n': N(3), 's': S('x')}])

    def test_update_remove_list_append_and_sets(self):
        t = self.table(items=[{'pk': S('a'), 'l': {'L': [N(1)]}, 'ss': {'SS': ['x', 'y']}, 'gone': S('g')}])
        self.run_statement("UPDATE \"%s\" SET l = list_append(l, [2]) SET ss = set_add(ss, <<'z'>>) "
                           "REMOVE gone WHERE pk = 'a'" % t)
        self.run_statement("UPDATE \"%s\" SET ss = set_delete(ss, <<'x'>>) WHERE pk = 'a'" % t)
        self.assertEqual(self.items(t), [{'pk': S('a'), 'l': {'L': [N(1), N(2)]}, 'ss': {'SS': ['y', 'z']}}])

    def test_update_returning(self):
        cases = [('ALL OLD', {'pk': S('a'), 'n': N(1), 'o': S('x')}), ('MODIFIED OLD', {'n': N(1)}),
                 ('ALL NEW', {'pk': S('a'), 'n': N(2), 'o': S('x')}), ('MODIFIED NEW', {'n': N(2)})]
        for returning, want in cases:
            with self.subTest(returning):
                t = self.table(items=[{'pk': S('a'), 'n': N(1), 'o': S('x')}])
                out = self.run_statement("UPDATE \"%s\" SET n = 2 WHERE pk = 'a' RETURNING %s *" % (t, returning))
                self.assertEqual(out, {'Items': [want]})

    def test_update_missing_item_fails(self):
        t = self.table(items=[{'pk': S('b')}])
        self.assertError(lambda: self.run_statement("UPDATE \"%s\" SET n = 1 WHERE pk = 'a'" % t),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])

    def test_update_with_failing_condition(self):
        t = self.table(items=[{'pk': S('a'), 'n': N(1)}])
        self.assertError(lambda: self.run_statement("UPDATE \"%s\" SET n = 5 WHERE pk = 'a' AND n = 2" % t),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])

    def test_update_condition_failure_returns_old_item_when_asked(self):
        t = self.table(items=[{'pk': S('a'), 'n': N(1)}])
        resp = self.assertError(lambda: self.run_statement("UPDATE \"%s\" SET n = 5 WHERE pk = 'a' AND n = 2" % t,
                                                           ReturnValuesOnConditionCheckFailure='ALL_OLD'),
                                'ConditionalCheckFailedException', unchanged=[t])
        self.assertEqual(resp.get('Item'), {'pk': S('a'), 'n': N(1)})

    def test_update_needs_full_key(self):
        t = self.composite([{'pk': S('a'), 'sk': N(1)}])
        for where in ("pk = 'a'", "sk = 1", "pk > 'a' AND sk = 1", "pk = 'a' OR sk = 1"):
            with self.subTest(where):
                self.assertError(lambda: self.run_statement("UPDATE \"%s\" SET x = 1 WHERE %s" % (t, where)),
                                 'ValidationException',
                                 'Where clause does not contain a mandatory equality on all key attributes', unchanged=[t])

    def test_update_of_a_key_attribute(self):
        t = self.table(items=[{'pk': S('a')}])
        self.assertError(lambda: self.run_statement("UPDATE \"%s\" SET pk = 'b' WHERE pk = 'a'" % t),
                         'ValidationException', unchanged=[t])

    # ----- DELETE ------------------------------------------------------------------

    def test_delete(self):
        t = self.table(items=[{'pk': S('a')}, {'pk': S('b')}])
        self.assertEqual(self.run_statement("DELETE FROM \"%s\" WHERE pk = 'a'" % t), {'Items': []})
        self.assertEqual(self.items(t), [{'pk': S('b')}])

    def test_delete_returning_all_old(self):
        t = self.composite([{'pk': S('a'), 'sk': N(1), 'v': S('x')}])
        out = self.run_statement("DELETE FROM \"%s\" WHERE pk = ? AND sk = ? RETURNING ALL OLD *" % t, [S('a'), N(1)])
        self.assertEqual(out, {'Items': [{'pk': S('a'), 'sk': N(1), 'v': S('x')}]})
        self.assertEqual(self.items(t), [])

    def test_delete_missing_item_fails(self):
        t = self.table(items=[{'pk': S('b')}])
        self.assertError(lambda: self.run_statement("DELETE FROM \"%s\" WHERE pk = 'a'" % t),
                         'ConditionalCheckFailedException', 'The conditional request failed', unchanged=[t])

    def test_delete_with_condition(self):
        t = self.table(items=[{'pk': S('a'), 'n': N(1)}])
        self.assertError(lambda: self.run_statement("DELETE FROM \"%s\" WHERE pk = 'a' AND n > 1" % t),
                         'ConditionalCheckFailedException', unchanged=[t])
        self.run_statement("DELETE FROM \"%s\" WHERE pk = 'a' AND n = 1" % t)
        self.assertEqual(self.items(t), [])

    # ----- errors ------------------------------------------------------------------

    def test_statement_errors(self):
        t = self.table(items=[{'pk': S('a')}])
        bad = [
            ('SELECT FROM "%s"' % t, 'ValidationException',
             "Statement wasn't well formed, can't be processed: expected an attribute name, found 'FROM' at position 8"),
            ('SELECT * FROM "%s" WHERE' % t, 'ValidationException',
             "Statement wasn't well formed, can't be processed: unexpected end of statement"),
            ('SELEC * FROM "%s"' % t, 'ValidationException',
             "Statement wasn't well formed, can't be processed: expected SELECT, INSERT, UPDATE or DELETE, found 'SELEC' at position 1"),
            ('SELECT * FROM "%s", "%s"' % (t, t), 'ValidationException',
             'Unsupported operation: a statement may read or write only one table (joins are not supported)'),
            ('SELECT * FROM "nope-nope"', 'ResourceNotFoundException', 'Requested resource not found'),
            ("DELETE FROM \"nope-nope\" WHERE pk = 'a'", 'ResourceNotFoundException', 'Requested resource not found'),
            ('SELECT * FROM "%s" WHERE pk = ?' % t, 'ValidationException',
             "Number of parameters in request and statement don't match."),
            ('SELECT * FROM "%s" ORDER BY pk' % t, 'ValidationException',
             'Must have WHERE clause in the statement when using ORDER BY clause.'),
            ('SELECT * FROM "%s" WHERE nope(x)' % t, 'ValidationException',
             'Unsupported operation: function nope is not supported'),
            ('EXISTS(SELECT * FROM "%s" WHERE pk = \'a\')' % t, 'ValidationException',
             'Unsupported operation: EXISTS is only supported in ExecuteTransaction'),
        ]
        for statement, code, message in bad:
            with self.subTest(statement):
                self.assertError(lambda: self.run_statement(statement), code, message, unchanged=[t])

    def test_too_many_parameters(self):
        t = self.table()
        self.assertError(lambda: self.run_statement('SELECT * FROM "%s"' % t, [S('a')]), 'ValidationException',
                         "Number of parameters in request and statement don't match.")

    def test_bad_parameter_value(self):
        t = self.table()
        self.assertError(lambda: self.run_statement("INSERT INTO \"%s\" VALUE {'pk': ?}" % t, [{'SS': ['a', 'a']}]),
                         'ValidationException', message_contains='contains duplicates', unchanged=[t])

    def test_raw_request_errors(self):
        t = self.table(items=[{'pk': S('a')}])
        ok = 'SELECT * FROM "%s"' % t
        cases = [
            ({}, 'ValidationException',
             "1 validation error detected: Value null at 'statement' failed to satisfy constraint: Member must not be null"),
            ({'Statement': 5}, 'SerializationException', None),
            ({'Statement': ''}, 'ValidationException',
             "1 validation error detected: Value '' at 'statement' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({'Statement': 'SELECT * FROM "x"' + ' ' * 8200}, 'ValidationException', None),
            ({'Statement': ok, 'Parameters': []}, 'ValidationException',
             "1 validation error detected: Value '[]' at 'parameters' failed to satisfy constraint: Member must have length greater than or equal to 1"),
            ({'Statement': ok, 'Parameters': {'S': 'a'}}, 'SerializationException', None),
            ({'Statement': ok, 'Parameters': [{'S': 1}]}, 'SerializationException', None),
            ({'Statement': ok, 'Limit': 0}, 'ValidationException', None),
            ({'Statement': ok, 'ConsistentRead': 'yes'}, 'SerializationException', None),
            ({'Statement': ok, 'NextToken': 'not a token!'}, 'ValidationException', 'Invalid NextToken'),
            ({'Statement': ok, 'ReturnConsumedCapacity': 'ALL'}, 'ValidationException',
             "1 validation error detected: Value 'ALL' at 'returnConsumedCapacity' failed to satisfy constraint: Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"),
            ({'Statement': ok, 'ReturnValuesOnConditionCheckFailure': 'ALL_NEW'}, 'ValidationException',
             "1 validation error detected: Value 'ALL_NEW' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]"),
        ]
        for body, code, message in cases:
            with self.subTest(json.dumps(body)[:80]):
                self.assertRawError('ExecuteStatement', body, code, message, unchanged=[t])

    def test_next_token_is_opaque_base64(self):
        t = self.table(items=[{'pk': S('a')}, {'pk': S('b')}])
        out = self.run_statement('SELECT * FROM "%s"' % t, Limit=1)
        self.assertEqual(json.loads(base64.b64decode(out['NextToken'])), out['LastEvaluatedKey'])

    def test_big_scan_pages_at_one_megabyte(self):
        t = self.table()
        blob = 'x' * (100 * 1024)
        for i in range(14):
            self.ddb.put_item(TableName=t, Item={'pk': S('k%02d' % i), 'v': S(blob)})
        first = self.run_statement('SELECT pk FROM "%s"' % t)
        self.assertIn('NextToken', first)
        self.assertLess(len(first['Items']), 14)
        rest = self.run_statement('SELECT pk FROM "%s"' % t, NextToken=first['NextToken'])
        self.assertNotIn('NextToken', rest)
        self.assertEqual(sorted(i['pk']['S'] for i in first['Items'] + rest['Items']), ['k%02d' % i for i in range(14)])

    def test_consumed_capacity_is_the_translated_operations(self):
        t = self.table(items=[{'pk': S('a'), 'v': S('x' * 5000)}])
        for statement, equivalent in [
                ("SELECT * FROM \"%s\" WHERE pk = 'a'" % t,
                 lambda: self.ddb.get_item(TableName=t, Key={'pk': S('a')}, ReturnConsumedCapacity='TOTAL')),
                ('SELECT * FROM "%s"' % t, lambda: self.ddb.scan(TableName=t, ReturnConsumedCapacity='TOTAL'))]:
            with self.subTest(statement):
                got = self.run_statement(statement, ReturnConsumedCapacity='TOTAL')
                self.assertEqual(got.get('ConsumedCapacity'), equivalent().get('ConsumedCapacity'))

    def test_hostile_statements_get_validation_errors(self):
        t = self.table(items=[{'pk': S('a')}])
        statements = [
            'SELECT * FROM "%s" WHERE ' % t + '(' * 4000 + 'x = 1' + ')' * 4000,
            'SELECT * FROM "%s" WHERE ' % t + 'NOT ' * 2000 + 'x = 1',
            "INSERT INTO \"%s\" VALUE " % t + "{'a': " * 1000 + '1' + '}' * 1000,
            'SELECT * FROM "%s" WHERE x = ' % t + '[' * 3000 + ']' * 3000,
            'SELECT * FROM "%s" WHERE x = \'\u00e9\u0000\'' % t + ' AND',
            '"' * 8000,
            "'" * 8001,
            '?' * 8000,
            'SELECT * FROM "%s" WHERE pk = 1e999999999999' % t,
            'SELECT ' + 'a.' * 3000 + 'b FROM "%s"' % t,
            "UPDATE \"%s\" SET a = a + a + a + a WHERE pk = 'a'" % t,
        ]
        for statement in statements:
            with self.subTest(statement[:60]):
                self.assertError(lambda: self.run_statement(statement), 'ValidationException', unchanged=[t])
        # and the server still answers
        self.assertEqual(self.run_statement("SELECT * FROM \"%s\" WHERE pk = 'a'" % t), {'Items': [{'pk': S('a')}]})

    def test_partition_key_in_list_ordered(self):
        # The Developer Guide's example: SELECT OrderID, Total FROM "Orders" WHERE OrderID IN [1, 2, 3] ORDER BY OrderID DESC
        t = self.table(hash_key=('OrderID', 'N'),
                       items=[{'OrderID': N(i), 'Total': N(i * 10), 'Other': S('x')} for i in range(1, 6)])
        out = self.run_statement('SELECT OrderID, Total FROM "%s" WHERE OrderID IN [1, 2, 3, 99] ORDER BY OrderID DESC' % t)
        self.assertEqual(out, {'Items': [{'OrderID': N(3), 'Total': N(30)}, {'OrderID': N(2), 'Total': N(20)},
                                         {'OrderID': N(1), 'Total': N(10)}]})
        out = self.run_statement('SELECT OrderID FROM "%s" WHERE OrderID = 4 OR OrderID = 2' % t)
        self.assertEqual(out, {'Items': [{'OrderID': N(2)}, {'OrderID': N(4)}]})

    def test_partition_key_in_pages_with_limit(self):
        t = self.composite([{'pk': S(p), 'sk': N(i)} for p in 'abc' for i in range(3)])
        statement = 'SELECT pk, sk FROM "%s" WHERE pk IN [\'c\', \'a\'] AND sk >= 1' % t
        seen, token, pages = [], None, 0
        while True:
            kwargs = {'Limit': 3}
            if token:
                kwargs['NextToken'] = token
            out = self.run_statement(statement, **kwargs)
            pages += 1
            seen.extend((i['pk']['S'], int(i['sk']['N'])) for i in out['Items'])
            token = out.get('NextToken')
            if not token or pages > 5:
                break
        self.assertEqual(seen, [('a', 1), ('a', 2), ('c', 1), ('c', 2)])

    def test_partition_key_in_with_a_bad_token(self):
        t = self.table(items=[{'pk': S('a')}])
        token = base64.b64encode(json.dumps({'p': 7}).encode()).decode()
        self.assertError(lambda: self.run_statement('SELECT * FROM "%s" WHERE pk IN [\'a\']' % t, NextToken=token),
                         'ValidationException', 'Invalid NextToken')

    def test_developer_guide_music_examples(self):
        # The statements of the Developer Guide's PartiQL insert/update/delete pages, on its Music table.
        m = self.table(hash_key=('Artist', 'S'), range_key=('SongTitle', 'S'))
        key = "WHERE Artist='Acme Band' AND SongTitle='PartiQL Rocks'"
        self.run_statement("INSERT INTO \"%s\" value {'Artist':'Acme Band','SongTitle':'PartiQL Rocks'}" % m)
        self.run_statement("UPDATE \"%s\" SET AwardsWon=1 SET AwardDetail={'Grammys':[2020, 2018]} %s" % (m, key))
        out = self.run_statement("UPDATE \"%s\" SET AwardDetail.Grammys =list_append(AwardDetail.Grammys,[2016]) %s "
                                 "RETURNING ALL NEW *" % (m, key))
        self.assertEqual(out['Items'][0]['AwardDetail'], {'M': {'Grammys': {'L': [N(2020), N(2018), N(2016)]}}})
        self.run_statement("UPDATE \"%s\" REMOVE AwardDetail.Grammys[2] %s" % (m, key))
        self.run_statement("UPDATE \"%s\" SET AwardDetail.BillBoard=[2020] %s" % (m, key))
        self.run_statement("UPDATE \"%s\" SET BandMembers =<<'member1', 'member2'>> %s" % (m, key))
        self.run_statement("UPDATE \"%s\" SET BandMembers =set_add(BandMembers, <<'newmember'>>) %s" % (m, key))
        self.run_statement("UPDATE \"%s\" SET BandMembers =set_delete(BandMembers, <<'member1'>>) %s" % (m, key))
        self.assertEqual(self.items(m), [{
            'Artist': S('Acme Band'), 'SongTitle': S('PartiQL Rocks'), 'AwardsWon': N(1),
            'AwardDetail': {'M': {'Grammys': {'L': [N(2020), N(2018)]}, 'BillBoard': {'L': [N(2020)]}}},
            'BandMembers': {'SS': ['member2', 'newmember']}}])
        self.assertEqual(self.run_statement('SELECT * FROM "%s" WHERE Artist=\'Acme Band\' AND SongTitle=\'PartiQL Rocks\' '
                                            'AND AwardsWon IS NOT MISSING' % m)['Items'][0]['AwardsWon'], N(1))
        self.run_statement("DELETE FROM \"%s\" WHERE \"Artist\" = 'Acme Band' AND \"SongTitle\" = 'PartiQL Rocks'" % m)
        self.assertEqual(self.items(m), [])


if __name__ == '__main__':
    unittest.main()
