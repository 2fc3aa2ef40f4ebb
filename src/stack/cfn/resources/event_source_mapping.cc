// AWS::Lambda::EventSourceMapping (and SAM DynamoDB events) -> EventMappingSpec.
#include "stack/cfn/lambda_common.h"

namespace streamer::stack::cfn {
namespace {
std::string S(const YAML::Node& n) { return n && n.IsScalar() ? n.Scalar() : std::string(); }
}  // namespace

std::string FunctionNameOf(const std::string& v) {
  // arn:aws:lambda:region:acct:function:NAME[:qualifier]
  if (v.rfind("arn:", 0) == 0) {
    auto p = v.find(":function:");
    if (p == std::string::npos) return v;
    std::string name = v.substr(p + 10);
    return name.substr(0, name.find(':'));
  }
  return v.substr(0, v.find(':'));
}

std::string TableNameOfArn(const std::string& arn) {
  auto p = arn.find(":table/");
  if (arn.rfind("arn:", 0) != 0 || p == std::string::npos) return "";
  std::string name = arn.substr(p + 7);
  return name.substr(0, name.find('/'));
}

void ReadMappingSettings(Template& t, const Resource& r, const YAML::Node& props, const std::string& where,
                         EventMappingSpec* m) {
  auto fail = [&](const std::string& prop, const std::string& msg) {
    YAML::Node at = r.properties && r.properties[prop] ? r.properties[prop] : r.node;
    t.Fail(at, where + "." + prop + ": " + msg);
  };
  auto integer = [&](const char* name, long lo, long hi, int* out) {
    if (!props[name]) return;
    const std::string v = S(props[name]);
    char* end = nullptr;
    long n = std::strtol(v.c_str(), &end, 10);
    if (v.empty() || *end || n < lo || n > hi)
      fail(name, "must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi) + ", not '" + v + "'");
    *out = static_cast<int>(n);
  };
  auto boolean = [&](const char* name, bool* out) {
    if (!props[name]) return;
    const std::string v = S(props[name]);
    if (v != "true" && v != "false") fail(name, "must be true or false, not '" + v + "'");
    *out = v == "true";
  };
  integer("BatchSize", 1, 10000, &m->batch_size);
  if (props["StartingPosition"]) {
    m->starting_position = S(props["StartingPosition"]);
    if (m->starting_position != "LATEST" && m->starting_position != "TRIM_HORIZON" && m->starting_position != "AT_TIMESTAMP")
      fail("StartingPosition", "LATEST, TRIM_HORIZON or AT_TIMESTAMP, not '" + m->starting_position + "'");
  }
  if (props["StartingPositionTimestamp"]) m->starting_position_timestamp = std::strtod(S(props["StartingPositionTimestamp"]).c_str(), nullptr);
  integer("MaximumBatchingWindowInSeconds", 0, 300, &m->maximum_batching_window_seconds);
  integer("MaximumRetryAttempts", -1, 10000, &m->maximum_retry_attempts);
  integer("MaximumRecordAgeInSeconds", -1, 604800, &m->maximum_record_age_seconds);
  if (m->maximum_record_age_seconds != -1 && m->maximum_record_age_seconds < 60)
    fail("MaximumRecordAgeInSeconds", "must be -1 or from 60 to 604800");
  boolean("BisectBatchOnFunctionError", &m->bisect_batch_on_function_error);
  integer("ParallelizationFactor", 1, 10, &m->parallelization_factor);
  integer("TumblingWindowInSeconds", 0, 900, &m->tumbling_window_seconds);
  boolean("Enabled", &m->enabled);
  if (auto types = props["FunctionResponseTypes"]) {
    for (const auto& ty : types) {
      if (S(ty) != "ReportBatchItemFailures") fail("FunctionResponseTypes", "only ReportBatchItemFailures, not '" + S(ty) + "'");
      m->report_batch_item_failures = true;
    }
  }
  if (auto fc = props["FilterCriteria"]) {
    if (auto filters = fc["Filters"])
      for (const auto& f : filters) {
        if (!f["Pattern"] || !f["Pattern"].IsScalar()) fail("FilterCriteria", "each filter has a Pattern string");
        m->filter_patterns.push_back(S(f["Pattern"]));
      }
  }
  if (auto dc = props["DestinationConfig"]) {
    if (auto of = dc["OnFailure"]) m->on_failure_destination = S(of["Destination"]);
  }
}

void AddEventSourceMapping(Template& t, const Resource& r, Stack* stack) {
  const std::string where = "Resources." + r.logical_id + ".Properties";
  if (!r.properties) t.Fail(r.node, where + ": missing (FunctionName and EventSourceArn are required)");
  YAML::Node props = t.Eval(r.properties, where);
  EventMappingSpec m;
  m.function = FunctionNameOf(t.PropString(r, "FunctionName", true));
  const std::string source = t.PropString(r, "EventSourceArn", true);
  m.table = TableNameOfArn(source);
  if (m.table.empty() || source.find("/stream/") == std::string::npos)
    t.Fail(r.properties["EventSourceArn"], where + ".EventSourceArn: '" + source +
                                               "' is not a DynamoDB stream of this stack (Kinesis, SQS and others are not supported)");
  bool known = false;
  for (const auto& tb : stack->tables) known |= tb.name == m.table && !tb.stream_view_type.empty();
  if (!known)
    t.Fail(r.properties["EventSourceArn"], where + ".EventSourceArn: table '" + m.table + "' is not a table with a stream in this stack");
  ReadMappingSettings(t, r, props, where, &m);
  stack->event_mappings.push_back(std::move(m));
}

}  // namespace streamer::stack::cfn
