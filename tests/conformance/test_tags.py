"""TagResource / UntagResource / ListTagsOfResource by table ARN: limits, AWS's errors for ARNs."""
import unittest

from conformance import ConformanceCase

INVALID = 'One or more parameter values were invalid: '


class TagsTest(ConformanceCase):
    def arn(self, t):
        return 'arn:aws:dynamodb:us-east-1:000000000000:table/' + t

    def tags(self, t):
        return sorted((x['Key'], x['Value']) for x in self.ddb.list_tags_of_resource(ResourceArn=self.arn(t))['Tags'])

    def test_tag_untag_list(self):
        t = self.table()
        self.assertEqual(self.tags(t), [])
        self.ddb.tag_resource(ResourceArn=self.arn(t), Tags=[{'Key': 'a', 'Value': '1'}, {'Key': 'b', 'Value': '2'}])
        self.assertEqual(self.tags(t), [('a', '1'), ('b', '2')])
        self.ddb.tag_resource(ResourceArn=self.arn(t), Tags=[{'Key': 'a', 'Value': 'changed'}])
        self.assertEqual(self.tags(t), [('a', 'changed'), ('b', '2')])
        self.ddb.untag_resource(ResourceArn=self.arn(t), TagKeys=['a', 'not-there'])
        self.assertEqual(self.tags(t), [('b', '2')])

    def test_tags_survive_restart(self):
        t = self.table()
        self.ddb.tag_resource(ResourceArn=self.arn(t), Tags=[{'Key': 'keep', 'Value': 'me'}])
        self.server.restart()
        self.assertEqual(self.tags(t), [('keep', 'me')])

    def test_recreated_table_has_no_tags(self):
        t = self.table(Tags=[{'Key': 'x', 'Value': 'y'}])
        self.ddb.delete_table(TableName=t)
        self.ddb.create_table(TableName=t, BillingMode='PAY_PER_REQUEST',
                              AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}],
                              KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}])
        self.assertEqual(self.tags(t), [])

    def test_limit_of_fifty(self):
        t = self.table(Tags=[{'Key': 'k%d' % i, 'Value': 'v'} for i in range(49)])
        self.ddb.tag_resource(ResourceArn=self.arn(t), Tags=[{'Key': 'k49', 'Value': 'v'}])
        self.assertError(lambda: self.ddb.tag_resource(ResourceArn=self.arn(t), Tags=[{'Key': 'k50', 'Value': 'v'}]),
                         'ValidationException', 'Number of Tags exceed the current limit for the provided ResourceArn')
        self.assertEqual(len(self.tags(t)), 50)
        self.ddb.tag_resource(ResourceArn=self.arn(t), Tags=[{'Key': 'k0', 'Value': 'overwrite is fine'}])

    def test_tag_value_errors(self):
        t = self.table()
        cases = [
            ([{'Key': 'aws:owner', 'Value': 'v'}], 'Tag Key cannot be prefixed with aws:, Key: aws:owner'),
            ([{'Key': 'd', 'Value': '1'}, {'Key': 'd', 'Value': '2'}], 'Duplicate Tag Keys provided as input: Duplicate Tag Key found d'),
            ([{'Key': 'x' * 129, 'Value': 'v'}],
             "1 validation error detected: Value '%s' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128" % ('x' * 129)),
            ([{'Key': 'v', 'Value': 'y' * 257}],
             "1 validation error detected: Value '%s' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256" % ('y' * 257)),
            ([], 'Atleast one Tag needs to be provided as Input.'),
        ]
        for tags, message in cases:
            with self.subTest(message=message[:50]):
                self.assertError(lambda: self.ddb.tag_resource(ResourceArn=self.arn(t), Tags=tags), 'ValidationException', message)
                self.assertEqual(self.tags(t), [])

    def test_untag_errors(self):
        t = self.table()
        self.assertError(lambda: self.ddb.untag_resource(ResourceArn=self.arn(t), TagKeys=[]), 'ValidationException',
                         'Atleast one Tag Key needs to be provided as Input.')
        self.assertRawError('UntagResource', {'ResourceArn': self.arn(t)}, 'ValidationException',
                            "1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null")
        self.assertRawError('UntagResource', {'ResourceArn': self.arn(t), 'TagKeys': 'a'}, 'SerializationException')

    def test_arn_errors(self):
        missing = self.arn('no-such-table')
        cases = [
            (missing, 'ResourceNotFoundException', 'Requested resource not found: ResourcArn: %s not found' % missing),
            ('table/x', 'ValidationException', INVALID + "ARNs must start with 'arn:': table/x"),
            ('arn:aws:dynamodb:us-east-1:000000000000:backup/x', 'ValidationException',
             INVALID + 'Provided Arn is not a DynamoDB resource arn: arn:aws:dynamodb:us-east-1:000000000000:backup/x'),
            ('arn:aws:dynamodb:eu-west-1:000000000000:table/x', 'ValidationException',
             'Invalid TableArn: Invalid ResourceArn provided as input arn:aws:dynamodb:eu-west-1:000000000000:table/x'),
            ('arn:aws:s3:::bucket', 'AccessDeniedException', None),
        ]
        for arn, code, message in cases:
            for op, call in (('list', lambda: self.ddb.list_tags_of_resource(ResourceArn=arn)),
                             ('tag', lambda: self.ddb.tag_resource(ResourceArn=arn, Tags=[{'Key': 'k', 'Value': 'v'}])),
                             ('untag', lambda: self.ddb.untag_resource(ResourceArn=arn, TagKeys=['k']))):
                with self.subTest(arn=arn, op=op):
                    self.assertError(call, code, message)

    def test_missing_members(self):
        t = self.table()
        self.assertRawError('TagResource', {'ResourceArn': self.arn(t)}, 'ValidationException',
                            "1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null")
        self.assertRawError('TagResource', {'Tags': [{'Key': 'k', 'Value': 'v'}]}, 'ValidationException',
                            "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null")
        self.assertRawError('ListTagsOfResource', {}, 'ValidationException',
                            "1 validation error detected: Value null at 'resourceArn' failed to satisfy constraint: Member must not be null")
        self.assertRawError('TagResource', {'ResourceArn': self.arn(t), 'Tags': [{'Key': 'k'}]}, 'ValidationException',
                            "1 validation error detected: Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null")

    def test_wrong_json_types_change_nothing(self):
        t = self.table(Tags=[{'Key': 'a', 'Value': 'b'}])
        cases = [
            ('TagResource', {'ResourceArn': 5, 'Tags': [{'Key': 'k', 'Value': 'v'}]}),
            ('TagResource', {'ResourceArn': self.arn(t), 'Tags': {'k': 'v'}}),
            ('TagResource', {'ResourceArn': self.arn(t), 'Tags': ['k=v']}),
            ('TagResource', {'ResourceArn': self.arn(t), 'Tags': [{'Key': 1, 'Value': 'v'}]}),
            ('TagResource', {'ResourceArn': self.arn(t), 'Tags': [{'Key': 'k', 'Value': 'v'}, 7]}),
            ('TagResource', {'ResourceArn': self.arn(t), 'Tags': [{'Key': 'k', 'Value': False}]}),
            ('UntagResource', {'ResourceArn': self.arn(t), 'TagKeys': [1]}),
            ('UntagResource', {'ResourceArn': [self.arn(t)], 'TagKeys': ['a']}),
            ('ListTagsOfResource', {'ResourceArn': {'arn': self.arn(t)}}),
            ('ListTagsOfResource', {'ResourceArn': self.arn(t), 'NextToken': 3}),
        ]
        for op, body in cases:
            with self.subTest(op=op, body=body):
                self.assertRawError(op, body, 'SerializationException')
        self.assertEqual(self.tags(t), [('a', 'b')])

    def test_cli(self):
        t = self.table()
        rc, out, err = self.server.aws('dynamodb', 'tag-resource', '--resource-arn', self.arn(t), '--tags', 'Key=team,Value=core')
        self.assertEqual(rc, 0, err)
        rc, out, err = self.server.aws('dynamodb', 'list-tags-of-resource', '--resource-arn', self.arn(t))
        self.assertEqual(out['Tags'], [{'Key': 'team', 'Value': 'core'}])


if __name__ == '__main__':
    unittest.main()
