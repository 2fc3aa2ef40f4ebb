"""The simple webservice's function: a Lambda proxy handler (API Gateway REST, payload 1.0)
that counts hits per path in DynamoDB with boto3.

  GET/POST/... <path>   ADD 1 to the path's hits; answers {"message", "path", "hits"}
  DELETE <path>         removes the path's counter; answers the hits it had
  GET /_stats           every counted path (a Scan), sorted by path

boto3 finds the table through AWS_ENDPOINT_URL, which the runtime sets, exactly as on Lambda
(where it is unset and the SDK goes to DynamoDB).
"""
import json
import os

import boto3
from botocore.exceptions import ClientError

TABLE = boto3.resource('dynamodb').Table(os.environ['HITS_TABLE_NAME'])


def reply(status, doc):
    return {
        'statusCode': status,
        'headers': {'Content-Type': 'application/json'},
        'body': json.dumps(doc),
    }


def handler(event, context):
    path = event['path']
    method = event['httpMethod']
    try:
        if method == 'GET' and path == '/_stats':
            items, kwargs = [], {}
            while True:
                page = TABLE.scan(**kwargs)
                items += page['Items']
                if 'LastEvaluatedKey' not in page:
                    break
                kwargs['ExclusiveStartKey'] = page['LastEvaluatedKey']
            hits = {item['path']: int(item['hits']) for item in items}
            return reply(200, {'paths': dict(sorted(hits.items()))})
        if method == 'DELETE':
            old = TABLE.delete_item(Key={'path': path}, ReturnValues='ALL_OLD')
            if 'Attributes' not in old:
                return reply(404, {'message': 'no hits for %s' % path})
            return reply(200, {'path': path, 'hits': int(old['Attributes']['hits'])})
        new = TABLE.update_item(Key={'path': path}, UpdateExpression='ADD hits :one',
                                ExpressionAttributeValues={':one': 1}, ReturnValues='UPDATED_NEW')
        return reply(200, {'message': 'You have connected with the Lambda!', 'path': path,
                           'hits': int(new['Attributes']['hits'])})
    except ClientError as err:
        # A key DynamoDB refuses (a path over 2048 bytes) is the caller's mistake: say so.
        if err.response['Error']['Code'] == 'ValidationException':
            return reply(400, {'message': err.response['Error']['Message']})
        raise
