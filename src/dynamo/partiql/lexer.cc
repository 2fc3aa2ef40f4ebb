#include "dynamo/partiql/lexer.h"

#include <cctype>

#include "dynamo/partiql/statement.h"

namespace streamer::dynamo::partiql {

namespace {

bool WordStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool WordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; }
bool Digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

Status SyntaxError(const std::string& what) { return Status::Validation(std::string(kSyntaxPrefix) + what); }

}  // namespace

bool Token::Is(Kind k, std::string_view t) const { return kind == k && text == t; }

bool Token::IsKeyword(std::string_view keyword) const {
  if (kind != Kind::kWord || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(text[i])) != keyword[i]) return false;
  }
  return true;
}

Result<std::vector<Token>> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    // Comments: -- to the end of the line.
    if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
      while (i < s.size() && s[i] != '\n') ++i;
      continue;
    }
    Token t;
    t.offset = i;
    if (WordStart(c)) {
      size_t j = i;
      while (j < s.size() && WordChar(s[j])) ++j;
      t.kind = Token::Kind::kWord;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else if (c == '"' || c == '\'') {
      // A doubled quote inside stands for one.
      std::string text;
      size_t j = i + 1;
      bool closed = false;
      while (j < s.size()) {
        if (s[j] == c) {
          if (j + 1 < s.size() && s[j + 1] == c) {
            text += c;
            j += 2;
            continue;
          }
          closed = true;
          ++j;
          break;
        }
        text += s[j++];
      }
      if (!closed) {
        return SyntaxError(c == '"' ? "unterminated quoted identifier at position " + std::to_string(i + 1)
                                    : "unterminated string literal at position " + std::to_string(i + 1));
      }
      t.kind = c == '"' ? Token::Kind::kQuoted : Token::Kind::kString;
      t.text = std::move(text);
      i = j;
    } else if (Digit(c) || (c == '.' && i + 1 < s.size() && Digit(s[i + 1]))) {
      size_t j = i;
      while (j < s.size() && Digit(s[j])) ++j;
      if (j < s.size() && s[j] == '.') {
        ++j;
        while (j < s.size() && Digit(s[j])) ++j;
      }
      if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
        size_t k = j + 1;
        if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
        if (k < s.size() && Digit(s[k])) {
          while (k < s.size() && Digit(s[k])) ++k;
          j = k;
        }
      }
      if (j < s.size() && WordChar(s[j])) {
        return SyntaxError("invalid number at position " + std::to_string(i + 1));
      }
      t.kind = Token::Kind::kNumber;
      t.text = std::string(s.substr(i, j - i));
      i = j;
    } else {
      static constexpr std::string_view kTwo[] = {"<>", "!=", "<=", ">=", "<<", ">>"};
      t.kind = Token::Kind::kSymbol;
      for (std::string_view two : kTwo) {
        if (s.substr(i, 2) == two) t.text = std::string(two);
      }
      if (t.text.empty()) {
        if (std::string_view("()[]{},.:*?=<>+-;").find(c) == std::string_view::npos) {
          return SyntaxError("unexpected character '" + std::string(1, c) + "' at position " + std::to_string(i + 1));
        }
        t.text = std::string(1, c);
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.kind = Token::Kind::kEnd;
  end.offset = s.size();
  out.push_back(std::move(end));
  return out;
}

}  // namespace streamer::dynamo::partiql
