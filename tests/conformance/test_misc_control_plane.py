"""DescribeLimits, DescribeEndpoints, DescribeContinuousBackups / UpdateContinuousBackups."""
import unittest

from conformance import ConformanceCase


class MiscControlPlaneTest(ConformanceCase):
    def test_describe_limits(self):
        out = self.ddb.describe_limits()
        out.pop('ResponseMetadata')
        self.assertEqual(out, {'AccountMaxReadCapacityUnits': 80000, 'AccountMaxWriteCapacityUnits': 80000,
                               'TableMaxReadCapacityUnits': 40000, 'TableMaxWriteCapacityUnits': 40000})

    def test_describe_endpoints(self):
        out = self.ddb.describe_endpoints()
        self.assertEqual(out['Endpoints'], [{'Address': 'dynamodb.us-east-1.amazonaws.com', 'CachePeriodInMinutes': 1440}])

    def test_continuous_backups_default(self):
        t = self.table()
        d = self.ddb.describe_continuous_backups(TableName=t)['ContinuousBackupsDescription']
        self.assertEqual(d, {'ContinuousBackupsStatus': 'ENABLED',
                             'PointInTimeRecoveryDescription': {'PointInTimeRecoveryStatus': 'DISABLED'}})

    def test_enable_and_disable_pitr(self):
        t = self.table()
        d = self.ddb.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={
            'PointInTimeRecoveryEnabled': True, 'RecoveryPeriodInDays': 7})['ContinuousBackupsDescription']
        pitr = d['PointInTimeRecoveryDescription']
        self.assertEqual((pitr['PointInTimeRecoveryStatus'], pitr['RecoveryPeriodInDays']), ('ENABLED', 7))
        self.assertLessEqual(pitr['EarliestRestorableDateTime'], pitr['LatestRestorableDateTime'])
        d = self.ddb.describe_continuous_backups(TableName=t)['ContinuousBackupsDescription']
        self.assertEqual(d['PointInTimeRecoveryDescription']['PointInTimeRecoveryStatus'], 'ENABLED')
        d = self.ddb.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={
            'PointInTimeRecoveryEnabled': False})['ContinuousBackupsDescription']
        self.assertEqual(d['PointInTimeRecoveryDescription'], {'PointInTimeRecoveryStatus': 'DISABLED'})

    def test_default_recovery_period_is_35_days(self):
        t = self.table()
        d = self.ddb.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={
            'PointInTimeRecoveryEnabled': True})['ContinuousBackupsDescription']
        self.assertEqual(d['PointInTimeRecoveryDescription']['RecoveryPeriodInDays'], 35)

    def test_backup_errors(self):
        t = self.table()
        cases = [
            ('UpdateContinuousBackups', {'TableName': t, 'PointInTimeRecoverySpecification': {
                'PointInTimeRecoveryEnabled': False, 'RecoveryPeriodInDays': 3}}, 'ValidationException',
             'Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.'),
            ('UpdateContinuousBackups', {'TableName': t, 'PointInTimeRecoverySpecification': {
                'PointInTimeRecoveryEnabled': True, 'RecoveryPeriodInDays': 36}}, 'ValidationException',
             "1 validation error detected: Value '36' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 35"),
            ('UpdateContinuousBackups', {'TableName': t}, 'ValidationException',
             "1 validation error detected: Value null at 'pointInTimeRecoverySpecification' failed to satisfy constraint: Member must not be null"),
            ('UpdateContinuousBackups', {'TableName': t, 'PointInTimeRecoverySpecification': {}}, 'ValidationException',
             "1 validation error detected: Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null"),
            ('UpdateContinuousBackups', {'TableName': 'no-such-table', 'PointInTimeRecoverySpecification': {
                'PointInTimeRecoveryEnabled': True}}, 'TableNotFoundException', 'Table not found: no-such-table'),
            ('DescribeContinuousBackups', {'TableName': 'no-such-table'}, 'TableNotFoundException',
             'Table not found: no-such-table'),
            ('DescribeContinuousBackups', {}, 'ValidationException',
             "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"),
        ]
        for op, body, code, message in cases:
            with self.subTest(op=op, body=body):
                self.assertRawError(op, body, code, message)
        d = self.ddb.describe_continuous_backups(TableName=t)['ContinuousBackupsDescription']
        self.assertEqual(d['PointInTimeRecoveryDescription'], {'PointInTimeRecoveryStatus': 'DISABLED'})

    def test_pitr_survives_restart(self):
        t = self.table()
        self.ddb.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={'PointInTimeRecoveryEnabled': True})
        self.server.restart()
        d = self.ddb.describe_continuous_backups(TableName=t)['ContinuousBackupsDescription']
        self.assertEqual(d['PointInTimeRecoveryDescription']['PointInTimeRecoveryStatus'], 'ENABLED')

    def test_cli(self):
        rc, out, err = self.server.aws('dynamodb', 'describe-limits')
        self.assertEqual((rc, out['TableMaxReadCapacityUnits']), (0, 40000), err)


if __name__ == '__main__':
    unittest.main()
