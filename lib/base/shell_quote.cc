#include "lib/base/shell_quote.h"

#include "absl/strings/ascii.h"

namespace skein {
namespace {

bool IsPlain(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '@': case '%': case '+': case '=': case ':': case ',': case '.': case '/': case '-': case '_':
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string ShellQuote(const std::string& word) {
  if (word.empty()) return "''";
  bool plain = true;
  for (char c : word) plain = plain && IsPlain(c);
  if (plain) return word;
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\"'\"'";
    } else {
      quoted += c;
    }
  }
  quoted += "'";
  return quoted;
}

std::string ShellJoin(const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& word : words) {
    if (!line.empty()) line += ' ';
    line += ShellQuote(word);
  }
  return line;
}

}  // namespace skein
