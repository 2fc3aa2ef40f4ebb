#include "streams/shard_iterator.h"

#include <charconv>
#include <cstdio>
#include <vector>

#include "core/base64.h"
#include "core/hash.h"

namespace streamer::streams {

namespace {

constexpr std::string_view kVersion = "v2|";
// Seeds the checksum, so that a checksum of some other format never passes.
constexpr std::string_view kSeal = "streamer shard iterator v2";

std::string Checksum(std::string_view payload) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(Fnv1a(payload, Fnv1a(kSeal))));
  return buf;
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty() || text.size() > 20) return false;
  if (text[0] == '+' || (text.size() > 1 && text[0] == '0')) return false;  // one spelling per number
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string EncodeShardIterator(const ShardIterator& it) {
  std::string payload(kVersion);
  for (const std::string& field : {it.stream_arn, std::to_string(it.shard), std::to_string(it.next_sequence),
                                   std::to_string(it.issued_millis)}) {
    payload += field;
    payload += '|';
  }
  payload += Checksum(std::string_view(payload).substr(0, payload.size() - 1));
  return Base64Encode(payload);
}

std::optional<ShardIterator> DecodeShardIterator(std::string_view text) {
  auto raw = Base64Decode(text);
  if (!raw || raw->size() < kVersion.size() || raw->compare(0, kVersion.size(), kVersion) != 0) return std::nullopt;
  // The last four fields are fixed; the ARN is everything before them.
  std::string_view rest(*raw);
  std::vector<std::string_view> tail;  // checksum, issued, sequence, shard
  for (int i = 0; i < 4; ++i) {
    const size_t bar = rest.rfind('|');
    if (bar == std::string_view::npos || bar < kVersion.size()) return std::nullopt;
    tail.push_back(rest.substr(bar + 1));
    rest = rest.substr(0, bar);
  }
  // The checksum covers everything before its own "|".
  if (tail[0].size() != 16 || tail[0] != Checksum(std::string_view(*raw).substr(0, raw->size() - 17))) {
    return std::nullopt;
  }
  ShardIterator it;
  it.stream_arn = std::string(rest.substr(kVersion.size()));
  if (it.stream_arn.empty() || !ParseNumber(tail[3], &it.shard) || it.shard < 0 ||
      !ParseNumber(tail[2], &it.next_sequence) || !ParseNumber(tail[1], &it.issued_millis)) {
    return std::nullopt;
  }
  return it;
}

}  // namespace streamer::streams
