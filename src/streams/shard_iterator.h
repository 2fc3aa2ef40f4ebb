// Shard iterators: the opaque strings GetShardIterator hands out and
// GetRecords takes back. One carries its stream, shard, the next sequence
// number to read and when it was issued (iterators expire, as AWS's do after
// 15 minutes), sealed with a checksum so that a garbage or edited iterator is
// told apart from a real one (a ValidationException, never a wrong read).
// It is not a secret: the format is stable across restarts, so an iterator
// issued before a restart still reads after it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace streamer::streams {

struct ShardIterator {
  std::string stream_arn;
  int shard = 0;
  uint64_t next_sequence = 0;
  int64_t issued_millis = 0;
};

std::string EncodeShardIterator(const ShardIterator& it);
// Nothing for a string EncodeShardIterator did not produce.
std::optional<ShardIterator> DecodeShardIterator(std::string_view text);

}  // namespace streamer::streams
