#include "lib/base/secret_value.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace skein {

absl::Status AddSecretValue(const std::string& key_spec, const std::string& value,
                            const std::function<absl::StatusOr<std::string>(const std::string&)>& read_file,
                            std::map<std::string, std::string>* content) {
  constexpr absl::string_view kBase64 = "#base64";
  constexpr absl::string_view kFile = "#file";
  std::string key = key_spec;
  std::string decoded = value;
  if (absl::EndsWith(key, kBase64)) {
    key.resize(key.size() - kBase64.size());
    if (!absl::Base64Unescape(value, &decoded)) {
      return absl::InvalidArgumentError(absl::StrCat("invalid base64 value for key \"", key, "\""));
    }
  } else if (absl::EndsWith(key, kFile)) {
    key.resize(key.size() - kFile.size());
    absl::StatusOr<std::string> text = read_file(value);
    if (!text.ok()) return text.status();
    decoded = std::move(*text);
  }
  if (content->contains(key)) return absl::InvalidArgumentError(absl::StrCat("key \"", key, "\" specified more than once"));
  (*content)[key] = std::move(decoded);
  return absl::OkStatus();
}

}  // namespace skein
