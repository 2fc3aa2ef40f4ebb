// DynamoApi: PartiQL (ExecuteStatement, BatchExecuteStatement,
// ExecuteTransaction). Each statement is translated (dynamo/partiql) into the
// JSON API request that runs it and dispatched through Handle, so PartiQL
// shares every check, condition and the write path with the JSON API; the
// answers are then reshaped into PartiQL's.
#include <atomic>
#include <mutex>

#include "core/base64.h"
#include "dynamo/api.h"
#include "dynamo/model/attribute.h"
#include "dynamo/partiql/translate.h"
#include "dynamo/request.h"

namespace streamer::dynamo {

namespace {

constexpr std::string_view kDuplicateItem = "Duplicate primary key exists in table";

// "Value null at '<field>' failed to satisfy constraint: Member must not be null".
Status NullMember(std::string_view field) {
  return Status::Validation("1 validation error detected: Value null at '" + std::string(field) +
                            "' failed to satisfy constraint: Member must not be null");
}

// A list member's count constraint, as AWS words it.
Status ListLength(const json::array& list, std::string_view field, size_t min, size_t max) {
  if (list.size() < min) {
    return ConstraintError("[]", field, "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (list.size() > max) {
    return ConstraintError(json::serialize(list).substr(0, 256), field,
                           "Member must have length less than or equal to " + std::to_string(max));
  }
  return Status::Ok();
}

// An enum member: a string from `allowed` when present.
Status EnumMember(const json::object& r, std::string_view member, std::string_view field,
                  std::initializer_list<std::string_view> allowed) {
  auto v = OptionalString(r, member);
  if (!v) return v.status();
  if (!*v) return Status::Ok();
  for (std::string_view a : allowed) {
    if (**v == a) return Status::Ok();
  }
  std::string set;
  for (std::string_view a : allowed) set += (set.empty() ? "" : ", ") + std::string(a);
  return ConstraintError(**v, field, "Member must satisfy enum value set: [" + set + "]");
}

// One statement of a request: Statement and Parameters, checked as AWS
// checks them (`where` names the enclosing list in messages).
struct StatementRequest {
  std::string statement;
  json::array parameters;
};

Result<StatementRequest> ReadStatement(const json::object& r, const std::string& where) {
  StatementRequest out;
  auto text = OptionalString(r, "Statement");
  if (!text) return text.status();
  if (!*text) return NullMember(where + "statement");
  if (Status len = CheckLength(*text, where + "statement", 1, 8192); !len.ok()) return len;
  out.statement = std::move(**text);
  if (const json::value* p = r.if_contains("Parameters"); p && !p->is_null()) {
    if (!p->is_array()) return Status::Of(Code::kSerialization, "Unexpected value type for member Parameters");
    if (Status len = ListLength(p->as_array(), where + "parameters", 1, SIZE_MAX); !len.ok()) return len;
    for (const json::value& v : p->as_array()) {
      if (!v.is_object()) return Status::Of(Code::kSerialization, "Unexpected value type in Parameters");
      if (Status s = ValidateAttributeValue(v); !s.ok()) return s;
    }
    out.parameters = p->as_array();
  }
  return out;
}

// A reply body parsed back (our own handlers always answer JSON objects).
json::object BodyOf(const ApiReply& reply) {
  auto v = ParseJson(reply.body);
  return v && v->is_object() ? v->as_object() : json::object{};
}

// The AWS type of an error reply ("ConditionalCheckFailedException").
std::string ErrorType(const json::object& body) {
  const json::string* t = FindString(body, "__type");
  if (!t) return "";
  std::string_view s = *t;
  return std::string(s.substr(s.find('#') == std::string_view::npos ? 0 : s.find('#') + 1));
}

std::string ErrorMessage(const json::object& body) {
  const json::string* m = FindString(body, "message");
  if (!m) m = FindString(body, "Message");
  return m ? std::string(*m) : "";
}

// An INSERT whose key exists fails as DuplicateItemException, not as the
// condition PutItem ran with.
ApiReply MapInsertError(const ApiReply& reply) {
  if (reply.status == 200) return reply;
  if (ErrorType(BodyOf(reply)) != "ConditionalCheckFailedException") return reply;
  return ErrorReply(Status::Of(Code::kDuplicateItem, std::string(kDuplicateItem)));
}

// NextToken is LastEvaluatedKey, opaque to the client.
std::string EncodeNextToken(const json::value& last_evaluated_key) {
  return Base64Encode(json::serialize(last_evaluated_key));
}

Result<json::object> DecodeNextToken(std::string_view token) {
  auto bytes = Base64Decode(token);
  if (bytes) {
    auto v = ParseJson(*bytes);
    if (v && v->is_object()) return v->as_object();
  }
  return Status::Validation("Invalid NextToken");
}

// Batch error codes (BatchStatementError.Code) from an error reply's type.
std::string BatchErrorCode(const std::string& type) {
  if (type == "ConditionalCheckFailedException") return "ConditionalCheckFailed";
  if (type == "DuplicateItemException") return "DuplicateItem";
  if (type == "ResourceNotFoundException") return "ResourceNotFound";
  if (type == "ValidationException" || type == "SerializationException") return "ValidationError";
  if (type == "TransactionConflictException") return "TransactionConflict";
  if (type == "ProvisionedThroughputExceededException") return "ProvisionedThroughputExceeded";
  if (type == "ItemCollectionSizeLimitExceededException") return "ItemCollectionSizeLimitExceeded";
  if (type == "RequestLimitExceeded") return "RequestLimitExceeded";
  if (type == "AccessDeniedException") return "AccessDenied";
  return "InternalServerError";
}

json::object BatchError(const std::string& type, const std::string& message) {
  return json::object{{"Error", json::object{{"Code", BatchErrorCode(type)}, {"Message", message}}}};
}

// Adds one ConsumedCapacity into another of the same table: numbers summed,
// nested objects (Table, GlobalSecondaryIndexes) merged member by member.
void AddCapacity(json::object* into, const json::object& add) {
  for (const auto& [k, v] : add) {
    json::value* have = into->if_contains(k);
    if (!have) {
      (*into)[k] = v;
    } else if (have->is_number() && v.is_number()) {
      *have = have->to_number<double>() + v.to_number<double>();
    } else if (have->is_object() && v.is_object()) {
      AddCapacity(&have->as_object(), v.as_object());
    }
  }
}

// Per-table ConsumedCapacity of several operations: one entry per table, in
// the order the tables first appear.
void AddCapacityByTable(json::array* list, const json::value* cc) {
  if (!cc || !cc->is_object()) return;
  const json::string* table = FindString(cc->as_object(), "TableName");
  for (json::value& entry : *list) {
    const json::string* t = FindString(entry.as_object(), "TableName");
    if (t && table && *t == *table) return AddCapacity(&entry.as_object(), cc->as_object());
  }
  list->push_back(*cc);
}

bool IsWrite(const std::string& operation) {
  return operation == "PutItem" || operation == "UpdateItem" || operation == "DeleteItem";
}

// A SELECT over a few partition key values: its parts (GetItem / Query) run
// one after another, their items answered in order. NextToken names the part
// to resume and, inside a Query, its LastEvaluatedKey.
struct PartitionRun {
  DynamoApi* api = nullptr;
  std::vector<partiql::Translation> parts;
  size_t next = 0;
  std::optional<json::value> start_key;  // inside parts[next]
  std::optional<int64_t> left;           // Limit still to evaluate
  std::optional<bool> consistent;
  json::value capacity_request;
  json::array capacity;  // one entry (one table), summed over the parts
  json::array items;
  ReplyFn reply;
};

void Finish(const std::shared_ptr<PartitionRun>& run, std::optional<json::value> last_key) {
  json::object out{{"Items", std::move(run->items)}};
  if (!run->capacity.empty()) out["ConsumedCapacity"] = std::move(run->capacity[0]);
  if (last_key || run->next < run->parts.size()) {
    json::object token{{"p", run->next}};
    if (last_key) {
      token["k"] = *last_key;
      out["LastEvaluatedKey"] = std::move(*last_key);
    }
    out["NextToken"] = Base64Encode(json::serialize(token));
  }
  run->reply(ApiReply{200, json::serialize(out)});
}

void RunPartitions(const std::shared_ptr<PartitionRun>& run) {
  if (run->next >= run->parts.size() || (run->left && *run->left <= 0)) return Finish(run, std::nullopt);
  partiql::Translation& part = run->parts[run->next];
  json::object request = part.request;
  if (run->consistent) request["ConsistentRead"] = *run->consistent;
  if (!run->capacity_request.is_null()) request["ReturnConsumedCapacity"] = run->capacity_request;
  if (part.operation == "Query") {
    if (run->left) request["Limit"] = *run->left;
    if (run->start_key) request["ExclusiveStartKey"] = *run->start_key;
  }
  run->start_key.reset();
  const bool query = part.operation == "Query";
  run->api->Handle(part.operation, json::serialize(request), [run, query](ApiReply answer) {
    if (answer.status != 200) return run->reply(answer);
    json::object body = BodyOf(answer);
    AddCapacityByTable(&run->capacity, body.if_contains("ConsumedCapacity"));
    if (query) {
      if (json::value* got = body.if_contains("Items"); got && got->is_array()) {
        for (json::value& item : got->as_array()) run->items.push_back(std::move(item));
      }
      if (run->left) {
        const json::value* scanned = body.if_contains("ScannedCount");
        *run->left -= scanned && scanned->is_int64() ? scanned->as_int64() : 0;
      }
      if (json::value* last = body.if_contains("LastEvaluatedKey")) return Finish(run, std::move(*last));
    } else {
      if (json::value* item = body.if_contains("Item")) run->items.push_back(std::move(*item));
      if (run->left) *run->left -= 1;
    }
    ++run->next;
    RunPartitions(run);
  });
}

}  // namespace

partiql::SchemaLookup DynamoApi::PartiqlSchemas() const {
  return [catalog = catalog_](std::string_view table) -> std::optional<KeySchema> {
    TablePtr t = catalog->Find(table);
    if (!t) return std::nullopt;
    return t->key_schema;
  };
}

partiql::IndexLookup DynamoApi::PartiqlIndexes() const {
  // Index reads become Queries when the index has single-attribute keys; a
  // multi-attribute GSI key (or an unknown index) is read with a Scan of it.
  return [catalog = catalog_](std::string_view table, std::string_view index) -> std::optional<KeySchema> {
    TablePtr t = catalog->Find(table);
    const IndexInfo* i = t ? t->FindIndex(index) : nullptr;
    if (!i || i->partition.size() != 1 || i->sort.size() > 1) return std::nullopt;
    KeySchema ks{i->partition[0], std::nullopt};
    if (!i->sort.empty()) ks.sort = i->sort[0];
    return ks;
  };
}

void DynamoApi::ExecuteStatement(const Request& r, ReplyFn reply) {
  auto stmt = ReadStatement(r, "");
  if (!stmt) return reply(ErrorReply(stmt.status()));
  auto consistent = OptionalBool(r, "ConsistentRead");
  if (!consistent) return reply(ErrorReply(consistent.status()));
  auto limit = OptionalInt(r, "Limit", 1, INT32_MAX);
  if (!limit) return reply(ErrorReply(limit.status()));
  auto token = OptionalString(r, "NextToken");
  if (!token) return reply(ErrorReply(token.status()));
  if (Status len = CheckLength(*token, "nextToken", 1, 32768); !len.ok()) return reply(ErrorReply(len));
  if (Status s = EnumMember(r, "ReturnConsumedCapacity", "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"}); !s.ok()) {
    return reply(ErrorReply(s));
  }
  if (Status s = EnumMember(r, "ReturnValuesOnConditionCheckFailure", "returnValuesOnConditionCheckFailure",
                            {"ALL_OLD", "NONE"});
      !s.ok()) {
    return reply(ErrorReply(s));
  }
  auto translated = partiql::TranslateText(stmt->statement, stmt->parameters, PartiqlSchemas(), PartiqlIndexes());
  if (!translated) return reply(ErrorReply(translated.status()));
  partiql::Translation& t = *translated;
  if (t.operation == "ConditionCheck") {
    return reply(ErrorReply(Status::Validation("Unsupported operation: EXISTS is only supported in ExecuteTransaction")));
  }
  if (t.operation == "Partitions") {
    auto run = std::make_shared<PartitionRun>();
    run->api = this;
    run->parts = std::move(t.parts);
    run->left = *limit;
    run->consistent = *consistent;
    if (const json::value* rcc = r.if_contains("ReturnConsumedCapacity")) run->capacity_request = *rcc;
    run->reply = std::move(reply);
    if (*token) {
      // {"p": part, "k": LastEvaluatedKey inside it}
      auto start = DecodeNextToken(**token);
      const json::value* p = start ? start->if_contains("p") : nullptr;
      if (!p || !p->is_int64() || p->as_int64() < 0 || static_cast<size_t>(p->as_int64()) > run->parts.size()) {
        return run->reply(ErrorReply(Status::Validation("Invalid NextToken")));
      }
      run->next = static_cast<size_t>(p->as_int64());
      if (const json::value* k = start->if_contains("k")) run->start_key = *k;
    }
    return RunPartitions(run);
  }
  json::object& inner = t.request;
  if (const json::value* rcc = r.if_contains("ReturnConsumedCapacity")) inner["ReturnConsumedCapacity"] = *rcc;
  const bool paged = t.operation == "Query" || t.operation == "Scan";
  if (!IsWrite(t.operation)) {
    if (*consistent) inner["ConsistentRead"] = **consistent;
    if (paged && *limit) inner["Limit"] = **limit;
    if (paged && *token) {
      auto start = DecodeNextToken(**token);
      if (!start) return reply(ErrorReply(start.status()));
      inner["ExclusiveStartKey"] = std::move(*start);
    }
  } else if (const json::value* rv = r.if_contains("ReturnValuesOnConditionCheckFailure")) {
    inner["ReturnValuesOnConditionCheckFailure"] = *rv;
  }
  const std::string operation = t.operation;
  const bool is_insert = t.is_insert;
  Handle(operation, json::serialize(inner), [operation, is_insert, reply = std::move(reply)](ApiReply answer) {
    if (answer.status != 200) return reply(is_insert ? MapInsertError(answer) : answer);
    json::object body = BodyOf(answer);
    json::object out;
    json::array items;
    if (operation == "GetItem") {
      if (json::value* item = body.if_contains("Item")) items.push_back(std::move(*item));
    } else if (operation == "Query" || operation == "Scan") {
      if (json::value* got = body.if_contains("Items"); got && got->is_array()) items = std::move(got->as_array());
    } else if (json::value* attrs = body.if_contains("Attributes")) {
      items.push_back(std::move(*attrs));
    }
    out["Items"] = std::move(items);
    if (json::value* last = body.if_contains("LastEvaluatedKey")) {
      out["NextToken"] = EncodeNextToken(*last);
      out["LastEvaluatedKey"] = std::move(*last);
    }
    if (json::value* cc = body.if_contains("ConsumedCapacity")) out["ConsumedCapacity"] = std::move(*cc);
    reply(ApiReply{200, json::serialize(out)});
  });
}

void DynamoApi::BatchExecuteStatement(const Request& r, ReplyFn reply) {
  const json::value* list = r.if_contains("Statements");
  if (!list || list->is_null()) return reply(ErrorReply(NullMember("statements")));
  if (!list->is_array()) {
    return reply(ErrorReply(Status::Of(Code::kSerialization, "Unexpected value type for member Statements")));
  }
  if (Status len = ListLength(list->as_array(), "statements", 1, 25); !len.ok()) return reply(ErrorReply(len));
  if (Status s = EnumMember(r, "ReturnConsumedCapacity", "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"}); !s.ok()) {
    return reply(ErrorReply(s));
  }
  // Every statement is checked and translated before any runs; one that
  // cannot run answers its own Error, in its place.
  struct Entry {
    std::optional<partiql::Translation> t;
    json::object error;  // {"Error": {...}} when t is empty
  };
  std::vector<Entry> entries;
  bool reads = false, writes = false;
  const json::array& statements = list->as_array();
  for (size_t i = 0; i < statements.size(); ++i) {
    if (!statements[i].is_object()) {
      return reply(ErrorReply(Status::Of(Code::kSerialization, "Unexpected value type in Statements")));
    }
    const json::object& one = statements[i].as_object();
    const std::string where = "statements." + std::to_string(i + 1) + ".member.";
    auto stmt = ReadStatement(one, where);
    if (!stmt) return reply(ErrorReply(stmt.status()));
    auto consistent = OptionalBool(one, "ConsistentRead");
    if (!consistent) return reply(ErrorReply(consistent.status()));
    if (Status s = EnumMember(one, "ReturnValuesOnConditionCheckFailure",
                              where + "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
        !s.ok()) {
      return reply(ErrorReply(s));
    }
    Entry e;
    auto parsed = partiql::Parse(stmt->statement);
    if (parsed) {
      (parsed->IsRead() ? reads : writes) = true;
    }
    auto translated = parsed ? partiql::Translate(*parsed, stmt->parameters, PartiqlSchemas(), PartiqlIndexes())
                             : Result<partiql::Translation>(parsed.status());
    if (!translated) {
      e.error = BatchError(std::string(translated.status().type()), translated.status().message());
    } else if (translated->operation == "ConditionCheck") {
      e.error = BatchError("ValidationException", "Unsupported operation: EXISTS is only supported in ExecuteTransaction");
    } else if (parsed->IsRead() && translated->operation != "GetItem") {
      // A batch reads items by their full key, as BatchGetItem does.
      e.error = BatchError("ValidationException", std::string(partiql::kNeedsFullKey));
    } else {
      if (*consistent && **consistent && translated->operation == "GetItem") {
        translated->request["ConsistentRead"] = true;
      }
      if (const json::value* rv = one.if_contains("ReturnValuesOnConditionCheckFailure");
          rv && IsWrite(translated->operation)) {
        translated->request["ReturnValuesOnConditionCheckFailure"] = *rv;
      }
      e.t = std::move(*translated);
    }
    entries.push_back(std::move(e));
  }
  if (reads && writes) {
    return reply(ErrorReply(
        Status::Validation("Unsupported operation: A batch must contain either only read statements or only write statements")));
  }

  // Run every statement at once; answer when the last one finishes.
  struct Gather {
    std::mutex mu;
    json::array responses;
    json::array capacity;  // per table
    std::atomic<size_t> left;
    ReplyFn reply;
  };
  auto g = std::make_shared<Gather>();
  g->responses.resize(entries.size());
  g->left = entries.size() + 1;  // +1 until every statement is dispatched
  g->reply = std::move(reply);
  auto done = [g] {
    if (g->left.fetch_sub(1) == 1) {
      json::object out{{"Responses", std::move(g->responses)}};
      if (!g->capacity.empty()) out["ConsumedCapacity"] = std::move(g->capacity);
      g->reply(ApiReply{200, json::serialize(out)});
    }
  };
  for (size_t i = 0; i < entries.size(); ++i) {
    Entry& e = entries[i];
    if (!e.t) {
      {
        std::lock_guard<std::mutex> lock(g->mu);  // answers of statements already sent may be arriving
        g->responses[i] = std::move(e.error);
      }
      done();
      continue;
    }
    const std::string operation = e.t->operation;
    const bool is_insert = e.t->is_insert;
    const std::string table = std::string(e.t->request.at("TableName").as_string());
    if (const json::value* rcc = r.if_contains("ReturnConsumedCapacity")) e.t->request["ReturnConsumedCapacity"] = *rcc;
    Handle(operation, json::serialize(e.t->request), [g, i, operation, is_insert, table, done](ApiReply answer) {
      json::object body = BodyOf(is_insert ? MapInsertError(answer) : answer);
      json::object one;
      if (answer.status != 200) {
        one = BatchError(ErrorType(body), ErrorMessage(body));
        if (json::value* item = body.if_contains("Item")) one["Error"].as_object()["Item"] = std::move(*item);
      } else {
        one["TableName"] = table;
        // A read's item, or a write's RETURNING attributes.
        if (json::value* item = body.if_contains("Item")) one["Item"] = std::move(*item);
        if (json::value* attrs = body.if_contains("Attributes")) one["Item"] = std::move(*attrs);
      }
      {
        std::lock_guard<std::mutex> lock(g->mu);
        g->responses[i] = std::move(one);
        AddCapacityByTable(&g->capacity, body.if_contains("ConsumedCapacity"));
      }
      done();
    });
  }
  done();
}

void DynamoApi::ExecuteTransaction(const Request& r, ReplyFn reply) {
  const json::value* list = r.if_contains("TransactStatements");
  if (!list || list->is_null()) return reply(ErrorReply(NullMember("transactStatements")));
  if (!list->is_array()) {
    return reply(ErrorReply(Status::Of(Code::kSerialization, "Unexpected value type for member TransactStatements")));
  }
  if (Status len = ListLength(list->as_array(), "transactStatements", 1, 100); !len.ok()) return reply(ErrorReply(len));
  auto token = OptionalString(r, "ClientRequestToken");
  if (!token) return reply(ErrorReply(token.status()));
  if (Status len = CheckLength(*token, "clientRequestToken", 1, 36); !len.ok()) return reply(ErrorReply(len));
  if (Status s = EnumMember(r, "ReturnConsumedCapacity", "returnConsumedCapacity", {"INDEXES", "TOTAL", "NONE"}); !s.ok()) {
    return reply(ErrorReply(s));
  }
  // Every statement must translate; a transaction runs all or nothing.
  json::array items;
  std::vector<bool> inserts;
  bool reads = false, writes = false;
  const json::array& statements = list->as_array();
  for (size_t i = 0; i < statements.size(); ++i) {
    if (!statements[i].is_object()) {
      return reply(ErrorReply(Status::Of(Code::kSerialization, "Unexpected value type in TransactStatements")));
    }
    const json::object& one = statements[i].as_object();
    const std::string where = "transactStatements." + std::to_string(i + 1) + ".member.";
    auto stmt = ReadStatement(one, where);
    if (!stmt) return reply(ErrorReply(stmt.status()));
    if (Status s = EnumMember(one, "ReturnValuesOnConditionCheckFailure",
                              where + "returnValuesOnConditionCheckFailure", {"ALL_OLD", "NONE"});
        !s.ok()) {
      return reply(ErrorReply(s));
    }
    auto parsed = partiql::Parse(stmt->statement);
    if (!parsed) return reply(ErrorReply(parsed.status()));
    if (parsed->returning != partiql::Returning::kNone) {
      return reply(ErrorReply(Status::Validation("Unsupported operation: RETURNING is not supported in ExecuteTransaction")));
    }
    auto t = partiql::Translate(*parsed, stmt->parameters, PartiqlSchemas(), PartiqlIndexes());
    if (!t) return reply(ErrorReply(t.status()));
    (parsed->IsRead() ? reads : writes) = true;
    if (parsed->IsRead() && t->operation != "GetItem") {
      return reply(ErrorReply(Status::Validation(std::string(partiql::kNeedsFullKey))));
    }
    static const std::map<std::string, std::string> kActions = {{"GetItem", "Get"},       {"PutItem", "Put"},
                                                                {"UpdateItem", "Update"}, {"DeleteItem", "Delete"},
                                                                {"ConditionCheck", "ConditionCheck"}};
    if (const json::value* rv = one.if_contains("ReturnValuesOnConditionCheckFailure"); rv && !parsed->IsRead()) {
      t->request["ReturnValuesOnConditionCheckFailure"] = *rv;
    }
    items.push_back(json::object{{kActions.at(t->operation), std::move(t->request)}});
    inserts.push_back(t->is_insert);
  }
  if (reads && writes) {
    return reply(ErrorReply(Status::Validation(
        "Unsupported operation: A transaction must contain either only read statements or only write statements")));
  }
  json::object inner{{"TransactItems", std::move(items)}};
  if (const json::value* rcc = r.if_contains("ReturnConsumedCapacity")) inner["ReturnConsumedCapacity"] = *rcc;
  if (*token && writes) inner["ClientRequestToken"] = **token;
  Handle(reads ? "TransactGetItems" : "TransactWriteItems", json::serialize(inner),
         [reads, inserts, reply = std::move(reply)](ApiReply answer) {
           json::object body = BodyOf(answer);
           if (answer.status != 200) {
             // An INSERT's failed condition is a DuplicateItem reason.
             json::value* reasons = body.if_contains("CancellationReasons");
             if (!reasons || !reasons->is_array()) return reply(answer);
             std::string codes;
             json::array& list = reasons->as_array();
             for (size_t i = 0; i < list.size(); ++i) {
               json::object* reason = list[i].if_object();
               const json::string* code = reason ? FindString(*reason, "Code") : nullptr;
               if (code && *code == "ConditionalCheckFailed" && i < inserts.size() && inserts[i]) {
                 (*reason)["Code"] = "DuplicateItem";
                 (*reason)["Message"] = kDuplicateItem;
                 reason->erase("Item");
               }
               code = reason ? FindString(*reason, "Code") : nullptr;
               codes += (i ? ", " : "") + (code ? std::string(*code) : std::string("None"));
             }
             body["message"] = "Transaction cancelled, please refer cancellation reasons for specific reasons [" + codes + "]";
             body.erase("Message");
             return reply(ApiReply{answer.status, json::serialize(body)});
           }
           json::object out;
           if (reads) {
             json::array responses;
             if (json::value* got = body.if_contains("Responses"); got && got->is_array()) {
               responses = std::move(got->as_array());
             }
             out["Responses"] = std::move(responses);
           }
           if (json::value* cc = body.if_contains("ConsumedCapacity")) out["ConsumedCapacity"] = std::move(*cc);
           reply(ApiReply{200, json::serialize(out)});
         });
}

}  // namespace streamer::dynamo
