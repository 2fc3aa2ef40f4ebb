#include "server/server.h"

#include <zlib.h>

#include <boost/asio/post.hpp>

#include <algorithm>
#include <filesystem>
#include <future>
#include <optional>
#include <set>
#include <cstdio>
#include <thread>

#include "core/ids.h"
#include "core/json.h"
#include "dynamo/api.h"
#include "dynamo/table_catalog.h"
#include "dynamo/ttl_sweeper.h"
#include "functions/mappings/event_source_mapping.h"
#include "functions/handlers/handler.h"
#include "functions/lambda_api.h"
#include "functions/registry.h"
#include "functions/runtime/spare_workers.h"
#include "gateway/gateway.h"
#include "http/io_pool.h"
#include "http/server.h"
#include "storage/shard_writer.h"
#include "storage/checkpoint_store.h"
#include "streams/stream_reader.h"
#include "streams/stream_source.h"
#include "streams/stream_trimmer.h"
#include "streams/streams_api.h"

namespace streamer::server {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {
constexpr std::string_view kDynamoPrefix = "DynamoDB_20120810.";
constexpr std::string_view kStreamsPrefix = "DynamoDBStreams_20120810.";

// The AWS JSON 1.0 response, with the CRC32 header botocore checks.
http::Response AwsJsonResponse(dynamo::ApiReply reply, unsigned version, bool keep_alive) {
  http::Response res{static_cast<bhttp::status>(reply.status), version};
  res.set(bhttp::field::content_type, "application/x-amz-json-1.0");
  res.set("x-amzn-RequestId", NewUuid());
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(reply.body.data()),
                    static_cast<uInt>(reply.body.size()));
  res.set("x-amz-crc32", std::to_string(crc));
  res.body() = std::move(reply.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

// A gzip-compressed request body (Content-Encoding: gzip, as AWS accepts
// them), inflated up to `max` bytes; nothing for a body that is not gzip or
// inflates past the limit.
std::optional<std::string> Gunzip(std::string_view in, size_t max) {
  z_stream z{};
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(chunk, sizeof chunk - z.avail_out);
    if (out.size() > max || (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0)) break;  // too big, or truncated
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END || out.size() > max) return std::nullopt;
  return out;
}

// The largest request body, after inflating: DynamoDB's own limit.
constexpr size_t kMaxInflatedBody = 16 * 1024 * 1024;

// A CreateTable request for a stack table (on-demand billing).
json::object CreateRequestFor(const stack::TableSpec& t) {
  json::array defs, keys;
  defs.push_back(json::object{{"AttributeName", t.partition_key.name}, {"AttributeType", t.partition_key.type}});
  keys.push_back(json::object{{"AttributeName", t.partition_key.name}, {"KeyType", "HASH"}});
  if (t.sort_key) {
    defs.push_back(json::object{{"AttributeName", t.sort_key->name}, {"AttributeType", t.sort_key->type}});
    keys.push_back(json::object{{"AttributeName", t.sort_key->name}, {"KeyType", "RANGE"}});
  }
  // Index key attributes join the definitions once each (the loader checked
  // that one attribute has one type).
  auto define = [&defs](const stack::KeyAttribute& a) {
    for (const json::value& d : defs) {
      if (d.as_object().at("AttributeName").as_string() == a.name) return;
    }
    defs.push_back(json::object{{"AttributeName", a.name}, {"AttributeType", a.type}});
  };
  auto index_json = [&define](const stack::IndexSpec& ix) {
    json::array schema;
    define(ix.partition_key);
    schema.push_back(json::object{{"AttributeName", ix.partition_key.name}, {"KeyType", "HASH"}});
    if (ix.sort_key) {
      define(*ix.sort_key);
      schema.push_back(json::object{{"AttributeName", ix.sort_key->name}, {"KeyType", "RANGE"}});
    }
    json::object projection{{"ProjectionType", ix.projection_type}};
    if (ix.projection_type == "INCLUDE") {
      json::array attrs;
      for (const std::string& a : ix.non_key_attributes) attrs.push_back(json::string(a));
      projection["NonKeyAttributes"] = std::move(attrs);
    }
    return json::object{{"IndexName", ix.name}, {"KeySchema", std::move(schema)}, {"Projection", std::move(projection)}};
  };
  json::array global, local;
  for (const stack::IndexSpec& ix : t.global_indexes) global.push_back(index_json(ix));
  for (const stack::IndexSpec& ix : t.local_indexes) local.push_back(index_json(ix));
  json::object r{{"TableName", t.name}, {"AttributeDefinitions", defs}, {"KeySchema", keys},
                 {"BillingMode", "PAY_PER_REQUEST"}};
  if (!global.empty()) r["GlobalSecondaryIndexes"] = std::move(global);
  if (!local.empty()) r["LocalSecondaryIndexes"] = std::move(local);
  if (!t.stream_view_type.empty()) {
    r["StreamSpecification"] = json::object{{"StreamEnabled", true}, {"StreamViewType", t.stream_view_type}};
  }
  return r;
}

// "ByOwner (global, owner S / created N, ALL)": what an index is, to compare
// the stack's with an existing table's and to say how they differ.
std::string DescribeIndex(bool global, const std::string& name, const std::vector<dynamo::KeyAttribute>& pk,
                          const std::vector<dynamo::KeyAttribute>& sk, std::string_view projection,
                          const std::vector<std::string>& non_key) {
  std::string out = name + " (" + (global ? "global, " : "local, ");
  auto keys = [&out](const std::vector<dynamo::KeyAttribute>& attrs) {
    for (size_t i = 0; i < attrs.size(); ++i) out += (i ? "+" : "") + attrs[i].name + " " + attrs[i].type;
  };
  keys(pk);
  if (!sk.empty()) {
    out += " / ";
    keys(sk);
  }
  out += ", " + std::string(projection);
  if (!non_key.empty()) {
    out += " [";
    for (size_t i = 0; i < non_key.size(); ++i) out += (i ? ", " : "") + non_key[i];
    out += "]";
  }
  return out + ")";
}

// A table kept from an earlier run: TTL follows the stack (as a deploy would
// set it); indexes are never dropped or built behind the user's back, so a
// difference is said on stdout and the table's indexes stay.
Status ReconcileIndexesAndTtl(dynamo::TableCatalog* catalog, const stack::TableSpec& t, bool fresh) {
  dynamo::TablePtr existing = catalog->Find(t.name);
  if (!existing) return Status::Ok();
  std::set<std::string> declared, actual;
  auto add = [&declared](const stack::IndexSpec& ix, bool global) {
    std::vector<dynamo::KeyAttribute> pk{{ix.partition_key.name, ix.partition_key.type}}, sk;
    if (ix.sort_key) sk.push_back({ix.sort_key->name, ix.sort_key->type});
    declared.insert(DescribeIndex(global, ix.name, pk, sk, ix.projection_type, ix.non_key_attributes));
  };
  for (const auto& ix : t.global_indexes) add(ix, true);
  for (const auto& ix : t.local_indexes) add(ix, false);
  for (const dynamo::IndexInfo& ix : existing->indexes) {
    if (ix.status == dynamo::IndexStatus::kDeleting) continue;
    actual.insert(DescribeIndex(ix.is_global(), ix.name, ix.partition, ix.sort, dynamo::ProjectionTypeName(ix.projection),
                                ix.non_key_attributes));
  }
  if (!fresh && declared != actual) {
    auto only_in = [](const std::set<std::string>& a, const std::set<std::string>& b) {
      std::string out;
      for (const std::string& x : a) {
        if (!b.count(x)) out += (out.empty() ? "" : ", ") + x;
      }
      return out.empty() ? std::string("none") : out;
    };
    std::printf("table %s: its indexes differ from the stack's and are kept (only in the table: %s; only in the "
                "stack: %s); UpdateTable them, or delete the table to have it re-created\n",
                t.name.c_str(), only_in(actual, declared).c_str(), only_in(declared, actual).c_str());
  }
  if (existing->ttl_attribute != t.ttl_attribute) {
    auto set = catalog->Update(t.name, [&t](dynamo::TableInfo& info) {
      info.ttl_attribute = t.ttl_attribute;
      return Status::Ok();
    });
    if (!set) return set.status();
    // A fresh table gets its TTL here too; only a change is news.
    if (!fresh) {
      std::printf("table %s: TTL set to %s, as the stack declares\n", t.name.c_str(),
                  t.ttl_attribute.empty() ? "none" : t.ttl_attribute.c_str());
    }
  }
  return Status::Ok();
}
}  // namespace

int DefaultShards() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency() / 2)); }

struct Server::Impl {
  ServerConfig config;
  std::unique_ptr<storage::Store> store;
  streams::CommitNotifier notifier;
  std::unique_ptr<storage::ShardWriters> writers;
  std::unique_ptr<streams::StreamSource> stream_source;
  std::unique_ptr<storage::CheckpointStore> checkpoints;
  std::unique_ptr<dynamo::ItemBackend> item_backend;
  std::unique_ptr<dynamo::TableCatalog> catalog;
  std::unique_ptr<WorkerPool> read_pool;  // Query/Scan, off the I/O threads
  std::unique_ptr<WorkerPool> ddl_pool;   // table DDL, one at a time
  std::unique_ptr<WorkerPool> proxy_pool;  // API Gateway Lambda proxy invocations (they block)
  std::unique_ptr<dynamo::DynamoApi> dynamo;
  std::unique_ptr<dynamo::TtlSweeper> ttl_sweeper;
  std::unique_ptr<streams::StreamsApi> streams_api;
  std::unique_ptr<streams::StreamTrimmer> stream_trimmer;
  std::unique_ptr<gateway::Gateway> gateway;
  // Functions and event source mappings, from the stack and the Lambda API.
  std::unique_ptr<functions::FunctionRegistry> registry;
  std::unique_ptr<functions::LambdaApi> lambda_api;
  http::IoPool pool;
  std::unique_ptr<http::Server> aws_server;
  std::unique_ptr<http::Server> gateway_server;
  bool stopped = false;

  void HandleAws(http::Request&& req, http::Respond respond);
};

void Server::Impl::HandleAws(http::Request&& req, http::Respond respond) {
  const unsigned version = req.version();
  const bool keep_alive = req.keep_alive();
  // The Lambda REST API: routed by path, not X-Amz-Target.
  if (functions::LambdaApi::Owns(req.target())) {
    lambda_api->Handle(std::move(req), std::move(respond));
    return;
  }
  if (req.method() == bhttp::verb::get) {
    const std::string_view target = req.target();
    const bool health = target.substr(0, target.find('?')) == "/health";  // a query is fine
    // A store that cannot write (full disk, I/O errors) makes the server
    // degraded: reads work, writes fail until the store resumes.
    const storage::StoreHealth store_health = health ? store->Health() : storage::StoreHealth{};
    const bhttp::status status = !health                 ? bhttp::status::not_found
                                 : store_health.writable ? bhttp::status::ok
                                                         : bhttp::status::service_unavailable;
    http::Response res{status, version};
    res.set(bhttp::field::content_type, "application/json");
    if (!health) {
      res.body() = R"({"message":"Not Found"})";
    } else if (store_health.writable) {
      res.body() = R"({"status":"ok"})";
    } else {
      res.body() = json::serialize(json::object{{"status", "degraded"}, {"storage", store_health.reason}});
    }
    res.keep_alive(keep_alive);
    res.prepare_payload();
    respond(std::move(res));
    return;
  }
  const std::string_view target = req["X-Amz-Target"];
  auto reply = [respond, version, keep_alive](dynamo::ApiReply r) {
    respond(AwsJsonResponse(std::move(r), version, keep_alive));
  };
  if (beast::iequals(req[bhttp::field::content_encoding], "gzip")) {
    auto inflated = Gunzip(req.body(), kMaxInflatedBody);
    if (!inflated) {
      reply(dynamo::ErrorReply(Status::Of(Code::kSerialization, "")));
      return;
    }
    req.body() = std::move(*inflated);
  }
  if (target.substr(0, kDynamoPrefix.size()) == kDynamoPrefix) {
    dynamo->Handle(target.substr(kDynamoPrefix.size()), req.body(), std::move(reply));
  } else if (target.substr(0, kStreamsPrefix.size()) == kStreamsPrefix) {
    streams_api->Handle(target.substr(kStreamsPrefix.size()), req.body(), reply);
  } else {
    // As AWS: a body that is not JSON is refused before the target is looked at.
    const bool json_body = req.body().empty() || ParseJson(req.body()).ok();
    reply(dynamo::ErrorReply(Status::Of(json_body ? Code::kUnknownOperation : Code::kSerialization, "")));
  }
}

Server::Server() : impl_(std::make_unique<Impl>()) {}

Server::~Server() { Stop(); }

uint16_t Server::port() const { return impl_->aws_server->port(); }
uint16_t Server::gateway_port() const { return impl_->gateway_server->port(); }

Result<std::unique_ptr<Server>> Server::Start(const stack::Stack& stack, const ServerConfig& config) {
  std::unique_ptr<Server> server(new Server());
  Impl& s = *server->impl_;
  s.config = config;
  // What the stack's loaders could not honour, once, before anything runs.
  for (const std::string& w : stack.warnings) std::printf("warning: %s\n", w.c_str());
  if (!stack.warnings.empty()) std::fflush(stdout);

  auto store = storage::Store::Open({config.data_dir, config.durability});
  if (!store) {
    const std::string& why = store.status().message();
    if (why.find("LOCK") != std::string::npos) {
      return store.status().WithMessage("data directory " + config.data_dir +
                                        " is in use by another streamer process (" + why + ")");
    }
    return store.status();
  }
  s.store = std::move(*store);
  storage::ShardWritersOptions writer_options;
  writer_options.writers = config.shards;
  writer_options.on_commit = [&s](int) { s.notifier.Notify(); };
  // Answers (response serialization, response mapping templates) run on the
  // I/O threads, never on a writer or the syncer.
  writer_options.completions = [&s](std::function<void()> work) { boost::asio::post(s.pool.context(), std::move(work)); };
  s.writers = std::make_unique<storage::ShardWriters>(s.store.get(), std::move(writer_options));
  Status st = s.writers->Start();
  if (!st.ok()) return st;
  s.stream_source = streams::NewEmbeddedStreamSource(s.store.get(), s.writers.get());
  s.checkpoints = storage::NewEmbeddedCheckpointStore(s.store.get());
  // New tables' streams get one shard per writer of this run (the layout is
  // saved with the table; later runs may use another writer count).
  s.catalog = std::make_unique<dynamo::TableCatalog>(
      s.store.get(), dynamo::AwsIdentity{config.region, "000000000000"}, config.shards);
  st = s.catalog->Load();
  if (!st.ok()) return st;
  s.read_pool = std::make_unique<WorkerPool>("reads", 2);
  s.ddl_pool = std::make_unique<WorkerPool>("ddl", 1);
  s.proxy_pool = std::make_unique<WorkerPool>("proxy", 16);
  s.item_backend = dynamo::NewEmbeddedItemBackend(s.store.get(), s.writers.get());
  s.dynamo = std::make_unique<dynamo::DynamoApi>(s.catalog.get(), s.item_backend.get(),
                                                 dynamo::BlockingPools{s.read_pool.get(), s.ddl_pool.get()});
  s.streams_api = std::make_unique<streams::StreamsApi>(
      s.catalog.get(), s.stream_source.get(),
      streams::StreamsApiOptions{std::chrono::seconds(config.stream_iterator_ttl_seconds)});
  s.stream_trimmer = std::make_unique<streams::StreamTrimmer>(
      s.catalog.get(), s.stream_source.get(),
      std::chrono::milliseconds(static_cast<int64_t>(config.stream_retention_hours * 3600.0 * 1000.0)),
      std::chrono::milliseconds(config.stream_trim_interval_ms));
  s.ttl_sweeper = std::make_unique<dynamo::TtlSweeper>(s.catalog.get(), s.item_backend.get(),
                                                       std::chrono::milliseconds(config.ttl_sweep_interval_ms));

  // The stack's tables: created once; a table kept from an earlier run must
  // still match the stack's key schema.
  for (const auto& t : stack.tables) {
    const bool fresh = !s.catalog->Find(t.name);
    st = s.dynamo->EnsureTable(CreateRequestFor(t));
    if (!st.ok()) return Status::Validation("table " + t.name + ": " + st.message());
    dynamo::TablePtr existing = s.catalog->Find(t.name);
    const bool same_keys =
        existing->key_schema.partition.name == t.partition_key.name &&
        existing->key_schema.partition.type == t.partition_key.type &&
        existing->key_schema.sort.has_value() == t.sort_key.has_value() &&
        (!t.sort_key || (existing->key_schema.sort->name == t.sort_key->name &&
                         existing->key_schema.sort->type == t.sort_key->type));
    if (!same_keys) {
      return Status::Validation("table " + t.name + " in " + config.data_dir +
                                " has another key schema than the stack declares; "
                                "delete the table or use another --data directory");
    }
    // A stream changed since (UpdateTable): the stack's declaration wins, as a
    // deploy would make it, through the same steps (disable, then enable: a
    // new stream with its own ARN).
    const streams::StreamViewType declared = streams::ParseStreamView(t.stream_view_type);
    if (existing->stream_view != declared) {
      if (existing->has_stream()) {
        auto off = s.catalog->Update(t.name, [](dynamo::TableInfo& info) {
          info.stream_view = streams::StreamViewType::kNone;
          return Status::Ok();
        });
        if (!off) return off.status();
      }
      if (declared != streams::StreamViewType::kNone) {
        auto on = s.catalog->Update(t.name, [declared](dynamo::TableInfo& info) {
          info.stream_view = declared;
          return Status::Ok();
        });
        if (!on) return on.status();
      }
      std::printf("table %s: stream set to %s, as the stack declares\n", t.name.c_str(),
                  t.stream_view_type.empty() ? "none" : t.stream_view_type.c_str());
    }
    st = ReconcileIndexesAndTtl(s.catalog.get(), t, fresh);
    if (!st.ok()) return st;
  }

  gateway::GatewayOptions gw_options;
  gw_options.region = config.region;
  gw_options.account = "000000000000";
  gw_options.api_keys = stack.api_keys;
  gw_options.usage_plans = stack.usage_plans;
  gw_options.access_log = config.gateway_access_log;
  auto gw = gateway::Gateway::Build(
      stack.apis,
      [&s](const std::string& service, const std::string& action, std::string body,
           gateway::ServiceReply reply) {
        if (service == "lambda") {
          // `action` is the function; Invoke blocks, so off the I/O threads.
          // 200 = ran (its result, or with function_error its error
          // document); 429 = throttled; 500 = it could not run.
          s.proxy_pool->Post([&s, name = action, body = std::move(body), reply = std::move(reply)]() mutable {
            std::shared_ptr<functions::FunctionSlot> slot = s.registry ? s.registry->Slot(name) : nullptr;
            if (!slot) {
              reply({500, "function " + name + " does not exist", false});
              return;
            }
            functions::InvokeRequest request;
            request.payload = std::move(body);
            functions::InvokeResult result = slot->Invoke(request);
            if (result.ok) {
              reply({200, std::move(result.payload), false});
            } else if (result.throttled) {
              reply({429, result.error_message, false});
            } else if (result.function_error) {
              std::string doc = result.payload;
              if (!ParseJson(doc)) {
                doc = json::serialize(json::object{{"errorMessage", result.error_message},
                                                   {"errorType", result.error_type}});
              }
              reply({200, std::move(doc), true});
            } else {
              reply({500, result.error_type + ": " + result.error_message, false});
            }
          });
          return;
        }
        if (service != "dynamodb") {
          reply({500, R"({"message":"unsupported service"})", false});
          return;
        }
        s.dynamo->Handle(action, body, [reply](dynamo::ApiReply r) { reply({r.status, std::move(r.body), false}); });
      },
      std::move(gw_options));
  if (!gw) return gw.status();
  s.gateway = std::move(*gw);

  functions::RegistryContext registry_context;
  registry_context.store = s.store.get();
  registry_context.catalog = s.catalog.get();
  // What a mapping needs, with its ways to an on-failure destination: a
  // function invoked (as an Event invocation: delivered once it ran), a
  // table written through the DynamoDB API in process.
  functions::MappingContext& mapping_context = registry_context.mapping;
  mapping_context.source = s.stream_source.get();
  mapping_context.checkpoints = s.checkpoints.get();
  mapping_context.catalog = s.catalog.get();
  mapping_context.notifier = &s.notifier;
  mapping_context.data_dir = config.data_dir;
  mapping_context.base_dir = stack.base_dir;
  mapping_context.invoke_function = [&s](const std::string& name, const std::string& payload) -> Status {
    std::shared_ptr<functions::FunctionSlot> slot = s.registry ? s.registry->Slot(name) : nullptr;
    if (!slot) return Status::NotFound("function " + name + " does not exist");
    functions::InvokeRequest request;
    request.payload = payload;
    functions::InvokeResult result = slot->Invoke(request);
    if (!result.ok && !result.function_error) {
      return Status::Internal("function " + name + " could not run: " + result.error_type + ": " +
                              result.error_message);
    }
    if (!result.ok) {
      std::fprintf(stderr, "[%s] on-failure destination invocation failed: %s: %s\n", name.c_str(),
                   result.error_type.c_str(), result.error_message.c_str());
    }
    return Status::Ok();
  };
  mapping_context.dynamo = [&s](const std::string& action, const std::string& request) -> Status {
    auto done = std::make_shared<std::promise<dynamo::ApiReply>>();
    auto answer = done->get_future();
    s.dynamo->Handle(action, request, [done](dynamo::ApiReply r) { done->set_value(std::move(r)); });
    dynamo::ApiReply reply = answer.get();
    if (reply.status / 100 != 2) return Status::Internal(action + ": " + reply.body);
    return Status::Ok();
  };
  registry_context.handlers.base_dir = stack.base_dir;
  registry_context.handlers.region = config.region;
  registry_context.handlers.account = "000000000000";
  registry_context.handlers.runtime_dir = (std::filesystem::path(config.data_dir) / "runtime").string();
  // Lambda workers reach our tables through AWS_ENDPOINT_URL (loopback unless
  // we listen on one address only).
  if (config.port != 0) {
    const bool any = config.bind_address.empty() || config.bind_address == "0.0.0.0" || config.bind_address == "::";
    registry_context.handlers.aws_endpoint =
        "http://" + (any ? std::string("127.0.0.1") : config.bind_address) + ":" + std::to_string(config.port);
  }
  registry_context.code_root = (std::filesystem::path(config.data_dir) / "functions").string();
  registry_context.region = config.region;
  s.registry = std::make_unique<functions::FunctionRegistry>(std::move(registry_context));
  st = s.registry->Load(stack);
  if (!st.ok()) return st;
  s.lambda_api = std::make_unique<functions::LambdaApi>(s.registry.get(), s.catalog.get());

  s.pool.Start(config.io_threads);
  s.ttl_sweeper->Start();  // its deletes answer on the I/O threads
  s.stream_trimmer->Start();
  http::ServerOptions aws_opts;
  aws_opts.bind_address = config.bind_address;
  aws_opts.port = config.port;
  aws_opts.limits = std::make_shared<http::SharedLimits>(config.max_connections, config.max_inflight_body_bytes);
  aws_opts.error_shape = http::ErrorShape::kAwsJson;
  s.aws_server = std::make_unique<http::Server>(
      s.pool, aws_opts, [&s](http::Request&& req, const http::RequestInfo&, http::Respond respond) {
        s.HandleAws(std::move(req), std::move(respond));
      });
  st = s.aws_server->Listen();
  if (!st.ok()) return st.WithMessage("port " + std::to_string(config.port) + ": " + st.message());
  http::ServerOptions gw_opts = aws_opts;
  gw_opts.port = config.gateway_port;
  gw_opts.error_shape = http::ErrorShape::kApiGateway;
  gw_opts.max_body_bytes = 10 * 1024 * 1024;  // API Gateway's payload limit
  s.gateway_server = std::make_unique<http::Server>(
      s.pool, gw_opts, [&s](http::Request&& req, const http::RequestInfo& info, http::Respond respond) {
        s.gateway->Handle(std::move(req), info, std::move(respond));
      });
  st = s.gateway_server->Listen();
  if (!st.ok()) {
    return st.WithMessage("gateway port " + std::to_string(config.gateway_port) + ": " + st.message());
  }
  return server;
}

void Server::Stop() {
  Impl& s = *impl_;
  if (s.stopped) return;
  s.stopped = true;
  // Order matters: no new requests, finish those in flight (their writes
  // need the writers), then the consumers, then the writers, then the store.
  if (s.aws_server) s.aws_server->StopAccepting();
  if (s.gateway_server) s.gateway_server->StopAccepting();
  if (s.aws_server) s.aws_server->Shutdown(std::chrono::seconds(5));
  if (s.gateway_server) s.gateway_server->Shutdown(std::chrono::seconds(5));
  if (s.read_pool) s.read_pool->Stop();
  if (s.ddl_pool) s.ddl_pool->Stop();
  if (s.ttl_sweeper) s.ttl_sweeper->Stop();  // its last deletes need the writers
  if (s.stream_trimmer) s.stream_trimmer->Stop();  // reads the writers' durable sequences
  if (s.dynamo) s.dynamo->Stop();  // index builds write through the writers
  // Mappings (and invocations in flight) end before the writers; the
  // Lambda API's queued calls then finish at once (functions cancelled).
  if (s.registry) s.registry->StopMappings();
  if (s.lambda_api) s.lambda_api->Stop();
  if (s.writers) s.writers->Stop();
  if (s.registry) s.registry->StopFunctions();  // function workers after the mappings
  if (s.proxy_pool) s.proxy_pool->Stop();  // its invocations fail at once now
  functions::runtime::SpareWorkers::StopAll();
  s.notifier.Close();
  if (s.gateway) s.gateway->Stop();  // its pending timeouts hold gateway connections
  s.pool.Stop();
  s.pool.Join();
  s.aws_server.reset();
  s.gateway_server.reset();
  if (s.store) s.store->Flush();
}

}  // namespace streamer::server
