// The seed's stack (cdk-patterns "the-dynamo-streamer") as native YAML. The
// text below is shipped byte for byte as examples/seed/stack.yaml (stack_test
// checks that), and DefaultStack() is this text parsed: one source of truth.
#include <cstdio>
#include <cstdlib>

#include "stack/stack.h"

namespace streamer::stack {

const char* DefaultStackYaml() {
  return R"stack_yaml(# The seed stack: cdk-patterns "the-dynamo-streamer".
#   POST /InsertItem {"message": "hello"}
#     -> API Gateway (VTL request template) -> DynamoDB PutItem
#     -> the table's stream (NEW_IMAGE) -> DynamoLambdaHandler prints each event.
# This file is what `streamer serve` runs when given no stack file.
name: the-dynamo-streamer

tables:
  TheDynamoStreamer:
    partitionKey: message          # shorthand for {name: message, type: S}
    stream: NEW_IMAGE

functions:
  DynamoLambdaHandler:
    handler: log                   # built in: prints "request: <event JSON>"

events:                            # event source mappings: table stream -> function
  - function: DynamoLambdaHandler
    table: TheDynamoStreamer
    startingPosition: LATEST
    batchSize: 100

apis:
  DynamoStreamerAPI:
    stage: prod
    routes:
      POST /InsertItem:
        integration: dynamodb:PutItem
        passthrough: NEVER
        requestTemplates:
          application/json: >-
            {"TableName":"TheDynamoStreamer","Item":{"message":{"S":"$input.path('$.message')"}}}
        responses:
          - status: 200
            templates:
              application/json: '{"message": "item added to db"}'
          - pattern: '^\[BadRequest\].*'
            status: 400
            templates:
              application/json: >-
                {"state":"error","message":"$util.escapeJavaScript($input.path('$.errorMessage'))"}
            headers:
              Content-Type: "'application/json'"
              Access-Control-Allow-Origin: "'*'"
              Access-Control-Allow-Credentials: "'true'"
)stack_yaml";
}

Stack DefaultStack() {
  // Parsed once; a failure is a bug in the text above (stack_test guards it).
  static const Stack parsed = [] {
    Result<Stack> r = ParseStackYaml(DefaultStackYaml(), "");
    if (!r.ok()) {
      std::fprintf(stderr, "built-in default stack does not load: %s\n", r.status().message().c_str());
      std::abort();
    }
    return std::move(r.value());
  }();
  return parsed;
}

}  // namespace streamer::stack
