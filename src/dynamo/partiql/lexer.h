// PartiQL's tokens, as DynamoDB's dialect uses them. Internal to the parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace streamer::dynamo::partiql {

struct Token {
  enum class Kind {
    kWord,        // a bare identifier or keyword: SELECT, pk, begins_with
    kQuoted,      // "an identifier", unescaped
    kString,      // 'a string', unescaped
    kNumber,      // 12, -1.5, 1e3 (the sign is a separate kSymbol)
    kSymbol,      // ( ) [ ] { } , . : * ? = <> != < <= > >= + - << >> ;
    kEnd,
  };
  Kind kind = Kind::kEnd;
  std::string text;
  size_t offset = 0;  // where it starts in the statement

  bool Is(Kind k, std::string_view t) const;
  // A bare word equal to `keyword`, case-insensitively.
  bool IsKeyword(std::string_view keyword) const;
};

// The statement's tokens, ending with one kEnd; a character no token starts
// with, or an unterminated quote, is a syntax error.
Result<std::vector<Token>> Tokenize(std::string_view text);

}  // namespace streamer::dynamo::partiql
