#include "controller/domain/secret/secret_id.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "controller/domain/secret/cipher.h"

namespace skein::controller::domain::secret {
namespace {

constexpr char kBase32Hex[] = "0123456789abcdefghijklmnopqrstuv";
constexpr size_t kIdChars = 20;

}  // namespace

std::string NewSecretId(std::chrono::system_clock::time_point now) {
  const auto seconds = static_cast<uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  std::string raw;
  for (int shift = 24; shift >= 0; shift -= 8) raw.push_back(static_cast<char>((seconds >> shift) & 0xff));
  raw += RandomBytes(8);
  // 96 bits in 5-bit groups, most significant first; the last group is padded with zeros.
  std::string id;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : raw) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      id.push_back(kBase32Hex[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) id.push_back(kBase32Hex[(buffer << (5 - bits)) & 0x1f]);
  return id;
}

bool IsSecretId(const std::string& text) {
  if (text.size() != kIdChars) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'v'))) return false;
  }
  return true;
}

absl::Status SecretNotFound(const std::string& what) {
  return absl::NotFoundError(absl::StrCat("secret \"", what, "\" not found"));
}

absl::StatusOr<ParsedUri> ParseSecretUri(const std::string& text) {
  ParsedUri out;
  std::string rest = text;
  if (absl::StartsWith(rest, "secret://")) {
    rest = rest.substr(9);
    size_t slash = rest.find('/');
    if (slash == std::string::npos) return SecretNotFound(text);
    out.model_uuid = rest.substr(0, slash);
    rest = rest.substr(slash + 1);
  } else if (absl::StartsWith(rest, "secret:")) {
    rest = rest.substr(7);
  }
  if (!IsSecretId(rest)) return SecretNotFound(text);
  out.id = rest;
  return out;
}

}  // namespace skein::controller::domain::secret
